"""The static pages: what they show, that they escape, that their links resolve, that they are reproducible."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import posixpath
import re
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.term import Node

from wijkld import build
from wijkld.model import mapping
from wijkld.model.iris import VOCAB, Minter
from wijkld.model.vocab import ORG, RDF, RDFS, SCHEMA, SH, VOID, WIJKLD
from wijkld.publish import jsonld, metadata
from wijkld.publish import serialize as publish
from wijkld.publish.site import svg
from wijkld.publish.site.pages import ResourceRenderer, Site, human_size, relative, render, script_json
from wijkld.records import load as records
from wijkld.validate import engine as validate

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "minimal"
CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"
EVIL = '<!--<script>alert(1)</script> "quoted" & more'


# -- inputs, built once per process ---------------------------------------------------


@functools.cache
def inputs() -> tuple[Site, dict[str, bytes]]:
    """The site for the minimal fixture, and the download files its landing page lists."""
    assert FIXTURE.is_dir(), f"missing test fixture {FIXTURE}"
    recs = records.load(FIXTURE)
    minter = Minter()
    data = mapping.to_graph(recs, minter)
    context = jsonld.build_context(data)
    shapes = publish.skolemise(validate.load_shapes(), minter.skolem_prefix("shapes"))
    downloads = {
        "wijkld.ttl": publish.turtle(data),
        "wijkld.nt.gz": publish.gzip_bytes(b"".join(publish.ntriples_lines(data))),
        "context.jsonld": jsonld.dumps(context),
        "shapes.ttl": publish.turtle(shapes),
        "shapes.jsonld": jsonld.dumps(jsonld.compact(shapes, context)),
    }
    files = tuple(metadata.describe_file(name, content) for name, content in sorted(downloads.items()))
    release = metadata.Release(recs, minter, metadata.data_stats(data), files, minter.downloads, ())
    site = Site(
        data=data,
        vocabulary=validate.load_ontology(),
        metadata=metadata.describe(release),
        files=files,
        release=recs.release,
        minter=minter,
        context=context,
        queries=build.queries(),
        shapes=shapes,
    )
    return site, downloads


def build_site() -> Site:
    return inputs()[0]


def download_files() -> dict[str, bytes]:
    return inputs()[1]


@functools.cache
def rendered() -> dict[str, bytes]:
    return render(build_site())


def digest(files: dict[str, bytes]) -> str:
    """One hash over every output path and content."""
    h = hashlib.sha256()
    for name, content in sorted(files.items()):
        h.update(name.encode("utf-8") + b"\0" + hashlib.sha256(content).digest())
    return h.hexdigest()


def page_of(site: Site, thing: Node) -> str:
    return site.minter.doc_for(str(thing))[len(site.minter.base) + 1 :] + ".html"


def a_member(site: Site) -> tuple[URIRef, URIRef]:
    """(person, membership): the first person, in IRI order, who sits in an adoption team."""
    pairs = sorted(
        (p, m) for m, p in site.data.subject_objects(ORG.member) if (None, ORG.hasMembership, m) in site.data
    )
    assert pairs, "the fixture needs a team with at least one member"
    person, membership = pairs[0]
    assert isinstance(person, URIRef) and isinstance(membership, URIRef)
    return person, membership


def parse_json_ld(document: bytes) -> Graph:
    """rdflib's JSON-LD parser, offline (the context is embedded).

    rdflib 7.6 warns about its own internal use of ConjunctiveGraph while parsing
    JSON-LD; that warning is about rdflib, not about the document, so it is
    silenced here only.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return Graph().parse(data=document, format="json-ld")


# -- HTML reading helpers ---------------------------------------------------------------


class Links(HTMLParser):
    """Collects hrefs and srcs, element ids, and the text of script elements."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.srcs: list[str] = []
        self.ids: set[str] = set()
        self.duplicate_ids: list[str] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("href") is not None:
            self.hrefs.append(values["href"] or "")
        if values.get("src") is not None:
            self.srcs.append(values["src"] or "")
        if values.get("id"):
            if values["id"] in self.ids:
                self.duplicate_ids.append(values["id"] or "")
            self.ids.add(values["id"] or "")
        if tag == "script":
            self._script = values
            self.scripts.append((values, ""))

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None


def parse(html: bytes) -> Links:
    parser = Links()
    parser.feed(html.decode("utf-8"))
    parser.close()
    return parser


def is_internal(href: str) -> bool:
    return ":" not in href.split("/", 1)[0] and not href.startswith("//")


def broken_links(files: dict[str, bytes], extra: set[str]) -> list[str]:
    """Internal links (and their #fragments) of every page that do not resolve to an output file or element."""
    ids = {name: parse(content).ids for name, content in files.items() if name.endswith(".html")}
    broken = []
    for name in sorted(ids):
        for href in parse(files[name]).hrefs:
            if not is_internal(href):
                continue
            path, _, fragment = href.partition("#")
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), path)) if path else name
            if target not in files and target not in extra:
                broken.append(f"{name}: {href}")
            elif fragment and target in ids and fragment not in ids[target]:
                broken.append(f"{name}: {href} (no element with that id)")
    return broken


# -- output paths -------------------------------------------------------------------------


def test_every_resource_has_a_page_turtle_and_json_ld() -> None:
    site, files = build_site(), rendered()
    things = sorted(
        {s for s in site.data.subjects() if isinstance(s, URIRef) and str(s).startswith(site.minter.base + "/id/")}
    )
    expected = {"index.html", "vocabulary.html", "shapes.html", "resources.html", "examples.html"}
    for thing in things:
        stem = page_of(site, thing)[: -len(".html")]
        expected |= {f"{stem}.html", f"{stem}.ttl", f"{stem}.jsonld"}
    assert set(files) == expected
    assert all(not name.startswith(("/", "..")) and ".." not in name.split("/") for name in files)
    assert list(files) == sorted(files)


def test_resource_files_hold_exactly_the_resources_triples() -> None:
    site, files = build_site(), rendered()
    for thing in sorted({s for s in site.data.subjects() if isinstance(s, URIRef)}):
        stem = page_of(site, thing)[: -len(".html")]
        expected = Graph()
        for triple in site.data.triples((thing, None, None)):
            expected.add(triple)
        turtle = Graph().parse(data=files[f"{stem}.ttl"], format="turtle")
        document = parse_json_ld(files[f"{stem}.jsonld"])
        assert isomorphic(turtle, expected), stem
        assert isomorphic(document, expected), stem


# -- landing page ---------------------------------------------------------------------------


def test_landing_page_lists_every_download_with_size_and_checksum() -> None:
    site, html = build_site(), rendered()["index.html"].decode("utf-8")
    assert site.files
    for info in site.files:
        assert info.size is not None and info.sha256 is not None
        assert f'href="{info.name}"' in html
        assert f"{info.size} bytes" in html
        assert human_size(info.size) in html
        assert info.sha256 in html
        assert info.media_type in html


def test_landing_page_states_title_description_and_licence() -> None:
    release, html = build_site().release, rendered()["index.html"].decode("utf-8")
    assert release.text("licence") == CC0
    assert f'<a rel="license" href="{CC0}">CC0 1.0 Universal' in html
    for field in ("title_nl", "title_en", "description_nl", "description_en"):
        assert f'lang="{field[-2:]}">{escape(release.text(field) or "")}<' in html


def test_landing_page_counts_come_from_void() -> None:
    site, html = build_site(), rendered()["index.html"].decode("utf-8")
    (dataset,) = set(site.metadata.subjects(RDF.type, VOID.Dataset))
    triples = int(str(next(site.metadata.objects(dataset, VOID.triples))))
    entities = int(str(next(site.metadata.objects(dataset, VOID.entities))))
    classes = len(set(site.metadata.objects(dataset, VOID.classPartition)))
    assert triples == len(site.data)
    assert f'id="count-triples">{triples}<' in html
    assert f'id="count-resources">{entities}<' in html
    assert f'id="count-classes">{classes}<' in html


def test_landing_page_lists_the_example_questions_escaped_and_linked_to_their_answers() -> None:
    query = ("wijken", "Alle <wijken> & teams", "SELECT ?w WHERE { ?w a <https://w3id.org/wijkld/def/Wijk> }\n")
    site = dataclasses.replace(build_site(), queries=(*build_site().queries, query))
    pages = render(site)
    html = pages["index.html"].decode("utf-8")
    assert "Alle &lt;wijken&gt; &amp; teams" in html
    assert "<pre>" not in html.split('id="queries"', 1)[1], "the SPARQL text is on examples.html, not the landing page"
    examples = pages["examples.html"].decode("utf-8")
    assert "<pre><code>SELECT ?w WHERE { ?w a &lt;https://w3id.org/wijkld/def/Wijk&gt; }" in examples
    for name, title, text in site.queries:
        # in Dutch with the English beside, or in English alone where the query has no Dutch title
        dutch = re.search(r"^# titel: (.*)$", text, re.M)
        shown = (
            f'<span class="bi"><span class="nl" lang="nl">{escape(dutch.group(1))}</span>'
            f'<span class="en" lang="en">{escape(title)}</span></span>'
            if dutch
            else f'<span lang="en">{escape(title)}</span>'
        )
        assert f'<a href="examples.html#query-{name}">{shown}</a>' in html, name
        assert f'<section class="query" id="query-{name}">' in examples


def test_landing_page_embeds_the_network_as_well_formed_svg() -> None:
    site, html = build_site(), rendered()["index.html"].decode("utf-8")
    start, end = html.index("<svg"), html.index("</svg>") + len("</svg>")
    picture = ET.fromstring(html[start:end])
    assert picture.tag == "{http://www.w3.org/2000/svg}svg"
    person, _ = a_member(site)
    assert svg.label_of(site.data, person) in html[start:end]
    titles = picture.findall(".//{http://www.w3.org/2000/svg}title")
    assert len(titles) > 3, "nodes and edges carry tooltips"
    assert 'href="doc/' in html[start:end], "nodes link to their pages"


SVG_NS = "{http://www.w3.org/2000/svg}"


def _label_boxes(picture: ET.Element) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Every text of the picture with the box it takes at the picture's font size (svg.CHAR_WIDTH a character)."""
    boxes = []
    for text in picture.iter(f"{SVG_NS}text"):
        x, y, content = float(text.get("x", 0)), float(text.get("y", 0)), "".join(text.itertext())
        width = svg.text_width(content)
        left = (
            x - width
            if text.get("text-anchor") == "end"
            else x - width / 2
            if text.get("text-anchor") == "middle"
            else x
        )
        boxes.append((content, (left, y - svg.FONT_SIZE + 2, left + width, y + 3)))
    return boxes


def _path_points(d: str) -> list[tuple[float, float]]:
    """Points along a path of M, H and one C command, as the picture draws its lines."""
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", d)]
    x, y = numbers[0], numbers[1]
    points = [(x, y)]
    rest = numbers[2:]
    if " H" in d:
        end_x, rest = rest[0], rest[1:]
        points += [(x + (end_x - x) * t / 20, y) for t in range(21)]
        x = end_x
    c1x, c1y, c2x, c2y, ex, ey = rest[:6]
    for i in range(41):
        t = i / 40
        u = 1 - t
        px = u**3 * x + 3 * u**2 * t * c1x + 3 * u * t**2 * c2x + t**3 * ex
        py = u**3 * y + 3 * u**2 * t * c1y + 3 * u * t**2 * c2y + t**3 * ey
        points.append((px, py))
    return points


def test_the_network_reads_no_label_overlaps_a_label_or_a_line(release_dir: Path) -> None:
    """Issue 17: names at 12 px or more, whole, wijken with their municipality, no collisions; on the minimal
    records and on the pilot's release."""
    _check_network(_picture(rendered()["index.html"].decode("utf-8")))
    _check_network(_picture((release_dir / "index.html").read_text(encoding="utf-8")))


def _picture(html: str, ident: str = "network") -> ET.Element:
    """The picture on a page that its ``{ident}-title`` labels (svg.Style.ident), parsed."""
    at = html.rindex("<svg", 0, html.index(f'aria-labelledby="{ident}-title {ident}-desc"'))
    return ET.fromstring(html[at : html.index("</svg>", at) + len("</svg>")])


def _check_network(picture: ET.Element) -> None:
    """A network picture (the landing page's or a team's) reads: 12 px or more, whole names, wijken with their
    municipality, no label over another label or a line, no dot over another, nothing outside the picture."""
    assert float(picture.get("font-size", 0)) >= 12
    assert all(float(t.get("font-size", 12)) >= 12 for t in picture.iter(f"{SVG_NS}text"))
    assert picture.find(f"{SVG_NS}desc") is not None, "a text alternative beside the title"
    boxes = _label_boxes(picture)
    texts = [content for content, _ in boxes]
    assert not any(t.endswith("…") for t in texts), "names are whole"
    wijken = [
        "".join(t.itertext()) for n in picture.iter() if n.get("class") == "node wijk" for t in n.iter(f"{SVG_NS}text")
    ]
    assert wijken and all(", " in w for w in wijken), f"a wijk with its municipality, as the page's table: {wijken}"
    for i, (first, a) in enumerate(boxes):
        for second, b in boxes[i + 1 :]:
            apart = a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
            assert apart, f"{first!r} overlaps {second!r}"
    dots = [(float(c.get("cx", 0)), float(c.get("cy", 0))) for c in picture.iter(f"{SVG_NS}circle")]
    for i, (x, y) in enumerate(dots):
        assert all((x - u) ** 2 + (y - v) ** 2 >= 12**2 for u, v in dots[i + 1 :]), f"two dots overlap at {x}, {y}"
    width, height = float(picture.get("width", 0)), float(picture.get("height", 0))
    for content, (x0, y0, x1, y1) in boxes:
        assert 0 <= x0 and x1 <= width and 0 <= y0 and y1 <= height, f"{content!r} is cut off"
    for path in picture.iter(f"{SVG_NS}path"):
        for px, py in _path_points(path.get("d", "")):
            for content, (x0, y0, x1, y1) in boxes:
                assert not (x0 < px < x1 and y0 < py < y1), f"a line crosses the label {content!r}"


def test_network_layout_ignores_the_order_triples_were_added_in() -> None:
    data = build_site().data
    shuffled = Graph()
    for triple in sorted(data, reverse=True):
        shuffled.add(triple)
    assert svg.coalition_svg(shuffled, lambda _: None) == svg.coalition_svg(data, lambda _: None)
    team = min(t for t in data.subjects(RDF.type, WIJKLD.AdoptionTeam) if isinstance(t, URIRef))
    assert svg.team_svg(shuffled, team, lambda _: None) == svg.team_svg(data, team, lambda _: None)


def _node_labels(picture: ET.Element, *kinds: str) -> list[str]:
    """The labels of a network picture's nodes of ``kinds`` (svg.KINDS), in drawing order."""
    classes = {f"node {kind}" for kind in kinds}
    return ["".join(t.itertext()) for n in picture.iter() if n.get("class") in classes for t in n.iter(f"{SVG_NS}text")]


def test_each_team_page_draws_its_wijk_its_members_and_their_organisations(
    release_dir: Path, built_release: Graph
) -> None:
    """Issue 17: a small picture per team on its page, after the table of its members: its wijk (with the
    municipality), everyone who sat on the team, replaced members too, the organisation each represented there,
    and nothing else; read as the landing page's network is, with its own text alternative."""
    data = built_release
    teams = sorted(t for t in data.subjects(RDF.type, WIJKLD.AdoptionTeam) if isinstance(t, URIRef))
    assert len(teams) == 13
    minter = Minter()
    for team in teams:
        name = svg.label_of(data, team)
        html = (release_dir / f"{minter.doc_for(str(team))[len(minter.base) + 1 :]}.html").read_text(encoding="utf-8")
        picture = _picture(html, "team-network")
        _check_network(picture)
        memberships = list(data.objects(team, ORG.hasMembership))
        persons = {svg.label_of(data, p) for m in memberships for p in data.objects(m, ORG.member)}
        orgs = {svg.label_of(data, o) for m in memberships for o in data.objects(m, WIJKLD.representing)}
        wijk = ", ".join(svg.label_of(data, data.value(team, p)) for p in (WIJKLD.municipality, WIJKLD.wijk))
        assert _node_labels(picture, "wijk") == [wijk], name
        assert sorted(_node_labels(picture, "person")) == sorted(persons), name
        assert sorted(_node_labels(picture, "ministry", "organisation")) == sorted(orgs), name
        lines = {"".join(t.itertext()) for path in picture.iter(f"{SVG_NS}path") for t in path.iter(f"{SVG_NS}title")}
        assert lines == {f"{wijk} – {p} ({name})" for p in persons} | {
            f"{svg.label_of(data, p)} – {svg.label_of(data, o)} ({name})"
            for m in memberships
            for p in data.objects(m, ORG.member)
            for o in data.objects(m, WIJKLD.representing)
        }, name
        title, desc = picture.find(f"{SVG_NS}title"), picture.find(f"{SVG_NS}desc")
        assert title is not None and title.get("id") == "team-network-title" and (title.text or "").startswith(name)
        assert desc is not None and desc.get("id") == "team-network-desc" and wijk in (desc.text or "")
        assert picture.get("role") == "group", "it holds links: an img would hide them from assistive technology"
        boxes = [box for _, box in _label_boxes(picture)]
        assert float(picture.get("width", 0)) <= max(b[2] for b in boxes) + 20.5, "as wide as its labels, no wider"
        assert float(picture.get("height", 0)) <= max(b[3] for b in boxes) + svg.ROW + svg.BOTTOM, "and as high"
        glance = html.index('id="at-a-glance"')
        figure = html.index('<div class="figure">\n<svg', glance)
        assert html.index("</table>", glance) < figure < html.index('id="all-statements"') < html.index('id="labels"')


def test_the_team_picture_of_overtoomse_veld_shows_the_replaced_minister_and_his_successor(release_dir: Path) -> None:
    html = (release_dir / "doc/adoptieteam/amsterdam-overtoomse-veld.html").read_text(encoding="utf-8")
    picture = _picture(html, "team-network")
    assert _node_labels(picture, "wijk") == ["Amsterdam, Overtoomse Veld"]
    assert sorted(_node_labels(picture, "person")) == [
        "Ahmed Marcouch",
        "Annet Bertram",
        "Bos",
        "Gerrit Zalm",
        "Steven van Eijk",
    ], "Zalm and Bos, who took over his place; Van Eijk, who represented no organisation"
    assert sorted(_node_labels(picture, "ministry")) == [
        "ministerie van Financiën",
        "ministerie van Volkshuisvesting, Ruimtelijke Ordening en Milieubeheer",
    ]
    assert _node_labels(picture, "organisation") == ["stadsdeel Slotervaart"]
    links = {a.get("href") for a in picture.iter(f"{SVG_NS}a")}
    assert "../persoon/gerrit-zalm.html" in links and "../wijk/overtoomse-veld.html" in links, "relative to the page"
    assert (picture.findtext(f"{SVG_NS}title") or "").startswith("Adoptieteam Amsterdam Overtoomse Veld")


def test_the_team_picture_escapes_names_and_is_left_out_for_a_team_without_members() -> None:
    site = build_site()
    person, membership = a_member(site)
    team = next(t for t in site.data.subjects(ORG.hasMembership, membership) if isinstance(t, URIRef))
    data = Graph()
    for triple in site.data:
        data.add(triple)
    data.remove((team, RDFS.label, None))
    data.add((team, RDFS.label, Literal(EVIL, lang="nl")))
    data.add((person, RDFS.label, Literal(EVIL, lang="nl")))
    picture = ET.fromstring(svg.team_svg(data, team, lambda _: None))
    assert (picture.findtext(f"{SVG_NS}title") or "").startswith(EVIL), "parsed back to the text it was"
    assert EVIL in _node_labels(picture, "person")
    data.remove((team, ORG.hasMembership, None))
    assert svg.team_svg(data, team, lambda _: None) == ""
    page = ResourceRenderer(dataclasses.replace(site, data=data)).render(team)[page_of(site, team)].decode("utf-8")
    assert 'id="at-a-glance"' not in page and "<svg" not in page, "no empty table, and no empty picture"


def test_only_team_pages_carry_a_team_picture() -> None:
    site, files = build_site(), rendered()
    teams = {page_of(site, t) for t in site.data.subjects(RDF.type, WIJKLD.AdoptionTeam)}
    assert teams
    drawn = {name for name, content in files.items() if b'aria-labelledby="team-network-title' in content}
    assert drawn == teams
    for team in teams:
        _check_network(_picture(files[team].decode("utf-8"), "team-network"))
    person, _ = a_member(site)
    page = files[page_of(site, person)].decode("utf-8")
    assert 'id="at-a-glance"' in page, "a person's page has a table of roles"
    assert "<svg" not in page and '<div class="figure">' not in page, "but no picture"


def test_no_external_resources_are_loaded() -> None:
    for name, content in rendered().items():
        if name.endswith(".html"):
            links = parse(content)
            assert links.srcs == [], name
            assert all(not attrs.get("src") for attrs, _ in links.scripts), name
            assert b'rel="stylesheet"' not in content and b"@import" not in content, name


# -- resource pages ------------------------------------------------------------------------


def test_person_page_shows_labels_links_sources_and_data() -> None:
    site, files = build_site(), rendered()
    person, membership = a_member(site)
    here = page_of(site, person)
    html = files[here].decode("utf-8")
    for label in site.data.objects(person, RDFS.label):
        assert f">{label}<" in html
    assert f'href="{relative(here, page_of(site, membership))}"' in html, "a link to the membership"
    assert 'id="incoming"' in html and "org:member" in html
    assert f"<code>{person}</code>" in html, "the persistent IRI"
    for source in site.data.objects(person, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")):
        assert f'href="{relative(here, page_of(site, source))}"' in html
    stem = posixpath.basename(here)[: -len(".html")]
    for ext in ("ttl", "jsonld"):
        assert f'href="{stem}.{ext}"' in html
        assert posixpath.join(posixpath.dirname(here), f"{stem}.{ext}") in files


def test_embedded_json_ld_parses_offline_to_the_resources_triples() -> None:
    site, files = build_site(), rendered()
    person, _ = a_member(site)
    scripts = [text for attrs, text in parse(files[page_of(site, person)]).scripts]
    assert len(scripts) == 1
    document = json.loads(scripts[0])
    assert "@context" in document and isinstance(document["@context"], dict)
    expected = Graph()
    for triple in site.data.triples((person, None, None)):
        expected.add(triple)
    assert isomorphic(parse_json_ld(json.dumps(document).encode("utf-8")), expected)


def test_team_and_wijk_pages_link_each_other() -> None:
    site, files = build_site(), rendered()
    team, wijk = sorted(site.data.subject_objects(WIJKLD.wijk))[0]
    team_page, wijk_page = page_of(site, team), page_of(site, wijk)
    assert f'href="{relative(team_page, wijk_page)}"' in files[team_page].decode("utf-8")
    assert f'href="{relative(wijk_page, team_page)}"' in files[wijk_page].decode("utf-8")
    assert 'href="../../vocabulary.html#wijk"' in files[team_page].decode("utf-8"), "wijkld: terms link to the docs"


def test_text_from_the_data_is_escaped_everywhere() -> None:
    site = build_site()
    person, _ = a_member(site)
    data = Graph()
    for triple in site.data:
        data.add(triple)
    data.add((person, RDFS.label, Literal(EVIL, lang="nl")))
    files = render(dataclasses.replace(site, data=data))
    escaped = "&lt;!--&lt;script&gt;alert(1)&lt;/script&gt; &#34;quoted&#34; &amp; more"
    page = files[page_of(site, person)]
    assert escaped in page.decode("utf-8")
    scripts = parse(page).scripts
    assert [attrs.get("type") for attrs, _ in scripts] == ["application/ld+json"], "nothing broke out"
    assert "</" not in scripts[0][1] and "<!--" not in scripts[0][1]
    outside = page.decode("utf-8").replace(scripts[0][1], "")
    for name, html in (("index.html", files["index.html"].decode("utf-8")), ("person page", outside)):
        assert "<script>alert" not in html and "<!--" not in html and '"quoted"' not in html, name
    assert EVIL in json.loads(scripts[0][1])["@graph"][0]["label"]["nl"]
    assert escaped in files["index.html"].decode("utf-8"), "the network shows the Dutch label, escaped"


def test_script_json_cannot_close_or_derail_the_script_element() -> None:
    text = str(script_json({"a": "</script><!--<script>"}))
    assert "</" not in text and "<!--" not in text
    assert json.loads(text) == {"a": "</script><!--<script>"}


# -- vocabulary page ------------------------------------------------------------------------


def test_vocabulary_page_documents_every_term_with_usage() -> None:
    site, html = build_site(), rendered()["vocabulary.html"].decode("utf-8")
    vocab = site.vocabulary
    terms = {s for s in vocab.subjects() if isinstance(s, URIRef) and str(s).startswith(str(WIJKLD))}
    assert len(terms) > 40
    ids = parse(rendered()["vocabulary.html"]).ids
    for term in terms:
        assert str(term)[len(str(WIJKLD)) :] in ids, term
        for label in (o for o in vocab.objects(term, RDFS.label) if isinstance(o, Literal)):
            assert f'lang="{label.language}">{escape(str(label))}<' in html, (term, label)
    for prop in ("domain", "range"):
        assert f"<dt>{prop.capitalize()}</dt>" in html
    teams = len(set(site.data.subjects(RDF.type, WIJKLD.AdoptionTeam)))
    section = html[html.index('id="AdoptionTeam"') :]
    assert f'<span class="usage">{teams}</span> instances' in section[: section.index("</section>")]
    uses = len(set(site.data.subject_objects(WIJKLD.wijk)))
    section = html[html.index('id="wijk"') :]
    assert f'<span class="usage">{uses}</span> triples' in section[: section.index("</section>")]
    assert "Een team dat in de pilot" in html, "Dutch definitions are shown"


def test_vocabulary_shows_unions_in_domains() -> None:
    html = rendered()["vocabulary.html"].decode("utf-8")
    section = html[html.index('id="targetDate"') :]
    section = section[: section.index("</section>")]
    assert 'href="#Programme"' in section and 'href="#Project"' in section and " or " in section


def test_vocabulary_page_reads_the_skolemised_ontology_the_same() -> None:
    site = build_site()
    skolemised = publish.skolemise(site.vocabulary, site.minter.base + "/.well-known/genid/vocabulary-")
    assert render(dataclasses.replace(site, vocabulary=skolemised))["vocabulary.html"] == rendered()["vocabulary.html"]


# -- shapes page --------------------------------------------------------------------------------


def _section(html: str, anchor: str) -> str:
    start = html.index(f'<section class="term" id="{anchor}">')
    return html[start : html.index("</section>", start)]


def test_shapes_page_documents_every_named_shape_and_sparql_constraint() -> None:
    site, html = build_site(), rendered()["shapes.html"].decode("utf-8")
    namespace = VOCAB + "shapes/"
    kinds = (SH.NodeShape, SH.PropertyShape, SH.SPARQLConstraint)
    named = {
        s for k in kinds for s in site.shapes.subjects(RDF.type, k) if isinstance(s, URIRef) and s.startswith(namespace)
    }
    assert len(named) > 250
    assert parse(rendered()["shapes.html"]).ids >= {s[len(namespace) :] for s in named}
    for shape in named:
        section = _section(html, shape[len(namespace) :])
        for predicate in (SH.name, SH.message):
            for text in (o for o in site.shapes.objects(shape, predicate) if isinstance(o, Literal)):
                assert f'lang="{text.language}">{escape(str(text))}<' in section, (shape, predicate, text)


def test_a_node_shape_shows_its_target_and_links_its_property_shapes_which_show_their_path() -> None:
    html = rendered()["shapes.html"].decode("utf-8")
    team = _section(html, "AdoptionTeamShape")
    assert "<code>sh:targetClass</code>" in team and 'href="vocabulary.html#AdoptionTeam"' in team
    assert 'href="#AdoptionTeam-wijk"' in team
    wijk = _section(html, "AdoptionTeam-wijk")
    assert "<dt>Path</dt>" in wijk and 'href="vocabulary.html#wijk"' in wijk
    assert "<code>sh:minCount</code>" in wijk and 'href="#AdoptionTeamShape"' in wijk  # used by


def test_sparql_constraints_show_their_query_escaped() -> None:
    site, html = build_site(), rendered()["shapes.html"].decode("utf-8")
    query = str(next(site.shapes.objects(URIRef(VOCAB + "shapes/StartNotAfterEnd"), SH.select)))
    section = _section(html, "StartNotAfterEnd")
    assert str(escape(query.strip())) in section and "<pre><code>" in section
    assert "SELECT" in query and ">" in query and "&&" in query, "the query has characters that must be escaped"


def test_every_page_links_the_shapes_and_examples_pages() -> None:
    for name, content in rendered().items():
        if name.endswith(".html"):
            html = content.decode("utf-8")
            for page, english in (("shapes.html", "Shapes"), ("examples.html", "Examples")):
                link = f'href="{re.escape(relative(name, page))}">.*?{english}</span></span></a>'
                assert re.search(link, html), (name, page)


# -- links and reproducibility ----------------------------------------------------------------


def test_every_internal_link_resolves() -> None:
    files = rendered()
    assert broken_links(files, set(download_files())) == []
    links = sum(len(parse(c).hrefs) for n, c in files.items() if n.endswith(".html"))
    assert links > len(files), "the pages are linked"


def test_element_ids_are_unique_per_page() -> None:
    for name, content in rendered().items():
        if name.endswith(".html"):
            assert parse(content).duplicate_ids == [], name


def test_resource_list_links_every_page() -> None:
    files = rendered()
    listed = {posixpath.normpath(h) for h in parse(files["resources.html"]).hrefs if h.startswith("doc/")}
    pages = {n for n in files if n.startswith("doc/") and n.endswith(".html")}
    assert listed == pages


def test_two_renders_are_identical() -> None:
    assert render(build_site()) == rendered()


def test_output_is_identical_across_hash_seeds() -> None:
    code = (
        f"import sys; sys.path[:0] = [{str(REPO / 'tests')!r}, {str(REPO / 'pipeline')!r}]; import test_pages; "
        "print(test_pages.digest(test_pages.rendered()))"
    )
    digests = set()
    for seed in ("0", "1"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        digests.add(done.stdout.strip())
    assert digests == {digest(rendered())}


def test_helpers() -> None:
    assert human_size(0) == "0 bytes"
    assert human_size(1023) == "1023 bytes"
    assert human_size(1536) == "1.5 KiB"
    assert human_size(5 * 1024 * 1024) == "5.0 MiB"
    assert human_size(None) == "–"
    assert relative("doc/persoon/a.html", "doc/lidmaatschap/b.html") == "../lidmaatschap/b.html"
    assert relative("doc/persoon/a.html", "vocabulary.html") == "../../vocabulary.html"
    assert relative("index.html", "doc/wijk/x.html") == "doc/wijk/x.html"


def test_a_resource_iri_that_could_leave_dist_is_refused() -> None:
    site = build_site()
    data = Graph()
    data.add((URIRef(site.minter.base + "/id/persoon/.."), RDFS.label, Literal("x")))
    with pytest.raises(ValueError, match="cannot make a file name"):
        render(dataclasses.replace(site, data=data))


def test_schema_and_org_terms_link_out() -> None:
    site, files = build_site(), rendered()
    person, _ = a_member(site)
    html = files[page_of(site, person)].decode("utf-8")
    assert f'href="{SCHEMA.Person}"' in html


def test_the_landing_page_gives_the_pilot_and_its_thirteen_teams_as_the_page_does(release_dir: Path) -> None:
    html = (release_dir / "index.html").read_text(encoding="utf-8")
    assert '<h2 id="pilot">' in html and "Proef van het ministerie van VROM" in html
    head = html.split('<table class="teams">', 1)[1].split("</thead>", 1)[0]
    seats = [" ".join(re.sub(r"<[^>]+>", " ", th).split()) for th in re.findall(r"<th[^>]*>(.*?)</th>", head, re.S)]
    assert seats[3:] == [
        "gemeentelijke zetel Municipal seat",
        "zetel directeur-generaal Director-general seat",
        "zetel onafhankelijke deskundige Independent expert seat",
        "zetel bewindspersoon Cabinet member seat",
    ], "a column per seat, as the page's table has them, named by the vocabulary"
    rows = re.findall(r'<tr id="team-(\d+)">(.*?)</tr>', html, re.DOTALL)
    assert [int(n) for n, _ in rows] == list(range(1, 14)), "the thirteen entries in the table's order"

    def cells(row: str) -> list[str]:
        return [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]

    assert cells(dict(rows)["10"]) == [
        "10",
        "Hengelo, Berflo Es",
        "Publiek Private Samenwerking voor een Leefbaar Berflo Es",
        "Hans Kok wethouder",  # the municipal seat's roles differ (wethouder, burgemeester, ...): said
        "Leon van Halder",  # every director-general is one: not said
        "Ralph Pans",
        "Clémence Ross-van Dorp staatssecretaris",
    ]
    # a seat with a successor lists both, the earlier first
    assert cells(dict(rows)["5"])[-1] == "Rita Verdonk minister Sybilla Dekker minister"
    assert 'href="doc/adoptieteam/hengelo-berflo-es.html"' in dict(rows)["10"]
    assert 'href="tabellen/lidmaatschappen.csv"' in html


def test_team_and_person_pages_say_who_had_which_role_when_before_all_statements(release_dir: Path) -> None:
    """The done-when of issue 17: on the Hengelo team's page, who sat on it, in which role, and when."""
    html = (release_dir / "doc/adoptieteam/hengelo-berflo-es.html").read_text(encoding="utf-8")
    glance = html.split('id="at-a-glance"', 1)[1].split("</table>", 1)[0]
    assert html.index('id="at-a-glance"') < html.index('id="labels"'), "the reading comes before the statements"
    rows = [
        [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", glance.split("<tbody>", 1)[1], re.S)
    ]
    assert [row[:5] for row in rows] == [
        ["Hans Kok", "wethouder", "gemeente Hengelo", "2006", "2007"],
        [
            "Leon van Halder",
            "directeur-generaal",
            "ministerie van Binnenlandse Zaken en Koninkrijksrelaties",
            "2006",
            "2007",
        ],
        ["Ralph Pans", "onafhankelijk deskundige", "Vereniging van Nederlandse Gemeenten", "2006", "2007"],
        [
            "Clémence Ross-van Dorp",
            "staatssecretaris",
            "ministerie van Volksgezondheid, Welzijn en Sport",
            "2006",
            "2007",
        ],
    ]
    assert 'href="../persoon/hans-kok.html"' in glance
    person = (release_dir / "doc/persoon/gerrit-zalm.html").read_text(encoding="utf-8")
    roles = person.split('id="at-a-glance"', 1)[1].split("</table>", 1)[0]
    assert "Adoptieteam Amsterdam Overtoomse Veld" in roles and "minister van Financiën" in roles
    assert "27 mei 2003" in roles and "22 februari 2007" in roles, "the term of office, from the post"


# -- pages for people: a summary with sources, in Dutch and English ------------------------------------------


def _rows(html: str, section: str) -> list[list[str]]:
    """The text of each cell (th and td) of the first table after the heading ``id=section``."""
    table = html.split(f'id="{section}"', 1)[1].split("</table>", 1)[0].split("<tbody>", 1)[1]
    return [
        [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
    ]


def _summary(html: str) -> dict[str, list[str]]:
    """The summary's rows by the Dutch name of the fact: [name nl and en, values, sources]."""
    table = html.split('id="summary"', 1)[1].split("</table>", 1)[0]
    names = re.findall(r'<th scope="row">(?:<span class="bi"><span class="nl" lang="nl">)?([^<]*)<', table)
    return dict(zip(names, _rows(html, "summary"), strict=True))


def test_a_wijk_page_says_where_it_lies_its_cbs_code_and_team_each_with_its_source(release_dir: Path) -> None:
    html = (release_dir / "doc/wijk/berflo-es.html").read_text(encoding="utf-8")
    rows = _summary(html)
    assert rows["ligt in"][1] == "Hengelo"
    assert rows["adoptieteam"][1] == "Adoptieteam Hengelo Berflo Es"
    cbs = rows["CBS-code"]
    assert cbs[1] == "WK016405"
    # the page gives no CBS code: the statement rests on an outside source, and the page says so
    assert cbs[2].startswith("afgeleid Inferred Externe bron: Berflo Es"), cbs
    below = html.split('id="summary"', 1)[1].split('id="all-statements"', 1)[0]
    assert "In de volgende dertien pilotwijken werden" in below.split("</table>", 1)[1], "the common source"
    assert html.index('id="summary"') < html.index('id="all-statements"') < html.index('id="labels"')


def test_an_organisation_page_names_its_people_in_the_teams_and_in_office(release_dir: Path) -> None:
    html = (release_dir / "doc/organisatie/min-vrom.html").read_text(encoding="utf-8")
    people = [row[:3] for row in _rows(html, "at-a-glance")]
    assert ["Annet Bertram", "Adoptieteam Utrecht Overvecht", "directeur-generaal"] in people
    assert ["Sybilla Dekker", "Adoptieteam Den Haag Zuidwest", "minister"] in people
    assert ["Sybilla Dekker", "minister van VROM", "minister"] in people, "the post held in the ministry"
    assert _summary(html)["afkorting"][1] == "VROM"


def test_news_event_lesson_and_assessment_pages_say_what_when_and_which_source(release_dir: Path) -> None:
    column = _summary((release_dir / "doc/bron/column-van-der-molen-2009.html").read_text(encoding="utf-8"))
    assert column["verschenen"][1] == "2009-03" and column["auteur"][1] == "Hilde van der Molen"
    assert column["vermeld in"][1].startswith("Ontwikkelingen"), column["vermeld in"]
    event = _summary((release_dir / "doc/gebeurtenis/cobouw-inventarisatie.html").read_text(encoding="utf-8"))
    assert event["begin of datum"][1] == "2007-05" and "Zaanstad" in event["plaats"][1]
    assert "Zaanstad: minder tevreden" in event["resultaten"][1]
    assessment = _summary((release_dir / "doc/beoordeling/cobouw-zaanstad.html").read_text(encoding="utf-8"))
    assert assessment["oordeel"][1] == "minder tevreden" and assessment["beoordeelde plaats"][1] == "Zaanstad"
    lesson = _summary((release_dir / "doc/leerpunt/vitale-coalitie-sleutel.html").read_text(encoding="utf-8"))
    assert lesson["voortgekomen uit"][1] == "Evaluatie van de pilot in opdracht van VROM", lesson
    assert lesson["leerpunt uit"][1] == "Nieuwe coalities voor de wijk"


def test_a_team_row_that_rests_on_an_outside_source_says_so(release_dir: Path) -> None:
    html = (release_dir / "doc/adoptieteam/rotterdam-zuid-particulier-woningbezit.html").read_text(encoding="utf-8")
    donner = next(row for row in _rows(html, "at-a-glance") if row[0] == "Piet Hein Donner")
    assert donner[4] == "21 september 2006"
    assert donner[-1].startswith("afgeleid Inferred Externe bron: Piet Hein Donner"), donner
    others = [row for row in _rows(html, "at-a-glance") if row[0] != "Piet Hein Donner"]
    assert all("afgeleid" not in row[-1] for row in others)


def test_pages_are_dutch_with_english_marked_as_such(release_dir: Path) -> None:
    pages = sorted(release_dir.rglob("*.html"))
    assert len(pages) > 400
    for page in pages:
        html = page.read_text(encoding="utf-8")
        lang = "en" if page.name in ("vocabulary.html", "shapes.html") else "nl"  # technical reference: English
        assert f'<html lang="{lang}">' in html, page
        for tag in re.findall(r'<[a-z]+ [^>]*class="(?:[^"]* )?en(?: [^"]*)?"[^>]*>', html):
            assert 'lang="en"' in tag, (page, tag)
        for tag in re.findall(r'<[a-z]+ [^>]*class="(?:[^"]* )?nl(?: [^"]*)?"[^>]*>', html):
            assert 'lang="en"' not in tag, (page, tag)
        assert 'id="lang-nl"' in html and 'id="lang-en"' in html and 'id="lang-both" checked' in html, page
        # they work without JavaScript: the only script elements hold data (JSON-LD)
        assert all(attrs.get("type") == "application/ld+json" for attrs, _ in parse(html.encode()).scripts), page


def test_what_points_at_a_resource_names_its_own_sources_in_full(release_dir: Path) -> None:
    """The team's own statements share two sources, said once under the table; the rows of what points at the
    team (its projects, the events about it) are statements of other resources, with their sources in full."""
    html = (release_dir / "doc/adoptieteam/amsterdam-overtoomse-veld.html").read_text(encoding="utf-8")
    rows = _summary(html)
    assert rows["gemeente"][1:] == ["Amsterdam", ""] and rows["thema"][2] == ""
    assert "In de volgende dertien pilotwijken" in rows["projecten"][2], "said in full, though also common"
    common = html.split('id="summary"', 1)[1].split("</table>", 1)[1].split("<h2", 1)[0]
    assert "Community Centers in Amsterdam Nieuw West" in common and "In de volgende dertien" in common


def test_the_questions_are_asked_in_dutch_with_the_english_beside(release_dir: Path) -> None:
    index = (release_dir / "index.html").read_text(encoding="utf-8")
    examples = (release_dir / "examples.html").read_text(encoding="utf-8")
    question = (
        '<span class="bi"><span class="nl" lang="nl">Wie zaten in meer dan één adoptieteam?</span>'
        '<span class="en" lang="en">Which persons sat on more than one adoption team?</span></span>'
    )
    assert f'<a href="examples.html#query-01-persons-on-several-teams">{question}</a>' in index
    assert f"<h2>{question} " in examples
