"""Every format's reader survives every kind of damage in the hostile corpus (issue 19, Build items 4 and 8).

For each (format, kind) file of tests/ingest/hostile_corpus.py, imported alone with the format forced and
detected, then with all of a format's files in one folder and the whole corpus in one folder: no exception
but a clean one-line LogsheetError when nothing at all is readable; per source, read = kept + rejected +
duplicates; every good record the generator wrote kept; hostile values read back byte for byte."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.ingest.hostile_corpus import Case, cases, good_file

from logsheet.core.errors import LogsheetError
from logsheet.ingest.pipeline import ImportSummary
from logsheet.workspace import Workspace, build_query

CASES = cases()
FORMATS = sorted({c.format for c in CASES})
XFAIL: dict[str, str] = {}  # (format, kind) cases known to fail, with the reason


def param(case: Case) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=XFAIL[case.id])] if case.id in XFAIL else []
    return pytest.param(case, id=case.id, marks=marks)


def attempt(ws: Workspace, path: Path, sheet: str, fmt: str | None) -> ImportSummary | None:
    """The import's summary, or None when it failed cleanly: one line, a LogsheetError."""
    try:
        summary = ws.import_paths([path], sheet=sheet, format=fmt)
    except LogsheetError as failed:
        message = str(failed)
        assert message and "\n" not in message, message
        return None
    for s in summary.sources:
        assert s.records_read == s.rows_kept + s.rejected + s.duplicates, s
    for s in ws.summary(sheet).sources:  # the sheet summary's accounting too
        assert s.records_read == s.rows_kept + s.rejected + s.duplicates, s
    return summary


def values(ws: Workspace, sheet: str, column: str) -> list[Any]:
    page = ws.query(sheet, build_query(), limit=10_000, with_total=False)
    names = [c.name for c in page.columns]
    assert column in names, names
    return [row[names.index(column)] for row in page.rows]


def check(ws: Workspace, case: Case, summary: ImportSummary | None, sheet: str) -> None:
    if summary is None:
        assert case.good == 0, f"{case.id}: the import failed, but {case.good} good record(s) were in it"
        return
    kept = summary.rows
    assert case.good <= kept <= case.good + case.damaged, (case.id, kept, summary.to_json()["sources"])
    if case.damage_reject:
        assert summary.rejected >= 1, f"{case.id}: the damaged gzip stream is in no reject"
    if case.values:
        got = values(ws, sheet, case.column)
        for value in case.values:
            assert value in got, (value, got)


@pytest.mark.parametrize("case", [param(c) for c in CASES])
def test_forced_format(tmp_path: Path, case: Case) -> None:
    ws = Workspace.open(tmp_path / "home")
    path = case.write(tmp_path)
    check(ws, case, attempt(ws, path, "forced", case.format), "forced")


@pytest.mark.parametrize("case", [param(c) for c in CASES])
def test_detected_format(tmp_path: Path, case: Case) -> None:
    ws = Workspace.open(tmp_path / "home")
    path = case.write(tmp_path)
    summary = attempt(ws, path, "detected", None)
    if summary is not None and summary.format == case.format:
        check(ws, case, summary, "detected")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_folder_of_one_formats_hostile_files_keeps_the_good_file(tmp_path: Path, fmt: str) -> None:
    folder = tmp_path / "case"
    folder.mkdir()
    for case in CASES:
        if case.format == fmt:
            case.write(folder)
    name, data, count = good_file(fmt)
    (folder / name).write_bytes(data)
    ws = Workspace.open(tmp_path / "home")
    summary = attempt(ws, folder, "folder", None)
    assert summary is not None and summary.format == fmt
    by_name = {Path(s.path).name: s for s in summary.sources}
    assert by_name[name].rows_kept == count and by_name[name].rejected == 0
    forced = attempt(ws, folder, "forced", fmt)
    assert forced is not None
    assert {Path(s.path).name: s for s in forced.sources}[name].rows_kept == count


def test_the_whole_corpus_in_one_folder(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    for case in CASES:
        (folder / case.format).mkdir(parents=True, exist_ok=True)
        case.write(folder / case.format)
    ws = Workspace.open(tmp_path / "home")
    summary = attempt(ws, folder, "all", None)
    assert summary is not None and summary.rows > 0
    assert len(summary.sources) == len(CASES)
