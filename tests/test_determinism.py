"""The same records give byte-identical files, whatever the hash seed of the process."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _build(out: Path, seed: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    subprocess.run(
        [sys.executable, "-m", "wijkld", "build", "--quiet", "--data", str(REPO / "data"), "--out", str(out)],
        check=True,
        env=env,
        capture_output=True,
        cwd=out.parent,
    )
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


@pytest.mark.slow
def test_builds_are_byte_identical_across_hash_seeds(tmp_path: Path) -> None:
    first = _build(tmp_path / "a", "0")
    second = _build(tmp_path / "b", "1")
    third = _build(tmp_path / "c", "12345")
    assert first, "nothing was published"
    assert first == second == third
