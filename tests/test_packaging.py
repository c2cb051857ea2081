"""The built wheel carries everything it needs: install it in a fresh venv and build elsewhere."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_builds_the_pilot_outside_the_repository(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(wheels), str(REPO)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("wijkld-*.whl")

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True, capture_output=True)

    data = tmp_path / "records"
    shutil.copytree(REPO / "data", data)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [str(env_dir / "bin" / "wijkld"), "build", "--data", str(data), "--out", str(tmp_path / "out")],
        cwd=elsewhere,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "files written" in result.stdout
    published = {p.name for p in (tmp_path / "out").iterdir()}
    assert {"wijkld.ttl", "wijkld.nt.gz", "wijkld.nq.gz", "vocabulary.ttl", "shapes.ttl"} <= published
    # the installed package must not have reached back into the source tree
    shown = subprocess.run(
        [str(python), "-c", "import wijkld.resources as r; print(r.resource_dir('shapes'))"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(env_dir) in shown
