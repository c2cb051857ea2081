"""The benchmarks keep up with the build: they read the stages it times and run against this checkout.

They are run by hand (benchmarks/README.md), so nothing else would notice when a module moves or a
stage is renamed; both happened once and left their tables blank.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from wijkld import build
from wijkld.model.iris import DEFAULT_BASE

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "minimal"
sys.path.insert(0, str(BENCHMARKS))

import pilot  # noqa: E402
import run  # noqa: E402


def test_every_row_of_the_scale_benchmark_is_a_stage_the_build_times(tmp_path: Path) -> None:
    summary = build.run(FIXTURE, tmp_path / "dist", DEFAULT_BASE)
    timed = {**summary.stages, **summary.parts, "total": summary.seconds}
    assert [ours for _, ours, _, _ in run.STAGES if ours not in timed] == []
    assert all(seconds >= 0 for seconds in timed.values())
    assert {"map:records", "map:store", "map:ntriples", "publish:wijkld.nq.gz"} <= set(summary.parts)


def test_the_scale_benchmark_table_shows_the_build_beside_plain_and_floor() -> None:
    results = {
        "1e4": {
            "load": {"load": {"seconds": 0.5}, "peak_mib": 30},
            "build": {"triples": 10_000, "peak_mib": 120, "stages": {"map:ntriples": {"seconds": 0.1}}},
            "plain": {"triples": 10_000, "stages": {"nt": {"seconds": 0.4, "peak_mib": 70}}},
            "floor": {"stages": {"nt": {"seconds": 0.02}}},
        }
    }
    table = run.render(results).split("### N-Triples (sorted, from the store)", 1)[1].split("###", 1)[0]
    assert "| 10,000 | 0.10 | 100k | 120 | 0.40 | 25k | 70 | 0.02 | 500k | 4.0x | 5.0x |" in table


def test_the_pilot_benchmark_times_the_stages_of_this_checkout(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", pilot.STAGES, str(FIXTURE), str(tmp_path / "dist")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    stages = json.loads(done.stdout.strip().splitlines()[-1])
    assert {"import", "loading", "mapping", "validating", "publishing"} <= set(stages), stages
