"""JSON-LD that reads like plain JSON and parses offline.

The context is derived from the graph itself (one short term per predicate,
IRIs and language maps coerced), embedded in every document and shipped as
``context.jsonld``, so nothing ever needs to be fetched. Compaction is done
directly (the tests check it against PyLD, the reference processor), because
PyLD's general algorithms are quadratic on graphs of this shape.
"""

from __future__ import annotations

import functools
import json
import tempfile
from collections import OrderedDict, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, BinaryIO

import orjson
import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from wijkld.model.vocab import PREFIXES, RDF, compact_iri

JSON = dict[str, Any]
XSD_STRING = str(PREFIXES["xsd"]) + "string"
_RDF_TYPE = RDF.type  # DefinedNamespace attributes are looked up on every access
_RDF_TYPE_IRI = str(RDF.type)  # compared with plain strings: an rdflib term equals only terms of its own type

#: Terms whose short name would collide or mislead get a fixed name here.
FIXED_TERMS: dict[str, str] = {
    str(PREFIXES["rdfs"]) + "label": "label",
    str(PREFIXES["skos"]) + "prefLabel": "prefLabel",
    str(PREFIXES["skos"]) + "altLabel": "altLabel",
    str(PREFIXES["dcterms"]) + "description": "description",
    str(PREFIXES["dcterms"]) + "type": "kind",
    str(PREFIXES["dcterms"]) + "identifier": "identifier",
    str(PREFIXES["foaf"]) + "isPrimaryTopicOf": "page",
    str(PREFIXES["prov"]) + "wasDerivedFrom": "source",
    str(PREFIXES["schema"]) + "name": "name",
}


def _local_name(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri:
            iri = iri.rsplit(sep, 1)[1]
    return iri


def build_context(graph: Graph) -> JSON:
    """A context for ``graph``: prefixes, then one term per predicate, in sorted order."""
    return context_from_kinds(predicate_kinds(graph))


class Kinds(Mapping[str, frozenset[str]]):
    """Per predicate IRI, the kinds of value it has: ``"@id"``, ``"@language"``, or a datatype IRI.

    All that :func:`context_from_kinds` needs of the data. Made in one pass over the triples
    (:func:`predicate_kinds`); the kinds of parts of the data merge (:meth:`merge`, :func:`merge_kinds`)
    into the kinds of the whole. rdf:type and blank-node objects are left out, as the context does.
    """

    __slots__ = ("_kinds",)

    def __init__(self, kinds: Mapping[str, Iterable[str]] | None = None) -> None:
        self._kinds: dict[str, frozenset[str]] = {p: frozenset(v) for p, v in (kinds or {}).items()}

    def __getitem__(self, predicate: str) -> frozenset[str]:
        return self._kinds[predicate]

    def __iter__(self) -> Iterator[str]:
        return iter(self._kinds)

    def __len__(self) -> int:
        return len(self._kinds)

    def __repr__(self) -> str:
        return f"Kinds({ {p: sorted(v) for p, v in sorted(self._kinds.items())}!r})"

    def merge(self, *others: Mapping[str, Iterable[str]]) -> Kinds:
        """The kinds of the data of ``self`` and ``others`` together."""
        merged: dict[str, set[str]] = defaultdict(set)
        for kinds in (self, *others):
            for predicate, values in kinds.items():
                merged[predicate].update(values)
        return Kinds(merged)


def merge_kinds(*kinds: Mapping[str, Iterable[str]]) -> Kinds:
    """The kinds of several parts of the data together (no parts: no kinds)."""
    return Kinds().merge(*kinds)


def predicate_kinds(graph_or_triples: Graph | Iterable[tuple[Node, Node, Node]]) -> Kinds:
    """Per predicate, the kinds of value it has in ``graph_or_triples`` (one pass; see :class:`Kinds`).

    A plain literal is an xsd:string whether its store gives the datatype (RDF 1.1, Oxigraph) or not.
    """
    seen: set[tuple[Node, str]] = set()
    for _, p, o in graph_or_triples:
        if isinstance(o, URIRef):
            seen.add((p, "@id"))
        elif isinstance(o, Literal):
            seen.add((p, "@language" if o.language else str(o.datatype or XSD_STRING)))
    kinds: dict[str, set[str]] = defaultdict(set)
    for p, kind in seen:
        if p != _RDF_TYPE:
            kinds[str(p)].add(kind)
    return Kinds(kinds)


def context_from_kinds(kinds: Mapping[str, Iterable[str]]) -> JSON:
    """The context :func:`build_context` makes for data whose predicates have ``kinds``."""
    names: dict[str, str] = {}
    by_local: dict[str, list[str]] = defaultdict(list)
    for predicate in sorted(kinds):
        by_local[_local_name(predicate)].append(predicate)
    for local, predicates in by_local.items():
        for predicate in predicates:
            fixed = FIXED_TERMS.get(predicate)
            names[predicate] = fixed or (local if len(predicates) == 1 else f"{_prefix_of(predicate)}_{local}")
    context: JSON = {"@version": 1.1, "id": "@id", "type": "@type"}
    for prefix, namespace in sorted(PREFIXES.items()):
        context[prefix] = str(namespace)
    for predicate in sorted(names, key=lambda p: names[p]):
        term = names[predicate]
        definition: JSON = {"@id": compact_iri(predicate)}
        values = frozenset(kinds[predicate])
        if values == {"@id"}:
            definition["@type"] = "@id"
        elif "@language" in values and values <= {"@language", XSD_STRING}:
            definition["@container"] = "@language"  # untagged strings go under "@none"
        elif len(values) == 1 and "@id" not in values and "@language" not in values:
            (datatype,) = values
            if datatype != XSD_STRING:
                definition["@type"] = compact_iri(datatype)
        context[term] = definition
    return {"@context": context}


def _prefix_of(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(str(namespace)):
            return prefix
    return "x"


def expanded(graph: Graph) -> list[JSON]:
    """Expanded JSON-LD, as the RDF-to-JSON-LD algorithm gives it for graphs without blank nodes.

    Written out here because PyLD's N-Quads route is quadratic in the number of
    triples; ``tests/test_jsonld.py`` checks the result against PyLD's.
    """
    return _expanded_nodes(graph)


def _expanded_nodes(
    triples: Iterable[tuple[Node, Node, Node]] | Iterable[ox.Triple], sort_values: bool = True
) -> list[JSON]:
    """:func:`expanded` of ``triples`` (rdflib's or Oxigraph's terms); by subject, and with each node's values
    unsorted unless ``sort_values``.

    Compaction needs no sorted values: :func:`canonical` sorts the compacted ones.
    """
    nodes: dict[str, JSON] = {}
    for triple in triples:
        if isinstance(triple, ox.Triple):
            s, p, o = triple.subject.value, triple.predicate.value, triple.object  # type: ignore[union-attr]
            if isinstance(o, ox.NamedNode):
                if p == _RDF_TYPE_IRI:
                    nodes.setdefault(s, {"@id": s}).setdefault("@type", []).append(o.value)
                    continue
                value: JSON = {"@id": o.value}
            else:
                value = _oxigraph_value(o)
        else:
            s, p, term = str(triple[0]), str(triple[1]), triple[2]
            if p == _RDF_TYPE_IRI and isinstance(term, URIRef):
                nodes.setdefault(s, {"@id": s}).setdefault("@type", []).append(str(term))
                continue
            value = _expanded_value(term)
        nodes.setdefault(s, {"@id": s}).setdefault(p, []).append(value)
    if not sort_values:
        return [nodes[key] for key in sorted(nodes)]
    return [_sorted_node(nodes[key]) for key in sorted(nodes)]


def _expanded_value(o: Any) -> JSON:
    if isinstance(o, URIRef):
        return {"@id": str(o)}
    if not isinstance(o, Literal):
        raise ValueError(f"blank nodes are not published: {o!r}")
    return _literal_value(str(o), o.language, str(o.datatype) if o.datatype else None)


def _oxigraph_value(o: object) -> JSON:
    """:func:`_expanded_value` of an Oxigraph literal."""
    if not isinstance(o, ox.Literal):
        raise ValueError(f"blank nodes are not published: {o!r}")
    return _literal_value(o.value, o.language, o.datatype.value)


def _literal_value(text: str, language: str | None, datatype: str | None) -> JSON:
    """A literal in expanded JSON-LD, whichever library's term it was: a plain string has no ``@type``."""
    if language:
        return {"@value": text, "@language": language}
    if datatype and datatype != XSD_STRING:
        return {"@value": text, "@type": datatype}
    return {"@value": text}


def _sorted_node(node: JSON) -> JSON:
    return {
        k: sorted(v, key=lambda x: json.dumps(x, sort_keys=True)) if isinstance(v, list) else v for k, v in node.items()
    }


def compact(graph: Graph, context: JSON) -> JSON:
    """The graph compacted with ``context`` (embedded in the result); nodes sorted by id.

    A direct compaction for contexts made by :func:`build_context` (one term per
    predicate, each coerced to the one kind of value it has); it gives what
    PyLD's general algorithm gives, which the tests check, at a fraction of the cost.
    """
    return compactor(context)(graph)


def compactor(context: JSON) -> Callable[[Graph], JSON]:
    """:func:`compact` with ``context`` read once, for compacting many graphs."""
    terms = _terms(context["@context"])

    def compact_graph(graph: Graph) -> JSON:
        graph_nodes = [_compact_node(node, terms) for node in _expanded_nodes(graph, sort_values=False)]
        return canonical({"@context": context["@context"], "@graph": graph_nodes})

    return compact_graph


def write_compacted(chunks: Iterable[Graph] | Iterable[Sequence[ox.Triple]], context: JSON, handle: BinaryIO) -> None:
    """Write ``dumps(compact(graph, context))`` of the union of ``chunks``, one chunk at a time.

    Each chunk holds all triples of a run of subjects (IRIs), the runs in ascending ``str(subject)``
    order, as the streaming build hands them out. The nodes of a chunk are written once no later
    chunk can hold a node that sorts before them: at once, where subjects keep their IRIs (all of the
    project's do); a subject that compacts to ``prefix:local`` waits in a queue that spills to a
    temporary file, so memory stays bounded by the largest chunk either way.
    """
    terms = _terms(context["@context"])
    merge = _NodeMerge(handle, dumps({"@context": context["@context"], "@graph": []}))
    last: str | None = None
    for chunk in chunks:
        nodes = _expanded_nodes(chunk, sort_values=False)
        if not nodes:
            continue
        if last is not None and nodes[0]["@id"] <= last:
            raise ValueError(
                f"chunks must come in ascending subject order, each with all triples of its subjects: "
                f"{nodes[0]['@id']} after {last}"
            )
        for node in nodes:
            merge.push(node["@id"], canonical(_compact_node(node, terms)))
        last = nodes[-1]["@id"]
        merge.flush(_below(last))
    merge.close()


#: The opening of a document with an empty "@graph" ends with this; the nodes go between "[" and "]".
_EMPTY_GRAPH_END = b"]\n}\n"
#: Queued nodes of one namespace are kept in memory up to this many bytes, then on a temporary file.
_SPILL_BYTES = 16 * 1024 * 1024


def _node_bytes(node: JSON) -> bytes:
    """``node`` as :func:`dumps` writes it as an item of the top-level "@graph" array (indented by 4)."""
    return orjson.dumps(node, option=orjson.OPT_INDENT_2).replace(b"\n", b"\n    ")


class _GraphWriter:
    """Writes a document ``{"@context": ..., "@graph": [...]}`` item by item, as :func:`dumps` writes it whole."""

    def __init__(self, handle: IO[bytes], empty: bytes) -> None:
        if not empty.endswith(b"[" + _EMPTY_GRAPH_END):
            raise ValueError("not the dump of a document ending with an empty @graph")
        self.handle, self.empty, self.count = handle, empty, 0

    def write(self, item: bytes) -> None:
        if not self.count:
            self.handle.write(self.empty[: -len(_EMPTY_GRAPH_END)])
        self.handle.write(b"\n    " if not self.count else b",\n    ")
        self.handle.write(item)
        self.count += 1

    def close(self) -> None:
        self.handle.write(b"\n  " + _EMPTY_GRAPH_END if self.count else self.empty)


def _bucket(iri: str, compacted: str) -> str:
    """The prefix that ``iri`` was compacted with, or "" where it kept its IRI."""
    return "" if compacted == iri else compacted.split(":", 1)[0]


def _below(last: str) -> str:
    """A compacted id that every subject after ``last`` (in IRI order) compacts to something greater than.

    Within one prefix (or among IRIs that stay whole) compacting keeps the order; what a later subject in
    a prefix's namespace can compact to is bounded by where ``last`` stands relative to that namespace.
    """
    bound = last
    for prefix, namespace in PREFIXES.items():
        ns = str(namespace)
        if last.startswith(ns):
            bound = min(bound, f"{prefix}:{last[len(ns) :]}")
        elif last < ns:
            bound = min(bound, f"{prefix}:")
    return bound


class _Queue:
    """First in, first out (id, node bytes), in memory up to :data:`_SPILL_BYTES`, then on a temporary file."""

    def __init__(self) -> None:
        self.memory: deque[tuple[str, bytes]] = deque()
        self.memory_bytes = 0
        self.file: IO[bytes] | None = None
        self.on_file = 0
        self.read_at = self.write_at = 0
        self.file_head: tuple[str, bytes] | None = None

    def __bool__(self) -> bool:
        return bool(self.memory) or self.on_file > 0

    def push(self, key: str, data: bytes) -> None:
        if not self.on_file and self.memory_bytes + len(data) <= _SPILL_BYTES:
            self.memory.append((key, data))
            self.memory_bytes += len(data)
            return
        if self.file is None:
            self.file = tempfile.TemporaryFile()
        encoded = key.encode("utf-8")
        self.file.seek(self.write_at)
        self.file.write(len(encoded).to_bytes(8, "big") + encoded + len(data).to_bytes(8, "big") + data)
        self.write_at = self.file.tell()
        self.on_file += 1

    def head(self) -> tuple[str, bytes]:
        if self.memory:
            return self.memory[0]
        if self.file_head is None:
            assert self.file is not None and self.on_file
            self.file.seek(self.read_at)
            key = self.file.read(int.from_bytes(self.file.read(8), "big")).decode("utf-8")
            data = self.file.read(int.from_bytes(self.file.read(8), "big"))
            self.read_at = self.file.tell()
            self.file_head = (key, data)
        return self.file_head

    def pop(self) -> tuple[str, bytes]:
        item = self.head()
        if self.memory:
            self.memory.popleft()
            self.memory_bytes -= len(item[1])
        else:
            self.file_head = None
            self.on_file -= 1
            if not self.on_file and self.file is not None:
                self.file.seek(0)
                self.file.truncate()
                self.read_at = self.write_at = 0
        return item

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


class _NodeMerge:
    """Compacted nodes in, in IRI order; out in the order of their compacted ids, as :func:`canonical` sorts.

    One queue per prefix: within one, IRI order is id order, so the queues merge by their heads.
    """

    def __init__(self, handle: IO[bytes], empty: bytes) -> None:
        self.writer = _GraphWriter(handle, empty)
        self.queues: dict[str, _Queue] = {}

    def push(self, iri: str, node: JSON) -> None:
        key = node["id"]
        bucket = _bucket(iri, key)
        if bucket not in self.queues:
            self.queues[bucket] = _Queue()
        self.queues[bucket].push(key, _node_bytes(node))

    def flush(self, bound: str | None) -> None:
        """Write the queued nodes whose id is at most ``bound`` (all of them for None), in order."""
        while True:
            waiting = [queue for queue in self.queues.values() if queue]
            if not waiting:
                return
            first = waiting[0] if len(waiting) == 1 else _first(waiting)
            if bound is not None and first.head()[0] > bound:
                return
            self.writer.write(first.pop()[1])

    def close(self) -> None:
        self.flush(None)
        self.writer.close()
        for queue in self.queues.values():
            queue.close()


def _first(queues: list[_Queue]) -> _Queue:
    """The queue whose head comes first by :func:`_sort_key`: by id, then (two IRIs, one id) by the node's text."""
    low = min(queue.head()[0] for queue in queues)
    tied = [queue for queue in queues if queue.head()[0] == low]
    if len(tied) == 1:
        return tied[0]
    return min(tied, key=lambda queue: _sort_key(json.loads(queue.head()[1])))


def _terms(context: JSON) -> dict[str, tuple[str, JSON]]:
    """Predicate IRI -> (term, definition)."""
    prefixes = {k: v for k, v in context.items() if isinstance(v, str) and not v.startswith("@")}
    found: dict[str, tuple[str, JSON]] = {}
    for term, definition in context.items():
        if isinstance(definition, dict) and "@id" in definition:
            prefix, _, local = definition["@id"].partition(":")
            iri = prefixes[prefix] + local if prefix in prefixes else definition["@id"]
            found[iri] = (term, definition)
    return found


def _compact_node(node: JSON, terms: dict[str, tuple[str, JSON]]) -> JSON:
    out: JSON = {"id": _compact_iri(node["@id"])}
    if "@type" in node:
        types = [_compact_iri(t) for t in node["@type"]]
        out["type"] = types[0] if len(types) == 1 else types
    for predicate, values in node.items():
        if predicate.startswith("@"):
            continue
        term, definition = terms.get(predicate, (_compact_iri(predicate), {}))
        if definition.get("@container") == "@language" and not all(_is_text(v) for v in values):
            # a graph the context was not made from (the vocabulary): the key without the term's container
            term, definition = _compact_iri(predicate), {}
        if definition.get("@container") == "@language":
            by_lang: dict[str, list[str]] = defaultdict(list)
            for value in values:
                by_lang[value.get("@language", "@none")].append(value["@value"])
            out[term] = {lang: texts[0] if len(texts) == 1 else texts for lang, texts in by_lang.items()}
            continue
        compacted = [_compact_value(value, definition) for value in values]
        out[term] = compacted[0] if len(compacted) == 1 else compacted
    return out


@functools.lru_cache(maxsize=1 << 12)
def _compact_iri(iri: str) -> str:
    """:func:`~wijkld.vocab.compact_iri`, remembered: the same types, predicates and targets recur."""
    return compact_iri(iri)


def _compact_value(value: JSON, definition: JSON) -> Any:
    coerce = definition.get("@type")
    if "@id" in value:
        return _compact_iri(value["@id"]) if coerce == "@id" else {"id": _compact_iri(value["@id"])}
    if "@language" in value:
        return {"@language": value["@language"], "@value": value["@value"]}
    if "@type" in value:
        if coerce and _compact_iri(value["@type"]) == coerce:
            return value["@value"]
        return {"type": _compact_iri(value["@type"]), "@value": value["@value"]}
    # a plain string under a term that coerces its values (to IRIs or a datatype) must say it is a string
    return {"@value": value["@value"]} if coerce else value["@value"]


def _is_text(value: JSON) -> bool:
    """A string, with or without a language tag: what a language map can hold."""
    return "@id" not in value and "@type" not in value


def tree(graph: Graph, context: JSON, view: View, compacted: JSON | None = None) -> JSON:
    """A nested view for developers who do not know RDF: one tree per root of ``view.type``.

    This is JSON-LD framing restricted to what the views need (embed listed
    properties, follow listed reverse links, leave every other link an IRI).
    PyLD's general framing took over half a minute on the 5,000-triple pilot;
    this takes milliseconds and stays linear. The result is JSON-LD whose
    triples are a subset of the graph (``tests/test_jsonld.py`` checks it).
    ``compacted``: :func:`compact` of the graph with ``context``, if already at hand.
    """
    full_context = {**context["@context"], **view.context}
    if compacted is None:
        compacted = compact(graph, context)
    nodes = {node["id"]: node for node in compacted["@graph"]}
    roots = [n for n in nodes.values() if view.type in _as_list(n.get("type"))]
    trees = [_embed_node(root, view.embed, nodes) for root in roots]
    return canonical({"@context": full_context, "@graph": trees})


@dataclass(frozen=True)
class View:
    """Which nodes are roots, and which properties to embed below them (nested the same way)."""

    type: str
    embed: Mapping[str, Embed]
    context: Mapping[str, Any]


@dataclass(frozen=True)
class Embed:
    children: Mapping[str, Embed] = field(default_factory=dict)
    #: for a reverse property: the forward term whose value points back at the parent
    reverse_of: str | None = None


def _embed_node(node: JSON, spec: Mapping[str, Embed], nodes: Mapping[str, JSON]) -> JSON:
    out = dict(node)
    for term, child in spec.items():
        if child.reverse_of:
            pointing = [n for n in nodes.values() if node["id"] in _as_list(n.get(child.reverse_of))]
            if pointing:
                out[term] = [_embed_node(n, child.children, nodes) for n in pointing]
        elif term in node:
            values = [_embed_node(nodes[v], child.children, nodes) if v in nodes else v for v in _as_list(node[term])]
            out[term] = values[0] if len(values) == 1 and not isinstance(node[term], list) else values
    return out


def write_tree(graph: Graph, context: JSON, view: View, handle: BinaryIO) -> None:
    """Write ``dumps(tree(graph, context, view))``, root by root, looking each node up in ``graph``.

    Only the nodes a tree embeds are compacted (each from its own triples), and the nodes that point
    back at a node are found by a triple pattern, so memory is that of one root's tree (and the
    roots' IRIs, to sort them), whatever the store. Assumes, as :func:`tree` does, that no two
    subjects compact to the same id (an IRI spelt like a CURIE of another, say ``schema:x``), and it
    embeds no typed literal in place of a node in a reverse link (:func:`tree` would, if its text
    were that node's id and its datatype the term's).
    """
    full_context = {**context["@context"], **view.context}
    writer = _GraphWriter(handle, dumps({"@context": full_context, "@graph": []}))
    nodes = _GraphNodes(graph, context)
    for subject in nodes.roots(view.type):
        root = nodes.node(subject)
        if root is not None:
            writer.write(_node_bytes(canonical(nodes.embed(subject, root, view.embed))))
    writer.close()


#: Characters that never occur in an IRI (rdflib warns about a URIRef holding one).
_NOT_IN_IRIS = frozenset('<>" {}|\\^`')
_MISSING = object()


def _iris_of(compacted: str) -> list[str]:
    """The IRIs that :func:`~wijkld.vocab.compact_iri` turns into ``compacted``."""
    candidates = [compacted]
    prefix, colon, local = compacted.partition(":")
    if colon and prefix in PREFIXES:
        candidates.insert(0, str(PREFIXES[prefix]) + local)
    return [iri for iri in candidates if compact_iri(iri) == compacted and not _NOT_IN_IRIS.intersection(iri)]


class _GraphNodes:
    """The nodes of :func:`compact`'s "@graph", each compacted from its own triples when asked for."""

    def __init__(self, graph: Graph, context: JSON, cached: int = 4096) -> None:
        self.graph = graph
        self.terms = _terms(context["@context"])
        self.by_term = {term: (iri, definition) for iri, (term, definition) in self.terms.items()}
        self.cache: OrderedDict[URIRef, JSON | None] = OrderedDict()
        self.cached = cached

    def node(self, subject: URIRef) -> JSON | None:
        """The compacted node of ``subject``; None if it is the subject of no triple."""
        found = self.cache.get(subject, _MISSING)
        if found is not _MISSING:
            self.cache.move_to_end(subject)
            return found  # type: ignore[return-value]
        expanded_nodes = _expanded_nodes(self.graph.triples((subject, None, None)), sort_values=False)
        node = canonical(_compact_node(expanded_nodes[0], self.terms)) if expanded_nodes else None
        self.cache[subject] = node
        if len(self.cache) > self.cached:
            self.cache.popitem(last=False)
        return node

    def by_id(self, value: Any) -> tuple[URIRef, JSON] | None:
        """The subject whose compacted id is ``value``, and its node; None if no node has that id."""
        if isinstance(value, str):
            for iri in _iris_of(value):
                subject = URIRef(iri)
                node = self.node(subject)
                if node is not None:
                    return subject, node
        return None

    def roots(self, type_: str) -> list[URIRef]:
        """The subjects whose compacted rdf:type values include ``type_``, by compacted id."""
        found: dict[str, URIRef] = {}
        for iri in _iris_of(type_):
            for subject in self.graph.subjects(RDF.type, URIRef(iri)):
                if isinstance(subject, URIRef):
                    found[compact_iri(str(subject))] = subject
        return [found[key] for key in sorted(found)]

    def pointing(self, subject: URIRef, node_id: str, term: str) -> list[tuple[URIRef, JSON]]:
        """The nodes whose value of ``term`` compacts to ``node_id`` (the id of ``subject``)."""
        if term in self.by_term:
            predicates = [self.by_term[term]]
        else:
            predicates = [(iri, {}) for iri in _iris_of(term) if iri not in self.terms]
        found: set[Node] = set()
        for iri, definition in predicates:
            predicate = URIRef(iri)
            if definition.get("@type") == "@id":
                found.update(self.graph.subjects(predicate, subject))
            if definition.get("@container") != "@language":  # a plain literal compacts to its text
                found.update(self.graph.subjects(predicate, Literal(node_id)))
                found.update(self.graph.subjects(predicate, Literal(node_id, datatype=URIRef(XSD_STRING))))
        pointing = []
        for other in sorted(s for s in found if isinstance(s, URIRef)):
            node = self.node(other)
            if node is not None:
                pointing.append((other, node))
        return pointing

    def embed(self, subject: URIRef, node: JSON, spec: Mapping[str, Embed]) -> JSON:
        """:func:`_embed_node`, with the nodes looked up in the graph."""
        out = dict(node)
        for term, child in spec.items():
            if child.reverse_of:
                pointing = self.pointing(subject, node["id"], child.reverse_of)
                if pointing:
                    out[term] = [self.embed(other, found, child.children) for other, found in pointing]
            elif term in node:
                values = []
                for value in _as_list(node[term]):
                    target = self.by_id(value)
                    values.append(self.embed(*target, child.children) if target is not None else value)
                out[term] = values[0] if len(values) == 1 and not isinstance(node[term], list) else values
        return out


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def canonical(value: Any) -> Any:
    """Sort arrays and keys so that the output is byte-stable: @context, id, type, then a-z."""
    if isinstance(value, Mapping):
        keys = sorted(value, key=lambda k: (k != "@context", k not in ("id", "@id"), k not in ("type", "@type"), k))
        return {k: canonical(value[k]) if k != "@context" else value[k] for k in keys}
    if isinstance(value, list):
        items = [canonical(v) for v in value]
        return sorted(items, key=_sort_key)
    return value


def _sort_key(value: Any) -> tuple[str, str]:
    node_id = value.get("id", value.get("@id", "")) if isinstance(value, Mapping) else ""
    return (str(node_id), json.dumps(value, sort_keys=True, ensure_ascii=False))


def dumps(document: JSON) -> bytes:
    """Indented UTF-8 JSON, byte for byte what ``json.dumps(document, ensure_ascii=False, indent=2)`` gives.

    orjson because the standard library's encoder drops to pure Python when indenting: the
    pilot's 890 per-resource documents (each with the whole context) took a second.
    """
    return orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def _view(type_: str, embed: Mapping[str, Embed], name: str, reverse: str, children: Mapping[str, Embed]) -> View:
    """Nodes of ``type_`` with ``embed`` below them, and as ``name`` the nodes whose ``reverse`` points at them.

    ``reverse`` is a CURIE; its local name is its term in the context.
    """
    return View(
        type=type_,
        context={name: {"@reverse": reverse, "@container": "@set"}},
        embed={**embed, name: Embed(children, reverse_of=reverse.split(":", 1)[1])},
    )


_PERIOD = Embed({"hasBeginning": Embed(), "hasEnd": Embed()})
_MEMBERSHIP = {"role": Embed(), "representing": Embed(), "memberDuring": _PERIOD}

#: Tree views for developers who do not know RDF: one file per main type in ``framed/``.
VIEWS: dict[str, View] = {
    "wijken": _view(
        "wijkld:Wijk",
        {"sfWithin": Embed()},
        "teams",
        "wijkld:wijk",
        {"theme": Embed(), "hasMembership": Embed({"member": Embed(), **_MEMBERSHIP})},
    ),
    "personen": _view(
        "schema:Person",
        {"memberOf": Embed()},
        "memberships",
        "org:member",
        {**_MEMBERSHIP, "organization": Embed({"wijk": Embed(), "theme": Embed()})},
    ),
}
