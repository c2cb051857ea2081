"""The SPARQL lexer of wijkld.serve.query against the one it replaced (issue 13), side by side, same run.

    python benchmarks/lexer.py                     # 16k, 64k, 256k, 1M characters per input
    python benchmarks/lexer.py --max-seconds 5     # skip old-lexer runs predicted to take longer

The old lexer tried one regular expression at every token; three of its alternatives can read far
and then fail (a prefixed name's prefix, a short and a long string), and were tried again a few
characters on, so some inputs took quadratic time. It is copied here verbatim as the baseline. Each
input is lexed to the end (every token made, as ``inspect`` does), once per size; a run of the old
lexer predicted (from the size before, assuming quadratic growth) to take longer than
``--max-seconds`` is not started.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "pipeline"))

from wijkld import sparql_lexer  # noqa: E402
from wijkld.serve import query as sparql  # noqa: E402

# -- the baseline: wijkld.serve.query's lexer before issue 13, verbatim ------------------------------------------

_BASE_CHARS = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_U = _BASE_CHARS + "_"
_CHARS = _U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PREFIX = f"[{_BASE_CHARS}](?:[{_CHARS}.]*[{_CHARS}])?"
_LOCAL = f"(?:[{_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"
_TOKEN = re.compile(
    "|".join(
        [
            r"(?P<ws>\s+)",
            r"(?P<comment>#[^\n\r]*)",
            r"(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)",
            r"(?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''|\"\"\"(?:(?:\"|\"\")?(?:[^\"\\]|\\.))*\"\"\""
            r"|'(?:[^'\\\n\r]|\\.)*'|\"(?:[^\"\\\n\r]|\\.)*\")",
            f"(?P<var>[?$][{_U}0-9][{_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*)",
            f"(?P<bnode>_:[{_U}0-9](?:[{_CHARS}.]*[{_CHARS}])?)",
            f"(?P<pname>(?:{_PREFIX})?:(?:{_LOCAL})?)",
            r"(?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)",
            r"(?P<word>[A-Za-z_][A-Za-z0-9_]*)",
            r"(?P<number>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)",
            r"(?P<punct>\^\^|&&|\|\||!=|<=|>=|.)",
        ]
    ),
    re.DOTALL,
)


@dataclass(frozen=True)
class OldToken:
    kind: str
    text: str
    line: int
    column: int
    depth: int
    start: int = 0


def old_tokenize(text: str) -> Iterator[OldToken]:
    stack: list[str] = []
    values_braces: set[int] = set()
    pending_values = False
    previous: list[OldToken] = []
    pos, line, line_start = 0, 1, 0
    while pos < len(text):
        top = stack[-1] if stack else ""
        if text[pos] == "<" and top == "(e" and previous and sparql_lexer._ends_operand(previous[-1]):  # type: ignore[arg-type]
            kind, value = "punct", "<=" if text.startswith("<=", pos) else "<"
        else:
            match = _TOKEN.match(text, pos)
            assert match is not None
            kind, value = str(match.lastgroup), match.group()
        token = OldToken(kind, value, line, pos - line_start + 1, len(stack), pos)
        newlines = value.count("\n")
        if newlines:
            line += newlines
            line_start = pos + value.rindex("\n") + 1
        pos += len(value)
        if kind in ("ws", "comment"):
            continue
        if kind == "word" and value.upper() == "VALUES":
            pending_values = True
        elif kind == "punct" and value == "(":
            in_values_block = top == "{" and len(stack) - 1 in values_braces
            expression = not in_values_block and sparql_lexer._opens_expression(top, previous)  # type: ignore[arg-type]
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


# -- inputs -------------------------------------------------------------------------------------------


def _examples() -> str:
    return "\n".join(text for _, _, text in sparql.examples())


def _repeat(unit: str) -> Callable[[int], str]:
    return lambda n: (unit * (n // len(unit) + 1))[:n]


INPUTS: dict[str, Callable[[int], str]] = {
    "example queries": lambda n: _repeat(_examples())(n),
    "a-a-a-…": _repeat("a-"),
    "a.a.a.…": _repeat("a."),
    "éééé… (non-ASCII)": _repeat("é"),
    "'\\'\\'… (escaped)": _repeat("'\\"),
    "''' unclosed": lambda n: "'''" + "a" * (n - 3),
    "<aaaa… unclosed IRI": lambda n: "<" + "a" * (n - 1),
    "((((…": _repeat("("),
}
SIZES = [16 * 1024, 64 * 1024, 256 * 1024, 1024 * 1024]


def timed(lex: Callable[[str], Iterator[object]], text: str) -> float:
    started = time.perf_counter()
    for _ in lex(text):
        pass
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-seconds", type=float, default=20.0, help="skip old-lexer runs predicted longer")
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES), help="characters per input")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    columns = ("input", "size", "old s", "old chars/s", "new s", "new chars/s", "old/new")
    header = "{:<22} {:>6} {:>12} {:>12} {:>8} {:>12} {:>8}".format(*columns)
    print(header)
    print("-" * len(header))
    for name, make in INPUTS.items():
        measured: list[tuple[int, float]] = []  # (size, seconds) of the old lexer
        for size in sizes:
            text = make(size)
            new = timed(sparql_lexer.tokenize, text)
            predicted = _extrapolate(measured, size)
            if predicted > args.max_seconds:
                old_cell, old_rate, ratio = f">{predicted:,.0f} (est)", "", ""
            else:
                old = timed(old_tokenize, text)
                measured.append((size, old))
                old_cell, old_rate, ratio = f"{old:.3f}", f"{size / old:,.0f}", f"{old / new:.1f}x"
            label = f"{size // 1024}k" if size < 1 << 20 else f"{size // (1 << 20)}M"
            print(f"{name:<22} {label:>6} {old_cell:>12} {old_rate:>12} {new:>8.3f} {size / new:>12,.0f} {ratio:>8}")


def _extrapolate(measured: list[tuple[int, float]], size: int) -> float:
    """Seconds the old lexer would take at ``size``: the growth seen between the last two sizes (at least
    linear), or quadratic growth after only one."""
    if not measured:
        return 0.0
    last_size, last = measured[-1]
    exponent = 2.0
    if len(measured) >= 2:
        (size_0, seconds_0), (size_1, seconds_1) = measured[-2:]
        exponent = max(1.0, math.log(max(seconds_1, 1e-9) / max(seconds_0, 1e-9)) / math.log(size_1 / size_0))
    return last * (size / last_size) ** exponent


if __name__ == "__main__":
    main()
