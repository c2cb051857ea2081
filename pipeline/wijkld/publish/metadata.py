"""Describe a release: DCAT (after DCAT-AP-NL 3.0) and VoID, with sizes and checksums.

Every node gets an IRI (distributions, checksums, partitions, the contact
point), so the metadata is as free of blank nodes as the data. Dates come from
the release record, never from the clock.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.query import ResultRow
from rdflib.term import Node

from wijkld import __version__
from wijkld.model.iris import VOCAB, Minter, slugify
from wijkld.model.mapping import date_literal, labels_in_both_languages, new_graph
from wijkld.model.terms import from_oxigraph
from wijkld.model.vocab import (
    ADMS,
    DCAT,
    DCTERMS,
    FOAF,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SPDX,
    VOID,
    XSD,
    compact_iri,
)
from wijkld.publish import tables
from wijkld.records.load import Records

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"


@dataclass(frozen=True)
class FileInfo:
    name: str
    media_type: str
    eu_format: str  # EU file-type authority code
    title_nl: str
    title_en: str
    compressed: bool = False
    #: size and checksum; None where the file describes itself or is not written yet
    size: int | None = None
    sha256: str | None = None


#: (media type, EU file-type authority code) of the formats most files are in.
_TURTLE = ("text/turtle", "RDF_TURTLE")
_NTRIPLES = ("application/n-triples", "RDF_N_TRIPLES")
_JSONLD = ("application/ld+json", "JSON_LD")

#: What each published file is, for DCAT. Keys are file names in dist/.
FILE_KINDS: dict[str, tuple[str, str, str, str]] = {
    "wijkld.ttl": (*_TURTLE, "Data in Turtle", "Data in Turtle"),
    "wijkld.nt.gz": (*_NTRIPLES, "Data als N-Triples (gzip)", "Data as N-Triples (gzip)"),
    "wijkld.nq.gz": (
        "application/n-quads",
        "RDF_N_QUADS",
        "Data, vocabulaire, shapes en metadata als N-Quads (gzip), in benoemde grafen; wat de pagina zelf niet"
        " zegt in een graaf per grondslag",
        "Data, vocabulary, shapes and metadata as N-Quads (gzip), in named graphs; what the page does not state"
        " itself in a graph per basis",
    ),
    "wijkld.jsonld": (*_JSONLD, "Data in JSON-LD", "Data in JSON-LD"),
    "context.jsonld": (*_JSONLD, "JSON-LD-context", "JSON-LD context"),
    "vocabulary.ttl": (*_TURTLE, "Vocabulaire (OWL)", "Vocabulary (OWL)"),
    "shapes.ttl": (*_TURTLE, "SHACL-shapes", "SHACL shapes"),
    "vocabulary.jsonld": (*_JSONLD, "Vocabulaire (OWL) in JSON-LD", "Vocabulary (OWL) in JSON-LD"),
    "shapes.jsonld": (*_JSONLD, "SHACL-shapes in JSON-LD", "SHACL shapes in JSON-LD"),
    "validation-report.ttl": (*_TURTLE, "SHACL-validatierapport", "SHACL validation report"),
    "void.ttl": (*_TURTLE, "VoID-beschrijving", "VoID description"),
    "release-notes.ttl": (*_TURTLE, "Wijzigingen (RDF)", "Release notes (RDF)"),
    "release-notes.txt": ("text/plain", "TXT", "Wijzigingen (tekst)", "Release notes (text)"),
    "release-notes.json": ("application/json", "JSON", "Wijzigingen (JSON)", "Release notes (JSON)"),
    "previous-release.nt.gz": (
        *_NTRIPLES,
        "Data van de vorige versie, basis van de wijzigingen (gzip)",
        "Data of the previous version, baseline of the release notes (gzip)",
    ),
    "dcat.ttl": (*_TURTLE, "DCAT-beschrijving", "DCAT description"),
}


#: The files that hold the data: DCAT distributions of the dataset. The others of :data:`FILE_KINDS`
#: (vocabulary, shapes, context, report, VoID, release notes, the previous release, DCAT itself) are
#: documents about it, described as such (:func:`dcat`), not as other forms of the data.
DATA_FILES = ("wijkld.ttl", "wijkld.nt.gz", "wijkld.nq.gz", "wijkld.jsonld")


def is_download(name: str) -> bool:
    """Files the metadata and the download table describe (pages and the checksum list are not)."""
    return name in FILE_KINDS or is_data(name) or name == tables.METADATA


def is_data(name: str) -> bool:
    """Files that are a distribution of the dataset: the data in some format (:data:`DATA_FILES`, framed views,
    the tables for spreadsheets)."""
    return (
        name in DATA_FILES
        or (name.startswith("framed/") and name.endswith(".jsonld"))
        or name in {t.file for t in tables.TABLES}
    )


def describe_file(name: str, content: bytes | None) -> FileInfo:
    """A file of the release from its content in memory; ``None``: not written yet (no size, no checksum)."""
    if content is None:
        return _file_info(name, None, None)
    return _file_info(name, len(content), hashlib.sha256(content).hexdigest())


def describe_path(name: str, path: Path) -> FileInfo:
    """A file of the release from the file at ``path``, hashed in blocks (never whole in memory)."""
    with path.open("rb") as handle:
        sha256 = hashlib.file_digest(handle, "sha256").hexdigest()
        size = os.fstat(handle.fileno()).st_size
    return _file_info(name, size, sha256)


def _file_info(name: str, size: int | None, sha256: str | None) -> FileInfo:
    table = next((t for t in tables.TABLES if t.file == name), None)
    if name.startswith("framed/"):
        kind = ("application/ld+json", "JSON_LD", f"Ingebedde JSON-LD: {name}", f"Framed JSON-LD: {name}")
    elif table is not None:
        kind = ("text/csv", "CSV", f"Tabel (CSV): {table.title_nl}", f"Table (CSV): {table.title_en}")
    elif name == tables.METADATA:
        kind = (
            "application/csvm+json",
            "JSON",
            "CSVW-metadata: hoe de tabellen op de RDF afbeelden",
            "CSVW metadata: how the tables map to the RDF",
        )
    else:
        kind = FILE_KINDS[name]
    media, fmt, nl, en = kind
    return FileInfo(
        name=name,
        media_type=media,
        eu_format=fmt,
        title_nl=nl,
        title_en=en,
        compressed=name.endswith(".gz"),
        size=size,
        sha256=sha256,
    )


@dataclass(frozen=True)
class DataStats:
    """The VoID statistics of the data graph (see :func:`data_stats`)."""

    triples: int
    #: distinct subjects that are IRIs: void:entities and void:distinctSubjects
    entities: int
    distinct_objects: int
    #: (class, triples ``?s rdf:type class``), IRIs only, sorted by class
    classes: tuple[tuple[URIRef, int], ...]
    #: (property, triples), sorted by property
    properties: tuple[tuple[URIRef, int], ...]
    #: the namespaces of :data:`wijkld.vocab.PREFIXES` that a property or a class of the data is in, sorted
    vocabularies: tuple[str, ...]


#: One pass for the triples and the distinct objects.
_COUNTS = "SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?o) AS ?objects) WHERE { ?s ?p ?o }"
#: The subjects that are IRIs. The test comes after the grouping, once per subject: Oxigraph takes ten
#: times as long to filter every triple (``?s ?p ?o FILTER(isIRI(?s))``).
_ENTITIES = "SELECT (COUNT(*) AS ?entities) WHERE { SELECT ?s WHERE { ?s ?p ?o } GROUP BY ?s HAVING (isIRI(?s)) }"
_CLASSES = f"SELECT ?class (COUNT(*) AS ?triples) WHERE {{ ?s <{RDF.type}> ?class }} GROUP BY ?class"
_PROPERTIES = "SELECT ?p (COUNT(*) AS ?triples) WHERE { ?s ?p ?o } GROUP BY ?p"


def data_stats(data: Graph | ox.Store) -> DataStats:
    """Triples, entities, distinct objects, class and property partitions and vocabularies of ``data``.

    Counted by SPARQL aggregates: an Oxigraph store (the build's, on disk) counts them itself and only the
    numbers and the partitions, one row per class and per property, come to Python; an rdflib graph is
    counted by its store's SPARQL engine. Both equal the counting over the graph's terms that the build did
    before (tests/test_metadata_stats.py): triples, ``subjects()`` that are IRIs, ``objects()``, IRI objects
    of rdf:type, ``predicates()``. The store is asked directly, not through rdflib's Graph API: oxrdflib's
    results hold the store's solutions in a reference cycle, which the garbage collector may free on
    another thread, and pyoxigraph refuses that.

    One difference between the stores cannot be helped: in RDF 1.1 a plain literal and the same text typed
    xsd:string are one term, and Oxigraph keeps them so (the N-Triples dump, which Oxigraph writes, shows
    both as one line), while rdflib's memory store keeps ``Literal("a")`` and
    ``Literal("a", datatype=XSD.string)`` apart, as the counting over its terms always did. The mapping
    makes no xsd:string literals, so the counts of the release are the same in both stores.
    """
    query = _store_rows(data) if isinstance(data, ox.Store) else _graph_rows(data)
    classes = [(term, int(str(count))) for term, count in query(_CLASSES)]
    properties = [(term, int(str(count))) for term, count in query(_PROPERTIES)]
    # what _vocabularies looked in: every property, and every object of rdf:type (also one that is no IRI)
    used = {str(term) for term, _ in classes} | {str(term) for term, _ in properties}
    ((triples, objects),) = [(int(str(t)), int(str(o))) for t, o in query(_COUNTS)]
    ((entities,),) = [(int(str(e)),) for (e,) in query(_ENTITIES)]
    return DataStats(
        triples=triples,
        entities=entities,
        distinct_objects=objects,
        classes=tuple(sorted((c, n) for c, n in classes if isinstance(c, URIRef))),
        properties=tuple(sorted((p, n) for p, n in properties if isinstance(p, URIRef))),
        vocabularies=tuple(sorted(_vocabularies(used))),
    )


def _graph_rows(data: Graph) -> Callable[[str], list[tuple[Node, ...]]]:
    def rows(text: str) -> list[tuple[Node, ...]]:
        return [tuple(row) for row in data.query(text) if isinstance(row, ResultRow)]

    return rows


def _store_rows(store: ox.Store) -> Callable[[str], list[tuple[Node, ...]]]:
    def rows(text: str) -> list[tuple[Node, ...]]:
        solutions = store.query(text)
        assert isinstance(solutions, ox.QuerySolutions)
        found = [tuple(from_oxigraph(term, "", Path("store")) for term in solution) for solution in solutions]
        del solutions  # here, on this thread
        return found

    return rows


@dataclass(frozen=True)
class Release:
    """What the metadata needs to know about the build."""

    records: Records
    minter: Minter
    #: the statistics of the data (:func:`data_stats`)
    stats: DataStats
    files: tuple[FileInfo, ...]
    download_base: str
    example_resources: tuple[URIRef, ...]
    version_notes: str | None = None


def dataset_iri(minter: Minter) -> URIRef:
    return URIRef(minter.dataset)


def describe(release: Release) -> Graph:
    """DCAT and VoID together (the metadata graph of the N-Quads dump)."""
    g = dcat(release)
    for triple in void(release):
        g.add(triple)
    return g


def void(release: Release) -> Graph:
    """The VoID description: statistics, partitions, dumps, URI space, vocabularies."""
    g = new_graph()
    _void(g, release, dataset_iri(release.minter))
    return g


def dcat(release: Release) -> Graph:
    """DCAT catalogue, dataset and one distribution per file, after DCAT-AP-NL 3.0."""
    g = new_graph()
    g.bind("vcard", VCARD)
    g.bind("dcatap", DCATAP)
    m, r = release.minter, release.records.release
    dataset = dataset_iri(m)
    catalog = URIRef(m.thing("catalogus", "wijkld"))
    publisher = URIRef(m.thing("organisatie", r.text("publisher") or "wijkld"))
    contact = URIRef(m.thing("contactpunt", "wijkld"))
    licence = URIRef(r.text("licence") or "")
    service = URIRef(m.thing("dienst", "sparql"))

    g.add((catalog, RDF.type, DCAT.Catalog))
    for lang in ("nl", "en"):
        g.add((catalog, DCTERMS.title, Literal("wijkld-catalogus" if lang == "nl" else "wijkld catalogue", lang=lang)))
        g.add((catalog, DCTERMS.description, Literal(r.text(f"description_{lang}"), lang=lang)))
    g.add((catalog, DCTERMS.publisher, publisher))
    g.add((catalog, DCTERMS.license, licence))
    g.add((catalog, DCAT.dataset, dataset))
    g.add((catalog, DCAT.service, service))
    g.add((catalog, DCAT.contactPoint, contact))
    g.add((catalog, DCTERMS.language, URIRef(EU + "language/NLD")))
    if r.text("homepage"):
        g.add((catalog, FOAF.homepage, URIRef(r.text("homepage") or "")))

    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, RDF.type, VOID.Dataset))
    for lang in ("nl", "en"):
        g.add((dataset, DCTERMS.title, Literal(r.text(f"title_{lang}"), lang=lang)))
        g.add((dataset, DCTERMS.description, Literal(r.text(f"description_{lang}"), lang=lang)))
    g.add((dataset, DCTERMS.identifier, Literal(str(dataset))))
    g.add((dataset, DCTERMS.publisher, publisher))
    g.add((dataset, DCTERMS.creator, publisher))  # the records are the publisher's transcription of the page
    g.add((dataset, DCTERMS.license, licence))
    g.add((dataset, DCTERMS.accessRights, URIRef(EU + "access-right/PUBLIC")))
    g.add((dataset, DCTERMS.issued, date_literal(r.date("issued"))))  # type: ignore[arg-type]
    g.add((dataset, DCTERMS.modified, date_literal(r.date("modified"))))  # type: ignore[arg-type]
    g.add((dataset, DCAT.version, Literal(r.text("version"))))
    g.add((dataset, ADMS.versionNotes, Literal(release.version_notes or f"Release {r.text('version')}", lang="en")))
    g.add((dataset, DCTERMS.language, URIRef(EU + "language/NLD")))
    for theme in ("SOCI", "GOVE"):
        g.add((dataset, DCAT.theme, URIRef(EU + "data-theme/" + theme)))
    g.add((dataset, DCTERMS.spatial, URIRef(EU + "country/NLD")))
    g.add((dataset, DCAT.contactPoint, contact))
    g.add((dataset, DCTERMS.conformsTo, URIRef(VOCAB.rstrip("/"))))
    g.add((dataset, DCTERMS.conformsTo, URIRef(SHAPES)))
    for source in r.many("source"):
        g.add((dataset, PROV.wasDerivedFrom, URIRef(m.thing("bron", source))))
    if r.text("homepage"):
        g.add((dataset, DCAT.landingPage, URIRef(r.text("homepage") or "")))
    _temporal(g, release, dataset)

    g.add((contact, RDF.type, VCARD.Organization))
    g.add((contact, RDF.type, VCARD.Kind))  # DCAT-AP-NL checks the range class itself, without inference
    g.add((contact, VCARD.fn, Literal("wijkld")))
    g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{r.text('contact_email')}")))
    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, Literal("wijkld")))

    standard_files = {name for files in _STANDARD_FILES.values() for name in files}
    for info in release.files:
        if is_data(info.name):
            _distribution(g, release, dataset, info, licence)
        elif info.name not in standard_files:  # those are the standards' (below)
            _document(g, release, dataset, info)
    _standards(g, release)
    _service(g, release, service, dataset, publisher, contact, licence)
    _range_classes(g)
    return g


#: The shapes graph's IRI (``wsh:`` in shapes/), the standard the data and this metadata conform to.
SHAPES = VOCAB + "shapes/"
#: The published files that hold each standard, as RDF and, where there is one, as an HTML page.
_STANDARD_FILES = {
    VOCAB.rstrip("/"): ("vocabulary.ttl", "vocabulary.jsonld", "vocabulary.html"),
    SHAPES: ("shapes.ttl", "shapes.jsonld", "shapes.html"),
}


def _standards(g: Graph, release: Release) -> None:
    """The vocabulary and the shapes: standards the dataset conforms to, each with the files that hold it.

    Their names are in their own graphs (the vocabulary's ``dcterms:title``, the shapes' ``rdfs:label``):
    a second title here would be a second Dutch title where the N-Quads merge the graphs.
    """
    for standard, files in _STANDARD_FILES.items():
        node = URIRef(standard)
        for name in files:  # every build writes them
            g.add((node, DCTERMS.hasFormat, URIRef(release.download_base + name)))


def _document(g: Graph, release: Release, dataset: URIRef, info: FileInfo) -> None:
    """A published file that is about the data, not the data: its address is its IRI."""
    doc = URIRef(release.download_base + info.name)
    g.add((dataset, RDFS.seeAlso, doc))
    g.add((doc, RDF.type, FOAF.Document))
    g.add((doc, DCTERMS.title, Literal(info.title_nl, lang="nl")))
    g.add((doc, DCTERMS.title, Literal(info.title_en, lang="en")))
    g.add((doc, DCTERMS.format, URIRef(EU + "file-type/" + info.eu_format)))


#: SPARQL 1.1 Protocol: what the endpoint conforms to.
SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"


def _service(
    g: Graph, release: Release, service: URIRef, dataset: URIRef, publisher: URIRef, contact: URIRef, licence: URIRef
) -> None:
    """The SPARQL endpoint of ``wijkld serve`` (docs/hosting.md) as a DCAT data service serving the dataset."""
    r = release.records.release
    endpoint = URIRef(release.minter.downloads + "sparql")
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCTERMS.title, Literal("SPARQL-endpoint van wijkld", lang="nl")))
    g.add((service, DCTERMS.title, Literal("wijkld SPARQL endpoint", lang="en")))
    g.add(
        (
            service,
            DCTERMS.description,
            Literal(
                "Alleen-lezen SPARQL 1.1-endpoint over de gegevens, het vocabulaire, de shapes en de metadata "
                "van de release; zonder query geeft het zijn SPARQL-servicebeschrijving.",
                lang="nl",
            ),
        )
    )
    g.add(
        (
            service,
            DCTERMS.description,
            Literal(
                "Read-only SPARQL 1.1 endpoint over the release's data, vocabulary, shapes and metadata; "
                "without a query it answers its SPARQL service description.",
                lang="en",
            ),
        )
    )
    g.add((service, DCTERMS.identifier, Literal(str(service))))
    g.add((service, DCAT.endpointURL, endpoint))
    g.add((service, DCAT.endpointDescription, endpoint))
    g.add((service, DCAT.servesDataset, dataset))
    g.add((service, DCTERMS.conformsTo, URIRef(SPARQL_PROTOCOL)))
    g.add((service, DCTERMS.publisher, publisher))
    g.add((service, DCAT.contactPoint, contact))
    g.add((service, DCTERMS.license, licence))
    g.add((service, DCTERMS.accessRights, URIRef(EU + "access-right/PUBLIC")))
    g.add((service, DCTERMS.modified, date_literal(r.date("modified"))))  # type: ignore[arg-type]
    for theme in ("SOCI", "GOVE"):
        g.add((service, DCAT.theme, URIRef(EU + "data-theme/" + theme)))


#: DCAT-AP's range classes of the properties whose values are other parties' IRIs (EU vocabularies, IANA
#: media types, licences): DCAT-AP-NL 3.0's class-range shapes expect each value typed so. Not dcat:theme
#: (skos:Concept): our shapes check every skos:Concept as one of our own concepts, with labels and a source.
RANGE_CLASSES = {
    DCTERMS.license: DCTERMS.LicenseDocument,
    DCTERMS.accessRights: DCTERMS.RightsStatement,
    DCTERMS.language: DCTERMS.LinguisticSystem,
    DCTERMS.spatial: DCTERMS.Location,
    DCTERMS.conformsTo: DCTERMS.Standard,
    DCTERMS.format: DCTERMS.MediaTypeOrExtent,
    DCAT.mediaType: DCTERMS.MediaType,
    DCAT.compressFormat: DCTERMS.MediaType,
    DCAT.landingPage: FOAF.Document,
    FOAF.homepage: FOAF.Document,
}


def _range_classes(g: Graph) -> None:
    for predicate, cls in RANGE_CLASSES.items():
        for value in set(g.objects(None, predicate)):
            if isinstance(value, URIRef):
                g.add((value, RDF.type, cls))


def _temporal(g: Graph, release: Release, dataset: URIRef) -> None:
    dates = sorted(
        d
        for rec in release.records
        for name in ("date", "start", "end")
        if (d := rec.date(name)) is not None and rec.type != "release"
    )
    if not dates:
        return
    period = URIRef(release.minter.thing("periode", "dataset-wijkld"))
    g.add((dataset, DCTERMS.temporal, period))
    g.add((period, RDF.type, DCTERMS.PeriodOfTime))
    g.add((period, DCAT.startDate, date_literal(dates[0])))
    g.add((period, DCAT.endDate, date_literal(dates[-1])))


def _distribution(g: Graph, release: Release, dataset: URIRef, info: FileInfo, licence: URIRef) -> None:
    m = release.minter
    dist = URIRef(m.thing("distributie", info.name))
    url = URIRef(release.download_base + info.name)
    g.add((dataset, DCAT.distribution, dist))
    g.add((dist, RDF.type, DCAT.Distribution))
    g.add((dist, DCTERMS.title, Literal(info.title_nl, lang="nl")))
    g.add((dist, DCTERMS.title, Literal(info.title_en, lang="en")))
    g.add((dist, DCAT.accessURL, url))
    g.add((dist, DCAT.downloadURL, url))
    g.add((dist, DCAT.mediaType, URIRef(IANA + info.media_type)))
    g.add((dist, DCTERMS.format, URIRef(EU + "file-type/" + info.eu_format)))
    g.add((dist, DCTERMS.license, licence))
    if info.compressed:
        g.add((dist, DCAT.compressFormat, URIRef(IANA + "application/gzip")))
    if info.size is not None:
        g.add((dist, DCAT.byteSize, Literal(info.size, datatype=XSD.nonNegativeInteger)))
    if info.sha256 is not None:
        checksum = URIRef(m.thing("checksum", info.name))
        g.add((dist, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue, Literal(info.sha256, datatype=XSD.hexBinary)))


DUMPS = ("wijkld.nt.gz", "wijkld.nq.gz")


def _void(g: Graph, release: Release, dataset: URIRef) -> None:
    stats, m = release.stats, release.minter
    g.add((dataset, RDF.type, VOID.Dataset))
    for dump in DUMPS:
        g.add((dataset, VOID.dataDump, URIRef(release.download_base + dump)))
    g.add((dataset, VOID.triples, Literal(stats.triples, datatype=XSD.integer)))
    g.add((dataset, VOID.entities, Literal(stats.entities, datatype=XSD.integer)))
    g.add((dataset, VOID.distinctSubjects, Literal(stats.entities, datatype=XSD.integer)))
    g.add((dataset, VOID.distinctObjects, Literal(stats.distinct_objects, datatype=XSD.integer)))
    g.add((dataset, VOID.uriSpace, Literal(m.things)))
    g.add((dataset, VOID.feature, URIRef("http://www.w3.org/ns/formats/N-Triples")))
    g.add((dataset, VOID.feature, URIRef("http://www.w3.org/ns/formats/Turtle")))
    for namespace in stats.vocabularies:
        g.add((dataset, VOID.vocabulary, URIRef(namespace)))
    for example in release.example_resources:
        g.add((dataset, VOID.exampleResource, example))

    g.add((dataset, VOID.classes, Literal(len(stats.classes), datatype=XSD.integer)))
    for cls, count in stats.classes:
        part = URIRef(m.thing("partitie", "klasse-" + slugify(compact_iri(str(cls), " "))))
        g.add((dataset, VOID.classPartition, part))
        g.add((part, VOID["class"], cls))
        g.add((part, VOID.entities, Literal(count, datatype=XSD.integer)))
    g.add((dataset, VOID.properties, Literal(len(stats.properties), datatype=XSD.integer)))
    for prop, count in stats.properties:
        part = URIRef(m.thing("partitie", "eigenschap-" + slugify(compact_iri(str(prop), " "))))
        g.add((dataset, VOID.propertyPartition, part))
        g.add((part, VOID.property, prop))
        g.add((part, VOID.triples, Literal(count, datatype=XSD.integer)))

    agent = URIRef(m.thing("software", f"wijkld-{__version__}"))
    g.add((dataset, PROV.wasAttributedTo, agent))
    for label in labels_in_both_languages(f"wijkld {__version__}"):
        g.add((agent, RDFS.label, label))
    g.add((agent, SCHEMA.softwareVersion, Literal(__version__)))


def _vocabularies(used: set[str]) -> Iterable[str]:
    """The namespaces of PREFIXES that one of the ``used`` IRIs (properties and classes) starts with."""
    for namespace in PREFIXES.values():
        if any(iri.startswith(str(namespace)) for iri in used):
            yield str(namespace)
