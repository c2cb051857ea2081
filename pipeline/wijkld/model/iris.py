"""Minting IRIs after the Dutch URI strategy and "Cool URIs for the Semantic Web".

Things live at ``{base}/id/{type}/{ref}``, the documents about them at
``{base}/doc/{type}/{ref}`` and the vocabulary at ``{VOCAB}``. References are
readable slugs of stable record keys, never of row order.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from wijkld.errors import WijkldError, shown

#: The persistent default base: w3id.org redirects are maintained by a community
#: registry and outlive any one web host, which is what a citable IRI needs.
DEFAULT_BASE = "https://w3id.org/wijkld"
#: The release file that holds every graph (data, bases, vocabulary, shapes, metadata): the SPARQL-ready dump.
NQUADS_DUMP = "wijkld.nq.gz"
#: The folder of the tables for spreadsheets, and their W3C CSVW metadata (wijkld.publish.tables).
TABLES_FOLDER = "tabellen"
CSVW_METADATA = f"{TABLES_FOLDER}/csv-metadata.json"

#: The vocabulary namespace is fixed: it names terms, not instance data, so it
#: does not move when a publisher rehosts the data under another base.
VOCAB = "https://w3id.org/wijkld/def/"

_NON_SLUG = re.compile(r"[^a-z0-9]+")
MAX_SLUG = 80

#: A base begins every IRI of a release; this is ten times w3id.org's and keeps IRIs short enough for any tool.
MAX_BASE = 255

# RFC 3987's character classes, for the http(s) IRIs the records may hold: ``ucschar`` (non-ASCII characters
# allowed anywhere: not the C1 controls, not the noncharacters) and ``iprivate`` (only in a query).
_UCSCHAR = (
    "\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef"
    + "".join(f"{chr(plane)}-{chr(plane + 0xFFFD)}" for plane in range(0x10000, 0xE0000, 0x10000))
    + "\U000e1000-\U000efffd"
)
_IPRIVATE = "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
_UNRESERVED = "A-Za-z0-9._~\\-" + _UCSCHAR
_SUB_DELIMS = "!$&'()*+,;="
_PCT = "%[0-9A-Fa-f]{2}"
_IPCHAR = f"(?:[{_UNRESERVED}{_SUB_DELIMS}:@]|{_PCT})"
#: scheme, host (a name or IPv4 address, no user name), port, path, query, fragment
IRI_PATTERN = re.compile(
    f"https?://(?:[{_UNRESERVED}{_SUB_DELIMS}]|{_PCT})+(?::[0-9]{{1,5}})?(?:/{_IPCHAR}*)*"
    f"(?:\\?(?:{_IPCHAR}|[/?{_IPRIVATE}])*)?(?:#(?:{_IPCHAR}|[/?])*)?"
)
#: a character no part of an IRI may hold: not in RFC 3987's classes, a space of any kind (ucschar has
#: several), or a bidirectional formatting character (which RFC 3987, section 4.1, rules out)
_NOT_IN_IRI = re.compile(
    f"[^{_UNRESERVED}{_SUB_DELIMS}:@/?#\\[\\]%{_IPRIVATE}]|\\s|[\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
_BAD_PERCENT = re.compile("%(?![0-9A-Fa-f]{2})")
_SCHEME = re.compile("[A-Za-z][A-Za-z0-9+.-]*")

_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_BASE_PATTERN = re.compile(
    f"https?://{_LABEL}(?:\\.{_LABEL})*(?::[0-9]{{1,5}})?(?:/(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|{_PCT})+)*"
)


def iri_problem(iri: str) -> str | None:
    """Why ``iri`` is not an absolute http(s) IRI (RFC 3987) without spaces, or None if it is one.

    The reason is "" where the expectation says it all. Checked at the input, because a bad IRI otherwise
    fails far later, in a serializer or a store, as an internal error.
    """
    bad = _NOT_IN_IRI.search(iri)
    if bad is None and IRI_PATTERN.fullmatch(iri):
        return None
    scheme, colon, rest = iri.partition(":")
    if colon and _SCHEME.fullmatch(scheme) and scheme not in ("http", "https"):
        return f"the scheme must be http or https, not {scheme!r}"
    if " " in iri:
        return ""  # what is expected says: without spaces
    if bad:
        return f"character {bad.group()!r} at position {bad.start() + 1} is not allowed in an IRI"
    percent = _BAD_PERCENT.search(iri)
    if percent:
        found = iri[percent.start() : percent.start() + 3]
        return f"invalid percent-encoding {found!r}: '%' must be followed by two hexadecimal digits"
    if not colon or not rest.startswith("//"):
        return ""
    authority = re.split("[/?#]", rest[2:], maxsplit=1)[0]
    if "@" in authority:
        return "no user name or password before the host"
    if authority.startswith("["):
        return "an IP address in brackets is not supported; use a host name"
    host, colon, port = authority.partition(":")
    if not host:
        return "the host is missing"
    if colon and not re.fullmatch("[0-9]{1,5}", port):
        return "the port must be a number"
    return ""


def check_base(base: str) -> str:
    """Return ``base`` without a trailing slash, or raise if it cannot prefix IRIs.

    Only an absolute http(s) IRI of a host name, port and path of ASCII characters, at most
    :data:`MAX_BASE` long, is taken: the base is copied into every IRI, file and page of the release.
    """
    stripped = base.rstrip("/")
    if len(stripped) <= MAX_BASE and _BASE_PATTERN.fullmatch(stripped):
        return stripped
    if len(stripped) > MAX_BASE:
        reason: str | None = f"at most {MAX_BASE} characters, as it begins every IRI; got {len(stripped):,}"
    elif any(len(label) > 63 for label in re.split("[/:.]", stripped.partition("://")[2].split("/")[0])):
        reason = "a part of the host name between dots holds at most 63 characters"
    else:
        reason = iri_problem(stripped)
    hint = f" ({reason})" if reason else ""
    raise WijkldError(
        f"--base {shown(base)}: expected an absolute http(s) IRI without query, fragment or spaces, "
        f"like {DEFAULT_BASE}{hint}"
    )


def slugify(text: str) -> str:
    """A readable, IRI-safe reference for any string; total and idempotent.

    Accents are folded to ASCII; anything else outside ``[a-z0-9]`` becomes a
    hyphen. Text with no Latin letters or digits (emoji, other scripts, empty)
    gets a stable hash so that the slug is never empty.
    """
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    slug = _NON_SLUG.sub("-", folded).strip("-")
    if len(slug) > MAX_SLUG:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
        slug = slug[: MAX_SLUG - 9].rstrip("-") + "-" + digest
    if not slug:
        slug = "x-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return slug


def unique_slugs(names: Iterable[str]) -> dict[str, str]:
    """Slugs for distinct names; collisions get ``-2``, ``-3`` in sorted name order.

    The order is that of the sorted names, not of the input, so adding a record
    elsewhere in a file never renames an existing one.
    """
    result: dict[str, str] = {}
    taken: set[str] = set()
    for name in sorted(set(names)):
        base = slugify(name)
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        result[name] = slug
    return result


@dataclass(frozen=True)
class Minter:
    """The one owner of the IRI scheme and the release layout under one base.

    Things ``{base}/id/{type}/{slug}``, their documents ``{base}/doc/{type}/{slug}`` (published as
    ``doc/{type}/{slug}.html|.ttl|.jsonld``), the dataset, the named graphs of the N-Quads dump, the
    download URLs and the skolem IRIs. Every other module asks this class; :meth:`parse` and
    :meth:`thing_for` are the exact inverses of :meth:`thing` and :meth:`doc_for`.
    """

    base: str = DEFAULT_BASE

    @property
    def things(self) -> str:
        """The prefix of every thing IRI (VoID's uriSpace)."""
        return f"{self.base}/id/"

    @property
    def documents(self) -> str:
        """The prefix of every document IRI."""
        return f"{self.base}/doc/"

    @property
    def downloads(self) -> str:
        """Where the files of a release are downloaded from (DCAT downloadURL, VoID dataDump): the base
        itself, where the release is hosted (``wijkld serve`` and the hosting recipes serve ``dist/`` there)."""
        return f"{self.base}/"

    @property
    def dataset(self) -> str:
        """The dataset the release publishes."""
        return self.thing("dataset", "wijkld")

    def thing(self, type_segment: str, ref: str) -> str:
        return f"{self.things}{type_segment}/{slugify(ref)}"

    def doc(self, type_segment: str, ref: str) -> str:
        return f"{self.documents}{type_segment}/{slugify(ref)}"

    def parse(self, iri: str) -> tuple[str, str] | None:
        """(type segment, slug) of a thing IRI this minter makes, or None for any other IRI."""
        if not iri.startswith(self.things):
            return None
        segment, slash, slug = iri[len(self.things) :].partition("/")
        if not slash or not segment or not slug or slugify(slug) != slug or _NON_SLUG.search(segment.lower()):
            return None
        return segment, slug

    def doc_for(self, thing_iri: str) -> str:
        """The document IRI that describes a thing IRI minted by this minter."""
        if not thing_iri.startswith(self.things):
            raise ValueError(f"{thing_iri} is not a thing IRI under {self.base}")
        return f"{self.documents}{thing_iri[len(self.things) :]}"

    def thing_for(self, doc_iri: str) -> str | None:
        """The thing IRI a document IRI describes (the inverse of :meth:`doc_for`); None if it is none."""
        if not doc_iri.startswith(self.documents):
            return None
        return f"{self.things}{doc_iri[len(self.documents) :]}"

    def document_path(self, thing_iri: str) -> str:
        """Where the pages of a thing are in a release, without extension: ``doc/{type}/{slug}``."""
        return "doc/" + self.doc_for(thing_iri)[len(self.documents) :]

    def download(self, name: str) -> str:
        """The download URL of a file of the release."""
        return self.downloads + name

    def graph(self, name: str) -> str:
        """The named graph of the N-Quads dump that holds ``name`` (data, vocabulary, shapes, metadata)."""
        return f"{self.base}/graph/{name}"

    @staticmethod
    def base_of_graph(graph_iri: str, name: str = "data") -> str | None:
        """The base of a release from the IRI of its graph ``name`` (the inverse of :meth:`graph`)."""
        suffix = f"/graph/{name}"
        return graph_iri[: -len(suffix)] if graph_iri.endswith(suffix) and len(graph_iri) > len(suffix) else None

    def skolem_prefix(self, graph_name: str) -> str:
        """RDF 1.1 skolem IRIs for the blank nodes of shapes, vocabulary and reports: the prefix, then a label."""
        return f"{self.base}/.well-known/genid/{graph_name}-"
