"""The pages in a real browser: headless Chromium renders them over HTTP, and no internal link is broken."""

from __future__ import annotations

import functools
import posixpath
import re
import shutil
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from rdflib import URIRef

from test_pages import a_member, build_site, download_files, is_internal, page_of, parse, rendered
from wijkld.model.vocab import RDF, WIJKLD
from wijkld.publish.site import svg

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves the folder without logging every request to stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


def chromium() -> str:
    """The browser binary; CI must provide it, so its absence fails the test rather than skipping it."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("headless Chromium is required: install the Debian package with `apt-get install -y chromium`")
    return found


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The pages and downloads written to a folder and served on 127.0.0.1 on a free port."""
    root = tmp_path_factory.mktemp("site")
    for name, content in {**rendered(), **download_files()}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    (root / "probe.html").write_text(PROBE, encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("chromium-profile")


def dump_dom(profile: Path, url: str) -> str:
    """The DOM after Chromium has parsed and laid out the page."""
    done = subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert done.returncode == 0, f"chromium failed on {url}:\n{done.stderr[-2000:]}"
    assert "<html" in done.stdout, f"chromium dumped no DOM for {url}:\n{done.stderr[-2000:]}"
    return done.stdout


def test_landing_page_renders(profile: Path, site_url: str) -> None:
    site = build_site()
    dom = dump_dom(profile, site_url + "index.html")
    assert f'<h1 lang="nl">{site.release.text("title_nl")}</h1>' in dom
    for heading in ("Licence", "Downloads", "Contents", "Network of the adoption teams", "Example queries"):
        assert f">{heading}</h2>" in dom, heading
    assert "<svg" in dom and "<circle" in dom and "<path" in dom
    person, _ = a_member(site)
    assert svg.label_of(site.data, person) in dom
    for info in site.files:
        assert info.name in dom and str(info.sha256) in dom


def test_vocabulary_page_renders(profile: Path, site_url: str) -> None:
    dom = dump_dom(profile, site_url + "vocabulary.html")
    assert "<h1>Vocabulary</h1>" in dom
    for anchor in ("AdoptionTeam", "Wijk", "representing", "wijk", "seat-municipal"):
        assert f'id="{anchor}"' in dom, anchor


def test_shapes_page_renders(profile: Path, site_url: str) -> None:
    dom = dump_dom(profile, site_url + "shapes.html")
    assert "<h1>Shapes</h1>" in dom
    for anchor in ("AdoptionTeamShape", "AdoptionTeam-wijk", "StartNotAfterEnd", "section-sparql-constraints"):
        assert f'id="{anchor}"' in dom, anchor


def test_resource_pages_render(profile: Path, site_url: str) -> None:
    site = build_site()
    person, membership = a_member(site)
    team = min(s for s in site.data.subjects(RDF.type, WIJKLD.AdoptionTeam) if isinstance(s, URIRef))
    wijk = min(s for s in site.data.subjects(RDF.type, WIJKLD.Wijk) if isinstance(s, URIRef))
    doms: dict[URIRef, str] = {}
    for thing in (wijk, person, team):
        dom = doms[thing] = dump_dom(profile, site_url + page_of(site, thing))
        assert "<h1" in dom and f"<code>{thing}</code>" in dom
        for heading in ("Labels", "Properties", "Referred to by", "Sources"):
            assert f">{heading}</h2>" in dom, (thing, heading)
        assert 'type="application/ld+json"' in dom
    assert posixpath.basename(page_of(site, membership)) in doms[person], "the person page links the membership"
    assert posixpath.basename(page_of(site, wijk)) in doms[team] or (team, WIJKLD.wijk, wijk) not in site.data


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def test_crawl_finds_no_broken_internal_link(site_url: str) -> None:
    """Follow every internal link from the landing page over HTTP; every target answers 200."""
    seen: dict[str, int] = {}
    queue = ["index.html"]
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        status, body = fetch(site_url + path)
        seen[path] = status
        if status != 200 or not path.endswith(".html"):
            continue
        for href in parse(body).hrefs:
            target = href.partition("#")[0]
            if target and is_internal(target):
                queue.append(posixpath.normpath(posixpath.join(posixpath.dirname(path), target)))
    broken = sorted(path for path, status in seen.items() if status != 200)
    assert broken == []
    pages = {name for name in rendered() if name.endswith(".html")}
    assert pages <= set(seen), f"pages no link leads to: {sorted(pages - set(seen))[:10]}"


#: A page that frames another (named in its query string) at a width and writes the layout it measures into its
#: own DOM: the pages themselves run no script, and --dump-dom gives no layout.
PROBE = (
    '<!DOCTYPE html><html><body><iframe id="f" style="height:900px;border:0"></iframe><script>'
    "var q=new URLSearchParams(location.search),f=document.getElementById('f');"
    "f.style.width=q.get('width')+'px';"
    "f.onload=function(){var e=f.contentDocument.documentElement;"
    "document.body.setAttribute('data-overflow',e.scrollWidth-e.clientWidth);"
    "document.body.setAttribute('data-height',e.scrollHeight);};"
    "f.src=q.get('page');</script></body></html>"
)


def _measured(profile: Path, site_url: str, page: str, width: int) -> dict[str, int]:
    """Horizontal overflow and height of ``page`` laid out ``width`` px wide, measured by the browser itself."""
    done = subprocess.run(
        [
            chromium(),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--virtual-time-budget=10000",
            "--dump-dom",
            f"{site_url}probe.html?page={page}&width={width}",
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    found = dict(re.findall(r'data-(overflow|height)="(-?\d+)"', done.stdout))
    assert found, f"the probe measured nothing for {page}:\n{done.stderr[-1500:]}"
    return {key: int(value) for key, value in found.items()}


@pytest.mark.parametrize(
    "page", ["index.html", "examples.html", "vocabulary.html", "shapes.html", "resources.html", "member", "team"]
)
def test_pages_fit_a_phone(profile: Path, site_url: str, page: str) -> None:
    """390 px wide (a phone): no page scrolls sideways; wide tables and the pictures scroll within themselves."""
    if page == "member":  # a resource page: a team member's
        site = build_site()
        page = page_of(site, a_member(site)[0])
    if page == "team":  # a resource page with a table of members and a picture of the team
        site = build_site()
        page = page_of(site, min(site.data.subjects(RDF.type, WIJKLD.AdoptionTeam)))
    assert _measured(profile, site_url, page, 390)["overflow"] <= 0
