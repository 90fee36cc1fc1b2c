"""logsheet's own detection rules, in Sigma, one YAML file per rule (a correlation beside the rule it counts)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).parent


def pack_paths() -> list[Path]:
    """Every rule file of the built-in pack, sorted."""
    return sorted(ROOT.rglob("*.yml"))
