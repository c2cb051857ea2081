"""The SHACL shapes, tested like code (issue 4): fixtures in the style of the W3C SHACL test suite.

tests/shapes/ holds two suites, one per graph the build validates: the data (context.ttl,
valid/, invalid/) and the release metadata (metadata/). A fixture is Turtle merged into its
suite's context (a subject it describes replaces that subject's description there); a valid
fixture must give no result at all, an invalid one exactly the results of its
``.expected.ttl`` (focus node, path, constraint component, source shape, severity). Together
the invalid fixtures exercise every constraint of every shape. docs/shapes.md explains more.

Every fixture runs through both engines (issue 7): pyshacl, the reference, and ``shacl``;
each must give exactly the expected results, and ``shacl`` must also give pyshacl's values
and sh:conforms.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from rdflib import Graph

from wijkld.model.vocab import RDF, SH
from wijkld.validate import engine as validate
from wijkld.validate import shapes_qa

SUITES = Path(__file__).parent / "shapes"
FIXTURES = shapes_qa.find_fixtures(SUITES)
VALID = [f for f in FIXTURES if f.valid]
INVALID = [f for f in FIXTURES if not f.valid]
ENGINES = ("pyshacl", "shacl")
WSH = "https://w3id.org/wijkld/def/shapes/"
ID = "https://w3id.org/wijkld/id/"

#: The only warnings the real data may get: facts of the sources worth a second look (docs/shapes.md lists them).
DOCUMENTED_WARNINGS = {
    (f"{ID}adoptieteam/den-haag-zuidwest", f"{WSH}AdoptionTeam-cabinetSeat"),
}


@pytest.fixture(scope="module")
def shapes() -> Graph:
    """The shapes graph in rdflib's context-free store: the same triples, which pyshacl reads a fifth faster."""
    graph = Graph(store="SimpleMemory")
    graph += validate.load_shapes()
    return graph


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return validate.load_ontology()


@pytest.fixture(scope="module", autouse=True)
def parse_each_query_once() -> Iterator[None]:
    """pyshacl has rdflib parse a SPARQL constraint anew for every focus node; parse once (same results)."""
    with shapes_qa.sparql_parse_cache():
        yield


@pytest.fixture(scope="module", autouse=True)
def _quiet(quiet_rdflib: None) -> None:
    """Fixtures hold ill-typed literals on purpose."""


_REFERENCE: dict[str, validate.Report] = {}


def validated(fixture: shapes_qa.Fixture, shapes: Graph, ontology: Graph, engine: str) -> validate.Report:
    """The fixture's report from ``engine``; for ``shacl``, also asserted to be pyshacl's (run once per fixture)."""
    data = shapes_qa.load_fixture(fixture)
    if fixture.name not in _REFERENCE:
        _REFERENCE[fixture.name] = validate.check(data, shapes, ontology, engine="pyshacl")
    reference = _REFERENCE[fixture.name]
    if engine == "pyshacl":
        return reference
    report = validate.check(data, shapes, ontology, engine=engine)
    assert full_keys(report) == full_keys(reference), f"{fixture.name}: the {engine} engine differs from pyshacl"
    assert report.conforms == reference.conforms, f"{fixture.name}: sh:conforms differs from pyshacl's"
    return report


def full_keys(report: validate.Report) -> list[tuple[str, ...]]:
    """All a result says but its messages and details (which the engines word differently)."""
    return sorted((r.severity, r.focus, r.path, r.component, r.source_shape, r.value_nt) for r in report.results)


def describe(results: Iterable[shapes_qa.Expected]) -> str:
    return "\n".join(f"  {r.short()}" for r in sorted(results)) or "  (none)"


def release_graph(release_dir: Path, *names: str) -> Graph:
    g = Graph()
    for name in names:
        g.parse(release_dir / name, format="turtle")
    return g


# -- the fixtures ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("context", sorted(SUITES.rglob("context.ttl")), ids=lambda p: str(p.relative_to(SUITES)))
def test_the_context_of_each_suite_conforms(context: Path, engine: str, shapes: Graph, ontology: Graph) -> None:
    report = validate.check(Graph().parse(context, format="turtle"), shapes, ontology, engine=engine)
    assert not report.results, "the context must give no result:\n" + describe(shapes_qa.actual_results(report))


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("fixture", VALID, ids=lambda f: f.name)
def test_a_valid_fixture_gives_no_result(
    fixture: shapes_qa.Fixture, engine: str, shapes: Graph, ontology: Graph
) -> None:
    report = validated(fixture, shapes, ontology, engine)
    assert not report.results, f"{fixture.name} must conform without warnings; it gives:\n" + describe(
        shapes_qa.actual_results(report)
    )


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("fixture", INVALID, ids=lambda f: f.name)
def test_an_invalid_fixture_gives_exactly_its_expected_results(
    fixture: shapes_qa.Fixture, engine: str, shapes: Graph, ontology: Graph
) -> None:
    assert fixture.expected_path is not None and fixture.expected_path.is_file(), f"{fixture.name}: no .expected.ttl"
    expected_graph = Graph().parse(fixture.expected_path, format="turtle")
    expected = shapes_qa.expected_results(expected_graph)
    assert expected, f"{fixture.expected_path} lists no sh:result"
    report = validated(fixture, shapes, ontology, engine)
    actual = shapes_qa.actual_results(report)
    assert actual == expected, (
        f"{fixture.name}\nexpected but not given:\n{describe(expected - actual)}\n"
        f"given but not expected:\n{describe(actual - expected)}\n"
        f"(wijkld shapes-qa --explain {fixture.path} prints what it gives)"
    )
    assert report.conforms == shapes_qa.expected_conforms(expected_graph), "sh:conforms differs"


def test_every_node_shape_has_a_valid_and_an_invalid_fixture(shapes: Graph) -> None:
    names = {_node_shape_name(s) for s in shapes_qa.targeted_shapes(shapes)}
    valid = {f.shape for f in VALID}
    invalid = {f.shape for f in INVALID}
    assert not names - valid, f"node shapes without a valid fixture: {sorted(names - valid)}"
    assert not names - invalid, f"node shapes without an invalid fixture: {sorted(names - invalid)}"
    # A node shape without a target (used through sh:node) may have fixtures too: its user's target reaches them.
    every = names | {_node_shape_name(s) for s in shapes.subjects(RDF.type, SH.NodeShape)}
    unknown = (valid | invalid) - every
    assert not unknown, f"fixtures named after no node shape (<Shape>-<case>.ttl): {sorted(unknown)}"


def test_expected_results_belong_to_invalid_fixtures() -> None:
    for expected in SUITES.rglob("*.expected.ttl"):
        fixture = expected.with_name(expected.name.replace(".expected.ttl", ".ttl"))
        assert expected.parent.name == "invalid", f"{expected}: only invalid fixtures have expected results"
        assert fixture.is_file(), f"{expected}: no fixture {fixture.name} next to it"


def test_every_constraint_is_exercised(shapes: Graph) -> None:
    expected = {
        f.name: shapes_qa.expected_results(Graph().parse(f.expected_path, format="turtle"))
        for f in INVALID
        if f.expected_path is not None and f.expected_path.is_file()
    }
    coverage = shapes_qa.coverage(shapes, expected)
    missing = [f"{c.shape.removeprefix(WSH)} {c.component.rsplit('#', 1)[-1]}" for c in coverage.uncovered]
    assert not missing, f"{len(missing)} constraints no invalid fixture exercises:\n" + "\n".join(missing)
    assert coverage.percent == 100.0


def test_caching_parsed_queries_changes_no_result(shapes: Graph, ontology: Graph) -> None:
    """The fixtures run with shapes_qa.sparql_parse_cache; rdflib's own parsing gives the same results."""
    (fixture,) = [f for f in INVALID if f.name == "invalid/ReplacingMembership-starts-earlier"]  # two SPARQL rules fire
    data = shapes_qa.load_fixture(fixture)
    cached = shapes_qa.actual_results(validate.check(data, shapes, ontology))
    with shapes_qa.sparql_parse_cache(enabled=False):
        uncached = shapes_qa.actual_results(validate.check(data, shapes, ontology))
    assert cached == uncached
    assert {r.component for r in cached} == {"http://www.w3.org/ns/shacl#SPARQLConstraintComponent"}


# -- the shapes themselves, and the real build ----------------------------------------------------------


def test_the_shapes_are_valid_shacl(shapes: Graph) -> None:
    problems = shapes_qa.meta_shacl(shapes)
    assert not problems, "SHACL-SHACL finds:\n" + "\n".join(map(str, problems))


@pytest.mark.parametrize("engine", ENGINES)
def test_the_real_build_conforms_with_only_the_documented_warnings(
    release_dir: Path, engine: str, shapes: Graph, ontology: Graph
) -> None:
    report = validate.check(release_graph(release_dir, "wijkld.ttl"), shapes, ontology, engine=engine)
    violations = [r for r in report.results if r.severity == "violation"]
    assert not violations, describe(shapes_qa.actual_results(report))
    warnings = {(r.focus, r.source_shape) for r in report.results}
    assert warnings == DOCUMENTED_WARNINGS, (
        "the warnings of the real data changed: review them, then update DOCUMENTED_WARNINGS and docs/shapes.md\n"
        + describe(shapes_qa.actual_results(report))
    )
    metadata = validate.check(release_graph(release_dir, "dcat.ttl", "void.ttl"), shapes, ontology, engine=engine)
    assert not metadata.results, describe(shapes_qa.actual_results(metadata))


def test_the_lint_finds_nothing_in_the_real_build(release_dir: Path, shapes: Graph, ontology: Graph) -> None:
    data = release_graph(release_dir, "wijkld.ttl", "dcat.ttl", "void.ttl")
    problems = shapes_qa.lint(shapes, data, ontology)
    assert not problems, "\n".join(map(str, problems))


def _node_shape_name(shape: object) -> str:
    return str(shape).removeprefix(WSH).removesuffix("Shape")


def test_the_units_of_counts_and_measures_are_those_of_the_records() -> None:
    """The shapes give a quantity's number its datatype by unit: their lists must be the loader's units."""
    from rdflib import URIRef
    from rdflib.collection import Collection

    from wijkld.model.vocab import WIJKLD
    from wijkld.records.schema import COUNTING_UNITS, UNITS

    shapes = validate.load_shapes()

    def listed(shape: str) -> set[str]:
        values = shapes.value(URIRef(f"{WIJKLD}shapes/{shape}"), SH["in"])
        assert values is not None, shape
        return {str(v) for v in Collection(shapes, values)}

    counted, measured = listed("CountedQuantity-unit"), listed("MeasuredQuantity-unit")
    assert counted == set(COUNTING_UNITS)
    assert counted | measured | {"EUR"} == set(UNITS) and not counted & measured  # EUR: schema:currency
