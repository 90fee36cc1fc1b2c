"""What interrupted imports leave behind, and how the workspace sweeps it."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from logsheet.store.catalog import Catalog

SWEEP_AGE = 3600.0  # part files no sheet references are removed once this old (an import may be committing them)


def sweep(root: Path, catalog: Catalog) -> None:
    """Remove what interrupted imports left: staging folders of dead processes, and old part files that
    no committed sheet references."""
    for folder in (root / "staging").iterdir():
        pid = folder.name.split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
    referenced = catalog.referenced_paths()
    directories = catalog.directories()
    cutoff = time.time() - SWEEP_AGE
    for folder in (root / "sheets").iterdir():
        relative = f"sheets/{folder.name}"
        for part in folder.glob("*.parquet"):
            if str(part.relative_to(root)) not in referenced and part.stat().st_mtime < cutoff:
                part.unlink(missing_ok=True)
        if relative not in directories and not any(folder.iterdir()):
            folder.rmdir()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
