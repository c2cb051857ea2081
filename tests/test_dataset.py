"""The store between the stages (wijkld.model.dataset): what it writes equals the rdflib path it replaced."""

from __future__ import annotations

import io

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
