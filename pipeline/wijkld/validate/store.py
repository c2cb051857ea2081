"""Validates a build's data where it lives (:mod:`wijkld.model.dataset`), at every size, into one W3C report.

* ``shacl`` engine (``auto`` takes it where it gives pyshacl's results): it reads the data's
  N-Triples file (written once by the build, ontology axioms appended), while the SPARQL
  constraints run as one query each over the store (:mod:`wijkld.validate.sparql_pass`) in this thread
  (the engine releases the GIL). The passes' results become report triples shaped as the engine
  writes its own, so the published ``validation-report.ttl`` does not depend on which of the two
  found a result (``tests/test_validate_store.py``).
* ``pyshacl``: the reference, over the store's rdflib view.

The CSV records are not this module's concern: the build turns focus nodes into file and line
(:mod:`wijkld.model.locate`).
"""

from __future__ import annotations

import gzip
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from wijkld.errors import WijkldError
from wijkld.model.dataset import Data
from wijkld.model.terms import OxigraphTerms, from_oxigraph, oxigraph_terms
from wijkld.model.vocab import RDF, SH
from wijkld.validate import engine as validate
from wijkld.validate import pyshacl_support, sparql_pass


def check(data: Data, ntriples: Path, shapes: Graph, ontology: Graph, *, engine: str = "auto") -> validate.Report:
    """Validate ``data``, whose N-Triples (each triple once) are in ``ntriples`` (plain or gzipped)."""
    if engine not in validate.ENGINES:
        raise WijkldError(f"unknown validation engine {engine!r}; expected one of {', '.join(validate.ENGINES)}")
    if engine != "pyshacl":
        try:
            return _with_engine(data, ntriples, shapes, ontology)
        except validate.EngineGap as gap:
            if engine == "shacl":
                raise validate.refusal(gap) from None
    return validate.check(data.graph, shapes, ontology, engine="pyshacl")


def _with_engine(data: Data, ntriples: Path, shapes: Graph, ontology: Graph) -> validate.Report:
    gap = validate.fast_engine_gap(shapes)
    if gap is not None:
        raise validate.EngineGap(gap)
    scratch = ntriples.with_name(ntriples.name.removesuffix(".gz").removesuffix(".nt") + ".engine.nt")
    mixin: list[OxigraphTerms] = []
    core, passes = sparql_pass.split(shapes)
    try:
        mixin = write_engine_input(data.store, ntriples, ontology, scratch)
        with ThreadPoolExecutor(max_workers=1) as pool:
            running = pool.submit(validate.validate_file, scratch, core)
            found = sparql_pass.find(data.store, passes, shapes)
            report = running.result()
    finally:
        scratch.unlink(missing_ok=True)
        # the axioms were added for the passes' targets; the store holds the published data only
        for triple in mixin:
            data.store.remove(ox.Quad(*triple, ox.DefaultGraph()))
    if validate.names_blank_nodes(report):
        raise validate.EngineGap("its report names blank nodes of the data, which it renames")
    return merged(report, found, shapes)


def write_engine_input(store: ox.Store, ntriples: Path, ontology: Graph, scratch: Path) -> list[OxigraphTerms]:
    """The engine's input at ``scratch``: the data's N-Triples, then the ontology axioms the store lacks.

    The axioms are added to ``store`` too (the passes' targets follow rdfs:subClassOf) and returned,
    so that the caller can take them out again. Raises :class:`wijkld.validate.EngineGap` for a
    literal whose lexical form the engine does not check.
    """
    mixin = [oxigraph_terms(triple, blank_nodes=True) for triple in pyshacl_support.ontology_mixin(ontology)]
    missing = sorted(
        (t for t in mixin if ox.Quad(*t, ox.DefaultGraph()) not in store), key=lambda t: str(ox.Triple(*t))
    )
    opener: Any = gzip.open if ntriples.name.endswith(".gz") else open
    with opener(ntriples, "rb") as source, open(scratch, "wb") as sink:
        while chunk := source.read(1 << 24) + source.readline():
            bad = validate.first_unchecked_ill_typed(validate.unchecked_literals_in(chunk))
            if bad is not None:
                raise validate.EngineGap(f"it does not check the lexical form of {bad.n3()}")
            sink.write(chunk)
        written = ox.serialize([ox.Triple(*t) for t in missing], format=ox.RdfFormat.N_TRIPLES)
        assert isinstance(written, bytes)
        sink.write(written)
    store.extend(ox.Quad(*t, ox.DefaultGraph()) for t in missing)  # last: nothing above leaves them behind
    return missing


def merged(report: validate.Report, found: list[sparql_pass.Found], shapes: Graph) -> validate.Report:
    """The engine's report with the passes' results added, as if the engine had found them."""
    graph = Graph()
    graph += report.graph
    tops = list(graph.subjects(RDF.type, SH.ValidationReport))
    assert len(tops) == 1, "the engine writes one sh:ValidationReport"
    top = tops[0]
    for item in found:
        node = BNode()
        graph.add((top, SH.result, node))
        for p, o in _result_triples(item, shapes, graph):
            graph.add((node, p, o))
    results = tuple(sorted([*report.results, *(item.result for item in found)], key=validate.Result.sort_key))
    conforms = not any(r.severity == "violation" for r in results)
    graph.set((top, SH.conforms, Literal(conforms)))
    return validate.Report(conforms, results, graph)


def _result_triples(item: sparql_pass.Found, shapes: Graph, graph: Graph) -> list[tuple[URIRef, Node]]:
    found, solution = item.found, item.solution
    triples: list[tuple[URIRef, Node]] = [
        (RDF.type, SH.ValidationResult),
        (SH.focusNode, _term(solution["this"])),
        (SH.resultSeverity, found.severity),
        (SH.sourceConstraint, found.constraint),
        (SH.sourceConstraintComponent, SH.SPARQLConstraintComponent),
        (SH.sourceShape, found.shape),
    ]
    triples += [(SH.resultMessage, Literal(text, lang=lang or None)) for lang, text in item.result.messages]
    if "value" in solution:
        triples.append((SH.value, _term(solution["value"])))
    if "path" in solution:
        triples.append((SH.resultPath, _term(solution["path"])))
    elif found.path is not None:
        triples.append((SH.resultPath, _copied(found.path, shapes, graph)))
    return triples


def _term(term: object) -> Node:
    return from_oxigraph(term, "", Path("store"))


def _copied(node: Node, shapes: Graph, graph: Graph) -> Node:
    """A path as the engine reports it: an IRI as it is, a complex path copied from the shapes."""
    if not isinstance(node, BNode):
        return node
    copies: dict[Node, BNode] = {}

    def copy(n: Node) -> Node:
        if not isinstance(n, BNode):
            return n
        if n not in copies:
            copies[n] = BNode()
            for p, o in shapes.predicate_objects(n):
                graph.add((copies[n], p, copy(o)))
        return copies[n]

    return copy(node)
