"""The hostile-input suite (issue 13): shared fixtures.

Every case tries what an attacker or a careless user would, and asserts three
things: the exit code, a message that names the cause, and that the release
published before is still exactly as it was (``sha256sum -c SHA256SUMS``).
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from wijkld import build
from wijkld.model.iris import DEFAULT_BASE

REPO = Path(__file__).resolve().parents[2]
MINIMAL = REPO / "tests" / "fixtures" / "minimal"


def assert_release_intact(dist: Path) -> None:
    """``sha256sum -c`` of the release's own SHA256SUMS passes, and it lists every file of the release."""
    sums = dist / "SHA256SUMS"
    assert sums.is_file(), f"{dist} has no SHA256SUMS: the release is gone or incomplete"
    checked = subprocess.run(
        ["sha256sum", "--check", "--strict", "--quiet", "SHA256SUMS"], cwd=dist, capture_output=True, text=True
    )
    assert checked.returncode == 0, f"sha256sum -c failed in {dist}:\n{checked.stdout}{checked.stderr}"
    listed = {line.split("  ", 1)[1] for line in sums.read_text(encoding="utf-8").splitlines()}
    present = {str(p.relative_to(dist)) for p in dist.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    assert present == listed, f"files not in SHA256SUMS: {sorted(present - listed)[:5]}"


@pytest.fixture(scope="session")
def minimal_release_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal records built once; tests get copies (:func:`published`)."""
    out = tmp_path_factory.mktemp("hostile-template") / "dist"
    build.run(MINIMAL, out, DEFAULT_BASE)
    return out


@pytest.fixture
def published(tmp_path: Path, minimal_release_template: Path) -> Path:
    """A fresh copy of a valid release at ``tmp_path/dist``: what a hostile case must leave intact."""
    dist = tmp_path / "dist"
    shutil.copytree(minimal_release_template, dist)
    return dist


@pytest.fixture
def records(tmp_path: Path) -> Path:
    """A scratch copy of the minimal records at ``tmp_path/data``, for a case to spoil."""
    data = tmp_path / "data"
    shutil.copytree(MINIMAL, data)
    return data


#: ``wijkld(*args, cwd=..., env=..., timeout=..., preexec_fn=...) -> CompletedProcess``
RunWijkld = Callable[..., "subprocess.CompletedProcess[str]"]


@pytest.fixture
def wijkld(tmp_path: Path) -> RunWijkld:
    """Run the real ``wijkld`` entry point in a child process, as a user would (exit codes, signals, limits).

    CliRunner does not go through ``wijkld.cli.main``, which maps internal errors to exit 3, and cannot
    take resource limits or signals: the hostile cases need the real process.
    """

    def run(
        *args: str,
        cwd: Path | None = None,
        timeout: float = 120,
        env: dict[str, str] | None = None,
        stdin: int | None = None,
        preexec_fn: Callable[[], None] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "wijkld", *args],
            cwd=cwd or tmp_path,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
            stdin=stdin,
            preexec_fn=preexec_fn,  # noqa: PLW1509 - resource limits and privileges, set before exec
        )

    return run


class Unprivileged:
    """Runs ``wijkld`` without root's powers, so that file permissions apply to it.

    Root bypasses permissions through its capabilities (CAP_DAC_OVERRIDE and
    friends), not through its uid: as root the command runs with an empty
    capability bounding set, so a read-only folder stops it as it stops any
    user; the cases about permissions run everywhere instead of being skipped.
    """

    def __init__(self, root: Path) -> None:
        self.dir = root

    @staticmethod
    def _drop_capabilities() -> None:
        if os.geteuid() == 0:
            libc = ctypes.CDLL(None, use_errno=True)
            for capability in range(64):
                libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0)

    def run(self, *args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "wijkld", *args],
            cwd=cwd or self.dir,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
            preexec_fn=self._drop_capabilities,  # noqa: PLW1509 - nothing but prctl runs before exec
        )


_PR_CAPBSET_DROP = 24


@pytest.fixture
def unprivileged(tmp_path: Path) -> Unprivileged:
    """A folder and a way to run wijkld there without root's powers (see :class:`Unprivileged`)."""
    root = tmp_path / "unprivileged"
    root.mkdir()
    return Unprivileged(root)
