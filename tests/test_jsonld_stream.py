"""The bounded-memory JSON-LD writers give the bytes of the in-memory ones, whatever the chunks and the store.

``write_compacted`` (chunk by chunk) against ``dumps(compact(...))``, ``write_tree`` (node lookups in the
graph) against ``dumps(tree(...))``, the mergeable context (``predicate_kinds``) against ``build_context``:
on the pilot data, on the committed pilot release in dist/, on Oxigraph-backed graphs and on generated graphs.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from wijkld.model import mapping
from wijkld.model.iris import DEFAULT_BASE, Minter
from wijkld.model.vocab import GEO, ORG, PREFIXES, RDF, RDFS, SCHEMA, SKOS, TIME, XSD
from wijkld.publish import jsonld
from wijkld.records import load as records

REPO = Path(__file__).resolve().parents[1]
ALL = 10**9  # a chunk size that puts every subject in one chunk
XSD_STRING = str(XSD.string)


def _oxigraph(graph: Graph) -> Graph:
    """The same triples in a Graph backed by Oxigraph (plain literals come back typed xsd:string)."""
    ox = Graph(store="Oxigraph")
    ox.addN((s, p, o, ox) for s, p, o in graph)
    return ox


def _chunks(graph: Graph, size: int, store: str = "default") -> Iterator[Graph]:
    """All triples of runs of ``size`` subjects, the runs in ascending IRI order, as the streaming build gives them."""
    subjects = sorted({s for s in graph.subjects() if isinstance(s, URIRef)}, key=str)
    for start in range(0, len(subjects), size):
        chunk = Graph(store=store)
        for subject in subjects[start : start + size]:
            for triple in graph.triples((subject, None, None)):
                chunk.add(triple)
        yield chunk


def _compacted(chunks: object, context: jsonld.JSON) -> bytes:
    handle = io.BytesIO()
    jsonld.write_compacted(chunks, context, handle)  # type: ignore[arg-type]
    return handle.getvalue()


def _tree(graph: Graph, context: jsonld.JSON, view: jsonld.View) -> bytes:
    handle = io.BytesIO()
    jsonld.write_tree(graph, context, view, handle)
    return handle.getvalue()


def _kinds_of_chunks(graph: Graph, size: int) -> jsonld.Kinds:
    return jsonld.merge_kinds(*(jsonld.predicate_kinds(chunk) for chunk in _chunks(graph, size)))


# --- the pilot data ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pilot() -> Graph:
    """The pilot records mapped to RDF (what the release's data graph is made of)."""
    return mapping.to_graph(records.load(REPO / "data"), Minter(DEFAULT_BASE))


@pytest.fixture(scope="module")
def pilot_oxigraph(pilot: Graph) -> Graph:
    return _oxigraph(pilot)


@pytest.mark.parametrize("size", [1, 7, ALL], ids=["1", "7", "all"])
def test_write_compacted_gives_the_bytes_of_compact_on_the_pilot(pilot: Graph, size: int) -> None:
    context = jsonld.build_context(pilot)
    expected = jsonld.dumps(jsonld.compact(pilot, context))
    assert _compacted(_chunks(pilot, size), context) == expected


@pytest.mark.parametrize("size", [1, 7, ALL], ids=["1", "7", "all"])
def test_write_compacted_from_oxigraph_gives_the_same_bytes(pilot: Graph, pilot_oxigraph: Graph, size: int) -> None:
    context = jsonld.build_context(pilot)
    expected = jsonld.dumps(jsonld.compact(pilot, context))
    assert jsonld.build_context(pilot_oxigraph) == context
    assert _compacted(_chunks(pilot_oxigraph, size, store="Oxigraph"), context) == expected
    assert _compacted(_chunks(pilot_oxigraph, size), context) == expected  # Oxigraph's literals in memory chunks


@pytest.mark.parametrize("name", sorted(jsonld.VIEWS))
def test_write_tree_gives_the_bytes_of_tree_on_the_pilot(pilot: Graph, pilot_oxigraph: Graph, name: str) -> None:
    context = jsonld.build_context(pilot)
    view = jsonld.VIEWS[name]
    expected = jsonld.dumps(jsonld.tree(pilot, context, view))
    assert b'"teams"' in expected or b'"memberships"' in expected  # the reverse links are there to get right
    assert _tree(pilot, context, view) == expected
    assert _tree(pilot_oxigraph, context, view) == expected


@pytest.mark.parametrize("size", [1, 7, ALL], ids=["1", "7", "all"])
def test_merged_kinds_of_chunks_give_the_context_of_the_pilot(pilot: Graph, pilot_oxigraph: Graph, size: int) -> None:
    whole = jsonld.predicate_kinds(pilot)
    assert _kinds_of_chunks(pilot, size) == whole
    assert _kinds_of_chunks(pilot_oxigraph, size) == whole
    assert jsonld.context_from_kinds(_kinds_of_chunks(pilot, size)) == jsonld.build_context(pilot)
    assert jsonld.dumps(jsonld.context_from_kinds(whole)) == jsonld.dumps(jsonld.build_context(pilot))


def test_the_committed_pilot_release_is_what_the_new_writers_write() -> None:
    """dist/ is the pilot release (test_release keeps it the build of data/): its bytes, from its own triples."""
    dist = REPO / "dist"
    graph = Graph().parse(data=gzip.decompress((dist / "wijkld.nt.gz").read_bytes()), format="nt")
    context = jsonld.context_from_kinds(_kinds_of_chunks(graph, 7))
    assert jsonld.dumps(context) == (dist / "context.jsonld").read_bytes()
    assert _compacted(_chunks(graph, 7), context) == (dist / "wijkld.jsonld").read_bytes()
    for name, view in jsonld.VIEWS.items():
        assert _tree(graph, context, view) == (dist / "framed" / f"{name}.jsonld").read_bytes(), name


def test_write_compacted_writes_each_chunk_before_it_asks_for_the_next(pilot: Graph) -> None:
    """Lazy: when the next chunk is asked for, every node of the chunks before is already written."""
    context = jsonld.build_context(pilot)
    expected = jsonld.dumps(jsonld.compact(pilot, context))
    handle = io.BytesIO()
    written: list[int] = []
    chunks = list(_chunks(pilot, 50))

    def lazily() -> Iterator[Graph]:
        for chunk in chunks:
            written.append(len(handle.getvalue()))
            yield chunk
        written.append(len(handle.getvalue()))

    jsonld.write_compacted(lazily(), context, handle)
    assert handle.getvalue() == expected
    assert len(chunks) > 5
    assert written[1] > 0, "nothing was written before the second chunk was asked for"
    assert written == sorted(set(written)), "some chunk wrote nothing before the next was asked for"
    for chunk, length in zip(chunks, written[1:], strict=True):
        last = max(str(s) for s in chunk.subjects())
        assert f'"id": "{last}"'.encode() in handle.getvalue()[:length], "a chunk's nodes were held back"


# --- edge cases ---------------------------------------------------------------------------------------


def test_the_empty_graph_gives_the_bytes_it_gives_now() -> None:
    empty = Graph()
    for context in (jsonld.build_context(empty), jsonld.build_context(_example())):
        expected = jsonld.dumps(jsonld.compact(empty, context))
        assert expected.endswith(b'"@graph": []\n}\n')
        assert _compacted([], context) == expected
        assert _compacted([Graph(), Graph()], context) == expected
        assert _compacted(iter([]), context) == expected
        for view in jsonld.VIEWS.values():
            assert _tree(empty, context, view) == jsonld.dumps(jsonld.tree(empty, context, view))
            assert _tree(Graph(store="Oxigraph"), context, view) == jsonld.dumps(jsonld.tree(empty, context, view))
    assert jsonld.predicate_kinds(empty) == jsonld.merge_kinds() == jsonld.Kinds()
    assert jsonld.context_from_kinds(jsonld.merge_kinds()) == jsonld.build_context(empty)


def test_chunks_out_of_order_are_refused() -> None:
    graph = _example()
    context = jsonld.build_context(graph)
    chunks = list(_chunks(graph, 2))
    with pytest.raises(ValueError, match="ascending subject order"):
        _compacted([chunks[1], chunks[0]], context)
    with pytest.raises(ValueError, match="ascending subject order"):
        _compacted([chunks[0], chunks[0]], context)  # one subject's triples in two chunks


@pytest.mark.parametrize("spill", [0, 200, 1 << 30])
def test_subjects_that_compact_to_curies_are_reordered_through_queues(spill: int) -> None:
    """Subjects in the prefixes' namespaces sort by their CURIE, not their IRI; the queues may spill to disk."""
    graph = Graph()
    for prefix, namespace in sorted(PREFIXES.items()):
        for i in range(5):
            for subject in (URIRef(f"{namespace}s{i}"), URIRef(f"http://{prefix}.example/s{i}")):
                graph.add((subject, RDFS.label, Literal(f"{prefix} {i}", lang="en")))
                graph.add((subject, SCHEMA.about, URIRef(f"{namespace}s{4 - i}")))
    context = jsonld.build_context(graph)
    expected = jsonld.dumps(jsonld.compact(graph, context))
    with mock.patch.object(jsonld, "_SPILL_BYTES", spill):
        for size in (1, 3, ALL):
            assert _compacted(_chunks(graph, size), context) == expected


def test_kinds_merge_is_a_union_per_predicate() -> None:
    a = jsonld.Kinds({"http://example.org/p": {"@id"}})
    b = jsonld.Kinds({"http://example.org/p": {"@language"}, "http://example.org/q": {XSD_STRING}})
    merged = a.merge(b)
    assert merged == jsonld.merge_kinds(a, b) == jsonld.merge_kinds(b, a)
    assert dict(merged) == {"http://example.org/p": {"@id", "@language"}, "http://example.org/q": {XSD_STRING}}
    assert dict(a) == {"http://example.org/p": {"@id"}}  # merging makes a new Kinds


# --- generated graphs ---------------------------------------------------------------------------------

ID = "https://w3id.org/wijkld/id/"
WIJKLD_DEF = str(PREFIXES["wijkld"])
SUBJECTS = [
    URIRef(iri)
    for iri in (
        f"{ID}wijk/a",
        f"{ID}wijk/b",
        f"{ID}persoon/c",
        f"{ID}persoon/é",
        f"{ID}lidmaatschap/d",
        f"{ID}adoptieteam/e",
        f"{WIJKLD_DEF}d1",
        "https://schema.org/t1",
        "http://www.w3.org/ns/org#o1",
        "http://purl.org/dc/terms/s1",
        "http://example.org/a",
        "urn:example:z",
    )
]
NOT_A_SUBJECT = URIRef(f"{ID}elsewhere")
CLASSES = [URIRef(WIJKLD_DEF + "Wijk"), SCHEMA.Person, ORG.Membership, URIRef("http://example.org/C")]
#: Properties the views follow: only IRIs as values (tree() itself fails on other values there).
LINKS = [
    GEO.sfWithin,
    URIRef(WIJKLD_DEF + "wijk"),
    URIRef(WIJKLD_DEF + "theme"),
    ORG.hasMembership,
    ORG.member,
    ORG.role,
    URIRef(WIJKLD_DEF + "representing"),
    ORG.memberDuring,
    TIME.hasBeginning,
    TIME.hasEnd,
    ORG.memberOf,
    ORG.organization,
]
#: Followed by :data:`REF_VIEW`: plain literals only, some of them spelling a node's id.
REF = URIRef("http://example.org/vocab#ref")
DATA = [
    SCHEMA.name,
    SKOS.prefLabel,
    RDFS.label,
    URIRef("http://example.org/vocab#name"),
    URIRef("http://example.org/other/label"),
    URIRef(WIJKLD_DEF + "cbsCode"),
    URIRef("http://example.org/vocab#count"),
]
LITERALS = st.one_of(
    st.builds(Literal, st.text(max_size=4)),
    st.builds(lambda t: Literal(t, datatype=XSD.string), st.text(max_size=4)),
    st.builds(lambda t, lang: Literal(t, lang=lang), st.text(max_size=4), st.sampled_from(["nl", "en"])),
    st.sampled_from(
        [
            Literal("1", datatype=XSD.integer),
            Literal("2024-01-02", datatype=XSD.date),
            Literal("x", datatype=URIRef("http://example.org/dt")),
            Literal(f"{ID}wijk/a"),  # text that is a node's id
        ]
    ),
)
_LINK_TRIPLES = st.tuples(
    st.sampled_from(SUBJECTS), st.sampled_from(LINKS), st.sampled_from([*SUBJECTS, NOT_A_SUBJECT])
)
TRIPLES = st.one_of(
    st.tuples(st.sampled_from(SUBJECTS), st.just(RDF.type), st.sampled_from(CLASSES)),
    _LINK_TRIPLES,
    _LINK_TRIPLES,
    _LINK_TRIPLES,
    st.tuples(st.sampled_from(SUBJECTS), st.sampled_from(DATA), st.one_of(LITERALS, st.sampled_from(SUBJECTS))),
    st.tuples(st.sampled_from(SUBJECTS), st.just(REF), st.sampled_from([Literal(str(s)) for s in SUBJECTS])),
)
#: Most subjects typed with the views' root types, so that there are trees to compare.
TYPES = st.lists(st.sampled_from([None, *CLASSES]), min_size=len(SUBJECTS), max_size=len(SUBJECTS)).map(
    lambda classes: [(s, RDF.type, c) for s, c in zip(SUBJECTS, classes, strict=True) if c is not None]
)
REF_VIEW = jsonld.View(
    type="wijkld:Wijk",
    context={"referrers": {"@reverse": "http://example.org/vocab#ref", "@container": "@set"}},
    embed={
        "ref": jsonld.Embed({"sfWithin": jsonld.Embed(), "ref": jsonld.Embed()}),
        "referrers": jsonld.Embed({"ref": jsonld.Embed()}, reverse_of="ref"),
        "wijk": jsonld.Embed(),
        "absent": jsonld.Embed(),
        "pointers": jsonld.Embed(reverse_of="absent"),
        "linked": jsonld.Embed(reverse_of="sfWithin"),
    },
)


_TERMS = [*(jsonld._local_name(str(link)) for link in LINKS), "ref", "absent"]
_EMBEDS = st.recursive(
    st.just({}),
    lambda children: st.dictionaries(
        st.sampled_from([*_TERMS, "back", "forth"]),
        st.builds(jsonld.Embed, children, st.none() | st.sampled_from(_TERMS)),
        min_size=1,
        max_size=4,
    ),
    max_leaves=10,
)
#: Views of any shape over the generated graphs: forward and reverse links, nested.
VIEWS = st.builds(
    jsonld.View,
    type=st.sampled_from(["wijkld:Wijk", "schema:Person", "org:Membership", "http://example.org/C", "org:Nothing"]),
    embed=_EMBEDS.filter(bool),
    context=st.just({}),
)


def _example() -> Graph:
    graph = Graph()
    for i, subject in enumerate(SUBJECTS):
        graph.add((subject, RDF.type, CLASSES[i % len(CLASSES)]))
        graph.add((subject, GEO.sfWithin, SUBJECTS[(i + 1) % len(SUBJECTS)]))
        graph.add((subject, SCHEMA.name, Literal(f"n{i}")))
    return graph


def _graph(triples: list[tuple[Node, Node, Node]], store: str = "default") -> Graph:
    graph = Graph(store=store)
    for triple in triples:
        graph.add(triple)
    return graph


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    TYPES,
    st.lists(TRIPLES, min_size=20, max_size=80),
    st.sampled_from([1, 2, 5, ALL]),
    st.sampled_from(["default", "Oxigraph"]),
    st.sampled_from([0, 1 << 30]),
    VIEWS,
)
def test_generated_graphs_give_the_same_bytes(
    types: list[tuple[Node, Node, Node]],
    triples: list[tuple[Node, Node, Node]],
    size: int,
    store: str,
    spill: int,
    view: jsonld.View,
) -> None:
    graph = _graph(types + triples, store)
    context = jsonld.build_context(graph)
    assert jsonld.context_from_kinds(_kinds_of_chunks(graph, size)) == context
    if store == "Oxigraph":  # a store's plain literals are xsd:strings: the same context and bytes as in memory
        memory = _graph(list(graph))
        assert jsonld.build_context(memory) == context
        assert jsonld.dumps(jsonld.compact(memory, context)) == jsonld.dumps(jsonld.compact(graph, context))
    with mock.patch.object(jsonld, "_SPILL_BYTES", spill):
        assert _compacted(_chunks(graph, size), context) == jsonld.dumps(jsonld.compact(graph, context))
    for each in [*jsonld.VIEWS.values(), REF_VIEW, view]:
        assert _tree(graph, context, each) == jsonld.dumps(jsonld.tree(graph, context, each))
