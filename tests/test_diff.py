"""Release notes: wijkld diff and the notes each build writes against the previous release."""

from __future__ import annotations

import csv
import gzip
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from wijkld import build
from wijkld.cli.main import cli
from wijkld.errors import WijkldError
from wijkld.model.iris import DEFAULT_BASE
from wijkld.publish import diff


def _nt(*lines: str) -> set[bytes]:
    return {line.encode() for line in lines}


def test_compare_counts_per_resource_and_class() -> None:
    a = "<http://x/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://x/C> ."
    b = '<http://x/a> <http://x/p> "1" .'
    c = '<http://x/b> <http://x/p> "2" .'
    changes = diff.compare(_nt(a, b), _nt(a, c), "1", "2")
    assert (changes.added, changes.removed) == (1, 1)
    assert {k: vars(v) for k, v in changes.by_resource.items()} == {
        "http://x/a": {"added": 0, "removed": 1},
        "http://x/b": {"added": 1, "removed": 0},
    }
    assert vars(changes.by_class["http://x/C"]) == {"added": 0, "removed": 1}
    assert changes.resources_added == ["http://x/b"]
    assert "+1 -1" in changes.text()


def _bump_version(data: Path, version: str) -> None:
    path = data / "release.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[0]["version"] = version
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_new_version_notes_compare_with_the_previous_release(minimal_data: Path, copy_data, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = copy_data(minimal_data)
    out = tmp_path / "dist"
    build.run(data, out, DEFAULT_BASE)
    old = tmp_path / "old"
    old.mkdir()
    (old / "wijkld.nt.gz").write_bytes((out / "wijkld.nt.gz").read_bytes())

    persons = data / "persons.csv"
    text = persons.read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    row = dict.fromkeys(header, "")
    row.update(key="nieuwe-persoon", name="Nieuwe Persoon", source=text[1].split(",")[header.index("source")])
    persons.write_text("\n".join(text + [",".join(row[h] for h in header)]) + "\n", encoding="utf-8")
    _bump_version(data, "9.9.9")
    build.run(data, out, DEFAULT_BASE)

    notes = json.loads((out / "release-notes.json").read_text())
    assert notes["new_version"] == "9.9.9"
    assert notes["old_version"] != "9.9.9"
    # the new person, and the build of the new version (which replaces the old build's record)
    assert notes["resources_added"] == [
        f"{DEFAULT_BASE}/id/activiteit/build-9-9-9",
        f"{DEFAULT_BASE}/id/persoon/nieuwe-persoon",
    ]
    assert [r.rsplit("/", 1)[1] for r in notes["resources_removed"]] == ["build-0-1-0"]
    old_lines = diff.read_lines(old / "wijkld.nt.gz")
    new_lines = diff.read_lines(out / "wijkld.nt.gz")
    assert notes["triples"]["removed"] == len(old_lines - new_lines) > 0
    assert notes["triples"]["added"] == len(new_lines - old_lines) < len(new_lines) // 2
    assert (out / "previous-release.nt.gz").read_bytes() == (old / "wijkld.nt.gz").read_bytes()
    assert "9.9.9" in (out / "dcat.ttl").read_text()

    runner = CliRunner()
    result = runner.invoke(cli, ["diff", str(old), str(out), "--json", str(tmp_path / "changes.json")])
    assert result.exit_code == 1, result.output  # the releases differ, as diff(1) says it
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "resources added: 2, removed: 1" in result.output
    assert json.loads((tmp_path / "changes.json").read_text())["resources_added"] == notes["resources_added"]


def test_diff_exits_0_for_releases_with_the_same_triples(tmp_path: Path) -> None:
    lines = [f'<http://x/{i}> <http://x/p> "{i}" .\n'.encode() for i in range(5)]
    old, new = tmp_path / "old.nt.gz", tmp_path / "new.nt.gz"
    old.write_bytes(gzip.compress(b"".join(lines)))
    new.write_bytes(gzip.compress(b"".join(reversed(lines))))  # the same triples in another order
    result = CliRunner().invoke(cli, ["diff", str(old), str(new), "--json", str(tmp_path / "changes.json")])
    assert result.exit_code == 0, result.output
    assert "triples: 5 -> 5 (+0 -0)" in result.output
    triples = json.loads((tmp_path / "changes.json").read_text())["triples"]
    assert triples == {"old": 5, "new": 5, "added": 0, "removed": 0}
    new.write_bytes(gzip.compress(b"".join(lines[1:])))
    result = CliRunner().invoke(cli, ["diff", str(old), str(new)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "triples: 5 -> 4 (+0 -1)" in result.output


def test_diff_rejects_what_is_not_a_release(tmp_path: Path) -> None:
    bad = tmp_path / "bad.nt.gz"
    bad.write_bytes(gzip.compress(b"<not n-triples"))
    result = CliRunner().invoke(cli, ["diff", str(bad), str(bad)])
    assert result.exit_code == 2
    assert "cannot read N-Triples" in result.stderr
    assert "Traceback" not in result.output
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(cli, ["diff", str(empty), str(empty)])
    assert result.exit_code == 2 and "no wijkld.nt.gz" in result.stderr


def test_build_check_command(minimal_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    runner = CliRunner()
    assert runner.invoke(cli, ["build", "-q", "--data", str(minimal_data), "--out", str(out)]).exit_code == 0
    result = runner.invoke(cli, ["build", "--check", "--data", str(minimal_data), "--out", str(out)])
    assert result.exit_code == 0 and "up to date" in result.output
    (out / "wijkld.ttl").write_text("stale")
    result = runner.invoke(cli, ["build", "--check", "--data", str(minimal_data), "--out", str(out)])
    assert result.exit_code == 1
    assert "differs: wijkld.ttl" in result.output
    assert (out / "wijkld.ttl").read_text() == "stale"  # --check never publishes


def test_lines_are_kept_as_splitlines_would_keep_them() -> None:
    """Fed in chunks of any size, line ends of any kind (also split between chunks) give bytes.splitlines."""
    text = b"a b c .\r\n\nd e f .\re\n  \n\r\nlast, without an end"
    expected = {line for line in text.splitlines() if line.strip()}
    for size in (1, 2, 3, 7, len(text)):
        lines = diff._Lines()
        for start in range(0, len(text), size):
            lines.feed(text[start : start + size])
        assert lines.finish() == expected, size


def test_read_lines_places_an_error_in_the_file(tmp_path: Path) -> None:
    good = [f'<http://x/{i}> <http://x/p> "{i}" .' for i in range(40000)]  # more than one chunk
    plain = tmp_path / "lines.nt"
    plain.write_bytes(("\r\n".join(good[:20]) + "\n\n" + "\n".join(good[20:]) + "\n").encode())
    zipped = tmp_path / "lines.nt.gz"
    zipped.write_bytes(gzip.compress(plain.read_bytes()))
    assert diff.read_lines(plain) == diff.read_lines(zipped) == {line.encode() for line in good}
    plain.write_bytes(("\n".join(good) + "\n<http://x/bad> <http://x/p> .\n").encode())
    with pytest.raises(WijkldError) as error:
        diff.read_lines(plain)
    message = error.value.format_message()
    assert message.startswith(f"{plain}:40001:29: cannot read N-Triples: The object of a triple must be"), message


def test_diff_names_what_is_not_a_file(tmp_path: Path) -> None:
    fifo = tmp_path / "old.nt.gz"
    os.mkfifo(fifo)
    result = CliRunner().invoke(cli, ["diff", str(fifo), str(fifo)])
    assert result.exit_code == 2
    assert result.stderr == f"Error: {fifo}: cannot read N-Triples: it is a FIFO, not a regular file\n"
    release = tmp_path / "release"
    release.mkdir()
    (release / "wijkld.nt.gz").mkdir()
    result = CliRunner().invoke(cli, ["diff", str(release), str(release)])
    assert result.exit_code == 2
    assert result.stderr == f"Error: {release / 'wijkld.nt.gz'}: cannot read N-Triples: it is a directory, not a file\n"
