"""The vocabulary in ontology/: it parses, it is documented, and it defines what the mapping uses."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

from wijkld.model import mapping
from wijkld.model.vocab import WIJKLD
from wijkld.records import schema
from wijkld.records.load import PartialDate, Record, Records
from wijkld.resources import resource_dir

ONTOLOGY = URIRef("https://w3id.org/wijkld/def")
VERSION_IRI = URIRef("https://w3id.org/wijkld/def/0.1.0")
NAMESPACE = "https://w3id.org/wijkld/def/"
CC0 = URIRef("http://creativecommons.org/publicdomain/zero/1.0/")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
SCHEMA = Namespace("https://schema.org/")
VANN = Namespace("http://purl.org/vocab/vann/")

#: f-string families in the mapping (``WIJKLD[f"seat-{seat}"]``) and the values they take.
FAMILIES: dict[str, tuple[tuple[str, ...], URIRef]] = {
    "seat-": (schema.SEATS, WIJKLD["seats"]),
    "kind-": (schema.ORGANISATION_KINDS, WIJKLD["organisation-kinds"]),
    "project-kind-": (schema.PROJECT_KINDS, WIJKLD["project-kinds"]),
}


@pytest.fixture(scope="module")
def path() -> Path:
    file = resource_dir("ontology") / "wijkld.ttl"
    assert file.is_file(), f"missing {file}"
    return file


@pytest.fixture(scope="module")
def g(path: Path) -> Graph:
    graph = Graph()
    graph.parse(path, format="turtle")
    return graph


def own(term: object) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(NAMESPACE)


def own_subjects(g: Graph) -> list[URIRef]:
    return sorted({s for s in g.subjects() if own(s)})  # type: ignore[misc]


def langs(g: Graph, s: URIRef, p: URIRef) -> list[str]:
    return sorted((o.language or "") for o in g.objects(s, p) if isinstance(o, Literal))  # type: ignore[misc]


def members(g: Graph, node: object) -> set[object]:
    """The members of an owl:unionOf class expression, or the node itself."""
    if isinstance(node, BNode):
        union = g.value(node, OWL.unionOf)
        if union is not None:
            return set(Collection(g, union))
    return {node}


def mapping_terms() -> tuple[set[str], set[str]]:
    """Local names the mapping uses literally, and the f-string family prefixes it uses."""
    source = Path(mapping.__file__).read_text(encoding="utf-8")
    names = set(re.findall(r"WIJKLD\.(\w+)", source))
    families: set[str] = set()
    for match in re.finditer(r"WIJKLD\[f?\"([^\"{]+)", source):
        follows_placeholder = source[match.end(1)] == "{"
        (families if follows_placeholder else names).add(match.group(1))
    return names, families


# -- parsing ------------------------------------------------------------------


def test_parses_with_rdflib(g: Graph) -> None:
    assert len(g) > 100
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in g


def test_parses_with_pyoxigraph(path: Path, g: Graph) -> None:
    quads = list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE))
    assert len(quads) == len(g), "pyoxigraph and rdflib read a different number of triples"
    header = (
        pyoxigraph.NamedNode(str(ONTOLOGY)),
        pyoxigraph.NamedNode(str(RDF.type)),
        pyoxigraph.NamedNode(str(OWL.Ontology)),
    )
    assert header in {(q.subject, q.predicate, q.object) for q in quads}


def test_is_the_only_ontology_file_and_loads_for_validation(g: Graph) -> None:
    from wijkld.validate.engine import load_ontology

    assert [f.name for f in resource_dir("ontology").glob("*.ttl")] == ["wijkld.ttl"]
    assert len(load_ontology()) == len(g)


def test_mixes_into_validation_without_blowing_up(g: Graph) -> None:
    """pyshacl deep-clones every owl:NamedIndividual of the ontology graph into the data graph,
    following links ten levels deep; concept schemes (hasTopConcept/inScheme) then explode
    combinatorially and validation never ends. So the individuals are plain skos:Concepts."""
    from wijkld.model.mapping import new_graph
    from wijkld.validate.engine import check

    assert not set(g.subjects(RDF.type, OWL.NamedIndividual))
    report = check(new_graph(), ontology=g)
    assert report.conforms, report.results


# -- header -------------------------------------------------------------------


def test_header(g: Graph) -> None:
    assert set(g.subjects(RDF.type, OWL.Ontology)) == {ONTOLOGY}
    for p in (DCTERMS.title, DCTERMS.description):
        assert langs(g, ONTOLOGY, p) == ["en", "nl"], p
    assert g.value(ONTOLOGY, DCTERMS.license) == CC0
    creator = g.value(ONTOLOGY, DCTERMS.creator)
    assert creator in (Literal("wijkld developers"), URIRef("https://w3id.org/wijkld/id/organisatie/wijkld"))
    assert g.value(ONTOLOGY, OWL.versionIRI) == VERSION_IRI
    assert g.value(ONTOLOGY, OWL.versionInfo) == Literal("0.1.0")
    assert g.value(ONTOLOGY, VANN.preferredNamespacePrefix) == Literal("wijkld")
    assert g.value(ONTOLOGY, VANN.preferredNamespaceUri) == Literal(NAMESPACE)
    assert NAMESPACE == str(WIJKLD), "the ontology and wijkld.model.vocab disagree on the namespace"
    for p in (DCTERMS.created, DCTERMS.modified):
        value = g.value(ONTOLOGY, p)
        assert isinstance(value, Literal) and value.datatype == XSD.date, p
    seealso = set(g.objects(ONTOLOGY, RDFS.seeAlso))
    for vocabulary in (ORG, PROV, TIME, SKOS, GEO, DCTERMS, SCHEMA):
        assert URIRef(str(vocabulary)) in seealso, vocabulary


# -- documentation of every term ------------------------------------------------


def test_every_own_term_is_documented_in_dutch_and_english(g: Graph) -> None:
    terms = own_subjects(g)
    assert len(terms) > 40
    problems = []
    for s in terms:
        for p in (RDFS.label, SKOS.definition):
            if langs(g, s, p) != ["en", "nl"]:
                problems.append(f"{s}: {p} in {langs(g, s, p)}, expected exactly one @nl and one @en")
        if g.value(s, RDFS.isDefinedBy) != ONTOLOGY:
            problems.append(f"{s}: rdfs:isDefinedBy is not <{ONTOLOGY}>")
    assert not problems, "\n".join(problems)


def test_every_own_term_is_typed(g: Graph) -> None:
    allowed = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.Concept, SKOS.ConceptScheme}
    for s in own_subjects(g):
        types = set(g.objects(s, RDF.type)) & allowed
        assert len(types) == 1, f"{s} has types {types}"


def test_no_dangling_own_terms(g: Graph) -> None:
    """Every wijkld term the file mentions (except the version IRI) is described in it."""
    defined = set(own_subjects(g))
    mentioned = {o for o in g.objects() if own(o)} | {p for p in g.predicates() if own(p)}
    assert mentioned - defined - {VERSION_IRI} == set()


# -- what the mapping uses ------------------------------------------------------


def test_every_term_the_mapping_uses_is_defined(g: Graph) -> None:
    names, families = mapping_terms()
    assert len(names) > 30, "the regex no longer finds the mapping's terms"
    defined = set(own_subjects(g))
    missing = sorted(name for name in names if WIJKLD[name] not in defined)
    assert not missing, f"used in wijkld.model.mapping but not defined in the ontology: {missing}"
    assert families == set(FAMILIES), f"unexpected f-string families in the mapping: {families}"


@pytest.mark.parametrize("prefix", sorted(FAMILIES))
def test_enumeration_families_match_the_schema(g: Graph, prefix: str) -> None:
    values, scheme = FAMILIES[prefix]
    expected = {WIJKLD[f"{prefix}{value}"] for value in values}
    assert (scheme, RDF.type, SKOS.ConceptScheme) in g
    assert langs(g, scheme, SKOS.prefLabel) == ["en", "nl"]
    in_scheme = set(g.subjects(SKOS.inScheme, scheme))
    assert in_scheme == expected, "the concept scheme and the schema's enumeration differ"
    assert set(g.objects(scheme, SKOS.hasTopConcept)) == expected
    for concept in expected:
        assert (concept, RDF.type, SKOS.Concept) in g, concept
        assert (concept, SKOS.topConceptOf, scheme) in g, concept
        assert langs(g, concept, SKOS.prefLabel) == ["en", "nl"], concept
        for lang in ("nl", "en"):
            pref = {o for o in g.objects(concept, SKOS.prefLabel) if o.language == lang}  # type: ignore[union-attr]
            label = {o for o in g.objects(concept, RDFS.label) if o.language == lang}  # type: ignore[union-attr]
            assert pref == label, f"{concept}: rdfs:label and skos:prefLabel differ in @{lang}"


def test_mapping_helpers_mint_defined_concepts(g: Graph) -> None:
    for minted in (
        [mapping.seat_iri(v) for v in schema.SEATS]
        + [mapping.organisation_kind_iri(v) for v in schema.ORGANISATION_KINDS]
        + [mapping.project_kind_iri(v) for v in schema.PROJECT_KINDS]
    ):
        assert (minted, RDF.type, SKOS.Concept) in g, minted


# -- axioms the issue asks for ---------------------------------------------------

SUBCLASSES = {
    "Wijk": {GEO.Feature, DCTERMS.Location},
    "Municipality": {GEO.Feature, DCTERMS.Location},
    "District": {GEO.Feature, DCTERMS.Location},
    "Neighbourhood": {GEO.Feature, DCTERMS.Location},
    "AdoptionTeam": {ORG.OrganizationalUnit},
    "Programme": {PROV.Activity},
    "Pilot": {WIJKLD.Programme},
    "Project": {PROV.Activity},
    "Lesson": {PROV.Entity},
    "Assessment": {PROV.Entity},
}

SUBPROPERTIES = {
    "theme": DCTERMS.subject,
    "keyword": DCTERMS.subject,
    "policyDomain": DCTERMS.subject,
    "commissionedBy": PROV.wasAssociatedWith,
    "initiatedBy": PROV.wasAssociatedWith,
    "leader": PROV.wasAssociatedWith,
    "abbreviation": SKOS.altLabel,
    "explanation": RDFS.seeAlso,
    "identifierSource": PROV.wasDerivedFrom,
    "dateSource": PROV.wasDerivedFrom,
    "period": TIME.hasTime,
}

RANGES = {
    "numberOfWijken": XSD.integer,
    "position": XSD.integer,
    "asGiven": RDF.langString,
    "centralQuestion": RDF.langString,
    "dateAsGiven": RDF.langString,
    "cbsCode": XSD.string,
    "cbsYear": XSD.gYear,
    "qualifier": XSD.string,
    "abbreviation": XSD.string,
    "wijk": WIJKLD.Wijk,
    "municipality": WIJKLD.Municipality,
    "team": WIJKLD.AdoptionTeam,
    "programme": WIJKLD.Programme,
    "lessonFrom": WIJKLD.Programme,
}

#: Domains that must cover every kind of resource the mapping puts the property on.
DOMAINS = {
    "identifierSource": {ORG.Organization, GEO.Feature},
    "dateSource": {ORG.Post, ORG.Membership, WIJKLD.Programme},
    "targetDate": {WIJKLD.Programme, WIJKLD.Project},
}


@pytest.mark.parametrize("name", sorted(SUBCLASSES))
def test_classes_specialise_standard_classes(g: Graph, name: str) -> None:
    cls = WIJKLD[name]
    assert (cls, RDF.type, OWL.Class) in g
    assert SUBCLASSES[name] <= set(g.objects(cls, RDFS.subClassOf))


@pytest.mark.parametrize("name", sorted(SUBPROPERTIES))
def test_properties_specialise_standard_properties(g: Graph, name: str) -> None:
    assert (WIJKLD[name], RDFS.subPropertyOf, SUBPROPERTIES[name]) in g


def test_properties_are_typed_by_the_kind_of_value(g: Graph) -> None:
    literal_ranges = {XSD.string, RDF.langString}
    for prop in set(g.subjects(RDF.type, OWL.DatatypeProperty)):
        rng = g.value(prop, RDFS.range)
        assert rng is not None, prop
        assert all(str(m).startswith(str(XSD)) or m in literal_ranges for m in members(g, rng)), prop
    for prop in set(g.subjects(RDF.type, OWL.ObjectProperty)):
        rng = g.value(prop, RDFS.range)
        assert rng is not None, prop
        assert not any(str(m).startswith(str(XSD)) for m in members(g, rng)), prop


@pytest.mark.parametrize("name", sorted(RANGES))
def test_ranges(g: Graph, name: str) -> None:
    assert g.value(WIJKLD[name], RDFS.range) == RANGES[name]


@pytest.mark.parametrize("name", sorted(DOMAINS))
def test_domains_cover_every_use(g: Graph, name: str) -> None:
    domain = g.value(WIJKLD[name], RDFS.domain)
    assert domain is not None
    assert members(g, domain) == DOMAINS[name]


def test_as_given_and_quantity_have_an_open_domain(g: Graph) -> None:
    # asGiven sits on posts, memberships and quantities; quantity on projects, events, programmes.
    for name in ("asGiven", "quantity"):
        assert g.value(WIJKLD[name], RDFS.domain) is None, name


def test_quantity_range_admits_money_and_counts(g: Graph) -> None:
    rng = g.value(WIJKLD.quantity, RDFS.range)
    assert members(g, rng) == {SCHEMA.MonetaryAmount, SCHEMA.QuantitativeValue}
    assert rng != SCHEMA.QuantitativeValue


def test_target_date_admits_every_date_precision(g: Graph) -> None:
    rng = g.value(WIJKLD.targetDate, RDFS.range)
    assert members(g, rng) == set(mapping.DATE_TYPES.values())


# -- domains and ranges against what the mapping really produces ------------------


def _records() -> Records:
    """A tiny, coherent record set that takes every branch of the mapping that uses a wijkld term."""
    rows: dict[str, list[Record]] = {}

    def add(type_name: str, key: str, **values: object) -> None:
        rows.setdefault(type_name, []).append(Record(type_name, key, values, f"{type_name}.csv", 2))

    add("release", "release", version="1.0.0", source=("page",))
    add("source", "page", kind="webpage", title="Pilotwijken", source=())
    add("source", "toelichting", kind="document", title="[Toelichting]", part_of="page")
    add("source", "eindrapport", kind="report", title="[Eindrapport]", summarises=("toelichting",), source=("page",))
    for key, scheme in (
        ("wethouder", "role"),
        ("minister", "role"),
        ("jongeren", "theme"),
        ("tempo", "keyword"),
        ("wonen", "policy-domain"),
        ("netwerk", "contribution"),
        ("lof", "verdict"),
        ("bedrag", "quantity-kind"),
        ("aantal", "quantity-kind"),
        ("presentatie", "event-kind"),
        ("volkshuisvesting", "portfolio"),
        ("spoorlijn", "issue"),
        ("sport", "service"),
        ("overheden", "actor-kind"),
    ):
        add(
            "concept",
            key,
            scheme=scheme,
            name_nl=key,
            name_en=key,
            definition_nl=key,
            definition_en=key,
            source=("page",),
        )
    add(
        "organisation",
        "min-vrom",
        kind="ministry",
        name_nl="VROM",
        abbreviation="VROM",
        wikidata="http://www.wikidata.org/entity/Q1",
        identifier_source="page",
        source=("page",),
    )
    add("organisation", "kabinet", kind="cabinet", name_nl="kabinet", source=("page",))
    add(
        "place",
        "hengelo",
        kind="municipality",
        name_nl="Hengelo",
        cbs_code="GM0164",
        cbs_year=2024,
        identifier_source="page",
        source=("page",),
    )
    add(
        "place",
        "berflo-es",
        kind="wijk",
        name_nl="Berflo Es",
        part_of="hengelo",
        identified="no",
        cbs_code="WK016405",
        identifier_source="page",
        source=("page",),
    )
    add("person", "jan", name="Jan", given_name="Jan", source=("page",))
    add(
        "basis",
        "jan-voornaam",
        record="jan",
        fields=("given_name",),
        kind="external",
        reasoning_nl="Uit een biografie.",
        reasoning_en="From a biography.",
        consulted=PartialDate(2026, 11),
        source=("page",),
    )
    add(
        "post",
        "jan-minister",
        person="jan",
        role="minister",
        organisation="min-vrom",
        cabinet="kabinet",
        portfolio="volkshuisvesting",
        label_as_given="minister van VROM",
        start=PartialDate(2003, 5, 27),
        end=PartialDate(2007),
        date_source="page",
        source=("page",),
    )
    add(
        "programme",
        "pilot",
        kind="pilot",
        name_nl="Nieuwe coalities",
        start=PartialDate(2006),
        end=PartialDate(2007),
        commissioned_by="min-vrom",
        number_of_wijken=13,
        hard_selection_criteria="no",
        target_date=PartialDate(2007, 5, 1),
        central_question_nl="Wat maakt het verschil?",
        central_question_en="What makes the difference?",
        keywords=("tempo",),
        policy_domains=("wonen",),
        contributions=("netwerk",),
        involved_ministries_except=("kabinet",),
        source=("page",),
    )
    add(
        "team",
        "hengelo-berflo-es",
        programme="pilot",
        name_nl="Adoptieteam",
        name_en="Adoption team",
        municipality="hengelo",
        wijk="berflo-es",
        theme="jongeren",
        explanation="toelichting",
        position=1,
        source=("page",),
    )
    add(
        "membership",
        "berflo-es-jan",
        team="hengelo-berflo-es",
        person="jan",
        seat="cabinet-member",
        role="minister",
        organisation="min-vrom",
        as_given="Jan (VROM)",
        end=PartialDate(2007, 2, 22),
        date_source="page",
        source=("page",),
    )
    add(
        "project",
        "werkbedrijf",
        kind="work-company",
        name_nl="Werkbedrijf",
        team="hengelo-berflo-es",
        places=("berflo-es",),
        initiator="min-vrom",
        leader="jan",
        target_date=PartialDate(2012),
        addresses=("spoorlijn",),
        services=("sport",),
        source=("page",),
    )
    add(
        "event",
        "presentatie-2007",
        kind="presentatie",
        name_nl="Presentatie",
        name_en="Presentation",
        date=PartialDate(2007, 4),
        date_as_given="eind april 2007",
        projects=("werkbedrijf",),
        source=("page",),
    )
    add(
        "quantity",
        "budget",
        subject="werkbedrijf",
        kind="bedrag",
        value=Decimal("700000"),
        unit="EUR",
        qualifier="exact",
        as_given="€ 700.000",
        contributor_kinds=("overheden",),
        source=("page",),
    )
    add(
        "quantity",
        "deelnemers",
        subject="presentatie-2007",
        kind="aantal",
        value=Decimal("40"),
        unit="count",
        qualifier="at-least",
        as_given="minstens 40",
        source=("page",),
    )
    add(
        "quantity",
        "wijken",
        subject="pilot",
        kind="aantal",
        value=Decimal("13"),
        unit="count",
        qualifier="exact",
        as_given="13",
        source=("page",),
    )
    add("assessment", "hengelo-lof", subject="hengelo", verdict="lof", event="presentatie-2007", source=("page",))
    add(
        "lesson",
        "coalitie",
        programme="pilot",
        name_nl="Coalitie",
        name_en="Coalition",
        event="presentatie-2007",
        by="jan",
        source=("page",),
    )
    return Records(rows)


def _superclasses(g: Graph, cls: object) -> set[object]:
    seen: set[object] = set()
    todo = [cls]
    while todo:
        c = todo.pop()
        if c not in seen:
            seen.add(c)
            todo.extend(g.objects(c, RDFS.subClassOf))  # type: ignore[arg-type]
    return seen


def _fits(g: Graph, data: Graph, node: object, expected: set[object]) -> bool:
    if isinstance(node, Literal):
        datatype = node.datatype or (RDF.langString if node.language else XSD.string)
        return datatype in expected
    types = set(data.objects(node, RDF.type)) | set(g.objects(node, RDF.type))  # type: ignore[arg-type]
    return any(expected & _superclasses(g, t) for t in types)


def test_mapping_output_respects_domains_and_ranges(g: Graph) -> None:
    data = mapping.to_graph(_records())
    used = {p for p in data.predicates() if own(p)}
    names, _ = mapping_terms()
    assert used == {WIJKLD[n] for n in names} - {s for s in own_subjects(g) if (s, RDF.type, OWL.Class) in g}, (
        "the sample records no longer exercise every wijkld property of the mapping"
    )
    problems = []
    for s, p, o in data:
        if not own(p):
            continue
        domain, rng = g.value(p, RDFS.domain), g.value(p, RDFS.range)  # type: ignore[arg-type]
        if domain is not None and not _fits(g, data, s, members(g, domain)):
            problems.append(f"{p}: subject {s} is outside the domain")
        if rng is not None and not _fits(g, data, o, members(g, rng)):
            problems.append(f"{p}: value {o!r} is outside the range")
    assert not problems, "\n".join(sorted(set(problems)))
