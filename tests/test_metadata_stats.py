"""VoID statistics by SPARQL aggregates (metadata.data_stats), in a memory and an Oxigraph store; files on disk."""

from __future__ import annotations

import functools
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from wijkld.model import mapping
from wijkld.model.iris import DEFAULT_BASE, Minter
from wijkld.model.terms import oxigraph_terms
from wijkld.model.vocab import PREFIXES, RDF, VOID, XSD
from wijkld.publish import metadata
from wijkld.publish import serialize as publish
from wijkld.records import load as records

REPO = Path(__file__).resolve().parents[1]
DIST = REPO / "dist"


def counted_in_python(data: Graph) -> metadata.DataStats:
    """The statistics as metadata._void counted them before data_stats: over the graph's terms, in Python."""
    subjects = {s for s in data.subjects() if isinstance(s, URIRef)}
    objects = {o for o in data.objects()}
    used = {str(p) for p in data.predicates()} | {str(o) for o in data.objects(None, RDF.type)}
    vocabularies = sorted(str(ns) for ns in PREFIXES.values() if any(iri.startswith(str(ns)) for iri in used))
    classes = Counter(o for _, o in data.subject_objects(RDF.type) if isinstance(o, URIRef))
    properties = Counter(p for p in data.predicates() if isinstance(p, URIRef))
    return metadata.DataStats(
        triples=len(data),
        entities=len(subjects),
        distinct_objects=len(objects),
        classes=tuple(sorted(classes.items())),
        properties=tuple(sorted(properties.items())),
        vocabularies=tuple(vocabularies),
    )


def in_oxigraph(data: Graph) -> Graph:
    graph = Graph(store="Oxigraph")
    graph += data
    return graph


def in_store(data: Graph) -> ox.Store:
    """The store itself, as the build counts it (no rdflib between)."""
    store = ox.Store()
    store.extend(ox.Quad(*oxigraph_terms(t, blank_nodes=True), ox.DefaultGraph()) for t in data)  # type: ignore[arg-type]
    return store


@functools.cache
def pilot() -> tuple[records.Records, Minter, Graph]:
    """The records of the committed data, and their data graph (in memory), as `wijkld build` maps them."""
    recs = records.load(REPO / "data")
    minter = Minter(DEFAULT_BASE)
    return recs, minter, mapping.to_graph(recs, minter)


def test_pilot_statistics_are_the_same_in_memory_in_oxigraph_and_in_python() -> None:
    data = pilot()[2]
    stored = in_oxigraph(data)
    assert type(stored.store).__name__ == "OxigraphStore"
    expected = counted_in_python(data)
    assert metadata.data_stats(data) == expected
    assert metadata.data_stats(stored) == expected
    assert metadata.data_stats(in_store(data)) == expected
    assert counted_in_python(stored) == expected
    # the numbers dist/void.ttl publishes
    assert (expected.triples, expected.entities, expected.distinct_objects) == (6702, 539, 3649)
    assert (len(expected.classes), len(expected.properties), len(expected.vocabularies)) == (43, 106, 12)


def test_void_of_the_pilot_is_the_published_one_with_the_statistics_of_either_store() -> None:
    """void.ttl, byte for byte, from statistics counted in memory or in Oxigraph."""
    recs, minter, data = pilot()
    published = (DIST / "void.ttl").read_bytes()
    examples = Graph().parse(DIST / "void.ttl", format="turtle").objects(None, VOID.exampleResource)
    common = {
        "records": recs,
        "minter": minter,
        "files": (),
        "download_base": minter.downloads,
        "example_resources": tuple(sorted(e for e in examples if isinstance(e, URIRef))),
    }
    for stats in (metadata.data_stats(data), metadata.data_stats(in_oxigraph(data))):
        assert publish.turtle(metadata.void(metadata.Release(stats=stats, **common))) == published  # type: ignore[arg-type]


IRIS = [URIRef(f"http://example.org/{name}") for name in ("a", "a/b", "a#c", "b", "C", "C/D")]
IRIS += [URIRef(str(PREFIXES["schema"]) + "Person"), URIRef(str(PREFIXES["skos"]) + "prefLabel"), RDF.type]
TERMS: list[Node] = [
    *IRIS,
    BNode("x"),
    BNode("y"),
    Literal("a"),
    Literal("a", lang="nl"),
    Literal("a", lang="en"),
    Literal("1", datatype=XSD.integer),
    Literal("2020-01-01", datatype=XSD.date),
    Literal("http://example.org/a"),
]
triples = st.tuples(st.sampled_from([*IRIS, BNode("x")]), st.sampled_from(IRIS), st.sampled_from(TERMS))


@settings(max_examples=60, deadline=None)  # rdflib parses four queries an example
@given(st.lists(triples, max_size=40))
def test_statistics_agree_in_both_stores_and_with_python(found: list[tuple[Node, Node, Node]]) -> None:
    """Blank nodes, literals and classes that are no IRI (rdf:type with a literal): the stores count the same."""
    data = Graph()
    for triple in found:
        data.add(triple)  # type: ignore[arg-type]
    expected = counted_in_python(data)
    assert metadata.data_stats(data) == expected
    assert metadata.data_stats(in_oxigraph(data)) == expected
    assert metadata.data_stats(in_store(data)) == expected


def test_plain_and_xsd_string_literals_are_two_terms_in_memory_and_one_in_oxigraph() -> None:
    """What the docstring of data_stats says: each store counts its own terms, as the counting before did.

    RDF 1.1 makes "a" and "a"^^xsd:string one term; Oxigraph keeps them as one, as the N-Triples dump (written
    by Oxigraph) does, rdflib's memory store as two. The mapping makes no xsd:string literals (the pilot test).
    """
    s, p = URIRef("http://example.org/s"), URIRef("http://example.org/p")
    data = Graph()
    data.add((s, p, Literal("a")))
    data.add((s, p, Literal("a", datatype=XSD.string)))
    memory, stored = metadata.data_stats(data), metadata.data_stats(in_oxigraph(data))
    assert memory == counted_in_python(data)
    assert (memory.triples, memory.distinct_objects) == (2, 2)
    assert (stored.triples, stored.distinct_objects) == (1, 1) == (len(publish.ntriples_lines(data)), 1)


def test_a_file_on_disk_is_described_as_its_content() -> None:
    names = sorted(
        str(path.relative_to(DIST)) for path in DIST.rglob("*") if metadata.is_download(str(path.relative_to(DIST)))
    )
    assert "wijkld.nt.gz" in names and any(name.startswith("framed/") for name in names)
    for name in names:
        path = DIST / name
        assert metadata.describe_path(name, path) == metadata.describe_file(name, path.read_bytes())


def test_a_file_larger_than_a_block_is_hashed_whole(tmp_path: Path) -> None:
    path = tmp_path / "wijkld.nt.gz"
    content = bytes(range(256)) * 5000 + b"tail"  # over a MiB: more than one block of file_digest
    path.write_bytes(content)
    described = metadata.describe_path("wijkld.nt.gz", path)
    assert described == metadata.describe_file("wijkld.nt.gz", content)
    assert described.size == len(content) and described.compressed
    assert metadata.describe_file("wijkld.nq.gz", None).size is None
