"""Reading the files people give wijkld: the one place that opens them, so every command is equally careful.

``wijkld validate`` (data and shapes), ``wijkld diff``, ``wijkld query`` and ``wijkld serve`` (the release
dump) and ``wijkld build`` (the previous release, through :func:`wijkld.diff.read_lines`) read files that
someone else may have made. What could go wrong, and what happens instead:

* a gzip bomb (1 MB that inflates to 1 GiB) would cost memory in proportion to what it inflates to: gzip
  is inflated as a stream, in chunks, and reading stops at a cap (:func:`max_input`);
* an empty, truncated or corrupt gzip file would read as less data, or none: each is an error;
* a FIFO, a device (``/dev/zero``), a socket or a directory would hang or never end: only regular files
  are read, and the type is checked on the open descriptor, opened without waiting for a FIFO's writer;
* an unreadable file, a symlink loop or a file that vanished: the system's reason, in words.

Every failure is a :class:`~wijkld.errors.WijkldError` (exit code 2) whose message starts with the file
name, then ``cannot <what>: <cause>``.
"""

from __future__ import annotations

import io
import os
import re
import stat
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Protocol

from wijkld.errors import WijkldError, os_cause

#: The environment variable that sets the cap, in bytes or with a unit: ``8G``, ``512M``, ``1000000``.
ENV_VAR = "WIJKLD_MAX_INPUT"
#: The default cap on what one file may hold once inflated: twice the N-Quads dump of the largest release
#: the project is built for (10M triples, about 1.9 GB of N-Quads; docs/scaling.md), yet a bound.
DEFAULT_MAX_INPUT = 4 << 30
#: Bytes read and inflated at a time: what a bomb can cost before the cap stops it, beside the cap itself.
CHUNK = 1 << 20

_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
_SIZE = re.compile(r"(\d+)\s*([kmgt]?)(?:i?b)?", re.IGNORECASE)
_KINDS = (
    (stat.S_ISDIR, "a directory, not a file"),
    (stat.S_ISFIFO, "a FIFO, not a regular file"),
    (stat.S_ISCHR, "a character device, not a regular file"),
    (stat.S_ISBLK, "a block device, not a regular file"),
    (stat.S_ISSOCK, "a socket, not a regular file"),
)
#: Opening a FIFO for reading waits for a writer; with O_NONBLOCK it returns at once (no effect on files).
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
GZIP_MAGIC = b"\x1f\x8b"


def max_input() -> int:
    """The most bytes one input file may hold, after inflating: ``WIJKLD_MAX_INPUT``, else 4 GiB."""
    raw = os.environ.get(ENV_VAR, "").strip()
    if not raw:
        return DEFAULT_MAX_INPUT
    match = _SIZE.fullmatch(raw)
    if match is None or int(match[1]) == 0:
        raise WijkldError(f"{ENV_VAR}={raw!r}: expected a size in bytes above 0, such as 4G, 512M or 1000000")
    return int(match[1]) * _UNITS[match[2].lower()]


def describe_size(size: int) -> str:
    """``4 GiB`` for a whole number of a unit, else ``1234 bytes``: for messages."""
    for unit, name in ((1 << 40, "TiB"), (1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
        if size >= unit and size % unit == 0:
            return f"{size // unit} {name}"
    return f"{size} bytes"


def open_regular(path: Path, what: str) -> BinaryIO:
    """``path`` opened unbuffered for reading if it is a regular file; else a WijkldError saying what it is.

    ``what`` completes "cannot ...": ``read the data``, ``load the release``. The type is taken from the
    open descriptor, not the name, so a FIFO put in a file's place between a check and the open cannot hang us.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise input_error(path, what, os_cause(exc)) from None
    try:
        mode = os.fstat(fd).st_mode
    except OSError as exc:
        os.close(fd)
        raise input_error(path, what, os_cause(exc)) from None
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = next((text for is_kind, text in _KINDS if is_kind(mode)), "not a regular file")
        raise input_error(path, what, f"it is {kind}")
    return os.fdopen(fd, "rb", buffering=0)


def read_bytes(path: Path, *, what: str, limit: int | None = None) -> bytes:
    """All bytes of the regular file ``path``, at most ``limit`` of them (default :func:`max_input`).

    Read in chunks up to the limit, not by the size the file claims: a file may grow while it is read,
    and files under /proc claim 0 bytes.
    """
    cap = max_input() if limit is None else limit
    with open_regular(path, what) as handle:
        if os.fstat(handle.fileno()).st_size > cap:
            raise _too_large(path, what, cap, inflated=False)
        chunks: list[bytes] = []
        total = 0
        while chunk := _read_chunk(path, what, handle):
            total += len(chunk)
            if total > cap:
                raise _too_large(path, what, cap, inflated=False)
            chunks.append(chunk)
    return b"".join(chunks)


@contextmanager
def open_input(
    path: Path,
    *,
    what: str,
    gzipped: bool | None = None,
    limit: int | None = None,
    watch: Callable[[bytes], None] | None = None,
) -> Iterator[BinaryIO]:
    """A buffered reader of the text of ``path``, inflated as it is read when gzipped.

    ``gzipped`` defaults to whether the name ends in ``.gz``. At most ``limit`` bytes (default
    :func:`max_input`) come out; past that, and on a gzip error, reading raises a WijkldError that names the
    file, and for a broken stream the line and column where the good text ends. Parsers that take a file
    object (pyoxigraph's) pass such errors on unchanged, so nothing needs the whole text in memory.
    ``watch`` sees each chunk of text as it is read (up to :data:`CHUNK` bytes), to keep what a parser drops.
    """
    cap = max_input() if limit is None else limit
    inflate = path.name.lower().endswith(".gz") if gzipped is None else gzipped
    with open_regular(path, what) as handle:
        size = os.fstat(handle.fileno()).st_size
        if inflate:
            _check_gzip(path, what, handle, size)
        elif size > cap:
            raise _too_large(path, what, cap, inflated=False)
        source: _Source = _Gunzip(handle) if inflate else handle
        with io.BufferedReader(_Capped(source, path, what, cap, inflate, watch), CHUNK) as reader:
            yield reader


def input_error(path: Path, what: str, cause: str, position: tuple[int, int] | None = None) -> WijkldError:
    """``FILE: cannot WHAT: CAUSE``, or ``FILE:LINE:COLUMN: ...`` where the problem has a place in the text."""
    where = f"{path}:{position[0]}:{position[1]}" if position else str(path)
    return WijkldError(f"{where}: cannot {what}: {cause}")


def _read_chunk(path: Path, what: str, handle: BinaryIO) -> bytes:
    try:
        return handle.read(CHUNK)
    except OSError as exc:
        raise input_error(path, what, os_cause(exc)) from None


def _too_large(path: Path, what: str, cap: int, *, inflated: bool) -> WijkldError:
    limit = describe_size(cap)
    how = f"it decompresses to more than {limit} (a gzip bomb?)" if inflated else f"it holds more than {limit}"
    return input_error(path, what, f"{how}; the limit is set by the environment variable {ENV_VAR}")


def _check_gzip(path: Path, what: str, handle: BinaryIO, size: int) -> None:
    """Refuse an empty file, or one without the gzip signature, before reading: either says more than zlib would."""
    if size == 0:
        raise input_error(path, what, "the file is empty (0 bytes), not a gzip file")
    head = _read_chunk(path, what, handle)[:2]
    handle.seek(0)
    if head != GZIP_MAGIC:
        raise input_error(
            path, what, "it is not a gzip file (it does not start with 1f 8b); if it is not compressed, drop the .gz"
        )


class _Source(Protocol):
    def read(self, size: int, /) -> bytes: ...


class _Gunzip:
    """A gzip stream inflated on demand, member after member as gzip(1) reads them, trailing zero bytes ignored.

    zlib rather than gzip.GzipFile: GzipFile drops the text inflated by the read that finds the stream cut
    short, so the position of a truncation would be off by up to a chunk. zlib checks each member's CRC.
    The inflater gets :data:`FEED` bytes at a time, as it copies what is left of its input at the end of
    each member: a file of many tiny members then costs time in proportion to its size, not to its square.
    """

    FEED = 1 << 14

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)  # 16: a gzip header and trailer
        self.buffer = memoryview(b"")  # compressed bytes read from the file
        self.offset = 0  # how much of the buffer the inflater has had
        self.left = b""  # what the inflater gave back: input beyond its output limit, or after its member
        self.in_member = False

    def read(self, size: int, /) -> bytes:
        """Up to ``size`` bytes of text; b"" at the end; EOFError if it ends inside a member, zlib.error if corrupt."""
        while True:
            data = self.left or self._next_input()
            if not data:
                if self.in_member:
                    raise EOFError("the gzip stream ends early")
                return b""
            self.left = b""
            if not self.in_member and data[0] == 0:  # a member starts with 1f 8b; zeros may pad the end
                if bytes(data).strip(b"\0"):
                    raise zlib.error("data after the zero bytes that pad the end of the gzip stream")
                continue
            self.in_member = True
            text = self.inflater.decompress(data, size)
            self.left = self.inflater.unconsumed_tail
            if self.inflater.eof:
                self.left = self.inflater.unused_data
                self.inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
                self.in_member = False
            if text:
                return text

    def _next_input(self) -> memoryview:
        if self.offset >= len(self.buffer):
            self.buffer, self.offset = memoryview(self.raw.read(CHUNK)), 0
        data = self.buffer[self.offset : self.offset + self.FEED]
        self.offset += len(data)
        return data


class _Capped(io.RawIOBase):
    """Passes on at most ``limit`` bytes of ``source``, and turns read errors into WijkldErrors with a position."""

    def __init__(
        self, source: _Source, path: Path, what: str, limit: int, inflated: bool, watch: Callable[[bytes], None] | None
    ) -> None:
        super().__init__()
        self.source, self.path, self.what, self.limit, self.inflated = source, path, what, limit, inflated
        self.watch = watch
        self.total = self.lines = self.column = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        try:
            data = self.source.read(min(len(buffer), CHUNK))
        except EOFError:
            cause = "the file is truncated: the gzip stream ends early (the text up to here was read)"
            raise input_error(self.path, self.what, cause, self._position()) from None
        except zlib.error as exc:
            cause = f"corrupt gzip data ({exc}); the text up to here was read"
            raise input_error(self.path, self.what, cause, self._position()) from None
        except OSError as exc:
            raise input_error(self.path, self.what, os_cause(exc)) from None
        size = len(data)
        if self.total + size > self.limit:
            raise _too_large(self.path, self.what, self.limit, inflated=self.inflated)
        buffer[:size] = data
        if self.watch is not None:
            self.watch(data)
        self.total += size
        last = data.rfind(b"\n")
        if last < 0:
            self.column += size
        else:
            self.lines += data.count(b"\n")
            self.column = size - last - 1
        return size

    def _position(self) -> tuple[int, int]:
        """Line and column (from 1) just after the last good byte."""
        return self.lines + 1, self.column + 1
