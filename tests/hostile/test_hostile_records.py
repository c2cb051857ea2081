"""Hostile source records (issue 13): a spoilt cell or file is exit 2 naming the file, line, field and cause.

Each case spoils one cell or file of a copy of the minimal records and builds over a valid release. The
build must stop with exit 2 and a problem in the loader's form (``data/x.csv:LINE: field 'f': ...``, or
``data/x.csv: ...`` for a whole file), print no traceback and no "Internal error", never hang, and leave the
release exactly as it was. Most cases run in-process through click's CliRunner, which is fast; one case per
kind of attack also runs the real ``python -m wijkld`` entry point, the one that turns a crash into exit 3.
Cases that hang or eat memory when the loader lets them through run only as a child process, with a time
and memory limit.
"""

from __future__ import annotations

import csv
import os
import resource
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import RunWijkld, Unprivileged, assert_release_intact
from wijkld.cli.main import cli

Spoil = Callable[[Path], None]


def cell(file: str, line: int, column: str, value: str) -> Spoil:
    """Set one cell; every cell is quoted, so that line breaks and carriage returns stay inside their cell."""

    def spoil(data: Path) -> None:
        path = data / file
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        rows[line - 1][rows[0].index(column)] = value
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows(rows)

    return spoil


def header(file: str, column: str, name: str) -> Spoil:
    """Rename one column of the header."""

    def spoil(data: Path) -> None:
        path = data / file
        lines = path.read_text(encoding="utf-8").split("\n")
        lines[0] = ",".join(name if c == column else c for c in lines[0].split(","))
        path.write_text("\n".join(lines), encoding="utf-8")

    return spoil


def content(file: str, make: Callable[[bytes], bytes]) -> Spoil:
    """Replace the bytes of a file by ``make(old bytes)``."""

    def spoil(data: Path) -> None:
        path = data / file
        path.write_bytes(make(path.read_bytes()))

    return spoil


def replace(file: str, make: Callable[[Path], object]) -> Spoil:
    """Remove the file and put ``make(path)`` in its place: a directory, a pipe, a link."""

    def spoil(data: Path) -> None:
        path = data / file
        path.unlink()
        make(path)

    return spoil


def sparse(size: int) -> Callable[[Path], object]:
    """A file of ``size`` zero bytes that takes no disk space."""

    def make(path: Path) -> None:
        with path.open("wb") as fh:
            fh.truncate(size)

    return make


def _long_line(data: bytes) -> bytes:
    """persons.csv with its second line replaced by one unquoted cell of 100 MB."""
    head, _, rest = data.partition(b"\n")
    return head + b"\n" + b"x" * 100_000_000 + b"\n" + rest.partition(b"\n")[2]


def _million_cells_in_line_2(data: bytes) -> bytes:
    head, _, rest = data.partition(b"\n")
    line, _, rest = rest.partition(b"\n")
    return head + b"\n" + line + b"," * 1_000_000 + b"\n" + rest


def _swap_byte(old: bytes, new: bytes) -> Callable[[bytes], bytes]:
    return lambda data: data.replace(old, new, 1)


Q = "data/quantities.csv:2: field 'value': "
POSITION = "data/teams.csv:2: field 'position': "
CBS = "data/places.csv:2: field 'cbs_year': "
NAME = "data/persons.csv:2: field 'name': "
BIO = "data/persons.csv:2: field 'biography': "
EMAIL = "data/release.csv:2: field 'contact_email': "
DATE = "data/sources.csv:5: field 'date': "

#: (spoil, where the problem is, what it says): each a user's slip or an attacker's try.
ATTACKS = [
    # numbers: ASCII digits only, bounded
    pytest.param(cell("quantities.csv", 2, "value", "1e5"), Q, "without an exponent", id="decimal-exponent"),
    pytest.param(cell("quantities.csv", 2, "value", "-2.5E-3"), Q, "without an exponent", id="decimal-small-exponent"),
    pytest.param(
        cell("quantities.csv", 2, "value", "٣٠٠"), Q, "U+0663 ARABIC-INDIC DIGIT THREE", id="decimal-arabic-indic"
    ),
    pytest.param(
        cell("quantities.csv", 2, "value", "３００"), Q, "U+FF13 FULLWIDTH DIGIT THREE", id="decimal-fullwidth"
    ),
    pytest.param(cell("quantities.csv", 2, "value", "1_000"), Q, "no thousands separator", id="decimal-underscore"),
    pytest.param(cell("quantities.csv", 2, "value", "1" * 19), Q, "at most 18 digits", id="decimal-19-digits"),
    pytest.param(
        cell("quantities.csv", 2, "value", "0." + "0" * 18 + "1"), Q, "at most 18 digits", id="decimal-long-fraction"
    ),
    pytest.param(cell("quantities.csv", 2, "value", "Infinity"), Q, "got 'Infinity'", id="decimal-infinity"),
    pytest.param(cell("quantities.csv", 2, "value", "-sNaN"), Q, "got '-sNaN'", id="decimal-signalling-nan"),
    pytest.param(cell("teams.csv", 2, "position", "1" + "0" * 18), POSITION, "at most 18 digits", id="int-10e18"),
    pytest.param(cell("teams.csv", 2, "position", "9" * 5000), POSITION, "at most 18 digits", id="int-5000-digits"),
    pytest.param(
        cell("teams.csv", 2, "position", "٣"), POSITION, "U+0663 ARABIC-INDIC DIGIT THREE", id="int-arabic-indic"
    ),
    pytest.param(cell("teams.csv", 2, "position", "²"), POSITION, "U+00B2 SUPERSCRIPT TWO", id="int-superscript"),
    pytest.param(cell("teams.csv", 2, "position", "1_0"), POSITION, "got '1_0'", id="int-underscore"),
    pytest.param(cell("places.csv", 2, "cbs_year", "5"), CBS, "from 1000 to 9999", id="cbs-year-not-a-gyear"),
    pytest.param(cell("places.csv", 2, "cbs_year", "-2000"), CBS, "from 1000 to 9999", id="cbs-year-negative"),
    # dates: years 0001 to 9999, ASCII digits
    pytest.param(cell("sources.csv", 5, "date", "0000-01-01"), DATE, "year 0000 does not exist", id="date-year-zero"),
    pytest.param(
        cell("release.csv", 2, "issued", "0000"),
        "data/release.csv:2: field 'issued': ",
        "year 0000 does not exist",
        id="release-year-zero",
    ),
    pytest.param(cell("sources.csv", 5, "date", "10000-01-01"), DATE, "from 0001 to 9999", id="date-five-digit-year"),
    pytest.param(cell("sources.csv", 5, "date", "-0044-03-15"), DATE, "from 0001 to 9999", id="date-negative-year"),
    pytest.param(cell("sources.csv", 5, "date", "٢٠٠٧"), DATE, "U+0662 ARABIC-INDIC DIGIT TWO", id="date-arabic-indic"),
    pytest.param(cell("sources.csv", 5, "date", "2007-03-01T12:00"), DATE, "got '2007-03-01T12:00'", id="date-time"),
    # text: no control, bidirectional-override or noncharacters; bounded length
    pytest.param(
        cell("persons.csv", 2, "name", "Jan\x00Bos"), NAME, "control character U+0000 at position 4", id="nul"
    ),
    pytest.param(
        cell("persons.csv", 2, "name", "Jan\x1b[31mBos"), NAME, "control character U+001B at position 4", id="escape"
    ),
    pytest.param(cell("persons.csv", 2, "name", "Jan\x7f"), NAME, "control character U+007F", id="delete"),
    pytest.param(cell("persons.csv", 2, "name", "Jan\x9b31mBos"), NAME, "control character U+009B", id="c1-csi"),
    pytest.param(cell("persons.csv", 2, "name", "Jan\x85Bos"), NAME, "control character U+0085", id="next-line"),
    pytest.param(cell("persons.csv", 2, "name", "Jan\x0bBos"), NAME, "control character U+000B", id="vertical-tab"),
    pytest.param(
        cell("persons.csv", 2, "note", "eerste\rtweede"),
        "data/persons.csv:2: field 'note': ",
        "line break U+000D at position 7",
        id="lone-carriage-return",
    ),
    pytest.param(
        cell("persons.csv", 2, "alt_names", "Jan\nvan de Bos"),
        "data/persons.csv:2: field 'alt_names': ",
        "line break U+000A at position 4",
        id="line-break-in-names",
    ),
    pytest.param(
        cell("persons.csv", 2, "name", "Jan\u202esoB"), NAME, "U+202E (RIGHT-TO-LEFT OVERRIDE)", id="bidi-override"
    ),
    pytest.param(
        cell("persons.csv", 2, "name", "\u2066Jan\u2069"), NAME, "U+2066 (LEFT-TO-RIGHT ISOLATE)", id="bidi-isolate"
    ),
    pytest.param(cell("persons.csv", 2, "name", "Jan\uffff"), NAME, "noncharacter U+FFFF", id="noncharacter-ffff"),
    pytest.param(cell("persons.csv", 2, "name", "\ufffeJan"), NAME, "noncharacter U+FFFE", id="noncharacter-fffe"),
    pytest.param(
        cell("persons.csv", 2, "description_nl", "a" * 100_001),
        "data/persons.csv:2: field 'description_nl': ",
        "100,001 characters; a cell holds at most 100,000",
        id="cell-too-long",
    ),
    pytest.param(
        cell("persons.csv", 2, "note", "a" * 10_000_000),
        "data/persons.csv:2: field 'note': ",
        "at most 100,000 characters",
        id="ten-megabyte-cell",
    ),
    pytest.param(
        content("persons.csv", _long_line),
        "data/persons.csv:2: field 'key': ",
        "at most 100,000 characters",
        id="hundred-megabyte-line",
    ),
    pytest.param(
        header("persons.csv", "note", "\x1b[31mnote"),
        "data/persons.csv:1: field '\\x1b[31mnote': ",
        "unknown column",
        id="escape-in-header",
    ),
    pytest.param(
        content("persons.csv", lambda data: data.replace(b"\n", b"," * 1_000_000 + b"\n", 1)),
        "data/persons.csv:1: ",
        "expected at most 11 columns",
        id="million-columns",
    ),
    pytest.param(
        content("persons.csv", _million_cells_in_line_2),
        "data/persons.csv:2: ",
        "expected 11 cells as in the header, got 1000011",
        id="million-cells-in-a-row",
    ),
    # keys and references: ASCII only, bounded
    pytest.param(
        cell("persons.csv", 2, "key", "j\u0430n-van-der-bos"),
        "data/persons.csv:2: field 'key': ",
        "U+0430 CYRILLIC SMALL LETTER A at position 2",
        id="key-cyrillic-lookalike",
    ),
    pytest.param(
        cell("memberships.csv", 2, "person", "jan-van-der-b\u043es"),
        "data/memberships.csv:2: field 'person': ",
        "U+043E CYRILLIC SMALL LETTER O at position 14",
        id="reference-cyrillic-lookalike",
    ),
    pytest.param(
        cell("persons.csv", 2, "key", "ｊａｎ"),
        "data/persons.csv:2: field 'key': ",
        "U+FF4A FULLWIDTH LATIN SMALL LETTER J",
        id="key-fullwidth",
    ),
    pytest.param(
        cell("persons.csv", 2, "key", "a" * 81),
        "data/persons.csv:2: field 'key': ",
        "at most 80 characters",
        id="key-too-long",
    ),
    pytest.param(
        cell("events.csv", 2, "persons", "hilde-van-der-molen |"),
        "data/events.csv:2: field 'persons': ",
        "got 'hilde-van-der-molen |'",
        id="references-trailing-separator",
    ),
    pytest.param(
        cell("events.csv", 2, "persons", "| hilde-van-der-molen"),
        "data/events.csv:2: field 'persons': ",
        "got '| hilde-van-der-molen'",
        id="references-leading-separator",
    ),
    pytest.param(
        cell("quantities.csv", 2, "unit", "\u0415UR"),
        "data/quantities.csv:2: field 'unit': ",
        "did you mean 'EUR'?",
        id="enum-cyrillic-lookalike",
    ),
    # IRIs: http(s), RFC 3987 characters, valid %XX, no user name
    pytest.param(cell("persons.csv", 2, "biography", "https://example.org/%zz"), BIO, "'%zz'", id="iri-bad-percent"),
    pytest.param(cell("persons.csv", 2, "biography", "https://example.org/%4"), BIO, "'%4'", id="iri-cut-percent"),
    pytest.param(cell("persons.csv", 2, "biography", "https://exa%zzmple.org/"), BIO, "'%zz'", id="iri-percent-host"),
    pytest.param(cell("persons.csv", 2, "biography", "javascript:alert(1)"), BIO, "http or https", id="iri-javascript"),
    pytest.param(
        cell("persons.csv", 2, "biography", "data:text/html,<script>alert(1)</script>"),
        BIO,
        "http or https",
        id="iri-data",
    ),
    pytest.param(
        cell("persons.csv", 2, "biography", "https://example.org/<script>"), BIO, "'<' at position 21", id="iri-angle"
    ),
    pytest.param(cell("persons.csv", 2, "biography", 'https://example.org/"x'), BIO, "'\"'", id="iri-quote"),
    pytest.param(
        cell("persons.csv", 2, "biography", "https://example.org\\@evil.example/"), BIO, "'\\\\'", id="iri-backslash"
    ),
    pytest.param(
        cell("persons.csv", 2, "biography", "https://user:secret@example.org/"), BIO, "user name", id="iri-userinfo"
    ),
    pytest.param(cell("persons.csv", 2, "biography", "https:///etc/passwd"), BIO, "host", id="iri-no-host"),
    pytest.param(cell("persons.csv", 2, "biography", "https://example.org:8o/"), BIO, "port", id="iri-bad-port"),
    pytest.param(cell("persons.csv", 2, "biography", "https://example.org/a\u00a0b"), BIO, "space", id="iri-nbsp"),
    pytest.param(
        cell("persons.csv", 2, "biography", "https://example.org/\u202egpj.exe"),
        BIO,
        "U+202E (RIGHT-TO-LEFT OVERRIDE)",
        id="iri-bidi",
    ),
    pytest.param(
        cell("release.csv", 2, "licence", "http://creativecommons.org/%GG/"),
        "data/release.csv:2: field 'licence': ",
        "'%GG'",
        id="licence-bad-percent",
    ),
    # e-mail: must also be a mailto: IRI
    pytest.param(cell("release.csv", 2, "contact_email", "data<x>@wijkld.example"), EMAIL, "'<'", id="email-angle"),
    pytest.param(cell("release.csv", 2, "contact_email", 'da"ta@wijkld.example'), EMAIL, "'\"'", id="email-quote"),
    pytest.param(cell("release.csv", 2, "contact_email", "da ta@wijkld.example"), EMAIL, "' '", id="email-space"),
    pytest.param(cell("release.csv", 2, "contact_email", "a@b@wijkld.example"), EMAIL, "one '@'", id="email-two-at"),
    pytest.param(
        cell("release.csv", 2, "contact_email", "data@wijkld.example?subject=x"), EMAIL, "'?'", id="email-query"
    ),
    pytest.param(cell("release.csv", 2, "contact_email", "da%zzta@wijkld.example"), EMAIL, "'%'", id="email-percent"),
    pytest.param(
        cell("release.csv", 2, "contact_email", "data@localhost"), EMAIL, "got 'data@localhost'", id="email-no-dot"
    ),
    pytest.param(
        cell("release.csv", 2, "contact_email", "da..ta@wijkld.example"), EMAIL, "got 'da..ta@", id="email-dots"
    ),
    pytest.param(
        cell("release.csv", 2, "contact_email", "a" * 300 + "@wijkld.example"), EMAIL, "at most 254", id="email-long"
    ),
    # files: regular files of bounded size, readable, UTF-8
    pytest.param(replace("persons.csv", Path.mkdir), "data/persons.csv: ", "is a directory", id="file-is-a-directory"),
    pytest.param(
        replace("persons.csv", lambda p: p.symlink_to(p)), "data/persons.csv: ", "symlink loop", id="file-link-loop"
    ),
    pytest.param(
        replace("persons.csv", lambda p: p.symlink_to(p.with_name("gone.csv"))),
        "data/persons.csv: ",
        "cannot read the person records: no such file or directory",
        id="file-dangling-link",
    ),
    pytest.param(
        content("persons.csv", _swap_byte(b"Jan", b"\xc0\xafan")),
        "data/persons.csv:2: ",
        "not valid UTF-8 (byte 0xc0)",
        id="utf8-overlong",
    ),
    pytest.param(
        content("persons.csv", _swap_byte(b"Jan", b"\xed\xa0\x80an")),
        "data/persons.csv:2: ",
        "not valid UTF-8 (byte 0xed)",
        id="utf8-encoded-surrogate",
    ),
    pytest.param(
        content("persons.csv", lambda data: data.decode("utf-8").encode("utf-16")),
        "data/persons.csv:1: ",
        "not valid UTF-8 (byte 0xff)",
        id="utf16",
    ),
    pytest.param(
        content("persons.csv", lambda data: b"\x00" * 1000),
        "data/persons.csv:1: field '\\x00",
        "unknown column",
        id="file-of-nul-bytes",
    ),
]

#: One attack of each kind, also run through the real entry point.
REAL = {
    "decimal-arabic-indic",
    "date-year-zero",
    "escape",
    "ten-megabyte-cell",
    "key-cyrillic-lookalike",
    "iri-bad-percent",
    "email-angle",
    "file-link-loop",
    "utf8-overlong",
}

GIB = 2**30

#: Attacks that hang or eat memory when the loader lets them through: only in a limited child process.
CONTAINED = [
    pytest.param(
        cell("quantities.csv", 2, "value", "1e999999999"), Q, "without an exponent", id="decimal-huge-exponent"
    ),
    pytest.param(
        cell("release.csv", 2, "contact_email", "a@" + "." * 50_000 + "@"),
        EMAIL,
        "at most 254",
        id="email-backtracking",
    ),
    pytest.param(
        replace("persons.csv", lambda p: os.mkfifo(p)), "data/persons.csv: ", "it is a FIFO", id="file-is-a-fifo"
    ),
    pytest.param(
        replace("persons.csv", lambda p: p.symlink_to("/dev/zero")),
        "data/persons.csv: ",
        "is a character device",
        id="file-links-to-dev-zero",
    ),
    pytest.param(
        replace("persons.csv", sparse(GIB + 1)), "data/persons.csv: ", "more than 1 GiB", id="file-over-a-gibibyte"
    ),
    pytest.param(
        header("persons.csv", "note", ",".join(f"x{i}" for i in range(1_000_000))),
        "data/persons.csv:1: ",
        "expected at most 11 columns",
        id="million-unknown-columns",
    ),
]


def _assert_refused(exit_code: int, stderr: str, output: str, where: str, cause: str) -> None:
    """Exit 2, one problem line naming where and what, no sign of a crash."""
    assert exit_code == 2, f"exit {exit_code}:\n{output[-2000:]}"
    lines = [line.removeprefix("Error: ") for line in stderr.splitlines()]
    assert any(line.startswith(where) and cause in line for line in lines), f"no {where!r}...{cause!r} in:\n{stderr}"
    assert "Traceback" not in output and "Internal error" not in output
    assert "\x1b" not in output and "\u202e" not in output, "the input's control characters reach the terminal"


@pytest.mark.parametrize(("spoil", "where", "cause"), ATTACKS)
def test_a_hostile_record_is_refused(
    records: Path,
    published: Path,
    spoil: Spoil,
    where: str,
    cause: str,
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spoil(records)
    monkeypatch.chdir(records.parent)
    result = runner.invoke(cli, ["build", "--data", "data", "--out", published.name])
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    _assert_refused(result.exit_code, result.stderr, result.output, where, cause)
    assert_release_intact(published)


@pytest.mark.slow
@pytest.mark.parametrize(("spoil", "where", "cause"), [p for p in ATTACKS if p.id in REAL])
def test_a_hostile_record_is_refused_by_the_real_command(
    records: Path, published: Path, spoil: Spoil, where: str, cause: str, wijkld: RunWijkld
) -> None:
    spoil(records)
    result = wijkld("build", "--data", "data", "--out", "dist", timeout=60)
    _assert_refused(result.returncode, result.stderr, result.stdout + result.stderr, where, cause)
    assert_release_intact(published)


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2 * GIB, 2 * GIB))


@pytest.mark.slow
@pytest.mark.parametrize(("spoil", "where", "cause"), CONTAINED)
def test_a_hostile_record_is_refused_without_hanging_or_eating_memory(
    records: Path, published: Path, spoil: Spoil, where: str, cause: str, wijkld: RunWijkld
) -> None:
    spoil(records)
    result = wijkld("build", "--data", "data", "--out", "dist", timeout=60, preexec_fn=_limit_memory)
    _assert_refused(result.returncode, result.stderr, result.stdout + result.stderr, where, cause)
    assert_release_intact(published)


@pytest.mark.slow
def test_an_unreadable_file_is_refused(records: Path, published: Path, unprivileged: Unprivileged) -> None:
    """Run without root's capabilities (see :class:`Unprivileged`), so that mode 000 stops the reading."""
    (records / "persons.csv").chmod(0)
    result = unprivileged.run("build", "--data", "data", "--out", "dist", cwd=records.parent, timeout=60)
    output = result.stdout + result.stderr
    _assert_refused(result.returncode, result.stderr, output, "data/persons.csv: ", "permission denied")
    assert_release_intact(published)


def test_there_is_an_attack_of_each_kind_through_the_real_command() -> None:
    ids = {p.id for p in ATTACKS}
    assert REAL <= ids
    assert len(ATTACKS) + len(CONTAINED) >= 60
