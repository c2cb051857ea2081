"""The coalition network as an SVG picture, drawn at build time without any script.

Three columns: the adopted wijken, the persons in their adoption teams, and the
organisations (ministries apart) those persons represent. The landing page draws
every team (:func:`coalition_svg`); a team's page draws that team alone
(:func:`team_svg`), with the same code and a tighter :class:`Style`. Order within
a column comes from the data only (team position, then neighbours' rows, then
label and IRI), coordinates are rounded, and nothing is random, so the bytes
depend on the data alone and never on the hash seed or the run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction

from markupsafe import Markup, escape
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node as Term

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
class Style:
    """What differs between the landing page's picture of every team and a team page's picture of one."""

    ident: str  # prefix of the ids of the picture's <title> and <desc>, which label it
    headings: tuple[str, str, str]  # of the wijk, person and organisation columns
    to_persons: float  # from the wijk column to the person column: room for the lines to fan out
    to_organisations: float  # from the rail past the person labels to the organisation column
    min_width: float
    #: distance between legend entries, every kind listed; None: only the kinds drawn, each right after the last
    legend_step: float | None
    css_class: str = "network"


LANDING = Style(
    ident="network",
    headings=("Wijken", "Personen / persons", "Organisaties / organisations"),
    to_persons=240,
    to_organisations=200,
    min_width=640,
    legend_step=210,
)
#: One wijk's lines fan out to a handful of members: a third of the landing page's room is plenty, and keeps most
#: teams' pictures within the page's width on a laptop (72rem) at 12 px.
TEAM = Style(
    ident="team-network",
    headings=("Wijk", "Leden / members", "Namens / representing"),
    to_persons=80,
    to_organisations=80,
    min_width=0,
    legend_step=None,
    css_class="network team",
)


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


def _team_wijken(data: Graph, teams: Iterable[URIRef] | None) -> list[tuple[Term, Term]]:
    """(team, wijk) for every team of ``data``, or for ``teams`` only."""
    if teams is None:
        return list(data.subject_objects(WIJKLD.wijk))
    return [(team, wijk) for team in teams for wijk in data.objects(team, WIJKLD.wijk)]


def _team_edges(data: Graph, teams: Iterable[URIRef] | None = None) -> tuple[Edges, Edges, dict[URIRef, int]]:
    """Wijk-person and person-organisation edges named after the team, and each wijk's first table row; of every
    team, or of ``teams`` only.

    Sets and minimums only, so the result does not depend on the order rdflib yields triples in.
    """
    wijk_person: Edges = set()
    person_org: Edges = set()
    position: dict[URIRef, int] = {}
    for team, wijk in _team_wijken(data, teams):
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


def coalitions(data: Graph, teams: Iterable[URIRef] | None = None) -> Network:
    """The network: team members via org:Membership, their organisations via wijkld:representing; of every team,
    or of ``teams`` only (a team's page: every membership of the team, replaced members too).

    Read by triple patterns from the teams (``wijkld:wijk``) outwards, never by a walk over all of
    ``data``; the labels of the drawn nodes are looked up once each.
    """
    teams = None if teams is None else sorted(teams)
    wijk_person, person_org, position = _team_edges(data, teams)
    names: dict[URIRef, str] = {}
    municipalities = {w: m for t, w in _team_wijken(data, teams) for m in data.objects(t, WIJKLD.municipality)}

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


def layout(network: Network, style: Style = LANDING) -> Layout:
    """Columns as close as ``style`` lets them be, and wide enough for every label, heading and the legend."""

    def widest(nodes: tuple[Node, ...]) -> float:
        return max((text_width(n.label) for n in nodes), default=0.0)

    headings = [text_width(h) for h in _heading_texts(network, style)]
    wijk_x = round(max(20 + widest(network.wijken) + GAP, 20 + headings[0]), 1)
    person_x = round(wijk_x + style.to_persons, 1)
    rail_x = round(person_x + GAP + widest(network.persons) + 12, 1)
    organisation_x = round(max(rail_x + style.to_organisations, person_x + headings[1] + 30), 1)
    legend_x, _, legend_text = _legend_entries(network, style)[-1]
    width = max(
        round(organisation_x + GAP + widest(network.organisations) + 20, 1),
        round(organisation_x + headings[2] + 20, 1),
        round(legend_x + 12 + text_width(legend_text) + 20, 1),
        style.min_width,
    )
    return Layout(wijk_x, person_x, rail_x, organisation_x, width)


def render_svg(
    network: Network, href: Href, style: Style = LANDING, alternative: tuple[str, str] | None = None
) -> Markup:
    """The picture as inline SVG markup; ``href`` gives a node's page link (or None), ``alternative`` the title
    and the description (plain text) where they are not the landing page's."""
    tallest = max(len(network.wijken), len(network.persons), len(network.organisations), 1)
    height = TOP + tallest * ROW + BOTTOM
    at = layout(network, style)
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
    title, desc = alternative or (
        "Netwerk van de adoptieteams: wijken, personen en organisaties"
        " / Network of the adoption teams: wijken, persons and organisations",
        f"{counts[0]} wijken, elk verbonden met de {counts[1]} personen van hun adoptieteams;"
        f" elke persoon verbonden met de organisatie die hij of zij in het team vertegenwoordigde ({counts[2]})."
        " De tabel van de adoptieteams op deze pagina geeft hetzelfde als tekst.",
    )
    ident = style.ident
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {at.width} {height}"'
        f' width="{at.width}" height="{height}"'
        # a group, not an img: an img's content is hidden from assistive technology, and this one holds links
        f' role="group" aria-labelledby="{ident}-title {ident}-desc" class="{style.css_class}"'
        f' font-family="system-ui, sans-serif" font-size="{FONT_SIZE}">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(desc)}</desc>',
        *_legend(network, style),
        *_headings(network, at, style),
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


def _legend_entries(network: Network, style: Style) -> list[tuple[float, str, str]]:
    """(x, colour, text) of each legend entry: every kind at a fixed step, or, without a step, the kinds drawn,
    each after the one before."""
    if style.legend_step is not None:
        return [(20 + i * style.legend_step, colour, text) for i, (colour, text) in enumerate(KINDS.values())]
    drawn = {n.kind for n in (*network.wijken, *network.persons, *network.organisations)} or set(KINDS)
    entries: list[tuple[float, str, str]] = []
    x = 20.0
    for kind, (colour, text) in KINDS.items():
        if kind in drawn:
            entries.append((x, colour, text))
            x = round(x + 12 + text_width(text) + 24, 1)
    return entries


def _legend(network: Network, style: Style) -> list[str]:
    parts = ['<g class="legend">']
    for x, colour, text in _legend_entries(network, style):
        parts.append(f'<circle cx="{x:g}" cy="16" r="6" fill="{colour}"/>')
        parts.append(f'<text x="{x + 12:g}" y="20">{escape(text)}</text>')
    parts.append("</g>")
    return parts


def _heading_texts(network: Network, style: Style) -> list[str]:
    """The headings of the wijk, person and organisation columns, each with its count."""
    counts = (len(network.wijken), len(network.persons), len(network.organisations))
    return [f"{name} ({count})" for name, count in zip(style.headings, counts, strict=True)]


def _headings(network: Network, at: Layout, style: Style) -> list[str]:
    anchors = ((at.wijk_x, "end"), (at.person_x, "start"), (at.organisation_x, "start"))
    return [
        f'<text x="{x}" y="50" text-anchor="{anchor}" font-weight="bold">{escape(text)}</text>'
        for text, (x, anchor) in zip(_heading_texts(network, style), anchors, strict=True)
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


def team_svg(data: Graph, team: URIRef, href: Href) -> Markup:
    """The picture of one adoption team, for its page: its wijk, everyone who sat on it (replaced members too),
    and the organisation each represented there; empty markup for a team without a wijk or members."""
    network = coalitions(data, [team])
    if not network.edges:
        return Markup("")
    names = {lang: _label_in(data, team, lang) for lang in ("nl", "en")}
    wijken = " en ".join(n.label for n in network.wijken) or "(geen wijk)"
    title = (
        f"{names['nl']}: de wijk, de leden en de organisaties die zij vertegenwoordigden"
        f" / {names['en']}: the wijk, the members and the organisations they represented"
    )
    desc = (
        f"De wijk {wijken}, verbonden met de {len(network.persons)} personen die in het team zaten (ook wie werd"
        " opgevolgd); elke persoon verbonden met de organisatie die hij of zij in het team vertegenwoordigde"
        f" ({len(network.organisations)}). De tabel van de leden hierboven geeft hetzelfde als tekst."
    )
    return render_svg(network, href, TEAM, (title, desc))


def _label_in(data: Graph, node: URIRef, lang: str) -> str:
    """The label in ``lang``, else the one :func:`label_of` picks."""
    found = sorted(str(o) for o in data.objects(node, RDFS.label) if isinstance(o, Literal) and o.language == lang)
    return found[0] if found else label_of(data, node)
