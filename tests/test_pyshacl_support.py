"""pyshacl and rdflib internals (wijkld.validate.pyshacl_support): only in tested versions, only inside a block."""

from __future__ import annotations

import contextlib
import tomllib
from pathlib import Path

import pyshacl
import pytest
import rdflib
from pyshacl.shape import Shape
from rdflib import Graph, URIRef
from rdflib.plugins.sparql.processor import SPARQLProcessor

from wijkld.validate import engine as validate
from wijkld.validate import pyshacl_support, shapes_qa

REPO = Path(__file__).resolve().parents[1]

SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/> .
ex:Team a sh:NodeShape ; sh:targetClass ex:Team ;
    sh:property [ sh:path ex:wijk ; sh:minCount 1 ; sh:node ex:WijkShape ] ;
    sh:sparql [ sh:message "a team without a name" ;
                sh:select "SELECT $this WHERE { FILTER NOT EXISTS { $this <https://example.org/name> ?n } }" ] .
ex:WijkShape a sh:NodeShape ; sh:property [ sh:path ex:code ; sh:minCount 1 ] .
"""
DATA = """
@prefix ex: <https://example.org/> .
ex:a a ex:Team ; ex:wijk ex:w1 .
ex:b a ex:Team ; ex:wijk ex:w1 ; ex:name "b" .
ex:w1 ex:name "w1" .
"""
EX = "https://example.org/"
#: ex:a has no name (SPARQL), and the wijk of ex:a and ex:b has no code (sh:node)
WHOLE = {("a", "SPARQLConstraintComponent"), ("a", "NodeConstraintComponent"), ("b", "NodeConstraintComponent")}


def _check(**kwargs: object) -> set[tuple[str, str]]:
    shapes = Graph().parse(data=SHAPES, format="turtle")
    report = validate.check(Graph().parse(data=DATA, format="turtle"), shapes, Graph(), engine="pyshacl", **kwargs)
    return {(r.focus.removeprefix(EX), r.component.rsplit("#", 1)[1]) for r in report.results}


def test_the_installed_versions_are_the_tested_ones_and_pyproject_admits_only_those() -> None:
    assert pyshacl_support.tested("pyshacl") and pyshacl_support.tested("rdflib")
    dependencies = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    assert pyshacl_support.tested_range("pyshacl") in dependencies


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("0.40.1", (0, 40, 1)), ("7.6.0a1", (7, 6, 0)), ("0.41.0.dev3", (0, 41, 0)), ("v1", ()), ("", ())],
)
def test_version_tuple(text: str, parsed: tuple[int, ...]) -> None:
    assert pyshacl_support.version_tuple(text) == parsed


@pytest.mark.parametrize("version", ["0.39.2", "0.41.0", "1.0", "unknown"])
def test_an_untested_pyshacl_is_refused_where_its_internals_are_needed(
    monkeypatch: pytest.MonkeyPatch, version: str
) -> None:
    original = Shape.validate
    monkeypatch.setattr(pyshacl, "__version__", version)
    assert not pyshacl_support.tested("pyshacl")
    for use in (
        lambda: pyshacl_support.focus_on_targets_only().__enter__(),
        lambda: pyshacl_support.ontology_mixin(Graph()),
        pyshacl_support.shacl_shacl,
        lambda: _check(focus_nodes=[URIRef(EX + "a")]),
    ):
        with pytest.raises(pyshacl_support.UntestedVersion) as refused:
            use()
        assert f"pyshacl {version} is installed" in refused.value.message
        assert "pip install 'pyshacl>=0.40,<0.41'" in refused.value.message
    assert Shape.validate is original
    # whole-graph validation uses no pyshacl internal: it still works
    assert _check() == WHOLE


@pytest.mark.parametrize("version", ["7.2.1", "8.0.0"])
def test_an_untested_rdflib_falls_back_to_rdflib_s_own_parsing(monkeypatch: pytest.MonkeyPatch, version: str) -> None:
    original = SPARQLProcessor.query
    expected = _check()
    monkeypatch.setattr(rdflib, "__version__", version)
    with pyshacl_support.sparql_parse_cache():
        assert SPARQLProcessor.query is original  # nothing patched
    assert _check() == expected


def test_whole_graph_and_focused_validation_results(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cases the patches matter for: a SPARQL constraint (parsed once) and a nested shape (sh:node)."""
    assert _check() == WHOLE
    # focused on ex:a: the nested shape still checks ex:w1, which is not a focus node
    focused = {r for r in WHOLE if r[0] == "a"}
    assert _check(focus_nodes=[URIRef(EX + "a")]) == focused
    # that is the focus patch's doing: pyshacl alone filters the nested shape's focus (ex:w1) away
    monkeypatch.setattr(validate, "focus_on_targets_only", contextlib.nullcontext)
    assert _check(focus_nodes=[URIRef(EX + "a")]) == focused - {("a", "NodeConstraintComponent")}


def test_the_focus_patch_is_scoped(monkeypatch: pytest.MonkeyPatch) -> None:
    original = Shape.validate
    with pyshacl_support.focus_on_targets_only():
        assert Shape.validate is not original
    assert Shape.validate is original
    with pytest.raises(RuntimeError), pyshacl_support.focus_on_targets_only():
        raise RuntimeError("inside")
    assert Shape.validate is original  # also after an error


def test_the_parse_cache_is_scoped_and_nests() -> None:
    original = SPARQLProcessor.query
    with pyshacl_support.sparql_parse_cache():
        cached = SPARQLProcessor.query
        assert cached is not original
        with pyshacl_support.sparql_parse_cache(enabled=False):
            assert SPARQLProcessor.query is original  # rdflib's own parsing
            with pyshacl_support.sparql_parse_cache():
                assert SPARQLProcessor.query is original  # the outer block asked for rdflib's own; kept
        assert SPARQLProcessor.query is cached
    assert SPARQLProcessor.query is original
    with pytest.raises(RuntimeError), pyshacl_support.sparql_parse_cache():
        raise RuntimeError("inside")
    assert SPARQLProcessor.query is original
    assert not pyshacl_support._CACHE_SWITCH


def test_validating_leaves_pyshacl_and_rdflib_as_they_were() -> None:
    query, shape_validate = SPARQLProcessor.query, Shape.validate
    _check(focus_nodes=[URIRef(EX + "a")])
    shapes_qa.meta_shacl(Graph().parse(data=SHAPES, format="turtle"))
    assert SPARQLProcessor.query is query and Shape.validate is shape_validate


def test_the_modules_that_used_them_use_these() -> None:
    """One copy: validate and shapes_qa take them from pyshacl_support (stream calls validate.ontology_mixin)."""
    assert validate.sparql_parse_cache is pyshacl_support.sparql_parse_cache
    assert validate.focus_on_targets_only is pyshacl_support.focus_on_targets_only
    assert validate.ontology_mixin is pyshacl_support.ontology_mixin
    assert shapes_qa.sparql_parse_cache is pyshacl_support.sparql_parse_cache
    assert shapes_qa.shacl_shacl is pyshacl_support.shacl_shacl
