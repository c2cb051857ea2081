"""wijkld.inputs: regular files only, sizes capped, gzip inflated as a stream; every failure a message."""

from __future__ import annotations

import errno
import gzip
import os
import zlib
from pathlib import Path

import pyoxigraph as ox
import pytest

from wijkld import inputs
from wijkld.errors import WijkldError

TRIPLE = b"<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n"


def read_all(path: Path, **options: object) -> bytes:
    with inputs.open_input(path, what="read the data", **options) as handle:  # type: ignore[arg-type]
        return handle.read()


def message(error: pytest.ExceptionInfo[WijkldError]) -> str:
    return error.value.format_message()


# -- the cap ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "size"),
    [("", 4 << 30), ("1000", 1000), ("512M", 512 << 20), ("8g", 8 << 30), ("4GiB", 4 << 30), (" 2 KB ", 2048)],
)
def test_the_cap_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch, value: str, size: int) -> None:
    monkeypatch.setenv(inputs.ENV_VAR, value)
    assert inputs.max_input() == size


@pytest.mark.parametrize("value", ["lots", "0", "-5", "1.5G", "4 PB"])
def test_a_bad_cap_is_an_error_naming_the_variable(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(inputs.ENV_VAR, value)
    with pytest.raises(WijkldError) as error:
        inputs.max_input()
    assert message(error).startswith(f"{inputs.ENV_VAR}={value.strip()!r}: expected a size in bytes above 0")


@pytest.mark.parametrize(("size", "text"), [(4 << 30, "4 GiB"), (3 << 20, "3 MiB"), (1000, "1000 bytes")])
def test_sizes_in_messages(size: int, text: str) -> None:
    assert inputs.describe_size(size) == text


# -- gzip ---------------------------------------------------------------------------------------------------


def test_gzip_is_inflated_member_after_member(tmp_path: Path) -> None:
    """The streamed dumps are gzip members joined (stream.py); trailing zero bytes are padding, as for gzip(1)."""
    path = tmp_path / "parts.nt.gz"
    path.write_bytes(gzip.compress(TRIPLE) + gzip.compress(b"") + gzip.compress(TRIPLE * 2) + b"\0" * 100)
    assert read_all(path) == TRIPLE * 3
    assert read_all(path, gzipped=False) == path.read_bytes()  # as the caller says, whatever the name


def test_a_gzip_bomb_stops_at_the_cap_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "bomb.nt.gz"
    path.write_bytes(gzip.compress(b"\0" * (8 << 20)))  # 8 MiB of zeros in 8 KiB
    with pytest.raises(WijkldError) as error:
        read_all(path, limit=1 << 20)
    assert message(error) == (
        f"{path}: cannot read the data: it decompresses to more than 1 MiB (a gzip bomb?); "
        f"the limit is set by the environment variable {inputs.ENV_VAR}"
    )
    assert read_all(path, limit=8 << 20) == b"\0" * (8 << 20)  # exactly the cap is allowed


def test_a_plain_file_over_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "big.nt"
    path.write_bytes(TRIPLE * 100)
    with pytest.raises(WijkldError, match="it holds more than 1000 bytes; the limit is set by the environment var"):
        read_all(path, limit=1000)
    with pytest.raises(WijkldError, match="it holds more than 1000 bytes"):
        inputs.read_bytes(path, what="read the shapes", limit=1000)


@pytest.mark.parametrize(
    ("content", "cause"),
    [
        pytest.param(b"", "the file is empty (0 bytes), not a gzip file", id="empty"),
        pytest.param(TRIPLE, "it is not a gzip file (it does not start with 1f 8b)", id="not-gzip"),
    ],
)
def test_what_is_not_gzip_is_refused_before_reading(tmp_path: Path, content: bytes, cause: str) -> None:
    path = tmp_path / "x.nt.gz"
    path.write_bytes(content)
    with pytest.raises(WijkldError) as error:
        read_all(path)
    assert message(error).startswith(f"{path}: cannot read the data: {cause}")


def test_a_broken_stream_is_placed_where_the_good_text_ends(tmp_path: Path) -> None:
    text = b"".join(b'<https://example.org/%d> <https://example.org/p> "%d" .\n' % (i, i * i) for i in range(20000))
    compressed = gzip.compress(text)
    cut = compressed[: len(compressed) // 2]
    good = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(cut)
    path = tmp_path / "cut.nt.gz"
    path.write_bytes(cut)
    with pytest.raises(WijkldError) as error:
        read_all(path)
    line, column = good.count(b"\n") + 1, len(good) - good.rfind(b"\n")
    assert message(error) == (
        f"{path}:{line}:{column}: cannot read the data: "
        "the file is truncated: the gzip stream ends early (the text up to here was read)"
    )
    garbage = tmp_path / "garbage.nt.gz"
    garbage.write_bytes(compressed + b"more")
    with pytest.raises(WijkldError) as error:
        read_all(garbage)
    assert message(error).startswith(f"{garbage}:20001:1: cannot read the data: corrupt gzip data (")
    garbage.write_bytes(compressed + b"\0" * 10 + b"more")  # zero bytes may pad the end, and only pad it
    with pytest.raises(WijkldError, match="corrupt gzip data .data after the zero bytes that pad the end"):
        read_all(garbage)


def test_a_parser_reads_the_stream_and_its_errors_pass_through(tmp_path: Path) -> None:
    """pyoxigraph reads the file object and passes our error on as it is: no text held whole, no traceback."""
    path = tmp_path / "data.nt.gz"
    path.write_bytes(gzip.compress(TRIPLE * 3))
    with inputs.open_input(path, what="read the data") as handle:
        assert len(list(ox.parse(handle, ox.RdfFormat.N_TRIPLES))) == 3
    path.write_bytes(gzip.compress(TRIPLE * 3)[:-20])
    with pytest.raises(WijkldError, match="the gzip stream ends early"):
        with inputs.open_input(path, what="read the data") as handle:
            list(ox.parse(handle, ox.RdfFormat.N_TRIPLES))


def test_watch_sees_the_text_as_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "data.nt.gz"
    path.write_bytes(gzip.compress(TRIPLE * 40000))  # 3 MiB: more than one chunk
    seen: list[bytes] = []
    with inputs.open_input(path, what="read the data", watch=seen.append) as handle:
        assert len(list(ox.parse(handle, ox.RdfFormat.N_TRIPLES))) == 40000
    assert len(seen) > 1 and max(map(len, seen)) <= inputs.CHUNK
    assert b"".join(seen) == TRIPLE * 40000


# -- what is not a regular file -----------------------------------------------------------------------------


def _fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.nt"
    os.mkfifo(path)
    return path


def _loop(tmp_path: Path) -> Path:
    path = tmp_path / "loop.nt"
    path.symlink_to(path.name)
    return path


def _dangling(tmp_path: Path) -> Path:
    path = tmp_path / "gone.nt"
    path.symlink_to("vanished.nt")
    return path


@pytest.mark.parametrize(
    ("make", "cause"),
    [
        pytest.param(_fifo, "it is a FIFO, not a regular file", id="fifo"),
        pytest.param(lambda tmp: tmp, "it is a directory, not a file", id="directory"),
        pytest.param(lambda tmp: Path("/dev/zero"), "it is a character device, not a regular file", id="dev-zero"),
        pytest.param(_loop, "too many levels of symbolic links (a symlink loop?)", id="symlink-loop"),
        pytest.param(_dangling, "no such file or directory", id="vanished"),
        pytest.param(lambda tmp: tmp / "nope.nt", "no such file or directory", id="missing"),
    ],
)
def test_only_regular_files_are_read(tmp_path: Path, make, cause: str) -> None:  # type: ignore[no-untyped-def]
    """None of these may hang (a FIFO waits for a writer, /dev/zero never ends) or escape as a traceback."""
    path = make(tmp_path)
    for read in (read_all, lambda p: inputs.read_bytes(p, what="read the data")):
        with pytest.raises(WijkldError) as error:
            read(path)
        assert message(error) == f"{path}: cannot read the data: {cause}"


def test_an_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The open fails as for a mode-000 file; root reads any file, so the real case is in tests/hostile."""
    path = tmp_path / "locked.nt"
    path.write_bytes(TRIPLE)
    real_open = os.open

    def refuse(name: object, *args: object, **kwargs: object) -> int:
        if os.fspath(name) == str(path):  # type: ignore[call-overload]
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(WijkldError) as error:
        read_all(path)
    assert message(error) == f"{path}: cannot read the data: permission denied"


def test_a_file_that_claims_no_size_is_read_to_its_end() -> None:
    """Files under /proc say 0 bytes: reading goes by what comes, not by the size the file claims."""
    status = Path("/proc/self/status")
    if not status.is_file():
        pytest.skip("no /proc here")
    assert os.stat(status).st_size == 0
    assert b"Name:" in inputs.read_bytes(status, what="read the status")
