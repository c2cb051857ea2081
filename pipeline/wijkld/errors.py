"""Expected failures and the exit-code contract.

0  success: built, or the data conforms
1  the data does not conform to the shapes (validation results at or above --fail-on)
2  bad input or usage: unreadable records, unparsable RDF, bad options
3  an internal error (a bug): only then is a traceback printed, and only with --debug
130  interrupted by Ctrl-C (128 + SIGINT, as shells report it); nothing was published
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable
from dataclasses import dataclass

import click

EXIT_OK = 0
EXIT_NONCONFORMING = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input file, located as precisely as we can."""

    file: str
    line: int  # 0 when the problem concerns the whole file
    field: str  # "" when the problem concerns the whole line or file
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        what = f"field '{self.field}': " if self.field else ""
        return f"{where}: {what}{self.message}"


def shown(text: str, limit: int = 100) -> str:
    """User input as a message quotes it: escaped by ``repr``, so that control characters in it cannot
    drive the terminal, and cut after ``limit`` characters, so that a huge value cannot flood it."""
    return repr(text) if len(text) <= limit else f"{text[:limit]!r}..."


class WijkldError(click.ClickException):
    """An expected failure: reported as a message, never with a traceback."""

    exit_code = EXIT_BAD_INPUT


class InputError(WijkldError):
    """One or more problems with input files, all reported in one go."""

    def __init__(self, problems: Iterable[Problem], what: str = "source records") -> None:
        self.problems = sorted(problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [str(p) for p in self.problems]
        lines.append(f"{count} {noun} in the {what}; nothing was published.")
        super().__init__("\n".join(lines))

    def format_message(self) -> str:
        return self.message


class NonConformingError(WijkldError):
    """The data was read, but does not meet the shapes."""

    exit_code = EXIT_NONCONFORMING


class Interrupted(click.ClickException):
    """Ctrl-C: the command stopped where it was; a build publishes nothing (its staging folder is removed)."""

    exit_code = EXIT_INTERRUPTED

    def __init__(self) -> None:
        super().__init__("interrupted (Ctrl-C); nothing was published or changed")


_CAUSES = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EFBIG: "the file is larger than the file-size limit (ulimit -f) allows",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EROFS: "the file system is read-only",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "it is a folder, not a file",
    errno.ENAMETOOLONG: "the name is too long",
    errno.ELOOP: "too many levels of symbolic links (a symlink loop?)",
    errno.EMFILE: "too many open files (ulimit -n)",
    errno.ENOMEM: "out of memory",
}


def os_cause(exc: BaseException) -> str:
    """What a failed system call means, in words for users: the one wording every command uses."""
    if isinstance(exc, OSError) and exc.errno in _CAUSES:
        return _CAUSES[exc.errno]
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror[:1].lower() + exc.strerror[1:]
    if isinstance(exc, OSError) and exc.errno is None:
        # Oxigraph's store (RocksDB) raises a bare OSError whose text ends in the C library's
        # message ("...: File too large"); name the cause as for any other write.
        for code, cause in _CAUSES.items():
            if str(exc).endswith(os.strerror(code)):
                return cause
    return str(exc) or type(exc).__name__
