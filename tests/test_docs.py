"""The docs stay true: README commands match CI, every command documents its options, data/README is current."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from wijkld.cli import docs
from wijkld.cli.main import cli

REPO = Path(__file__).resolve().parents[1]


def _readme_commands() -> list[str]:
    return re.findall(r"```sh\n(.+?)\n```", (REPO / "README.md").read_text(encoding="utf-8"))


def test_readme_opens_with_build_and_test_commands() -> None:
    build, test, *_ = _readme_commands()
    assert "wijkld build" in build and "pip install" in build
    assert "pytest" in test and "pip install" in test


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci_lines = [
        line
        for line in (REPO / ".ci" / "run").read_text().splitlines()
        if line and not line.startswith(("#", "set ", "cd "))
    ]
    assert ci_lines == [_readme_commands()[1]]


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_and_option_has_help(name: str) -> None:
    command = cli.commands[name]
    assert command.help, name
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"{name} {param.opts}"


def test_data_readme_is_generated_from_the_schema() -> None:
    text = (REPO / "data" / "README.md").read_text(encoding="utf-8")
    assert docs.reference() in text, "run: wijkld docs"
