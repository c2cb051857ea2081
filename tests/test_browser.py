"""The pages in a real browser: headless Chromium renders them over HTTP, no internal link is broken, and axe-core
finds no serious accessibility issue."""

from __future__ import annotations

import functools
import html
import json
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

import fetch_axe
from test_pages import a_member, build_site, download_files, is_internal, page_of, parse, rendered
from wijkld.model.vocab import ORG, RDF, SCHEMA, WIJKLD
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
    (root / "axe-probe.html").write_text(AXE_PROBE, encoding="utf-8")
    if fetch_axe.present():  # else test_pages_have_no_serious_accessibility_issue fails, saying how to fetch it
        shutil.copyfile(fetch_axe.AXE, root / "axe.min.js")
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
    for heading in ("Downloads", "Contents", "Network of the adoption teams", "Questions to the data"):
        assert re.search(f">{heading}(</span></span>)?</h2>", dom), heading
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
        for heading in ("Labels", "Properties", "Referred to by", "Sources"):  # Dutch first, English beside
            assert f'<span class="en" lang="en">{heading}</span></span></h2>' in dom, (thing, heading)
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
#: With ``lang`` it first picks that language in the page's switch, as a reader would by clicking, and counts
#: the Dutch and English texts of the switch that are still shown.
PROBE = (
    '<!DOCTYPE html><html><body><iframe id="f" style="height:900px;border:0"></iframe><script>'
    "var q=new URLSearchParams(location.search),f=document.getElementById('f');"
    "f.style.width=q.get('width')+'px';"
    "f.onload=function(){var d=f.contentDocument,e=d.documentElement;"
    "if(q.get('lang')){d.getElementById('lang-'+q.get('lang')).checked=true;}"
    "function shown(c){return Array.from(d.querySelectorAll(c)).filter(function(x){"
    "return x.getClientRects().length>0;}).length;}"
    "document.body.setAttribute('data-overflow',e.scrollWidth-e.clientWidth);"
    "document.body.setAttribute('data-height',e.scrollHeight);"
    "document.body.setAttribute('data-nl',shown('.nl'));document.body.setAttribute('data-en',shown('.en'));};"
    "f.src=q.get('page');</script></body></html>"
)


def _measured(profile: Path, site_url: str, page: str, width: int, lang: str = "") -> dict[str, int]:
    """Horizontal overflow and height of ``page`` laid out ``width`` px wide, measured by the browser itself, and
    how many Dutch and English texts it shows (``lang``: after picking that language in its switch)."""
    done = subprocess.run(
        [
            chromium(),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--virtual-time-budget=10000",
            "--dump-dom",
            f"{site_url}probe.html?page={page}&width={width}&lang={lang}",
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    found = dict(re.findall(r'data-(overflow|height|nl|en)="(-?\d+)"', done.stdout))
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


#: A page that frames another (named in its query string), loads axe-core into the frame and writes the violations
#: axe finds there, as JSON, into its own DOM.
AXE_PROBE = (
    '<!DOCTYPE html><html lang="en"><head><title>axe</title></head><body>'
    '<iframe id="f" title="page" style="width:1280px;height:900px;border:0"></iframe><pre id="out"></pre><script>'
    "var f=document.getElementById('f'),out=document.getElementById('out');"
    "function put(x){out.textContent=JSON.stringify(x);}"
    "f.onload=function(){var d=f.contentDocument,s=d.createElement('script');"
    "s.src=new URL('axe.min.js',location.href).href;"
    "s.onerror=function(){put({error:'axe.min.js did not load'});};"
    "s.onload=function(){f.contentWindow.axe.run(d,{resultTypes:['violations']}).then(function(r){"
    "put({url:r.url,passed:r.passes.length,violations:r.violations.map(function(v){"
    "return {id:v.id,impact:v.impact,help:v.help,nodes:v.nodes.map(function(n){return {target:n.target};})};})});"
    "},function(e){put({error:String(e)});});};"
    "d.head.appendChild(s);};"
    "f.src=new URLSearchParams(location.search).get('page');</script></body></html>"
)

#: One page of each kind: the site's own pages, and the resource page of a thing of each kind the pilot has.
AXE_PAGES = {
    "index.html": None,
    "examples.html": None,
    "resources.html": None,
    "vocabulary.html": None,
    "shapes.html": None,
    "team": WIJKLD.AdoptionTeam,
    "person": SCHEMA.Person,
    "organisation": ORG.Organization,
    "wijk": WIJKLD.Wijk,
    "news": SCHEMA.NewsArticle,
    "event": SCHEMA.Event,
}


def axe_violations(profile: Path, site_url: str, page: str) -> list[dict[str, Any]]:
    """What axe-core finds wrong with ``page``, run in headless Chromium on the page as served."""
    if not fetch_axe.present():
        pytest.fail(f"axe-core {fetch_axe.VERSION} is missing from {fetch_axe.FOLDER}: run `{fetch_axe.COMMAND}`")
    done = subprocess.run(
        [
            chromium(),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--virtual-time-budget=30000",
            "--dump-dom",
            f"{site_url}axe-probe.html?page={page}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    found = re.search(r'<pre id="out">(.+?)</pre>', done.stdout, re.S)
    assert found, f"axe reported nothing on {page}:\n{done.stderr[-1500:]}"
    result = json.loads(html.unescape(found.group(1)))
    assert "error" not in result, f"axe failed on {page}: {result['error']}"
    assert result["url"] == site_url + page and result["passed"] > 0, f"axe did not check {page}: {result}"
    violations: list[dict[str, Any]] = result["violations"]
    return violations


@pytest.mark.parametrize("kind", list(AXE_PAGES))
def test_pages_have_no_serious_accessibility_issue(profile: Path, site_url: str, kind: str) -> None:
    """axe-core finds no serious or critical issue (WCAG 2.x A/AA and best practices) on each kind of page."""
    page = kind
    if (cls := AXE_PAGES[kind]) is not None:
        site = build_site()
        page = page_of(site, min(s for s in site.data.subjects(RDF.type, cls) if isinstance(s, URIRef)))
    serious = [v for v in axe_violations(profile, site_url, page) if v["impact"] in ("serious", "critical")]
    assert not serious, f"axe-core {fetch_axe.VERSION} on {page}:\n" + "\n".join(
        f"{v['impact']} {v['id']} ({v['help']}): " + ", ".join(" ".join(n["target"]) for n in v["nodes"])
        for v in serious
    )


@pytest.fixture(scope="module")
def release_url(release_dir: Path) -> Iterator[str]:
    """The pilot's release (built from data/) served on 127.0.0.1, with the probe beside it."""
    root = release_dir.parent / "served"
    if not root.exists():
        shutil.copytree(release_dir, root)
        (root / "probe.html").write_text(PROBE, encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_the_release_landing_page_is_under_5000_px_at_1280(profile: Path, release_url: str) -> None:
    """Issue 17: the pilot, the table, the picture, the downloads and the questions, in less than 5,000 px."""
    measured = _measured(profile, release_url, "index.html", 1280)
    assert 2_000 < measured["height"] < 5_000, measured
    assert measured["overflow"] <= 0


@pytest.mark.parametrize("page", ["index.html", "doc/adoptieteam/hengelo-berflo-es.html", "examples.html"])
def test_the_language_switch_shows_dutch_english_or_both_without_script(
    profile: Path, release_url: str, page: str
) -> None:
    both = _measured(profile, release_url, page, 1280)
    dutch = _measured(profile, release_url, page, 1280, lang="nl")
    english = _measured(profile, release_url, page, 1280, lang="en")
    assert both["nl"] > 5 and both["en"] > 5, both
    assert dutch["en"] == 0 and dutch["nl"] == both["nl"], dutch
    assert english["nl"] == 0 and english["en"] == both["en"], english


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize(
    "page",
    [
        "index.html",
        "doc/adoptieteam/rotterdam-zuid-particulier-woningbezit.html",
        "doc/organisatie/min-vrom.html",
        "doc/persoon/gerrit-zalm.html",
        "doc/wijk/berflo-es.html",
    ],
)
def test_the_release_pages_fit_a_phone_and_a_laptop(profile: Path, release_url: str, page: str, width: int) -> None:
    """The pilot's pages, with their longest tables and pictures: nothing scrolls the page sideways."""
    assert _measured(profile, release_url, page, width)["overflow"] <= 0
