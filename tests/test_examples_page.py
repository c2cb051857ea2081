"""examples.html: every example query with the answer this release gives, the same rows its test expects."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser
from pathlib import Path

import pytest

from wijkld.serve.query import EXAMPLE_ROWS

QUERIES = Path(__file__).resolve().parents[1] / "queries"


class _Answers(HTMLParser):
    """The answer of each query section: rows of cells, a linked IRI read from its title (the full IRI)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.booleans: dict[str, bool] = {}
        self.section = ""
        self.cell: list[str] | None = None
        self.strong = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "section" and (attributes.get("id") or "").startswith("query-"):
            self.section = (attributes.get("id") or "")[len("query-") :]
        elif tag == "tr" and self.section:
            self.tables.setdefault(self.section, []).append([])
        elif tag == "td" and self.section:
            self.cell = []
        elif tag == "a" and self.cell is not None and attributes.get("title"):
            self.cell.append(attributes["title"] or "")
            self.cell.append("\\0")  # the link text that follows is the IRI's short form
        elif tag == "strong" and self.section:
            self.strong = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self.cell is not None:
            text = "".join(self.cell).split("\\0")[0]
            self.tables[self.section][-1].append(text)
            self.cell = None
        elif tag == "strong":
            self.strong = False

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)
        elif self.strong and self.section:
            self.booleans[self.section] = data.endswith("(true)")


@pytest.fixture(scope="module")
def answers(release_dir: Path) -> _Answers:
    parser = _Answers()
    parser.feed((release_dir / "examples.html").read_text(encoding="utf-8"))
    return parser


@pytest.mark.parametrize("path", sorted(QUERIES.glob("*.rq")), ids=lambda p: p.stem)
def test_each_answer_on_the_page_is_the_tested_answer(answers: _Answers, path: Path) -> None:
    expected = (QUERIES / "expected" / f"{path.stem}.csv").read_text(encoding="utf-8")
    if expected.strip() in ("true", "false"):
        assert answers.booleans[path.stem] is (expected.strip() == "true")
        return
    header, *rows = list(csv.reader(io.StringIO(expected)))
    shown = answers.tables.get(path.stem, [])
    assert shown[0] == [], "the header row holds no data cells"
    assert shown[1:] == rows[:EXAMPLE_ROWS]


def test_a_long_answer_says_it_shows_only_the_first_rows(answers: _Answers, release_dir: Path) -> None:
    longest = max(answers.tables, key=lambda name: len(answers.tables[name]))
    html = (release_dir / "examples.html").read_text(encoding="utf-8")
    section = html.split(f'id="query-{longest}"', 1)[1].split("</section>", 1)[0]
    assert len(answers.tables[longest]) - 1 == EXAMPLE_ROWS
    assert f"de eerste {EXAMPLE_ROWS}, niet alle / the first {EXAMPLE_ROWS}, not all" in section
