"""Release notes: what changed between two releases, per resource and per class.

Works on sorted N-Triples lines, which the releases publish: with no blank
nodes, a triple's line is its identity, so set differences are exact.
:func:`compare` takes the lines as sets; :func:`compare_sorted` gives the same
result from two sorted streams of lines (:func:`sorted_lines`,
:func:`iter_sorted_lines`) in one merge pass, holding one subject's lines at a time.
"""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from wijkld import inputs
from wijkld.errors import WijkldError

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: Oxigraph's position prefix; the message gives it as FILE:LINE:COLUMN instead.
_POSITION = re.compile(r"^Parser error (?:at|between) [^:]*: ")


@dataclass
class Change:
    added: int = 0
    removed: int = 0


@dataclass
class ReleaseDiff:
    old_version: str
    new_version: str
    old_triples: int
    new_triples: int
    added: int
    removed: int
    by_resource: dict[str, Change] = field(default_factory=dict)
    by_class: dict[str, Change] = field(default_factory=dict)
    resources_added: list[str] = field(default_factory=list)
    resources_removed: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "old_version": self.old_version,
            "new_version": self.new_version,
            "triples": {"old": self.old_triples, "new": self.new_triples, "added": self.added, "removed": self.removed},
            "resources_added": self.resources_added,
            "resources_removed": self.resources_removed,
            "by_class": {k: vars(v) for k, v in sorted(self.by_class.items())},
            "by_resource": {k: vars(v) for k, v in sorted(self.by_resource.items())},
        }

    def text(self, max_resources: int = 200) -> str:
        lines = [
            f"Release notes: {self.old_version or '(none)'} -> {self.new_version}",
            "",
            f"triples: {self.old_triples} -> {self.new_triples} (+{self.added} -{self.removed})",
            f"resources added: {len(self.resources_added)}, removed: {len(self.resources_removed)}, "
            f"changed: {len(self.by_resource)}",
        ]
        if self.by_class:
            lines += ["", "By class (triples of resources of that class):"]
            for cls, change in sorted(self.by_class.items()):
                lines.append(f"  {cls}  +{change.added} -{change.removed}")
        if self.by_resource:
            lines += ["", "By resource:"]
            for i, (iri, change) in enumerate(sorted(self.by_resource.items())):
                if i == max_resources:
                    lines.append(f"  ... and {len(self.by_resource) - max_resources} more (see release-notes.json)")
                    break
                lines.append(f"  {iri}  +{change.added} -{change.removed}")
        if not self.added and not self.removed:
            lines += ["", "No changes to the data."]
        return "\n".join(lines) + "\n"


def read_lines(path: Path) -> set[bytes]:
    """The N-Triples lines of a release file (``.nt`` or ``.nt.gz``), checked to parse.

    The parser reads the file as a stream (wijkld.inputs: regular files only, inflated with a cap) while
    :class:`_Lines` keeps its lines, so the text is never held beside them; a file that is not N-Triples
    stops the parser, and the reading, at its first bytes.
    """
    lines = _Lines()
    _parse(path, lines.feed)
    return lines.finish()


def _parse(path: Path, watch: Callable[[bytes], None] | None = None) -> None:
    """Parse the whole file as N-Triples; a WijkldError names the place (FILE:LINE:COLUMN) of the first error."""
    with inputs.open_input(path, what="read N-Triples", watch=watch) as handle:
        try:
            for _ in ox.parse(handle, format=ox.RdfFormat.N_TRIPLES):
                pass
        except SyntaxError as exc:
            where = f"{path}:{exc.lineno}:{exc.offset or 1}" if exc.lineno else str(path)
            raise WijkldError(f"{where}: cannot read N-Triples: {_POSITION.sub('', str(exc.msg or exc))}") from None


class _Text:
    """Text fed in chunks, given back cut after its last line end: whole lines only, the rest kept for later."""

    def __init__(self) -> None:
        self.partial: list[bytes] = []  # the start of a line that has not ended yet

    def feed(self, chunk: bytes) -> bytes:
        """The text of the lines that end in ``chunk`` (with the start kept from earlier chunks), else b""."""
        if b"\n" not in chunk and b"\r" not in chunk:
            self.partial.append(chunk)
            return b""
        text = b"".join(self.partial) + chunk
        cut = max(text.rfind(b"\n"), text.rfind(b"\r")) + 1
        self.partial = [text[cut:]] if cut < len(text) else []
        return text[:cut]

    def finish(self) -> bytes:
        """The last line, if the text does not end with a line end."""
        rest, self.partial = b"".join(self.partial), []
        return rest


def _nonblank(text: bytes) -> list[bytes]:
    """The lines of ``text`` without their line ends, blank ones left out (as ``read_lines`` keeps them)."""
    return [line for line in text.splitlines() if line.strip()]


class _Lines:
    """The non-blank lines of a text fed in chunks, without their line ends (as ``bytes.splitlines``)."""

    def __init__(self) -> None:
        self.lines: set[bytes] = set()
        self.text = _Text()

    def feed(self, chunk: bytes) -> None:
        self.lines.update(_nonblank(self.text.feed(chunk)))

    def finish(self) -> set[bytes]:
        self.lines.update(_nonblank(self.text.finish()))
        return self.lines


def _chunks(path: Path) -> Iterator[bytes]:
    """The text of ``path`` in whole lines, a chunk (about :data:`inputs.CHUNK` bytes) at a time."""
    text = _Text()
    with inputs.open_input(path, what="read N-Triples") as handle:
        while chunk := handle.read(inputs.CHUNK):
            if whole := text.feed(chunk):
                yield whole
    if rest := text.finish():
        yield rest


def sorted_lines(path: Path, *, check: bool = True) -> Iterator[bytes]:
    """The lines of a sorted N-Triples dump (``.nt`` or ``.nt.gz``), in the order of the file, read lazily.

    The lines are those of :func:`read_lines` (no line ends, no blank lines; comment lines are lines), each
    once per time it is in the file, and only a chunk of the text is in memory at a time. With ``check``, each
    chunk is parsed before its lines are given, so a line that is not N-Triples is never passed on: the
    first one stops the reading with the WijkldError of :func:`read_lines` (N-Triples has a triple a line
    and no state from line to line, so the chunks parse as the whole file does). ``check=False`` is for a
    file the build has just written itself.

    The order is not checked here (:func:`compare_sorted` does, as it reads); :func:`is_sorted` tells
    beforehand, and :func:`iter_sorted_lines` sorts what is not sorted.
    """
    for text in _chunks(path):
        if check:
            _check_chunk(path, text)
        yield from _nonblank(text)


def _check_chunk(path: Path, text: bytes) -> None:
    try:
        for _ in ox.parse(text, format=ox.RdfFormat.N_TRIPLES):
            pass
    except SyntaxError as exc:
        _parse(path)  # the whole file, to place the error in it as read_lines does
        # the whole file parsed after all (it should not): say what the chunk's parser said
        raise WijkldError(f"{path}: cannot read N-Triples: {_POSITION.sub('', str(exc.msg or exc))}") from None


def is_sorted(path: Path) -> bool:
    """Whether the lines of the dump (as :func:`read_lines` takes them) are in bytewise order, repeats allowed.

    Reads the file once, holding a chunk at a time; it does not parse it (the reading that follows does).
    """
    previous = b""
    for text in _chunks(path):
        lines = _nonblank(text)
        if lines:
            if lines[0] < previous or any(a > b for a, b in zip(lines, lines[1:], strict=False)):
                return False
            previous = lines[-1]
    return True


def iter_sorted_lines(path: Path) -> Iterator[bytes]:
    """The lines of a release dump in bytewise order, for :func:`compare_sorted`: streamed if the file is sorted.

    Releases of the in-memory build are sorted (publish.ntriples_lines), and so are the baselines they keep
    (previous-release.nt.gz is an earlier wijkld.nt.gz), so these are read twice as a stream: once by
    :func:`is_sorted`, then by :func:`sorted_lines`; neither holds more than a chunk. Releases of the old
    streaming build are not sorted: their parts are joined in mapping order (wijkld.model.stream), so a dump of
    theirs, or one made by another tool, is read with :func:`read_lines` and sorted in memory, as the whole
    baseline was held before. That build wrote no release notes, so ``wijkld build`` does not take such a
    release as its baseline (build.read_baseline starts afresh without release-notes.json); only a baseline
    given by hand can cost the memory.
    """
    if is_sorted(path):
        return sorted_lines(path)
    return iter(sorted(read_lines(path)))


def release_dump(path: Path) -> Path:
    """Accept a release folder or a dump file; what else is there, wijkld.inputs explains when it is read."""
    if not os.path.isdir(path):  # os.path: never raises, so a permission error is left to the reading
        return path
    candidate = path / "wijkld.nt.gz"
    if not os.path.lexists(candidate):
        raise WijkldError(f"{path}: no wijkld.nt.gz in this folder; is it a wijkld release?")
    return candidate


def compare(old: set[bytes], new: set[bytes], old_version: str = "", new_version: str = "") -> ReleaseDiff:
    added, removed = new - old, old - new
    diff = ReleaseDiff(old_version, new_version, len(old), len(new), len(added), len(removed))
    classes = _classes(old | new)
    subjects_old, subjects_new = _subjects(old), _subjects(new)
    per_resource: dict[str, Change] = defaultdict(Change)
    per_class: dict[str, Change] = defaultdict(Change)
    for lines, attr in ((added, "added"), (removed, "removed")):
        for line in lines:
            subject = _subject(line)
            setattr(per_resource[subject], attr, getattr(per_resource[subject], attr) + 1)
            for cls in classes.get(subject, {"(untyped)"}):
                setattr(per_class[cls], attr, getattr(per_class[cls], attr) + 1)
    diff.by_resource = dict(per_resource)
    diff.by_class = dict(per_class)
    diff.resources_added = sorted(subjects_new - subjects_old)
    diff.resources_removed = sorted(subjects_old - subjects_new)
    return diff


def _subject(line: bytes) -> str:
    return line.split(b" ", 1)[0].decode("utf-8").strip("<>")


def _subjects(lines: set[bytes]) -> set[str]:
    return {_subject(line) for line in lines}


def _classes(lines: set[bytes]) -> dict[str, set[str]]:
    marker = f" <{RDF_TYPE}> ".encode()
    result: dict[str, set[str]] = defaultdict(set)
    for line in lines:
        if marker in line:
            subject, _, rest = line.partition(marker)
            result[subject.decode().strip("<>")].add(_class(rest))
    return result


def _class(rest: bytes) -> str:
    """The class named by what follows `` <rdf:type> `` in a line."""
    return rest.rsplit(b" .", 1)[0].decode().strip().strip("<>")


class NotSortedError(ValueError):
    """The lines given to :func:`compare_sorted` are not in bytewise order."""


#: The subject of a line as Oxigraph writes it (``<iri> `` or ``_:label ``): an absolute IRI (it has a
#: scheme) or a blank node label, with no space, control character or angle bracket inside.
_SUBJECT = re.compile(rb"<[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20<>]*>|_:[^\x00-\x20<>]*")
#: What :func:`_subject` makes of such a subject: the IRI without its brackets, or the label.
_SUBJECT_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20<>]*|_:[^\x00-\x20<>]*")
_TYPE_MARKER = f" <{RDF_TYPE}> ".encode()


def compare_sorted(
    old: Iterable[bytes], new: Iterable[bytes], old_version: str = "", new_version: str = ""
) -> ReleaseDiff:
    """``compare(set(old), set(new), ...)`` for lines in bytewise order (repeats allowed), in one merge pass.

    Why one pass can do it: a line's subject, as :func:`compare` reads it, is the token before the line's first
    space. In a line as Oxigraph writes it, ``<iri> `` or ``_:label ``, that token holds no byte up to 0x20 (no
    space, no control character: IRIs and labels have none). Then the order of two lines gives the order of
    their tokens: where two lines first differ within both tokens, the tokens differ there too; and where one
    token is a proper prefix of the other, the shorter line has its space (0x20) where the longer token has a
    byte above 0x20. So ``L1 <= L2`` implies ``token(L1) <= token(L2)``: the lines of a subject are one run in
    each input, and the runs of both come in token order, so they merge like two sorted lists. A subject IRI
    that is a prefix of another (``<a>``, ``<a/b>``) sorts by its ``>``, consistently in both inputs. The
    subject text (the IRI without brackets, or the label) differs for different tokens of this form, so the
    runs are the subjects of :func:`compare`, and their classes are the rdf:type objects of their own lines.

    Memory: the lines of the current subject from each input, the result (one entry per changed resource and
    class), and any line whose subject is not of that form (leading space, tabs, a comment line: valid
    N-Triples that Oxigraph does not write), kept apart and compared at the end. The subject text of such a
    line could only equal a subject of the merge if it had the form of one; for N-Triples that parse it never
    has, and where it has, a ValueError says so. A line out of order raises :class:`NotSortedError`.
    Subjects and classes are decoded for the resources that changed only, so a line that is not UTF-8 fails
    only there (``compare`` fails on any such line); parsed N-Triples is UTF-8.
    """
    olds, news = _Runs(old, "old"), _Runs(new, "new")
    tally = _Tally()
    o, n = next(olds, None), next(news, None)
    while o is not None or n is not None:
        if n is None or (o is not None and o[0] < n[0]):
            assert o is not None
            tally.run(o[0], o[1], [])
            o = next(olds, None)
        elif o is None or n[0] < o[0]:
            tally.run(n[0], [], n[1])
            n = next(news, None)
        else:
            if o[1] != n[1]:
                tally.run(o[0], o[1], n[1])
            o, n = next(olds, None), next(news, None)
    tally.strays(olds.stray, news.stray)
    return tally.diff(old_version, new_version, olds.count, news.count)


class _Runs:
    """The runs of lines of one subject token, in order: (token, its distinct lines, in order).

    Counts the distinct lines, keeps apart those whose subject is not of the usual form, and checks the order.
    """

    def __init__(self, lines: Iterable[bytes], which: str) -> None:
        self.runs = self._runs(iter(lines), which)
        self.count = 0
        self.stray: set[bytes] = set()

    def __iter__(self) -> Iterator[tuple[bytes, list[bytes]]]:
        return self

    def __next__(self) -> tuple[bytes, list[bytes]]:
        return next(self.runs)

    def _runs(self, lines: Iterator[bytes], which: str) -> Iterator[tuple[bytes, list[bytes]]]:
        previous: bytes | None = None
        run: list[bytes] = []  # the lines of the current run
        token = prefix = b""  # its subject token, and the token with the space after it
        for line in lines:
            if previous is not None and line <= previous:
                if line == previous:
                    continue
                raise NotSortedError(f"the {which} lines are not sorted: {line!r} comes after {previous!r}")
            previous = line
            self.count += 1
            if run and line.startswith(prefix):  # the same subject token (it has no space)
                run.append(line)
                continue
            end = line.find(b" ")
            if end < 0 or not _SUBJECT.fullmatch(line, 0, end):
                self.stray.add(line)
                continue
            if run:
                yield token, run
            token, prefix, run = line[:end], line[: end + 1], [line]
        if run:
            yield token, run


class _Tally:
    """The counts of :class:`ReleaseDiff`, subject by subject."""

    def __init__(self) -> None:
        self.added = self.removed = 0
        self.by_resource: dict[str, Change] = {}
        self.by_class: dict[str, Change] = defaultdict(Change)
        self.resources_added: list[str] = []
        self.resources_removed: list[str] = []

    def run(self, token: bytes, old: list[bytes], new: list[bytes]) -> None:
        """One subject of the usual form: its class lines are those with rdf:type right after the subject."""
        old_set, new_set = set(old), set(new)
        if old_set == new_set:
            return
        start = len(token)
        classes = {
            _class(line[start + len(_TYPE_MARKER) :])
            for line in old_set | new_set
            if line.startswith(_TYPE_MARKER, start)
        }
        self.subject(token.decode("utf-8").strip("<>"), old_set, new_set, classes)

    def strays(self, old: set[bytes], new: set[bytes]) -> None:
        """The lines whose subject is not of the usual form, by subject, with the rules of :func:`compare`."""
        subjects: dict[str, tuple[set[bytes], set[bytes]]] = defaultdict(lambda: (set(), set()))
        for index, lines in enumerate((old, new)):
            for line in lines:
                subjects[_subject(line)][index].add(line)
        for subject, (old_set, new_set) in sorted(subjects.items()):
            if _SUBJECT_TEXT.fullmatch(subject):
                raise ValueError(
                    f"cannot compare in one pass: the subject {subject!r} of {sorted(old_set | new_set)[0]!r} "
                    "may also be written in the usual form, elsewhere in the order"
                )
            if old_set != new_set:
                self.subject(subject, old_set, new_set, _classes(old_set | new_set).get(subject, set()))

    def subject(self, subject: str, old: set[bytes], new: set[bytes], classes: set[str]) -> None:
        added, removed = len(new - old), len(old - new)
        self.added += added
        self.removed += removed
        self.by_resource[subject] = Change(added, removed)
        for cls in classes or {"(untyped)"}:
            change = self.by_class[cls]
            change.added += added
            change.removed += removed
        if not old:
            self.resources_added.append(subject)
        if not new:
            self.resources_removed.append(subject)

    def diff(self, old_version: str, new_version: str, old_triples: int, new_triples: int) -> ReleaseDiff:
        return ReleaseDiff(
            old_version,
            new_version,
            old_triples,
            new_triples,
            self.added,
            self.removed,
            by_resource=self.by_resource,
            by_class=dict(self.by_class),
            resources_added=sorted(self.resources_added),
            resources_removed=sorted(self.resources_removed),
        )


def dumps_json(diff: ReleaseDiff) -> bytes:
    return (json.dumps(diff.as_json(), indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
