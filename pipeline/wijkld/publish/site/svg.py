"""The coalition network as an SVG picture, drawn at build time without any script.

Three columns: the adopted wijken, the persons in their adoption teams, and the
organisations (ministries apart) those persons represent. Order within a column
comes from the data only (team position, then neighbours' rows, then label and
IRI), coordinates are rounded, and nothing is random, so the bytes depend on the
data alone and never on the hash seed or the run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction

from markupsafe import Markup, escape
from rdflib import Graph, Literal, URIRef

from wijkld.model.mapping import organisation_kind_iri
from wijkld.model.vocab import DCTERMS, ORG, RDFS, WIJKLD

Href = Callable[[URIRef], "str | None"]

#: Node kinds in column order, with their fill colour and legend text.
KINDS: dict[str, tuple[str, str]] = {
    "wijk": ("#1b7837", "wijk"),
    "person": ("#2166ac", "persoon / person"),
    "ministry": ("#b2182b", "ministerie / ministry"),
    "organisation": ("#e08214", "organisatie / organisation"),
}
FONT_SIZE = 12  # px: the least that reads at 100 % on a laptop and, scrolled, on a phone
#: Width of a character at FONT_SIZE in a system sans-serif, generously: labels are laid out with it, and the
#: geometry test (tests/test_pages.py) checks with it that no label overlaps another or a line.
CHAR_WIDTH = 7.4
ROW = 22  # vertical room per node in the fullest column
TOP = 74  # room for the legend and the column headings
BOTTOM = 20
GAP = 10  # between a dot and its label


@dataclass(frozen=True)
class Node:
    iri: URIRef
    kind: str  # a key of KINDS
    label: str


def text_width(text: str) -> float:
    return round(len(text) * CHAR_WIDTH, 1)


@dataclass(frozen=True)
class Layout:
    """Where the columns are: wide enough for the longest label of each, so that nothing is cut off."""

    wijk_x: float
    person_x: float
    rail_x: float  # where lines from persons to organisations leave, past the longest person label
    organisation_x: float
    width: float


@dataclass(frozen=True)
class Network:
    """Nodes per column (in drawing order) and edges as (from, to, what) with IRIs."""

    wijken: tuple[Node, ...]
    persons: tuple[Node, ...]
    organisations: tuple[Node, ...]
    edges: tuple[tuple[URIRef, URIRef, str], ...]


def label_of(data: Graph, node: URIRef) -> str:
    """Dutch label first (the sources are Dutch), then untagged, then English, then the IRI."""
    labels = sorted(o for o in data.objects(node, RDFS.label) if isinstance(o, Literal))
    for lang in ("nl", None, "en"):
        for label in labels:
            if label.language == lang:
                return str(label)
    return str(labels[0]) if labels else str(node).rsplit("/", 1)[-1]


Edges = set[tuple[URIRef, URIRef, str]]


def _team_edges(data: Graph) -> tuple[Edges, Edges, dict[URIRef, int]]:
    """Wijk-person and person-organisation edges named after the team, and each wijk's first table row.

    Sets and minimums only, so the result does not depend on the order rdflib yields triples in.
    """
    wijk_person: Edges = set()
    person_org: Edges = set()
    position: dict[URIRef, int] = {}
    for team, wijk in data.subject_objects(WIJKLD.wijk):
        if not isinstance(wijk, URIRef) or not isinstance(team, URIRef):
            continue
        rows = [int(p) for p in data.objects(team, WIJKLD.position) if isinstance(p, Literal)]
        position[wijk] = min([position.get(wijk, 10**9), *rows])
        team_label = label_of(data, team)
        for membership in data.objects(team, ORG.hasMembership):
            for person in (o for o in data.objects(membership, ORG.member) if isinstance(o, URIRef)):
                wijk_person.add((wijk, person, team_label))
                for org in (o for o in data.objects(membership, WIJKLD.representing) if isinstance(o, URIRef)):
                    person_org.add((person, org, team_label))
    return wijk_person, person_org, position


def coalitions(data: Graph) -> Network:
    """The network: team members via org:Membership, their organisations via wijkld:representing.

    Read by triple patterns from the teams (``wijkld:wijk``) outwards, never by a walk over all of
    ``data``; the labels of the drawn nodes are looked up once each.
    """
    wijk_person, person_org, position = _team_edges(data)
    names: dict[URIRef, str] = {}
    municipalities = {w: m for t, w in data.subject_objects(WIJKLD.wijk) for m in data.objects(t, WIJKLD.municipality)}

    def label(node: URIRef) -> str:
        if node not in names:
            names[node] = label_of(data, node)
            if node in municipalities:  # "Zuid" is Rotterdam's: the page's table writes "Rotterdam, Zuid"
                names[node] = f"{label_of(data, municipalities[node])}, {names[node]}"  # type: ignore[arg-type]
        return names[node]

    wijken = _order({w for w, _, _ in wijk_person}, lambda w: Fraction(position.get(w, 10**9)), label)
    wijk_rows = {w: i for i, w in enumerate(wijken)}
    persons = _order({p for _, p, _ in wijk_person}, _barycentre(wijk_person, wijk_rows), label)
    person_rows = {p: i for i, p in enumerate(persons)}
    orgs = _order({o for _, o, _ in person_org}, _barycentre(person_org, person_rows), label)
    ministry = organisation_kind_iri("ministry")
    return Network(
        wijken=tuple(Node(w, "wijk", label(w)) for w in wijken),
        persons=tuple(Node(p, "person", label(p)) for p in persons),
        organisations=tuple(
            Node(o, "ministry" if (o, DCTERMS.type, ministry) in data else "organisation", label(o)) for o in orgs
        ),
        edges=tuple(sorted(wijk_person | person_org)),
    )


def _barycentre(edges: Edges, rows: dict[URIRef, int]) -> Callable[[URIRef], Fraction]:
    """Mean row of a node's neighbours in the previous column: few crossings, exact arithmetic.

    ``edges`` run from the previous column (first item) to the node's column (second item).
    """
    near: dict[URIRef, set[int]] = {}
    for before, node, _ in edges:
        near.setdefault(node, set()).add(rows[before])

    def key(node: URIRef) -> Fraction:
        found = near.get(node, set())
        return Fraction(sum(found), len(found)) if found else Fraction(0)

    return key


def _order(nodes: Iterable[URIRef], key: Callable[[URIRef], Fraction], label: Callable[[URIRef], str]) -> list[URIRef]:
    return sorted(nodes, key=lambda n: (key(n), label(n).casefold(), str(n)))


def layout(network: Network) -> Layout:
    def widest(nodes: tuple[Node, ...]) -> float:
        return max((text_width(n.label) for n in nodes), default=0.0)

    wijk_x = round(20 + widest(network.wijken) + GAP, 1)
    person_x = wijk_x + 240
    rail_x = round(person_x + GAP + widest(network.persons) + 12, 1)
    organisation_x = rail_x + 200
    width = max(round(organisation_x + GAP + widest(network.organisations) + 20, 1), 640)
    return Layout(wijk_x, person_x, rail_x, organisation_x, width)


def render_svg(network: Network, href: Href) -> Markup:
    """The picture as inline SVG markup; ``href`` gives a node's page link (or None)."""
    tallest = max(len(network.wijken), len(network.persons), len(network.organisations), 1)
    height = TOP + tallest * ROW + BOTTOM
    at = layout(network)
    places: dict[URIRef, tuple[float, float]] = {}
    columns = (
        ("wijk", network.wijken, at.wijk_x),
        ("person", network.persons, at.person_x),
        ("organisation", network.organisations, at.organisation_x),
    )
    for _, nodes, x in columns:
        for i, node in enumerate(nodes):
            places[node.iri] = (x, _row_y(i, len(nodes), tallest))
    names = {n.iri: n.label for n in (*network.wijken, *network.persons, *network.organisations)}
    counts = (len(network.wijken), len(network.persons), len(network.organisations))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {at.width} {height}"'
        f' width="{at.width}" height="{height}"'
        # a group, not an img: an img's content is hidden from assistive technology, and this one holds links
        ' role="group" aria-labelledby="network-title network-desc" class="network" font-family="system-ui, sans-serif"'
        f' font-size="{FONT_SIZE}">',
        '<title id="network-title">Netwerk van de adoptieteams: wijken, personen en organisaties'
        " / Network of the adoption teams: wijken, persons and organisations</title>",
        f'<desc id="network-desc">{counts[0]} wijken, elk verbonden met de {counts[1]} personen van hun adoptieteams;'
        f" elke persoon verbonden met de organisatie die hij of zij in het team vertegenwoordigde ({counts[2]})."
        " De tabel van de adoptieteams op deze pagina geeft hetzelfde als tekst.</desc>",
        *_legend(),
        *_headings(network, at),
    ]
    if not network.edges:
        parts.append(f'<text x="{at.width // 2}" y="{TOP + 10}" text-anchor="middle">(geen teams / no teams)</text>')
    parts.append('<g class="edges" fill="none" stroke-opacity="0.45">')
    person_set = {n.iri for n in network.persons}
    for a, b, what in network.edges:
        start = places[a]
        if a in person_set:  # leave past the person's label, along its row, so no line crosses a name
            start = (round(start[0] + GAP + text_width(names[a]) + 4, 1), start[1])
        parts.append(_edge(f"{names[a]} – {names[b]} ({what})", start, places[b], a in person_set, at.rail_x))
    parts.append("</g>")
    parts.append('<g class="nodes">')
    for column, nodes, _ in columns:
        parts.extend(_node(node, places[node.iri], column, href) for node in nodes)
    parts.append("</g>")
    parts.append("</svg>")
    return Markup("\n".join(parts))


def _row_y(i: int, count: int, tallest: int) -> float:
    """Spread a column over the full height, so short columns do not huddle at the top."""
    span = (tallest - 1) * ROW
    if count == 1:
        return round(TOP + span / 2, 1)
    return round(TOP + i * span / (count - 1), 1)


def _legend() -> list[str]:
    parts = ['<g class="legend">']
    for i, (colour, text) in enumerate(KINDS.values()):
        x = 20 + i * 210
        parts.append(f'<circle cx="{x}" cy="16" r="6" fill="{colour}"/>')
        parts.append(f'<text x="{x + 12}" y="20">{escape(text)}</text>')
    parts.append("</g>")
    return parts


def _headings(network: Network, at: Layout) -> list[str]:
    counts = {"wijk": len(network.wijken), "person": len(network.persons), "organisation": len(network.organisations)}
    names = {"wijk": "Wijken", "person": "Personen / persons", "organisation": "Organisaties / organisations"}
    anchors = {
        "wijk": (at.wijk_x, "end"),
        "person": (at.person_x, "start"),
        "organisation": (at.organisation_x, "start"),
    }
    return [
        f'<text x="{x}" y="50" text-anchor="{anchor}" font-weight="bold">{escape(names[c])} ({counts[c]})</text>'
        for c, (x, anchor) in anchors.items()
    ]


def _edge(tip: str, start: tuple[float, float], end: tuple[float, float], from_person: bool, rail_x: float) -> str:
    """A smooth S-curve between two columns, coloured by the column it starts in; from a person, first straight
    along the row to the rail past the longest name."""
    (x1, y1), (x2, y2) = start, end
    colour = KINDS["person"][0] if from_person else KINDS["wijk"][0]
    head = f"M{x1} {y1}"
    if from_person:
        head += f" H{rail_x}"
        x1 = rail_x
    middle = round((x1 + x2) / 2, 1)
    return (
        f'<path d="{head} C{middle} {y1} {middle} {y2} {x2} {y2}" stroke="{colour}"><title>{escape(tip)}</title></path>'
    )


def _node(node: Node, place: tuple[float, float], column: str, href: Href) -> str:
    x, y = place
    colour = KINDS[node.kind][0]
    left = column == "wijk"
    text_x = x - GAP if left else x + GAP
    anchor = "end" if left else "start"
    body = (
        f"<title>{escape(node.label)} ({escape(KINDS[node.kind][1])})</title>"
        f'<circle cx="{x}" cy="{y}" r="6" fill="{colour}"/>'
        f'<text x="{text_x}" y="{round(y + 4, 1)}" text-anchor="{anchor}" paint-order="stroke"'
        f' stroke="#fff" stroke-width="3">{escape(node.label)}</text>'
    )
    link = href(node.iri)
    if link is None:
        return f'<g class="node {node.kind}">{body}</g>'
    return f'<a class="node {node.kind}" href="{escape(link)}">{body}</a>'


def coalition_svg(data: Graph, href: Href) -> Markup:
    """The whole picture for ``data``: what the landing page embeds."""
    return render_svg(coalitions(data), href)
