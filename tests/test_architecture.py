"""The architecture as docs/architecture.md states it: one subpackage per stage, dependencies point one way,
every module is listed and says its job.

Imports are read from the source (``ast``), so a lazy import inside a function counts too.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pipeline" / "wijkld"
ARCHITECTURE = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"


def _dotted(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


#: every module, dotted under ``wijkld`` ("model.iris"); a subpackage's ``__init__`` is the package name
MODULES = sorted(_dotted(p) for p in PACKAGE.rglob("*.py") if p.name != "__main__.py" and _dotted(p))
STAGES = ("records", "model", "validate", "publish", "serve", "cli")
#: the shared modules at the top: each stage may use them; they use no stage
CORE = {"errors", "progress", "resources", "processes", "inputs", "outdir", "sparql_lexer"}


def project_imports(module: str) -> set[str]:
    """The wijkld modules ``module`` imports, anywhere in its source, as dotted names."""
    path = PACKAGE / (module.replace(".", "/") + ".py")
    if not path.exists():
        path = PACKAGE / module.replace(".", "/") / "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and (node.module + ".").startswith("wijkld."):
            base = node.module.removeprefix("wijkld").removeprefix(".")
            for alias in node.names:
                name = f"{base}.{alias.name}".strip(".")
                found.add(name if name in MODULES else base)
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{module}: relative import; the project imports by full name (wijkld.model.iris)")
    return found & set(MODULES)


def package_of(module: str) -> str:
    return module.split(".")[0]


#: stage -> the stages it may import (besides the core modules and itself)
ALLOWED = {
    "records": {"model"},  # only model.iris (below): a slug must be valid in an IRI
    "model": {"records"},  # the mapping consumes the records
    "validate": {"model", "publish"},  # only publish.serialize (below): the report's Turtle is written as every file is
    "publish": {"model", "records"},  # metadata reads the release record
    "serve": {"model"},
    "cli": set(STAGES) | {"build"},
    "build": set(STAGES) - {"cli"},
}

#: module -> the only modules it may import from the stages ALLOWED names for its package
NARROW = {
    "records.load": {"model.iris"},
    "validate.report": {"model.curie", "model.iris", "model.locate", "model.vocab", "publish.serialize"},
}

#: module -> modules it must not import, and why (finer than the stage rules)
FORBIDDEN = {
    "validate.engine": ({"records.load", "model.locate"}, "the engine knows nothing of CSV records"),
    "validate.store": ({"records.load", "model.locate"}, "the engine knows nothing of CSV records"),
    "validate.sparql_pass": ({"serve.query", "serve.server"}, "SPARQL passes do not depend on the endpoint"),
    "model.stream": ({"build"}, "the mapping stage does not know what comes after it"),
    "model.mapping": ({"model.stream", "model.dataset", "build"}, "the mapping does not know its callers"),
    "model.terms": ({m for m in MODULES} - {"errors", "model.vocab"}, "term conversion is a leaf"),
    "model.iris": ({m for m in MODULES} - {"errors"}, "the IRI scheme is a leaf"),
    "sparql_lexer": ({m for m in MODULES}, "the lexer is a leaf"),
    "serve.query": ({"serve.server"}, "the query runner does not know the server"),
}


def test_the_import_reader_sees_every_kind_of_import() -> None:
    assert {"validate.engine", "records.load", "model.locate"} <= project_imports("cli.validate_command")
    assert "model.mapping" in project_imports("model.stream")  # imported inside a function
    assert "validate.engine" in project_imports("validate.partition")  # ``from wijkld.validate import engine``


def test_every_module_belongs_to_a_stage_or_the_core() -> None:
    assert [m for m in MODULES if package_of(m) not in (*STAGES, *CORE, "build")] == []


@pytest.mark.parametrize("module", [m for m in MODULES if package_of(m) in CORE])
def test_the_core_uses_no_stage(module: str) -> None:
    assert {package_of(m) for m in project_imports(module)} <= CORE


@pytest.mark.parametrize("module", [m for m in MODULES if package_of(m) in ALLOWED])
def test_stages_depend_one_way(module: str) -> None:
    package = package_of(module)
    others = {m for m in project_imports(module) if package_of(m) not in CORE | {package}}
    assert {package_of(m) for m in others} <= ALLOWED[package], f"{module} imports {sorted(others)}"
    if module in NARROW:
        assert others <= NARROW[module], f"{module} imports {sorted(others - NARROW[module])}"
    elif package in NARROW_PACKAGES:
        assert not others & NARROW_PACKAGES[package], f"{module} imports {sorted(others)}"


#: package -> the modules that only NARROW's named modules may use from outside (for everyone else in it)
NARROW_PACKAGES = {
    "records": {m for m in MODULES if package_of(m) == "model"},
    "validate": {m for m in MODULES if package_of(m) == "publish"},
}


def test_the_module_graph_has_no_cycle() -> None:
    graph = {m: project_imports(m) - {m} for m in MODULES}
    state: dict[str, int] = {}

    def visit(module: str, trail: tuple[str, ...]) -> None:
        if state.get(module) == 2:
            return
        assert state.get(module) != 1, " -> ".join((*trail, module))
        state[module] = 1
        for used in sorted(graph[module]):
            visit(used, (*trail, module))
        state[module] = 2

    for module in MODULES:
        visit(module, ())


@pytest.mark.parametrize("module", sorted(FORBIDDEN))
def test_dependencies_point_one_way(module: str) -> None:
    forbidden, why = FORBIDDEN[module]
    assert not project_imports(module) & forbidden, why


@pytest.mark.parametrize("module", MODULES)
def test_every_module_says_its_job_in_its_docstring(module: str) -> None:
    path = PACKAGE / (module.replace(".", "/") + ".py")
    if not path.exists():
        path = PACKAGE / module.replace(".", "/") / "__init__.py"
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert docstring and docstring.strip(), f"{module} has no docstring"


def test_docs_architecture_names_every_module() -> None:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([\w/]+)\.py` \|", text, re.M))
    on_disk = {p.relative_to(PACKAGE).with_suffix("").as_posix() for p in PACKAGE.rglob("*.py")}
    assert sorted(on_disk - listed) == [], "modules docs/architecture.md does not list"
    assert sorted(listed - on_disk) == [], "listed modules that do not exist"
