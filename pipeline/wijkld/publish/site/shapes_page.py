"""The shapes documentation page (``shapes.html``): every named shape with its targets and constraints.

Written for people who meet a shape IRI (``{VOCAB}shapes/Name``) in a validation report and want
to know what it asks, in the style of pyLODE's pages for ontologies: one section per shape, anchored
by its local name, node shapes first, each listing its property shapes; values that are vocabulary
terms link to the vocabulary page and shapes to their own section. The shapes graph is the
published, skolemised one, so blank nodes (lists, paths, SPARQL constraints) are shown inline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from wijkld.model.iris import VOCAB
from wijkld.model.vocab import DCTERMS, RDF, RDFS, SH, compact_iri

#: The shapes graph's namespace (``wsh:`` in shapes/): shape IRIs are ``{SHAPES}Name``.
SHAPES = VOCAB + "shapes/"

#: Which predicates name a shape's targets, in the order a reader looks for them.
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
#: Shown as the shape's own text, not as constraints.
DESCRIPTIVE = frozenset({RDF.type, SH.name, SH.description, SH.message, SH.property, SH.path, SH.severity, SH.select})
#: What each section documents: named shapes, and the SPARQL constraints that shapes share by name.
KINDS = (
    (SH.NodeShape, "node-shapes", "Node shapes"),
    (SH.PropertyShape, "property-shapes", "Property shapes"),
    (SH.SPARQLConstraint, "sparql-constraints", "SPARQL constraints"),
)
#: A shape's language-tagged texts: Dutch first, then English.
LANGUAGE_ORDER = {"nl": 0, "en": 1}


@dataclass(frozen=True)
class Value:
    """One value of a constraint: a text, a link, a list of values, or a SPARQL query."""

    text: str
    href: str | None = None
    lang: str | None = None
    items: tuple[Value, ...] = ()  # an RDF list or a node shown inline: its parts
    code: str | None = None  # a SPARQL query, shown as a block


@dataclass(frozen=True)
class Constraint:
    name: str  # sh:minCount, ...
    values: tuple[Value, ...]


@dataclass(frozen=True)
class Shape:
    anchor: str  # its local name, the fragment of shapes.html#Name
    iri: str
    compact: str
    kind: str  # "Node shape", "Property shape" or "SPARQL constraint"
    names: tuple[Value, ...]
    descriptions: tuple[Value, ...]
    messages: tuple[Value, ...]
    severity: str
    path: Value | None
    targets: tuple[Constraint, ...]
    constraints: tuple[Constraint, ...]
    properties: tuple[Value, ...]  # property shapes (node shapes)
    used_by: tuple[Value, ...]  # node shapes that use this one (sh:property, sh:node, ...)
    query: str | None  # a SPARQL constraint's SELECT


def shapes_page(shapes: Graph, vocabulary_terms: frozenset[URIRef], vocabulary_page: str) -> dict[str, Any]:
    """What ``shapes.html`` shows: the shapes graph's header, then every named shape in two sections."""
    header = URIRef(SHAPES)
    named = sorted(
        s
        for kind, _, _ in KINDS
        for s in shapes.subjects(RDF.type, kind)
        if isinstance(s, URIRef) and str(s).startswith(SHAPES)
    )
    named_set = frozenset(named)

    def link(node: Node) -> Value:
        return _value(shapes, node, named_set, vocabulary_terms, vocabulary_page)

    users = _users(shapes, named_set)
    documented = [_shape(shapes, s, link, users.get(s, ())) for s in sorted(set(named))]
    return {
        "shapes_iri": SHAPES,
        "titles": _texts(shapes, header, RDFS.label),
        "descriptions": _texts(shapes, header, DCTERMS.description),
        "licence": next((str(o) for o in shapes.objects(header, DCTERMS.license)), ""),
        "sections": [(key, heading, [s for s in documented if s.kind == heading[:-1]]) for _, key, heading in KINDS],
    }


def shape_anchor(iri: str) -> str | None:
    """The fragment of ``shapes.html`` that documents shape ``iri``; None for an IRI outside the shapes."""
    return iri[len(SHAPES) :] if iri.startswith(SHAPES) and len(iri) > len(SHAPES) else None


def _shape(shapes: Graph, shape: URIRef, link: Callable[[Node], Value], used_by: tuple[URIRef, ...]) -> Shape:
    anchor = shape_anchor(str(shape)) or str(shape)
    kind = next(heading[:-1] for cls, _, heading in KINDS if (shape, RDF.type, cls) in shapes)
    select = next(iter(shapes.objects(shape, SH.select)), None)
    path = next(iter(shapes.objects(shape, SH.path)), None)
    targets = tuple(
        Constraint(compact_iri(str(p)), tuple(link(o) for o in sorted(shapes.objects(shape, p), key=str)))
        for p in TARGETS
    )
    constraints: dict[str, list[Value]] = {}
    for p, o in sorted(shapes.predicate_objects(shape), key=_pair_key):
        if isinstance(p, URIRef) and p not in DESCRIPTIVE and p not in TARGETS:
            constraints.setdefault(compact_iri(str(p)), []).append(link(o))
    severity = next(iter(shapes.objects(shape, SH.severity)), SH.Violation)
    return Shape(
        anchor=anchor,
        iri=str(shape),
        compact="wsh:" + anchor,
        kind=kind,
        names=_texts(shapes, shape, SH.name),
        descriptions=_texts(shapes, shape, SH.description),
        messages=_texts(shapes, shape, SH.message),
        severity=compact_iri(str(severity)),
        path=link(path) if path is not None else None,
        targets=tuple(t for t in targets if t.values),
        constraints=tuple(Constraint(name, tuple(values)) for name, values in sorted(constraints.items())),
        properties=tuple(link(o) for o in sorted(shapes.objects(shape, SH.property), key=str)),
        used_by=tuple(link(u) for u in used_by),
        query=str(select).strip() if select is not None else None,
    )


def _users(shapes: Graph, named: frozenset[URIRef]) -> dict[URIRef, tuple[URIRef, ...]]:
    """For each named shape, the named shapes that refer to it (sh:property, sh:node, sh:or, ...)."""
    found: dict[URIRef, set[URIRef]] = {}
    for user in named:
        for _, o in shapes.predicate_objects(user):
            for used in _reachable_shapes(shapes, o, named):
                if used != user:
                    found.setdefault(used, set()).add(user)
    return {s: tuple(sorted(users)) for s, users in found.items()}


def _reachable_shapes(shapes: Graph, node: Node, named: frozenset[URIRef], depth: int = 0) -> set[URIRef]:
    """The named shapes ``node`` is, or holds inside its lists and inline nodes."""
    if isinstance(node, URIRef) and node in named:
        return {node}
    if isinstance(node, Literal) or depth > 8 or (isinstance(node, URIRef) and not _is_inline(node)):
        return set()
    found: set[URIRef] = set()
    for _, o in shapes.predicate_objects(node):
        found |= _reachable_shapes(shapes, o, named, depth + 1)
    return found


def _is_inline(node: Node) -> bool:
    """A skolemised blank node: shown where it is used, it has no section of its own."""
    return "/.well-known/genid/" in str(node)


def _value(
    shapes: Graph, node: Node, named: frozenset[URIRef], terms: frozenset[URIRef], vocabulary_page: str, depth: int = 0
) -> Value:
    def inner(n: Node) -> Value:
        return _value(shapes, n, named, terms, vocabulary_page, depth + 1)

    if isinstance(node, Literal):
        return Value(str(node), lang=node.language)
    if isinstance(node, URIRef) and node in named:
        anchor = shape_anchor(str(node)) or ""
        return Value("wsh:" + anchor, href="#" + anchor)
    if isinstance(node, URIRef) and node in terms:
        return Value(compact_iri(str(node)), href=f"{vocabulary_page}#{str(node)[len(VOCAB) :]}")
    if isinstance(node, URIRef) and not _is_inline(node) or depth > 8:
        return Value(compact_iri(str(node)), href=str(node))
    if (node, RDF.first, None) in shapes or node == RDF.nil:
        return Value("list", items=tuple(inner(item) for item in Collection(shapes, node)))
    select = next(iter(shapes.objects(node, SH.select)), None)
    if select is not None:  # a SPARQL constraint: its message and its query
        messages = sorted(shapes.objects(node, SH.message), key=_language_key)
        return Value(
            "SPARQL", items=tuple(inner(m) for m in messages if isinstance(m, Literal)), code=str(select).strip()
        )
    parts = [
        Value(compact_iri(str(p)), items=(inner(o),))
        for p, o in sorted(shapes.predicate_objects(node), key=_pair_key)
        if isinstance(p, URIRef) and p != RDF.type
    ]
    return Value("node", items=tuple(parts))


def _pair_key(pair: tuple[Node, Node]) -> tuple[str, str, str]:
    """Predicate, then value: N3 forms sort literals by value, datatype and language alike."""
    return str(pair[0]), pair[1].n3(), ""


def _language_key(node: Node) -> tuple[int, str]:
    lang = node.language if isinstance(node, Literal) else None
    return LANGUAGE_ORDER.get(lang or "", 2), str(node)


def _texts(shapes: Graph, subject: Node, predicate: URIRef) -> tuple[Value, ...]:
    found = [o for o in shapes.objects(subject, predicate) if isinstance(o, Literal)]
    return tuple(Value(str(o), lang=o.language) for o in sorted(found, key=_language_key))
