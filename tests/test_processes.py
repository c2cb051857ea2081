"""The one process policy (wijkld.processes): fork on Linux, spawn elsewhere, workers die with the parent."""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from wijkld import processes
from wijkld.model import dataset, mapping
from wijkld.model.vocab import ORG, RDF, RDFS, WIJKLD
from wijkld.publish import serialize as publish
from wijkld.records import load as records
from wijkld.validate import engine as validate
from wijkld.validate import partition

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import generate  # noqa: E402

PIPELINE = Path(__file__).resolve().parents[1] / "pipeline"
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux only")


# -- the rule -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "method", "threaded"),
    [
        ("linux", "fork", "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"),
        ("darwin", "spawn", "spawn"),
        ("win32", "spawn", "spawn"),
        ("freebsd14", "spawn", "spawn"),
        ("cygwin", "spawn", "spawn"),
    ],
)
def test_fork_on_linux_spawn_everywhere_else(
    monkeypatch: pytest.MonkeyPatch, platform: str, method: str, threaded: str
) -> None:
    monkeypatch.setattr(sys, "platform", platform)
    assert processes.start_method() == method
    assert processes.start_method(threaded=True) == threaded  # a threaded parent never forks its threads
    assert processes.can_share_memory() is (method == "fork")


def test_the_context_is_the_rule_s(monkeypatch: pytest.MonkeyPatch) -> None:
    assert processes.context().get_start_method() == processes.start_method()
    monkeypatch.setattr(processes, "start_method", lambda threaded=False: "spawn")
    assert processes.context().get_start_method() == "spawn"
    assert not processes.can_share_memory()


def test_default_workers_is_one_per_cpu_within_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    assert processes.cpus() >= 1
    for cpus, expected in ((1, 2), (3, 3), (64, 8)):
        monkeypatch.setattr(processes, "cpus", lambda cpus=cpus: cpus)
        assert processes.default_workers(8, at_least=2) == expected
    assert processes.default_workers(4) == 4


# -- an error stops a pool; it is never terminated --------------------------------------------------------


def _work_until_stopped(started: str) -> str:
    """A long task that asks :func:`processes.stopping` between its steps, as the mapping and the pages do."""
    Path(started).touch()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if processes.stopping():
            raise processes.Stopped("left at the caller's error")
        time.sleep(0.01)
    return "never told to stop"


def _touch(path: str) -> None:
    Path(path).touch()


def _never(*args: object, **kwargs: object) -> None:
    raise AssertionError("Pool.terminate can kill a worker that holds the result queue's lock: the pool then hangs")


def test_an_error_stops_the_pool_without_terminating_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The caller's error ends the running task at its next check and skips the queued ones; nothing is killed."""
    monkeypatch.setattr(multiprocessing.pool.Pool, "terminate", _never)
    started = tmp_path / "started"
    begun = time.monotonic()
    with pytest.raises(RuntimeError, match="the caller failed"), processes.pool(1) as pool:
        running = pool.apply_async(_work_until_stopped, (str(started),))
        queued = [pool.apply_async(_touch, (str(tmp_path / f"queued-{i}"),)) for i in range(5)]
        while not started.exists():
            time.sleep(0.01)
        raise RuntimeError("the caller failed")
    assert time.monotonic() - begun < 30, "the pool waited for its long task to finish instead of stopping it"
    with pytest.raises(processes.Stopped, match="left at the caller's error"):
        running.get(0)
    for result in queued:
        with pytest.raises(processes.Stopped, match="was not started"):
            result.get(0)
    assert not list(tmp_path.glob("queued-*")), "a stopping pool started a queued task"


def test_a_pool_that_ends_well_runs_every_task_and_only_its_workers_stop(tmp_path: Path) -> None:
    assert not processes.stopping()  # the parent is never a stopping worker
    with processes.pool(2) as pool:
        assert pool.map(abs, [-3, 2, -1]) == [3, 2, 1]
        assert list(pool.imap(abs, range(-2, 1))) == [2, 1, 0]
        # Ctrl-C reaches the whole process group; only the parent acts on it
        assert pool.apply_async(signal.getsignal, (signal.SIGINT,)).get(10) == signal.SIG_IGN
        assert pool.apply_async(processes.stopping).get(10) is False
    assert signal.getsignal(signal.SIGINT) is not signal.SIG_IGN


# -- workers die with the parent ------------------------------------------------------------------------


def _gone(pid: int) -> bool:
    """No such process, or a zombie nobody reaps (a container's init may not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def _orphans_end(script: str, workers: int) -> None:
    """Run ``script`` (it prints one worker pid a line, then "busy"), SIGKILL it, and see its workers end."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PIPELINE), os.environ.get("PYTHONPATH", "")])}
    pids: list[int] = []
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env) as parent:
        try:
            assert parent.stdout is not None
            for line in parent.stdout:
                if line.strip() == "busy":
                    break
                pids.append(int(line))
            assert len(pids) == workers and all(not _gone(pid) for pid in pids)
            parent.send_signal(signal.SIGKILL)
            parent.wait(10)
            deadline = time.monotonic() + 10
            while not all(_gone(pid) for pid in pids) and time.monotonic() < deadline:
                time.sleep(0.05)
            left = [pid for pid in pids if not _gone(pid)]
            assert not left, f"workers {left} outlived their killed parent"
        finally:
            parent.kill()
            for pid in pids:  # should the test fail, leave nothing behind
                if not _gone(pid):
                    os.kill(pid, signal.SIGKILL)


@linux_only
@pytest.mark.slow
def test_pool_workers_die_when_their_parent_is_killed() -> None:
    """Also a worker busy with a long task, and an idle one (its task pipe never breaks: it holds both ends)."""
    script = textwrap.dedent(
        """
        import os, sys, time
        from wijkld import processes

        def hello(tag):
            os.write(1, b"%d\\n" % os.getpid())  # the user's initializer runs, after die_with_parent

        with processes.pool(2, initializer=hello, initargs=("x",)) as pool:
            pool.apply_async(time.sleep, (600,))
            time.sleep(0.5)
            print("busy", flush=True)
            time.sleep(600)
        """
    )
    _orphans_end(script, workers=2)


@linux_only
@pytest.mark.slow
def test_a_forkserver_worker_dies_with_the_server(tmp_path: Path) -> None:
    """serve's workers (context(threaded=True): a forkserver) end with the server that started them."""
    (tmp_path / "helper_worker.py").write_text(
        textwrap.dedent(
            """
            import os, time
            from wijkld import processes

            def main(conn):
                processes.die_with_parent()
                conn.send(os.getpid())
                time.sleep(600)
            """
        )
    )
    script = textwrap.dedent(
        f"""
        import sys, time
        sys.path.insert(0, {str(tmp_path)!r})
        import helper_worker
        from wijkld import processes

        ctx = processes.context(threaded=True)
        assert ctx.get_start_method() == "forkserver", ctx.get_start_method()
        here, there = ctx.Pipe()
        worker = ctx.Process(target=helper_worker.main, args=(there,), daemon=True)
        worker.start()
        print(here.recv(), flush=True)
        print("busy", flush=True)
        time.sleep(600)
        """
    )
    _orphans_end(script, workers=1)


@pytest.mark.parametrize("pidfd", [True, False], ids=["pidfd", "polling"])
def test_waiting_for_a_process_s_end(monkeypatch: pytest.MonkeyPatch, pidfd: bool) -> None:
    """What a forkserver's child (and a worker off Linux) waits with: returns once the process has ended."""
    if not pidfd:
        monkeypatch.delattr(os, "pidfd_open", raising=False)
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"]) as other:
        waiter = threading.Thread(target=processes._wait_for_end, args=(other.pid,), daemon=True)
        monkeypatch.setattr(processes, "WATCH_SECONDS", 0.05)
        waiter.start()
        waiter.join(0.5)
        assert waiter.is_alive()
        other.kill()
        other.wait()
        waiter.join(10)
        assert not waiter.is_alive()
    processes._wait_for_end(other.pid)  # gone already: at once


def test_a_worker_whose_parent_is_gone_already_ends_at_once() -> None:
    with subprocess.Popen([sys.executable, "-c", "pass"]) as gone:
        gone.wait()
    script = f"import time; from wijkld import processes; processes.die_with_parent({gone.pid}); time.sleep(30)"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PIPELINE), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", script], env=env, timeout=20, check=False)
    assert done.returncode == 1


# -- partitioned validation under spawn -------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated dataset with a few violations, in an on-disk store."""
    folder = tmp_path_factory.mktemp("spawn")
    generate.generate(folder / "data", 1_500, seed=3)
    graph = mapping.to_graph(records.load(folder / "data"))
    teams = sorted(graph.subjects(RDF.type, WIJKLD.AdoptionTeam))
    members = sorted(graph.subjects(RDF.type, ORG.Membership))
    graph.remove((teams[0], WIJKLD.wijk, None))  # minCount
    graph.add((teams[1], RDFS.label, Literal("Adoptionsteam", lang="de")))  # languageIn
    graph.remove((members[0], ORG.role, None))  # minCount
    graph.add((URIRef("https://example.org/orphan"), RDFS.label, Literal("orphan")))
    nt = folder / "data.nt"
    nt.write_bytes(b"".join(publish.ntriples_lines(graph)))
    store = dataset.store_from_ntriples([nt], folder / "store")
    del store
    return folder / "store"


@pytest.mark.slow
def test_partitioned_validation_gives_the_same_results_under_spawn_as_under_fork(
    small_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Spawned workers get the shapes through the pool's initargs (pickled), not through shared memory."""
    shapes, ontology = validate.load_shapes(), validate.load_ontology()
    forked = partition.validate_partitioned(small_store, shapes, ontology, partitions=3, workers=2)
    monkeypatch.setattr(processes, "start_method", lambda threaded=False: "spawn")
    assert not processes.can_share_memory()
    spawned = partition.validate_partitioned(small_store, shapes, ontology, partitions=3, workers=2)
    serial = partition.validate_partitioned(small_store, shapes, ontology, partitions=3, workers=1)
    assert sum(1 for r in forked if r.severity == "violation") >= 3
    assert spawned == forked == serial
