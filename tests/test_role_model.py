"""The role-model picture on the vocabulary page tells the truth about the published data, and reads."""

from __future__ import annotations

import gzip
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rdflib import Dataset

from wijkld.model.iris import DEFAULT_BASE
from wijkld.model.vocab import PREFIXES
from wijkld.publish.site import role_model

SVG = "{http://www.w3.org/2000/svg}"


def _iri(compact: str) -> str:
    prefix, local = compact.split(":", 1)
    if prefix == "id":
        return f"{DEFAULT_BASE}/id/{local}"
    return str(PREFIXES[prefix]) + local


@pytest.fixture(scope="module")
def release(release_dir: Path) -> Dataset:
    dataset = Dataset(default_union=True)
    dataset.parse(data=gzip.decompress((release_dir / "wijkld.nq.gz").read_bytes()), format="nquads")
    return dataset


def _box_pattern(var: str, box: role_model.Box) -> str:
    pattern = f"{var} a <{_iri(box.term)}> ."
    if box.scheme:
        scheme = _iri(box.scheme)
        pattern += f" {var} <http://www.w3.org/2004/02/skos/core#inScheme> <{scheme}> ."
    return pattern


@pytest.mark.parametrize(
    ("arrow", "prop"),
    [(a, p) for a in role_model.ARROWS for p in a.properties],
    ids=lambda x: x if isinstance(x, str) else f"{x.start}-{x.end}",
)
def test_every_arrow_is_a_statement_the_release_makes(release: Dataset, arrow: role_model.Arrow, prop: str) -> None:
    boxes = {b.key: b for b in role_model.BOXES}
    start, end = _box_pattern("?s", boxes[arrow.start]), _box_pattern("?o", boxes[arrow.end])
    query = f"ASK {{ {start} ?s <{_iri(prop)}> ?o . {end} }}"
    assert release.query(query).askAnswer, f"no {arrow.start} {prop} {arrow.end} in the release"


def test_the_replacement_loop_is_between_memberships(release: Dataset) -> None:
    org = "http://www.w3.org/ns/org#Membership"
    query = f"ASK {{ ?s a <{org}> ; <{_iri(role_model.REPLACES)}> ?o . ?o a <{org}> }}"
    assert release.query(query).askAnswer


def test_every_box_and_property_links_where_the_vocabulary_page_has_it(release_dir: Path) -> None:
    html = (release_dir / "vocabulary.html").read_text(encoding="utf-8")
    svg = html[html.index('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 960') :]
    picture = ET.fromstring(svg[: svg.index("</svg>") + len("</svg>")])
    hrefs = {a.get("href") for a in picture.iter(f"{SVG}a")}
    for compact in {p for a in role_model.ARROWS for p in a.properties} | {b.term for b in role_model.BOXES}:
        if compact.startswith("wijkld:"):
            assert f"#{compact[len('wijkld:') :]}" in hrefs and f'id="{compact[len("wijkld:") :]}"' in html
    assert "doc/begrippenkader/portfolio.html" in hrefs, "a concept box links the page of its scheme"
    assert picture.find(f"{SVG}title") is not None and picture.find(f"{SVG}desc") is not None


def test_no_label_sits_on_a_box_and_every_text_is_readable() -> None:
    boxes = {b.key: b for b in role_model.BOXES}
    halfwidth, halfheight = role_model.BOX_WIDTH / 2, role_model.BOX_HEIGHT / 2
    for arrow in role_model.ARROWS:
        start, end = boxes[arrow.start], boxes[arrow.end]
        x1, y1 = role_model._edge_point(start, (end.x, end.y))
        x2, y2 = role_model._edge_point(end, (start.x, start.y))
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2 - 4  # the label's anchor: centred, on its baseline
        width = 7 * max(len(p) for p in arrow.properties)  # about 7 px a character at 13 px
        label = (mx - width / 2, my - 13, mx + width / 2, my + 3 + 15 * (len(arrow.properties) - 1))
        for box in role_model.BOXES:
            rect = (box.x - halfwidth, box.y - halfheight, box.x + halfwidth, box.y + halfheight)
            apart = label[2] <= rect[0] or rect[2] <= label[0] or label[3] <= rect[1] or rect[3] <= label[1]
            assert apart, f"the label {arrow.properties} lies on the box {box.key}"
    for first in role_model.BOXES:
        for second in role_model.BOXES:
            if first.key < second.key:
                apart = (
                    abs(first.x - second.x) >= role_model.BOX_WIDTH or abs(first.y - second.y) >= role_model.BOX_HEIGHT
                )
                assert apart, (first.key, second.key)
    svg = str(role_model.role_model_svg(lambda term: "#"))
    picture = ET.fromstring(svg)
    sizes = [float(t.get("font-size", picture.get("font-size") or 0)) for t in picture.iter(f"{SVG}text")]
    assert min(sizes) >= 12
