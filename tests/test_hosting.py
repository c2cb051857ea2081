"""wijkld hosting (wijkld.serve.hosting): the nginx site and w3id rules, checked by running nginx in front of
wijkld serve on the built release and crawling it as test_serve crawls wijkld serve alone."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import crawler
from wijkld.cli.main import cli
from wijkld.errors import WijkldError
from wijkld.model.iris import DEFAULT_BASE
from wijkld.serve import hosting
from wijkld.serve import server as serve

SITE_URL = "https://data.example.nl/wijkld"
#: Characters nginx gives a meaning to (variables, ends of directives, blocks, quoting, comments) or that end a line.
NGINX_SPECIAL = set("$;{}'\"#\\ \t\r\n")


def _nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        pytest.fail("nginx is not installed: the README's test command installs it (apt-get install nginx)")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Hosted:
    url: str  # nginx
    backend: serve.Server  # wijkld serve behind it
    site: hosting.Site


@pytest.fixture(scope="module")
def hosted(release_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hosted]:
    """nginx with the generated site, in front of wijkld serve, on the built release at ROOT + base path."""
    nginx = _nginx()
    tmp = tmp_path_factory.mktemp("hosting")
    root = tmp / "www"
    root.mkdir()
    (root / "wijkld").symlink_to(release_dir, target_is_directory=True)
    config = serve.Config(dist=release_dir, port=0, timeout=5.0, workers=1, quiet=True, trusted_proxies=("127.0.0.1",))
    backend = serve.start(config).start_background()
    port = _free_port()
    backend_port = backend.url.rsplit(":", 1)[1]
    site = hosting.site(
        DEFAULT_BASE, f"http://127.0.0.1:{port}/wijkld", str(root), f"127.0.0.1:{backend_port}", f"127.0.0.1:{port}"
    )
    hosting.write(site, tmp / "conf")
    user = "user root;\n" if os.geteuid() == 0 else ""  # the pytest folders are private to their owner
    (tmp / "main.conf").write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {tmp}/nginx.pid;\nerror_log {tmp}/error.log warn;\n"
        "events { worker_connections 128; }\n"
        f"http {{\n access_log off;\n client_body_temp_path {tmp}/body;\n proxy_temp_path {tmp}/proxy;\n"
        f" fastcgi_temp_path {tmp}/fastcgi;\n uwsgi_temp_path {tmp}/uwsgi;\n scgi_temp_path {tmp}/scgi;\n"
        f" include {tmp}/conf/nginx.conf;\n}}\n"
    )
    checked = subprocess.run(
        [nginx, "-t", "-p", str(tmp), "-e", str(tmp / "error.log"), "-c", str(tmp / "main.conf")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, f"nginx rejects the generated site:\n{checked.stderr}"
    process = subprocess.Popen([nginx, "-p", str(tmp), "-e", str(tmp / "error.log"), "-c", str(tmp / "main.conf")])
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, (tmp / "error.log").read_text()
                assert time.monotonic() < deadline, "nginx did not start listening"
                time.sleep(0.05)
        yield Hosted(f"http://127.0.0.1:{port}", backend, site)
    finally:
        process.terminate()
        process.wait(20)
        backend.close()


# -- the site behind nginx ---------------------------------------------------------------------------


def test_every_iri_resolves_behind_nginx_with_the_bytes_wijkld_serve_gives(hosted: Hosted, release_dir: Path) -> None:
    """The crawl of test_serve, through nginx: each IRI as HTML, Turtle and JSON-LD is 200 after at most one
    redirect, with the same media type and the same bytes as wijkld serve alone gives."""
    iris = crawler.iris_under(release_dir, DEFAULT_BASE)
    assert len(iris) > 1500
    through_nginx = crawler.crawl(hosted.url, DEFAULT_BASE, iris)
    alone = crawler.crawl(hosted.backend.url, DEFAULT_BASE, iris)
    failed = [(iri, accept, a.status) for (iri, accept), a in through_nginx.items() if a.status != 200]
    assert failed == []
    # the endpoint's Service Description names the endpoint by the host it was asked at
    differ = [
        key
        for key, answer in through_nginx.items()
        if (answer.type, answer.body)
        != (alone[key].type, alone[key].body.replace(hosted.backend.url.encode(), hosted.url.encode()))
    ]
    assert differ == [], f"{len(differ)} answers differ from wijkld serve's, such as {differ[:3]}"


def test_nginx_serves_documents_from_the_files_and_says_it_varies(hosted: Hosted, release_dir: Path) -> None:
    page = sorted(release_dir.glob("doc/adoptieteam/*.html"))[0]
    doc = "/wijkld/" + page.relative_to(release_dir).with_suffix("").as_posix()
    for accept, suffix in (("text/html", ".html"), ("text/turtle", ".ttl"), ("application/ld+json", ".jsonld")):
        answer = crawler.get(hosted.url + doc, accept)
        assert answer.status == 200 and answer.body == page.with_suffix(suffix).read_bytes(), accept
        assert answer.headers["Vary"] == "Accept"
        assert "Last-Modified" in answer.headers, "nginx answers it from the file, not the backend"
    thing = doc.replace("/doc/", "/id/", 1)
    redirect = crawler.get(hosted.url + thing, "text/turtle")
    assert redirect.status == 303 and redirect.headers["Location"] == doc
    ntriples = crawler.get(hosted.url + doc, "application/n-triples")  # no file: the backend's answer
    assert ntriples.status == 200 and ntriples.type == "application/n-triples"
    refused = crawler.get(hosted.url + doc, "image/png")
    assert refused.status == 406 and "text/turtle" in refused.body.decode()


#: Accept headers as clients send them, with what they should get; nginx's rules approximate q-values
#: (wijkld.serve.hosting.accept_rules) and must agree with wijkld serve, which weighs them, on each.
ACCEPT_HEADERS = [
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),  # a browser
    ("text/turtle", "text/turtle"),
    ("application/ld+json", "application/ld+json"),
    ("application/json", "application/ld+json"),
    ("application/n-triples", "application/n-triples"),
    ("text/turtle, */*;q=0.1", "text/turtle"),
    ("text/html;q=0.9, text/turtle", "text/turtle"),
    ("text/turtle;q=0, application/ld+json;q=0.5", "application/ld+json"),
    ("application/n-triples, text/turtle;q=0.5", "application/n-triples"),
    ("application/ld+json, text/turtle", "text/turtle"),  # equal weight: the server's order decides
    ("text/turtle ; q=1.0, text/html", "text/html"),
    ("text/turtle;q=0.9, text/html;q=0", "text/turtle"),
    ("*/*", "text/html"),
    ("image/png", None),  # nothing offered: 406
]


@pytest.mark.parametrize(("accept", "expected"), ACCEPT_HEADERS)
def test_nginx_picks_what_wijkld_serve_picks_for_the_accept_headers_clients_send(
    hosted: Hosted, release_dir: Path, accept: str, expected: str | None
) -> None:
    page = sorted(release_dir.glob("doc/adoptieteam/*.html"))[0]
    doc = "/wijkld/" + page.relative_to(release_dir).with_suffix("").as_posix()
    through_nginx, alone = crawler.get(hosted.url + doc, accept), crawler.get(hosted.backend.url + doc, accept)
    assert (through_nginx.status, through_nginx.type) == (alone.status, alone.type), accept
    assert through_nginx.status == (406 if expected is None else 200)
    if expected is not None:
        assert through_nginx.type == expected
        assert through_nginx.body == alone.body
        # a type with a file is served by nginx from it (wijkld serve sends no Last-Modified)
        has_file = expected in ("text/html", "text/turtle", "application/ld+json")
        assert ("Last-Modified" in through_nginx.headers) == has_file, through_nginx.headers.items()


def test_downloads_behind_nginx_are_the_published_bytes(hosted: Hosted, release_dir: Path) -> None:
    sums = dict(reversed(line.split("  ", 1)) for line in (release_dir / "SHA256SUMS").read_text().splitlines() if line)
    for name in ("wijkld.nq.gz", "wijkld.ttl", "dcat.ttl", "vocabulary.jsonld", "shapes.html", "SHA256SUMS"):
        answer = crawler.get(f"{hosted.url}/wijkld/{name}")
        alone = crawler.get(f"{hosted.backend.url}/wijkld/{name}")
        assert answer.status == 200 and answer.body == (release_dir / name).read_bytes(), name
        assert int(answer.headers["Content-Length"]) == (release_dir / name).stat().st_size
        assert answer.type == alone.type, name
        if name != "SHA256SUMS":
            assert hashlib.sha256(answer.body).hexdigest() == sums[name]
    assert crawler.get(f"{hosted.url}/wijkld").status == 301
    assert crawler.get(f"{hosted.url}/wijkld/").body == (release_dir / "index.html").read_bytes()


def test_the_endpoint_behind_nginx_answers_queries_and_describes_itself(hosted: Hosted) -> None:
    query = "ASK%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D"
    answer = crawler.get(f"{hosted.url}/wijkld/sparql?query={query}", "application/sparql-results+json")
    assert answer.status == 200 and b'"boolean":true' in answer.body.replace(b" ", b"")
    described = crawler.get(f"{hosted.url}/wijkld/sparql", "text/turtle")
    assert described.status == 200 and b"sparql-service-description" in described.body
    update = crawler.get(f"{hosted.url}/wijkld/sparql?update=CLEAR%20ALL")
    assert update.status in (400, 403)


# -- the files it writes ---------------------------------------------------------------------------------


def test_the_w3id_rule_sends_every_iri_to_the_same_path_at_the_host(release_dir: Path) -> None:
    site = hosting.site(DEFAULT_BASE, SITE_URL, "/var/www")
    rules = hosting.w3id_htaccess(site)
    (rule,) = re.findall(r"^RewriteRule (\S+) (\S+) \[(\S+)\]$", rules, re.MULTILINE)
    pattern, target, flags = rule
    assert "R=302" in flags and "L" in flags
    for iri in sorted(crawler.iris_under(release_dir, DEFAULT_BASE))[:200]:
        relative = iri[len(DEFAULT_BASE) + 1 :]  # what mod_rewrite matches in {base path}/.htaccess
        match = re.fullmatch(pattern, relative)
        assert match, iri
        assert target.replace("$1", match.group(1)) == SITE_URL + iri[len(DEFAULT_BASE) :]


def test_the_cli_writes_both_files_and_replaces_only_its_own(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "hosting"
    done = runner.invoke(cli, ["hosting", "--site-url", SITE_URL, "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert sorted(p.name for p in out.iterdir()) == ["nginx.conf", "w3id.htaccess"]
    assert "server_name data.example.nl;" in (out / "nginx.conf").read_text()
    assert "wijkld serve --dist /var/www/wijkld --port 8080 --trusted-proxy 127.0.0.1" in done.output
    again = runner.invoke(cli, ["hosting", "--site-url", SITE_URL, "--out", str(out)])
    assert again.exit_code == 0, again.output
    (out / "nginx.conf").write_text("# my own edits\n")
    refused = runner.invoke(cli, ["hosting", "--site-url", SITE_URL, "--out", str(out)])
    assert refused.exit_code == 2 and "nginx.conf exists and was not written by wijkld hosting" in refused.output
    assert (out / "nginx.conf").read_text() == "# my own edits\n"
    assert "Traceback" not in refused.output


def test_the_cli_refuses_a_file_as_out_and_a_symlink_in_it(tmp_path: Path) -> None:
    runner = CliRunner()
    (tmp_path / "file").write_text("keep")
    done = runner.invoke(cli, ["hosting", "--site-url", SITE_URL, "--out", str(tmp_path / "file")])
    assert done.exit_code == 2 and "is not a folder" in done.output
    assert (tmp_path / "file").read_text() == "keep"
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "precious").write_text("keep")
    (out / "w3id.htaccess").symlink_to(tmp_path / "precious")
    linked = runner.invoke(cli, ["hosting", "--site-url", SITE_URL, "--out", str(out)])
    assert linked.exit_code == 2 and (tmp_path / "precious").read_text() == "keep"


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--site-url", "https://data.example.nl/other", "its path must be the base's path"),
        ("--site-url", "ftp://data.example.nl/wijkld", "expected http(s)://HOST/wijkld"),
        ("--site-url", "https://evil;host/wijkld", "expected http(s)://HOST/wijkld"),
        ("--root", "var/www", "expected an absolute folder path"),
        ("--root", "/var/www;include /etc/passwd", "expected an absolute folder path"),
        ("--backend", "127.0.0.1:8080; evil", "expected HOST:PORT"),
        ("--listen", "80 default_server", "expected a port or ADDRESS:PORT"),
        ("--server-name", "a.example $host", "expected a host name"),
        ("--base", "https://w3id.org/wijk$ld", "for hosting, the path may hold only"),
    ],
)
def test_a_value_nginx_would_misread_is_refused_by_name(option: str, value: str, expected: str) -> None:
    args = ["hosting", "--site-url", SITE_URL, "--out", "/nonexistent/never-written", option, value]
    done = CliRunner().invoke(cli, args)
    assert done.exit_code == 2, done.output
    assert option in done.output and expected in done.output
    assert "Traceback" not in done.output


@given(
    root=st.text(min_size=1, max_size=30),
    backend=st.text(min_size=1, max_size=30),
    listen=st.text(min_size=1, max_size=20),
    name=st.text(max_size=30),
)
def test_no_option_puts_a_character_nginx_reads_into_the_site(root: str, backend: str, listen: str, name: str) -> None:
    """Whatever the options, either they are refused, or none brings a character nginx gives a meaning to."""
    try:
        site = hosting.site(DEFAULT_BASE, SITE_URL, "/" + root, backend, listen, name)
    except WijkldError:
        return
    for value in (site.root, site.backend, site.listen, site.server_name):
        assert not NGINX_SPECIAL & set(value), value
