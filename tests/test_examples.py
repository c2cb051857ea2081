"""Every ``wijkld`` example runs: those in the commands' --help and those in README.md, docs/ and queries/README.md.

The examples are found, not listed: in the Markdown, each line of a ```sh, ```shell, ```bash or ```console block
that runs ``wijkld`` (``$ wijkld ...``, ``wijkld ...``, ``.venv/bin/wijkld ...``), and each ``$ wijkld ...``
line of any other block (transcripts in ```text); in the --help texts, each ``wijkld ...`` line under
"Example:" or "Examples:". Synopses (``wijkld build [--data DIR] ...``, no prompt) and CI configuration
(```yaml) are not examples. docs/cli.md is left out: it repeats the --help texts, which are read from the
commands themselves.

Each example runs through click's CliRunner in a folder that holds what the examples name: ``dist/`` (the
release built once per session), ``data/``, ``old-dist/``, ``my-data.ttl``, ``broken.ttl``, ... An example
passes with exit code 0, or with the failure it documents: the code a transcript shows (``$ echo $?``), or
the one ``FAILING`` gives with the reason. ``> FILE`` writes the standard output to FILE, as a shell would.

Rewritten here, not in the docs: ``wijkld build`` writes into a temporary folder instead of ``dist/`` and
builds the minimal records (tests/fixtures/minimal) instead of ``data/``, for time: the pilot's build is
the session's release, already built; ``/tmp/dist`` is that release.
"""

from __future__ import annotations

import gzip
import re
import shlex
import shutil
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import BNode, Graph

from wijkld import build
from wijkld.cli import docs
from wijkld.cli.main import cli
from wijkld.model.iris import DEFAULT_BASE
from wijkld.validate import shapes_qa

REPO = Path(__file__).resolve().parents[1]
MINIMAL = REPO / "tests" / "fixtures" / "minimal"
MARKDOWN = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md")), REPO / "queries" / "README.md"]
SKIPPED_MARKDOWN = {REPO / "docs" / "cli.md"}  # the --help texts again
SHELL_BLOCKS = {"sh", "shell", "bash", "console"}

#: Examples that are not run, by their command, and why. Keep it short: every other example must run here.
NOT_RUN: dict[str, str] = {}
#: Examples that show a failure, by their command line: the exit code the command documents for it, and why.
FAILING = {
    "wijkld diff old-dist/ dist/": (1, "the releases differ"),
    "wijkld diff old-dist/ dist/ --json changes.json": (1, "the releases differ"),
    "wijkld validate wrong-theme.ttl --max-results 1": (1, "the data does not conform"),
    "wijkld validate dist/wijkld.nt.gz --fail-on warning --lang nl": (1, "the release has a warning (docs/shapes.md)"),
}


@dataclass(frozen=True)
class Example:
    source: str  # where it is shown: FILE:LINE, or the command whose --help shows it
    line: str  # the command line, without the prompt
    exit_code: int | None = None  # the code a transcript shows after it (``$ echo $?``)

    @property
    def words(self) -> list[str]:
        """The command line as a shell splits it, without comments, and ``wijkld`` without its path."""
        return shlex.split(re.sub(r"^\S*/wijkld ", "wijkld ", self.line), comments=True)

    @property
    def command(self) -> str:
        """The words, with one space between them."""
        return " ".join(self.words)

    def __str__(self) -> str:
        return f"{self.source}: {self.line}"


_FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.S | re.M)
_RUNS_WIJKLD = re.compile(r"^(\S*/)?wijkld ")


def markdown_examples(path: Path, root: Path = REPO) -> list[Example]:
    """The ``wijkld`` command lines of the fenced blocks of a Markdown file (named relative to ``root``)."""
    text = path.read_text(encoding="utf-8")
    found = []
    for block in _FENCE.finditer(text):
        language, body = block.group(1), block.group(2)
        first = text.count("\n", 0, block.start(2)) + 1
        lines = body.replace("\\\n", " ").split("\n")  # (continuation lines would shift the numbers below)
        for number, line in enumerate(lines):
            prompt = line.startswith("$ ")
            command = line[2:] if prompt else line
            if not (prompt or language in SHELL_BLOCKS) or not _RUNS_WIJKLD.match(command):
                continue
            where = f"{path.relative_to(root)}:{first + number}"
            found.append(Example(where, command, _shown_code(lines[number + 1 :])))
    return found


def _shown_code(after: list[str]) -> int | None:
    """The exit code a transcript shows for a command: ``$ echo $?`` and the number, as the next command."""
    prompts = [i for i, line in enumerate(after) if line.startswith("$ ")]
    if prompts and after[prompts[0]].strip() == "$ echo $?" and prompts[0] + 1 < len(after):
        return int(after[prompts[0] + 1])
    return None


def help_examples() -> list[Example]:
    """The lines under "Example:" or "Examples:" of every command's --help that run ``wijkld``."""
    found = []
    for path, text in docs.help_texts(cli):
        in_examples = False
        for line in text.splitlines():
            if re.fullmatch(r"\s*Examples?:", line):
                in_examples = True
            elif not line.strip():
                in_examples = False
            elif in_examples and _RUNS_WIJKLD.match(line.strip()):
                found.append(Example(f"{path} --help", line.strip()))
    return found


def all_examples() -> list[Example]:
    examples = help_examples()
    for path in MARKDOWN:
        if path not in SKIPPED_MARKDOWN:
            examples += markdown_examples(path)
    return examples


EXAMPLES = all_examples()


def _not_run(example: Example) -> str | None:
    return next((why for prefix, why in NOT_RUN.items() if f"{example.command} ".startswith(f"{prefix} ")), None)


# -- the folder the examples run in ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, release_dir: Path) -> Path:
    """A folder with what the examples name, beside the session's release (``dist``)."""
    root = tmp_path_factory.mktemp("examples")
    (root / "dist").symlink_to(release_dir, target_is_directory=True)
    (root / "data").symlink_to(REPO / "data", target_is_directory=True)
    (root / "tests").mkdir()
    (root / "tests" / "shapes").symlink_to(REPO / "tests" / "shapes", target_is_directory=True)
    lines = gzip.decompress((release_dir / "wijkld.nt.gz").read_bytes()).splitlines(keepends=True)
    (root / "old-dist").mkdir()  # an older release: every tenth triple is not in it yet
    (root / "old-dist" / "wijkld.nt.gz").write_bytes(
        gzip.compress(b"".join(line for i, line in enumerate(lines) if i % 10))
    )
    theme = b"<https://w3id.org/wijkld/id/adoptieteam/amsterdam-nieuw-west> <https://w3id.org/wijkld/def/theme> "
    wethouder = theme + b"<https://w3id.org/wijkld/id/begrip/wethouder> .\n"
    wrong = [wethouder if line.startswith(theme) else line for line in lines]
    assert wrong != lines
    (root / "wrong-theme.ttl").write_bytes(b"".join(wrong))  # N-Triples is Turtle
    (root / "broken.ttl").write_text('@prefix ex: <https://example.org/> .\n\nex:a ex:b "', encoding="utf-8")
    (root / "my-data.ttl").write_text(
        "@prefix dcterms: <http://purl.org/dc/terms/> .\n"
        '<https://example.org/my/report> dcterms:title "Mijn rapport"@nl, "My report"@en .\n',
        encoding="utf-8",
    )
    query = (
        "PREFIX org: <http://www.w3.org/ns/org#>\nSELECT (COUNT(?t) AS ?teams) WHERE { ?t a org:OrganizationalUnit }\n"
    )
    for name in ("my.rq", "my-query.rq"):
        (root / name).write_text(query, encoding="utf-8")
    (root / "queries" / "expected").mkdir(parents=True)  # a checkout's queries/, with the reader's new query
    for rq in (REPO / "queries").glob("*.rq"):
        shutil.copyfile(rq, root / "queries" / rq.name)
    (root / "queries" / "32-my-question.rq").write_text(query, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def minimal_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal records, built: what ``wijkld build --check`` compares with."""
    out = tmp_path_factory.mktemp("minimal") / "dist"
    build.run(MINIMAL, out, DEFAULT_BASE)
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[tuple[str, ...], Result]]:
    """Where the builds publish, and the result of each command line run so far: an example shown twice (in
    --help and in the docs, say), or two builds that differ only in the folders this test replaces, run once."""
    return tmp_path_factory.mktemp("built") / "dist", {}


@pytest.fixture(scope="module")
def meta_shacl_once() -> Iterator[None]:
    """SHACL-SHACL over the wijkld shapes takes seconds and gives the same for every shapes-qa example: once."""
    original, results = shapes_qa.meta_shacl, {}

    def once(shapes: Graph) -> list[shapes_qa.Problem]:
        key = (len(shapes), frozenset(t for t in shapes if not any(isinstance(term, BNode) for term in t)))
        if key not in results:
            results[key] = original(shapes)
        return results[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(shapes_qa, "meta_shacl", once)
        yield


def _rewrite(args: list[str], out: Path, minimal_release: Path) -> list[str]:
    """A build into ``out`` (``--check``: of the minimal release) from the minimal records; /tmp/dist is dist."""
    if args[:1] != ["build"]:
        return ["dist" if arg == "/tmp/dist" else arg for arg in args]
    kept: list[str] = []
    words = iter(args)
    for arg in words:
        if arg in ("--data", "--out"):
            next(words)  # and its value
        elif not arg.startswith(("--data=", "--out=")):
            kept.append(arg)
    return [*kept, "--data", str(MINIMAL), "--out", str(minimal_release if "--check" in args else out)]


def _split(words: list[str]) -> tuple[list[str], str | None]:
    """The arguments after ``wijkld``, and the file ``>`` sends the output to."""
    assert words[0] == "wijkld", words
    assert not {"|", "||", "&&", ";", "<", "2>"} & set(words), f"{words}: only `> FILE` is understood here"
    if ">" in words:
        at = words.index(">")
        assert len(words) == at + 2, words
        return words[1:at], words[at + 1]
    return words[1:], None


# -- the tests ---------------------------------------------------------------------------------------------


def test_examples_are_found() -> None:
    sources = {example.source.split(":")[0] for example in EXAMPLES}
    assert {"README.md", "docs/stores.md", "docs/validate.md", "docs/shapes.md", "queries/README.md"} <= sources
    commands = {example.command.split()[1] for example in EXAMPLES}
    assert {"build", "validate", "query", "diff", "serve", "shapes-qa", "docs"} <= commands
    assert len([e for e in EXAMPLES if e.source.endswith("--help")]) >= 12
    assert "wijkld query teams --format csv" not in {example.command for example in EXAMPLES}


def test_only_servers_are_left_out() -> None:
    assert len(NOT_RUN) <= 2
    for prefix in NOT_RUN:
        assert any(_not_run(example) for example in EXAMPLES if example.command.startswith(prefix)), prefix
    assert sum(1 for example in EXAMPLES if _not_run(example)) <= 4


def test_every_documented_failure_is_an_example() -> None:
    assert set(FAILING) <= {example.command for example in EXAMPLES}


def test_the_parser_reads_prompts_comments_and_exit_codes(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "```sh\nwijkld query x   # a comment\n.venv/bin/wijkld docs --check\npython3 -m venv v && wijkld build\n```\n"
        "```text\nwijkld build [--out DIR]\n$ wijkld validate broken.ttl\nError: ...\n$ echo $?\n2\n```\n"
        "```yaml\n- run: wijkld validate x.ttl\n```\n",
        encoding="utf-8",
    )
    found = markdown_examples(page, tmp_path)
    assert [(e.source.split(":")[1], e.command, e.exit_code) for e in found] == [
        ("2", "wijkld query x", None),
        ("3", "wijkld docs --check", None),
        ("8", "wijkld validate broken.ttl", 2),
    ]


def _serve_answers_and_stops(args: list[str]) -> None:
    """A server runs until Ctrl-C: start it as a user does (on a free port), ask it, and press Ctrl-C."""
    if "--port" in args:
        at = args.index("--port")
        args = args[:at] + args[at + 2 :]
    command = [sys.executable, "-m", "wijkld", *args, "--port", "0", "--workers", "1"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        first = server.stdout.readline()
        found = re.search(r" at (http://\S+)/$", first)
        assert found, f"{first}{server.stderr.read() if server.poll() is not None and server.stderr else ''}"
        for line in server.stdout:
            if "Ctrl-C stops" in line:
                break
        with urllib.request.urlopen(found.group(1) + "/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D", timeout=30) as answer:
            assert answer.status == 200 and b"true" in answer.read()
        server.send_signal(signal.SIGINT)
        rest, errors = server.communicate(timeout=30)
        assert server.returncode == 0, errors
        assert rest.strip().endswith("stopped") and "Traceback" not in errors
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda example: f"{example.source} {example.command}")
def test_example_runs(
    example: Example,
    workspace: Path,
    minimal_release: Path,
    runs: tuple[Path, dict[tuple[str, ...], Result]],
    meta_shacl_once: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if why := _not_run(example):
        pytest.skip(why)
    monkeypatch.chdir(workspace)
    args, stdout_file = _split(example.words)
    if args[:1] == ["docs"]:  # in a copy of the checkout's generated files, which it may write
        for name in docs.generated(cli):
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(REPO / name, tmp_path / name)
        args += ["--root", str(tmp_path)]
    out, results = runs
    args = _rewrite(args, out, minimal_release)
    if args[:1] == ["serve"]:
        _serve_answers_and_stops(args)
        return
    if tuple(args) not in results:
        results[tuple(args)] = CliRunner().invoke(cli, args)
    result = results[tuple(args)]
    expected = example.exit_code if example.exit_code is not None else FAILING.get(example.command, (0, ""))[0]
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert result.exit_code == expected, f"{example}\n{result.stdout}\n{result.stderr}"
    if stdout_file:
        (workspace / stdout_file).write_bytes(result.stdout_bytes)
