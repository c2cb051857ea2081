"""RDF term conversion between Oxigraph (pyoxigraph) and rdflib: the one place it is written.

The data flows as Oxigraph terms and N-Triples; rdflib terms are made where rdflib's Graph API or
pyshacl needs them. Literals keep their lexical form (no rdflib normalisation), so what is checked
is what is written.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from wijkld.errors import WijkldError
from wijkld.model.vocab import XSD

#: A triple's terms as Oxigraph takes them: ``ox.Triple(*terms)``, ``ox.Quad(*terms, graph)``.
OxigraphTerms = tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, ox.NamedNode | ox.BlankNode | ox.Literal]


def to_oxigraph(term: Node) -> ox.NamedNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise ValueError(f"blank nodes and other terms are not published: {term!r}")


def oxigraph_terms(triple: tuple[Node, Node, Node], blank_nodes: bool = False) -> OxigraphTerms:
    """An rdflib triple's terms for Oxigraph: :func:`to_oxigraph`, or with ``blank_nodes`` :func:`to_oxigraph_term`."""
    convert = to_oxigraph_term if blank_nodes else to_oxigraph
    s, p, o = convert(triple[0]), convert(triple[1]), convert(triple[2])
    if isinstance(s, ox.Literal) or not isinstance(p, ox.NamedNode):
        raise ValueError(f"not an RDF triple (a literal subject, or a predicate that is no IRI): {triple!r}")
    return s, p, o


def to_oxigraph_term(term: Node) -> ox.NamedNode | ox.Literal | ox.BlankNode:
    """:func:`to_oxigraph`, blank nodes included (same label)."""
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    return to_oxigraph(term)


def from_oxigraph_skolemised(term: object, prefix: str) -> Node:
    """An rdflib term for an Oxigraph one, a blank node as the skolem IRI ``{prefix}{label}``; literals as written."""
    if isinstance(term, ox.BlankNode):
        return URIRef(prefix + term.value)
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    assert isinstance(term, ox.Literal)
    # as written: rdflib would normalise "01"^^xsd:integer to "1" in the published shapes, vocabulary or report
    if term.language:
        return Literal(term.value, lang=term.language, normalize=False)
    return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)


def from_oxigraph(term: object, bnode_prefix: str, path: Path) -> Node:
    """An rdflib term for an Oxigraph one; ``path`` names the source in the error for an RDF 1.2 triple term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(bnode_prefix + term.value)
    if isinstance(term, ox.Literal):
        # not normalised: rdflib would rewrite "2007-05-03Z"^^xsd:date as "2007-05-03", hiding it from sh:pattern
        if term.language:
            return Literal(term.value, lang=term.language, normalize=False)
        if term.datatype.value == str(XSD.string):
            return Literal(term.value, normalize=False)
        return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)
    raise WijkldError(f"{path}: RDF 1.2 triple terms are not supported by the validator")
