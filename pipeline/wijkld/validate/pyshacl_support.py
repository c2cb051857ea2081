"""Every use of pyshacl's and rdflib's internals, each guarded by the versions it was tested with.

pyshacl's public API is ``pyshacl.validate`` and ``pyshacl.errors``; everything else wijkld needs
from it, or changes in it or in rdflib, is here and nowhere else:

* :func:`sparql_parse_cache` replaces rdflib's ``SPARQLProcessor.query`` while a block runs (speed).
  Outside :data:`TESTED` rdflib it does nothing: rdflib parses as it always does (same results, slower).
* :func:`focus_on_targets_only` replaces pyshacl's ``Shape.validate`` while a block runs (partitioned
  and focused validation give whole-graph results). Outside :data:`TESTED` pyshacl: :class:`UntestedVersion`.
* :func:`ontology_mixin` calls pyshacl's ``inoculate`` (what the ``shacl`` engine must see of the
  ontology). Outside :data:`TESTED` pyshacl: :class:`UntestedVersion`.
* :func:`shacl_shacl` reads SHACL-SHACL from pyshacl's package data. Outside :data:`TESTED`
  pyshacl: :class:`UntestedVersion`.

The patches are scoped: each context manager puts the original back when its block ends, also
on an error. To admit a new pyshacl or rdflib release, widen :data:`TESTED` (and the range in
``pyproject.toml``) once ``tests/test_pyshacl_support.py``, ``tests/test_validate.py``,
``tests/test_scaling.py``, ``tests/test_shapes.py`` and ``tests/test_sparql_pass.py`` pass with it.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import importlib.resources
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rdflib import Graph
from rdflib.plugins.sparql import processor as sparql_processor
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery

from wijkld.errors import WijkldError

log = logging.getLogger("wijkld.validate.pyshacl_support")

#: Per package, the versions the code below was tested with: from the first (included) to the second
#: (excluded). pyshacl 0.40.1 is the installed and tested one: Shape.validate(self, executor,
#: target_graph, focus, _evaluation_path), the SHACLExecutor dataclass with ``focus_nodes`` and
#: rdfutil.inoculate.inoculate(data_graph, ontology) are as patched and called here; pyshacl 0.40
#: requires rdflib 7.3 or later. rdflib: SPARQLProcessor.query(self, strOrQuery, initBindings,
#: initNs, base, DEBUG) is the same code in 7.3.0 and 7.6.0, both tested.
TESTED: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "pyshacl": ((0, 40), (0, 41)),
    "rdflib": ((7, 3), (8,)),
}


class UntestedVersion(WijkldError):
    """The installed pyshacl or rdflib is outside the versions wijkld's use of its internals was tested with."""


def installed(package: str) -> str:
    """The version of ``package`` (``pyshacl`` or ``rdflib``) as the package itself states it."""
    return str(importlib.import_module(package).__version__)


def version_tuple(text: str) -> tuple[int, ...]:
    """The leading numbers of a version: ``0.40.1`` -> (0, 40, 1), ``7.6.0a1`` -> (7, 6, 0); () if none."""
    found = re.match(r"\d+(?:\.\d+)*", text.strip())
    return tuple(int(part) for part in found.group(0).split(".")) if found else ()


def tested(package: str) -> bool:
    """Whether the installed ``package`` is within :data:`TESTED`."""
    low, high = TESTED[package]
    return low <= version_tuple(installed(package)) < high


def tested_range(package: str) -> str:
    """:data:`TESTED` of ``package`` as a requirement: ``pyshacl>=0.40,<0.41``."""
    low, high = TESTED[package]
    return f"{package}>={'.'.join(map(str, low))},<{'.'.join(map(str, high))}"


def require_tested(package: str, what: str) -> None:
    """Raise :class:`UntestedVersion`, saying ``what`` needs it, unless the installed ``package`` is tested."""
    if not tested(package):
        raise UntestedVersion(
            f"{what} relies on internals of {package}, tested with {tested_range(package)}, but {package} "
            f"{installed(package)} is installed; install a tested version: pip install '{tested_range(package)}'"
        )


# -- rdflib: parse each SPARQL text once ----------------------------------------------------------------

#: rdflib's own SPARQLProcessor.query, whatever sparql_parse_cache has installed since.
_RDFLIB_QUERY = sparql_processor.SPARQLProcessor.query
#: The ``enabled`` of each open sparql_parse_cache block, innermost last.
_CACHE_SWITCH: list[bool] = []


@contextmanager
def sparql_parse_cache(enabled: bool = True) -> Iterator[None]:
    """Parse each SPARQL query text once while the block runs (rdflib re-parses it on every call).

    pyshacl runs a SPARQL constraint once per focus node, and rdflib parses the query text each
    time: 20-100 ms per parse, most of the time of a small validation. The parsed query is the
    same object rdflib's own prepareQuery would give, so results do not change. With
    ``enabled=False`` the block, and any cache block nested in it, runs with rdflib's own
    parsing (to compare the two). Outside the tested rdflib versions the block changes nothing.
    ``wijkld.validate.check`` always validates inside such a block.
    """
    if enabled and not tested("rdflib"):
        log.debug("rdflib %s is untested (%s): SPARQL texts are parsed by rdflib", installed("rdflib"), TESTED)
        yield
        return
    before = sparql_processor.SPARQLProcessor.query

    @functools.lru_cache(maxsize=512)
    def translated(text: str, base: str | None, namespaces: tuple[tuple[str, Any], ...]) -> Any:
        return translateQuery(parseQuery(text), base, dict(namespaces))

    def query(
        self: sparql_processor.SPARQLProcessor,
        str_or_query: Any,
        initBindings: Any = None,  # noqa: N803 (rdflib's name)
        initNs: Any = None,  # noqa: N803
        base: str | None = None,
        DEBUG: bool = False,  # noqa: N803
    ) -> Any:
        if isinstance(str_or_query, str):
            str_or_query = translated(str_or_query, base, tuple(sorted((initNs or {}).items())))
        return _RDFLIB_QUERY(self, str_or_query, initBindings, initNs, base, DEBUG)

    if enabled and _CACHE_SWITCH and not _CACHE_SWITCH[-1]:
        yield  # an outer block asked for rdflib's own parsing; keep it
        return
    _CACHE_SWITCH.append(enabled)
    sparql_processor.SPARQLProcessor.query = query if enabled else _RDFLIB_QUERY  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        sparql_processor.SPARQLProcessor.query = before  # type: ignore[method-assign]
        _CACHE_SWITCH.pop()


# -- pyshacl ----------------------------------------------------------------------------------------------


@contextmanager
def focus_on_targets_only() -> Iterator[None]:
    """Make pyshacl's ``focus_nodes`` pick targets only, not the nodes nested shapes check.

    pyshacl filters every shape's focus nodes by ``focus_nodes``, also when a shape is
    reached through ``sh:node`` or ``sh:qualifiedValueShape`` from a value node: a value
    outside the partition's own nodes would then pass unchecked. Nested evaluation gets
    the executor without the filter, and the filter is a set, not a list. Without ``focus_nodes``
    the patch changes nothing. ``tests/test_scaling.py`` (partitions) and ``tests/test_validate.py``
    guard this against pyshacl releases. Raises :class:`UntestedVersion` outside the tested pyshacl.
    """
    require_tested("pyshacl", "validating chosen focus nodes (partitions, wijkld.validate.check(focus_nodes=...))")
    from pyshacl.shape import Shape

    original = Shape.validate

    def validate(self: Any, executor: Any, target_graph: Any, focus: Any = None, _evaluation_path: Any = None) -> Any:
        if focus is not None and executor.focus_nodes:
            executor = dataclasses.replace(executor, focus_nodes=None)
        elif executor.focus_nodes and not isinstance(executor.focus_nodes, frozenset):
            # pyshacl tests each target against a list: quadratic for a partition of many nodes
            executor.focus_nodes = frozenset(executor.focus_nodes)
        return original(self, executor, target_graph, focus, _evaluation_path)

    Shape.validate = validate  # type: ignore[method-assign]
    try:
        yield
    finally:
        Shape.validate = original  # type: ignore[method-assign]


def ontology_mixin(ontology: Graph) -> Graph:
    """What pyshacl mixes into the data from ``ontology``: its RDFS and OWL axioms, not labels or definitions."""
    require_tested("pyshacl", "the shacl engine (which must see what pyshacl mixes in from the ontology)")
    from pyshacl.rdfutil.inoculate import inoculate

    return inoculate(Graph(), ontology)  # type: ignore[arg-type]  # pyshacl annotates its own wrapper; it takes a Graph


def shacl_shacl() -> Graph:
    """pyshacl's copy of SHACL-SHACL (https://www.w3.org/TR/shacl/#shacl-shacl), from its package data."""
    require_tested("pyshacl", "the shapes QA (which reads SHACL-SHACL from pyshacl's package data)")
    return _shacl_shacl()


@functools.cache
def _shacl_shacl() -> Graph:
    asset = importlib.resources.files("pyshacl") / "assets" / "shacl-shacl.ttl"
    # rdflib's context-free store: pyshacl reads a shapes graph from it a fifth faster
    return Graph(store="SimpleMemory").parse(data=asset.read_text(encoding="utf-8"), format="turtle")
