"""Disk pressure and permissions: a full disk, a file-size limit, read-only and unwritable folders.

Each is the user's environment, not a bug: exit 2 with the file and the cause in
words, the previous release intact and no staging folder left behind.
"""

from __future__ import annotations

import errno
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import MINIMAL, Unprivileged, assert_release_intact
from wijkld.cli.main import cli
from wijkld.publish import serialize as publish


def leftovers(out: Path) -> list[Path]:
    return [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.") and not p.name.endswith(".lock")]


@pytest.mark.parametrize("limit_kib", [1, 40])
def test_a_file_size_limit_is_named_and_the_release_kept(published: Path, limit_kib: int) -> None:
    """RLIMIT_FSIZE (ulimit -f): a write past it fails with EFBIG (Python ignores SIGXFSZ)."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_kib * 1024, limit_kib * 1024))

    command = [sys.executable, "-m", "wijkld", "build", "-q", "--data", str(MINIMAL), "--out", str(published)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, preexec_fn=limit)  # noqa: PLW1509
    assert result.returncode == 2, result.stderr
    assert "larger than the file-size limit (ulimit -f) allows" in result.stderr
    assert "the previous release is unchanged" in result.stderr
    assert "Traceback" not in result.stderr and "Internal error" not in result.stderr
    assert_release_intact(published)
    assert leftovers(published) == []


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "no space left on the device"),
        (errno.EDQUOT, "the disk quota is exceeded"),
        (errno.EROFS, "the file system is read-only"),
        (errno.EIO, "input/output error"),
    ],
)
def test_a_full_disk_is_named_and_the_release_kept(
    published: Path, monkeypatch: pytest.MonkeyPatch, code: int, words: str
) -> None:
    """The write of a release file fails as it would on a full disk; cannot fill a real one in a test."""
    written = []

    def fail_on_the_tenth(folder: Path, name: str, data: bytes) -> Path:
        written.append(name)
        if len(written) == 10:
            raise OSError(code, os.strerror(code), str(folder / name))
        return real(folder, name, data)

    real = publish.write_file
    monkeypatch.setattr(publish, "write_file", fail_on_the_tenth)
    result = CliRunner().invoke(cli, ["build", "-q", "--data", str(MINIMAL), "--out", str(published)])
    assert result.exit_code == 2, result.output
    assert f": {words} (while building {published}; the previous release is unchanged)" in result.stderr
    assert written[9] in result.stderr, "names the file"
    assert_release_intact(published)
    assert leftovers(published) == []


def test_a_read_only_release_is_refused_before_anything_is_built(
    unprivileged: Unprivileged, minimal_release_template: Path
) -> None:
    """The audit: the read-only release was replaced, then exit 3 and a leftover no build could remove."""
    out = unprivileged.dir / "dist"
    shutil.copytree(minimal_release_template, out)
    out.chmod(0o555)
    result = unprivileged.run("build", "-q", "--data", str(MINIMAL), "--out", str(out))
    out.chmod(0o755)
    assert result.returncode == 2, result.stderr
    assert f"--out {out} is read-only" in result.stderr
    assert_release_intact(out)
    assert leftovers(out) == []


def test_an_out_whose_parent_is_not_writable_is_named(unprivileged: Unprivileged) -> None:
    parent = unprivileged.dir / "locked"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        result = unprivileged.run("build", "-q", "--data", str(MINIMAL), "--out", str(parent / "dist"))
    finally:
        parent.chmod(0o755)
    assert result.returncode == 2, result.stderr
    assert "permission denied" in result.stderr
    assert str(parent) in result.stderr
    assert "Traceback" not in result.stderr
    assert list(parent.iterdir()) == []


def test_a_read_only_leftover_of_a_dead_build_is_removed(
    unprivileged: Unprivileged, minimal_release_template: Path
) -> None:
    out = unprivileged.dir / "dist"
    shutil.copytree(minimal_release_template, out)
    leftover = unprivileged.dir / ".dist.building-999999999-ro"
    (leftover / "doc").mkdir(parents=True)
    (leftover / "doc" / "page.html").write_text("half written")
    (leftover / "doc").chmod(0o555)
    leftover.chmod(0o555)
    result = unprivileged.run("build", "-q", "--data", str(MINIMAL), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert not leftover.exists()
    assert_release_intact(out)
