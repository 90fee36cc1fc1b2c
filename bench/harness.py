"""Measuring side by side: contenders alternate, several repetitions, medians; wall time, peak memory, CPU.

Each contender that is timed as a whole program (imports) runs in its own process, started with
``python -m bench.contenders NAME ARGS``; ``os.wait4`` gives that process's own peak RSS and CPU time.
Contenders timed inside one process (queries) are plain callables.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Run:
    wall: float
    peak_mib: float = 0.0
    cpu: float = 0.0  # user + system seconds
    output: str = ""


@dataclass
class Figures:
    name: str
    runs: list[Run] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def peak_mib(self) -> float:
        return max(r.peak_mib for r in self.runs)

    @property
    def cores(self) -> float:
        return statistics.median(r.cpu / r.wall for r in self.runs if r.wall > 0) if self.runs else 0.0

    @property
    def p95(self) -> float:
        walls = sorted(r.wall for r in self.runs)
        return walls[min(len(walls) - 1, round(0.95 * (len(walls) - 1)))]


def run_process(argv: Sequence[str], env: dict[str, str] | None = None, timeout: float | None = None) -> Run:
    """Run a program; its wall time, peak RSS and CPU time (its own, children included)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        list(argv), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}, cwd=ROOT
    )
    assert proc.stdout is not None
    output = proc.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}):\n{output[-3000:]}")
    return Run(wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, output)


def contender(name: str, *args: object) -> list[str]:
    """The argv that runs ``bench.contenders.<name>(*args)`` in a fresh interpreter."""
    return [sys.executable, "-m", "bench.contenders", name, *map(str, args)]


def alternate(contenders: dict[str, Callable[[], Run]], reps: int) -> dict[str, Figures]:
    """Each repetition runs every contender once, in a rotating order (no one always goes first)."""
    figures = {name: Figures(name) for name in contenders}
    names = list(contenders)
    for rep in range(reps):
        order = names[rep % len(names) :] + names[: rep % len(names)]
        for name in order:
            run = contenders[name]()
            figures[name].runs.append(run)
            print(f"    rep {rep + 1}/{reps} {name:<28} {run.wall:8.3f} s  {run.peak_mib:8.0f} MiB", flush=True)
    return figures


def timed(fn: Callable[[], object]) -> Run:
    started = time.perf_counter()
    cpu = time.process_time()
    fn()
    return Run(time.perf_counter() - started, 0.0, time.process_time() - cpu)


def table(title: str, figures: dict[str, Figures], baseline: str | None, unit: str = "s", work: float | None = None) -> str:
    """A Markdown table: median time, ratio to the baseline (how many times faster logsheet is), memory, cores."""
    header = f"| contender | median | vs {baseline or '-'} | peak MiB | cores busy |" + (" rows/s |" if work else "")
    lines = [f"### {title}", "", header]
    lines.append("|---|---:|---:|---:|---:|" + ("---:|" if work else ""))
    base = figures[baseline].wall if baseline else None
    for f in figures.values():
        ratio = f"{base / f.wall:.2f}×" if base else "-"
        rate = f" {work / f.wall:,.0f} |" if work else ""
        mem = f"{f.peak_mib:,.0f}" if f.peak_mib else "-"
        lines.append(f"| {f.name} | {f.wall:.3f} {unit} | {ratio} | {mem} | {f.cores:.2f} |{rate}")
    return "\n".join(lines) + "\n"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    except OSError:
        mem = 0.0
    import duckdb

    return (
        f"{platform.node()}: {os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, DuckDB {duckdb.__version__}"
    )


def record(data_dir: Path, scenario: str, text: str, raw: dict[str, object]) -> None:
    """Print a scenario's result and keep it (Markdown and JSON) under the data directory's results/."""
    print(text, flush=True)
    out = data_dir / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    (out / f"{scenario}.md").write_text(f"<!-- {stamp}; {machine()} -->\n{text}")
    (out / f"{scenario}.json").write_text(json.dumps({"when": stamp, "machine": machine(), **raw}, indent=1, default=_plain))


def _plain(value: object) -> object:
    if isinstance(value, Figures):
        runs = [asdict(r) | {"output": ""} for r in value.runs]
        return {"name": value.name, "median_s": value.wall, "peak_mib": value.peak_mib, "cores": value.cores, "runs": runs}
    return str(value)
