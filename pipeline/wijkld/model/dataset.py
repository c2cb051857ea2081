"""The mapped data between the stages of a build: one Oxigraph store on disk, at every size.

The mapping writes N-Triples part files; they are bulk-loaded into a store in the build's
scratch folder, and every later stage reads from there: the validator (its N-Triples input and
the SPARQL passes), the dumps (Oxigraph triples in runs of subjects, so that no stage holds the
whole data: :meth:`Data.triple_runs`), the pages, framed views and tables (lookups through rdflib's
Graph API, answered by the store, or by one run in memory where the data is that small:
:attr:`Data.view`). The store is the one
representation of the data, so every file of a release tells the same story: Oxigraph
normalises some literals as it stores them (``"01"^^xsd:integer`` becomes ``"1"``), and what
is validated is what is published.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

#: Subjects per run: bounds what a writer holds at a time (a pilot resource has about 12 triples).
RUN_SUBJECTS = 2_000

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
KINDS_QUERY = """
SELECT DISTINCT ?p ?kind WHERE {
  ?s ?p ?o .
  FILTER(?p != <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> && !isBlank(?o))
  BIND(IF(isIRI(?o), "@id", IF(lang(?o) != "", "@language", STR(datatype(?o)))) AS ?kind)
}
"""


def store_from_ntriples(paths: Iterable[Path], store_path: Path) -> ox.Store:
    """Bulk-load N-Triples (optionally gzipped) into an on-disk Oxigraph store."""
    store = ox.Store(str(store_path))
    for path in paths:
        opener = gzip.open if str(path).endswith(".gz") else open
        with opener(path, "rb") as handle:
            # pyoxigraph reads any binary file object; its stub asks for IO[bytes], which GzipFile is not
            store.bulk_load(handle, ox.RdfFormat.N_TRIPLES)  # type: ignore[arg-type]
    store.flush()
    return store


@dataclass
class Data:
    """The data of one build: the store, a read-only rdflib view of it, and its subjects in IRI order."""

    store: ox.Store
    graph: Graph
    subjects: list[str]
    path: Path | None = None  # where the store is on disk; None in memory
    _nodes: dict[str, URIRef] = field(default_factory=dict, repr=False)
    _whole: Graph | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.store)

    @property
    def view(self) -> Graph:
        """The data for lookups through rdflib's Graph API: the store's :attr:`graph`, or, where all
        subjects fit in one run, that run in memory (read once, a tenth of the time per lookup).

        The same triples either way, so what is published does not depend on it; do not modify it.
        """
        if len(self.subjects) > RUN_SUBJECTS:
            return self.graph
        if self._whole is None:
            self._whole = self.graph_of(self.subjects)
        return self._whole

    def triple_runs(
        self, key: Callable[[ox.Triple], Any] | None = None, size: int = RUN_SUBJECTS
    ) -> Iterator[list[ox.Triple]]:
        """The store's triples as Oxigraph terms, a run of ``size`` subjects at a time (subjects in IRI order),
        each run sorted by ``key`` if given: what a writer that takes Oxigraph terms reads, with no rdflib term
        made."""
        for start in range(0, len(self.subjects), size):
            triples = list(self._triples_of(self.subjects[start : start + size]))
            if key is not None:
                triples.sort(key=key)
            yield triples

    def write_ntriples(self, handle: BinaryIO, size: int = RUN_SUBJECTS) -> None:
        """The data as canonical N-Triples, sorted bytewise and without duplicates, a run of subjects at a time.

        Straight from the store's terms to text (no rdflib terms): the same bytes as
        :func:`wijkld.publish.serialize.ntriples_lines` of the whole data, in bounded memory.
        """
        order = sorted(self.subjects, key=lambda s: s + ">")  # the order of their lines: "<iri>" bytewise
        for start in range(0, len(order), size):
            out = io.BytesIO()
            ox.serialize(self._triples_of(order[start : start + size]), out, format=ox.RdfFormat.N_TRIPLES)
            handle.writelines(sorted(set(out.getvalue().splitlines(keepends=True))))

    def _triples_of(self, subjects: Iterable[str]) -> Iterator[ox.Triple]:
        default = ox.DefaultGraph()
        for subject in subjects:
            for quad in self.store.quads_for_pattern(ox.NamedNode(subject), None, None, default):
                yield ox.Triple(quad.subject, quad.predicate, quad.object)

    def predicate_kinds(self) -> dict[str, set[str]]:
        """Per predicate, the kinds of value it has (``"@id"``, ``"@language"`` or the datatype IRI), rdf:type and
        blank-node objects left out: what :class:`wijkld.publish.jsonld.Kinds` holds, in one query."""
        found = self.store.query(KINDS_QUERY)
        assert isinstance(found, ox.QuerySolutions)
        kinds: dict[str, set[str]] = {}
        for row in found:
            kinds.setdefault(row["p"].value, set()).add(row["kind"].value)
        return kinds

    def graph_of(self, subjects: Iterable[str]) -> Graph:
        """An in-memory graph of the triples of ``subjects`` (plain strings as rdflib makes them)."""
        graph = Graph(store="SimpleMemory", bind_namespaces="none")  # no contexts: a third of the time to fill
        add = graph.add
        for subject in subjects:
            node = URIRef(subject)
            for quad in self.store.quads_for_pattern(ox.NamedNode(subject), None, None, ox.DefaultGraph()):
                add((node, self._node(quad.predicate.value), self._term(quad.object)))
        return graph

    def _node(self, iri: str) -> URIRef:
        found = self._nodes.get(iri)
        if found is None:
            if len(self._nodes) > 100_000:
                self._nodes.clear()
            found = self._nodes[iri] = URIRef(iri)
        return found

    def _term(self, term: object) -> Node:
        if isinstance(term, ox.NamedNode):
            return self._node(term.value)
        assert isinstance(term, ox.Literal), f"the data holds no blank nodes or triple terms: {term}"
        # as written (no rdflib normalisation), and an xsd:string as the plain literal the mapping made
        if term.language:
            return Literal(term.value, lang=term.language, normalize=False)
        if term.datatype.value == _XSD_STRING:
            return Literal(term.value, normalize=False)
        return Literal(term.value, datatype=self._node(term.datatype.value), normalize=False)


def load(parts: Iterable[Path], folder: Path) -> Data:
    """Bulk-load the mapping's N-Triples part files (plain or gzipped) into a new store in ``folder``."""
    store = store_from_ntriples(parts, folder)
    return over(store, folder)


def read_only(folder: Path) -> Data:
    """Another process's handle on a store :func:`load` made (it may still be open for writing there)."""
    return over(ox.Store.read_only(str(folder)), folder)


def over(store: ox.Store, path: Path | None = None) -> Data:
    """The :class:`Data` of a store whose default graph holds the data."""
    graph = Graph(store=OxigraphStore(store=store), identifier=DATASET_DEFAULT_GRAPH_ID)
    found = store.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o }")
    assert isinstance(found, ox.QuerySolutions)
    subjects = sorted(row[0].value for row in found if isinstance(row[0], ox.NamedNode))
    return Data(store, graph, subjects, path)


def from_graph(graph: Graph) -> Data:
    """:class:`Data` in memory from an rdflib graph (for tests and small tools; the build loads parts)."""
    from wijkld.model.terms import oxigraph_terms

    store = ox.Store()
    store.extend(ox.Quad(*oxigraph_terms(triple), ox.DefaultGraph()) for triple in graph)
    return over(store)
