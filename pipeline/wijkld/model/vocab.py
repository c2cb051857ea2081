"""Namespaces used in the data, the prefixes every output declares, and shortening IRIs with prefixes."""

from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SDO, SH, SKOS, TIME, VOID, XSD, DefinedNamespace
from rdflib.term import Node

from wijkld.model.curie import longest_first, shorten
from wijkld.model.iris import VOCAB

WIJKLD = Namespace(VOCAB)
#: rdflib's closed DCAT namespace lacks DCAT 3 terms such as dcat:version.
DCAT = Namespace("http://www.w3.org/ns/dcat#")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
VANN = Namespace("http://purl.org/vocab/vann/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SCHEMA = SDO  # https://schema.org/

#: The prefixes every output declares: open namespaces, and rdflib's closed ones (classes); ``str()`` gives the IRI.
PREFIXES: dict[str, Namespace | type[DefinedNamespace]] = {
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

_BY_LENGTH = longest_first({p: str(ns) for p, ns in PREFIXES.items()})


def compact_iri(iri: str, separator: str = ":") -> str:
    """``prefix:local`` by the project's prefixes (:data:`PREFIXES`), else the IRI as it is.

    The longest namespace that starts ``iri`` wins, and a namespace itself stays whole
    (:func:`wijkld.curie.shorten`, which takes other prefixes).
    """
    return shorten(iri, _BY_LENGTH, separator)


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
