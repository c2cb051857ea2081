"""``wijkld validate``: every format, the exit codes, parse errors with positions, and source records named."""

from __future__ import annotations

import csv
import gzip
import json
import shutil
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from wijkld.cli.main import cli
from wijkld.model import locate, mapping
from wijkld.model.iris import Minter
from wijkld.model.vocab import RDF, SH, WIJKLD
from wijkld.records import load as records
from wijkld.validate import engine as validate

FIXTURES = Path(__file__).parent / "fixtures" / "validate"
SHAPES = str(FIXTURES / "shapes.ttl")
FORMATS = ("text", "turtle", "json", "junit", "github")


def invoke(runner: CliRunner, *args: str | Path) -> Result:
    return runner.invoke(cli, ["validate", *map(str, args)], prog_name="wijkld")


def fixture(name: str) -> str:
    return str(FIXTURES / name)


def assert_clean_failure(result: Result, code: int) -> None:
    """The expected exit code, a message on stderr, and never a traceback."""
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.stderr.startswith(("Error: ", "Usage: "))


# -- formats and exit codes ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_on_conforming_data_exits_0(runner: CliRunner, fmt: str) -> None:
    result = invoke(runner, fixture("valid.ttl"), "--shapes", SHAPES, "--format", fmt)
    assert result.exit_code == 0, result.output
    out = result.stdout
    if fmt == "text":
        assert out.startswith("Conforms: 0 violations")
    elif fmt == "turtle":
        assert (None, SH.conforms, Literal(True)) in Graph().parse(data=out, format="turtle")
    elif fmt == "json":
        assert json.loads(out)["conforms"] is True
    elif fmt == "junit":
        assert ET.fromstring(out).get("failures") == "0"
    else:
        assert out.splitlines() == ["Conforms: 0 violations, 0 warnings, 0 info (failing at violation and above: 0)"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_on_nonconforming_data_exits_1(runner: CliRunner, fmt: str) -> None:
    result = invoke(runner, fixture("broken.ttl"), "--shapes", SHAPES, "--format", fmt)
    assert_clean_failure(result, 1)
    assert result.stderr == "Error: 2 results at or above violation: the data does not conform\n"
    out = result.stdout
    if fmt == "text":
        assert "ex:Person-age" in out and "caused by:" in out
    elif fmt == "turtle":
        g = Graph().parse(data=out, format="turtle")
        assert (None, SH.conforms, Literal(False)) in g
        assert len(set(g.objects(None, SH.result))) == 4
    elif fmt == "json":
        assert json.loads(out)["counts"] == {"violation": 2, "warning": 1, "info": 1}
    elif fmt == "junit":
        root = ET.fromstring(out)
        assert root.get("failures") == "2"
        assert len(root.findall(".//failure")) == 2
    else:
        assert [line.split(" ", 1)[0] for line in out.splitlines()[:4]] == [
            "::error",
            "::error",
            "::warning",
            "::notice",
        ]


def test_fail_on_warning_turns_warnings_into_exit_1(runner: CliRunner) -> None:
    assert invoke(runner, fixture("warning.ttl"), "--shapes", SHAPES).exit_code == 0
    result = invoke(runner, fixture("warning.ttl"), "--shapes", SHAPES, "--fail-on", "warning")
    assert_clean_failure(result, 1)
    assert "1 result at or above warning" in result.stderr
    assert "Does not conform: 0 violations, 1 warning" in result.stdout


def test_fail_on_info_counts_every_result(runner: CliRunner) -> None:
    result = invoke(runner, fixture("broken.ttl"), "--shapes", SHAPES, "--fail-on", "info", "--format", "junit")
    assert result.exit_code == 1
    assert ET.fromstring(result.stdout).get("failures") == "4"
    assert "4 results at or above info" in result.stderr


def test_max_results_caps_and_says_so(runner: CliRunner) -> None:
    result = invoke(runner, fixture("broken.ttl"), "--shapes", SHAPES, "--max-results", "2")
    assert result.exit_code == 1
    assert "showing 2 of 4 results (capped by --max-results)" in result.stdout
    assert "ex:Person-nickname" in result.stdout  # the overview still counts every group
    assert "- warning:" not in result.stdout
    capped = json.loads(
        invoke(runner, fixture("broken.ttl"), "--shapes", SHAPES, "--max-results", "1", "-f", "json").stdout
    )
    assert capped["truncated"] is True and len(capped["results"]) == 1
    assert invoke(runner, fixture("broken.ttl"), "--max-results", "0").exit_code == 2


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("nl", "De leeftijd is één geheel getal."), ("en", "The age is one integer.")],
)
def test_messages_in_the_chosen_language(runner: CliRunner, lang: str, expected: str) -> None:
    result = invoke(runner, fixture("broken.ttl"), "--shapes", SHAPES, "--lang", lang)
    assert f"message:  {expected}" in result.stdout


def test_github_lines_escape_newlines(runner: CliRunner) -> None:
    result = invoke(runner, fixture("broken.ttl"), "--shapes", SHAPES, "--format", "github")
    (warning,) = [line for line in result.stdout.splitlines() if line.startswith("::warning")]
    assert "A nickname is missing;%0Aallowed, but 100%25 unusual.%0Afocus https://example.org/id/bert" in warning
    assert warning.startswith(f"::warning file={fixture('broken.ttl')},line=13,title=ex%3APerson-nickname")


# -- inputs: syntaxes, compression, merging --------------------------------------------------------------


@pytest.mark.parametrize("name", ["bad.ttl", "bad.nt", "bad.nq", "bad.jsonld"])
def test_parse_errors_exit_2_with_file_line_and_column(runner: CliRunner, name: str) -> None:
    positions = {"bad.ttl": "3:11", "bad.nt": "2:49", "bad.nq": "2:97", "bad.jsonld": "3:31"}
    result = invoke(runner, fixture(name))
    assert_clean_failure(result, 2)
    assert result.stderr.startswith(f"Error: {fixture(name)}:{positions[name]}: ")
    assert result.stdout == ""


def test_a_parse_error_inside_a_gzipped_file(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "bad.ttl.gz"
    path.write_bytes(gzip.compress((FIXTURES / "bad.ttl").read_bytes()))
    result = invoke(runner, path)
    assert_clean_failure(result, 2)
    assert result.stderr.startswith(f"Error: {path}:3:11: ")


def test_a_truncated_gzip_file_is_reported_where_the_good_text_ends(runner: CliRunner, tmp_path: Path) -> None:
    compressed = gzip.compress((FIXTURES / "valid.ttl").read_bytes() * 200)[:-40]  # the end of the stream is missing
    good = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(compressed)
    line, column = good.count(b"\n") + 1, len(good) - good.rfind(b"\n")
    assert line > 1
    path = tmp_path / "cut.ttl.gz"
    path.write_bytes(compressed)
    result = invoke(runner, path)
    assert_clean_failure(result, 2)
    assert result.stderr == (
        f"Error: {path}:{line}:{column}: cannot read the data: "
        "the file is truncated: the gzip stream ends early (the text up to here was read)\n"
    )


def test_corrupt_empty_and_false_gzip_files_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    compressed = bytearray(gzip.compress((FIXTURES / "valid.ttl").read_bytes()))
    compressed[-8] ^= 0xFF  # the CRC of the text, in the trailer
    corrupt = tmp_path / "crc.ttl.gz"
    corrupt.write_bytes(compressed)
    result = invoke(runner, corrupt)
    assert_clean_failure(result, 2)
    assert result.stderr.startswith(f"Error: {corrupt}:")
    assert "cannot read the data: corrupt gzip data (Error -3 while decompressing data: incorrect data check)" in (
        result.stderr
    )
    empty = tmp_path / "empty.nt.gz"
    empty.write_bytes(b"")
    result = invoke(runner, empty)
    assert_clean_failure(result, 2)
    assert result.stderr == f"Error: {empty}: cannot read the data: the file is empty (0 bytes), not a gzip file\n"
    not_gzip = tmp_path / "plain.nt.gz"
    not_gzip.write_bytes(b"<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n")
    result = invoke(runner, not_gzip)
    assert_clean_failure(result, 2)
    assert result.stderr.startswith(f"Error: {not_gzip}: cannot read the data: it is not a gzip file")


def test_an_unknown_file_name_ending_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("a,b\n")
    result = invoke(runner, path)
    assert_clean_failure(result, 2)
    assert "cannot tell the RDF syntax from the file name" in result.stderr and ".jsonld" in result.stderr


def test_a_missing_file_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    assert_clean_failure(invoke(runner, tmp_path / "nope.ttl"), 2)


@pytest.mark.parametrize("fmt", ["nt", "nq", "jsonld", "trig"])
def test_other_syntaxes_and_gzip(runner: CliRunner, tmp_path: Path, fmt: str) -> None:
    graph = ox.NamedNode("https://example.org/graph")  # named graphs are merged into one
    quads = [ox.Quad(q.subject, q.predicate, q.object, graph) for q in ox.parse(path=FIXTURES / "broken.ttl")]
    syntax = {"nq": ox.RdfFormat.N_QUADS, "jsonld": ox.RdfFormat.JSON_LD, "trig": ox.RdfFormat.TRIG}
    if fmt == "nt":
        data = ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES)
    else:
        data = ox.serialize(quads, format=syntax[fmt])
    assert isinstance(data, bytes)
    plain, zipped = tmp_path / f"broken.{fmt}", tmp_path / f"broken.{fmt}.gz"
    plain.write_bytes(data)
    zipped.write_bytes(gzip.compress(data))
    for path in (plain, zipped):
        summary = json.loads(invoke(runner, path, "--shapes", SHAPES, "-f", "json").stdout)
        assert summary["counts"] == {"violation": 2, "warning": 1, "info": 1}


def test_an_ill_typed_literal_is_a_result_not_a_traceback(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "ill.ttl"
    path.write_text(
        "@prefix ex: <https://example.org/def/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        '<https://example.org/id/x> a ex:Person ; ex:name "X" ; ex:nickname "x" ; ex:age "abc"^^xsd:integer .\n'
    )
    result = invoke(runner, path, "--shapes", SHAPES)
    assert_clean_failure(result, 1)
    assert 'value:    "abc"^^xsd:integer' in result.stdout
    assert "Failed to convert" not in result.output


def test_nquads_graphs_are_merged(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "split.nq"
    path.write_text(
        "<https://example.org/id/c> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://example.org/def/Person>"
        " <https://example.org/g1> .\n"
        '<https://example.org/id/c> <https://example.org/def/name> "Cor" <https://example.org/g2> .\n'
        '<https://example.org/id/c> <https://example.org/def/nickname> "C" .\n'
    )
    result = invoke(runner, path, "--shapes", SHAPES)
    assert result.exit_code == 0, result.output


def test_several_files_are_merged(runner: CliRunner, tmp_path: Path) -> None:
    name = tmp_path / "name.ttl"
    name.write_text('<https://example.org/id/bert> <https://example.org/def/nickname> "B" .\n')
    assert invoke(runner, fixture("warning.ttl"), name, "--shapes", SHAPES, "--fail-on", "warning").exit_code == 0


def test_shapes_folder_and_shapes_syntax_errors(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "shapes"
    folder.mkdir()
    shutil.copy(FIXTURES / "shapes.ttl", folder / "a.ttl")
    assert invoke(runner, fixture("broken.ttl"), "--shapes", folder).exit_code == 1
    (folder / "b.ttl").write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n\n<x> sh:path ;\n")
    result = invoke(runner, fixture("broken.ttl"), "--shapes", folder)
    assert_clean_failure(result, 2)
    assert result.stderr.startswith(f"Error: {folder / 'b.ttl'}:3:")


NO_SHAPES = "no SHACL shapes (no sh:NodeShape, sh:PropertyShape, target or sh:path), so nothing would be checked"


@pytest.mark.parametrize(
    ("files", "named", "held"),
    [
        pytest.param({"README.txt": "x"}, "", "the folder holds no Turtle files (*.ttl)", id="folder-without-ttl"),
        pytest.param({"a.ttl": "# nothing\n"}, "", f"the Turtle files of this folder hold {NO_SHAPES}", id="folder"),
        pytest.param({"s.ttl": ""}, "s.ttl", f"the file holds {NO_SHAPES}", id="empty-file"),
        pytest.param(
            {"s.ttl": "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"}, "s.ttl", "the file holds", id="prefixes"
        ),
        pytest.param({"s.ttl": "<https://x.org/a> <https://x.org/b> 1 .\n"}, "s.ttl", "the file holds", id="data"),
    ],
)
def test_shapes_without_shapes_exit_2(
    runner: CliRunner, tmp_path: Path, files: dict[str, str], named: str, held: str
) -> None:
    """Shapes that hold no shapes would let any data "conform": that is an input error, not a pass."""
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    shapes = tmp_path / named if named else tmp_path
    result = invoke(runner, fixture("broken.ttl"), "--shapes", shapes)
    assert_clean_failure(result, 2)
    assert result.stderr.startswith(f"Error: {shapes}: no shapes found: {held}")
    assert "Conforms" not in result.output


def test_shapes_that_are_not_turtle_exit_2_with_line_and_column(runner: CliRunner, tmp_path: Path) -> None:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text('{"@context": {}, "@id": "x"}\n')  # JSON-LD, not Turtle
    result = invoke(runner, fixture("valid.ttl"), "--shapes", shapes)
    assert_clean_failure(result, 2)
    assert result.stderr.startswith(f"Error: {shapes}:1:1: ")


def test_invalid_shapes_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    for constraint in ('sh:minCount "one"', 'sh:pattern "("'):
        invalid = tmp_path / "invalid.ttl"
        invalid.write_text(
            "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/def/> .\n"
            f"ex:S a sh:NodeShape ; sh:targetClass ex:Person ; sh:property [ sh:path ex:name ; {constraint} ] .\n"
        )
        result = invoke(runner, fixture("valid.ttl"), "--shapes", invalid)
        assert_clean_failure(result, 2)
        assert "the shapes are not valid SHACL" in result.stderr


def test_without_data_validates_the_release_and_says_so(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(runner)
    assert_clean_failure(result, 2)
    assert "name the RDF files to validate" in result.stderr
    (tmp_path / "dist").mkdir()
    dump = b'<https://example.org/id/a> <https://example.org/def/note> "a stand-in for the release" .\n'
    (tmp_path / "dist" / "wijkld.nt.gz").write_bytes(gzip.compress(dump))
    result = invoke(runner)
    assert result.exit_code == 0, result.output
    assert "No DATA given: validating dist/wijkld.nt.gz" in result.stderr
    assert result.stdout.startswith("Conforms: 0 violations")


def test_help_documents_the_options(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["validate", "--help"])
    for option in ("--shapes", "--format", "--fail-on", "--max-results", "--lang", "--records", "--base"):
        assert option in result.stdout
    assert "Exit codes:" in result.stdout


# -- our own release ---------------------------------------------------------------------------------------


def test_the_release_conforms_and_the_turtle_report_is_the_published_one(runner: CliRunner, release_dir: Path) -> None:
    result = invoke(runner, release_dir / "wijkld.nt.gz", "--format", "turtle", "--standalone")
    assert result.exit_code == 0, result.output
    published = Graph().parse(release_dir / "validation-report.ttl", format="turtle")
    assert isomorphic(Graph().parse(data=result.stdout, format="turtle"), published)


def team_line(data: Path, key: str) -> int:
    with (data / "teams.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        for row in reader:
            if row and row[0] == key:
                return reader.line_num
    raise AssertionError(key)


@pytest.fixture(scope="module")
def broken_team(release_dir: Path) -> tuple[str, str]:
    """(Turtle, team IRI): a team of the release whose wijk is a municipality, which the loader cannot know and
    the shapes reject. Only the team's own triples, so that validation is quick; every result is about the team."""
    release = Graph().parse(release_dir / "wijkld.ttl", format="turtle")
    team = sorted(release.subjects(RDF.type, WIJKLD.AdoptionTeam), key=str)[0]
    municipality = sorted(release.subjects(RDF.type, WIJKLD.Municipality), key=str)[0]
    g = Graph()
    for triple in release.triples((team, None, None)):
        g.add(triple)
    g.set((team, WIJKLD.wijk, municipality))
    return g.serialize(format="turtle"), str(team)


def test_the_report_for_a_broken_record_names_its_file_and_line(
    runner: CliRunner,
    copy_data: Callable[..., Path],
    data_dir: Path,
    broken_team: tuple[str, str],
    release_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = copy_data(data_dir)
    monkeypatch.chdir(tmp_path)
    shutil.copytree(release_dir, tmp_path / "dist")  # the team is a fragment of this release: the default context
    text, team = broken_team
    key = team.rsplit("/", 1)[1]
    (tmp_path / "broken.ttl").write_text(text, encoding="utf-8")
    assert "source:   broken.ttl:" in invoke(runner, "broken.ttl").stdout, "by default: the line of the file named"
    result = invoke(runner, "broken.ttl", "--records", "data")
    assert_clean_failure(result, 1)
    line = team_line(data, key)
    assert f"source:   data/teams.csv:{line} (team {key})" in result.stdout
    assert "wijkld:wijk" in result.stdout
    github = invoke(runner, "broken.ttl", "--records", "data", "--format", "github").stdout
    assert f"::error file=data/teams.csv,line={line}," in github
    summary = json.loads(invoke(runner, "broken.ttl", "--records", "data", "--format", "json").stdout)
    violations = [r for r in summary["results"] if r["severity"] == "violation"]
    assert violations and all(r["source"]["file"] == "data/teams.csv" for r in violations)


def test_records_option_and_no_records_outside_our_base(
    runner: CliRunner,
    broken_team: tuple[str, str],
    data_dir: Path,
    release_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # no data/ here
    (tmp_path / "broken.ttl").write_text(broken_team[0], encoding="utf-8")
    assert "source:   data/" not in invoke(runner, "broken.ttl", "--against", release_dir).stdout
    result = invoke(runner, "broken.ttl", "--records", data_dir, "--against", release_dir)
    assert "source:   " in result.stdout and "teams.csv:" in result.stdout


def test_unreadable_records(
    runner: CliRunner, broken_team: tuple[str, str], release_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Named with --records: an error (exit 2). Found by default in data/: a note, and the report without sources."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "broken.ttl").write_text(broken_team[0], encoding="utf-8")
    result = invoke(runner, "broken.ttl", "--against", release_dir)
    assert result.exit_code == 1
    assert "note: source records not named: cannot read data/" in result.stderr
    assert "source:   data/" not in result.stdout
    result = invoke(runner, "broken.ttl", "--records", "data", "--against", release_dir)
    assert_clean_failure(result, 2)
    assert "data/release.csv: file is missing" in result.stderr


def test_a_broken_build_names_the_record(
    runner: CliRunner, copy_data: Callable[..., Path], data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = copy_data(data_dir)
    monkeypatch.chdir(tmp_path)
    with (data / "teams.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    municipality = next(r.key for r in records.load(data).of("place") if r.text("kind") == "municipality")
    rows[1][header.index("wijk")] = municipality
    with (data / "teams.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    result = runner.invoke(cli, ["build", "--data", "data", "--out", "dist"])
    assert_clean_failure(result, 1)
    assert "SHACL violations in the data; nothing was published." in result.stderr
    assert f"source:   data/teams.csv:2 (team {rows[1][0]})" in result.stderr
    assert not (tmp_path / "dist").exists()


# -- locating records ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def locator(data_dir: Path) -> locate.Locator:
    return locate.Locator(records.load(data_dir), Minter())


def test_every_resource_of_the_release_has_a_source_record(locator: locate.Locator, built_release: Graph) -> None:
    subjects = {str(s) for s in built_release.subjects() if isinstance(s, URIRef)}
    assert subjects and not [s for s in sorted(subjects) if locator.find(s) is None]


def test_records_and_derived_resources_are_located(locator: locate.Locator, data_dir: Path) -> None:
    recs = records.load(data_dir)
    mapper = mapping.Mapper(recs, Minter())
    membership = next(r for r in recs.of("membership") if r.date("end"))
    assert locator.find(str(mapper.of(membership))) == locate.Location(
        membership.file, membership.line, "membership", membership.key
    )
    period = locator.find(str(mapper.interval(membership)))
    assert str(period) == f"{membership.file}:{membership.line} (period of membership {membership.key})"
    assert period is not None and period.file.startswith("data/")
    end = membership.date("end")
    assert end is not None
    instant = locator.find(str(mapper.instant(end)))
    assert instant is not None and instant.role == "date"
    scheme = locator.find(str(mapper.iri("scheme", "role")))
    assert scheme is not None and (scheme.type, scheme.role) == ("concept", "scheme")
    release = locator.find(Minter().thing("distributie", "wijkld.ttl"))  # as metadata mints it
    assert release is not None and str(release) == "data/release.csv:2 (release)"
    assert locator.find("https://example.org/elsewhere") is None
    assert locator.find(f"{Minter().base}/def/Wijk") is None


def test_check_keeps_its_signature_for_the_build(built_release: Graph) -> None:
    """check(data, shapes=None, ontology=None) as build.py calls it; focus_nodes to check a few resources quickly."""
    team = sorted(built_release.subjects(RDF.type, WIJKLD.AdoptionTeam), key=str)[0]
    report = validate.check(built_release, validate.load_shapes(), validate.load_ontology(), focus_nodes=[team])
    assert report.conforms and report.count("violation") == 0
    broken = Graph() + built_release
    broken.remove((team, WIJKLD.wijk, None))
    results = validate.check(broken, focus_nodes=[team]).results
    assert any(r.focus == str(team) and r.path == str(WIJKLD.wijk) for r in results)


# -- the two engines (issue 7; docs/validate.md#engines) -----------------------------------------------

PERSON = (
    "@prefix ex: <https://example.org/def/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
    "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
)
#: Named shapes only, so that the shacl engine can run (it cannot name blank-node shapes in its report).
SH_CONFORMANCE_DISALLOWS = URIRef("http://www.w3.org/ns/shacl#conformanceDisallows")
NAMED_SHAPES = (
    PERSON
    + "ex:PersonShape a sh:NodeShape ; sh:targetClass ex:Person ; sh:property ex:Person-name , ex:Person-hash .\n"
    "ex:Person-name a sh:PropertyShape ; sh:path ex:name ; sh:minCount 1 ; sh:maxCount 1 .\n"
    'ex:Person-hash a sh:PropertyShape ; sh:path ex:hash ; sh:datatype xsd:hexBinary ; sh:pattern "^[0-9a-f]*$" .\n'
)


def keys(report: validate.Report) -> list[tuple[str, ...]]:
    return sorted((r.severity, r.focus, r.path, r.component, r.source_shape, r.value_nt) for r in report.results)


def engines_on(data: str) -> dict[str, validate.Report | validate.EngineGap]:
    shapes = Graph().parse(data=NAMED_SHAPES, format="turtle")
    graph = Graph().parse(data=PERSON + data, format="turtle")
    found: dict[str, validate.Report | validate.EngineGap] = {}
    for engine in validate.ENGINES:
        try:
            found[engine] = validate.check(graph, shapes, Graph(), engine=engine)
        except validate.EngineGap as gap:
            found[engine] = gap
    return found


def test_both_engines_agree_and_auto_takes_the_fast_one_on_iris() -> None:
    reports = engines_on('<https://example.org/id/a> a ex:Person ; ex:name "A", "B" ; ex:hash "zz"^^xsd:string .')
    pyshacl, fast, auto = reports["pyshacl"], reports["shacl"], reports["auto"]
    assert all(isinstance(r, validate.Report) for r in (pyshacl, fast, auto))
    assert keys(fast) == keys(pyshacl) == keys(auto)
    assert {r.component.rsplit("#")[-1] for r in fast.results} == {
        "MaxCountConstraintComponent", "DatatypeConstraintComponent", "PatternConstraintComponent",
    }  # fmt: skip
    assert not fast.graph.value(None, SH.detail)  # the fast engine's own report, not pyshacl's
    assert (None, SH_CONFORMANCE_DISALLOWS, SH.Violation) in auto.graph  # SHACL 1.2, only the fast engine says it


@pytest.mark.parametrize(
    ("data", "why"),
    [
        ('_:someone a ex:Person ; ex:name "A", "B" .', "blank nodes"),
        ('<https://example.org/id/a> a ex:Person ; ex:name "A" ; ex:hash "ab (1)"^^xsd:hexBinary .', "hexBinary"),
    ],
)
def test_where_the_engines_would_differ_auto_takes_pyshacl(data: str, why: str) -> None:
    reports = engines_on(data)
    gap = reports["shacl"]
    assert isinstance(gap, validate.EngineGap) and why in gap.message and "use the pyshacl engine" in gap.message
    auto, pyshacl = reports["auto"], reports["pyshacl"]
    assert isinstance(auto, validate.Report) and isinstance(pyshacl, validate.Report)
    assert keys(auto) == keys(pyshacl) and auto.results
    assert (None, SH_CONFORMANCE_DISALLOWS, None) not in auto.graph  # pyshacl's report


def test_a_repeated_triple_is_given_to_the_engine_once() -> None:
    """The shacl engine counts a triple given twice twice (sh:maxCount); an RDF graph holds it once."""
    name = (URIRef("https://example.org/id/a"), URIRef("https://example.org/def/name"), Literal("A"))
    one, other = Graph(), Graph()
    one.add(name)
    other.add(name)
    text = validate.ntriples_of(one, other)
    assert text.count(b"\n") == 1
    date = Literal("2007-05-03Z", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date"), normalize=False)
    assert b'"2007-05-03Z"^^' in validate.ntriples_of(Graph().add((name[0], name[1], date)))  # rdflib's writer drops Z


@pytest.mark.parametrize("engine", ["shacl", "pyshacl"])
def test_a_date_with_a_time_zone_is_read_as_written(runner: CliRunner, tmp_path: Path, engine: str) -> None:
    """Read with rdflib's normalisation, "2007-05-03Z"^^xsd:date became "2007-05-03" and passed the pattern."""
    path = tmp_path / "zone.ttl"
    path.write_text(
        "@prefix time: <http://www.w3.org/2006/time#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        '<https://w3id.org/wijkld/id/tijdstip/x> a time:Instant ; time:inXSDDate "2007-05-03Z"^^xsd:date .\n'
    )
    result = invoke(runner, path, "--engine", engine, "--format", "json")
    assert result.exit_code == 1, result.output
    found = {(r["component"], r["value"]) for r in json.loads(result.stdout)["results"]}
    assert (str(SH.PatternConstraintComponent), '"2007-05-03Z"^^<http://www.w3.org/2001/XMLSchema#date>') in found


def test_engine_option_and_environment_variable(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "blank.ttl"
    path.write_text(PERSON + '_:someone a ex:Person ; ex:name "A", "B" .\n')
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(NAMED_SHAPES)
    assert invoke(runner, path, "--shapes", shapes).exit_code == 1  # auto: pyshacl reports the blank node
    result = invoke(runner, path, "--shapes", shapes, "--engine", "shacl")
    assert_clean_failure(result, 2)
    assert "blank nodes" in result.stderr
    result = runner.invoke(cli, ["validate", str(path), "--shapes", str(shapes)], env={"WIJKLD_ENGINE": "shacl"})
    assert result.exit_code == 2 and "blank nodes" in result.stderr
    assert_clean_failure(invoke(runner, path, "--engine", "jena"), 2)


def test_invalid_shapes_are_reported_by_the_fast_engine_too(runner: CliRunner, tmp_path: Path) -> None:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(NAMED_SHAPES.replace('sh:pattern "^[0-9a-f]*$"', 'sh:pattern "("'))
    for engine in ("shacl", "pyshacl"):
        result = invoke(runner, fixture("valid.ttl"), "--shapes", shapes, "--engine", engine)
        assert_clean_failure(result, 2)
        assert "the shapes are not valid SHACL" in result.stderr


@pytest.mark.parametrize("engine", ["pyshacl", "shacl"])
def test_check_leaves_the_shapes_graph_as_it_was(built_release: Graph, engine: str) -> None:
    """pyshacl adds owl:Class rdfs:subClassOf rdfs:Class to the shapes it is given; the build publishes them."""
    shapes = validate.load_shapes()
    before = set(shapes)
    validate.check(built_release, shapes, validate.load_ontology(), engine=engine)
    assert set(shapes) == before
