"""The pages read the data by triple patterns, so any rdflib store gives the same bytes in bounded memory.

The pilot data is rendered from rdflib's memory store and from Oxigraph (in memory and on disk):
every page must be byte-identical to the others and to the pilot release in ``dist/``. Rendering
must not walk the whole data per page (the incoming links are looked up per resource, the labels
are cached in a bounded cache), and constructing a :class:`pages.ResourceRenderer` walks it at most
once (not at all where the store answers SPARQL itself).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import multiprocessing
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import XSD, Graph, Literal, URIRef
from rdflib.term import Node

from wijkld import build
from wijkld.model import mapping
from wijkld.model.iris import DEFAULT_BASE, Minter
from wijkld.publish import metadata
from wijkld.publish.site import pages
from wijkld.records import load as records
from wijkld.serve import query
from wijkld.validate import engine as validate

pytest.importorskip("oxrdflib")  # registers the "Oxigraph" store with rdflib

REPO = Path(__file__).resolve().parents[1]
DIST = REPO / "dist"
STORES = ("memory", "oxigraph", "oxigraph-disk")


class CountingGraph(Graph):
    """A graph that counts the walks over all its triples (the pattern with nothing bound)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.whole_passes = 0

    def triples(self, triple: Any) -> Any:  # type: ignore[override]
        if tuple(triple) == (None, None, None):
            self.whole_passes += 1
        return super().triples(triple)


@functools.cache
def pilot() -> tuple[records.Records, Minter, Graph]:
    recs = records.load(REPO / "data")
    minter = Minter(DEFAULT_BASE)
    return recs, minter, mapping.to_graph(recs, minter)


@functools.cache
def base_site() -> pages.Site:
    """The site as build.run makes it, with the metadata, downloads, queries and shapes of the pilot release in dist/.

    The landing page shows the downloads' sizes and checksums and the VoID counts: they are
    read back from the release, so that the site pages can be compared with it byte for byte.
    """
    recs, minter, data = pilot()
    site = build.resource_site(recs, minter, data, validate.load_ontology())
    names = sorted(str(p.relative_to(DIST)) for p in DIST.rglob("*") if p.is_file())
    files = tuple(metadata.describe_file(n, (DIST / n).read_bytes()) for n in names if metadata.is_download(n))
    described = Graph().parse(DIST / "dcat.ttl") + Graph().parse(DIST / "void.ttl")
    shapes = Graph().parse(DIST / "shapes.ttl")  # skolemised as published, as the build passes them
    with tempfile.TemporaryDirectory(prefix="wijkld-examples-") as scratch:
        results = query.answer_examples(DIST / query.DUMP, Path(scratch) / "store")
    answers = pages.ExampleAnswers(query.DUMP, {name: build.page_answer(r) for name, r in results.items()})
    return dataclasses.replace(
        site, metadata=described, files=files, queries=build.queries(), answers=answers, shapes=shapes
    )


def copy_into(kind: str, folder: Path) -> CountingGraph:
    """The pilot data in a graph of the given store."""
    data = pilot()[2]
    if kind == "memory":
        graph = CountingGraph()
    else:
        graph = CountingGraph(store="Oxigraph")
        if kind == "oxigraph-disk":
            graph.open(str(folder / "store"), create=True)
    graph.addN((s, p, o, graph) for s, p, o in data)
    assert len(graph) == len(data)
    graph.whole_passes = 0
    return graph


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, CountingGraph]]:
    folder = tmp_path_factory.mktemp("oxigraph")
    graphs = {kind: copy_into(kind, folder) for kind in STORES}
    yield graphs
    for graph in graphs.values():
        graph.close()


@pytest.fixture(scope="module")
def rendered(stores: dict[str, CountingGraph]) -> dict[str, dict[str, bytes]]:
    """Every page from every store; prints how long each store took (no assertion on time)."""
    out, times = {}, {}
    for kind, graph in stores.items():
        site = dataclasses.replace(base_site(), data=graph)
        started = time.perf_counter()
        resources = pages.render_resources(site)
        middle = time.perf_counter()
        whole = pages.render_site(site)
        ended = time.perf_counter()
        out[kind] = {**resources, **whole}
        times[kind] = (middle - started, ended - middle)
    for kind, (resource_s, site_s) in times.items():
        print(f"render {kind}: {len(out[kind]) - 3} resource files {resource_s:.2f} s, site pages {site_s:.2f} s")
    return out


def test_every_store_renders_the_same_bytes(rendered: dict[str, dict[str, bytes]]) -> None:
    reference = rendered["memory"]
    assert len(reference) > 1000
    for kind in STORES[1:]:
        assert rendered[kind].keys() == reference.keys(), kind
        differing = sorted(name for name, content in reference.items() if rendered[kind][name] != content)
        assert not differing, f"{kind}: {len(differing)} files differ, e.g. {differing[:3]}"


def test_pages_are_those_of_the_pilot_release(rendered: dict[str, dict[str, bytes]]) -> None:
    """Every page, resource file and site page, keeps the bytes of the published release."""
    released = {
        str(p.relative_to(DIST))
        for p in DIST.rglob("*")
        if p.is_file() and (p.relative_to(DIST).parts[0] == "doc" or (p.parent == DIST and p.suffix == ".html"))
    }
    assert set(rendered["memory"]) == released
    differing = sorted(name for name, content in rendered["memory"].items() if (DIST / name).read_bytes() != content)
    assert not differing, f"{len(differing)} pages differ from dist/, e.g. {differing[:3]}"


def test_no_page_shows_the_implicit_string_datatype(rendered: dict[str, dict[str, bytes]]) -> None:
    """Oxigraph gives plain literals the datatype xsd:string; no resource page may show or declare it."""
    for kind, files in rendered.items():
        shown = sorted(name for name, content in files.items() if name.startswith("doc/") and b"xsd:string" in content)
        assert not shown, f"{kind}: {shown[:3]}"


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        (Literal("x", datatype=XSD.string), Literal("x")),
        (Literal("x"), Literal("x")),
        (Literal("x", lang="nl"), Literal("x", lang="nl")),
        (Literal("3", datatype=XSD.integer), Literal("3", datatype=XSD.integer)),
        (URIRef("https://example.org/x"), URIRef("https://example.org/x")),
    ],
)
def test_plain_drops_only_the_string_datatype(node: Node, expected: Node) -> None:
    result = pages.plain(node)
    assert result == expected
    assert getattr(result, "datatype", None) == getattr(expected, "datatype", None)


def test_resource_renderer_walks_the_data_at_most_once(stores: dict[str, CountingGraph]) -> None:
    """One walk to list the resources (none where the store answers SPARQL); none at all per page."""
    for kind, graph in stores.items():
        graph.whole_passes = 0
        renderer = pages.ResourceRenderer(dataclasses.replace(base_site(), data=graph))
        assert graph.whole_passes == (1 if kind == "memory" else 0), kind
        for thing in renderer.things:
            renderer.render(thing)
        assert graph.whole_passes == (1 if kind == "memory" else 0), kind


def test_site_pages_walk_the_data_once_per_question(stores: dict[str, CountingGraph]) -> None:
    """The list of resources and the vocabulary's usage counts: a walk each, or queries to Oxigraph."""
    for kind, graph in stores.items():
        graph.whole_passes = 0
        pages.render_site(dataclasses.replace(base_site(), data=graph))
        assert graph.whole_passes == (2 if kind == "memory" else 0), kind


def test_a_renderer_given_the_resources_does_not_walk_the_data(stores: dict[str, CountingGraph]) -> None:
    """A worker process can take the list from the process that made it, and render a share of it."""
    graph = stores["oxigraph"]
    site = dataclasses.replace(base_site(), data=graph)
    things = pages.resources(graph, site.minter)
    memory_graph = stores["memory"]
    memory_graph.whole_passes = 0
    worker = pages.ResourceRenderer(dataclasses.replace(base_site(), data=memory_graph), things[::-1])
    assert memory_graph.whole_passes == 0
    assert worker.things == things  # in IRI order, whatever order they came in
    assert worker.render(things[7]) == pages.ResourceRenderer(site).render(things[7])


def test_the_label_cache_is_bounded_and_changes_nothing(stores: dict[str, CountingGraph]) -> None:
    site = dataclasses.replace(base_site(), data=stores["oxigraph"])
    renderer = pages.ResourceRenderer(site)
    expected = {thing: renderer.render(thing) for thing in renderer.things}
    assert renderer.index.label_cache_info().maxsize == pages.LABEL_CACHE_SIZE
    small = pages.ResourceRenderer(site, renderer.things)
    small.index = pages.Index(site, renderer.things, label_cache_size=16)
    for thing in renderer.things:
        assert small.render(thing) == expected[thing]
        assert small.index.label_cache_info().currsize <= 16
    info = small.index.label_cache_info()
    assert info.misses > 16 and info.hits > 0  # it was full, let nodes go, and still served some


def test_incoming_links_are_looked_up_per_resource(stores: dict[str, CountingGraph]) -> None:
    """The same (subject, predicate) pairs as a walk over every triple finds, from every store."""
    data = pilot()[2]
    for graph in stores.values():
        index = pages.Index(dataclasses.replace(base_site(), data=graph))
        for thing in list(index.pages)[::25]:
            expected = sorted(
                (s, p) for s, p, o in data if o == thing and isinstance(s, URIRef) and isinstance(p, URIRef)
            )
            assert sorted(index.incoming(thing)) == expected
        assert index.incoming(URIRef("https://example.org/not-a-resource")) == []


def test_document_iris_link_to_the_page_of_their_thing() -> None:
    index = pages.Index(base_site())
    thing = next(iter(index.pages))
    doc = URIRef(base_site().minter.doc_for(str(thing)))
    assert index.page_of(doc) == index.page_of(thing) == index.pages[thing] + ".html"
    assert index.page_of(URIRef(f"{DEFAULT_BASE}/doc/nothing/here")) is None


def test_usage_counts_agree_between_the_walk_and_the_query(stores: dict[str, CountingGraph]) -> None:
    counted = {kind: pages._usage(pages.Index(dataclasses.replace(base_site(), data=g))) for kind, g in stores.items()}
    terms = pages.Index(base_site()).vocabulary_terms
    reference = {t: counted["memory"].get(t, 0) for t in terms}
    assert sum(reference.values()) > 0
    for kind in STORES[1:]:
        assert {t: counted[kind].get(t, 0) for t in terms} == reference, kind


#: What a forked worker renders: (site without data, store folder, graph name, resources); shared by the fork.
_WORKER: list[tuple[pages.Site, str, URIRef, list[URIRef]]] = []


def _render_share(start: int) -> dict[str, str]:
    """In a forked worker: open the store read-only, render every tenth resource from ``start``, give the digests."""
    import pyoxigraph
    from oxrdflib.store import OxigraphStore

    site, folder, name, things = _WORKER[0]
    data = Graph(store=OxigraphStore(store=pyoxigraph.Store.read_only(folder)), identifier=name)
    renderer = pages.ResourceRenderer(dataclasses.replace(site, data=data), things)
    return {
        file: hashlib.sha256(content).hexdigest()
        for thing in renderer.things[start::10]
        for file, content in renderer.render(thing).items()
    }


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks like build.resource_pages_in_background")
def test_forked_workers_render_from_the_store_on_disk(tmp_path: Path, rendered: dict[str, dict[str, bytes]]) -> None:
    """Workers open the store read-only and take the list of resources: no graph is pickled, none walked."""
    name = URIRef(f"{DEFAULT_BASE}/graph/data")
    folder = str(tmp_path / "store")
    graph = Graph(store="Oxigraph", identifier=name)
    graph.open(folder, create=True)
    graph.addN((s, p, o, graph) for s, p, o in pilot()[2])
    things = pages.resources(graph, base_site().minter)
    graph.close()
    _WORKER[:] = [(dataclasses.replace(base_site(), data=Graph()), folder, name, things)]
    try:
        with multiprocessing.get_context("fork").Pool(2) as pool:
            shares = pool.map(_render_share, range(10))
    finally:
        _WORKER.clear()
    digests = {file: digest for share in shares for file, digest in share.items()}
    expected = {
        file: hashlib.sha256(content).hexdigest()
        for file, content in rendered["memory"].items()
        if file.startswith("doc/")
    }
    assert digests == expected
