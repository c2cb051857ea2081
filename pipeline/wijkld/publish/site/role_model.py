"""The role model as a picture for the vocabulary page: membership in a team beside the office held outside it.

A fixed drawing of classes (boxes) and properties (arrows): a membership (org:Membership) and a post
(org:Post) on either side, the four things they share in the middle column (the person, the role
concept, the organisation, the period), and what only one of them has on the outside. Shared targets
sit between the two, so no arrow crosses another. Every class and property drawn must be in the
vocabulary with a fitting domain and range: ``tests/test_role_model.py`` checks it against the ontology.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 960
HEIGHT = 470
BOX_WIDTH = 180
BOX_HEIGHT = 46


@dataclass(frozen=True)
class Box:
    key: str
    term: str  # compact IRI of the class (or concept scheme) drawn
    caption: str  # what it is, in Dutch / English
    x: int  # centre
    y: int
    scheme: str = ""  # for a concept: the scheme it comes from (compact, id: for our own IRIs), which the box links


@dataclass(frozen=True)
class Arrow:
    start: str  # Box.key
    end: str
    properties: tuple[str, ...]  # compact IRIs, drawn as one label


BOXES = (
    Box("person", "schema:Person", "persoon / person", 480, 45),
    Box("role", "skos:Concept", "rol (begrippenkader role)", 480, 150, "id:begrippenkader/role"),
    Box("organisation", "org:Organization", "organisatie / organisation", 480, 255),
    Box("interval", "time:Interval", "periode / period", 480, 360),
    Box("membership", "org:Membership", "lid van een adoptieteam", 150, 200),
    Box("post", "org:Post", "ambt buiten het team", 810, 200),
    Box("team", "wijkld:AdoptionTeam", "adoptieteam / adoption team", 100, 360),
    Box("seat", "skos:Concept", "zetel (wijkld:seats)", 260, 435, "wijkld:seats"),
    Box("portfolio", "skos:Concept", "portefeuille (portfolio)", 840, 360, "id:begrippenkader/portfolio"),
)
ARROWS = (
    Arrow("membership", "person", ("org:member",)),
    Arrow("membership", "role", ("org:role",)),
    Arrow("membership", "organisation", ("wijkld:representing",)),
    Arrow("membership", "interval", ("org:memberDuring",)),
    Arrow("membership", "team", ("org:organization",)),
    Arrow("membership", "seat", ("wijkld:seat",)),
    Arrow("post", "person", ("org:heldBy",)),
    Arrow("post", "role", ("org:role",)),
    Arrow("post", "organisation", ("org:postIn", "wijkld:cabinet")),
    Arrow("post", "interval", ("time:hasTime",)),
    Arrow("post", "portfolio", ("wijkld:portfolio",)),
)
#: The one arrow from a membership to another: who replaced whom (dcterms:isReplacedBy the other way).
REPLACES = "dcterms:replaces"

Link = Callable[[str], str]  # compact IRI (or a page of the release) -> where the picture links it


def _edge_point(box: Box, towards: tuple[float, float]) -> tuple[float, float]:
    """Where the line from the box's centre to ``towards`` leaves the box."""
    dx, dy = towards[0] - box.x, towards[1] - box.y
    if dx == 0 and dy == 0:
        return box.x, box.y
    scale = min(
        (BOX_WIDTH / 2) / abs(dx) if dx else float("inf"),
        (BOX_HEIGHT / 2) / abs(dy) if dy else float("inf"),
    )
    return round(box.x + dx * scale, 1), round(box.y + dy * scale, 1)


def _box(box: Box, link: Link) -> str:
    left, top = box.x - BOX_WIDTH // 2, box.y - BOX_HEIGHT // 2
    return (
        f'<a href="{escape(link(box.scheme or box.term))}"><g class="box">'
        f"<title>{escape(box.term)}: {escape(box.caption)}</title>"
        f'<rect x="{left}" y="{top}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" rx="6" fill="#f5f7fa" stroke="#183b63"/>'
        f'<text x="{box.x}" y="{box.y - 4}" text-anchor="middle" font-weight="bold">{escape(box.term)}</text>'
        f'<text x="{box.x}" y="{box.y + 14}" text-anchor="middle" font-size="12">{escape(box.caption)}</text>'
        "</g></a>"
    )


def _arrow(arrow: Arrow, boxes: dict[str, Box], link: Link) -> str:
    start, end = boxes[arrow.start], boxes[arrow.end]
    x1, y1 = _edge_point(start, (end.x, end.y))
    x2, y2 = _edge_point(end, (start.x, start.y))
    mx, my = round((x1 + x2) / 2, 1), round((y1 + y2) / 2, 1)
    labels = "".join(
        f'<a href="{escape(link(p))}"><tspan x="{mx}" dy="{0 if i == 0 else 15}">{escape(p)}</tspan></a>'
        for i, p in enumerate(arrow.properties)
    )
    return (
        f'<g class="arrow"><title>{escape(start.term)} {escape(" / ".join(arrow.properties))} {escape(end.term)}'
        "</title>"
        f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#5f6368" marker-end="url(#role-model-tip)"/>'
        f'<text x="{mx}" y="{my - 4}" text-anchor="middle" font-size="13" paint-order="stroke" stroke="#fff"'
        f' stroke-width="4">{labels}</text></g>'
    )


def _replaces(boxes: dict[str, Box], link: Link) -> str:
    box = boxes["membership"]
    left, top = box.x - BOX_WIDTH // 2, box.y - BOX_HEIGHT // 2
    path = f"M{left + 30} {top} C{left + 30} {top - 45} {left - 40} {top - 45} {left} {top + 12}"
    return (
        f'<g class="arrow"><title>org:Membership {REPLACES} org:Membership</title>'
        f'<path d="{path}" fill="none" stroke="#5f6368" marker-end="url(#role-model-tip)"/>'
        f'<a href="{escape(link(REPLACES))}"><text x="{left - 6}" y="{top - 40}" font-size="13">{REPLACES}</text></a>'
        "</g>"
    )


def role_model_svg(link: Link) -> Markup:
    """The picture as inline SVG; ``link`` gives the page (or IRI) each term links to."""
    boxes = {b.key: b for b in BOXES}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}"'
        # a group, not an img: an img's content is hidden from assistive technology, and this one holds links
        ' role="group" aria-labelledby="role-model-title role-model-desc" class="role-model"'
        ' font-family="system-ui, sans-serif" font-size="14">',
        '<title id="role-model-title">Het rolmodel: lidmaatschap van een adoptieteam en functie daarbuiten'
        " / The role model: membership of an adoption team and office outside it</title>",
        '<desc id="role-model-desc">Een lidmaatschap (org:Membership) verbindt een persoon (org:member) met een'
        " adoptieteam (org:organization), een rol (org:role), een zetel (wijkld:seat), de vertegenwoordigde"
        " organisatie (wijkld:representing) en een periode (org:memberDuring), en kan een ander lidmaatschap"
        " vervangen (dcterms:replaces). Een functie (org:Post) is het ambt buiten het team: de persoon"
        " (org:heldBy), de rol (org:role), de organisatie en het kabinet (org:postIn, wijkld:cabinet), de"
        " portefeuille (wijkld:portfolio) en de ambtsperiode (time:hasTime).</desc>",
        '<defs><marker id="role-model-tip" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8"'
        ' markerHeight="8" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" fill="#5f6368"/></marker></defs>',
    ]
    parts.extend(_arrow(a, boxes, link) for a in ARROWS)
    parts.append(_replaces(boxes, link))
    parts.extend(_box(b, link) for b in BOXES)
    parts.append("</svg>")
    return Markup("\n".join(parts))
