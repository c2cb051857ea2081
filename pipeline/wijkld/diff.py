"""Release notes: what changed between two releases, per resource and per class.

Works on sorted N-Triples lines, which the releases publish: with no blank
nodes, a triple's line is its identity, so set differences are exact.
"""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from . import inputs
from .errors import WijkldError

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
    with inputs.open_input(path, what="read N-Triples", watch=lines.feed) as handle:
        try:
            for _ in ox.parse(handle, format=ox.RdfFormat.N_TRIPLES):
                pass
        except SyntaxError as exc:
            where = f"{path}:{exc.lineno}:{exc.offset or 1}" if exc.lineno else str(path)
            raise WijkldError(f"{where}: cannot read N-Triples: {_POSITION.sub('', str(exc.msg or exc))}") from None
    return lines.finish()


class _Lines:
    """The non-blank lines of a text fed in chunks, without their line ends (as ``bytes.splitlines``)."""

    def __init__(self) -> None:
        self.lines: set[bytes] = set()
        self.partial: list[bytes] = []  # the start of a line that has not ended yet

    def feed(self, chunk: bytes) -> None:
        if b"\n" not in chunk and b"\r" not in chunk:
            self.partial.append(chunk)
            return
        text = b"".join(self.partial) + chunk
        found = text.splitlines()
        self.partial = [] if text.endswith((b"\n", b"\r")) else [found.pop()]
        self.lines.update(line for line in found if line.strip())

    def finish(self) -> set[bytes]:
        last = b"".join(self.partial)
        if last.strip():
            self.lines.add(last)
        return self.lines


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
            result[subject.decode().strip("<>")].add(rest.rsplit(b" .", 1)[0].decode().strip().strip("<>"))
    return result


def dumps_json(diff: ReleaseDiff) -> bytes:
    return (json.dumps(diff.as_json(), indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
