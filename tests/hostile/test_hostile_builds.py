"""Concurrent, interrupted and killed builds: one build at a time per OUT, and never half a release."""

from __future__ import annotations

import fcntl
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import MINIMAL, REPO, RunWijkld, assert_release_intact
from wijkld import outdir


def start_build(data: Path, out: Path, *extra: str) -> subprocess.Popen[str]:
    """A build in its own process, with -v so that its progress says where it is."""
    command = [sys.executable, "-m", "wijkld", "build", "-v", "--data", str(data), "--out", str(out), *extra]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(process: subprocess.Popen[str], text: str) -> list[str]:
    """Read the build's stderr until a line holds ``text``; the lines read."""
    assert process.stderr is not None
    seen = []
    for line in process.stderr:
        seen.append(line)
        if text in line:
            return seen
    pytest.fail(f"the build ended without saying {text!r}:\n{''.join(seen)}")


@pytest.fixture
def held_lock(published: Path) -> Iterator[None]:
    """The lock of ``published``, held as a running build would hold it."""
    with open(outdir.lock_path(published), "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        handle.write(b"4242\n")
        handle.flush()
        yield


def test_a_second_build_with_no_wait_fails_at_once(wijkld: RunWijkld, published: Path, held_lock: None) -> None:
    result = wijkld("build", "--data", str(MINIMAL), "--out", str(published), "--no-wait", timeout=60)
    assert result.returncode == 2, result.stderr
    assert "another wijkld build (pid 4242) is writing" in result.stderr
    assert_release_intact(published)


def test_a_second_build_waits_for_the_first_then_publishes(published: Path) -> None:
    lock = open(outdir.lock_path(published), "a+b")  # noqa: SIM115 - released half-way through the test
    fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
    try:
        waiting = start_build(MINIMAL, published)
        wait_for(waiting, "waiting for another wijkld build")
        assert waiting.poll() is None, "it waits while the lock is held"
        assert_release_intact(published)
    finally:
        lock.close()  # the first build is done
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert_release_intact(published)


def test_ctrl_c_while_waiting_exits_130(published: Path, held_lock: None) -> None:
    waiting = start_build(MINIMAL, published)
    wait_for(waiting, "waiting for another wijkld build")
    waiting.send_signal(signal.SIGINT)
    _, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 130, err
    assert "interrupted" in err
    assert_release_intact(published)


@pytest.mark.slow
def test_two_builds_at_once_publish_one_complete_release_each_in_turn(published: Path) -> None:
    """The race of the audit: the second build's clean-up removed the first's staging folder (6 of 6 races)."""
    real, minimal = REPO / "data", MINIMAL
    builds = [start_build(real, published), start_build(minimal, published), start_build(real, published)]
    results = [(b.communicate(timeout=300)[1], b.returncode) for b in builds]
    results = [(code, err) for err, code in results]
    for code, err in results:
        assert code == 0, err
    assert sum("waiting for another wijkld build" in err for _, err in results) >= 1
    assert_release_intact(published)
    assert not list(published.parent.glob(".dist.building-*")), "each build removed its own staging folder"


def test_ctrl_c_during_a_build_exits_130_and_publishes_nothing(published: Path) -> None:
    build = start_build(REPO / "data", published)
    wait_for(build, "validating")
    build.send_signal(signal.SIGINT)
    _, err = build.communicate(timeout=60)
    assert build.returncode == 130, err
    assert "interrupted (Ctrl-C); nothing was published" in err
    assert "Traceback" not in err
    assert_release_intact(published)
    assert not list(published.parent.glob(".dist.building-*"))


@pytest.mark.parametrize("stage", ["mapping", "validating", "publishing"])
def test_a_killed_build_leaves_the_release_and_the_next_build_cleans_up(
    wijkld: RunWijkld, published: Path, stage: str
) -> None:
    build = start_build(REPO / "data", published)
    wait_for(build, stage)
    build.kill()
    build.communicate()
    assert_release_intact(published)
    left = list(published.parent.glob(".dist.building-*"))
    assert left, "a SIGKILLed build cannot remove its own staging folder"
    result = wijkld("build", "--data", str(MINIMAL), "--out", str(published), "-q")
    assert result.returncode == 0, result.stderr
    assert not any(p.exists() for p in left), "its owner is dead, so the next build removed it"
    assert_release_intact(published)


def test_a_staging_folder_whose_owner_lives_is_left_alone(wijkld: RunWijkld, published: Path) -> None:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        alive = published.parent / f".dist.building-{sleeper.pid}-abcd"
        dead = published.parent / ".dist.building-999999999-abcd"
        legacy = published.parent / ".dist.streaming-left-by-wijkld-1.1"
        for folder in (alive, dead, legacy):
            folder.mkdir()
            (folder / "wijkld.ttl").write_text("half written")
        result = wijkld("build", "--data", str(MINIMAL), "--out", str(published), "-q")
        assert result.returncode == 0, result.stderr
        assert alive.is_dir(), "another process may still be writing it"
        assert f"leaving {alive.name}: its build (pid {sleeper.pid}) is still running" in result.stderr
        assert not dead.exists() and not legacy.exists()
    finally:
        sleeper.kill()
        sleeper.wait()
    assert_release_intact(published)
