"""``wijkld query`` and the query module: finding, checking, running and writing SPARQL queries.

The release comes from a real build of tests/fixtures/minimal (or data/) when the
build works; otherwise from the small N-Quads file in tests/fixtures/serve/, so
these tests never wait on the rest of the pipeline.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
import tracemalloc
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib.plugins.sparql.parser import parseQuery

from wijkld import build, sparql_lexer
from wijkld.cli.main import cli
from wijkld.errors import WijkldError
from wijkld.model.iris import DEFAULT_BASE
from wijkld.serve import query as sparql

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from lexer import old_tokenize  # noqa: E402 - the pre-issue-13 lexer, the reference of the equivalence tests

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "serve"
RDFS = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
WIJKLD = f"PREFIX wijkld: <{DEFAULT_BASE}/def/>\n"


def make_release(root: Path) -> Path:
    """A release folder: built from the minimal records (or data/) if the build works, else the fixture dump.

    Shared by test_query.py and test_serve.py through the session's base temporary folder.
    """
    out = root / "wijkld-release"
    if (out / sparql.DUMP).is_file():
        return out
    for records in (REPO / "tests" / "fixtures" / "minimal", REPO / "data"):
        if not any(records.glob("*.csv")):
            continue
        try:
            build.run(records, out, DEFAULT_BASE, progress=lambda _: None)
        except Exception:  # noqa: BLE001 - the pipeline may be mid-change; fall back to the fixture
            continue
        if (out / sparql.DUMP).is_file():
            return out
    out.mkdir(parents=True, exist_ok=True)
    (out / sparql.DUMP).write_bytes(gzip.compress((FIXTURES / "wijkld.nq").read_bytes()))
    return out


@pytest.fixture(scope="session")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_release(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="module")
def store(release: Path) -> ox.Store:
    return sparql.load_store(release)


@pytest.fixture()
def examples_here(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the example-query lookup at the test copies (queries/ may still be empty)."""
    monkeypatch.setattr(sparql, "queries_dir", lambda: FIXTURES / "queries")
    yield FIXTURES / "queries"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


# -- the lexer: SERVICE, Update, dataset clauses ------------------------------------------

SERVICE_CASES = [
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", True),
    ("select * where { service silent <http://example.org/sparql> { ?s ?p ?o } }", True),
    ("SELECT * WHERE { ?s ?p ?o .SERVICE <http://example.org/sparql> { ?s ?p ?o } }", True),
    ("SELECT * WHERE { BIND(<http://example.org/> AS ?u) SERVICE ?u { ?s ?p ?o } }", True),
    ("SELECT * WHERE { ?s ?p ?o } # SERVICE <http://example.org/sparql> { }", False),
    ("SELECT * WHERE { ?s ?p 'SERVICE <http://example.org/> {}' }", False),
    ("SELECT * WHERE { ?s ?p '''two\nlines SERVICE <x> {}''' }", False),
    ('SELECT * WHERE { ?s ?p "a \\" SERVICE <x> {}" }', False),
    ("SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }", False),
    ("PREFIX service: <http://example.org/> SELECT * WHERE { ?s service:p ?o }", False),
    ("PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:a.SERVICE ?o }", False),
    ("PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:SERVICE ?o }", False),
    ("SELECT ?service WHERE { ?service ?p ?o }", False),
    ("SELECT * WHERE { ?s ?p 'x'@service }", False),
    # a comment sign inside an escaped local name is not a comment
    ("PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:a\\#b ?o . SERVICE <x> { } }", True),
    # '<' after an operand in an expression compares; '#>' is then a comment, and SERVICE follows
    ("SELECT * WHERE { ?a ?p ?b FILTER(?a<?b)SERVICE?x#>\n{ ?s ?p ?o } }", True),
    # ... but after DISTINCT an IRI starts, whose '#' is not a comment
    ("SELECT (COUNT(DISTINCT <http://x#y>) AS ?n) WHERE { SERVICE <http://e> { ?s ?p ?o } }", True),
    ("SELECT * WHERE { VALUES (?a ?b) { (<http://x/a> <http://x/ns#p>) } SERVICE <http://e> { } }", True),
    ("SELECT * WHERE { VALUES (?a ?b) { (<http://x/a> <http://x/ns#p>) } }", False),
    ("PREFIX ex: <http://x/> SELECT * WHERE { ?s ex:p (<http://x/a> <http://x/b#c>) }", False),
]


@pytest.mark.parametrize(("text", "uses_service"), SERVICE_CASES)
def test_the_lexer_finds_service_only_where_it_is_a_keyword(text: str, uses_service: bool) -> None:
    assert (sparql.inspect(text).service is not None) is uses_service


def _rdflib_service(node: object) -> bool:
    if getattr(node, "name", None) == "ServiceGraphPattern":
        return True
    if isinstance(node, dict):
        return any(_rdflib_service(v) for v in node.values())
    if isinstance(node, list | tuple):
        return any(_rdflib_service(v) for v in node)
    if hasattr(node, "asList"):
        return any(_rdflib_service(v) for v in node)  # pyparsing results
    return False


@pytest.mark.parametrize(("text", "uses_service"), SERVICE_CASES)
def test_the_lexer_agrees_with_rdflibs_parse_tree(text: str, uses_service: bool) -> None:
    """A second opinion from a full SPARQL parser, wherever it can parse the query."""
    try:
        tree = parseQuery(text)
    except Exception:  # noqa: BLE001 - rdflib rejects some valid queries; then there is nothing to compare
        assert text in RDFLIB_REJECTS, "rdflib newly rejects this query"
        return
    assert text not in RDFLIB_REJECTS, "rdflib parses this query now: drop it from RDFLIB_REJECTS"
    assert _rdflib_service(tree) is uses_service


#: Valid SPARQL that rdflib 7.6's parser rejects (escaped local names, DISTINCT IRIs in aggregates, IRIs with '#'
#: in VALUES rows): the lexer is checked on these by the other tests only.
RDFLIB_REJECTS = {
    "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:a\\#b ?o . SERVICE <x> { } }",
    "SELECT (COUNT(DISTINCT <http://x#y>) AS ?n) WHERE { SERVICE <http://e> { ?s ?p ?o } }",
    "SELECT * WHERE { VALUES (?a ?b) { (<http://x/a> <http://x/ns#p>) } SERVICE <http://e> { } }",
}


@given(st.text(max_size=200))
def test_the_lexer_is_total(text: str) -> None:
    tokens = list(sparql_lexer.tokenize(text))
    positions = [(t.line, t.column) for t in tokens]
    assert positions == sorted(positions)
    sparql.inspect(text)


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("PREFIX a: <x:> SELECT * {}", "SELECT"),
        ("BASE <http://x/> ASK {}", "ASK"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE <http://x>", "DESCRIBE"),
        ("INSERT DATA { <a> <b> <c> }", "INSERT"),
        ("PREFIX ex: <x:> DELETE WHERE { ?s ?p ?o }", "DELETE"),
        ("LOAD <http://example.org/data.ttl>", "LOAD"),
        ("CLEAR ALL", "CLEAR"),
        ("DROP GRAPH <http://x>", "DROP"),
        ("WITH <http://x> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH"),
    ],
)
def test_the_lexer_tells_the_form(text: str, form: str) -> None:
    assert sparql.inspect(text).form == form


def test_updates_and_service_are_refused_before_running(store: ox.Store) -> None:
    size = len(store)
    for text in ("INSERT DATA { <http://x> <http://y> <http://z> }", "CLEAR ALL", "DROP DEFAULT"):
        with pytest.raises(sparql.RefusedQuery) as caught:
            sparql.execute(store, text)
        assert caught.value.kind == "update"
        assert "read-only" in caught.value.format_message()
    with pytest.raises(sparql.RefusedQuery) as caught:
        sparql.execute(store, "SELECT * WHERE {\n  SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert caught.value.kind == "service"
    assert "line 2, column 3" in caught.value.format_message()
    assert len(store) == size


# -- syntax errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("SELECT * WHERE { ?s ?p }", 1, 25, "expected"),
        ('SELECT ?s\nWHERE {\n  ?s ?p "unterminated\n}', 3, 22, "expected"),
        ("PREFIX ex <http://x/>\nSELECT * {}", 1, 10, "expected"),
        ("SELECT * WHERE {\n  ?s ex:p ?o }", 2, 6, "undefined prefix 'ex:'"),
        ("SELECT ?x WHERE { ?s ?p ?o } GROUP BY ?s", 1, 41, "variable that is unbound"),
        ("", 1, 1, "syntax error"),
    ],
)
def test_syntax_errors_have_line_and_column(store: ox.Store, text: str, line: int, column: int, words: str) -> None:
    with pytest.raises(sparql.QuerySyntaxError) as caught:
        sparql.execute(store, text)
    error = caught.value
    assert (error.line, error.column) == (line, column)
    message = error.format_message()
    assert message.startswith(f"line {line}, column {column}: ")
    assert words in message
    assert "\\u{" not in message  # the parser's character classes are left out


def test_a_syntax_error_shows_the_line_with_a_caret(store: ox.Store) -> None:
    with pytest.raises(sparql.QuerySyntaxError) as caught:
        sparql.execute(store, "SELECT *\nWHERE { ?s ?p }")
    error = caught.value
    assert (error.line, error.column) == (2, 16)
    assert error.format_message().splitlines()[1:] == ["  WHERE { ?s ?p }", "  " + " " * 15 + "^"]


# -- finding a query ------------------------------------------------------------------------


def test_a_query_is_text_a_file_or_an_example(tmp_path: Path, examples_here: Path) -> None:
    text = "SELECT * WHERE { ?s ?p ?o }"
    assert sparql.resolve_query(text) == text
    path = tmp_path / "mine.rq"
    path.write_text(text, encoding="utf-8")
    assert sparql.resolve_query(str(path)) == text
    expected = (examples_here / "wijken.rq").read_text(encoding="utf-8")
    assert sparql.resolve_query("wijken") == expected
    assert sparql.resolve_query("wijken.rq") == expected
    with pytest.raises(WijkldError, match="Example queries: teams, wijken"):
        sparql.resolve_query("wijkn")


def test_examples_have_titles_from_their_comments() -> None:
    found = sparql.examples(FIXTURES / "queries")
    assert [(name, title) for name, title, _ in found] == [
        ("teams", "Adoption teams and their members"),
        ("wijken", "Wijken and their municipality"),
    ]


def test_a_missing_release_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WijkldError, match="wijkld build"):
        sparql.load_store(tmp_path / "nothing")
    broken = tmp_path / "broken" / sparql.DUMP
    broken.parent.mkdir()
    broken.write_bytes(gzip.compress(b"<http://a> <http://b> .\n"))
    with pytest.raises(WijkldError, match="cannot load the release"):
        sparql.load_store(broken.parent)
    broken.write_bytes(b"not gzip")
    with pytest.raises(WijkldError, match="cannot load the release"):
        sparql.load_store(broken.parent)


def test_a_query_file_may_have_spaces_in_its_path(tmp_path: Path) -> None:
    path = tmp_path / "my queries" / "count all.rq"
    path.parent.mkdir()
    path.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", encoding="utf-8")
    assert sparql.resolve_query(str(path)).startswith("SELECT")
    assert sparql.resolve_query("x" * 5000 + " ?") == "x" * 5000 + " ?"  # too long for a file name: a query


# -- running: graphs, limits --------------------------------------------------------------


def test_the_default_graph_is_the_union_unless_the_query_says_otherwise(store: ox.Store) -> None:
    def count(clauses: str) -> int:
        result = sparql.execute(store, f"SELECT (COUNT(*) AS ?n) {clauses}")
        return int(result.rows[0][0].value)  # type: ignore[union-attr]

    data, vocabulary = f"<{DEFAULT_BASE}/graph/data>", f"<{DEFAULT_BASE}/graph/vocabulary>"
    union = count("WHERE { ?s ?p ?o }")
    in_data = count(f"FROM {data} WHERE {{ ?s ?p ?o }}")
    in_vocabulary = count(f"FROM {vocabulary} WHERE {{ ?s ?p ?o }}")
    assert in_data == count(f"WHERE {{ GRAPH {data} {{ ?s ?p ?o }} }}") > 0
    assert in_vocabulary > 0
    assert union >= in_data + in_vocabulary


def test_a_capped_result_says_so(store: ox.Store) -> None:
    result = sparql.execute(store, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", max_results=7)
    assert len(result.rows) == 7 and result.truncated
    assert "truncated to the first 7 rows" in sparql.table(result)
    data = json.loads(sparql.serialize(result, "json"))
    assert data["truncated"] is True and "7 rows" in data["note"]
    assert len(data["results"]["bindings"]) == 7
    assert b"truncated" in sparql.serialize(result, "xml")
    graph = sparql.execute(store, "CONSTRUCT WHERE { ?s ?p ?o }", max_results=3)
    assert len(graph.triples) == 3 and graph.truncated
    assert sparql.serialize(graph, "turtle").startswith(b"# Result truncated to the first 3 triples")


def _wijk_query() -> str:
    return RDFS + WIJKLD + "SELECT ?wijk ?name WHERE { ?wijk a wijkld:Wijk ; rdfs:label ?name } ORDER BY ?wijk ?name"


def test_every_results_format_carries_the_same_rows(store: ox.Store) -> None:
    result = sparql.execute(store, _wijk_query())
    assert result.rows
    expected = [(row[0].value, row[1].value) for row in result.rows]  # type: ignore[union-attr]
    as_json = json.loads(sparql.serialize(result, "json"))
    assert [(b["wijk"]["value"], b["name"]["value"]) for b in as_json["results"]["bindings"]] == expected
    as_csv = list(csv.reader(io.StringIO(sparql.serialize(result, "csv").decode("utf-8"))))
    assert as_csv[0] == ["wijk", "name"] and [tuple(r) for r in as_csv[1:]] == expected
    tsv = sparql.serialize(result, "tsv").decode("utf-8").splitlines()
    assert tsv[0] == "?wijk\t?name" and len(tsv) == len(expected) + 1
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = ET.fromstring(sparql.serialize(result, "xml"))
    assert [u.text for u in root.findall(".//r:binding[@name='wijk']/r:uri", ns)] == [w for w, _ in expected]
    for fmt in ("json", "xml", "tsv"):  # and Oxigraph reads back what it wrote (CSV is lossy: it refuses)
        back = ox.parse_query_results(sparql.serialize(result, fmt), sparql.SOLUTION_FORMATS[fmt])
        assert len(list(back)) == len(expected)  # type: ignore[arg-type]


def test_graph_results_round_trip_in_every_rdf_format(store: ox.Store) -> None:
    result = sparql.execute(store, WIJKLD + "CONSTRUCT WHERE { ?w a wijkld:Wijk ; ?p ?o }")
    assert result.triples
    for fmt, rdf_format in sparql.GRAPH_FORMATS.items():
        back = list(ox.parse(sparql.serialize(result, fmt), rdf_format))
        assert len(back) == len(result.triples), fmt


def test_special_characters_survive_csv_and_json(store: ox.Store) -> None:
    text = 'SELECT ?x WHERE { BIND("a, \\"b\\"\\nc é" AS ?x) }'
    result = sparql.execute(store, text)
    assert json.loads(sparql.serialize(result, "json"))["results"]["bindings"][0]["x"]["value"] == 'a, "b"\nc é'
    rows = list(csv.reader(io.StringIO(sparql.serialize(result, "csv").decode("utf-8"), newline="")))
    assert rows[1] == ['a, "b"\nc é']


# -- the command ------------------------------------------------------------------------------


def test_query_prints_an_aligned_table(release: Path) -> None:
    code, out = run("query", _wijk_query(), "--dist", str(release))
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0].split("|")[0].strip() == "wijk"
    assert set(lines[1]) <= {"-", "+"}
    assert lines[2].index("|") == lines[0].index("|")  # aligned
    assert "/id/wijk/" in lines[2]
    assert lines[-1].endswith("rows)") or lines[-1] == "(1 row)"


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml"])
def test_query_writes_sparql_results(release: Path, fmt: str) -> None:
    code, out = run("query", _wijk_query(), "--dist", str(release), "--format", fmt)
    assert code == 0, out
    if fmt == "csv":
        wijken = [row["wijk"] for row in csv.DictReader(io.StringIO(out, newline=""))]
    else:
        # no local holds Oxigraph's solutions: CliRunner's traceback keeps this frame alive in a cycle, and
        # the garbage collector may then free them on another thread, which pyoxigraph refuses
        parsed = ox.parse_query_results(out.encode("utf-8"), sparql.SOLUTION_FORMATS[fmt])
        wijken = [row["wijk"].value for row in parsed]  # type: ignore[union-attr]
        del parsed
    assert wijken and all("/id/wijk/" in w for w in wijken)


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "jsonld"])
def test_query_writes_rdf_for_construct(release: Path, fmt: str) -> None:
    code, out = run("query", WIJKLD + "CONSTRUCT WHERE { ?w a wijkld:Wijk }", "--dist", str(release), "-f", fmt)
    assert code == 0, out
    assert list(ox.parse(out.encode("utf-8"), sparql.GRAPH_FORMATS[fmt]))


def test_query_runs_an_example_by_name(release: Path, examples_here: Path) -> None:
    for name in ("wijken", "wijken.rq"):
        code, out = run("query", name, "--dist", str(release))
        assert code == 0, out
        assert out.splitlines()[0].split() == ["wijk", "|", "name", "|", "municipality"]


def test_query_runs_an_rq_file(release: Path) -> None:
    code, out = run("query", str(FIXTURES / "queries" / "teams.rq"), "--dist", str(release), "-f", "csv")
    assert code == 0, out
    assert out.splitlines()[0] == "team,person,name"


@pytest.mark.parametrize("path", sorted((REPO / "queries").glob("*.rq")), ids=lambda p: p.stem)
def test_every_shipped_example_runs(release: Path, path: Path) -> None:
    code, out = run("query", path.stem, "--dist", str(release), "--format", "json")
    assert code == 0, out


def test_query_reports_a_syntax_error_with_line_and_column(release: Path) -> None:
    code, out = run("query", "SELECT *\nWHERE { ?s ?p }", "--dist", str(release))
    assert code == 2
    assert "Error: line 2, column 16:" in out
    assert "Traceback" not in out


def test_query_refuses_service_and_update(release: Path) -> None:
    code, out = run("query", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "--dist", str(release))
    assert code == 2 and "SERVICE" in out and "refused" in out
    code, out = run("query", "INSERT DATA { <http://x> <http://y> <http://z> }", "--dist", str(release))
    assert code == 2 and "read-only" in out


def test_query_without_a_release_is_bad_input(tmp_path: Path) -> None:
    code, out = run("query", "SELECT * WHERE { ?s ?p ?o }", "--dist", str(tmp_path / "missing"))
    assert code == 2
    assert "wijkld build" in out


def test_query_caps_with_max_results(release: Path) -> None:
    code, out = run("query", "SELECT * WHERE { ?s ?p ?o }", "--dist", str(release), "--max-results", "3")
    assert code == 0
    assert "(3 rows)" in out and "truncated to the first 3 rows" in out


def test_a_format_that_does_not_fit_the_result_is_bad_input(release: Path) -> None:
    code, out = run("query", "CONSTRUCT WHERE { ?s ?p ?o }", "--dist", str(release), "-f", "csv")
    assert code == 2 and "turtle" in out


@pytest.mark.parametrize("command", ["query", "serve"])
def test_help_has_examples_and_every_option_is_explained(command: str) -> None:
    code, out = run(command, "--help")
    assert code == 0
    assert "Example" in out
    ctx = cli.make_context("wijkld", [command, "--help"], resilient_parsing=True)
    sub = cli.get_command(ctx, command)
    assert sub is not None
    for param in sub.params:
        if param.name != "help" and isinstance(param, type(sub.params[-1])) and hasattr(param, "help"):
            assert param.help, param.name  # type: ignore[attr-defined]


# -- the lexer is linear, and gives the tokens it always gave -------------------------------------
# The lexer up to issue 13, kept verbatim as the reference in benchmarks/lexer.py (the baseline it is
# timed against there): right, but quadratic on some inputs (``a-a-a-…``, ``'\'\'…``), so it is only
# run on small ones here.


def reference_tokenize(text: str) -> list[tuple[str, str, int, int, int, int]]:
    return [(t.kind, t.text, t.line, t.column, t.depth, t.start) for t in old_tokenize(text)]


def reference_inspect(text: str) -> tuple[str, object, bool, dict[str, str], object]:
    """inspect() up to issue 13 (all tokens in a list), on the reference tokens."""
    form, service, dataset = "", None, False
    prefixes: dict[str, str] = {}
    names = []
    tokens = reference_tokenize(text)
    for i, (kind, value, *_) in enumerate(tokens):
        if kind == "word":
            word = value.upper()
            if not form and word not in ("PREFIX", "BASE") and (word in sparql.QUERY_FORMS or word in UPDATE_WORDS):
                form = word
            if word == "SERVICE" and service is None:
                service = tokens[i]
            if word == "FROM" and tokens[i][4] == 0:
                dataset = True
            if word == "PREFIX" and i + 2 < len(tokens) and tokens[i + 1][0] == "pname":
                if tokens[i + 2][0] == "iri":
                    prefixes[tokens[i + 1][1][:-1]] = tokens[i + 2][1][1:-1]
        elif kind == "pname" and not (i and tokens[i - 1][0] == "word" and tokens[i - 1][1].upper() == "PREFIX"):
            names.append(tokens[i])
    undeclared = next((t for t in names if t[1].split(":", 1)[0] not in prefixes), None)
    return form, service, dataset, prefixes, undeclared


UPDATE_WORDS = sparql.UPDATE_KEYWORDS


def tokens_of(text: str) -> list[tuple[str, str, int, int, int, int]]:
    return [(t.kind, t.text, t.line, t.column, t.depth, t.start) for t in sparql_lexer.tokenize(text)]


def info_of(text: str) -> tuple[str, object, bool, dict[str, str], object]:
    info = sparql.inspect(text)
    assert info.too_deep is None and info.too_many is None
    return info.form, _fields(info.service), info.dataset, info.prefixes, _fields(info.undeclared)


def _fields(token: sparql_lexer.Token | None) -> tuple[str, str, int, int, int, int] | None:
    return None if token is None else (token.kind, token.text, token.line, token.column, token.depth, token.start)


#: Characters where terminals start, end or overlap: quotes and backslashes (strings), name characters
#: that may or may not end in a colon (prefixed names, words), '<' (IRI or less-than), and the rest.
TRICKY = list("'\"\\<>:.-_a-Z9é·\u0300\u1680()[]{}#\n\r\t ?$@%,;|!=^&eE+*/") + [
    "'''",
    '"""',
    "\\'",
    '\\"',
    "ex:",
    "a.b",
    "-a",
    "_:b",
    "%4F",
    "\\#",
    "<http://x/>",
    "?x",
    "VALUES",
    "FILTER",
    "PREFIX",
    "SELECT",
    "SERVICE",
    "true",
]
SPARQL_PIECES = [
    "SELECT * WHERE { ",
    "?s ?p ?o ",
    " } ",
    "FILTER(",
    ")",
    "?a<?b",
    "<http://example.org/a#b> ",
    "PREFIX ex: <http://x/> ",
    "ex:a.b ",
    "ex:a\\#b ",
    "'str' ",
    '"str\\"q" ',
    "'''long\n''' ",
    '"""x""" ',
    "'unclosed ",
    "@en-GB ",
    "_:b1 ",
    "1.5e3 ",
    ".5 ",
    "VALUES (?a ?b) { (<http://x/a> 1) } ",
    "SERVICE <http://x> { } ",
    "# comment\n",
    "COUNT(DISTINCT <http://x#y>) ",
    "[ ",
    "] ",
    ". ",
    "; ",
    "\n",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(TRICKY), max_size=40).map("".join))
def test_the_lexer_gives_the_tokens_it_always_gave_on_tricky_text(text: str) -> None:
    assert tokens_of(text) == reference_tokenize(text)
    assert info_of(text) == reference_inspect(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(SPARQL_PIECES), max_size=30).map("".join))
def test_the_lexer_gives_the_tokens_it_always_gave_on_sparql_like_text(text: str) -> None:
    assert tokens_of(text) == reference_tokenize(text)
    assert info_of(text) == reference_inspect(text)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="'\"\\<>:.-a_é1 \n#(?%", max_size=30))
def test_the_lexer_gives_the_tokens_it_always_gave_on_dense_text(text: str) -> None:
    """Few characters, so that the rare meetings (``a.:``, ``'\\'``, ``\\'''``) come up often."""
    assert tokens_of(text) == reference_tokenize(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_the_lexer_gives_the_tokens_it_always_gave_on_any_text(text: str) -> None:
    assert tokens_of(text) == reference_tokenize(text)


EXAMPLE_QUERIES = sorted((REPO / "queries").glob("*.rq")) + sorted((FIXTURES / "queries").glob("*.rq"))


@pytest.mark.parametrize("path", EXAMPLE_QUERIES, ids=lambda p: p.stem)
def test_the_lexer_gives_the_tokens_it_always_gave_on_the_example_queries(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert tokens_of(text) == reference_tokenize(text)
    assert info_of(text) == reference_inspect(text)


MIB = 1 << 20
KIB_256 = 1 << 18


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        pytest.param(("a-" * MIB)[:MIB], MIB, id="a-a-a 1 MiB"),  # the prefix of a name, never a colon
        pytest.param("a." * (KIB_256 // 2), KIB_256, id="a.a.a"),
        pytest.param("1-a" * (KIB_256 // 3), 2 * (KIB_256 // 3) + 1, id="1-a1-a1"),
        pytest.param("é" * KIB_256, KIB_256, id="non-ascii-letters"),
        pytest.param("'\\" * (KIB_256 // 2), KIB_256, id="escaped-quotes"),  # a string never closed
        pytest.param("'''" + "a" * (MIB - 3), 3, id="unclosed-long-string 1 MiB"),
        pytest.param('"""' + '\\"""a' * (MIB // 5), None, id="escaped-long-quotes 1 MiB"),
        pytest.param("<" + "a" * (MIB - 1), 2, id="unclosed-iri 1 MiB"),
        pytest.param("(" * KIB_256, KIB_256, id="parentheses"),
    ],
)
def test_the_lexer_reads_each_character_a_bounded_number_of_times(text: str, tokens: int | None) -> None:
    """Each scan that finds no token is remembered, not repeated: ``wasted`` stays within a few times the length.

    ``wasted`` counts the characters read by scans that found no token; the lexer up to issue 13 read
    about n^2/2 of them on these inputs (64k characters of a-a-a-: 17 s). A quarter MiB where every
    character is a token, to keep the test quick; the bound does not depend on the size.
    """
    memo = sparql_lexer.LexMemo()
    count = sum(1 for _ in sparql_lexer.tokenize(text, memo))
    if tokens is not None:
        assert count == tokens
    assert memo.wasted <= 5 * len(text)  # one failed name run, and per quote one short and one long string


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("'''" + "a" * MIB, id="unclosed-long-string"),
        pytest.param("'''" + "a'" * (MIB // 2) + "'''", id="long-string"),
        pytest.param("ex:" + "a" * MIB, id="local-name"),
        pytest.param("ex:" + "%41" * (MIB // 3) + "...", id="local-name-escapes"),
        pytest.param("@en" + "-a" * (MIB // 2), id="language-tag"),
    ],
)
def test_lexing_1_mib_needs_memory_for_the_text_not_per_character(text: str) -> None:
    """A repeated group in a regular expression keeps a state per repetition: 120 to 320 MiB for
    these 1 MiB inputs before issue 13 (a query worker has 512 MiB by default). Now: the longest
    token, and little else."""
    assert _peak_memory(lambda: sparql.inspect(text)) < 4 * MIB


def test_inspect_keeps_no_list_of_tokens() -> None:
    text = "SELECT * WHERE { " + "?x " * 20_000  # 60 kB; a list of its tokens took about 3 MB
    assert _peak_memory(lambda: sparql.inspect(text)) < 512 * 1024


def _peak_memory(work: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# -- limits on nesting and chains -----------------------------------------------------------------


def _nested(open_: str, close: str, depth: int) -> str:
    """A valid query whose innermost bracket is at ``depth`` (counting the braces of WHERE)."""
    if open_ == "{":
        return "SELECT * WHERE " + "{ " * depth + "?s ?p ?o " + "} " * depth
    if open_ == "[":
        return "SELECT * WHERE { ?s ?p " + "[ ?p " * (depth - 1) + "?o" + " ]" * (depth - 1) + " }"
    return "SELECT * WHERE { FILTER" + "(" * (depth - 1) + "true" + ")" * (depth - 1) + " }"


@pytest.mark.parametrize(("open_", "close"), [("(", ")"), ("[", "]"), ("{", "}")])
def test_brackets_may_nest_to_the_limit_and_no_deeper(store: ox.Store, open_: str, close: str) -> None:
    at_limit = _nested(open_, close, sparql.MAX_NESTING)
    assert max(t.depth for t in sparql_lexer.tokenize(at_limit)) == sparql.MAX_NESTING
    sparql.execute(store, at_limit)  # runs
    too_deep = _nested(open_, close, sparql.MAX_NESTING + 1)
    with pytest.raises(sparql.QueryTooComplex) as caught:
        sparql.execute(store, too_deep)
    opening = [t for t in sparql_lexer.tokenize(too_deep) if t.text == open_ and t.depth == sparql.MAX_NESTING][0]
    assert (caught.value.line, caught.value.column) == (1, opening.column)
    message = caught.value.format_message()
    assert message.startswith(f"line 1, column {opening.column}: brackets nested more than 64 deep")


@pytest.mark.parametrize(
    "chain",
    [
        "SELECT * WHERE { FILTER(1" + " + 1" * 600 + " > 0) }",
        "SELECT * WHERE { {}" + " UNION {}" * 600 + " }",
        "SELECT * WHERE { ?s ?p ?o " + "MINUS { ?s ?p ?o } " * 600 + "}",
        "SELECT " + " ".join(f"(1 AS ?v{i})" for i in range(600)) + " WHERE { }",
    ],
    ids=["plus", "union", "minus", "select-expressions"],
)
def test_long_chains_of_operators_are_refused_before_oxigraph(chain: str) -> None:
    with pytest.raises(sparql.QueryTooComplex) as caught:
        sparql.check_query(chain)
    assert "more than 500 operators" in caught.value.format_message()
    assert caught.value.line == 1 and caught.value.column > 1


def test_flat_lists_do_not_count_as_operators(store: ox.Store) -> None:
    values = "SELECT * WHERE { VALUES (?a ?b) { " + "(-1 +2) " * 2000 + "} }"
    listed = "SELECT * WHERE { FILTER(1 IN (" + ", ".join("1" for _ in range(2000)) + ")) }"
    for text in (values, listed):
        assert sparql.inspect(text).too_many is None
        sparql.execute(store, text, max_results=1)


def test_an_error_on_a_long_line_shows_a_short_excerpt() -> None:
    text = "SELECT * WHERE { FILTER(" + "(" * 200_000 + "1" + ")" * 200_000 + ") }"
    with pytest.raises(sparql.QueryTooComplex) as caught:
        sparql.check_query(text)
    message = caught.value.format_message()
    assert len(message) < 400
    excerpt, caret = message.splitlines()[1:]
    assert excerpt.startswith("  …") and excerpt.endswith("…")
    assert caret.index("^") == excerpt.index("(" * 60) + 60  # the caret under the bracket past the limit


def test_inspect_stops_at_the_first_token_past_a_limit() -> None:
    text = "SELECT * WHERE {" + " ?x" + " + ?x" * 1000 + " SERVICE <http://x> {} }"
    info = sparql.inspect(text)
    assert info.too_many is not None and info.too_many.text == "+"
    assert info.service is None  # never reached: the query is refused anyway


# -- the table never lets data drive the terminal -------------------------------------------------


def test_control_characters_are_escaped_in_the_table(store: ox.Store) -> None:
    text = r'SELECT ?x ?y WHERE { BIND("\u001B[31mred\u0007 \u009B2J" AS ?x) BIND("abc\u202Egpj.exe" AS ?y) }'
    result = sparql.execute(store, text)
    shown = sparql.table(result)
    assert "\x1b" not in shown and "\x07" not in shown and "\x9b" not in shown and "\u202e" not in shown
    assert "\\x1b[31mred\\x07 \\x9b2J" in shown
    assert "abc\\u202egpj.exe" in shown
    assert b"\x1b[31mred" in sparql.serialize(result, "csv")  # data formats keep the data exact


def test_printable_leaves_ordinary_text_alone() -> None:
    ordinary = "Berflo Es – wijk 5, “Hengelo” é ü ß 中文 🙂 tab-free"
    assert sparql.printable(ordinary) == ordinary
    assert sparql.printable("a\x00b\x7fc") == "a\\x00b\\x7fc"
