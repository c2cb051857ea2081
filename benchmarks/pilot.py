"""Wall time of ``wijkld build`` on the real pilot data, start-up included, optionally beside another commit.

Each run is a fresh ``python -m wijkld build -q`` process writing to its own folder (the second
and later runs rebuild over the previous release, as a user's rebuild does). With ``--compare
REF`` the runs alternate between this checkout and REF (checked out into a temporary git
worktree, run with this checkout's virtual environment), so both see the same machine noise.
One more run per checkout times each stage in-process. Prints a table; ``--json`` keeps the numbers.

    .venv/bin/python benchmarks/pilot.py --runs 7
    .venv/bin/python benchmarks/pilot.py --runs 7 --compare 7163e87
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Runs in the measured process: the build with a clock read at each progress message.
STAGES = """
import json, sys, time
started = time.perf_counter()
from pathlib import Path
from wijkld import build
try:  # the module's place since the layout by stage; REF may be older
    from wijkld.model.iris import DEFAULT_BASE
except ImportError:
    from wijkld.iris import DEFAULT_BASE
marks = [("import", time.perf_counter())]
mark = lambda message: marks.append((message.split()[0], time.perf_counter()))
build.run(Path(sys.argv[1]), Path(sys.argv[2]), DEFAULT_BASE, mark)
marks.append(("end", time.perf_counter()))
stages = {name: round(marks[i + 1][1] - at, 3) for i, (name, at) in enumerate(marks[:-1])}
stages["import"] = round(marks[0][1] - started, 3)
print(json.dumps(stages))
"""


def timed_build(checkout: Path, out: Path) -> dict[str, float]:
    """One build in a fresh process: wall seconds, CPU seconds (user + system, workers included)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "wijkld", "build", "-q", "--data", str(checkout / "data"), "--out", str(out)],
        cwd=checkout,
        env=_env(checkout),
        check=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "peak_mib": after.ru_maxrss / 1024}


def stage_times(checkout: Path, out: Path) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, "-c", STAGES, str(checkout / "data"), str(out)],
        cwd=checkout,
        env=_env(checkout),
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _env(checkout: Path) -> dict[str, str]:
    """This checkout's package, or the compared one's, ahead of whatever the environment has installed."""
    return {**os.environ, "PYTHONPATH": str(checkout / "pipeline")}


def worktree(ref: str, folder: Path) -> Path:
    path = folder / "compare"
    subprocess.run(["git", "worktree", "add", "--detach", "-q", str(path), ref], cwd=ROOT, check=True)
    return path


def table(results: dict[str, list[dict[str, float]]], stages: dict[str, dict[str, float]]) -> str:
    lines = [
        "| checkout | runs | wall min / median / max (s) | CPU median (s) | peak RSS of a process (MiB) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, runs in results.items():
        walls = sorted(r["wall"] for r in runs)
        lines.append(
            f"| {name} | {len(runs)} | {walls[0]:.2f} / {statistics.median(walls):.2f} / {walls[-1]:.2f} "
            f"| {statistics.median(r['cpu'] for r in runs):.2f} | {max(r['peak_mib'] for r in runs):.0f} |"
        )
    if len(results) == 2:
        (a, ra), (b, rb) = results.items()
        ratio = statistics.median(r["wall"] for r in ra) / statistics.median(r["wall"] for r in rb)
        lines.append(f"\nmedian wall time, {a} / {b}: {ratio:.2f}x")
    lines.append("\nstages of one more run (seconds; each from its progress message to the next):\n")
    names = list(dict.fromkeys(stage for found in stages.values() for stage in found))
    lines.append("| stage | " + " | ".join(stages) + " |")
    lines.append("|---|" + "---:|" * len(stages))
    for stage in names:
        cells = (f"{found[stage]:.2f}" if stage in found else "–" for found in stages.values())
        lines.append(f"| {stage} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="builds per checkout (default 7)")
    parser.add_argument("--compare", metavar="REF", help="a git commit or tag to run beside this checkout")
    parser.add_argument("--json", type=Path, help="also write the measurements to this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="wijkld-pilot-") as tmp:
        scratch = Path(tmp)
        checkouts = {"this checkout": ROOT}
        if args.compare:
            checkouts[args.compare] = worktree(args.compare, scratch)
        try:
            outs = {name: scratch / f"dist-{i}" for i, name in enumerate(checkouts)}  # later runs rebuild over it
            results: dict[str, list[dict[str, float]]] = {name: [] for name in checkouts}
            for _ in range(args.runs):
                for name, checkout in checkouts.items():
                    results[name].append(timed_build(checkout, outs[name]))
            stages = {name: stage_times(checkout, outs[name]) for name, checkout in checkouts.items()}
        finally:
            if args.compare:
                subprocess.run(["git", "worktree", "remove", "--force", str(checkouts[args.compare])], cwd=ROOT)
    print(table(results, stages))
    if args.json:
        args.json.write_text(json.dumps({"runs": results, "stages": stages}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
