"""Reading users' RDF files (Turtle, N-Triples, N-Quads, TriG, JSON-LD; gzipped or not) into one graph.

Parsed with Oxigraph, not rdflib: its parsers report the line and column of a syntax error, which is
what a person fixing a file needs (``file:line:col: message``).
"""

from __future__ import annotations

import logging
import re
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Node

from wijkld import inputs
from wijkld.errors import WijkldError
from wijkld.model.iris import NQUADS_DUMP
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
    #: the line where a subject's statements start in its file, for the subjects :func:`add_lines` was asked for
    lines: dict[Node, int] = field(default_factory=dict)


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


def add_lines(data: Data, iris: Iterable[str]) -> None:
    """Find the lines of the subjects ``iris`` (the focus nodes of results) in the files that describe them.

    Only the files holding one are read again, so data that conforms is read once.
    """
    wanted: dict[str, set[str]] = {}
    for iri in iris:
        file = data.origin.get(URIRef(iri))
        if file is not None:
            wanted.setdefault(file, set()).add(iri)
    for file, subjects in sorted(wanted.items()):
        for iri, line in subject_lines(Path(file), subjects).items():
            data.lines[URIRef(iri)] = line


_PREFIX_LINE = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([\w.-]*):\s*<([^>]*)>", re.IGNORECASE)
_BASE_LINE = re.compile(r"^\s*(?:@base|BASE)\s+<([^>]*)>", re.IGNORECASE)
_FIRST_TERM = re.compile(r"^(?:<([^>]*)>|([A-Za-z][\w.-]*)?:([^\s;,()\[\]]*[^\s;,.()\[\]]|))")
_JSON_ID = re.compile(r'"@id"\s*:\s*"([^"]*)"')


def subject_lines(path: Path, subjects: set[str]) -> dict[str, int]:
    """For each IRI in ``subjects``, the first line of ``path`` where it starts a statement as subject.

    The parsers give no positions for good triples, so this reads the text again: in N-Triples and
    N-Quads a statement is a line; in Turtle and TriG a description starts with its subject at the start
    of a line (prefixed names expanded with the file's prefixes), as every Turtle writer we know writes
    it; in JSON-LD, the line of the object whose ``"@id"`` is the IRI written out in full. A subject
    found no such way gets no line, and the reports then name only the file.
    """
    fmt, gzipped = rdf_format(path)
    lines: dict[str, int] = {}
    prefixes: dict[str, str] = {}
    base = path.absolute().as_uri()
    with inputs.open_input(path, what="read the data", gzipped=gzipped) as handle:
        for number, raw in enumerate(handle, start=1):
            text = raw.decode("utf-8", errors="replace")
            if fmt == ox.RdfFormat.JSON_LD:
                for iri in _JSON_ID.findall(text):
                    if iri in subjects:
                        lines.setdefault(iri, number)
                continue
            if (declared := _PREFIX_LINE.match(text)) is not None:
                prefixes[declared.group(1)] = declared.group(2)
                continue
            if (based := _BASE_LINE.match(text)) is not None:
                base = based.group(1)
                continue
            if text[:1].isspace() and fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
                continue  # a continuation of the statement above
            term = _FIRST_TERM.match(text.lstrip() if fmt in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS) else text)
            if term is None:
                continue
            if term.group(1) is not None:
                iri = term.group(1) if ":" in term.group(1) else urllib.parse.urljoin(base, term.group(1))
            elif (term.group(2) or "") in prefixes:
                iri = prefixes[term.group(2) or ""] + term.group(3)
            else:
                continue
            if iri in subjects:
                lines.setdefault(iri, number)
    return lines


#: Graphs of a release that are not data: the context of a fragment is the data and its statement bases.
_NOT_DATA = ("/graph/vocabulary", "/graph/shapes", "/graph/metadata")


def read_release(path: Path) -> Graph:
    """The data of a release (its folder, or its N-Quads dump, gzipped or not) as the context of fragments.

    Every graph but the vocabulary, shapes and metadata: the data graph and the graph of each statement
    basis, so a fragment is validated against all the data the release's own validation saw.
    """
    dump = path / NQUADS_DUMP if path.is_dir() else path
    if path.is_dir() and not dump.is_file():
        raise WijkldError(
            f"{path}: not a release: it holds no {NQUADS_DUMP} (build one with: wijkld build --out {path})"
        )
    fmt, gzipped = rdf_format(dump)
    if fmt != ox.RdfFormat.N_QUADS:
        raise WijkldError(f"{path}: a release is a folder or its N-Quads dump ({NQUADS_DUMP}); got a {fmt} file")
    graph = Graph()
    with inputs.open_input(dump, what="read the release", gzipped=gzipped) as handle:
        try:
            for quad in quiet_literals(ox.parse(handle, fmt)):
                name = quad.graph_name
                if isinstance(name, ox.NamedNode) and name.value.endswith(_NOT_DATA):
                    continue
                graph.add(
                    (
                        from_oxigraph(quad.subject, "", dump),
                        URIRef(quad.predicate.value),
                        from_oxigraph(quad.object, "", dump),
                    )
                )
        except SyntaxError as exc:
            raise WijkldError(syntax_error_message(dump, exc)) from None
    return graph


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
