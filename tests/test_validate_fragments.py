"""``wijkld validate`` on a fragment of a release: in context (--against, dist/ by default), alone (--standalone),
results at the lines of the user's files, unreadable input in every format, and the records themselves."""

from __future__ import annotations

import csv
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from wijkld.cli.main import cli

TEAM = "doc/adoptieteam/hengelo-berflo-es.ttl"
ENGLISH_LABEL = '"Adoption team Hengelo Berflo Es"@en'


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, *args: str | Path) -> Result:
    return runner.invoke(cli, ["validate", *map(str, args)], prog_name="wijkld")


def team_file(release_dir: Path, tmp_path: Path, old: str = "", new: str = "") -> Path:
    text = (release_dir / TEAM).read_text(encoding="utf-8")
    if old:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "team.ttl"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


# -- in the context of a release -------------------------------------------------------------------------


def test_a_correct_fragment_conforms_in_context(runner: CliRunner, release_dir: Path, tmp_path: Path) -> None:
    result = invoke(runner, team_file(release_dir, tmp_path), "--against", release_dir)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Conforms in the context of the release {release_dir}: 0 violations")


def test_a_harmless_edit_passes_and_a_duplicate_label_fails_at_its_line(
    runner: CliRunner, release_dir: Path, tmp_path: Path
) -> None:
    edited = team_file(release_dir, tmp_path, ENGLISH_LABEL, '"Adoption team for Hengelo Berflo Es"@en')
    assert invoke(runner, edited, "--against", release_dir).exit_code == 0
    duplicate = team_file(release_dir, tmp_path, ENGLISH_LABEL, f'{ENGLISH_LABEL} , "Team Berflo Es"@nl')
    result = invoke(runner, duplicate, "--against", release_dir, "--format", "github")
    assert result.exit_code == 1
    (annotation,) = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    subject_line = line_of(duplicate, "<https://w3id.org/wijkld/id/adoptieteam/hengelo-berflo-es>")
    assert annotation.startswith(f"::error file={duplicate},line={subject_line},title=wsh%3ALabelled-label")


def test_a_change_that_breaks_another_resource_is_found(runner: CliRunner, release_dir: Path, tmp_path: Path) -> None:
    """Row 1 of the table is Nieuw West's: giving Berflo Es row 1 breaks the uniqueness for both teams."""
    moved = team_file(release_dir, tmp_path, "wijkld:position 10 ;", "wijkld:position 1 ;")
    result = invoke(runner, moved, "--against", release_dir, "--format", "json")
    assert result.exit_code == 1
    focus = {r["focus"] for r in json.loads(result.stdout)["results"]}
    assert focus == {
        "https://w3id.org/wijkld/id/adoptieteam/hengelo-berflo-es",
        "https://w3id.org/wijkld/id/adoptieteam/amsterdam-nieuw-west",
    }


def test_an_edit_that_breaks_a_count_in_another_resource_is_found(
    runner: CliRunner, release_dir: Path, tmp_path: Path
) -> None:
    """Moving Berflo Es's alderman to the expert seat leaves the team (another file) without a municipal member."""
    text = (release_dir / "doc/lidmaatschap/berflo-es-kok.ttl").read_text(encoding="utf-8")
    moved = tmp_path / "membership.ttl"
    moved.write_text(text.replace("wijkld:seat wijkld:seat-municipal", "wijkld:seat wijkld:seat-expert"), "utf-8")
    result = invoke(runner, moved, "--against", release_dir, "--format", "json")
    assert result.exit_code == 1
    found = {(r["focus"], r["component"].rsplit("#", 1)[-1]) for r in json.loads(result.stdout)["results"]}
    team = "https://w3id.org/wijkld/id/adoptieteam/hengelo-berflo-es"
    assert (team, "QualifiedMinCountConstraintComponent") in found


def test_the_fragment_replaces_what_the_release_says_about_its_subjects(
    runner: CliRunner, release_dir: Path, tmp_path: Path
) -> None:
    """A statement left out of the file is gone, not filled in from the release: the team loses its wijk."""
    text = (release_dir / TEAM).read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "team.ttl"
    path.write_text("".join(line for line in text if "wijkld:programme " not in line), encoding="utf-8")
    result = invoke(runner, path, "--against", release_dir / "wijkld.nq.gz", "--format", "json")
    assert result.exit_code == 1, result.output
    (violation,) = json.loads(result.stdout)["results"]
    assert violation["path"].endswith("programme") and violation["component"].endswith("MinCountConstraintComponent")


def test_dist_is_the_default_context_for_files_about_its_resources(
    runner: CliRunner, release_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(release_dir, tmp_path / "dist")
    monkeypatch.chdir(tmp_path)
    result = invoke(runner, team_file(release_dir, tmp_path))
    assert result.exit_code == 0 and "in the context of the release dist:" in result.stdout
    other = tmp_path / "other.ttl"
    other.write_text('<https://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> "a"@nl .\n')
    result = invoke(runner, other)
    assert result.exit_code == 0 and "context" not in result.stdout, "someone else's data is not a fragment"
    result = invoke(runner, team_file(release_dir, tmp_path), "--standalone")
    assert "context" not in result.stdout


# -- on their own ----------------------------------------------------------------------------------------


def test_alone_what_depends_on_other_files_is_named_not_reported(
    runner: CliRunner, release_dir: Path, tmp_path: Path
) -> None:
    result = invoke(runner, team_file(release_dir, tmp_path), "--standalone")
    assert result.exit_code == 0, result.output
    assert "results depend on resources these files do not describe" in result.stderr
    assert "https://w3id.org/wijkld/id/bron/toelichting-hengelo-berflo-es" in result.stderr
    duplicate = team_file(release_dir, tmp_path, ENGLISH_LABEL, f'{ENGLISH_LABEL} , "Team Berflo Es"@nl')
    result = invoke(runner, duplicate, "--standalone")
    assert result.exit_code == 1, "what the file decides by itself is still a violation"
    assert "wsh:Labelled-label" in result.stdout


def test_n_triples_results_point_at_the_line_of_their_subject(runner: CliRunner, tmp_path: Path) -> None:
    data = tmp_path / "people.nt"
    data.write_text(
        "<https://example.org/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://schema.org/Person> .\n"
        '<https://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> "A"@nl .\n'
        "<https://example.org/b> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://schema.org/Person> .\n",
        encoding="utf-8",
    )
    result = invoke(runner, data, "--format", "junit")
    cases = {c.get("name"): c for c in ET.fromstring(result.stdout).iter("testcase")}
    failing = [c for name, c in cases.items() if "https://example.org/b" in name and c.find("failure") is not None]
    lines = {c.get("line") for c in failing}
    assert lines == {"3"}


# -- unreadable input, in every format -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["github", "junit", "json"])
def test_a_syntax_error_is_reported_in_the_format_too(runner: CliRunner, tmp_path: Path, fmt: str) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix ex: <https://example.org/> .\nex:a ex:b "open\n', encoding="utf-8")
    result = invoke(runner, bad, "--format", fmt)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.startswith(f"Error: {bad}:2:")
    if fmt == "github":
        assert result.stdout.startswith(f"::error file={bad},line=2,col=")
    elif fmt == "json":
        (error,) = json.loads(result.stdout)["errors"]
        assert (error["file"], error["line"]) == (str(bad), 2)
    else:
        (case,) = ET.fromstring(result.stdout).iter("testcase")
        assert (case.get("file"), case.get("line")) == (str(bad), "2") and case.find("error") is not None


# -- the records ---------------------------------------------------------------------------------------


def test_the_records_validate_and_a_broken_cell_names_file_line_and_field(
    runner: CliRunner, data_dir: Path, tmp_path: Path
) -> None:
    assert invoke(runner, "--from-records", "--records", data_dir).exit_code == 0
    records = tmp_path / "data"
    shutil.copytree(data_dir, records)
    with (records / "persons.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[2][rows[0].index("name")] = ""
    with (records / "persons.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    result = invoke(runner, "--from-records", "--records", records, "--format", "github")
    assert result.exit_code == 2
    assert result.stdout.startswith(f"::error file={records}/persons.csv,line=3,")
    assert "field 'name': required value is empty" in result.stdout


# -- usage and hostile input ----------------------------------------------------------------------------


def test_wrong_combinations_and_a_release_that_is_none(runner: CliRunner, release_dir: Path, tmp_path: Path) -> None:
    team = team_file(release_dir, tmp_path)
    for args in (
        (team, "--against", release_dir, "--standalone"),
        (team, "--from-records"),
        ("--from-records", "--against", release_dir),
    ):
        result = invoke(runner, *args)
        assert result.exit_code == 2 and result.stderr.startswith("Usage: "), args
    result = invoke(runner, team, "--against", tmp_path)
    assert result.exit_code == 2 and f"{tmp_path}: not a release: it holds no wijkld.nq.gz" in result.stderr
    result = invoke(runner, team, "--against", team)
    assert result.exit_code == 2 and "a release is a folder or its N-Quads dump" in result.stderr
