"""Render a validation Report for people (text), for RDF tools (turtle), for scripts (json) and for CI (junit, github).

The text report is what a person fixing data reads: results grouped by shape and
constraint, in their language, each with the source record (file and line) to
edit when it is known. The other formats carry the same results for machines.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from wijkld.model.curie import longest_first, shorten
from wijkld.model.iris import VOCAB, Minter
from wijkld.model.locate import Location
from wijkld.model.vocab import PREFIXES
from wijkld.publish import serialize as publish
from wijkld.validate.engine import LEVELS, Report, Result, rank

FORMATS = ("text", "turtle", "json", "junit", "github")
#: Version of the JSON summary's layout (docs/validate.md); bumped on any incompatible change.
JSON_VERSION = 1
DEFAULT_PREFIXES = {p: str(ns) for p, ns in PREFIXES.items()} | {"wsh": f"{VOCAB}shapes/"}

Locate = Callable[[str], "Location | None"]


def _nowhere(_: str) -> Location | None:
    return None


@dataclass(frozen=True)
class Options:
    """How to render: language, what fails, how many results to list, where results come from."""

    lang: str = "en"
    fail_on: str = "violation"
    max_results: int | None = None
    locate: Locate = _nowhere
    #: The name of every shape, so that junit can list the shapes without results as passing.
    shapes: tuple[str, ...] = ()
    #: Results below this severity are counted but not listed (the build lists violations only).
    min_severity: str = "info"
    #: Start the text with the verdict and counts (the build says that in its own words).
    headline: bool = True
    cap_hint: str = "capped by --max-results"
    #: The release the data was validated against, as a fragment of it (wijkld validate --against); "" for none.
    context: str = ""
    skolem_prefix: str = Minter().skolem_prefix("report")
    prefixes: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_PREFIXES))


def render(report: Report, fmt: str, options: Options | None = None) -> str:
    """The report in one of :data:`FORMATS`."""
    opts = options or Options()
    renderers: dict[str, Callable[[Report, Options], str]] = {
        "text": text,
        "turtle": turtle,
        "json": json_text,
        "junit": junit,
        "github": github,
    }
    return renderers[fmt](report, opts)


def failing(report: Report, options: Options) -> tuple[Result, ...]:
    return report.at_or_above(options.fail_on)


def listed(report: Report, options: Options) -> tuple[list[Result], int]:
    """The results to list (after --max-results) and how many there were in all."""
    shown = [r for r in report.results if rank(r.severity) >= rank(options.min_severity)]
    total = len(shown)
    if options.max_results is not None:
        shown = shown[: options.max_results]
    return shown, total


def counts(report: Report) -> dict[str, int]:
    return {level: report.count(level) for level in reversed(LEVELS)}


def groups(results: Iterable[Result]) -> list[tuple[str, str, list[Result]]]:
    """(shape, component, results) in report order: most severe first, then by shape and component."""
    found: dict[tuple[str, str], list[Result]] = {}
    for r in results:
        found.setdefault((r.shape, r.component), []).append(r)
    return sorted(
        ((shape, component, rs) for (shape, component), rs in found.items()),
        key=lambda g: (-max(rank(r.severity) for r in g[2]), g[0], g[1]),
    )


def plural(count: int, noun: str) -> str:
    if noun == "info":
        return f"{count} info"
    return f"{count} {noun}" + ("" if count == 1 else "s")


def summary(report: Report, options: Options) -> str:
    fails = len(failing(report, options))
    verdict = "does not conform" if fails else "conforms"
    tally = ", ".join(plural(n, level) for level, n in counts(report).items())
    where = f" in the context of the release {options.context}" if options.context else ""
    return f"{verdict.capitalize()}{where}: {tally} (failing at {options.fail_on} and above: {fails})"


# -- text ---------------------------------------------------------------------------------------------


def text(report: Report, options: Options) -> str:
    shown, total = listed(report, options)
    everything = [r for r in report.results if rank(r.severity) >= rank(options.min_severity)]
    lines = [summary(report, options)] if options.headline else []
    all_groups = groups(everything)
    if all_groups:
        lines += ["", "Results by shape and constraint:"] if lines else ["Results by shape and constraint:"]
        rows = [
            (str(len(rs)), _severities(rs), short_path(shape, options), short(component, options))
            for shape, component, rs in all_groups
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for count, severity, shape, component in rows:
            lines.append(f"  {count:>{widths[0]}}  {severity:<{widths[1]}}  {shape:<{widths[2]}}  {component}")
    for shape, component, rs in groups(shown):
        lines += ["", f"{short_path(shape, options)}  {short(component, options)}  ({_tally(rs)})"]
        for r in rs:
            lines += _result_lines(r, options, "  ")
    if len(shown) < total:
        lines += ["", f"showing {len(shown)} of {total} results ({options.cap_hint})"]
    return "\n".join(lines) + "\n"


def _severities(results: list[Result]) -> str:
    return "/".join(level for level in reversed(LEVELS) if any(r.severity == level for r in results))


def _tally(results: list[Result]) -> str:
    return ", ".join(
        plural(sum(1 for r in results if r.severity == level), level)
        for level in reversed(LEVELS)
        if any(r.severity == level for r in results)
    )


def _result_lines(r: Result, options: Options, indent: str) -> list[str]:
    lines = [f"{indent}- {r.severity}: {short(r.focus, options)}"]
    pad = indent + "    "
    if r.path:
        lines.append(f"{pad}path:     {short_path(r.path, options)}")
    if r.value_nt or r.value:
        lines.append(f"{pad}value:    {short_value(r, options)}")
    message = r.message(options.lang)
    if message:
        lines.append(f"{pad}message:  {_one_line(message)}")
    where = options.locate(r.focus)
    if where is not None and where.line:
        lines.append(f"{pad}source:   {where}")
    if r.details:
        lines.append(f"{pad}caused by:")
        for detail in r.details:
            lines += _result_lines(detail, options, pad + "  ")
    return lines


def _one_line(message: str) -> str:
    return " ".join(message.split())


_IRI_IN_PATH = re.compile(r"<([^>]*)>")
_LOCAL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def short(iri: str, options: Options) -> str:
    """``prefix:local`` when a known prefix gives a simple local name, else the IRI as it is."""
    return shorten(iri, longest_first(options.prefixes), local=_LOCAL_NAME)


def short_path(path: str, options: Options) -> str:
    """A path or shape name: a bare IRI, or SPARQL-like text with ``<iri>`` inside; IRIs shortened."""
    if not path.startswith(("<", "^", "(", "[")):
        return short(path, options)
    return _IRI_IN_PATH.sub(lambda m: _bracketed(m.group(1), options), path)


def _bracketed(iri: str, options: Options) -> str:
    shortened = short(iri, options)
    return shortened if shortened != iri else f"<{iri}>"


def short_value(r: Result, options: Options, limit: int = 100) -> str:
    value = r.value_nt or r.value
    if value.startswith("<") and value.endswith(">"):
        return short(value[1:-1], options)
    value = re.sub(r"\^\^<([^>]*)>$", lambda m: "^^" + _bracketed(m.group(1), options), value)
    return value if len(value) <= limit else value[: limit - 1] + "…"


# -- turtle -------------------------------------------------------------------------------------------


def turtle(report: Report, options: Options) -> str:
    """The W3C sh:ValidationReport; blank nodes skolemised so that the same input gives the same bytes."""
    graph = publish.skolemise(report.graph, options.skolem_prefix)
    return publish.turtle(graph, options.prefixes).decode("utf-8")


# -- json ---------------------------------------------------------------------------------------------


def json_summary(report: Report, options: Options) -> dict[str, object]:
    """The stable JSON summary documented in docs/validate.md."""
    shown, total = listed(report, options)
    return {
        "version": JSON_VERSION,
        "conforms": not failing(report, options),
        "fail_on": options.fail_on,
        "counts": counts(report),
        "groups": [
            {
                "shape": shape,
                "component": component,
                "severity": max((r.severity for r in rs), key=rank),
                "count": len(rs),
            }
            for shape, component, rs in groups(report.results)
        ],
        "results": [_json_result(r, options) for r in shown],
        "total": total,
        "truncated": len(shown) < total,
    }


def _json_result(r: Result, options: Options) -> dict[str, object]:
    where = options.locate(r.focus)
    return {
        "severity": r.severity,
        "focus": r.focus,
        "path": r.path or None,
        "value": (r.value_nt or r.value) or None,
        "shape": r.shape,
        "component": r.component,
        "message": r.message(options.lang),
        "source": _json_source(where),
        "details": [_json_result(d, options) for d in r.details],
    }


def _json_source(where: Location | None) -> dict[str, object] | None:
    if where is None:
        return None
    return {
        "file": where.file,
        "line": where.line or None,
        "record": {"type": where.type, "key": where.key} if where.type else None,
    }


def json_text(report: Report, options: Options) -> str:
    return json.dumps(json_summary(report, options), ensure_ascii=False, indent=2) + "\n"


# -- junit --------------------------------------------------------------------------------------------


def junit(report: Report, options: Options) -> str:
    """JUnit XML: a test suite per shape; a failed test case per result at or above --fail-on.

    Results below --fail-on are passing test cases with the message as system-out,
    and a shape without results is one passing test case, so the suite lists every shape.
    """
    by_shape: dict[str, list[Result]] = {name: [] for name in options.shapes}
    for r in report.results:
        by_shape.setdefault(r.shape, []).append(r)
    root = ET.Element("testsuites", name="wijkld validate")
    total_tests = total_failures = 0
    for shape in sorted(by_shape, key=lambda name: short_path(name, options)):
        results = by_shape[shape]
        suite = ET.SubElement(root, "testsuite", name=short_path(shape, options))
        failures = 0
        for r in results:
            failures += _junit_case(suite, shape, r, options)
        if not results:
            ET.SubElement(suite, "testcase", classname=short_path(shape, options), name="conforms")
        tests = max(len(results), 1)
        suite.attrib.update(tests=str(tests), failures=str(failures), errors="0", skipped="0")
        total_tests += tests
        total_failures += failures
    root.attrib.update(tests=str(total_tests), failures=str(total_failures), errors="0")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _junit_case(suite: ET.Element, shape: str, r: Result, options: Options) -> int:
    name = f"{short(r.component, options).replace('ConstraintComponent', '')} {r.focus}"
    if r.path:
        name += f" {short_path(r.path, options)}"
    case = ET.SubElement(suite, "testcase", classname=short_path(shape, options), name=name)
    where = options.locate(r.focus)
    if where is not None:
        case.set("file", where.file)
        if where.line:
            case.set("line", str(where.line))
    body = "\n".join(line.strip() for line in _result_lines(r, options, ""))
    if rank(r.severity) >= rank(options.fail_on):
        failure = ET.SubElement(case, "failure", message=_one_line(r.message(options.lang)), type=r.severity)
        failure.text = body
        return 1
    ET.SubElement(case, "system-out").text = body
    return 0


# -- github -------------------------------------------------------------------------------------------

COMMANDS = {"violation": "error", "warning": "warning", "info": "notice"}


def github(report: Report, options: Options) -> str:
    """GitHub Actions workflow commands: one annotation per result, at the source record when known."""
    shown, total = listed(report, options)
    lines = []
    for r in shown:
        where = options.locate(r.focus)
        props = {}
        if where is not None:
            props["file"] = where.file
            if where.line:
                props["line"] = str(where.line)
        props["title"] = f"{short_path(r.shape, options)} ({short(r.component, options)})"
        message = r.message(options.lang) or r.component
        facts = [f"focus {r.focus}"]
        if r.path:
            facts.append(f"path {short_path(r.path, options)}")
        if r.value_nt or r.value:
            facts.append(f"value {short_value(r, options)}")
        for detail in r.details:
            facts.append(f"caused by: {detail.message(options.lang)} (focus {detail.focus})")
        command = COMMANDS.get(r.severity, "error")
        attributes = ",".join(f"{key}={escape_property(value)}" for key, value in props.items())
        lines.append(f"::{command} {attributes}::{escape_data(message + chr(10) + chr(10).join(facts))}")
    if len(shown) < total:
        lines.append(f"showing {len(shown)} of {total} results ({options.cap_hint})")
    lines.append(summary(report, options))
    return "\n".join(lines) + "\n"


def escape_data(value: str) -> str:
    """The escaping GitHub's runner undoes for a command's message."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """The escaping GitHub's runner undoes for a command's properties (file, line, title)."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


# -- input errors ---------------------------------------------------------------------------------------

#: ``file:line[:col]: message``: how syntax errors and broken records are reported (wijkld.validate.rdf_files).
_POSITIONED = re.compile(r"^(?P<file>[^\s:][^:]*?):(?P<line>\d+)(?::(?P<col>\d+))?: (?P<message>.+)$")


def input_errors(message: str, fmt: str) -> str:
    """Input that could not be read (a syntax error, a broken record) in a machine-read format: GitHub
    annotations at the file and line, a JUnit error or a JSON object per problem; "" for text and Turtle
    (a SHACL report has no place for it), which report it on standard error only."""
    problems = []
    for line in message.splitlines():
        found = _POSITIONED.match(line.strip())
        if found is not None:
            problems.append((found["file"], found["line"], found["col"], found["message"]))
        elif line.strip() and not line.startswith(" "):
            problems.append(("", "", None, line.strip()))
    if any(file for file, *_ in problems):  # the summary line ("3 problems in ...") adds nothing to them
        problems = [p for p in problems if p[0]]
    if fmt == "github":
        out = []
        for file, line, col, text in problems:
            props = {"file": file, "line": line, "col": col or "", "title": "wijkld: cannot read the input"}
            attributes = ",".join(f"{k}={escape_property(v)}" for k, v in props.items() if v)
            out.append(f"::error {attributes}::{escape_data(text)}")
        return "\n".join(out) + "\n"
    if fmt == "json":
        errors = [
            {
                "file": file or None,
                "line": int(line) if line else None,
                "column": int(col) if col else None,
                "message": text,
            }
            for file, line, col, text in problems
        ]
        return json.dumps({"conforms": None, "errors": errors}, ensure_ascii=False, indent=2) + "\n"
    if fmt == "junit":
        root = ET.Element("testsuites", name="wijkld validate", tests=str(len(problems)), failures="0")
        suite = ET.SubElement(root, "testsuite", name="input", tests=str(len(problems)), failures="0")
        suite.set("errors", str(len(problems)))
        root.set("errors", str(len(problems)))
        for file, line, _col, text in problems:
            case = ET.SubElement(suite, "testcase", classname="input", name=f"read {file or 'input'}")
            if file:
                case.set("file", file)
            if line:
                case.set("line", line)
            ET.SubElement(case, "error", message=text, type="input").text = text
        ET.indent(root)
        return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
    return ""
