"""The whole job: load, map, validate, publish. Pure orchestration of the stage modules."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef

from . import mapping, publish, records, validate
from .errors import NonConformingError
from .iris import Minter

Progress = Callable[[str], None]


@dataclass
class Summary:
    records: int = 0
    resources: int = 0
    triples: int = 0
    violations: int = 0
    warnings: int = 0
    files: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        return [
            f"records read   {self.records}",
            f"resources      {self.resources}",
            f"triples        {self.triples}",
            f"violations     {self.violations}",
            f"warnings       {self.warnings}",
            f"files written  {len(self.files)}",
            f"seconds        {self.seconds:.2f}",
        ]


def graph_iri(minter: Minter, name: str) -> str:
    return f"{minter.base}/graph/{name}"


def run(data_dir: Path, out: Path, base: str, progress: Progress = lambda _: None) -> Summary:
    """Build ``out`` from ``data_dir``; on any error the previous ``out`` stays as it was."""
    started = time.perf_counter()
    minter = Minter(base)
    progress(f"loading records from {data_dir}")
    recs = records.load(data_dir)
    progress(f"mapping {len(recs)} records")
    data = mapping.to_graph(recs, minter)
    progress(f"validating {len(data)} triples")
    ontology = validate.load_ontology()
    shapes = validate.load_shapes()
    report = validate.check(data, shapes, ontology)
    summary = Summary(
        records=len(recs),
        resources=len({s for s in data.subjects() if isinstance(s, URIRef)}),
        triples=len(data),
        violations=report.count("violation"),
        warnings=report.count("warning"),
    )
    if summary.violations:
        shown = "\n".join(
            f"  {r.focus} {r.path or ''}: {r.message()}" for r in report.results if r.severity == "violation"
        )
        raise NonConformingError(f"{summary.violations} SHACL violations; nothing was published.\n{shown}")
    progress(f"publishing to {out}")
    with publish.staging(out) as staged:
        summary.files = write_release(staged, data, ontology, shapes, report.graph, minter)
        publish.swap_in(staged, out)
    summary.seconds = time.perf_counter() - started
    return summary


def write_release(
    folder: Path, data: Graph, ontology: Graph, shapes: Graph, report: Graph, minter: Minter
) -> list[str]:
    """Write every published file into ``folder``; returns their names in write order."""
    files: dict[str, bytes] = {
        "wijkld.ttl": publish.turtle(data),
        "wijkld.nt.gz": publish.gzip_bytes(b"".join(publish.ntriples_lines(data))),
        "wijkld.nq.gz": publish.gzip_bytes(
            b"".join(
                publish.nquads_lines(
                    [
                        (graph_iri(minter, "data"), data),
                        (
                            graph_iri(minter, "vocabulary"),
                            publish.skolemise(ontology, skolem_prefix(minter, "vocabulary")),
                        ),
                        (graph_iri(minter, "shapes"), publish.skolemise(shapes, skolem_prefix(minter, "shapes"))),
                    ]
                )
            )
        ),
        "vocabulary.ttl": publish.turtle(publish.skolemise(ontology, skolem_prefix(minter, "vocabulary"))),
        "shapes.ttl": publish.turtle(publish.skolemise(shapes, skolem_prefix(minter, "shapes"))),
        "validation-report.ttl": publish.turtle(publish.skolemise(report, skolem_prefix(minter, "report"))),
    }
    for name, content in files.items():
        publish.write_file(folder, name, content)
    return list(files)


def skolem_prefix(minter: Minter, graph_name: str) -> str:
    """RDF 1.1 skolem IRIs for the blank nodes of shapes, vocabulary and reports."""
    return f"{minter.base}/.well-known/genid/{graph_name}-"
