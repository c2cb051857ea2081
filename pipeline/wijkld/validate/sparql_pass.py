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
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from wijkld.model.terms import from_oxigraph
from wijkld.model.vocab import OWL, RDF, RDFS, SH, sh_prefixes
from wijkld.sparql_lexer import Token, tokenize
from wijkld.validate.engine import SEVERITY_NAMES, EngineGap, Result, path_text, shape_name, term_nt

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
    #: the query with its top-level ``FILTER NOT EXISTS`` groups lifted out (see :func:`lift_not_exists`)
    lifted: Lifted | None = None


@dataclass(frozen=True)
class Lifted:
    """A pass as candidates, each kept only if no ``ask`` query holds for it (its bindings substituted)."""

    candidates: str  # the query without the groups, every variable projected
    asks: tuple[tuple[str, frozenset[str]], ...]  # per lifted group: an ASK query, and the variables it mentions
    projection: tuple[str, ...]  # the variables the constraint's SELECT DISTINCT projects


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
    targeted: Node | None = shape if _targets(shapes, shape) else None
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
    prologue = f"{_prefixes(shapes, constraint)}{own_prefixes}"
    query = _joined(prologue, focus, body)
    lifted = lift_not_exists(body)
    lifted_pass = (
        Lifted(
            _joined(prologue, focus, lifted[0]),
            tuple((f"{prologue}ASK {group}", _variables_in(group)) for group in lifted[1]),
            lifted[2],
        )
        if lifted is not None
        else None
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
        lifted=lifted_pass,
    )


def _joined(prologue: str, focus: str, body: str) -> str:
    """The constraint's query joined with its focus nodes."""
    return f"{prologue}SELECT * WHERE {{\n  {{ SELECT DISTINCT $this WHERE {{ {focus} }} }}\n  {{ {body} }}\n}}"


# -- FILTER NOT EXISTS, checked per candidate ---------------------------------------------------------
#
# SPARQL 1.1 evaluates FILTER NOT EXISTS { P } for a solution by substituting the solution's bindings
# into P. Oxigraph plans P once, before the bindings are known, and on the overlap checks of the
# shapes it starts from a scan of every date in the store: 4-7 ms per candidate at 1M triples, growing
# with the data. Asking P with the bindings substituted (SEP-0007, as pyoxigraph's ``substitutions``)
# lets it start from them: 0.4 ms per candidate. Lifted only where that is exactly the query's meaning:
# SELECT DISTINCT of plain variables with no solution modifiers, each group at the top level of the
# WHERE clause, holding no subquery and no BIND.


def lift_not_exists(select: str) -> tuple[str, tuple[str, ...], tuple[str, ...]] | None:
    """``select`` without its top-level ``FILTER NOT EXISTS`` groups and projecting ``*``, the groups, and
    the variables it projected; None where there is no such group or lifting could change the answers.

    Read with :func:`wijkld.sparql_lexer.tokenize`, so braces, keywords and variables inside strings, IRIs and
    comments never count, and ``<`` is a comparison or an IRI as Oxigraph's parser decides.
    """
    tokens = list(tokenize(select))
    words = [t.text.upper() if t.kind == "word" else t.text for t in tokens]
    if words[:2] != ["SELECT", "DISTINCT"]:
        return None
    head = 2
    while head < len(tokens) and tokens[head].kind == "var":
        head += 1
    if head == 2 or words[head : head + 2] != ["WHERE", "{"]:
        return None
    opening = head + 1
    closing = _closing(tokens, opening)
    if closing is None or closing != len(tokens) - 1:
        return None  # unbalanced, or ORDER BY, LIMIT, GROUP BY... after the WHERE clause
    kept, groups = [], []
    segment_start, at = tokens[opening].start + 1, opening + 1
    while at < closing:
        top_level = tokens[at].depth == tokens[opening].depth + 1
        if top_level and words[at : at + 4] == ["FILTER", "NOT", "EXISTS", "{"]:
            group_end = _closing(tokens, at + 3)
            if group_end is None:
                return None
            inside = tokens[at + 4 : group_end]
            if any(t.kind == "word" and t.text.upper() in ("SELECT", "BIND") for t in inside):
                return None
            kept.append(select[segment_start : tokens[at].start])
            groups.append(select[tokens[at + 3].start : tokens[group_end].start + 1])
            segment_start, at = tokens[group_end].start + 1, group_end + 1
            continue
        at += 1
    if not groups:
        return None
    kept.append(select[segment_start : tokens[closing].start])
    projection = tuple(t.text[1:] for t in tokens[2:head])
    return f"SELECT DISTINCT * WHERE {{{''.join(kept)}}}", tuple(groups), projection


def _closing(tokens: list[Token], opening: int) -> int | None:
    """The index of the token that closes the bracket at ``opening``."""
    depth = tokens[opening].depth
    for index in range(opening + 1, len(tokens)):
        if tokens[index].depth == depth + 1 and tokens[index].text in ("}", ")", "]"):
            return index
    return None


def _variables_in(text: str) -> frozenset[str]:
    return frozenset(t.text[1:] for t in tokenize(text) if t.kind == "var")


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
    for token in tokenize(select):  # a SELECT or BASE in a comment or an IRI of the prologue does not count
        if token.kind == "word" and token.text.upper() == "BASE":
            return None
        if token.kind == "word" and token.text.upper() == "SELECT":
            return select[: token.start], select[token.start :]
    return None


def _prefixes(shapes: Graph, constraint: Node) -> str:
    """The PREFIX lines of the prefixes ``constraint`` declares."""
    return "".join(sorted(f"PREFIX {prefix}: <{ns}>\n" for prefix, ns in sh_prefixes(shapes, constraint).items()))


def run(store: ox.Store, passes: list[Pass], shapes: Graph) -> list[Result]:
    """The results of the passes over ``store``'s default graph, as the engines report them.

    Raises :class:`wijkld.validate.EngineGap` for a result about a blank node, whose label
    would be the store's, not the data's.
    """
    return [item.result for item in find(store, passes, shapes)]


Solution = dict[str, Any]  # variable name -> Oxigraph term; unbound variables are absent


@dataclass(frozen=True)
class Found:
    """One result of a pass: the pass, the solution it came from, and the result as reported."""

    found: Pass
    solution: Solution
    result: Result


def find(store: ox.Store, passes: list[Pass], shapes: Graph) -> list[Found]:
    """:func:`run` with each result's pass and solution, from which a report graph can be written."""
    results = []
    for found in passes:
        for solution in _solutions(store, found):
            if any(isinstance(solution.get(name), ox.BlankNode) for name in ("this", "value")):
                raise EngineGap("a SPARQL constraint's result is about a blank node")
            results.append(Found(found, solution, _result(found, solution, shapes)))
    return results


def _solutions(store: ox.Store, found: Pass) -> list[Solution]:
    if found.lifted is None:
        return _query(store, found.query)
    lifted = found.lifted
    kept: dict[tuple[Any, ...], Solution] = {}
    for bindings in _query(store, lifted.candidates):
        # a blank node of the store substitutes as itself (tests/test_sparql_pass.py)
        try:
            if any(_holds(store, ask, mentioned, bindings) for ask, mentioned in lifted.asks):
                continue
        except RuntimeError as exc:
            if _NOT_SUBSTITUTABLE not in str(exc):
                raise
            # Oxigraph substitutes only variables a pattern of the group binds, not those used in a
            # FILTER alone: such a group is evaluated as the query is written
            return _query(store, found.query)
        projected = {name: bindings[name] for name in lifted.projection if name in bindings}
        kept.setdefault(tuple(projected.get(name) for name in lifted.projection), projected)
    return list(kept.values())


#: pyoxigraph's refusal to substitute a variable that is not in scope in the query
_NOT_SUBSTITUTABLE = "in its SELECT projection"


def _holds(store: ox.Store, ask: str, mentioned: frozenset[str], bindings: Solution) -> bool:
    substitutions = {ox.Variable(name): term for name, term in bindings.items() if name in mentioned}
    return bool(store.query(ask, substitutions=substitutions))


def _query(store: ox.Store, query: str) -> list[Solution]:
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [variable.value for variable in solutions.variables]
    return [
        {name: term for name, term in zip(names, solution, strict=True) if term is not None} for solution in solutions
    ]


def _result(found: Pass, solution: Solution, shapes: Graph) -> Result:
    source = Path("store")
    this = from_oxigraph(solution["this"], "", source)
    value_term = solution.get("value")
    value = from_oxigraph(value_term, "", source) if value_term is not None else None
    path_term = solution.get("path")
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


def _fill(template: str, solution: Solution) -> str:
    """``{?value}`` and ``{$value}`` replaced by the binding's lexical form or IRI, as the engines do."""

    def value(match: re.Match[str]) -> str:
        term = solution.get(match.group(1))
        return match.group(0) if term is None else term.value

    return _PLACEHOLDER.sub(value, template)
