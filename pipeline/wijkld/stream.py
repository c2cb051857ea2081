"""The streaming build: records to dumps in bounded chunks, in worker processes, never one graph of everything.

Used by ``wijkld build --streaming`` (and automatically above :data:`AUTO_RECORDS` records).

* **Mapping** runs the normal :class:`wijkld.mapping.Mapper`, record by record in
  key order, on contiguous slices of the records (one slice per worker process).
  rdflib terms become pyoxigraph terms (IRIs cached), and pyoxigraph serialises
  every line: nothing is pasted together from templates.
* **Order**: each slice's output is in mapping order (record type by record type,
  each in key order, a record's triples together), and the slices are joined in
  slice order, so the dumps are deterministic without a global sort. They hold
  exactly the lines of the normal build (which sorts them); ``sort -u`` of one
  equals the other (tested).
* **Dumps**: ``wijkld.nt.gz`` and ``wijkld.nq.gz`` (data graph; the vocabulary
  and shapes graphs appended) are concatenated gzip members, one per slice, so
  the workers compress in parallel; ``wijkld.ttl.gz`` is Turtle per subject group
  (prefixes once at the top); ``wijkld.jsonl.gz`` is JSON Lines: one JSON-LD
  document per subject group (per record, plus intervals, instants and the
  build), compacted against the prefix-only context ``prefixes.jsonld`` which
  each line names, because a term per predicate would need a pass over all data
  before the first line could be written.
* **Validation** loads the N-Triples into an on-disk Oxigraph store and validates
  partitions of focus nodes in worker processes, each with the neighbourhood its
  shapes can see (:mod:`wijkld.partition`); the results equal whole-graph pyshacl
  (``tests/test_scaling.py``). Whole numbers are published as
  xsd:integer because Oxigraph stores normalise derived integer types to it.
* **Not at scale**: HTML pages per resource, framed JSON-LD views, release notes
  against the previous release and the DCAT metadata need the whole graph; the
  streaming build writes the dumps, the validation report and a VoID summary.
"""

from __future__ import annotations

import gc
import gzip
import hashlib
import multiprocessing
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pyoxigraph as ox
from rdflib import Literal, URIRef

from . import jsonld, outdir
from . import progress as progress_mod
from .curie import longest_first, shorten
from .iris import Minter
from .partition import store_from_ntriples, validate_partitioned
from .records import Records

#: Above this many records ``wijkld build`` streams (the pilot has about 400).
AUTO_RECORDS = 50_000
#: Records mapped before a chunk is serialised: bounds the memory of a worker.
CHUNK_RECORDS = 5_000
#: gzip level of the streamed dumps (9 costs about 4x the time of 6 for 3% smaller files).
GZIP_LEVEL = 6

Unit = tuple[str, int, int]  # (handler, first record index, end index); ("schemes"|"instants"|"provenance", 0, 0)
HANDLERS = (
    "source",
    "concept",
    "organisation",
    "place",
    "person",
    "post",
    "programme",
    "team",
    "membership",
    "project",
    "event",
    "quantity",
    "assessment",
    "lesson",
)


# -- rdflib terms to pyoxigraph terms ------------------------------------------------------------------


class Terms:
    """Converts the mapper's rdflib terms; named nodes and datatypes are cached (they repeat a lot)."""

    def __init__(self) -> None:
        self.nodes: dict[str, ox.NamedNode] = {}

    def node(self, iri: str) -> ox.NamedNode:
        found = self.nodes.get(iri)
        if found is None:
            if len(self.nodes) > 200_000:
                self.nodes.clear()
            found = self.nodes[iri] = ox.NamedNode(iri)
        return found

    def triple(self, t: tuple[Any, Any, Any]) -> ox.Triple:
        s, p, o = t
        if type(o) is URIRef:  # most objects; an identity test skips isinstance's ABC machinery
            obj: ox.NamedNode | ox.Literal = self.node(str(o))
        elif isinstance(o, Literal):
            if o.language:
                obj = ox.Literal(str(o), language=o.language)
            elif o.datatype:
                obj = ox.Literal(str(o), datatype=self.node(str(o.datatype)))
            else:
                obj = ox.Literal(str(o))
        else:
            obj = self.node(str(o))
        return ox.Triple(self.node(str(s)), self.node(str(p)), obj)


# -- work units --------------------------------------------------------------------------------------


def units(records: Records, chunk: int = CHUNK_RECORDS) -> list[Unit]:
    """The mapping's work in its own order, records cut into chunks of at most ``chunk``."""
    found: list[Unit] = [("schemes", 0, 0)]
    for name in HANDLERS:
        n = len(records.of(name))
        found.extend((name, lo, min(lo + chunk, n)) for lo in range(0, n, chunk))
    found += [("instants", 0, 0), ("provenance", 0, 0)]
    return found


def split(work: Sequence[Unit], parts: int) -> list[list[Unit]]:
    """Contiguous slices of about equal numbers of records (order kept, so joining them keeps the order)."""
    weights = [max(1, hi - lo) for _, lo, hi in work]
    total = sum(weights)
    slices: list[list[Unit]] = [[] for _ in range(max(1, parts))]
    done = 0
    for unit, weight in zip(work, weights, strict=True):
        index = min(len(slices) - 1, done * len(slices) // total)
        slices[index].append(unit)
        done += weight
    return [s for s in slices if s]


def map_unit(mapper: Any, unit: Unit) -> Iterator[list[tuple[Any, Any, Any]]]:
    """The rdflib triples of one unit, one batch per record (global parts: one batch)."""
    name, lo, hi = unit
    if name in ("schemes", "instants", "provenance"):
        yield list(getattr(mapper, name)())
        return
    handler = getattr(mapper, name)
    for record in mapper.records.of(name)[lo:hi]:
        yield list(handler(record))


def ox_batches(mapper: Any, unit: Unit, terms: Terms) -> list[ox.Triple]:
    """A unit's triples as pyoxigraph triples, duplicates within a record dropped (as the normal build's set does)."""
    out: list[ox.Triple] = []
    for batch in map_unit(mapper, unit):
        converted = [terms.triple(t) for t in batch]
        out.extend(dict.fromkeys(converted) if len(converted) > 1 else converted)
    return out


# -- writers -----------------------------------------------------------------------------------------


def prefixes() -> dict[str, str]:
    from .vocab import PREFIXES

    return {p: str(ns) for p, ns in sorted(PREFIXES.items())}


def turtle_chunk(triples: Sequence[ox.Triple], names: dict[str, str], header: bool) -> bytes:
    """Turtle of one chunk; the prefix lines only when ``header`` (the chunks are joined into one file)."""
    data = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=names)
    assert isinstance(data, bytes)
    if header:
        return data
    skip = sum(1 for _ in names)
    return data.split(b"\n", skip)[-1] if skip else data


def ntriples_chunk(triples: Sequence[ox.Triple]) -> bytes:
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert isinstance(data, bytes)
    return data


def nquads_from_ntriples(data: bytes, graph: str) -> bytes:
    """N-Quads lines from Oxigraph's canonical N-Triples lines: the graph name before the final ``.``."""
    suffix = f" <{graph}> .\n".encode()
    return b"".join(line[:-3] + suffix for line in data.splitlines(keepends=True))


class JsonLines:
    """One JSON-LD document per subject group, compacted against the prefix-only context."""

    def __init__(self, names: dict[str, str], context_ref: str = "prefixes.jsonld") -> None:
        self.names = longest_first(names)
        self.context_ref = context_ref
        self.cache: dict[str, str] = {}

    def curie(self, iri: str) -> str:
        found = self.cache.get(iri)
        if found is None:
            found = shorten(iri, self.names)
            if len(self.cache) < 100_000:
                self.cache[iri] = found
        return found

    def value(self, o: ox.NamedNode | ox.Literal) -> Any:
        if isinstance(o, ox.NamedNode):
            return {"@id": o.value}
        if o.language:
            return {"@value": o.value, "@language": o.language}
        dt = o.datatype.value
        if dt == "http://www.w3.org/2001/XMLSchema#string":
            return o.value
        return {"@value": o.value, "@type": self.curie(dt)}

    def chunk(self, triples: Iterable[ox.Triple]) -> bytes:
        lines: list[bytes] = []
        subject: str | None = None
        doc: dict[str, Any] = {}
        for t in triples:
            s_term, o = t.subject, t.object
            # published data: subjects are IRIs, objects IRIs or literals (no blank nodes, no triple terms)
            assert isinstance(s_term, ox.NamedNode) and isinstance(o, ox.NamedNode | ox.Literal), str(t)
            s = s_term.value
            if s != subject:
                if doc:
                    lines.append(orjson.dumps(doc))
                subject, doc = s, {"@context": self.context_ref, "@id": s}
            p = t.predicate.value
            if p == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type":
                doc.setdefault("@type", []).append(self.curie(o.value))
            else:
                doc.setdefault(self.curie(p), []).append(self.value(o))
        if doc:
            lines.append(orjson.dumps(doc))
        return b"\n".join(lines) + b"\n" if lines else b""

    def context(self) -> bytes:
        doc = {"@context": dict(sorted(self.names))}
        return jsonld.dumps(doc)


# -- one slice, in a worker process ------------------------------------------------------------------


@dataclass
class Part:
    """What one slice wrote and how long each stage took in it."""

    index: int
    triples: int = 0
    records: int = 0
    subjects: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)


FORMATS = ("nt", "nq", "ttl", "jsonl")

_STATE: dict[Any, Any] = {}
#: The parts of the last :func:`build`, with per-stage worker seconds (for the benchmark).
LAST_PARTS: list[Part] = []


def _tick(seconds: dict[str, float], stage: str, started: float) -> float:
    now = time.perf_counter()
    seconds[stage] = seconds.get(stage, 0.0) + now - started
    return now


def write_slice(index: int, work: list[Unit], folder: str, formats: Sequence[str] = FORMATS) -> Part:
    """Map one slice and write a part file per format (gzip members for the dumps)."""
    records: Records = _STATE["records"]
    minter: Minter = _STATE["minter"]
    report: Callable[[int, int], None] | None = _STATE.get("report")
    from .mapping import Mapper

    mapper = Mapper(records, minter)  # Mapper.iri mints each thing's IRI once
    terms = Terms()
    names = prefixes()
    data_graph = f"{minter.base}/graph/data"
    jsonl = JsonLines(names)
    part = Part(index)
    handles = {fmt: reproducible_gzip(Path(folder) / f"part-{index:04d}.{fmt}.gz") for fmt in formats}
    try:
        for unit in work:
            t0 = time.perf_counter()
            triples = ox_batches(mapper, unit, terms)
            t0 = _tick(part.seconds, "map", t0)
            if "nt" in handles or "nq" in handles:
                nt = ntriples_chunk(triples)
                t0 = _tick(part.seconds, "nt", t0)
                if "nt" in handles:
                    handles["nt"].write(nt)
                    t0 = _tick(part.seconds, "nt.gz", t0)
                if "nq" in handles:
                    handles["nq"].write(nquads_from_ntriples(nt, data_graph))
                    t0 = _tick(part.seconds, "nq", t0)
            if "ttl" in handles:
                handles["ttl"].write(turtle_chunk(triples, names, header=index == 0 and unit is work[0]))
                t0 = _tick(part.seconds, "ttl", t0)
            if "jsonl" in handles:
                handles["jsonl"].write(jsonl.chunk(triples))
                t0 = _tick(part.seconds, "jsonl", t0)
            part.triples += len(triples)
            part.records += max(0, unit[2] - unit[1])
            if report:
                report(max(0, unit[2] - unit[1]), len(triples))
    finally:
        for fmt, handle in handles.items():
            handle.close()
            part.files[fmt] = handle.path
    return part


def _init_worker(records: Records, minter: Minter) -> None:
    _STATE["records"] = records
    _STATE["minter"] = minter


def _run_slice(args: tuple[int, list[Unit], str, tuple[str, ...]]) -> Part:
    return write_slice(*args)


def map_to_parts(
    records: Records,
    minter: Minter,
    folder: Path,
    *,
    workers: int = 1,
    formats: Sequence[str] = FORMATS,
    chunk: int = CHUNK_RECORDS,
    report: Callable[[int, int], None] | None = None,
) -> list[Part]:
    """Map all records into part files under ``folder``: one per slice and format, in order."""
    slices = split(units(records, chunk), workers)
    jobs = [(i, s, str(folder), tuple(formats)) for i, s in enumerate(slices)]
    if workers <= 1 or len(slices) == 1:
        _init_worker(records, minter)
        _STATE["report"] = report
        try:
            return [_run_slice(job) for job in jobs]
        finally:
            _STATE.clear()
    # fork: the workers share the loaded records copy-on-write instead of pickling them
    context = multiprocessing.get_context("fork")
    with context.Pool(len(slices), initializer=_init_worker, initargs=(records, minter)) as pool:
        parts = []
        for part in pool.imap(_run_slice, jobs):
            if report:
                report(part.records, part.triples)
            parts.append(part)
        return parts


class _ReproducibleGzip(gzip.GzipFile):
    """A gzip member with no file name and no time in its header, closing the file it writes to."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)  # not ``name``: that is the (empty) name written into the header
        self._raw = open(path, "wb")  # noqa: SIM115 - closed by close()
        super().__init__(filename="", mode="wb", fileobj=self._raw, mtime=0, compresslevel=GZIP_LEVEL)

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._raw.close()


def reproducible_gzip(path: Path) -> _ReproducibleGzip:
    """A gzip writer whose bytes depend only on what is written: the same input, byte-identical dumps.

    ``gzip.open`` puts the file's name and the current time into the header, so two builds of the same
    records differed in every streamed ``.gz``.
    """
    return _ReproducibleGzip(path)


def join(parts: Sequence[Part], fmt: str, target: Path, tail: bytes = b"") -> Path:
    """Concatenate the gzip members of the parts (a valid gzip file) and an optional gzipped tail."""
    with open(target, "wb") as out:
        for part in parts:
            with open(part.files[fmt], "rb") as handle:
                shutil.copyfileobj(handle, out, 1 << 20)
        if tail:
            out.write(gzip.compress(tail, compresslevel=GZIP_LEVEL, mtime=0))
    return target


# -- the streaming build -----------------------------------------------------------------------------


def build(
    data_dir: Path,
    out: Path,
    base: str,
    *,
    workers: int | None = None,
    validate_data: bool = True,
    display: progress_mod.Display | None = None,
    engine: str = "auto",
    wait: bool = True,
    notify: Callable[[str], None] = lambda _: None,
) -> progress_mod.Summary:
    """Load, map, validate and write the dumps of a large record set; ``out`` is replaced only on success.

    ``engine``: ``shacl`` validates the whole dataset at once (:func:`validate_with_shacl_engine`);
    pyshacl validates partitions in worker processes; ``auto`` takes ``shacl`` where it can.
    ``out``, ``wait`` and ``notify`` as for :func:`wijkld.build.run`.
    """
    from . import publish, records, validate
    from .build import graph_iri, skolem_prefix
    from .errors import NonConformingError

    display = display or progress_mod.Display(mode="quiet")
    workers = workers or min(4, os.cpu_count() or 1)
    summary = progress_mod.Summary()
    minter = Minter(base)
    with outdir.publishing(out, data_dir, wait=wait, notify=notify) as staged:
        t0 = time.perf_counter()
        with display.stage("load") as stage:
            recs = records.load(data_dir)
            stage.advance(len(recs), 0)
        summary.records = len(recs)
        summary.stages["load"] = time.perf_counter() - t0
        # named after OUT and this process, so that outdir.recover removes what a killed build leaves
        with outdir.transient(out, "streaming", notify) as tmp:
            t0 = time.perf_counter()
            with display.stage("map+write", total=len(recs)) as stage:
                parts = map_to_parts(recs, minter, Path(tmp), workers=workers, report=stage.advance)
            summary.triples = sum(p.triples for p in parts)
            LAST_PARTS[:] = parts
            # the records are mapped: freeing them before the store and the engine take their memory lowers
            # the build's peak by their size (1.3 GiB at 10M triples)
            del recs
            gc.collect()
            summary.stages["map+write"] = time.perf_counter() - t0
            ontology, shapes = validate.load_ontology(), validate.load_shapes()
            t0 = time.perf_counter()
            vocabulary = publish.skolemise(ontology, skolem_prefix(minter, "vocabulary"))
            shapes_pub = publish.skolemise(shapes, skolem_prefix(minter, "shapes"))
            tail = b"".join(
                publish.nquads_lines(
                    [(graph_iri(minter, "vocabulary"), vocabulary), (graph_iri(minter, "shapes"), shapes_pub)]
                )
            )
            for fmt, name in (("nt", "wijkld.nt.gz"), ("nq", "wijkld.nq.gz"), ("ttl", "wijkld.ttl.gz")):
                join(parts, fmt, staged / name, tail if fmt == "nq" else b"")
            join(parts, "jsonl", staged / "wijkld.jsonl.gz")
            (staged / "prefixes.jsonld").write_bytes(JsonLines(prefixes()).context())
            summary.stages["join"] = time.perf_counter() - t0
            if validate_data:
                t0 = time.perf_counter()
                with display.stage("validate") as stage:
                    store_path = Path(tmp) / "store"
                    store = store_from_ntriples([staged / "wijkld.nt.gz"], store_path)
                    results = None
                    if engine != "pyshacl":
                        try:
                            nt_gz = staged / "wijkld.nt.gz"
                            results = validate_with_shacl_engine(store, nt_gz, shapes, ontology, Path(tmp) / "all.nt")
                        except validate.EngineGap as gap:
                            if engine == "shacl":
                                raise validate.refusal(gap) from None
                    del store  # closed, so that the workers can open it read-only
                    if results is None:
                        results = validate_partitioned(store_path, shapes, ontology, workers=workers)
                    stage.advance(0, summary.triples)
                summary.violations = sum(1 for r in results if r.severity == "violation")
                summary.warnings = sum(1 for r in results if r.severity == "warning")
                summary.stages["validate"] = time.perf_counter() - t0
                if summary.violations:
                    first = "\n".join(f"  {r.focus}: {r.message()}" for r in results if r.severity == "violation")
                    raise NonConformingError(
                        f"{summary.violations} SHACL violations in the data; nothing was published.\n"
                        + "\n".join(first.splitlines()[:20])
                    )
                shutil.rmtree(store_path, ignore_errors=True)
            for p in parts:
                for name in p.files.values():
                    os.unlink(name)
            (staged / outdir.MARKER).write_bytes(outdir.MARKER_TEXT)  # how the next build knows OUT is a release
            (staged / outdir.CHECKSUMS).write_bytes(checksums(staged))
            summary.files = sorted(str(p.relative_to(staged)) for p in staged.rglob("*") if p.is_file())
            outdir.swap_in(staged, out, notify)
    summary.seconds = sum(summary.stages.values())
    return summary


def checksums(folder: Path) -> bytes:
    """``sha256sum -c`` lines for every file in ``folder``, read in blocks (the dumps can be gigabytes)."""
    digests = {}
    for path in (p for p in folder.rglob("*") if p.is_file()):
        with open(path, "rb") as handle:
            digests[path.relative_to(folder).as_posix()] = hashlib.file_digest(handle, "sha256").hexdigest()
    return outdir.sha256sums(digests)


def validate_with_shacl_engine(
    store: ox.Store, ntriples_gz: Path, shapes: Any, ontology: Any, scratch: Path
) -> list[Any]:
    """The streamed N-Triples with the ontology axioms pyshacl mixes in, validated by the ``shacl`` engine.

    The SPARQL constraints run as one query each over ``store`` (:mod:`wijkld.sparql_pass`),
    not once per focus node, in this thread while the engine checks the rest in another
    (it releases the GIL). The engine reads an uncompressed copy of ``ntriples_gz``: the
    streamed lines are each written once (tests/test_stream.py), and it would count a
    repeated triple twice. The results come sorted. Raises :class:`wijkld.validate.EngineGap`
    where the engine would not give pyshacl's results.
    """
    from concurrent.futures import ThreadPoolExecutor

    from . import sparql_pass, validate

    gap = validate.fast_engine_gap(shapes)
    if gap is not None:
        raise validate.EngineGap(gap)
    write_engine_input(store, ntriples_gz, ontology, scratch)
    core, passes = sparql_pass.split(shapes)
    with ThreadPoolExecutor(max_workers=1) as pool:
        engine = pool.submit(validate.validate_file, scratch, core)
        found = sparql_pass.run(store, passes, shapes)
        report = engine.result()
    scratch.unlink()
    if validate.names_blank_nodes(report):
        raise validate.EngineGap("its report names blank nodes of the data, which it renames")
    return sorted([*report.results, *found], key=validate.Result.sort_key)


def write_engine_input(store: ox.Store, ntriples_gz: Path, ontology: Any, scratch: Path) -> None:
    """The engine's input at ``scratch``: the dump uncompressed, then the ontology axioms the store lacks.

    The axioms are added to ``store`` too (the passes' targets follow rdfs:subClassOf). Raises
    :class:`wijkld.validate.EngineGap` for a literal whose lexical form the engine does not check.
    """
    from . import validate
    from .publish import oxigraph_terms

    mixin = [oxigraph_terms(triple, blank_nodes=True) for triple in validate.ontology_mixin(ontology)]
    missing = sorted((ox.Triple(*t) for t in mixin if ox.Quad(*t, ox.DefaultGraph()) not in store), key=str)
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in missing)
    opener = gzip.open if ntriples_gz.name.endswith(".gz") else open
    with opener(ntriples_gz, "rb") as source, open(scratch, "wb") as sink:
        while chunk := source.read(1 << 24) + source.readline():
            bad = validate.first_unchecked_ill_typed(validate.unchecked_literals_in(chunk))
            if bad is not None:
                raise validate.EngineGap(f"it does not check the lexical form of {bad.n3()}")
            sink.write(chunk)
        sink.write(ntriples_chunk(missing))


# -- the same stage function on another engine -------------------------------------------------------


def map_slice_from(data_dir: str, base: str, index: int, work: list[Unit], folder: str) -> Part:
    """:func:`write_slice` for engines whose workers share storage, not memory (Dask, Spark).

    Each worker loads the records itself (once per process) and maps its slice;
    the driver joins the part files in slice order, as :func:`join` does.
    """
    from . import records as records_mod

    key = ("loaded", data_dir, base)
    if _STATE.get("key") != key:
        _STATE.clear()
        _STATE.update(key=key, records=records_mod.load(Path(data_dir)), minter=Minter(base))
    return write_slice(index, work, folder)
