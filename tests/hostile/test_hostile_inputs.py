"""Hostile input files for ``wijkld validate``, ``diff``, ``query`` and ``serve`` (issue 13).

Each case hands a command a file that is not what it claims: a gzip bomb, an empty, truncated or false
gzip file, a FIFO, a directory, /dev/zero, a symlink loop, a missing or unreadable file, shapes without
shapes, a release whose dump was replaced. Each must end with exit code 2 and a message that names the
file and the cause: no traceback, no "Internal error", no hang, no memory in proportion to the bomb; and
the release in ``published`` stays exactly as it was.

Cases that could hang or eat memory if they regressed (FIFO, /dev/zero, bombs) run the real entry point in
a child process with a timeout (the ``wijkld`` fixture); the rest run in-process through CliRunner.
"""

from __future__ import annotations

import ctypes
import gzip
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO, RunWijkld, assert_release_intact  # tests/hostile/conftest.py
from wijkld import inputs
from wijkld.cli.main import cli

TRIPLE = b"<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n"
#: The cap the bomb cases run under (``WIJKLD_MAX_INPUT``), so that they stay small and quick.
CAP = {inputs.ENV_VAR: "1M"}
BOMB_MIB = 256  # what a bomb inflates to; its file is about 1000 times smaller


def gzip_bomb(path: Path, unit: bytes) -> Path:
    """``BOMB_MIB`` MiB of ``unit`` repeated, as gzip members of 1 MiB each (made in milliseconds)."""
    member = gzip.compress(unit * ((1 << 20) // len(unit)), mtime=0)
    path.write_bytes(member * BOMB_MIB)
    return path


@dataclass(frozen=True)
class Case:
    """A hostile file made in a scratch folder, and the words the message must contain."""

    make: Callable[[Path, Path], Path]  # (scratch folder, the published release) -> the path to hand over
    cause: str
    real: bool = False  # run the real entry point in a child process (could hang or eat memory if broken)
    env: dict[str, str] | None = None

    def param(self, name: str) -> object:
        return pytest.param(self, id=name)


def _write(name: str, content: bytes) -> Callable[[Path, Path], Path]:
    def make(folder: Path, published: Path) -> Path:
        path = folder / name
        path.write_bytes(content)
        return path

    return make


def _bomb(name: str, unit: bytes) -> Callable[[Path, Path], Path]:
    return lambda folder, published: gzip_bomb(folder / name, unit)


def _truncated(name: str) -> Callable[[Path, Path], Path]:
    def make(folder: Path, published: Path) -> Path:
        dump = (published / "wijkld.nt.gz").read_bytes()
        path = folder / name
        path.write_bytes(dump[: len(dump) // 2])
        return path

    return make


def _fifo(name: str) -> Callable[[Path, Path], Path]:
    def make(folder: Path, published: Path) -> Path:
        os.mkfifo(folder / name)
        return folder / name

    return make


def _directory(name: str) -> Callable[[Path, Path], Path]:
    def make(folder: Path, published: Path) -> Path:
        (folder / name).mkdir()
        return folder / name

    return make


def _symlink_loop(name: str) -> Callable[[Path, Path], Path]:
    def make(folder: Path, published: Path) -> Path:
        (folder / name).symlink_to(name)
        return folder / name

    return make


def _dangling(name: str) -> Callable[[Path, Path], Path]:
    """A name whose file vanished: a symlink to nothing behaves as a file deleted between check and open."""

    def make(folder: Path, published: Path) -> Path:
        (folder / name).symlink_to("vanished")
        return folder / name

    return make


def _unreadable(name: str) -> Callable[[Path, Path], Path]:
    def make(folder: Path, published: Path) -> Path:
        path = folder / name
        path.write_bytes(gzip.compress(TRIPLE))
        path.chmod(0)
        return path

    return make


def _dev_zero(folder: Path, published: Path) -> Path:
    return Path("/dev/zero")


def _named_dev_zero(name: str) -> Callable[[Path, Path], Path]:
    """/dev/zero under an RDF file's name, so that the name passes and the reading is what must refuse it."""

    def make(folder: Path, published: Path) -> Path:
        (folder / name).symlink_to("/dev/zero")
        return folder / name

    return make


def _missing(name: str) -> Callable[[Path, Path], Path]:
    return lambda folder, published: folder / name


def _as_user() -> None:
    """In the child, before exec: root without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH obeys file modes."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP: also after exec
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _root_can_drop_its_override() -> bool:
    pid = os.fork()
    if pid == 0:  # try it in a throwaway child
        try:
            _as_user()
        except OSError:
            os._exit(1)
        os._exit(0)
    return os.waitpid(pid, 0)[1] == 0


#: As root, the child processes drop root's override of file modes (if they can), so that mode 000 means unreadable.
AS_USER = _as_user if os.geteuid() == 0 and _root_can_drop_its_override() else None
UNREADABLE = pytest.mark.skipif(
    os.geteuid() == 0 and AS_USER is None,
    reason="root without CAP_SETPCAP reads a file of mode 000, so an unreadable file cannot be made",
)


def run(wijkld: RunWijkld, case: Case, *args: str | Path) -> tuple[int, str]:
    """Exit code and stderr of ``wijkld ARGS``, in a child process (with a timeout) or in-process."""
    argv = [str(arg) for arg in args]
    if case.real:
        done = wijkld(*argv, env=case.env or {}, timeout=60, preexec_fn=AS_USER)
        return done.returncode, done.stderr
    result = CliRunner().invoke(cli, argv, env=case.env, prog_name="wijkld")
    return result.exit_code, result.stderr


def assert_refused(code: int, stderr: str, path: Path, cause: str) -> None:
    assert code == 2, stderr
    assert str(path) in stderr, f"the message does not name {path}:\n{stderr}"
    assert cause in stderr, stderr
    assert "Traceback" not in stderr and "Internal error" not in stderr, stderr


# -- wijkld validate ---------------------------------------------------------------------------------------

CLICK_MISSING = "does not exist"  # validate and diff check their arguments with click.Path(exists=True)

DATA_CASES = [
    Case(_bomb("data.nt.gz", TRIPLE), "decompresses to more than 1 MiB (a gzip bomb?)", real=True, env=CAP).param(
        "gzip-bomb"
    ),
    Case(_bomb("zeros.nt.gz", b"\0"), "zeros.nt.gz:1:1: ", real=True).param("gzip-bomb-of-zeros"),
    Case(_write("data.nt.gz", b""), "cannot read the data: the file is empty (0 bytes), not a gzip file").param(
        "empty-gz"
    ),
    Case(_truncated("data.nt.gz"), "the file is truncated: the gzip stream ends early").param("truncated-gz"),
    Case(_write("data.nt.gz", TRIPLE), "cannot read the data: it is not a gzip file").param("not-gzip"),
    Case(_fifo("data.nt"), "cannot read the data: it is a FIFO, not a regular file", real=True).param("fifo"),
    Case(_directory("data.nt"), "is a directory").param("directory"),
    Case(_named_dev_zero("data.nt"), "cannot read the data: it is a character device", real=True).param("dev-zero"),
    Case(_symlink_loop("data.nt"), CLICK_MISSING).param("symlink-loop"),
    Case(_dangling("data.nt"), CLICK_MISSING).param("vanished"),
    Case(_missing("data.nt"), CLICK_MISSING).param("missing"),
    pytest.param(Case(_unreadable("data.nt.gz"), "is not readable", real=True), id="unreadable", marks=UNREADABLE),
]


@pytest.mark.parametrize("case", DATA_CASES)
def test_validate_refuses_hostile_data(case: Case, tmp_path: Path, published: Path, wijkld: RunWijkld) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    path = case.make(scratch, published)
    code, stderr = run(wijkld, case, "validate", path)
    assert_refused(code, stderr, path, case.cause)
    assert_release_intact(published)


def _shapes_folder(folder: Path, published: Path) -> Path:
    (folder / "shapes").mkdir()
    (folder / "shapes" / "README.md").write_text("no Turtle here\n")
    return folder / "shapes"


def _project_shapes(folder: Path, published: Path) -> Path:
    return sorted((REPO / "shapes").rglob("*.ttl"))[0]  # over the cap of 1 KiB below


SHAPES_CASES = [
    Case(_write("shapes.ttl", b""), "no shapes found: the file holds no SHACL shapes").param("empty-shapes"),
    Case(
        _write("shapes.ttl", b"@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <https://example.org/> .\n"),
        "no shapes found: the file holds no SHACL shapes",
    ).param("only-prefixes"),
    Case(_shapes_folder, "no shapes found: the folder holds no Turtle files (*.ttl)").param("folder-without-ttl"),
    Case(_write("shapes.ttl", b'{"@context": {}}\n'), "shapes.ttl:1:1: ").param("not-turtle"),
    Case(_project_shapes, "cannot read the shapes: it holds more than 1 KiB", env={inputs.ENV_VAR: "1K"}).param(
        "over-the-cap"
    ),
    Case(_fifo("shapes.ttl"), "cannot read the shapes: it is a FIFO, not a regular file", real=True).param("fifo"),
    Case(_dev_zero, "cannot read the shapes: it is a character device", real=True).param("dev-zero"),
]


@pytest.mark.parametrize("case", SHAPES_CASES)
def test_validate_refuses_hostile_shapes(case: Case, tmp_path: Path, published: Path, wijkld: RunWijkld) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    data = scratch / "data.ttl"
    data.write_bytes(TRIPLE)
    shapes = case.make(scratch, published)
    code, stderr = run(wijkld, case, "validate", data, "--shapes", shapes)
    assert_refused(code, stderr, shapes, case.cause)
    assert "Conforms" not in stderr
    assert_release_intact(published)


# -- wijkld diff -------------------------------------------------------------------------------------------


def _release_with_a_folder_for_its_dump(folder: Path, published: Path) -> Path:
    (folder / "release" / "wijkld.nt.gz").mkdir(parents=True)
    return folder / "release" / "wijkld.nt.gz"


DIFF_CASES = [
    Case(_bomb("old.nt.gz", TRIPLE), "decompresses to more than 1 MiB (a gzip bomb?)", real=True, env=CAP).param(
        "gzip-bomb"
    ),
    Case(_write("old.nt.gz", b""), "cannot read N-Triples: the file is empty (0 bytes), not a gzip file").param(
        "empty-gz"
    ),
    Case(_truncated("old.nt.gz"), "cannot read N-Triples: the file is truncated: the gzip stream ends early").param(
        "truncated-gz"
    ),
    Case(_write("old.nt.gz", TRIPLE), "cannot read N-Triples: it is not a gzip file").param("not-gzip"),
    Case(_fifo("old.nt.gz"), "cannot read N-Triples: it is a FIFO, not a regular file", real=True).param("fifo"),
    Case(_release_with_a_folder_for_its_dump, "cannot read N-Triples: it is a directory, not a file").param(
        "directory"
    ),
    Case(_dev_zero, "cannot read N-Triples: it is a character device, not a regular file", real=True).param("dev-zero"),
    Case(_symlink_loop("old.nt.gz"), CLICK_MISSING).param("symlink-loop"),
    Case(_missing("old.nt.gz"), CLICK_MISSING).param("missing"),
    pytest.param(Case(_unreadable("old.nt.gz"), "is not readable", real=True), id="unreadable", marks=UNREADABLE),
]


@pytest.mark.parametrize("case", DIFF_CASES)
def test_diff_refuses_hostile_releases(case: Case, tmp_path: Path, published: Path, wijkld: RunWijkld) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    path = case.make(scratch, published)
    given = path.parent if path.name == "wijkld.nt.gz" else path  # a release folder is named by its folder
    code, stderr = run(wijkld, case, "diff", given, published)
    assert_refused(code, stderr, path, case.cause)
    assert_release_intact(published)


# -- wijkld query and wijkld serve: a release folder whose dump was replaced ------------------------------


def _replaced(make: Callable[[Path, Path], Path]) -> Callable[[Path, Path], Path]:
    """A copy of the release with its wijkld.nq.gz replaced by what ``make`` puts there."""

    def replace(folder: Path, published: Path) -> Path:
        copy = folder / "copy"
        shutil.copytree(published, copy)
        (copy / "wijkld.nq.gz").unlink()
        return make(copy, published)

    return replace


def _bad_crc(folder: Path, published: Path) -> Path:
    dump = bytearray((published / "wijkld.nq.gz").read_bytes())
    dump[-8] ^= 0xFF  # the CRC in the trailer of the (last) member
    (folder / "wijkld.nq.gz").write_bytes(dump)
    return folder / "wijkld.nq.gz"


QUERY_CASES = [
    Case(
        _replaced(_bomb("wijkld.nq.gz", TRIPLE)), "decompresses to more than 1 MiB (a gzip bomb?)", real=True, env=CAP
    ).param("gzip-bomb"),
    Case(_replaced(_write("wijkld.nq.gz", b"")), "the file is empty (0 bytes), not a gzip file").param("empty-gz"),
    Case(_replaced(_truncated("wijkld.nq.gz")), "the file is truncated: the gzip stream ends early").param(
        "truncated-gz"
    ),
    Case(_replaced(_bad_crc), "corrupt gzip data (Error -3 while decompressing data: incorrect data check)").param(
        "corrupt-gz"
    ),
    Case(_replaced(_write("wijkld.nq.gz", TRIPLE)), "cannot load the release: it is not a gzip file").param("not-gzip"),
    Case(_replaced(_fifo("wijkld.nq.gz")), "it is a FIFO, not a regular file", real=True).param("fifo"),
    Case(_replaced(_directory("wijkld.nq.gz")), "it is a directory, not a file").param("directory"),
    Case(_dev_zero, "cannot load the release: it is a character device, not a regular file", real=True).param(
        "dev-zero"
    ),
    Case(_replaced(_symlink_loop("wijkld.nq.gz")), "too many levels of symbolic links (a symlink loop?)").param(
        "symlink-loop"
    ),
    Case(_replaced(_dangling("wijkld.nq.gz")), "cannot load the release: no such file or directory").param("vanished"),
    Case(_replaced(_missing("wijkld.nq.gz")), "not found: build the release first").param("missing"),
    pytest.param(
        Case(_replaced(_unreadable("wijkld.nq.gz")), "cannot load the release: permission denied", real=True),
        id="unreadable",
        marks=UNREADABLE,
    ),
]


@pytest.mark.parametrize("case", QUERY_CASES)
def test_query_refuses_a_hostile_release(case: Case, tmp_path: Path, published: Path, wijkld: RunWijkld) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    path = case.make(scratch, published)
    given = path.parent if path.name == "wijkld.nq.gz" else path
    code, stderr = run(wijkld, case, "query", "ASK { ?s ?p ?o }", "--dist", given)
    assert_refused(code, stderr, path, case.cause)
    assert_release_intact(published)


@pytest.mark.parametrize(
    "case",
    [
        Case(_replaced(_bomb("wijkld.nq.gz", TRIPLE)), "decompresses to more than 1 MiB", real=True, env=CAP).param(
            "gzip-bomb"
        ),
        Case(_replaced(_fifo("wijkld.nq.gz")), "it is a FIFO, not a regular file", real=True).param("fifo"),
    ],
)
def test_serve_refuses_a_hostile_release(case: Case, tmp_path: Path, published: Path, wijkld: RunWijkld) -> None:
    """The workers load the dump; what they refuse ends the server before it listens."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    path = case.make(scratch, published)
    code, stderr = run(wijkld, case, "serve", "--port", "0", "--workers", "1", "--dist", path.parent)
    assert_refused(code, stderr, path, case.cause)
    assert_release_intact(published)


def test_the_bombs_are_bombs(tmp_path: Path) -> None:
    """What the bomb cases hand over: a file about a thousandth of what it inflates to."""
    bomb = gzip_bomb(tmp_path / "bomb.nt.gz", TRIPLE)
    assert bomb.stat().st_size * 200 < BOMB_MIB << 20
    with gzip.open(bomb) as handle:
        assert handle.read(1 << 20).count(b"\n") > 10000
