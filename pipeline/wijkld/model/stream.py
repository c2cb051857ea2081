"""The mapping stage of every build: records to N-Triples part files, in chunks, in worker processes.

* **Mapping** runs the normal :class:`wijkld.mapping.Mapper`, record by record in
  key order, on contiguous slices of the records (one slice per worker process).
  rdflib terms become pyoxigraph terms (IRIs cached), and pyoxigraph serialises
  every line: nothing is pasted together from templates.
* **Order**: each slice's output is in mapping order, and the slices are kept in
  slice order; the store they are loaded into (:mod:`wijkld.model.dataset`) gives every
  later stage its own order, so the number of workers never changes a release.
* **Parts** are gzip members without name or time, so that the parts of one build
  are byte-identical across runs (tests/test_stream.py).
* :func:`map_slice_from` is the same stage function for engines whose workers share
  storage, not memory (Dask, see docs/scaling.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Literal, URIRef

from wijkld import processes
from wijkld.model.iris import Minter
from wijkld.model.mapping import RECORD_HANDLERS
from wijkld.records.load import Records

#: Records mapped before a chunk is serialised: bounds the memory of a worker.
CHUNK_RECORDS = 5_000

Unit = tuple[str, int, int]  # (handler, first record index, end index); ("schemes"|"instants"|"provenance", 0, 0)


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
    for name in RECORD_HANDLERS:
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


def ntriples_chunk(triples: Sequence[ox.Triple]) -> bytes:
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert isinstance(data, bytes)
    return data


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


_STATE: dict[Any, Any] = {}
#: The parts of the last :func:`build`, with per-stage worker seconds (for the benchmark).
LAST_PARTS: list[Part] = []


def _tick(seconds: dict[str, float], stage: str, started: float) -> float:
    now = time.perf_counter()
    seconds[stage] = seconds.get(stage, 0.0) + now - started
    return now


def write_slice(index: int, work: list[Unit], folder: str) -> Part:
    """Map one slice and write its N-Triples part file (one gzip member)."""
    records: Records = _STATE["records"]
    minter: Minter = _STATE["minter"]
    report: Callable[[int, int], None] | None = _STATE.get("report")
    from wijkld.model.mapping import Mapper

    mapper = Mapper(records, minter)  # Mapper.iri mints each thing's IRI once
    terms = Terms()
    part = Part(index)
    path = Path(folder) / f"part-{index:04d}.nt"
    handle = open(path, "wb")  # noqa: SIM115 - closed below; transient, so not compressed
    try:
        for unit in work:
            if processes.stopping():  # the build failed elsewhere: leave the rest of the slice
                raise processes.Stopped(f"slice {index} left at a failed build")
            t0 = time.perf_counter()
            triples = ox_batches(mapper, unit, terms)
            t0 = _tick(part.seconds, "map", t0)
            handle.write(ntriples_chunk(triples))
            _tick(part.seconds, "nt", t0)
            part.triples += len(triples)
            part.records += max(0, unit[2] - unit[1])
            if report:
                report(max(0, unit[2] - unit[1]), len(triples))
    finally:
        handle.close()
        part.files["nt"] = str(path)
    return part


def _init_worker(records: Records, minter: Minter) -> None:
    _STATE["records"] = records
    _STATE["minter"] = minter


def _run_slice(args: tuple[int, list[Unit], str]) -> Part:
    return write_slice(*args)


def map_to_parts(
    records: Records,
    minter: Minter,
    folder: Path,
    *,
    workers: int = 1,
    chunk: int = CHUNK_RECORDS,
    report: Callable[[int, int], None] | None = None,
) -> list[Part]:
    """Map all records into N-Triples part files under ``folder``: one per slice, in order."""
    slices = split(units(records, chunk), workers)
    jobs = [(i, s, str(folder)) for i, s in enumerate(slices)]
    if workers <= 1 or len(slices) == 1:
        _init_worker(records, minter)
        _STATE["report"] = report
        try:
            return [_run_slice(job) for job in jobs]
        finally:
            _STATE.clear()
    # under fork the workers share the loaded records copy-on-write; under spawn they are pickled once per worker
    with processes.pool(len(slices), initializer=_init_worker, initargs=(records, minter)) as pool:
        parts = []
        for part in pool.imap(_run_slice, jobs):
            if report:
                report(part.records, part.triples)
            parts.append(part)
        return parts


# -- the same stage function on another engine -------------------------------------------------------


def map_slice_from(data_dir: str, base: str, index: int, work: list[Unit], folder: str) -> Part:
    """:func:`write_slice` for engines whose workers share storage, not memory (Dask, Spark).

    Each worker loads the records itself (once per process) and maps its slice;
    the driver joins the part files in slice order, as :func:`join` does.
    """
    from wijkld.records import load as records_mod

    key = ("loaded", data_dir, base)
    if _STATE.get("key") != key:
        _STATE.clear()
        _STATE.update(key=key, records=records_mod.load(Path(data_dir)), minter=Minter(base))
    return write_slice(index, work, folder)
