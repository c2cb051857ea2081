"""Release notes from sorted streams (diff.compare_sorted) equal those from sets (diff.compare)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from wijkld.errors import WijkldError
from wijkld.publish import diff

REPO = Path(__file__).resolve().parents[1]
DIST = REPO / "dist"
NEW, OLD = DIST / "wijkld.nt.gz", DIST / "previous-release.nt.gz"
TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


def same(expected: diff.ReleaseDiff, found: diff.ReleaseDiff) -> None:
    assert found == expected
    assert diff.dumps_json(found) == diff.dumps_json(expected)
    assert found.text() == expected.text()


@pytest.mark.parametrize("forward", [True, False], ids=["previous-to-current", "current-to-previous"])
def test_the_pilot_releases_compare_alike(forward: bool) -> None:
    old, new = (OLD, NEW) if forward else (NEW, OLD)
    assert diff.is_sorted(old) and diff.is_sorted(new)
    expected = diff.compare(diff.read_lines(old), diff.read_lines(new), "x", "y")
    assert expected.added and expected.removed and expected.resources_added and expected.by_class
    same(expected, diff.compare_sorted(diff.sorted_lines(old), diff.sorted_lines(new), "x", "y"))
    same(expected, diff.compare_sorted(diff.iter_sorted_lines(old), diff.iter_sorted_lines(new), "x", "y"))


def test_the_published_release_notes_come_from_the_streams() -> None:
    published = json.loads((DIST / "release-notes.json").read_bytes())  # the versions the release compares
    old, new = published["old_version"], published["new_version"]
    notes = diff.compare_sorted(diff.iter_sorted_lines(OLD), diff.iter_sorted_lines(NEW), old, new)
    assert diff.dumps_json(notes) == (DIST / "release-notes.json").read_bytes()
    assert notes.text().encode() == (DIST / "release-notes.txt").read_bytes()


def test_a_first_release_compares_with_nothing() -> None:
    new = diff.read_lines(NEW)
    same(diff.compare(set(), new, "", "1"), diff.compare_sorted([], diff.sorted_lines(NEW), "", "1"))
    same(diff.compare(set(), set()), diff.compare_sorted([], []))


# -- generated line sets ---------------------------------------------------------------

#: IRIs that are prefixes of each other, continued by bytes below '>' ('#', '.', '/', '=') and above it ('?', 'b').
IRIS = ["<http://x/a>", "<http://x/a#c>", "<http://x/a.b>", "<http://x/a/b>", "<http://x/a=b>", "<http://x/a?b>"]
IRIS += ["<http://x/ab>"]
SUBJECTS = [*IRIS, "_:b", "_:b1", "_:b.1", "<http://x/%C3%A9>", "<http://x/\u00e9>"]
PREDICATES = ["<http://x/p>", "<http://x/p/q>", TYPE]
OBJECTS = [
    *IRIS,
    "<http://x/C>",
    "<http://x/C/D>",
    "_:b",
    '"a"',
    '"a b"',
    '"a" .',  # a literal that looks like a line end
    f'"x {TYPE} y"',  # the rdf:type marker inside a literal
    '"1"^^<http://www.w3.org/2001/XMLSchema#integer>',
    '"a"@nl',
    '"\\t"',
    '"\u00e9"',
]
#: Valid N-Triples that Oxigraph does not write: compare_sorted keeps them apart and compares them at the end.
STRAYS = [
    ' <http://x/a> <http://x/p> "1" .',
    f" <http://x/a> {TYPE} <http://x/C> .",
    '<http://x/a>\t<http://x/p>\t"1" .',
    f"<http://x/a>\t{TYPE} <http://x/C> .",
    '<http://x/a><http://x/p>"1".',
    "# a comment",
    "#",
    '_:b\t<http://x/p> "1" .',
    f"\t<http://x/a> {TYPE} <http://x/C/D> .",
]

usual = st.builds(
    lambda s, p, o: f"{s} {p} {o} .".encode(),
    st.sampled_from(SUBJECTS),
    st.sampled_from(PREDICATES),
    st.sampled_from(OBJECTS),
)
line = st.one_of(usual, usual, usual, st.sampled_from(STRAYS).map(str.encode))
#: small alphabets, so the lists repeat lines and the old and new lists share many
lines = st.lists(line, max_size=60)


@settings(max_examples=500, deadline=None)
@given(lines, lines)
@example([b"<http://x/a> <http://x/p> <http://x/b> ."], [b"<http://x/a/b> <http://x/p> <http://x/b> ."])
def test_generated_line_sets_compare_alike(old: list[bytes], new: list[bytes]) -> None:
    """Sorted, with the repeats the lists have (a line may be in a dump twice): the notes of compare on the sets."""
    expected = diff.compare(set(old), set(new), "1", "2")
    same(expected, diff.compare_sorted(sorted(old), sorted(new), "1", "2"))
    same(diff.compare(set(new), set(old)), diff.compare_sorted(sorted(new), sorted(old)))


def test_a_subject_prefix_of_another_sorts_apart_from_it() -> None:
    """``<a/b>`` sorts before ``<a>`` ('/' < '>'), between nothing of ``<a>``'s: both runs merge in order."""
    old = sorted(
        [
            f"<http://x/a> {TYPE} <http://x/C> .".encode(),
            b"<http://x/a> <http://x/p> <http://x/a/b> .",
            f"<http://x/a/b> {TYPE} <http://x/D> .".encode(),
        ]
    )
    new = sorted(old[1:] + [b"<http://x/a/b> <http://x/p> <http://x/a> .", b"<http://x/a> <http://x/p> <http://x/a> ."])
    assert old[0].startswith(b"<http://x/a/b>")  # the D line: new lacks it
    notes = diff.compare_sorted(old, new)
    same(diff.compare(set(old), set(new)), notes)
    assert {k: vars(v) for k, v in notes.by_resource.items()} == {
        "http://x/a": {"added": 1, "removed": 0},
        "http://x/a/b": {"added": 1, "removed": 1},
    }
    # http://x/a/b keeps its class D from the old line, which is gone
    assert {k: vars(v) for k, v in notes.by_class.items()} == {
        "http://x/C": {"added": 1, "removed": 0},
        "http://x/D": {"added": 1, "removed": 1},
    }


def test_lines_out_of_order_are_refused() -> None:
    lines = [b"<http://x/b> <http://x/p> <http://x/o> .", b"<http://x/a> <http://x/p> <http://x/o> ."]
    with pytest.raises(diff.NotSortedError, match="new lines are not sorted"):
        diff.compare_sorted([], lines)
    with pytest.raises(ValueError, match="old lines are not sorted"):
        diff.compare_sorted(lines, sorted(lines))


def test_a_subject_that_one_pass_cannot_place_is_refused() -> None:
    """``<<http://x/a>>`` is read as the subject http://x/a, as ``<http://x/a>`` is, far from it in the order."""
    lines = sorted([b"<<http://x/a>> <http://x/p> <http://x/o> .", b"<http://x/a> <http://x/q> <http://x/o> ."])
    with pytest.raises(ValueError, match="cannot compare in one pass"):
        diff.compare_sorted([], lines)


# -- reading dumps -------------------------------------------------------------------


def _write(path: Path, text: bytes) -> Path:
    path.write_bytes(gzip.compress(text) if path.name.endswith(".gz") else text)
    return path


GOOD = [f'<http://x/{i:05}> <http://x/p> "{i}" .'.encode() for i in range(40000)]  # more than one chunk


@pytest.mark.parametrize("name", ["lines.nt", "lines.nt.gz"])
def test_sorted_lines_are_the_lines_read_lines_keeps(tmp_path: Path, name: str) -> None:
    """Line ends of every kind, blank lines and comment lines, no line end at the end: as read_lines."""
    text = b"\r\n".join(GOOD[:20]) + b"\n\n  \n" + b"\r".join(GOOD[20:30]) + b"\n# note\n" + b"\n".join(GOOD[30:])
    path = _write(tmp_path / name, text)
    found = list(diff.sorted_lines(path))
    assert len(found) == len(GOOD) + 1 and set(found) == diff.read_lines(path)
    assert diff.is_sorted(path) is False  # "# note" sorts first
    assert list(diff.iter_sorted_lines(path)) == sorted(diff.read_lines(path))
    assert list(diff.sorted_lines(path, check=False)) == found


def test_a_sorted_dump_is_streamed_with_its_repeats(tmp_path: Path) -> None:
    text = b"\n".join(sorted(GOOD + GOOD[:3])) + b"\n"
    path = _write(tmp_path / "lines.nt.gz", text)
    assert diff.is_sorted(path)
    streamed = list(diff.iter_sorted_lines(path))
    assert streamed == sorted(GOOD + GOOD[:3])
    other = _write(tmp_path / "other.nt", b"\n".join(GOOD[1:] + [b'<http://x/new> <http://x/p> "n" .']))
    same(
        diff.compare(diff.read_lines(path), diff.read_lines(other)),
        diff.compare_sorted(diff.iter_sorted_lines(path), diff.iter_sorted_lines(other)),
    )


def test_a_line_that_is_no_n_triples_stops_the_stream_as_read_lines_stops(tmp_path: Path) -> None:
    path = _write(tmp_path / "lines.nt", b"\n".join(GOOD) + b"\n<http://x/bad> <http://x/p> .\n" + GOOD[0] + b"\n")
    with pytest.raises(WijkldError) as expected:
        diff.read_lines(path)
    given: list[bytes] = []
    with pytest.raises(WijkldError) as error:
        given.extend(diff.sorted_lines(path))
    assert error.value.format_message() == expected.value.format_message()
    assert error.value.format_message().startswith(f"{path}:40001:29: cannot read N-Triples")
    assert b"<http://x/bad> <http://x/p> ." not in given and set(given) <= set(GOOD)
    with pytest.raises(WijkldError, match="cannot read N-Triples"):
        list(diff.iter_sorted_lines(path))
