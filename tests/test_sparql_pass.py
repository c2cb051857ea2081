"""SPARQL constraints in one pass over a store give what the engine gives per focus node (issue 7)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from wijkld.model.vocab import SH
from wijkld.validate import engine as validate
from wijkld.validate import shapes_qa, sparql_pass

FIXTURES = shapes_qa.find_fixtures(Path(__file__).parent / "shapes")
SHAPES = validate.load_shapes()
ONTOLOGY = validate.load_ontology()
CORE, PASSES = sparql_pass.split(SHAPES)


@pytest.fixture(scope="module", autouse=True)
def _quiet(quiet_rdflib: None) -> Iterator[None]:
    """Fixtures hold ill-typed literals on purpose."""
    yield


def full(results: tuple[validate.Result, ...] | list[validate.Result]) -> list[tuple[object, ...]]:
    """Everything a result says but sh:detail, which the shacl engine does not give."""
    return sorted(
        (r.severity, r.focus, r.path, r.component, r.source_shape, r.value_nt, r.shape_name, r.messages)
        for r in results
    )


def split_validation(data: Graph) -> list[validate.Result]:
    text = validate.ntriples_of(data, validate.ontology_mixin(ONTOLOGY))
    store = ox.Store()
    store.load(text, ox.RdfFormat.N_TRIPLES)
    return [*validate.validate_ntriples(text, CORE).results, *sparql_pass.run(store, PASSES, SHAPES)]


def test_every_sparql_constraint_of_the_shapes_runs_as_a_pass() -> None:
    assert len(PASSES) == len(set(SHAPES.objects(None, SH.sparql))) == 12
    assert not set(CORE.objects(None, SH.sparql))
    assert len(CORE) == len(SHAPES) - len(PASSES)


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.name)
def test_a_pass_gives_what_the_engine_gives_per_focus_node(fixture: shapes_qa.Fixture) -> None:
    data = shapes_qa.load_fixture(fixture)
    per_focus = validate.check(data, SHAPES, ONTOLOGY, engine="shacl").results
    assert full(split_validation(data)) == full(per_focus)


def test_a_shape_used_inside_another_stays_with_the_engine() -> None:
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
        ex:Top a sh:NodeShape ; sh:targetClass ex:Thing ; sh:sparql ex:Rule ;
            sh:property [ sh:path ex:part ; sh:node ex:Nested ] .
        ex:Nested a sh:NodeShape ; sh:sparql ex:Rule .
        ex:Untargeted a sh:NodeShape ; sh:sparql ex:Rule .
        ex:WithPath a sh:NodeShape ; sh:targetClass ex:Thing ; sh:sparql ex:PathRule .
        ex:Rule a sh:SPARQLConstraint ; sh:select "SELECT $this WHERE { $this ex:p ?value }" .
        ex:PathRule a sh:SPARQLConstraint ; sh:select "SELECT $this WHERE { $this $PATH ?value }" .
        """,
        format="turtle",
    )
    core, passes = sparql_pass.split(shapes)
    assert [str(p.shape) for p in passes] == ["https://example.org/Top"]
    assert len(list(core.subject_objects(SH.sparql))) == 3


def test_targets_of_every_kind_select_the_focus_nodes() -> None:
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:targetNode ex:n ; sh:targetSubjectsOf ex:s ;
            sh:targetObjectsOf ex:o ; sh:sparql [ a sh:SPARQLConstraint ; sh:message "{$this} has {?value}" ;
            sh:select "SELECT $this ?value WHERE { $this <https://example.org/flag> ?value }" ] .
        """,
        format="turtle",
    )
    data = Graph().parse(
        data="""
        @prefix ex: <https://example.org/> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        ex:Sub rdfs:subClassOf ex:Thing .
        ex:a a ex:Sub ; ex:flag 1 .  ex:n ex:flag 2 .  ex:b ex:s ex:x ; ex:flag 3 .  ex:x ex:o ex:c .
        ex:c ex:flag 4 .  ex:untargeted ex:flag 5 .
        """,
        format="turtle",
    )
    core, passes = sparql_pass.split(shapes)
    assert len(passes) == 1 and not passes[0].constraint.n3().startswith("<")
    store = ox.Store()
    store.load(validate.ntriples_of(data), ox.RdfFormat.N_TRIPLES)
    results = sparql_pass.run(store, passes, shapes)
    found = sorted((r.focus.rsplit("/")[-1], r.value) for r in results)
    assert found == [("a", "1"), ("b", "3"), ("c", "4"), ("n", "2")]
    assert ("", "https://example.org/a has 1") in {m for r in results for m in r.messages}
    assert full(results) == full(validate.check(data, shapes, Graph(), engine="pyshacl").results)


# -- FILTER NOT EXISTS, lifted out and asked per candidate ----------------------------------------------


def test_the_overlap_checks_of_the_shapes_are_lifted() -> None:
    lifted = sorted(str(p.shape).rsplit("/", 1)[-1] for p in PASSES if p.lifted is not None)
    assert lifted == ["AdoptionTeam-cabinetSeat", "AdoptionTeam-roles", "NarrowerConceptShape"]


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.name)
def test_lifted_passes_give_what_the_query_as_written_gives(fixture: shapes_qa.Fixture) -> None:
    text = validate.ntriples_of(shapes_qa.load_fixture(fixture), validate.ontology_mixin(ONTOLOGY))
    store = ox.Store()
    store.load(text, ox.RdfFormat.N_TRIPLES)
    as_written = [dataclasses.replace(p, lifted=None) for p in PASSES]
    assert full(sparql_pass.run(store, PASSES, SHAPES)) == full(sparql_pass.run(store, as_written, SHAPES))


def test_lifting_keeps_the_rest_of_the_query_and_projects_every_variable() -> None:
    select = '''SELECT DISTINCT $this ?value WHERE {
        $this ex:p ?value . FILTER (?value != "}{") # a comment with { and FILTER NOT EXISTS {
        FILTER NOT EXISTS { ?value ex:q <https://example.org/a#b> . FILTER (?x = '}' || ?x = """{""") }
        OPTIONAL { ?value ex:r ?r }
        FILTER NOT EXISTS { { ?value ex:s ?s } UNION { ?s ex:t $this } }
    }'''
    lifted = sparql_pass.lift_not_exists(select)
    assert lifted is not None
    rest, groups, projection = lifted
    assert projection == ("this", "value")
    assert rest.startswith("SELECT DISTINCT * WHERE {") and "NOT EXISTS" not in rest.split("#")[0]
    assert 'FILTER (?value != "}{")' in rest and "OPTIONAL { ?value ex:r ?r }" in rest
    assert groups == (
        '''{ ?value ex:q <https://example.org/a#b> . FILTER (?x = '}' || ?x = """{""") }''',
        "{ { ?value ex:s ?s } UNION { ?s ex:t $this } }",
    )


@pytest.mark.parametrize(
    "select",
    [
        "SELECT $this ?value WHERE { $this ex:p ?value FILTER NOT EXISTS { ?value ex:q 1 } }",  # not DISTINCT
        "SELECT DISTINCT $this WHERE { $this ex:p ?v FILTER NOT EXISTS { ?v ex:q 1 } } ORDER BY $this",
        "SELECT DISTINCT $this (1 AS ?n) WHERE { $this ex:p ?v FILTER NOT EXISTS { ?v ex:q 1 } }",
        "SELECT DISTINCT $this WHERE { $this ex:p ?v OPTIONAL { FILTER NOT EXISTS { ?v ex:q 1 } } }",  # nested
        "SELECT DISTINCT $this WHERE { $this ex:p ?v FILTER NOT EXISTS { ?v ex:q ?w BIND (1 AS ?z) } }",
        "SELECT DISTINCT $this WHERE { $this ex:p ?v FILTER NOT EXISTS { { SELECT ?v WHERE { ?v ex:q 1 } } } }",
        "SELECT DISTINCT $this WHERE { $this ex:p ?v FILTER (!EXISTS { ?v ex:q 1 }) }",  # not the plain form
        "SELECT DISTINCT $this WHERE { $this ex:p ?v }",  # nothing to lift
        "SELECT DISTINCT $this WHERE { $this ex:p ?v FILTER NOT EXISTS { ?v ex:q 1 }",  # unbalanced
    ],
)
def test_queries_whose_answers_lifting_could_change_are_left_as_written(select: str) -> None:
    assert sparql_pass.lift_not_exists(select) is None


def test_a_lifted_pass_substitutes_blank_nodes_as_themselves() -> None:
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:sparql [ a sh:SPARQLConstraint ;
            sh:prefixes ex: ; sh:select '''SELECT DISTINCT $this ?value WHERE {
                $this ex:p ?b . ?b ex:v ?value FILTER NOT EXISTS { ?b ex:ok true } }''' ] .
        ex: sh:declare [ sh:prefix "ex" ; sh:namespace "https://example.org/"^^xsd:anyURI ] .
        """,
        format="turtle",
    )
    data = Graph().parse(
        data="""
        @prefix ex: <https://example.org/> .
        ex:a a ex:Thing ; ex:p [ ex:v 1 ; ex:ok true ] , [ ex:v 2 ] .
        """,
        format="turtle",
    )
    core, passes = sparql_pass.split(shapes)
    assert passes[0].lifted is not None
    store = ox.Store()
    store.load(validate.ntriples_of(data), ox.RdfFormat.N_TRIPLES)
    assert [(r.focus, r.value) for r in sparql_pass.run(store, passes, shapes)] == [("https://example.org/a", "2")]
    assert full(sparql_pass.run(store, passes, shapes)) == full(
        validate.check(data, shapes, Graph(), engine="pyshacl").results
    )


def test_a_comparison_written_without_spaces_is_no_iri_when_lifting() -> None:
    """``?l<?n&&?n>0`` compares: the lifted group must still see ``?n`` and have it substituted."""
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:sparql [ a sh:SPARQLConstraint ;
            sh:prefixes ex: ; sh:select '''SELECT DISTINCT $this ?value WHERE {
                $this ex:p ?value . ?value ex:n ?n FILTER NOT EXISTS { $this ex:limit ?l FILTER(?l<?n&&?n>0) } }''' ] .
        ex: sh:declare [ sh:prefix "ex" ; sh:namespace "https://example.org/"^^xsd:anyURI ] .
        """,
        format="turtle",
    )
    data = Graph().parse(
        data="""
        @prefix ex: <https://example.org/> .
        ex:a a ex:Thing ; ex:limit 5 ; ex:p ex:low , ex:high .  ex:low ex:n 3 .  ex:high ex:n 7 .
        """,
        format="turtle",
    )
    core, passes = sparql_pass.split(shapes)
    assert passes[0].lifted is not None
    store = ox.Store()
    store.load(validate.ntriples_of(data), ox.RdfFormat.N_TRIPLES)
    as_written = [dataclasses.replace(p, lifted=None) for p in passes]
    found = sparql_pass.run(store, passes, shapes)
    assert [r.value for r in found] == ["https://example.org/low"]
    assert full(found) == full(sparql_pass.run(store, as_written, shapes))


def test_a_select_in_a_comment_of_the_prologue_does_not_cut_the_query() -> None:
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:sparql [ a sh:SPARQLConstraint ;
            sh:select '''# we SELECT the flagged things
                PREFIX ex: <https://example.org/>
                SELECT $this ?value WHERE { $this ex:flag ?value }''' ] .
        """,
        format="turtle",
    )
    data = Graph().parse(data="@prefix ex: <https://example.org/> . ex:a a ex:Thing ; ex:flag 1 .", format="turtle")
    core, passes = sparql_pass.split(shapes)
    store = ox.Store()
    store.load(validate.ntriples_of(data), ox.RdfFormat.N_TRIPLES)
    assert [(r.focus, r.value) for r in sparql_pass.run(store, passes, shapes)] == [("https://example.org/a", "1")]
