"""Hostile ``--base`` and ``--data`` (issue 13): refused with exit 2 and the reason, the release left intact.

A base prefixes every IRI the build mints, so one that is not an absolute http(s) IRI of sane length must
stop the build before anything is loaded. ``--out`` has its own suite (test_hostile_out.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import RunWijkld, assert_release_intact
from wijkld.cli.main import cli

#: (--base, what the message says): each refused.
BASES = [
    pytest.param("https://example.org/wijk\n", "--base 'https://example.org/wijk\\n'", id="trailing-newline"),
    pytest.param("https://example.org/wijk\r\n", "expected an absolute http(s) IRI", id="trailing-crlf"),
    pytest.param("https://example.org/%zz", "'%zz'", id="bad-percent-encoding"),
    pytest.param("https://example.org/%e", "'%e'", id="cut-percent-encoding"),
    pytest.param("https://example.org/my data", "expected an absolute http(s) IRI", id="space"),
    pytest.param("https://example.org/\tdata", "expected an absolute http(s) IRI", id="tab"),
    pytest.param("https://example.org/\x1b[31mred", "'https://example.org/\\x1b[31mred'", id="escape"),
    pytest.param("https://example.org/\u202egro", "\\u202e", id="bidi-override"),
    pytest.param("javascript:alert(1)", "http or https", id="javascript"),
    pytest.param("file:///etc", "http or https", id="file-scheme"),
    pytest.param("https://example.org/" + "a" * 100_000, "at most 255 characters", id="very-long"),
    pytest.param("https://" + "a" * 64 + ".example.org", "at most 63", id="host-label-too-long"),
    pytest.param("https://user:secret@example.org", "user name", id="userinfo"),
    pytest.param("https://example.org/#frag", "without query, fragment", id="fragment"),
    pytest.param("https://example.org/?q=1", "without query, fragment", id="query"),
    pytest.param("https://../", "expected an absolute http(s) IRI", id="dots-for-host"),
    pytest.param("https://-example.org", "expected an absolute http(s) IRI", id="hyphen-first"),
    pytest.param("https://", "expected an absolute http(s) IRI", id="no-host"),
    pytest.param("", "expected an absolute http(s) IRI", id="empty"),
]

#: The bases that also go through the real entry point, as argument and as WIJKLD_BASE.
REAL_BASES = {"trailing-newline", "bad-percent-encoding"}


def _assert_refused(exit_code: int, stderr: str, output: str, cause: str) -> None:
    assert exit_code == 2, f"exit {exit_code}:\n{output[-2000:]}"
    assert cause in stderr, stderr[-2000:]
    assert "Traceback" not in output and "Internal error" not in output
    assert "\x1b" not in output and "\u202e" not in output, "the argument's control characters reach the terminal"


@pytest.mark.parametrize(("base", "cause"), BASES)
def test_a_hostile_base_is_refused(
    records: Path, published: Path, base: str, cause: str, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(records.parent)
    result = runner.invoke(cli, ["build", "--data", "data", "--out", "dist", "--base", base])
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    _assert_refused(result.exit_code, result.stderr, result.output, cause)
    assert "--base" in result.stderr
    assert len(result.stderr) < 1000, "the message repeats a very long base in full"
    assert_release_intact(published)


@pytest.mark.slow
@pytest.mark.parametrize(("base", "cause"), [p for p in BASES if p.id in REAL_BASES])
@pytest.mark.parametrize("how", ["argument", "environment"])
def test_a_hostile_base_is_refused_by_the_real_command(
    records: Path, published: Path, base: str, cause: str, how: str, wijkld: RunWijkld
) -> None:
    if how == "argument":
        result = wijkld("build", "--data", "data", "--out", "dist", "--base", base, timeout=60)
    else:
        result = wijkld("build", "--data", "data", "--out", "dist", env={"WIJKLD_BASE": base}, timeout=60)
    _assert_refused(result.returncode, result.stderr, result.stdout + result.stderr, cause)
    assert_release_intact(published)


@pytest.mark.parametrize(
    "base",
    ["https://example.org", "http://localhost:8000/wijk/", "https://data.example.org/a/b%20c/", "https://1.2.3.4"],
)
def test_a_sane_base_is_taken(records: Path, base: str, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    """The refusals above are not a refusal of everything: these builds get through the base check."""
    monkeypatch.chdir(records.parent)
    (records / "persons.csv").write_text("", encoding="utf-8")  # stop the build right after the check
    result = runner.invoke(cli, ["build", "--data", "data", "--out", "dist", "--base", base])
    assert result.exit_code == 2
    assert "--base" not in result.stderr
    assert result.stderr.startswith("Error: data/persons.csv: file is empty")


Layout = Callable[[Path], str]


def _a_file(tmp: Path) -> str:
    return "data/persons.csv"


def _a_fifo(tmp: Path) -> str:
    os.mkfifo(tmp / "fifo")
    return "fifo"


def _a_link_loop(tmp: Path) -> str:
    (tmp / "loop").symlink_to(tmp / "loop")
    return "loop"


def _an_empty_folder(tmp: Path) -> str:
    (tmp / "empty").mkdir()
    return "empty"


#: (how to make the --data path under tmp_path, what the message says)
DATA = [
    pytest.param(_a_file, "'data/persons.csv' is a file", id="a-file"),
    pytest.param(lambda tmp: "nowhere", "nowhere: is not a directory of source records", id="missing"),
    pytest.param(lambda tmp: "/dev/zero", "/dev/zero: is not a directory of source records", id="dev-zero"),
    pytest.param(_a_fifo, "fifo: is not a directory of source records", id="fifo"),
    pytest.param(_a_link_loop, "loop: ", id="link-loop"),
    pytest.param(_an_empty_folder, "empty/release.csv: file is missing", id="empty-folder"),
    pytest.param(lambda tmp: "da\nta", "is not a directory of source records", id="newline-in-name"),
]


@pytest.mark.parametrize(("layout", "cause"), DATA)
def test_a_hostile_data_folder_is_refused(
    records: Path,
    published: Path,
    layout: Layout,
    cause: str,
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(records.parent)
    result = runner.invoke(cli, ["build", "--data", layout(records.parent), "--out", "dist"])
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    _assert_refused(result.exit_code, result.stderr, result.output, cause)
    assert_release_intact(published)


@pytest.mark.slow
@pytest.mark.parametrize(("layout", "cause"), [p for p in DATA if p.id in {"dev-zero", "fifo"}])
def test_a_hostile_data_folder_is_refused_by_the_real_command(
    records: Path, published: Path, layout: Layout, cause: str, wijkld: RunWijkld
) -> None:
    result = wijkld("build", "--data", layout(records.parent), "--out", "dist", timeout=60)
    _assert_refused(result.returncode, result.stderr, result.stdout + result.stderr, cause)
    assert_release_intact(published)
