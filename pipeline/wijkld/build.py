"""The whole job: load, map, validate, publish. Orchestration of the stage modules only."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import dataclasses
import filecmp
import hashlib
import json
import multiprocessing
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef

from . import diff, inputs, jsonld, locate, mapping, metadata, outdir, pages, publish, records, validate
from . import report as reporting
from .errors import NonConformingError, WijkldError
from .iris import Minter
from .progress import Summary
from .query import examples

Progress = Callable[[str], None]

BASELINE = "previous-release.nt.gz"
NOTES_JSON = "release-notes.json"
CHECKSUMS = outdir.CHECKSUMS


@dataclass(frozen=True)
class Baseline:
    """The release the notes compare against: the previous version's data."""

    version: str
    lines: frozenset[bytes]
    dump: bytes | None  # the gzipped N-Triples, kept in dist/ so a rebuild compares the same


def graph_iri(minter: Minter, name: str) -> str:
    return f"{minter.base}/graph/{name}"


def skolem_prefix(minter: Minter, graph_name: str) -> str:
    """RDF 1.1 skolem IRIs for the blank nodes of shapes, vocabulary and reports."""
    return f"{minter.base}/.well-known/genid/{graph_name}-"


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
) -> Summary:
    """Build ``out`` from ``data_dir``; on any error the previous ``out`` stays as it was.

    ``engine`` validates (:data:`validate.ENGINES`); both give the same results, and the
    published report differs only in its messages (see :mod:`wijkld.validate`). ``out`` must be
    a folder :func:`outdir.refuse_unsafe` allows; a build that finds another one writing ``out``
    waits for it (``notify`` says so) or, without ``wait``, fails at once. The release notes
    compare with the release in ``baseline_from`` (default: ``out``).
    """
    started = time.perf_counter()
    with outdir.publishing(out, data_dir, wait=wait, notify=notify) as staged:
        minter = Minter(base)
        progress(f"loading records from {data_dir}")
        recs = records.load(data_dir)
        progress(f"mapping {len(recs)} records")
        data = mapping.to_graph(recs, minter)
        ontology = validate.load_ontology()
        site = resource_site(recs, minter, data, ontology)
        # The resource pages need only data, vocabulary and context, so a second process starts on them
        # now; if validation fails, it is stopped and nothing is published.
        with resource_pages_in_background(site, staged) as resource_pages:
            progress(f"validating {len(data)} triples")
            shapes = validate.load_shapes()
            report = validate.check(data, shapes, ontology, engine=engine)
            summary = Summary(
                records=len(recs),
                resources=len({s for s in data.subjects() if isinstance(s, URIRef)}),
                triples=len(data),
                violations=report.count("violation"),
                warnings=report.count("warning"),
            )
            if summary.violations:
                raise NonConformingError(_violations_message(report, "data", locate.Locator(recs, minter)))
            baseline = read_baseline(baseline_from or out, recs.release.text("version") or "")
            progress(f"publishing to {out}")
            release = Publication(recs, minter, data, shapes, report.graph, baseline, site)
            summary.files = release.write(staged, resource_pages)
        meta_report = validate.check(release.metadata_graph, shapes, ontology, engine=engine)
        if meta_report.count("violation"):
            raise NonConformingError(_violations_message(meta_report, "metadata", locate.Locator(recs, minter)))
        outdir.swap_in(staged, out, notify)
    summary.seconds = time.perf_counter() - started
    return summary


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
        return Baseline("", frozenset(), None)
    try:
        previous = json.loads(inputs.read_bytes(notes, what="read the previous release notes", limit=1 << 26))
        if previous["new_version"] == version:
            dump = out / BASELINE
            old_version = previous["old_version"]
        else:
            dump = out / "wijkld.nt.gz"
            old_version = previous["new_version"]
    except (ValueError, KeyError) as exc:
        message = f"{notes}: cannot read the previous release notes ({exc}); remove {out} to start afresh"
        raise WijkldError(message) from None
    if not os.path.lexists(dump):
        return Baseline(old_version, frozenset(), None)
    raw = inputs.read_bytes(dump, what="read the previous release")
    return Baseline(old_version, frozenset(diff.read_lines(dump)), raw)


@dataclass
class Publication:
    """Writes one release; files are added in a fixed order (later ones describe earlier ones)."""

    records: records.Records
    minter: Minter
    data: Graph
    shapes: Graph
    report: Graph
    baseline: Baseline
    site: pages.Site  # what the resource pages show: data, skolemised vocabulary, JSON-LD context
    written: dict[str, bytes] = field(default_factory=dict)  # the files of the release, pages aside
    digests: dict[str, str] = field(default_factory=dict)  # SHA-256 of every file written, pages included
    metadata_graph: Graph = field(default_factory=Graph)

    def put(self, folder: Path, name: str, content: bytes) -> None:
        publish.write_file(folder, name, content)
        self.written[name] = content
        self.digests[name] = hashlib.sha256(content).hexdigest()

    def write(self, folder: Path, resource_pages: Callable[[], dict[str, str]]) -> list[str]:
        """Every file of the release; ``resource_pages`` writes the pages of the resources and gives their digests."""
        summary, void = self._write_release(folder)
        complete = self._release(self.files_info(), summary)
        dcat = metadata.dcat(complete)
        self.put(folder, "dcat.ttl", publish.turtle(dcat))
        whole = dataclasses.replace(self.site, metadata=dcat + void, files=self.files_info(), queries=queries())
        for name, content in pages.render_site(whole).items():
            self.put(folder, name, content)
        self.digests.update(resource_pages())
        self.put(folder, outdir.MARKER, outdir.MARKER_TEXT)  # how the next build knows OUT is a release
        self.put(folder, CHECKSUMS, outdir.sha256sums(self.digests))
        return sorted(self.digests)

    def _write_release(self, folder: Path) -> tuple[str, Graph]:
        """The dumps, the vocabulary, shapes and report, the release notes, VoID and the N-Quads.

        Gives the one-line summary of the release notes and the VoID graph, which the metadata reuse.
        """
        m, vocabulary, context = self.minter, self.site.vocabulary, self.site.context
        shapes = publish.skolemise(self.shapes, skolem_prefix(m, "shapes"))
        nt_lines = publish.ntriples_lines(self.data)

        self.put(folder, "wijkld.ttl", publish.turtle(self.data))
        self.put(folder, "wijkld.nt.gz", publish.gzip_bytes(b"".join(nt_lines)))
        compacted = jsonld.compact(self.data, context)
        self.put(folder, "wijkld.jsonld", jsonld.dumps(compacted))
        self.put(folder, "context.jsonld", jsonld.dumps(context))
        for name, view in jsonld.VIEWS.items():
            self.put(folder, f"framed/{name}.jsonld", jsonld.dumps(jsonld.tree(self.data, context, view, compacted)))
        self.put(folder, "vocabulary.ttl", publish.turtle(vocabulary))
        self.put(folder, "shapes.ttl", publish.turtle(shapes))
        self.put(
            folder, "validation-report.ttl", publish.turtle(publish.skolemise(self.report, skolem_prefix(m, "report")))
        )

        version = self.records.release.text("version") or ""
        # the baseline's lines come without their line ends (diff.read_lines)
        current = {line.rstrip(b"\n") for line in nt_lines}
        notes = diff.compare(set(self.baseline.lines), current, self.baseline.version, version)
        self.put(folder, "release-notes.txt", notes.text().encode("utf-8"))
        self.put(folder, NOTES_JSON, diff.dumps_json(notes))
        if self.baseline.dump is not None:
            self.put(folder, BASELINE, self.baseline.dump)

        summary = f"{notes.added} triples added, {notes.removed} removed since {notes.old_version or 'nothing'}"
        release = self._release(self.files_info(), summary)
        # VoID describes the data, not the files: one description serves every file list
        void = metadata.void(release)
        self.put(folder, "void.ttl", publish.turtle(void))
        # The metadata graph inside the N-Quads cannot hold the checksum of the N-Quads file itself.
        partial = self._release(self.files_info() + (metadata.describe_file("wijkld.nq.gz", None),), summary)
        self.metadata_graph = metadata.dcat(partial) + void
        quads = publish.nquads_lines(
            [
                (graph_iri(m, "data"), self.data),
                (graph_iri(m, "vocabulary"), vocabulary),
                (graph_iri(m, "shapes"), shapes),
                (graph_iri(m, "metadata"), self.metadata_graph),
            ]
        )
        self.put(folder, "wijkld.nq.gz", publish.gzip_bytes(b"".join(quads)))
        return summary, void

    def files_info(self) -> tuple[metadata.FileInfo, ...]:
        return tuple(
            metadata.describe_file(name, content)
            for name, content in sorted(self.written.items())
            if metadata.is_download(name)
        )

    def _release(self, files: tuple[metadata.FileInfo, ...], notes: str) -> metadata.Release:
        return metadata.Release(
            records=self.records,
            minter=self.minter,
            data=self.data,
            files=files,
            download_base=f"{self.minter.base}/dist/",
            example_resources=example_resources(self.data),
            version_notes=notes,
        )


def resource_site(recs: records.Records, minter: Minter, data: Graph, ontology: Graph) -> pages.Site:
    """What the resource pages need; the downloads, metadata and queries are added once they are written."""
    return pages.Site(
        data=data,
        vocabulary=publish.skolemise(ontology, skolem_prefix(minter, "vocabulary")),
        metadata=Graph(),
        files=(),
        release=recs.release,
        minter=minter,
        context=jsonld.build_context(data),
        queries=(),
    )


def example_resources(data: Graph) -> tuple[URIRef, ...]:
    """A wijk, a team and a person: the first of each in IRI order."""
    from .vocab import RDF, SCHEMA, WIJKLD

    found = []
    for cls in (WIJKLD.Wijk, WIJKLD.AdoptionTeam, SCHEMA.Person):
        instances = sorted(s for s in data.subjects(RDF.type, cls) if isinstance(s, URIRef))
        if instances:
            found.append(instances[0])
    return tuple(found)


@contextlib.contextmanager
def resource_pages_in_background(site: pages.Site, folder: Path) -> Iterator[Callable[[], dict[str, str]]]:
    """Write :func:`pages.render_resources` into ``folder``, begun by a forked process while the caller goes on.

    Yields a function that waits for the files and gives their SHA-256 digests by name; the
    caller's process renders the resources that are left by then, so both cores finish together.
    The worker is forked, so it shares ``site`` instead of pickling it; off Linux or with one
    core the caller renders them all. The files are the same either way.
    """
    # fork only where it is the platform's own default (macOS system libraries can crash in a forked child)
    if not sys.platform.startswith("linux") or (os.cpu_count() or 1) < 2:
        yield lambda: _write_resource_pages(site, folder, None)
        return
    context = multiprocessing.get_context("fork")
    claimed = context.Value("i", 0)  # how many resources, in order, either process has taken
    _FORKED[:] = [(site, folder, claimed)]  # before the pool forks its worker
    pool = context.Pool(1, initializer=_die_with_parent, initargs=(os.getpid(),))
    try:
        pending = pool.apply_async(_write_forked_resource_pages)

        def finish() -> dict[str, str]:
            mine = _write_resource_pages(site, folder, claimed)
            return {**mine, **pending.get()}

        yield finish
        pool.close()
    finally:
        _FORKED.clear()
        pool.terminate()
        pool.join()


def _die_with_parent(parent: int) -> None:
    """A killed build must not leave its worker writing into a staging folder the next build removes."""
    libc_name = ctypes.util.find_library("c")
    prctl = getattr(ctypes.CDLL(libc_name), "prctl", None) if libc_name else None
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


_PR_SET_PDEATHSIG = 1

#: What the forked worker writes; a module global, so the fork shares it instead of pickling it.
_FORKED: list[tuple[pages.Site, Path, Any]] = []


def _write_forked_resource_pages() -> dict[str, str]:
    return _write_resource_pages(*_FORKED[0])


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
    while True:
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


def queries() -> tuple[tuple[str, str, str], ...]:
    """The example queries for the release's pages: (name, title, text), read by :func:`wijkld.query.examples`."""
    return tuple(examples())
