"""The IRI scheme's owner (iris.Minter) and its inverses: locate.Locator and Minter.parse/thing_for.

Round trips over any base, type and name (hypothesis), and over generated record sets: every
IRI a record mints leads back to exactly that record's file and line, and every thing in the
mapped data leads back to some record.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import URIRef

from wijkld.model import locate, mapping
from wijkld.model.iris import Minter, slugify
from wijkld.model.mapping import SEGMENTS
from wijkld.records import load as records

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import generate  # noqa: E402

BASES = st.builds(
    lambda host, path: f"https://{host}{path}",
    st.from_regex(r"[a-z][a-z0-9]{0,10}(\.[a-z]{2,5}){1,2}", fullmatch=True),
    st.from_regex(r"(/[A-Za-z0-9._~-]{1,8}){0,3}", fullmatch=True),
)
SEGMENT_NAMES = st.sampled_from(sorted(set(SEGMENTS.values())))
NAMES = st.text(max_size=60)


@given(BASES, SEGMENT_NAMES, NAMES)
def test_a_thing_iri_parses_back_to_its_type_and_slug(base: str, segment: str, name: str) -> None:
    minter = Minter(base)
    thing = minter.thing(segment, name)
    assert minter.parse(thing) == (segment, slugify(name))
    assert minter.thing_for(minter.doc_for(thing)) == thing
    assert minter.doc_for(thing) == minter.doc(segment, name)
    assert minter.document_path(thing) == f"doc/{segment}/{slugify(name)}"
    assert thing.startswith(minter.things) and minter.dataset.startswith(minter.things)


@given(BASES, st.sampled_from(["data", "vocabulary", "shapes", "metadata"]))
def test_a_graph_iri_gives_back_its_base(base: str, name: str) -> None:
    minter = Minter(base)
    assert Minter.base_of_graph(minter.graph(name), name) == base
    assert Minter.base_of_graph(minter.graph(name), "other") is None


@given(BASES, NAMES)
def test_iris_that_are_not_things_of_the_base_do_not_parse(base: str, rest: str) -> None:
    minter = Minter(base)
    assert minter.parse(minter.documents + "wijk/" + slugify(rest)) is None
    assert minter.parse(Minter(base + "-other").thing("wijk", rest)) is None
    assert minter.parse(minter.things + "wijk/" + rest) in (None, ("wijk", rest))
    assert minter.thing_for(minter.things + rest) is None


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=2**16), st.integers(min_value=300, max_value=3000))
def test_locate_is_the_exact_inverse_of_minting(seed: int, triples: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        generate.generate(Path(folder), triples, seed=seed)
        recs = records.load(Path(folder))
        minter = Minter()
        locator = locate.Locator(recs, minter)
        mapper = mapping.Mapper(recs, minter)
        for record in recs:
            if record.type == "release":
                continue
            found = locator.find(str(mapper.of(record)))
            assert found == locate.Location(record.file, record.line, record.type, record.key), record
        graph = mapping.to_graph(recs, minter)
        things = {str(s) for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(minter.things)}
        assert things and not sorted(t for t in things if locator.find(t) is None)
        assert locator.find(minter.documents + "wijk/x") is None
