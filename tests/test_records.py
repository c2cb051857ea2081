"""The loader: typed records from valid data, and every malformed record reported precisely, all at once."""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree
from xml.sax.saxutils import escape

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import XSD, Graph, Literal, URIRef

from wijkld.errors import EXIT_BAD_INPUT, InputError, Problem
from wijkld.model.mapping import date_label, date_literal, decimal_literal, number_literal
from wijkld.records import load as records
from wijkld.records.load import PartialDate, Records, Value
from wijkld.records.schema import RECORD_TYPES, Kind

COUNTS = {
    "release": 1,
    "source": 5,
    "concept": 11,
    "organisation": 4,
    "place": 2,
    "person": 3,
    "post": 1,
    "programme": 1,
    "team": 1,
    "membership": 3,
    "project": 1,
    "event": 1,
    "quantity": 1,
    "assessment": 1,
    "lesson": 1,
    "basis": 1,
}
PERSON_COLUMNS = (
    "key, name, alt_names, given_name, family_name, party, biography, description_nl, description_en, note, source"
)


# -- editing a copy of the records ---------------------------------------------------------


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def set_cell(data: Path, file: str, line: int, column: str, value: str) -> None:
    """Set one cell; ``line`` is the line number in the file (the header is line 1, no cell spans lines)."""
    rows = read_rows(data / file)
    rows[line - 1][rows[0].index(column)] = value
    write_rows(data / file, rows)


def rename_column(data: Path, file: str, old: str, new: str) -> None:
    rows = read_rows(data / file)
    rows[0][rows[0].index(old)] = new
    write_rows(data / file, rows)


def drop_column(data: Path, file: str, column: str) -> None:
    rows = read_rows(data / file)
    index = rows[0].index(column)
    write_rows(data / file, [row[:index] + row[index + 1 :] for row in rows])


def add_column(data: Path, file: str, column: str, value: str = "") -> None:
    rows = read_rows(data / file)
    write_rows(data / file, [rows[0] + [column]] + [row + [value] for row in rows[1:]])


def edit_line(data: Path, file: str, line: int, edit: Callable[[str], str]) -> None:
    """Change the raw text of one line (without its line break)."""
    lines = (data / file).read_text(encoding="utf-8").split("\n")
    lines[line - 1] = edit(lines[line - 1])
    (data / file).write_text("\n".join(lines), encoding="utf-8")


def copy_line(data: Path, file: str, line: int, edit: Callable[[str], str] = lambda text: text) -> None:
    """Append a (changed) copy of a line at the end of the file."""
    text = (data / file).read_text(encoding="utf-8")
    (data / file).write_text(text + edit(text.split("\n")[line - 1]) + "\n", encoding="utf-8")


def replace_file(data: Path, file: str, make: Callable[[Path], object]) -> None:
    """Put ``make(path)`` (a folder, a pipe, a link) where the file was."""
    (data / file).unlink()
    make(data / file)


def sparse_gibibyte(path: Path) -> None:
    """A file of one byte over 1 GiB that takes no room on disk."""
    with path.open("wb") as fh:
        fh.truncate(2**30 + 1)


def append(data: Path, file: str, text: str) -> None:
    with (data / file).open("a", encoding="utf-8", newline="") as fh:
        fh.write(text)


def write_bytes(data: Path, file: str, content: bytes) -> None:
    (data / file).write_bytes(content)


def steps(*edits: Callable[[Path], None]) -> Callable[[Path], None]:
    """Several edits as one."""

    def run(data: Path) -> None:
        for edit in edits:
            edit(data)

    return run


def load_problems(data: Path) -> list[str]:
    """The rendered problem lines of loading ``data``, after checking the summary line."""
    with pytest.raises(InputError) as info:
        records.load(data)
    error = info.value
    lines = [str(p) for p in error.problems]
    count = len(lines)
    assert error.exit_code == EXIT_BAD_INPUT
    assert error.format_message().split("\n") == [
        *lines,
        f"{count} {'problem' if count == 1 else 'problems'} in the source records; nothing was published.",
    ]
    return lines


@pytest.fixture
def data(copy_data: Callable[..., Path], minimal_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch copy of the minimal records at ``tmp_path/data``, displayed in messages as ``data/...``."""
    copy = copy_data(minimal_data)
    monkeypatch.chdir(tmp_path)
    return copy


# -- the minimal records load, typed -----------------------------------------------------------


@pytest.fixture(scope="module")
def minimal(minimal_data: Path) -> Records:
    return records.load(minimal_data)


def test_minimal_fixture_has_every_file_with_the_header_in_schema_order(minimal_data: Path) -> None:
    assert sorted(p.name for p in minimal_data.iterdir()) == sorted(rt.file for rt in RECORD_TYPES)
    for rt in RECORD_TYPES:
        assert read_rows(minimal_data / rt.file)[0] == list(rt.field_names), rt.file


def test_minimal_fixture_loads_every_record_type(minimal: Records) -> None:
    assert {rt.name: len(minimal.of(rt.name)) for rt in RECORD_TYPES} == COUNTS
    assert len(minimal) == sum(COUNTS.values()) == 38
    assert [r.type for r in minimal] == [rt.name for rt in RECORD_TYPES for _ in range(COUNTS[rt.name])]


def test_records_are_in_key_order_whatever_the_row_order(minimal: Records, minimal_data: Path) -> None:
    for rt in RECORD_TYPES:
        keys = [r.key for r in minimal.of(rt.name)]
        assert keys == sorted(keys), rt.name
    # the file lists them in another order; the record keeps its own line
    assert [row[0] for row in read_rows(minimal_data / "persons.csv")[1:]] == [
        "jan-van-der-bos",
        "pieter-de-wit",
        "hilde-van-der-molen",
    ]
    assert [(r.key, r.line) for r in minimal.of("person")] == [
        ("hilde-van-der-molen", 4),
        ("jan-van-der-bos", 2),
        ("pieter-de-wit", 3),
    ]


def test_dates_are_partial_dates_with_their_precision(minimal: Records) -> None:
    programme = minimal.get("programme", "nieuwe-coalities")
    dates = [
        minimal.release.date("issued"),
        minimal.get("post", "hilde-van-der-molen-dg-vrom").date("start"),
        programme.date("start"),
        programme.date("end"),
        minimal.get("event", "berflo-es-presentatie").date("date"),
    ]
    assert dates == [
        PartialDate(2026, 11, 29),
        PartialDate(2005, 9),
        PartialDate(2006),
        PartialDate(2007),
        PartialDate(2007, 3),
    ]
    assert [(d.iso, d.precision) for d in dates if d is not None] == [
        ("2026-11-29", "day"),
        ("2005-09", "month"),
        ("2006", "year"),
        ("2007", "year"),
        ("2007-03", "month"),
    ]
    assert str(programme.get("target_date")) == "2007-05-01"


def test_numbers_are_int_and_decimal(minimal: Records) -> None:
    position = minimal.get("team", "hengelo-berflo-es").get("position")
    assert position == 1 and type(position) is int
    wijken = minimal.get("programme", "nieuwe-coalities").get("number_of_wijken")
    assert wijken == 13 and type(wijken) is int
    value = minimal.get("quantity", "wijkwerkbedrijf-budget").get("value")
    assert isinstance(value, Decimal) and value == Decimal("250000.50") and str(value) == "250000.50"


def test_multi_valued_fields_are_tuples_and_empty_cells_are_none(minimal: Records) -> None:
    jan = minimal.get("person", "jan-van-der-bos")
    assert jan.get("alt_names") == ("Jan van de Bos", "J. van der Bos")
    assert jan.get("source") == ("sec-pilotwijken", "cobouw-hengelo")
    hilde = minimal.get("person", "hilde-van-der-molen")
    assert hilde.get("alt_names") == () and hilde.many("alt_names") == ()
    assert hilde.get("source") == ("sec-pilotwijken",)
    assert hilde.get("party") is None and hilde.text("party") is None
    event = minimal.get("event", "berflo-es-presentatie")
    assert event.many("persons") == ("hilde-van-der-molen", "pieter-de-wit")
    assert event.many("places") == ("berflo-es", "hengelo")


def test_text_keeps_quoted_commas_and_quotes(minimal: Records) -> None:
    member = minimal.get("membership", "berflo-es-van-der-molen")
    assert member.text("as_given") == 'Hilde van der Molen (DG "Wonen", VROM)'
    ministry = minimal.get("organisation", "min-vrom")
    assert ministry.text("name_nl") == "ministerie van Volkshuisvesting, Ruimtelijke Ordening en Milieubeheer"
    assert minimal.get("quantity", "wijkwerkbedrijf-budget").text("as_given") == "ruim € 250.000"


def test_records_know_their_file_line_and_references(minimal: Records, minimal_data: Path) -> None:
    replacing = minimal.get("membership", "berflo-es-de-wit")
    assert replacing.file.endswith("memberships.csv") and replacing.line == 4
    assert replacing.text("replaces") == "berflo-es-van-der-bos"
    assert replacing.text("date_source") == "cobouw-hengelo"
    assert minimal.get("place", "berflo-es").text("part_of") == "hengelo"
    assert minimal.get("concept", "wethouder").text("broader") == "bestuurder"
    assert minimal.get("organisation", "min-vrom").text("identifier_source") == "tooi-ministeries"
    assert [r.type for r in minimal.find("hengelo")] == ["place"]
    assert minimal.files["person"] == minimal_data / "persons.csv"
    assert minimal.release.text("version") == "0.1.0"


def test_the_fixture_uses_every_concept_scheme_the_fields_ask_for(minimal: Records) -> None:
    schemes = {c.text("scheme") for c in minimal.of("concept")}
    used = {"role", "theme", "keyword", "policy-domain", "contribution", "verdict", "quantity-kind", "event-kind"}
    assert used <= schemes


# -- what the format allows -------------------------------------------------------------------------


def test_column_order_is_free_and_optional_columns_may_be_left_out(data: Path, minimal: Records) -> None:
    rows = read_rows(data / "persons.csv")
    write_rows(data / "persons.csv", [list(reversed(row)) for row in rows])
    drop_column(data, "places.csv", "cbs_code")
    drop_column(data, "places.csv", "name_en")
    loaded = records.load(data)
    assert [r.values for r in loaded.of("person")] == [r.values for r in minimal.of("person")]
    assert loaded.get("place", "hengelo").get("cbs_code") is None


def write_persons_spread_out(data: Path, hilde_name: str = "Hilde van der Molen") -> None:
    """persons.csv with CRLF line breaks, a blank line, a row of empty cells and a note over two lines."""
    header, jan, pieter, hilde = read_rows(data / "persons.csv")
    jan[header.index("note")] = "De bron spelt de naam\nook als 'Jan van de Bos'."
    hilde[header.index("name")] = hilde_name
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)  # line 1
    buffer.write("\r\n")  # line 2
    writer.writerow(jan)  # lines 3-4
    buffer.write(",,,\r\n")  # line 5
    writer.writerow(pieter)  # line 6
    writer.writerow(hilde)  # line 7
    (data / "persons.csv").write_bytes(buffer.getvalue().encode("utf-8"))


def test_blank_lines_crlf_and_multi_line_cells_are_read_with_the_right_lines(data: Path) -> None:
    write_persons_spread_out(data)
    loaded = records.load(data)
    assert [(r.key, r.line) for r in loaded.of("person")] == [
        ("hilde-van-der-molen", 7),
        ("jan-van-der-bos", 3),
        ("pieter-de-wit", 6),
    ]
    assert loaded.get("person", "jan-van-der-bos").text("note") == "De bron spelt de naam\nook als 'Jan van de Bos'."


def test_a_problem_after_a_multi_line_cell_names_the_physical_line(data: Path) -> None:
    write_persons_spread_out(data, hilde_name="")
    assert load_problems(data) == ["data/persons.csv:7: field 'name': required value is empty; expected text"]


# -- malformed records: one broken thing each, reported exactly -----------------------------------

CASES = [
    pytest.param(
        lambda d: set_cell(d, "persons.csv", 3, "name", ""),
        ["data/persons.csv:3: field 'name': required value is empty; expected text"],
        id="required-value-empty",
    ),
    pytest.param(
        lambda d: set_cell(d, "memberships.csv", 3, "seat", "   "),
        [
            "data/memberships.csv:3: field 'seat': required value is empty; expected one of municipal, "
            "director-general, expert, cabinet-member, other"
        ],
        id="required-value-whitespace",
    ),
    pytest.param(
        lambda d: drop_column(d, "places.csv", "source"),
        [
            "data/places.csv:1: field 'source': required column is missing from the header (Key(s) of the source "
            "record(s) the facts come from: a section of the page, or a cited publication.)"
        ],
        id="required-column-missing",
    ),
    pytest.param(
        lambda d: add_column(d, "persons.csv", "notes", "extra"),
        [f"data/persons.csv:1: field 'notes': unknown column; expected one of {PERSON_COLUMNS} (did you mean 'note'?)"],
        id="extra-column",
    ),
    pytest.param(
        lambda d: rename_column(d, "persons.csv", "family_name", "familyname"),
        [
            f"data/persons.csv:1: field 'familyname': unknown column; expected one of {PERSON_COLUMNS} "
            "(did you mean 'family_name'?)"
        ],
        id="misspelt-column",
    ),
    pytest.param(
        lambda d: edit_line(d, "persons.csv", 1, lambda text: text + ","),
        [f"data/persons.csv:1: column 12 has no name (a stray comma?); expected one of {PERSON_COLUMNS}"],
        id="unnamed-column",
    ),
    pytest.param(
        lambda d: (d / "persons.csv").write_text(
            "\n" + (d / "persons.csv").read_text(encoding="utf-8"), encoding="utf-8"
        ),
        [
            "data/persons.csv:1: line 1 is empty; expected the header line: "
            "key,name,alt_names,given_name,family_name,party,biography,description_nl,description_en,note,source"
        ],
        id="blank-line-before-header",
    ),
    pytest.param(
        lambda d: rename_column(d, "teams.csv", "note", "source"),
        ["data/teams.csv:1: field 'source': column appears twice in the header"],
        id="duplicated-column",
    ),
    pytest.param(
        lambda d: edit_line(d, "persons.csv", 3, lambda text: text + ",extra"),
        ["data/persons.csv:3: expected 11 cells as in the header, got 12"],
        id="too-many-cells",
    ),
    pytest.param(
        lambda d: edit_line(d, "persons.csv", 3, lambda text: text.rsplit(",", 1)[0]),
        ["data/persons.csv:3: expected 11 cells as in the header, got 10"],
        id="too-few-cells",
    ),
    pytest.param(
        lambda d: set_cell(d, "memberships.csv", 2, "person", "jan-van-den-bos"),
        [
            "data/memberships.csv:2: field 'person': unknown person 'jan-van-den-bos'; expected the key of a record "
            "in persons.csv (did you mean 'jan-van-der-bos'?)"
        ],
        id="unknown-reference",
    ),
    pytest.param(
        lambda d: set_cell(d, "events.csv", 2, "persons", "hilde-van-der-molen | piet-de-wit"),
        [
            "data/events.csv:2: field 'persons': unknown person 'piet-de-wit'; expected the key of a record "
            "in persons.csv (did you mean 'pieter-de-wit'?)"
        ],
        id="unknown-reference-in-a-list",
    ),
    pytest.param(
        lambda d: set_cell(d, "projects.csv", 2, "leader", "zz-top"),
        ["data/projects.csv:2: field 'leader': unknown person 'zz-top'; expected the key of a record in persons.csv"],
        id="unknown-reference-no-hint",
    ),
    pytest.param(
        lambda d: set_cell(d, "teams.csv", 2, "theme", "wonen"),
        [
            "data/teams.csv:2: field 'theme': concept 'wonen' is in scheme 'policy-domain'; "
            "expected a concept of scheme 'theme'"
        ],
        id="concept-in-wrong-scheme",
    ),
    pytest.param(
        lambda d: set_cell(d, "posts.csv", 2, "role", "vol-lof"),
        [
            "data/posts.csv:2: field 'role': concept 'vol-lof' is in scheme 'verdict'; "
            "expected a concept of scheme 'role'"
        ],
        id="post-role-in-wrong-scheme",
    ),
    pytest.param(
        lambda d: set_cell(d, "events.csv", 2, "date", "maart 2007"),
        ["data/events.csv:2: field 'date': expected a date as YYYY, YYYY-MM or YYYY-MM-DD; got 'maart 2007'"],
        id="date-format",
    ),
    pytest.param(
        lambda d: set_cell(d, "sources.csv", 5, "date", "3-5-2007"),
        ["data/sources.csv:5: field 'date': expected a date as YYYY, YYYY-MM or YYYY-MM-DD; got '3-5-2007'"],
        id="date-day-first",
    ),
    pytest.param(
        lambda d: set_cell(d, "sources.csv", 5, "date", "2007-02-30"),
        [
            "data/sources.csv:5: field 'date': expected a date as YYYY, YYYY-MM or YYYY-MM-DD; got '2007-02-30' "
            "(day 30 does not exist in 2007-02)"
        ],
        id="impossible-date",
    ),
    pytest.param(
        lambda d: set_cell(d, "posts.csv", 2, "start", "2005-13"),
        [
            "data/posts.csv:2: field 'start': expected a date as YYYY, YYYY-MM or YYYY-MM-DD; got '2005-13' "
            "(month 13 does not exist)"
        ],
        id="month-13",
    ),
    pytest.param(
        lambda d: set_cell(d, "teams.csv", 2, "position", "een"),
        ["data/teams.csv:2: field 'position': expected a whole number; got 'een'"],
        id="bad-integer",
    ),
    pytest.param(
        lambda d: set_cell(d, "programmes.csv", 2, "number_of_wijken", "13.0"),
        ["data/programmes.csv:2: field 'number_of_wijken': expected a whole number; got '13.0'"],
        id="integer-with-decimals",
    ),
    pytest.param(
        lambda d: set_cell(d, "quantities.csv", 2, "value", "250000,50"),
        [
            "data/quantities.csv:2: field 'value': expected a number like 700000 or 6.9; got '250000,50' "
            "(use a dot as decimal separator, no thousands separator)"
        ],
        id="decimal-comma",
    ),
    pytest.param(
        lambda d: set_cell(d, "quantities.csv", 2, "value", "NaN"),
        ["data/quantities.csv:2: field 'value': expected a number like 700000 or 6.9; got 'NaN'"],
        id="decimal-not-a-number",
    ),
    pytest.param(
        lambda d: set_cell(d, "memberships.csv", 2, "seat", "muncipal"),
        [
            "data/memberships.csv:2: field 'seat': expected one of municipal, director-general, expert, "
            "cabinet-member, other; got 'muncipal' (did you mean 'municipal'?)"
        ],
        id="enum-typo",
    ),
    pytest.param(
        lambda d: set_cell(d, "quantities.csv", 2, "unit", "euro"),
        ["data/quantities.csv:2: field 'unit': expected one of EUR, count, MB, year; got 'euro'"],
        id="enum-no-hint",
    ),
    pytest.param(
        lambda d: set_cell(d, "persons.csv", 3, "key", "Pieter-de-Wit"),
        [
            "data/persons.csv:3: field 'key': expected a key: lowercase letters, digits and single hyphens, "
            "like 'jan-van-der-bos'; got 'Pieter-de-Wit'"
        ],
        id="key-uppercase",
    ),
    pytest.param(
        lambda d: set_cell(d, "persons.csv", 3, "key", "pieter de wit"),
        [
            "data/persons.csv:3: field 'key': expected a key: lowercase letters, digits and single hyphens, "
            "like 'jan-van-der-bos'; got 'pieter de wit'"
        ],
        id="key-spaces",
    ),
    pytest.param(
        lambda d: set_cell(d, "persons.csv", 3, "key", "pieter--de-wit"),
        [
            "data/persons.csv:3: field 'key': expected a key: lowercase letters, digits and single hyphens, "
            "like 'jan-van-der-bos'; got 'pieter--de-wit'"
        ],
        id="key-double-hyphen",
    ),
    pytest.param(
        lambda d: set_cell(d, "memberships.csv", 4, "team", "Hengelo Berflo Es"),
        [
            "data/memberships.csv:4: field 'team': expected the key of a team record; got 'Hengelo Berflo Es'",
        ],
        id="reference-not-a-key",
    ),
    pytest.param(
        lambda d: set_cell(d, "events.csv", 2, "places", "berflo-es | | hengelo"),
        [
            "data/events.csv:2: field 'places': expected keys of place records separated by ' | '; "
            "got 'berflo-es | | hengelo'"
        ],
        id="empty-key-in-a-list",
    ),
    pytest.param(
        lambda d: copy_line(d, "persons.csv", 2, lambda text: text.replace("Jan van der Bos,", "J. van der Bos,", 1)),
        ["data/persons.csv:5: field 'key': duplicate key 'jan-van-der-bos'; first defined on line 2"],
        id="duplicate-key",
    ),
    pytest.param(
        lambda d: write_bytes(
            d,
            "persons.csv",
            (d / "persons.csv")
            .read_text(encoding="utf-8")
            .replace("Directeur-generaal bij VROM", "Directrice générale")
            .encode("latin-1"),
        ),
        ["data/persons.csv:4: not valid UTF-8 (byte 0xe9); save the file as UTF-8"],
        id="latin-1",
    ),
    pytest.param(
        lambda d: write_bytes(d, "persons.csv", b"\xef\xbb\xbf" + (d / "persons.csv").read_bytes()),
        ["data/persons.csv:1: file starts with a byte-order mark (BOM); save it as UTF-8 without BOM"],
        id="byte-order-mark",
    ),
    pytest.param(
        lambda d: write_bytes(d, "persons.csv", b""),
        [
            "data/persons.csv: file is empty; expected at least the header line: "
            "key,name,alt_names,given_name,family_name,party,biography,description_nl,description_en,note,source"
        ],
        id="empty-file",
    ),
    pytest.param(
        lambda d: write_bytes(d, "lessons.csv", b"  \n\t\r\n\n"),
        [
            "data/lessons.csv: file is empty; expected at least the header line: "
            "key,programme,name_nl,name_en,event,by,description_nl,description_en,note,source"
        ],
        id="whitespace-only-file",
    ),
    pytest.param(
        lambda d: (d / "lessons.csv").unlink(),
        [
            "data/lessons.csv: file is missing; expected the lesson records (Lessons learnt from the pilot "
            "(the page's 'Leerpunten' and the 2009 reflection).)"
        ],
        id="missing-file",
    ),
    pytest.param(
        lambda d: write_rows(d / "release.csv", read_rows(d / "release.csv")[:1]),
        ["data/release.csv: expected exactly one release row, got none"],
        id="release-header-only",
    ),
    pytest.param(
        lambda d: copy_line(d, "release.csv", 2, lambda text: text.replace("0.1.0", "0.2.0", 1)),
        ["data/release.csv:3: expected exactly one release row, got 2"],
        id="two-release-rows",
    ),
    pytest.param(
        lambda d: set_cell(d, "release.csv", 2, "contact_email", "data(at)wijkld.example"),
        ["data/release.csv:2: field 'contact_email': expected an e-mail address; got 'data(at)wijkld.example'"],
        id="bad-email",
    ),
    pytest.param(
        lambda d: set_cell(d, "persons.csv", 2, "biography", "https://www.parlement.example/biografie/jan van der bos"),
        [
            "data/persons.csv:2: field 'biography': expected an absolute http(s) IRI without spaces; "
            "got 'https://www.parlement.example/biografie/jan van der bos'"
        ],
        id="iri-with-space",
    ),
    pytest.param(
        lambda d: set_cell(d, "release.csv", 2, "licence", "CC0"),
        ["data/release.csv:2: field 'licence': expected an absolute http(s) IRI without spaces; got 'CC0'"],
        id="iri-relative",
    ),
    pytest.param(
        steps(
            lambda d: set_cell(d, "quantities.csv", 2, "unit", "count"),
            lambda d: set_cell(d, "quantities.csv", 2, "value", "2.5"),
        ),
        ["data/quantities.csv:2: field 'value': expected a whole number for unit 'count'; got 2.5"],
        id="count-with-decimals",
    ),
    pytest.param(
        lambda d: set_cell(d, "bases.csv", 2, "fields", "given_name | voornaam"),
        [
            "data/bases.csv:2: field 'fields': 'voornaam' is not a field of person records that holds a statement; "
            "expected one of name, alt_names, given_name, family_name, party, biography, description_nl, "
            "description_en"
        ],
        id="basis-unknown-field",
    ),
    pytest.param(
        lambda d: set_cell(d, "bases.csv", 2, "fields", "biography"),
        ["data/bases.csv:2: field 'fields': 'biography' is empty in data/persons.csv:3; expected a field with a value"],
        id="basis-empty-field",
    ),
    pytest.param(
        lambda d: set_cell(d, "bases.csv", 2, "fields", "name"),
        [
            "data/bases.csv:2: field 'fields': 'name' is the name of the thing, which stays as the page writes it; "
            "expected another field (record a completed name in alt_names and cover that), or no fields for the "
            "whole record"
        ],
        id="basis-on-the-name",
    ),
    pytest.param(
        lambda d: set_cell(d, "bases.csv", 2, "kind", "external"),
        ["data/bases.csv:2: field 'consulted': required because kind is external; expected the date we consulted it"],
        id="basis-external-without-date",
    ),
    pytest.param(
        lambda d: set_cell(d, "bases.csv", 2, "record", "pieter-de-wet"),
        ["data/bases.csv:2: field 'record': unknown key 'pieter-de-wet'; expected the key of a record of any type"],
        id="basis-unknown-record",
    ),
    pytest.param(
        lambda d: set_cell(d, "programmes.csv", 2, "start", "2008"),
        ["data/programmes.csv:2: field 'end': expected a date on or after start 2008; got 2007"],
        id="end-before-start",
    ),
    pytest.param(
        lambda d: set_cell(d, "memberships.csv", 4, "end", "2007-02"),
        ["data/memberships.csv:4: field 'end': expected a date on or after start 2007-03-01; got 2007-02"],
        id="end-month-before-start-day",
    ),
    pytest.param(
        lambda d: set_cell(d, "organisations.csv", 2, "identifier_source", ""),
        [
            "data/organisations.csv:2: field 'identifier_source': required because tooi is set; "
            "expected the key of the source that states it"
        ],
        id="tooi-without-identifier-source",
    ),
    pytest.param(
        lambda d: set_cell(d, "memberships.csv", 4, "date_source", ""),
        [
            "data/memberships.csv:4: field 'date_source': required because start and end are set; "
            "expected the key of the source that states it"
        ],
        id="dates-without-date-source",
    ),
    pytest.param(
        steps(
            lambda d: set_cell(d, "posts.csv", 2, "end", ""),
            lambda d: set_cell(d, "posts.csv", 2, "date_source", ""),
        ),
        [
            "data/posts.csv:2: field 'date_source': required because start is set; "
            "expected the key of the source that states it"
        ],
        id="start-without-date-source",
    ),
    pytest.param(
        lambda d: set_cell(d, "memberships.csv", 4, "replaces", "berflo-es-de-wit"),
        ["data/memberships.csv:4: field 'replaces': a record cannot refer to itself"],
        id="self-reference",
    ),
    pytest.param(
        lambda d: set_cell(d, "concepts.csv", 2, "broader", "bestuurder"),
        ["data/concepts.csv:2: field 'broader': a record cannot refer to itself"],
        id="self-reference-broader",
    ),
    pytest.param(
        lambda d: edit_line(d, "persons.csv", 3, lambda text: text.replace("Pieter de Wit", '"Pieter de Wit', 1)),
        ["data/persons.csv:3: malformed CSV: a quoted cell in the row starting on this line is never closed"],
        id="unterminated-quote",
    ),
    pytest.param(
        lambda d: edit_line(d, "persons.csv", 3, lambda text: text.replace("Pieter de Wit", '"Pieter" de Wit', 1)),
        ["data/persons.csv:3: malformed CSV: ',' expected after '\"'"],
        id="text-after-closing-quote",
    ),
    pytest.param(
        lambda d: set_cell(d, "quantities.csv", 2, "subject", "wijkwerkbedrijf"),
        [
            "data/quantities.csv:2: field 'subject': unknown key 'wijkwerkbedrijf'; "
            "expected the key of a record of any type"
        ],
        id="unknown-any-reference",
    ),
    pytest.param(
        lambda d: set_cell(d, "quantities.csv", 2, "subject", "wijkwerkbedrijf-budget"),
        ["data/quantities.csv:2: field 'subject': a record cannot refer to itself"],
        id="self-reference-any",
    ),
    pytest.param(
        steps(
            lambda d: set_cell(d, "quantities.csv", 2, "subject", "berflo-es"),
            lambda d: copy_line(
                d, "projects.csv", 2, lambda text: text.replace("wijkwerkbedrijf-berflo-es,", "berflo-es,", 1)
            ),
        ),
        [
            "data/quantities.csv:2: field 'subject': key 'berflo-es' is ambiguous: "
            "it names records of several types (place, project)"
        ],
        id="ambiguous-any-reference",
    ),
    # -- issue 13: what an attacker or a careless editor may put in a cell or in place of a file --
    pytest.param(
        lambda d: set_cell(d, "persons.csv", 3, "name", "Pieter\x1b[31m de Wit"),
        [
            "data/persons.csv:3: field 'name': expected text; got 'Pieter\\x1b[31m de Wit' "
            "(control character U+001B at position 7; remove it)"
        ],
        id="control-character",
    ),
    pytest.param(
        lambda d: set_cell(d, "persons.csv", 3, "name", "Pieter \u202etiW ed"),
        [
            "data/persons.csv:3: field 'name': expected text; got 'Pieter \\u202etiW ed' "
            "(bidirectional control character U+202E (RIGHT-TO-LEFT OVERRIDE) at position 8; remove it)"
        ],
        id="bidi-override",
    ),
    pytest.param(
        lambda d: set_cell(d, "persons.csv", 3, "alt_names", "Piet\nde Wit"),
        [
            "data/persons.csv:3: field 'alt_names': expected one or more texts separated by ' | '; "
            "got 'Piet\\nde Wit' (line break U+000A at position 5; remove it)"
        ],
        id="line-break-in-a-name",
    ),
    pytest.param(
        lambda d: set_cell(d, "persons.csv", 3, "note", "x" * 100_001),
        [
            f"data/persons.csv:3: field 'note': expected text; got {'x' * 100!r}... "
            "(100,001 characters; a cell holds at most 100,000)"
        ],
        id="cell-too-long",
    ),
    pytest.param(
        lambda d: set_cell(d, "quantities.csv", 2, "value", "1e999999999"),
        [
            "data/quantities.csv:2: field 'value': expected a number like 700000 or 6.9; got '1e999999999' "
            "(write the number in full, without an exponent)"
        ],
        id="decimal-exponent",
    ),
    pytest.param(
        lambda d: set_cell(d, "quantities.csv", 2, "value", "1234567890.123456789"),
        [
            "data/quantities.csv:2: field 'value': expected a number like 700000 or 6.9; "
            "got '1234567890.123456789' (at most 18 digits)"
        ],
        id="decimal-too-many-digits",
    ),
    pytest.param(
        lambda d: set_cell(d, "teams.csv", 2, "position", "١"),
        [
            "data/teams.csv:2: field 'position': expected a whole number; got '١' "
            "(only the digits 0-9: U+0661 ARABIC-INDIC DIGIT ONE at position 1 is not one)"
        ],
        id="arabic-indic-digit",
    ),
    pytest.param(
        lambda d: set_cell(d, "programmes.csv", 2, "number_of_wijken", "-1000000000000000000"),
        [
            "data/programmes.csv:2: field 'number_of_wijken': expected a whole number; "
            "got '-1000000000000000000' (at most 18 digits)"
        ],
        id="integer-too-large",
    ),
    pytest.param(
        lambda d: set_cell(d, "places.csv", 3, "cbs_year", "207"),
        ["data/places.csv:3: field 'cbs_year': expected a whole number; got '207' (must be from 1000 to 9999)"],
        id="cbs-year-not-four-digits",
    ),
    pytest.param(
        lambda d: set_cell(d, "sources.csv", 5, "date", "0000-05-03"),
        [
            "data/sources.csv:5: field 'date': expected a date as YYYY, YYYY-MM or YYYY-MM-DD; got '0000-05-03' "
            "(year 0000 does not exist; years run from 0001 to 9999)"
        ],
        id="year-zero",
    ),
    pytest.param(
        lambda d: set_cell(d, "sources.csv", 5, "date", "+12007"),
        [
            "data/sources.csv:5: field 'date': expected a date as YYYY, YYYY-MM or YYYY-MM-DD; got '+12007' "
            "(years run from 0001 to 9999)"
        ],
        id="year-after-9999",
    ),
    pytest.param(
        lambda d: set_cell(d, "memberships.csv", 2, "person", "jan-van-der-b\u043es"),
        [
            "data/memberships.csv:2: field 'person': expected the key of a person record; got 'jan-van-der-b\u043es' "
            "(U+043E CYRILLIC SMALL LETTER O at position 14 is not an ASCII letter or digit)"
        ],
        id="key-with-a-lookalike-letter",
    ),
    pytest.param(
        lambda d: set_cell(d, "persons.csv", 3, "key", "pieter-" + "x" * 74),
        [
            "data/persons.csv:3: field 'key': expected a key: lowercase letters, digits and single hyphens, "
            f"like 'jan-van-der-bos'; got 'pieter-{'x' * 74}' (at most 80 characters: a key becomes the last "
            "segment of an IRI)"
        ],
        id="key-too-long",
    ),
    pytest.param(
        lambda d: set_cell(d, "persons.csv", 2, "biography", "https://www.parlement.example/%zz"),
        [
            "data/persons.csv:2: field 'biography': expected an absolute http(s) IRI without spaces; "
            "got 'https://www.parlement.example/%zz' (invalid percent-encoding '%zz': '%' must be followed by "
            "two hexadecimal digits)"
        ],
        id="iri-bad-percent-encoding",
    ),
    pytest.param(
        lambda d: set_cell(d, "persons.csv", 2, "biography", "javascript:alert(1)"),
        [
            "data/persons.csv:2: field 'biography': expected an absolute http(s) IRI without spaces; "
            "got 'javascript:alert(1)' (the scheme must be http or https, not 'javascript')"
        ],
        id="iri-javascript",
    ),
    pytest.param(
        lambda d: set_cell(d, "release.csv", 2, "contact_email", "data<script>@wijkld.example"),
        [
            "data/release.csv:2: field 'contact_email': expected an e-mail address; "
            "got 'data<script>@wijkld.example' (character '<' at position 5 cannot be part of an address "
            "that is published as a mailto: IRI)"
        ],
        id="email-not-a-mailto-iri",
    ),
    pytest.param(
        lambda d: replace_file(d, "lessons.csv", Path.mkdir),
        ["data/lessons.csv: cannot read the lesson records: it is a directory, not a file"],
        id="directory-for-a-file",
    ),
    pytest.param(
        lambda d: replace_file(d, "lessons.csv", lambda p: p.symlink_to("/dev/zero")),
        ["data/lessons.csv: cannot read the lesson records: it is a character device, not a regular file"],
        id="link-to-dev-zero",
    ),
    pytest.param(
        lambda d: replace_file(d, "lessons.csv", os.mkfifo),
        ["data/lessons.csv: cannot read the lesson records: it is a FIFO, not a regular file"],
        id="named-pipe",
    ),
    pytest.param(
        lambda d: replace_file(d, "lessons.csv", lambda p: p.symlink_to(p)),
        ["data/lessons.csv: cannot read the lesson records: too many levels of symbolic links (a symlink loop?)"],
        id="link-loop",
    ),
    pytest.param(
        lambda d: replace_file(d, "lessons.csv", sparse_gibibyte),
        ["data/lessons.csv: cannot read the lesson records: it holds more than 1 GiB, the most a CSV file may hold"],
        id="file-over-a-gibibyte",
    ),
    pytest.param(
        lambda d: edit_line(d, "persons.csv", 1, lambda text: text + ",x" * 30),
        [f"data/persons.csv:1: expected at most 11 columns ({PERSON_COLUMNS}); the header has 41"],
        id="too-many-columns",
    ),
    pytest.param(
        lambda d: edit_line(d, "persons.csv", 3, lambda text: text.replace("Pieter de Wit", "P" * 200_000, 1)),
        ["data/persons.csv:3: field 'name': expected a cell of at most 100,000 characters; got one of over 131,072"],
        id="cell-over-the-csv-limit",
    ),
]


@pytest.mark.parametrize(("break_it", "expected"), CASES)
def test_a_malformed_record_is_reported_exactly(
    data: Path, break_it: Callable[[Path], object], expected: list[str]
) -> None:
    break_it(data)
    assert load_problems(data) == expected


def test_there_are_enough_malformed_record_cases() -> None:
    assert len(CASES) >= 25


def test_paths_outside_the_current_folder_are_shown_absolute(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    set_cell(data, "persons.csv", 3, "name", "")
    assert load_problems(data) == [f"{data / 'persons.csv'}:3: field 'name': required value is empty; expected text"]


def test_a_missing_data_folder_is_one_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_problems(Path("nowhere")) == ["nowhere: is not a directory of source records"]


def test_every_problem_in_every_file_is_reported_in_one_run_sorted(data: Path) -> None:
    set_cell(data, "quantities.csv", 2, "value", "één")
    set_cell(data, "persons.csv", 4, "name", "")
    set_cell(data, "persons.csv", 2, "biography", "parlement.example")
    set_cell(data, "concepts.csv", 12, "scheme", "event")
    set_cell(data, "memberships.csv", 3, "seat", "dg")
    set_cell(data, "memberships.csv", 2, "team", "hengelo-berflo")
    (data / "lessons.csv").unlink()
    write_bytes(data, "assessments.csv", b"")
    assert load_problems(data) == [
        "data/assessments.csv: file is empty; expected at least the header line: key,subject,verdict,event,note,source",
        "data/concepts.csv:12: field 'scheme': expected one of role, theme, keyword, policy-domain, contribution, "
        "verdict, quantity-kind, event-kind, portfolio, issue, service, actor-kind; got 'event' "
        "(did you mean 'event-kind'?)",
        "data/lessons.csv: file is missing; expected the lesson records (Lessons learnt from the pilot "
        "(the page's 'Leerpunten' and the 2009 reflection).)",
        "data/memberships.csv:2: field 'team': unknown team 'hengelo-berflo'; expected the key of a record in "
        "teams.csv (did you mean 'hengelo-berflo-es'?)",
        "data/memberships.csv:3: field 'seat': expected one of municipal, director-general, expert, cabinet-member, "
        "other; got 'dg'",
        "data/persons.csv:2: field 'biography': expected an absolute http(s) IRI without spaces; "
        "got 'parlement.example'",
        "data/persons.csv:4: field 'name': required value is empty; expected text",
        "data/quantities.csv:2: field 'value': expected a number like 700000 or 6.9; got 'één' "
        "(use a dot as decimal separator, no thousands separator)",
    ]


def test_references_into_a_file_with_problems_are_not_checked(data: Path) -> None:
    """Its records may be missing only because they failed to parse: reporting them would be noise."""
    set_cell(data, "teams.csv", 2, "position", "1e")
    set_cell(data, "memberships.csv", 2, "team", "no-such-team")
    assert load_problems(data) == ["data/teams.csv:2: field 'position': expected a whole number; got '1e'"]
    set_cell(data, "teams.csv", 2, "position", "1")
    assert load_problems(data) == [
        "data/memberships.csv:2: field 'team': unknown team 'no-such-team'; expected the key of a record in teams.csv"
    ]


def test_problems_render_with_and_without_line_and_field() -> None:
    assert str(Problem("data/a.csv", 3, "key", "bad")) == "data/a.csv:3: field 'key': bad"
    assert str(Problem("data/a.csv", 3, "", "bad")) == "data/a.csv:3: bad"
    assert str(Problem("data/a.csv", 0, "", "bad")) == "data/a.csv: bad"
    assert str(InputError([Problem("b", 1, "", "y"), Problem("a", 2, "", "x")])) == (
        "a:2: x\nb:1: y\n2 problems in the source records; nothing was published."
    )


# -- the real records ------------------------------------------------------------------------------


def test_the_real_records_load_with_thirteen_teams(repo_root: Path) -> None:
    """The published data (data/) loads cleanly; the page's table has 13 adoption teams."""
    loaded = records.load(repo_root / "data")
    assert len(loaded.of("team")) == 13
    assert {t.get("position") for t in loaded.of("team")} == set(range(1, 14))


# -- properties: whatever the loader accepts is safe downstream (issue 13) -------------------------------------

FIELDS = {f.kind: f for rt in RECORD_TYPES for f in rt.fields}
XSD_NS = "http://www.w3.org/2001/XMLSchema#"
#: characters a terminal obeys or an XML 1.0 document cannot hold (tab and line feed are text)
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")
NUMBERISH = st.text(alphabet="0123456789+-.eE_ ١３²,", max_size=25) | st.from_regex(
    r"-?[0-9]{1,20}(\.[0-9]{0,20})?", fullmatch=True
)
DATEISH = (
    st.tuples(st.integers(0, 10_000), st.integers(0, 13), st.integers(0, 32), st.integers(1, 3)).map(
        lambda d: "-".join([f"{d[0]:04d}", f"{d[1]:02d}", f"{d[2]:02d}"][: d[3]])
    )
    | st.from_regex(r"[+-]?[0-9]{1,6}(-[0-9]{1,3}(-[0-9]{1,3})?)?", fullmatch=True)
    | st.text(max_size=12)
)


def accepted(raw: str, kind: Kind) -> Value | None:
    """What ``parse_value`` makes of a stripped, non-empty cell, or None if it refuses it."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        return records.parse_value(raw, FIELDS[kind])
    except ValueError:
        return None


def oxigraph_value(literal: Literal, function: str) -> str | None:
    """``function(literal)`` as Oxigraph computes it, or None when it cannot read the literal."""
    query = f"PREFIX xsd: <{XSD_NS}> SELECT ({function}({literal.n3()}) AS ?v) {{}}"
    solutions = ox.Store().query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    (row,) = solutions
    value = row["v"]
    return None if value is None else value.value


def round_trips(literal: Literal) -> bool:
    """The literal comes back unchanged from N-Triples, as rdflib writes and reads it."""
    graph = Graph()
    graph.add((URIRef("http://example.org/s"), URIRef("http://example.org/p"), literal))
    (back,) = Graph().parse(data=graph.serialize(format="nt"), format="nt").objects()
    return back == literal and str(back) == str(literal)


@settings(max_examples=300)
@given(NUMBERISH)
def test_every_accepted_decimal_is_read_back_the_same_by_rdflib_and_oxigraph(raw: str) -> None:
    value = accepted(raw, Kind.DECIMAL)
    if value is None:
        return
    assert isinstance(value, Decimal)
    literal = decimal_literal(value)
    assert not literal.ill_typed and literal.value == value
    assert round_trips(literal)
    assert Decimal(oxigraph_value(literal, "xsd:decimal") or "NaN") == value
    # canonical: the store (which keeps decimals by value) gives back the very lexical form
    store = ox.Store()
    node = ox.NamedNode("http://example.org/s")
    store.add(ox.Quad(node, node, ox.Literal(str(literal), datatype=ox.NamedNode(str(XSD.decimal)))))
    assert [q.object.value for q in store] == [str(literal)]


@settings(max_examples=300)
@given(NUMBERISH)
def test_every_accepted_whole_number_is_read_back_the_same_by_rdflib_and_oxigraph(raw: str) -> None:
    value = accepted(raw, Kind.INT)
    if value is None:
        return
    assert isinstance(value, int) and abs(value) < 10**18
    literal = Literal(value, datatype=XSD.integer)
    assert not literal.ill_typed and literal.value == value
    assert round_trips(literal)
    assert oxigraph_value(literal, "xsd:integer") == str(value)


@given(NUMBERISH)
def test_only_ascii_digits_make_a_number(raw: str) -> None:
    for kind in (Kind.INT, Kind.DECIMAL):
        if accepted(raw, kind) is not None:
            assert re.fullmatch(r"[0-9+.-]+", raw.strip()), raw


@settings(max_examples=300)
@given(DATEISH)
def test_every_accepted_date_is_read_back_the_same_by_rdflib_and_oxigraph(raw: str) -> None:
    date = accepted(raw, Kind.DATE)
    if date is None:
        return
    assert isinstance(date, PartialDate) and 1 <= date.year <= 9999
    literal = date_literal(date)
    assert not literal.ill_typed
    assert round_trips(literal)
    assert oxigraph_value(literal, "YEAR") == str(date.year)
    if date.month is not None:
        assert oxigraph_value(literal, "MONTH") == str(date.month)
    if date.day is not None:
        assert oxigraph_value(literal, "DAY") == str(date.day)


@settings(max_examples=300)
@given(st.text(max_size=40))
def test_every_accepted_text_is_safe_in_a_terminal_and_in_xml(raw: str) -> None:
    for kind in (Kind.TEXT, Kind.TEXTS):
        value = accepted(raw, kind)
        for text in value if isinstance(value, tuple) else () if value is None else (str(value),):
            assert not UNSAFE.search(text), ascii(text)
            assert "\r" not in text
            assert kind is Kind.TEXT or "\n" not in text
            assert ElementTree.fromstring(f"<v>{escape(text)}</v>").text == text
            assert round_trips(Literal(text, lang="nl"))


@given(st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=20))
def test_every_accepted_key_is_plain_ascii(raw: str) -> None:
    key = accepted(raw, Kind.KEY)
    if key is not None:
        assert isinstance(key, str) and key.isascii() and len(key) <= 80


@settings(max_examples=300)
@given(st.text(alphabet="abz09.-_+@<>\"' %?#()[]\\\u00e9\x1b", max_size=30))
def test_every_accepted_email_makes_a_mailto_iri_every_tool_reads(raw: str) -> None:
    address = accepted(raw, Kind.EMAIL)
    if address is None:
        return
    iri = f"mailto:{address}"
    assert ox.NamedNode(iri).value == iri
    graph = Graph()
    graph.add((URIRef("http://example.org/s"), URIRef("http://example.org/p"), URIRef(iri)))
    (back,) = Graph().parse(data=graph.serialize(format="nt"), format="nt").objects()
    assert str(back) == iri


def test_line_breaks_in_text_are_line_feeds_whatever_the_editor_wrote() -> None:
    note = FIELDS[Kind.TEXT]
    assert records.parse_value("eerste\r\ntweede", note) == "eerste\ntweede"
    with pytest.raises(ValueError, match="line break U\\+000D at position 7"):
        records.parse_value("eerste\rtweede", note)


def test_hints_for_unknown_keys_are_bounded_in_a_large_record_set(data: Path) -> None:
    """Did-you-mean searches every key of the target type: with 600 unknown teams among 600, only the
    first few unknown keys get a hint, so that the search does not grow with the square of the records."""
    teams = read_rows(data / "teams.csv")
    key, position = teams[0].index("key"), teams[0].index("position")
    rows = [[*teams[1][:key], f"team-{n}", *teams[1][key + 1 :]] for n in range(600)]
    for n, row in enumerate(rows):
        row[position] = str(n + 1)
    write_rows(data / "teams.csv", [teams[0], *rows])
    members = read_rows(data / "memberships.csv")
    key, team = members[0].index("key"), members[0].index("team")
    rows = [[*members[1][:key], f"member-{n}", *members[1][key + 1 :]] for n in range(600)]
    for n, row in enumerate(rows):
        row[team] = f"team-{n}-x"
    write_rows(data / "memberships.csv", [members[0], *rows])
    problems = [line for line in load_problems(data) if line.startswith("data/memberships.csv") and "'team'" in line]
    assert len(problems) == 600
    assert "(did you mean 'team-0'?)" in problems[0]
    assert 0 < sum("did you mean" in line for line in problems) < 100


@pytest.mark.parametrize(
    ("date", "nl", "en"),
    [
        (PartialDate(2007, 2, 22), "22 februari 2007", "22 February 2007"),
        (PartialDate(2006, 6), "juni 2006", "June 2006"),
        (PartialDate(2007), "2007", "2007"),
        (PartialDate(2003, 5, 1), "1 mei 2003", "1 May 2003"),
    ],
)
def test_a_date_label_is_written_out_in_each_language(date: PartialDate, nl: str, en: str) -> None:
    assert (date_label(date, "nl"), date_label(date, "en")) == (Literal(nl, lang="nl"), Literal(en, lang="en"))


@given(st.integers(min_value=0, max_value=10**17), st.sampled_from(["count", "year"]))
def test_a_count_is_an_integer_in_every_store(value: int, unit: str) -> None:
    literal = number_literal(Decimal(value), unit)
    assert literal.datatype == XSD.integer and literal.value == value
    assert oxigraph_value(literal, "xsd:integer") == str(value)


@pytest.mark.parametrize(("raw", "unit"), [("250000.50", "EUR"), ("6.9", "MB"), ("700000", "EUR")])
def test_money_and_measures_stay_decimal(raw: str, unit: str) -> None:
    assert number_literal(Decimal(raw), unit) == decimal_literal(Decimal(raw))
