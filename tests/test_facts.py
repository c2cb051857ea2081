"""Every fact of the seed page is in the published data (checked by label and value, not by key)."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from wijkld.model.vocab import DCTERMS, ORG, SCHEMA, WIJKLD

PERSONS = [
    "Tjeerd Herrema",
    "Jan van der Bos",
    "Ad Scheepbouwer",
    "Atzo Nicolaï",
    "Ahmed Marcouch",
    "Annet Bertram",
    "Steven van Eijk",
    "Gerrit Zalm",
    "Dominic Schrijer",
    "Rob Kerstens",
    "Doekle Terpstra",
    "Piet Hein Donner",
    "Leonard Geluk",
    "Bruno Bruins",
    "Rabin Baldewsingh",
    "Dineke Mulock Houwer",
    "Hans de Boer",
    "Sybilla Dekker",
    "Rita Verdonk",
    "Rinda den Besten",
    "Pieter Winsemius",
    "Aart Jan de Geus",
    "Ronald Ootjers",
    "Carla Noom",
    "Marcel van Gastel",
    "Andrée van Es",
    "Henk van Hoof",
    "Geke Faber",
    "Rob Visser",
    "Sadik Harchaoui",
    "Johan Remkes",
    "Lex Smeets",
    "Dick Schoof",
    "Berend-Jan van Voorst tot Voorst",
    "Maria van der Hoeven",
    "Hans Kok",
    "Leon van Halder",
    "Ralph Pans",
    "Clémence Ross-van Dorp",
    "Gerrit Berkelder",
    "Ida Adema",
    "Siebe Riedstra",
    "Pim Vermeulen",
    "Cees Veerman",
    "Mariet Thalens-Kolker",
    "André van der Zande",
    "Peter Nijkamp",
    "Karien van Gennip",
    "Hilde van der Molen",
    "Bert de Vries",
    "Ella Vogelaar",
    "Karla Peijs",
    "André Rouvoet",
    "Karima Belhaj",
]
# The page names the minister of Finance only as "Bos"; the name must appear in some label.
NAME_PARTS = ["Bos"]
NAME_VARIANTS = ["Jan van de Bos"]
ORGANISATION_WORDS = [
    "KPN",
    "HBO-Raad",
    "Taskforce Jeugdwerkloosheid",
    "WRR",
    "GGZ",
    "Forum",
    "VNG",
    "BNG",
    "NWO",
    "Ymere",
    "Rentree",
    "ProRail",
    "ROC Amsterdam",
    "Koers Nieuw West",
    "De Pers",
    "Cobouw",
    "KEI",
    "PvdA",
    "CDA",
    "SP",
    "Ru Paré",
    "Einstein",
    "Huizinga",
    "Slotervaart",
    "Hamelink",
]
MINISTRY_ABBREVIATIONS = ["VROM", "SZW", "OCW", "BZK", "VWS", "VenW", "LNV", "EZ"]
MINISTRY_WORDS = ["Justitie", "Financiën", "Defensie", "Buitenlandse Zaken", "Jeugd en Gezin"]
PLACES = [
    "Amsterdam",
    "Nieuw West",
    "Overtoomse Veld",
    "Rotterdam",
    "Pendrecht",
    "Bloemhof",
    "Hillesluis",
    "Den Haag",
    "Zuidwest",
    "Utrecht",
    "Overvecht",
    "Zaanstad",
    "Poelenburg",
    "Den Helder",
    "Nieuw Den Helder",
    "Heerlen",
    "MSP",
    "Hengelo",
    "Berflo Es",
    "Deventer",
    "Rivierenwijk",
    "Emmen",
    "Revisited",
    "Haarlem",
    "Slachthuisbuurt",
]
THEMES = [
    "Economisch meedoen van jongeren",
    "Basisscholen Ru Paré, Huizinga-school en prof. Einsteinschool",
    "Pact op Zuid 'aanpak particulier woningbezit'",
    "Pact op Zuid 'vroegsignalering jeugd'",
    "Versterking sociale verbanden",
    "Sociale / economische impulsen",
    "Eerstelijns gezondheidszorg en integrale jeugdzorg",
    "Perspectief voor de Antilliaanse gemeenschap",
    "Grootstedelijke problematiek",
    "Publiek Private Samenwerking voor een Leefbaar Berflo Es",
    "Infrastructuur",
    "Toekomst autochtone jeugd",
    "Sociaal-fysiek-economische impulsen",
]
KEYWORDS = [
    "ontkokerde aanpak",
    "van klein naar groot",
    "kabinetsbreed",
    "tempo",
    "impact op de werkwijze van de overheid",
    "gebruik maken van elkaars expertise en netwerken",
    "concrete resultaten",
]
DATES = [
    ("2008-01-18", XSD.date),
    ("2008-01-25", XSD.date),
    ("2007-05-03", XSD.date),
    ("2007-05-01", XSD.date),
    ("2007-03", XSD.gYearMonth),
    ("2007-05", XSD.gYearMonth),
    ("2009-03", XSD.gYearMonth),
    ("2006", XSD.gYear),
    ("2007-02-22", XSD.date),
    ("2006-09-21", XSD.date),
]
NUMBERS = ["13", "40", "56", "700000", "300", "25", "5", "3", "14"]
SOURCES = ["De Pers", "KEI", "Cobouw"]


@pytest.fixture(scope="module")
def text(built_release: Graph) -> str:
    """All literal values of the release, one per line, for substring checks."""
    return "\n".join(sorted({str(o) for o in built_release.objects() if isinstance(o, Literal)}))


@pytest.mark.parametrize("name", PERSONS)
def test_every_person_is_a_schema_person(built_release: Graph, name: str) -> None:
    persons = {s for s in built_release.subjects(SCHEMA.name, Literal(name))}
    assert persons, f"no schema:name {name!r}"
    assert all((p, RDF.type, SCHEMA.Person) in built_release for p in persons)


@pytest.mark.parametrize(
    "words",
    NAME_PARTS
    + NAME_VARIANTS
    + ORGANISATION_WORDS
    + MINISTRY_ABBREVIATIONS
    + MINISTRY_WORDS
    + PLACES
    + KEYWORDS
    + SOURCES,
)
def test_every_name_on_the_page_is_labelled(text: str, words: str) -> None:
    assert words in text


@pytest.mark.parametrize("theme", THEMES)
def test_every_theme_is_a_concept_of_a_team(built_release: Graph, theme: str) -> None:
    concepts = set(built_release.subjects(SKOS.prefLabel, Literal(theme, lang="nl")))
    assert concepts, theme
    assert any(built_release.subjects(WIJKLD.theme, c) for c in concepts)


@pytest.mark.parametrize(("value", "datatype"), DATES)
def test_every_date_is_published_typed(built_release: Graph, value: str, datatype: URIRef) -> None:
    assert any(True for _ in built_release.subjects(None, Literal(value, datatype=datatype))), value


@pytest.mark.parametrize("number", NUMBERS)
def test_every_number_is_published(built_release: Graph, number: str) -> None:
    values = {
        str(o)
        for o in built_release.objects()
        if isinstance(o, Literal)
        and o.datatype in (XSD.decimal, XSD.integer, XSD.nonNegativeInteger, XSD.positiveInteger)
    }
    assert any(v == number or v.rstrip("0").rstrip(".") == number for v in values), number


def test_thirteen_teams_with_a_wijk_and_members(built_release: Graph) -> None:
    teams = set(built_release.subjects(RDF.type, WIJKLD.AdoptionTeam))
    assert len(teams) == 13
    for team in teams:
        assert len(set(built_release.objects(team, WIJKLD.wijk))) == 1
        assert len(set(built_release.objects(team, ORG.hasMembership))) >= 4


def test_every_membership_states_its_bullet_and_source(built_release: Graph) -> None:
    memberships = set(built_release.subjects(RDF.type, ORG.Membership))
    assert len(memberships) >= 56
    for m in memberships:
        assert built_release.value(m, WIJKLD.asGiven) is not None
        assert built_release.value(m, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")) is not None


def test_every_resource_is_labelled_and_sourced(built_release: Graph) -> None:
    """Only the two origins (the seed page and our identifiers note) are derived from nothing."""
    prov = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
    origins = set()
    for s in set(built_release.subjects(DCTERMS.identifier, None)):
        assert built_release.value(s, RDFS.label) is not None, s
        if built_release.value(s, prov) is None:
            origins.add(str(s).rsplit("/", 1)[1])
    assert origins == {"page", "identifiers-overzicht"}
