"""Namespaces used in the data, the prefixes every output declares, and shortening IRIs with prefixes."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from rdflib import Graph, Namespace
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SDO, SH, SKOS, TIME, VOID, XSD
from rdflib.term import Node

from .iris import VOCAB

WIJKLD = Namespace(VOCAB)
#: rdflib's closed DCAT namespace lacks DCAT 3 terms such as dcat:version.
DCAT = Namespace("http://www.w3.org/ns/dcat#")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
VANN = Namespace("http://purl.org/vocab/vann/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SCHEMA = SDO  # https://schema.org/

PREFIXES: dict[str, Namespace] = {
    "wijkld": WIJKLD,
    "adms": ADMS,
    "dcat": DCAT,
    "dcterms": DCTERMS,
    "foaf": FOAF,
    "geo": GEO,
    "org": ORG,
    "owl": OWL,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "schema": SCHEMA,
    "sh": SH,
    "skos": SKOS,
    "spdx": SPDX,
    "time": TIME,
    "vann": VANN,
    "void": VOID,
    "xsd": XSD,
}


def longest_first(prefixes: Mapping[str, str]) -> list[tuple[str, str]]:
    """(prefix, namespace) pairs, the longest namespace first, so that a namespace inside another never wins.

    Namespaces of the same length keep their order in ``prefixes``.
    """
    return sorted(((p, str(ns)) for p, ns in prefixes.items()), key=lambda item: -len(item[1]))


_BY_LENGTH = longest_first(PREFIXES)


def compact_iri(
    iri: str, separator: str = ":", names: Sequence[tuple[str, str]] = _BY_LENGTH, local: re.Pattern[str] | None = None
) -> str:
    """``prefix:local`` by the first of ``names`` whose namespace starts ``iri``, else the IRI as it is.

    ``names`` are (prefix, namespace) pairs in the order to try (:func:`longest_first`), by
    default the project's prefixes. A namespace itself stays whole, and with ``local`` only a
    local name that pattern matches (``re.match``) is taken.
    """
    for prefix, namespace in names:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            rest = iri[len(namespace) :]
            if local is None or local.match(rest):
                return f"{prefix}{separator}{rest}"
    return iri


def sh_prefixes(shapes: Graph, node: Node) -> dict[str, str]:
    """The prefixes a SHACL-SPARQL constraint declares (``sh:prefixes``/``sh:declare``), sorted by prefix.

    Where one prefix is declared with two namespaces, the greater namespace wins, as in sorted PREFIX lines.
    """
    pairs = []
    for holder in shapes.objects(node, SH.prefixes):
        for declaration in shapes.objects(holder, SH.declare):
            prefix, namespace = shapes.value(declaration, SH.prefix), shapes.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                pairs.append((str(prefix), str(namespace)))
    return dict(sorted(pairs))


__all__ = [
    "compact_iri",
    "longest_first",
    "sh_prefixes",
    "ADMS",
    "DCAT",
    "DCTERMS",
    "FOAF",
    "GEO",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SH",
    "SKOS",
    "SPDX",
    "TIME",
    "VANN",
    "VOID",
    "WIJKLD",
    "XSD",
]
