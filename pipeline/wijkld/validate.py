"""Validate RDF against the project's SHACL shapes with pyshacl."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pyshacl import validate as pyshacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from .resources import resource_dir
from .vocab import SH

SEVERITY_ORDER = {SH.Info: 0, SH.Warning: 1, SH.Violation: 2}
SEVERITY_NAMES = {SH.Info: "info", SH.Warning: "warning", SH.Violation: "violation"}


@dataclass(frozen=True, order=True)
class Result:
    """One validation result, flattened for reporting."""

    severity: str
    source_shape: str
    component: str
    focus: str
    path: str
    value: str
    messages: tuple[tuple[str, str], ...]  # (language, text)

    def message(self, lang: str = "en") -> str:
        for candidate in (lang, "en", "nl", ""):
            for code, text in self.messages:
                if code == candidate:
                    return text
        return self.messages[0][1] if self.messages else ""


@dataclass(frozen=True)
class Report:
    conforms: bool
    results: tuple[Result, ...]
    graph: Graph

    def count(self, severity: str) -> int:
        return sum(1 for r in self.results if r.severity == severity)


def load_shapes(paths: Iterable[Path] | None = None) -> Graph:
    """The shapes graph: every ``.ttl`` file under the given paths (default: the project's shapes)."""
    graph = Graph()
    for path in paths or [resource_dir("shapes")]:
        files = sorted(path.rglob("*.ttl")) if path.is_dir() else [path]
        for file in files:
            graph.parse(file, format="turtle")
    return graph


def load_ontology() -> Graph:
    graph = Graph()
    for file in sorted(resource_dir("ontology").glob("*.ttl")):
        graph.parse(file, format="turtle")
    return graph


def check(data: Graph, shapes: Graph | None = None, ontology: Graph | None = None) -> Report:
    """Validate ``data``; the ontology is mixed in so that sh:class sees subclasses."""
    shapes_graph = shapes if shapes is not None else load_shapes()
    conforms, report_graph, _ = pyshacl_validate(
        data,
        shacl_graph=shapes_graph,
        ont_graph=ontology if ontology is not None else load_ontology(),
        inference="none",
        advanced=True,
        allow_warnings=True,
        do_owl_imports=False,
        meta_shacl=False,
    )
    assert isinstance(report_graph, Graph)
    results = tuple(sorted(_results(report_graph)))
    return Report(bool(conforms), results, report_graph)


def _results(report: Graph) -> Iterable[Result]:
    for node in report.subjects(SH.resultSeverity, None):
        if (None, SH.detail, node) in report:
            continue  # nested causes are shown under their parent result
        severity = report.value(node, SH.resultSeverity)
        messages = tuple(
            sorted((m.language or "", str(m)) for m in report.objects(node, SH.resultMessage) if isinstance(m, Literal))
        )
        yield Result(
            severity=SEVERITY_NAMES.get(severity, str(severity)) if isinstance(severity, URIRef) else "violation",
            source_shape=_text(report.value(node, SH.sourceShape)),
            component=_text(report.value(node, SH.sourceConstraintComponent)),
            focus=_text(report.value(node, SH.focusNode)),
            path=_text(report.value(node, SH.resultPath)),
            value=_text(report.value(node, SH.value)),
            messages=messages,
        )


def _text(node: Node | None) -> str:
    return "" if node is None else str(node)
