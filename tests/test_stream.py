"""The streaming build: same triples as the normal build, deterministic, identical on another engine."""

from __future__ import annotations

import gzip
import io
import sys
from pathlib import Path

import pytest

from wijkld import mapping, progress, publish, records, stream
from wijkld.iris import DEFAULT_BASE, Minter

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import generate  # noqa: E402


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("generated")
    generate.generate(folder, 6000, seed=3)
    return folder


def _parts_bytes(parts: list[stream.Part], fmt: str) -> bytes:
    return b"".join(gzip.decompress(Path(p.files[fmt]).read_bytes()) for p in parts)


def test_generator_is_seeded_and_loads(generated: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate.generate(again, 6000, seed=3)
    for path in sorted(generated.glob("*.csv")):
        assert (again / path.name).read_bytes() == path.read_bytes(), path.name
    recs = records.load(generated)
    assert len(recs.of("team")) > 20 and len(recs.of("membership")) > 4 * len(recs.of("team"))
    names = [r.text("name") for r in recs.of("person")]
    assert len(names) > len(set(names)), "expected persons with the same name"
    assert any(r.text("replaces") for r in recs.of("membership"))


def test_stream_has_the_lines_of_the_normal_build(generated: Path, tmp_path: Path) -> None:
    recs = records.load(generated)
    minter = Minter(DEFAULT_BASE)
    parts = stream.map_to_parts(recs, minter, tmp_path, workers=1, chunk=100)
    streamed = _parts_bytes(parts, "nt")
    normal = b"".join(publish.ntriples_lines(mapping.to_graph(recs, minter)))
    assert sorted(set(streamed.splitlines(keepends=True))) == normal.splitlines(keepends=True)
    assert len(streamed.splitlines()) == len(normal.splitlines()), "no duplicate lines"
    nq = _parts_bytes(parts, "nq").splitlines()
    assert len(nq) == len(normal.splitlines()) and nq[0].endswith(f"<{DEFAULT_BASE}/graph/data> .".encode())


def test_workers_give_byte_identical_output(generated: Path, tmp_path: Path) -> None:
    recs = records.load(generated)
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    one = stream.map_to_parts(recs, Minter(), tmp_path / "one", workers=1, chunk=500)
    two = stream.map_to_parts(recs, Minter(), tmp_path / "two", workers=2, chunk=500)
    for fmt in stream.FORMATS:
        assert _parts_bytes(one, fmt) == _parts_bytes(two, fmt), fmt


def test_turtle_and_json_lines_parse_to_the_same_triples(generated: Path, tmp_path: Path) -> None:
    import json

    import pyoxigraph as ox

    recs = records.load(generated)
    parts = stream.map_to_parts(recs, Minter(), tmp_path, workers=2, chunk=300)
    nt = set(ox.parse(_parts_bytes(parts, "nt"), ox.RdfFormat.N_TRIPLES))
    ttl = set(ox.parse(_parts_bytes(parts, "ttl"), ox.RdfFormat.TURTLE))
    assert ttl == nt
    context = json.loads(stream.JsonLines(stream.prefixes()).context())
    found = set()
    for line in _parts_bytes(parts, "jsonl").decode("utf-8").splitlines():
        doc = json.loads(line)
        assert doc["@context"] == "prefixes.jsonld"
        doc["@context"] = context["@context"]
        found |= set(ox.parse(json.dumps(doc).encode(), ox.RdfFormat.JSON_LD))
    assert {(q.subject, q.predicate, q.object) for q in found} == {(q.subject, q.predicate, q.object) for q in nt}


def test_progress_logs_plain_lines_off_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    buffer = io.StringIO()
    display = progress.Display("normal", stream=buffer, tty=False)
    monkeypatch.setattr(progress, "LOG_EVERY", 0.0)
    with display.stage("map", total=10) as stage:
        stage.advance(5, 50)
    text = buffer.getvalue()
    assert "\r" not in text and "\x1b" not in text
    assert text.splitlines()[-1].endswith("done") and "records 5/10" in text
    silent = io.StringIO()
    with progress.Display("quiet", stream=silent, tty=True).stage("map") as stage:
        stage.advance(1, 1)
    assert silent.getvalue() == ""
    live = io.StringIO()
    with progress.Display("normal", stream=live, tty=True).stage("map") as stage:
        stage.advance(1, 1)
    assert "\r" in live.getvalue()
