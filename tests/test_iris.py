"""IRI minting is total, stable and always yields IRIs that survive Turtle and N-Triples."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef

from wijkld.errors import WijkldError
from wijkld.model.iris import DEFAULT_BASE, Minter, check_base, iri_problem, slugify, unique_slugs

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


@pytest.mark.parametrize(
    ("bad", "hint"),
    [
        ("not an iri", ""),
        ("ftp://x.org", " (the scheme must be http or https, not 'ftp')"),
        ("https://x.org/a b", ""),
        ("https://x.org/?q=1", ""),
        ("", ""),
        ("https://x.org/wijk\n", " (character '\\n' at position 19 is not allowed in an IRI)"),
        ("https://x.org/%zz", " (invalid percent-encoding '%zz': '%' must be followed by two hexadecimal digits)"),
        ("https://jan:geheim@x.org", " (no user name or password before the host)"),
        ("https://x.org:80a", " (the port must be a number)"),
        ("https://" + "x" * 64 + ".org", " (a part of the host name between dots holds at most 63 characters)"),
    ],
)
def test_bad_bases_are_refused(bad: str, hint: str) -> None:
    with pytest.raises(WijkldError) as info:
        check_base(bad)
    assert info.value.message == (
        f"--base {bad!r}: expected an absolute http(s) IRI without query, fragment or spaces, "
        f"like https://w3id.org/wijkld{hint}"
    )


def test_a_very_long_base_is_refused_in_a_short_message() -> None:
    with pytest.raises(WijkldError) as info:
        check_base("https://x.org/" + "a" * 100_000)
    assert info.value.message.endswith("(at most 255 characters, as it begins every IRI; got 100,014)")
    assert len(info.value.message) < 400


# Candidates for IRIs: the two schemes and a few others, and parts from the characters that matter.
IRI_PARTS = st.lists(
    st.sampled_from(
        list("aZ09-._~!$&'()*+,;=:@/?#[]%<>\"{}|\\^` \t\n\x00\x7f\x85\xa0éß中\u202e\u200f\ue000\ufdd0\ufffd")
        + ["%41", "%zz", "%e", "\U0001f3e0", "\U000e0001", "\U0010fffd"]
    ),
    max_size=30,
).map("".join)
SCHEMES = st.sampled_from(["https://", "http://", "HTTPS://", "https:", "javascript:", "ftp://", ""])
#: mostly what an IRI may hold, so that many candidates are accepted and go on to the round trip
GOOD_PARTS = st.lists(
    st.sampled_from(list("az09-._~!$&'()*+,;=:@/?#%éß中") + ["%41", "%c3%a9", "\U0001f3e0", "\ue000", "a b"]),
    max_size=30,
).map("".join)
HOSTS = st.from_regex(r"[a-z0-9]([a-z0-9.-]{0,20}[a-z0-9])?(:[0-9]{1,5})?", fullmatch=True)


@settings(max_examples=500)
@given(
    st.sampled_from(["https://", "http://"]) | SCHEMES,
    HOSTS | IRI_PARTS,
    st.sampled_from(["/", ""]),
    GOOD_PARTS | IRI_PARTS,
)
def test_every_iri_the_loader_accepts_survives_rdflib_and_oxigraph(
    scheme: str, host: str, slash: str, rest: str
) -> None:
    iri = scheme + host + slash + rest
    if iri_problem(iri) is not None:
        return
    assert re.match(r"https?://[^/?#]", iri)
    assert not FORBIDDEN.search(iri) and not re.search(r"\s", iri)
    assert all(re.fullmatch("[0-9A-Fa-f]{2}", iri[i + 1 : i + 3]) for i, c in enumerate(iri) if c == "%")
    _round_trips(iri)
    assert ox.NamedNode(iri).value == iri


@given(SCHEMES, IRI_PARTS)
def test_every_base_taken_mints_iris_that_survive_rdflib_and_oxigraph(scheme: str, rest: str) -> None:
    try:
        base = check_base(scheme + rest)
    except WijkldError:
        return
    assert iri_problem(base) is None and len(base) <= 255
    _round_trips(Minter(base).thing("persoon", "Jan van der Bos"))


@pytest.mark.parametrize(
    "iri",
    [
        "https://w3id.org/wijkld",
        "http://creativecommons.org/publicdomain/zero/1.0/",
        "https://www.wikidata.org/wiki/Q2001",
        "https://nl.wikipedia.org/wiki/Ella_Vogelaar#Loopbaan",
        "https://zoek.officielebekendmakingen.nl/kst-30995-1.html?zoekcriteria=%3fzkt%3dUitgebreid",
        "https://example.org/stra%C3%9Fe/straße",
        "http://127.0.0.1:8000/",
    ],
)
def test_ordinary_iris_are_accepted(iri: str) -> None:
    assert iri_problem(iri) is None


@pytest.mark.parametrize(
    ("iri", "reason"),
    [
        ("https://example.org/%zz", "invalid percent-encoding '%zz': '%' must be followed by two hexadecimal digits"),
        ("https://example.org/a%2", "invalid percent-encoding '%2': '%' must be followed by two hexadecimal digits"),
        ("https://example.org/<script>", "character '<' at position 21 is not allowed in an IRI"),
        ("https://example.org/\u200fx", "character '\\u200f' at position 21 is not allowed in an IRI"),
        ("https://example.org/\x85", "character '\\x85' at position 21 is not allowed in an IRI"),
        ("https://example.org/\ufffe", "character '\\ufffe' at position 21 is not allowed in an IRI"),
        ("https://example.org/a\tb", "character '\\t' at position 22 is not allowed in an IRI"),
        ("https://ex\ue000.org/", ""),
        ("javascript:alert(1)", "the scheme must be http or https, not 'javascript'"),
        ("mailto:data@example.org", "the scheme must be http or https, not 'mailto'"),
        ("https://user@example.org/", "no user name or password before the host"),
        ("https:///etc/passwd", "the host is missing"),
        ("https://example.org:http/", "the port must be a number"),
        ("https://[::1]/", "an IP address in brackets is not supported; use a host name"),
        ("https://example.org/a b", ""),
        ("https://example.org/a\u3000b", "character '\\u3000' at position 22 is not allowed in an IRI"),
        ("example.org", ""),
    ],
)
def test_bad_iris_are_refused_with_the_reason(iri: str, reason: str) -> None:
    assert iri_problem(iri) == reason


def test_base_is_configurable_and_documents_mirror_things() -> None:
    minter = Minter(check_base("https://data.example.org/wijk/"))
    thing = minter.thing("wijk", "berflo-es")
    assert thing == "https://data.example.org/wijk/id/wijk/berflo-es"
    assert minter.doc_for(thing) == "https://data.example.org/wijk/doc/wijk/berflo-es"
