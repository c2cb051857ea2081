"""The loader: typed records from valid data, and every malformed record reported precisely, all at once."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from wijkld import records
from wijkld.errors import EXIT_BAD_INPUT, InputError, Problem
from wijkld.records import PartialDate, Records
from wijkld.schema import RECORD_TYPES

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
    assert len(minimal) == sum(COUNTS.values()) == 37
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
        "verdict, quantity-kind, event-kind; got 'event' (did you mean 'event-kind'?)",
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
