"""Session fixtures: the real records built once into a release, shared by the tests that read it."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from rdflib import Graph

from wijkld import build
from wijkld.model.iris import DEFAULT_BASE

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return REPO / "data"


@pytest.fixture(scope="session")
def release_dir(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    out = tmp_path_factory.mktemp("release") / "dist"
    build.run(data_dir, out, DEFAULT_BASE)
    return out


@pytest.fixture(scope="session")
def built_release(release_dir: Path) -> Graph:
    """The published data graph (from the N-Triples dump)."""
    return Graph().parse(data=gzip.decompress((release_dir / "wijkld.nt.gz").read_bytes()), format="nt")
