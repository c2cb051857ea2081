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

from .errors import WijkldError

#: The persistent default base: w3id.org redirects are maintained by a community
#: registry and outlive any one web host, which is what a citable IRI needs.
DEFAULT_BASE = "https://w3id.org/wijkld"

#: The vocabulary namespace is fixed: it names terms, not instance data, so it
#: does not move when a publisher rehosts the data under another base.
VOCAB = "https://w3id.org/wijkld/def/"

_BASE_PATTERN = re.compile(r"^https?://[A-Za-z0-9.-]+(?::\d+)?(?:/[A-Za-z0-9._~%!$&'()*+,;=:@-]+)*$")
_NON_SLUG = re.compile(r"[^a-z0-9]+")
MAX_SLUG = 80


def check_base(base: str) -> str:
    """Return ``base`` without a trailing slash, or raise if it cannot prefix IRIs."""
    base = base.rstrip("/")
    if not _BASE_PATTERN.match(base):
        raise WijkldError(
            f"--base {base!r}: expected an absolute http(s) IRI without query, fragment or spaces, like {DEFAULT_BASE}"
        )
    return base


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
    """Mints thing and document IRIs under one base."""

    base: str = DEFAULT_BASE

    def thing(self, type_segment: str, ref: str) -> str:
        return f"{self.base}/id/{type_segment}/{slugify(ref)}"

    def doc(self, type_segment: str, ref: str) -> str:
        return f"{self.base}/doc/{type_segment}/{slugify(ref)}"

    def doc_for(self, thing_iri: str) -> str:
        """The document IRI that describes a thing IRI minted by this minter."""
        prefix = f"{self.base}/id/"
        if not thing_iri.startswith(prefix):
            raise ValueError(f"{thing_iri} is not a thing IRI under {self.base}")
        return f"{self.base}/doc/{thing_iri[len(prefix) :]}"
