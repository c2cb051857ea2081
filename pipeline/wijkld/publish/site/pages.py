"""Static HTML pages for people: landing page, one page per resource, vocabulary docs.

The pages are plain files with relative links, so ``dist/`` can be browsed from
disk or served from any host. Templates are autoescaped jinja2; this module
only prepares what they show (view objects of text, hrefs and language tags).
Every collection is sorted before it is shown, and nothing depends on the
clock, so the output is byte-identical across runs and hash seeds.

The data may sit in rdflib's memory store or in Oxigraph (on disk): the pages
read it by triple patterns, one resource at a time, and hold at most one entry
per resource besides what the page being rendered shows. The few questions
about the whole data (which resources there are, how often each vocabulary
term is used) are single passes with output-sized state, or SPARQL queries
where the store answers them itself. Either store gives the same bytes.
"""

from __future__ import annotations

import dataclasses
import functools
import posixpath
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import InitVar, dataclass, field
from functools import cached_property
from typing import Any, overload

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from wijkld.model.iris import VOCAB, Minter
from wijkld.model.vocab import (
    DCTERMS,
    GEO,
    ORG,
    OWL,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    TIME,
    VOID,
    WIJKLD,
    XSD,
    compact_iri,
)
from wijkld.publish import jsonld
from wijkld.publish import serialize as publish
from wijkld.publish.metadata import FileInfo, is_data
from wijkld.publish.site import svg
from wijkld.publish.site.role_model import role_model_svg
from wijkld.publish.site.shapes_page import shapes_page
from wijkld.records.load import Record
from wijkld.resources import templates_dir

#: Well-known licences by IRI; others are shown by their IRI.
LICENCES = {
    "http://creativecommons.org/publicdomain/zero/1.0/": "CC0 1.0 Universal (public domain dedication)",
    "https://creativecommons.org/publicdomain/zero/1.0/": "CC0 1.0 Universal (public domain dedication)",
    "http://creativecommons.org/licenses/by/4.0/": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
    "https://creativecommons.org/licenses/by/4.0/": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
}
LABELS = (RDFS.label, SKOS.prefLabel)
PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)
CLASS_TYPES = (OWL.Class, RDFS.Class)
_SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9_~-][A-Za-z0-9._~-]*$")
#: How many nodes' labels an :class:`Index` keeps; a node is labelled on many pages, but not all nodes at once.
LABEL_CACHE_SIZE = 4096


@dataclass(frozen=True)
class Site:
    """Everything the pages show; all of it is already published elsewhere in dist/."""

    data: Graph  # the dataset (instance data)
    vocabulary: Graph  # the ontology
    metadata: Graph  # DCAT + VoID, with sizes and checksums of the downloads
    files: tuple[FileInfo, ...]  # the downloads (name, media type, size, sha256)
    release: Record  # the release record: version, issued, titles, licence
    minter: Minter  # base IRI; doc IRIs {base}/doc/{type}/{key}
    context: dict  # the JSON-LD context document ({"@context": {...}})
    queries: tuple[tuple[str, str, str], ...]  # (name, title, SPARQL text) of the example queries
    shapes: Graph = field(default_factory=Graph)  # the published (skolemised) shapes, for shapes.html
    #: the example queries' answers on this release, computed by the build from its N-Quads dump
    answers: ExampleAnswers | None = None
    #: statements the page does not make itself -> their basis (Mapper.graphs_of_statements)
    bases: Mapping[tuple[URIRef, URIRef, Node], URIRef] = field(default_factory=dict)


# -- view objects: what the templates show -----------------------------------


@dataclass(frozen=True)
class Text:
    """A piece of text with its language (None: no language tag) and an optional link."""

    text: str
    lang: str | None = None
    href: str | None = None
    note: str | None = None  # shown small after the text: language, datatype or compact IRI
    title: str | None = None  # tooltip, e.g. the full IRI


@dataclass(frozen=True)
class PropertyRow:
    predicate: Text
    values: tuple[Text, ...]


@dataclass(frozen=True)
class Term:
    """One class, property or concept of the vocabulary."""

    anchor: str
    iri: str
    compact: str
    kind: str
    labels: tuple[Text, ...]
    definitions: tuple[Text, ...]
    domains: tuple[tuple[Text, ...], ...]  # each inner tuple is one class or a union of classes
    ranges: tuple[tuple[Text, ...], ...]
    parents: tuple[tuple[str, tuple[Text, ...]], ...]  # (relation, terms): superclasses, superproperties, ...
    usage: int
    usage_text: str


@dataclass(frozen=True)
class Download:
    name: str
    href: str
    titles: tuple[Text, ...]
    media_type: str
    size: int | None
    size_text: str
    sha256: str | None


# -- helpers -------------------------------------------------------------------


def relative(from_page: str, to_path: str) -> str:
    """A link from one output file to another that works from disk and from any host."""
    return _relative_from(posixpath.dirname(from_page) or ".", to_path)


@functools.lru_cache(maxsize=1 << 14)
def _relative_from(folder: str, to_path: str) -> str:
    # remembered: pages live in a few folders, and link the same resources, labels and vocabulary again and again
    return posixpath.relpath(to_path, folder)


def human_size(size: int | None) -> str:
    """Sizes in binary units with one decimal, the way file managers show them."""
    if size is None:
        return "–"
    value = float(size)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def script_json(document: Any) -> Markup:
    """JSON for a ``<script>`` element: ``</`` and ``<!--`` cannot end or derail the element.

    Inside a script element the HTML parser does not decode entities, so the
    usual autoescaping would corrupt the JSON; instead the two sequences that
    the parser reacts to are written with JSON escapes, which parse back to the
    same strings.
    """
    text = jsonld.dumps(document).decode("utf-8").rstrip("\n")
    return Markup(text.replace("</", "<\\/").replace("<!--", "<\\u0021--"))


@overload
def plain(node: Literal) -> Literal: ...
@overload
def plain(node: Node) -> Node: ...
def plain(node: Node) -> Node:
    """A plain literal as a plain literal, whichever store it comes from.

    RDF 1.1 stores (Oxigraph) give every literal without a language tag a datatype, xsd:string
    for plain ones; rdflib's memory store and the mapping leave it out. The pages show a
    literal's datatype, and the Turtle declares the prefixes of the datatypes it uses, so every
    literal read from the data for a page passes through here: ``"x"^^xsd:string`` becomes
    ``"x"``, and both stores give the same bytes. (The mapping never writes an explicit
    xsd:string, so the memory store's pages are as they were.)
    """
    if isinstance(node, Literal) and node.datatype == XSD.string and not node.language:
        return Literal(str(node))
    return node


def native_sparql(graph: Graph) -> bool:
    """Whether ``graph``'s store answers SPARQL itself (Oxigraph) instead of rdflib's evaluator in Python.

    Questions about the whole data go to such a store as one query; rdflib's own stores answer
    them faster by one pass over their triples in Python.
    """
    return not type(graph.store).__module__.startswith("rdflib.")


def _sparql_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _node_key(node: Node) -> tuple[str, str]:
    if isinstance(node, Literal):
        return (str(node), f"{node.language or ''}|{node.datatype or ''}")
    return (str(node), "")


# -- the index of the site: pages, labels, incoming links ----------------------


@dataclass
class Index:
    """Lookups shared by all pages: the resources with a page, and bounded caches of labels and sources.

    Listing the resources is the one pass over the whole data (or one SPARQL query, see
    :func:`resources`); ``things`` skips it where the caller has the list already. Everything
    else is looked up by triple patterns when a page needs it.
    """

    site: Site
    things: InitVar[Sequence[URIRef] | None] = None  # the resources with a page, if known (else read from the data)
    label_cache_size: int = LABEL_CACHE_SIZE
    pages: dict[URIRef, str] = field(default_factory=dict)  # thing IRI -> output path without extension
    _labels: Callable[[Node], tuple[Literal, ...]] = field(init=False, repr=False)
    _derived: Callable[[URIRef, URIRef], tuple[URIRef, ...]] = field(init=False, repr=False)

    def __post_init__(self, things: Sequence[URIRef] | None) -> None:
        for s in resources(self.site.data, self.site.minter) if things is None else sorted(things):
            self.pages[s] = _doc_path(self.site.minter, s)
        self._labels = functools.lru_cache(maxsize=self.label_cache_size)(self._find_labels)
        self._derived = functools.lru_cache(maxsize=self.label_cache_size)(self._find_derived)

    def derived_from(self, subject: URIRef, prop: URIRef) -> tuple[URIRef, ...]:
        """What ``subject`` is derived from by ``prop`` (prov:wasDerivedFrom or a subproperty): the sources its
        statements show. Asked for each of a resource's statements, and for the same rows on several pages, so
        kept for the last :attr:`label_cache_size` (subject, property) pairs."""
        return self._derived(subject, prop)

    def _find_derived(self, subject: URIRef, prop: URIRef) -> tuple[URIRef, ...]:
        return tuple(o for o in self.site.data.objects(subject, prop) if isinstance(o, URIRef))

    @cached_property
    def vocabulary_terms(self) -> frozenset[URIRef]:
        return frozenset(
            s for s in self.site.vocabulary.subjects() if isinstance(s, URIRef) and str(s).startswith(VOCAB)
        )

    def incoming(self, thing: URIRef) -> list[tuple[URIRef, URIRef]]:
        """(subject, predicate) of the triples whose object is ``thing``, a resource with a page; both IRIs."""
        if thing not in self.pages:
            return []
        return [
            (s, p)
            for s, p in self.site.data.subject_predicates(thing)
            if isinstance(s, URIRef) and isinstance(p, URIRef)
        ]

    def thing_of(self, iri: URIRef) -> URIRef:
        """The thing a document IRI ({base}/doc/...) describes, if it has a page; else ``iri`` itself.

        :meth:`Minter.doc_for` swaps the ``/id/`` of a thing IRI for ``/doc/``; this swaps it back.
        """
        thing_iri = self.site.minter.thing_for(str(iri))
        if thing_iri is not None and URIRef(thing_iri) in self.pages:
            return URIRef(thing_iri)
        return iri

    @cached_property
    def source_properties(self) -> frozenset[URIRef]:
        """prov:wasDerivedFrom and the vocabulary's subproperties of it (dateSource, identifierSource)."""
        subs = {
            s for s in self.site.vocabulary.subjects(RDFS.subPropertyOf, PROV.wasDerivedFrom) if isinstance(s, URIRef)
        }
        return frozenset({PROV.wasDerivedFrom, *subs})

    def labels(self, node: Node) -> tuple[Literal, ...]:
        """rdfs:label and skos:prefLabel of a node, from the data or else the vocabulary, deduplicated.

        Kept for the last :attr:`label_cache_size` nodes asked about (least recently used out).
        """
        return self._labels(node)

    def label_cache_info(self) -> Any:
        """Hits, misses, maximum and current size of the label cache (``functools.lru_cache``'s info)."""
        return self._labels.cache_info()  # type: ignore[attr-defined]

    def _find_labels(self, node: Node) -> tuple[Literal, ...]:
        for graph in (self.site.data, self.site.vocabulary):
            found = {plain(o) for p in LABELS for o in graph.objects(node, p) if isinstance(o, Literal)}
            if found:
                return _label_order(found)
        return ()

    def label(self, node: Node, labels: tuple[Literal, ...] | None = None) -> Text:
        """The one label to show: Dutch first (the sources are Dutch), then untagged, then English.

        ``labels``: the node's :meth:`labels` where the caller has them already.
        """
        labels = self.labels(node) if labels is None else labels
        for lang in ("nl", None, "en"):
            for lit in labels:
                if lit.language == lang:
                    return Text(str(lit), lang)
        if labels:
            return Text(str(labels[0]), labels[0].language)
        prefix = self.site.minter.things
        return Text(str(node)[len(prefix) :] if str(node).startswith(prefix) else compact_iri(str(node)))

    def page_of(self, iri: URIRef) -> str | None:
        """Output path (with .html) of the page about a thing or its document IRI, if the site has one."""
        path = self.pages.get(self.thing_of(iri))
        return f"{path}.html" if path is not None else None

    def term_link(self, iri: URIRef, here: str) -> Text:
        """A vocabulary term (class or property) by its compact name, linked to its documentation."""
        name = compact_iri(str(iri))
        if iri in self.vocabulary_terms:
            page = "" if here == "vocabulary.html" else relative(here, "vocabulary.html")
            return Text(name, href=f"{page}#{str(iri)[len(VOCAB) :]}", title=str(iri))
        return Text(name, href=str(iri), title=str(iri))

    def value(self, node: Node, here: str) -> Text:
        """A property value: a link to a page, to the vocabulary, or out; or a literal with its tags."""
        if isinstance(node, Literal):
            literal = plain(node)
            return Text(str(literal), literal.language, note=_literal_note(literal))
        if not isinstance(node, URIRef):
            return Text(str(node))
        page = self.page_of(node)
        if page is not None:
            label = self.label(node)
            return Text(label.text, label.lang, href=relative(here, page), title=str(node))
        if node in self.vocabulary_terms:
            label = self.label(node)
            link = self.term_link(node, here)
            return Text(label.text, label.lang, href=link.href, note=link.text, title=str(node))
        return Text(compact_iri(str(node)), href=str(node), title=str(node))


def _label_order(labels: Iterable[Literal]) -> tuple[Literal, ...]:
    return tuple(sorted(labels, key=lambda lit: (lit.language or "", str(lit))))


def resources(data: Graph, minter: Minter) -> list[URIRef]:
    """The resources that get a page: the subjects minted under ``{base}/id/``, in IRI order.

    One pass over the data with a set of the resources, or one SPARQL query (SELECT DISTINCT)
    where the store answers it natively.
    """
    prefix = minter.things
    if native_sparql(data):
        where = f"?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), {_sparql_string(prefix)}))"
        found = {row[0] for row in data.query(f"SELECT DISTINCT ?s WHERE {{ {where} }}")}  # type: ignore[index]
    else:
        found = {s for s in data.subjects() if isinstance(s, URIRef) and str(s).startswith(prefix)}
    return sorted(s for s in found if isinstance(s, URIRef) and str(s).startswith(prefix))


def _literal_note(literal: Literal) -> str | None:
    """What a reader needs to know beyond the text: its language tag or its datatype."""
    if literal.language:
        return f"@{literal.language}"
    return compact_iri(str(literal.datatype)) if literal.datatype else None


def _doc_path(minter: Minter, thing: URIRef) -> str:
    """:meth:`Minter.document_path` of a thing; refuses anything that could leave dist/."""
    path = minter.document_path(str(thing))
    if not all(_SAFE_SEGMENT.match(s) for s in path.split("/")[1:]):
        raise ValueError(f"cannot make a file name from the document IRI {minter.doc_for(str(thing))}")
    return path


# -- rendering -------------------------------------------------------------------


def environment() -> Environment:
    """Autoescaped templates that fail loudly on a missing variable."""
    return Environment(
        loader=FileSystemLoader(str(templates_dir() / "pages")),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(site: Site) -> dict[str, bytes]:
    """Relative path in dist/ -> file content, for every page and per-resource file."""
    return dict(sorted({**render_site(site), **render_resources(site)}.items()))


def render_site(site: Site) -> dict[str, bytes]:
    """The landing page, the vocabulary, the shapes and the list of resources: the pages that need the whole release."""
    index = Index(site)
    env = environment()
    return {
        "index.html": _page(env, "index.html", "index.html", index, **landing(index)),
        "vocabulary.html": _page(env, "vocabulary.html", "vocabulary.html", index, **vocabulary(index)),
        "resources.html": _page(env, "resources.html", "resources.html", index, **resource_list(index)),
        "shapes.html": _page(env, "shapes.html", "shapes.html", index, **shapes_documentation(index)),
        "examples.html": _page(env, "examples.html", "examples.html", index, **example_answers(index)),
    }


def render_resources(site: Site) -> dict[str, bytes]:
    """Per resource: its HTML page, Turtle and JSON-LD. Needs only the data, vocabulary and context of ``site``."""
    renderer = ResourceRenderer(site)
    return {name: content for thing in renderer.things for name, content in renderer.render(thing).items()}


class ResourceRenderer:
    """The files of one resource at a time, so that processes can share the resources out between them.

    Constructing one lists the resources (one pass over the data, or one query: see
    :func:`resources`), or takes ``things`` from a caller that listed them already; rendering a
    resource reads only its own triples, the triples that point at it, and labels.
    """

    def __init__(self, site: Site, things: Sequence[URIRef] | None = None) -> None:
        self.site = site
        self.index = Index(site, things)
        self.env = environment()
        self.compact = jsonld.compactor(site.context)
        #: every resource with a page, in IRI order
        self.things: list[URIRef] = list(self.index.pages)

    def render(self, thing: URIRef) -> dict[str, bytes]:
        path = self.index.pages[thing]
        graph = Graph(bind_namespaces="none")  # publish.turtle takes the project's prefixes, not the graph's
        graph.addN(
            (thing, p, plain(o), graph) for p, o in self.site.data.predicate_objects(thing) if isinstance(p, URIRef)
        )
        document = self.compact(graph)
        here = f"{path}.html"
        return {
            here: _page(
                self.env, "resource.html", here, self.index, **resource(self.index, thing, here, document, graph)
            ),
            f"{path}.ttl": publish.turtle(graph),
            f"{path}.jsonld": jsonld.dumps(document),
        }


def _page(env: Environment, template: str, here: str, index: Index, **values: Any) -> bytes:
    release = index.site.release
    common = {
        "home": relative(here, "index.html"),
        "vocabulary_page": relative(here, "vocabulary.html"),
        "resources_page": relative(here, "resources.html"),
        "shapes_page": relative(here, "shapes.html"),
        "examples_page": relative(here, "examples.html"),
        "dataset_title": Text(release.text("title_nl") or "wijkld", "nl"),
        "version": release.text("version") or "",
    }
    return env.get_template(template).render(**common, **values).encode("utf-8")


# -- landing page -----------------------------------------------------------------


def landing(index: Index) -> dict[str, Any]:
    site, release = index.site, index.site.release
    licence = release.text("licence") or ""
    dataset = URIRef(site.minter.dataset)
    return {
        "titles": _texts(release, "title"),
        "descriptions": _texts(release, "description"),
        "issued": str(release.get("issued") or ""),
        "modified": str(release.get("modified") or ""),
        "licence": Text(LICENCES.get(licence, licence), href=licence),
        "contact": release.text("contact_email"),
        "dataset_iri": str(dataset),
        "dataset_page": index.page_of(dataset),
        "downloads": [_download(info) for info in sorted(site.files, key=lambda f: f.name)],
        "counts": counts(index),
        "classes": class_partitions(index),
        "queries": [
            {"name": n, "title": t, "title_nl": _header(text, "titel"), "href": f"examples.html#query-{n}"}
            for n, t, text in sorted(site.queries)
        ],
        "network": svg.coalition_svg(site.data, lambda iri: index.page_of(iri)),
        "pilots": [_pilot(index, p) for p in sorted(site.data.subjects(RDF.type, WIJKLD.Pilot), key=str)],
        "teams": team_table(index),
        "data_downloads": data_downloads(index),
        # the spreadsheet of the memberships, when the release has it (wijkld.publish.tables)
        "memberships_table": next((f.name for f in site.files if f.name.endswith("/lidmaatschappen.csv")), None),
    }


@dataclass(frozen=True)
class TeamRow:
    """One entry of the page's table: the team, where, its theme, and who sat in each seat."""

    position: str
    team: Text
    municipality: Text
    wijk: Text
    theme: Text
    #: per seat column, its members in order of start, each with their role where the column's roles differ
    seats: tuple[tuple[tuple[Text, str], ...], ...]


@dataclass(frozen=True)
class TeamTable:
    """The page's table of the teams: a column per seat, as the page has them ("gemeentelijk verantw./DG/onafh.
    3e/minister-stas"), named by the vocabulary's seats."""

    seats: tuple[tuple[str, str], ...]  # (nl, en) name of each seat column
    rows: tuple[TeamRow, ...]


SEAT_ORDER = ("seat-municipal", "seat-director-general", "seat-expert", "seat-cabinet-member", "seat-other")


def _linked(index: Index, node: Node | None, here: str) -> Text:
    """A resource by its label, linked from the page ``here`` to its own page where it has one."""
    if not isinstance(node, URIRef):
        return Text("")
    page = index.page_of(node)
    return dataclasses.replace(index.label(node), href=relative(here, page) if page else None)


def _seat_order(data: Graph, membership: Node) -> tuple[int, str]:
    """Members as the page's table lists them: by seat (municipal, DG, expert, cabinet member), then by start."""
    seat = str(data.value(membership, WIJKLD.seat) or "").rsplit("/", 1)[-1]
    order = SEAT_ORDER.index(seat) if seat in SEAT_ORDER else len(SEAT_ORDER)
    return order, str(data.value(membership, SCHEMA.startDate) or "")


def team_table(index: Index) -> TeamTable:
    """The adoption teams in the page's table order, each with its members by seat, then by start and name."""
    data = index.site.data

    def linked(node: Node | None) -> Text:
        return _linked(index, node, "index.html")

    entries = []
    for team in (t for t in data.subjects(RDF.type, WIJKLD.AdoptionTeam) if isinstance(t, URIRef)):
        position = data.value(team, WIJKLD.position)
        seats: dict[int, list[tuple[str, str, Text, Text]]] = defaultdict(list)
        for membership in data.objects(team, ORG.hasMembership):
            seat, start = _seat_order(data, membership)
            person, role = linked(data.value(membership, ORG.member)), linked(data.value(membership, ORG.role))
            seats[seat].append((start, person.text, person, role))
        entries.append((int(position) if isinstance(position, Literal) else 10**9, team, position, seats))
    present = sorted({seat for *_, seats in entries for seat in seats})
    # a seat's role is said only where the table's members of that seat have different roles (minister or stas)
    varied = {seat: len({role.text for *_, seats in entries for *_, role in seats[seat]}) > 1 for seat in present}
    rows = []
    for order, team, position, seats in entries:
        columns = tuple(
            tuple((p, role.text if varied[seat] else "") for *_, p, role in sorted(seats[seat], key=lambda m: m[:2]))
            for seat in present
        )
        row = TeamRow(
            str(position or ""),
            linked(team),
            linked(data.value(team, WIJKLD.municipality)),
            linked(data.value(team, WIJKLD.wijk)),
            linked(data.value(team, WIJKLD.theme)),
            columns,
        )
        rows.append((order, row))
    ordered = tuple(row for _, row in sorted(rows, key=lambda r: (r[0], r[1].team.text)))
    return TeamTable(tuple(_seat_name(index, seat) for seat in present), ordered)


def _seat_name(index: Index, seat: int) -> tuple[str, str]:
    labels = {lit.language: str(lit) for lit in index.labels(WIJKLD[SEAT_ORDER[min(seat, len(SEAT_ORDER) - 1)]])}
    return labels.get("nl", ""), labels.get("en", "")


def _pilot(index: Index, pilot: Node) -> dict[str, Any]:
    data = index.site.data
    descriptions = sorted(
        (d for d in data.objects(pilot, DCTERMS.description) if isinstance(d, Literal)),
        key=lambda d: d.language != "nl",
    )
    return {"name": index.label(pilot), "descriptions": [Text(str(d), d.language) for d in descriptions]}


# -- example queries with their answers -----------------------------------------------


@dataclass(frozen=True)
class AnswerCell:
    """One value of an answer: an IRI, a literal (with its language) or a blank node, as people read it."""

    value: str  # the IRI, the literal's text or the blank node's label
    shown: str  # the IRI as the query's prefixes write it; the value otherwise
    is_iri: bool = False
    lang: str | None = None


@dataclass(frozen=True)
class QueryAnswer:
    """An example query's answer: rows of cells (SELECT, CONSTRUCT) or a boolean (ASK)."""

    variables: tuple[str, ...] = ()
    rows: tuple[tuple[AnswerCell | None, ...], ...] = ()
    boolean: bool | None = None
    truncated: bool = False  # only the first rows are kept


@dataclass(frozen=True)
class ExampleAnswers:
    dump: str  # the published file the answers were computed from
    by_name: Mapping[str, QueryAnswer] = field(default_factory=dict)


def example_answers(index: Index) -> dict[str, Any]:
    """Every example query with its description, its answer on this release and its SPARQL text."""
    site = index.site
    answers = site.answers.by_name if site.answers else {}
    return {
        "examples": [
            {
                "name": name,
                "title": title,
                "title_nl": _header(text, "titel"),
                "description": _header(text, "description"),
                "text": text,
                "answer": _answer(index, answers[name]) if name in answers else None,
            }
            for name, title, text in sorted(site.queries)
        ],
        "dump": site.answers.dump if site.answers and any(f.name == site.answers.dump for f in site.files) else None,
    }


def _header(text: str, key: str) -> str:
    """A query's ``# key: value`` header line (queries/README.md): ``description``, or ``titel``, its Dutch title."""
    return next((ln.split(":", 1)[1].strip() for ln in text.splitlines() if ln.startswith(f"# {key}:")), "")


def _answer(index: Index, answer: QueryAnswer) -> dict[str, Any]:
    rows = [[_cell(index, cell) for cell in row] for row in answer.rows]
    return {"variables": answer.variables, "rows": rows, "boolean": answer.boolean, "truncated": answer.truncated}


def _cell(index: Index, cell: AnswerCell | None) -> Text:
    if cell is None:
        return Text("")
    if not cell.is_iri:
        return Text(cell.value, lang=cell.lang)
    things = index.site.minter.things
    # our own IRIs by their type and key (persoon/annet-bertram); the full IRI is the link's title
    shown = cell.value[len(things) :] if cell.value.startswith(things) else cell.shown.strip("<>")
    return Text(shown, href=index.page_of(URIRef(cell.value)) or cell.value, title=cell.value)


def _texts(record: Record, stem: str) -> list[Text]:
    return [Text(record.text(f"{stem}_{lang}") or "", lang) for lang in ("nl", "en") if record.text(f"{stem}_{lang}")]


def data_downloads(index: Index) -> list[Download]:
    """The downloads that are distributions of the dataset, as DCAT describes them (:func:`is_data`): the data
    itself, as RDF and as tables, apart from the metadata, vocabulary, shapes and pages."""
    files = [info for info in index.site.files if is_data(info.name)]
    return [_download(info) for info in sorted(files, key=lambda f: (f.media_type == "text/csv", f.name))]


def _download(info: FileInfo) -> Download:
    titles = [Text(info.title_nl, "nl")] + ([Text(info.title_en, "en")] if info.title_en != info.title_nl else [])
    return Download(
        name=info.name,
        href=info.name,
        titles=tuple(titles),
        media_type=info.media_type,
        size=info.size,
        size_text=human_size(info.size),
        sha256=info.sha256,
    )


def _void_dataset(metadata: Graph) -> URIRef | None:
    """The dataset the VoID statistics are about: it states void:triples and is no partition or subset."""
    parts = {o for p in (VOID.classPartition, VOID.propertyPartition, VOID.subset) for o in metadata.objects(None, p)}
    found = sorted(s for s in metadata.subjects(VOID.triples) if isinstance(s, URIRef) and s not in parts)
    return found[0] if found else None


def _int(graph: Graph, s: Node, p: URIRef) -> int | None:
    values = sorted(int(o) for o in graph.objects(s, p) if isinstance(o, Literal))
    return values[0] if values else None


def counts(index: Index) -> dict[str, int | None]:
    """Triples, resources and classes as the VoID description states them (None where it does not)."""
    md = index.site.metadata
    dataset = _void_dataset(md)
    if dataset is None:
        return {"triples": None, "resources": None, "classes": None}
    return {
        "triples": _int(md, dataset, VOID.triples),
        "resources": _int(md, dataset, VOID.entities),
        "classes": len(set(md.objects(dataset, VOID.classPartition))),
    }


def class_partitions(index: Index) -> list[tuple[Text, int]]:
    """(class, instances) from the VoID class partitions, most frequent first."""
    md = index.site.metadata
    dataset = _void_dataset(md)
    rows: list[tuple[Text, int]] = []
    for part in set(md.objects(dataset, VOID.classPartition)) if dataset is not None else set():
        cls = min((o for o in md.objects(part, VOID["class"]) if isinstance(o, URIRef)), default=None)
        if cls is not None:
            rows.append((index.term_link(cls, "index.html"), _int(md, part, VOID.entities) or 0))
    return sorted(rows, key=lambda row: (-row[1], row[0].text))


# -- resource pages -----------------------------------------------------------------


def resource(index: Index, thing: URIRef, here: str, document: Any, own: Graph | None = None) -> dict[str, Any]:
    """What the page of ``thing`` shows; ``own``: its triples (``thing`` as subject) read once, else the data."""
    data = index.site.data if own is None else own
    name = posixpath.basename(here)[: -len(".html")]
    return {
        "iri": str(thing),
        "title": index.label(thing),
        "other_titles": _translations(index, thing),
        "labels": _labels(data, thing),
        "types": [
            index.term_link(t, here) for t in sorted(o for o in data.objects(thing, RDF.type) if isinstance(o, URIRef))
        ],
        "properties": properties(index, thing, here, data),
        "incoming": incoming(index, thing, here),
        "sources": sources(index, thing, here, data),
        "not_from_the_page": not_from_the_page(index, thing, here),
        "at_a_glance": at_a_glance(index, thing, here),
        "summary": summary(index, thing, here, data),
        # a team's page: the picture of its wijk, its members and the organisations they represented
        "team_picture": (
            svg.team_svg(index.site.data, thing, lambda iri: _linked(index, iri, here).href)
            if (thing, RDF.type, WIJKLD.AdoptionTeam) in index.site.data
            else None
        ),
        "data_graph": index.site.minter.graph("data"),
        "json_ld": script_json(document),
        "turtle_href": f"{name}.ttl",
        "jsonld_href": f"{name}.jsonld",
    }


def _translations(index: Index, thing: URIRef) -> list[Text]:
    """The English label beside the Dutch one that heads the page, for the language switch."""
    labels = index.labels(thing)
    title = index.label(thing, labels)
    if title.lang != "nl":
        return []
    return [Text(str(lit), "en") for lit in labels if lit.language == "en" and str(lit) != title.text][:1]


@dataclass(frozen=True)
class Glance:
    """A resource as people read it: a heading and a table of who, what and when (a team's members, a person's
    roles), above the page's list of every statement."""

    heading_nl: str
    heading_en: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Text, ...], ...]
    sources: tuple[tuple[Source, ...], ...]  # per row: where its statements come from, beyond the common ones
    common_sources: tuple[Source, ...]  # where the statements of every row come from


TEAM_COLUMNS = (
    "persoon / person",
    "rol / role",
    "namens / representing",
    "van / from",
    "tot / until",
    "volgt op / replaces",
    "lidmaatschap / membership",
)
PERSON_COLUMNS = (
    "team of functie / team or office",
    "rol / role",
    "namens, bij / for, at",
    "van / from",
    "tot / until",
)
ORGANISATION_COLUMNS = (
    "persoon / person",
    "team of functie / team or office",
    "rol / role",
    "van / from",
    "tot / until",
)


def at_a_glance(index: Index, thing: URIRef, here: str) -> Glance | None:
    """For a team its members, for a person their roles in the teams and in office, for an organisation the
    people who represented it in a team or held a post in it; None for other resources."""
    data = index.site.data

    def linked(node: Node | None) -> Text:
        return _linked(index, node, here)

    def period(node: Node) -> tuple[Text, Text]:
        interval = data.value(node, ORG.memberDuring) or data.value(node, TIME.hasTime)
        if interval is None:
            return Text(""), Text("")
        return linked(data.value(interval, TIME.hasBeginning)), linked(data.value(interval, TIME.hasEnd))

    def sources(node: Node) -> tuple[Source, ...]:
        return _statement_sources(index, ((node, p, o) for p, o in data.predicate_objects(node)), here)

    rows: list[tuple[tuple[int, str, str], tuple[Text, ...], tuple[Source, ...]]] = []
    if (thing, RDF.type, WIJKLD.AdoptionTeam) in data:
        for membership in data.objects(thing, ORG.hasMembership):
            begin, end = period(membership)
            person = linked(data.value(membership, ORG.member))
            cells: tuple[Text, ...] = (
                person,
                linked(data.value(membership, ORG.role)),
                linked(data.value(membership, WIJKLD.representing)),
                begin,
                end,
                linked(data.value(membership, DCTERMS.replaces)),
                linked(membership),
            )
            rows.append(((*_seat_order(data, membership), person.text), cells, sources(membership)))
        return _glance("Leden van het team", "members of the team", TEAM_COLUMNS, rows)
    if (thing, RDF.type, SCHEMA.Person) in data:
        for membership in data.subjects(ORG.member, thing):
            begin, end = period(membership)
            team, role = linked(data.value(membership, ORG.organization)), linked(data.value(membership, ORG.role))
            cells = (team, role, linked(data.value(membership, WIJKLD.representing)), begin, end)
            rows.append(((0, begin.text, team.text), cells, sources(membership)))
        for post in data.subjects(ORG.heldBy, thing):
            begin, end = period(post)
            office = linked(post)
            cells = (office, linked(data.value(post, ORG.role)), linked(data.value(post, ORG.postIn)), begin, end)
            rows.append(((1, begin.text, office.text), cells, sources(post)))
        return _glance("Rollen in de teams en daarbuiten", "roles in the teams and in office", PERSON_COLUMNS, rows)
    if (thing, RDF.type, ORG.Organization) in data:
        for membership in data.subjects(WIJKLD.representing, thing):
            begin, end = period(membership)
            person = linked(data.value(membership, ORG.member))
            team, role = linked(data.value(membership, ORG.organization)), linked(data.value(membership, ORG.role))
            rows.append(((0, person.text, begin.text), (person, team, role, begin, end), sources(membership)))
        for post in data.subjects(ORG.postIn, thing):
            begin, end = period(post)
            person = linked(data.value(post, ORG.heldBy))
            cells = (person, linked(post), linked(data.value(post, ORG.role)), begin, end)
            rows.append(((1, person.text, begin.text), cells, sources(post)))
        return _glance(
            "Mensen in de teams en in functie", "people in the teams and in office", ORGANISATION_COLUMNS, rows
        )
    return None


def _glance(
    heading_nl: str,
    heading_en: str,
    columns: tuple[str, ...],
    rows: list[tuple[tuple[int, str, str], tuple[Text, ...], tuple[Source, ...]]],
) -> Glance | None:
    if not rows:
        return None
    ordered = sorted(rows, key=lambda r: (r[0], tuple(c.text for c in r[1])))
    common, own = _common_sources([r[2] for r in ordered])
    return Glance(heading_nl, heading_en, columns, tuple(r[1] for r in ordered), own, common)


def _common_sources(
    per_row: Sequence[tuple[Source, ...]], takes_part: Sequence[bool] | None = None
) -> tuple[tuple[Source, ...], tuple[tuple[Source, ...], ...]]:
    """The sources that every row taking part shares (said once, under the table), and what each row shows: a
    row taking part its other sources and bases, any other row all of its own. A row whose every statement
    rests on a basis takes no part; nor does one ``takes_part`` leaves out (statements of other resources)."""
    part = [(takes_part is None or takes_part[i]) and any(not s.inferred for s in row) for i, row in enumerate(per_row)]
    rows = [row for row, taking in zip(per_row, part, strict=True) if taking]
    if not rows:
        return (), tuple(per_row)
    common = tuple(s for s in rows[0] if not s.inferred and all(s in row for row in rows[1:]))
    shown = (
        tuple(s for s in row if s not in common) if taking else row for row, taking in zip(per_row, part, strict=True)
    )
    return common, tuple(shown)


# -- summary: the facts about a resource as people read them, each with its source -----------


@dataclass(frozen=True)
class Source:
    """Where a statement comes from: a source (a section of the page, a document), or, where the page does not
    state it, the basis it rests on (our inference, an outside source)."""

    link: Text
    inferred: bool = False


@dataclass(frozen=True)
class Summary:
    """A resource's facts, and the sources that all of them share (said once, under the table)."""

    facts: tuple[Fact, ...]
    common_sources: tuple[Source, ...]


@dataclass(frozen=True)
class Fact:
    """One line of a resource's summary: what it is about (nl, en), its values, and their sources."""

    name_nl: str
    name_en: str
    values: tuple[Text, ...]
    sources: tuple[Source, ...]
    bilingual: bool  # the values give the same text in Dutch and English: the language switch shows one of them


#: Names of reused properties in a summary, in the order the summary shows them; our own properties
#: (wijkld:) are named by the vocabulary's labels and come after these, by Dutch name.
REUSED_PROPERTY_NAMES: dict[URIRef, tuple[str, str]] = {
    ORG.member: ("persoon", "person"),
    ORG.heldBy: ("bekleed door", "held by"),
    ORG.role: ("rol", "role"),
    ORG.organization: ("team", "team"),
    ORG.postIn: ("bij", "at"),
    DCTERMS.type: ("soort", "kind"),
    GEO.sfWithin: ("ligt in", "lies within"),
    SCHEMA.startDate: ("begin of datum", "start or date"),
    SCHEMA.endDate: ("einde", "end"),
    ORG.memberDuring: ("periode", "period"),
    TIME.hasTime: ("periode", "period"),
    TIME.hasBeginning: ("begin", "beginning"),
    TIME.hasEnd: ("einde", "end"),
    SCHEMA.foundingDate: ("opgericht", "founded"),
    SCHEMA.dissolutionDate: ("opgeheven", "dissolved"),
    DCTERMS.issued: ("verschenen", "issued"),
    DCTERMS.creator: ("auteur", "author"),
    DCTERMS.publisher: ("uitgever", "publisher"),
    DCTERMS.isPartOf: ("deel van", "part of"),
    DCTERMS.isReferencedBy: ("vermeld in", "mentioned in"),
    ORG.subOrganizationOf: ("onderdeel van", "part of"),
    SCHEMA.location: ("plaats", "place"),
    SCHEMA.about: ("over", "about"),
    PROV.wasAssociatedWith: ("betrokken", "involved"),
    PROV.wasAttributedTo: ("toegeschreven aan", "attributed to"),
    PROV.wasGeneratedBy: ("voortgekomen uit", "result of"),
    SCHEMA.funder: ("betaald door", "funded by"),
    DCTERMS.replaces: ("volgt op", "replaces"),
    DCTERMS.isReplacedBy: ("opgevolgd door", "replaced by"),
    DCTERMS.subject: ("onderwerp", "subject"),
    OWL.sameAs: ("elders", "elsewhere"),
    SCHEMA.url: ("webadres", "web address"),
    DCTERMS.description: ("beschrijving", "description"),
}
#: Own properties a summary leaves to the list of all statements: they say where a statement comes from (shown
#: beside each fact) or how the page spells a title.
NOT_SUMMARISED = frozenset({WIJKLD.identifierSource, WIJKLD.dateSource, WIJKLD.titleSupplied, WIJKLD.identified})
#: What points at a resource, as its summary names it: (property, name nl, name en).
REVERSE_FACTS: tuple[tuple[URIRef, str, str], ...] = (
    (WIJKLD.wijk, "adoptieteam", "adoption team"),
    (WIJKLD.municipality, "adoptieteams in deze gemeente", "adoption teams in this municipality"),
    (GEO.sfWithin, "omvat", "contains"),
    (ORG.subOrganizationOf, "onderdelen", "units"),
    (WIJKLD.team, "projecten", "projects"),
    (SCHEMA.location, "gebeurtenissen en projecten hier", "events and projects here"),
    (SCHEMA.about, "gebeurtenissen hierover", "events about it"),
    (WIJKLD.assessedPlace, "beoordelingen", "assessments"),
    (PROV.wasGeneratedBy, "resultaten", "results"),
    (WIJKLD.lessonFrom, "leerpunten", "lessons"),
    (DCTERMS.isPartOf, "delen", "parts"),
)


def summary(index: Index, thing: URIRef, here: str, own: Graph | None = None) -> Summary | None:
    """The facts about ``thing`` that people ask for, in Dutch and English, each value with the source of its
    statement; what points at it (a wijk's teams, a municipality's assessments) after what it says itself."""
    data = index.site.data if own is None else own
    facts: list[tuple[tuple[int, str], Fact, bool]] = []  # (order, fact, a statement of ``thing`` itself)
    order = {p: i for i, p in enumerate(REUSED_PROPERTY_NAMES)}
    for p in {p for p in data.predicates(thing) if isinstance(p, URIRef)}:
        name = _property_name(index, p)
        if name is None:
            continue
        objects = list(data.objects(thing, p))
        sources = _statement_sources(index, [(thing, p, o) for o in objects], here)
        rank = (order[p], "") if p in order else (len(order), name[0].casefold())
        facts.append((rank, _fact(index, name, objects, sources, here), True))
    for position, (p, name_nl, name_en) in enumerate(REVERSE_FACTS, start=len(order) + 1):
        subjects = sorted({s for s in index.site.data.subjects(p, thing) if isinstance(s, URIRef)})
        if subjects:
            sources = _statement_sources(index, [(s, p, thing) for s in subjects], here)
            facts.append(((position, ""), _fact(index, (name_nl, name_en), subjects, sources, here), False))
    if not facts:
        return None
    ordered = sorted(facts, key=lambda f: f[0])
    # what points at ``thing`` comes from the other resources' sources: said in full, in its own row
    common, shown = _common_sources([fact.sources for _, fact, _ in ordered], [own for _, _, own in ordered])
    return Summary(
        tuple(dataclasses.replace(fact, sources=s) for (_, fact, _), s in zip(ordered, shown, strict=True)), common
    )


def _property_name(index: Index, p: URIRef) -> tuple[str, str] | None:
    """A property's name for people (nl, en): the vocabulary's labels for our own, else the summary's list."""
    if p in REUSED_PROPERTY_NAMES:
        return REUSED_PROPERTY_NAMES[p]
    if p not in index.vocabulary_terms or p in NOT_SUMMARISED or p in index.source_properties:
        return None
    labels = {lit.language: str(lit) for lit in index.labels(p)}
    return labels.get("nl", compact_iri(str(p))), labels.get("en", compact_iri(str(p)))


def _fact(index: Index, name: tuple[str, str], nodes: Iterable[Node], sources: tuple[Source, ...], here: str) -> Fact:
    # as people read them: without the language and datatype notes of the list of all statements
    values = tuple(dataclasses.replace(v, note=None) for v in _values(index, nodes, here))
    bilingual = len(values) == 2 and {v.lang for v in values} == {"nl", "en"}
    if bilingual:
        values = tuple(sorted(values, key=lambda v: v.lang != "nl"))
    return Fact(name[0], name[1], values, sources, bilingual)


def _statement_sources(index: Index, statements: Iterable[tuple[Node, Node, Node]], here: str) -> tuple[Source, ...]:
    """The sources of some statements: a statement the page does not make shows its basis, marked as inferred;
    the others the sources of their subject (for a date its date source, for an identifier its identifier
    source, where the subject names one)."""
    found = dict[tuple[bool, URIRef], None]()
    for s, p, o in statements:
        if not isinstance(s, URIRef) or not isinstance(p, URIRef):
            continue  # the data's statements are about IRIs; nothing else has a source
        basis = index.site.bases.get((s, p, o))
        if basis is not None:
            found[(True, basis)] = None
            continue
        specific = SPECIFIC_SOURCES.get(p)
        sources = index.derived_from(s, specific) if specific is not None else ()
        for src in sources or index.derived_from(s, PROV.wasDerivedFrom):
            found[(False, src)] = None
    links = [Source(index.value(src, here), inferred) for inferred, src in found]
    return tuple(sorted(links, key=lambda s: (s.inferred, s.link.text.casefold(), s.link.title or "")))


#: Statements whose source the data names by a subproperty of prov:wasDerivedFrom of their own.
SPECIFIC_SOURCES: dict[URIRef, URIRef] = {
    SCHEMA.startDate: WIJKLD.dateSource,
    SCHEMA.endDate: WIJKLD.dateSource,
    WIJKLD.cbsCode: WIJKLD.identifierSource,
    OWL.sameAs: WIJKLD.identifierSource,
}


def _labels(data: Graph, thing: URIRef) -> list[tuple[str, Text]]:
    """Every label by kind and language, Dutch before English before untagged."""
    order = {"nl": 0, "en": 1}
    rows = []
    for p in (RDFS.label, SKOS.prefLabel, SKOS.altLabel):
        for lit in data.objects(thing, p):
            if isinstance(lit, Literal):
                rows.append((compact_iri(str(p)), Text(str(lit), lit.language)))
    return sorted(set(rows), key=lambda r: (r[0], order.get(r[1].lang or "", 2), r[1].lang or "", r[1].text))


def properties(index: Index, thing: URIRef, here: str, own: Graph | None = None) -> list[PropertyRow]:
    """Every property with its values; rdf:type first, then by compact name (``own``: see :func:`resource`)."""
    data = index.site.data if own is None else own
    predicates = sorted(
        {p for p in data.predicates(thing) if isinstance(p, URIRef)},
        key=lambda p: (p != RDF.type, compact_iri(str(p))),
    )
    return [PropertyRow(index.term_link(p, here), _values(index, data.objects(thing, p), here)) for p in predicates]


def _values(index: Index, nodes: Iterable[Node], here: str) -> tuple[Text, ...]:
    shown = [(index.value(node, here), node) for node in map(plain, nodes)]
    return tuple(t for t, _ in sorted(shown, key=lambda tn: (tn[0].text.casefold(), _node_key(tn[1]))))


@dataclass(frozen=True)
class BasisRow:
    subject: Text
    predicate: Text
    value: Text
    basis: Text


def not_from_the_page(index: Index, thing: URIRef, here: str) -> list[BasisRow]:
    """The statements about ``thing`` that rest on a basis, or (on a basis's own page) that rest on it."""
    rows = [
        (BasisRow(index.value(s, here), index.term_link(p, here), index.value(plain(o), here), index.value(b, here)), o)
        for (s, p, o), b in index.site.bases.items()
        if thing in (s, b)
    ]
    rows.sort(key=lambda r: (r[0].subject.text, r[0].predicate.text, r[0].value.text.casefold(), _node_key(r[1])))
    return [row for row, _ in rows]


def incoming(index: Index, thing: URIRef, here: str) -> list[tuple[Text, Text]]:
    """(resource, property) of the triples that point at this resource."""
    rows = [(index.value(s, here), index.term_link(p, here), str(s)) for s, p in index.incoming(thing)]
    rows.sort(key=lambda r: (r[1].text, r[0].text.casefold(), r[2]))
    return [(s, p) for s, p, _ in rows]


def sources(index: Index, thing: URIRef, here: str, own: Graph | None = None) -> list[dict[str, Any]]:
    """Where the facts come from: the source pages with their titles, and the original web address."""
    data, rows = index.site.data, []
    for p in sorted(index.source_properties):
        for src in sorted(o for o in (data if own is None else own).objects(thing, p) if isinstance(o, URIRef)):
            titles = sorted(
                (Text(str(t), t.language) for t in data.objects(src, DCTERMS.title) if isinstance(t, Literal)),
                key=lambda t: (t.lang != "nl", t.lang or "", t.text),
            )
            urls = sorted(str(u) for u in data.objects(src, SCHEMA.url))
            rows.append(
                {"via": index.term_link(p, here), "link": index.value(src, here), "titles": titles, "urls": urls}
            )
    return rows


# -- resource list ------------------------------------------------------------------


def resource_list(index: Index) -> dict[str, Any]:
    """All resource pages grouped by the type segment of their IRI.

    Each entry is what :meth:`Index.value` shows for the resource. Where the store answers SPARQL,
    the labels of all resources come in one query instead of a lookup per resource.
    """
    here = "resources.html"
    known = _resource_labels(index) if native_sparql(index.site.data) else {}
    groups: dict[str, list[tuple[Text, str]]] = defaultdict(list)
    for thing, path in index.pages.items():
        segment = path.split("/")[1]
        label = index.label(thing, known.pop(thing, None))
        shown = Text(label.text, label.lang, href=relative(here, f"{path}.html"), title=str(thing))
        groups[segment].append((shown, str(thing)))
    return {
        "groups": [
            (segment, [t for t, _ in sorted(items, key=lambda i: (i[0].text.casefold(), i[1]))])
            for segment, items in sorted(groups.items())
        ]
    }


def _resource_labels(index: Index) -> dict[URIRef, tuple[Literal, ...]]:
    """:meth:`Index.labels` of the resources with a page that have labels in the data, by one SPARQL query."""
    prefix = _sparql_string(index.site.minter.things)
    query = (
        f"SELECT ?s ?l WHERE {{ VALUES ?p {{ {' '.join(p.n3() for p in LABELS)} }} ?s ?p ?l"
        f" FILTER(isIRI(?s) && isLiteral(?l) && STRSTARTS(STR(?s), {prefix})) }}"
    )
    found: dict[URIRef, set[Literal]] = defaultdict(set)
    for s, lit in index.site.data.query(query):  # type: ignore[misc]
        if isinstance(s, URIRef) and isinstance(lit, Literal) and s in index.pages:
            found[s].add(plain(lit))
    return {s: _label_order(lits) for s, lits in found.items()}


# -- vocabulary ---------------------------------------------------------------------


def shapes_documentation(index: Index) -> dict[str, Any]:
    """What shapes.html shows (:func:`shapes_page`), its term links into the vocabulary page."""
    return shapes_page(index.site.shapes, index.vocabulary_terms, "vocabulary.html")


def vocabulary(index: Index) -> dict[str, Any]:
    """The ontology header, then every term of the wijkld namespace in four sections."""
    vocab = index.site.vocabulary
    ontology = min(
        (s for s in vocab.subjects(RDF.type, OWL.Ontology) if isinstance(s, URIRef)), default=URIRef(VOCAB.rstrip("/"))
    )
    terms = sorted(index.vocabulary_terms)
    usage = _usage(index)

    def section(types: tuple[URIRef, ...], unit: str) -> list[Term]:
        return [_term(index, t, usage, unit) for t in terms if any((t, RDF.type, c) in vocab for c in types)]

    return {
        "ontology_iri": str(ontology),
        "ontology_titles": _lang_texts(vocab, ontology, DCTERMS.title),
        "ontology_descriptions": _lang_texts(vocab, ontology, DCTERMS.description),
        "ontology_version": min((str(o) for o in vocab.objects(ontology, OWL.versionInfo)), default=""),
        "namespace": VOCAB,
        "role_model": role_model_svg(lambda term: _term_href(index, term)),
        "sections": [
            ("classes", "Classes", section(CLASS_TYPES, "instances")),
            ("properties", "Properties", section(PROPERTY_TYPES, "triples")),
            ("schemes", "Concept schemes", section((SKOS.ConceptScheme,), "concepts")),
            ("concepts", "Concepts", section((SKOS.Concept,), "uses as value")),
        ],
    }


def _term_href(index: Index, term: str) -> str:
    """Where the vocabulary page links a compact IRI: our terms to their section, our resources to their page."""
    prefix, local = term.split(":", 1)
    if prefix == "wijkld":
        return f"#{local}"
    if prefix == "id":
        iri = index.site.minter.things + local
        return index.page_of(URIRef(iri)) or iri
    return str(PREFIXES[prefix]) + local


def _usage(index: Index) -> Counter[URIRef]:
    """Instances per class, triples per property, concepts per scheme, and values per concept.

    Counted for the vocabulary's terms only (the page shows no others): one pass over the data
    with a counter per term, or one SPARQL aggregate where the store answers it natively.
    """
    data, vocab = index.site.data, index.site.vocabulary
    usage: Counter[URIRef] = Counter()
    terms = index.vocabulary_terms
    if native_sparql(data):
        if terms:
            query = (
                f"SELECT ?t (COUNT(*) AS ?n) WHERE {{ VALUES ?t {{ {' '.join(t.n3() for t in sorted(terms))} }}"
                f" {{ ?s {RDF.type.n3()} ?t }} UNION {{ ?s ?t ?o }} UNION {{ ?s ?p ?t FILTER(?p != {RDF.type.n3()}) }}"
                " } GROUP BY ?t"
            )
            for term, n in data.query(query):  # type: ignore[misc]
                usage[URIRef(term)] = int(n)
    else:
        for _, p, o in data:
            if p == RDF.type:
                if isinstance(o, URIRef) and o in terms:
                    usage[o] += 1
                continue
            if isinstance(p, URIRef) and p in terms:
                usage[p] += 1
            if isinstance(o, URIRef) and o in terms:
                usage[o] += 1
    for scheme in vocab.subjects(RDF.type, SKOS.ConceptScheme):
        if isinstance(scheme, URIRef):
            usage[scheme] = len(set(vocab.subjects(SKOS.inScheme, scheme)))
    return usage


def _lang_texts(graph: Graph, s: Node, p: URIRef) -> list[Text]:
    order = {"nl": 0, "en": 1}
    found = [Text(str(o), o.language) for o in graph.objects(s, p) if isinstance(o, Literal)]
    return sorted(found, key=lambda t: (order.get(t.lang or "", 2), t.lang or "", t.text))


def _term(index: Index, term: URIRef, usage: Counter[URIRef], unit: str) -> Term:
    vocab, here = index.site.vocabulary, "vocabulary.html"
    types = sorted(compact_iri(str(t)) for t in vocab.objects(term, RDF.type))
    return Term(
        anchor=str(term)[len(VOCAB) :],
        iri=str(term),
        compact=compact_iri(str(term)),
        kind=", ".join(types),
        labels=tuple(_lang_texts(vocab, term, RDFS.label)),
        definitions=tuple(_lang_texts(vocab, term, SKOS.definition)),
        domains=_class_expressions(index, vocab.objects(term, RDFS.domain), here),
        ranges=_class_expressions(index, vocab.objects(term, RDFS.range), here),
        parents=_parents(index, term, here),
        usage=usage.get(term, 0),
        usage_text=unit,
    )


PARENT_RELATIONS = (
    (RDFS.subClassOf, "Subclass of"),
    (RDFS.subPropertyOf, "Subproperty of"),
    (SKOS.inScheme, "In scheme"),
    (SKOS.broader, "Broader concept"),
)


def _parents(index: Index, term: URIRef, here: str) -> tuple[tuple[str, tuple[Text, ...]], ...]:
    """Superclasses, superproperties, scheme and broader concept, each relation with its targets."""
    rows = []
    for relation, name in PARENT_RELATIONS:
        targets = sorted(o for o in index.site.vocabulary.objects(term, relation) if isinstance(o, URIRef))
        if targets:
            rows.append((name, tuple(index.term_link(t, here) for t in targets)))
    return tuple(rows)


def _class_expressions(index: Index, nodes: Iterable[Node], here: str) -> tuple[tuple[Text, ...], ...]:
    """Named classes as one link each; owl:unionOf (blank or skolemised) as a group of links."""
    vocab, groups = index.site.vocabulary, []
    for node in nodes:
        members = next(iter(vocab.objects(node, OWL.unionOf)), None)
        if members is not None:
            items = [m for m in Collection(vocab, members) if isinstance(m, URIRef)]
            groups.append(tuple(index.term_link(m, here) for m in sorted(items)))
        elif isinstance(node, URIRef):
            groups.append((index.term_link(node, here),))
    return tuple(sorted(groups, key=lambda g: tuple(t.text for t in g)))
