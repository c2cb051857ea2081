"""IRI minting is total, stable and always yields IRIs that survive Turtle and N-Triples."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef

from wijkld.errors import WijkldError
from wijkld.iris import DEFAULT_BASE, Minter, check_base, slugify, unique_slugs

# RFC 3987 forbids these in IRIs; N-Triples IRIREF forbids them too.
FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|\\^`]')
ABSOLUTE = re.compile(r"^https?://[^/]+/")
NAMES = st.text(min_size=0, max_size=60)


def _round_trips(iri: str) -> None:
    graph = Graph()
    graph.add((URIRef(iri), URIRef("http://example.org/p"), Literal("x")))
    for fmt in ("turtle", "nt"):
        text = graph.serialize(format=fmt)
        (subject,) = set(Graph().parse(data=text, format=fmt).subjects())
        assert str(subject) == iri
    ox_fmt = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}
    for fmt in ox_fmt.values():
        data = ox.serialize(
            [ox.Triple(ox.NamedNode(iri), ox.NamedNode("http://example.org/p"), ox.Literal("x"))], format=fmt
        )
        (triple,) = list(ox.parse(data, format=fmt))
        assert triple.subject.value == iri


@given(NAMES)
def test_every_name_gives_a_valid_absolute_iri(name: str) -> None:
    iri = Minter().thing("persoon", name)
    assert ABSOLUTE.match(iri)
    assert not FORBIDDEN.search(iri)
    assert iri.startswith(f"{DEFAULT_BASE}/id/persoon/")
    _round_trips(iri)


@given(NAMES)
def test_slugs_are_readable_nonempty_and_idempotent(name: str) -> None:
    slug = slugify(name)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug)
    assert len(slug) <= 80
    assert slugify(slug) == slug


@given(st.lists(NAMES, max_size=20))
def test_unique_slugs_never_collide_and_ignore_input_order(names: list[str]) -> None:
    slugs = unique_slugs(names)
    assert len(set(slugs.values())) == len(set(names))
    assert unique_slugs(list(reversed(names))) == slugs


@given(NAMES, NAMES)
def test_literals_with_any_text_round_trip(label: str, lang_text: str) -> None:
    graph = Graph()
    subject = URIRef(Minter().thing("persoon", label))
    graph.add((subject, URIRef("http://example.org/name"), Literal(label)))
    graph.add((subject, URIRef("http://example.org/label"), Literal(lang_text, lang="nl")))
    for fmt in ("turtle", "nt"):
        again = Graph().parse(data=graph.serialize(format=fmt), format=fmt)
        assert set(again) == set(graph)


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Clémence Ross-van Dorp", "clemence-ross-van-dorp"),
        ("Andrée van Es", "andree-van-es"),
        ("  Overtoomse   Veld ", "overtoomse-veld"),
        ("Pact op Zuid 'aanpak particulier woningbezit'", "pact-op-zuid-aanpak-particulier-woningbezit"),
        ('<script>"x"</script>', "script-x-script"),
    ],
)
def test_examples(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_text_without_latin_letters_gets_a_stable_hash_slug() -> None:
    assert slugify("") == slugify("")
    assert slugify("🏠") != slugify("🏡")
    assert slugify("🏠").startswith("x-")


def test_collisions_are_numbered_in_sorted_name_order() -> None:
    assert unique_slugs(["Jan Bos", "jan bos", "Jan-Bos"]) == {
        "Jan Bos": "jan-bos",
        "Jan-Bos": "jan-bos-2",
        "jan bos": "jan-bos-3",
    }


@pytest.mark.parametrize("bad", ["not an iri", "ftp://x.org", "https://x.org/a b", "https://x.org/?q=1", ""])
def test_bad_bases_are_refused(bad: str) -> None:
    with pytest.raises(WijkldError, match="--base"):
        check_base(bad)


def test_base_is_configurable_and_documents_mirror_things() -> None:
    minter = Minter(check_base("https://data.example.org/wijk/"))
    thing = minter.thing("wijk", "berflo-es")
    assert thing == "https://data.example.org/wijk/id/wijk/berflo-es"
    assert minter.doc_for(thing) == "https://data.example.org/wijk/doc/wijk/berflo-es"
