"""Validate RDF against the project's SHACL shapes, with pyshacl or the ``shacl`` engine.

Two engines give the same results (focus node, path, constraint component, source
shape, severity, value): pyshacl, the reference, in Python over rdflib graphs; and
``shacl`` (PyPI, Rust), 20-30 times faster on 10k-100k triples, used by ``engine="auto"``
wherever it is known to agree (``tests/test_shapes.py`` runs the whole shapes suite and
``tests/test_validate_mutations.py`` the mutations of the release through both; where
they would differ, :class:`EngineGap` says why). Messages differ: pyshacl also repeats the shape's general
``sh:message`` and drops the language tags of SPARQL messages; only pyshacl reports
``sh:detail`` (why a nested ``sh:node`` shape failed).

Reading is done with Oxigraph, not rdflib: its parsers report the line and
column of a syntax error, which is what a person fixing a file needs.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from pyshacl import validate as pyshacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from wijkld import inputs
from wijkld.errors import WijkldError
from wijkld.model.terms import from_oxigraph, oxigraph_terms
from wijkld.model.vocab import RDF, SH, XSD
from wijkld.resources import resource_dir
from wijkld.validate.pyshacl_support import focus_on_targets_only, ontology_mixin, sparql_parse_cache
from wijkld.validate.rdf_files import quiet_literals, syntax_error_message

SEVERITY_NAMES = {SH.Info: "info", SH.Warning: "warning", SH.Violation: "violation"}
#: Severity names from least to most severe; ``--fail-on`` takes one of them.
LEVELS = ("info", "warning", "violation")

#: Parameters whose value is a shape (or a list of shapes) checked against the focus or value nodes.
SHAPE_PARAMETERS = (SH.node, SH.qualifiedValueShape, SH["not"])
LIST_PARAMETERS = (SH["or"], SH["and"], SH.xone)
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)

#: ``auto`` takes the ``shacl`` engine where it gives pyshacl's results (see :func:`fast_engine_gap`).
ENGINES = ("auto", "shacl", "pyshacl")


def rank(severity: str) -> int:
    """0 for info, 1 for warning, 2 for violation (an unknown severity counts as a violation)."""
    return LEVELS.index(severity) if severity in LEVELS else len(LEVELS) - 1


@dataclass(frozen=True, order=True)
class Result:
    """One validation result, flattened for reporting; ``details`` are its nested causes (sh:detail)."""

    severity: str
    source_shape: str
    component: str
    focus: str
    path: str
    value: str
    messages: tuple[tuple[str, str], ...]  # (language, text)
    details: tuple[Result, ...] = ()
    #: The value in N-Triples syntax, so a literal keeps its datatype or language ("" when there is no value).
    value_nt: str = ""
    #: A stable, readable name of the source shape: its IRI, or for a blank node its parent and path.
    shape_name: str = ""

    def message(self, lang: str = "en") -> str:
        """The message in ``lang``, else in the other language, else any."""
        for candidate in (lang, "en", "nl", ""):
            for code, text in self.messages:
                if code == candidate:
                    return text
        return self.messages[0][1] if self.messages else ""

    @property
    def shape(self) -> str:
        return self.shape_name or self.source_shape

    def sort_key(self) -> tuple[int, str, str, str, str, str]:
        """Most severe first, then by shape, constraint, focus node, path and value."""
        return (-rank(self.severity), self.shape, self.component, self.focus, self.path, self.value_nt or self.value)


@dataclass(frozen=True)
class Report:
    """The results of one validation (sorted, most severe first) and pyshacl's W3C report graph."""

    conforms: bool
    results: tuple[Result, ...]
    graph: Graph

    def count(self, severity: str) -> int:
        return sum(1 for r in self.results if r.severity == severity)

    def at_or_above(self, level: str) -> tuple[Result, ...]:
        """The results that fail a run with ``--fail-on level``."""
        return tuple(r for r in self.results if rank(r.severity) >= rank(level))


def load_shapes(paths: Iterable[Path] | None = None) -> Graph:
    """The shapes graph: every ``.ttl`` file under the given paths (default: the project's shapes).

    Each file is read once (wijkld.inputs: regular files only, size capped) and its syntax checked with
    Oxigraph first, whose errors give ``file:line:col`` where rdflib's would not.
    """
    graph = Graph()
    for file in shapes_files(paths):
        raw = inputs.read_bytes(file, what="read the shapes")
        base = file.absolute().as_uri()
        try:
            for _ in ox.parse(raw, ox.RdfFormat.TURTLE, base_iri=base):
                pass
        except SyntaxError as exc:
            raise WijkldError(syntax_error_message(file, exc)) from None
        graph.parse(data=raw, format="turtle", publicID=base)
    return graph


def shapes_files(paths: Iterable[Path] | None = None) -> list[Path]:
    """The Turtle files :func:`load_shapes` reads: a file as given, the ``*.ttl`` under a folder."""
    files: list[Path] = []
    for path in paths or [resource_dir("shapes")]:
        files.extend(sorted(path.rglob("*.ttl")) if path.is_dir() else [path])
    return files


def load_ontology() -> Graph:
    graph = Graph()
    for file in sorted(resource_dir("ontology").glob("*.ttl")):
        graph.parse(file, format="turtle")
    return graph


def check(
    data: Graph,
    shapes: Graph | None = None,
    ontology: Graph | None = None,
    *,
    focus_nodes: Iterable[Node] | None = None,
    inplace: bool = False,
    engine: str = "pyshacl",
) -> Report:
    """Validate ``data``; the ontology is mixed in so that sh:class sees subclasses.

    ``engine`` is one of :data:`ENGINES`: pyshacl (the reference, and the default
    here), ``shacl`` (:class:`EngineGap` where it would not give pyshacl's results), or
    ``auto`` (``shacl`` where it can, else pyshacl).

    ``focus_nodes`` restricts validation to those (targeted) nodes: a quick way to
    re-check one resource of a large graph. Shapes nested in theirs (sh:node) still
    check the values, wherever they are (:func:`wijkld.pyshacl_support.focus_on_targets_only`).
    ``inplace`` validates ``data`` itself instead of a copy, which is most of the
    time of a focused check; the ontology is then mixed into ``data``, so use it
    on a graph that already holds the ontology, with an empty ``ontology``.
    """
    shapes_graph = shapes if shapes is not None else load_shapes()
    ontology = ontology if ontology is not None else load_ontology()
    if engine not in ENGINES:
        raise WijkldError(f"unknown validation engine {engine!r}; expected one of {', '.join(ENGINES)}")
    if engine != "pyshacl":
        try:
            report = _check_fast(data, shapes_graph, ontology)
            return report if focus_nodes is None else only_focus(report, focus_nodes)
        except EngineGap as gap:
            if engine == "shacl":
                raise refusal(gap) from None
    # pyshacl adds triples to the shapes graph (owl:Class rdfs:subClassOf rdfs:Class); callers publish theirs
    original = set(shapes_graph)
    # the focus patch changes nothing without focus_nodes: whole-graph validation needs no tested pyshacl internals
    focused = focus_on_targets_only() if focus_nodes is not None else contextlib.nullcontext()
    with sparql_parse_cache(), focused:
        conforms, report_graph, _ = pyshacl_validate(
            data,
            shacl_graph=shapes_graph,
            ont_graph=ontology,
            inference="none",
            advanced=True,
            allow_warnings=True,
            do_owl_imports=False,
            meta_shacl=False,
            inplace=inplace,
            focus_nodes=list(focus_nodes) if focus_nodes is not None else None,  # type: ignore[arg-type]
        )
    if len(shapes_graph) != len(original):
        for triple in set(shapes_graph) - original:
            shapes_graph.remove(triple)
    assert isinstance(report_graph, Graph)
    results = tuple(sorted(_results(report_graph, shapes_graph), key=Result.sort_key))
    return Report(bool(conforms), results, report_graph)


class EngineGap(WijkldError):
    """The ``shacl`` engine cannot give pyshacl's results for this input (``auto`` then takes pyshacl)."""


def refusal(gap: EngineGap) -> EngineGap:
    """The error for ``--engine shacl`` where the engine cannot give pyshacl's results."""
    return EngineGap(f"the shacl engine cannot validate this: {gap.message}; use the pyshacl engine")


def _check_fast(data: Graph, shapes: Graph, ontology: Graph) -> Report:
    gap = fast_engine_gap(shapes)
    if gap is not None:
        raise EngineGap(gap)
    if any(isinstance(s, Literal) for s in data.subjects()):
        raise EngineGap("the data has literals as subjects (generalised RDF), which it does not read")
    bad = first_unchecked_ill_typed((str(o), str(o.datatype)) for o in data.objects() if isinstance(o, Literal))
    if bad is not None:
        raise EngineGap(f"it does not check the lexical form of {bad.n3()}, which pyshacl finds ill-typed")
    try:
        text = ntriples_of(data, ontology_mixin(ontology))
    except (ValueError, TypeError) as exc:  # terms Oxigraph refuses: a blank-node predicate, a bad language tag
        raise EngineGap(f"the data holds terms it does not read ({exc})") from None
    report = validate_ntriples(text, shapes)
    if names_blank_nodes(report):
        raise EngineGap("its report names blank nodes of the data, which it renames")
    return report


#: Datatypes whose lexical form the shacl engine (0.3.4) does not check for sh:datatype but rdflib, and so pyshacl,
#: does. (Neither checks xsd:gYear, xsd:gYearMonth, xsd:anyURI or xsd:base64Binary; both check the other types.)
LEXICALLY_UNCHECKED = frozenset({str(XSD.hexBinary)})
_UNCHECKED_LITERAL = re.compile(
    rb'"((?:[^"\\\n]|\\.)*)"\^\^<(' + b"|".join(re.escape(t.encode()) for t in sorted(LEXICALLY_UNCHECKED)) + rb")>"
)


def first_unchecked_ill_typed(literals: Iterable[tuple[str, str]]) -> Literal | None:
    """Of (lexical form, datatype IRI) pairs, the first of a :data:`LEXICALLY_UNCHECKED` datatype that rdflib finds
    ill-typed, as a literal; None if there is none."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # rdflib logs a traceback for each ill-typed literal
    try:
        for lexical, datatype in literals:
            if datatype in LEXICALLY_UNCHECKED:
                literal = Literal(lexical, datatype=URIRef(datatype), normalize=False)
                if literal.ill_typed:
                    return literal
    finally:
        logger.setLevel(level)
    return None


def unchecked_literals_in(ntriples: bytes) -> Iterator[tuple[str, str]]:
    """(lexical form, datatype) of the literals of N-Triples text typed :data:`LEXICALLY_UNCHECKED` (escapes kept)."""
    for match in _UNCHECKED_LITERAL.finditer(ntriples):
        yield match.group(1).decode("utf-8"), match.group(2).decode("ascii")


def fast_engine_gap(shapes: Graph) -> str | None:
    """Why the ``shacl`` engine could not give pyshacl's results with ``shapes``; None when it can.

    It names blank nodes of its own in a report, so a blank-node shape could not be
    matched with ours; the same goes for blank nodes of the data (:func:`names_blank_nodes`).
    """
    try:
        import shacl  # noqa: F401
    except ImportError:
        return "the shacl package is not installed (pip install shacl)"
    if any(isinstance(shape, BNode) for shape in all_shapes(shapes)):
        return "some shapes are blank nodes, which its reports cannot name"
    return None


def names_blank_nodes(report: Report) -> bool:
    """Whether a result is about a blank node (as focus node or value): the shacl engine renames those."""
    return any(isinstance(term, BNode) for term in report.graph.objects(None, SH.focusNode)) or any(
        isinstance(term, BNode) for term in report.graph.objects(None, SH.value)
    )


def ntriples_of(*graphs: Graph) -> bytes:
    """The union of ``graphs`` as sorted N-Triples, each triple once (the shacl engine counts a repeated triple twice).

    Written by Oxigraph: rdflib's N-Triples writer rewrites some literals ("2007-05-03Z"^^xsd:date loses its Z).
    """
    triples = set().union(*(set(graph) for graph in graphs)) if graphs else set()
    terms = [ox.Triple(*oxigraph_terms(triple, blank_nodes=True)) for triple in triples]
    lines = ox.serialize(terms, format=ox.RdfFormat.N_TRIPLES) or b""  # bytes: no output was given
    return b"".join(sorted(lines.splitlines(keepends=True)))


@functools.lru_cache(maxsize=8)
def _compiled_shapes(shapes_ntriples: str) -> Any:
    import shacl

    return shacl.Shapes.from_text(shapes_ntriples, format="ntriples")


def validate_ntriples(data: str | bytes, shapes: Graph) -> Report:
    """Validate N-Triples (ontology included, each triple once) with the ``shacl`` engine."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    return _engine_report(lambda compiled: compiled.validate_text(text, format="ntriples", allow_warnings=True), shapes)


def validate_file(path: Path, shapes: Graph) -> Report:
    """:func:`validate_ntriples` of an N-Triples file (``.nt``), which the engine reads itself."""
    return _engine_report(lambda compiled: compiled.validate_file(str(path), allow_warnings=True), shapes)


def _engine_report(run: Callable[[Any], Any], shapes: Graph) -> Report:
    try:
        found = run(_compiled_shapes(shapes.serialize(format="nt")))
    except ValueError as exc:
        text = str(exc)
        prefix = "invalid shapes graph: "
        if text.startswith(prefix):
            raise WijkldError(f"the shapes are not valid SHACL: {text.removeprefix(prefix)}") from None
        raise WijkldError(f"the shacl engine cannot validate: {text}") from None
    report_graph = Graph()
    for quad in quiet_literals(ox.parse(found.serialize("ntriples").encode("utf-8"), ox.RdfFormat.N_TRIPLES)):
        report_graph.add(
            (
                from_oxigraph(quad.subject, "", Path("report")),
                URIRef(quad.predicate.value),
                from_oxigraph(quad.object, "", Path("report")),
            )
        )
    results = tuple(sorted(_results(report_graph, shapes), key=Result.sort_key))
    return Report(bool(found.conforms), results, report_graph)


def only_focus(report: Report, focus_nodes: Iterable[Node]) -> Report:
    """Only the results about ``focus_nodes``, as pyshacl's ``focus_nodes`` gives (nested ones are on their focus)."""
    keep = {str(node) for node in focus_nodes}
    graph = Graph()
    for triple in report.graph:
        graph.add(triple)
    for node in list(graph.subjects(RDF.type, SH.ValidationResult)):
        if str(graph.value(node, SH.focusNode)) not in keep:
            graph.remove((None, SH.result, node))
            graph.remove((node, None, None))
    results = tuple(r for r in report.results if r.focus in keep)
    conforms = not any(r.severity == "violation" for r in results)
    for top in graph.subjects(RDF.type, SH.ValidationReport):
        graph.set((top, SH.conforms, Literal(conforms)))
    return Report(conforms, results, graph)


def without(report: Report, known: Report, shapes: Graph) -> Report:
    """The results of ``report`` that ``known`` does not have: what a change caused, by shape, constraint,
    focus node, path and value (:meth:`Result.sort_key`)."""
    seen = {r.sort_key() for r in known.results}
    graph = Graph()
    for triple in report.graph:
        graph.add(triple)
    for top in list(graph.subjects(RDF.type, SH.ValidationReport)):
        for node in list(graph.objects(top, SH.result)):
            if _result(graph, shapes, node).sort_key() in seen:
                graph.remove((top, SH.result, node))
                _remove_tree(graph, node)
    results = tuple(r for r in report.results if r.sort_key() not in seen)
    conforms = not any(r.severity == "violation" for r in results)
    for top in graph.subjects(RDF.type, SH.ValidationReport):
        graph.set((top, SH.conforms, Literal(conforms)))
    return Report(conforms, results, graph)


def _remove_tree(graph: Graph, node: Node) -> None:
    """A result and the blank nodes only it holds (its path, its nested details)."""
    for _, _, child in list(graph.triples((node, None, None))):
        graph.remove((node, None, child))
        if isinstance(child, BNode) and not any(graph.triples((None, None, child))):
            _remove_tree(graph, child)


def _results(report: Graph, shapes: Graph) -> Iterator[Result]:
    for node in report.subjects(RDF.type, SH.ValidationReport):
        for result in report.objects(node, SH.result):
            yield _result(report, shapes, result)


def _result(report: Graph, shapes: Graph, node: Node) -> Result:
    severity = report.value(node, SH.resultSeverity)
    messages = tuple(
        sorted((m.language or "", str(m)) for m in report.objects(node, SH.resultMessage) if isinstance(m, Literal))
    )
    details = tuple(sorted((_result(report, shapes, d) for d in report.objects(node, SH.detail)), key=Result.sort_key))
    shape = report.value(node, SH.sourceShape)
    value = report.value(node, SH.value)
    path = report.value(node, SH.resultPath)
    return Result(
        severity=SEVERITY_NAMES.get(severity, str(severity)) if isinstance(severity, URIRef) else "violation",
        source_shape=_text(shape),
        component=_text(report.value(node, SH.sourceConstraintComponent)),
        focus=_text(report.value(node, SH.focusNode)),
        path=path_text(report, path) if path is not None else "",
        value=_text(value),
        messages=messages,
        details=details,
        value_nt=term_nt(value) if value is not None else "",
        shape_name=shape_name(shapes, shape) if shape is not None else "",
    )


def _text(node: Node | None) -> str:
    return "" if node is None else str(node)


def term_nt(node: Node) -> str:
    """A term in N-Triples syntax: ``<iri>``, ``"text"@nl``, ``"5"^^<...#integer>``, ``_:b0``."""
    if isinstance(node, Literal) and (node.datatype is None or node.datatype == XSD.string) and not node.language:
        return Literal(str(node)).n3()
    return node.n3()


def path_text(graph: Graph, path: Node) -> str:
    """A SHACL property path as SPARQL path syntax; a plain predicate stays its bare IRI."""
    if isinstance(path, URIRef):
        return str(path)
    return _path(graph, path, top=True)


def _path(graph: Graph, path: Node, top: bool = False) -> str:
    if isinstance(path, URIRef):
        return f"<{path}>"
    if (path, RDF.first, None) in graph:
        inner = "/".join(_path(graph, p) for p in Collection(graph, path))
        return inner if top else f"({inner})"
    for predicate, template in (
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "{}*"),
        (SH.oneOrMorePath, "{}+"),
        (SH.zeroOrOnePath, "{}?"),
    ):
        inner_node = graph.value(path, predicate)
        if inner_node is not None:
            return template.format(_path(graph, inner_node))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        inner = "|".join(_path(graph, p) for p in Collection(graph, alternatives))
        return inner if top else f"({inner})"
    return str(path)


def shape_name(shapes: Graph, shape: Node) -> str:
    """IRI shapes by their IRI; a blank-node shape by its parent and path, ``<parent>[<path>]``, stable across runs."""
    if not isinstance(shape, BNode):
        return str(shape)
    parent = shapes.value(None, SH.property, shape) or shapes.value(None, SH.node, shape)
    where = "" if parent is None else str(parent) if not isinstance(parent, URIRef) else f"<{parent}>"
    if isinstance(parent, BNode):
        where = shape_name(shapes, parent)
    path = shapes.value(shape, SH.path)
    return f"{where}[{_path(shapes, path) if path is not None else ''}]"


def all_shapes(shapes: Graph) -> set[Node]:
    """Every shape of a shapes graph: declared, targeting, property shapes, and shapes used by other shapes."""
    found: set[Node] = set()
    for cls in (SH.NodeShape, SH.PropertyShape):
        found.update(shapes.subjects(RDF.type, cls))
    for predicate in (*TARGETS, SH.path):
        found.update(shapes.subjects(predicate, None))
    found.update(shapes.objects(None, SH.property))
    for parameter in SHAPE_PARAMETERS:
        found.update(shapes.objects(None, parameter))
    for parameter in LIST_PARAMETERS:
        for members in shapes.objects(None, parameter):
            found.update(Collection(shapes, members))
    return found
