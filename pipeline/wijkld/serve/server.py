"""``wijkld serve``: a local, read-only SPARQL endpoint, query page and Linked Data server.

Engine: Oxigraph (pyoxigraph), embedded. It is a compiled (Rust) SPARQL 1.1
engine, already a dependency, loads this release in milliseconds and served
about 30 times the requests per second of rdflib's engine under load (measured
by benchmarks/serve_load.py). Nothing to install, no server to run beside us.

HTTP: the standard library's ``ThreadingHTTPServer`` (one thread per
connection, HTTP/1.1 keep-alive). Threads only parse requests and wait; the
queries run in worker processes, so the GIL is not the bottleneck and no
third-party web framework is needed for a local tool.

Bounded by design:

* **time** - Oxigraph cannot be interrupted from Python, so every query runs in
  a pool of worker processes (each with its own copy of the store, started as
  :mod:`wijkld.processes` starts processes for a threaded parent: by a
  ``forkserver`` on Linux, so the parent's threads are never forked, spawned
  elsewhere; they die with the server). A query
  still running after ``timeout`` seconds has its worker killed (SIGKILL); a
  fresh worker takes its place in the background, and the client gets 503. The
  round trip to a worker costs about 0.3 ms per query (see benchmarks/README.md).
  The time limit covers everything that reads the query text: the HTTP threads
  only URL-decode parameters, and the lexer (linear), the refusals below and
  Oxigraph's parser all run in the worker.
* **memory** - each worker caps its own address space (``RLIMIT_AS``, Linux) at
  ``max_memory`` bytes once it has loaded the release; by default the machine's
  RAM divided by (workers + 1), at least 512 MiB and at most 8 GiB. An
  allocation over the cap aborts the worker (Oxigraph is Rust; it writes
  "memory allocation of N bytes failed"); the pool reads the dead worker's
  standard error to tell that from a crash, answers 503 "the query needed more
  than X of memory", and starts a successor.
* **fair shares** - a client (a remote address) may have at most
  ``per_client`` queries running at once (default: half the workers); its other
  requests wait in its own line, and a free worker goes to the lines in turn
  (round-robin, :class:`Scheduler`), so one client's slow queries never keep
  another client waiting for more than the queries already running. A request
  that waits ``queue_timeout`` seconds for a worker gets 503 with
  ``Retry-After``; a client with :data:`MAX_WAITING` requests waiting gets 503 at once.
* **result size** - at most ``max_results`` rows or triples; a capped answer has
  ``X-Wijkld-Truncated: true`` and, in SPARQL JSON, ``"truncated"`` and ``"note"``.
* **request size** - bodies over ``max_body`` bytes (1 MiB) get 413.
* **query shape** - brackets nested deeper than 64 or more than 500 operators
  get 400 naming the limit, the line and the column (``wijkld.query.MAX_NESTING``,
  ``MAX_OPERATORS``): Oxigraph's recursive parser would overflow its stack.
* **read-only** - SPARQL Update gets 403 and SERVICE 400, decided by the lexer of
  :mod:`wijkld.serve.query` in the worker before Oxigraph parses anything; on Linux
  (x86-64, arm64) each worker additionally installs a seccomp filter that forbids
  creating any socket but a Unix one, so even a SERVICE the lexer missed could
  not reach the network.

Linked Data: the server answers for the IRIs of the release under its own
scheme and host. With the default base ``https://w3id.org/wijkld`` the thing
``https://w3id.org/wijkld/id/wijk/berflo-es`` is served at
``http://127.0.0.1:8080/wijkld/id/wijk/berflo-es`` (path = base path +
``/id/...``), which answers 303 See Other to ``/wijkld/doc/wijk/berflo-es``; that
document is HTML, Turtle, N-Triples or JSON-LD by ``Accept`` (``Vary: Accept``).
The HTML is the page ``wijkld build`` published (dist/doc/{type}/{key}.html)
when there is one, else a simple page made from the store; the other files of
the release folder are served under the base path too, so the published pages'
relative links work.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import ipaddress
import logging
import math
import os
import platform
import re
import signal
import sys
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

import jinja2
import pyoxigraph as ox

from wijkld import __version__, processes
from wijkld.errors import WijkldError
from wijkld.model.iris import CSVW_METADATA, DEFAULT_BASE, VOCAB, Minter
from wijkld.resources import templates_dir
from wijkld.serve import query as sparql

log = logging.getLogger("wijkld.serve.server")

MAX_BODY = 1 << 20
#: Prefixes for showing IRIs to people (the HTML pages); queries declare their own.
DISPLAY_PREFIXES = {
    "wijkld": VOCAB,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
    "prov": "http://www.w3.org/ns/prov#",
    "time": "http://www.w3.org/2006/time#",
    "geo": "http://www.opengis.net/ont/geosparql#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "sh": "http://www.w3.org/ns/shacl#",
}
LABELS = (
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "https://schema.org/name",
)
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

#: Media types offered, in order of preference, and the format each stands for.
SOLUTION_TYPES = [
    ("application/sparql-results+json", "json"),
    ("application/sparql-results+xml", "xml"),
    ("text/csv", "csv"),
    ("text/tab-separated-values", "tsv"),
    ("application/json", "json"),
    ("application/xml", "xml"),
    ("text/xml", "xml"),
    ("text/html", "html"),
]
GRAPH_TYPES = [
    ("text/turtle", "turtle"),
    ("application/n-triples", "ntriples"),
    ("application/ld+json", "jsonld"),
    ("text/plain", "ntriples"),
    ("text/html", "html"),
]
DOC_TYPES = [("text/html", "html")] + [t for t in GRAPH_TYPES if t[1] != "html"] + [("application/json", "jsonld")]
#: The files wijkld build publishes per resource (doc/{type}/{key}.*), by format: what negotiation returns.
PUBLISHED_SUFFIXES = {"html": ".html", "turtle": ".ttl", "jsonld": ".jsonld"}
MEDIA_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "html": "text/html; charset=utf-8",
}
STATUS_FOR = {"update": 403, "service": 400}


def default_workers() -> int:
    """One query worker per CPU, from 2 to 8."""
    return processes.default_workers(8, at_least=2)


@dataclass(frozen=True)
class Config:
    """Everything ``wijkld serve`` can be told; the defaults are the CLI's."""

    dist: Path = Path("dist")
    host: str = "127.0.0.1"
    port: int = 8080
    timeout: float = 10.0
    max_results: int = 10000
    base: str | None = None  # None: read it from the release's graph names
    workers: int = field(default_factory=default_workers)
    max_body: int = MAX_BODY
    quiet: bool = False
    max_memory: int | None = None  # bytes per worker; None: default_max_memory(workers); 0: no cap
    per_client: int | None = None  # queries one client may run at once; None: default_per_client(workers)
    queue_timeout: float = 10.0  # seconds a request may wait for a worker
    #: addresses of reverse proxies (nginx, docs/hosting.md) whose X-Real-IP names the client; no one else's
    trusted_proxies: tuple[str, ...] = ()

    def memory_cap(self) -> int:
        return default_max_memory(self.workers) if self.max_memory is None else self.max_memory

    def client_share(self) -> int:
        return self.per_client or default_per_client(self.workers)


# -- the worker processes ------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """One query for a worker.

    ``formats`` maps a result kind to a format, "html" for "return the Result itself" (to be shown
    on the query page); ``formats=None`` returns the Result whatever its kind. ``requested`` is the
    format the client named (?format=): one that does not fit the query's result is a 400.
    """

    text: str
    formats: dict[str, str] | None
    max_results: int | None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    requested: str = ""


@dataclass
class Answer:
    """What a worker (or the pool, on a timeout, a full queue or a dead worker) says about a Job."""

    status: int
    kind: str = ""
    fmt: str = ""
    body: bytes = b""
    result: sparql.Result | None = None
    truncated: bool = False
    message: str = ""
    refused: bool = False  # SPARQL Update or SERVICE: a plain-text answer even where HTML was asked for
    retry_after: int = 0  # seconds, for a Retry-After header (a full queue)
    retire: bool = False  # the worker ran out of memory: replace it after this answer


#: The result kind of each query form (SELECT, and anything unknown, gives solutions).
KIND_OF_FORM = {"ASK": "boolean", "CONSTRUCT": "graph", "DESCRIBE": "graph"}


def answer(store: ox.Store, job: Job) -> Answer:
    """Run a job against a store: the whole of a worker's work, also callable in-process.

    Everything that reads the query text happens here, in the worker and so under the time
    limit: the lexer's refusals (Update 403, SERVICE 400, nesting and operator limits 400), the
    format check and Oxigraph's parser.
    """
    try:
        info = sparql.check_query(job.text)
    except sparql.RefusedQuery as exc:
        return Answer(STATUS_FOR[exc.kind], message=exc.format_message(), refused=True)
    except WijkldError as exc:
        return Answer(400, message=exc.format_message())
    kind = KIND_OF_FORM.get(info.form, "solutions")
    fitting = sparql.GRAPH_FORMATS if kind == "graph" else sparql.SOLUTION_FORMATS
    if job.requested and job.formats is not None and job.formats.get(kind) not in (*fitting, "html"):
        return Answer(
            400,
            kind=kind,
            message=f"format {job.requested!r} does not fit a {kind} result; use one of {', '.join(fitting)}",
        )
    try:
        result = sparql.execute(
            store,
            job.text,
            job.max_results,
            list(job.default_graphs) or None,
            list(job.named_graphs) or None,
            info=info,
        )
    except sparql.EvaluationError as exc:
        return Answer(500, kind=kind, message=exc.format_message())
    except WijkldError as exc:
        return Answer(400, kind=kind, message=exc.format_message())
    fmt = job.formats.get(result.kind) if job.formats is not None else "html"
    if fmt == "html":
        return Answer(200, kind=result.kind, fmt="html", result=result, truncated=result.truncated)
    if fmt is None:
        return Answer(406, kind=result.kind, message=f"no acceptable media type for a {result.kind} result")
    try:
        body = sparql.serialize(result, fmt)
    except (WijkldError, ValueError, OSError) as exc:
        return Answer(500, message=f"cannot write the result as {fmt}: {exc}")
    return Answer(200, kind=result.kind, fmt=fmt, body=body, truncated=result.truncated)


def _worker_main(conn: Connection, errors: Connection, dump: str, guard: bool, max_memory: int) -> None:
    """A worker process: load the release once, cap its memory, then answer jobs until told to stop.

    Its standard error goes to ``errors``, which the server reads: when a worker dies, the last
    thing it wrote tells an allocation that failed under the memory cap from a crash.
    """
    processes.die_with_parent()  # a killed server leaves no worker behind, not even one running a query
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent, which stops us in order
    with contextlib.suppress(OSError):  # where a pipe is not a file descriptor (Windows), stderr stays as it is
        os.dup2(errors.fileno(), 2)
    errors.close()
    guarded = deny_network() if guard else False
    try:
        store = sparql.load_store(Path(dump))
    except WijkldError as exc:
        conn.send(("failed", exc.format_message()))
        return
    info = describe_store(store) | {"guarded": guarded}
    used = address_space()
    if max_memory and used + MEMORY_HEADROOM > max_memory:
        conn.send(("failed", memory_too_small(max_memory, used)))
        return
    capped = cap_memory(max_memory)
    conn.send(("ready", info | {"memory_cap": capped, "memory_used": used}))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            reply = answer(store, job)
        except MemoryError:  # Python ran out under the cap (Oxigraph, in Rust, aborts instead)
            reply = Answer(503, message=memory_message(capped), retire=True)
        except Exception as exc:  # noqa: BLE001 - a worker reports, the server answers 500
            reply = Answer(500, message=f"internal error in the query worker: {type(exc).__name__}: {exc}")
        try:
            conn.send(reply)
        except MemoryError:  # the answer itself did not fit
            reply = Answer(503, message=memory_message(capped), retire=True)
            conn.send(reply)
        if reply.retire:
            return


# -- memory ----------------------------------------------------------------------

MEMORY_FLOOR = 512 << 20
MEMORY_CEILING = 8 << 30
#: What a worker needs beyond the release it holds, at the least, for a query: the cap is refused below it.
MEMORY_HEADROOM = 64 << 20


def total_memory() -> int:
    """Physical memory of this machine in bytes; 0 where the platform does not say."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        return 0


def default_max_memory(workers: int) -> int:
    """Each worker's share of the machine: RAM / (workers + 1), the +1 for the server and everything else.

    At least 512 MiB (a small machine still answers ordinary queries), at most 8 GiB (one query
    need not take more); 0 (no cap) where the RAM is unknown.
    """
    total = total_memory()
    if not total:
        return 0
    return max(MEMORY_FLOOR, min(MEMORY_CEILING, total // (workers + 1)))


def parse_size(text: str) -> int:
    """Bytes in a size such as ``2G``, ``512M``, ``1.5GiB`` or ``1048576`` (binary units); 0 for ``0`` or ``none``."""
    value = text.strip().lower().replace(" ", "")
    if value in ("0", "none", "off", "unlimited"):
        return 0
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([kmgt]?)(?:i?b)?", value)
    if match is None:
        raise ValueError(f"{text!r} is not a size; write it like 2G, 512M or 1.5GiB (or 0 for no cap)")
    number, unit = float(match.group(1)), match.group(2)
    size = int(number * (1 << (10 * " kmgt".index(unit or " "))))
    if size < 1 << 20:
        raise ValueError(f"{text!r} is less than 1 MiB; write it like 2G or 512M (or 0 for no cap)")
    return size


def format_size(size: int) -> str:
    """A size for people: 512 MiB, 7.8 GiB."""
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if size >= 1 << shift:
            value = size / (1 << shift)
            return f"{value:.0f} {unit}" if value >= 100 or value == int(value) else f"{value:.1f} {unit}"
    return f"{size} bytes"


def address_space() -> int:
    """This process's virtual memory size (what RLIMIT_AS limits) in bytes; 0 where /proc does not say."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def cap_memory(limit: int) -> int:
    """Cap this process's address space (RLIMIT_AS) at ``limit`` bytes; the cap set, or 0 where none can be.

    Oxigraph allocates in Rust: an allocation over the cap aborts the process (it prints "memory
    allocation of N bytes failed"), which the server tells from a timeout and a crash; Python
    raises MemoryError instead.
    """
    try:
        import resource
    except ImportError:  # Windows
        return 0
    if limit <= 0 or not hasattr(resource, "RLIMIT_AS"):
        return 0
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        return 0
    return limit


def memory_message(cap: int) -> str:
    shown = format_size(cap) if cap else "the memory available"
    return f"the query needed more than {shown} of memory and was stopped (--max-memory)"


def memory_too_small(cap: int, used: int) -> str:
    return (
        f"--max-memory {format_size(cap)} is too small: a query worker uses {format_size(used)} to hold the "
        f"release, and queries need room beyond that; give it at least {format_size(used + MEMORY_HEADROOM)}"
    )


def describe_store(store: ox.Store) -> dict[str, Any]:
    """Size, graphs and an example thing: for the start-up message and the VoID description."""
    graphs = {
        str(row["g"].value): int(row["n"].value)
        for row in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")  # type: ignore[union-attr]
    }
    example = _first(store, f"?t a <{VOCAB}Wijk>") or _first(
        store, "?t <http://xmlns.com/foaf/0.1/isPrimaryTopicOf> ?d"
    )
    return {"triples": len(store), "graphs": graphs, "example": example}


def _first(store: ox.Store, pattern: str) -> str | None:
    rows = store.query(f"SELECT ?t WHERE {{ {pattern} }} ORDER BY ?t LIMIT 1", use_default_graph_as_union=True)
    row = next(iter(rows), None)  # type: ignore[arg-type]
    return str(row["t"].value) if row is not None else None


# Linux seccomp-bpf: allow socket() only for AF_UNIX (the pipe to the parent already exists).
_ARCHES = {"x86_64": (0xC000003E, 41, 317), "aarch64": (0xC00000B7, 198, 277)}  # audit arch, socket, seccomp
_IO_URING_SETUP = 425  # io_uring can open sockets without the socket() system call
_AF_UNIX = 1


def deny_network() -> bool:
    """Forbid this process (all its threads) to create network sockets; False where unsupported.

    A second, independent guard behind the SERVICE check of the lexer: Oxigraph
    executes SERVICE with its own HTTP client, out of Python's reach.
    """
    arch = _ARCHES.get(platform.machine()) if sys.platform == "linux" else None
    if arch is None:
        return False
    audit_arch, nr_socket, nr_seccomp = arch
    ld, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06
    allow, deny = 0x7FFF0000, 0x00050000 | errno.EPERM

    class Filter(ctypes.Structure):
        _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]

    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(Filter))]

    program = [
        (ld, 0, 0, 4),  # 0 architecture
        (jeq, 1, 0, audit_arch),  # 1 ours? go on : deny (32-bit system calls)
        (ret, 0, 0, deny),  # 2
        (ld, 0, 0, 0),  # 3 system call number
        (jge, 5, 0, 0x40000000),  # 4 x32 ABI -> deny
        (jeq, 4, 0, _IO_URING_SETUP),  # 5 -> deny
        (jeq, 0, 2, nr_socket),  # 6 socket() ? check the family : allow
        (ld, 0, 0, 16),  # 7 first argument (low 32 bits): the address family
        (jeq, 0, 1, _AF_UNIX),  # 8 AF_UNIX ? allow : deny
        (ret, 0, 0, allow),  # 9
        (ret, 0, 0, deny),  # 10
    ]
    filters = (Filter * len(program))(*(Filter(*instruction) for instruction in program))
    prog = Program(len(program), filters)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS, required to install a filter unprivileged
        return False
    # seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog): every thread of the process
    done = libc.syscall(ctypes.c_long(nr_seccomp), ctypes.c_ulong(1), ctypes.c_ulong(1), ctypes.byref(prog))
    return bool(done == 0)


def _context() -> Any:
    """The policy's context for a threaded parent: children never come from a copy of our threads.

    On Linux a ``forkserver`` (with this module loaded once, so a worker starts quickly), else spawn.
    """
    ctx = processes.context(threaded=True)
    if ctx.get_start_method() == "forkserver":
        ctx.set_forkserver_preload(["wijkld.serve.server"])  # type: ignore[attr-defined]
    return ctx


class _Relay:
    """Copies a worker's standard error to ours, keeping the last 64 KiB: why the worker died, if it did."""

    KEEP = 64 * 1024

    def __init__(self, source: Connection, echo: bool = True) -> None:
        self.source, self.echo = source, echo
        self.tail = b""
        self.total = 0  # bytes read so far
        self._lock = threading.Lock()
        self.thread = threading.Thread(target=self._copy, name="wijkld-worker-stderr", daemon=True)
        self.thread.start()

    def _copy(self) -> None:
        try:
            while chunk := os.read(self.source.fileno(), 65536):
                if self.echo:
                    with contextlib.suppress(OSError):
                        os.write(2, chunk)
                with self._lock:
                    self.tail = (self.tail + chunk)[-self.KEEP :]
                    self.total += len(chunk)
        except OSError:
            pass
        finally:
            self.source.close()

    def since(self, mark: int, wait: float) -> str:
        """What the worker wrote after ``total`` was ``mark``, once it has closed its end (or ``wait`` passed)."""
        self.thread.join(wait)
        with self._lock:
            return self.tail[-(self.total - mark) :].decode("utf-8", "replace") if self.total > mark else ""


class _Worker:
    def __init__(self, ctx: Any, dump: Path, guard: bool, max_memory: int, echo: bool = True) -> None:
        self.conn, child = ctx.Pipe()
        errors_in, errors_out = ctx.Pipe(duplex=False)
        self.process = ctx.Process(
            target=_worker_main,
            args=(child, errors_out, str(dump), guard, max_memory),
            daemon=True,
            name="wijkld-query-worker",
        )
        self.process.start()
        child.close()
        errors_out.close()
        self.stderr = _Relay(errors_in, echo)
        self.memory_cap = 0
        self.stopped = False

    def wait_ready(self, timeout: float) -> dict[str, Any]:
        if not self.conn.poll(timeout):
            raise WijkldError(f"a query worker did not load the release within {timeout:g} s")
        try:
            status, payload = self.conn.recv()
        except (EOFError, OSError):
            raise WijkldError("a query worker died while loading the release") from None
        if status != "ready":
            raise WijkldError(str(payload))
        self.memory_cap = int(payload.get("memory_cap", 0))
        return dict(payload)

    def stop(self, kill: bool) -> None:
        """Ask the worker to exit (or kill it at once); safe to call more than once."""
        if self.stopped:
            return
        self.stopped = True
        if not kill:
            with contextlib.suppress(OSError, ValueError):
                self.conn.send(None)
            self.process.join(2)
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()
        with contextlib.suppress(ValueError):
            self.process.close()


W = TypeVar("W")
#: Requests one client may have waiting for a worker at a time; more are answered 503 at once.
MAX_WAITING = 32


@dataclass(eq=False)
class Ticket(Generic[W]):
    """One request's place in the queue; ``worker`` is set (and ``ready``) when it gets one."""

    client: str
    ready: threading.Event = field(default_factory=threading.Event)
    worker: W | None = None


class Scheduler(Generic[W]):
    """Hands free workers to waiting requests: round-robin between clients, at most ``per_client`` each.

    A client is a remote address. Each has its own line; a free worker goes to the first client in
    turn that has a request waiting and fewer than ``per_client`` running, and that client goes to
    the back. So one client's burst of slow queries holds at most ``per_client`` workers, and never
    keeps another client's request behind it in the queue.
    """

    def __init__(self, per_client: int, max_waiting: int = MAX_WAITING) -> None:
        self.per_client, self.max_waiting = per_client, max_waiting
        self._lock = threading.Lock()
        self._free: list[W] = []
        self._lines: OrderedDict[str, deque[Ticket[W]]] = OrderedDict()
        self._running: dict[str, int] = {}

    def add(self, worker: W) -> None:
        """A worker ready for work (a new one, or one given back)."""
        with self._lock:
            self._free.append(worker)
            self._dispatch()

    def enqueue(self, client: str) -> Ticket[W] | None:
        """A place in ``client``'s line (already served if a worker is free); None if the line is full."""
        with self._lock:
            line = self._lines.setdefault(client, deque())
            if len(line) >= self.max_waiting:
                if not line:
                    del self._lines[client]
                return None
            ticket: Ticket[W] = Ticket(client)
            line.append(ticket)
            self._dispatch()
            return ticket

    def wait(self, ticket: Ticket[W], timeout: float) -> W | None:
        """The worker for ``ticket``, or None (and out of the line) if none came within ``timeout`` seconds."""
        if ticket.ready.wait(timeout):
            return ticket.worker
        with self._lock:
            if ticket.worker is not None:  # it came just now
                return ticket.worker
            line = self._lines.get(ticket.client)
            if line is not None:
                line.remove(ticket)
                if not line:
                    del self._lines[ticket.client]
            return None

    def release(self, client: str, worker: W | None) -> None:
        """``client``'s query is done; ``worker`` is free again (None: it is gone, a successor comes by add)."""
        with self._lock:
            self._running[client] -= 1
            if not self._running[client]:
                del self._running[client]
            if worker is not None:
                self._free.append(worker)
            self._dispatch()

    def snapshot(self) -> dict[str, tuple[int, int]]:
        """Running and waiting requests per client, for tests and diagnostics."""
        with self._lock:
            clients = set(self._running) | set(self._lines)
            return {c: (self._running.get(c, 0), len(self._lines.get(c, ()))) for c in sorted(clients)}

    def _dispatch(self) -> None:
        while self._free:
            client = next((c for c in self._lines if self._running.get(c, 0) < self.per_client), None)
            if client is None:
                return
            line = self._lines.pop(client)
            ticket = line.popleft()
            if line:
                self._lines[client] = line  # to the back: the other clients are served first
            ticket.worker = self._free.pop()
            self._running[client] = self._running.get(client, 0) + 1
            ticket.ready.set()


class Pool:
    """Worker processes, each with its own store and memory cap, shared fairly between clients.

    A job that overruns its time kills its worker; one that overruns its memory kills itself; a
    successor is started in the background either way.
    """

    def __init__(
        self,
        dump: Path,
        size: int,
        guard: bool = True,
        *,
        max_memory: int = 0,
        per_client: int | None = None,
        queue_timeout: float = 10.0,
        respawn: bool = True,
    ) -> None:
        self.dump, self.size, self.guard, self.max_memory = dump, size, guard, max_memory
        # a server starts a successor for a worker that died or was killed, and shows what workers write;
        # a pool for one query (run_isolated) does neither: its message says why the worker died
        self.respawn = respawn
        self.queue_timeout = queue_timeout
        self.scheduler: Scheduler[_Worker] = Scheduler(per_client or default_per_client(size))
        self._ctx = _context()
        self._lock = threading.Lock()
        self._workers: set[_Worker] = set()
        self._busy: set[_Worker] = set()
        self._closed = False
        self.info: dict[str, Any] = {}
        self.restarts = 0

    def start(self, timeout: float = 60.0) -> dict[str, Any]:
        """Start every worker and wait until all have loaded the release; what the first one found."""
        started = [self._spawn() for _ in range(self.size)]
        try:
            infos = [w.wait_ready(timeout) for w in started]
        except WijkldError:
            self.close()
            raise
        for worker in started:
            self.scheduler.add(worker)
        self.info = infos[0]
        return self.info

    def _spawn(self) -> _Worker:
        worker = _Worker(self._ctx, self.dump, self.guard, self.max_memory, self.respawn)
        with self._lock:
            self._workers.add(worker)
        return worker

    def pids(self) -> set[int]:
        """Process ids of the live workers (and of any being started)."""
        with self._lock:
            return {w.process.pid for w in self._workers if w.process.pid is not None}

    def busy_pids(self) -> set[int]:
        """Process ids of the workers running a query now."""
        with self._lock:
            return {w.process.pid for w in self._busy if w.process.pid is not None}

    def run(self, job: Job, timeout: float, client: str = "") -> Answer:
        """Answer ``job`` within ``timeout`` seconds, once a worker is free for ``client`` (queue_timeout)."""
        ticket = self.scheduler.enqueue(client)
        if ticket is None:
            return Answer(
                503,
                message=f"you have {self.scheduler.max_waiting} queries waiting already; wait for their answers",
                retry_after=max(1, math.ceil(timeout)),
            )
        worker = self.scheduler.wait(ticket, self.queue_timeout)
        if worker is None:
            return Answer(
                503,
                message=f"no query worker became free within {self.queue_timeout:g} s (all {self.size} are busy); "
                "try again later",
                retry_after=max(1, math.ceil(timeout)),
            )
        healthy = False
        with self._lock:
            self._busy.add(worker)
        try:
            reply, healthy = self._ask(worker, job, timeout)
        finally:  # whatever happened, the client's share is given back (a worker in doubt is replaced)
            with self._lock:
                self._busy.discard(worker)
            if not healthy:
                self._replace(worker)
            self.scheduler.release(client, worker if healthy else None)
        return reply

    def _ask(self, worker: _Worker, job: Job, timeout: float) -> tuple[Answer, bool]:
        """The worker's answer, and whether the worker can take the next job."""
        mark = worker.stderr.total
        try:
            worker.conn.send(job)
            if worker.conn.poll(timeout):
                reply: Answer = worker.conn.recv()
                return reply, not reply.retire
        except (EOFError, OSError):
            return self._obituary(worker, mark), False
        return Answer(503, message=f"query timeout: the query ran longer than {timeout:g} s and was stopped"), False

    def _obituary(self, worker: _Worker, mark: int) -> Answer:
        """Why a worker died during a job: out of memory (503), or a crash of the query engine (500)."""
        worker.process.join(2)
        said = worker.stderr.since(mark, wait=2)
        if "memory allocation of" in said or "MemoryError" in said:
            return Answer(503, message=memory_message(worker.memory_cap))
        cause = crash_cause(said, worker.process.exitcode)
        if self.respawn:
            cause += "; the worker has been replaced"
        return Answer(500, message=f"the query crashed the query engine ({cause})")

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker now; start its successor in the background so the client is answered at once."""
        with self._lock:
            self._workers.discard(worker)
            self.restarts += 1
        worker.stop(kill=True)
        if self.respawn:
            threading.Thread(target=self._refill, name="wijkld-worker-restart", daemon=True).start()

    def _refill(self) -> None:
        if self._closed:
            return
        worker = self._spawn()
        try:
            worker.wait_ready(60.0)
        except WijkldError as exc:
            log.error("could not restart a query worker: %s", exc)
            with self._lock:
                self._workers.discard(worker)
            worker.stop(kill=True)
            return
        if self._closed:
            worker.stop(kill=False)
        else:
            self.scheduler.add(worker)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._workers)
            self._workers.clear()
        for worker in workers:
            worker.stop(kill=False)


#: "No limit" for a wait: a week, as long as the selectors' millisecond timeouts can count.
NO_TIME_LIMIT = 7 * 24 * 3600.0


def run_isolated(dump: Path, job: Job, *, timeout: float | None, max_memory: int) -> Answer:
    """Answer one job in a worker process of its own: ``wijkld query``'s guard against hostile queries.

    The worker brings what serve's workers have: a memory cap, a time limit (killed when over it),
    no network, and a crash of the query engine (a panic, a stack overflow) that ends the worker,
    not the command.
    """
    pool = Pool(dump, 1, max_memory=max_memory, per_client=1, queue_timeout=60.0, respawn=False)
    try:
        pool.start()
        return pool.run(job, timeout if timeout is not None else NO_TIME_LIMIT)
    finally:
        pool.close()


def default_per_client(workers: int) -> int:
    """Queries one client may have running at once: half the workers, so another client always finds one."""
    return max(1, workers // 2)


def crash_cause(said: str, exitcode: int | None) -> str:
    """The panic message a dead worker wrote, else the signal that killed it."""
    lines = said.splitlines()
    for number, line in enumerate(lines):
        if "panicked at" in line and number + 1 < len(lines):
            return f"Oxigraph: {lines[number + 1].strip()}"
    if exitcode is not None and exitcode < 0:
        with contextlib.suppress(ValueError):
            return f"the worker was killed by {signal.Signals(-exitcode).name}"
    return f"the worker exited with code {exitcode}"


# -- HTTP ------------------------------------------------------------------------


def negotiate(accept: str | None, offers: list[tuple[str, str]]) -> str | None:
    """The format of the best offer for an Accept header (RFC 9110 q-values, wildcards); None: 406."""
    if not accept or not accept.strip():
        return offers[0][1]
    ranges: list[tuple[str, str, float]] = []
    for item in accept.split(","):
        parts = [p.strip() for p in item.split(";")]
        media = parts[0].lower()
        if "/" not in media:
            continue
        q = 1.0
        for param in parts[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        major, _, minor = media.partition("/")
        ranges.append((major, minor, q))
    best: tuple[float, int, str] | None = None
    for order, (media_type, fmt) in enumerate(offers):
        major, _, minor = media_type.partition("/")
        matches = [
            (3 if (m, n) == (major, minor) else 2 if (m, n) == (major, "*") else 1, q)
            for m, n, q in ranges
            if (m, n) in ((major, minor), (major, "*"), ("*", "*"))
        ]
        if not matches:
            continue
        q = max(matches)[1]  # the most specific range decides
        if q > 0 and (best is None or q > best[0] or (q == best[0] and order < best[1])):
            best = (q, order, fmt)
    return best[2] if best else None


FORMAT_PARAMETER = {fmt: fmt for _, fmt in SOLUTION_TYPES + GRAPH_TYPES} | {
    media.split(";")[0]: fmt for media, fmt in SOLUTION_TYPES + GRAPH_TYPES
}


class App:
    """Routes and renders; holds the pool, the templates and what the release says about itself."""

    def __init__(self, config: Config, pool: Pool, base: str) -> None:
        self.config, self.pool, self.base = config, pool, base
        self.base_path = urlsplit(base).path.rstrip("/")
        self.examples = sparql.examples()
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(templates_dir()), autoescape=True, trim_blocks=True, lstrip_blocks=True
        )
        void_file = config.dist / "void.ttl"
        self.void_file = void_file if void_file.is_file() else None
        #: The release folder, served as static files under the base path: the pages and downloads
        #: that wijkld build writes (index.html, doc/{type}/{key}.html|.ttl|.jsonld, the dumps).
        self.static_root: Path | None = config.dist.resolve() if config.dist.is_dir() else None
        #: the vocabulary's and the shapes' terms (local names under VOCAB), from the release's Turtle files
        self.vocabulary_terms = _local_names(config.dist / "vocabulary.ttl", VOCAB)
        self.shape_terms = _local_names(config.dist / "shapes.ttl", VOCAB + "shapes/")
        self.vocabulary_versions = _local_names(config.dist / "vocabulary.ttl", VOCAB, OWL_VERSION_IRI)
        #: dcat.ttl: it also describes the N-Quads file, which the metadata graph inside that file cannot
        self.catalogue = ox.Store()
        if (config.dist / "dcat.ttl").is_file():
            self.catalogue.load((config.dist / "dcat.ttl").read_bytes(), format=ox.RdfFormat.TURTLE)

    def static_file(self, path: str) -> Path | None:
        """The file of the release at a request path under the base path; None outside it or if missing."""
        if self.static_root is None or not (path == self.base_path or path.startswith(self.base_path + "/")):
            return None
        relative = unquote(path[len(self.base_path) :]).strip("/") or "index.html"
        if any(part in ("", ".", "..") for part in relative.split("/")) or "\\" in relative or "\0" in relative:
            return None
        candidate = (self.static_root / relative).resolve()
        if not candidate.is_relative_to(self.static_root) or not candidate.is_file():
            return None
        return candidate

    # -- helpers --
    def run(self, job: Job, client: str = "") -> Answer:
        return self.pool.run(job, self.config.timeout, client)

    def local(self, iri: str) -> str | None:
        """The path at which this server answers for a thing or document IRI of the release, or None."""
        minter = Minter(self.base)
        if iri.startswith(minter.things) or iri.startswith(minter.documents):
            return self.base_path + iri[len(self.base) :]
        return None

    def cell(self, term: Any, prefixes: dict[str, str]) -> dict[str, str]:
        if term is None:
            return {"text": ""}
        shown = sparql.show(term, DISPLAY_PREFIXES | prefixes)
        if isinstance(term, ox.NamedNode):
            href = self.local(term.value) or term.value
            if not href.startswith(("/", "http://", "https://")):
                return {"text": shown, "title": term.value}  # no javascript: or data: links from query results
            return {"text": shown, "href": href, "title": term.value}
        if isinstance(term, ox.Literal):
            note = (
                ""
                if term.language or term.datatype.value == sparql.XSD_STRING
                else sparql.show(term.datatype, DISPLAY_PREFIXES)
            )
            return {"text": term.value, "lang": term.language or "", "note": note}
        return {"text": str(term)}

    def render(self, template: str, **context: Any) -> bytes:
        page = self.templates.get_template(template).render(version=__version__, base=self.base, **context)
        return page.encode("utf-8")

    def query_page(
        self, text: str, example: str = "", run: bool = True, client: str = ""
    ) -> tuple[int, bytes, dict[str, str]]:
        """The HTML query page, with the result of ``text`` as a table when there is one."""
        ran = None
        if run and text.strip():
            started = time.perf_counter()
            reply = self.run(Job(text, None, self.config.max_results), client)
            ran = (reply, time.perf_counter() - started)
        return self.render_page(text, example, ran)

    def render_page(
        self, text: str, example: str = "", ran: tuple[Answer, float] | None = None
    ) -> tuple[int, bytes, dict[str, str]]:
        """The query page for ``text`` and, if it ran, its answer and the seconds it took."""
        context: dict[str, Any] = {"examples": self.examples, "query": text, "selected": example}
        status, headers = 200, {}
        if ran is not None:
            reply, seconds = ran
            context["elapsed"] = f"{seconds * 1000:.0f}"
            if reply.status != 200 or reply.result is None:
                status = reply.status
                context["error"] = reply.message
                if reply.retry_after:
                    headers["Retry-After"] = str(reply.retry_after)
            else:
                result = reply.result
                context["result"] = self.table(result)
                context["downloads"] = [
                    (name, "/sparql?" + urlencode({"query": text, "format": name}))
                    for name in (sparql.GRAPH_FORMATS if result.kind == "graph" else sparql.SOLUTION_FORMATS)
                ]
                if result.truncated:
                    context["note"] = sparql.truncation_note(result)
                    headers["X-Wijkld-Truncated"] = "true"
        return status, self.render("query.html", **context), headers

    def table(self, result: sparql.Result) -> dict[str, Any]:
        if result.kind == "boolean":
            return {"kind": "boolean", "boolean": result.boolean}
        if result.kind == "graph":
            header = ["subject", "predicate", "object"]
            rows = [(t.subject, t.predicate, t.object) for t in result.triples]
        else:
            header, rows = list(result.variables), result.rows  # type: ignore[assignment]
        cells = [[self.cell(term, result.prefixes) for term in row] for row in rows]
        return {"kind": result.kind, "header": header, "rows": cells, "count": len(rows)}

    def describe(self, thing: str, client: str = "") -> Answer:
        """What the release says about a thing: its own triples and those pointing at it."""
        return self.run(Job(describe_query(thing), None, self.config.max_results), client)

    def exists(self, thing: str, client: str = "") -> Answer:
        return self.run(Job(f"ASK {{ <{thing}> ?p ?o }}", None, 1), client)

    def doc_page(self, thing: str, result: sparql.Result) -> bytes:
        outgoing = [t for t in result.triples if isinstance(t.subject, ox.NamedNode) and t.subject.value == thing]
        incoming = [t for t in result.triples if not (isinstance(t.subject, ox.NamedNode) and t.subject.value == thing)]
        labels = [t.object for t in outgoing if t.predicate.value in LABELS and isinstance(t.object, ox.Literal)]
        label = next((x.value for x in labels if x.language == "nl"), labels[0].value if labels else thing)
        order = {RDF_TYPE: "0"}
        outgoing.sort(key=lambda t: (order.get(t.predicate.value, "1"), t.predicate.value, str(t.object)))
        incoming.sort(key=lambda t: (t.predicate.value, str(t.subject)))
        minter = Minter(self.base)
        doc = minter.doc_for(thing) if thing.startswith(minter.things) else thing
        return self.render(
            "doc.html",
            thing=thing,
            label=label,
            local=self.local(doc) or "",
            types=[self.cell(t.object, {}) for t in outgoing if t.predicate.value == RDF_TYPE],
            outgoing=[(self.cell(t.predicate, {}), self.cell(t.object, {})) for t in outgoing],
            incoming=[(self.cell(t.subject, {}), self.cell(t.predicate, {})) for t in incoming],
            truncated=sparql.truncation_note(result) if result.truncated else "",
        )

    def void(self, endpoint: str) -> bytes:
        """dist/void.ttl when the release has one; otherwise a minimal description from the store."""
        if self.void_file is not None:
            return self.void_file.read_bytes()
        info = self.pool.info
        n = ox.NamedNode
        vd, xsd_integer = "http://rdfs.org/ns/void#", n("http://www.w3.org/2001/XMLSchema#integer")
        minter = Minter(self.base)
        dataset = n(minter.dataset)
        triples = [
            ox.Triple(dataset, n(RDF_TYPE), n(vd + "Dataset")),
            ox.Triple(dataset, n(vd + "triples"), ox.Literal(str(info.get("triples", 0)), datatype=xsd_integer)),
            ox.Triple(dataset, n(vd + "uriSpace"), ox.Literal(minter.things)),
            ox.Triple(dataset, n(vd + "dataDump"), n(minter.download(sparql.DUMP))),
            ox.Triple(dataset, n(vd + "sparqlEndpoint"), n(endpoint)),
        ]
        if info.get("example"):
            triples.append(ox.Triple(dataset, n(vd + "exampleResource"), n(info["example"])))
        for graph, count in sorted(info.get("graphs", {}).items()):
            subset = n(graph)
            triples += [
                ox.Triple(dataset, n(vd + "subset"), subset),
                ox.Triple(subset, n(RDF_TYPE), n(vd + "Dataset")),
                ox.Triple(subset, n(vd + "triples"), ox.Literal(str(count), datatype=xsd_integer)),
            ]
        body = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes={"void": vd})
        return body if isinstance(body, bytes) else b""

    def definition(self, path: str, accept: str | None) -> tuple[int, bytes, str, dict[str, str]]:
        """What a vocabulary or shape IRI (``{VOCAB}...``) answers: status, body, media type, headers.

        The vocabulary document ``{VOCAB}`` is vocabulary.html, .ttl or .jsonld by Accept (N-Triples:
        the Turtle's triples, sorted); a term ``{VOCAB}Term`` is 303 See Other to its section of the
        vocabulary page (HTML) or to the vocabulary (RDF), and the vocabulary's version IRI to the
        vocabulary. The shapes ``{VOCAB}shapes/`` and each shape likewise, with shapes.html, .ttl
        and .jsonld: every answer is a file of the release, as a static host gives it (docs/hosting.md).
        """
        vocab_path = urlsplit(VOCAB).path
        rest = path[len(vocab_path) :]
        shapes = rest == "shapes/" or rest.startswith("shapes/")
        name = rest[len("shapes/") :] if shapes else rest
        stem = "shapes" if shapes else "vocabulary"
        offers = [("text/html", "html"), ("text/turtle", "turtle"), ("application/ld+json", "jsonld")]
        offers += [("application/json", "jsonld"), ("application/n-triples", "ntriples"), ("text/plain", "ntriples")]
        fmt = negotiate(accept, offers)
        headers = {"Vary": "Accept"}

        def answer(status: int, text: str, extra: dict[str, str] | None = None) -> tuple[int, bytes, str, dict]:
            return status, text.encode(), "text/plain; charset=utf-8", headers | (extra or {})

        if name and not shapes and name in self.vocabulary_versions:
            return answer(303, f"See {vocab_path}\n", {"Location": vocab_path})
        if name and name not in (self.shape_terms if shapes else self.vocabulary_terms):
            return answer(404, f"Error 404 Not Found: no such term: {VOCAB}{rest}\n")
        if fmt is None:
            return answer(406, f"Error 406 Not Acceptable: offered: {', '.join(m for m, _ in offers)}\n")
        if name:
            target = vocab_path + "shapes/" if shapes else vocab_path
            if fmt == "html":
                target = f"{self.base_path}/{stem}.html#{name}"
            return answer(303, f"See {target}\n", {"Location": target})
        file = f"{stem}{PUBLISHED_SUFFIXES['turtle' if fmt == 'ntriples' else fmt]}"
        found = self.static_file(f"{self.base_path}/{file}")
        if found is None:
            return answer(404, f"Error 404 Not Found: the release has no {file}\n")
        body = found.read_bytes()
        return 200, _sorted_ntriples(body) if fmt == "ntriples" else body, MEDIA_TYPES[fmt], headers

    def graph_document(self, path: str, accept: str | None) -> str | None:
        """Where a named graph's IRI (``{base}/graph/<name>``) sends a client: its file or page; None if unknown."""
        name = path[len(self.base_path + "/graph/") :]
        html = negotiate(accept, [("text/turtle", "rdf"), ("text/html", "html")]) == "html"
        vocab_path = urlsplit(VOCAB).path
        targets = {
            "data": "resources.html" if html else sparql.DUMP.replace(".nq.", ".nt."),
            "metadata": "index.html" if html else "dcat.ttl",
        }
        if name in ("vocabulary", "shapes"):
            return vocab_path + ("shapes/" if name == "shapes" else "")
        return f"{self.base_path}/{targets[name]}" if name in targets else None

    def catalogue_describes(self, thing: str) -> sparql.Result | None:
        """What dcat.ttl says about ``thing`` where the store cannot (the N-Quads file's own checksum)."""
        result = sparql.execute(self.catalogue, describe_query(thing))
        return result if any(t.subject == ox.NamedNode(thing) for t in result.triples) else None

    def published(self, doc_path: str, fmt: str) -> bytes | None:
        """The representation of a document the release publishes as a file, in ``fmt``; None if it has none.

        HTML, Turtle and JSON-LD are the files themselves; N-Triples are the triples of the Turtle file,
        sorted, so that every door gives the same data.
        """
        if fmt == "ntriples":
            turtle = self.static_file(doc_path + ".ttl")
            if turtle is None:
                return None
            return _sorted_ntriples(turtle.read_bytes())
        suffix = PUBLISHED_SUFFIXES.get(fmt)
        found = self.static_file(doc_path + suffix) if suffix else None
        return found.read_bytes() if found is not None else None

    def service_description(self, endpoint: str) -> bytes:
        """A SPARQL 1.1 Service Description of the endpoint (what GET /sparql without a query returns)."""
        n = ox.NamedNode
        sd, formats = "http://www.w3.org/ns/sparql-service-description#", "http://www.w3.org/ns/formats/"
        service, dataset = n(endpoint), n(endpoint + "#dataset")
        triples = [
            ox.Triple(service, n(RDF_TYPE), n(sd + "Service")),
            ox.Triple(service, n(sd + "endpoint"), service),
            ox.Triple(service, n(sd + "supportedLanguage"), n(sd + "SPARQL11Query")),
            ox.Triple(service, n(sd + "feature"), n(sd + "UnionDefaultGraph")),
            ox.Triple(service, n(sd + "defaultDataset"), dataset),
            ox.Triple(dataset, n(RDF_TYPE), n(sd + "Dataset")),
            ox.Triple(dataset, n("http://rdfs.org/ns/void#sparqlEndpoint"), service),
        ]
        for name in (
            "SPARQL_Results_JSON",
            "SPARQL_Results_XML",
            "SPARQL_Results_CSV",
            "SPARQL_Results_TSV",
            "Turtle",
            "N-Triples",
            "JSON-LD",
        ):
            triples.append(ox.Triple(service, n(sd + "resultFormat"), n(formats + name)))
        for graph in sorted(self.pool.info.get("graphs", {})):
            named = n(endpoint + "#graph-" + graph.rsplit("/", 1)[-1])
            triples += [
                ox.Triple(dataset, n(sd + "namedGraph"), named),
                ox.Triple(named, n(RDF_TYPE), n(sd + "NamedGraph")),
                ox.Triple(named, n(sd + "name"), n(graph)),
            ]
        body = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes={"sd": sd, "formats": formats})
        assert isinstance(body, bytes)
        return body


class Handler(BaseHTTPRequestHandler):
    """One request: parse, route, answer. Every response has a length, so keep-alive works."""

    server: WijkldHTTPServer
    protocol_version = "HTTP/1.1"
    server_version = f"wijkld/{__version__}"
    timeout = 30  # seconds a client may idle on a connection
    # headers and body go out in separate writes: without TCP_NODELAY a keep-alive client (nginx in front,
    # docs/hosting.md) waits for the delayed ACK, 40 ms a response
    disable_nagle_algorithm = True

    # -- plumbing --
    @property
    def app(self) -> App:
        return self.server.app

    @property
    def client(self) -> str:
        """Who is asking, for fair shares of the workers: the remote address (not a header anyone can set),
        or, from a trusted reverse proxy only, the address it names in X-Real-IP."""
        named = self.from_trusted_proxy("X-Real-IP")
        if named is not None:
            with contextlib.suppress(ValueError):
                return str(ipaddress.ip_address(named))
        return str(self.client_address[0])

    def scheme(self) -> str:
        """http, or https where a trusted reverse proxy says the client used it (X-Forwarded-Proto)."""
        forwarded = (self.from_trusted_proxy("X-Forwarded-Proto") or "").lower()
        return forwarded if forwarded in ("http", "https") else "http"

    def from_trusted_proxy(self, header: str) -> str | None:
        """A header's value, stripped, when the request comes from a --trusted-proxy; None from anyone else."""
        if str(self.client_address[0]) not in self.app.config.trusted_proxies:
            return None
        return (self.headers.get(header) or "").strip()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        if not self.app.config.quiet:
            super().log_message(format, *args)

    def send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Expose-Headers", "X-Wijkld-Truncated, Location, Content-Type")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def fail(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        """An error in the style of the SPARQL Protocol: a status and a plain-text message."""
        reason = HTTPStatus(status).phrase
        self.send(status, f"Error {status} {reason}: {message}\n".encode(), "text/plain; charset=utf-8", headers)

    def do_OPTIONS(self) -> None:  # noqa: N802 - http.server's naming
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, HEAD, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
        self.send_header("Access-Control-Max-Age", "86400")
        self.send_header("Allow", "GET, POST, HEAD, OPTIONS")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        self.dispatch({})

    def do_POST(self) -> None:  # noqa: N802
        body = self.read_body()
        if body is None:
            return
        self.dispatch({"body": body})

    def read_body(self) -> bytes | None:
        """The request body, or None once an error has been answered (411, 413, 400)."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self.close_connection = True
            self.fail(411, "send a Content-Length (chunked request bodies are not supported)")
            return None
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            self.close_connection = True
            self.fail(411, "a POST needs a Content-Length")
            return None
        try:
            length = int(length_header)
        except ValueError:
            self.close_connection = True
            self.fail(400, "Content-Length is not a number")
            return None
        limit = self.app.config.max_body
        if length > limit:
            self.close_connection = True
            self._drain(length)
            self.fail(
                413, f"the request body has {length} bytes; at most {limit} are accepted", {"Connection": "close"}
            )
            return None
        return self.rfile.read(length) if length > 0 else b""

    def _drain(self, length: int) -> None:
        """Read (and drop) a refused body of sane size, so the client sees our 413 rather than a reset."""
        remaining = min(length, 8 * self.app.config.max_body)
        with contextlib.suppress(OSError):
            while remaining > 0:
                chunk = self.rfile.read(min(65536, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)

    # -- routing --
    def dispatch(self, request: dict[str, bytes]) -> None:
        url = urlsplit(self.path)
        path, app = url.path, self.app
        try:
            if path in ("/sparql", app.base_path + "/sparql"):  # the second: the endpoint IRI DCAT names
                self.sparql(url.query, request.get("body"))
            elif path in ("/", "/query"):
                self.page(url.query, request.get("body"))
            elif path == "/.well-known/void":
                self.void()
            elif (path + "/").startswith(urlsplit(VOCAB).path):  # the vocabulary, its terms, the shapes
                self.send(*app.definition(path, self.headers.get("Accept")))
            elif path.startswith(app.base_path + "/.well-known/genid/"):  # skolem IRIs (shapes, vocabulary)
                self.resource(app.base + path[len(app.base_path) :], None)
            elif path.startswith(app.base_path + "/graph/"):
                target = app.graph_document(path, self.headers.get("Accept"))
                if target is None:
                    self.fail(404, f"no such graph: {path}")
                else:
                    self.send(303, f"See {target}\n".encode(), "text/plain; charset=utf-8", {"Location": target})
            elif static := app.static_file(path):  # the release's own files: pages, .ttl, .jsonld, dumps
                self.send(200, static.read_bytes(), static_type(static))
            elif path.startswith(app.base_path + "/id/"):
                self.thing(path)
            elif path.startswith(app.base_path + "/doc/"):
                self.document(path)
            elif app.base_path and path.rstrip("/") == app.base_path:
                self.send(303, b"", "text/plain", {"Location": "/"})
            else:
                self.fail(404, f"nothing here: {path} (try / for the query page, /sparql for the endpoint)")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as exc:  # noqa: BLE001 - a bug answers 500 and is logged; the server goes on
            log.exception("error while answering %s", self.path)
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.fail(500, f"internal error: {type(exc).__name__}")

    def params(self, query_string: str, body: bytes | None) -> dict[str, list[str]] | None:
        """Parameters of GET, of a form POST, or of a direct POST (application/sparql-query)."""
        params = parse_qs(query_string, keep_blank_values=True)
        if body is None:
            return params
        media = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            self.fail(400, "the request body is not UTF-8")
            return None
        if media == "application/x-www-form-urlencoded":
            for name, values in parse_qs(text, keep_blank_values=True).items():
                params.setdefault(name, []).extend(values)
        elif media == "application/sparql-query":
            params.setdefault("query", []).append(text)
        elif media == "application/sparql-update":
            params.setdefault("update", []).append(text)
        else:
            self.fail(
                415, f"POST application/sparql-query or application/x-www-form-urlencoded, not {media or '(none)'}"
            )
            return None
        return params

    def sparql(self, query_string: str, body: bytes | None) -> None:
        params = self.params(query_string, body)
        if params is None:
            return
        if "update" in params:
            self.fail(403, "SPARQL Update is refused: this is a read-only query service over a release.")
            return
        queries = params.get("query", [])
        if not queries and body is None and not params:
            # SPARQL 1.1 Service Description: Turtle for clients, the query page for browsers
            if negotiate(self.headers.get("Accept"), [("text/turtle", "turtle"), ("text/html", "html")]) == "html":
                self.page("", None)
                return
            host = self.headers.get("Host") or f"{self.app.config.host}:{self.server.server_address[1]}"
            endpoint = f"{self.scheme()}://{host}{urlsplit(self.path).path}"  # the address it was asked at
            self.send(200, self.app.service_description(endpoint), MEDIA_TYPES["turtle"], {"Vary": "Accept"})
            return
        if not queries:
            self.fail(400, "no query: send ?query=... (GET) or POST a query; the query page is at /")
            return
        if len(queries) > 1:
            self.fail(400, "more than one query parameter")
            return
        text = queries[0]
        requested = (params.get("format") or params.get("output") or [""])[0].strip().lower()
        formats: dict[str, str] = {}
        if requested:
            fmt = FORMAT_PARAMETER.get(requested)
            if fmt is None:
                self.fail(400, f"unknown format {requested!r}; use one of {', '.join(sorted(set(MEDIA_TYPES)))}")
                return
            formats = {"solutions": fmt, "boolean": fmt, "graph": fmt}
        else:
            accept = self.headers.get("Accept")
            solutions, graph = negotiate(accept, SOLUTION_TYPES), negotiate(accept, GRAPH_TYPES)
            formats = {k: v for k, v in (("solutions", solutions), ("boolean", solutions), ("graph", graph)) if v}
        # The text is not read here: lexing, the refusals (Update, SERVICE, nesting) and parsing happen in
        # a worker, under the time limit, whatever the query's size.
        job = Job(
            text,
            formats,
            self.app.config.max_results,
            tuple(params.get("default-graph-uri", [])),
            tuple(params.get("named-graph-uri", [])),
            requested,
        )
        started = time.perf_counter()
        reply = self.app.run(job, self.client)
        html = formats.get(reply.kind) == "html" and not reply.refused and bool(reply.kind)
        if reply.fmt == "html" or (reply.status != 200 and html):
            status, page, headers = self.app.render_page(text, "", (reply, time.perf_counter() - started))
            self.send(status, page, MEDIA_TYPES["html"], headers | {"Vary": "Accept"})
            return
        if reply.status != 200:
            offered = ", ".join(m for m, f in (GRAPH_TYPES if reply.kind == "graph" else SOLUTION_TYPES) if f != "html")
            message = reply.message if reply.status != 406 else f"{reply.message}; offered: {offered}"
            headers = {"Vary": "Accept"}
            if reply.retry_after:
                headers["Retry-After"] = str(reply.retry_after)
            self.fail(reply.status, message, headers)
            return
        headers = {"Vary": "Accept"}
        if reply.truncated:
            headers["X-Wijkld-Truncated"] = "true"
        self.send(200, reply.body, MEDIA_TYPES[reply.fmt], headers)

    def page(self, query_string: str, body: bytes | None) -> None:
        params = self.params(query_string, body)
        if params is None:
            return
        text = (params.get("query") or [""])[0]
        example = (params.get("example") or [""])[0]
        load = bool(params.get("load")) or (example and not text.strip())
        if load and example:
            text = next((q for name, _, q in self.app.examples if name == example), text)
        status, page, headers = self.app.query_page(text, example, run=not load, client=self.client)
        self.send(status, page, MEDIA_TYPES["html"], headers)

    def void(self) -> None:
        host = self.headers.get("Host") or f"{self.app.config.host}:{self.server.server_address[1]}"
        self.send(200, self.app.void(f"http://{host}/sparql"), MEDIA_TYPES["turtle"])

    def _iri(self, path: str) -> str | None:
        """The thing IRI for /id/... or /doc/... paths; None when the path cannot be an IRI of ours."""
        rest = path[len(self.app.base_path) :]
        segment, _, key = rest[1:].partition("/")
        if not key or not all(c.isalnum() or c in "-._~!$&'()*+,;=:@%/" for c in key) or not key.isascii():
            return None
        return Minter(self.app.base).things + key

    def thing(self, path: str) -> None:
        thing = self._iri(path)
        if thing is None:
            self.fail(404, f"no such thing: {path}")
            return
        known = self.app.exists(thing, self.client)
        if known.status != 200 or known.result is None:
            self.fail(known.status, known.message)
            return
        if not known.result.boolean and self.app.catalogue_describes(thing) is None:
            self.fail(404, f"the release does not describe {thing}")
            return
        location = self.app.base_path + "/doc/" + thing[len(self.app.base) + len("/id/") :]
        self.send(303, f"See {location}\n".encode(), "text/plain; charset=utf-8", {"Location": location})

    def document(self, path: str) -> None:
        thing = self._iri(path)
        if thing is None:
            self.fail(404, f"no such document: {path}", {"Vary": "Accept"})
            return
        self.resource(thing, path)

    def resource(self, thing: str, path: str | None) -> None:
        """The description of ``thing`` by Accept: the release's files for its document ``path`` where it
        has them, else what the store (or dcat.ttl) says about it."""
        fmt = negotiate(self.headers.get("Accept"), DOC_TYPES)
        headers = {"Vary": "Accept"}
        if fmt is None:
            self.fail(406, f"offered: {', '.join(m for m, _ in DOC_TYPES)}", headers)
            return
        published = self.app.published(path, fmt) if path is not None else None
        if published is not None:  # the release's own file: the same bytes as a download of it
            self.send(200, published, MEDIA_TYPES[fmt], headers)
            return
        reply = self.app.describe(thing, self.client)
        if reply.status != 200 or reply.result is None:
            self.fail(reply.status, reply.message, headers)
            return
        result: sparql.Result | None = reply.result
        if not any(t.subject == ox.NamedNode(thing) for t in reply.result.triples):
            result = self.app.catalogue_describes(thing)
        if result is None:
            self.fail(404, f"the release does not describe {thing}", headers)
            return
        if result.truncated:
            headers["X-Wijkld-Truncated"] = "true"
        if fmt == "html":
            # the page wijkld build published for this thing, if there is one; else one made from the store
            page = self.app.static_file(path + ".html") if path is not None else None
            body = page.read_bytes() if page is not None else self.app.doc_page(thing, result)
            self.send(200, body, MEDIA_TYPES["html"], headers)
            return
        result.prefixes = DISPLAY_PREFIXES
        self.send(200, sparql.serialize(result, fmt), MEDIA_TYPES[fmt], headers)


class WijkldHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    app: App


@dataclass
class Server:
    """A started server: ``serve_forever()`` in the foreground, or ``start_background()`` for tests."""

    httpd: WijkldHTTPServer
    pool: Pool
    app: App
    seconds: float
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else str(host)
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}"

    def example_url(self) -> str | None:
        example = self.pool.info.get("example")
        local = self.app.local(example) if example else None
        return self.url + quote(local) if local else None

    def serve_forever(self) -> None:
        self.httpd.serve_forever(poll_interval=0.2)

    def start_background(self) -> Server:
        self._thread = threading.Thread(target=self.serve_forever, name="wijkld-serve", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(5)
        self.httpd.server_close()
        self.pool.close()


def start(config: Config, guard: bool = True) -> Server:
    """Load the release into the workers and bind the socket; raise WijkldError on bad input."""
    started = time.perf_counter()
    sparql.dump_path(config.dist)  # a missing release is said here; the workers resolve DIST themselves
    pool = Pool(
        config.dist,
        config.workers,
        guard=guard,
        max_memory=config.memory_cap(),
        per_client=config.client_share(),
        queue_timeout=config.queue_timeout,
    )
    info = pool.start()
    base = config.base or detect_base(info.get("graphs", {})) or DEFAULT_BASE
    app = App(config, pool, base.rstrip("/"))
    try:
        httpd = WijkldHTTPServer((config.host, config.port), Handler)
    except OSError as exc:
        pool.close()
        raise WijkldError(f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc}") from None
    httpd.app = app
    return Server(httpd, pool, app, time.perf_counter() - started)


STATIC_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".ttl": "text/turtle; charset=utf-8",
    ".jsonld": "application/ld+json",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".nt": "application/n-triples",
    ".nq": "application/n-quads",
    ".gz": "application/gzip",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".csv": "text/csv; charset=utf-8",
}


def static_type(path: Path) -> str:
    if path.as_posix().endswith(CSVW_METADATA):  # CSVW's own media type
        return "application/csvm+json"
    return STATIC_TYPES.get(
        path.suffix, "text/plain; charset=utf-8" if path.name == "SHA256SUMS" else "application/octet-stream"
    )


def describe_query(thing: str) -> str:
    """A thing's own triples and those pointing at it (an IRI the caller has checked)."""
    construct = f"CONSTRUCT {{ <{thing}> ?p ?o . ?s ?q <{thing}> . }}"
    return f"{construct} WHERE {{ {{ <{thing}> ?p ?o }} UNION {{ ?s ?q <{thing}> }} }}"


def _sorted_ntriples(turtle: bytes) -> bytes:
    """The triples of a Turtle document as sorted N-Triples lines."""
    lines = ox.serialize([q.triple for q in ox.parse(turtle, ox.RdfFormat.TURTLE)], format=ox.RdfFormat.N_TRIPLES)
    assert isinstance(lines, bytes)
    return b"".join(sorted(lines.splitlines(keepends=True)))


OWL_VERSION_IRI = "http://www.w3.org/2002/07/owl#versionIRI"


def _local_names(turtle: Path, namespace: str, of: str | None = None) -> frozenset[str]:
    """The local names (without a slash) of the subjects under ``namespace`` in a Turtle file, if there is one;
    with ``of``, of the objects of that predicate instead."""
    if not turtle.is_file():
        return frozenset()
    if of is not None:
        quads = ox.parse(turtle.read_bytes(), ox.RdfFormat.TURTLE)
        objects = {q.object.value for q in quads if q.predicate.value == of and isinstance(q.object, ox.NamedNode)}
        return frozenset(o[len(namespace) :] for o in objects if o.startswith(namespace))
    subjects = {
        q.subject.value
        for q in ox.parse(turtle.read_bytes(), ox.RdfFormat.TURTLE)
        if isinstance(q.subject, ox.NamedNode)
    }
    return frozenset(
        s[len(namespace) :] for s in subjects if s.startswith(namespace) and "/" not in s[len(namespace) :]
    )


def detect_base(graphs: dict[str, int]) -> str | None:
    """The base the release was built with, from its graph names ({base}/graph/data)."""
    for graph in sorted(graphs):
        base = Minter.base_of_graph(graph)
        if base is not None:
            return base
    return None
