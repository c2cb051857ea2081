"""The command line: documented options, the version, and how it fails (exit 2, a message, nothing published)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

import wijkld
from wijkld.cli.main import cli

BROKEN_LINE = "data/persons.csv:3: field 'name': required value is empty; expected text"


def invoke(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(cli, list(args), prog_name="wijkld")


def squeeze(text: str) -> str:
    """Text without any whitespace: help text is wrapped to the terminal width."""
    return "".join(text.split())


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def broken(copy_data: Callable[..., Path], minimal_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the minimal records at ``tmp_path/data`` (the current folder) with one person left unnamed."""
    data = copy_data(minimal_data)
    monkeypatch.chdir(tmp_path)
    lines = (data / "persons.csv").read_text(encoding="utf-8").split("\n")
    assert lines[2].startswith("pieter-de-wit,Pieter de Wit,")
    lines[2] = lines[2].replace(",Pieter de Wit,", ",,", 1)
    (data / "persons.csv").write_text("\n".join(lines), encoding="utf-8")
    return data


# -- help and version ----------------------------------------------------------------------------


def assert_documents_every_option(command: click.Command, output: str) -> None:
    text = squeeze(output)
    options = [p for p in command.get_params(click.Context(command)) if isinstance(p, click.Option)]
    assert options
    for option in options:
        for name in option.opts + option.secondary_opts:
            assert name in output, f"{name} is not listed"
        assert option.help, f"{option.name} has no help text"
        assert squeeze(option.help) in text, f"the help of {option.name} is not shown"


def test_main_help_lists_every_option_and_command(runner: CliRunner) -> None:
    result = invoke(runner, "--help")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Usage: wijkld [OPTIONS] COMMAND [ARGS]...")
    assert_documents_every_option(cli, result.stdout)
    for name in ("--version", "--debug", "--help", "-h"):
        assert name in result.stdout
    assert isinstance(cli, click.Group)
    commands = result.stdout.split("\nCommands:\n")[1]
    for name in cli.commands:
        assert re.search(rf"^  {name} +\S", commands, re.MULTILINE), f"command {name} is not listed with its help"
    assert "Exit codes:" in result.stdout


def test_build_help_lists_every_option(runner: CliRunner) -> None:
    result = invoke(runner, "build", "--help")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Usage: wijkld build [OPTIONS]")
    build_command = cli.commands["build"]
    assert_documents_every_option(build_command, result.stdout)
    for name in ("--data", "--out", "--base", "--check", "--quiet", "-q", "--verbose", "-v", "--help"):
        assert name in result.stdout
    assert "[default: data]" in result.stdout and "[default: dist]" in result.stdout
    assert "Exit codes:" in result.stdout


def test_version(runner: CliRunner) -> None:
    result = invoke(runner, "--version")
    assert result.exit_code == 0
    assert result.stdout == f"wijkld, version {wijkld.__version__}\n"


# -- failures ------------------------------------------------------------------------------------


def test_a_broken_record_exits_2_with_the_problem_and_publishes_nothing(
    runner: CliRunner, broken: Path, tmp_path: Path
) -> None:
    result = invoke(runner, "build", "--data", "data", "--out", "out")
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == f"Error: {BROKEN_LINE}\n1 problem in the source records; nothing was published.\n"
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_broken_record_leaves_the_previous_release_byte_identical(
    runner: CliRunner, broken: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    (out / "sub").mkdir(parents=True)
    (out / "keep.txt").write_bytes(b"the previous release\n")
    (out / "sub" / "wijkld.ttl").write_bytes(b"<a> <b> <c> .\n")
    (out / ".wijkld-release").write_bytes(b"a release\n")  # what makes OUT a folder a build may replace
    (out / "SHA256SUMS").write_bytes(b"")
    before = snapshot(out)
    result = invoke(runner, "build", "--data", "data", "--out", "out")
    assert result.exit_code == 2, result.output
    assert BROKEN_LINE in result.stderr
    assert snapshot(out) == before
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == [".out.lock", "data", "out"], "no staging folder is left behind, only the lock file"


def test_a_bad_base_is_refused_naming_the_option(runner: CliRunner, minimal_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke(runner, "build", "--data", str(minimal_data), "--out", str(out), "--base", "not an iri")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: --base 'not an iri': ")
    assert "Traceback" not in result.output
    assert not out.exists()


def test_a_missing_data_folder_exits_2(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(runner, "build", "--data", "nowhere", "--out", "out")
    assert result.exit_code == 2, result.output
    assert "Error: nowhere: is not a directory of source records" in result.stderr
    assert not (tmp_path / "out").exists()


# -- success -------------------------------------------------------------------------------------


def test_build_publishes_the_minimal_records(runner: CliRunner, minimal_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke(runner, "build", "--data", str(minimal_data), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "wijkld.ttl").is_file()
    assert (out / "wijkld.nt.gz").is_file()
    lines = result.stdout.splitlines()
    assert lines[0] == f"Published {out}/"
    for label in ("records read", "triples", "violations", "files written", "seconds"):
        assert any(line.strip().startswith(label) for line in lines[1:]), f"no '{label}' line"
    assert "  records read   38" in lines
    assert "  violations     0" in lines


def test_the_command_line_starts_without_the_rdf_stack() -> None:
    """``wijkld --help`` and friends answer at once: the stage modules are imported by the commands that use them."""
    import subprocess
    import sys

    heavy = "('rdflib', 'pyshacl', 'jinja2', 'pyoxigraph')"
    code = f"import sys, wijkld.cli.main; print(sorted(m for m in {heavy} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_is_accepted_before_and_after_the_command(where: str, tmp_path: Path) -> None:
    """Errors say "rerun with --debug"; users add it at the end of the line they just ran."""
    args = ["query", "SELECT (1 AS ?x) WHERE {}", "--dist", str(tmp_path / "nothing")]
    args = ["--debug", *args] if where == "before" else [*args, "--debug"]
    done = subprocess.run([sys.executable, "-m", "wijkld", *args], capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    assert "not found: build the release first" in done.stderr
    assert "No such option" not in done.stderr
