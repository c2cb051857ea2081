"""The source-record format: one CSV file per record type, described once here.

The loader, the documentation in ``data/README.md`` and the mapping all read
these declarations, so the format cannot drift from its description.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """How a CSV cell is parsed."""

    TEXT = "text"  # free text, stripped
    TEXTS = "texts"  # several texts separated by " | "
    KEY = "key"  # the record's own key: a slug
    REF = "ref"  # the key of a record of the target type
    REFS = "refs"  # several keys separated by " | "
    DATE = "date"  # YYYY, YYYY-MM or YYYY-MM-DD
    INT = "int"
    DECIMAL = "decimal"
    ENUM = "enum"
    IRI = "iri"  # an absolute http(s) IRI
    EMAIL = "email"


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    required: bool
    doc: str
    example: str
    target: str | None = None  # record type a REF/REFS points to ("*" = any type)
    choices: tuple[str, ...] = ()
    bounds: tuple[int, int] | None = None  # least and greatest value of an INT


@dataclass(frozen=True)
class RecordType:
    name: str  # singular, used in messages and IRIs
    file: str  # CSV file name in data/
    doc: str
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field:
        for field in self.fields:
            if field.name == name:
                return field
        raise KeyError(name)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


def _key(example: str) -> Field:
    return Field(
        "key",
        Kind.KEY,
        True,
        "Stable identifier of the record; becomes the last IRI segment. Never reuse or renumber.",
        example,
    )


def _labels(example_nl: str, example_en: str = "", en_required: bool = False) -> tuple[Field, ...]:
    return (
        Field(
            "name_nl",
            Kind.TEXT,
            True,
            "Name or label in Dutch, spelled as the source spells it (after resolving obvious errors, see `note`).",
            example_nl,
        ),
        Field(
            "name_en", Kind.TEXT, en_required, "English name or label, where a translation is meaningful.", example_en
        ),
    )


def _descriptions(example: str) -> tuple[Field, ...]:
    return (
        Field(
            "description_nl",
            Kind.TEXT,
            False,
            "Description in Dutch, in our own words (never copied sentences).",
            example,
        ),
        Field("description_en", Kind.TEXT, False, "The same description in English.", ""),
    )


_ALT = Field(
    "alt_names",
    Kind.TEXTS,
    False,
    "Variant spellings and other names found in the sources; each becomes an alternative label. Explain variants in `note`.",
    "Jan van de Bos",
)
_NOTE = Field(
    "note",
    Kind.TEXT,
    False,
    "Editorial note: how an irregularity in the source was resolved, or where a fact comes from.",
    "De bron spelt de naam ook als 'Jan van de Bos'.",
)
_SOURCE = Field(
    "source",
    Kind.REFS,
    True,
    "Key(s) of the source record(s) the facts come from: a section of the page, or a cited publication.",
    "sec-pilotwijken",
    target="source",
)

# Controlled values: kept here so that the loader, mapping and shapes agree.
SOURCE_KINDS = (
    "webpage",
    "section",
    "article",
    "report",
    "annex",
    "column",
    "document",
    "dataset",
    "biography",
    "periodical",  # a newspaper or magazine whose items the page cites (KEI-nieuws, Cobouw, De Pers)
    "series",  # a series of columns (the KEI-column)
)
#: Kinds of source that hold cited items: an item is part of one, but known from the section that cites it.
CONTAINER_KINDS = ("periodical", "series")
ORGANISATION_KINDS = (
    "ministry",
    "municipality",
    "district",
    "political-party",
    "cabinet",
    "company",
    "housing-corporation",
    "school",
    "advisory-body",
    "interest-group",
    "knowledge-institute",
    "research-funder",
    "bank",
    "publisher",
    "taskforce",
    "education-institution",
    "public-body",
    "programme-office",
    "government-office",
)
PLACE_KINDS = ("municipality", "district", "wijk", "neighbourhood")
CONCEPT_SCHEMES = (
    "role",
    "theme",
    "keyword",
    "policy-domain",
    "contribution",
    "verdict",
    "quantity-kind",
    "event-kind",
    "portfolio",
    "issue",
    "service",
    "actor-kind",
)
PROGRAMME_KINDS = ("pilot", "policy-programme", "local-programme")
PROJECT_KINDS = ("project", "agreement", "work-company", "infrastructure")
SEATS = ("municipal", "director-general", "expert", "cabinet-member", "other")
UNITS = ("EUR", "count", "MB", "year")
#: Units of things counted one by one: their values are whole numbers, published as xsd:integer.
COUNTING_UNITS = ("count", "year")
QUALIFIERS = ("exact", "approximately", "at-least", "per-year", "at-least-per-year")
#: How we know a statement the page does not make itself: our inference, or an outside source we consulted.
BASIS_KINDS = ("inferred", "external")
#: Fields a basis cannot cover: they hold no statement about the thing (its key, our notes, its sources).
UNCOVERED_FIELDS = ("key", "note", "source")
#: The fields that name a thing: as the page writes them, never covered by a basis (a completion goes in alt_names).
NAME_FIELDS = ("name", "name_nl", "name_en", "title", "title_en", "label_as_given", "as_given")


RECORD_TYPES: tuple[RecordType, ...] = (
    RecordType(
        "release",
        "release.csv",
        "The release being published: version and dates for the dataset metadata. Exactly one row.",
        (
            Field("version", Kind.TEXT, True, "Release version (semantic versioning).", "1.0.0"),
            Field(
                "issued",
                Kind.DATE,
                True,
                "Release date (YYYY-MM-DD); the only date in the output that is not a fact from the sources.",
                "2026-11-29",
            ),
            Field("modified", Kind.DATE, True, "Date of the last change to the records (YYYY-MM-DD).", "2026-11-29"),
            Field(
                "title_nl",
                Kind.TEXT,
                True,
                "Dataset title in Dutch.",
                "Nieuwe coalities voor de wijk: pilotwijken, adoptieteams en betrokkenen",
            ),
            Field(
                "title_en",
                Kind.TEXT,
                True,
                "Dataset title in English.",
                "New coalitions for the neighbourhood: pilot wijken, adoption teams and actors",
            ),
            Field("description_nl", Kind.TEXT, True, "Dataset description in Dutch.", ""),
            Field("description_en", Kind.TEXT, True, "Dataset description in English.", ""),
            Field(
                "licence",
                Kind.IRI,
                True,
                "Licence of the data (an IRI).",
                "http://creativecommons.org/publicdomain/zero/1.0/",
            ),
            Field(
                "publisher", Kind.REF, True, "Organisation that publishes the dataset.", "wijkld", target="organisation"
            ),
            Field("contact_email", Kind.EMAIL, True, "Contact point e-mail address.", "data@wijkld.example"),
            Field("homepage", Kind.IRI, False, "Landing page of the dataset.", "https://w3id.org/wijkld"),
            _SOURCE,
        ),
    ),
    RecordType(
        "source",
        "sources.csv",
        "Where facts come from: the seed page, its sections, and the publications and data sets it or we cite.",
        (
            _key("sec-pilotwijken"),
            Field("kind", Kind.ENUM, True, "What sort of source this is.", "section", choices=SOURCE_KINDS),
            Field(
                "title",
                Kind.TEXT,
                True,
                "Title as given (headings of page sections, titles of publications); where the source gives"
                " none, ours in square brackets, published with wijkld:titleSupplied true.",
                "Pilotwijken Nieuwe coalities voor de wijk",
            ),
            Field("title_en", Kind.TEXT, False, "English rendering of the title, where meaningful.", ""),
            Field(
                "part_of",
                Kind.REF,
                False,
                "The source this one is a part of (a section of a page, an annex of a report, an item of a"
                " periodical or series).",
                "page",
                target="source",
            ),
            Field(
                "summarises",
                Kind.REFS,
                False,
                "Reports this one summarises or rests on (a final report and its underlying reports).",
                "evaluatierapport-1",
                target="source",
            ),
            Field(
                "publisher", Kind.REF, False, "Organisation that published the source.", "cobouw", target="organisation"
            ),
            Field("author", Kind.REF, False, "Person who wrote the source.", "hilde-van-der-molen", target="person"),
            Field("date", Kind.DATE, False, "Publication date as precise as the source gives it.", "2007-05-03"),
            Field(
                "url",
                Kind.IRI,
                False,
                "Web address, only where known for certain.",
                "https://www.parlement.com/id/vg09ll2hxyzz",
            ),
            Field("size", Kind.TEXT, False, "File size as stated by the source.", "6,9 Mb"),
            Field(
                "format",
                Kind.TEXT,
                False,
                "Media type, where the source states it (pdf-bestand = application/pdf).",
                "application/pdf",
            ),
            Field(
                "cited_in",
                Kind.REFS,
                False,
                "Source(s) that cite this one, where the facts about it (title, date, publisher) come from. "
                "Empty only for the seed page and its sections (which are `part_of` it).",
                "sec-community-centers",
                target="source",
            ),
            _NOTE,
        ),
    ),
    RecordType(
        "concept",
        "concepts.csv",
        "Controlled vocabularies (SKOS concept schemes): roles, themes, key words, policy domains and more.",
        (
            _key("wethouder"),
            Field("scheme", Kind.ENUM, True, "Concept scheme the concept belongs to.", "role", choices=CONCEPT_SCHEMES),
            *_labels("wethouder", "alderman", en_required=True),
            _ALT,
            Field(
                "definition_nl",
                Kind.TEXT,
                True,
                "Definition in Dutch (NL-SBB: every concept is defined).",
                "Lid van het college van burgemeester en wethouders van een gemeente.",
            ),
            Field(
                "definition_en",
                Kind.TEXT,
                True,
                "Definition in English.",
                "Member of the executive board of a Dutch municipality.",
            ),
            Field(
                "broader",
                Kind.REF,
                False,
                "Broader concept in the same scheme.",
                "gemeentelijk-verantwoordelijke",
                target="concept",
            ),
            _NOTE,
            _SOURCE,
        ),
    ),
    RecordType(
        "organisation",
        "organisations.csv",
        "Organisations: ministries, municipal councils, parties, companies, institutions, cabinets.",
        (
            _key("min-szw"),
            Field("kind", Kind.ENUM, True, "What sort of organisation.", "ministry", choices=ORGANISATION_KINDS),
            *_labels("ministerie van Sociale Zaken en Werkgelegenheid", "Ministry of Social Affairs and Employment"),
            _ALT,
            Field("abbreviation", Kind.TEXT, False, "Abbreviation as used in the source.", "SZW"),
            Field(
                "part_of",
                Kind.REF,
                False,
                "Parent organisation (a district of a municipality, a post-holder's host ministry).",
                "gemeente-amsterdam",
                target="organisation",
            ),
            Field(
                "place", Kind.REF, False, "Territory the organisation governs or sits in.", "amsterdam", target="place"
            ),
            Field("start", Kind.DATE, False, "Date the organisation began (cabinets).", "2006-07-07"),
            Field(
                "end", Kind.DATE, False, "Date the organisation ended (cabinets, abolished ministries).", "2007-02-22"
            ),
            Field(
                "tooi",
                Kind.IRI,
                False,
                "TOOI identifier; only verified ones (status V or V2), see `identifier_source`.",
                "https://identifier.overheid.nl/tooi/id/ministerie/mnre1073",
            ),
            Field(
                "wikidata",
                Kind.IRI,
                False,
                "Wikidata item; only verified ones.",
                "http://www.wikidata.org/entity/Q1473297",
            ),
            Field(
                "identifier_source",
                Kind.REF,
                False,
                "Source that verifies `tooi` or `wikidata` (required when either is set).",
                "tooi-ministeries",
                target="source",
            ),
            *_descriptions(""),
            _NOTE,
            _SOURCE,
        ),
    ),
    RecordType(
        "place",
        "places.csv",
        "Places: municipalities (territories), districts, wijken and neighbourhoods.",
        (
            _key("berflo-es"),
            Field("kind", Kind.ENUM, True, "What sort of place.", "wijk", choices=PLACE_KINDS),
            *_labels("Berflo Es"),
            _ALT,
            Field("part_of", Kind.REF, False, "Place this one lies in.", "hengelo", target="place"),
            Field(
                "identified",
                Kind.ENUM,
                False,
                "`no` where the page's name identifies no actual place (Emmen's 'Revisited' is a renewal programme,"
                " not a wijk); published as wijkld:identified false. Empty: the place is the one named.",
                "no",
                choices=("no",),
            ),
            Field(
                "cbs_code", Kind.TEXT, False, "CBS code (GMxxxx, WKxxxxxx, BUxxxxxxxx); only verified ones.", "WK016405"
            ),
            Field(
                "cbs_year",
                Kind.INT,
                False,
                "Year of the CBS classification the code belongs to, when known; published as an xsd:gYear.",
                "2024",
                bounds=(1000, 9999),
            ),
            Field(
                "identifier_source",
                Kind.REF,
                False,
                "Source that verifies `cbs_code` (required when it is set).",
                "cbs-gemeenten",
                target="source",
            ),
            *_descriptions(""),
            _NOTE,
            _SOURCE,
        ),
    ),
    RecordType(
        "person",
        "persons.csv",
        "Persons named in the sources.",
        (
            _key("jan-van-der-bos"),
            Field(
                "name", Kind.TEXT, True, "Full name in the spelling we publish as preferred label.", "Jan van der Bos"
            ),
            _ALT,
            Field("given_name", Kind.TEXT, False, "Given name, where the source gives it.", "Jan"),
            Field("family_name", Kind.TEXT, False, "Family name including prefixes (tussenvoegsels).", "van der Bos"),
            Field(
                "party",
                Kind.REF,
                False,
                "Political party the source names for this person.",
                "pvda",
                target="organisation",
            ),
            Field(
                "biography",
                Kind.IRI,
                False,
                "A page about the person (not the person): published as schema:subjectOf.",
                "https://www.parlement.com/biografie/dr-g-gerrit-zalm",
            ),
            *_descriptions(""),
            _NOTE,
            _SOURCE,
        ),
    ),
    RecordType(
        "post",
        "posts.csv",
        "A person's own post outside the adoption team (director-general at a ministry, minister, chair of a company).",
        (
            _key("jan-van-der-bos-dg-szw"),
            Field("person", Kind.REF, True, "Who holds the post.", "jan-van-der-bos", target="person"),
            Field("role", Kind.REF, True, "Role concept (scheme `role`).", "directeur-generaal", target="concept"),
            Field("organisation", Kind.REF, False, "Organisation the post is in.", "min-szw", target="organisation"),
            Field(
                "cabinet",
                Kind.REF,
                False,
                "Cabinet, for ministers and state secretaries.",
                "kabinet-balkenende-3",
                target="organisation",
            ),
            Field(
                "portfolio",
                Kind.REF,
                False,
                "The field of responsibility the post's label names (scheme `portfolio`): 'Financiën' in"
                " 'minister van Financiën', 'Volkshuisvesting' in 'wethouder (Volkshuisvesting)'.",
                "financien",
                target="concept",
            ),
            Field("label_as_given", Kind.TEXT, True, "The post as the source words it.", "directeur-generaal SZW"),
            Field("start", Kind.DATE, False, "Start of the post.", "2003-05-27"),
            Field("end", Kind.DATE, False, "End of the post.", "2007-02-22"),
            Field(
                "date_source",
                Kind.REF,
                False,
                "Source of `start` and `end` (required when either is set).",
                "parlement-zalm",
                target="source",
            ),
            _NOTE,
            _SOURCE,
        ),
    ),
    RecordType(
        "programme",
        "programmes.csv",
        "Programmes: the pilot itself and the policy programmes the page relates it to.",
        (
            _key("nieuwe-coalities"),
            Field("kind", Kind.ENUM, True, "What sort of programme.", "pilot", choices=PROGRAMME_KINDS),
            *_labels("Nieuwe coalities voor de wijk", "New coalitions for the neighbourhood"),
            _ALT,
            Field("start", Kind.DATE, False, "Start (year or date).", "2006"),
            Field("end", Kind.DATE, False, "Completion (year or date).", "2007"),
            Field(
                "commissioned_by",
                Kind.REF,
                False,
                "Organisation that runs or commissioned the programme.",
                "min-vrom",
                target="organisation",
            ),
            Field("number_of_wijken", Kind.INT, False, "Number of wijken the programme covers, as stated.", "13"),
            Field(
                "hard_selection_criteria",
                Kind.ENUM,
                False,
                "Whether the wijken were selected with hard criteria (`yes`) or without (`no`), as stated;"
                " empty where the source does not say.",
                "no",
                choices=("yes", "no"),
            ),
            Field("target_date", Kind.DATE, False, "Date by which concrete results were due.", "2007-05-01"),
            Field(
                "central_question_nl", Kind.TEXT, False, "The central question, in Dutch.", "Wat maakt het verschil?"
            ),
            Field(
                "central_question_en",
                Kind.TEXT,
                False,
                "The central question, in English.",
                "What makes the difference?",
            ),
            Field(
                "keywords",
                Kind.REFS,
                False,
                "Key words (scheme `keyword`).",
                "ontkokerde-aanpak | tempo",
                target="concept",
            ),
            Field(
                "policy_domains",
                Kind.REFS,
                False,
                "Policy domains to be tackled together (scheme `policy-domain`).",
                "wonen | leren",
                target="concept",
            ),
            Field(
                "contributions",
                Kind.REFS,
                False,
                "What team members contribute (scheme `contribution`).",
                "netwerken-inzetten",
                target="concept",
            ),
            Field(
                "involved_ministries_except",
                Kind.REFS,
                False,
                "Ministries explicitly not involved.",
                "min-defensie | min-buza",
                target="organisation",
            ),
            Field(
                "informed",
                Kind.REF,
                False,
                "Programme that took over lessons from this one.",
                "wijkaanpak",
                target="programme",
            ),
            Field(
                "related",
                Kind.REFS,
                False,
                "Programmes this one is compared with or builds on.",
                "56-wijken",
                target="programme",
            ),
            *_descriptions(""),
            _NOTE,
            _SOURCE,
        ),
    ),
    RecordType(
        "team",
        "teams.csv",
        "Pilot entries: one adoption team for one wijk and theme (one row of the page's table).",
        (
            _key("amsterdam-nieuw-west"),
            Field(
                "programme", Kind.REF, True, "Programme the team belongs to.", "nieuwe-coalities", target="programme"
            ),
            *_labels("Adoptieteam Amsterdam Nieuw West", "Adoption team Amsterdam Nieuw West", en_required=True),
            _ALT,
            Field(
                "municipality", Kind.REF, True, "Municipality (place) the wijk lies in.", "amsterdam", target="place"
            ),
            Field("wijk", Kind.REF, True, "The adopted wijk (place).", "nieuw-west", target="place"),
            Field(
                "theme",
                Kind.REF,
                True,
                "Theme of the team (scheme `theme`).",
                "economisch-meedoen-jongeren",
                target="concept",
            ),
            Field(
                "explanation",
                Kind.REF,
                False,
                "The team's explanatory document ('Toelichting').",
                "toelichting-nieuw-west",
                target="source",
            ),
            Field(
                "position",
                Kind.INT,
                True,
                "Row number in the page's table (1-13); kept for citation, not used in IRIs.",
                "1",
            ),
            *_descriptions(""),
            _NOTE,
            _SOURCE,
        ),
    ),
    RecordType(
        "membership",
        "memberships.csv",
        "One person's seat in one adoption team, with the role, the organisation they represent and the period.",
        (
            _key("nieuw-west-herrema"),
            Field("team", Kind.REF, True, "The adoption team.", "amsterdam-nieuw-west", target="team"),
            Field("person", Kind.REF, True, "The member.", "tjeerd-herrema", target="person"),
            Field(
                "seat",
                Kind.ENUM,
                True,
                "Which of the four seats of the team (column of the page's table).",
                "municipal",
                choices=SEATS,
            ),
            Field("role", Kind.REF, True, "Role concept (scheme `role`).", "wethouder", target="concept"),
            Field(
                "organisation",
                Kind.REF,
                False,
                "Organisation the member comes from or represents.",
                "gemeente-amsterdam",
                target="organisation",
            ),
            Field(
                "as_given",
                Kind.TEXT,
                True,
                "The bullet as the source gives it, after repairs noted in `note`.",
                "Tjeerd Herrema (wethouder, PvdA)",
            ),
            Field(
                "start", Kind.DATE, False, "Start of the membership (default: start of the programme).", "2007-02-22"
            ),
            Field("end", Kind.DATE, False, "End of the membership (default: end of the programme).", "2007-02-22"),
            Field(
                "date_source",
                Kind.REF,
                False,
                "Source of `start` or `end` (required when either is set).",
                "wikidata-balkenende-4",
                target="source",
            ),
            Field(
                "replaces", Kind.REF, False, "Membership this one took over.", "nieuw-west-nicolai", target="membership"
            ),
            _NOTE,
            _SOURCE,
        ),
    ),
    RecordType(
        "project",
        "projects.csv",
        "Projects, agreements and initiatives that came out of the teams.",
        (
            _key("community-centers-nieuw-west"),
            Field("kind", Kind.ENUM, True, "What sort of project.", "project", choices=PROJECT_KINDS),
            *_labels("Community Centers in Amsterdam Nieuw West", "Community centres in Amsterdam Nieuw West"),
            _ALT,
            Field(
                "team",
                Kind.REF,
                False,
                "Adoption team the project came from.",
                "amsterdam-overtoomse-veld",
                target="team",
            ),
            Field("places", Kind.REFS, False, "Places the project works in.", "overtoomse-veld", target="place"),
            Field("organisations", Kind.REFS, False, "Organisations that take part.", "ymere", target="organisation"),
            Field(
                "initiator", Kind.REF, False, "Organisation that took the initiative.", "ymere", target="organisation"
            ),
            Field("funder", Kind.REFS, False, "Organisations that fund it.", "koers-nieuw-west", target="organisation"),
            Field("leader", Kind.REF, False, "Project leader.", "karima-belhaj", target="person"),
            Field("target_date", Kind.DATE, False, "Date a stated goal is due.", "2012"),
            Field(
                "addresses",
                Kind.REFS,
                False,
                "The issues the project addresses, as the source names them (scheme `issue`).",
                "derde-spoorlijn",
                target="concept",
            ),
            Field(
                "services",
                Kind.REFS,
                False,
                "What the project offers or brings together (scheme `service`).",
                "maatschappelijk-werk",
                target="concept",
            ),
            *_descriptions(""),
            _NOTE,
            _SOURCE,
        ),
    ),
    RecordType(
        "event",
        "events.csv",
        "Developments and news: presentations, kick-offs, meetings, assessments, evaluations, reflections.",
        (
            _key("nieuw-west-vijf-projecten"),
            Field("kind", Kind.REF, True, "Event kind (scheme `event-kind`).", "presentatie", target="concept"),
            *_labels(
                "Vijf projecten gepresenteerd in Amsterdam Nieuw West",
                "Five projects presented in Amsterdam Nieuw West",
                en_required=True,
            ),
            Field("date", Kind.DATE, True, "Date as precise as the source gives it.", "2007-03"),
            Field(
                "date_as_given",
                Kind.TEXT,
                False,
                "The date as the source words it, when it is vaguer than `date` can say.",
                "eind april 2007",
            ),
            Field("teams", Kind.REFS, False, "Adoption teams involved.", "amsterdam-nieuw-west", target="team"),
            Field(
                "projects", Kind.REFS, False, "Projects concerned.", "community-centers-nieuw-west", target="project"
            ),
            Field("places", Kind.REFS, False, "Places concerned.", "nieuw-west", target="place"),
            Field("organisations", Kind.REFS, False, "Organisations involved.", "prorail", target="organisation"),
            Field("persons", Kind.REFS, False, "Persons involved.", "wouter-bos", target="person"),
            *_descriptions(""),
            _NOTE,
            _SOURCE,
        ),
    ),
    RecordType(
        "quantity",
        "quantities.csv",
        "Amounts and counts the sources state (money, numbers of projects, pupils, teachers).",
        (
            _key("community-centers-budget"),
            Field(
                "subject",
                Kind.REF,
                True,
                "Record the quantity is about (a project, event or programme key).",
                "community-centers-nieuw-west",
                target="*",
            ),
            Field("kind", Kind.REF, True, "What is counted (scheme `quantity-kind`).", "bedrag", target="concept"),
            Field("value", Kind.DECIMAL, True, "The number, with a dot as decimal separator.", "700000"),
            Field("unit", Kind.ENUM, True, "Unit.", "EUR", choices=UNITS),
            Field("qualifier", Kind.ENUM, True, "How exact the number is.", "exact", choices=QUALIFIERS),
            Field("as_given", Kind.TEXT, True, "The number as the source words it.", "€ 700.000"),
            Field(
                "contributors",
                Kind.REFS,
                False,
                "Who pays or supplies it.",
                "gemeente-amsterdam",
                target="organisation",
            ),
            Field(
                "contributor_kinds",
                Kind.REFS,
                False,
                "Kinds of contributor, where the source names them only as a group ('overheden en corporaties';"
                " scheme `actor-kind`).",
                "woningcorporaties",
                target="concept",
            ),
            _NOTE,
            _SOURCE,
        ),
    ),
    RecordType(
        "assessment",
        "assessments.csv",
        "Judgements the sources report about the pilot, per municipality.",
        (
            _key("cobouw-haarlem"),
            Field("subject", Kind.REF, True, "Municipality (place) judged or judging.", "haarlem", target="place"),
            Field("verdict", Kind.REF, True, "Verdict (scheme `verdict`).", "vol-lof", target="concept"),
            Field(
                "event",
                Kind.REF,
                False,
                "Event in which the judgement was reported.",
                "cobouw-inventarisatie",
                target="event",
            ),
            _NOTE,
            _SOURCE,
        ),
    ),
    RecordType(
        "lesson",
        "lessons.csv",
        "Lessons learnt from the pilot (the page's 'Leerpunten' and the 2009 reflection).",
        (
            _key("vitale-coalitie-sleutel"),
            Field(
                "programme", Kind.REF, True, "Programme the lesson is about.", "nieuwe-coalities", target="programme"
            ),
            *_labels("Een vitale coalitie is de sleutel", "A vital coalition is the key", en_required=True),
            Field(
                "event",
                Kind.REF,
                False,
                "Evaluation or reflection that drew the lesson.",
                "evaluatie-vrom",
                target="event",
            ),
            Field(
                "by",
                Kind.REF,
                False,
                "Person who drew the lesson, when personal.",
                "hilde-van-der-molen",
                target="person",
            ),
            *_descriptions(""),
            _NOTE,
            _SOURCE,
        ),
    ),
    RecordType(
        "basis",
        "bases.csv",
        "Statements the page does not make itself: which fields of which record we inferred (and why), or took"
        " from an outside source (and when we consulted it). Their statements are published in a named graph"
        " of their own, the basis, so that a query can keep to what the page states (docs/modelling.md).",
        (
            _key("wouter-bos-voornaam"),
            Field(
                "record",
                Kind.REF,
                True,
                "The record whose statements this is the basis of (a key of any type).",
                "wouter-bos",
                target="*",
            ),
            Field(
                "fields",
                Kind.TEXTS,
                False,
                "The fields of that record whose statements rest on this basis; empty: the whole record"
                " (the thing exists only by our reading).",
                "given_name | alt_names",
            ),
            Field("kind", Kind.ENUM, True, "How we know it.", "inferred", choices=BASIS_KINDS),
            Field(
                "reasoning_nl",
                Kind.TEXT,
                True,
                "Why the statements hold, in Dutch: the reasoning, or what the outside source says.",
                "De pagina noemt alleen 'Minister Bos (Financiën)'; ...",
            ),
            Field("reasoning_en", Kind.TEXT, True, "The same in English.", "The page names only 'Minister Bos ..."),
            Field(
                "consulted",
                Kind.DATE,
                False,
                "For an outside source: when we consulted it (required for kind external).",
                "2026-11-29",
            ),
            _NOTE,
            Field(
                "source",
                Kind.REFS,
                True,
                "For an inference: the sections or publications it starts from; for an outside source: that source.",
                "sec-community-centers",
                target="source",
            ),
        ),
    ),
)

BY_NAME: dict[str, RecordType] = {rt.name: rt for rt in RECORD_TYPES}
BY_FILE: dict[str, RecordType] = {rt.file: rt for rt in RECORD_TYPES}

# Fields whose targets must be in a given concept scheme.
CONCEPT_FIELD_SCHEMES: dict[tuple[str, str], str] = {
    ("post", "role"): "role",
    ("membership", "role"): "role",
    ("programme", "keywords"): "keyword",
    ("programme", "policy_domains"): "policy-domain",
    ("programme", "contributions"): "contribution",
    ("team", "theme"): "theme",
    ("event", "kind"): "event-kind",
    ("quantity", "kind"): "quantity-kind",
    ("assessment", "verdict"): "verdict",
    ("post", "portfolio"): "portfolio",
    ("project", "addresses"): "issue",
    ("project", "services"): "service",
    ("quantity", "contributor_kinds"): "actor-kind",
}

# Fields that need a source for identifiers or dates when set.
EVIDENCE_FIELDS: dict[str, tuple[tuple[str, ...], str]] = {
    "organisation": (("tooi", "wikidata"), "identifier_source"),
    "place": (("cbs_code",), "identifier_source"),
    "post": (("start", "end"), "date_source"),
    "membership": (("start", "end"), "date_source"),
}
