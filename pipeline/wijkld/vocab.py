"""Namespaces used in the data, and the prefixes every output declares."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SDO, SH, SKOS, TIME, VOID, XSD

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

#: Longest namespace first, so that a namespace inside another never wins.
_BY_LENGTH = sorted(((p, str(ns)) for p, ns in PREFIXES.items()), key=lambda item: (-len(item[1]), item[0]))


def compact_iri(iri: str, separator: str = ":") -> str:
    """``prefix:local`` for the project's prefixes, else the IRI as it is (a namespace itself stays whole)."""
    for prefix, namespace in _BY_LENGTH:
        if iri.startswith(namespace) and iri != namespace:
            return f"{prefix}{separator}{iri[len(namespace) :]}"
    return iri


__all__ = [
    "compact_iri",
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
