"""The streaming build: same triples as the normal build, deterministic, identical on another engine."""

from __future__ import annotations

import csv
import gzip
import io
import os
import subprocess
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


def test_streaming_build_validates_and_publishes_the_dumps(generated: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from wijkld.cli import cli

    out = tmp_path / "dist"
    killed = tmp_path / ".dist.streaming-left-by-a-killed-build"
    killed.mkdir()
    (killed / "part-0.nt.gz").write_bytes(b"")
    args = ["build", "--data", str(generated), "--out", str(out), "--streaming", "--workers", "2"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "violations     0" in result.output
    assert {"wijkld.nt.gz", "wijkld.nq.gz", "wijkld.ttl.gz", "wijkld.jsonl.gz"} <= {p.name for p in out.iterdir()}
    normal = b"".join(publish.ntriples_lines(mapping.to_graph(records.load(generated), Minter(DEFAULT_BASE))))
    published = gzip.decompress((out / "wijkld.nt.gz").read_bytes()).splitlines()
    assert sorted(published) == normal.splitlines(), "the lines of the normal build, in record-key order"
    left = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("."))
    assert left == [".dist.lock"], "scratch folders removed; only the lock file stays"
    assert {".wijkld-release", "SHA256SUMS"} <= {p.name for p in out.iterdir()}, "recognised as a release"
    checked = subprocess.run(["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=out, capture_output=True)
    assert checked.returncode == 0, checked.stdout


def test_streaming_build_stops_on_a_violation_and_keeps_the_release(generated: Path, copy_data, tmp_path: Path) -> None:  # noqa: ANN001
    from click.testing import CliRunner

    from wijkld.cli import cli

    data = copy_data(generated)
    with (data / "teams.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[0]["wijk"] = rows[0]["municipality"]  # a municipality where a wijk belongs: sh:class
    with (data / "teams.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    out = tmp_path / "dist"
    out.mkdir()
    (out / "keep.txt").write_text("the previous release")
    (out / ".wijkld-release").write_text("a release")
    (out / "SHA256SUMS").write_text("")
    result = CliRunner().invoke(cli, ["build", "--data", str(data), "--out", str(out), "--streaming", "--workers", "2"])
    assert result.exit_code == 1, result.output
    assert "SHACL violations" in result.output and "nothing was published" in result.output
    assert sorted(p.name for p in out.iterdir()) == [".wijkld-release", "SHA256SUMS", "keep.txt"]


def test_mapping_on_dask_is_byte_identical(generated: Path, tmp_path: Path) -> None:
    """The mapping stage as Dask tasks (local process scheduler) writes the bytes of the local build."""
    import dask
    import dask.bag

    recs = records.load(generated)
    local_dir, dask_dir = tmp_path / "local", tmp_path / "dask"
    local_dir.mkdir()
    dask_dir.mkdir()
    local = stream.map_to_parts(recs, Minter(DEFAULT_BASE), local_dir, workers=1, chunk=400)
    slices = stream.split(stream.units(recs, 400), 3)
    assert len(slices) == 3
    tasks = [(str(generated), DEFAULT_BASE, i, s, str(dask_dir)) for i, s in enumerate(slices)]
    bag = dask.bag.from_sequence(tasks, npartitions=3).map(lambda args: stream.map_slice_from(*args))
    with dask.config.set(scheduler="processes", num_workers=2):
        parts = sorted(bag.compute(), key=lambda p: p.index)
    assert [p.index for p in parts] == [0, 1, 2]
    assert _parts_bytes(local, "nt").count(b"\n") > 5000
    for fmt in stream.FORMATS:
        assert _parts_bytes(parts, fmt) == _parts_bytes(local, fmt), fmt


def test_streamed_releases_are_byte_identical_across_processes_and_hash_seeds(generated: Path, tmp_path: Path) -> None:
    """gzip.open wrote the time and the part's name into every member header: each build differed."""
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"dist-{seed}"
        command = [sys.executable, "-m", "wijkld", "build", "-q", "--streaming", "--workers", "2"]
        command += ["--data", str(generated), "--out", str(out)]
        done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed})
        assert done.returncode == 0, done.stderr
        outs.append(out)
    first, second = ({str(p.relative_to(o)): p.read_bytes() for p in o.rglob("*") if p.is_file()} for o in outs)
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []
