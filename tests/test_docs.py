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


def _facts_and_prose_rows() -> list[list[str]]:
    text = (REPO / "data" / "README.md").read_text(encoding="utf-8")
    section = text.split("## Facts and prose", 1)[1].split("\n## ", 1)[0]
    return [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in section.splitlines()
        if line.startswith("| ") and not line.startswith("| Fact ") and not line.startswith("| Record ")
    ]


def test_the_facts_moved_out_of_prose_name_real_fields_and_properties() -> None:
    from rdflib import Graph, URIRef

    from wijkld.records.schema import BY_FILE

    ontology = Graph().parse(REPO / "ontology" / "wijkld.ttl")
    moved = [row for row in _facts_and_prose_rows() if len(row) == 3 and row[1].startswith("`") and ".csv`" in row[1]]
    assert len(moved) >= 7
    for _fact, fields, properties in moved:
        file, *names = re.findall(r"`([^`]+)`", fields)
        record_type = BY_FILE[file]
        for name in names:
            assert name in record_type.field_names, f"data/README.md names no field {file} {name}"
        for curie in re.findall(r"`wijkld:(\w+)", properties):
            term = URIRef(f"https://w3id.org/wijkld/def/{curie}")
            assert (term, None, None) in ontology, f"data/README.md names wijkld:{curie}, not in the ontology"


def test_the_prose_left_on_purpose_names_records_that_exist() -> None:
    from wijkld.records.load import load
    from wijkld.records.schema import BY_FILE

    records = load(REPO / "data")
    left = [row for row in _facts_and_prose_rows() if row[0].startswith("`") and ".csv`" in row[0]]
    assert len(left) >= 8
    for cell in (row[0] for row in left):
        for file, keys in re.findall(r"`([a-z-]+\.csv)`([^`]*)", cell):
            keys_of_type = {r.key for r in records.by_type.get(BY_FILE[file].name, [])}
            for key in filter(None, (k.strip() for k in keys.split(","))):
                assert key in keys_of_type, f"data/README.md: {file} has no record {key}"
