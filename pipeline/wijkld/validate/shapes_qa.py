"""Quality checks for the SHACL shapes themselves: meta-SHACL, a lint, and constraint coverage.

* :func:`meta_shacl` validates a shapes graph against SHACL-SHACL (the shapes
  graph for shapes graphs that ships with pyshacl).
* :func:`lint` finds what SHACL-SHACL cannot: regexes that do not compile (or use
  syntax XPath regexes lack), ``sh:minCount`` above ``sh:maxCount``, node shapes
  whose targets match nothing in the data, properties the data uses that no
  shape constrains, shapes without an IRI or without bilingual names and
  messages, property shapes that would report the same result twice.
* :func:`coverage` tells for every constraint (a shape and a constraint
  component) which test fixtures exercise it: tests/shapes/ holds the fixtures,
  docs/shapes.md explains them.

The functions are pure: they take graphs and return lists and tables. The
command line (``wijkld shapes-qa``, in cli.py) reads the files and prints them.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from pyshacl import validate as pyshacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from wijkld.errors import WijkldError
from wijkld.model.curie import shorten
from wijkld.model.vocab import OWL, RDF, RDFS, SH, compact_iri
from wijkld.validate import engine as validate
from wijkld.validate import rdf_files
from wijkld.validate.engine import LIST_PARAMETERS, SHAPE_PARAMETERS, TARGETS, all_shapes
from wijkld.validate.pyshacl_support import shacl_shacl, sparql_parse_cache

#: The languages every name, description and message is given in.
LANGUAGES = ("nl", "en")

#: Constraint parameters and the component that reports them (SHACL 1.0, sections 4 and 5).
COMPONENTS: dict[URIRef, URIRef] = {
    SH["class"]: SH.ClassConstraintComponent,
    SH.datatype: SH.DatatypeConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH.minCount: SH.MinCountConstraintComponent,
    SH.maxCount: SH.MaxCountConstraintComponent,
    SH.minExclusive: SH.MinExclusiveConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH.maxExclusive: SH.MaxExclusiveConstraintComponent,
    SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
    SH.minLength: SH.MinLengthConstraintComponent,
    SH.maxLength: SH.MaxLengthConstraintComponent,
    SH.pattern: SH.PatternConstraintComponent,
    SH.languageIn: SH.LanguageInConstraintComponent,
    SH.uniqueLang: SH.UniqueLangConstraintComponent,
    SH.equals: SH.EqualsConstraintComponent,
    SH.disjoint: SH.DisjointConstraintComponent,
    SH.lessThan: SH.LessThanConstraintComponent,
    SH.lessThanOrEquals: SH.LessThanOrEqualsConstraintComponent,
    SH["not"]: SH.NotConstraintComponent,
    SH["and"]: SH.AndConstraintComponent,
    SH["or"]: SH.OrConstraintComponent,
    SH.xone: SH.XoneConstraintComponent,
    SH.node: SH.NodeConstraintComponent,
    SH.property: SH.PropertyConstraintComponent,
    SH.qualifiedMinCount: SH.QualifiedMinCountConstraintComponent,
    SH.qualifiedMaxCount: SH.QualifiedMaxCountConstraintComponent,
    SH.closed: SH.ClosedConstraintComponent,
    SH.hasValue: SH.HasValueConstraintComponent,
    SH["in"]: SH.InConstraintComponent,
    SH.sparql: SH.SPARQLConstraintComponent,
}
#: Parameters that only count when true.
BOOLEAN_PARAMETERS = {SH.uniqueLang, SH.closed}

#: Regex syntax Python accepts but XPath/XML Schema regexes (what sh:pattern means) do not.
XPATH_ESCAPES = {
    "b": "word boundary \\b",
    "B": "non-boundary \\B",
    "A": "start anchor \\A",
    "Z": "end anchor \\Z",
    "z": "end anchor \\z",
    "G": "anchor \\G",
    "x": "hex escape \\x",
    "u": "unicode escape \\u",
    "h": "escape \\h",
    "R": "escape \\R",
    "K": "escape \\K",
}


class Expected(NamedTuple):
    """One validation result, as much of it as a fixture asserts."""

    focus: str
    path: str  # SPARQL path syntax (validate.path_text); "" for none
    component: str
    shape: str
    severity: str  # violation | warning | info

    def short(self) -> str:
        return f"{_local(self.shape)} {_local(self.component)} {self.focus} {self.path} [{self.severity}]".replace(
            "  ", " "
        )


@dataclass(frozen=True, order=True)
class Problem:
    """Something wrong with the shapes: a kind (see :func:`lint`), the shape or term concerned, what is wrong."""

    kind: str
    subject: str
    message: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.subject}: {self.message}"


@dataclass(frozen=True)
class Constraint:
    """A shape and one of its constraint components, with the fixtures that exercise it."""

    shape: str
    component: str
    fixtures: tuple[str, ...] = ()
    #: for a constraint of a shape used only inside other shapes: the constraints that use it
    via: tuple[tuple[str, str], ...] = ()

    @property
    def covered(self) -> bool:
        return bool(self.fixtures)


@dataclass(frozen=True)
class Coverage:
    """Which constraints the fixtures exercise. ``nested`` are checked only through the shapes using them."""

    constraints: tuple[Constraint, ...]
    nested: tuple[Constraint, ...] = ()

    @property
    def uncovered(self) -> tuple[Constraint, ...]:
        return tuple(c for c in self.constraints if not c.covered)

    @property
    def percent(self) -> float:
        if not self.constraints:
            return 100.0
        return 100.0 * sum(1 for c in self.constraints if c.covered) / len(self.constraints)


# -- shapes ---------------------------------------------------------------------------------------------


def targeted_shapes(shapes: Graph) -> set[Node]:
    """Node shapes with a target (including implicit class targets)."""
    found: set[Node] = set()
    for predicate in TARGETS:
        found.update(shapes.subjects(predicate, None))
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        if (shape, RDF.type, RDFS.Class) in shapes or (shape, RDF.type, OWL.Class) in shapes:
            found.add(shape)
    return {s for s in found if not _deactivated(shapes, s)}


def reportable_shapes(shapes: Graph) -> set[Node]:
    """Shapes that can be the sh:sourceShape of a top-level result: targeted shapes and their property shapes."""
    found: set[Node] = set()
    todo = list(targeted_shapes(shapes))
    while todo:
        shape = todo.pop()
        if shape in found or _deactivated(shapes, shape):
            continue
        found.add(shape)
        todo.extend(shapes.objects(shape, SH.property))
    return found


def constraints_of(shapes: Graph, shape: Node) -> list[URIRef]:
    """The constraint components of one shape, in a stable order."""
    found: set[URIRef] = set()
    for parameter, value in shapes.predicate_objects(shape):
        if not isinstance(parameter, URIRef) or parameter not in COMPONENTS or parameter == SH.property:
            continue
        if parameter in BOOLEAN_PARAMETERS and value != Literal(True):
            continue
        found.add(COMPONENTS[parameter])
    return sorted(found)


def _deactivated(shapes: Graph, shape: Node) -> bool:
    return shapes.value(shape, SH.deactivated) == Literal(True)


def _uses(shapes: Graph) -> dict[Node, list[tuple[Node, URIRef]]]:
    """For every shape used inside another: (using shape, component through which it is used)."""
    uses: dict[Node, list[tuple[Node, URIRef]]] = defaultdict(list)
    for parameter in SHAPE_PARAMETERS:
        for user, used in shapes.subject_objects(parameter):
            if parameter != SH.qualifiedValueShape:
                uses[used].append((user, COMPONENTS[parameter]))
                continue
            for qualified in (SH.qualifiedMinCount, SH.qualifiedMaxCount):
                if shapes.value(user, qualified) is not None:
                    uses[used].append((user, COMPONENTS[qualified]))
    for parameter in LIST_PARAMETERS:
        for user, members in shapes.subject_objects(parameter):
            for used in Collection(shapes, members):
                uses[used].append((user, COMPONENTS[parameter]))
    for user, used in shapes.subject_objects(SH.property):
        uses[used].append((user, SH.PropertyConstraintComponent))
    return uses


# -- meta-SHACL -----------------------------------------------------------------------------------------


def meta_shacl(shapes: Graph) -> list[Problem]:
    """The shapes graph validated against SHACL-SHACL: one problem per result, none when it is valid SHACL."""
    data = shapes
    if not shapes.store.context_aware:  # pyshacl needs a context-aware store for the graph it validates
        data = Graph()
        data += shapes
    conforms, report, _ = pyshacl_validate(
        data, shacl_graph=shacl_shacl(), inference="none", advanced=False, do_owl_imports=False
    )
    if conforms:
        return []
    assert isinstance(report, Graph)
    problems = []
    for result in report.objects(None, SH.result):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        where = f" (at {validate.path_text(report, path)})" if path is not None else ""
        problems.append(Problem("meta-shacl", _name(shapes, focus), f"{message}{where}"))
    return sorted(problems)


# -- lint -----------------------------------------------------------------------------------------------


def lint(shapes: Graph, data: Graph, ontology: Graph | None = None) -> list[Problem]:
    """What SHACL-SHACL misses, in the shapes and in how they meet ``data``.

    Kinds of problem:

    ``regex``           an sh:pattern Python cannot compile
    ``regex-xpath``     an sh:pattern using syntax XPath regexes lack (lookaround, \\b, named groups, ...)
    ``cardinality``     sh:minCount above sh:maxCount (also the qualified pair)
    ``no-target-match`` a node shape whose targets match nothing in the data
    ``unconstrained``   a property used on instances of a class that no shape targeting them constrains
    ``blank-node``      a shape without an IRI
    ``message``         a property shape (or a shape with its own node-level constraints) without
                        sh:message in Dutch and English
    ``annotation``      a shape without sh:name and sh:description in Dutch and English
    ``duplicate``       a property shape used by two node shapes that target the same node
                        (pyshacl would report each of its results twice)
    ``sparql``          more than one sh:sparql on one shape (coverage cannot tell them apart)

    ``ontology`` supplies rdfs:subClassOf for class targets, as the validation mixes it in.
    """
    problems: list[Problem] = []
    problems += _lint_patterns(shapes)
    problems += _lint_cardinality(shapes)
    problems += _lint_annotations(shapes)
    problems += _lint_targets(shapes, data, ontology)
    return sorted(set(problems))


def xpath_incompatibilities(pattern: str) -> list[str]:
    """Regex syntax in ``pattern`` that XPath (XML Schema) regular expressions do not have."""
    found: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            escape = pattern[i + 1 : i + 2]
            if not in_class and escape in XPATH_ESCAPES:
                found.append(XPATH_ESCAPES[escape])
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            if pattern.startswith("[^]", i) or pattern.startswith("[]", i):
                i += 1 + pattern[i + 1 : i + 2].count("^")  # a leading ] is a literal
        elif c == "(" and pattern.startswith("(?", i):
            rest = pattern[i + 2 :]
            if rest.startswith(("=", "!", "<=", "<!")):
                found.append("lookaround (?=...)")
            elif rest.startswith(("P", "<")):
                found.append("named group (?P<...>)")
            elif rest.startswith(">"):
                found.append("atomic group (?>...)")
            elif not rest.startswith(":"):
                found.append("inline flags (?...)")
        elif c in "*+?}" and pattern[i + 1 : i + 2] == "+":
            found.append("possessive quantifier")
        i += 1
    return found


def _lint_patterns(shapes: Graph) -> Iterator[Problem]:
    for shape, pattern in shapes.subject_objects(SH.pattern):
        name = _name(shapes, shape)
        flags = str(shapes.value(shape, SH.flags) or "")
        try:
            re.compile(str(pattern), re.IGNORECASE if "i" in flags else 0)
        except re.error as exc:
            yield Problem("regex", name, f"sh:pattern {str(pattern)!r} does not compile: {exc}")
            continue
        for what in xpath_incompatibilities(str(pattern)):
            yield Problem("regex-xpath", name, f"sh:pattern {str(pattern)!r} uses {what}, which XPath regexes lack")


def _lint_cardinality(shapes: Graph) -> Iterator[Problem]:
    for low, high in ((SH.minCount, SH.maxCount), (SH.qualifiedMinCount, SH.qualifiedMaxCount)):
        for shape, minimum in shapes.subject_objects(low):
            maximum = shapes.value(shape, high)
            if maximum is not None and _int(minimum) > _int(maximum):
                yield Problem(
                    "cardinality",
                    _name(shapes, shape),
                    f"{compact_iri(low)} {minimum} is above {compact_iri(high)} {maximum}",
                )


def _lint_annotations(shapes: Graph) -> Iterator[Problem]:
    own_constraints = set(COMPONENTS) - {SH.property}
    for shape in sorted(all_shapes(shapes), key=str):
        name = _name(shapes, shape)
        if isinstance(shape, BNode):
            yield Problem("blank-node", name, "a shape without an IRI cannot be named in reports and fixtures")
        for predicate in (SH.name, SH.description):
            missing = _missing_languages(shapes, shape, predicate)
            if missing:
                yield Problem("annotation", name, f"no {compact_iri(predicate)} in {', '.join(missing)}")
        is_property_shape = shapes.value(shape, SH.path) is not None
        constrains = any(p in own_constraints for p in shapes.predicates(shape))
        if is_property_shape or constrains:
            missing = _missing_languages(shapes, shape, SH.message)
            if missing:
                yield Problem("message", name, f"no sh:message in {', '.join(missing)}")
        if len(set(shapes.objects(shape, SH.sparql))) > 1:
            yield Problem("sparql", name, "several sh:sparql on one shape: give each its own shape")


def _missing_languages(shapes: Graph, shape: Node, predicate: URIRef) -> list[str]:
    have = {o.language for o in shapes.objects(shape, predicate) if isinstance(o, Literal)}
    return [lang for lang in LANGUAGES if lang not in have]


def _lint_targets(shapes: Graph, data: Graph, ontology: Graph | None) -> Iterator[Problem]:
    world = Targets(data, ontology)
    constrained: dict[Node, set[URIRef]] = defaultdict(set)
    reached: dict[Node, list[Node]] = defaultdict(list)  # property shape -> node shapes using it
    focus: dict[Node, set[Node]] = {}
    for shape in sorted(targeted_shapes(shapes), key=str):
        nodes = world.targets(shapes, shape)
        focus[shape] = nodes
        if not nodes:
            yield Problem("no-target-match", _name(shapes, shape), "its targets match nothing in the data")
        paths = set(_constrained_predicates(shapes, shape))
        for node in nodes:
            constrained[node] |= paths
        for property_shape in shapes.objects(shape, SH.property):
            reached[property_shape].append(shape)
        _constrain_values(shapes, data, shape, nodes, constrained)
    for property_shape, users in sorted(reached.items(), key=lambda kv: str(kv[0])):
        for i, first in enumerate(users):
            for second in users[i + 1 :]:
                both = focus[first] & focus[second]
                if both:
                    example = min(str(n) for n in both)
                    yield Problem(
                        "duplicate",
                        _name(shapes, property_shape),
                        f"used by {_name(shapes, first)} and {_name(shapes, second)}, which both target {example}",
                    )
    yield from _unconstrained(data, constrained)


def _constrain_values(
    shapes: Graph, data: Graph, shape: Node, nodes: set[Node], constrained: dict[Node, set[URIRef]]
) -> None:
    """What a property's ``sh:node`` shapes constrain on its values (a shape with no target of its own).

    Only plain predicate paths are followed, and each (shape, value) once.
    """
    todo = [(shape, node) for node in nodes]
    seen: set[tuple[Node, Node]] = set()
    while todo:
        current, focus = todo.pop()
        if (current, focus) in seen:
            continue
        seen.add((current, focus))
        for property_shape in shapes.objects(current, SH.property):
            path = shapes.value(property_shape, SH.path)
            if not isinstance(path, URIRef):
                continue
            for nested in shapes.objects(property_shape, SH.node):
                paths = set(_constrained_predicates(shapes, nested))
                for value in data.objects(focus, path):
                    constrained[value] |= paths
                    todo.append((nested, value))


def _unconstrained(data: Graph, constrained: Mapping[Node, set[URIRef]]) -> Iterator[Problem]:
    missing: dict[tuple[str, str], list[str]] = defaultdict(list)
    for subject in set(data.subjects(RDF.type, None)):
        free = {p for p in data.predicates(subject) if p != RDF.type} - constrained.get(subject, set())
        for cls in data.objects(subject, RDF.type):
            for predicate in free:
                missing[(str(cls), str(predicate))].append(str(subject))
    for (class_iri, predicate_iri), subjects in sorted(missing.items()):
        example = min(subjects)
        yield Problem(
            "unconstrained",
            f"<{class_iri}>",
            f"<{predicate_iri}> is used on {len(subjects)} instance(s) (e.g. <{example}>) but no shape constrains it",
        )


def _constrained_predicates(shapes: Graph, node_shape: Node) -> Iterator[URIRef]:
    """Predicates (outgoing from the focus node) that the property shapes of a node shape constrain.

    Node-level sh:node, sh:and, sh:or, sh:xone and sh:not apply their shapes to the focus node
    itself, so their property shapes count too.
    """

    def applied_to_the_focus(shape: Node) -> Iterator[Node]:
        for parameter in (SH.node, SH["not"]):
            yield from shapes.objects(shape, parameter)
        for parameter in LIST_PARAMETERS:
            for members in shapes.objects(shape, parameter):
                yield from Collection(shapes, members)

    for shape in _walk(node_shape, applied_to_the_focus):
        for property_shape in shapes.objects(shape, SH.property):
            yield from _path_predicates(shapes, shapes.value(property_shape, SH.path))


def _path_predicates(shapes: Graph, path: Node | None) -> Iterator[URIRef]:
    """The predicates a path starts with from the focus node (inverse steps start elsewhere)."""
    if path is None:
        return
    if isinstance(path, URIRef):
        yield path
        return
    if (path, RDF.first, None) in shapes:  # sequence: the first step
        members = list(Collection(shapes, path))
        if members:
            yield from _path_predicates(shapes, members[0])
        return
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        for member in Collection(shapes, alternatives):
            yield from _path_predicates(shapes, member)
        return
    for predicate in (SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath):
        inner = shapes.value(path, predicate)
        if inner is not None:
            yield from _path_predicates(shapes, inner)


class Targets:
    """The focus nodes of targets in a data graph, with rdfs:subClassOf from the data and the ontology."""

    def __init__(self, data: Graph, ontology: Graph | None = None) -> None:
        self.data = data
        self.classes = Graph()
        for g in (data, ontology) if ontology is not None else (data,):
            for triple in g.triples((None, RDFS.subClassOf, None)):
                self.classes.add(triple)

    def instances(self, cls: Node) -> set[Node]:
        subclasses = set(self.classes.transitive_subjects(RDFS.subClassOf, cls)) | {cls}
        return {s for c in subclasses for s in self.data.subjects(RDF.type, c)}

    def targets(self, shapes: Graph, shape: Node) -> set[Node]:
        found: set[Node] = set()
        for cls in shapes.objects(shape, SH.targetClass):
            found |= self.instances(cls)
        if (shape, RDF.type, RDFS.Class) in shapes or (shape, RDF.type, OWL.Class) in shapes:
            found |= self.instances(shape)
        found.update(n for n in shapes.objects(shape, SH.targetNode) if self._mentioned(n))
        for predicate in shapes.objects(shape, SH.targetSubjectsOf):
            found.update(self.data.subjects(predicate, None))
        for predicate in shapes.objects(shape, SH.targetObjectsOf):
            found.update(self.data.objects(None, predicate))
        return found

    def _mentioned(self, node: Node) -> bool:
        return (node, None, None) in self.data or (None, None, node) in self.data


# -- coverage -------------------------------------------------------------------------------------------


def coverage(shapes: Graph, fixtures: Mapping[str, Iterable[Expected]]) -> Coverage:
    """For every constraint of every reportable shape: the fixtures whose expected results show it.

    A non-conforming fixture exercises a constraint when one of its expected results has that
    source shape and constraint component. Constraints of shapes used only inside other shapes
    (sh:node, sh:or, sh:qualifiedValueShape, ...) cannot be the source of a result; they are
    listed in ``nested`` with the constraints that use them and do not count in the percentage.
    """
    exercised: dict[tuple[str, str], list[str]] = defaultdict(list)
    for name, results in fixtures.items():
        for r in set(results):
            if name not in exercised[(r.shape, r.component)]:
                exercised[(r.shape, r.component)].append(name)
    reportable = reportable_shapes(shapes)
    rows = []
    for shape in reportable:
        for component in constraints_of(shapes, shape):
            key = (str(shape), str(component))
            rows.append(Constraint(key[0], key[1], tuple(sorted(exercised.get(key, ())))))
    uses = _uses(shapes)
    nested = []
    for shape in all_shapes(shapes) - reportable:
        if _deactivated(shapes, shape):
            continue
        via = tuple(sorted({(str(user), str(component)) for user, component in _users_of(uses, shape, reportable)}))
        for component in constraints_of(shapes, shape):
            fixtures_via = sorted({f for key in via for f in exercised.get(key, ())})
            nested.append(Constraint(str(shape), str(component), tuple(fixtures_via), via))
    return Coverage(tuple(sorted(rows, key=_row_key)), tuple(sorted(nested, key=_row_key)))


def _users_of(
    uses: Mapping[Node, list[tuple[Node, URIRef]]], shape: Node, reportable: set[Node]
) -> Iterator[tuple[Node, URIRef]]:
    """The reportable constraints through which a nested shape is checked."""

    def passed_on(current: Node) -> Iterator[Node]:
        for user, component in uses.get(current, ()):
            if user not in reportable or component == SH.PropertyConstraintComponent:
                yield user

    for current in _walk(shape, passed_on):
        for user, component in uses.get(current, ()):
            if user in reportable and component != SH.PropertyConstraintComponent:
                yield user, component


def _row_key(c: Constraint) -> tuple[str, str]:
    return (c.shape, c.component)


def coverage_table(cov: Coverage, prefix: str = "") -> str:
    """The coverage as text: one line per constraint, the uncovered ones marked, then the nested shapes."""
    lines = []
    names = [("wsh", prefix)] if prefix else []

    def _short(iri: str) -> str:
        return shorten(iri, names)

    width = max((len(_short(c.shape)) for c in cov.constraints + cov.nested), default=10)
    for c in cov.constraints:
        mark = "  " if c.covered else "!!"
        first = c.fixtures[0] if c.fixtures else "NOT EXERCISED"
        more = f" (+{len(c.fixtures) - 1})" if len(c.fixtures) > 1 else ""
        lines.append(f"{mark} {_short(c.shape):<{width}}  {_local(c.component):<38} {first}{more}")
    covered = sum(1 for c in cov.constraints if c.covered)
    lines.append(f"coverage: {covered}/{len(cov.constraints)} constraints exercised ({cov.percent:.1f}%)")
    if cov.nested:
        lines.append("")
        lines.append("shapes used inside other shapes (reported through the constraint using them):")
        for c in cov.nested:
            via = ", ".join(f"{_short(s)} {_local(comp)}" for s, comp in c.via) or "nothing"
            lines.append(f"   {_short(c.shape):<{width}}  {_local(c.component):<38} via {via}")
    return "\n".join(lines)


# -- fixtures -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fixture:
    """A test fixture: Turtle merged into its suite's context; an invalid one has a sidecar of expected results."""

    name: str  # [<suite>/]valid/<shape>-<case> or [<suite>/]invalid/<shape>-<case>
    path: Path
    context: Path
    expected_path: Path | None = None

    @property
    def valid(self) -> bool:
        return self.expected_path is None

    @property
    def shape(self) -> str:
        """The local name of the node shape the fixture is for: ``Membership`` for ``Membership-seat-missing``."""
        return self.path.name.split("-", 1)[0]


def find_fixtures(directory: Path) -> list[Fixture]:
    """The fixtures of every suite under ``directory``: a folder with context.ttl, valid/ and invalid/.

    tests/shapes/ is the suite of the data shapes, tests/shapes/metadata/ that of the metadata
    shapes (the build validates data and metadata apart, and so do the fixtures).
    """
    found = []
    for context in sorted(directory.rglob("context.ttl")):
        suite = context.parent
        prefix = "" if suite == directory else f"{suite.relative_to(directory).as_posix()}/"
        for kind in ("valid", "invalid"):
            for path in sorted((suite / kind).glob("*.ttl")):
                if path.name.endswith(".expected.ttl"):
                    continue
                stem = path.name[: -len(".ttl")]
                expected = path.with_name(f"{stem}.expected.ttl") if kind == "invalid" else None
                found.append(Fixture(f"{prefix}{kind}/{stem}", path, context, expected))
    return found


def load_fixture(fixture: Fixture) -> Graph:
    """The graph a fixture is validated as: its suite's context with the fixture merged in."""
    return merge(_context(fixture.context), Graph().parse(fixture.path, format="turtle"))


@functools.lru_cache(maxsize=8)
def _context(path: Path) -> Graph:
    """A suite's context, parsed once (merge() never changes it)."""
    return Graph().parse(path, format="turtle")


def merge(context: Graph, fixture: Graph) -> Graph:
    """The context with the fixture applied: a subject the fixture describes replaces its description in the context."""
    replaced = set(fixture.subjects())
    merged = Graph()
    for prefix, namespace in context.namespaces():
        merged.bind(prefix, namespace)
    for s, p, o in context:
        if s not in replaced:
            merged.add((s, p, o))
    for triple in fixture:
        merged.add(triple)
    return merged


def expected_results(report: Graph) -> set[Expected]:
    """The results an expected-results graph (an sh:ValidationReport) lists."""
    found = set()
    for node in report.subjects(RDF.type, SH.ValidationReport):
        for result in report.objects(node, SH.result):
            found.add(_expected(report, result))
    return found


def expected_conforms(report: Graph) -> bool | None:
    value = next((report.value(n, SH.conforms) for n in report.subjects(RDF.type, SH.ValidationReport)), None)
    if value is None:
        return None
    return bool(value.toPython()) if isinstance(value, Literal) else bool(value)  # an IRI's toPython() is itself


def _expected(report: Graph, result: Node) -> Expected:
    path = report.value(result, SH.resultPath)
    severity = report.value(result, SH.resultSeverity)
    severity_name = "violation" if severity is None else str(severity)
    if isinstance(severity, URIRef):
        severity_name = validate.SEVERITY_NAMES.get(severity, severity_name)
    return Expected(
        focus=str(report.value(result, SH.focusNode) or ""),
        path=validate.path_text(report, path) if path is not None else "",
        component=str(report.value(result, SH.sourceConstraintComponent) or ""),
        shape=str(report.value(result, SH.sourceShape) or ""),
        severity=severity_name,
    )


def actual_results(report: validate.Report) -> set[Expected]:
    """The top-level results of a validation, as fixtures assert them."""
    return {Expected(r.focus, r.path, r.component, r.source_shape, r.severity) for r in report.results}


def explain(report: validate.Report, prefixes: Mapping[str, str] | None = None) -> str:
    """The results of a validation as an expected-results file, to review (never to copy unread)."""
    g = Graph()
    for prefix, namespace in (prefixes or {}).items():
        g.bind(prefix, namespace)
    g.bind("sh", SH)
    node = BNode("report")
    g.add((node, RDF.type, SH.ValidationReport))
    g.add((node, SH.conforms, Literal(report.conforms)))
    severities = {name: iri for iri, name in validate.SEVERITY_NAMES.items()}
    # a literal focus node (a string where an IRI belongs, checked by the shape of what belongs there)
    literals = {str(o) for o in report.graph.objects(None, SH.focusNode) if isinstance(o, Literal)}
    for i, r in enumerate(sorted(actual_results(report))):
        result = BNode(f"r{i}")
        g.add((node, SH.result, result))
        g.add((result, SH.focusNode, Literal(r.focus) if r.focus in literals else URIRef(r.focus)))
        if r.path:
            g.add((result, SH.resultPath, _path_node(g, r.path)))
        g.add((result, SH.sourceConstraintComponent, URIRef(r.component)))
        g.add((result, SH.sourceShape, URIRef(r.shape)))
        g.add((result, SH.resultSeverity, severities.get(r.severity, SH.Violation)))
    return g.serialize(format="turtle")


def _path_node(g: Graph, path: str) -> Node:
    """A path node for an expected-results file, from validate.path_text syntax (IRIs and ^<iri>)."""
    if path.startswith("^<") and path.endswith(">"):
        inverse = BNode()
        g.add((inverse, SH.inversePath, URIRef(path[2:-1])))
        return inverse
    if path.startswith("<"):
        return _sequence_or_alternative(g, path)
    return URIRef(path)


def _sequence_or_alternative(g: Graph, path: str) -> Node:
    separator, predicate = ("|", SH.alternativePath) if "|" in path else ("/", None)
    members: list[Node] = [URIRef(p.strip("<>")) for p in path.split(separator)]
    head = BNode()
    Collection(g, head, members)
    if predicate is None:
        return head
    node = BNode()
    g.add((node, predicate, head))
    return node


# -- speed: pyshacl parses a SPARQL constraint again for every focus node ---------------------------------


# -- helpers --------------------------------------------------------------------------------------------


def _walk(start: Node, following: Callable[[Node], Iterable[Node]]) -> Iterator[Node]:
    """Each node reachable from ``start`` (itself included) once, depth first."""
    seen: set[Node] = set()
    todo = [start]
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            yield node
            todo.extend(following(node))


def _int(node: Node) -> int:
    try:
        return int(str(node))
    except ValueError:
        return 0


def _name(shapes: Graph, node: Node | None) -> str:
    if node is None:
        return "?"
    return validate.shape_name(shapes, node) if isinstance(node, BNode) else str(node)


def _local(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1] if iri else ""


# -- command line ---------------------------------------------------------------------------------------

SHAPES_NS = "https://w3id.org/wijkld/def/shapes/"
DEFAULT_DATA = ("dist/wijkld.ttl", "dist/dcat.ttl", "dist/void.ttl")


@dataclass
class Outcome:
    lines: list[str] = field(default_factory=list)
    failed: bool = False


def run(
    shapes_paths: Sequence[Path] | None,
    data_paths: Sequence[Path],
    fixtures_dir: Path,
    with_coverage: bool,
) -> Outcome:
    """Meta-SHACL and lint (and coverage): the text to print and whether anything is wrong."""
    out = Outcome()
    shapes = validate.load_shapes(shapes_paths)
    problems = meta_shacl(shapes)
    data = rdf_files.read_data(data_paths).graph
    problems += lint(shapes, data, validate.load_ontology())
    for problem in problems:
        out.lines.append(str(problem))
    out.lines.append(f"lint: {len(problems)} problem(s) in {len(all_shapes(shapes))} shapes")
    out.failed = bool(problems)
    if with_coverage:
        fixtures = find_fixtures(fixtures_dir)
        expected = {
            f.name: expected_results(Graph().parse(f.expected_path, format="turtle"))
            for f in fixtures
            if f.expected_path is not None and f.expected_path.is_file()
        }
        cov = coverage(shapes, expected)
        out.lines.append("")
        out.lines.append(coverage_table(cov, SHAPES_NS))
        out.failed = out.failed or bool(cov.uncovered)
    return out


def explain_fixture(path: Path, shapes_paths: Sequence[Path] | None) -> str:
    """Validate one fixture (merged into its suite's context) and print its results as an expected-results file."""
    context = next((p / "context.ttl" for p in path.resolve().parents if (p / "context.ttl").is_file()), None)
    if context is None:
        raise WijkldError(f"{path}: no context.ttl in the folders above it")
    fixture = Fixture(path.stem, path, context)
    with sparql_parse_cache():
        report = validate.check(load_fixture(fixture), validate.load_shapes(shapes_paths), validate.load_ontology())
    prefixes = {p: str(n) for g in (_context(context), Graph().parse(path, format="turtle")) for p, n in g.namespaces()}
    return explain(report, {"wsh": SHAPES_NS} | {p: n for p, n in prefixes.items() if p})
