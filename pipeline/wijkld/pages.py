"""Static HTML pages for people: landing page, one page per resource, vocabulary docs.

(Being implemented; see issue 5, point 6.)
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph

from .iris import Minter
from .metadata import FileInfo
from .records import Record


@dataclass(frozen=True)
class Site:
    """Everything the pages show; all of it is already published elsewhere in dist/."""

    data: Graph  # the dataset (instance data)
    vocabulary: Graph  # the ontology
    metadata: Graph  # DCAT + VoID, with sizes and checksums of the downloads
    files: tuple[FileInfo, ...]  # the downloads (name, media type, size, sha256)
    release: Record  # the release record: version, issued, titles, licence
    minter: Minter  # base IRI; doc IRIs {base}/doc/{type}/{key}
    context: dict  # the JSON-LD context document ({"@context": {...}})
    queries: tuple[tuple[str, str, str], ...]  # (name, title, SPARQL text) of the example queries


def render(site: Site) -> dict[str, bytes]:
    """Relative path in dist/ -> file content, for every page and per-resource file."""
    raise NotImplementedError
