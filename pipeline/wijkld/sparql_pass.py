"""SHACL-SPARQL constraints in one pass over a whole store, instead of once per focus node.

A SPARQL constraint is a query run for each focus node with ``$this`` bound. Engines
evaluate it that way (pyshacl through rdflib, the ``shacl`` engine through
spareval), and a pattern that does not start from ``$this`` then scans the data once
per focus node: quadratic (1M triples: 44 s for one constraint on the ``shacl``
engine). Here each such constraint becomes one query over the Oxigraph store, its
focus nodes joined in from the shape's targets, so the database plans the join once.

The answers are the same as per focus node wherever ``$this`` is bound by the query's
own patterns before it is used (SPARQL 1.1 then substitutes it into ``FILTER NOT
EXISTS`` just as pre-binding would); :func:`split` only takes ``sh:select``
constraints without ``$PATH``, ``$currentShape``, ``$shapesGraph``, ``VALUES``,
``MINUS``, ``SERVICE`` or ``GRAPH``, on shapes that are targeted themselves (or are
property shapes of targeted node shapes) and used by no other shape. The rest stay
in the shapes graph, for the engine. ``tests/test_sparql_pass.py`` checks the
results against the ``shacl`` engine's on every fixture of the shapes suite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from .validate import SEVERITY_NAMES, EngineGap, Result, from_oxigraph, path_text, shape_name, term_nt
from .vocab import OWL, RDF, RDFS, SH

#: Shape parameters that evaluate another shape on value nodes: a shape used through one is not targeted alone.
NESTING = (SH.node, SH["or"], SH["and"], SH.xone, SH["not"], SH.qualifiedValueShape)
#: What a query may not hold for its answers to equal pre-binding, or that needs bindings this pass does not give.
UNSUPPORTED = re.compile(r"\$PATH|[$?]currentShape|[$?]shapesGraph|\bVALUES\b|\bMINUS\b|\bSERVICE\b|\bGRAPH\b", re.I)
_PLACEHOLDER = re.compile(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Pass:
    """One SPARQL constraint of one shape, as a query over the whole dataset."""

    shape: URIRef
    constraint: Node
    path: Node | None
    severity: URIRef
    messages: tuple[Literal, ...]
    query: str


def split(shapes: Graph) -> tuple[Graph, list[Pass]]:
    """The shapes without the SPARQL constraints that run as passes, and those passes (in a stable order)."""
    remaining = Graph()
    remaining += shapes
    passes = []
    for shape, constraint in sorted(shapes.subject_objects(SH.sparql), key=lambda pair: (str(pair[0]), str(pair[1]))):
        found = _pass(shapes, shape, constraint)
        if found is not None:
            passes.append(found)
            remaining.remove((shape, SH.sparql, constraint))
    return remaining, passes


def _pass(shapes: Graph, shape: Node, constraint: Node) -> Pass | None:
    select = shapes.value(constraint, SH.select)
    if not isinstance(shape, URIRef) or not isinstance(select, Literal) or UNSUPPORTED.search(str(select)):
        return None
    if _deactivated(shapes, shape) or _deactivated(shapes, constraint) or _used_by_others(shapes, shape):
        return None
    targeted = shape if _targets(shapes, shape) else None
    if targeted is None:
        parents = list(shapes.subjects(SH.property, shape))
        if len(parents) != 1 or not _targets(shapes, parents[0]):
            return None
        if _used_by_others(shapes, parents[0]) or _deactivated(shapes, parents[0]):
            return None
        targeted = parents[0]
    focus = _focus_pattern(_targets(shapes, targeted))
    if focus is None:
        return None
    parts = _split_prologue(str(select))
    if parts is None:
        return None
    own_prefixes, body = parts
    query = (
        f"{_prefixes(shapes, constraint)}{own_prefixes}SELECT * WHERE {{\n"
        f"  {{ SELECT DISTINCT $this WHERE {{ {focus} }} }}\n  {{ {body} }}\n}}"
    )
    messages = tuple(m for m in shapes.objects(constraint, SH.message) if isinstance(m, Literal))
    if not messages:
        messages = tuple(m for m in shapes.objects(shape, SH.message) if isinstance(m, Literal))
    severity = shapes.value(shape, SH.severity)
    return Pass(
        shape=shape,
        constraint=constraint,
        path=shapes.value(shape, SH.path),
        severity=severity if isinstance(severity, URIRef) else SH.Violation,
        messages=tuple(sorted(messages, key=lambda m: (m.language or "", str(m)))),
        query=query,
    )


def _deactivated(shapes: Graph, node: Node) -> bool:
    return any(isinstance(v, Literal) and v.toPython() is True for v in shapes.objects(node, SH.deactivated))


def _used_by_others(shapes: Graph, shape: Node) -> bool:
    if any((None, predicate, shape) in shapes for predicate in NESTING):
        return True
    return any(
        shape in Collection(shapes, head) for p in (SH["or"], SH["and"], SH.xone) for head in shapes.objects(None, p)
    )


def _targets(shapes: Graph, shape: Node) -> list[tuple[URIRef, Node]]:
    found = [(p, o) for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
             for o in shapes.objects(shape, p)]  # fmt: skip
    if (shape, RDF.type, RDFS.Class) in shapes or (shape, RDF.type, OWL.Class) in shapes:
        found.append((SH.targetClass, shape))  # implicit class target
    return sorted(found)


def _focus_pattern(targets: list[tuple[URIRef, Node]]) -> str | None:
    """The focus nodes of the targets as one SPARQL pattern binding ``$this`` (None for a target it cannot say)."""
    alternatives = []
    for kind, value in targets:
        if isinstance(value, BNode) or (kind != SH.targetNode and not isinstance(value, URIRef)):
            return None
        term = value.n3()
        if kind == SH.targetClass:
            alternatives.append(f"$this <{RDF.type}>/<{RDFS.subClassOf}>* {term} .")
        elif kind == SH.targetNode:
            alternatives.append(f"BIND ({term} AS $this)")
        elif kind == SH.targetSubjectsOf:
            alternatives.append(f"$this {term} [] .")
        else:
            alternatives.append(f"[] {term} $this .")
    if not alternatives:
        return None
    return " UNION ".join(f"{{ {a} }}" for a in alternatives)


def _split_prologue(select: str) -> tuple[str, str] | None:
    """The query's own PREFIX lines and the query from SELECT on (a subquery cannot hold a prologue)."""
    match = re.search(r"\bSELECT\b", select, re.I)
    if match is None or re.search(r"\bBASE\b", select[: match.start()], re.I):
        return None
    return select[: match.start()], select[match.start() :]


def _prefixes(shapes: Graph, constraint: Node) -> str:
    lines = []
    for owner in shapes.objects(constraint, SH.prefixes):
        for declaration in shapes.objects(owner, SH.declare):
            prefix, namespace = shapes.value(declaration, SH.prefix), shapes.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                lines.append(f"PREFIX {prefix}: <{namespace}>\n")
    return "".join(sorted(set(lines)))


def run(store: ox.Store, passes: list[Pass], shapes: Graph) -> list[Result]:
    """The results of the passes over ``store``'s default graph, as the engines report them.

    Raises :class:`wijkld.validate.EngineGap` for a result about a blank node, whose label
    would be the store's, not the data's.
    """
    results = []
    for found in passes:
        for solution in store.query(found.query):
            if any(isinstance(solution[name], ox.BlankNode) for name in ("this", "value")):
                raise EngineGap("a SPARQL constraint's result is about a blank node")
            results.append(_result(found, solution, shapes))
    return results


def _result(found: Pass, solution: ox.QuerySolution, shapes: Graph) -> Result:
    source = Path("store")
    this = from_oxigraph(solution["this"], "", source)
    value_term = solution["value"]
    value = from_oxigraph(value_term, "", source) if value_term is not None else None
    path_term = solution["path"]
    if path_term is not None:
        path = str(from_oxigraph(path_term, "", source))
    else:
        path = path_text(shapes, found.path) if found.path is not None else ""
    return Result(
        severity=SEVERITY_NAMES.get(found.severity, "violation"),
        source_shape=str(found.shape),
        component=str(SH.SPARQLConstraintComponent),
        focus=str(this),
        path=path,
        value="" if value is None else str(value),
        messages=tuple(sorted((m.language or "", _fill(str(m), solution)) for m in found.messages)),
        value_nt=term_nt(value) if value is not None else "",
        shape_name=shape_name(shapes, found.shape),
    )


def _fill(template: str, solution: ox.QuerySolution) -> str:
    """``{?value}`` and ``{$value}`` replaced by the binding's lexical form or IRI, as the engines do."""

    def value(match: re.Match[str]) -> str:
        term = solution[match.group(1)]
        return match.group(0) if term is None else term.value

    return _PLACEHOLDER.sub(value, template)
