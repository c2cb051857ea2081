"""Map source records to RDF, built from rdflib terms (never from text templates).

Each record becomes one resource with an IRI of its own; memberships, periods,
instants and quantities get IRIs too, so the published data has no blank nodes.
Records are visited in key order, so the triples come out in a stable order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from wijkld import __version__
from wijkld.errors import InputError, Problem
from wijkld.model.iris import Minter
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
    WIJKLD,
    XSD,
)
from wijkld.records.load import PartialDate, Record, Records
from wijkld.records.schema import CONTAINER_KINDS, COUNTING_UNITS

Triple = tuple[URIRef, URIRef, Node]

SEGMENTS = {
    "source": "bron",
    "concept": "begrip",
    "organisation": "organisatie",
    "person": "persoon",
    "post": "functie",
    "programme": "programma",
    "team": "adoptieteam",
    "membership": "lidmaatschap",
    "project": "project",
    "event": "gebeurtenis",
    "quantity": "hoeveelheid",
    "assessment": "beoordeling",
    "lesson": "leerpunt",
    "basis": "grondslag",
}
#: The record types in the order the data is mapped (and published); each is a method of :class:`Mapper`.
RECORD_HANDLERS = (
    "source",
    "concept",
    "organisation",
    "place",
    "person",
    "post",
    "programme",
    "team",
    "membership",
    "project",
    "event",
    "quantity",
    "assessment",
    "lesson",
    "basis",
)
BASIS_CLASSES = {"inferred": WIJKLD.Inference, "external": WIJKLD.ExternalStatement}
PLACE_SEGMENTS = {"municipality": "gemeente", "district": "stadsdeel", "wijk": "wijk", "neighbourhood": "buurt"}
PLACE_CLASSES = {
    "municipality": WIJKLD.Municipality,
    "district": WIJKLD.District,
    "wijk": WIJKLD.Wijk,
    "neighbourhood": WIJKLD.Neighbourhood,
}
SOURCE_CLASSES = {
    "webpage": SCHEMA.WebPage,
    "section": SCHEMA.WebPageElement,
    "article": SCHEMA.NewsArticle,
    "report": SCHEMA.Report,
    "annex": SCHEMA.Report,
    "column": SCHEMA.OpinionNewsArticle,
    "document": SCHEMA.DigitalDocument,
    "dataset": SCHEMA.Dataset,
    "biography": SCHEMA.ProfilePage,
    "periodical": SCHEMA.Periodical,
    "series": SCHEMA.CreativeWorkSeries,
}
PROGRAMME_CLASSES = {
    "pilot": WIJKLD.Pilot,
    "policy-programme": WIJKLD.Programme,
    "local-programme": WIJKLD.Programme,
}
#: Labels of the concept schemes; each scheme is a resource of its own.
SCHEME_LABELS: dict[str, tuple[str, str]] = {
    "role": ("rollen", "roles"),
    "theme": ("thema's van de adoptieteams", "themes of the adoption teams"),
    "keyword": ("kernwoorden", "key words"),
    "policy-domain": ("beleidsterreinen", "policy domains"),
    "contribution": ("inzet van de teamleden", "contributions of team members"),
    "verdict": ("oordelen", "verdicts"),
    "quantity-kind": ("soorten hoeveelheden", "kinds of quantity"),
    "event-kind": ("soorten gebeurtenissen", "kinds of event"),
    "portfolio": ("portefeuilles", "portfolios"),
    "issue": ("vraagstukken", "issues addressed"),
    "service": ("voorzieningen", "services"),
    "actor-kind": ("soorten partijen", "kinds of party"),
}
DATE_TYPES = {"year": XSD.gYear, "month": XSD.gYearMonth, "day": XSD.date}
INSTANT_PROPERTIES = {"year": TIME.inXSDgYear, "month": TIME.inXSDgYearMonth, "day": TIME.inXSDDate}


def seat_iri(seat: str) -> URIRef:
    return WIJKLD[f"seat-{seat}"]


def organisation_kind_iri(kind: str) -> URIRef:
    return WIJKLD[f"kind-{kind}"]


def project_kind_iri(kind: str) -> URIRef:
    return WIJKLD[f"project-kind-{kind}"]


def date_literal(date: PartialDate) -> Literal:
    return Literal(date.iso, datatype=DATE_TYPES[date.precision])


MONTH_NAMES = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}  # fmt: skip


def date_label(date: PartialDate, lang: str) -> Literal:
    """A date as people write it (22 februari 2007, February 2007, 2007), tagged with its language."""
    words = [str(date.year)]
    if date.month is not None:
        words.insert(0, MONTH_NAMES[lang][date.month - 1])
    if date.day is not None:
        words.insert(0, str(date.day))
    return Literal(" ".join(words), lang=lang)


def labels_in_both_languages(text: str) -> tuple[Literal, Literal]:
    """A name that is the same in Dutch and English (a person's, a version's): one label per language, so
    that a query asking for either language finds it (every rdfs:label is language-tagged)."""
    return Literal(text, lang="nl"), Literal(text, lang="en")


def number_literal(value: object, unit: str) -> Literal:
    """A count (of things or years) as xsd:integer, any other amount (money, megabytes) as xsd:decimal;
    the loader has checked that counts are whole."""
    if unit in COUNTING_UNITS:
        assert isinstance(value, Decimal) and value == value.to_integral_value()
        return Literal(str(int(value)), datatype=XSD.integer)
    return decimal_literal(value)


def decimal_literal(value: object) -> Literal:
    """An xsd:decimal in its canonical form (250000.50 as 250000.5, 7.00 as 7), the form the Oxigraph
    store keeps: it stores decimals by value, so any other form would change between the mapping and
    the published files. ``:f`` because str() writes 0.0000001 as 1E-7, which xsd:decimal does not allow."""
    assert isinstance(value, Decimal)
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text.lstrip("-").strip("0") == "":
        text = "0"
    return Literal(text, datatype=XSD.decimal)


class FieldsNeeded(Exception):
    """A basis names fields its record cannot be mapped without: only the whole record can rest on it."""

    def __init__(self, basis: Record, target: Record) -> None:
        super().__init__(basis.key)
        self.basis, self.target = basis, target

    def problem(self) -> Problem:
        fields = " | ".join(self.basis.many("fields"))
        return Problem(
            self.basis.file,
            self.basis.line,
            "fields",
            f"{self.target.type} {self.target.key} cannot be published without '{fields}'; expected other fields,"
            " or none for the whole record",
        )


@dataclass(frozen=True)
class Mapper:
    records: Records
    minter: Minter

    @cached_property
    def _members_by_team(self) -> dict[str, list[str]]:
        return _group(self.records.of("membership"), "team")

    @cached_property
    def _replaced_by(self) -> dict[str, list[str]]:
        return _group(self.records.of("membership"), "replaces")

    # -- IRIs -------------------------------------------------------------
    @cached_property
    def _iris(self) -> dict[tuple[str, str], URIRef]:
        return {}

    def iri(self, type_name: str, key: str) -> URIRef:
        # a thing is named by every triple about it and every link to it: minting (slugify) and rdflib's
        # IRI check are done once per thing; bounded, so that memory stays flat on big record sets
        found = self._iris.get((type_name, key))
        if found is None:
            if len(self._iris) >= 200_000:
                self._iris.clear()
            found = self._iris[(type_name, key)] = self._mint(type_name, key)
        return found

    def _mint(self, type_name: str, key: str) -> URIRef:
        if type_name == "*":
            (record,) = self.records.find(key)
            return self.iri(record.type, key)
        if type_name == "place":
            kind = self.records.get("place", key).text("kind") or "wijk"
            return URIRef(self.minter.thing(PLACE_SEGMENTS[kind], key))
        if type_name == "scheme":
            return URIRef(self.minter.thing("begrippenkader", key))
        return URIRef(self.minter.thing(SEGMENTS[type_name], key))

    def of(self, record: Record) -> URIRef:
        return self.iri(record.type, record.key)

    def instant(self, date: PartialDate) -> URIRef:
        return URIRef(self.minter.thing("tijdstip", date.iso))

    def interval(self, owner: Record) -> URIRef:
        segment = SEGMENTS[owner.type]
        return URIRef(self.minter.thing("periode", f"{segment}-{owner.key}"))

    @property
    def dataset(self) -> URIRef:
        return URIRef(self.minter.dataset)

    # -- triples ----------------------------------------------------------
    def triples(self) -> Iterator[Triple]:
        """All triples of the data, record type by record type, each in key order."""
        yield from self.schemes()
        for type_name in RECORD_HANDLERS:
            handler = getattr(self, type_name)
            for record in self.records.of(type_name):
                yield from handler(record)
        yield from self.instants()
        yield from self.provenance()

    def common(
        self, r: Record, *classes: URIRef, label_nl: str = "name_nl", label_en: str = "name_en"
    ) -> Iterator[Triple]:
        s = self.of(r)
        for cls in classes:
            yield s, RDF.type, cls
        if r.text(label_nl):
            yield s, RDFS.label, Literal(r.text(label_nl), lang="nl")
        if r.text(label_en):
            yield s, RDFS.label, Literal(r.text(label_en), lang="en")
        for alt in r.many("alt_names"):
            yield s, SKOS.altLabel, Literal(alt, lang="nl")
        for lang in ("nl", "en"):
            text = r.text(f"description_{lang}")
            if text:
                yield s, DCTERMS.description, Literal(text, lang=lang)
        if r.text("note"):
            yield s, SKOS.editorialNote, Literal(r.text("note"))
        for key in r.many("source"):
            yield s, PROV.wasDerivedFrom, self.iri("source", key)
        yield s, DCTERMS.identifier, Literal(r.key)
        yield s, FOAF_PAGE, URIRef(self.minter.doc_for(str(s)))

    def ref(self, s: URIRef, p: URIRef, r: Record, field: str, target: str) -> Iterator[Triple]:
        key = r.text(field)
        if key:
            yield s, p, self.iri(target, key)

    def refs(self, s: URIRef, p: URIRef, r: Record, field: str, target: str) -> Iterator[Triple]:
        for key in r.many(field):
            yield s, p, self.iri(target, key)

    def schemes(self) -> Iterator[Triple]:
        used = sorted({r.text("scheme") or "" for r in self.records.of("concept")})
        for scheme in used:
            s = self.iri("scheme", scheme)
            nl, en = SCHEME_LABELS[scheme]
            yield s, RDF.type, SKOS.ConceptScheme
            yield s, RDFS.label, Literal(nl, lang="nl")
            yield s, RDFS.label, Literal(en, lang="en")
            yield s, SKOS.prefLabel, Literal(nl, lang="nl")
            yield s, SKOS.prefLabel, Literal(en, lang="en")
            yield s, DCTERMS.identifier, Literal(scheme)
            yield s, FOAF_PAGE, URIRef(self.minter.doc_for(str(s)))
            yield s, PROV.wasDerivedFrom, self.iri("source", self.records.release.many("source")[0])

    def source(self, r: Record) -> Iterator[Triple]:
        s = self.of(r)
        yield from self.common(
            r,
            SOURCE_CLASSES[r.text("kind") or "document"],
            DCTERMS.BibliographicResource,
            PROV.Entity,
            label_nl="title",
            label_en="title_en",
        )
        title = r.text("title") or ""
        yield s, DCTERMS.title, Literal(title, lang="nl")
        if r.text("title_en"):
            yield s, DCTERMS.title, Literal(r.text("title_en"), lang="en")
        if title.startswith("[") and title.endswith("]"):  # data/README.md: a title the source does not give
            yield s, WIJKLD.titleSupplied, Literal(True)
        yield from self.ref(s, DCTERMS.isPartOf, r, "part_of", "source")
        yield from self.refs(s, WIJKLD.summarises, r, "summarises", "source")
        yield from self.refs(s, DCTERMS.isReferencedBy, r, "cited_in", "source")
        # What we know about a source comes from the page it is part of or the section that cites it; a
        # periodical holds an item, but we know the item from the section citing it.
        whole = r.text("part_of")
        if whole and self.records.get("source", whole).text("kind") not in CONTAINER_KINDS:
            yield s, PROV.wasDerivedFrom, self.iri("source", whole)
        yield from self.refs(s, PROV.wasDerivedFrom, r, "cited_in", "source")
        yield from self.ref(s, DCTERMS.publisher, r, "publisher", "organisation")
        yield from self.ref(s, DCTERMS.creator, r, "author", "person")
        date = r.date("date")
        if date:
            yield s, DCTERMS.issued, date_literal(date)
        if r.text("url"):
            yield s, SCHEMA.url, URIRef(r.text("url") or "")
        if r.text("size"):
            yield s, DCTERMS.extent, Literal(r.text("size"))
        if r.text("format"):
            yield s, DCTERMS.format, Literal(r.text("format"))

    def concept(self, r: Record) -> Iterator[Triple]:
        s = self.of(r)
        yield from self.common(r, SKOS.Concept)
        scheme = self.iri("scheme", r.text("scheme") or "")
        yield s, SKOS.prefLabel, Literal(r.text("name_nl"), lang="nl")
        yield s, SKOS.prefLabel, Literal(r.text("name_en"), lang="en")
        yield s, SKOS.inScheme, scheme
        yield s, SKOS.definition, Literal(r.text("definition_nl"), lang="nl")
        yield s, SKOS.definition, Literal(r.text("definition_en"), lang="en")
        if r.text("broader"):
            yield from self.ref(s, SKOS.broader, r, "broader", "concept")
        else:
            yield s, SKOS.topConceptOf, scheme

    def organisation(self, r: Record) -> Iterator[Triple]:
        s = self.of(r)
        kind = r.text("kind") or ""
        classes = [ORG.Organization]
        if kind in ("ministry", "municipality", "district", "cabinet", "government-office", "public-body"):
            classes.append(ORG.FormalOrganization)
        yield from self.common(r, *classes)
        yield s, DCTERMS.type, organisation_kind_iri(kind)
        if r.text("abbreviation"):
            yield s, WIJKLD.abbreviation, Literal(r.text("abbreviation"))
        yield from self.ref(s, ORG.subOrganizationOf, r, "part_of", "organisation")
        yield from self.ref(s, DCTERMS.spatial, r, "place", "place")
        for field, prop in (("start", SCHEMA.foundingDate), ("end", SCHEMA.dissolutionDate)):
            date = r.date(field)
            if date:
                yield s, prop, date_literal(date)
        for field in ("tooi", "wikidata"):
            if r.text(field):
                yield s, OWL.sameAs, URIRef(r.text(field) or "")
        yield from self.ref(s, WIJKLD.identifierSource, r, "identifier_source", "source")

    def place(self, r: Record) -> Iterator[Triple]:
        s = self.of(r)
        yield from self.common(r, PLACE_CLASSES[r.text("kind") or "wijk"], GEO.Feature, DCTERMS.Location)
        if not r.text("name_en"):  # a proper name without a translation: the same name, for English queries
            yield s, RDFS.label, Literal(r.text("name_nl"), lang="en")
        yield from self.ref(s, GEO.sfWithin, r, "part_of", "place")
        if r.text("identified") == "no":
            yield s, WIJKLD.identified, Literal(False)
        if r.text("cbs_code"):
            yield s, WIJKLD.cbsCode, Literal(r.text("cbs_code"))
        cbs_year = r.get("cbs_year")
        if isinstance(cbs_year, int):
            yield s, WIJKLD.cbsYear, Literal(str(cbs_year), datatype=XSD.gYear)
        yield from self.ref(s, WIJKLD.identifierSource, r, "identifier_source", "source")

    def person(self, r: Record) -> Iterator[Triple]:
        s = self.of(r)
        yield from self.common(r, SCHEMA.Person, PROV.Agent)
        for label in labels_in_both_languages(r.text("name") or ""):
            yield s, RDFS.label, label
        yield s, SCHEMA.name, Literal(r.text("name"))
        if r.text("given_name"):
            yield s, SCHEMA.givenName, Literal(r.text("given_name"))
        if r.text("family_name"):
            yield s, SCHEMA.familyName, Literal(r.text("family_name"))
        yield from self.ref(s, ORG.memberOf, r, "party", "organisation")
        if r.text("biography"):
            yield s, SCHEMA.subjectOf, URIRef(r.text("biography") or "")

    def post(self, r: Record) -> Iterator[Triple]:
        s = self.of(r)
        yield from self.common(r, ORG.Post)
        yield s, RDFS.label, Literal(r.text("label_as_given"), lang="nl")
        yield s, WIJKLD.asGiven, Literal(r.text("label_as_given"), lang="nl")
        yield from self.ref(s, ORG.heldBy, r, "person", "person")
        yield from self.ref(s, ORG.role, r, "role", "concept")
        yield from self.ref(s, ORG.postIn, r, "organisation", "organisation")
        yield from self.ref(s, WIJKLD.cabinet, r, "cabinet", "organisation")
        yield from self.ref(s, WIJKLD.portfolio, r, "portfolio", "concept")
        yield from self.period(r, s, TIME.hasTime, default=None)

    def period(self, r: Record, s: URIRef, prop: URIRef, default: Record | None) -> Iterator[Triple]:
        """The record's own period if it states dates; else the default's period."""
        start, end = r.date("start"), r.date("end")
        if start is None and end is None:
            if default is not None and (default.date("start") or default.date("end")):
                yield s, prop, self.interval(default)
            return
        interval = self.interval(r)
        yield s, prop, interval
        yield interval, RDF.type, TIME.Interval
        for key in sorted(_evidence(r)):
            yield interval, PROV.wasDerivedFrom, self.iri("source", key)
        begin = start or (default.date("start") if default else None)
        finish = end or (default.date("end") if default else None)
        if begin:
            yield interval, TIME.hasBeginning, self.instant(begin)
        if finish:
            yield interval, TIME.hasEnd, self.instant(finish)
        if start:
            yield s, SCHEMA.startDate, date_literal(start)
        if end:
            yield s, SCHEMA.endDate, date_literal(end)
        yield from self.ref(s, WIJKLD.dateSource, r, "date_source", "source")

    def programme(self, r: Record) -> Iterator[Triple]:
        s = self.of(r)
        yield from self.common(r, PROGRAMME_CLASSES[r.text("kind") or "pilot"], PROV.Activity)
        yield from self.period(r, s, WIJKLD.period, default=None)
        yield from self.ref(s, WIJKLD.commissionedBy, r, "commissioned_by", "organisation")
        count = r.get("number_of_wijken")
        if isinstance(count, int):
            yield s, WIJKLD.numberOfWijken, Literal(count, datatype=XSD.integer)
        if r.text("hard_selection_criteria"):
            yield s, WIJKLD.hardSelectionCriteria, Literal(r.text("hard_selection_criteria") == "yes")
        target = r.date("target_date")
        if target:
            yield s, WIJKLD.targetDate, date_literal(target)
        for lang in ("nl", "en"):
            if r.text(f"central_question_{lang}"):
                yield s, WIJKLD.centralQuestion, Literal(r.text(f"central_question_{lang}"), lang=lang)
        yield from self.refs(s, WIJKLD.keyword, r, "keywords", "concept")
        yield from self.refs(s, WIJKLD.policyDomain, r, "policy_domains", "concept")
        yield from self.refs(s, WIJKLD.contribution, r, "contributions", "concept")
        yield from self.refs(s, WIJKLD.notInvolved, r, "involved_ministries_except", "organisation")
        yield from self.ref(s, PROV.influenced, r, "informed", "programme")
        yield from self.refs(s, DCTERMS.relation, r, "related", "programme")

    def team(self, r: Record) -> Iterator[Triple]:
        s = self.of(r)
        yield from self.common(r, WIJKLD.AdoptionTeam, ORG.OrganizationalUnit)
        yield from self.ref(s, WIJKLD.programme, r, "programme", "programme")
        yield from self.ref(s, WIJKLD.municipality, r, "municipality", "place")
        yield from self.ref(s, WIJKLD.wijk, r, "wijk", "place")
        yield from self.ref(s, WIJKLD.theme, r, "theme", "concept")
        yield from self.ref(s, WIJKLD.explanation, r, "explanation", "source")
        position = r.get("position")
        if isinstance(position, int):
            yield s, WIJKLD.position, Literal(position, datatype=XSD.integer)
        for key in self._members_by_team.get(r.key, ()):
            yield s, ORG.hasMembership, self.iri("membership", key)

    def membership(self, r: Record) -> Iterator[Triple]:
        s = self.of(r)
        team = self.records.get("team", r.text("team") or "")
        programme = self.records.get("programme", team.text("programme") or "")
        yield from self.common(r, ORG.Membership)
        person = self.records.get("person", r.text("person") or "")
        yield s, RDFS.label, Literal(f"{person.text('name')} in {team.text('name_nl')}", lang="nl")
        yield s, RDFS.label, Literal(f"{person.text('name')} in {team.text('name_en')}", lang="en")
        yield from self.ref(s, ORG.member, r, "person", "person")
        yield from self.ref(s, ORG.organization, r, "team", "team")
        yield from self.ref(s, ORG.role, r, "role", "concept")
        yield s, WIJKLD.seat, seat_iri(r.text("seat") or "other")
        yield from self.ref(s, WIJKLD.representing, r, "organisation", "organisation")
        yield s, WIJKLD.asGiven, Literal(r.text("as_given"), lang="nl")
        yield from self.ref(s, DCTERMS.replaces, r, "replaces", "membership")
        for key in self._replaced_by.get(r.key, ()):
            yield s, DCTERMS.isReplacedBy, self.iri("membership", key)
        yield from self.period(r, s, ORG.memberDuring, default=programme)

    def project(self, r: Record) -> Iterator[Triple]:
        s = self.of(r)
        yield from self.common(r, WIJKLD.Project, PROV.Activity)
        yield s, DCTERMS.type, project_kind_iri(r.text("kind") or "project")
        yield from self.ref(s, WIJKLD.team, r, "team", "team")
        yield from self.refs(s, SCHEMA.location, r, "places", "place")
        yield from self.refs(s, PROV.wasAssociatedWith, r, "organisations", "organisation")
        yield from self.ref(s, WIJKLD.initiatedBy, r, "initiator", "organisation")
        yield from self.refs(s, SCHEMA.funder, r, "funder", "organisation")
        yield from self.ref(s, WIJKLD.leader, r, "leader", "person")
        target = r.date("target_date")
        if target:
            yield s, WIJKLD.targetDate, date_literal(target)
        yield from self.refs(s, WIJKLD.addresses, r, "addresses", "concept")
        yield from self.refs(s, WIJKLD.offers, r, "services", "concept")

    def event(self, r: Record) -> Iterator[Triple]:
        s = self.of(r)
        yield from self.common(r, SCHEMA.Event, PROV.Activity)
        yield from self.ref(s, DCTERMS.type, r, "kind", "concept")
        date = r.date("date")
        if date:
            yield s, SCHEMA.startDate, date_literal(date)
        if r.text("date_as_given"):
            yield s, WIJKLD.dateAsGiven, Literal(r.text("date_as_given"), lang="nl")
        yield from self.refs(s, SCHEMA.about, r, "teams", "team")
        yield from self.refs(s, SCHEMA.about, r, "projects", "project")
        yield from self.refs(s, SCHEMA.location, r, "places", "place")
        yield from self.refs(s, PROV.wasAssociatedWith, r, "organisations", "organisation")
        yield from self.refs(s, PROV.wasAssociatedWith, r, "persons", "person")

    def quantity(self, r: Record) -> Iterator[Triple]:
        s = self.of(r)
        unit = r.text("unit") or "count"
        cls = SCHEMA.MonetaryAmount if unit == "EUR" else SCHEMA.QuantitativeValue
        yield from self.common(r, cls, label_nl="as_given", label_en="")
        yield s, WIJKLD.asGiven, Literal(r.text("as_given"), lang="nl")
        yield self.iri("*", r.text("subject") or ""), WIJKLD.quantity, s
        yield from self.ref(s, DCTERMS.type, r, "kind", "concept")
        value = r.get("value")
        qualifier = r.text("qualifier") or "exact"
        literal = number_literal(value, unit)
        yield s, SCHEMA.minValue if qualifier.startswith("at-least") else SCHEMA.value, literal
        if unit == "EUR":
            yield s, SCHEMA.currency, Literal("EUR")
        else:
            yield s, SCHEMA.unitText, Literal(unit)
        yield s, WIJKLD.qualifier, Literal(qualifier)
        # Money is funded; anything else counted (teachers recruited) is only attributed.
        contributor = SCHEMA.funder if unit == "EUR" else PROV.wasAttributedTo
        yield from self.refs(s, contributor, r, "contributors", "organisation")
        yield from self.refs(s, WIJKLD.contributorKind, r, "contributor_kinds", "concept")

    def assessment(self, r: Record) -> Iterator[Triple]:
        s = self.of(r)
        subject = self.records.get("place", r.text("subject") or "")
        verdict = self.records.get("concept", r.text("verdict") or "")
        yield from self.common(r, WIJKLD.Assessment)
        yield s, RDFS.label, Literal(f"{subject.text('name_nl')}: {verdict.text('name_nl')}", lang="nl")
        yield (
            s,
            RDFS.label,
            Literal(f"{subject.text('name_en') or subject.text('name_nl')}: {verdict.text('name_en')}", lang="en"),
        )
        yield from self.ref(s, WIJKLD.assessedPlace, r, "subject", "place")
        yield from self.ref(s, WIJKLD.verdict, r, "verdict", "concept")
        yield from self.ref(s, PROV.wasGeneratedBy, r, "event", "event")

    def lesson(self, r: Record) -> Iterator[Triple]:
        s = self.of(r)
        yield from self.common(r, WIJKLD.Lesson)
        yield from self.ref(s, WIJKLD.lessonFrom, r, "programme", "programme")
        yield from self.ref(s, PROV.wasGeneratedBy, r, "event", "event")
        yield from self.ref(s, PROV.wasAttributedTo, r, "by", "person")

    def basis(self, r: Record) -> Iterator[Triple]:
        """A basis as a resource: how we know the statements of its named graph (:meth:`covered`)."""
        s = self.of(r)
        kind = r.text("kind") or "inferred"
        yield from self.common(r, BASIS_CLASSES[kind], label_nl="", label_en="")
        target = self.target_of(r)
        subject = self.of(target)
        names = {lang: _label(self.handler_triples(target), subject, lang) for lang in ("nl", "en")}
        fields = ", ".join(r.many("fields"))
        what = {"nl": "Afleiding" if kind == "inferred" else "Externe bron", "en": kind.capitalize()}
        covers = {"nl": fields or "het hele record", "en": fields or "the whole record"}
        for lang in ("nl", "en"):
            yield s, RDFS.label, Literal(f"{what[lang]}: {names[lang] or names['nl']} ({covers[lang]})", lang=lang)
            yield s, DCTERMS.description, Literal(r.text(f"reasoning_{lang}"), lang=lang)
        yield s, DCTERMS.subject, subject
        consulted = r.date("consulted")
        if consulted is not None:
            yield s, WIJKLD.consulted, date_literal(consulted)

    def target_of(self, basis: Record) -> Record:
        (target,) = self.records.find(basis.text("record") or "")
        return target

    def handler_triples(self, r: Record) -> list[Triple]:
        return list(getattr(self, r.type)(r))

    def covered(self, basis: Record) -> list[Triple]:
        """The triples that rest on ``basis``: those its fields add to its record's, or all of the record's.

        Found by mapping the record with and without those fields, so every handler is covered as it is."""
        target = self.target_of(basis)
        whole = self.handler_triples(target)
        fields = set(basis.many("fields"))
        if not fields:
            return whole
        without = dataclasses.replace(target, values={k: v for k, v in target.values.items() if k not in fields})
        try:
            remaining = set(self.handler_triples(without))
        # a field the loader guarantees (a membership's team, a quantity's value): the handler fails without it
        except (KeyError, ValueError, TypeError, AssertionError) as exc:
            raise FieldsNeeded(basis, target) from exc
        return [t for t in whole if t not in remaining]

    def graphs_of_statements(self) -> dict[Triple, URIRef]:
        """Each triple that rests on a basis -> the basis (the named graph that holds it in the N-Quads)."""
        found: dict[Triple, URIRef] = {}
        problems = []
        for r in self.records.of("basis"):
            try:
                covered = self.covered(r)
            except FieldsNeeded as needed:
                problems.append(needed.problem())
                continue
            if not covered:
                target = self.target_of(r)
                problems.append(
                    Problem(
                        r.file,
                        r.line,
                        "fields",
                        f"'{' | '.join(r.many('fields'))}' of {target.type} {target.key} makes no statement of its"
                        " own (a value equal to the default?); expected a field whose value the data states",
                    )
                )
            for triple in covered:
                found.setdefault(triple, self.of(r))
        if problems:
            raise InputError(problems)
        return found

    def instants(self) -> Iterator[Triple]:
        """One time:Instant per date used as a beginning or end, shared by all intervals.

        An instant is derived from the sources of every record whose period it bounds.
        """
        sources: dict[PartialDate, set[str]] = {}
        for r in self.records.of("programme") + self.records.of("post") + self.records.of("membership"):
            for date in (r.date("start"), r.date("end")):
                if date:
                    sources.setdefault(date, set()).update(_evidence(r))
        for date in sorted(sources):
            s = self.instant(date)
            yield s, RDF.type, TIME.Instant
            yield s, INSTANT_PROPERTIES[date.precision], date_literal(date)
            yield s, RDFS.label, date_label(date, "nl")
            yield s, RDFS.label, date_label(date, "en")
            for key in sorted(sources[date]):
                yield s, PROV.wasDerivedFrom, self.iri("source", key)

    def provenance(self) -> Iterator[Triple]:
        """The build as a prov:Activity: software version, inputs; no clock time."""
        release = self.records.release
        version = release.text("version") or "0"
        activity = URIRef(self.minter.thing("activiteit", f"build-{version}"))
        agent = URIRef(self.minter.thing("software", f"wijkld-{__version__}"))
        yield self.dataset, RDF.type, PROV.Entity
        yield self.dataset, PROV.wasGeneratedBy, activity
        yield activity, RDF.type, PROV.Activity
        yield activity, RDFS.label, Literal(f"wijkld build van release {version}", lang="nl")
        yield activity, RDFS.label, Literal(f"wijkld build of release {version}", lang="en")
        yield activity, PROV.wasAssociatedWith, agent
        for key in sorted({k for r in self.records for k in r.many("source")}):
            yield activity, PROV.used, self.iri("source", key)
        yield agent, RDF.type, PROV.SoftwareAgent
        yield agent, RDF.type, SCHEMA.SoftwareApplication
        for label in labels_in_both_languages(f"wijkld {__version__}"):
            yield agent, RDFS.label, label
        yield agent, SCHEMA.softwareVersion, Literal(__version__)


def _label(triples: Iterable[Triple], subject: URIRef, lang: str) -> str:
    return next((str(o) for s, p, o in triples if s == subject and p == RDFS.label and _lang(o) == lang), "")


def _lang(node: Node) -> str | None:
    return node.language if isinstance(node, Literal) else None


def _evidence(r: Record) -> set[str]:
    """Sources of a record's dates: its own sources and the source that states the dates."""
    keys = set(r.many("source"))
    if r.text("date_source"):
        keys.add(r.text("date_source") or "")
    return keys


def _group(records: Iterable[Record], field: str) -> dict[str, list[str]]:
    """Keys of records by the value of one of their reference fields (records are in key order)."""
    groups: dict[str, list[str]] = {}
    for r in records:
        value = r.text(field)
        if value:
            groups.setdefault(value, []).append(r.key)
    return groups


FOAF_PAGE = URIRef("http://xmlns.com/foaf/0.1/isPrimaryTopicOf")


def triples(records: Records, minter: Minter | None = None) -> Iterator[Triple]:
    """Stream the triples of all records."""
    return Mapper(records, minter or Minter()).triples()


def to_graph(records: Records, minter: Minter | None = None) -> Graph:
    """All records as one rdflib graph with the project's prefixes bound."""
    graph = new_graph()
    for triple in triples(records, minter):
        graph.add(triple)
    return graph


def new_graph() -> Graph:
    """An empty graph with the project's prefixes bound."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph
