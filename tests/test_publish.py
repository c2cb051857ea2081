"""The published release: complete, parseable by two independent parsers, isomorphic, verifiable, atomic."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from wijkld import build
from wijkld.errors import WijkldError
from wijkld.model.iris import DEFAULT_BASE, Minter
from wijkld.publish import metadata, tables
from wijkld.publish import serialize as publish
from wijkld.publish.site import pages

REPO = Path(__file__).resolve().parents[1]

RDF_FILES = {
    "wijkld.ttl": ox.RdfFormat.TURTLE,
    "wijkld.nt.gz": ox.RdfFormat.N_TRIPLES,
    "wijkld.nq.gz": ox.RdfFormat.N_QUADS,
    "wijkld.jsonld": ox.RdfFormat.JSON_LD,
    "vocabulary.ttl": ox.RdfFormat.TURTLE,
    "shapes.ttl": ox.RdfFormat.TURTLE,
    "validation-report.ttl": ox.RdfFormat.TURTLE,
    "void.ttl": ox.RdfFormat.TURTLE,
    "dcat.ttl": ox.RdfFormat.TURTLE,
    "framed/wijken.jsonld": ox.RdfFormat.JSON_LD,
    "framed/personen.jsonld": ox.RdfFormat.JSON_LD,
}


def _read(path: Path) -> bytes:
    raw = path.read_bytes()
    return gzip.decompress(raw) if path.suffix == ".gz" else raw


@pytest.mark.parametrize("name", sorted(RDF_FILES))
def test_every_rdf_file_parses_with_pyoxigraph(release_dir: Path, name: str) -> None:
    quads = list(ox.parse(_read(release_dir / name), format=RDF_FILES[name]))
    assert quads, name


def test_all_serialisations_of_the_data_are_isomorphic(release_dir: Path) -> None:
    turtle = Graph().parse(data=_read(release_dir / "wijkld.ttl"), format="turtle")
    ntriples = Graph().parse(data=_read(release_dir / "wijkld.nt.gz"), format="nt")
    jsonld = Graph().parse(data=_read(release_dir / "wijkld.jsonld"), format="json-ld")
    quads = Dataset()
    quads.parse(data=_read(release_dir / "wijkld.nq.gz"), format="nquads")
    data_graph = Graph()  # the data graph and the graphs of the statement bases (docs/modelling.md)
    for graph in quads.graphs():
        name = str(graph.identifier)
        if name == f"{DEFAULT_BASE}/graph/data" or name.startswith(f"{DEFAULT_BASE}/id/grondslag/"):
            data_graph += graph
    assert len(turtle) > 100
    assert isomorphic(turtle, ntriples)
    assert isomorphic(turtle, jsonld)
    assert isomorphic(turtle, data_graph)


def test_published_data_has_no_blank_nodes(release_dir: Path) -> None:
    for name in ("wijkld.nt.gz", "wijkld.nq.gz", "wijkld.ttl", "dcat.ttl", "void.ttl"):
        for quad in ox.parse(_read(release_dir / name), format=RDF_FILES[name]):
            assert not isinstance(quad.subject, ox.BlankNode), (name, quad)
            assert not isinstance(quad.object, ox.BlankNode), (name, quad)


def test_ntriples_are_sorted_unique_and_prefix_free(release_dir: Path) -> None:
    lines = _read(release_dir / "wijkld.nt.gz").splitlines()
    assert lines == sorted(set(lines))
    assert not any(line.startswith(b"@prefix") for line in lines)


def test_nquads_hold_four_named_graphs_and_one_per_basis(release_dir: Path) -> None:
    store = ox.Store()
    store.load(_read(release_dir / "wijkld.nq.gz"), format=ox.RdfFormat.N_QUADS)
    graphs = {g.value for g in store.named_graphs()}
    four = {f"{DEFAULT_BASE}/graph/{name}" for name in ("data", "vocabulary", "shapes", "metadata")}
    bases = {
        r["basis"].value
        for r in store.query(
            "PREFIX wijkld: <https://w3id.org/wijkld/def/> SELECT ?basis { GRAPH ?g {"
            " ?basis a ?kind FILTER(?kind IN (wijkld:Inference, wijkld:ExternalStatement)) } }"
        )
    }
    assert four <= graphs and len(bases) >= 40 and graphs == four | bases


def test_sha256sums_verify(release_dir: Path) -> None:
    listed = {}
    for line in (release_dir / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    on_disk = {str(p.relative_to(release_dir)) for p in release_dir.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    assert set(listed) == on_disk
    for name, digest in listed.items():
        assert hashlib.sha256((release_dir / name).read_bytes()).hexdigest() == digest, name
    result = subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=release_dir, capture_output=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dcat_lists_every_download_with_size_and_checksum(release_dir: Path) -> None:
    store = ox.Store()
    store.load(_read(release_dir / "dcat.ttl"), format=ox.RdfFormat.TURTLE)
    rows = store.query(
        """PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX spdx: <http://spdx.org/rdf/terms#>
        SELECT ?url ?size ?sum WHERE { ?d dcat:downloadURL ?url ; dcat:byteSize ?size ;
        spdx:checksum/spdx:checksumValue ?sum }"""
    )
    downloads = Minter().downloads
    described = {row["url"].value.removeprefix(downloads): (int(row["size"].value), row["sum"].value) for row in rows}
    for name in ("wijkld.ttl", "wijkld.nt.gz", "wijkld.nq.gz", "wijkld.jsonld", "framed/wijken.jsonld"):
        content = (release_dir / name).read_bytes()
        assert described[name] == (len(content), hashlib.sha256(content).hexdigest()), name
    del rows


def test_only_data_files_are_distributions_the_rest_are_documents_and_standards(release_dir: Path) -> None:
    """DCAT-AP-NL: a distribution is the data in some format; vocabulary and shapes are standards it meets."""
    store = ox.Store()
    store.load(_read(release_dir / "dcat.ttl"), format=ox.RdfFormat.TURTLE)
    downloads = Minter().downloads

    def names(query: str) -> set[str]:
        found = {row[0].value.removeprefix(downloads) for row in store.query(query)}  # type: ignore[index,union-attr]
        return found

    prefixes = "PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dct: <http://purl.org/dc/terms/> "
    distributions = names(prefixes + "SELECT ?u WHERE { ?s dcat:distribution/dcat:downloadURL ?u }")
    assert {n for n in distributions if not n.startswith(("framed/", "tabellen/"))} == set(metadata.DATA_FILES)
    assert {n for n in distributions if n.startswith("tabellen/")} == {t.file for t in tables.TABLES}
    documents = names(prefixes + "SELECT ?u WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#seeAlso> ?u }")
    assert documents == {
        "context.jsonld", "validation-report.ttl", "void.ttl", "release-notes.txt", "release-notes.json",
        tables.METADATA,
    } | ({"previous-release.nt.gz"} if (release_dir / "previous-release.nt.gz").exists() else set())  # fmt: skip
    standards = names(prefixes + "SELECT ?u WHERE { ?s dct:conformsTo ?std . ?std dct:hasFormat ?u }")
    assert standards == {
        "vocabulary.ttl",
        "vocabulary.jsonld",
        "vocabulary.html",
        "shapes.ttl",
        "shapes.jsonld",
        "shapes.html",
    }
    service = names(prefixes + "SELECT ?u { ?c dcat:service ?s . ?s dcat:servesDataset ?d ; dcat:endpointURL ?u }")
    assert service == {"sparql"}


def test_jsonld_embeds_its_context_and_context_reads_like_json(release_dir: Path) -> None:
    document = json.loads((release_dir / "wijkld.jsonld").read_text())
    context = json.loads((release_dir / "context.jsonld").read_text())
    assert document["@context"] == context["@context"]
    terms = context["@context"]
    assert terms["id"] == "@id" and terms["type"] == "@type"
    assert terms["label"]["@container"] == "@language"
    assert terms["member"]["@type"] == "@id"


def test_framed_wijken_nest_teams_and_members(release_dir: Path) -> None:
    document = json.loads((release_dir / "framed" / "wijken.jsonld").read_text())
    wijken = document["@graph"]
    assert wijken and all("wijkld:Wijk" in w["type"] for w in wijken)
    members = [m["member"]["name"] for w in wijken for t in w.get("teams", []) for m in t["hasMembership"]]
    assert members and all(isinstance(name, str) for name in members)


def test_gzip_headers_carry_no_time_or_name() -> None:
    data = publish.gzip_bytes(b"x")
    assert data[4:8] == b"\0\0\0\0"  # MTIME
    assert data[3] & 0x08 == 0  # no FNAME flag


def test_check_passes_on_a_fresh_release_and_lists_stale_files(
    release_dir: Path, data_dir: Path, tmp_path: Path
) -> None:
    assert build.check(data_dir, release_dir, DEFAULT_BASE) == []
    stale = tmp_path / "stale"
    stale.mkdir()
    for p in release_dir.rglob("*"):
        if p.is_file():
            target = stale / p.relative_to(release_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(p.read_bytes())
    (stale / "wijkld.ttl").write_bytes(b"# edited\n")
    (stale / "extra.txt").write_text("x")
    (stale / "void.ttl").unlink()
    assert build.check(data_dir, stale, DEFAULT_BASE) == [
        "not produced by the build: extra.txt",
        f"missing from {stale}: void.ttl",
        "differs: wijkld.ttl",
    ]


def test_rebuild_of_same_version_keeps_release_notes(release_dir: Path, data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    build.run(data_dir, out, DEFAULT_BASE)
    first = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    build.run(data_dir, out, DEFAULT_BASE)
    second = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert first == second
    notes = json.loads(first["release-notes.json"])
    assert notes["old_version"] == "" and notes["triples"]["removed"] == 0


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _build_process(data_dir: Path, out: Path, cwd: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "wijkld", "build", "-q", "--data", str(data_dir), "--out", str(out)]
    return subprocess.Popen(command, cwd=cwd, env={**os.environ, "PYTHONHASHSEED": "0"})


@pytest.fixture(scope="module")
def timed_release(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """A release built by ``wijkld build`` in a process, and how long that took (start-up included)."""
    folder = tmp_path_factory.mktemp("timed")
    started = time.perf_counter()
    assert _build_process(data_dir, folder / "dist", folder).wait() == 0
    return folder / "dist", time.perf_counter() - started


@pytest.mark.slow
@pytest.mark.parametrize("fraction", [0.15, 0.5, 0.8, 0.95])
def test_a_killed_build_leaves_the_previous_release_intact(
    data_dir: Path, tmp_path: Path, timed_release: tuple[Path, float], fraction: float
) -> None:
    """SIGKILL at a fraction of a build's time: start-up, validation, writing, the swap."""
    previous, seconds = timed_release
    out = tmp_path / "dist"
    shutil.copytree(previous, out)
    (out / "marker.txt").write_text("previous release")
    before = _snapshot(out)
    process = _build_process(data_dir, out, tmp_path)
    time.sleep(seconds * fraction)
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait()
    after = _snapshot(out)
    # Either the old release is there untouched, or (if the build finished first) a complete new one.
    if "marker.txt" in after:
        assert after == before
    else:
        assert set(after) == set(before) - {"marker.txt"}
    build.run(data_dir, out, DEFAULT_BASE)  # leftovers of the killed build do not get in the way
    assert not list(tmp_path.glob(".dist.building-*"))
    assert _snapshot(out) == _snapshot(previous)


def test_a_failing_build_publishes_nothing(data_dir: Path, tmp_path: Path, copy_data) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "dist"
    build.run(data_dir, out, DEFAULT_BASE)
    before = _snapshot(out)
    broken = copy_data(data_dir)
    path = broken / "persons.csv"
    path.write_text(path.read_text(encoding="utf-8") + "Bad Key,,,,,,,,,\n", encoding="utf-8")
    with pytest.raises(Exception):  # noqa: B017 - any failure must leave dist/ alone
        build.run(broken, out, DEFAULT_BASE)
    assert _snapshot(out) == before


def test_skolemising_keeps_literals_as_written() -> None:
    """Shapes, vocabulary and reports pass through Oxigraph to name their blank nodes; no literal may change."""
    from rdflib import BNode, Literal, URIRef
    from rdflib.namespace import XSD

    node = BNode()
    written = [
        Literal("01", datatype=XSD.integer, normalize=False),
        Literal("2007-05-03Z", datatype=XSD.date, normalize=False),
        Literal("1.50", datatype=XSD.decimal, normalize=False),
        Literal("Zuidwest", lang="nl"),
    ]
    graph = Graph()
    for value in written:
        graph.add((node, URIRef("https://example.org/p"), value))
    skolemised = publish.skolemise(graph, "https://example.org/.well-known/genid/x-")
    found = {str(o) for o in skolemised.objects()}
    assert found == {"01", "2007-05-03Z", "1.50", "Zuidwest"}
    assert b'"2007-05-03Z"^^' in publish.turtle(skolemised)


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_resource_pages_written_by_a_second_process_equal_those_written_in_this_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_pages import build_site

    site = build_site()
    expected = pages.render_resources(site)
    with build.resource_pages_in_background(site, tmp_path / "forked") as wait:
        forked = wait()
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    with build.resource_pages_in_background(site, tmp_path / "inline") as wait:
        inline = wait()
    assert _tree(tmp_path / "forked") == _tree(tmp_path / "inline") == expected
    assert forked == inline == {name: hashlib.sha256(content).hexdigest() for name, content in expected.items()}


def test_a_failure_in_the_pages_process_fails_the_build_and_publishes_nothing(
    data_dir: Path, release_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "dist"
    shutil.copytree(release_dir, out)
    before = _snapshot(out)

    def broken(renderer: pages.ResourceRenderer, thing: URIRef) -> dict[str, bytes]:
        if os.getpid() == build_process:
            return original(renderer, thing)
        raise WijkldError(f"cannot render the page of {thing}")  # in the forked process only

    build_process, original = os.getpid(), pages.ResourceRenderer.render
    monkeypatch.setattr(pages.ResourceRenderer, "render", broken)
    with pytest.raises(WijkldError, match="cannot render the page of"):
        build.run(data_dir, out, DEFAULT_BASE)
    assert _snapshot(out) == before
    assert not list(tmp_path.glob(".dist.building-*"))


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.update(int(c) for c in (task / "children").read_text().split())
        except OSError:
            pass
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads a process's children from Linux's /proc")
def test_no_worker_outlives_a_killed_build(tmp_path: Path) -> None:
    """A SIGKILLed build leaves no process writing into the staging folder: here its pages worker."""
    command = [sys.executable, "-m", "wijkld", "build", "-v", "--workers", "2", "--out", str(tmp_path / "dist")]
    build_process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert build_process.stderr is not None
    seen: set[int] = set()
    try:
        for line in build_process.stderr:
            if line.startswith("... publishing"):
                break
        for _ in range(500):  # the pages worker starts as publishing begins
            seen |= _children(build_process.pid)
            if seen or build_process.poll() is not None:
                break
            time.sleep(0.01)
        assert seen, "the build started no pages worker"
        time.sleep(0.2)  # the worker is rendering pages now
    finally:
        build_process.kill()
        build_process.wait()
        build_process.stderr.close()
    for _ in range(40):  # within 2 s: the kernel ends it at once; on its own it would render for seconds more
        alive = {pid for pid in seen if Path(f"/proc/{pid}").exists() and "Z" not in _state(pid)}
        if not alive:
            return
        time.sleep(0.05)
    for pid in alive:
        os.kill(pid, signal.SIGKILL)
    pytest.fail(f"workers {sorted(alive)} outlived their killed build")


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "Z"
