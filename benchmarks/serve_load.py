"""Load test on loopback: ``wijkld serve`` (Oxigraph) against rdflib's SPARQL engine, and under attack.

    python benchmarks/serve_load.py --dist dist                # 16 clients, 10 s per engine and phase
    python benchmarks/serve_load.py --dist dist --seconds 5    # a quick run
    python benchmarks/serve_load.py --dist dist --part attack  # only the attack

Each engine runs in a process of its own (``wijkld serve``, and a minimal
standard-library HTTP server around ``rdflib.Dataset.query`` started from this
script), one after the other, so neither competes with the other for the CPUs;
the clients are threads of this process with keep-alive connections. The mix is
the example queries in queries/ (or a built-in mix while that folder is empty),
round-robin. It also measures what the worker processes of ``wijkld serve``
cost per query: the same query in-process and through the pool.

The attack (issue 13): the same clients run the same mix against one ``wijkld serve``
while an attacker sends, over several connections from one address, queries that
run until the time limit, that need more memory than a worker may have, that nest
too deep, and 1 MiB bodies. Latency of the ordinary clients is printed side by side
without the attacker, with it (fair shares: the default), and with it against a
server whose ``--per-client`` lets one client take every worker (as before issue 13).
Every client sends from its own loopback address (127.0.0.10 and up; the attacker
127.0.0.2), because the server shares its workers out per address.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import os
import socket
import subprocess
import sys
import threading
import time
import warnings
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "pipeline"))

#: Used when queries/ has no examples yet: typical look-ups, a join, an aggregate, a path.
BUILTIN_MIX = {
    "count-by-class": "SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n)",
    "labels": "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "SELECT ?s ?label WHERE { ?s rdfs:label ?label FILTER(lang(?label) = 'nl') } ORDER BY ?s LIMIT 100",
    "team-members": "PREFIX org: <http://www.w3.org/ns/org#>\nPREFIX schema: <https://schema.org/>\n"
    "SELECT ?team ?name WHERE { ?team org:hasMembership ?m . ?m org:member ?p . ?p schema:name ?name } "
    "ORDER BY ?team ?name",
    "wijk-in-gemeente": "PREFIX wijkld: <https://w3id.org/wijkld/def/>\n"
    "PREFIX geo: <http://www.opengis.net/ont/geosparql#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "SELECT ?wijk ?place WHERE { ?wijk a wijkld:Wijk ; geo:sfWithin+ ?p . ?p rdfs:label ?place }",
    "describe-one": "PREFIX wijkld: <https://w3id.org/wijkld/def/>\n"
    "CONSTRUCT { ?w ?p ?o } WHERE { { SELECT ?w WHERE { ?w a wijkld:Wijk } ORDER BY ?w LIMIT 1 } ?w ?p ?o }",
}


def query_mix() -> dict[str, str]:
    from wijkld.serve import query as sparql

    found = {name: text for name, _, text in sparql.examples()}
    return found or BUILTIN_MIX


# -- the rdflib side -------------------------------------------------------------------------------


def serve_rdflib(dump: Path, port: int) -> None:
    """A minimal SPARQL endpoint on rdflib (GET ?query=, JSON or Turtle), for comparison only."""
    warnings.simplefilter("ignore")
    from rdflib import Dataset

    dataset = Dataset(default_union=True)
    dataset.parse(data=gzip.decompress(dump.read_bytes()), format="nquads")
    lock = threading.Lock()  # rdflib's store is not documented as thread-safe for concurrent queries

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def do_GET(self) -> None:  # noqa: N802
            text = parse_qs(urlsplit(self.path).query).get("query", [""])[0]
            try:
                with lock:
                    result = dataset.query(text)
                    if result.type in ("CONSTRUCT", "DESCRIBE"):
                        body, media = result.serialize(format="turtle"), "text/turtle"
                    else:
                        body, media = result.serialize(format="json"), "application/sparql-results+json"
                status = 200
            except Exception as exc:  # noqa: BLE001 - reported to the client as a 400
                body, media, status = str(exc).encode(), "text/plain", 400
            self.send_response(status)
            self.send_header("Content-Type", media)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    print(f"rdflib serving at http://127.0.0.1:{server.server_address[1]}/", flush=True)
    server.serve_forever()


# -- running the engines ---------------------------------------------------------------------------


def start(command: list[str], marker: str) -> tuple[subprocess.Popen[str], str]:
    """Start a server process and read its URL from the first line that contains ``marker``."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "pipeline"), env.get("PYTHONPATH", "")]))
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    assert process.stdout is not None
    for line in process.stdout:
        if marker in line:
            url = line.split(" at ", 1)[1].strip().rstrip("/")
            threading.Thread(target=process.stdout.read, daemon=True).start()  # keep the pipe drained
            return process, url
    raise SystemExit(f"the server did not start: {' '.join(command)}")


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def address(number: int) -> str:
    """Client ``number``'s own loopback address (Linux routes all of 127/8), or 127.0.0.1 where that fails."""
    candidate = f"127.0.0.{10 + number}"
    with socket.socket() as probe:
        try:
            probe.bind((candidate, 0))
        except OSError:
            return "127.0.0.1"
    return candidate


def connect(url: str, source: str) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=120, source_address=(source, 0))


def load(url: str, queries: list[str], clients: int, seconds: float) -> tuple[Tally, float]:
    """``clients`` threads, each with a keep-alive connection, sending the mix round-robin for ``seconds``."""
    tally = Tally()
    deadline = time.monotonic() + seconds

    def client(number: int) -> None:
        connection = connect(url, address(number))
        i = number
        while time.monotonic() < deadline:
            path = "/sparql?" + urlencode({"query": queries[i % len(queries)]})
            i += 1
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Accept": "application/sparql-results+json, text/turtle"})
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
                connection = connect(url, address(number))
            elapsed = time.perf_counter() - started
            with tally.lock:
                if ok:
                    tally.latencies.append(elapsed)
                else:
                    tally.errors += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, time.perf_counter() - started


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


def check_answers(url: str, queries: dict[str, str]) -> list[str]:
    """Every query of the mix must succeed on the engine before it is timed."""
    parts = urlsplit(url)
    failed = []
    for name, text in queries.items():
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        connection.request("GET", "/sparql?" + urlencode({"query": text}))
        response = connection.getresponse()
        response.read()
        connection.close()
        if response.status != 200:
            failed.append(f"{name}: HTTP {response.status}")
    return failed


#: What the attacker sends, in turn: (name, query text, sent as a POST body).
ATTACKS = [
    (
        "runaway",
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?x ?y . ?p ?q ?r }",
        False,
    ),
    ("memory", "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?d LIMIT 1", False),
    ("nested", "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }", False),
    ("1 MiB a-a-a", "a-" * (1 << 19), True),
    ("1 MiB string", "SELECT * WHERE { ?s ?p '''" + "a" * ((1 << 20) - 30), True),
]
ATTACKER = "127.0.0.2"


def attack(url: str, stop: threading.Event, connections: int) -> dict[str, int]:
    """Send ATTACKS round-robin over ``connections`` connections from ATTACKER until ``stop``; replies by status."""
    statuses: dict[str, int] = {}
    lock = threading.Lock()
    source = ATTACKER if address(0) != "127.0.0.1" else "127.0.0.1"

    def attacker(number: int) -> None:
        i = number
        while not stop.is_set():
            _, text, as_body = ATTACKS[i % len(ATTACKS)]
            i += 1
            connection = connect(url, source)
            try:
                if as_body:
                    headers = {"Content-Type": "application/sparql-query"}
                    connection.request("POST", "/sparql", body=text.encode(), headers=headers)
                else:
                    connection.request("GET", "/sparql?" + urlencode({"query": text}))
                response = connection.getresponse()
                response.read()
                key = str(response.status)
            except (OSError, http.client.HTTPException):
                key = "error"
            finally:
                connection.close()
            with lock:
                statuses[key] = statuses.get(key, 0) + 1

    threads = [threading.Thread(target=attacker, args=(n,), daemon=True) for n in range(connections)]
    for thread in threads:
        thread.start()
    stop.wait()
    for thread in threads:
        thread.join(120)
    return statuses


def _collect(statuses: dict[str, int], url: str, stop: threading.Event, connections: int) -> None:
    statuses.update(attack(url, stop, connections))


def under_attack(args: argparse.Namespace, queries: list[str]) -> None:
    """Ordinary clients' latency without an attacker, with one (fair shares), and with one when shares are off."""
    from wijkld.serve import server as serve

    workers = args.workers or serve.default_workers()
    base = [sys.executable, "-m", "wijkld", "serve", "--dist", str(args.dist), "--port", "0", "--quiet"]
    base += ["--workers", str(workers), "--timeout", str(args.timeout), "--max-memory", args.max_memory]
    phases = [
        ("no attacker", [], False),
        ("attacker, fair shares (default)", [], True),
        (f"attacker, --per-client {workers} (no shares)", ["--per-client", str(workers)], True),
    ]
    print(
        f"\nunder attack: {args.clients} ordinary clients, {args.seconds:g} s per phase, {workers} workers, "
        f"--timeout {args.timeout:g}, --max-memory {args.max_memory}; the attacker: {args.attackers} connections "
        f"from {ATTACKER} sending {', '.join(name for name, _, _ in ATTACKS)} in turn\n"
    )
    rows = []
    process: subprocess.Popen[str] | None = None
    started_with: list[str] | None = None
    url = ""
    try:
        for label, extra, attacking in phases:
            if started_with != extra:
                if process is not None:
                    process.terminate()
                    process.wait(10)
                process, url = start(base + extra, "Serving")
                started_with = extra
            stop = threading.Event()
            statuses: dict[str, int] = {}
            attacker = None
            if attacking:
                attacker = threading.Thread(target=_collect, args=(statuses, url, stop, args.attackers))
                attacker.start()
                time.sleep(1.0)  # let the attacker take what it can before the clients start
            tally, elapsed = load(url, queries, args.clients, args.seconds)
            stop.set()
            if attacker is not None:
                attacker.join(180)
            rows.append((label, tally, elapsed, statuses))
    finally:
        if process is not None:
            process.terminate()
            process.wait(10)
    header = f"{'phase':<36} {'requests':>9} {'req/s':>8} {'p50 ms':>9} {'p99 ms':>9} {'errors':>7}  attacker's answers"
    print(header)
    print("-" * len(header))
    for label, tally, elapsed, statuses in rows:
        done = len(tally.latencies)
        answers = ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items())) or "-"
        print(
            f"{label:<36} {done:>9} {done / elapsed:>8.1f} {percentile(tally.latencies, 50):>9.2f} "
            f"{percentile(tally.latencies, 99):>9.2f} {tally.errors:>7}  {answers}"
        )


def worker_overhead(dist: Path, text: str, rounds: int = 2000) -> tuple[float, float]:
    """Mean ms per query in-process and through the worker pool (no HTTP), for the same query."""
    from wijkld.serve import query as sparql
    from wijkld.serve import server as serve

    store = sparql.load_store(dist)
    started = time.perf_counter()
    for _ in range(rounds):
        serve.answer(store, serve.Job(text, {"solutions": "json", "boolean": "json", "graph": "turtle"}, 10000))
    in_process = (time.perf_counter() - started) / rounds * 1000
    pool = serve.Pool(sparql.dump_path(dist), 1)
    pool.start()
    try:
        job = serve.Job(text, {"solutions": "json", "boolean": "json", "graph": "turtle"}, 10000)
        started = time.perf_counter()
        for _ in range(rounds):
            pool.run(job, 30)
        pooled = (time.perf_counter() - started) / rounds * 1000
    finally:
        pool.close()
    return in_process, pooled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=REPO / "dist", help="release folder with wijkld.nq.gz")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds of load per engine and phase (default 10)")
    parser.add_argument("--workers", type=int, default=None, help="wijkld serve worker processes (default: its own)")
    parser.add_argument("--part", choices=["all", "engines", "attack"], default="all", help="what to run (default all)")
    parser.add_argument("--attackers", type=int, default=4, help="the attacker's connections (default 4)")
    parser.add_argument("--timeout", type=float, default=10.0, help="wijkld serve --timeout in the attack (default 10)")
    parser.add_argument("--max-memory", default="1G", help="wijkld serve --max-memory in the attack (default 1G)")
    parser.add_argument("--serve-rdflib", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()

    from wijkld.serve import query as sparql

    dump = sparql.dump_path(args.dist)
    if args.serve_rdflib:
        serve_rdflib(dump, args.port)
        return

    mix = query_mix()
    queries = list(mix.values())
    triples = len(sparql.load_store(args.dist))
    print(f"release {args.dist} ({triples} quads); mix of {len(mix)} queries: {', '.join(mix)}")
    print(f"{args.clients} clients, {args.seconds:g} s per engine, loopback, {os.cpu_count()} CPUs\n")
    if args.part in ("all", "engines"):
        compare_engines(args, mix, queries)
    if args.part in ("all", "attack"):
        under_attack(args, queries)


def compare_engines(args: argparse.Namespace, mix: dict[str, str], queries: list[str]) -> None:
    """wijkld serve and rdflib, one after the other, under the same load; and the cost of the worker processes."""

    engines = {
        "wijkld serve (Oxigraph)": (
            [sys.executable, "-m", "wijkld", "serve", "--dist", str(args.dist), "--port", "0", "--quiet"]
            + (["--workers", str(args.workers)] if args.workers else []),
            "Serving",
        ),
        "rdflib": ([sys.executable, __file__, "--serve-rdflib", "--dist", str(args.dist)], "rdflib serving"),
    }
    rows = []
    for name, (command, marker) in engines.items():
        launched = time.perf_counter()
        process, url = start(command, marker)
        ready = time.perf_counter() - launched
        try:
            failed = check_answers(url, mix)
            if failed:
                print(f"{name}: these queries fail (counted as errors below): {'; '.join(failed)}")
            tally, elapsed = load(url, queries, args.clients, args.seconds)
        finally:
            process.terminate()
            process.wait(10)
        done = len(tally.latencies)
        rows.append(
            (
                name,
                done,
                done / elapsed,
                percentile(tally.latencies, 50),
                percentile(tally.latencies, 99),
                tally.errors,
                ready,
            )
        )

    header = f"{'engine':<26} {'requests':>9} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'errors':>7} {'start s':>8}"
    print(header)
    print("-" * len(header))
    for name, done, rate, p50, p99, errors, ready in rows:
        print(f"{name:<26} {done:>9} {rate:>9.1f} {p50:>9.2f} {p99:>9.2f} {errors:>7} {ready:>8.2f}")
    (_, _, rate_ox, p50_ox, p99_ox, _, _), (_, _, rate_rdf, p50_rdf, p99_rdf, _, _) = rows
    print()
    if rate_rdf:
        print(
            f"ratio Oxigraph/rdflib: {rate_ox / rate_rdf:.1f}x the requests per second; "
            f"p50 {p50_rdf / p50_ox:.1f}x and p99 {p99_rdf / p99_ox:.1f}x lower latency"
        )

    for label, text in (("ASK {}", "ASK {}"), (next(iter(mix)), queries[0])):
        in_process, pooled = worker_overhead(args.dist, text)
        print(
            f"worker round trip, {label} (no HTTP, mean of 2000): in-process {in_process:.3f} ms, "
            f"through a worker process {pooled:.3f} ms, overhead {pooled - in_process:.3f} ms per query"
        )


if __name__ == "__main__":
    main()
