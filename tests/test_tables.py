"""The tables for spreadsheets (dist/tabellen/): read by the csvw package with their CSVW metadata, mapped to
RDF by that metadata into triples the dump holds, described in DCAT, and readable by a person."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest
from csvw import TableGroup
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDFS, XSD

from wijkld.publish import tables

CSVW_XSD = {"string": XSD.string, "integer": XSD.integer, "boolean": XSD.boolean, "decimal": XSD.decimal}


@pytest.fixture(scope="module")
def group(release_dir: Path) -> TableGroup:
    return TableGroup.from_file(release_dir / tables.METADATA)


@pytest.fixture(scope="module")
def dump(release_dir: Path) -> Graph:
    dataset = Dataset(default_union=True)
    dataset.parse(data=gzip.decompress((release_dir / "wijkld.nq.gz").read_bytes()), format="nquads")
    union = Graph()
    for triple in dataset.triples((None, None, None)):
        union.add(triple)
    return union


def csvw_triples(group: TableGroup) -> dict[str, set[tuple[URIRef, URIRef, URIRef | Literal]]]:
    """CSVW→RDF in minimal mode (W3C csv2rdf, section 4.6) over the rows and metadata the csvw package read:
    per cell not suppressed, about the expanded aboutUrl, by the propertyUrl, the expanded valueUrl or the
    value as a literal of the column's datatype and language; a list cell (separator) gives one per item."""
    found: dict[str, set[tuple[URIRef, URIRef, URIRef | Literal]]] = {}
    for table in group.tables:
        triples = found.setdefault(str(table.url), set())
        schema = table.tableSchema
        for number, row in enumerate(table.iterdicts(), start=1):
            for column in schema.columns:
                if column.suppressOutput or row[column.name] in (None, "", []):
                    continue
                about = URIRef(table.expand(column.aboutUrl or schema.aboutUrl, row, _row=number))
                prop = URIRef(str(column.propertyUrl))
                items = row[column.name] if isinstance(row[column.name], list) else [row[column.name]]
                for item in items:
                    if column.valueUrl is not None:
                        value: URIRef | Literal = URIRef(
                            table.expand(column.valueUrl, {**row, column.name: item}, _row=number)
                        )
                    elif column.lang and column.lang != "und":  # "und": no language (CSVW's default)
                        value = Literal(item, lang=column.lang)
                    else:
                        base = column.datatype.base if column.datatype else "string"
                        text = str(item).lower() if base == "boolean" else str(item)
                        value = Literal(text, datatype=CSVW_XSD[base]) if base != "string" else Literal(text)
                    triples.add((about, prop, value))
    return found


def test_csvw_reads_every_table_with_every_row(group: TableGroup, release_dir: Path) -> None:
    assert sorted(str(t.url) for t in group.tables) == sorted(f"{t.name}.csv" for t in tables.TABLES)
    for table in group.tables:
        rows = list(table.iterdicts())
        with (release_dir / tables.FOLDER / str(table.url)).open(encoding="utf-8-sig", newline="") as handle:
            assert len(rows) == len(list(csv.DictReader(handle))) > 0, table.url


def test_the_tables_map_to_triples_the_dump_holds(group: TableGroup, dump: Graph) -> None:
    mapped = csvw_triples(group)
    for url, triples in mapped.items():
        missing = sorted(t for t in triples if t not in dump)
        assert not missing, f"{url}: {len(missing)} mapped triples are not in the dump, e.g. {missing[:3]}"
    # every column the metadata maps gives triples, so the check above covers them all
    for table in group.tables:
        mapped_properties = {str(p) for _, p, _ in mapped[str(table.url)]}
        for column in table.tableSchema.columns:
            if not column.suppressOutput:
                assert str(column.propertyUrl) in mapped_properties, (table.url, column.name)
    assert sum(len(t) for t in mapped.values()) > 1000


def test_the_hengelo_memberships_read_like_the_page(release_dir: Path) -> None:
    """Someone who has never heard of RDF opens the memberships: who sat on the Hengelo team, in which role, when."""
    with (release_dir / tables.FOLDER / "lidmaatschappen.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["team"] == "Adoptieteam Hengelo Berflo Es"]
    assert sorted((r["persoon"], r["rol"], r["begin"], r["einde"]) for r in rows) == [
        ("Clémence Ross-van Dorp", "staatssecretaris", "2006", "2007"),
        ("Hans Kok", "wethouder", "2006", "2007"),
        ("Leon van Halder", "directeur-generaal", "2006", "2007"),
        ("Ralph Pans", "onafhankelijk deskundige", "2006", "2007"),
    ]


def test_every_table_opens_in_a_spreadsheet(release_dir: Path) -> None:
    """A byte-order mark (Excel reads UTF-8 only with one), CR LF line ends, the IRI first."""
    for table in tables.TABLES:
        raw = (release_dir / table.file).read_bytes()
        assert raw.startswith("\ufeffiri,".encode()) and b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")


def test_dcat_lists_the_tables_as_distributions_and_points_to_their_metadata(release_dir: Path) -> None:
    dcat = Graph().parse(release_dir / "dcat.ttl")
    media = {
        str(url).rsplit("/", 2)[-2] + "/" + str(url).rsplit("/", 1)[-1]: str(dcat.value(d, DCAT.mediaType))
        for d, url in dcat.subject_objects(DCAT.downloadURL)
        if "/tabellen/" in str(url)
    }
    assert tables.METADATA not in media, "the CSVW metadata describes the tables; it is not a form of the data"
    see_also = {str(o) for o in dcat.objects(None, RDFS.seeAlso)}
    assert any(url.endswith(tables.METADATA) for url in see_also)
    for table in tables.TABLES:
        assert media[table.file].endswith("text/csv"), table.file
        distribution = next(d for d, u in dcat.subject_objects(DCAT.downloadURL) if str(u).endswith(table.file))
        assert (None, DCAT.distribution, distribution) in dcat
        assert any(t.language == "nl" for t in dcat.objects(distribution, DCTERMS.title) if isinstance(t, Literal))
