"""The output folder: which folders a build may replace, one build at a time, and the atomic swap.

A release is replaced as a whole, so OUT is the one argument that can destroy a
user's data. Everything that decides what happens to OUT lives here:

* :func:`refuse_unsafe` - OUT may only be a new folder, an empty one or an
  earlier wijkld release (its :data:`MARKER` and ``SHA256SUMS``); never the
  records, a repository, ``/``, the home folder or the folder we run in.
* :func:`publishing` - an exclusive ``flock`` on ``.{OUT}.lock`` beside OUT for the
  whole build, then a staging folder ``.{OUT}.building-{pid}-*`` on the same
  file system. Leftovers of earlier builds are removed only when their owner
  process is dead.
* :func:`swap_in` - OUT and the staging folder trade places in one
  ``renameat2(RENAME_EXCHANGE)``; what fails after that is a warning, because
  the new release is already published.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import fcntl
import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from wijkld.errors import WijkldError, os_cause

#: A file every release holds, so that a later build knows the folder is its to replace.
MARKER = ".wijkld-release"
MARKER_TEXT = (
    b"This folder is a release published by wijkld (https://w3id.org/wijkld).\n"
    b"wijkld build replaces it as a whole: do not keep other files in it.\n"
)
CHECKSUMS = "SHA256SUMS"

#: Kinds of folder a build leaves beside OUT while it runs; each name carries the owner's process id.
TRANSIENT_KINDS = ("building", "scratch", "streaming")  # streaming: left by wijkld 1.1
_OWNED = re.compile(r"^\.(?P<out>.+)\.(?P<kind>building|scratch|streaming)-(?P<pid>\d+)-[^/]+$")

Notify = Callable[[str], None]


class OutputRefused(WijkldError):
    """OUT is a folder a build must not replace (exit 2); deliberately no option overrides it."""


# -- what may be replaced ------------------------------------------------------------------------


def refuse_unsafe(out: Path, data_dir: Path | None = None) -> None:
    """Raise :class:`OutputRefused` unless replacing ``out`` as a whole loses nobody's data."""
    target = _resolved(out)
    shown = str(out)
    if target == Path(target.anchor):
        raise OutputRefused(f"--out {shown}: refusing to replace the root of the file system")
    home = _home()
    if home is not None and _within(home, target):
        what = "your home folder" if target == home else f"a folder that holds your home folder ({home})"
        raise OutputRefused(f"--out {shown}: refusing to replace {what}")
    cwd = Path.cwd().resolve()
    if _within(cwd, target):
        what = "the current folder" if target == cwd else f"a folder that holds the current folder ({cwd})"
        raise OutputRefused(f"--out {shown}: refusing to replace {what}; choose a new folder such as dist")
    if data_dir is not None:
        data = _resolved(data_dir)
        if target == data:
            raise OutputRefused(f"--out {shown} is the records folder (--data {data_dir}): it would delete them")
        if _within(data, target):
            raise OutputRefused(f"--out {shown} holds the records folder (--data {data_dir}): it would delete them")
        if _within(target, data):
            raise OutputRefused(f"--out {shown} lies inside the records folder (--data {data_dir}); choose another")
    blocking = next((p for p in target.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise OutputRefused(f"--out {shown}: {blocking} is a file, not a folder")
    if not target.exists():
        return
    if not target.is_dir():
        raise OutputRefused(f"--out {shown} is a file, not a folder")
    if (target / ".git").exists():
        raise OutputRefused(f"--out {shown} holds .git (a repository): wijkld build would delete it")
    try:
        entries = [entry.name for entry in os.scandir(target)]
    except OSError as exc:
        raise OutputRefused(f"--out {shown}: cannot list the folder ({os_cause(exc)})") from None
    if entries and not is_release(target):
        listed = ", ".join(sorted(entries)[:3]) + (", ..." if len(entries) > 3 else "")
        raise OutputRefused(
            f"--out {shown} is a folder with other files in it ({listed}), not a wijkld release "
            f"(no {MARKER} and {CHECKSUMS}): wijkld build replaces OUT as a whole, so it only replaces "
            "its own releases. Choose a new or empty folder."
        )
    if not os.access(target, os.W_OK | os.X_OK):
        raise OutputRefused(
            f"--out {shown} is read-only: wijkld replaces a release as a whole, so it needs to write there "
            f"(chmod -R u+w {shown}) or another --out"
        )


def is_release(folder: Path) -> bool:
    """Written by wijkld: its marker (or, for releases before the marker, ``void.ttl``) and ``SHA256SUMS``."""
    if not (folder / CHECKSUMS).is_file():
        return False
    return (folder / MARKER).is_file() or ((folder / "void.ttl").is_file() and (folder / "wijkld.nq.gz").is_file())


def _resolved(path: Path) -> Path:
    try:
        return path.expanduser().resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise OutputRefused(f"{path}: cannot resolve the path ({os_cause(exc)})") from None


def _home() -> Path | None:
    with contextlib.suppress(RuntimeError, KeyError, OSError):
        return Path.home().resolve()
    return None


def _within(inner: Path, outer: Path) -> bool:
    """Is ``inner`` the folder ``outer`` or somewhere below it?"""
    return inner == outer or outer in inner.parents


# -- one build at a time -------------------------------------------------------------------------


def lock_path(out: Path) -> Path:
    target = _resolved(out)
    return target.parent / f".{target.name}.lock"


@contextlib.contextmanager
def exclusive(out: Path, *, wait: bool = True, notify: Notify = lambda _: None) -> Iterator[None]:
    """Hold the lock of ``out``: a second build waits (saying so), or fails at once when ``wait`` is False.

    ``flock`` is released by the kernel when the process dies, so a killed build never leaves a stale lock.
    The lock file stays: removing it would let a waiting build lock a file that no longer has a name.
    """
    path = lock_path(out)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+b")  # noqa: SIM115 - held for the whole build
    except OSError as exc:
        raise WijkldError(f"--out {out}: cannot create the lock file {path} ({os_cause(exc)})") from None
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(handle)
            who = f"another wijkld build (pid {holder})" if holder else "another wijkld build"
            if not wait:
                raise WijkldError(
                    f"{who} is writing {out}; try again when it has finished (or leave out --no-wait)"
                ) from None
            notify(f"waiting for {who} to finish writing {out} ...")
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n".encode())
        handle.flush()
        yield


def _read_holder(handle: object) -> int | None:
    with contextlib.suppress(OSError, ValueError, IndexError):  # empty, or written by something else
        handle.seek(0)  # type: ignore[attr-defined]
        return int(handle.read(32).split()[0])  # type: ignore[attr-defined]
    return None


# -- staging, clean-up and the swap --------------------------------------------------------------


@contextlib.contextmanager
def publishing(
    out: Path, data_dir: Path | None = None, *, wait: bool = True, notify: Notify = lambda _: None
) -> Iterator[Path]:
    """Refuse an unsafe OUT, take its lock, clear what dead builds left, and yield a staging folder.

    The staging folder is removed on the way out, whatever happens; :func:`swap_in` publishes it.
    """
    refuse_unsafe(out, data_dir)
    with exclusive(out, wait=wait, notify=notify):
        refuse_unsafe(out, data_dir)  # a build that held the lock may have changed OUT meanwhile
        target = _resolved(out)
        recover(target, notify)
        with transient(target, "building", notify) as staged:
            yield staged


@contextlib.contextmanager
def transient(out: Path, kind: str, notify: Notify = lambda _: None) -> Iterator[Path]:
    """A new ``.{OUT}.{kind}-{pid}-*`` folder beside ``out``, removed on the way out whatever happens.

    Beside OUT: the same file system, so the swap is a rename. The pid in the name lets
    :func:`recover` tell a killed build's leftover from a live one's.
    """
    target = _resolved(out)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=f".{target.name}.{kind}-{os.getpid()}-", dir=target.parent))
    except OSError as exc:
        raise WijkldError(f"--out {out}: cannot create a folder in {target.parent} ({os_cause(exc)})") from None
    try:
        yield folder
    finally:
        remove_tree(folder, notify)


def sha256sums(digests: dict[str, str]) -> bytes:
    """The :data:`CHECKSUMS` file: ``sha256sum -c`` lines, two spaces between digest and name, by name."""
    return "".join(f"{digest}  {name}\n" for name, digest in sorted(digests.items())).encode("utf-8")


def recover(out: Path, notify: Notify = lambda _: None) -> None:
    """Undo a half-done fallback swap, and remove transient folders whose owner process is dead."""
    old = out.parent / f".{out.name}.previous"
    if old.exists():
        if out.exists():
            remove_tree(old, notify)
        else:
            os.rename(old, out)
    for kind in TRANSIENT_KINDS:
        for leftover in out.parent.glob(f".{glob_escape(out.name)}.{kind}-*"):
            if owner_alive(leftover):
                notify(f"leaving {leftover.name}: its build (pid {_owner(leftover)}) is still running")
                continue
            remove_tree(leftover, notify)


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def _owner(folder: Path) -> int | None:
    match = _OWNED.match(folder.name)
    return int(match["pid"]) if match else None


def owner_alive(folder: Path) -> bool:
    """Is the process named in a transient folder's name still running? Folders without one are ownerless."""
    pid = _owner(folder)
    if pid is None or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


def remove_tree(path: Path, notify: Notify = lambda _: None) -> None:
    """Remove a folder we own, making read-only folders in it writable first; a failure is only a warning."""

    def writable_then_retry(function: Callable[..., object], failed: str, _info: object) -> None:
        parent = os.path.dirname(failed)
        with contextlib.suppress(OSError):
            os.chmod(parent, stat.S_IMODE(os.lstat(parent).st_mode) | stat.S_IRWXU)
            if os.path.isdir(failed) and not os.path.islink(failed):
                os.chmod(failed, stat.S_IMODE(os.lstat(failed).st_mode) | stat.S_IRWXU)
        function(failed)

    if not os.path.lexists(path):
        return
    try:
        if sys.version_info >= (3, 12):  # pragma: no cover - onexc replaces onerror
            shutil.rmtree(path, onexc=writable_then_retry)
        else:
            shutil.rmtree(path, onerror=writable_then_retry)
    except OSError as exc:
        notify(f"warning: could not remove {path} ({os_cause(exc)}); remove it by hand")


def swap_in(staged: Path, out: Path, notify: Notify = lambda _: None) -> None:
    """Replace ``out`` by ``staged`` in one atomic step where the OS allows it.

    Permissions are those of an ordinary new folder (honouring the umask), not ``mkdtemp``'s 0700,
    so that a web server running as another user can read the release.
    """
    out = _resolved(out)
    _open_up(staged)
    _fsync_tree(staged)
    if not out.exists():
        os.rename(staged, out)
    elif _exchange(staged, out):
        # published: from here on nothing may fail the build
        remove_tree(staged, notify)  # now holds the previous release
    else:  # pragma: no cover - non-Linux fallback: two renames, repaired by recover()
        old = out.parent / f".{out.name}.previous"
        if old.exists():
            shutil.rmtree(old)
        os.rename(out, old)
        os.rename(staged, out)
        remove_tree(old, notify)
    _fsync_dir(out.parent)


def _open_up(root: Path) -> None:
    """Folders 0777 and files 0666, less the umask: what ``mkdir`` and ``open`` would have made."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(root, 0o777 & ~umask)


_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Linux renameat2(RENAME_EXCHANGE): swap two paths atomically; False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)


def _fsync_tree(root: Path) -> None:
    if _syncfs(root):  # one call flushes the whole file system: what 1,300 fsyncs did, in a fraction of the time
        return
    for path in sorted(root.rglob("*")):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
    _fsync_dir(root)


def _syncfs(root: Path) -> bool:
    """Linux syncfs(2) on the file system holding ``root`` (files and directories); False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    syncfs = getattr(ctypes.CDLL(libc_name, use_errno=True), "syncfs", None) if libc_name else None
    if syncfs is None:
        return False
    fd = os.open(root, os.O_RDONLY)
    try:
        return bool(syncfs(fd) == 0)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def os_error(exc: OSError, doing: str = "") -> WijkldError:
    """A user-facing error for a failed file operation: which file, and the cause in words (exit 2)."""
    names = [name for name in (exc.filename, exc.filename2) if name]
    where = f"{os.fsdecode(names[0])}: " if names else ""
    during = f" (while {doing})" if doing else ""
    return WijkldError(f"{where}{os_cause(exc)}{during}")
