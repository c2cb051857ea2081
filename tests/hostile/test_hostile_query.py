"""``wijkld query`` against hostile queries (issue 13): deep nesting, long chains, huge pathological text,
escape sequences in the data.

Before issue 13, 5,000 nested parentheses crashed the process (SIGSEGV, exit 139: Oxigraph's
recursive parser ran out of stack), and a 64k run of ``a-a-a-…`` took the lexer 17 s. Each case runs
the real entry point and asserts the exit code, the message, and that the release is untouched.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from conftest import RunWijkld, assert_release_intact

NESTED = {
    "parentheses": "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
    "brackets": "SELECT * WHERE { ?s ?p " + "[ ?p " * 5000 + "?o" + " ]" * 5000 + " }",
    "subqueries": "SELECT * WHERE " + "{ SELECT * WHERE " * 3000 + "{ ?s ?p ?o }" + " }" * 3000,
    "function-calls": "SELECT * WHERE { BIND(" + "STR(" * 5000 + "1" + ")" * 5000 + " AS ?x) }",
    "path-parentheses": "SELECT * WHERE { ?s " + "(" * 20000 + "<http://x/p>" + ")" * 20000 + " ?o }",
    "negated-path": "SELECT * WHERE { ?s !(" + "(" * 5000 + "<http://x/p>" + ")" * 5000 + ") ?o }",
    "not-exists": "SELECT * WHERE " + "{ FILTER NOT EXISTS " * 2000 + "{ }" + " }" * 2000,
}


@pytest.mark.parametrize("text", NESTED.values(), ids=NESTED.keys())
def test_deep_nesting_is_refused_with_exit_2_not_a_crash(wijkld: RunWijkld, published: Path, text: str) -> None:
    done = wijkld("query", text, "--dist", str(published))
    assert done.returncode == 2, done.stderr  # was 139 (SIGSEGV) for parentheses
    assert "brackets nested more than 64 deep" in done.stderr
    assert "Error: line 1, column " in done.stderr
    assert "Traceback" not in done.stderr
    assert_release_intact(published)


def test_deep_nesting_in_an_rq_file_names_the_line_and_column(
    wijkld: RunWijkld, published: Path, tmp_path: Path
) -> None:
    query = tmp_path / "deep.rq"
    query.write_text("# nested\nSELECT *\nWHERE " + "{ " * 100 + "?s ?p ?o" + " }" * 100 + "\n", encoding="utf-8")
    done = wijkld("query", str(query), "--dist", str(published))
    assert done.returncode == 2, done.stderr
    assert "Error: line 3, column 135: brackets nested more than 64 deep" in done.stderr  # "WHERE " + 64 "{ "
    assert_release_intact(published)


CHAINS = {
    "plus": "SELECT * WHERE { FILTER(1" + " + 1" * 10000 + " > 0) }",
    "or": "SELECT * WHERE { FILTER(false" + " || false" * 10000 + ") }",
    "union": "SELECT * WHERE { {}" + " UNION {}" * 10000 + " }",
    "minus": "SELECT * WHERE { ?s ?p ?o " + "MINUS { ?s ?p ?o } " * 3000 + "}",
}


@pytest.mark.parametrize("text", CHAINS.values(), ids=CHAINS.keys())
def test_long_flat_chains_are_refused_with_exit_2_not_a_crash(wijkld: RunWijkld, published: Path, text: str) -> None:
    """No brackets nest here, but Oxigraph's algebra does: 6,912 '+' or 2,624 MINUS crashed it."""
    done = wijkld("query", text, "--dist", str(published))
    assert done.returncode == 2, done.stderr
    assert "more than 500 operators" in done.stderr and "Error: line 1, column " in done.stderr
    assert_release_intact(published)


PATHOLOGICAL = {  # 1 MiB each; quadratic for the lexer up to issue 13 (or, for '(((', a crash)
    "a-a-a": ("a-" * (1 << 19), "more than 500 operators"),
    "unclosed-long-string": ("SELECT * WHERE { ?s ?p '''" + "a" * (1 << 20), "line 1, column"),
    "unclosed-iri": ("SELECT * WHERE { ?s ?p <" + "a" * (1 << 20), "line 1, column"),
    "parentheses": ("(" * (1 << 20), "brackets nested more than 64 deep"),
}


@pytest.mark.parametrize(("text", "message"), PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_a_huge_pathological_query_file_is_read_and_refused(
    wijkld: RunWijkld, published: Path, tmp_path: Path, text: str, message: str
) -> None:
    query = tmp_path / "huge.rq"
    query.write_text(text, encoding="utf-8")
    done = wijkld("query", str(query), "--dist", str(published), timeout=120)
    assert done.returncode == 2, done.stderr[-2000:]
    assert message in done.stderr
    assert len(done.stderr) < 2000  # the excerpt is clipped, not the whole 1 MiB line
    assert_release_intact(published)


def test_escape_sequences_in_the_data_do_not_reach_the_terminal(wijkld: RunWijkld, published: Path) -> None:
    text = r'SELECT ?x WHERE { BIND("\u001B[31mred\u001B[0m \u001B]0;pwned\u0007 \u009B2J" AS ?x) }'
    table = wijkld("query", text, "--dist", str(published))
    assert table.returncode == 0, table.stderr
    assert not any(c in table.stdout for c in "\x1b\x07\x9b")
    assert "\\x1b[31mred\\x1b[0m \\x1b]0;pwned\\x07 \\x9b2J" in table.stdout
    as_csv = wijkld("query", text, "--dist", str(published), "--format", "csv")
    assert "\x1b[31mred" in as_csv.stdout  # a data format keeps the data exact
    assert_release_intact(published)


def sort_panic_query() -> str:
    """A query that panics Oxigraph 0.5's ORDER BY: its comparator is not a total order over mixed
    dates, times, NaN and strings, and Rust's sort aborts the process when it notices. Whether it
    notices depends on the values' order, so the values come from a fixed seed (found by search; the
    published data decided it before, and changed). If a new Oxigraph sorts them, find another."""
    rng = random.Random(21)
    xsd = "http://www.w3.org/2001/XMLSchema#"

    def day() -> str:
        return f"{rng.randrange(2000, 2010)}-0{rng.randrange(1, 9)}-1{rng.randrange(0, 9)}"

    def zone() -> str:
        return rng.choice(["Z", "+14:00", "-14:00"])

    makers = [
        lambda: f'"{day()}T{rng.randrange(10, 23)}:00:00"^^<{xsd}dateTime>',
        lambda: f'"{day()}T{rng.randrange(10, 23)}:00:00{zone()}"^^<{xsd}dateTime>',
        lambda: f'"NaN"^^<{xsd}double>',
        lambda: str(rng.randrange(100)),
        lambda: f'"{day()}"^^<{xsd}date>',
        lambda: f'"{day()}{zone()}"^^<{xsd}date>',
        lambda: f'"s{rng.randrange(100)}"',
        lambda: f'"{rng.randrange(2000, 2010)}"^^<{xsd}gYear>',
    ]
    values = [makers[rng.randrange(len(makers))]() for _ in range(400)]
    return "SELECT ?c WHERE { VALUES ?c { " + " ".join(values) + " } } ORDER BY ?c"


def test_a_query_that_crashes_the_engine_is_a_message_not_a_crash(wijkld: RunWijkld, published: Path) -> None:
    """Oxigraph panics on some ORDER BY (:func:`sort_panic_query`): it killed `wijkld query` (exit 134).
    The audit's cross join panics too, after half a minute of sorting."""
    result = wijkld("query", sort_panic_query(), "--dist", str(published))
    assert result.returncode == 3, result.stderr
    assert result.stderr.startswith("Error: the query crashed the query engine (Oxigraph: ")
    assert "stack backtrace" not in result.stderr and "panicked at" not in result.stderr
    assert_release_intact(published)


def test_a_query_over_its_memory_cap_is_stopped(wijkld: RunWijkld, published: Path) -> None:
    text = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d LIMIT 1"
    result = wijkld("query", text, "--dist", str(published), "--max-memory", "256M")
    assert result.returncode == 2, result.stderr
    assert result.stderr == "Error: the query needed more than 256 MiB of memory and was stopped (--max-memory)\n"
    assert_release_intact(published)


def test_a_query_over_its_time_limit_is_stopped(wijkld: RunWijkld, published: Path) -> None:
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    result = wijkld("query", text, "--dist", str(published), "--timeout", "1")
    assert result.returncode == 2, result.stderr
    assert result.stderr == "Error: query timeout: the query ran longer than 1 s and was stopped\n"


def test_a_bad_memory_size_is_a_usage_error(wijkld: RunWijkld, published: Path) -> None:
    result = wijkld("query", "SELECT * WHERE {}", "--dist", str(published), "--max-memory", "lots")
    assert result.returncode == 2
    assert "Invalid value for --max-memory: 'lots' is not a size" in result.stderr
