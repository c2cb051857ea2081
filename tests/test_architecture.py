"""The architecture as docs/architecture.md states it: dependencies point one way, and every module is listed.

Imports are read from the source (``ast``), so a lazy import inside a function counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pipeline" / "wijkld"
ARCHITECTURE = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem not in ("__init__", "__main__"))

#: module -> the project modules it must not import, and why
FORBIDDEN = {
    "validate": ({"records", "locate", "schema", "build", "cli"}, "the engine knows nothing of CSV records"),
    "validate_store": ({"records", "locate", "schema", "build", "cli"}, "the engine knows nothing of CSV records"),
    "sparql_pass": ({"query", "serve", "build", "cli"}, "SPARQL passes do not depend on the endpoint"),
    "partition": ({"query", "serve", "build", "cli", "records"}, "partitions are the engine's"),
    "stream": ({"build", "cli", "publish", "validate"}, "the mapping stage does not know what comes after it"),
    "mapping": ({"build", "cli", "publish", "validate", "stream"}, "the mapping does not know its callers"),
    "terms": ({m for m in MODULES} - {"errors", "vocab"}, "term conversion is a leaf"),
    "iris": ({m for m in MODULES} - {"errors"}, "the IRI scheme is a leaf"),
    "sparql_lexer": ({m for m in MODULES}, "the lexer is a leaf"),
    "query": ({"serve", "build", "cli", "validate"}, "the query runner does not know the server"),
}


def project_imports(module: str) -> set[str]:
    """The wijkld modules ``module`` imports, anywhere in its source."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("wijkld."):
            found.add(node.module.split(".")[1])
    return found & set(MODULES)


def test_the_import_reader_sees_relative_and_lazy_imports() -> None:
    assert {"validate", "records", "locate"} <= project_imports("validate_command")
    assert "mapping" in project_imports("stream")  # imported inside a function


@pytest.mark.parametrize("module", sorted(FORBIDDEN))
def test_dependencies_point_one_way(module: str) -> None:
    forbidden, why = FORBIDDEN[module]
    assert not project_imports(module) & forbidden, why


def test_docs_architecture_names_every_module() -> None:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    assert [m for m in MODULES if f"`{m}.py`" not in text] == []
