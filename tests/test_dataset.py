"""The store between the stages (wijkld.model.dataset): what it writes equals the rdflib path it replaced."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, XSD

from test_pages import FIXTURE
from wijkld.model import dataset, mapping
from wijkld.model.iris import Minter
from wijkld.publish import jsonld
from wijkld.publish import serialize as publish
from wijkld.records import load as records

BASE = "https://w3id.org/wijkld/id/"


def tricky_graph() -> Graph:
    """IRIs that are prefixes of one another (their lines sort differently from their IRIs), literals of every
    kind, and characters N-Triples escapes."""
    g = Graph()
    p, q = URIRef("https://example.org/p"), URIRef("https://example.org/q")
    for key in ("a", "a/b", "a-b", "ab", "a b".replace(" ", "%20"), "é"):
        s = URIRef(BASE + key)
        g.add((s, RDF.type, URIRef("https://example.org/C")))
        g.add((s, p, Literal(f'line\nbreak "{key}" \\ tab\t', lang="nl")))
        g.add((s, p, Literal("01", datatype=XSD.integer)))
        g.add((s, q, Literal("plain")))
        g.add((s, q, URIRef(BASE + "a")))
    return g


def _written(data: dataset.Data, size: int) -> bytes:
    out = io.BytesIO()
    data.write_ntriples(out, size=size)
    return out.getvalue()


@pytest.mark.parametrize("size", [1, 2, 3, dataset.RUN_SUBJECTS])
def test_the_ntriples_straight_from_the_store_are_those_of_the_rdflib_path(size: int) -> None:
    for graph in (tricky_graph(), mapping.to_graph(records.load(FIXTURE), Minter())):
        data = dataset.from_graph(graph)
        # the rdflib path: the store's triples as rdflib terms, back to Oxigraph's N-Triples, sorted
        expected = b"".join(publish.ntriples_lines(data.graph_of(data.subjects)))
        assert _written(data, size) == expected


def test_predicate_kinds_from_one_query_are_those_of_a_pass_over_the_triples() -> None:
    for graph in (tricky_graph(), mapping.to_graph(records.load(FIXTURE), Minter())):
        data = dataset.from_graph(graph)
        assert jsonld.Kinds(data.predicate_kinds()) == jsonld.predicate_kinds(data.graph_of(data.subjects))
        assert jsonld.context_from_kinds(data.predicate_kinds()) == jsonld.build_context(graph)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(alphabet="ab/-%é", min_size=1, max_size=6),
            st.text(max_size=8).filter(lambda t: "\x00" not in t),
            st.sampled_from([None, "nl", "en"]),
        ),
        min_size=1,
        max_size=12,
    ),
    st.integers(min_value=1, max_value=4),
)
def test_any_data_is_written_sorted_and_whole_whatever_the_run_size(
    rows: list[tuple[str, str, str | None]], size: int
) -> None:
    g = Graph()
    for key, text, lang in rows:
        g.add((URIRef(BASE + key.replace("%", "%25")), URIRef("https://example.org/p"), Literal(text, lang=lang)))
    data = dataset.from_graph(g)
    lines = _written(data, size).splitlines(keepends=True)
    assert lines == sorted(set(lines)) and len(lines) == len(data)
    assert isomorphic(Graph().parse(data=b"".join(lines), format="nt"), g)


@pytest.mark.parametrize("size", [1, 2, 3, dataset.RUN_SUBJECTS])
def test_turtle_straight_from_the_store_is_that_of_the_whole_graph(size: int, tmp_path: Path) -> None:
    graph = tricky_graph()
    graph.add((URIRef(BASE + "a"), URIRef("https://example.org/d"), Literal("2007-02-22", datatype=XSD.date)))
    graph.add((URIRef(BASE + "ab"), RDF.type, URIRef("https://schema.org/Person")))
    for whole in (graph, mapping.to_graph(records.load(FIXTURE), Minter())):
        data = dataset.from_graph(whole)
        path = tmp_path / f"run-{size}.ttl"
        publish.write_turtle(data.triple_runs(publish.oxigraph_sort_key, size=size), path)
        # the rdflib path: every triple of the store as rdflib terms, sorted and written as one graph
        assert path.read_bytes() == publish.turtle(data.graph_of(data.subjects))


def test_the_oxigraph_sort_key_puts_triples_where_sorted_triples_does() -> None:
    graph = tricky_graph()
    graph.add((URIRef(BASE + "a"), URIRef("https://example.org/d"), Literal("2007", datatype=XSD.gYear)))
    graph.add((URIRef(BASE + "a"), URIRef("https://example.org/d"), Literal("2007", lang="nl")))
    graph.add((URIRef(BASE + "a"), URIRef("https://example.org/d"), Literal("2007")))
    data = dataset.from_graph(graph)
    ours = [t for run in data.triple_runs(publish.oxigraph_sort_key, size=10**6) for t in run]
    theirs = publish.sorted_triples(data.graph_of(data.subjects))
    assert [(t.subject.value, t.predicate.value, str(t.object)) for t in ours] == [
        (str(s), str(p), ox_text) for (s, p, o), ox_text in zip(theirs, map(_ox_text, theirs), strict=True)
    ]


def _ox_text(triple: tuple[URIRef, URIRef, object]) -> str:
    from wijkld.model.terms import to_oxigraph

    return str(to_oxigraph(triple[2]))  # type: ignore[arg-type]


@pytest.mark.parametrize("size", [1, 2, 3, dataset.RUN_SUBJECTS])
def test_json_ld_straight_from_the_store_is_the_compacted_whole(size: int) -> None:
    for whole in (tricky_graph(), mapping.to_graph(records.load(FIXTURE), Minter())):
        data = dataset.from_graph(whole)
        context = jsonld.build_context(whole)
        out = io.BytesIO()
        jsonld.write_compacted(data.triple_runs(size=size), context, out)
        # the rdflib path: every triple of the store as rdflib terms, compacted as one graph
        assert out.getvalue() == jsonld.dumps(jsonld.compact(data.graph_of(data.subjects), context))
        assert b'"type"' in out.getvalue(), "rdf:type compacts to the context's type keyword"
