"""The example queries in queries/: their headers, their syntax, and their results on a real build.

Every ``queries/*.rq`` starts with ``# title:``, ``# description:``, ``# expected:`` and ``# titel:`` lines. Each
query runs on the N-Quads dump of a release built from data/ (the session fixture ``release_dir``)
with the union of the named graphs as default graph, and must give exactly the rows of its expected
CSV, in order: first in pyoxigraph (which ``wijkld query`` uses), then in rdflib, to keep the
queries portable across engines. No query needs an exception for rdflib today; where an engine
difference is known (Oxigraph returns a triple stated in two graphs twice, rdflib once), the query
is written to avoid it (see queries/README.md).
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, URIRef, Variable
from rdflib.paths import SequencePath
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from wijkld.serve.query import inspect, tokenize

QUERIES = Path(__file__).resolve().parents[1] / "queries"
PATHS = sorted(QUERIES.glob("*.rq"))
NAME = re.compile(r"^\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*\.rq$")
HEADER = (
    re.compile(r"^# title: \S.*\?$"),
    re.compile(r"^# description: \S.{20,}$"),
    re.compile(r"^# expected: (expected/[^/\s]+\.csv)$"),
    re.compile(r"^# titel: \S.*\?$"),  # the question in Dutch, shown first on the pages
)

Rows = list[list[str]]


def expected_path(path: Path) -> Path:
    match = HEADER[2].match(path.read_text(encoding="utf-8").splitlines()[2])
    assert match, f"{path.name}: third line is not '# expected: expected/NAME.csv'"
    return QUERIES / match.group(1)


def read_expected(path: Path) -> Rows | bool:
    """The expected rows (header first) of a SELECT, or the answer of an ASK (a file saying true or false)."""
    text = expected_path(path).read_text(encoding="utf-8")
    if inspect(path.read_text(encoding="utf-8")).form == "ASK":
        assert text.strip() in ("true", "false"), f"{path.name}: an ASK result file holds 'true' or 'false'"
        return text.strip() == "true"
    return list(csv.reader(io.StringIO(text)))


def oxigraph_rows(store: ox.Store, text: str) -> Rows | bool:
    """The result as SPARQL CSV, parsed: what ``wijkld query --format csv`` writes."""
    result = store.query(text, use_default_graph_as_union=True)
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    assert isinstance(result, ox.QuerySolutions)
    return list(csv.reader(io.StringIO(result.serialize(format=ox.QueryResultsFormat.CSV).decode("utf-8"))))


def csv_cell(term: Node | None) -> str:
    """A term as it appears in SPARQL CSV results: the lexical form or IRI, empty when unbound."""
    return "" if term is None else str(term)


def rdflib_rows(dataset: Dataset, text: str) -> Rows | bool:
    result = dataset.query(text)
    if result.type == "ASK":
        return bool(result.askAnswer)
    header = [str(v) for v in result.vars or []]
    return [header] + [[csv_cell(term) for term in row] for row in result]  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def dump(release_dir: Path) -> bytes:
    return gzip.decompress((release_dir / "wijkld.nq.gz").read_bytes())


@pytest.fixture(scope="module")
def store(dump: bytes) -> ox.Store:
    store = ox.Store()
    store.load(dump, format=ox.RdfFormat.N_QUADS)
    return store


@pytest.fixture(scope="module")
def dataset(dump: bytes) -> Dataset:
    dataset = Dataset(default_union=True)
    dataset.parse(data=dump, format="nquads")
    return dataset


def test_there_are_at_least_twenty_queries() -> None:
    assert len(PATHS) >= 20, [p.name for p in PATHS]


def test_the_queries_are_numbered_once_each() -> None:
    assert [p.name for p in PATHS if not NAME.match(p.name)] == []
    numbers = [p.name[:2] for p in PATHS]
    assert len(numbers) == len(set(numbers)), numbers


def test_every_expected_file_belongs_to_a_query() -> None:
    used = {expected_path(p) for p in PATHS}
    assert sorted(p.name for p in (QUERIES / "expected").iterdir() if p not in used) == []


def test_the_readme_lists_every_query() -> None:
    readme = (QUERIES / "README.md").read_text(encoding="utf-8")
    assert [p.name for p in PATHS if f"[{p.name}]({p.name})" not in readme] == []


def test_every_section_of_the_page_has_a_query_that_answers_it() -> None:
    readme = (QUERIES / "README.md").read_text(encoding="utf-8")
    table = readme.split("## The page, section by section", 1)[1].split("\n## ", 1)[0]
    rows = {m[0]: m[1] for m in re.findall(r"^\| `([a-z0-9-]+)` \|[^|]+\| ([\d, ]+) \|$", table, re.M)}
    with open(QUERIES.parent / "data" / "sources.csv", encoding="utf-8", newline="") as f:
        sections = {r["key"] for r in csv.DictReader(f) if r["part_of"] == "page"}
    assert set(rows) == sections, "queries/README.md must list exactly the page's sections"
    numbers = {p.name[:2] for p in PATHS}
    for section, listed in rows.items():
        assert {n.strip() for n in listed.split(",")} <= numbers, f"{section}: a query it names does not exist"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_the_query_starts_with_title_description_expected_and_dutch_title(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    for line, pattern in zip(lines[: len(HEADER)], HEADER, strict=True):
        assert pattern.match(line), f"{path.name}: {line!r} does not match {pattern.pattern}"
    assert expected_path(path) == QUERIES / "expected" / f"{path.stem}.csv"
    assert expected_path(path).is_file(), f"{path.name}: no expected result; see queries/README.md"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_the_query_parses_and_is_deterministic(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    prepareQuery(text)  # rdflib's parser and algebra
    ox.Store().query(text)  # Oxigraph's parser, on an empty store
    form = inspect(text).form
    assert form in ("SELECT", "ASK"), f"{path.name}: a {form} query; the examples are SELECT or ASK"
    if form == "SELECT":
        words = [t.text.upper() for t in tokenize(text) if t.kind == "word" and t.depth == 0]
        assert any(a == "ORDER" and b == "BY" for a, b in zip(words, words[1:], strict=False)), (
            f"{path.name}: a SELECT needs ORDER BY, so its rows come in a fixed order"
        )


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_oxigraph_gives_the_expected_result(store: ox.Store, path: Path) -> None:
    expected = read_expected(path)
    actual = oxigraph_rows(store, path.read_text(encoding="utf-8"))
    if isinstance(expected, list) and expected:
        assert isinstance(actual, list) and actual[:1] == expected[:1], "the columns differ"
        assert len(actual) > 1, f"{path.name} returns no rows"
    assert actual == expected


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_rdflib_gives_the_same_result(dataset: Dataset, path: Path) -> None:
    assert rdflib_rows(dataset, path.read_text(encoding="utf-8")) == read_expected(path)


LANG_FILTER = re.compile(r"""lang\(\s*\?(\w+)\s*\)\s*=\s*["'][a-z-]+["']""", re.IGNORECASE)


def language_filtered_properties(text: str) -> set[str]:
    """The properties whose values a query keeps only in one language: for every variable in a
    ``FILTER(lang(?v) = "..")``, the predicate (or the last step of the property path) that binds it."""
    filtered = set(LANG_FILTER.findall(text))
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):  # rdflib's algebra nodes (CompValue) are dicts
            for triple in node.get("triples") or ():
                if not (isinstance(triple, tuple) and len(triple) == 3):
                    continue  # a part of the parse tree that holds triples further down
                _, predicate, obj = triple
                if isinstance(obj, Variable) and str(obj) in filtered:
                    last = predicate.args[-1] if isinstance(predicate, SequencePath) else predicate
                    if isinstance(last, URIRef):
                        found.add(str(last))
            for value in node.values():
                walk(value)
        elif isinstance(node, (list, tuple)):
            for value in node:
                walk(value)

    walk(prepareQuery(text).algebra)
    return found


def test_the_language_filter_finds_the_property_behind_a_path() -> None:
    text = """PREFIX org: <http://www.w3.org/ns/org#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?t WHERE { ?m org:organization/rdfs:label ?t ; org:role ?r . FILTER(lang(?t) = "nl") }"""
    assert language_filtered_properties(text) == {"http://www.w3.org/2000/01/rdf-schema#label"}


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_a_language_filter_drops_no_untagged_value(store: ox.Store, path: Path) -> None:
    """A query that keeps the Dutch labels would silently lose a value without language tag (a person's
    name, a date): every value of a property it filters by language is language-tagged in the release."""
    for prop in sorted(language_filtered_properties(path.read_text(encoding="utf-8"))):
        untagged = [
            (row["s"].value, row["o"].value)
            for row in store.query(
                f"SELECT ?s ?o WHERE {{ ?s <{prop}> ?o FILTER(isLiteral(?o) && lang(?o) = '') }} LIMIT 3",
                use_default_graph_as_union=True,
            )
        ]
        assert untagged == [], f"{path.name}: <{prop}> has values without language tag, which its filter drops"
