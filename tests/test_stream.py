"""One build at every size: the mapping in chunks and processes, and generated records as a whole release.

The generated records (benchmarks/generate.py, 6,000 records, about 1e5 triples) give a release with
the pilot's file set and metadata; ``build --check`` passes on it; a violation names its CSV line.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import URIRef

from wijkld import progress
from wijkld.model import dataset, mapping, stream
from wijkld.model.iris import DEFAULT_BASE, Minter
from wijkld.publish import serialize as publish
from wijkld.records import load as records

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import generate  # noqa: E402


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("generated")
    generate.generate(folder, 6000, seed=3)
    return folder


def _parts_bytes(parts: list[stream.Part]) -> bytes:
    return b"".join(Path(p.files["nt"]).read_bytes() for p in parts)


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
    streamed = _parts_bytes(parts)
    normal = b"".join(publish.ntriples_lines(mapping.to_graph(recs, minter)))
    assert sorted(set(streamed.splitlines(keepends=True))) == normal.splitlines(keepends=True)
    assert len(streamed.splitlines()) == len(normal.splitlines()), "no duplicate lines"


def test_workers_give_byte_identical_output(generated: Path, tmp_path: Path) -> None:
    recs = records.load(generated)
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    one = stream.map_to_parts(recs, Minter(), tmp_path / "one", workers=1, chunk=500)
    two = stream.map_to_parts(recs, Minter(), tmp_path / "two", workers=2, chunk=500)
    assert _parts_bytes(one) == _parts_bytes(two)


def _shown(mode: str, tty: bool, records: int = 1, total: int | None = None) -> str:
    """What a Display in ``mode`` writes for one stage that advances ``records``."""
    buffer = io.StringIO()
    with progress.Display(mode, stream=buffer, tty=tty).stage("map", total=total) as stage:
        stage.advance(records, 10 * records)
    return buffer.getvalue()


def test_progress_logs_plain_lines_off_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    # a quick stage in CI prints nothing (so a failed build's stderr starts with its error); verbose does
    assert _shown("normal", tty=False) == ""
    assert _shown("verbose", tty=False).splitlines()[-1].endswith("done")
    assert _shown("quiet", tty=True) == ""
    assert "\r" in _shown("normal", tty=True)  # a live line on a terminal
    monkeypatch.setattr(progress, "LOG_EVERY", 0.0)  # a long stage: plain lines, no terminal codes
    text = _shown("normal", tty=False, records=5, total=10)
    assert "\r" not in text and "\x1b" not in text
    assert text.splitlines()[-1].endswith("done") and "records 5/10" in text


@pytest.fixture(scope="module")
def generated_1e5(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 3e4 triples, five times the pilot, with more subjects than a run holds (dataset.RUN_SUBJECTS), so
    the build takes its large-data paths; benchmarks/run.py builds 1e5 and more."""
    folder = tmp_path_factory.mktemp("generated-1e5")
    generate.generate(folder, 30_000, seed=5)
    return folder


@pytest.fixture(scope="module")
def generated_release(generated_1e5: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from click.testing import CliRunner

    from wijkld.cli.main import cli

    out = tmp_path_factory.mktemp("generated-release") / "dist"
    killed = out.parent / ".dist.streaming-left-by-a-killed-build"
    killed.mkdir()
    (killed / "part-0.nt.gz").write_bytes(b"")
    result = CliRunner().invoke(cli, ["build", "--data", str(generated_1e5), "--out", str(out), "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert "violations     0" in result.output
    return out


def _files(release: Path) -> set[str]:
    """The file set of a release, with each resource page's name reduced to its folder (the records differ)."""
    names = set()
    for path in release.rglob("*"):
        if path.is_file():
            name = path.relative_to(release).as_posix()
            names.add(name.rsplit("/", 1)[0] + "/*" + path.suffix if name.startswith("doc/") else name)
    return names


def test_a_large_release_is_the_same_product_as_the_pilot(generated_release: Path, generated_1e5: Path) -> None:
    from rdflib import Graph

    pilot = Path(__file__).resolve().parents[1] / "dist"
    # the pilot keeps its baseline (previous-release.nt.gz); a first release has none
    made, expected = _files(generated_release), _files(pilot) - {"previous-release.nt.gz"}
    assert {n for n in made if not n.startswith("doc/")} == {n for n in expected if not n.startswith("doc/")}
    # a page per resource in each of its classes' folders (the generator makes no stadsdelen)
    assert {n for n in made if n.startswith("doc/")} <= expected
    assert len({n for n in made if n.startswith("doc/")}) >= 3 * 15
    checked = subprocess.run(["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=generated_release)
    assert checked.returncode == 0
    normal = b"".join(publish.ntriples_lines(mapping.to_graph(records.load(generated_1e5), Minter(DEFAULT_BASE))))
    assert gzip.decompress((generated_release / "wijkld.nt.gz").read_bytes()) == normal, "sorted, as the pilot's"

    def described(release: Path) -> set[tuple[str, str]]:
        """(distribution file, property) pairs of the DCAT: the same metadata, other values."""
        dcat = Graph().parse(release / "dcat.ttl")
        pairs = set()
        for dist, url in dcat.subject_objects(URIRef("http://www.w3.org/ns/dcat#downloadURL")):
            name = str(url).removeprefix(Minter().downloads)
            if name != "previous-release.nt.gz":
                pairs |= {(name, str(p)) for p in dcat.predicates(dist)}
        return pairs

    assert described(generated_release) == described(pilot)
    void = Graph().parse(generated_release / "void.ttl")
    triples = next(void.objects(None, URIRef("http://rdfs.org/ns/void#triples")))
    assert int(triples) == len(normal.splitlines()) > 25_000
    subjects = {line.split(b" ", 1)[0] for line in normal.splitlines()}
    assert len(subjects) > dataset.RUN_SUBJECTS, "more subjects than one run: the large-data paths are taken"


def test_check_passes_right_after_a_large_build(generated_release: Path, generated_1e5: Path) -> None:
    from wijkld import build

    assert build.check(generated_1e5, generated_release, DEFAULT_BASE) == []
    left = sorted(p.name for p in generated_release.parent.iterdir() if p.name.startswith("."))
    assert left == [".dist.lock"], "scratch folders (and a killed build's leftover) removed; only the lock file stays"


def test_a_violation_in_a_large_build_names_its_csv_line(generated: Path, copy_data, tmp_path: Path) -> None:  # noqa: ANN001
    from click.testing import CliRunner

    from wijkld.cli.main import cli

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
    result = CliRunner().invoke(cli, ["build", "--data", str(data), "--out", str(out), "--workers", "2"])
    assert result.exit_code == 1, result.output
    assert "SHACL violations" in result.output and "nothing was published" in result.output
    assert f"{data / 'teams.csv'}:2" in result.output or "teams.csv:2" in result.output, result.output
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
    assert _parts_bytes(local).count(b"\n") > 5000
    assert _parts_bytes(parts) == _parts_bytes(local)


def test_large_releases_are_byte_identical_across_processes_workers_and_hash_seeds(
    generated: Path, tmp_path: Path
) -> None:
    """The same records give the same bytes whatever the number of workers and the hash seed."""
    outs = []
    for seed, workers in (("1", "1"), ("2", "3")):
        out = tmp_path / f"dist-{seed}"
        command = [sys.executable, "-m", "wijkld", "build", "-q", "--workers", workers]
        command += ["--data", str(generated), "--out", str(out)]
        done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed})
        assert done.returncode == 0, done.stderr
        outs.append(out)
    first, second = ({str(p.relative_to(o)): p.read_bytes() for p in o.rglob("*") if p.is_file()} for o in outs)
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []
