"""Shared fixtures: the repository, the minimal record set, scratch copies of data folders, a CLI runner."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]

#: A scratch copy of a data folder: ``copy_data(source, name="data") -> tmp_path / name``.
CopyData = Callable[..., Path]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository checkout (the folder holding data/, ontology/, shapes/, tests/)."""
    return REPO


@pytest.fixture(scope="session")
def minimal_data(repo_root: Path) -> Path:
    """A small but complete, valid set of source records: every record type and every kind of reference.

    Shared and read-only: tests that change records work on ``copy_data(minimal_data)``.
    """
    return repo_root / "tests" / "fixtures" / "minimal"


@pytest.fixture
def copy_data(tmp_path: Path) -> CopyData:
    """Factory: copy a data folder into ``tmp_path / name`` (default ``data``) and return the copy."""

    def copy(source: Path, name: str = "data") -> Path:
        target = tmp_path / name
        shutil.copytree(source, target)
        return target

    return copy


@pytest.fixture
def runner() -> CliRunner:
    """Click's test runner; ``result.stdout`` and ``result.stderr`` are kept apart (click 8.2+)."""
    return CliRunner()


pytest_plugins = ["release_fixtures"]


@pytest.fixture(scope="module")
def quiet_rdflib() -> Iterator[None]:
    """Silence rdflib's traceback per ill-typed literal, for tests that make such literals on purpose."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)
