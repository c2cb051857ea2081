"""docs/cli.md is what ``wijkld docs`` generates from the commands' --help (as sqlite-utils checks its docs with cog),
and every command lists its own exit codes there."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from wijkld.cli import docs
from wijkld.cli.main import cli

REPO = Path(__file__).resolve().parents[1]


def test_cli_reference_is_generated_from_the_help() -> None:
    text = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert text == docs.cli_reference(cli), "docs/cli.md is stale: run wijkld docs"


def test_the_reference_has_every_command_in_the_order_of_wijkld_help() -> None:
    ctx = click.Context(cli, info_name="wijkld")
    expected = ["wijkld", *(f"wijkld {name}" for name in cli.list_commands(ctx))]
    assert [path for path, _ in docs.help_texts(cli)] == expected
    headings = re.findall(r"^## (.+)$", docs.cli_reference(cli), re.M)
    assert headings == expected
    assert {"wijkld shapes-qa", "wijkld docs"} <= set(headings)


def test_the_reference_does_not_depend_on_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    reference = docs.cli_reference(cli)
    monkeypatch.setenv("COLUMNS", "40")
    assert docs.cli_reference(cli) == reference


@pytest.mark.parametrize("path, text", docs.help_texts(cli), ids=[path for path, _ in docs.help_texts(cli)])
def test_every_command_lists_its_own_exit_codes(path: str, text: str) -> None:
    epilog = text[text.index("Exit codes") :]
    codes = re.findall(r"^    (\d+) ", epilog, re.M)
    assert codes[0] == "0" and "2" in codes and "3" in codes and codes[-1] == "130", path
    assert all(len(line) <= 80 for line in epilog.splitlines()), f"{path}: an exit-code line is wider than 80 columns"


def test_exit_code_epilogs_are_not_shared() -> None:
    epilogs = [command.epilog for command in cli.commands.values()]
    assert len(set(epilogs)) == len(epilogs) and cli.epilog not in epilogs


def _checkout(tmp_path: Path) -> Path:
    """A copy of the checkout's generated files, to regenerate."""
    for name in docs.generated(cli):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO / name, tmp_path / name)
    return tmp_path


def test_docs_check_passes_on_the_checkout() -> None:
    result = CliRunner().invoke(cli, ["docs", "--check", "--root", str(REPO)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "the generated docs are up to date\n"


def test_docs_check_names_a_stale_file_and_writes_nothing(tmp_path: Path) -> None:
    root = _checkout(tmp_path)
    stale = "# Command-line reference\n\nan old one\n"
    (root / "docs" / "cli.md").write_text(stale, encoding="utf-8")
    result = CliRunner().invoke(cli, ["docs", "--check", "--root", str(root)])
    assert result.exit_code == 1
    assert result.stderr == "Error: out of date: docs/cli.md; run wijkld docs\n"
    assert (root / "docs" / "cli.md").read_text(encoding="utf-8") == stale


def test_docs_writes_what_is_stale_or_missing(tmp_path: Path) -> None:
    root = _checkout(tmp_path)
    readme = root / "data" / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8").replace("| `version` |", "| `versoin` |"), encoding="utf-8")
    (root / "docs" / "cli.md").unlink()
    result = CliRunner().invoke(cli, ["docs", "--root", str(root)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "updated: data/README.md, docs/cli.md\n"
    for name in docs.generated(cli):
        assert (root / name).read_bytes() == (REPO / name).read_bytes(), name
    assert CliRunner().invoke(cli, ["docs", "--check", "--root", str(root)]).exit_code == 0


def test_docs_outside_a_checkout_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["docs", "--root", str(tmp_path)])
    assert result.exit_code == 2
    assert "data/README.md: no such file" in result.stderr
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "README.md").write_text("# Records\n\nno generated part\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["docs", "--check", "--root", str(tmp_path)])
    assert result.exit_code == 2
    assert "no generated record reference in it" in result.stderr
    assert not (tmp_path / "docs").exists()
