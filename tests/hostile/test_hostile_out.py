"""Hostile ``--out``: every folder a careless user could name, and what must survive it.

Each refused case exits 2 with a message naming the reason, and leaves both the
thing at risk (records, repository, home folder, other files) and the release
published before exactly as they were. There is deliberately no ``--force``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import MINIMAL, RunWijkld, assert_release_intact
from wijkld import outdir


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def a_clone(root: Path) -> Path:
    """A repository the way a user has it: records, a .git folder, other files."""
    clone = root / "clone"
    shutil.copytree(MINIMAL, clone / "data")
    (clone / ".git" / "objects").mkdir(parents=True)
    (clone / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (clone / "README.md").write_text("my project\n")
    return clone


# (id, how to lay out the case under tmp_path -> (cwd, --data, --out, folder at risk), expected message part)
Layout = Callable[[Path], tuple[Path, str, str, Path]]


def _out_is_data(tmp: Path) -> tuple[Path, str, str, Path]:
    clone = a_clone(tmp)
    return clone, "data", "data", clone / "data"


def _out_holds_data(tmp: Path) -> tuple[Path, str, str, Path]:
    holder = tmp / "work"
    shutil.copytree(MINIMAL, holder / "data")
    return tmp, "work/data", "work", holder


def _out_inside_data(tmp: Path) -> tuple[Path, str, str, Path]:
    clone = a_clone(tmp)
    return clone, "data", "data/dist", clone / "data"


def _out_is_the_clone(tmp: Path) -> tuple[Path, str, str, Path]:
    clone = a_clone(tmp)
    return clone, "data", ".", clone


def _out_above_the_clone(tmp: Path) -> tuple[Path, str, str, Path]:
    clone = a_clone(tmp)
    return clone, "data", "..", tmp


def _out_is_a_repository(tmp: Path) -> tuple[Path, str, str, Path]:
    clone = a_clone(tmp)
    other = tmp / "other-repo"
    (other / ".git").mkdir(parents=True)
    (other / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return clone, "data", str(other), other


def _out_is_a_gh_pages_worktree(tmp: Path) -> tuple[Path, str, str, Path]:
    """A release folder that is also a git worktree (a .git file): publishing to GitHub Pages."""
    clone = a_clone(tmp)
    pages = clone / "site"
    shutil.copytree(tmp.parent / "dist", pages)
    (pages / ".git").write_text("gitdir: ../.git/worktrees/site\n")
    return clone, "data", "site", pages


def _out_has_other_files(tmp: Path) -> tuple[Path, str, str, Path]:
    clone = a_clone(tmp)
    (clone / "thesis").mkdir()
    (clone / "thesis" / "chapter-1.tex").write_text("years of work\n")
    return clone, "data", "thesis", clone / "thesis"


def _out_is_home(tmp: Path) -> tuple[Path, str, str, Path]:
    clone = a_clone(tmp)
    return clone, "data", "~", tmp.parent / "home"


def _out_holds_home(tmp: Path) -> tuple[Path, str, str, Path]:
    clone = a_clone(tmp)
    return clone, "data", str(tmp.parent / "home" / ".."), tmp


def _out_is_root(tmp: Path) -> tuple[Path, str, str, Path]:
    clone = a_clone(tmp)
    return clone, "data", "/", clone


def _out_is_a_symlink_to_data(tmp: Path) -> tuple[Path, str, str, Path]:
    clone = a_clone(tmp)
    (clone / "out").symlink_to(clone / "data")
    return clone, "data", "out", clone / "data"


def _out_is_a_file(tmp: Path) -> tuple[Path, str, str, Path]:
    clone = a_clone(tmp)
    return clone, "data", "README.md", clone


def _out_below_a_file(tmp: Path) -> tuple[Path, str, str, Path]:
    clone = a_clone(tmp)
    return clone, "data", "README.md/dist", clone


REFUSED = [
    pytest.param(_out_is_data, "is the records folder", id="out-is-data"),
    pytest.param(_out_holds_data, "holds the records folder", id="out-holds-data"),
    pytest.param(_out_inside_data, "lies inside the records folder", id="out-inside-data"),
    pytest.param(_out_is_the_clone, "refusing to replace the current folder", id="out-dot-in-a-clone"),
    pytest.param(_out_above_the_clone, "holds the current folder", id="out-dotdot"),
    pytest.param(_out_is_a_repository, "holds .git", id="out-is-a-repository"),
    pytest.param(_out_is_a_gh_pages_worktree, "holds .git", id="out-is-a-release-with-a-git-file"),
    pytest.param(_out_has_other_files, "not a wijkld release", id="out-has-other-files"),
    pytest.param(_out_is_home, "your home folder", id="out-is-home"),
    pytest.param(_out_holds_home, "holds your home folder", id="out-holds-home"),
    pytest.param(_out_is_root, "the root of the file system", id="out-is-root"),
    pytest.param(_out_is_a_symlink_to_data, "is the records folder", id="out-symlink-to-data"),
    pytest.param(_out_is_a_file, "README.md", id="out-is-a-file"),
    pytest.param(_out_below_a_file, "is a file, not a folder", id="out-below-a-file"),
]


@pytest.mark.parametrize(("layout", "expected"), REFUSED)
def test_an_out_that_is_not_a_release_is_refused_and_nothing_is_lost(
    wijkld: RunWijkld, published: Path, tmp_path: Path, layout: Layout, expected: str
) -> None:
    case = tmp_path / "case"
    case.mkdir()
    (tmp_path / "home").mkdir()
    cwd, data, out, at_risk = layout(case)
    before = snapshot(at_risk) if at_risk != Path("/") else {}
    result = wijkld("build", "--data", data, "--out", out, cwd=cwd, env={"HOME": str(tmp_path / "home")})
    assert result.returncode == 2, result.stdout + result.stderr
    assert expected in result.stderr
    assert "Error: " in result.stderr
    assert "Traceback" not in result.stderr and "Internal error" not in result.stderr
    assert snapshot(at_risk) == before, f"{at_risk} changed"
    assert_release_intact(published)


def test_force_is_not_offered(wijkld: RunWijkld, tmp_path: Path) -> None:
    result = wijkld("build", "--help")
    assert "--force" not in result.stdout
    assert "--no-wait" in result.stdout


@pytest.mark.parametrize("kind", ["new-folder", "empty-folder", "release"])
def test_new_empty_and_release_folders_are_replaced(
    wijkld: RunWijkld, tmp_path: Path, published: Path, kind: str
) -> None:
    out = published if kind == "release" else tmp_path / "fresh"
    if kind == "empty-folder":
        out.mkdir()
    result = wijkld("build", "--data", str(MINIMAL), "--out", str(out), "-q")
    assert result.returncode == 0, result.stderr
    assert (out / outdir.MARKER).is_file()
    assert_release_intact(out)


def test_a_release_from_before_the_marker_is_still_recognised(wijkld: RunWijkld, published: Path) -> None:
    """Releases of wijkld 1.1.0 had SHA256SUMS, void.ttl and wijkld.nq.gz but no marker."""
    (published / outdir.MARKER).unlink()
    sums = published / "SHA256SUMS"
    sums.write_text("".join(line for line in sums.read_text().splitlines(True) if outdir.MARKER not in line))
    result = wijkld("build", "--data", str(MINIMAL), "--out", str(published), "-q")
    assert result.returncode == 0, result.stderr
    assert_release_intact(published)


def test_published_folders_are_readable_by_a_web_server(wijkld: RunWijkld, tmp_path: Path) -> None:
    """The staging folder is made by mkdtemp (0700); the published release has the umask's modes."""
    out = tmp_path / "dist"
    result = wijkld("build", "--data", str(MINIMAL), "--out", str(out), "-q")
    assert result.returncode == 0, result.stderr
    umask = os.umask(0)
    os.umask(umask)
    assert (out.stat().st_mode & 0o777) == 0o777 & ~umask
    assert ((out / "doc").stat().st_mode & 0o777) == 0o777 & ~umask
    assert ((out / "wijkld.ttl").stat().st_mode & 0o777) == 0o666 & ~umask
