"""Partitioned validation reports exactly what whole-graph pyshacl reports, violations included."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from wijkld.model import dataset, mapping
from wijkld.model.vocab import DCTERMS, FOAF, ORG, RDF, RDFS, SCHEMA, WIJKLD
from wijkld.publish import serialize as publish
from wijkld.records import load as records
from wijkld.validate import engine as validate
from wijkld.validate import partition

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import generate  # noqa: E402


def _inject(graph) -> set[str]:  # noqa: ANN001
    """Break the data in as many ways as the shapes can see; the constraint components hit."""
    teams = sorted(graph.subjects(RDF.type, WIJKLD.AdoptionTeam))
    members = sorted(graph.subjects(RDF.type, ORG.Membership))
    municipality = sorted(graph.subjects(RDF.type, WIJKLD.Municipality))[0]
    wijken = sorted(graph.subjects(RDF.type, WIJKLD.Wijk))
    organisation = sorted(graph.subjects(RDF.type, ORG.Organization))[0]
    graph.remove((teams[0], WIJKLD.wijk, None))  # minCount
    graph.add((teams[1], WIJKLD.wijk, wijken[-1]))  # maxCount
    graph.set((teams[2], WIJKLD.wijk, municipality))  # class (a place, not a wijk)
    graph.add((teams[3], RDFS.label, Literal("Adoptionsteam", lang="de")))  # languageIn
    graph.add((teams[4], RDFS.label, Literal("Nog een naam", lang="nl")))  # uniqueLang
    graph.set((members[0], ORG.member, organisation))  # class (an organisation, not a person)
    graph.remove((members[1], ORG.role, None))  # minCount
    graph.add((members[2], ORG.organization, teams[5]))  # maxCount
    graph.set((members[3], FOAF.isPrimaryTopicOf, Literal("a page")))  # nodeKind
    graph.add((URIRef("https://example.org/orphan"), RDFS.label, Literal("orphan")))  # minCount (warning)
    event = sorted(graph.subjects(RDF.type, SCHEMA.Event))[0]
    graph.set((event, DCTERMS.type, graph.value(teams[6], WIJKLD.theme)))  # node: a concept of the wrong scheme
    graph.set((teams[7], WIJKLD.position, graph.value(teams[-1], WIJKLD.position)))  # SPARQL: a position twice
    return {"MinCount", "MaxCount", "Class", "LanguageIn", "UniqueLang", "NodeKind", "Node", "SPARQL"}


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    folder = tmp_path_factory.mktemp("scaling")
    generate.generate(folder / "data", 6_000, seed=11)
    graph = mapping.to_graph(records.load(folder / "data"))
    kinds = _inject(graph)
    nt = folder / "data.nt"
    nt.write_bytes(b"".join(publish.ntriples_lines(graph)))
    store = dataset.store_from_ntriples([nt], folder / "store")
    del store
    return graph, folder / "store", kinds


@pytest.fixture(scope="module")
def whole(broken) -> tuple[validate.Result, ...]:  # noqa: ANN001
    """Whole-graph pyshacl: the reference."""
    return validate.check(broken[0], validate.load_shapes(), validate.load_ontology(), engine="pyshacl").results


@pytest.mark.slow
def test_partitioned_validation_equals_whole_graph_pyshacl(broken, whole) -> None:  # noqa: ANN001
    graph, store_path, kinds = broken
    shapes, ontology = validate.load_shapes(), validate.load_ontology()
    parted = partition.validate_partitioned(store_path, shapes, ontology, partitions=5, workers=2)
    assert {r.component.rsplit("#", 1)[1].removesuffix("ConstraintComponent") for r in whole} >= kinds
    assert sum(1 for r in whole if r.severity == "violation") >= 8
    assert parted == list(whole)


def test_the_build_s_validation_equals_whole_graph_pyshacl(broken, whole, tmp_path: Path) -> None:  # noqa: ANN001
    """The shacl engine on the dump and the SPARQL constraints as passes over the store (sparql_pass)."""
    from wijkld.model import dataset
    from wijkld.validate import store as validate_store

    _, store_path, kinds = broken
    nt = store_path.parent / "data.nt"
    data = dataset.load([nt], tmp_path / "store")
    before = len(data.store)
    shapes, ontology = validate.load_shapes(), validate.load_ontology()
    fast = validate_store.check(data, nt, shapes, ontology, engine="shacl").results

    def keys(results) -> list[tuple[str, ...]]:  # noqa: ANN001
        return sorted((r.severity, r.focus, r.path, r.component, r.source_shape, r.value_nt) for r in results)

    assert keys(fast) == keys(whole)
    assert {r.component.rsplit("#", 1)[1].removesuffix("ConstraintComponent") for r in fast} >= kinds
    assert not list(tmp_path.glob("*.engine.nt")) and not list(nt.parent.glob("*.engine.nt")), "scratch copy removed"
    assert len(data.store) == before, "the ontology axioms the passes needed are taken out of the store again"


SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/> .
ex:Team a sh:NodeShape ; sh:targetClass ex:Team ;
    sh:property [ sh:path ex:wijk ; sh:class ex:Wijk ; sh:minCount 1 ; sh:maxCount 1 ] .
"""
EX = "https://example.org/"


def _reach(extra: str = "") -> partition.Reach:
    """What a team brings into its partition."""
    from rdflib import Graph

    return partition.scopes(Graph().parse(data=SHAPES + extra, format="turtle"), Graph()).by_class[EX + "Team"]


def test_reach_of_a_class_constraint_is_the_values_own_triples() -> None:
    scope = _reach()
    assert (scope.depth, scope.inverse, scope.transitive) == (1, set(), set())


def test_reach_follows_nested_shapes_sequences_and_inverse_paths() -> None:
    nested = _reach("""
ex:Team sh:property [ sh:path ( ex:wijk ex:municipality ) ; sh:node ex:Named ] ,
    [ sh:path [ sh:inversePath ex:team ] ; sh:minCount 1 ] .
ex:Named sh:property [ sh:path ex:name ; sh:minCount 1 ] .
""")
    assert nested.depth == 2  # team -> wijk -> municipality, whose ex:name is read
    assert nested.inverse == {(EX + "team", 0)}


def test_reach_reads_sparql_patterns_from_this_outwards() -> None:
    scope = _reach("""
ex:Team sh:sparql [ sh:select \"\"\"
    SELECT $this WHERE {
        $this <https://example.org/programme> ?p ; <https://example.org/wijk> ?w .
        ?other <https://example.org/programme> ?p .
        FILTER NOT EXISTS { ?w <https://example.org/within>* ?m }
    }\"\"\" ] .
""")
    assert (EX + "programme", 1) in scope.inverse  # turns round at the programme, one hop out
    assert scope.transitive == {EX + "within"}


def test_partitions_share_the_subjects_evenly() -> None:
    pages = [f"https://example.org/doc/{i:03d}" for i in range(50)]
    nodes = pages + [f"https://example.org/id/{i:03d}" for i in range(10)]
    subjects = {n for n in nodes if "/id/" in n}
    groups = partition.balanced_groups(sorted(nodes), subjects, 2)
    assert sorted(n for g in groups for n in g) == sorted(nodes)
    assert [sum(n in subjects for n in g) for g in groups] == [5, 5]
    assert [len(g) for g in groups] == [30, 30]
    assert partition.balanced_groups(sorted(nodes), subjects, 100)[0] == [sorted(subjects)[0]]


def test_each_target_brings_only_what_its_own_shapes_look_at() -> None:
    from rdflib import Graph

    shapes = Graph().parse(
        data=SHAPES
        + """
ex:Person a sh:NodeShape ; sh:targetClass ex:Person ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .
ex:Named a sh:NodeShape ; sh:targetSubjectsOf ex:name ;
    sh:property [ sh:path ( ex:seat ex:holder ) ; sh:class ex:Person ] .
""",
        format="turtle",
    )
    ontology = Graph().parse(data="<https://example.org/Mayor> <http://www.w3.org/2000/01/rdf-schema#subClassOf> "
                             "<https://example.org/Person> .", format="turtle")  # fmt: skip
    scope = partition.scopes(shapes, ontology)
    assert scope.by_class[EX + "Team"].depth == 1 and scope.by_class[EX + "Person"].depth == 0
    assert scope.by_subject_of[EX + "name"].depth == 2  # seat -> holder, whose type is read
    assert scope.classes([EX + "Mayor"]) == {EX + "Person"}
    key = (scope.classes([EX + "Mayor"]), frozenset({EX + "name"}), frozenset(), False)
    assert scope.of(key, "").depth == 2
