"""Run SPARQL over a published release in an embedded Oxigraph store, read-only.

Used by ``wijkld query`` and by every worker of ``wijkld serve``: load the
N-Quads dump (:func:`load_store`), find the query (:func:`resolve_query`),
refuse what must not run (:func:`check_query`), run it with a cap on the
result size (:func:`execute`) and write the result (:func:`serialize`,
:func:`table`).

Why Oxigraph: a compiled (Rust) SPARQL 1.1 engine with a Python binding that
is already a dependency (the build writes its dumps with it); it loads this
dataset in milliseconds and, served over HTTP, answered about 30 times as
many requests per second as rdflib's pure-Python engine (benchmarks/README.md).

Named graphs are kept as published ({base}/graph/data, /vocabulary, /shapes,
/metadata). A query without FROM or FROM NAMED sees the union of all graphs as
its default graph, so nobody has to know the graph names to get answers; with a
dataset clause the query gets exactly what it asked for, and GRAPH works as usual.

SERVICE and SPARQL Update are refused *before* anything runs. Detection is a
lexer (:func:`tokenize`) that follows the terminals of the SPARQL 1.1 grammar:
IRIs, the four string forms, comments, prefixed names (with ``\\#``-style
escapes), variables, language tags and blank-node labels are single tokens, so
"SERVICE" inside a comment, a string, an IRI, a prefixed name such as
``service:x`` or ``ex:a.SERVICE``, a variable or a language tag never counts,
and the keyword SERVICE anywhere else always does (a keyword is only ever a
keyword). The one context-dependent terminal, ``<`` (less-than or start of an
IRI), is decided as Oxigraph's parser decides it: a comparison directly after an
operand inside an expression's parentheses, an IRI everywhere else. We chose a
lexer over rdflib's SPARQL parser (``parseQuery`` and a walk for
``ServiceGraphPattern``) because it costs microseconds instead of milliseconds on
every request, and because it does not depend on a second parser agreeing with
Oxigraph's grammar: rdflib rejects some queries Oxigraph accepts, and a parse
failure must not open a hole. The tests cross-check the lexer against rdflib's
parse tree on tricky queries. ``wijkld serve`` adds a second, independent guard:
its worker processes cannot open network sockets at all (see serve.py).

The lexer reads any text in time linear in its length (see :class:`LexMemo`),
so that hostile input costs no more than its size. It also refuses, before
Oxigraph sees the text, queries that nest brackets more than
:data:`MAX_NESTING` deep or chain more than :data:`MAX_OPERATORS` operators:
Oxigraph's recursive parser and evaluator overflow the stack on those and take
the whole process down (SIGSEGV), which no ``try`` can catch.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from wijkld import inputs
from wijkld.errors import WijkldError
from wijkld.model.curie import longest_first, shorten, used_prefixes
from wijkld.model.iris import NQUADS_DUMP
from wijkld.resources import resource_dir
from wijkld.sparql_lexer import Token, tokenize

DUMP = NQUADS_DUMP

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})

#: Result formats by short name: SELECT and ASK results, and graphs (CONSTRUCT, DESCRIBE).
SOLUTION_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class QuerySyntaxError(WijkldError):
    """The query does not parse; ``line`` and ``column`` count from 1."""

    def __init__(self, message: str, line: int, column: int, excerpt: str = "") -> None:
        self.line, self.column, self.detail = line, column, message
        text = f"line {line}, column {column}: {message}"
        super().__init__(f"{text}\n{excerpt}" if excerpt else text)


class QueryTooComplex(QuerySyntaxError):
    """Nested or chained past MAX_NESTING or MAX_OPERATORS: refused before Oxigraph, whose parser would crash."""

    def __init__(self, message: str, token: Token, text: str) -> None:
        super().__init__(message, token.line, token.column, _excerpt(text, token.line, token.column))


class RefusedQuery(WijkldError):
    """A well-formed request we will not run: SPARQL Update (``kind='update'``) or SERVICE (``'service'``)."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        super().__init__(message)


class EvaluationError(WijkldError):
    """The query parsed but failed while running (a type error Oxigraph raises, a store error)."""


# -- the release -------------------------------------------------------------


def dump_path(dist: Path) -> Path:
    """The N-Quads dump of a release folder (or the dump itself); a clear error when it is missing.

    Anything else that is there (a FIFO, a device, a symlink loop) is returned for :func:`load_store`,
    which says what it is (wijkld.inputs): "not found" would send the user looking in the wrong place.
    """
    path = dist / DUMP if os.path.isdir(dist) else dist
    if not os.path.lexists(path):  # os.path: a permission error here is load_store's to explain
        raise WijkldError(f"{path} not found: build the release first (wijkld build --out {dist})")
    return path


def load_store(dist: Path) -> ox.Store:
    """An in-memory store with every quad of the release, named graphs kept.

    The dump is inflated as Oxigraph reads it, capped (wijkld.inputs): a gzip bomb in a release folder
    stops with a message instead of taking the memory of the machine that serves it.
    """
    path = dump_path(dist)
    store = ox.Store()
    with inputs.open_input(path, what="load the release") as handle:
        try:
            store.load(handle, format=ox.RdfFormat.N_QUADS)
        except (SyntaxError, ValueError) as exc:
            raise WijkldError(f"{path}: cannot load the release ({exc})") from None
    return store


# -- finding the query ---------------------------------------------------------


def queries_dir() -> Path:
    """The example queries shipped with wijkld (queries/ in the repository or the wheel)."""
    return resource_dir("queries")


def resolve_query(argument: str, folder: Path | None = None) -> str:
    """The SPARQL text for ``argument``: a query itself, a path to an .rq file, or an example's name.

    An existing file wins; then text with whitespace or braces is a query;
    then ``folder``/NAME(.rq). An unknown name lists the examples, so a typo
    does not turn into a confusing syntax error.
    """
    if not re.search(r"[\n{}]", argument) and _is_file(Path(argument)):
        return _read(Path(argument))
    if re.search(r"[\s{}]", argument):
        return argument
    try:
        folder = folder if folder is not None else queries_dir()
    except FileNotFoundError:
        folder = None
    if folder is not None:
        for candidate in (folder / argument, folder / f"{argument}.rq"):
            if candidate.is_file():
                return _read(candidate)
    names = ", ".join(name for name, _, _ in examples(folder)) if folder is not None else ""
    hint = f" Example queries: {names}." if names else ""
    raise WijkldError(f"{argument!r} is neither a SPARQL query, nor a file, nor an example query.{hint}")


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name too long for the file system, say
        return False


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise WijkldError(f"{path}: cannot read the query ({exc})") from None


def examples(folder: Path | None = None) -> list[tuple[str, str, str]]:
    """(name, title, text) of each example query, from its ``# title:`` comment; sorted by name."""
    try:
        folder = folder if folder is not None else queries_dir()
    except FileNotFoundError:
        return []
    found = []
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        title = next((ln.split(":", 1)[1].strip() for ln in text.splitlines() if ln.startswith("# title:")), "")
        found.append((path.stem, title or path.stem, text))
    return found


#: Rows of an example's answer that the release's examples page shows; the rest is a query away.
EXAMPLE_ROWS = 60


def answer_examples(dump: Path, scratch: Path, folder: Path | None = None) -> dict[str, Result]:
    """Each example query's answer on the release whose N-Quads are ``dump``: at most EXAMPLE_ROWS rows each.

    The pages show what this release answers, not what a test expected of another build. The store
    is on disk in ``scratch`` (bulk-loaded), so a large release costs disk, not memory.
    """
    found = examples(folder)
    if not found:
        return {}
    store = ox.Store(str(scratch))
    with inputs.open_input(dump, what="answer the example queries") as handle:
        store.bulk_load(handle, ox.RdfFormat.N_QUADS)  # type: ignore[arg-type]
    try:
        return {name: execute(store, text, max_results=EXAMPLE_ROWS) for name, _, text in found}
    finally:
        del store


#: Brackets ((), [], {}) a query may nest. Oxigraph parses and evaluates queries recursively: with the
#: default 8 MiB stack it crashed (SIGSEGV) at 712 levels of FILTER(EXISTS {, 848 of FILTER NOT EXISTS {,
#: 960 nested function calls, 2,208 braces, 4,672 parentheses (benchmarks/README.md). Example queries
#: nest at most 5 deep.
MAX_NESTING = 64
#: Operators and pattern keywords a query may chain (see _OPERATOR_PUNCT, _OPERATOR_WORDS): each adds a
#: level to Oxigraph's algebra even without brackets, so long flat chains crash it too: 2,624 BINDs,
#: MINUS groups or SELECT expressions, 6,656 UNIONs, 6,912 + or *. Example queries use at most 39.
MAX_OPERATORS = 500
_OPERATOR_PUNCT = frozenset({"||", "&&", "!", "+", "-", "*", "/", "|", "^", "=", "!=", "<", ">", "<=", ">="})
_OPERATOR_WORDS = frozenset(
    {"UNION", "OPTIONAL", "MINUS", "FILTER", "BIND", "GRAPH", "SERVICE", "EXISTS", "VALUES", "AS", "IN"}
)


@dataclass(frozen=True)
class QueryInfo:
    """What the lexer tells about a query before it runs."""

    form: str  # SELECT, ASK, CONSTRUCT, DESCRIBE; an update keyword; "" if none was found
    service: Token | None  # the first SERVICE keyword
    dataset: bool  # a FROM or FROM NAMED clause
    prefixes: dict[str, str] = field(default_factory=dict)
    undeclared: Token | None = None  # the first prefixed name whose prefix is not declared
    too_deep: Token | None = None  # the bracket that opened level MAX_NESTING + 1 (lexing stopped there)
    too_many: Token | None = None  # operator number MAX_OPERATORS + 1 (lexing stopped there)

    @property
    def is_update(self) -> bool:
        return self.form in UPDATE_KEYWORDS


def inspect(text: str) -> QueryInfo:
    """Form, SERVICE use, dataset clause, prefixes and size limits of a query, from its tokens.

    Reads the tokens one by one and keeps only what it reports, so a huge query costs no more
    memory than a small one; it stops at the first token past a limit (MAX_NESTING, MAX_OPERATORS).
    """
    form = ""
    service: Token | None = None
    dataset = False
    prefixes: dict[str, str] = {}
    first_use: dict[str, Token] = {}  # prefix -> the first prefixed name with it, not in a PREFIX declaration
    too_deep: Token | None = None
    too_many: Token | None = None
    operators = 0
    values_brace = -1  # depth of the brace of the VALUES data block being read; -1 outside one
    pending_values = False
    before = (Token("", "", 0, 0, 0), Token("", "", 0, 0, 0))  # the two tokens before this one
    for token in tokenize(text):
        kind, value = token.kind, token.text
        if kind == "punct" and value in "([{" and token.depth >= MAX_NESTING:
            too_deep = token
            break
        in_values = values_brace >= 0 and token.depth > values_brace
        if values_brace >= 0 and not in_values:
            values_brace = -1
        if kind == "word":
            word = value.upper()
            if not form and word not in ("PREFIX", "BASE") and (word in QUERY_FORMS or word in UPDATE_KEYWORDS):
                form = word
            if word == "SERVICE" and service is None:
                service = token
            if word == "FROM" and token.depth == 0:
                dataset = True
            pending_values = pending_values or word == "VALUES"
            operators += word in _OPERATOR_WORDS
        elif kind == "pname":
            if not (before[1].kind == "word" and before[1].text.upper() == "PREFIX"):
                first_use.setdefault(value.split(":", 1)[0], token)
        elif kind == "iri" and before[1].kind == "pname" and before[0].kind == "word":
            if before[0].text.upper() == "PREFIX":
                prefixes[before[1].text[:-1]] = value[1:-1]
        elif kind == "punct":
            if value == "{" and pending_values:
                values_brace, pending_values = token.depth, False
            elif not in_values:  # a data block of VALUES is a flat list: signed numbers there are no operators
                operators += value in _OPERATOR_PUNCT
        if operators > MAX_OPERATORS:
            too_many = token
            break
        before = (before[1], token)
    undeclared = next((t for prefix, t in first_use.items() if prefix not in prefixes), None)
    return QueryInfo(form, service, dataset, prefixes, undeclared, too_deep, too_many)


def update_message(form: str) -> str:
    return f"SPARQL Update ({form}) is refused: this is a read-only query service over a release."


def check_query(text: str) -> QueryInfo:
    """Refuse SPARQL Update, SERVICE and queries past the size limits with a message; else what the lexer found."""
    info = inspect(text)
    if info.is_update:
        raise RefusedQuery("update", update_message(info.form))
    if info.service is not None:
        where = f"line {info.service.line}, column {info.service.column}"
        raise RefusedQuery(
            "service", f"SERVICE ({where}) is refused: queries run on this release only and never fetch remote data."
        )
    if info.too_deep is not None:
        raise QueryTooComplex(
            f"brackets nested more than {MAX_NESTING} deep; a query may nest (), [] and {{}} at most {MAX_NESTING} "
            "levels (deeper nesting crashes the query engine)",
            info.too_deep,
            text,
        )
    if info.too_many is not None:
        raise QueryTooComplex(
            f"more than {MAX_OPERATORS} operators; a query may combine at most {MAX_OPERATORS} operators and "
            "UNION, OPTIONAL, MINUS, FILTER, BIND, VALUES and the like (longer chains crash the query engine); "
            "for long lists of alternatives use VALUES or IN",
            info.too_many,
            text,
        )
    return info


# -- running -------------------------------------------------------------------


@dataclass
class Result:
    """A query result, at most ``limit`` rows or triples (``truncated`` when there were more)."""

    kind: str  # "solutions" (SELECT), "boolean" (ASK) or "graph" (CONSTRUCT, DESCRIBE)
    variables: tuple[str, ...] = ()
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool = False
    triples: list[ox.Triple] = field(default_factory=list)
    truncated: bool = False
    limit: int | None = None
    prefixes: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.rows) if self.kind == "solutions" else len(self.triples) if self.kind == "graph" else 1


def execute(
    store: ox.Store,
    text: str,
    max_results: int | None = None,
    default_graphs: list[str] | None = None,
    named_graphs: list[str] | None = None,
    info: QueryInfo | None = None,
) -> Result:
    """Run a read-only query; raise QuerySyntaxError, RefusedQuery or EvaluationError.

    ``default_graphs`` and ``named_graphs`` are the SPARQL Protocol's
    default-graph-uri and named-graph-uri; without them (and without FROM in the
    query) the default graph is the union of all graphs. ``info`` is what
    :func:`check_query` returned for ``text``, when the caller has checked it already.
    """
    info = info if info is not None else check_query(text)
    options: dict[str, object] = {"use_default_graph_as_union": not info.dataset and not default_graphs}
    if default_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
    if named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    try:
        raw = store.query(text, **options)  # type: ignore[arg-type]
    except SyntaxError as exc:
        raise syntax_error(text, str(exc), info) from None
    except ValueError as exc:  # an invalid graph IRI from the protocol parameters
        raise WijkldError(str(exc)) from None
    try:
        return _collect(raw, max_results, info.prefixes)
    except (OSError, RuntimeError, ValueError, TypeError) as exc:
        raise EvaluationError(f"query evaluation failed: {exc}") from None
    finally:
        # Oxigraph's solutions may be freed only on this thread: a traceback that keeps this frame alive
        # would otherwise let the garbage collector free them later on another (pyo3 "unsendable").
        del raw


def _collect(raw: object, limit: int | None, prefixes: dict[str, str]) -> Result:
    if isinstance(raw, ox.QueryBoolean):
        return Result("boolean", boolean=bool(raw), prefixes=prefixes)
    if isinstance(raw, ox.QuerySolutions):
        variables = tuple(v.value for v in raw.variables)
        result = Result("solutions", variables=variables, limit=limit, prefixes=prefixes)
        width = range(len(variables))
        for solution in raw:
            if limit is not None and len(result.rows) >= limit:
                result.truncated = True
                break
            result.rows.append(tuple(solution[i] for i in width))
        return result
    assert isinstance(raw, ox.QueryTriples)
    result = Result("graph", limit=limit, prefixes=prefixes)
    for triple in raw:
        if limit is not None and len(result.triples) >= limit:
            result.truncated = True
            break
        result.triples.append(triple)
    return result


_POSITION = re.compile(r"^error at (\d+):(\d+)(?:-\d+:\d+)?: ?(.*)$", re.DOTALL)


def syntax_error(text: str, message: str, info: QueryInfo | None = None) -> QuerySyntaxError:
    """Oxigraph's "error at L:C: expected ..." as a readable message with line, column and a caret."""
    info = info if info is not None else inspect(text)
    if info.undeclared is not None:
        t = info.undeclared
        prefix = t.text.split(":", 1)[0]
        detail = f"undefined prefix '{prefix}:' (declare it: PREFIX {prefix}: <...>)"
        return QuerySyntaxError(detail, t.line, t.column, _excerpt(text, t.line, t.column))
    match = _POSITION.match(message.strip())
    if not match:
        return QuerySyntaxError(message.strip() or "syntax error", 1, 1, _excerpt(text, 1, 1))
    line, column, rest = int(match.group(1)), int(match.group(2)), match.group(3)
    return QuerySyntaxError(_readable(rest), line, column, _excerpt(text, line, column))


def _readable(detail: str) -> str:
    """Oxigraph lists what its parser expected, including character classes nobody can read; keep the words."""
    if not detail.startswith("expected"):
        return f"syntax error: {detail}"
    items = _split_expected(detail.removeprefix("expected").removeprefix(" one of").strip())
    words = [i for i in items if not i.startswith("[") and i != "[_]"]
    words = [w for w in words if len(w) < 80]
    # Oxigraph mixes semantic errors ("The SELECT contains a variable that is unbound") into the list
    semantic = [w for w in words if " " in w and w[0] not in "\"'"]
    if semantic:
        return f"syntax error: {semantic[0][0].lower()}{semantic[0][1:]}"
    if not words:
        return "syntax error: unexpected input here"
    shown = ", ".join(words[:8]) + (", ..." if len(words) > 8 else "")
    return f"syntax error; expected {'one of ' if len(words) > 1 else ''}{shown}"


def _split_expected(text: str) -> list[str]:
    items, current, depth, quote = [], [], 0, ""
    for ch in text:
        if quote:
            current.append(ch)
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
            current.append(ch)
        elif ch == "[":
            depth += 1
            current.append(ch)
        elif ch == "]":
            depth -= 1
            current.append(ch)
        elif ch == "," and depth == 0:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    if current:
        items.append("".join(current).strip())
    return [i for i in items if i]


_EXCERPT = 60  # characters shown either side of an error: a 1 MiB query on one line gives a short message


def _excerpt(text: str, line: int, column: int) -> str:
    start = 0
    for _ in range(line - 1):  # found, not split: a query of a million short lines makes no million strings
        start = text.find("\n", start) + 1
        if not start:
            return ""
    end = text.find("\n", start)
    source = text[start : end if end >= 0 else len(text)].rstrip("\r").replace("\t", " ")
    start = max(0, column - 1 - _EXCERPT)
    before = "…" if start else ""
    after = "…" if column - 1 + _EXCERPT < len(source) else ""
    shown = source[start : column - 1 + _EXCERPT]
    return f"  {before}{shown}{after}\n  {' ' * (column - 1 - start + len(before))}^"


# -- writing results -------------------------------------------------------------


def term_json(term: Term) -> dict[str, object]:
    """A term in the SPARQL 1.1 Query Results JSON format (with RDF 1.2 triple terms)."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        value: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            value["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            value["datatype"] = term.datatype.value
        return value
    return {
        "type": "triple",
        "value": {
            "subject": term_json(term.subject),
            "predicate": term_json(term.predicate),
            "object": term_json(term.object),
        },
    }


def truncation_note(result: Result) -> str:
    noun = "row" if result.kind == "solutions" else "triple"
    plural = "" if result.limit == 1 else "s"
    return f"Result truncated to the first {result.limit} {noun}{plural}; add LIMIT/OFFSET to page through the rest."


def results_json(result: Result, note: bool = True) -> dict[str, object]:
    """SPARQL 1.1 JSON results; a capped result also has ``"truncated": true`` and a ``"note"`` (with ``note``)."""
    if result.kind == "boolean":
        return {"head": {}, "boolean": result.boolean}
    bindings = [
        {name: term_json(term) for name, term in zip(result.variables, row, strict=True) if term is not None}
        for row in result.rows
    ]
    data: dict[str, object] = {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}
    if result.truncated and note:
        data["truncated"] = True
        data["note"] = truncation_note(result)
    return data


def serialize(result: Result, fmt: str) -> bytes:
    """The result in one of SOLUTION_FORMATS (SELECT, ASK) or GRAPH_FORMATS (CONSTRUCT, DESCRIBE)."""
    if result.kind == "graph":
        if fmt not in GRAPH_FORMATS:
            raise WijkldError(
                f"a CONSTRUCT or DESCRIBE result cannot be written as {fmt}; use {', '.join(GRAPH_FORMATS)}"
            )
        triples = sorted(result.triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
        body = ox.serialize(triples, format=GRAPH_FORMATS[fmt], prefixes=_used(result) or None)
        body = body if isinstance(body, bytes) else b""
        if result.truncated and fmt != "jsonld":
            body = f"# {truncation_note(result)}\n".encode() + body
        return body
    if fmt not in SOLUTION_FORMATS:
        raise WijkldError(f"a SELECT or ASK result cannot be written as {fmt}; use {', '.join(SOLUTION_FORMATS)}")
    if fmt == "json":
        return json.dumps(results_json(result), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    # The official writers of Oxigraph for the other formats, fed with the (possibly capped) result.
    plain = json.dumps(results_json(result, note=False), separators=(",", ":")).encode("utf-8")
    body = ox.parse_query_results(plain, ox.QueryResultsFormat.JSON).serialize(format=SOLUTION_FORMATS[fmt])
    body = body if isinstance(body, bytes) else b""
    if result.truncated and fmt == "xml":
        declaration, _, rest = body.partition(b"?>")
        body = declaration + b"?><!-- " + truncation_note(result).encode() + b" -->" + rest
    return body


def _used(result: Result) -> dict[str, str]:
    iris = {
        t.value
        for triple in result.triples
        for t in (triple.subject, triple.predicate, triple.object)
        if isinstance(t, ox.NamedNode)
    }
    return used_prefixes(iris, result.prefixes)


#: The local names :func:`show` writes as ``prefix:local`` (the namespace itself too, as ``prefix:``).
_SHOWN_LOCAL = re.compile(r"[\w.-]*(?<!\.)\Z")


def show(term: Term | None, prefixes: dict[str, str]) -> str:
    """A term for people: prefixed names where the query declared a prefix, literals as their text."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        shown = shorten(term.value, longest_first(prefixes), local=_SHOWN_LOCAL)
        return shown if shown != term.value else f"<{term.value}>"
    if isinstance(term, ox.Literal):
        return f'"{term.value}"@{term.language}' if term.language else term.value
    return str(term)


def table(result: Result, max_width: int = 80) -> str:
    """An aligned text table (SELECT, CONSTRUCT) or true/false (ASK), with a count and any truncation."""
    if result.kind == "boolean":
        return "true\n" if result.boolean else "false\n"
    if result.kind == "graph":
        header: tuple[str, ...] = ("subject", "predicate", "object")
        rows = [(t.subject, t.predicate, t.object) for t in result.triples]
    else:
        header, rows = result.variables, result.rows  # type: ignore[assignment]
    cells = [[_clip(show(term, result.prefixes), max_width) for term in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    lines = [" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    noun = "row" if result.kind == "solutions" else "triple"
    lines.append(f"({len(rows)} {noun}{'' if len(rows) == 1 else 's'})")
    if result.truncated:
        lines.append(truncation_note(result))
    return "\n".join(lines) + "\n"


def _clip(text: str, width: int) -> str:
    text = printable(" ".join(text.split()))
    return text if len(text) <= width else text[: width - 1] + "…"


#: Characters a terminal acts on rather than shows: the C0 and C1 controls (ESC starts colour, cursor and
#: title sequences; U+009B is a one-character CSI) and the bidirectional controls, which reorder the line.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with every character a terminal would act on written as an escape (``\\x1b``, ``\\u202e``).

    For the ``table`` format, which goes to a terminal: a literal in the data must not colour it,
    move its cursor or set its title. The data formats (csv, json, ...) keep the characters as they are.
    """
    return _UNSAFE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
