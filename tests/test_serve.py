"""``wijkld serve`` over real HTTP on a free loopback port, with the standard library's client.

The server runs in a thread of the test process, its query workers in their own
processes, exactly as ``wijkld serve`` runs them (with a 1 s time limit and a
100-row cap, so that the limits can be seen quickly).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import pyoxigraph as ox
import pytest

import crawler
from wijkld import build
from wijkld.model.iris import DEFAULT_BASE, VOCAB
from wijkld.serve import query as sparql
from wijkld.serve import server as serve

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "serve"
SELECT = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 5"
CONSTRUCT = f"PREFIX wijkld: <{DEFAULT_BASE}/def/> CONSTRUCT WHERE {{ ?w a wijkld:Wijk ; ?p ?o }}"
#: A six-fold cartesian product: far more than a second of work on any release.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?x ?y . ?p ?q ?r }"


def make_release(root: Path) -> Path:
    """Built from the minimal records (or data/) when the build works, else the fixture dump (as in test_query)."""
    out = root / "wijkld-release"
    if (out / sparql.DUMP).is_file():
        return out
    for records in (REPO / "tests" / "fixtures" / "minimal", REPO / "data"):
        if not any(records.glob("*.csv")):
            continue
        try:
            build.run(records, out, DEFAULT_BASE, progress=lambda _: None)
        except Exception:  # noqa: BLE001 - the pipeline may be mid-change; fall back to the fixture
            continue
        if (out / sparql.DUMP).is_file():
            return out
    out.mkdir(parents=True, exist_ok=True)
    (out / sparql.DUMP).write_bytes(gzip.compress((FIXTURES / "wijkld.nq").read_bytes()))
    return out


@pytest.fixture(scope="session")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_release(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="module")
def server(release: Path) -> Iterator[serve.Server]:
    config = serve.Config(dist=release, port=0, timeout=1.0, max_results=100, workers=2, quiet=True)
    running = serve.start(config).start_background()
    if not running.app.examples:  # queries/ may still be empty: show the test copies
        running.app.examples = sparql.examples(FIXTURES / "queries")
    yield running
    running.close()


@dataclass
class Response:
    status: int
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    @property
    def type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_NO_PROXY = urllib.request.ProxyHandler({})
DIRECT = urllib.request.build_opener(_NO_PROXY, _NoRedirects)
FOLLOW = urllib.request.build_opener(_NO_PROXY)


def fetch(
    server: serve.Server,
    path: str,
    *,
    method: str = "GET",
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    follow: bool = False,
    **params: str,
) -> Response:
    url = server.url + path + ("?" + urlencode(params) if params else "")
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with (FOLLOW if follow else DIRECT).open(request, timeout=30) as response:
            return Response(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        try:
            return Response(error.code, error.headers, error.read())
        finally:
            error.close()


def thing(server: serve.Server) -> str:
    example = server.pool.info.get("example")
    assert example, "the release has no thing with a document"
    return str(example)


def local_path(server: serve.Server, iri: str) -> str:
    return server.app.base_path + iri[len(server.app.base) :]


# -- start-up and the endpoint -------------------------------------------------------------


def test_it_starts_in_under_two_seconds(server: serve.Server) -> None:
    assert server.seconds < 2.0
    assert server.pool.info["triples"] > 0
    assert server.app.base == DEFAULT_BASE  # read from the graph names


def test_get_select_as_json_by_default(server: serve.Server) -> None:
    response = fetch(server, "/sparql", query=SELECT)
    assert response.status == 200
    assert response.type == "application/sparql-results+json"
    data = json.loads(response.body)
    assert data["head"]["vars"] == ["s", "p", "o"]
    assert len(data["results"]["bindings"]) == 5
    assert "X-Wijkld-Truncated" not in response.headers


def test_post_form_and_direct_post_give_the_same_answer(server: serve.Server) -> None:
    by_get = fetch(server, "/sparql", query=SELECT).body
    form = fetch(
        server,
        "/sparql",
        method="POST",
        data=urlencode({"query": SELECT}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    direct = fetch(
        server,
        "/sparql",
        method="POST",
        data=SELECT.encode(),
        headers={"Content-Type": "application/sparql-query; charset=utf-8"},
    )
    assert form.status == direct.status == 200
    assert form.body == direct.body == by_get


def _rows(fmt: str, body: bytes) -> list[str]:
    """The subjects of a SELECT ?s ?p ?o answer, read back from each results format."""
    if fmt == "json":
        return [b["s"]["value"] for b in json.loads(body)["results"]["bindings"]]
    if fmt == "xml":
        ns = {"r": "http://www.w3.org/2005/sparql-results#"}
        return [u.text or "" for u in ET.fromstring(body).findall(".//r:binding[@name='s']/r:uri", ns)]
    if fmt == "csv":
        return [row["s"] for row in csv.DictReader(io.StringIO(body.decode("utf-8"), newline=""))]
    lines = body.decode("utf-8").splitlines()
    assert lines[0] == "?s\t?p\t?o"
    return [line.split("\t")[0].strip("<>") for line in lines[1:]]


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("application/sparql-results+json", "json"),
        ("application/sparql-results+xml", "xml"),
        ("text/csv", "csv"),
        ("text/tab-separated-values", "tsv"),
        ("application/json", "json"),
        ("text/plain;q=0.2, text/csv;q=0.9, application/sparql-results+xml;q=0.5", "csv"),
    ],
)
def test_select_results_by_accept(server: serve.Server, accept: str, fmt: str) -> None:
    expected = _rows("json", fetch(server, "/sparql", query=SELECT).body)
    response = fetch(server, "/sparql", headers={"Accept": accept}, query=SELECT)
    assert response.status == 200
    assert response.type == serve.MEDIA_TYPES[fmt].split(";")[0]
    assert response.headers["Vary"] == "Accept"
    assert _rows(fmt, response.body) == expected


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "ntriples"),
        ("application/ld+json", "jsonld"),
        ("*/*", "turtle"),
    ],
)
def test_construct_results_by_accept(server: serve.Server, accept: str, fmt: str) -> None:
    response = fetch(server, "/sparql", headers={"Accept": accept}, query=CONSTRUCT)
    assert response.status == 200
    assert response.type == serve.MEDIA_TYPES[fmt].split(";")[0]
    triples = list(ox.parse(response.body, sparql.GRAPH_FORMATS[fmt]))
    assert triples and any(t.object.value == f"{DEFAULT_BASE}/def/Wijk" for t in triples)


def test_describe_and_ask(server: serve.Server) -> None:
    described = fetch(
        server, "/sparql", headers={"Accept": "application/n-triples"}, query=f"DESCRIBE <{thing(server)}>"
    )
    assert described.status == 200
    assert list(ox.parse(described.body, ox.RdfFormat.N_TRIPLES))
    asked = fetch(server, "/sparql", query=f"ASK {{ <{thing(server)}> ?p ?o }}")
    assert asked.type == "application/sparql-results+json" and json.loads(asked.body)["boolean"] is True
    as_xml = fetch(server, "/sparql", headers={"Accept": "application/sparql-results+xml"}, query="ASK { ?s ?p 42 }")
    assert b"<boolean>false</boolean>" in as_xml.body


def test_a_format_parameter_overrides_accept(server: serve.Server) -> None:
    response = fetch(
        server, "/sparql", headers={"Accept": "application/sparql-results+xml"}, query=SELECT, format="csv"
    )
    assert response.type == "text/csv"
    assert fetch(server, "/sparql", query=SELECT, format="yaml").status == 400


def test_nothing_acceptable_is_406(server: serve.Server) -> None:
    response = fetch(server, "/sparql", headers={"Accept": "image/png"}, query=SELECT)
    assert response.status == 406
    assert "application/sparql-results+json" in response.text


def test_a_browser_gets_the_results_as_an_html_table(server: serve.Server) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = fetch(server, "/sparql", headers={"Accept": accept}, query=SELECT)
    assert response.status == 200 and response.type == "text/html"
    assert response.text.count("<tr>") == 6  # header and five rows


def test_graph_parameters_of_the_protocol(server: serve.Server) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    def n(**params: str) -> int:
        body = fetch(server, "/sparql", query=count, **params).body
        return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])

    assert 0 < n(**{"default-graph-uri": f"{DEFAULT_BASE}/graph/data"}) < n()


# -- read-only and bounded -------------------------------------------------------------------


def _size(server: serve.Server) -> int:
    body = fetch(server, "/sparql", query="SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def test_updates_are_refused_and_never_applied(server: serve.Server) -> None:
    before = _size(server)
    update = "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }"
    attempts = [
        fetch(server, "/sparql", query=update),
        fetch(server, "/sparql", query="CLEAR ALL"),
        fetch(
            server,
            "/sparql",
            method="POST",
            data=update.encode(),
            headers={"Content-Type": "application/sparql-update"},
        ),
        fetch(
            server,
            "/sparql",
            method="POST",
            data=urlencode({"update": "DROP ALL"}).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ),
    ]
    for response in attempts:
        assert response.status == 403
        assert "read-only" in response.text
        assert response.type == "text/plain"
    assert _size(server) == before


@pytest.fixture()
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A local "remote endpoint" that records every connection made to it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.settimeout(0.1)
    hits: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    hits.append(conn.recv(65536))
                except OSError:
                    hits.append(b"")

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield sock.getsockname()[1], hits
    stop.set()
    thread.join(2)
    sock.close()


def test_service_is_refused_and_never_executed(server: serve.Server, listener: tuple[int, list[bytes]]) -> None:
    port, hits = listener
    endpoint = f"http://127.0.0.1:{port}/sparql"
    for text in (
        f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{endpoint}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o . # a comment\n  SERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
    ):
        response = fetch(server, "/sparql", query=text)
        assert response.status == 400
        assert "SERVICE" in response.text and "never fetch remote data" in response.text
    posted = fetch(
        server, "/sparql", method="POST", data=text.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert posted.status == 400
    huge = text + "\n# " + "x" * 100_000  # every query is refused by a worker (none is lexed in the HTTP thread)
    posted = fetch(
        server, "/sparql", method="POST", data=huge.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert posted.status == 400 and "never fetch remote data" in posted.text
    time.sleep(0.3)
    assert hits == []


@pytest.mark.skipif(
    sys.platform != "linux" or os.uname().machine not in ("x86_64", "aarch64"), reason="seccomp guard: Linux only"
)
def test_workers_cannot_reach_the_network_even_if_a_service_got_through(listener: tuple[int, list[bytes]]) -> None:
    """The second guard: after deny_network() Oxigraph's own HTTP client cannot connect (a control run first)."""
    port, hits = listener
    service = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
    code = f"""
import socket, pyoxigraph as ox
from wijkld.serve.server import deny_network
def attempt():
    try:
        list(ox.Store().query({service!r}))
    except Exception as exc:
        return type(exc).__name__
print("control", attempt())
print("guarded", deny_network())
print("after", attempt())
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=2)
except PermissionError:
    print("socket refused")
left, right = socket.socketpair()
print("unix sockets still work", left.family == socket.AF_UNIX)
"""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO / "pipeline"), os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "guarded True" in lines and "socket refused" in lines and "unix sockets still work True" in lines
    time.sleep(0.3)
    assert len(hits) == 1  # the control query, and nothing after the guard
    assert b"SERVICE" not in hits[0] and b"POST /sparql" in hits[0]


def test_a_runaway_query_is_stopped_and_the_server_goes_on(server: serve.Server) -> None:
    workers_before = server.pool.pids()
    started = time.monotonic()
    response = fetch(server, "/sparql", query=RUNAWAY)
    elapsed = time.monotonic() - started
    assert response.status == 503
    assert "timeout" in response.text and "1 s" in response.text
    assert elapsed < 4
    killed = workers_before - server.pool.pids()
    assert len(killed) == 1
    for pid in killed:  # really gone, not grinding on in the background
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert fetch(server, "/sparql", query=SELECT).status == 200
    deadline = time.monotonic() + 10
    while len(server.pool.pids()) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(server.pool.pids()) == 2  # the killed worker has a successor


def test_a_huge_result_is_capped_with_a_notice(server: serve.Server) -> None:
    everything = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
    response = fetch(server, "/sparql", query=everything)
    assert response.status == 200
    assert response.headers["X-Wijkld-Truncated"] == "true"
    data = json.loads(response.body)
    assert len(data["results"]["bindings"]) == 100
    assert data["truncated"] is True and "first 100 rows" in data["note"]
    as_csv = fetch(server, "/sparql", headers={"Accept": "text/csv"}, query=everything)
    assert as_csv.headers["X-Wijkld-Truncated"] == "true"
    assert len(list(csv.reader(io.StringIO(as_csv.text, newline="")))) == 101
    graph = fetch(server, "/sparql", query="CONSTRUCT { ?a ?b ?d } WHERE { ?a ?b ?c . ?d ?e ?f }")
    assert graph.headers["X-Wijkld-Truncated"] == "true"
    assert graph.text.startswith("# Result truncated to the first 100 triples")
    assert 0 < len(list(ox.parse(graph.body, ox.RdfFormat.TURTLE))) <= 100
    small = fetch(server, "/sparql", query=SELECT)
    assert "X-Wijkld-Truncated" not in small.headers


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("SELECT * WHERE { ?s ?p }", "line 1, column 25"),
        ("SELECT *\nWHERE {\n  ?s ex:p ?o }", "line 3, column 6"),
        ("SELEKT * WHERE { ?s ?p ?o }", "line 1, column"),
    ],
)
def test_malformed_queries_are_400_with_line_and_column(server: serve.Server, text: str, where: str) -> None:
    response = fetch(server, "/sparql", query=text)
    assert response.status == 400
    assert response.type == "text/plain"
    assert response.text.startswith("Error 400 Bad Request: " + where)


def test_bad_requests(server: serve.Server) -> None:
    assert fetch(server, "/sparql", query="").status == 400  # an empty query (no query at all: the description)
    empty_post = fetch(server, "/sparql", method="POST", data=b"", headers={"Content-Type": "application/sparql-query"})
    assert empty_post.status == 400
    assert fetch(server, "/nothing/here").status == 404
    wrong_type = fetch(server, "/sparql", method="POST", data=b"{}", headers={"Content-Type": "application/json"})
    assert wrong_type.status == 415
    twice = fetch(server, "/sparql?" + urlencode([("query", SELECT), ("query", SELECT)]))
    assert twice.status == 400


def test_a_body_over_the_limit_is_413(server: serve.Server) -> None:
    body = b"query=" + b"x" * serve.MAX_BODY
    response = fetch(
        server, "/sparql", method="POST", data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status == 413
    assert fetch(server, "/sparql", query=SELECT).status == 200


def test_cors(server: serve.Server) -> None:
    assert fetch(server, "/sparql", query=SELECT).headers["Access-Control-Allow-Origin"] == "*"
    assert fetch(server, "/sparql", query="SELECT * {").headers["Access-Control-Allow-Origin"] == "*"
    preflight = fetch(
        server,
        "/sparql",
        method="OPTIONS",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]


def test_concurrent_clients(server: serve.Server) -> None:
    def client(n: int) -> list[int]:
        counts = []
        for i in range(10):
            limit = 1 + (n * 10 + i) % 17
            body = fetch(server, "/sparql", query=f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {limit}").body
            counts.append(len(json.loads(body)["results"]["bindings"]) - limit)
        return counts

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(client, range(8)))
    assert results == [[0] * 10] * 8  # every one of 80 answers complete and to the right client


# -- Linked Data ---------------------------------------------------------------------------------


def test_a_thing_iri_answers_303_to_its_document(server: serve.Server) -> None:
    iri = thing(server)
    assert iri.startswith(DEFAULT_BASE + "/id/")
    path = local_path(server, iri)
    assert path.startswith(urlsplit(DEFAULT_BASE).path + "/id/")  # /wijkld/id/...: the base path is kept
    response = fetch(server, path)
    assert response.status == 303
    assert response.headers["Location"] == path.replace("/id/", "/doc/", 1)


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("text/turtle", "text/turtle"),
        ("application/n-triples", "application/n-triples"),
        ("application/ld+json", "application/ld+json"),
        ("text/html", "text/html"),
        ("", "text/html"),
    ],
)
def test_the_document_by_accept(server: serve.Server, accept: str, media: str) -> None:
    iri = thing(server)
    headers = {"Accept": accept} if accept else {}
    response = fetch(server, local_path(server, iri), headers=headers, follow=True)
    assert response.status == 200
    assert response.type == media
    assert response.headers["Vary"] == "Accept"
    if media == "text/html":
        assert iri in response.text
        return
    fmt = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES}
    triples = list(ox.parse(response.body, fmt.get(media, ox.RdfFormat.JSON_LD)))
    subjects = {t.subject for t in triples}
    assert ox.NamedNode(iri) in subjects
    foaf_page = ox.NamedNode("http://xmlns.com/foaf/0.1/isPrimaryTopicOf")
    doc = ox.NamedNode(iri.replace("/id/", "/doc/", 1))
    assert (ox.NamedNode(iri), foaf_page, doc) in {(t.subject, t.predicate, t.object) for t in triples}


def test_the_html_document_lists_properties_with_links(server: serve.Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server.app, "static_root", None)  # the page made from the store, not a published one
    iri = thing(server)
    page = fetch(server, local_path(server, iri).replace("/id/", "/doc/", 1)).text
    assert "<h1>" in page and "rdf:type" in page
    assert 'href="' + server.app.base_path + "/" in page  # links to other things stay on this server
    assert "<script" not in page


def test_a_published_page_is_served_when_the_release_has_one(server: serve.Server, release: Path) -> None:
    iri = thing(server)
    key = iri[len(DEFAULT_BASE + "/id/") :]
    published = release / "doc" / f"{key}.html"
    if not published.is_file():
        pytest.skip("this release has no static pages")
    response = fetch(server, local_path(server, iri).replace("/id/", "/doc/", 1), headers={"Accept": "text/html"})
    assert response.body == published.read_bytes()
    turtle = fetch(server, local_path(server, iri).replace("/id/", "/doc/", 1) + ".ttl")
    assert turtle.status == 200 and turtle.type == "text/turtle"


def test_unknown_things_are_404(server: serve.Server) -> None:
    base_path = server.app.base_path
    for path in (
        f"{base_path}/id/wijk/does-not-exist",
        f"{base_path}/doc/wijk/does-not-exist",
        f"{base_path}/doc/wijk/" + quote("x> } ; DROP ALL #"),
        f"{base_path}/id/",
    ):
        assert fetch(server, path).status == 404, path
    assert fetch(server, f"{base_path}/../../etc/passwd").status == 404


def test_void(server: serve.Server, release: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    response = fetch(server, "/.well-known/void")
    assert response.status == 200 and response.type == "text/turtle"
    if (release / "void.ttl").is_file():
        assert response.body == (release / "void.ttl").read_bytes()
    monkeypatch.setattr(server.app, "void_file", None)  # the description made on the fly
    made = fetch(server, "/.well-known/void")
    triples = list(ox.parse(made.body, ox.RdfFormat.TURTLE))
    void = "http://rdfs.org/ns/void#"
    by_predicate = {t.predicate.value: t.object for t in triples if t.subject.value.endswith("/id/dataset/wijkld")}
    assert int(by_predicate[void + "triples"].value) == server.pool.info["triples"]
    assert by_predicate[void + "uriSpace"].value == DEFAULT_BASE + "/id/"
    assert by_predicate[void + "dataDump"].value.endswith("wijkld.nq.gz")
    assert by_predicate[void + "sparqlEndpoint"].value == server.url + "/sparql"


# -- the query page ------------------------------------------------------------------------------


def test_the_query_page_preloads_the_examples(server: serve.Server) -> None:
    page = fetch(server, "/").text
    assert fetch(server, "/query").text == page
    assert server.app.examples
    for name, title, _ in server.app.examples:
        assert f'value="{name}"' in page
        assert title.replace("'", "&#39;") in page
    assert "<script src" not in page and "<link" not in page  # nothing fetched from elsewhere
    loaded = fetch(server, "/query", example=server.app.examples[0][0], load="1").text
    assert "PREFIX" in loaded.split("<textarea", 1)[1].split("</textarea>", 1)[0]


def test_the_query_page_runs_a_query_and_shows_a_table(server: serve.Server) -> None:
    page = fetch(server, "/query", query=SELECT).text
    assert "<table>" in page and page.count("<tr>") == 6
    assert "/sparql?query=" in page  # download links
    error = fetch(server, "/query", query="SELECT * {")
    assert error.status == 400 and "line 1, column" in error.text


def test_the_query_page_escapes_what_it_shows(server: serve.Server) -> None:
    nasty = (
        'SELECT ?x WHERE { BIND("</textarea><script>alert(1)</script>" AS ?x) BIND(IRI("javascript:alert(2)") AS ?y) }'
    )
    page = fetch(server, "/query", query=nasty).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;/textarea&gt;&lt;script&gt;" in page
    assert 'href="javascript:' not in page


def test_head_requests(server: serve.Server) -> None:
    response = fetch(server, "/sparql", method="HEAD", query=SELECT)
    assert response.status == 200 and response.body == b""
    assert int(response.headers["Content-Length"]) > 0


# -- the command, and the recipes for big stores -------------------------------------------------------


def test_the_serve_command_starts_answers_and_stops_on_ctrl_c(release: Path) -> None:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "pipeline"), env.get("PYTHONPATH", "")]))
    command = [sys.executable, "-m", "wijkld", "serve", "--dist", str(release), "--port", "0", "--quiet"]
    # a shell without job control starts background commands with SIGINT ignored, and children inherit that:
    # give the server the default disposition a terminal's Ctrl-C meets
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # noqa: PLW1509 (no threads are started)
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("Serving ") and " at http://127.0.0.1:" in first, first + process.stderr.read()
        url = first.rsplit(" at ", 1)[1].strip().rstrip("/")
        lines = [process.stdout.readline() for _ in range(4)]
        started = next(line for line in lines if "started in" in line)
        assert float(started.split("started in ")[1].split(" s")[0]) < 2.0
        with FOLLOW.open(url + "/sparql?" + urlencode({"query": "ASK {}"}), timeout=30) as response:
            assert json.loads(response.read())["boolean"] is True
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "stopped" in out
    assert "Traceback" not in err


def test_serve_without_a_release_is_bad_input(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from wijkld.cli.main import cli

    result = CliRunner().invoke(cli, ["serve", "--dist", str(tmp_path / "missing"), "--port", "0"])
    assert result.exit_code == 2
    assert "wijkld build" in result.output


def test_the_fuseki_configuration_is_read_only_with_a_union_default_graph() -> None:
    path = REPO / "docs" / "fuseki" / "wijkld.ttl"
    quads = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.as_uri()))
    fuseki, tdb2 = "http://jena.apache.org/fuseki#", "http://jena.apache.org/2016/tdb#"
    operations = {q.object.value for q in quads if q.predicate.value == fuseki + "operation"}
    assert operations == {fuseki + "query", fuseki + "gsp-r"}
    values = {(q.predicate.value, q.object.value) for q in quads}
    assert (tdb2 + "unionDefaultGraph", "true") in values
    assert (tdb2 + "location", "databases/wijkld") in values


def test_the_qleverfile_reads_the_nquads() -> None:
    import configparser

    qleverfile = configparser.ConfigParser(interpolation=configparser.ExtendedInterpolation())
    qleverfile.read(REPO / "docs" / "qlever" / "Qleverfile")
    assert qleverfile["data"]["FORMAT"] == "nq"
    assert qleverfile["index"]["CAT_INPUT_FILES"] == "zcat wijkld.nq.gz"
    assert "wijkld.nq.gz" in qleverfile["data"]["GET_DATA_CMD"]


# -- the HTTP threads never read the query; limits and fair shares -----------------------------------


def test_the_http_threads_never_lex_a_query(server: serve.Server, monkeypatch: pytest.MonkeyPatch) -> None:
    """Refusals and limits are all decided in the workers (other processes), under the time limit."""

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("the query text was read in the HTTP thread")

    for name in ("tokenize", "inspect", "check_query", "execute"):
        monkeypatch.setattr(sparql, name, forbidden)
    assert fetch(server, "/sparql", query=SELECT).status == 200
    assert fetch(server, "/sparql", query="INSERT DATA { <a:b> <a:c> <a:d> }").status == 403
    assert fetch(server, "/sparql", query="SELECT * WHERE { SERVICE <http://x> { } }").status == 400
    deep = fetch(server, "/sparql", query="SELECT * WHERE { FILTER(" + "(" * 100 + "1" + ")" * 100 + ") }")
    assert deep.status == 400 and "nested more than 64 deep" in deep.text
    browser = {"Accept": "text/html"}
    assert fetch(server, "/sparql", headers=browser, query="CLEAR ALL").status == 403
    page = fetch(server, "/sparql", headers=browser, query="SELECT * WHERE { ?s ?p }")
    assert page.status == 400 and page.type == "text/html" and "line 1, column" in page.text


def test_a_format_that_does_not_fit_is_400_from_the_worker(server: serve.Server) -> None:
    response = fetch(server, "/sparql", query="ASK {}", format="turtle")
    assert response.status == 400 and "does not fit a boolean result" in response.text
    assert fetch(server, "/sparql", query="ASK {}", format="html").type == "text/html"


@pytest.mark.parametrize(
    ("text", "size"),
    [("2G", 2 << 30), ("512M", 512 << 20), ("1.5GiB", 3 << 29), ("256mb", 256 << 20), (str(3 << 20), 3 << 20)],
)
def test_parse_size(text: str, size: int) -> None:
    assert serve.parse_size(text) == size


@pytest.mark.parametrize("text", ["0", "none", "off"])
def test_parse_size_no_cap(text: str) -> None:
    assert serve.parse_size(text) == 0


@pytest.mark.parametrize("text", ["lots", "2X", "-1G", "100K"])
def test_parse_size_refuses_what_is_not_a_size(text: str) -> None:
    with pytest.raises(ValueError, match="2G"):
        serve.parse_size(text)


def test_format_size() -> None:
    assert [serve.format_size(n) for n in (256 << 20, 3 << 29, 8 << 30, 1536)] == [
        "256 MiB",
        "1.5 GiB",
        "8 GiB",
        "1.5 KiB",
    ]


@pytest.mark.parametrize(
    ("ram", "workers", "cap"),
    [(24 << 30, 2, 8 << 30), (12 << 30, 2, 4 << 30), (1 << 30, 4, 512 << 20), (256 << 30, 8, 8 << 30), (0, 2, 0)],
)
def test_the_default_memory_cap_is_a_share_of_the_ram(
    monkeypatch: pytest.MonkeyPatch, ram: int, workers: int, cap: int
) -> None:
    monkeypatch.setattr(serve, "total_memory", lambda: ram)
    assert serve.default_max_memory(workers) == cap
    assert serve.Config(workers=workers).memory_cap() == cap
    assert serve.Config(workers=workers, max_memory=0).memory_cap() == 0


def test_the_default_share_per_client_is_half_the_workers() -> None:
    assert [serve.default_per_client(n) for n in (1, 2, 3, 8)] == [1, 1, 1, 4]
    assert serve.Config(workers=8).client_share() == 4
    assert serve.Config(workers=8, per_client=3).client_share() == 3


def test_the_scheduler_serves_clients_in_turn_up_to_their_share() -> None:
    scheduler: serve.Scheduler[str] = serve.Scheduler(per_client=1)
    tickets = [scheduler.enqueue(client) for client in ("a", "a", "a", "b", "c")]
    assert all(t is not None and t.worker is None for t in tickets)  # no worker yet: all wait
    a1, a2, a3, b1, c1 = tickets
    scheduler.add("w1")
    scheduler.add("w2")
    assert a1 is not None and b1 is not None and a1.worker == "w1" and b1.worker == "w2"
    assert scheduler.snapshot() == {"a": (1, 2), "b": (1, 0), "c": (0, 1)}
    scheduler.release("a", "w1")  # a's turn came and went: c is next, though a asked first
    assert c1 is not None and c1.worker == "w1"
    scheduler.release("b", "w2")
    assert a2 is not None and a2.worker == "w2"
    scheduler.release("c", "w1")
    assert a3 is not None and a3.worker is None  # a has its one running: w1 waits for it
    scheduler.release("a", None)  # a2's worker died (its successor comes by add): a may run its next one
    assert a3.worker == "w1"
    assert scheduler.snapshot() == {"a": (1, 0)}


def test_a_request_that_waits_too_long_leaves_the_line() -> None:
    scheduler: serve.Scheduler[str] = serve.Scheduler(per_client=2, max_waiting=2)
    first, second = scheduler.enqueue("a"), scheduler.enqueue("a")
    assert first is not None and second is not None
    assert scheduler.enqueue("a") is None  # the line is full
    assert scheduler.wait(first, 0.01) is None
    assert scheduler.snapshot() == {"a": (0, 1)}
    scheduler.add("w")
    assert scheduler.wait(second, 0.01) == "w"


def test_crash_cause_names_the_panic_or_the_signal() -> None:
    panic = "thread '<unnamed>' panicked at src/sort.rs:854:5:\nuser-provided comparison function is wrong\nstack"
    assert "Oxigraph: user-provided comparison function is wrong" in serve.crash_cause(panic, -6)
    assert "killed by SIGSEGV" in serve.crash_cause("", -signal.SIGSEGV)
    assert "exited with code 1" in serve.crash_cause("", 1)


def test_serve_refuses_a_memory_cap_that_is_not_a_size(release: Path) -> None:
    from click.testing import CliRunner

    from wijkld.cli.main import cli

    result = CliRunner().invoke(cli, ["serve", "--dist", str(release), "--port", "0", "--max-memory", "lots"])
    assert result.exit_code == 2
    assert "Invalid value for '--max-memory': 'lots' is not a size; write it like 2G" in result.output


def test_serve_refuses_a_memory_cap_too_small_for_the_release(release: Path) -> None:
    from click.testing import CliRunner

    from wijkld.cli.main import cli

    result = CliRunner().invoke(cli, ["serve", "--dist", str(release), "--port", "0", "--max-memory", "16M"])
    assert result.exit_code == 2
    assert "--max-memory 16 MiB is too small: a query worker uses " in result.output
    assert "give it at least" in result.output


# -- the release's own download URLs ---------------------------------------------------------


def test_every_download_url_of_the_release_gives_the_published_bytes(release_dir: Path) -> None:
    """DCAT's downloadURLs, documents and standards' files, and VoID's dataDump, asked of the server at the base
    path: the file, byte for byte."""
    store = ox.Store()
    for name in ("dcat.ttl", "void.ttl"):
        store.load((release_dir / name).read_bytes(), format=ox.RdfFormat.TURTLE)
    rows = store.query(
        "SELECT DISTINCT ?url WHERE { { ?d <http://www.w3.org/ns/dcat#downloadURL> ?url }"
        " UNION { ?d <http://rdfs.org/ns/void#dataDump> ?url }"
        " UNION { ?d <http://www.w3.org/2000/01/rdf-schema#seeAlso> ?url }"
        " UNION { ?d <http://purl.org/dc/terms/hasFormat> ?url } }"
    )
    urls = sorted(row["url"].value for row in rows)  # type: ignore[union-attr]
    del rows  # freed on this thread, not by the collector on a server thread
    assert len(urls) >= 10
    config = serve.Config(dist=release_dir, port=0, timeout=5.0, workers=1, quiet=True)
    running = serve.start(config).start_background()
    try:
        for url in urls:
            assert url.startswith(DEFAULT_BASE + "/"), url
            name = url[len(DEFAULT_BASE) + 1 :]
            response = fetch(running, local_path(running, url))
            published = (release_dir / name).read_bytes()
            assert response.status == 200, url
            assert response.body == published, url
            assert response.headers.get("Content-Length") == str(len(published)), url
    finally:
        running.close()


@pytest.fixture(scope="module")
def release_server(release_dir: Path) -> Iterator[serve.Server]:
    """The server over the built release (pages and per-resource files included)."""
    config = serve.Config(dist=release_dir, port=0, timeout=5.0, workers=1, quiet=True)
    running = serve.start(config).start_background()
    yield running
    running.close()


def test_every_resource_negotiates_to_its_published_files(release_server: serve.Server, release_dir: Path) -> None:
    """HTML, Turtle and JSON-LD by Accept are the resource's files byte for byte; N-Triples their triples."""
    pages = sorted(release_dir.glob("doc/**/*.html"))
    assert len(pages) > 400
    for page in pages:
        stem = page.with_suffix("")
        path = release_server.app.base_path + "/" + str(stem.relative_to(release_dir))
        for accept, suffix in (("text/html", ".html"), ("text/turtle", ".ttl"), ("application/ld+json", ".jsonld")):
            response = fetch(release_server, path, headers={"Accept": accept})
            assert response.status == 200 and response.body == stem.with_suffix(suffix).read_bytes(), (path, accept)
            assert response.headers.get("Vary") == "Accept"
    sample = pages[0].with_suffix("")
    path = release_server.app.base_path + "/" + str(sample.relative_to(release_dir))
    as_json = fetch(release_server, path, headers={"Accept": "application/json"})
    assert as_json.status == 200 and as_json.body == sample.with_suffix(".jsonld").read_bytes()
    lines = fetch(release_server, path, headers={"Accept": "application/n-triples"})
    expected = {t for t in ox.parse(sample.with_suffix(".ttl").read_bytes(), ox.RdfFormat.TURTLE)}
    assert lines.status == 200 and set(ox.parse(lines.body, ox.RdfFormat.N_TRIPLES)) == expected
    assert lines.body.splitlines() == sorted(lines.body.splitlines())
    refused = fetch(release_server, path, headers={"Accept": "image/png"})
    assert refused.status == 406 and "text/turtle" in refused.text and "application/ld+json" in refused.text


def test_the_endpoint_without_a_query_describes_itself(release_server: serve.Server) -> None:
    """GET /sparql without a query: a SPARQL 1.1 Service Description (Turtle), the query page for browsers."""
    response = fetch(release_server, "/sparql", headers={"Accept": "text/turtle"})
    assert response.status == 200 and response.type == "text/turtle"
    store = ox.Store()
    store.load(response.body, format=ox.RdfFormat.TURTLE)
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoint = release_server.url + "/sparql"
    asked = store.query(
        f"ASK {{ <{endpoint}> a <{sd}Service> ; <{sd}endpoint> <{endpoint}> ;"
        f" <{sd}supportedLanguage> <{sd}SPARQL11Query> ; <{sd}defaultDataset> ?d ."
        f" ?d <{sd}namedGraph> [ <{sd}name> <{DEFAULT_BASE}/graph/data> ] }}"
    )
    assert bool(asked)
    del asked
    browser = fetch(release_server, "/sparql", headers={"Accept": "text/html,application/xhtml+xml"})
    assert browser.status == 200 and browser.type == "text/html"
    empty = fetch(release_server, "/sparql", query="")
    assert empty.status == 400  # a query parameter that is empty is a mistake, not a request for the description


def test_vocabulary_and_shape_iris_resolve(release_server: serve.Server, release_dir: Path) -> None:
    """{VOCAB} and {VOCAB}shapes/ are the vocabulary and the shapes as HTML, Turtle or JSON-LD by Accept, the
    release's files byte for byte; every term and every shape 303s to its section of the page or to the document."""
    vocab_path = urlsplit(VOCAB).path
    for document, stem in ((vocab_path, "vocabulary"), (vocab_path + "shapes/", "shapes")):
        for accept, suffix in (
            ("text/html", "html"),
            ("text/turtle", "ttl"),
            ("application/ld+json", "jsonld"),
            ("application/json", "jsonld"),
        ):
            response = fetch(release_server, document, headers={"Accept": accept})
            assert response.status == 200, (document, accept)
            assert response.body == (release_dir / f"{stem}.{suffix}").read_bytes(), (document, accept)
            assert response.headers["Vary"] == "Accept"
    turtle = fetch(release_server, vocab_path.rstrip("/"), headers={"Accept": "text/turtle"})
    assert turtle.status == 200 and turtle.body == (release_dir / "vocabulary.ttl").read_bytes()
    for document, stem in ((vocab_path, "vocabulary"), (vocab_path + "shapes/", "shapes")):
        names = {
            q.subject.value[len(VOCAB + document[len(vocab_path) :]) :]
            for q in ox.parse((release_dir / f"{stem}.ttl").read_bytes(), ox.RdfFormat.TURTLE)
            if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(VOCAB + document[len(vocab_path) :])
        }
        names = {n for n in names if n and "/" not in n}  # the document itself and the shapes under the vocabulary
        assert len(names) > 50, stem
        sections = (release_dir / f"{stem}.html").read_text(encoding="utf-8")
        for name in sorted(names):
            as_html = fetch(release_server, document + name, headers={"Accept": "text/html"})
            assert as_html.status == 303 and as_html.headers["Location"].endswith(f"/{stem}.html#{name}"), name
            assert f'id="{name}"' in sections, f"{stem}.html has no section for {name}"
            as_rdf = fetch(release_server, document + name, headers={"Accept": "text/turtle"})
            assert as_rdf.status == 303 and as_rdf.headers["Location"] == document, name
    assert fetch(release_server, vocab_path + "NoSuchTerm").status == 404
    assert fetch(release_server, vocab_path + "shapes/NoSuchShape").status == 404
    assert fetch(release_server, vocab_path, headers={"Accept": "image/png"}).status == 406


def test_every_iri_under_the_base_that_the_release_mentions_resolves(
    release_server: serve.Server, release_dir: Path
) -> None:
    """The crawler: each IRI under the base in the N-Quads, dcat.ttl and void.ttl (things, documents, terms,
    shapes, skolem IRIs, graphs, the vocabulary's version, distributions, checksums, downloads), asked as HTML,
    Turtle and JSON-LD, answers 200 after at most one 303."""
    iris = crawler.iris_under(release_dir, DEFAULT_BASE)
    assert len(iris) > 1500
    answers = crawler.crawl(release_server.url, DEFAULT_BASE, iris)
    failed = [(iri, accept, answer.status) for (iri, accept), answer in answers.items() if answer.status != 200]
    assert failed == []
