"""The one process policy of every worker pool: fork on Linux, spawn elsewhere, workers die with the parent.

Start method (:func:`start_method`): ``fork`` on Linux, where it is cheap and the workers share
the parent's memory copy-on-write; ``spawn`` everywhere else: on macOS system libraries can crash
in a forked child (CPython's own default there is spawn), and Windows cannot fork. A parent that
runs threads of its own (``wijkld serve``'s HTTP threads) asks for ``threaded=True``: on Linux the
workers then come from a clean single-threaded ``forkserver``, never from a copy of those threads.

Shared state: a pool's ``initargs`` are inherited, not pickled, under fork, and pickled under
spawn; so state handed to the workers through ``initargs`` works both ways (fast under fork).
Code that relies on module globals set before the fork instead asks :func:`can_share_memory`
first and falls back to ``initargs`` where it is False.

Workers die with the parent (:func:`die_with_parent`), so a killed build leaves no worker writing
into a staging folder the next build removes, and a killed server no query running: on Linux the
kernel sends a pool's workers SIGKILL when their parent ends (``PR_SET_PDEATHSIG``); a forkserver's
child, and a worker off Linux, has a thread that waits for the parent's end.

Errors stop a pool, never terminate it (:func:`pool`): tasks not yet started are skipped and long
ones end at their next :func:`stopping` check, so no worker is killed while it holds a queue lock.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import multiprocessing
import multiprocessing.pool
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from multiprocessing.context import BaseContext
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: ``prctl`` option: the signal this process gets when its parent ends (linux/prctl.h).
PR_SET_PDEATHSIG = 1
#: Where neither a pidfd nor a kqueue can say it, how often a worker looks whether its parent is still there.
WATCH_SECONDS = 1.0


def start_method(*, threaded: bool = False) -> str:
    """``fork`` on Linux (``forkserver`` for a ``threaded`` parent), ``spawn`` on every other platform."""
    if not sys.platform.startswith("linux"):
        return "spawn"
    if not threaded:
        return "fork"
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def context(*, threaded: bool = False) -> BaseContext:
    """The multiprocessing context of :func:`start_method`: use it for every process, pipe and shared value."""
    return multiprocessing.get_context(start_method(threaded=threaded))


def can_share_memory() -> bool:
    """Whether :func:`pool`'s workers see the parent's module globals as they were when it started (fork)."""
    return start_method() == "fork"


def cpus() -> int:
    """The CPUs this process may run on (its affinity where the platform has one), at least 1."""
    counted: Callable[[], int | None] | None = getattr(os, "process_cpu_count", None)  # Python 3.13+
    if counted is not None:
        return counted() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def default_workers(at_most: int, at_least: int = 1) -> int:
    """One worker per CPU (:func:`cpus`), from ``at_least`` to ``at_most``."""
    return max(at_least, min(at_most, cpus()))


def die_with_parent(parent: int | None = None) -> None:
    """Make this process end when the process that started it does (a pool initializer; :func:`pool` installs it).

    ``parent``: that process's pid, to notice one that died before this took effect; None takes
    multiprocessing's parent process (the one that asked for this process, also when a
    ``forkserver`` forked it), else the direct parent. Where ``parent`` is the direct parent, on
    Linux, the kernel sends SIGKILL at its end (``PR_SET_PDEATHSIG``; it does so when the *thread*
    that started the process ends, so start pools from a thread that outlives them, as the main
    thread does). Otherwise (a forkserver's child, or off Linux) a daemon thread waits for the
    parent's end and ends this process (:func:`_exit_with`); on Windows, where that is not done,
    a worker ends when its pipe to the parent breaks.
    """
    if parent is None:
        known = multiprocessing.parent_process()
        parent = known.pid if known is not None and known.pid else os.getppid()
    if os.getppid() == parent and sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)  # the C library is loaded already
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)
    elif sys.platform != "win32":
        threading.Thread(target=_exit_with, args=(parent,), name="wijkld-parent-watch", daemon=True).start()


def _exit_with(pid: int) -> None:
    """End this process (at once, as SIGKILL would) when process ``pid`` ends, or now if it has ended."""
    _wait_for_end(pid)
    os._exit(1)


def _wait_for_end(pid: int) -> None:
    """Return when process ``pid`` has ended: a pidfd (Linux 5.3+), a kqueue (macOS, BSD), else by polling."""
    try:
        pidfd = os.pidfd_open(pid) if hasattr(os, "pidfd_open") else None
    except ProcessLookupError:
        return
    except OSError:  # an older kernel
        pidfd = None
    if pidfd is not None:
        select.select([pidfd], [], [])  # readable once the process has ended
        return
    if sys.platform != "linux" and sys.platform != "win32" and hasattr(select, "kqueue"):  # mypy: not on Linux
        queue = select.kqueue()
        try:
            queue.control([select.kevent(pid, select.KQ_FILTER_PROC, select.KQ_EV_ADD, select.KQ_NOTE_EXIT)], 0)
        except ProcessLookupError:
            return
        queue.control(None, 1)
        return
    while True:
        try:
            os.kill(pid, 0)  # signal 0: is it there (POSIX; not on Windows, where it would end it)
        except ProcessLookupError:
            return
        except PermissionError:
            pass
        time.sleep(WATCH_SECONDS)


#: Set in a worker (by :func:`_start_worker`) to the event its pool sets when it stops early.
_STOP: Any = None


class Stopped(Exception):
    """A task that a stopping pool did not start, or that ended early because :func:`stopping` said so."""


def stopping() -> bool:
    """Whether this process is a worker of a pool that is stopping: a long task asks between its steps and ends.

    Always False outside a pool's worker, so code that runs in the parent or in a pool calls it alike.
    """
    return _STOP is not None and bool(_STOP.is_set())


def _start_worker(parent: int, stop: Any, initializer: Callable[..., object] | None, initargs: Sequence[Any]) -> None:
    global _STOP
    die_with_parent(parent)
    _STOP = stop
    # Ctrl-C goes to the whole process group: the parent alone decides, and stops its pool (see pool())
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if initializer is not None:
        initializer(*initargs)


def _unless_stopped(func: Callable[..., R], *args: Any) -> R:
    if stopping():
        raise Stopped(f"{getattr(func, '__name__', func)!s} was not started: the pool is stopping")
    return func(*args)


class Workers:
    """The pool :func:`pool` yields: its tasks are not started once it is stopping."""

    def __init__(self, pool: multiprocessing.pool.Pool) -> None:
        self._pool = pool

    def map(self, func: Callable[[T], R], items: Iterable[T], chunksize: int | None = None) -> list[R]:
        """``func`` over ``items`` in the workers, the results in order."""
        return self._pool.map(functools.partial(_unless_stopped, func), items, chunksize)

    def imap(self, func: Callable[[T], R], items: Iterable[T], chunksize: int = 1) -> Iterator[R]:
        """As :meth:`map`, but each result as soon as it and those before it are done."""
        return self._pool.imap(functools.partial(_unless_stopped, func), items, chunksize)

    def apply_async(self, func: Callable[..., R], args: Sequence[Any] = ()) -> multiprocessing.pool.AsyncResult[R]:
        """``func(*args)`` in a worker; ``.get()`` on the result waits for its value (or raises its error)."""
        return self._pool.apply_async(functools.partial(_unless_stopped, func), tuple(args))


@contextlib.contextmanager
def pool(
    workers: int,
    initializer: Callable[..., object] | None = None,
    initargs: Iterable[Any] = (),
) -> Iterator[Workers]:
    """A pool of ``workers`` processes started by :func:`context`, each dying with this process.

    ``initializer(*initargs)`` runs in each worker after :func:`die_with_parent`. Under spawn the
    initializer, the ``initargs`` and the functions the pool runs are pickled: module-level
    functions and picklable values only. Workers ignore Ctrl-C, which is the parent's to handle.

    The pool is never terminated, because ``Pool.terminate`` can kill a worker while it holds the
    result queue's lock, after which the pool's own threads wait for that lock forever (a build that
    failed on a full disk hung so). On leaving the block the pool is closed and joined: after an
    error, with the pool *stopping*: tasks not yet started are skipped, and long tasks end at their
    next :func:`stopping` check. Only a second Ctrl-C while it waits terminates the workers.
    """
    ctx = context()
    stop = ctx.Event()
    inner = ctx.Pool(workers, initializer=_start_worker, initargs=(os.getpid(), stop, initializer, tuple(initargs)))
    try:
        yield Workers(inner)
    except BaseException:
        stop.set()
        inner.close()
        try:
            inner.join()
        except KeyboardInterrupt:  # asked twice: do not wait for the running tasks
            inner.terminate()
        raise
    inner.close()
    inner.join()
