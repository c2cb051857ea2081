"""The direct JSON-LD compaction agrees with PyLD, the reference processor, and never touches the network."""

from __future__ import annotations

import json
import warnings

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyld import jsonld as pyld
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from wijkld.publish import jsonld


def _refuse(url: str, options: object = None) -> object:
    raise pyld.JsonLdError(f"tests never fetch remote documents (asked for {url})", "loading document failed")


pyld.set_document_loader(_refuse)


def _parse_jsonld(text: str) -> Graph:
    with warnings.catch_warnings():
        # rdflib 7.6 warns about its own internals when parsing JSON-LD
        warnings.simplefilter("ignore", DeprecationWarning)
        return Graph().parse(data=text, format="json-ld")


def test_expansion_matches_pyld(built_release: Graph) -> None:
    from wijkld.publish.serialize import ntriples_lines

    nquads = b"".join(ntriples_lines(built_release)).decode()
    reference = pyld.from_rdf(nquads, {"format": "application/n-quads"})
    ours = jsonld.expanded(built_release)
    assert jsonld.canonical(ours) == jsonld.canonical([n for n in reference if len(n) > 1])


def test_compaction_matches_pyld(built_release: Graph) -> None:
    context = jsonld.build_context(built_release)
    ours = jsonld.compact(built_release, context)
    reference = pyld.compact(jsonld.expanded(built_release), context["@context"], {"graph": True})
    reference["@context"] = context["@context"]
    assert ours == jsonld.canonical(reference)


def test_compacted_document_round_trips_offline(built_release: Graph) -> None:
    context = jsonld.build_context(built_release)
    text = jsonld.dumps(jsonld.compact(built_release, context)).decode()
    assert isomorphic(_parse_jsonld(text), built_release)


def test_a_graph_the_context_was_not_made_from_round_trips(built_release: Graph) -> None:
    """The vocabulary and shapes are compacted with the data's context: a plain string under a term that
    coerces to IRIs, and an IRI under a language-map term, keep what they are."""
    context = jsonld.build_context(built_release)
    iri_term = next(k for k, v in context["@context"].items() if isinstance(v, dict) and v.get("@type") == "@id")
    text_term = next(
        k for k, v in context["@context"].items() if isinstance(v, dict) and v.get("@container") == "@language"
    )
    expand = {k: v["@id"] for k, v in context["@context"].items() if isinstance(v, dict)}
    prefixes = {k: v for k, v in context["@context"].items() if isinstance(v, str) and not v.startswith("@")}

    def full(curie: str) -> URIRef:
        prefix, _, local = curie.partition(":")
        return URIRef(prefixes[prefix] + local)

    thing = URIRef("https://example.org/thing")
    other = Graph()
    other.add((thing, full(expand[iri_term]), Literal("a plain string, not an IRI")))
    other.add((thing, full(expand[text_term]), URIRef("https://example.org/an-iri-not-a-text")))
    other.add((thing, full(expand[text_term]), Literal("tekst", lang="nl")))
    other.add((thing, full(expand[text_term]), Literal("42", datatype=XSD.integer)))
    compacted = jsonld.compact(other, context)
    assert isomorphic(_parse_jsonld(jsonld.dumps(compacted).decode()), other)
    reference = pyld.to_rdf(compacted, {"format": "application/n-quads"})
    assert isomorphic(Graph().parse(data=reference, format="nt"), other)


@pytest.mark.parametrize("stem", ["vocabulary", "shapes"])
def test_the_vocabulary_and_shapes_as_json_ld_hold_their_turtle_s_triples(release_dir, stem: str) -> None:  # type: ignore[no-untyped-def]
    turtle = Graph().parse(release_dir / f"{stem}.ttl")
    assert len(turtle) > 500
    assert isomorphic(_parse_jsonld((release_dir / f"{stem}.jsonld").read_text()), turtle)


def test_published_jsonld_needs_no_remote_context(release_dir) -> None:  # type: ignore[no-untyped-def]
    for path in [
        release_dir / "wijkld.jsonld",
        release_dir / "vocabulary.jsonld",
        release_dir / "shapes.jsonld",
        *sorted((release_dir / "framed").glob("*.jsonld")),
    ]:
        document = json.loads(path.read_text())
        assert isinstance(document["@context"], dict), path
        assert pyld.expand(document), path  # the refusing loader above would raise on any fetch


def test_context_has_a_term_for_every_predicate(built_release: Graph) -> None:
    context = jsonld.build_context(built_release)["@context"]
    document = json.loads(jsonld.dumps(jsonld.compact(built_release, context={"@context": context})))
    used = {key for node in document["@graph"] for key in node}
    assert not [key for key in used if ":" in key], "every predicate should compact to a short term"


@pytest.mark.parametrize("name", sorted(jsonld.VIEWS))
def test_tree_views_hold_only_triples_of_the_data(built_release: Graph, name: str) -> None:
    context = jsonld.build_context(built_release)
    document = jsonld.tree(built_release, context, jsonld.VIEWS[name])
    assert document["@graph"]
    parsed = _parse_jsonld(json.dumps(document))
    assert len(parsed) > 100
    assert set(parsed) <= set(built_release)


def test_wijk_tree_nests_teams_members_and_roles(built_release: Graph) -> None:
    context = jsonld.build_context(built_release)
    document = jsonld.tree(built_release, context, jsonld.VIEWS["wijken"])
    berflo = next(w for w in document["@graph"] if w["id"].endswith("/wijk/berflo-es"))
    (team,) = berflo["teams"]
    members = {m["member"]["name"]: m["role"]["prefLabel"]["en"] for m in team["hasMembership"]}
    assert members["Hans Kok"] == "alderman"
    assert len(members) == 4


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**53), max_value=2**53) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@given(JSON_VALUES)
def test_dumps_writes_what_the_standard_library_writes(value: object) -> None:
    """orjson is only a faster route to the same bytes (escapes, indents, non-ASCII, empty containers)."""
    assert jsonld.dumps(value) == (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")  # type: ignore[arg-type]


def test_dumps_writes_the_context_version_as_the_standard_library_does(built_release: Graph) -> None:
    context = jsonld.build_context(built_release)
    assert jsonld.dumps(context) == (json.dumps(context, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def test_a_tree_from_the_compacted_graph_equals_one_that_compacts_itself(built_release: Graph) -> None:
    context = jsonld.build_context(built_release)
    compacted = jsonld.compact(built_release, context)
    for view in jsonld.VIEWS.values():
        assert jsonld.tree(built_release, context, view, compacted) == jsonld.tree(built_release, context, view)
