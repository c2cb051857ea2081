"""Reading users' RDF files (Turtle, N-Triples, N-Quads, TriG, JSON-LD; gzipped or not) into one graph.

Parsed with Oxigraph, not rdflib: its parsers report the line and column of a syntax error, which is
what a person fixing a file needs (``file:line:col: message``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Node

from wijkld import inputs
from wijkld.errors import WijkldError
from wijkld.model.terms import from_oxigraph

#: File name endings (after an optional ``.gz``) and the RDF syntax they hold.
FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
}


@dataclass
class Data:
    """The triples of the files read, and which file each subject was first seen in."""

    graph: Graph
    files: list[str] = field(default_factory=list)
    origin: dict[Node, str] = field(default_factory=dict)


def rdf_format(path: Path) -> tuple[ox.RdfFormat, bool]:
    """The syntax of ``path`` by its name, and whether it is gzipped; WijkldError if the name says nothing."""
    name = path.name.lower()
    gzipped = name.endswith(".gz")
    suffix = Path(name[:-3] if gzipped else name).suffix
    if suffix not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise WijkldError(f"{path}: cannot tell the RDF syntax from the file name; expected one of {known} (+ .gz)")
    return FORMATS[suffix], gzipped


def read_data(paths: Iterable[Path]) -> Data:
    """Parse RDF files into one graph (named graphs merged); WijkldError ``file:line:col: ...`` on bad input."""
    paths = list(paths)
    data = Data(Graph())
    for index, path in enumerate(paths):
        bnode_prefix = f"f{index}-" if len(paths) > 1 else ""  # blank nodes of different files are different
        data.files.append(str(path))
        for s, p, o in parse_file(path, bnode_prefix):
            data.graph.add((s, p, o))
            data.origin.setdefault(s, str(path))
    return data


def parse_file(path: Path, bnode_prefix: str = "") -> Iterator[tuple[Node, URIRef, Node]]:
    """The triples of one RDF file, any named graphs merged into one.

    Parsed as it is read (wijkld.inputs: regular files only, gzip inflated with a cap), so the text is never
    held whole; a broken gzip stream is reported at the line and column where the good text ends.
    """
    fmt, gzipped = rdf_format(path)
    with inputs.open_input(path, what="read the data", gzipped=gzipped) as handle:
        yield from _parse(handle, fmt, path, bnode_prefix)


def _parse(handle: BinaryIO, fmt: ox.RdfFormat, path: Path, bnode_prefix: str) -> Iterator[tuple[Node, URIRef, Node]]:
    try:
        for quad in quiet_literals(ox.parse(handle, fmt, base_iri=path.absolute().as_uri())):
            yield (
                from_oxigraph(quad.subject, bnode_prefix, path),
                URIRef(quad.predicate.value),
                from_oxigraph(quad.object, bnode_prefix, path),
            )
    except SyntaxError as exc:
        raise WijkldError(syntax_error_message(path, exc)) from None


def quiet_literals(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    """rdflib logs a traceback for every ill-typed literal ("x"^^xsd:date); the shapes report those better."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield from quads
    finally:
        logger.setLevel(level)


_POSITION_PREFIX = re.compile(r"^Parser error (?:at|between) [^:]*: ")


def syntax_error_message(path: Path, exc: SyntaxError) -> str:
    """``file:line:col: message``, or ``file: message`` when the parser gives no position."""
    message = _POSITION_PREFIX.sub("", str(exc.msg or exc))
    if exc.lineno:
        return f"{path}:{exc.lineno}:{exc.offset or 1}: {message}"
    return f"{path}: {message}"
