"""Issue 4, done when: the published data, mutated once for every constraint in the shapes, fails validation.

For each constraint (a shape and one of its constraint parameters) a mutation is
derived from the shapes graph itself: drop the values of a required path, add a
value beyond sh:maxCount, give a value the wrong datatype or class, break a
pattern, ... So a constraint added to shapes/ is covered without touching this
file. Constraints of helper shapes (used through sh:node, sh:or or
sh:qualifiedValueShape) are broken where they are used, and expected in the
result of the shape that uses them. SPARQL constraints, which say what SHACL
Core cannot, get a hand-written mutation in SPARQL_MUTATIONS. A constraint
without a mutation fails the suite, listed by name.

Validating the whole release takes seconds, so mutations that touch different
resources are validated together, each batch once, in-process (restricted to
the focus nodes involved where pyshacl allows it); one batch of one mutation
per constraint component also goes through ``wijkld validate``. Every mutation
is asserted on its own: its expected (focus node, path, constraint component,
shape) result must appear, and must not be in the unmutated release's report.
"""

from __future__ import annotations

import gzip
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from functools import cache, cached_property
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from wijkld.cli.main import cli
from wijkld.model.iris import DEFAULT_BASE
from wijkld.model.vocab import DCAT, DCTERMS, GEO, ORG, OWL, RDF, RDFS, SCHEMA, SH, SKOS, TIME, WIJKLD, XSD
from wijkld.publish import serialize as publish
from wijkld.validate import engine as validate
from wijkld.validate import shapes_qa

Triple = tuple[Node, URIRef, Node]
Pair = tuple[Node, "URIRef | None"]  # a node and one of its predicates; None: all of them
Key = tuple[str, str, str, str]  # focus node, path, constraint component, shape: what identifies a result
MUTANT = "https://example.org/mutation/"

SHAPES = validate.load_shapes()
ONTOLOGY = validate.load_ontology()

#: Constraint parameters and the component that reports them, shared with the coverage command.
COMPONENTS = shapes_qa.COMPONENTS
#: SHACL terms on a shape that are not constraints of their own.
NOT_CONSTRAINTS = {
    SH.path, SH.property, SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target,
    SH.severity, SH.message, SH.name, SH.description, SH.order, SH.group, SH.deactivated, SH.defaultValue,
    SH.flags, SH.ignoredProperties, SH.qualifiedValueShape, SH.qualifiedValueShapesDisjoint, SH.prefixes,
    SH.declare, SH.rule,
}  # fmt: skip
#: Edges from a shape to shapes it evaluates on value nodes, and the component that reports their failure
#: (None: the nested results are reported as details, sh:detail).
NESTING: dict[URIRef, URIRef | None] = {
    SH.node: None,
    SH["or"]: SH.OrConstraintComponent,
    SH.xone: SH.XoneConstraintComponent,
    SH["and"]: SH.AndConstraintComponent,
    SH.qualifiedValueShape: SH.QualifiedMinCountConstraintComponent,
}
#: Constraints that relate several values or properties of a focus node: their mutations get a node of their own.
SPANNING = {
    SH["or"], SH.xone, SH["and"], SH["not"], SH.node, SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals,
    SH.closed, SH.sparql, SH.qualifiedMinCount, SH.qualifiedMaxCount,
}  # fmt: skip
NUMERIC = {XSD.integer, XSD.decimal, XSD.nonNegativeInteger, XSD.positiveInteger, XSD.double, XSD.float, XSD.int}
SAMPLES = {XSD.date: "2007-05-03", XSD.gYearMonth: "2007-05", XSD.gYear: "2007", XSD.dateTime: "2007-05-03T12:00:00"}


_serial = itertools.count(1)


def fresh(label: str) -> URIRef:
    """A new IRI for a value a mutation puts in: each mutation its own, so that results do not mix."""
    return URIRef(f"{MUTANT}{label}-{next(_serial)}")


def name(node: Node) -> str:
    return validate.shape_name(SHAPES, node)


def local(node: Node) -> str:
    return re.split(r"[/#]", str(node))[-1]


# -- the constraints of the shapes ---------------------------------------------------------------------


@dataclass(frozen=True)
class Constraint:
    shape: Node
    parameter: URIRef
    value: Node

    @property
    def component(self) -> URIRef:
        return COMPONENTS.get(self.parameter, self.parameter)

    @property
    def path(self) -> Node | None:
        return SHAPES.value(self.shape, SH.path)

    @property
    def name(self) -> str:
        shape = re.sub(r"<[^>]*[/#]([^>/#]+)>", r"\1", name(self.shape))
        text = f"{local(shape) if shape.startswith('http') else shape} {local(self.parameter)}"
        if self.parameter == SH.sparql:
            siblings = sorted(SHAPES.objects(self.shape, SH.sparql), key=lambda n: str(SHAPES.value(n, SH.select)))
            text += f" {siblings.index(self.value) + 1}" if len(siblings) > 1 else ""
        return text


def severity(shape: Node) -> str:
    value = SHAPES.value(shape, SH.severity)
    return validate.SEVERITY_NAMES.get(value, "violation") if isinstance(value, URIRef) else "violation"


def constraints() -> list[Constraint]:
    """Every constraint of every active shape; unknown SHACL parameters too, so that they are listed as uncovered."""
    found = []
    for shape in validate.all_shapes(SHAPES):
        if SHAPES.value(shape, SH.deactivated) == Literal(True):
            continue
        for parameter, value in SHAPES.predicate_objects(shape):
            if not isinstance(parameter, URIRef) or not str(parameter).startswith(str(SH)):
                continue
            if parameter in NOT_CONSTRAINTS or (parameter in (SH.uniqueLang, SH.closed) and value != Literal(True)):
                continue
            found.append(Constraint(shape, parameter, value))
    return sorted(found, key=lambda c: c.name)


CONSTRAINTS = constraints()
TARGETS_SUBJECTS_OF = set(SHAPES.objects(None, SH.targetSubjectsOf))
TARGETS_OBJECTS_OF = set(SHAPES.objects(None, SH.targetObjectsOf))


# -- property paths ------------------------------------------------------------------------------------

Step = tuple[URIRef, bool]  # predicate, inverse


@dataclass(frozen=True)
class Route:
    """How a value node is reached from a focus node: the triples along the way."""

    value: Node
    triples: tuple[Triple, ...]
    last: Step
    before: Node  # the node the last step starts from

    def replaced(self, new: Node) -> tuple[Triple, Triple]:
        """(triple to remove, triple to add) to make ``new`` the value instead."""
        return self.triples[-1], edge(self.before, self.last, new)


def edge(subject: Node, step: Step, value: Node) -> Triple:
    predicate, inverse = step
    return (value, predicate, subject) if inverse else (subject, predicate, value)


@cache
def parse_path(path: Node | None) -> tuple[tuple[Step, ...], ...] | None:
    """Alternatives of sequences of (inverse) predicates; None for paths without a generic mutation."""

    def step(node: Node) -> Step | None:
        if isinstance(node, URIRef):
            return node, False
        inverse = SHAPES.value(node, SH.inversePath)
        return (inverse, True) if isinstance(inverse, URIRef) else None

    def sequence(node: Node) -> tuple[Step, ...] | None:
        if (node, RDF.first, None) in SHAPES:
            steps = [step(n) for n in Collection(SHAPES, node)]
            return None if None in steps else tuple(steps)  # type: ignore[arg-type]
        single = step(node)
        return (single,) if single else None

    if path is None:
        return None
    alternatives = SHAPES.value(path, SH.alternativePath)
    if alternatives is not None:
        options = [sequence(n) for n in Collection(SHAPES, alternatives)]
        return None if None in options else tuple(options)  # type: ignore[arg-type]
    only = sequence(path)
    return (only,) if only else None


def routes(g: Graph, focus: Node, path: Node | None) -> list[Route]:
    found: list[Route] = []
    for steps in parse_path(path) or ():
        frontier = [(focus, ())]
        for i, (predicate, inverse) in enumerate(steps):
            following = []
            for node, triples in frontier:
                nexts = g.subjects(predicate, node) if inverse else g.objects(node, predicate)
                for n in nexts:
                    following.append((n, (*triples, edge(node, (predicate, inverse), n))))
            if i == len(steps) - 1:
                found += [Route(n, t, (predicate, inverse), t[-1][2] if inverse else t[-1][0]) for n, t in following]
            frontier = following
    return sorted(found, key=lambda r: (type(r.value).__name__, str(r.value), str(r.triples)))


def values_of(g: Graph, focus: Node, path: Node | None) -> list[Node]:
    return list(dict.fromkeys(r.value for r in routes(g, focus, path)))


def path_text(path: Node | None) -> str:
    return validate.path_text(SHAPES, path) if path is not None else ""


# -- where constraints apply: contexts -----------------------------------------------------------------


@dataclass(frozen=True)
class Reporter:
    """The shape that reports a failure of a nested shape (sh:or, sh:qualifiedValueShape, ...), and where."""

    shape: Node
    component: URIRef
    focus: Node
    path: str

    @property
    def key(self) -> Key:
        return (str(self.focus), self.path, str(self.component), name(self.shape))


@dataclass(frozen=True)
class Context:
    """A focus node of a shape: reached from ``top`` (a targeted node), via ``route`` when it is a value node."""

    focus: Node
    top: Node
    route: Route | None = None
    reporter: Reporter | None = None
    nested: bool = False  # evaluated through sh:node, sh:or, ... (pyshacl's focus filter applies to it)
    literal: bool = False  # some nested focus on the way is not an IRI (pyshacl cannot restrict validation then)
    siblings: tuple[Route, ...] = ()  # all values counted with it by a qualified value shape
    #: (node, predicate) pairs on the way from ``top``: change one, and this focus may not be reached any more.
    chain: frozenset[tuple[Node, URIRef]] = frozenset()


@dataclass
class Published:
    """The release's data and metadata, with the vocabulary (as pyshacl mixes it in); mutated in place."""

    data: Graph

    @cached_property
    def everything(self) -> Graph:
        return self.data + ONTOLOGY

    @cached_property
    def subjects(self) -> list[Node]:
        """Data subjects first (in IRI order), then vocabulary terms."""
        data = sorted(set(self.data.subjects()), key=str)
        return data + sorted(set(self.everything.subjects()) - set(data), key=str)

    def instances(self, cls: Node) -> set[Node]:
        classes = set(self.everything.transitive_subjects(RDFS.subClassOf, cls))
        return {s for c in classes for s in self.everything.subjects(RDF.type, c)}

    def targets(self, shape: Node) -> set[Node]:
        g = self.everything
        found: set[Node] = set()
        for cls in SHAPES.objects(shape, SH.targetClass):
            found |= self.instances(cls)
        if (shape, RDF.type, RDFS.Class) in SHAPES or (shape, RDF.type, OWL.Class) in SHAPES:
            found |= self.instances(shape)
        found.update(SHAPES.objects(shape, SH.targetNode))
        for p in SHAPES.objects(shape, SH.targetSubjectsOf):
            found.update(g.subjects(p, None))
        for p in SHAPES.objects(shape, SH.targetObjectsOf):
            found.update(g.objects(None, p))
        return found

    def contexts(self, shape: Node) -> list[Context]:
        return sorted(self._contexts(shape, frozenset()), key=lambda x: (x.nested, str(x.focus), str(x.top)))

    def _contexts(self, shape: Node, seen: frozenset[Node]) -> set[Context]:
        if shape in seen:
            return set()
        seen = seen | {shape}
        found = {Context(f, f) for f in self.targets(shape)}
        for parent in SHAPES.subjects(SH.property, shape):
            found |= self._contexts(parent, seen)
        for edge_predicate, component in NESTING.items():
            for user in self._users(shape, edge_predicate):
                found |= self._nested(user, edge_predicate, component, seen)
        return found

    @staticmethod
    def _users(shape: Node, predicate: URIRef) -> set[Node]:
        """Shapes that use ``shape`` through ``predicate`` (directly, or as a member of its list)."""
        users = set(SHAPES.subjects(predicate, shape))
        for head in SHAPES.subjects(RDF.first, shape):
            while (None, RDF.rest, head) in SHAPES:
                head = SHAPES.value(None, RDF.rest, head)
            users.update(SHAPES.subjects(predicate, head))
        return users

    def _nested(self, user: Node, predicate: URIRef, component: URIRef | None, seen: frozenset[Node]) -> set[Context]:
        if predicate == SH.qualifiedValueShape and SHAPES.value(user, SH.qualifiedMinCount) is None:
            return set()  # a broken value can only lower a qualified count
        path = SHAPES.value(user, SH.path)
        found = set()
        for ctx in self._contexts(user, seen):
            rs = routes(self.everything, ctx.focus, path) if path is not None else [None]
            siblings = tuple(r for r in rs if r is not None)
            for r in rs:
                value = r.value if r is not None else ctx.focus
                reporter = ctx.reporter
                if reporter is None and component is not None:
                    reporter = Reporter(user, component, ctx.focus, path_text(path))
                found.add(
                    Context(
                        focus=value,
                        top=ctx.top,
                        route=r if r is not None else ctx.route,
                        reporter=reporter,
                        nested=True,
                        literal=ctx.literal or not isinstance(value, URIRef),
                        siblings=siblings if predicate == SH.qualifiedValueShape else ctx.siblings,
                        chain=ctx.chain | (reads(r.triples) if r is not None else frozenset()),
                    )
                )
        return found

    def other_class_node(self, avoid_classes: set[Node], avoid: set[Node]) -> Node | None:
        """A typed node that is an instance of none of ``avoid_classes``."""
        members = set().union(*(self.instances(c) for c in avoid_classes)) if avoid_classes else set()
        for s in self.subjects:
            if s not in members and s not in avoid and isinstance(s, URIRef) and (s, RDF.type, None) in self.data:
                return s
        return None


# -- mutations -----------------------------------------------------------------------------------------


@dataclass
class Mutation:
    """Triples to remove and add, and the result validation must then give."""

    constraint: Constraint
    focus: Node
    top: Node
    remove: list[Triple] = field(default_factory=list)
    add: list[Triple] = field(default_factory=list)
    path: str | None = None  # the expected sh:resultPath; None: any
    alternatives: tuple[Node, ...] = ()  # other acceptable focus nodes (a SPARQL constraint may report either end)
    reporter: Reporter | None = None  # expect this result instead (for constraints of nested shapes)
    full: bool = False  # needs validation without pyshacl's focus-node filter
    extra_foci: tuple[Node, ...] = ()
    depends: frozenset[tuple[Node, URIRef]] = frozenset()  # what the expected result depends on

    def matches(self, key: Key) -> bool:
        if self.reporter is not None:
            return key == self.reporter.key
        focus, path, component, shape = key
        return (
            focus in {str(self.focus), *map(str, self.alternatives)}
            and component == str(self.constraint.component)
            and shape == name(self.constraint.shape)
            and (self.path is None or path == self.path)
        )

    @property
    def severity(self) -> str:
        return severity(self.reporter.shape if self.reporter else self.constraint.shape)

    def focus_nodes(self) -> set[Node]:
        """What to validate: pyshacl's focus_nodes also filters nested shapes, so their nodes are listed."""
        nodes = {self.top, self.focus, *self.alternatives, *self.extra_foci}
        nodes |= {t for triple in self.add for t in (triple[0], triple[2])}
        if self.reporter is not None:
            nodes.add(self.reporter.focus)
        return {n for n in nodes if isinstance(n, URIRef)}

    def writes(self) -> set[Pair]:
        """(node, predicate) pairs the mutation changes; (node, None) when that changes which shapes target it."""
        changed: set[Pair] = {(t[0], t[1]) for t in (*self.add, *self.remove)}
        for s, p, o in (*self.add, *self.remove):
            if p == RDF.type or p in TARGETS_SUBJECTS_OF:
                changed.add((s, None))
            if p in TARGETS_OBJECTS_OF:
                changed.add((o, None))
        return changed

    def reads(self) -> set[Pair]:
        """What the expected result depends on: the path at the focus, the way there, whole nodes for
        constraints that relate several properties."""
        whole = {*self.alternatives, *self.extra_foci}
        if self.constraint.parameter in SPANNING:
            whole.add(self.focus)
        if self.reporter is not None:
            whole.add(self.reporter.focus)
        return set(self.depends) | {(n, None) for n in whole}

    def data_only(self) -> bool:
        """Whether the mutated data can be written as RDF and validated from a file (the vocabulary is not changed)."""
        return not any(t in ONTOLOGY for t in self.remove) and not any(isinstance(t[0], Literal) for t in self.add)

    def apply(self, g: Graph) -> list[Triple]:
        """Mutate ``g`` in place; the triples actually added, for :meth:`undo`."""
        for t in self.remove:
            g.remove(t)
        added = [t for t in dict.fromkeys(self.add) if t not in g]
        for t in added:
            g.add(t)
        return added

    def undo(self, g: Graph, added: list[Triple]) -> None:
        for t in added:
            g.remove(t)
        for t in self.remove:
            g.add(t)


def literal(text: str, like: Node | None = None, datatype: Node | None = None) -> Literal:
    """A literal with ``text`` (as it is: not normalised), typed as the shape requires or as the value it replaces."""
    if isinstance(datatype, URIRef):
        return Literal(text, datatype=datatype, normalize=False)
    if isinstance(like, Literal):
        return Literal(text, lang=like.language, datatype=None if like.language else like.datatype, normalize=False)
    return Literal(text)


def well_typed(node: Literal) -> bool:
    return not node.ill_typed


def shape_datatype(shape: Node) -> Node | None:
    return SHAPES.value(shape, SH.datatype)


# Value makers: the value that breaks constraint ``c`` in place of ``old`` (None: no such value).
Maker = Callable[["Published", Constraint, Context, "Node | None"], "Node | None"]


def make_datatype(pub: Published, c: Constraint, ctx: Context, old: Node | None) -> Node | None:
    text = str(old) if isinstance(old, Literal) else "mutant"
    return Literal(text, datatype=XSD.anyURI) if c.value == XSD.string else Literal(text)


def make_class(pub: Published, c: Constraint, ctx: Context, old: Node | None) -> Node | None:
    avoid = {c.value}
    reporter = ctx.reporter
    if reporter is not None and reporter.component in (SH.OrConstraintComponent, SH.XoneConstraintComponent):
        options = SHAPES.value(reporter.shape, SH["or"]) or SHAPES.value(reporter.shape, SH.xone)
        for alternative in Collection(SHAPES, options) if options is not None else ():
            avoid |= set(SHAPES.objects(alternative, SH["class"]))  # must fail the other alternatives too
    return pub.other_class_node(avoid, {ctx.focus})


def make_node_kind(pub: Published, c: Constraint, ctx: Context, old: Node | None) -> Node | None:
    if c.value in (SH.IRI, SH.BlankNode, SH.BlankNodeOrIRI):
        return Literal(str(old) if old is not None else "mutant")
    if c.value == SH.IRIOrLiteral:
        return BNode("mutant")
    return fresh("not-a-literal")


def make_pattern(pub: Published, c: Constraint, ctx: Context, old: Node | None) -> Node | None:
    """A well-typed value that does not match: so that only the pattern fails, not the datatype too."""
    flags = re.IGNORECASE if "i" in str(SHAPES.value(c.shape, SH.flags) or "") else 0
    regex = re.compile(str(c.value), flags)
    if isinstance(old, URIRef):
        candidates: list[Node] = [fresh("Not_Matching"), URIRef("urn:mutant:0")]
    else:
        datatype = shape_datatype(c.shape) or (old.datatype if isinstance(old, Literal) else None)
        base = SAMPLES.get(datatype, str(old) if old is not None else "x")  # type: ignore[arg-type]
        texts = [base + "Z", base + "+01:00", "-" + base, base + " ", base.upper(), base + "x", "Not matching!", ""]
        typed = isinstance(datatype, URIRef) and datatype not in (XSD.string, RDF.langString)
        candidates = [n for n in (literal(t, old, datatype if typed else None) for t in texts) if well_typed(n)]
    return next((n for n in candidates if not regex.search(str(n))), None)


def make_in(pub: Published, c: Constraint, ctx: Context, old: Node | None) -> Node | None:
    iris = any(isinstance(v, URIRef) for v in Collection(SHAPES, c.value))
    return fresh("not-in-the-list") if iris else literal("mutant", old)


def make_has_value(pub: Published, c: Constraint, ctx: Context, old: Node | None) -> Node | None:
    return fresh("other-value") if isinstance(c.value, URIRef) else literal("mutant", c.value)


def make_language(pub: Published, c: Constraint, ctx: Context, old: Node | None) -> Node | None:
    ranges = [str(v).lower() for v in Collection(SHAPES, c.value)]
    other = next(t for t in ("de", "fr", "es", "x-mutant") if not any(t == r or t.startswith(r + "-") for r in ranges))
    return Literal(str(old) if old is not None else "mutant", lang=other)


def make_length(pub: Published, c: Constraint, ctx: Context, old: Node | None) -> Node | None:
    limit = int(c.value)
    if c.parameter == SH.minLength:
        return literal("", old) if limit > 0 else None
    return literal("x" * (limit + 1), old)


def make_range(pub: Published, c: Constraint, ctx: Context, old: Node | None) -> Node | None:
    bound = c.value
    if not isinstance(bound, Literal):
        return None
    step = {SH.minInclusive: -1, SH.minExclusive: 0, SH.maxInclusive: 1, SH.maxExclusive: 0}[c.parameter]
    text = str(bound)
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        new = str(Decimal(text) + step)
    elif re.match(r"\d{4}", text):  # dates, gYear, dateTime: move the year
        new = f"{int(text[:4]) + step:04d}{text[4:]}"
    else:
        return None
    return Literal(new, datatype=bound.datatype)


def make_unlike(pub: Published, c: Constraint, ctx: Context, old: Node | None) -> Node | None:
    """A value no alternative accepts: an IRI the data says nothing about, or a literal of an unknown datatype."""
    if isinstance(old, Literal):
        return Literal(f"mutant-{next(_serial)}", datatype=URIRef(MUTANT + "datatype"))
    return fresh("empty-node")


VALUE_MAKERS: dict[URIRef, Maker] = {
    SH.datatype: make_datatype,
    SH["class"]: make_class,
    SH.nodeKind: make_node_kind,
    SH.pattern: make_pattern,
    SH["in"]: make_in,
    SH.hasValue: make_has_value,
    SH.languageIn: make_language,
    SH.minLength: make_length,
    SH.maxLength: make_length,
    SH.minInclusive: make_range,
    SH.minExclusive: make_range,
    SH.maxInclusive: make_range,
    SH.maxExclusive: make_range,
    SH.node: make_unlike,
    SH["or"]: make_unlike,
    SH.xone: make_unlike,
}
#: Constraints on the value nodes of a path that hold for each value: broken by replacing one value.
PER_VALUE = set(VALUE_MAKERS) - {SH.hasValue}


def reads(triples: Iterable[Triple]) -> frozenset[tuple[Node, URIRef]]:
    return frozenset((t[0], t[1]) for t in triples)


def mutation(
    pub: Published, c: Constraint, ctx: Context, remove: list[Triple], add: list[Triple], **kw: object
) -> Mutation | None:
    if not remove and not add:
        return None
    depends = set(ctx.chain) | {(ctx.focus, step[0][0]) for step in parse_path(c.path) or ()}
    depends |= {pair for r in routes(pub.everything, ctx.focus, c.path) for pair in reads(r.triples)}
    expected = {"path": path_text(c.path)} | kw
    added_literal = any(isinstance(t[2], Literal) for t in add)
    full = ctx.literal or (
        added_literal and (ctx.nested or c.parameter in NESTING or c.parameter == SH.qualifiedMinCount)
    )
    return Mutation(
        c,
        ctx.focus,
        ctx.top,
        remove,
        add,
        reporter=ctx.reporter,
        full=full,
        extra_foci=tuple(r.value for r in ctx.siblings),
        depends=frozenset(depends),
        **expected,  # type: ignore[arg-type]
    )


def property_mutations(pub: Published, c: Constraint, ctx: Context) -> Iterator[Mutation | None]:
    """Mutations of the values of ``c``'s path at the context's focus node."""
    g, focus, path = pub.everything, ctx.focus, c.path
    rs = routes(g, focus, path)
    values = [r.value for r in rs]
    steps = parse_path(path) or ()

    def add_values(new: list[Node]) -> list[Triple] | None:
        if len(steps[0]) == 1:
            return [edge(focus, steps[0][0], v) for v in new]
        start = next((r.before for r in rs if r.triples and len(r.triples) == len(steps[0])), None)
        return [edge(start, steps[0][-1], v) for v in new] if start is not None else None

    p = c.parameter
    if p == SH.minCount:
        if int(c.value) >= 1 and len(values) >= int(c.value):
            yield mutation(pub, c, ctx, list(dict.fromkeys(r.triples[0] for r in rs)), [])
    elif p == SH.qualifiedMinCount:
        if int(c.value) >= 1 and values:
            yield mutation(pub, c, ctx, list(dict.fromkeys(r.triples[0] for r in rs)), [])
    elif p == SH.maxCount:
        needed = int(c.value) + 1 - len(values)
        new = more_values(pub, values, needed)
        add = add_values(new) if needed >= 1 and len(new) >= needed else None
        if add:
            yield mutation(pub, c, ctx, [], add)
    elif p == SH.hasValue:
        hits = [r for r in rs if r.value == c.value]
        if hits:
            yield mutation(pub, c, ctx, [r.triples[0] for r in hits], [])
    elif p in PER_VALUE:
        either = ctx.reporter is not None and ctx.reporter.component in (
            SH.OrConstraintComponent,
            SH.XoneConstraintComponent,
        )
        for r in rs or ([] if either else [None]):  # an added value need not fail the other alternatives
            new = VALUE_MAKERS[p](pub, c, ctx, r.value if r else None)
            if new is None or (r is not None and new == r.value):
                continue
            if r is not None:
                remove, add = r.replaced(new)
                yield mutation(pub, c, ctx, [remove], [add])
            elif (add := add_values([new])) is not None:
                yield mutation(pub, c, ctx, [], add)
            break
    elif p == SH.languageIn:
        text = str(values[0]) if values else "mutant"
        new = make_language(pub, c, ctx, Literal(text))
        yield mutation(pub, c, ctx, [], add_values([new]) or [])
    elif p == SH.uniqueLang:
        tagged = [v for v in values if isinstance(v, Literal) and v.language]
        new = [Literal(f"{tagged[0]} (tweede)", lang=tagged[0].language)] if tagged else [Literal("een", lang="nl")]
        new += [] if tagged else [Literal("twee", lang="nl")]
        yield mutation(pub, c, ctx, [], add_values(new) or [])
    elif p == SH.equals:
        yield mutation(pub, c, ctx, [], add_values([literal("mutant", values[0] if values else None)]) or [])
    elif p == SH.disjoint:
        shared = values_of(g, focus, c.value)
        if shared:
            yield mutation(pub, c, ctx, [], add_values(shared[:1]) or [])
    elif p in (SH.lessThan, SH.lessThanOrEquals):
        yield swap_with(pub, c, ctx, rs, routes(g, focus, c.value))


def swap_with(pub: Published, c: Constraint, ctx: Context, mine: list[Route], theirs: list[Route]) -> Mutation | None:
    """Swap the first values of two paths: what was smaller is now larger."""
    if not mine or not theirs or mine[0].value == theirs[0].value:
        return None
    (out1, in1), (out2, in2) = mine[0].replaced(theirs[0].value), theirs[0].replaced(mine[0].value)
    return mutation(pub, c, ctx, [out1, out2], [in1, in2])


def more_values(pub: Published, values: list[Node], needed: int) -> list[Node]:
    """``needed`` values like the existing ones (only the count matters to sh:maxCount)."""
    sample = values[0] if values else None
    if isinstance(sample, Literal) and sample.datatype in NUMERIC:
        try:
            return [Literal(str(Decimal(str(sample)) + i), datatype=sample.datatype) for i in range(1, needed + 1)]
        except InvalidOperation:
            pass
    if isinstance(sample, Literal):
        return [literal(f"{sample} ({i})", sample) for i in range(1, needed + 1)]
    if isinstance(sample, URIRef):
        types = set(pub.data.objects(sample, RDF.type))
        same = [s for s in pub.subjects if types and types & set(pub.data.objects(s, RDF.type)) and s not in values]
        return (same + [fresh("value") for _ in range(needed)])[:needed]
    return [Literal(f"mutant {i}") for i in range(1, needed + 1)]


def node_mutations(pub: Published, c: Constraint, ctx: Context) -> Iterator[Mutation | None]:
    """Mutations of a shape without a path: the focus node itself breaks the constraint."""
    p = c.parameter
    if p == SH.closed:
        predicate = URIRef(MUTANT + "notAllowed")
        yield mutation(pub, c, ctx, [], [(ctx.focus, predicate, Literal("mutant"))], path=str(predicate))
    elif p in (SH["or"], SH.xone) and ctx.route is None:
        yield strip_alternatives(pub, c, ctx)
    elif p == SH["class"] and ctx.route is None:
        # A target node of the class's shape: it stops being an instance (its types in and under the class go).
        g = pub.everything
        subclasses = set(g.transitive_subjects(RDFS.subClassOf, c.value))
        typed = [(ctx.focus, RDF.type, t) for t in g.objects(ctx.focus, RDF.type) if t in subclasses]
        yield mutation(pub, c, ctx, typed, [], path="")
    elif p in VALUE_MAKERS and ctx.route is not None:
        # The focus is a value node (of a shape using this one): put a breaking value in its place.
        new = VALUE_MAKERS[p](pub, c, ctx, ctx.focus)
        if new is not None and new != ctx.focus:
            remove, add = ctx.route.replaced(new)
            m = mutation(pub, c, ctx, [remove], [add], path="")
            if m is not None:
                m.focus = new
                m.full = m.full or not isinstance(new, URIRef)
                if m.reporter is not None and m.reporter.focus == ctx.focus:  # the user's focus is this value too
                    m.reporter = Reporter(m.reporter.shape, m.reporter.component, new, m.reporter.path)
            yield m


def strip_alternatives(pub: Published, c: Constraint, ctx: Context) -> Mutation | None:
    """Fail every alternative of sh:or: drop the values of the paths each requires (sh:minCount)."""
    remove: list[Triple] = []
    for alternative in Collection(SHAPES, c.value):
        required = [
            ps
            for ps in SHAPES.objects(alternative, SH.property)
            if int(SHAPES.value(ps, SH.minCount) or 0) >= 1
            and routes(pub.everything, ctx.focus, SHAPES.value(ps, SH.path))
        ]
        if not required and not list(SHAPES.objects(alternative, SH.property)):
            return None  # an alternative with no required values cannot be failed this way
        for ps in required:
            remove += [r.triples[0] for r in routes(pub.everything, ctx.focus, SHAPES.value(ps, SH.path))]
    return mutation(pub, c, ctx, list(dict.fromkeys(remove)), [], path="")


# -- hand-written mutations for SPARQL constraints -----------------------------------------------------


def date_of(g: Graph, instant: Node) -> str | None:
    for p in (TIME.inXSDDate, TIME.inXSDgYearMonth, TIME.inXSDgYear):
        value = g.value(instant, p)
        if value is not None:
            return str(value)
    return None


def later(a: str | None, b: str | None) -> bool:
    """``a`` is after ``b`` as the shapes compare dates: as text, and not a prefix of it."""
    return a is not None and b is not None and a > b and not a.startswith(b)


def copy_of(g: Graph, node: Node, copy: URIRef) -> list[Triple]:
    """The triples of ``node`` (and those pointing at it) for a copy under another IRI."""
    return [(copy, p, o) for p, o in g.predicate_objects(node)] + [(s, p, copy) for s, p in g.subject_predicates(node)]


def sparql(c: Constraint, focus: Node, path: str | None, remove: list[Triple], add: list[Triple], *others: Node):
    return Mutation(c, focus, focus, remove, add, path=path, alternatives=others)


def _membership_copies(pub: Published, c: Constraint, memberships: Iterable[Node], name: str) -> Iterator[Mutation]:
    """A copy of a membership that lasts more than a day, in the same team: the same seat at the same time."""
    g = pub.everything
    for m in sorted(memberships, key=str):
        team, period = g.value(m, ORG.organization), g.value(m, ORG.memberDuring)
        beginning, end = date_of(g, g.value(period, TIME.hasBeginning)), date_of(g, g.value(period, TIME.hasEnd))
        if team is not None and beginning != end:
            copy = URIRef(MUTANT + name)
            yield sparql(c, team, str(ORG.hasMembership), [], copy_of(g, m, copy), m, copy)


def two_cabinet_members(pub: Published, c: Constraint) -> Iterator[Mutation]:
    """A second cabinet member in a team at the same time: copy a cabinet member's membership."""
    cabinet_members = pub.everything.subjects(WIJKLD.seat, WIJKLD["seat-cabinet-member"])
    yield from _membership_copies(pub, c, cabinet_members, "cabinet-member-copy")


def same_role_twice(pub: Published, c: Constraint) -> Iterator[Mutation]:
    """The same person in the same role in the same team twice, in the same period: copy a membership."""
    yield from _membership_copies(pub, c, pub.everything.subjects(RDF.type, ORG.Membership), "membership-copy")


def municipality_without_the_wijk(pub: Published, c: Constraint) -> Iterator[Mutation]:
    """A team whose municipality is not the one its wijk lies in."""
    g = pub.everything
    municipalities = sorted(g.subjects(RDF.type, WIJKLD.Municipality), key=str)
    for team in sorted(g.subjects(WIJKLD.municipality, None), key=str):
        wijk, own = g.value(team, WIJKLD.wijk), g.value(team, WIJKLD.municipality)
        within = set(g.transitive_objects(wijk, GEO.sfWithin))
        other = next((m for m in municipalities if m not in within), None)
        if other is not None:
            remove, add = (team, WIJKLD.municipality, own), (team, WIJKLD.municipality, other)
            yield sparql(c, team, str(WIJKLD.municipality), [remove], [add])


def same_position(pub: Published, c: Constraint) -> Iterator[Mutation]:
    """Two teams of one programme in the same row: give a team the position of another."""
    g = pub.everything
    teams = sorted(g.subjects(WIJKLD.position, None), key=str)
    for team in teams:
        programme, own = g.value(team, WIJKLD.programme), g.value(team, WIJKLD.position)
        for other in teams:
            if other != team and g.value(other, WIJKLD.programme) == programme:
                taken = g.value(other, WIJKLD.position)
                add = (team, WIJKLD.position, taken)
                yield sparql(c, team, str(WIJKLD.position), [(team, WIJKLD.position, own)], [add], other)
                break


def code_outside_parent(pub: Published, c: Constraint) -> Iterator[Mutation]:
    """A CBS code that does not start with the digits of its parent's code."""
    g = pub.everything
    for place in sorted(g.subjects(WIJKLD.cbsCode, None), key=str):
        code = g.value(place, WIJKLD.cbsCode)
        parents = [g.value(p, WIJKLD.cbsCode) for p in g.objects(place, GEO.sfWithin)]
        if parents and parents[0] is not None and len(str(parents[0])) > 2:
            digits = str(parents[0])[2:]
            other = str((int(digits[0]) + 1) % 10) + digits[1:]
            new = literal(str(code)[:2] + other + str(code)[2 + len(digits) :], code)
            yield sparql(c, place, str(WIJKLD.cbsCode), [(place, WIJKLD.cbsCode, code)], [(place, WIJKLD.cbsCode, new)])


def dissolved_before_founded(pub: Published, c: Constraint) -> Iterator[Mutation]:
    """An organisation founded after it was dissolved."""
    g = pub.everything
    for org in sorted(g.subjects(SCHEMA.dissolutionDate, None), key=str):
        end = str(g.value(org, SCHEMA.dissolutionDate))
        founded = Literal(f"{int(end[:4]) + 1:04d}", datatype=XSD.gYear)
        remove = [(org, SCHEMA.foundingDate, o) for o in g.objects(org, SCHEMA.foundingDate)]
        yield sparql(c, org, str(SCHEMA.dissolutionDate), remove, [(org, SCHEMA.foundingDate, founded)])


def _swapped(
    pub: Published, c: Constraint, cls: URIRef, first: URIRef, last: URIRef, date: Callable[[Node], str]
) -> Iterator[Mutation]:
    """A ``cls`` that begins after it ends: swap the values of ``first`` and ``last``."""
    g = pub.everything
    for node in sorted(g.subjects(RDF.type, cls), key=str):
        begin, end = g.value(node, first), g.value(node, last)
        if begin is not None and later(date(end), date(begin)):
            remove = [(node, first, begin), (node, last, end)]
            yield sparql(c, node, str(first), remove, [(node, first, end), (node, last, begin)])


def interval_swapped(pub: Published, c: Constraint) -> Iterator[Mutation]:
    """An interval that begins after it ends: swap its beginning and end. The result rests on the dates of
    both instants, so no other mutation of the batch may change them."""
    g = pub.everything
    for m in _swapped(pub, c, TIME.Interval, TIME.hasBeginning, TIME.hasEnd, lambda n: date_of(g, n)):
        yield replace(m, extra_foci=tuple(o for _, _, o in m.remove))


def person_labelled_otherwise(pub: Published, c: Constraint) -> Iterator[Mutation]:
    """A person whose English label is not their name: give it another text."""
    g = pub.everything
    for person in sorted(g.subjects(RDF.type, SCHEMA.Person), key=str):
        english = [o for o in g.objects(person, RDFS.label) if isinstance(o, Literal) and o.language == "en"]
        if english:
            other = Literal(f"{english[0]} (other)", lang="en")
            yield sparql(c, person, str(RDFS.label), [(person, RDFS.label, english[0])], [(person, RDFS.label, other)])


def broader_in_another_scheme(pub: Published, c: Constraint) -> Iterator[Mutation]:
    """A concept whose broader concept is in another scheme."""
    g = pub.everything
    concepts = sorted(g.subjects(SKOS.inScheme, None), key=str)
    for concept in sorted(g.subjects(SKOS.broader, None), key=str):
        schemes = set(g.objects(concept, SKOS.inScheme))
        other = next((x for x in concepts if not schemes & set(g.objects(x, SKOS.inScheme))), None)
        if other is not None:
            remove = [(concept, SKOS.broader, b) for b in g.objects(concept, SKOS.broader)]
            yield sparql(c, concept, str(SKOS.broader), remove, [(concept, SKOS.broader, other)])


def period_swapped(pub: Published, c: Constraint) -> Iterator[Mutation]:
    """A dcterms:PeriodOfTime that starts after it ends: swap its start and end dates."""
    yield from _swapped(pub, c, DCTERMS.PeriodOfTime, DCAT.startDate, DCAT.endDate, str)


def replacement_begins_first(pub: Published, c: Constraint) -> Iterator[Mutation]:
    """A membership that begins before the membership it replaces: move its beginning to 1900."""
    g = pub.everything
    for new in sorted(g.subjects(DCTERMS.replaces, None), key=str):
        period = g.value(new, ORG.memberDuring)
        begin = g.value(period, TIME.hasBeginning)
        if period is not None and begin is not None:
            instant = URIRef(MUTANT + "instant-1900")
            add = [
                (period, TIME.hasBeginning, instant),
                (instant, TIME.inXSDgYear, Literal("1900", datatype=XSD.gYear)),
            ]
            yield sparql(c, new, str(DCTERMS.replaces), [(period, TIME.hasBeginning, begin)], add)


def supplied_title_unmarked(pub: Published, c: Constraint) -> Iterator[Mutation]:
    """A source whose title is ours (in brackets) but no longer marked as supplied."""
    g = pub.everything
    for source in sorted(g.subjects(WIJKLD.titleSupplied, Literal(True)), key=str):
        remove = [(source, WIJKLD.titleSupplied, Literal(True))]
        yield sparql(c, source, str(DCTERMS.title), remove, [])


#: SPARQL constraints by the local name of their shape; each yields candidate mutations, the first is used.
SPARQL_MUTATIONS: dict[str, Callable[[Published, Constraint], Iterator[Mutation]]] = {
    "AdoptionTeam-cabinetSeat": two_cabinet_members,
    "AdoptionTeam-roles": same_role_twice,
    "AdoptionTeam-municipality": municipality_without_the_wijk,
    "AdoptionTeam-position": same_position,
    "CodedPlaceShape": code_outside_parent,
    "DissolvedOrganizationShape": dissolved_before_founded,
    "Interval-hasBeginning": interval_swapped,
    "NarrowerConceptShape": broader_in_another_scheme,
    "PeriodOfTimeShape": period_swapped,
    "PersonShape": person_labelled_otherwise,
    "SourceShape": supplied_title_unmarked,
    "ReplacingMembershipShape": replacement_begins_first,
}


# -- choosing the mutation for each constraint ---------------------------------------------------------


def candidates(pub: Published, c: Constraint) -> Iterator[Mutation | None] | str:
    """Candidate mutations for ``c``, or why there are none."""
    if c.parameter == SH.sparql:
        make = SPARQL_MUTATIONS.get(local(c.shape))
        return make(pub, c) if make else f"no hand-written mutation in SPARQL_MUTATIONS['{local(c.shape)}']"
    if c.path is not None:
        if parse_path(c.path) is None:
            return "a property path without a generic mutation"
        if c.parameter not in VALUE_MAKERS and c.parameter not in GENERIC_PROPERTY:
            return f"no generic mutation for sh:{local(c.parameter)}; add one"
        return (m for ctx in pub.contexts(c.shape) for m in counted(pub, c, ctx, property_mutations))
    if c.parameter not in VALUE_MAKERS and c.parameter not in (SH.closed,):
        return f"no generic mutation for a node-level sh:{local(c.parameter)}; add one"
    return (m for ctx in pub.contexts(c.shape) for m in counted(pub, c, ctx, node_mutations))


def counted(
    pub: Published,
    c: Constraint,
    ctx: Context,
    make: Callable[[Published, Constraint, Context], Iterator[Mutation | None]],
) -> Iterator[Mutation | None]:
    """The mutations in a context; under sh:qualifiedMinCount, applied to every value counted, so the count drops."""
    reporter = ctx.reporter
    if reporter is None or reporter.component != SH.QualifiedMinCountConstraintComponent or not ctx.siblings:
        yield from make(pub, c, ctx)
        return
    for m in make(pub, c, ctx):
        if m is None:
            continue
        for route in ctx.siblings:
            if route.value == ctx.focus:
                continue
            other = next((x for x in make(pub, c, replace(ctx, focus=route.value, route=route)) if x), None)
            if other is not None:
                m.remove += other.remove
                m.add += other.add
                m.depends |= other.depends
        yield m
        return


GENERIC_PROPERTY = {
    SH.minCount, SH.maxCount, SH.qualifiedMinCount, SH.hasValue, SH.languageIn, SH.uniqueLang,
    SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals,
}  # fmt: skip


def choose(pub: Published, baseline: set[Key]) -> dict[Constraint, Mutation | str]:
    """A mutation per constraint: the first candidate not already in the report, preferring untouched nodes."""
    chosen: dict[Constraint, Mutation | str] = {}
    busy = Clash()
    for c in CONSTRAINTS:
        found = candidates(pub, c)
        if isinstance(found, str):
            chosen[c] = found
            continue
        usable = (m for m in found if m is not None and not any(m.matches(k) for k in baseline))
        first = best = None
        for m in itertools.islice(usable, 60):
            first = first or m
            if not busy.hits(m):
                best = m
                break
        if first is None:
            chosen[c] = "no focus node where the mutation applies and is not already reported"
            continue
        chosen[c] = best or first
        busy.take(best or first)
    return chosen


def batches(mutations: Iterable[Mutation], size: int = 60) -> list[list[Mutation]]:
    """Groups of mutations that do not change what another one reads or changes, validated together."""
    groups: list[tuple[list[Mutation], Clash]] = []
    for m in mutations:
        for members, clash in groups:
            if len(members) < size and members[0].full == m.full and not clash.hits(m):
                members.append(m)
                clash.take(m)
                break
        else:
            clash = Clash()
            clash.take(m)
            groups.append(([m], clash))
    return [members for members, _ in groups]


class Pairs:
    """A set of (node, predicate) pairs where (node, None) stands for every predicate of the node."""

    def __init__(self) -> None:
        self.predicates: dict[Node, set[URIRef]] = {}
        self.whole: set[Node] = set()

    def add(self, pairs: Iterable[Pair]) -> None:
        for node, predicate in pairs:
            if predicate is None:
                self.whole.add(node)
            else:
                self.predicates.setdefault(node, set()).add(predicate)

    def meets(self, pairs: Iterable[Pair]) -> bool:
        for node, predicate in pairs:
            if node in self.whole or (predicate is None and node in self.predicates):
                return True
            if predicate is not None and predicate in self.predicates.get(node, ()):
                return True
        return False


class Clash:
    """What the mutations of a batch read and write."""

    def __init__(self) -> None:
        self.reads, self.writes = Pairs(), Pairs()

    def hits(self, m: Mutation) -> bool:
        writes = m.writes()
        return self.writes.meets(writes) or self.reads.meets(writes) or self.writes.meets(m.reads())

    def take(self, m: Mutation) -> None:
        self.writes.add(m.writes())
        self.reads.add(m.reads())


def flatten(results: Iterable[validate.Result]) -> Iterator[tuple[validate.Result, validate.Result]]:
    """(top-level result, result) for every result and every nested cause."""
    for top in results:
        stack = [top]
        while stack:
            r = stack.pop()
            yield top, r
            stack.extend(r.details)


def key(r: validate.Result) -> Key:
    return (r.focus, r.path, r.component, r.shape)


def validate_batch(pub: Published, batch: list[Mutation], engine: str = "pyshacl") -> validate.Report:
    g = pub.everything
    size = len(g)
    applied = [(m, m.apply(g)) for m in batch]
    try:
        focus = None if batch[0].full else sorted(set().union(*(m.focus_nodes() for m in batch)), key=str)
        return validate.check(g, SHAPES, Graph(), focus_nodes=focus, inplace=True, engine=engine)
    finally:
        for m, added in reversed(applied):
            m.undo(g, added)
        assert len(g) == size, "validation changed the graph"


# -- fixtures and tests --------------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def _quiet(quiet_rdflib: None) -> None:
    """Mutations make ill-typed literals on purpose."""


@pytest.fixture(scope="module")
def published(release_dir: Path) -> Published:
    """The data (with the graphs of its statement bases) and metadata of the release, as in wijkld.nq.gz."""
    dataset = Dataset()
    dataset.parse(data=gzip.decompress((release_dir / "wijkld.nq.gz").read_bytes()), format="nquads")
    data = Graph()
    for graph in dataset.graphs():
        if str(graph.identifier) not in (f"{DEFAULT_BASE}/graph/vocabulary", f"{DEFAULT_BASE}/graph/shapes"):
            data += graph
    return Published(data)


@pytest.fixture(scope="module")
def baseline(published: Published) -> set[Key]:
    report = validate.check(published.everything, SHAPES, Graph(), inplace=True)
    assert not report.count("violation"), "the published data must conform before it is mutated"
    return {key(r) for _, r in flatten(report.results)}


@pytest.fixture(scope="module")
def mutations(published: Published, baseline: set[Key]) -> dict[Constraint, Mutation | str]:
    return choose(published, baseline)


@pytest.fixture(scope="module")
def batch_reports(
    published: Published, mutations: dict[Constraint, Mutation | str]
) -> list[tuple[list[Mutation], validate.Report]]:
    """Each batch of mutations and pyshacl's report on it."""
    chosen = batches(m for m in mutations.values() if isinstance(m, Mutation))
    return [(batch, validate_batch(published, batch)) for batch in chosen]


@pytest.fixture(scope="module")
def outcomes(batch_reports: list[tuple[list[Mutation], validate.Report]]) -> dict[Constraint, str]:
    """Validate the mutations in batches: "" when the expected result appeared, else what went wrong."""
    found: dict[Constraint, str] = {}
    for batch, report in batch_reports:
        results = list(flatten(report.results))
        for m in batch:
            caught = [(top, r) for top, r in results if m.matches(key(r))]
            if not caught:
                nearby = sorted({key(r) for _, r in results if r.focus in {str(n) for n in m.focus_nodes()}})
                found[m.constraint] = f"no such result for {m.focus}; results there: {nearby[:8]}"
            elif caught[0][0] is caught[0][1] and caught[0][0].severity != m.severity:
                found[m.constraint] = f"reported as {caught[0][0].severity}, declared {m.severity}"
            else:
                found[m.constraint] = ""
    return found


def test_the_shapes_have_constraints() -> None:
    assert len(CONSTRAINTS) >= 10
    assert {c.parameter for c in CONSTRAINTS} >= {SH.minCount, SH.maxCount, SH["class"], SH.pattern}


def test_every_constraint_has_a_mutation(mutations: dict[Constraint, Mutation | str]) -> None:
    missing = [f"{c.name}: {why}" for c, why in mutations.items() if isinstance(why, str)]
    assert not missing, f"{len(missing)} of {len(mutations)} constraints have no mutation:\n" + "\n".join(missing)


@pytest.mark.parametrize("constraint", CONSTRAINTS, ids=lambda c: c.name)
def test_the_mutation_is_caught(
    constraint: Constraint, mutations: dict[Constraint, Mutation | str], outcomes: dict[Constraint, str]
) -> None:
    mutation = mutations[constraint]
    if isinstance(mutation, str):
        pytest.fail(f"{constraint.name}: {mutation}")
    assert outcomes[constraint] == "", f"{constraint.name} ({constraint.component}): {outcomes[constraint]}"


def test_the_shacl_engine_reports_what_pyshacl_reports_for_every_batch(
    published: Published, batch_reports: list[tuple[list[Mutation], validate.Report | None]]
) -> None:
    """Issue 7: the fast engine is used only where it gives the reference's results; here on every mutation."""

    def keys(report: validate.Report) -> list[tuple[str, ...]]:
        return sorted((r.severity, r.focus, r.path, r.component, r.source_shape, r.value_nt) for r in report.results)

    assert validate.fast_engine_gap(SHAPES) is None
    differing, compared = [], 0
    work = list(batch_reports)
    while work:
        batch, reference = work.pop()
        rdf = [m for m in batch if not any(isinstance(t[0], Literal) for t in m.add)]
        if rdf and len(rdf) < len(batch):  # a literal subject is not RDF, which the engine reads: compare the rest
            batch, reference = rdf, validate_batch(published, rdf)
        try:
            report = validate_batch(published, batch, engine="shacl")
        except validate.EngineGap:  # "auto" takes pyshacl here; compare the other mutations of the batch alone
            if len(batch) > 1:
                work.extend((single, None) for single in ([m] for m in batch))
            continue
        if reference is None:
            reference = validate_batch(published, batch)
        compared += len(batch)
        if keys(report) != keys(reference) or report.conforms != reference.conforms:
            only_ref = sorted(set(keys(reference)) - set(keys(report)))[:3]
            only_fast = sorted(set(keys(report)) - set(keys(reference)))[:3]
            names = [m.constraint.name for m in batch][:3]
            differing.append(f"{names}: pyshacl only {only_ref}, shacl only {only_fast}")
    assert not differing, f"{len(differing)} batches differ:\n" + "\n".join(differing)
    mutated = sum(len(batch) for batch, _ in batch_reports)
    print(f"compared {compared} of {mutated} mutations")
    assert compared >= 0.95 * mutated, f"only {compared} of {mutated} mutations could be compared"


def test_wijkld_validate_exits_1_for_a_mutation_of_each_component(
    published: Published,
    mutations: dict[Constraint, Mutation | str],
    tmp_path: Path,
    runner: CliRunner,
    data_dir: Path,
) -> None:
    """One mutation per constraint component, all in one file (they touch different resources), through the CLI."""
    sample: dict[URIRef, Mutation] = {}
    busy = Clash()
    for m in mutations.values():
        if isinstance(m, Mutation) and m.constraint.component not in sample and m.data_only():
            if not busy.hits(m) and not m.full:
                sample[m.constraint.component] = m
                busy.take(m)
    assert len(sample) >= 5
    g = published.data
    applied = [(m, m.apply(g)) for m in sample.values()]
    try:
        (tmp_path / "mutated.ttl").write_bytes(publish.turtle(g))
    finally:
        for m, added in reversed(applied):
            m.undo(g, added)
    args = ["validate", str(tmp_path / "mutated.ttl"), "--format", "json", "--fail-on", "info", "--records", data_dir]
    args += ["--engine", "pyshacl"]  # the reference engine reports why nested shapes failed (sh:detail)
    result = runner.invoke(cli, list(map(str, args)))
    assert result.exit_code == 1, result.output
    summary = json.loads(result.stdout)

    def keys(items: list[dict[str, object]]) -> Iterator[Key]:
        for item in items:
            yield (str(item["focus"]), str(item["path"] or ""), str(item["component"]), str(item["shape"]))
            yield from keys(item["details"])  # type: ignore[arg-type]

    found = set(keys(summary["results"]))
    missed = [m.constraint.name for m in sample.values() if not any(m.matches(k) for k in found)]
    assert not missed, f"wijkld validate did not report: {missed}"
