"""A lexer for SPARQL 1.1 queries: the terminals of the grammar, in time linear in the text's length.

It lets the query guard (:mod:`wijkld.serve.query`) find SERVICE, updates and deep nesting before Oxigraph
sees a query, and the SHACL-SPARQL passes (:mod:`wijkld.validate.sparql_pass`) rewrite constraints, without
either depending on the other. Why a lexer and how ``<`` is decided: :mod:`wijkld.serve.query`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

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
