"""JSON-LD that reads like plain JSON and parses offline.

The context is derived from the graph itself (one short term per predicate,
IRIs and language maps coerced), embedded in every document and shipped as
``context.jsonld``, so nothing ever needs to be fetched. Compaction is done
directly (the tests check it against PyLD, the reference processor), because
PyLD's general algorithms are quadratic on graphs of this shape.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from rdflib import Graph, Literal, URIRef

from .vocab import PREFIXES, RDF, compact_iri

JSON = dict[str, Any]
XSD_STRING = str(PREFIXES["xsd"]) + "string"

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
    kinds: dict[str, set[str]] = defaultdict(set)
    for _, p, o in graph:
        if p == RDF.type:
            continue
        if isinstance(o, URIRef):
            kinds[str(p)].add("@id")
        elif isinstance(o, Literal):
            kinds[str(p)].add("@language" if o.language else str(o.datatype or XSD_STRING))
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
        values = kinds[predicate]
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
    nodes: dict[str, JSON] = {}
    for s, p, o in graph:
        node = nodes.setdefault(str(s), {"@id": str(s)})
        if p == RDF.type and isinstance(o, URIRef):
            node.setdefault("@type", []).append(str(o))
        else:
            node.setdefault(str(p), []).append(_expanded_value(o))
    return [_sorted_node(nodes[key]) for key in sorted(nodes)]


def _expanded_value(o: Any) -> JSON:
    if isinstance(o, URIRef):
        return {"@id": str(o)}
    if not isinstance(o, Literal):
        raise ValueError(f"blank nodes are not published: {o!r}")
    if o.language:
        return {"@value": str(o), "@language": o.language}
    if o.datatype and str(o.datatype) != XSD_STRING:
        return {"@value": str(o), "@type": str(o.datatype)}
    return {"@value": str(o)}


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
        graph_nodes = [_compact_node(node, terms) for node in expanded(graph)]
        return canonical({"@context": context["@context"], "@graph": graph_nodes})

    return compact_graph


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
    out: JSON = {"id": compact_iri(node["@id"])}
    if "@type" in node:
        types = [compact_iri(t) for t in node["@type"]]
        out["type"] = types[0] if len(types) == 1 else types
    for predicate, values in node.items():
        if predicate.startswith("@"):
            continue
        term, definition = terms.get(predicate, (compact_iri(predicate), {}))
        if definition.get("@container") == "@language":
            by_lang: dict[str, list[str]] = defaultdict(list)
            for value in values:
                by_lang[value.get("@language", "@none")].append(value["@value"])
            out[term] = {lang: texts[0] if len(texts) == 1 else texts for lang, texts in by_lang.items()}
            continue
        compacted = [_compact_value(value, definition) for value in values]
        out[term] = compacted[0] if len(compacted) == 1 else compacted
    return out


def _compact_value(value: JSON, definition: JSON) -> Any:
    coerce = definition.get("@type")
    if "@id" in value:
        return compact_iri(value["@id"]) if coerce == "@id" else {"id": compact_iri(value["@id"])}
    if "@language" in value:
        return {"@language": value["@language"], "@value": value["@value"]}
    if "@type" in value:
        if coerce and compact_iri(value["@type"]) == coerce:
            return value["@value"]
        return {"type": compact_iri(value["@type"]), "@value": value["@value"]}
    return value["@value"]


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
