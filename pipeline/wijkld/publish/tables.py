"""Tables for spreadsheets: one UTF-8 CSV file per kind of thing, and W3C CSVW metadata mapping them to the RDF.

Each row is one resource of a class, with its IRI and readable columns under Dutch headers (English
titles in the metadata). A column holds the values of one property of the row's resource, or the
Dutch label of a resource another column links, so that ``csv-metadata.json`` maps every cell back to
a triple the release publishes (``tests/test_tables.py`` checks that CSVW→RDF gives only triples of the
dump). The rows come from the data graph and the labels of vocabulary terms from the vocabulary; rows
are in IRI order and several values of a cell in value order, so the bytes depend on the data alone.

The files start with a byte-order mark: without it Excel, which most readers open a CSV with, reads
UTF-8 as Windows-1252 and garbles "Nicolaï". CSVW processors skip it (the dialect says so).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from wijkld.errors import WijkldError
from wijkld.model.iris import CSVW_METADATA, TABLES_FOLDER
from wijkld.model.vocab import DCTERMS, GEO, ORG, OWL, RDF, RDFS, SCHEMA, TIME, WIJKLD, XSD

FOLDER = TABLES_FOLDER
METADATA = CSVW_METADATA
#: Several values of one cell (CSVW ``separator``): the records' own separator (data/README.md).
SEPARATOR = " | "
#: The CSVW names of the XSD datatypes a column may declare.
CSVW_DATATYPES = {
    XSD.integer: "integer",
    XSD.decimal: "decimal",
    XSD.boolean: "boolean",
    XSD.date: "date",
    XSD.gYear: "gYear",
    XSD.gYearMonth: "gYearMonth",
    XSD.string: "string",
}


@dataclass(frozen=True)
class Column:
    name: str  # the header: Dutch, and the CSVW column name
    title_en: str
    prop: URIRef  # the property of the resource the cell is about
    #: the column holding the IRI the cell is about; "" for the row's own resource
    about: str = ""
    iri: bool = False  # the values are IRIs (CSVW valueUrl) rather than literals
    lang: str | None = None  # only values in this language (a label's Dutch or English form)


@dataclass(frozen=True)
class Table:
    name: str  # file name without .csv
    title_nl: str
    title_en: str
    rdf_class: URIRef
    columns: tuple[Column, ...]

    @property
    def file(self) -> str:
        return f"{FOLDER}/{self.name}.csv"

    @property
    def linked(self) -> frozenset[str]:
        """Columns that other columns are about: one IRI per cell, since a CSVW aboutUrl names one resource."""
        return frozenset(c.about for c in self.columns if c.about)


def _label(column: str, title_en: str, about: str) -> Column:
    """The Dutch label of the resource another column links."""
    return Column(column, title_en, RDFS.label, about=about, lang="nl")


TABLES = (
    Table(
        "adoptieteams",
        "Adoptieteams",
        "Adoption teams",
        WIJKLD.AdoptionTeam,
        (
            Column("naam", "name (Dutch)", RDFS.label, lang="nl"),
            Column("naam_en", "name (English)", RDFS.label, lang="en"),
            Column("rij", "row in the page's table", WIJKLD.position),
            Column("gemeente_iri", "municipality (IRI)", WIJKLD.municipality, iri=True),
            _label("gemeente", "municipality", "gemeente_iri"),
            Column("wijk_iri", "wijk (IRI)", WIJKLD.wijk, iri=True),
            _label("wijk", "wijk", "wijk_iri"),
            Column("thema_iri", "theme (IRI)", WIJKLD.theme, iri=True),
            _label("thema", "theme", "thema_iri"),
        ),
    ),
    Table(
        "lidmaatschappen",
        "Lidmaatschappen van de adoptieteams",
        "Memberships of the adoption teams",
        ORG.Membership,
        (
            Column("team_iri", "team (IRI)", ORG.organization, iri=True),
            _label("team", "team", "team_iri"),
            Column("persoon_iri", "person (IRI)", ORG.member, iri=True),
            Column("persoon", "person", SCHEMA.name, about="persoon_iri"),
            Column("rol_iri", "role (IRI)", ORG.role, iri=True),
            _label("rol", "role", "rol_iri"),
            Column("zetel_iri", "seat in the team (IRI)", WIJKLD.seat, iri=True),
            _label("zetel", "seat in the team", "zetel_iri"),
            Column("vertegenwoordigt_iri", "organisation represented (IRI)", WIJKLD.representing, iri=True),
            _label("vertegenwoordigt", "organisation represented", "vertegenwoordigt_iri"),
            Column("zoals_gegeven", "as the page gives it", WIJKLD.asGiven, lang="nl"),
            Column("periode_iri", "period (IRI)", ORG.memberDuring, iri=True),
            Column("begin_iri", "start (IRI)", TIME.hasBeginning, about="periode_iri", iri=True),
            _label("begin", "start", "begin_iri"),
            Column("einde_iri", "end (IRI)", TIME.hasEnd, about="periode_iri", iri=True),
            _label("einde", "end", "einde_iri"),
            Column("vervangt_iri", "replaces (IRI)", DCTERMS.replaces, iri=True),
        ),
    ),
    Table(
        "personen",
        "Personen",
        "Persons",
        SCHEMA.Person,
        (
            Column("naam", "name", SCHEMA.name),
            Column("voornaam", "given name", SCHEMA.givenName),
            Column("achternaam", "family name", SCHEMA.familyName),
            Column("partij_iri", "party (IRI)", ORG.memberOf, iri=True),
            _label("partij", "party", "partij_iri"),
            Column("biografie", "biography", SCHEMA.subjectOf, iri=True),
        ),
    ),
    Table(
        "organisaties",
        "Organisaties",
        "Organisations",
        ORG.Organization,
        (
            Column("naam", "name (Dutch)", RDFS.label, lang="nl"),
            Column("naam_en", "name (English)", RDFS.label, lang="en"),
            Column("afkorting", "abbreviation", WIJKLD.abbreviation),
            Column("soort_iri", "kind (IRI)", DCTERMS.type, iri=True),
            _label("soort", "kind", "soort_iri"),
            Column("onderdeel_van_iri", "part of (IRI)", ORG.subOrganizationOf, iri=True),
            Column("zelfde_als", "same as (TOOI, Wikidata)", OWL.sameAs, iri=True),
        ),
    ),
    Table(
        "wijken",
        "Wijken",
        "Wijken (neighbourhoods)",
        WIJKLD.Wijk,
        (
            Column("naam", "name (Dutch)", RDFS.label, lang="nl"),
            Column("naam_en", "name (English)", RDFS.label, lang="en"),
            Column("ligt_in_iri", "lies in (IRI)", GEO.sfWithin, iri=True),
            _label("ligt_in", "lies in", "ligt_in_iri"),
            Column("cbs_code", "CBS code", WIJKLD.cbsCode),
            Column("geidentificeerd", "identified", WIJKLD.identified),
        ),
    ),
    Table(
        "nieuwsberichten",
        "Nieuwsberichten die de pagina aanhaalt",
        "News items the page cites",
        SCHEMA.NewsArticle,
        (
            Column("titel", "title", DCTERMS.title, lang="nl"),
            Column("titel_door_ons", "title supplied by us", WIJKLD.titleSupplied),
            Column("datum", "date", DCTERMS.issued),
            Column("in_iri", "in (IRI)", DCTERMS.isPartOf, iri=True),
            _label("in", "in (periodical or series)", "in_iri"),
            Column("uitgever_iri", "publisher (IRI)", DCTERMS.publisher, iri=True),
            _label("uitgever", "publisher", "uitgever_iri"),
        ),
    ),
    Table(
        "gebeurtenissen",
        "Gebeurtenissen",
        "Events",
        SCHEMA.Event,
        (
            Column("naam", "name (Dutch)", RDFS.label, lang="nl"),
            Column("naam_en", "name (English)", RDFS.label, lang="en"),
            Column("datum", "date", SCHEMA.startDate),
            Column("datum_zoals_gegeven", "date as the page gives it", WIJKLD.dateAsGiven, lang="nl"),
            Column("soort_iri", "kind (IRI)", DCTERMS.type, iri=True),
            _label("soort", "kind", "soort_iri"),
            Column("beschrijving", "description", DCTERMS.description, lang="nl"),
        ),
    ),
)

Values = Callable[[Node, URIRef], Iterable[Node]]
#: Per resource of a table, per column (the IRI first), its values.
Rows = list[list[list[Node]]]


def _values(data: Graph, vocabulary: Graph) -> Values:
    """The objects of a property: from the data, or for a vocabulary term (a seat, a kind) from the vocabulary."""

    def values(subject: Node, prop: URIRef) -> Iterable[Node]:
        found = list(data.objects(subject, prop))  # type: ignore[arg-type]
        return found or list(vocabulary.objects(subject, prop))  # type: ignore[arg-type]

    return values


def _cell(nodes: Iterable[Node], column: Column) -> list[Node]:
    kept = [n for n in nodes if column.lang is None or (isinstance(n, Literal) and n.language == column.lang)]
    return sorted(kept, key=lambda n: (str(n), n.n3()))


def rows(table: Table, data: Graph, vocabulary: Graph) -> Rows:
    """Per resource of the table's class (in IRI order), per column, its values."""
    values = _values(data, vocabulary)
    things = sorted({s for s in data.subjects(RDF.type, table.rdf_class) if isinstance(s, URIRef)}, key=str)
    found = []
    for thing in things:
        cells: dict[str, list[Node]] = {"iri": [thing]}
        for column in table.columns:
            subjects = cells[column.about] if column.about else [thing]
            cells[column.name] = _cell((v for s in subjects for v in values(s, column.prop)), column)
            if column.name in table.linked and len(cells[column.name]) > 1:
                raise WijkldError(
                    f"table {table.file}: {thing} has {len(cells[column.name])} values of {column.prop}; the column"
                    f" {column.name} links one resource (the shapes allow at most one)"
                )
        found.append([cells["iri"], *(cells[c.name] for c in table.columns)])
    return found


def csv_bytes(table: Table, table_rows: Rows) -> bytes:
    """The table's CSV from its :func:`rows`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180, as CSVW's default dialect expects
    writer.writerow(["iri", *(c.name for c in table.columns)])
    for row in table_rows:
        writer.writerow([SEPARATOR.join(str(v) for v in cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _datatype(table: Table, column: Column, table_rows: Rows) -> str | None:
    """The CSVW datatype of a literal column: the one XSD datatype of its values; None when they mix (dates of
    different precision), which CSVW cannot declare per cell."""
    found = {
        v.datatype or (RDF.langString if v.language else XSD.string)
        for row in table_rows
        for v in row[1 + table.columns.index(column)]
        if isinstance(v, Literal)
    }
    if column.lang is not None:
        return "string"
    if len(found) == 1:
        return CSVW_DATATYPES.get(next(iter(found)))  # type: ignore[arg-type]
    return None if found else "string"


def csvw_metadata(rows_by_table: Mapping[str, Rows], dataset_iri: str) -> bytes:
    """``csv-metadata.json``: a CSVW table group of every table, mapping each cell to its triple."""
    tables = []
    for table in TABLES:
        columns: list[dict[str, object]] = [
            {"name": "iri", "titles": {"nl": "iri", "en": "IRI"}, "required": True, "suppressOutput": True}
        ]
        for column in table.columns:
            spec: dict[str, object] = {
                "name": column.name,
                "titles": {"nl": column.name, "en": column.title_en},
                "propertyUrl": str(column.prop),
            }
            if column.name not in table.linked:
                spec["separator"] = SEPARATOR
            if column.about:
                spec["aboutUrl"] = "{+" + column.about + "}"
            if column.iri:
                spec["valueUrl"] = "{+" + column.name + "}"
            else:
                datatype = _datatype(table, column, rows_by_table[table.name])
                if datatype is None:
                    spec["suppressOutput"] = True
                    spec["dc:description"] = {
                        "nl": "Data van verschillende precisie (jaar, maand, dag): in de RDF als xsd:gYear, "
                        "xsd:gYearMonth of xsd:date; CSVW kent één datatype per kolom, dus deze kolom telt niet mee.",
                        "en": "Dates of different precision (year, month, day): xsd:gYear, xsd:gYearMonth or xsd:date "
                        "in the RDF; CSVW declares one datatype per column, so this column is left out of the mapping.",
                    }
                else:
                    spec["datatype"] = datatype
                if column.lang:
                    spec["lang"] = column.lang
            columns.append(spec)
        tables.append(
            {
                "url": f"{table.name}.csv",
                "dc:title": [
                    {"@value": table.title_nl, "@language": "nl"},
                    {"@value": table.title_en, "@language": "en"},
                ],
                "tableSchema": {"columns": columns, "primaryKey": "iri", "aboutUrl": "{+iri}"},
            }
        )
    group = {
        "@context": "http://www.w3.org/ns/csvw",
        "dc:source": dataset_iri,
        "dialect": {"encoding": "utf-8", "header": True, "skipInitialSpace": False},
        "tables": tables,
    }
    return (json.dumps(group, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
