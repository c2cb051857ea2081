"""JSON-LD that reads like plain JSON and parses offline.

The context is derived from the graph itself (one short term per predicate,
IRIs and language maps coerced), embedded in every document and shipped as
``context.jsonld``. Compaction and framing are done by PyLD, the reference
JSON-LD processor for Python; its document loader is replaced by one that
refuses every URL, so nothing is ever fetched.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from pyld import jsonld
from rdflib import Graph, Literal, URIRef

from .publish import ntriples_lines
from .vocab import PREFIXES, RDF

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


def _refuse(url: str, options: Any = None) -> Any:
    raise jsonld.JsonLdError(f"wijkld never fetches remote documents (asked for {url})", "loading document failed")


jsonld.set_document_loader(_refuse)


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
        definition: JSON = {"@id": _compact(predicate)}
        values = kinds[predicate]
        if values == {"@id"}:
            definition["@type"] = "@id"
        elif "@language" in values and values <= {"@language", XSD_STRING}:
            definition["@container"] = "@language"  # untagged strings go under "@none"
        elif len(values) == 1 and "@id" not in values and "@language" not in values:
            (datatype,) = values
            if datatype != XSD_STRING:
                definition["@type"] = _compact(datatype)
        context[term] = definition
    return {"@context": context}


def _prefix_of(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(str(namespace)):
            return prefix
    return "x"


def _compact(iri: str) -> str:
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(str(item[1]))):
        if iri.startswith(str(namespace)) and iri != str(namespace):
            return f"{prefix}:{iri[len(str(namespace)) :]}"
    return iri


def expanded(graph: Graph) -> list[JSON]:
    nquads = b"".join(ntriples_lines(graph)).decode("utf-8")
    return jsonld.from_rdf(nquads, {"format": "application/n-quads", "useNativeTypes": False})


def compact(graph: Graph, context: JSON) -> JSON:
    """The whole graph, compacted with ``context`` embedded; nodes sorted by id."""
    document = jsonld.compact(expanded(graph), context["@context"], {"graph": True})
    document["@context"] = context["@context"]
    return canonical(document)


def frame(graph: Graph, context: JSON, frame_: JSON) -> JSON:
    """A framed view (a tree for developers who do not know RDF)."""
    full_context = {**context["@context"], **frame_.get("@context", {})}
    # Embed nothing unless the frame asks for it: a tree, not the whole graph under every node.
    options = {"omitGraph": False, "embed": "@never", "omitDefault": True}
    document = jsonld.frame(expanded(graph), {**frame_, "@context": full_context}, options)
    document["@context"] = full_context
    return canonical(document)


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
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


_NEVER = {"@embed": "@never"}
#: Links that point sideways or back up the tree: shown as IRIs, never expanded.
_LINKS = {
    name: _NEVER
    for name in (
        "source",
        "identifierSource",
        "dateSource",
        "programme",
        "organization",
        "explanation",
        "replaces",
        "isReplacedBy",
        "inScheme",
        "topConceptOf",
        "broader",
        "municipality",
        "memberOf",
        "subOrganizationOf",
        "spatial",
        "sfWithin",
        "heldBy",
        "postIn",
        "cabinet",
    )
}


def _embed(**children: JSON) -> JSON:
    """A subframe that embeds the node, and only the listed children (others stay links)."""
    return {"@embed": "@always", **_LINKS, **children}


#: Framed views for developers who do not know RDF: one tree per main type.
FRAMES: dict[str, JSON] = {
    "wijken": {
        "@context": {
            "teams": {"@reverse": "wijkld:wijk", "@container": "@set"},
            "hasMembership": {"@id": "org:hasMembership", "@type": "@id", "@container": "@set"},
        },
        "type": "wijkld:Wijk",
        **_LINKS,
        "sfWithin": _embed(),
        "teams": _embed(
            theme=_embed(),
            hasMembership=_embed(
                member=_embed(),
                role=_embed(),
                representing=_embed(),
                memberDuring=_embed(hasBeginning=_embed(), hasEnd=_embed()),
            ),
        ),
    },
    "personen": {
        "@context": {"memberships": {"@reverse": "org:member", "@container": "@set"}},
        "type": "schema:Person",
        **_LINKS,
        "memberships": _embed(role=_embed(), representing=_embed(), organization=_embed(wijk=_embed())),
    },
}
