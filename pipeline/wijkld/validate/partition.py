"""Validate a large dataset in partitions of focus nodes, with the same results as whole-graph pyshacl.

A partition holds a set of focus nodes and everything their shapes can see: the
*neighbourhood* read off the shapes graph by :func:`scopes` (per target). Walking from a focus node,
the shapes follow

* outgoing triples up to a depth (paths, nested shapes, ``sh:class`` reading the type of a value),
* incoming triples of a few predicates, and only at the hop where a shape turns round
  (``sh:inversePath``, or a SPARQL pattern such as ``?other wijkld:programme ?programme``),
* transitive predicates to any length (``geo:sfWithin*``).

Every node reached brings *all* its outgoing triples, and every inverse step *all* the
triples of that predicate, so each value a shape counts is complete: ``sh:maxCount`` and
``FILTER NOT EXISTS`` see what they would see in the whole graph. pyshacl then validates
the partition with ``focus_nodes`` set to the partition's own nodes (see
:func:`wijkld.pyshacl_support.focus_on_targets_only`); the neighbours are context, validated in
their own partition.

Constraints that span the dataset pull large neighbourhoods: ``wsh:UniquePosition`` turns
round at the programme, so each partition holding a team also holds every team of its
programme (and their positions). That is exact, and fine for the pilot's shape of data;
at ten million triples such a constraint belongs in one query over the store (see
``docs/scaling.md``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef, Variable
from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, SequencePath
from rdflib.paths import Path as RdfPath
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from wijkld import processes
from wijkld.model.vocab import RDF, SH, sh_prefixes

RDF_TYPE = ox.NamedNode(str(RDF.type))
#: Bounds the size of a partition's graph in the streaming build.
NODES_PER_PARTITION = 20_000
#: Deeper than this the analysis stops following nested shapes (recursive shapes would never end).
MAX_DEPTH = 12


@dataclass
class Reach:
    """What a partition must hold around its focus nodes, read off the shapes graph.

    ``depth``: nodes up to this many hops from a focus node bring all their outgoing triples.
    ``inverse``: (predicate, hop) pairs: at a node that far from a focus node, also take the
    triples with that predicate pointing at it. ``transitive``: predicates followed to any
    length, forwards; ``transitive_inverse`` likewise backwards.
    """

    depth: int = 0
    inverse: set[tuple[str, int]] = field(default_factory=set)
    transitive: set[str] = field(default_factory=set)
    transitive_inverse: set[str] = field(default_factory=set)

    def need(self, hop: int) -> None:
        self.depth = max(self.depth, min(hop, MAX_DEPTH))


# -- reading the reach off the shapes -----------------------------------------------------------------


@dataclass
class Scopes:
    """The reach per target, so that a focus node brings only what its own shapes look at.

    A team needs four hops (its memberships' periods, their instants and dates); a person,
    whose shapes look at the types of its values, needs one. One depth for every node would
    pull most of the graph into every partition.
    """

    by_class: dict[str, Reach] = field(default_factory=dict)
    by_subject_of: dict[str, Reach] = field(default_factory=dict)  # sh:targetSubjectsOf
    by_object_of: dict[str, Reach] = field(default_factory=dict)  # sh:targetObjectsOf
    by_node: dict[str, Reach] = field(default_factory=dict)  # sh:targetNode
    everywhere: Reach = field(default_factory=Reach)  # sh:target (SPARQL-based targets): any node
    superclasses: dict[str, set[str]] = field(default_factory=dict)  # a class -> its superclasses and itself

    def classes(self, types: Iterable[str]) -> frozenset[str]:
        return frozenset(c for t in types for c in self.superclasses.get(t, {t}) if c in self.by_class)

    def of(self, key: tuple[frozenset[str], frozenset[str], frozenset[str], bool], node: str) -> Reach:
        classes, subject_of, object_of, targeted = key
        parts = [self.everywhere, *(self.by_class[c] for c in classes)]
        parts += [self.by_subject_of[p] for p in subject_of] + [self.by_object_of[p] for p in object_of]
        if targeted:
            parts.append(self.by_node[node])
        return merge(*parts)


def merge(*reaches: Reach) -> Reach:
    """The reach of several shapes together."""
    found = Reach()
    for r in reaches:
        found.need(r.depth)
        found.inverse |= r.inverse
        found.transitive |= r.transitive
        found.transitive_inverse |= r.transitive_inverse
    return found


def scopes(shapes: Graph, ontology: Graph) -> Scopes:
    """:func:`reach` per target: class (``sh:targetClass`` or a shape that is a class), predicate, node."""
    from wijkld.model.vocab import OWL, RDFS

    found = Scopes()
    shape_classes = set(shapes.subjects(RDF.type, RDFS.Class)) | set(shapes.subjects(RDF.type, OWL.Class))
    kinds = (
        (SH.targetClass, found.by_class),
        (SH.targetSubjectsOf, found.by_subject_of),
        (SH.targetObjectsOf, found.by_object_of),
        (SH.targetNode, found.by_node),
    )
    roots = {s for parameter, _ in kinds for s in shapes.subjects(parameter, None)} | shape_classes
    roots |= set(shapes.subjects(SH.target, None))
    for shape in sorted(roots, key=str):
        own = Reach()
        _shape_reach(shapes, shape, 0, own, set())
        for parameter, table in kinds:
            targets = set(shapes.objects(shape, parameter))
            if parameter == SH.targetClass and shape in shape_classes:
                targets.add(shape)
            for target in targets:
                extra = {(str(target), 0)} if parameter == SH.targetObjectsOf else set()
                table[str(target)] = merge(table.get(str(target), Reach()), own, Reach(inverse=extra))
        if (shape, SH.target, None) in shapes:
            found.everywhere = merge(found.everywhere, own)
    for cls in set(ontology.subjects(RDFS.subClassOf, None)):
        found.superclasses[str(cls)] = {str(c) for c in ontology.transitive_objects(cls, RDFS.subClassOf)}
    return found


def _shape_reach(shapes: Graph, shape: Node, hop: int, found: Reach, seen: set[tuple[Node, int]]) -> None:
    if hop > MAX_DEPTH or (shape, hop) in seen:
        return
    seen.add((shape, hop))
    found.need(hop)  # the node's own triples (its types, for targets and sh:class)
    path = shapes.value(shape, SH.path)
    value_hop = hop
    if path is not None:
        value_hop = _path_reach(shapes, path, hop, found)
    for nested in _nested_shapes(shapes, shape):
        _shape_reach(shapes, nested, value_hop, found, seen)
    if (shape, SH["class"], None) in shapes or (shape, SH.qualifiedValueShape, None) in shapes:
        found.need(value_hop)
    for constraint in shapes.objects(shape, SH.sparql):
        text = shapes.value(constraint, SH.select) or shapes.value(constraint, SH.ask)
        if text is not None:
            _sparql_reach(str(text), sh_prefixes(shapes, constraint), hop, found)


def _nested_shapes(shapes: Graph, shape: Node) -> Iterator[Node]:
    yield from shapes.objects(shape, SH.property) if shapes.value(shape, SH.path) is None else ()
    for parameter in (SH.node, SH.qualifiedValueShape, SH["not"]):
        yield from shapes.objects(shape, parameter)
    for parameter in (SH["and"], SH["or"], SH.xone):
        for head in shapes.objects(shape, parameter):
            yield from shapes.items(head)
    if shapes.value(shape, SH.path) is not None:
        # a property shape's own sh:property (rare) applies to its value nodes
        yield from shapes.objects(shape, SH.property)


def _path_reach(shapes: Graph, path: Node, hop: int, found: Reach) -> int:
    """Record what a SHACL property path walks; the hop of its value nodes."""
    if isinstance(path, URIRef):
        found.need(hop)
        return hop + 1
    first = shapes.value(path, RDF.first)
    if first is not None:  # a sequence
        for step in shapes.items(path):
            hop = _path_reach(shapes, step, hop, found)
        return hop
    inverse = shapes.value(path, SH.inversePath)
    if inverse is not None:
        if isinstance(inverse, URIRef):
            found.inverse.add((str(inverse), hop))
            return hop + 1
        return _path_reach(shapes, inverse, hop, found) + 1  # rare: inverse of a complex path; over-approximate
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return max((_path_reach(shapes, step, hop, found) for step in shapes.items(alternatives)), default=hop)
    for repeat in (SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath):
        inner = shapes.value(path, repeat)
        if inner is not None:
            _transitive(shapes, inner, found)
            found.need(hop)
            return hop + 1
    return hop + 1


def _transitive(shapes: Graph, path: Node, found: Reach) -> None:
    if isinstance(path, URIRef):
        found.transitive.add(str(path))
        return
    inverse = shapes.value(path, SH.inversePath)
    if isinstance(inverse, URIRef):
        found.transitive_inverse.add(str(inverse))
        return
    for step in shapes.items(shapes.value(path, SH.alternativePath) or path):
        _transitive(shapes, step, found)


def _sparql_reach(text: str, prefixes: dict[str, str], hop: int, found: Reach) -> None:
    """Walk a SPARQL constraint's patterns from ``$this`` outwards, as far as they bind variables."""
    query = prepareQuery(text, initNs=prefixes)
    patterns = list(_triple_patterns(query.algebra))
    level: dict[Node, int] = {Variable("this"): hop}
    changed = True
    while changed:
        changed = False
        for s, p, o in patterns:
            s_hop, o_hop = level.get(s), level.get(o)
            if s_hop is not None:
                end = _sparql_path(p, s_hop, found, forwards=True)
                if o_hop is None and isinstance(o, Variable):
                    level[o] = end
                    changed = True
            elif o_hop is not None and isinstance(s, Variable):
                level[s] = _sparql_path(p, o_hop, found, forwards=False)
                changed = True
    found.need(max(level.values()))


def _triple_patterns(node: Any) -> Iterator[tuple[Node, Any, Node]]:
    """Every triple pattern of a query's algebra, NOT EXISTS and sub-patterns included."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "triples" and isinstance(value, list):
                # translated BGPs hold tuples; patterns inside NOT EXISTS stay flat lists of s p o s p o ...
                flat = [term for t in value for term in (t if isinstance(t, list | tuple) else [t])]
                yield from (tuple(flat[i : i + 3]) for i in range(0, len(flat) - 2, 3))  # type: ignore[misc]
            else:
                yield from _triple_patterns(value)
    elif isinstance(node, list | tuple):
        for item in node:
            yield from _triple_patterns(item)


def _sparql_path(p: Any, hop: int, found: Reach, *, forwards: bool) -> int:
    """Record a SPARQL predicate or property path walked from a node at ``hop``; the hop it ends at."""
    if isinstance(p, URIRef):
        if forwards:
            found.need(hop)
        else:
            found.inverse.add((str(p), hop))
        return hop + 1
    if isinstance(p, Variable):  # any predicate: all outgoing triples (backwards: not bounded, refuse)
        if not forwards:
            raise ValueError("a SPARQL constraint walks an unbound predicate backwards; it cannot be partitioned")
        found.need(hop)
        return hop + 1
    if isinstance(p, InvPath):
        return _sparql_path(p.arg, hop, found, forwards=not forwards)
    if isinstance(p, SequencePath):
        steps = p.args if forwards else list(reversed(p.args))
        for step in steps:
            hop = _sparql_path(step, hop, found, forwards=forwards)
        return hop
    if isinstance(p, AlternativePath):
        return max(_sparql_path(step, hop, found, forwards=forwards) for step in p.args)
    if isinstance(p, MulPath):
        for predicate, backwards in _predicates(p.path):
            if backwards == forwards:  # an inverse step walked forwards goes backwards
                found.transitive_inverse.add(predicate)
            else:
                found.transitive.add(predicate)
        found.need(hop)
        return hop + 1
    if isinstance(p, NegatedPath | RdfPath):
        found.need(hop)
        return hop + 1
    raise ValueError(f"unexpected SPARQL path {p!r}")


def _predicates(p: Any, inverted: bool = False) -> Iterator[tuple[str, bool]]:
    if isinstance(p, URIRef):
        yield str(p), inverted
    elif isinstance(p, InvPath):
        yield from _predicates(p.arg, not inverted)
    elif isinstance(p, SequencePath | AlternativePath):
        for step in p.args:
            yield from _predicates(step, inverted)
    elif isinstance(p, MulPath):
        yield from _predicates(p.path, inverted)


# -- gathering a partition ----------------------------------------------------------------------------


def neighbourhood(store: ox.Store, focus: Iterable[str], scope: Reach) -> set[ox.Quad]:
    """The triples the shapes can see from these focus nodes (see the module docstring)."""
    found: set[ox.Quad] = set()
    inverse_at: dict[int, list[ox.NamedNode]] = {}
    for iri, hop in scope.inverse:
        inverse_at.setdefault(hop, []).append(ox.NamedNode(iri))
    transitive = [ox.NamedNode(p) for p in sorted(scope.transitive)]
    transitive_inverse = [ox.NamedNode(p) for p in sorted(scope.transitive_inverse)]
    seen: set[tuple[Any, int]] = set()
    frontier: list[Any] = [ox.NamedNode(iri) for iri in focus]
    hop = 0
    while frontier and hop <= scope.depth:
        following: list[Any] = []
        for node in frontier:
            if (node, hop) in seen:
                continue
            seen.add((node, hop))
            if not isinstance(node, ox.Literal):
                for q in store.quads_for_pattern(node, None, None):
                    found.add(q)
                    following.append(q.object)
            for predicate in inverse_at.get(hop, ()):
                for q in store.quads_for_pattern(None, predicate, node):
                    found.add(q)
                    following.append(q.subject)
            _closure(store, node, transitive, transitive_inverse, found)
        frontier = following
        hop += 1
    return found


def neighbourhood_by_type(store: ox.Store, focus: Iterable[str], scope: Scopes) -> set[ox.Quad]:
    """:func:`neighbourhood`, each focus node with the reach of the shapes that target it."""
    groups: dict[tuple[frozenset[str], frozenset[str], frozenset[str], bool], list[str]] = {}
    for iri in focus:
        node = ox.NamedNode(iri)
        own = list(store.quads_for_pattern(node, None, None))
        types = scope.classes(
            q.object.value for q in own if q.predicate == RDF_TYPE and not isinstance(q.object, ox.Triple)
        )
        subject_of = frozenset(q.predicate.value for q in own if q.predicate.value in scope.by_subject_of)
        object_of = frozenset(
            p for p in scope.by_object_of if next(store.quads_for_pattern(None, ox.NamedNode(p), node), None)
        )
        key = (types, subject_of, object_of, iri in scope.by_node)
        groups.setdefault(key, []).append(iri)
    found: set[ox.Quad] = set()
    for key, nodes in groups.items():  # a set of quads: the order of the groups does not matter
        if key[3]:  # targeted by name: each node its own reach
            for iri in nodes:
                found |= neighbourhood(store, [iri], scope.of(key, iri))
        else:
            found |= neighbourhood(store, nodes, scope.of(key, ""))
    return found


def _closure(
    store: ox.Store, start: Any, forwards: Sequence[ox.NamedNode], backwards: Sequence[ox.NamedNode], found: set
) -> None:
    """Follow transitive predicates from ``start`` to any length, taking the triples and their nodes' own."""
    if not forwards and not backwards:
        return
    todo, done = [start], {start}
    while todo:
        node = todo.pop()
        if isinstance(node, ox.Literal):
            continue
        for q in store.quads_for_pattern(node, None, None):
            found.add(q)
        steps = [q for p in forwards for q in store.quads_for_pattern(node, p, None)]
        steps += [q for p in backwards for q in store.quads_for_pattern(None, p, node)]
        for q in steps:
            found.add(q)
            nxt = q.object if q.subject == node else q.subject
            if nxt not in done:
                done.add(nxt)
                todo.append(nxt)


def _graph_from(quads: Iterable[ox.Quad | ox.Triple], source: Path) -> Graph:
    """An rdflib graph of Oxigraph triples, each IRI one shared term (a partition repeats them often)."""
    from wijkld.model.terms import from_oxigraph

    graph = Graph(bind_namespaces="none")
    nodes: dict[str, URIRef] = {}

    def node(iri: str) -> URIRef:
        found = nodes.get(iri)
        if found is None:
            found = nodes[iri] = URIRef(iri)
        return found

    add = graph.add
    for t in quads:
        s, o = t.subject, t.object
        assert not isinstance(s, ox.Triple), "a subject is an IRI or a blank node (RDF 1.2)"
        obj = node(o.value) if isinstance(o, ox.NamedNode) else from_oxigraph(o, "", source)
        add((node(s.value), node(t.predicate.value), obj))
    return graph


# -- validating partitions in worker processes --------------------------------------------------------

_STATE: dict[Any, Any] = {}


def _init_worker(shapes: Graph, ontology: Graph, scope: Scopes) -> None:
    """What every partition of this process validates against (inherited under fork, pickled under spawn)."""
    _STATE.update(shapes=shapes, ontology=ontology, scopes=scope)


def _validate_partition(args: tuple[str, list[str], list[str]]) -> list[Any]:
    from wijkld.validate import engine as validate

    store_path, focus, outside = args
    store = _STATE.get(("store", store_path))
    if store is None:
        store = _STATE[("store", store_path)] = ox.Store.read_only(store_path)
    graph = _graph_from(neighbourhood_by_type(store, focus, _STATE["scopes"]), Path(store_path))
    if not focus and not outside:
        return []
    # inplace: the partition graph is ours, so pyshacl need not copy it
    focus_nodes = [URIRef(n) for n in (*focus, *outside)]
    report = validate.check(graph, _STATE["shapes"], _STATE["ontology"], focus_nodes=focus_nodes, inplace=True)
    return list(report.results)


def data_nodes(store: ox.Store) -> tuple[list[str], set[str]]:
    """Every IRI the data uses as a subject or object (the candidate focus nodes, sorted), and the subjects."""
    nodes: set[str] = set()
    subjects: set[str] = set()
    for q in store.quads_for_pattern(None, None, None):
        subject = q.subject
        assert not isinstance(subject, ox.Triple), "a subject is an IRI or a blank node (RDF 1.2)"
        subjects.add(subject.value)
        if isinstance(q.object, ox.NamedNode):
            nodes.add(q.object.value)
    return sorted(nodes | subjects), subjects


def balanced_groups(nodes: Sequence[str], subjects: set[str], partitions: int) -> list[list[str]]:
    """Partitions of about equal work: the subjects dealt round like cards, then the other nodes.

    Cut by position, sorted IRIs would give one partition all the teams (the costly SPARQL
    constraints) and another all the pages (``.../doc/...``, objects only, nothing to check).
    Locality buys little: a partition's neighbourhood reaches most hubs anyway.
    """
    parts = max(1, partitions)
    groups: list[list[str]] = [[] for _ in range(parts)]
    dealt = [n for n in nodes if n in subjects] + [n for n in nodes if n not in subjects]
    for i, node in enumerate(dealt):
        groups[i % parts].append(node)
    return [g for g in groups if g] or [[]]


def validate_partitioned(
    store_path: Path,
    shapes: Graph,
    ontology: Graph,
    *,
    partitions: int | None = None,
    workers: int = 2,
) -> list[Any]:
    """Validate the store's data in partitions of focus nodes; the sorted results, as whole-graph pyshacl gives.

    Without ``partitions``: one per worker, or one per :data:`NODES_PER_PARTITION` nodes if
    that gives more. pyshacl also validates the ontology's own terms (the ontology is mixed
    into the data graph); the first partition takes those focus nodes.
    """
    from wijkld.validate import engine as validate

    nodes, subjects = data_nodes(ox.Store.read_only(str(store_path)))
    if partitions is None:
        partitions = max(workers, len(nodes) // NODES_PER_PARTITION)
    groups = balanced_groups(nodes, subjects, partitions)
    inside = set(nodes)
    outside = sorted({str(s) for s in ontology.subjects() if isinstance(s, URIRef)} - inside)
    jobs = [(str(store_path), g, outside if i == 0 else []) for i, g in enumerate(groups)]
    state = (shapes, ontology, scopes(shapes, ontology))
    if workers <= 1:
        _init_worker(*state)
        try:
            raw = [_validate_partition(job) for job in jobs]
        finally:
            _STATE.clear()
    else:
        # forked workers share these very graphs; spawned ones get them pickled, blank-node shapes keeping their labels
        with processes.pool(min(workers, len(jobs)), initializer=_init_worker, initargs=state) as pool:
            raw = pool.map(_validate_partition, jobs, chunksize=1)
    return sorted((r for found in raw for r in found), key=validate.Result.sort_key)
