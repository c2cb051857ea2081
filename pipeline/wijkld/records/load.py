"""Load the CSV source records in ``data/`` into typed records, checking everything.

All problems of a run are collected and reported together (file, line, field,
what was expected), so a publisher can fix a batch of records in one pass.
"""

from __future__ import annotations

import csv
import difflib
import io
import os
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from wijkld import inputs
from wijkld.errors import InputError, Problem, WijkldError, os_cause, shown
from wijkld.model.iris import MAX_SLUG, iri_problem
from wijkld.records.schema import (
    BY_NAME,
    CONCEPT_FIELD_SCHEMES,
    COUNTING_UNITS,
    EVIDENCE_FIELDS,
    NAME_FIELDS,
    RECORD_TYPES,
    UNCOVERED_FIELDS,
    Field,
    Kind,
    RecordType,
)

SEPARATOR = "|"
UTF8_BOM = b"\xef\xbb\xbf"

# Patterns are matched whole (fullmatch) and spell digits [0-9]: \d and int() also take other scripts' digits.
KEY_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
DATE_PATTERN = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
INT_PATTERN = re.compile(r"-?[0-9]+")
#: the lexical form of xsd:decimal: no exponent, which str(Decimal) would keep and xsd:decimal does not allow
DECIMAL_PATTERN = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_EXPONENT_PATTERN = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][+-]?[0-9]+")
#: a year that is not four digits (five or more, or signed), as some ISO 8601 profiles write them
_LONG_YEAR_PATTERN = re.compile(r"(?:[+-][0-9]+|[0-9]{5,})(?:-[0-9]+){0,2}")
# An address that is also a mailto: IRI (RFC 6068): a dot-atom of the characters a mailto: IRI may hold
# unescaped, and a domain name of at least two labels.
_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9!$&'*+/=_~-]+(?:\.[A-Za-z0-9!$&'*+/=_~-]+)*")
_EMAIL_DOMAIN = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
)
_NOT_IN_MAILTO = re.compile(r"[^A-Za-z0-9._~!$&'()*+,;=:@-]")

#: Longest cell: the longest in data/ is under 900 characters; this bounds every message, page and literal.
MAX_CELL = 100_000
#: Largest file read: the 10-million-triple benchmark's files are far smaller; a device or a growing file stops here.
MAX_FILE_BYTES = 2**30
#: Most digits in a number: what XSD 1.0 requires every processor to support, and what fits Oxigraph's
#: xsd:integer (64 bits) and xsd:decimal (18 digits after the point) in the SHACL engine and the query store.
MAX_DIGITS = 18
#: Longest key: a key is the last segment of an IRI, which keeps keys up to this length unchanged.
MAX_KEY = MAX_SLUG
#: Longest e-mail address (RFC 5321, section 4.5.3.1.3, less the angle brackets of a path).
MAX_EMAIL = 254

# Characters no cell may hold: the C0 controls but tab, line feed and carriage return, and DEL and the C1
# controls (XML 1.0 forbids or discourages them, terminals obey them); the bidirectional embeddings,
# overrides and isolates, which show text in another order than it is stored ("Trojan Source",
# CVE-2021-42574); and Unicode's noncharacters, of which XML 1.0 forbids U+FFFE and U+FFFF.
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    chr(plane | 0xFFFE) + chr(plane | 0xFFFF) for plane in range(0, 0x110000, 0x10000)
)
_FORBIDDEN = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069" + _NONCHARACTERS
#: in text, a line break is a line feed, or a carriage return and line feed as Windows editors write it
_FORBIDDEN_IN_TEXT = re.compile(f"[{_FORBIDDEN}]|\r(?!\n)")
_FORBIDDEN_IN_LINE = re.compile(f"[{_FORBIDDEN}\n\r]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_CSV_CELL = re.compile(r'"[^"]*(?:""[^"]*)*"|[^,\r\n]*')


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
    names: dict[str, str] = {}
    for rt in RECORD_TYPES:
        path = data_dir / rt.file
        files[rt.name], names[rt.name] = path, _display(path, data_dir)
        by_type[rt.name] = _read_file(path, rt, names[rt.name], problems)
    records = Records(by_type, files)
    with_problems = {p.file for p in problems}  # a set: a file may have a million problems
    broken = {name for name in by_type if names[name] in with_problems}
    if "release" not in broken and not by_type["release"]:
        problems.append(Problem(names["release"], 0, "", "expected exactly one release row, got none"))
    problems.extend(_check_keys(records))
    # A reference into a file that failed to parse would only add noise.
    problems.extend(check_references(records, skip_targets=broken))
    if problems:
        raise InputError(problems)
    for rs in by_type.values():
        rs.sort(key=lambda r: r.key)
    return Records(by_type, files)


def _display(path: Path, data_dir: Path) -> str:
    """Paths in messages as the user would type them: relative to the current folder if possible.

    Only the folder is resolved: the file may be a link that loops or points nowhere.
    """
    try:
        return str((path.parent.resolve() / path.name).relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _read_file(path: Path, rt: RecordType, name: str, problems: list[Problem]) -> list[Record]:
    raw = _read_bytes(path, rt, name, problems)
    if raw is None:
        return []
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


def _read_bytes(path: Path, rt: RecordType, name: str, problems: list[Problem]) -> bytes | None:
    """The bytes of a regular file of at most :data:`MAX_FILE_BYTES`, else None and a problem.

    Opened as every input is (:func:`wijkld.inputs.open_regular`): a pipe, a device such as /dev/zero or a
    folder in the file's place is refused without being read, as it would wait forever or never end.
    """
    if not os.path.lexists(path):
        problems.append(Problem(name, 0, "", f"file is missing; expected the {rt.name} records ({rt.doc})"))
        return None
    what = f"read the {rt.name} records"
    try:
        with inputs.open_regular(path, what) as handle:
            # the size a file claims may be wrong (files under /proc claim 0 bytes): read no more than allowed
            if os.fstat(handle.fileno()).st_size <= MAX_FILE_BYTES:
                chunks, size = [], 0
                while size <= MAX_FILE_BYTES and (chunk := handle.read(inputs.CHUNK)):
                    chunks.append(chunk)
                    size += len(chunk)
                if size <= MAX_FILE_BYTES:
                    return b"".join(chunks)
    except OSError as exc:
        problems.append(Problem(name, 0, "", f"cannot {what}: {os_cause(exc)}"))
        return None
    except WijkldError as exc:
        problems.append(Problem(name, 0, "", exc.message.removeprefix(f"{path}: ")))
        return None
    problems.append(Problem(name, 0, "", f"cannot {what}: it holds more than 1 GiB, the most a CSV file may hold"))
    return None


def _parse_rows(text: str, rt: RecordType, name: str, problems: list[Problem]) -> Iterator[Record]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        if _too_long(exc):
            problems.append(Problem(name, 1, "", f"expected column names; got a cell of over {MAX_CELL:,} characters"))
        else:
            problems.append(Problem(name, 1, "", f"cannot read the header as CSV: {exc}"))
        return
    header = [h.strip() for h in header]
    if not any(header):
        problems.append(Problem(name, 1, "", f"line 1 is empty; expected the header line: {','.join(rt.field_names)}"))
        return
    if len(header) > 2 * len(rt.fields):  # more than a few typos: one problem, not one per column
        expected = f"expected at most {len(rt.fields)} columns ({', '.join(rt.field_names)})"
        problems.append(Problem(name, 1, "", f"{expected}; the header has {len(header):,}"))
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
            if _too_long(exc):
                column = _long_cell_column(text, line)
                column_name = header[column] if column is not None and column < len(header) else ""
                message = (
                    f"expected a cell of at most {MAX_CELL:,} characters; got one of over {csv.field_size_limit():,}"
                )
                problems.append(Problem(name, line, column_name, message))
                return
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


def _too_long(exc: csv.Error) -> bool:
    return str(exc).startswith("field larger than field limit")


def _long_cell_column(text: str, line: int) -> int | None:
    """The column of the first cell over :data:`MAX_CELL` characters in the row that starts on ``line``.

    csv stops at a cell over its own limit without saying which; the limit is process-wide, so rather than
    raise it, the row is scanned again, cell by cell, as csv reads it.
    """
    lines = io.StringIO(text, newline="")  # split into lines as csv counts them
    start = sum(len(lines.readline()) for _ in range(line - 1))
    column, pos = 0, start
    while True:
        cell = _CSV_CELL.match(text, pos)
        assert cell is not None  # the pattern matches the empty string
        if cell.end() - pos > MAX_CELL:
            return column
        pos = cell.end()
        if not text.startswith(",", pos):
            return None
        column, pos = column + 1, pos + 1


def _column_label(column: str) -> str:
    """A column name as a message names it: escaped and cut short, as it is the user's text."""
    if column.isascii() and column.isprintable() and len(column) <= 60:
        return column
    return ascii(column[:60])[1:-1] + ("..." if len(column) > 60 else "")


def _check_header(header: list[str], rt: RecordType, name: str, problems: list[Problem]) -> list[str] | None:
    ok = True
    seen: set[str] = set()
    for number, column in enumerate(header, start=1):
        label = _column_label(column)
        if not column:
            expected = ", ".join(rt.field_names)
            problems.append(
                Problem(name, 1, "", f"column {number} has no name (a stray comma?); expected one of {expected}")
            )
            ok = False
            continue
        if column in seen:
            problems.append(Problem(name, 1, label, "column appears twice in the header"))
            ok = False
        seen.add(column)
        if column not in rt.field_names:
            hint = _did_you_mean(column, rt.field_names)
            problems.append(
                Problem(name, 1, label, f"unknown column; expected one of {', '.join(rt.field_names)}{hint}")
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
            problems.append(Problem(name, line, f.name, f"expected {_expected(f)}; got {shown(raw)}{exc}"))
    if len(problems) > before:
        return None
    key = values.get("key")
    return Record(rt.name, key if isinstance(key, str) else rt.name, values, name, line)


def parse_value(raw: str, f: Field) -> Value:
    """Parse one non-empty, stripped cell; ValueError carries an optional hint to append.

    Whatever is accepted maps to RDF that every serializer, parser and store takes back unchanged; what
    is not is refused here, where the file, line and field are known, rather than failing later.
    """
    kind = f.kind
    if len(raw) > MAX_CELL:
        raise ValueError(f" ({len(raw):,} characters; a cell holds at most {MAX_CELL:,})")
    bad = (_FORBIDDEN_IN_TEXT if kind is Kind.TEXT else _FORBIDDEN_IN_LINE).search(raw)
    if bad:
        raise ValueError(f" ({_describe(bad.group()[0])} at position {bad.start() + 1}; remove it)")
    if kind is Kind.TEXT:
        return raw.replace("\r\n", "\n")  # line breaks the same whatever the editor
    if kind is Kind.TEXTS:
        return tuple(part.strip() for part in raw.split(SEPARATOR) if part.strip())
    if kind in (Kind.KEY, Kind.REF):
        _check_keys_of(raw, (raw,))
        return raw
    if kind is Kind.REFS:
        parts = tuple(part.strip() for part in raw.split(SEPARATOR))
        _check_keys_of(raw, parts)
        return parts
    if kind is Kind.DATE:
        return parse_date(raw)
    if kind is Kind.INT:
        return _parse_int(raw, f)
    if kind is Kind.DECIMAL:
        return _parse_decimal(raw)
    if kind is Kind.ENUM:
        if raw not in f.choices:
            raise ValueError(_did_you_mean(raw, f.choices))
        return raw
    if kind is Kind.IRI:
        reason = iri_problem(raw)
        if reason is not None:
            raise ValueError(f" ({reason})" if reason else "")
        return raw
    if kind is Kind.EMAIL:
        return _parse_email(raw)
    raise AssertionError(f"unhandled kind {kind}")


def _describe(char: str) -> str:
    code = f"U+{ord(char):04X}"
    if char in "\n\r":
        return f"line break {code}"
    category = unicodedata.category(char)
    if category == "Cc":
        return f"control character {code}"
    if category == "Cn":
        return f"noncharacter {code}"
    return f"bidirectional control character {code} ({unicodedata.name(char)})"


def _named(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, '')}".rstrip()


def _check_keys_of(raw: str, keys: tuple[str, ...]) -> None:
    """Keys are ASCII: a lookalike letter from another script would make a key that only looks the same."""
    if not all(KEY_PATTERN.fullmatch(key) for key in keys):
        other = _NON_ASCII.search(raw)
        if other:
            raise ValueError(
                f" ({_named(other.group())} at position {other.start() + 1} is not an ASCII letter or digit)"
            )
        raise ValueError("")
    if any(len(key) > MAX_KEY for key in keys):
        raise ValueError(f" (at most {MAX_KEY} characters: a key becomes the last segment of an IRI)")


def _digit_hint(raw: str) -> str:
    """A hint for a digit of another script (Arabic-Indic, fullwidth, superscript), which int() would take."""
    for position, char in enumerate(raw, start=1):
        if char.isdigit() and not char.isascii():
            return f" (only the digits 0-9: {_named(char)} at position {position} is not one)"
    return ""


def _parse_int(raw: str, f: Field) -> int:
    if not INT_PATTERN.fullmatch(raw):
        raise ValueError(_digit_hint(raw))
    if len(raw.lstrip("-")) > MAX_DIGITS:
        raise ValueError(f" (at most {MAX_DIGITS} digits)")
    number = int(raw)
    if f.bounds and not f.bounds[0] <= number <= f.bounds[1]:
        raise ValueError(f" (must be from {f.bounds[0]} to {f.bounds[1]})")
    return number


def _parse_decimal(raw: str) -> Decimal:
    """A number in xsd:decimal's lexical form: Decimal() alone also takes 1e999999999, NaN and 1_000."""
    if DECIMAL_PATTERN.fullmatch(raw):
        if sum(char.isdigit() for char in raw) > MAX_DIGITS:
            raise ValueError(f" (at most {MAX_DIGITS} digits)")
        return Decimal(raw)
    hint = _digit_hint(raw)
    if hint:
        raise ValueError(hint)
    if _EXPONENT_PATTERN.fullmatch(raw):
        raise ValueError(" (write the number in full, without an exponent)")
    if raw.lstrip("+-").lower() in ("nan", "snan", "inf", "infinity"):
        raise ValueError("")
    raise ValueError(" (use a dot as decimal separator, no thousands separator)")


def _parse_email(raw: str) -> str:
    """An address that can also be published as a ``mailto:`` IRI."""
    if len(raw) > MAX_EMAIL:
        raise ValueError(f" (at most {MAX_EMAIL} characters)")
    bad = _NOT_IN_MAILTO.search(raw)
    if bad:
        raise ValueError(
            f" (character {bad.group()!r} at position {bad.start() + 1} cannot be part of an address "
            "that is published as a mailto: IRI)"
        )
    if raw.count("@") > 1:
        raise ValueError(" (an address has exactly one '@')")
    local, _, domain = raw.partition("@")
    if not (_EMAIL_LOCAL.fullmatch(local) and _EMAIL_DOMAIN.fullmatch(domain)):
        raise ValueError("")
    return raw


def parse_date(raw: str) -> PartialDate:
    """A date as YYYY, YYYY-MM or YYYY-MM-DD, in the years 0001 to 9999 that xsd:date and rdflib take."""
    import calendar

    match = DATE_PATTERN.fullmatch(raw)
    if not match:
        hint = _digit_hint(raw)
        if not hint and _LONG_YEAR_PATTERN.fullmatch(raw):
            hint = " (years run from 0001 to 9999)"
        raise ValueError(hint)
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else None
    day = int(match.group(3)) if match.group(3) else None
    if year == 0:
        raise ValueError(" (year 0000 does not exist; years run from 0001 to 9999)")
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
    hints = _Hints()
    for r in records:
        rt = BY_NAME[r.type]
        for f in rt.fields:
            if f.kind not in (Kind.REF, Kind.REFS) or f.target is None or f.target in skip:
                continue
            keys = r.many(f.name) if f.kind is Kind.REFS else ((r.text(f.name),) if r.text(f.name) else ())
            for key in keys:
                assert key is not None
                yield from _check_reference(records, r, f, key, hints)
        yield from _check_evidence(r)
        yield from _check_period(r)
        yield from _check_count(r)
        if r.type == "basis":
            yield from _check_basis(records, r)


@dataclass
class _Hints:
    """Did-you-mean compares a key with every key of its target type; with many unknown keys in a large
    record set that is quadratic, so a run spends at most this many comparisons on hints."""

    comparisons_left: int = 50_000

    def did_you_mean(self, got: str, targets: list[Record]) -> str:
        if len(targets) > self.comparisons_left:
            return ""
        self.comparisons_left -= len(targets)
        return _did_you_mean(got, [x.key for x in targets])


def _check_reference(records: Records, r: Record, f: Field, key: str, hints: _Hints) -> Iterator[Problem]:
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
        hint = hints.did_you_mean(key, records.of(f.target))
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


def _check_basis(records: Records, r: Record) -> Iterator[Problem]:
    if r.text("kind") == "external" and r.date("consulted") is None:
        yield Problem(
            r.file, r.line, "consulted", "required because kind is external; expected the date we consulted it"
        )
    found = records.find(r.text("record") or "")
    if len(found) != 1:
        return  # the reference check says why
    (target,) = found
    names = [f.name for f in BY_NAME[target.type].fields if f.name not in UNCOVERED_FIELDS]
    for name in r.many("fields"):
        if name in NAME_FIELDS and name in names:
            yield Problem(
                r.file,
                r.line,
                "fields",
                f"'{name}' is the name of the thing, which stays as the page writes it; expected another field"
                " (record a completed name in alt_names and cover that), or no fields for the whole record",
            )
        elif name not in names:
            yield Problem(
                r.file,
                r.line,
                "fields",
                f"'{name}' is not a field of {target.type} records that holds a statement; "
                f"expected one of {', '.join(names)}{_did_you_mean(name, names)}",
            )
        elif target.get(name) in (None, ()):
            where = f"{target.file}:{target.line}"
            yield Problem(r.file, r.line, "fields", f"'{name}' is empty in {where}; expected a field with a value")


def _check_count(r: Record) -> Iterator[Problem]:
    unit, value = r.text("unit"), r.get("value")
    if r.type == "quantity" and unit in COUNTING_UNITS and isinstance(value, Decimal):
        if value != value.to_integral_value():
            yield Problem(r.file, r.line, "value", f"expected a whole number for unit '{unit}'; got {value}")


def _check_period(r: Record) -> Iterator[Problem]:
    start, end = r.date("start"), r.date("end")
    if start and end and start.earliest > end.latest:
        yield Problem(r.file, r.line, "end", f"expected a date on or after start {start.iso}; got {end.iso}")
