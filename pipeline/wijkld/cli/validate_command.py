"""The ``wijkld validate`` command's work: read the files and shapes, validate, and name where results come from.

The one place that joins the validator with the source records (:mod:`wijkld.model.locate`): the
engine (:mod:`wijkld.validate.engine`) knows nothing of CSV files.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pyshacl.errors import ConstraintLoadError, ReportableRuntimeError, ShapeLoadError

from wijkld.errors import WijkldError
from wijkld.model.iris import Minter
from wijkld.model.locate import Location, Locator, under_base
from wijkld.records import load as records
from wijkld.validate.engine import (
    Report,
    Result,
    all_shapes,
    check,
    load_ontology,
    load_shapes,
    shape_name,
    shapes_files,
)
from wijkld.validate.rdf_files import read_data

#: What ``wijkld validate`` checks when no files are named: the release's data dump.
DEFAULT_DATA = Path("dist/wijkld.nt.gz")
#: Where ``wijkld validate`` looks for the source records by default.
DEFAULT_RECORDS = Path("data")


@dataclass
class Run:
    """One validation with all that reporting needs."""

    report: Report
    locate: Callable[[str], Location | None]
    shape_names: tuple[str, ...]
    skolem_prefix: str
    prefixes: dict[str, str]
    notes: list[str] = field(default_factory=list)


def run(paths: list[Path], shapes_path: Path | None, records_dir: Path | None, base: str, engine: str = "auto") -> Run:
    """Read the files and shapes (positions in syntax errors), validate, and prepare source lookup."""
    data = read_data(paths)
    files = shapes_files([shapes_path] if shapes_path else None)
    if not files:
        raise WijkldError(f"{shapes_path}: no shapes found: the folder holds no Turtle files (*.ttl)")
    shapes = load_shapes(files)
    if not all_shapes(shapes):  # else every file would "conform" to nothing
        held = "the Turtle files of this folder hold" if shapes_path and shapes_path.is_dir() else "the file holds"
        raise WijkldError(
            f"{shapes_path}: no shapes found: {held} no SHACL shapes "
            "(no sh:NodeShape, sh:PropertyShape, target or sh:path), so nothing would be checked"
        )
    pyshacl_log = logging.getLogger("pyshacl-validate")
    pyshacl_log.addFilter(_no_shape_errors)  # pyshacl logs what it raises; we report it ourselves
    try:
        report = check(data.graph, shapes, load_ontology(), engine=engine)
    except (ConstraintLoadError, ReportableRuntimeError, ShapeLoadError, re.error) as exc:
        raise WijkldError(f"the shapes are not valid SHACL: {exc}") from None
    finally:
        pyshacl_log.removeFilter(_no_shape_errors)
    notes: list[str] = []
    locator = _locator(report, records_dir, Minter(base), notes)
    origin = {str(node): file for node, file in data.origin.items()}

    def locate(iri: str) -> Location | None:
        found = locator.find(iri) if locator else None
        if found is None and iri in origin:
            return Location(origin[iri], 0)
        return found

    prefixes = {p: str(ns) for p, ns in shapes.namespaces() if p}
    return Run(
        report=report,
        locate=locate,
        shape_names=tuple(sorted({shape_name(shapes, s) for s in all_shapes(shapes)})),
        skolem_prefix=Minter(base).skolem_prefix("report"),
        prefixes=prefixes,
        notes=notes,
    )


def _no_shape_errors(record: logging.LogRecord) -> bool:
    return record.levelno < logging.ERROR


def _locator(report: Report, records_dir: Path | None, minter: Minter, notes: list[str]) -> Locator | None:
    """Records named with --records; else data/ when the results are about resources under our base."""
    if records_dir is not None:
        return Locator(records.load(records_dir), minter)
    if not report.results or not DEFAULT_RECORDS.is_dir() or not under_base(_focus_nodes(report.results), minter):
        return None
    try:
        return Locator(records.load(DEFAULT_RECORDS), minter)
    except WijkldError as exc:
        first = str(exc.message).splitlines()[0]
        notes.append(f"note: source records not named: cannot read {DEFAULT_RECORDS}/ ({first} ...)")
        return None


def _focus_nodes(results: Iterable[Result]) -> list[str]:
    return [iri for r in results for iri in [r.focus, *_focus_nodes(r.details)]]
