"""Load the CSV source records in ``data/`` into typed records, checking everything.

All problems of a run are collected and reported together (file, line, field,
what was expected), so a publisher can fix a batch of records in one pass.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .errors import InputError, Problem
from .schema import (
    BY_NAME,
    CONCEPT_FIELD_SCHEMES,
    EVIDENCE_FIELDS,
    RECORD_TYPES,
    Field,
    Kind,
    RecordType,
)

SEPARATOR = "|"
KEY_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
IRI_PATTERN = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class PartialDate:
    """A date known to the year, the month or the day, as sources state them."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def iso(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @property
    def precision(self) -> str:
        return "year" if self.month is None else "month" if self.day is None else "day"

    @property
    def earliest(self) -> tuple[int, int, int]:
        return (self.year, self.month or 1, self.day or 1)

    @property
    def latest(self) -> tuple[int, int, int]:
        return (self.year, self.month or 12, self.day or 31)

    def __str__(self) -> str:
        return self.iso

    def __lt__(self, other: PartialDate) -> bool:
        # "2007" sorts before "2007-02" before "2007-02-22", as their ISO strings do
        return (self.year, self.month or 0, self.day or 0) < (other.year, other.month or 0, other.day or 0)


Value = str | int | Decimal | PartialDate | tuple[str, ...] | None


@dataclass(frozen=True)
class Record:
    """One row of a source file, with parsed values and where it came from."""

    type: str
    key: str
    values: Mapping[str, Value]
    file: str
    line: int

    def get(self, name: str) -> Value:
        return self.values.get(name)

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        return value if isinstance(value, str) else None

    def many(self, name: str) -> tuple[str, ...]:
        value = self.values.get(name)
        return value if isinstance(value, tuple) else ()

    def date(self, name: str) -> PartialDate | None:
        value = self.values.get(name)
        return value if isinstance(value, PartialDate) else None


@dataclass
class Records:
    """All records of a data directory, in key order per type."""

    by_type: dict[str, list[Record]] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._index = {(r.type, r.key): r for rs in self.by_type.values() for r in rs}

    def of(self, type_name: str) -> list[Record]:
        return self.by_type.get(type_name, [])

    def get(self, type_name: str, key: str) -> Record:
        return self._index[(type_name, key)]

    def find(self, key: str) -> list[Record]:
        """Records of any type with this key (for fields that may point anywhere)."""
        by_key = self.__dict__.get("_by_key")
        if by_key is None:  # built once: a scan per call made loading quadratic in the number of records
            by_key = {}
            for (_, k), r in self._index.items():
                by_key.setdefault(k, []).append(r)
            self.__dict__["_by_key"] = by_key
        return list(by_key.get(key, ()))

    def __iter__(self) -> Iterator[Record]:
        for rt in RECORD_TYPES:
            yield from self.of(rt.name)

    def __len__(self) -> int:
        return sum(len(rs) for rs in self.by_type.values())

    @property
    def release(self) -> Record:
        return self.of("release")[0]


def load(data_dir: Path) -> Records:
    """Read and check every record file in ``data_dir``; raise InputError listing all problems."""
    problems: list[Problem] = []
    if not data_dir.is_dir():
        raise InputError([Problem(str(data_dir), 0, "", "is not a directory of source records")])
    by_type: dict[str, list[Record]] = {}
    files: dict[str, Path] = {}
    for rt in RECORD_TYPES:
        path = data_dir / rt.file
        files[rt.name] = path
        by_type[rt.name] = _read_file(path, rt, _display(path, data_dir), problems)
    records = Records(by_type, files)
    broken = {name for name in by_type if any(p.file == _display(files[name], data_dir) for p in problems)}
    if "release" not in broken and not by_type["release"]:
        problems.append(
            Problem(_display(files["release"], data_dir), 0, "", "expected exactly one release row, got none")
        )
    problems.extend(_check_keys(records))
    # A reference into a file that failed to parse would only add noise.
    problems.extend(check_references(records, skip_targets=broken))
    if problems:
        raise InputError(problems)
    for rs in by_type.values():
        rs.sort(key=lambda r: r.key)
    return Records(by_type, files)


def _display(path: Path, data_dir: Path) -> str:
    """Paths in messages as the user would type them: relative to the current folder if possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _read_file(path: Path, rt: RecordType, name: str, problems: list[Problem]) -> list[Record]:
    if not path.is_file():
        problems.append(Problem(name, 0, "", f"file is missing; expected the {rt.name} records ({rt.doc})"))
        return []
    raw = path.read_bytes()
    if not raw.strip():
        header = ",".join(rt.field_names)
        problems.append(Problem(name, 0, "", f"file is empty; expected at least the header line: {header}"))
        return []
    if raw.startswith(UTF8_BOM):
        problems.append(Problem(name, 1, "", "file starts with a byte-order mark (BOM); save it as UTF-8 without BOM"))
        return []
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(
            Problem(name, line, "", f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8")
        )
        return []
    return list(_parse_rows(text, rt, name, problems))


def _parse_rows(text: str, rt: RecordType, name: str, problems: list[Problem]) -> Iterator[Record]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        problems.append(Problem(name, 1, "", f"cannot read the header as CSV: {exc}"))
        return
    header = [h.strip() for h in header]
    if not any(header):
        problems.append(Problem(name, 1, "", f"line 1 is empty; expected the header line: {','.join(rt.field_names)}"))
        return
    columns = _check_header(header, rt, name, problems)
    if columns is None:
        return
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            reason = str(exc)
            if reason == "unexpected end of data":  # what csv says when a quote is opened and never closed
                reason = "a quoted cell in the row starting on this line is never closed"
            problems.append(Problem(name, line, "", f"malformed CSV: {reason}"))
            return
        start, line = line, reader.line_num + 1
        if not row or all(not cell.strip() for cell in row):
            continue  # blank lines are allowed as visual separators
        if len(row) != len(header):
            problems.append(Problem(name, start, "", f"expected {len(header)} cells as in the header, got {len(row)}"))
            continue
        record = _parse_record(dict(zip(header, row, strict=True)), rt, name, start, problems)
        if record is not None:
            yield record


def _check_header(header: list[str], rt: RecordType, name: str, problems: list[Problem]) -> list[str] | None:
    ok = True
    seen: set[str] = set()
    for number, column in enumerate(header, start=1):
        if not column:
            expected = ", ".join(rt.field_names)
            problems.append(
                Problem(name, 1, "", f"column {number} has no name (a stray comma?); expected one of {expected}")
            )
            ok = False
            continue
        if column in seen:
            problems.append(Problem(name, 1, column, "column appears twice in the header"))
            ok = False
        seen.add(column)
        if column not in rt.field_names:
            hint = _did_you_mean(column, rt.field_names)
            problems.append(
                Problem(name, 1, column, f"unknown column; expected one of {', '.join(rt.field_names)}{hint}")
            )
            ok = False
    for f in rt.fields:
        if f.required and f.name not in seen:
            problems.append(Problem(name, 1, f.name, f"required column is missing from the header ({f.doc})"))
            ok = False
    return header if ok else None


def _parse_record(
    cells: dict[str, str], rt: RecordType, name: str, line: int, problems: list[Problem]
) -> Record | None:
    values: dict[str, Value] = {}
    before = len(problems)
    for f in rt.fields:
        raw = cells.get(f.name, "").strip()
        if not raw:
            if f.required:
                problems.append(Problem(name, line, f.name, f"required value is empty; expected {_expected(f)}"))
            values[f.name] = () if f.kind in (Kind.TEXTS, Kind.REFS) else None
            continue
        try:
            values[f.name] = parse_value(raw, f)
        except ValueError as exc:
            problems.append(Problem(name, line, f.name, f"expected {_expected(f)}; got {raw!r}{exc}"))
    if len(problems) > before:
        return None
    key = values.get("key")
    return Record(rt.name, key if isinstance(key, str) else rt.name, values, name, line)


def parse_value(raw: str, f: Field) -> Value:
    """Parse one non-empty cell; ValueError carries an optional hint to append."""
    kind = f.kind
    if kind is Kind.TEXT:
        return raw
    if kind is Kind.TEXTS:
        return tuple(part.strip() for part in raw.split(SEPARATOR) if part.strip())
    if kind in (Kind.KEY, Kind.REF):
        if not KEY_PATTERN.match(raw):
            raise ValueError("")
        return raw
    if kind is Kind.REFS:
        parts = tuple(part.strip() for part in raw.split(SEPARATOR))
        if not all(KEY_PATTERN.match(p) for p in parts):
            raise ValueError("")
        return parts
    if kind is Kind.DATE:
        return parse_date(raw)
    if kind is Kind.INT:
        if not re.fullmatch(r"-?\d+", raw):
            raise ValueError("")
        return int(raw)
    if kind is Kind.DECIMAL:
        try:
            number = Decimal(raw)
        except InvalidOperation:
            raise ValueError(" (use a dot as decimal separator, no thousands separator)") from None
        if not number.is_finite():
            raise ValueError("")
        return number
    if kind is Kind.ENUM:
        if raw not in f.choices:
            raise ValueError(_did_you_mean(raw, f.choices))
        return raw
    if kind is Kind.IRI:
        if not IRI_PATTERN.match(raw):
            raise ValueError("")
        return raw
    if kind is Kind.EMAIL:
        if not EMAIL_PATTERN.match(raw):
            raise ValueError("")
        return raw
    raise AssertionError(f"unhandled kind {kind}")


def parse_date(raw: str) -> PartialDate:
    import calendar

    match = DATE_PATTERN.match(raw)
    if not match:
        raise ValueError("")
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else None
    day = int(match.group(3)) if match.group(3) else None
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f" (month {month} does not exist)")
    if month is not None and day is not None and not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise ValueError(f" (day {day} does not exist in {year:04d}-{month:02d})")
    return PartialDate(year, month, day)


_EXPECTED = {
    Kind.TEXT: "text",
    Kind.TEXTS: "one or more texts separated by ' | '",
    Kind.KEY: "a key: lowercase letters, digits and single hyphens, like 'jan-van-der-bos'",
    Kind.REF: "the key of a {target} record",
    Kind.REFS: "keys of {target} records separated by ' | '",
    Kind.DATE: "a date as YYYY, YYYY-MM or YYYY-MM-DD",
    Kind.INT: "a whole number",
    Kind.DECIMAL: "a number like 700000 or 6.9",
    Kind.ENUM: "one of {choices}",
    Kind.IRI: "an absolute http(s) IRI without spaces",
    Kind.EMAIL: "an e-mail address",
}


def _expected(f: Field) -> str:
    target = "any" if f.target == "*" else f.target
    return _EXPECTED[f.kind].format(target=target, choices=", ".join(f.choices))


def _did_you_mean(got: str, options: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(got, list(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _check_keys(records: Records) -> Iterator[Problem]:
    for rt in RECORD_TYPES:
        rows = records.of(rt.name)
        if rt.name == "release":
            if len(rows) > 1:
                yield Problem(rows[1].file, rows[1].line, "", f"expected exactly one release row, got {len(rows)}")
            continue
        first: dict[str, Record] = {}
        for r in rows:
            if r.key in first:
                yield Problem(
                    r.file, r.line, "key", f"duplicate key '{r.key}'; first defined on line {first[r.key].line}"
                )
            else:
                first[r.key] = r


def check_references(records: Records, skip_targets: set[str] | None = None) -> Iterator[Problem]:
    """Every reference resolves, concept references stay in their scheme, evidence is given."""
    skip = set(skip_targets or ())
    if skip:
        skip.add("*")  # "*" may point into any file, including a broken one
    for r in records:
        rt = BY_NAME[r.type]
        for f in rt.fields:
            if f.kind not in (Kind.REF, Kind.REFS) or f.target is None or f.target in skip:
                continue
            keys = r.many(f.name) if f.kind is Kind.REFS else ((r.text(f.name),) if r.text(f.name) else ())
            for key in keys:
                assert key is not None
                yield from _check_reference(records, r, f, key)
        yield from _check_evidence(r)
        yield from _check_period(r)


def _check_reference(records: Records, r: Record, f: Field, key: str) -> Iterator[Problem]:
    if f.target == "*":
        found = records.find(key)
        if len(found) == 1:
            if found[0] is r:
                yield Problem(r.file, r.line, f.name, "a record cannot refer to itself")
            return
        if not found:
            yield Problem(r.file, r.line, f.name, f"unknown key '{key}'; expected the key of a record of any type")
        else:
            kinds = ", ".join(sorted(x.type for x in found))
            yield Problem(
                r.file, r.line, f.name, f"key '{key}' is ambiguous: it names records of several types ({kinds})"
            )
        return
    assert f.target is not None
    try:
        target = records.get(f.target, key)
    except KeyError:
        options = [x.key for x in records.of(f.target)]
        hint = _did_you_mean(key, options)
        yield Problem(
            r.file,
            r.line,
            f.name,
            f"unknown {f.target} '{key}'; expected the key of a record in {BY_NAME[f.target].file}{hint}",
        )
        return
    scheme = CONCEPT_FIELD_SCHEMES.get((r.type, f.name))
    if scheme and target.text("scheme") != scheme:
        yield Problem(
            r.file,
            r.line,
            f.name,
            f"concept '{key}' is in scheme '{target.text('scheme')}'; expected a concept of scheme '{scheme}'",
        )
    if target is r:
        yield Problem(r.file, r.line, f.name, "a record cannot refer to itself")


def _check_evidence(r: Record) -> Iterator[Problem]:
    rule = EVIDENCE_FIELDS.get(r.type)
    if not rule:
        return
    fields, evidence = rule
    used = [name for name in fields if r.get(name) not in (None, ())]
    if used and not r.get(evidence):
        yield Problem(
            r.file,
            r.line,
            evidence,
            f"required because {' and '.join(used)} {'is' if len(used) == 1 else 'are'} set; "
            "expected the key of the source that states it",
        )


def _check_period(r: Record) -> Iterator[Problem]:
    start, end = r.date("start"), r.date("end")
    if start and end and start.earliest > end.latest:
        yield Problem(r.file, r.line, "end", f"expected a date on or after start {start.iso}; got {end.iso}")
