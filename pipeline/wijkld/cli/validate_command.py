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
from rdflib import Graph, URIRef

from wijkld.errors import WijkldError
from wijkld.model import mapping
from wijkld.model.iris import NQUADS_DUMP, Minter
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
    without,
)
from wijkld.validate.rdf_files import Data, add_lines, read_data, read_release

#: What ``wijkld validate`` checks when no files are named: the release's data dump.
DEFAULT_DATA = Path("dist/wijkld.nt.gz")
#: The release that files are validated against by default, when it is there.
DEFAULT_RELEASE = Path("dist")
#: Results the text report lists by name when they depend on resources outside the files.
OUTSIDE_SHOWN = 10
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
    against: Path | None = None  # the release the data was validated in the context of


def run(
    paths: list[Path],
    shapes_path: Path | None,
    records_dir: Path | None,
    base: str,
    engine: str = "auto",
    against: Path | None = None,
    default_against: Path | None = None,
    from_records: bool = False,
) -> Run:
    """Read the files and shapes (positions in syntax errors), validate, and prepare source lookup.

    With ``against`` (a release), the files are a fragment of it: their statements replace the release's
    statements about the same subjects, the whole is validated, and the results are those the release
    alone does not give: what the change causes, across resources too. Without it, results whose value
    is a resource the files do not describe cannot be decided here; they are named in a note instead.
    With ``from_records``, the data is the dataset mapped from the records in ``records_dir``: what
    ``wijkld build`` would publish, each result at its record's file and line. ``default_against`` is
    the release used when ``against`` is not given and the files describe resources under ``base``: a
    file of someone else's data is not taken for a fragment of this release.
    """
    minter = Minter(base)
    loaded = records.load(records_dir or DEFAULT_RECORDS) if from_records else None
    data = Data(mapping.to_graph(loaded, minter)) if loaded is not None else read_data(paths)
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
    notes: list[str] = []
    if against is None and default_against is not None and under_base([str(s) for s in data.graph.subjects()], minter):
        against = default_against
    try:
        if against is not None and loaded is None:
            report = _in_context(data.graph, read_release(against), shapes, engine)
        else:
            report = check(data.graph, shapes, load_ontology(), engine=engine)
            if loaded is None:  # files on their own: what depends on other files is named, not reported
                report, outside = _decidable(report, data.graph, shapes)
                notes += _outside_notes(outside)
    except (ConstraintLoadError, ReportableRuntimeError, ShapeLoadError, re.error) as exc:
        raise WijkldError(f"the shapes are not valid SHACL: {exc}") from None
    finally:
        pyshacl_log.removeFilter(_no_shape_errors)
    locator = Locator(loaded, minter) if loaded is not None else _locator(report, records_dir, minter, notes)
    # The line in a file the user named is where they fix a result; the source record, where the files are a
    # release's own (generated) or the records were asked for (--records).
    records_first = records_dir is not None or loaded is not None or any(_in_a_release(Path(f)) for f in data.files)
    add_lines(data, _focus_nodes(report.results))
    origin = {str(node): Location(file, data.lines.get(node, 0)) for node, file in data.origin.items()}

    def locate(iri: str) -> Location | None:
        in_file = origin.get(iri)
        if in_file is not None and in_file.line and not records_first:
            return in_file
        found = locator.find(iri) if locator else None
        return in_file if found is None else found

    prefixes = {p: str(ns) for p, ns in shapes.namespaces() if p}
    return Run(
        report=report,
        locate=locate,
        shape_names=tuple(sorted({shape_name(shapes, s) for s in all_shapes(shapes)})),
        skolem_prefix=minter.skolem_prefix("report"),
        prefixes=prefixes,
        notes=notes,
        against=against,
    )


def _in_a_release(path: Path) -> bool:
    """Whether ``path`` lies in a release folder (its dumps, its per-resource files)."""
    return any(is_release(folder) for folder in path.absolute().parents)


def is_release(folder: Path) -> bool:
    """Whether ``folder`` holds a release to validate against (its N-Quads dump)."""
    return (folder / NQUADS_DUMP).is_file()


def whole_release_file(paths: Iterable[Path], release: Path) -> bool:
    """Whether a file is one of the release's own dumps (in its top folder): the whole, not a fragment of it."""
    top = release.resolve()
    return any(path.resolve().parent == top for path in paths)


def _in_context(fragment: Graph, release: Graph, shapes: Graph, engine: str) -> Report:
    described = set(fragment.subjects())
    whole = Graph()
    for triple in release:
        if triple[0] not in described:
            whole.add(triple)
    for triple in fragment:
        whole.add(triple)
    ontology = load_ontology()
    return without(
        check(whole, shapes, ontology, engine=engine), check(release, shapes, ontology, engine=engine), shapes
    )


def _decidable(report: Report, data: Graph, shapes: Graph) -> tuple[Report, list[Result]]:
    """The results the files decide, and those whose value is a resource the files do not describe.

    A value that is an IRI with no statements in the files (a source, a team, a concept in another
    file) fails sh:class and the like only because its description is elsewhere.
    """
    described = {str(s) for s in data.subjects()}
    outside = [r for r in report.results if _needs_outside(r, data, described)]
    if not outside:
        return report, []
    known = Report(False, tuple(outside), Graph())
    return without(report, known, shapes), outside


def _needs_outside(result: Result, data: Graph, described: set[str]) -> bool:
    """Whether the result rests on a resource the files do not describe: its value, or (for counts and
    comparisons, which have no value) a value of the first step of its path."""
    if result.value_nt.startswith("<"):
        return result.value not in described
    first = _FIRST_STEP.search(result.path) or _SIMPLE_PATH.fullmatch(result.path)
    if first is None or result.value_nt:
        return False
    step, focus = URIRef(first.group(1)), URIRef(result.focus)
    inverse = result.path.lstrip("( ").startswith("^")
    values = data.subjects(step, focus) if inverse else data.objects(focus, step)
    return any(isinstance(v, URIRef) and str(v) not in described for v in values)


#: The first IRI of a path as the report writes it: <iri> in a complex path, the bare IRI of a simple one.
_FIRST_STEP = re.compile(r"<([^>]+)>")
_SIMPLE_PATH = re.compile(r"\^?([a-z][\w+.-]*:\S+)")


def _outside_notes(outside: list[Result]) -> list[str]:
    if not outside:
        return []
    noun = "result depends" if len(outside) == 1 else "results depend"
    notes = [
        f"note: {len(outside)} {noun} on resources these files do not describe, so they are not reported as "
        "results; validate the files against the release they belong to (--against RELEASE) to decide them:"
    ]
    for r in sorted(outside, key=Result.sort_key)[:OUTSIDE_SHOWN]:
        notes.append(f"  - {r.focus} {r.path or '(node)'} {r.value} ({r.shape}, {r.component.rsplit('#', 1)[-1]})")
    if len(outside) > OUTSIDE_SHOWN:
        notes.append(f"  ... and {len(outside) - OUTSIDE_SHOWN} more")
    return notes


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
