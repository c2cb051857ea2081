"""The crawler the serve and hosting tests share: every IRI under the base that a release mentions, asked for
as a client would, following at most one redirect."""

from __future__ import annotations

import gzip
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import pyoxigraph as ox

#: What a crawl asks each IRI for: a browser, a Turtle client, a JSON-LD client.
ACCEPTS = ("text/html", "text/turtle", "application/ld+json")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


@dataclass
class Answer:
    status: int
    headers: Message
    body: bytes
    url: str  # where it came from, after the redirect if there was one

    @property
    def type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip()


def get(url: str, accept: str | None = None, method: str = "GET") -> Answer:
    """One request, redirects not followed; HTTP errors are answers too."""
    request = urllib.request.Request(url, method=method, headers={"Accept": accept} if accept else {})
    try:
        with _OPENER.open(request, timeout=30) as response:
            return Answer(response.status, response.headers, response.read(), url)
    except urllib.error.HTTPError as error:
        try:
            return Answer(error.code, error.headers, error.read(), url)
        finally:
            error.close()


def resolve(site: str, iri_path: str, accept: str) -> Answer:
    """Ask ``site`` + the IRI's path, then follow one 303 (or 301/302) as a client would."""
    first = get(site + quote(iri_path, safe="/:@!$&'()*+,;=-._~"), accept)
    if first.status in (301, 302, 303, 307, 308):
        return get(urljoin(first.url, first.headers["Location"]), accept)
    return first


def iris_under(release: Path, base: str) -> set[str]:
    """Every IRI under ``base`` + "/" in the N-Quads, dcat.ttl and void.ttl of ``release``, without fragments."""
    prefix = base + "/"
    sources = [(gzip.decompress((release / "wijkld.nq.gz").read_bytes()), ox.RdfFormat.N_QUADS)]
    sources += [((release / name).read_bytes(), ox.RdfFormat.TURTLE) for name in ("dcat.ttl", "void.ttl")]
    found: set[str] = set()
    for content, fmt in sources:
        for quad in ox.parse(content, fmt):
            for term in (quad.subject, quad.predicate, quad.object, quad.graph_name):
                if isinstance(term, ox.NamedNode) and term.value.startswith(prefix):
                    found.add(term.value.split("#")[0])
    return found


def crawl(site: str, base: str, iris: Iterable[str], accepts: Iterable[str] = ACCEPTS) -> dict[tuple[str, str], Answer]:
    """Each IRI under ``base``, asked at ``site`` (the host standing in for the base's host) with each Accept."""
    answers = {}
    host_part = urlsplit(base)._replace(path="").geturl()
    for iri in sorted(iris):
        for accept in accepts:
            answers[(iri, accept)] = resolve(site, iri[len(host_part) :], accept)
    return answers
