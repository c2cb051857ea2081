"""Serialise graphs deterministically.

Every RDF file is written through these functions, which sort what rdflib
would otherwise emit in hash order. Where the files go, and how a release
replaces the previous one, is :mod:`wijkld.outdir`'s.
"""

from __future__ import annotations

import gzip
import heapq
import io
import shutil
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from wijkld.model.curie import used_prefixes
from wijkld.model.terms import from_oxigraph_skolemised, oxigraph_terms
from wijkld.model.vocab import PREFIXES, RDF

Quad = tuple[URIRef, URIRef, Node, URIRef | None]


def _predicate_order(p: URIRef) -> tuple[int, str]:
    return (0 if p == RDF.type else 1, str(p))


def sorted_triples(graph: Graph) -> list[tuple[URIRef, URIRef, Node]]:
    """Subjects in IRI order; rdf:type first within a subject, then by predicate and object."""
    triples = [(s, p, o) for s, p, o in graph if isinstance(s, URIRef) and isinstance(p, URIRef)]
    if len(triples) != len(graph):
        raise ValueError("the graph has blank-node subjects; every published resource needs an IRI")
    return sorted(triples, key=lambda t: (str(t[0]), _predicate_order(t[1]), _object_key(t[2])))


def _object_key(o: Node) -> tuple[str, str, str]:
    if isinstance(o, Literal):
        return ("1", str(o), f"{o.language or ''}|{o.datatype or ''}")
    return ("0", str(o), "")


def turtle(graph: Graph, prefixes: dict[str, str] | None = None) -> bytes:
    """Readable Turtle: all prefixes first, then one block per subject in IRI order."""
    names = prefixes if prefixes is not None else {p: str(ns) for p, ns in PREFIXES.items()}
    used = _used_prefixes(graph, names)
    triples = (ox.Triple(*oxigraph_terms(triple)) for triple in sorted_triples(graph))
    data = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=used)
    assert isinstance(data, bytes)
    return data


def _used_prefixes(graph: Graph, names: dict[str, str]) -> dict[str, str]:
    iris = {str(t) for triple in graph for t in triple if isinstance(t, URIRef)}
    iris |= {str(o.datatype) for o in graph.objects() if isinstance(o, Literal) and o.datatype}
    return used_prefixes(iris, names)


def ntriples_lines(graph: Graph) -> list[bytes]:
    """Canonical N-Triples lines (as Oxigraph writes them), sorted bytewise, without duplicates."""
    out = io.BytesIO()
    ox.serialize((ox.Triple(*oxigraph_terms(triple)) for triple in graph), out, format=ox.RdfFormat.N_TRIPLES)
    return sorted(set(out.getvalue().splitlines(keepends=True)))


def nquads_lines(graphs: Iterable[tuple[str, Graph]]) -> list[bytes]:
    """Sorted N-Quads lines; each graph goes into the named graph with the given IRI."""
    out = io.BytesIO()
    quads = (ox.Quad(*oxigraph_terms(triple), ox.NamedNode(name)) for name, graph in graphs for triple in graph)
    ox.serialize(quads, out, format=ox.RdfFormat.N_QUADS)
    return sorted(set(out.getvalue().splitlines(keepends=True)))


def write_turtle(runs: Iterable[Sequence[ox.Triple]], path: Path, prefixes: dict[str, str] | None = None) -> None:
    """:func:`turtle` of the union of ``runs``: Oxigraph triples of consecutive subjects, each run in the order
    of :func:`sorted_triples` (:meth:`wijkld.model.dataset.Data.triple_runs`), written one run at a time.

    The prefix lines name what the whole data uses, which is known at the end: the body goes to
    ``{path}.body`` first. Each run is serialised with every prefix, which gives the same text as the
    used ones (a prefix only shortens IRIs it is the namespace of).
    """
    names = prefixes if prefixes is not None else {p: str(ns) for p, ns in PREFIXES.items()}
    used: set[str] = set()
    first: ox.Triple | None = None
    body_path = path.with_name(path.name + ".body")
    with open(body_path, "wb") as body:
        for triples in runs:
            if not triples:
                continue
            first = first or triples[0]
            used |= set(used_prefixes(_iris(triples), names))
            data = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=names)
            assert isinstance(data, bytes)
            body.write(data.split(b"\n", len(names))[-1] if names else data)
    with open(path, "wb") as out:
        if first is not None:
            header = {p: ns for p, ns in sorted(names.items()) if p in used}
            written = ox.serialize([first], format=ox.RdfFormat.TURTLE, prefixes=header)
            assert isinstance(written, bytes)
            out.write(b"".join(written.splitlines(keepends=True)[: len(header)]))
        with open(body_path, "rb") as body:
            shutil.copyfileobj(body, out, 1 << 20)
    body_path.unlink()


#: Datatypes a literal has without writing them: Turtle writes neither, so they use no prefix.
_IMPLICIT_DATATYPES = frozenset({"http://www.w3.org/2001/XMLSchema#string", str(RDF.langString)})


def _iris(triples: Iterable[ox.Triple]) -> set[str]:
    """The IRIs Turtle writes for ``triples``: terms, and the datatypes of typed literals."""
    found: set[str] = set()
    for triple in triples:
        for term in (triple.subject, triple.predicate, triple.object):
            if isinstance(term, ox.NamedNode):
                found.add(term.value)
            elif isinstance(term, ox.Literal) and term.datatype.value not in _IMPLICIT_DATATYPES:
                found.add(term.datatype.value)
    return found


def oxigraph_sort_key(triple: ox.Triple) -> tuple[str, tuple[int, str], tuple[str, str, str]]:
    """:func:`sorted_triples`'s order for an Oxigraph triple: the same place as its rdflib terms take there."""
    s, o = triple.subject, triple.object
    if isinstance(o, ox.Literal):
        language = o.language or ""
        datatype = "" if language or o.datatype.value in _IMPLICIT_DATATYPES else o.datatype.value
        key = ("1", o.value, f"{language}|{datatype}")
    elif isinstance(o, ox.NamedNode | ox.BlankNode):
        key = ("0", o.value, "")
    else:
        raise ValueError(f"RDF 1.2 triple terms are not published: {triple}")
    if not isinstance(s, ox.NamedNode | ox.BlankNode):
        raise ValueError(f"RDF 1.2 triple terms are not published: {triple}")
    p = triple.predicate.value
    return (s.value, (0 if p == _RDF_TYPE else 1, p), key)


_RDF_TYPE = str(RDF.type)


def merged_nquads(
    data_ntriples: Iterable[bytes],
    data_graph: str,
    graphs: Iterable[tuple[str, Graph]],
    elsewhere: Mapping[bytes, str] | None = None,
) -> Iterator[bytes]:
    """:func:`nquads_lines` of the data (its sorted N-Triples lines, streamed) and of small graphs, merged.

    ``elsewhere``: N-Triples lines of the data that go into another named graph than ``data_graph``
    (the statements that rest on a basis, :meth:`wijkld.model.mapping.Mapper.graphs_of_statements`).
    N-Quads lines sort as the N-Triples lines they extend (the graph name comes after the object,
    after the same space), so a merge of sorted streams gives the sorted whole.
    """
    suffix = f" <{data_graph}> .\n".encode()
    moved = {line: f" <{graph}> .\n".encode() for line, graph in (elsewhere or {}).items()}
    data = (line[:-3] + moved.get(line, suffix) for line in data_ntriples)
    previous = None
    for line in heapq.merge(data, nquads_lines(graphs)):
        if line != previous:
            yield line
            previous = line


def gzip_file(source: Path, target: Path) -> None:
    """:func:`gzip_bytes` of a file, read in blocks: the same bytes."""
    with open(source, "rb") as handle, open(target, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as packed:
            shutil.copyfileobj(handle, packed, 1 << 20)


def gzip_writer(raw: BinaryIO) -> gzip.GzipFile:
    """A writer giving :func:`gzip_bytes` of what is written, into ``raw``."""
    return gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9)


def gzip_bytes(data: bytes) -> bytes:
    """gzip with no file name and no timestamp in the header, so the bytes are reproducible."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as handle:
        handle.write(data)
    return buffer.getvalue()


def write_file(folder: Path, name: str, data: bytes) -> Path:
    """Write one file of a release; a failure names the file (``write`` alone does not say which)."""
    path = folder / name
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    return path


def skolemise(graph: Graph, prefix: str) -> Graph:
    """Replace blank nodes by IRIs ``{prefix}{canonical label}`` (RDFC-1.0 via Oxigraph).

    Canonical labels depend only on the graph's content, so the IRIs are stable
    across runs and hash seeds; graphs without blank nodes are returned as they are.
    """
    if not any(isinstance(t, BNode) for triple in graph for t in triple):
        return graph
    dataset = ox.Dataset(ox.Quad(*oxigraph_terms(triple, blank_nodes=True), ox.DefaultGraph()) for triple in graph)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    result = Graph(bind_namespaces="none")
    for prefix_name, namespace in graph.namespaces():
        result.bind(prefix_name, namespace)
    for quad in dataset:
        result.add(
            (
                from_oxigraph_skolemised(quad.subject, prefix),
                from_oxigraph_skolemised(quad.predicate, prefix),
                from_oxigraph_skolemised(quad.object, prefix),
            )
        )
    return result
