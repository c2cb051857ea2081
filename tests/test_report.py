"""The report renderers: what a person reads (text), what CI systems and scripts read (turtle, json, junit, github)."""

from __future__ import annotations

import functools
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rdflib import BNode, Graph, URIRef

from wijkld.cli import validate_command
from wijkld.model.locate import Location
from wijkld.model.vocab import SH
from wijkld.validate import engine as validate
from wijkld.validate import rdf_files, report

FIXTURES = Path(__file__).parent / "fixtures" / "validate"
ANNA = "https://example.org/id/anna"
BERT = "https://example.org/id/bert"


def check(name: str) -> validate.Report:
    data = rdf_files.read_data([FIXTURES / name]).graph
    return validate.check(data, validate.load_shapes([FIXTURES / "shapes.ttl"]), Graph())


@pytest.fixture(scope="module")
def broken() -> validate.Report:
    """Two violations (one with a nested cause), one warning, one info."""
    return check("broken.ttl")


@pytest.fixture(scope="module")
def valid() -> validate.Report:
    return check("valid.ttl")


@functools.cache
def shape_names() -> tuple[str, ...]:
    return validate_command.run(
        [FIXTURES / "valid.ttl"], FIXTURES / "shapes.ttl", None, "https://example.org"
    ).shape_names


def options(**kwargs: object) -> report.Options:
    names = shape_names()
    return report.Options(shapes=names, prefixes=report.DEFAULT_PREFIXES | {"ex": "https://example.org/def/"}, **kwargs)  # type: ignore[arg-type]


# -- the results themselves ------------------------------------------------------------------------------


def test_results_are_sorted_most_severe_first_with_nested_causes(broken: validate.Report) -> None:
    assert [(r.severity, r.component.split("#")[1], r.focus) for r in broken.results] == [
        ("violation", "NodeConstraintComponent", ANNA),
        ("violation", "DatatypeConstraintComponent", ANNA),
        ("warning", "MinCountConstraintComponent", BERT),
        ("info", "MaxLengthConstraintComponent", BERT),
    ]
    (cause,) = broken.results[0].details
    assert (cause.focus, cause.path, cause.component) == (
        "https://example.org/id/anna-address",
        "https://example.org/def/postcode",
        str(SH.PatternConstraintComponent),
    )
    assert cause.shape == "<https://example.org/def/AddressShape>[<https://example.org/def/postcode>]"
    assert broken.results[1].value_nt == '"tweeënveertig"'


def test_messages_in_either_language_with_fallback(broken: validate.Report) -> None:
    age = broken.results[1]
    assert age.message("nl") == "De leeftijd is één geheel getal."
    assert age.message("en") == "The age is one integer."
    only_nl = validate.Result("violation", "s", "c", "f", "p", "v", (("nl", "alleen Nederlands"),))
    assert only_nl.message("en") == "alleen Nederlands"


def test_blank_node_shapes_get_stable_names() -> None:
    names = set()
    for _ in range(2):  # blank node labels differ between two loads; the names do not
        shapes = validate.load_shapes([FIXTURES / "shapes.ttl"])
        (shape,) = [s for s in shapes.subjects(SH.path, None) if isinstance(s, BNode)]
        names.add(validate.shape_name(shapes, shape))
    assert names == {"<https://example.org/def/AddressShape>[<https://example.org/def/postcode>]"}


def test_paths_render_as_sparql_property_paths() -> None:
    g = Graph().parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
        ex:s sh:path ( [ sh:inversePath ex:a ] [ sh:zeroOrMorePath ex:b ] [ sh:alternativePath ( ex:c ex:d ) ] ) .""",
        format="turtle",
    )
    path = g.value(URIRef("https://example.org/s"), SH.path)
    assert path is not None
    assert validate.path_text(g, path) == (
        "^<https://example.org/a>/<https://example.org/b>*/(<https://example.org/c>|<https://example.org/d>)"
    )


# -- text -------------------------------------------------------------------------------------------------


def test_text_groups_by_shape_and_constraint_with_counts(broken: validate.Report) -> None:
    text = report.text(broken, options())
    assert text.startswith("Does not conform: 2 violations, 1 warning, 1 info (failing at violation and above: 2)")
    overview = text.split("\n\n")[1].splitlines()
    assert overview == [
        "Results by shape and constraint:",
        "  1  violation  ex:Person-address   sh:NodeConstraintComponent",
        "  1  violation  ex:Person-age       sh:DatatypeConstraintComponent",
        "  1  warning    ex:Person-nickname  sh:MinCountConstraintComponent",
        "  1  info       ex:Person-note      sh:MaxLengthConstraintComponent",
    ]
    assert "ex:Person-age  sh:DatatypeConstraintComponent  (1 violation)" in text


def test_text_lists_focus_path_value_message_and_nested_causes(broken: validate.Report) -> None:
    text = report.text(broken, options())
    block = text.split("ex:Person-address  sh:NodeConstraintComponent  (1 violation)\n")[1].split("\n\n")[0]
    assert block.splitlines() == [
        "  - violation: https://example.org/id/anna",
        "      path:     ex:address",
        "      value:    https://example.org/id/anna-address",
        "      message:  The address is incomplete.",
        "      caused by:",
        "        - violation: https://example.org/id/anna-address",
        "            path:     ex:postcode",
        '            value:    "1012ab"',
        "            message:  A Dutch postcode like 1234 AB.",
    ]


def test_text_in_dutch(broken: validate.Report) -> None:
    text = report.text(broken, options(lang="nl"))
    assert "message:  Het adres is onvolledig." in text
    assert "message:  Een postcode als 1234 AB." in text
    assert "dat mag, maar is 100% ongebruikelijk." in text


def test_text_says_when_capped(broken: validate.Report) -> None:
    text = report.text(broken, options(max_results=1))
    assert text.rstrip().endswith("showing 1 of 4 results (capped by --max-results)")
    assert "  1  violation  ex:Person-age       sh:DatatypeConstraintComponent" in text  # still in the overview
    assert "(1 violation)" in text and text.count("- violation:") == 2  # one result and its cause
    assert "showing" not in report.text(broken, options(max_results=4))


def test_text_names_the_source_record(broken: validate.Report) -> None:
    where = {ANNA: Location("data/persons.csv", 3, "person", "anna")}
    text = report.text(broken, options(locate=where.get))
    assert "source:   data/persons.csv:3 (person anna)" in text


def test_text_of_conforming_data(valid: validate.Report) -> None:
    assert (
        report.text(valid, options())
        == "Conforms: 0 violations, 0 warnings, 0 info (failing at violation and above: 0)\n"
    )


# -- turtle -----------------------------------------------------------------------------------------------


def test_turtle_is_the_w3c_report_with_stable_skolem_iris(broken: validate.Report) -> None:
    first = report.turtle(broken, options())
    assert first == report.turtle(check("broken.ttl"), options())
    g = Graph().parse(data=first, format="turtle")
    assert not any(isinstance(t, BNode) for triple in g for t in triple)
    (node,) = g.subjects(predicate=None, object=SH.ValidationReport)
    assert len(list(g.objects(node, SH.result))) == 4
    assert len(list(g.objects(None, SH.detail))) == 1


def test_turtle_of_conforming_data(valid: validate.Report) -> None:
    g = Graph().parse(data=report.turtle(valid, options()), format="turtle")
    assert (None, SH.conforms, None) in g


# -- json -------------------------------------------------------------------------------------------------


def test_json_summary(broken: validate.Report) -> None:
    where = {ANNA: Location("data/persons.csv", 3, "person", "anna")}
    summary = json.loads(report.json_text(broken, options(locate=where.get, lang="nl")))
    assert summary["version"] == 1
    assert summary["conforms"] is False
    assert summary["counts"] == {"violation": 2, "warning": 1, "info": 1}
    assert summary["groups"][0] == {
        "shape": "https://example.org/def/Person-address",
        "component": str(SH.NodeConstraintComponent),
        "severity": "violation",
        "count": 1,
    }
    first = summary["results"][0]
    assert first["focus"] == ANNA
    assert first["path"] == "https://example.org/def/address"
    assert first["value"] == "<https://example.org/id/anna-address>"
    assert first["message"] == "Het adres is onvolledig."
    assert first["source"] == {"file": "data/persons.csv", "line": 3, "record": {"type": "person", "key": "anna"}}
    assert first["details"][0]["value"] == '"1012ab"'
    assert summary["results"][2]["source"] is None
    assert (summary["total"], summary["truncated"]) == (4, False)


def test_json_is_capped_and_follows_fail_on(broken: validate.Report, valid: validate.Report) -> None:
    capped = json.loads(report.json_text(broken, options(max_results=2)))
    assert (len(capped["results"]), capped["total"], capped["truncated"]) == (2, 4, True)
    assert json.loads(report.json_text(valid, options()))["conforms"] is True
    assert json.loads(report.json_text(check("warning.ttl"), options(fail_on="warning")))["conforms"] is False


# -- junit ------------------------------------------------------------------------------------------------


def test_junit_has_a_suite_per_shape_and_a_failure_per_result(broken: validate.Report) -> None:
    root = ET.fromstring(report.junit(broken, options()))
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {
        "ex:AddressShape",
        "ex:AddressShape[ex:postcode]",
        "ex:Person-address",
        "ex:Person-age",
        "ex:Person-name",
        "ex:Person-nickname",
        "ex:Person-note",
        "ex:PersonShape",
    }
    assert root.get("failures") == "2"  # violations fail; the warning and the info pass (--fail-on violation)
    assert suites["ex:Person-age"].get("failures") == "1"
    assert suites["ex:Person-nickname"].get("failures") == "0"
    assert suites["ex:Person-name"].findall("testcase")[0].get("name") == "conforms"
    failure = suites["ex:Person-address"].find("testcase/failure")
    assert failure is not None and failure.get("message") == "The address is incomplete."
    assert "1012ab" in (failure.text or "")
    assert int(root.get("tests") or 0) == sum(int(s.get("tests") or 0) for s in suites.values())


def test_junit_fail_on_info_fails_every_result(broken: validate.Report) -> None:
    root = ET.fromstring(report.junit(broken, options(fail_on="info")))
    assert root.get("failures") == "4"


def test_junit_of_conforming_data_has_no_failures(valid: validate.Report) -> None:
    root = ET.fromstring(report.junit(valid, options()))
    assert root.get("failures") == "0" and len(root.findall("testsuite")) == 8


def test_junit_names_the_source_file(broken: validate.Report) -> None:
    where = {ANNA: Location("data/persons.csv", 3, "person", "anna")}
    root = ET.fromstring(report.junit(broken, options(locate=where.get)))
    case = next(c for c in root.iter("testcase") if c.find("failure") is not None)
    assert (case.get("file"), case.get("line")) == ("data/persons.csv", "3")


# -- github -----------------------------------------------------------------------------------------------


def test_github_annotations(broken: validate.Report) -> None:
    where = {ANNA: Location("data/persons.csv", 3, "person", "anna"), BERT: Location("people.ttl", 0)}
    lines = report.github(broken, options(locate=where.get)).splitlines()
    assert lines[0].startswith(
        "::error file=data/persons.csv,line=3,title=ex%3APerson-address (sh%3ANodeConstraintComponent)::"
        "The address is incomplete.%0Afocus https://example.org/id/anna"
    )
    assert "caused by: A Dutch postcode like 1234 AB." in lines[0]
    assert lines[2].startswith("::warning file=people.ttl,title=ex%3APerson-nickname")
    assert lines[3].startswith("::notice file=people.ttl,title=")
    assert lines[-1].startswith("Does not conform")


def test_github_escapes_newlines_and_percent_signs(broken: validate.Report) -> None:
    warning = report.github(broken, options()).splitlines()[2]
    assert "A nickname is missing;%0Aallowed, but 100%25 unusual." in warning
    assert "\r" not in warning


def test_github_says_when_capped(broken: validate.Report) -> None:
    lines = report.github(broken, options(max_results=1)).splitlines()
    assert [line[:8] for line in lines[:1]] == ["::error "]
    assert lines[1] == "showing 1 of 4 results (capped by --max-results)"


def test_github_escaping_rules() -> None:
    assert report.escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert report.escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_render_dispatches_every_format(broken: validate.Report) -> None:
    for fmt in report.FORMATS:
        assert report.render(broken, fmt, options())
