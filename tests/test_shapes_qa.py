"""The checks on the shapes themselves (validate.shapes_qa): each kind of problem is found in a broken shapes graph."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef

from wijkld.cli.main import cli
from wijkld.model.vocab import SH
from wijkld.validate import engine as validate
from wijkld.validate import shapes_qa

PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <https://example.org/> .
"""
EX = "https://example.org/"


def turtle(text: str) -> Graph:
    return Graph().parse(data=PREFIXES + text, format="turtle")


def annotated(shape: str, *, message: bool = True) -> str:
    """Names, descriptions and (optionally) messages in both languages, for a shape that needs no lint."""
    text = f"""{shape} sh:name "naam"@nl , "name"@en ; sh:description "beschrijving"@nl , "description"@en """
    if message:
        text += """; sh:message "melding"@nl , "message"@en """
    return text + ".\n"


#: A shapes graph with one of each problem the lint finds, and data to hold it against.
BROKEN = turtle(
    """
ex:PersonShape a sh:NodeShape ; sh:targetClass ex:Person ;
    sh:property ex:Person-name , ex:Person-code , ex:Person-age , ex:Person-nick , ex:Shared-email .
ex:Person-name a sh:PropertyShape ; sh:path ex:name ; sh:pattern "([a-z" .
ex:Person-code a sh:PropertyShape ; sh:path ex:code ; sh:pattern "^\\\\bfoo(?=bar)" .
ex:Person-age a sh:PropertyShape ; sh:path ex:age ; sh:minCount 2 ; sh:maxCount 1 .
ex:Person-nick a sh:PropertyShape ; sh:path ex:nick ; sh:maxCount 1 ;
    sh:name "bijnaam"@nl , "nickname"@en ; sh:description "bijnaam"@nl , "nickname"@en ; sh:message "bijnaam"@nl .
ex:Shared-email a sh:PropertyShape ; sh:path ex:email ; sh:nodeKind sh:IRI .
ex:AgentShape a sh:NodeShape ; sh:targetClass ex:Agent ;
    sh:property ex:Shared-email , [ sh:path ex:phone ; sh:maxCount 1 ] .
ex:GhostShape a sh:NodeShape ; sh:targetClass ex:Ghost ; sh:property ex:Ghost-name .
ex:Ghost-name a sh:PropertyShape ; sh:path ex:name ; sh:minCount 1 .
ex:RuleShape a sh:NodeShape ; sh:targetClass ex:Person ;
    sh:sparql [ sh:select "SELECT $this WHERE { }" ] , [ sh:select "SELECT $this WHERE { $this ?p ?o }" ] .
"""
    + "".join(
        annotated(s)
        for s in ("ex:PersonShape", "ex:Person-name", "ex:Person-code", "ex:Person-age", "ex:Shared-email")
        + ("ex:AgentShape", "ex:GhostShape", "ex:Ghost-name", "ex:RuleShape")
    )
)
DATA = turtle(
    """
ex:ann a ex:Person , ex:Agent ; ex:name "Ann" ; ex:age 3 ; ex:email <mailto:ann@example.org> ; ex:shoeSize 38 .
"""
)


@pytest.fixture(scope="module")
def problems() -> list[shapes_qa.Problem]:
    return shapes_qa.lint(BROKEN, DATA)


def kinds(problems: list[shapes_qa.Problem], kind: str) -> dict[str, str]:
    return {p.subject: p.message for p in problems if p.kind == kind}


def test_a_regex_that_does_not_compile(problems: list[shapes_qa.Problem]) -> None:
    assert set(kinds(problems, "regex")) == {f"{EX}Person-name"}


def test_regex_syntax_xpath_lacks(problems: list[shapes_qa.Problem]) -> None:
    found = [p.message for p in problems if p.kind == "regex-xpath"]
    assert any("word boundary" in m for m in found) and any("lookaround" in m for m in found)
    assert {p.subject for p in problems if p.kind == "regex-xpath"} == {f"{EX}Person-code"}


def test_min_count_above_max_count(problems: list[shapes_qa.Problem]) -> None:
    assert kinds(problems, "cardinality") == {f"{EX}Person-age": "sh:minCount 2 is above sh:maxCount 1"}


def test_a_shape_whose_targets_match_nothing(problems: list[shapes_qa.Problem]) -> None:
    assert set(kinds(problems, "no-target-match")) == {f"{EX}GhostShape"}


def test_properties_no_shape_constrains(problems: list[shapes_qa.Problem]) -> None:
    unconstrained = [p for p in problems if p.kind == "unconstrained"]
    assert {p.subject for p in unconstrained} == {f"<{EX}Person>", f"<{EX}Agent>"}
    assert all(f"<{EX}shoeSize>" in p.message for p in unconstrained)


def test_shapes_without_iri_message_or_names(problems: list[shapes_qa.Problem]) -> None:
    blank = kinds(problems, "blank-node")
    assert len(blank) == 1 and next(iter(blank)).endswith("[<https://example.org/phone>]")
    messages = kinds(problems, "message")
    assert messages[f"{EX}Person-nick"] == "no sh:message in en"
    annotations = [p for p in problems if p.kind == "annotation"]
    assert {p.subject for p in annotations} == set(blank)  # the blank node has neither name nor description


def test_a_property_shape_that_would_report_twice(problems: list[shapes_qa.Problem]) -> None:
    duplicate = kinds(problems, "duplicate")
    assert set(duplicate) == {f"{EX}Shared-email"}
    assert f"{EX}ann" in duplicate[f"{EX}Shared-email"]


def test_several_sparql_constraints_on_one_shape(problems: list[shapes_qa.Problem]) -> None:
    assert set(kinds(problems, "sparql")) == {f"{EX}RuleShape"}


def test_nothing_else_is_found(problems: list[shapes_qa.Problem]) -> None:
    expected = {
        "regex", "regex-xpath", "cardinality", "no-target-match", "unconstrained", "blank-node", "message",
        "annotation", "duplicate", "sparql",
    }  # fmt: skip
    assert {p.kind for p in problems} == expected


def test_a_clean_shapes_graph_has_no_problems() -> None:
    shapes = turtle(
        """
        ex:PersonShape a sh:NodeShape ; sh:targetClass ex:Person ; sh:property ex:Person-name .
        ex:Person-name a sh:PropertyShape ; sh:path ex:name ; sh:minCount 1 ; sh:pattern "^[A-Z][a-z]+$" .
        """
        + annotated("ex:PersonShape")
        + annotated("ex:Person-name")
    )
    assert shapes_qa.lint(shapes, turtle('ex:ann a ex:Person ; ex:name "Ann" .')) == []


def test_class_targets_see_subclasses_from_the_ontology() -> None:
    shapes = turtle(
        "ex:S a sh:NodeShape ; sh:targetClass ex:Agent ; sh:property ex:S-name .\n"
        "ex:S-name sh:path ex:name ; sh:minCount 1 .\n" + annotated("ex:S") + annotated("ex:S-name")
    )
    data = turtle('ex:ann a ex:Person ; ex:name "Ann" .')
    ontology = turtle("ex:Person rdfs:subClassOf ex:Agent .")
    assert [p.kind for p in shapes_qa.lint(shapes, data)] == ["no-target-match", "unconstrained"]
    assert shapes_qa.lint(shapes, data, ontology) == []


def test_a_node_shape_on_a_property_constrains_its_values() -> None:
    """A shape with no target of its own, applied by ``sh:node`` to a property's values (wsh:DocumentShape)."""
    shapes = turtle(
        "ex:S a sh:NodeShape ; sh:targetClass ex:Dataset ; sh:property ex:S-seeAlso .\n"
        "ex:S-seeAlso sh:path rdfs:seeAlso ; sh:node ex:Doc .\n"
        "ex:Doc a sh:NodeShape ; sh:property ex:Doc-title .\n"
        "ex:Doc-title sh:path ex:title ; sh:minCount 1 .\n"
        + "".join(annotated(s) for s in ("ex:S", "ex:S-seeAlso", "ex:Doc", "ex:Doc-title"))
    )
    data = turtle(
        'ex:d a ex:Dataset ; rdfs:seeAlso ex:file . ex:file a ex:Document ; ex:title "File" ; ex:size 3 .\n'
        'ex:other a ex:Document ; ex:title "Not a value of seeAlso" .'
    )
    found = {p.message for p in shapes_qa.lint(shapes, data) if p.kind == "unconstrained"}
    # ex:title is constrained on the value of rdfs:seeAlso (ex:file), not on ex:other; ex:size on neither
    assert found == {
        f"<{EX}size> is used on 1 instance(s) (e.g. <{EX}file>) but no shape constrains it",
        f"<{EX}title> is used on 1 instance(s) (e.g. <{EX}other>) but no shape constrains it",
    }


@pytest.mark.parametrize(
    ("pattern", "found"),
    [
        ("^[a-z0-9]+(-[a-z0-9]+)*$", []),
        ("^(?:GM|WK)[0-9]{4}$", []),
        ("a\\d+?b", []),
        ("[\\b]", []),
        ("\\bword\\b", ["word boundary \\b", "word boundary \\b"]),
        ("(?P<year>[0-9]{4})", ["named group (?P<...>)"]),
        ("(?i)abc", ["inline flags (?...)"]),
        ("a(?!b)", ["lookaround (?=...)"]),
        ("(?<=a)b", ["lookaround (?=...)"]),
        ("a++", ["possessive quantifier"]),
        ("\\++", []),
        ("\\Aabc\\Z", ["start anchor \\A", "end anchor \\Z"]),
    ],
)
def test_xpath_incompatibilities(pattern: str, found: list[str]) -> None:
    assert shapes_qa.xpath_incompatibilities(pattern) == found


# -- meta-SHACL -------------------------------------------------------------------------------------------


def test_meta_shacl_finds_what_is_not_shacl() -> None:
    shapes = turtle(
        """
        ex:S a sh:NodeShape ; sh:targetClass ex:Person ; sh:property ex:S-name .
        ex:S-name sh:path ex:name ; sh:minCount "one" ; sh:maxCount -1 .
        """
    )
    problems = shapes_qa.meta_shacl(shapes)
    assert problems and {p.kind for p in problems} == {"meta-shacl"}
    assert {p.subject for p in problems} == {f"{EX}S-name"}


def test_meta_shacl_passes_valid_shapes() -> None:
    shapes = turtle(
        "ex:S a sh:NodeShape ; sh:targetClass ex:Person ; sh:property [ sh:path ex:name ; sh:minCount 1 ] ."
    )
    assert shapes_qa.meta_shacl(shapes) == []


# -- coverage ---------------------------------------------------------------------------------------------

COVERAGE_SHAPES = turtle(
    """
ex:PersonShape a sh:NodeShape ; sh:targetClass ex:Person ; sh:property ex:Person-name , ex:Person-born .
ex:Person-name sh:path ex:name ; sh:minCount 1 ; sh:maxCount 1 ; sh:uniqueLang false .
ex:Person-born sh:path ex:born ; sh:node ex:Year .
ex:Year a sh:NodeShape ; sh:datatype xsd:gYear .
"""
)


def expected(shape: str, component: str) -> shapes_qa.Expected:
    return shapes_qa.Expected(f"{EX}ann", "", str(SH[f"{component}ConstraintComponent"]), f"{EX}{shape}", "violation")


def test_coverage_lists_every_constraint_and_the_fixtures_exercising_it() -> None:
    cov = shapes_qa.coverage(
        COVERAGE_SHAPES,
        {
            "invalid/Person-no-name": [expected("Person-name", "MinCount")],
            "invalid/Person-two-names": [expected("Person-name", "MaxCount"), expected("Person-name", "MinCount")],
        },
    )
    rows = {(c.shape.removeprefix(EX), c.component.rsplit("#", 1)[1]): c.fixtures for c in cov.constraints}
    assert rows == {
        ("Person-name", "MinCountConstraintComponent"): ("invalid/Person-no-name", "invalid/Person-two-names"),
        ("Person-name", "MaxCountConstraintComponent"): ("invalid/Person-two-names",),
        ("Person-born", "NodeConstraintComponent"): (),
    }  # sh:uniqueLang false is no constraint
    assert [c.shape.removeprefix(EX) for c in cov.uncovered] == ["Person-born"]
    assert cov.percent == pytest.approx(200 / 3)
    (nested,) = cov.nested
    assert nested.shape == f"{EX}Year" and nested.via == ((f"{EX}Person-born", str(SH.NodeConstraintComponent)),)
    table = shapes_qa.coverage_table(cov, EX)
    assert "NOT EXERCISED" in table and "coverage: 2/3 constraints exercised (66.7%)" in table


# -- fixtures and expected results ------------------------------------------------------------------------


def test_a_fixture_replaces_the_subjects_it_describes() -> None:
    context = turtle('ex:ann ex:name "Ann" ; ex:age 3 . ex:bob ex:name "Bob" .')
    fixture = turtle('ex:ann ex:name "Anna" . ex:cid ex:name "Cid" .')
    merged = shapes_qa.merge(context, fixture)
    assert set(merged.objects(URIRef(f"{EX}ann"), None)) == {Literal("Anna")}
    assert (URIRef(f"{EX}bob"), URIRef(f"{EX}name"), Literal("Bob")) in merged
    assert (URIRef(f"{EX}cid"), URIRef(f"{EX}name"), Literal("Cid")) in merged


def test_expected_results_round_trip_through_explain() -> None:
    shapes = turtle(
        """
        ex:S a sh:NodeShape ; sh:targetClass ex:Person ; sh:property ex:S-name , ex:S-knows .
        ex:S-name sh:path ex:name ; sh:minCount 1 .
        ex:S-knows sh:path [ sh:inversePath ex:knows ] ; sh:maxCount 0 ; sh:severity sh:Warning .
        ex:Friend a sh:NodeShape ; sh:targetObjectsOf ex:friend ; sh:property ex:Friend-name .
        ex:Friend-name sh:path ex:name ; sh:minCount 1 .
        """
    )
    # a literal focus node too: the string friend is checked as a friend and fails (kept a literal in the file)
    data = turtle('ex:ann a ex:Person . ex:bob ex:knows ex:ann . ex:cid ex:friend "Dora" .')
    report = validate.check(data, shapes, Graph())
    text = shapes_qa.explain(report, {"ex": EX})
    back = Graph().parse(data=text, format="turtle")
    assert shapes_qa.expected_results(back) == shapes_qa.actual_results(report)
    assert shapes_qa.expected_conforms(back) is False
    assert {r.path for r in shapes_qa.actual_results(report)} == {f"{EX}name", f"^<{EX}knows>"}
    assert Literal("Dora") in set(back.objects(None, URIRef("http://www.w3.org/ns/shacl#focusNode")))


def test_fixtures_are_found_per_suite(tmp_path: Path) -> None:
    for folder in ("valid", "invalid", "metadata/valid", "metadata/invalid"):
        (tmp_path / folder).mkdir(parents=True)
    for name in ("context.ttl", "metadata/context.ttl", "valid/Person-ok.ttl", "invalid/Person-bad.ttl"):
        (tmp_path / name).write_text("", encoding="utf-8")
    (tmp_path / "invalid/Person-bad.expected.ttl").write_text("", encoding="utf-8")
    (tmp_path / "metadata/valid/Catalog-ok.ttl").write_text("", encoding="utf-8")
    found = {f.name: f for f in shapes_qa.find_fixtures(tmp_path)}
    assert set(found) == {"valid/Person-ok", "invalid/Person-bad", "metadata/valid/Catalog-ok"}
    assert found["metadata/valid/Catalog-ok"].context == tmp_path / "metadata/context.ttl"
    assert found["invalid/Person-bad"].expected_path == tmp_path / "invalid/Person-bad.expected.ttl"
    assert found["valid/Person-ok"].valid and found["valid/Person-ok"].shape == "Person"


# -- the command line -------------------------------------------------------------------------------------


def test_the_command_line_prints_problems_and_coverage(tmp_path: Path) -> None:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        PREFIXES
        + "ex:S a sh:NodeShape ; sh:targetClass ex:Person ; sh:property ex:S-name .\n"
        + 'ex:S-name sh:path ex:name ; sh:minCount 1 ; sh:pattern "(" .\n'
        + annotated("ex:S")
        + annotated("ex:S-name"),
        encoding="utf-8",
    )
    data = tmp_path / "data.ttl"
    data.write_text(PREFIXES + 'ex:ann a ex:Person ; ex:name "Ann" .', encoding="utf-8")
    (tmp_path / "fixtures").mkdir()
    runner = CliRunner()
    args = ["shapes-qa", "--shapes", str(shapes), "--data", str(data), "--fixtures", str(tmp_path / "fixtures")]
    result = runner.invoke(cli, [*args, "--coverage"])
    out = result.stdout
    assert result.exit_code == 1
    assert "regex: https://example.org/S-name" in out and "lint: 1 problem(s)" in out
    assert "NOT EXERCISED" in out and "coverage: 0/2" in out
    missing = runner.invoke(cli, ["shapes-qa", "--shapes", str(shapes), "--data", str(tmp_path / "missing.ttl")])
    assert missing.exit_code == 2 and "missing.ttl" in missing.stderr
