"""The whole job: load, map, validate, publish. Orchestration of the stage modules only."""

from __future__ import annotations

import contextlib
import dataclasses
import filecmp
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox
from rdflib import Graph, URIRef

from wijkld import inputs, outdir, processes
from wijkld.errors import NonConformingError, WijkldError
from wijkld.model import dataset, locate, mapping, stream
from wijkld.model.iris import Minter
from wijkld.progress import Display, Stage, Summary
from wijkld.publish import diff, jsonld, metadata, tables
from wijkld.publish import serialize as publish
from wijkld.publish.site import pages
from wijkld.records import load as records
from wijkld.serve import query
from wijkld.validate import engine as validate
from wijkld.validate import report as reporting
from wijkld.validate import store as validate_store

Progress = Callable[[str], None]

BASELINE = "previous-release.nt.gz"
NOTES_JSON = "release-notes.json"
CHECKSUMS = outdir.CHECKSUMS


@dataclass(frozen=True)
class Baseline:
    """The release the notes compare against: the previous version's data."""

    version: str
    dump: Path | None  # its N-Triples (gzipped), kept in dist/ so a rebuild compares the same


def run(
    data_dir: Path,
    out: Path,
    base: str,
    progress: Progress = lambda _: None,
    *,
    engine: str = "auto",
    wait: bool = True,
    notify: Progress = lambda _: None,
    baseline_from: Path | None = None,
    workers: int | None = None,
    display: Display | None = None,
) -> Summary:
    """Build ``out`` from ``data_dir``: load, map, validate, publish, the same stages at every size.

    Size changes only how the work is cut: the records are mapped in chunks by ``workers``
    processes (default: up to 4) into N-Triples parts, which are loaded into one Oxigraph store on
    disk (:mod:`wijkld.model.dataset`); the validator and every writer read from there, a run of subjects
    at a time. On any error the previous ``out`` stays as it was.

    ``engine`` validates (:data:`validate.ENGINES`); both give the same results, and the
    published report differs only in its messages (see :mod:`wijkld.validate.engine`). ``out`` must be
    a folder :func:`outdir.refuse_unsafe` allows; a build that finds another one writing ``out``
    waits for it (``notify`` says so) or, without ``wait``, fails at once. The release notes
    compare with the release in ``baseline_from`` (default: ``out``). ``progress`` gets a line as
    each stage starts; ``display`` shows the stages' progress (default: nothing).
    """
    started = time.perf_counter()
    display = display or Display("quiet")
    summary = Summary()
    with outdir.publishing(out, data_dir, wait=wait, notify=notify) as staged:
        # named after OUT and this process, so that outdir.recover removes what a killed build leaves
        with outdir.transient(out, "scratch", notify) as scratch:
            minter = Minter(base)
            progress(f"loading records from {data_dir}")
            with _timed(summary, display, "load") as stage:
                recs = records.load(data_dir)
                stage.advance(len(recs))
            summary.records = len(recs)
            progress(f"mapping {len(recs)} records")
            with _timed(summary, display, "map", total=len(recs)) as stage:
                with _part(summary.parts, "map:records"):
                    parts = stream.map_to_parts(
                        recs, minter, scratch, workers=workers or default_workers(), report=stage.advance
                    )
                stage.advance(len(recs) - stage.records)  # the release record is mapped with the build's provenance
                with _part(summary.parts, "map:store"):
                    data = dataset.load([Path(p.files["nt"]) for p in parts], scratch / "store")
                for part in parts:
                    os.unlink(part.files["nt"])
                ntriples = scratch / "data.nt"
                with open(ntriples, "wb") as handle, _part(summary.parts, "map:ntriples"):
                    data.write_ntriples(handle)
                kinds = jsonld.Kinds(data.predicate_kinds())  # what the JSON-LD context needs
            summary.triples, summary.resources = len(data), len(data.subjects)
            ontology = validate.load_ontology()
            shapes = validate.load_shapes()
            site = resource_site(recs, minter, data.view, ontology, jsonld.context_from_kinds(kinds))
            # The resource pages need only data, vocabulary and context, so a second process starts on them
            # now; if validation fails, it is stopped and nothing is published.
            # (a worker reopens the store, unless the data is small enough to be in memory, and forked with it)
            reopen = data.path if site.data is data.graph else None
            with resource_pages_in_background(site, staged, reopen) as resource_pages:
                progress(f"validating {len(data)} triples")
                with _timed(summary, display, "validate") as stage:
                    report = validate_store.check(data, ntriples, shapes, ontology, engine=engine)
                    stage.advance(0, len(data))
                summary.violations, summary.warnings = report.count("violation"), report.count("warning")
                if summary.violations:
                    raise NonConformingError(_violations_message(report, "data", locate.Locator(recs, minter)))
                baseline = read_baseline(baseline_from or out, recs.release.text("version") or "")
                progress(f"publishing to {out}")
                with _timed(summary, display, "publish") as stage:
                    release = Publication(
                        recs, minter, data, ntriples, shapes, report.graph, baseline, site, scratch, summary.parts
                    )
                    summary.files = release.write(staged, resource_pages)
                    stage.advance(0, len(data))
            meta_report = validate.check(release.metadata_graph, shapes, ontology, engine=engine)
            if meta_report.count("violation"):
                raise NonConformingError(_violations_message(meta_report, "metadata", locate.Locator(recs, minter)))
            outdir.swap_in(staged, out, notify)
    summary.seconds = time.perf_counter() - started
    return summary


def default_workers() -> int:
    """Mapping processes: one per CPU, at most 4 (more costs memory for little time at these sizes)."""
    return processes.default_workers(at_most=4)


@contextlib.contextmanager
def _part(seconds: dict[str, float], name: str) -> Iterator[None]:
    """Adds the seconds of a part of a stage to ``seconds[name]`` (what benchmarks/run.py reports per writer)."""
    began = time.perf_counter()
    try:
        yield
    finally:
        seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - began


@contextlib.contextmanager
def _timed(summary: Summary, display: Display, name: str, total: int | None = None) -> Iterator[Stage]:
    began = time.perf_counter()
    with display.stage(name, total) as stage:
        yield stage
    summary.stages[name] = time.perf_counter() - began


def _violations_message(report: validate.Report, what: str, locator: locate.Locator, limit: int = 20) -> str:
    """The text report of the violations, naming the source record (file and line) behind each."""
    options = reporting.Options(
        locate=locator.find,
        max_results=limit,
        min_severity="violation",
        headline=False,
        cap_hint="run wijkld validate for the full report",
    )
    violations = report.count("violation")
    return f"{violations} SHACL violations in the {what}; nothing was published.\n" + reporting.text(report, options)


def read_baseline(out: Path, version: str) -> Baseline:
    """A rebuild of the same version keeps its baseline; a new version compares with the last release."""
    notes = out / NOTES_JSON
    if not os.path.lexists(notes):
        return Baseline("", None)
    try:
        previous = json.loads(inputs.read_bytes(notes, what="read the previous release notes", limit=1 << 26))
        if previous["new_version"] == version:
            dump = out / BASELINE
            old_version = previous["old_version"]
        else:
            dump = out / "wijkld.nt.gz"
            old_version = previous["new_version"]
    except (ValueError, KeyError, TypeError) as exc:
        message = f"{notes}: cannot read the previous release notes ({exc}); remove {out} to start afresh"
        raise WijkldError(message) from None
    if not os.path.lexists(dump):
        return Baseline(old_version, None)
    inputs.open_regular(dump, "read the previous release").close()
    return Baseline(old_version, dump)


@dataclass
class Publication:
    """Writes one release; files are added in a fixed order (later ones describe earlier ones).

    The data files are written a run of subjects at a time from ``data``; every other file is small.
    """

    records: records.Records
    minter: Minter
    data: dataset.Data
    ntriples: Path  # the data's sorted N-Triples, written once by the build
    shapes: Graph
    report: Graph
    baseline: Baseline
    site: pages.Site  # what the resource pages show: data, skolemised vocabulary, JSON-LD context
    scratch: Path  # the build's transient folder (outdir.transient): the store that answers the example queries
    seconds: dict[str, float] = field(default_factory=dict)  # per writer ("publish:wijkld.ttl"): Summary.parts
    downloads: dict[str, metadata.FileInfo] = field(default_factory=dict)  # the files described as distributions
    digests: dict[str, str] = field(default_factory=dict)  # SHA-256 of every file written, pages included
    metadata_graph: Graph = field(default_factory=Graph)
    published_shapes: Graph = field(default_factory=Graph)  # skolemised, as shapes.ttl holds them
    stats: metadata.DataStats | None = None

    def put(self, folder: Path, name: str, content: bytes) -> None:
        publish.write_file(folder, name, content)
        self._written(folder, name)

    @contextlib.contextmanager
    def stream(self, folder: Path, name: str) -> Iterator[BinaryIO]:
        """A file of the release written as a stream (the data files can be gigabytes)."""
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as handle:
            yield handle
        self._written(folder, name)

    def _written(self, folder: Path, name: str) -> None:
        info = metadata.describe_path(name, folder / name) if metadata.is_download(name) else None
        if info is not None:
            self.downloads[name] = info
            assert info.sha256 is not None
            self.digests[name] = info.sha256
        else:
            with open(folder / name, "rb") as handle:
                self.digests[name] = hashlib.file_digest(handle, "sha256").hexdigest()

    def write(self, folder: Path, resource_pages: Callable[[], dict[str, str]]) -> list[str]:
        """Every file of the release; ``resource_pages`` writes the pages of the resources and gives their digests."""
        summary, void = self._write_release(folder)
        complete = self._release(self.files_info(), summary)
        dcat = metadata.dcat(complete)
        self.put(folder, "dcat.ttl", publish.turtle(dcat))
        with _part(self.seconds, "publish:examples"):
            results = query.answer_examples(query.dump_path(folder), self.scratch / "examples")
        answers = pages.ExampleAnswers(query.DUMP, {name: page_answer(r) for name, r in results.items()})
        whole = dataclasses.replace(
            self.site,
            metadata=dcat + void,
            files=self.files_info(),
            queries=queries(),
            answers=answers,
            shapes=self.published_shapes,
        )
        with _part(self.seconds, "publish:site"):
            for name, content in pages.render_site(whole).items():
                self.put(folder, name, content)
        with _part(self.seconds, "publish:resource-pages (waiting for them)"):
            self.digests.update(resource_pages())
        self.put(folder, outdir.MARKER, outdir.MARKER_TEXT)  # how the next build knows OUT is a release
        self.put(folder, CHECKSUMS, outdir.sha256sums(self.digests))
        return sorted(self.digests)

    def _write_release(self, folder: Path) -> tuple[str, Graph]:
        """The dumps, the vocabulary, shapes and report, the release notes, VoID and the N-Quads.

        Gives the one-line summary of the release notes and the VoID graph, which the metadata reuse.
        """
        m, vocabulary, context, data = self.minter, self.site.vocabulary, self.site.context, self.data
        shapes = publish.skolemise(self.shapes, m.skolem_prefix("shapes"))

        with _part(self.seconds, "publish:wijkld.ttl"):
            publish.write_turtle(data.triple_runs(publish.oxigraph_sort_key), folder / "wijkld.ttl")
            self._written(folder, "wijkld.ttl")
        with _part(self.seconds, "publish:wijkld.nt.gz"):
            publish.gzip_file(self.ntriples, folder / "wijkld.nt.gz")
            self._written(folder, "wijkld.nt.gz")
        with _part(self.seconds, "publish:wijkld.jsonld"), self.stream(folder, "wijkld.jsonld") as handle:
            jsonld.write_compacted(data.triple_runs(), context, handle)
        self.put(folder, "context.jsonld", jsonld.dumps(context))
        with _part(self.seconds, "publish:framed"):
            for name, view in jsonld.VIEWS.items():
                with self.stream(folder, f"framed/{name}.jsonld") as handle:
                    jsonld.write_tree(data.view, context, view, handle)
        with _part(self.seconds, "publish:tables"):
            rows_by_table = {t.name: tables.rows(t, data.view, vocabulary) for t in tables.TABLES}
            for table in tables.TABLES:
                self.put(folder, table.file, tables.csv_bytes(table, rows_by_table[table.name]))
            self.put(folder, tables.METADATA, tables.csvw_metadata(rows_by_table, m.dataset))
        self.put(folder, "vocabulary.ttl", publish.turtle(vocabulary))
        self.put(folder, "shapes.ttl", publish.turtle(shapes))
        # the same graphs for JSON-LD clients, compacted with the release's context as every .jsonld is
        compact = jsonld.compactor(context)
        self.put(folder, "vocabulary.jsonld", jsonld.dumps(compact(vocabulary)))
        self.put(folder, "shapes.jsonld", jsonld.dumps(compact(shapes)))
        self.published_shapes = shapes
        self.put(
            folder, "validation-report.ttl", publish.turtle(publish.skolemise(self.report, m.skolem_prefix("report")))
        )

        with _part(self.seconds, "publish:release-notes"):
            version = self.records.release.text("version") or ""
            dump = self.baseline.dump
            old = diff.iter_sorted_lines(dump) if dump is not None else iter(())
            new = diff.sorted_lines(self.ntriples, check=False)
            notes = diff.compare_sorted(old, new, self.baseline.version, version)
            self.put(folder, "release-notes.txt", notes.text().encode("utf-8"))
            self.put(folder, NOTES_JSON, diff.dumps_json(notes))
            if dump is not None:
                shutil.copyfile(dump, folder / BASELINE)
                self._written(folder, BASELINE)

        summary = f"{notes.added} triples added, {notes.removed} removed since {notes.old_version or 'nothing'}"
        self.stats = metadata.data_stats(data.store)  # counted by the store (SPARQL)
        release = self._release(self.files_info(), summary)
        # VoID describes the data, not the files: one description serves every file list
        void = metadata.void(release)
        self.put(folder, "void.ttl", publish.turtle(void))
        # The metadata graph inside the N-Quads cannot hold the checksum of the N-Quads file itself.
        partial = self._release(self.files_info() + (metadata.describe_file("wijkld.nq.gz", None),), summary)
        self.metadata_graph = metadata.dcat(partial) + void
        others = [
            (m.graph("vocabulary"), vocabulary),
            (m.graph("shapes"), shapes),
            (m.graph("metadata"), self.metadata_graph),
        ]
        with (
            _part(self.seconds, "publish:wijkld.nq.gz"),
            self.stream(folder, "wijkld.nq.gz") as raw,
            publish.gzip_writer(raw) as handle,
            open(self.ntriples, "rb") as nt,
        ):
            handle.writelines(publish.merged_nquads(nt, m.graph("data"), others, self.basis_lines()))
        return summary, void

    def basis_lines(self) -> dict[bytes, str]:
        """The N-Triples lines of the statements that rest on a basis -> the basis, their named graph."""
        by_basis: dict[str, Graph] = {}
        for triple, basis in self.site.bases.items():
            by_basis.setdefault(str(basis), Graph()).add(triple)
        return {line: basis for basis, graph in by_basis.items() for line in publish.ntriples_lines(graph)}

    def files_info(self) -> tuple[metadata.FileInfo, ...]:
        return tuple(info for _, info in sorted(self.downloads.items()))

    def _release(self, files: tuple[metadata.FileInfo, ...], notes: str) -> metadata.Release:
        assert self.stats is not None
        return metadata.Release(
            records=self.records,
            minter=self.minter,
            stats=self.stats,
            files=files,
            download_base=self.minter.downloads,
            example_resources=example_resources(self.data.view),
            version_notes=notes,
        )


def resource_site(
    recs: records.Records, minter: Minter, data: Graph, ontology: Graph, context: jsonld.JSON | None = None
) -> pages.Site:
    """What the resource pages need; the downloads, metadata and queries are added once they are written.

    ``context``: the JSON-LD context of ``data`` where the caller has it (:func:`jsonld.build_context`).
    """
    return pages.Site(
        data=data,
        vocabulary=publish.skolemise(ontology, minter.skolem_prefix("vocabulary")),
        metadata=Graph(),
        files=(),
        release=recs.release,
        minter=minter,
        context=context if context is not None else jsonld.build_context(data),
        queries=(),
        bases=mapping.Mapper(recs, minter).graphs_of_statements(),
    )


def example_resources(data: Graph) -> tuple[URIRef, ...]:
    """A wijk, a team and a person: the first of each in IRI order."""
    from wijkld.model.vocab import RDF, SCHEMA, WIJKLD

    found = []
    for cls in (WIJKLD.Wijk, WIJKLD.AdoptionTeam, SCHEMA.Person):
        instances = sorted(s for s in data.subjects(RDF.type, cls) if isinstance(s, URIRef))
        if instances:
            found.append(instances[0])
    return tuple(found)


@contextlib.contextmanager
def resource_pages_in_background(
    site: pages.Site, folder: Path, store: Path | None = None
) -> Iterator[Callable[[], dict[str, str]]]:
    """Write :func:`pages.render_resources` into ``folder``, begun by a forked process while the caller goes on.

    Yields a function that waits for the files and gives their SHA-256 digests by name; the
    caller's process renders the resources that are left by then, so both cores finish together.
    The worker is forked, so it shares ``site`` instead of pickling it; off Linux or with one
    core the caller renders them all. The files are the same either way.
    """
    # the worker shares ``site`` through a module global: only where the process policy forks
    if not processes.can_share_memory() or processes.cpus() < 2:
        yield lambda: _write_resource_pages(site, folder, None)
        return
    claimed = processes.context().Value("i", 0)  # how many resources, in order, either process has taken
    _FORKED[:] = [(site, folder, claimed, store)]  # before the pool forks its worker
    try:
        with processes.pool(1) as pool:  # on an error here the worker stops at its next resource
            pending = pool.apply_async(_write_forked_resource_pages)

            def finish() -> dict[str, str]:
                mine = _write_resource_pages(site, folder, claimed)
                return {**mine, **pending.get()}

            yield finish
    finally:
        _FORKED.clear()


#: What the forked worker writes; a module global, so the fork shares it instead of pickling it.
_FORKED: list[tuple[pages.Site, Path, Any, Path | None]] = []


def _write_forked_resource_pages() -> dict[str, str]:
    site, folder, claimed, store = _FORKED[0]
    if store is not None:  # its own handle on the store, not the parent's, which the parent goes on using
        site = dataclasses.replace(site, data=dataset.read_only(store).view)
    return _write_resource_pages(site, folder, claimed)


def _write_resource_pages(site: pages.Site, folder: Path, claimed: Any) -> dict[str, str]:
    """Render and write the resources this process claims; ``claimed``: a shared counter, or None for all."""
    renderer = pages.ResourceRenderer(site)
    digests = {}
    for thing in _claim(renderer.things, claimed):
        for name, content in renderer.render(thing).items():
            publish.write_file(folder, name, content)
            digests[name] = hashlib.sha256(content).hexdigest()
    return digests


def _claim(things: list[URIRef], claimed: Any) -> Iterator[URIRef]:
    """The next resource no process has taken yet, until none is left."""
    if claimed is None:
        yield from things
        return
    while not processes.stopping():
        with claimed.get_lock():
            position = claimed.value
            claimed.value += 1
        if position >= len(things):
            return
        yield things[position]


def check(data_dir: Path, out: Path, base: str, *, engine: str = "auto") -> list[str]:
    """Rebuild into a temporary folder; the names of files that differ from ``out`` (empty: up to date)."""
    with tempfile.TemporaryDirectory(prefix="wijkld-check-") as tmp:
        fresh = Path(tmp) / "dist"
        run(data_dir, fresh, base, engine=engine, baseline_from=out)
        return compare_trees(out, fresh)


def compare_trees(old: Path, new: Path) -> list[str]:
    names_old = {str(p.relative_to(old)) for p in old.rglob("*") if p.is_file()} if old.is_dir() else set()
    names_new = {str(p.relative_to(new)) for p in new.rglob("*") if p.is_file()}
    differing = []
    for name in sorted(names_old | names_new):
        if name not in names_old:
            differing.append(f"missing from {old}: {name}")
        elif name not in names_new:
            differing.append(f"not produced by the build: {name}")
        elif not filecmp.cmp(old / name, new / name, shallow=False):
            differing.append(f"differs: {name}")
    return differing


def page_answer(result: query.Result) -> pages.QueryAnswer:
    """A query result as the examples page shows it (the pages do not know the query runner's terms)."""
    if result.kind == "boolean":
        return pages.QueryAnswer(boolean=result.boolean)
    if result.kind == "graph":
        variables: tuple[str, ...] = ("subject", "predicate", "object")
        rows: list[tuple[Any, ...]] = [(t.subject, t.predicate, t.object) for t in result.triples]
    else:
        variables, rows = result.variables, list(result.rows)

    def cell(term: Any) -> pages.AnswerCell | None:
        if term is None:
            return None
        if isinstance(term, ox.NamedNode):
            return pages.AnswerCell(term.value, query.show(term, result.prefixes), is_iri=True)
        if isinstance(term, ox.Literal):
            return pages.AnswerCell(term.value, term.value, lang=term.language)
        return pages.AnswerCell(str(term), str(term))

    cells = tuple(tuple(cell(term) for term in row) for row in rows)
    return pages.QueryAnswer(variables, cells, truncated=result.truncated)


def queries() -> tuple[tuple[str, str, str], ...]:
    """The example queries for the release's pages: (name, title, text), read by :func:`wijkld.serve.query.examples`."""
    return tuple(query.examples())
