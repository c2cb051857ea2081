"""Describe a release: DCAT (after DCAT-AP-NL 3.0) and VoID, with sizes and checksums.

Every node gets an IRI (distributions, checksums, partitions, the contact
point), so the metadata is as free of blank nodes as the data. Dates come from
the release record, never from the clock.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Graph, Literal, Namespace, URIRef

from . import __version__
from .iris import Minter, slugify
from .mapping import date_literal, new_graph
from .records import Records
from .vocab import ADMS, DCAT, DCTERMS, FOAF, PREFIXES, PROV, RDF, RDFS, SCHEMA, SPDX, VOID, XSD, compact_iri

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
        "Data, vocabulaire, shapes en metadata als N-Quads (gzip)",
        "Data, vocabulary, shapes and metadata as N-Quads (gzip)",
    ),
    "wijkld.jsonld": (*_JSONLD, "Data in JSON-LD", "Data in JSON-LD"),
    "context.jsonld": (*_JSONLD, "JSON-LD-context", "JSON-LD context"),
    "vocabulary.ttl": (*_TURTLE, "Vocabulaire (OWL)", "Vocabulary (OWL)"),
    "shapes.ttl": (*_TURTLE, "SHACL-shapes", "SHACL shapes"),
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


def is_download(name: str) -> bool:
    """Files described as distributions (pages and the checksum list are not)."""
    return name in FILE_KINDS or (name.startswith("framed/") and name.endswith(".jsonld"))


def describe_file(name: str, content: bytes | None) -> FileInfo:
    if name.startswith("framed/"):
        kind = ("application/ld+json", "JSON_LD", f"Ingebedde JSON-LD: {name}", f"Framed JSON-LD: {name}")
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
        size=len(content) if content is not None else None,
        sha256=hashlib.sha256(content).hexdigest() if content is not None else None,
    )


@dataclass(frozen=True)
class Release:
    """What the metadata needs to know about the build."""

    records: Records
    minter: Minter
    data: Graph
    files: tuple[FileInfo, ...]
    download_base: str
    example_resources: tuple[URIRef, ...]
    version_notes: str | None = None


def dataset_iri(minter: Minter) -> URIRef:
    return URIRef(minter.thing("dataset", "wijkld"))


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

    g.add((catalog, RDF.type, DCAT.Catalog))
    for lang in ("nl", "en"):
        g.add((catalog, DCTERMS.title, Literal("wijkld-catalogus" if lang == "nl" else "wijkld catalogue", lang=lang)))
        g.add((catalog, DCTERMS.description, Literal(r.text(f"description_{lang}"), lang=lang)))
    g.add((catalog, DCTERMS.publisher, publisher))
    g.add((catalog, DCTERMS.license, licence))
    g.add((catalog, DCAT.dataset, dataset))
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
    g.add((dataset, DCTERMS.license, licence))
    g.add((dataset, DCTERMS.accessRights, URIRef(EU + "access-right/PUBLIC")))
    g.add((dataset, DCTERMS.issued, date_literal(r.date("issued"))))  # type: ignore[arg-type]
    g.add((dataset, DCTERMS.modified, date_literal(r.date("modified"))))  # type: ignore[arg-type]
    g.add((dataset, DCAT.version, Literal(r.text("version"))))
    g.add((dataset, ADMS.versionNotes, Literal(release.version_notes or f"Release {r.text('version')}", lang="en")))
    g.add((dataset, DCTERMS.language, URIRef(EU + "language/NLD")))
    g.add((dataset, DCAT.theme, URIRef(EU + "data-theme/SOCI")))
    g.add((dataset, DCAT.theme, URIRef(EU + "data-theme/GOVE")))
    g.add((dataset, DCTERMS.spatial, URIRef(EU + "country/NLD")))
    g.add((dataset, DCAT.contactPoint, contact))
    g.add((dataset, DCTERMS.conformsTo, URIRef("https://w3id.org/wijkld/def")))
    for source in r.many("source"):
        g.add((dataset, PROV.wasDerivedFrom, URIRef(m.thing("bron", source))))
    if r.text("homepage"):
        g.add((dataset, DCAT.landingPage, URIRef(r.text("homepage") or "")))
    _temporal(g, release, dataset)

    g.add((contact, RDF.type, VCARD.Organization))
    g.add((contact, VCARD.fn, Literal("wijkld")))
    g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{r.text('contact_email')}")))
    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, Literal("wijkld")))

    for info in release.files:
        _distribution(g, release, dataset, info, licence)
    return g


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
    data, m = release.data, release.minter
    g.add((dataset, RDF.type, VOID.Dataset))
    for dump in DUMPS:
        g.add((dataset, VOID.dataDump, URIRef(release.download_base + dump)))
    g.add((dataset, VOID.triples, Literal(len(data), datatype=XSD.integer)))
    subjects = {s for s in data.subjects() if isinstance(s, URIRef)}
    g.add((dataset, VOID.entities, Literal(len(subjects), datatype=XSD.integer)))
    g.add((dataset, VOID.distinctSubjects, Literal(len(subjects), datatype=XSD.integer)))
    objects = {o for o in data.objects()}
    g.add((dataset, VOID.distinctObjects, Literal(len(objects), datatype=XSD.integer)))
    g.add((dataset, VOID.uriSpace, Literal(f"{m.base}/id/")))
    g.add((dataset, VOID.feature, URIRef("http://www.w3.org/ns/formats/N-Triples")))
    g.add((dataset, VOID.feature, URIRef("http://www.w3.org/ns/formats/Turtle")))
    for namespace in sorted(_vocabularies(data)):
        g.add((dataset, VOID.vocabulary, URIRef(namespace)))
    for example in release.example_resources:
        g.add((dataset, VOID.exampleResource, example))

    classes = Counter(o for s, o in data.subject_objects(RDF.type) if isinstance(o, URIRef))
    g.add((dataset, VOID.classes, Literal(len(classes), datatype=XSD.integer)))
    for cls, count in sorted(classes.items()):
        part = URIRef(m.thing("partitie", "klasse-" + slugify(compact_iri(str(cls), " "))))
        g.add((dataset, VOID.classPartition, part))
        g.add((part, VOID["class"], cls))
        g.add((part, VOID.entities, Literal(count, datatype=XSD.integer)))
    properties = Counter(p for p in data.predicates() if isinstance(p, URIRef))
    g.add((dataset, VOID.properties, Literal(len(properties), datatype=XSD.integer)))
    for prop, count in sorted(properties.items()):
        part = URIRef(m.thing("partitie", "eigenschap-" + slugify(compact_iri(str(prop), " "))))
        g.add((dataset, VOID.propertyPartition, part))
        g.add((part, VOID.property, prop))
        g.add((part, VOID.triples, Literal(count, datatype=XSD.integer)))

    agent = URIRef(m.thing("software", f"wijkld-{__version__}"))
    g.add((dataset, PROV.wasAttributedTo, agent))
    g.add((agent, RDFS.label, Literal(f"wijkld {__version__}")))
    g.add((agent, SCHEMA.softwareVersion, Literal(__version__)))


def _vocabularies(data: Graph) -> Iterable[str]:
    used = {str(p) for p in data.predicates()} | {str(o) for o in data.objects(None, RDF.type)}
    for namespace in PREFIXES.values():
        if any(iri.startswith(str(namespace)) for iri in used):
            yield str(namespace)
