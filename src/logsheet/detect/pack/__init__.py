"""logsheet's built-in detection pack: Sigma rules for CloudTrail (``cloudtrail/``), Linux auth logs
(``linux/``) and VPC flow logs (``vpcflow/``), one rule per file (or a base rule and the correlation built on
it, as two YAML documents). They are plain Sigma: copy one, change it, and run it with your own rules.

:func:`pack_paths` lists the files, for :func:`logsheet.detect.compile_rules`; the table of what each rule
flags is in docs/detections.md ("The built-in pack")."""

from __future__ import annotations

from pathlib import Path

PACK_DIR = Path(__file__).resolve().parent
ROOT = PACK_DIR  # the folder the built-in rules are read from
FORMATS = ("cloudtrail", "linux", "vpcflow")  # the folders, one per kind of log


def pack_paths() -> list[Path]:
    """Every rule file of the pack, sorted by path."""
    return sorted(p for p in PACK_DIR.rglob("*.yml") if p.is_file())
