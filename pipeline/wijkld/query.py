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
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox

from . import inputs
from .curie import longest_first, shorten, used_prefixes
from .errors import WijkldError
from .resources import resource_dir

DUMP = "wijkld.nq.gz"

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


# -- the lexer -----------------------------------------------------------------

_BASE_CHARS = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_U = _BASE_CHARS + "_"
_CHARS = _U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PREFIX = f"[{_BASE_CHARS}](?:[{_CHARS}.]*[{_CHARS}])?"
_LOCAL = f"(?:[{_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"

#: SPARQL 1.1 terminals (section 19.8) in the order they are tried; the first that matches wins.
#: Escapes inside strings are accepted loosely (``\\.``): on a valid query that is the same, and
#: it cannot desynchronise.
_TERMINALS = [
    ("ws", r"\s+"),
    ("comment", r"#[^\n\r]*"),
    ("iri", r"<[^<>\"{}|^`\\\x00-\x20]*>"),
    (
        "string",
        r"'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''|\"\"\"(?:(?:\"|\"\")?(?:[^\"\\]|\\.))*\"\"\""
        r"|'(?:[^'\\\n\r]|\\.)*'|\"(?:[^\"\\\n\r]|\\.)*\"",
    ),
    ("var", f"[?$][{_U}0-9][{_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"),
    ("bnode", f"_:[{_U}0-9](?:[{_CHARS}.]*[{_CHARS}])?"),
    ("pname", f"(?:{_PREFIX})?:(?:{_LOCAL})?"),
    ("langtag", r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*+"),
    ("word", r"[A-Za-z_][A-Za-z0-9_]*"),
    ("number", r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"),
    ("punct", r"\^\^|&&|\|\||!=|<=|>=|."),
]


def _alternatives(*names: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?P<{n}>{p})" for n, p in _TERMINALS if n in names), re.DOTALL)


_TOKEN = _alternatives(*(name for name, _ in _TERMINALS))
_AFTER_PNAME = _alternatives("langtag", "word", "number", "punct")  # what a name start can be if not a pname
#: The local part of a prefixed name: its first unit, then as many as follow (possessive: see LexMemo).
_LOCAL_FIRST = re.compile(f"[{_U}:0-9]|{_PLX}")
_LOCAL_REST = re.compile(f"(?:[{_CHARS}.:]|{_PLX})*+")
_WORD = _alternatives("word")
_NAME_RUN = re.compile(f"[{_CHARS}.]*+")
_NAME_START = re.compile(f"[{_BASE_CHARS}]")
_PUNCT_ONLY = frozenset("(){}[],;*+/-=")
_SPACES = frozenset(" \t\r\n")
_WS = re.compile(r"\s+")
_ASCII_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_LONG_STRING = {  # as in _TERMINALS, but possessive: no closing quotes can start a unit, so none are given back
    "'": re.compile(r"'''(?:(?:'|'')?(?:[^'\\]|\\.))*+'''", re.DOTALL),
    '"': re.compile(r"\"\"\"(?:(?:\"|\"\")?(?:[^\"\\]|\\.))*+\"\"\"", re.DOTALL),
}
#: A short string up to (not including) its closing quote, or to where it cannot go on.
_SHORT_STRING_BODY = {
    "'": re.compile(r"'(?:[^'\\\n\r]|\\.)*+", re.DOTALL),
    '"': re.compile(r"\"(?:[^\"\\\n\r]|\\.)*+", re.DOTALL),
}
_OPERANDS = frozenset({"iri", "string", "var", "bnode", "pname", "langtag", "number", "word"})


@dataclass
class LexMemo:
    """What scans that found no token have learnt, so that no later attempt reads that text again.

    Three terminals can read far and then fail: the prefix of a prefixed name
    reads a whole run of name characters before it finds no colon (``a-a-a-…``),
    a short string reads to the end of its line before it finds no closing quote
    (``'\\'\\'…``), a long string to the end of the text. Tried again at every
    token a few characters on, they made the lexer quadratic (64k characters:
    17 s). Each failure says where the next attempts fail too: no prefixed name
    starts before the end of a run that had none (every start inside it reaches
    the same end), no short string before the end that a failed one reached (a
    quote inside it was escaped, so a string started there reads the same
    characters), and no long string after a failed one (its text holds no
    closing triple quote). ``wasted`` counts the characters such failed scans
    read: at most a few times the length of the text.

    Memory is bounded too: a repeated group in a regular expression keeps a
    backtracking state per repetition (a 1 MiB long string, local name or
    language tag took 120 to 270 MiB), so those repetitions are possessive, and
    a local name gives back its trailing dots in code rather than by backtracking.
    """

    no_pname_before: int = 0
    no_short_string_before: dict[str, int] = field(default_factory=lambda: {"'": 0, '"': 0})
    no_long_string: set[str] = field(default_factory=set)
    wasted: int = 0


def _terminal(text: str, pos: int, memo: LexMemo) -> tuple[str, str]:
    """Kind and text of the terminal at ``pos``: what ``_TOKEN.match`` gives, in linear time overall."""
    char = text[pos]
    if char in _PUNCT_ONLY:  # nothing else starts with these: the common case, without a regular expression
        return "punct", char
    if char in _SPACES:
        return "ws", _WS.match(text, pos).group()  # type: ignore[union-attr]
    if char == "'" or char == '"':
        return _string(text, pos, char, memo)
    if char == ":" or char in _ASCII_LETTERS or (char > "\x7f" and not char.isspace() and _NAME_START.match(char)):
        return _name(text, pos, char, memo)
    match = _TOKEN.match(text, pos)  # no alternative can read far and fail here
    assert match is not None  # the last alternative matches any character
    return str(match.lastgroup), match.group()


def _name(text: str, pos: int, char: str, memo: LexMemo) -> tuple[str, str]:
    """A prefixed name if one starts here, else a language tag, word, number or punctuation."""
    if char != ":":
        if pos < memo.no_pname_before:
            return _after_pname(text, pos)
        end = _NAME_RUN.match(text, pos + 1).end()  # type: ignore[union-attr]
        # a prefix is the whole run (its characters cannot be followed by ':' earlier) and cannot end in '.'
        if not (text.startswith(":", end) and text[end - 1] != "."):
            memo.no_pname_before = end
            memo.wasted += end - pos
            return _after_pname(text, pos)
        colon = end
    else:
        colon = pos
    return "pname", text[pos : _local_end(text, colon + 1)]


def _local_end(text: str, start: int) -> int:
    """Where the local part of a prefixed name starting at ``start`` ends (``start`` if it has none)."""
    first = _LOCAL_FIRST.match(text, start)
    if first is None:
        return start
    end = _LOCAL_REST.match(text, first.end()).end()  # type: ignore[union-attr]
    # it cannot end in a plain '.' (an escaped one, '\\.', is fine): give those back
    while end > first.end() and text[end - 1] == "." and text[end - 2] != "\\":
        end -= 1
    return end


def _after_pname(text: str, pos: int) -> tuple[str, str]:
    match = (_WORD if text[pos] in _ASCII_LETTERS else _AFTER_PNAME).match(text, pos)
    assert match is not None
    return str(match.lastgroup), match.group()


def _string(text: str, pos: int, quote: str, memo: LexMemo) -> tuple[str, str]:
    """A long or short string starting at ``pos``, else the quote as punctuation."""
    if quote not in memo.no_long_string and text.startswith(quote * 3, pos):
        match = _LONG_STRING[quote].match(text, pos)
        if match:
            return "string", match.group()
        memo.no_long_string.add(quote)
        memo.wasted += len(text) - pos
    if pos >= memo.no_short_string_before[quote]:
        end = _SHORT_STRING_BODY[quote].match(text, pos).end()  # type: ignore[union-attr]
        if text.startswith(quote, end):
            return "string", text[pos : end + 1]
        memo.no_short_string_before[quote] = end
        memo.wasted += end - pos
    return "punct", quote


class Token(NamedTuple):
    """A terminal of the query. A named tuple: a 1 MiB query has a million of them, and a frozen
    dataclass took longer to make each than the lexer took to find it."""

    kind: str  # one of the names of _TERMINALS
    text: str
    line: int  # from 1
    column: int  # from 1, in characters
    depth: int  # brackets of any kind open before this token
    start: int = 0  # offset of its first character in the text


def tokenize(text: str, memo: LexMemo | None = None) -> Iterator[Token]:
    """The significant tokens of ``text`` (no whitespace or comments), with their positions.

    Total: never raises, whatever the input; a stray quote becomes a
    punctuation token, as the parser would then reject the query anyway.
    Linear in the length of the text (see :class:`LexMemo`).
    """
    memo = memo if memo is not None else LexMemo()
    stack: list[str] = []  # "(e" expression paren, "(p" list or VALUES paren, "{", "["
    values_braces: set[int] = set()  # stack positions of the data blocks of VALUES
    pending_values = False  # after VALUES, until its data block opens
    previous: list[Token] = []
    pos, line, line_start = 0, 1, 0
    while pos < len(text):
        top = stack[-1] if stack else ""
        if text[pos] == "<" and top == "(e" and previous and _ends_operand(previous[-1]):
            # a comparison, as in FILTER(?a<?b): Oxigraph's parser does not try an IRI here either
            kind, value = "punct", "<=" if text.startswith("<=", pos) else "<"
        else:
            kind, value = _terminal(text, pos, memo)
        start, column = pos, pos - line_start + 1
        token_line = line
        if "\n" in value:
            line += value.count("\n")
            line_start = pos + value.rindex("\n") + 1
        pos += len(value)
        if kind == "ws" or kind == "comment":
            continue
        token = Token(kind, value, token_line, column, len(stack), start)
        if kind == "word" and value.upper() == "VALUES":
            pending_values = True
        elif kind == "punct" and value == "(":
            in_values_block = top == "{" and len(stack) - 1 in values_braces
            expression = not in_values_block and _opens_expression(top, previous)
            stack.append("(e" if expression else "(p")
        elif kind == "punct" and value in ("[", "{"):
            if value == "{" and pending_values:
                values_braces.add(len(stack))
                pending_values = False
            stack.append(value)
        elif kind == "punct" and value in (")", "]", "}") and stack:
            stack.pop()
            values_braces.discard(len(stack))
        previous.append(token)
        if len(previous) > 3:
            del previous[0]
        yield token


_OPERAND_WORDS = frozenset({"TRUE", "FALSE"})


def _ends_operand(token: Token) -> bool:
    """Can an expression operand end with this token (so that a following ``<`` compares)?"""
    if token.kind == "word":
        return token.text.upper() in _OPERAND_WORDS  # not DISTINCT, NOT, IN...: an IRI may follow those
    return token.kind in _OPERANDS or token.text == ")"


_NOT_FUNCTIONS = frozenset({"VALUES", "A", "UNDEF", "TRUE", "FALSE", "AS"})


def _opens_expression(top: str, previous: list[Token]) -> bool:
    """Does a ``(`` here open an expression (FILTER, BIND, a call, SELECT) rather than an RDF list?"""
    if top == "(e":
        return True
    last = previous[-1] if previous else None
    if last is None:
        return True
    if last.kind == "word":
        return last.text.upper() not in _NOT_FUNCTIONS
    if top == "":
        return True  # outside braces: SELECT projections, GROUP BY, ORDER BY, HAVING
    if last.kind in ("iri", "pname") and len(previous) >= 2:
        before = previous[-2]
        # a call after FILTER is an expression; elsewhere in a pattern this is an RDF collection
        return before.kind == "word" and before.text.upper() == "FILTER"
    return False


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
