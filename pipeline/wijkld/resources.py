"""Find the vocabulary, shapes and queries, in a source tree or in an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """``ontology``, ``shapes`` or ``queries``: packaged copy first, then the repository's."""
    packaged = _PACKAGE / "resources" / name
    if packaged.is_dir():
        return packaged
    in_repo = _PACKAGE.parents[1] / name
    if in_repo.is_dir():
        return in_repo
    raise FileNotFoundError(f"cannot find the {name}/ folder next to {_PACKAGE}; is wijkld installed completely?")


def templates_dir() -> Path:
    return _PACKAGE / "templates"
