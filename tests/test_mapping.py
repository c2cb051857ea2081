"""The mapping's statement bases (wijkld.model.mapping.Mapper.covered, graphs_of_statements) and their named
graphs in the N-Quads of the pilot release (docs/modelling.md)."""

from __future__ import annotations

import dataclasses
import gzip
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef

from wijkld.errors import InputError
from wijkld.model.iris import DEFAULT_BASE, Minter
from wijkld.model.mapping import FieldsNeeded, Mapper
from wijkld.model.vocab import DCTERMS, RDFS, SCHEMA, SKOS
from wijkld.records import load as records
from wijkld.records.load import Record, Records
from wijkld.records.schema import BY_NAME, NAME_FIELDS, UNCOVERED_FIELDS, Field

DATA_GRAPH = f"{DEFAULT_BASE}/graph/data"


@pytest.fixture(scope="module")
def minimal(minimal_data: Path) -> Records:
    return records.load(minimal_data)


def basis_over(recs: Records, target: Record, fields: tuple[str, ...]) -> Record:
    """A basis of the records (the first), moved to ``target`` and ``fields``."""
    basis = recs.of("basis")[0]
    return dataclasses.replace(basis, values={**basis.values, "record": target.key, "fields": fields})


def fields_with_values(recs: Records, skipped: Iterable[str]) -> Iterator[tuple[Record, Field]]:
    """Every (record, field) a basis could name: records of the data (not the release or a basis), fields
    with a value, except ``skipped`` and the fields that hold no statement (key, note, source)."""
    skip = set(skipped) | set(UNCOVERED_FIELDS)
    for r in recs:
        if r.type not in ("release", "basis"):
            yield from (
                (r, f) for f in BY_NAME[r.type].fields if f.name not in skip and r.get(f.name) not in (None, ())
            )


def test_a_basis_covers_exactly_the_statements_of_its_fields(minimal: Records) -> None:
    mapper = Mapper(minimal, Minter())
    (basis,) = minimal.of("basis")
    person = URIRef(f"{DEFAULT_BASE}/id/persoon/pieter-de-wit")
    assert mapper.covered(basis) == [(person, SCHEMA.givenName, Literal("Pieter"))]
    assert mapper.graphs_of_statements() == {
        (person, SCHEMA.givenName, Literal("Pieter")): URIRef(f"{DEFAULT_BASE}/id/grondslag/pieter-de-wit-voornaam")
    }


def test_a_basis_without_fields_covers_the_whole_record(minimal: Records) -> None:
    mapper = Mapper(minimal, Minter())
    person = minimal.get("person", "pieter-de-wit")
    whole = mapper.covered(basis_over(minimal, person, ()))
    assert whole == mapper.handler_triples(person) and len(whole) > 5


def test_every_field_with_a_value_is_found_by_the_difference(minimal: Records) -> None:
    """Any field a basis may name, on any record of the minimal set: what the basis covers is part of the
    record's triples, and not nothing (every field that holds a statement makes a triple)."""
    mapper = Mapper(minimal, Minter())
    tried = refused = 0
    for r, f in fields_with_values(minimal, NAME_FIELDS):
        basis = basis_over(minimal, r, (f.name,))
        alone = Mapper(Records({**minimal.by_type, "basis": [basis]}, minimal.files), Minter())
        try:
            covered = mapper.covered(basis)
        except FieldsNeeded:  # a key the record means nothing without (a membership's team)
            with pytest.raises(InputError, match=f"{r.type} {r.key} cannot be published without '{f.name}'"):
                alone.graphs_of_statements()
            refused += 1
            continue
        assert set(covered) <= set(mapper.handler_triples(r)), (r.type, r.key, f.name)
        if not covered:  # the value is the default (a wijk's kind)
            with pytest.raises(InputError, match=f"'{f.name}' of {r.type} {r.key} makes no statement"):
                alone.graphs_of_statements()
            refused += 1
        tried += 1
    assert tried > 100 and refused < tried // 5, (tried, refused)


@pytest.fixture(scope="module")
def graphs(release_dir: Path) -> dict[str, set[str]]:
    """The N-Quads of the pilot release: graph -> its triples (as N-Triples terms)."""
    found: dict[str, set[str]] = defaultdict(set)
    for quad in ox.parse(gzip.decompress((release_dir / "wijkld.nq.gz").read_bytes()), ox.RdfFormat.N_QUADS):
        assert isinstance(quad.graph_name, ox.NamedNode)
        found[quad.graph_name.value].add(f"{quad.subject} {quad.predicate} {quad.object}")
    return found


def test_the_statements_of_a_basis_are_in_its_graph_and_not_in_the_data_graph(
    graphs: dict[str, set[str]], release_dir: Path
) -> None:
    bases = {g for g in graphs if g.startswith(f"{DEFAULT_BASE}/id/grondslag/")}
    assert len(bases) >= 40
    data_graph = graphs[DATA_GRAPH]
    for basis in bases:
        assert graphs[basis] and not graphs[basis] & data_graph, basis
        # the graph's name is a basis the data graph describes
        assert f"<{basis}> <http://purl.org/dc/terms/subject> " in "\n".join(sorted(data_graph)), basis
    # the data graph and the basis graphs are the data: the N-Triples dump, no more, no less
    dump = {
        f"{t.subject} {t.predicate} {t.object}"
        for t in ox.parse(gzip.decompress((release_dir / "wijkld.nt.gz").read_bytes()), ox.RdfFormat.N_TRIPLES)
    }
    assert set().union(data_graph, *(graphs[b] for b in bases)) == dump


def test_the_name_the_page_gives_stays_in_the_data_graph(graphs: dict[str, set[str]]) -> None:
    bos = f"<{DEFAULT_BASE}/id/persoon/wouter-bos>"
    in_data = {t for t in graphs[DATA_GRAPH] if t.startswith(bos + " ")}
    assert f'{bos} <https://schema.org/name> "Bos"' in in_data
    assert not any("givenName" in t or "altLabel" in t for t in in_data)
    assert graphs[f"{DEFAULT_BASE}/id/grondslag/wouter-bos-volledige-naam"] == {
        f'{bos} <https://schema.org/givenName> "Wouter"',
        f'{bos} <http://www.w3.org/2004/02/skos/core#altLabel> "Wouter Bos"@nl',
    }


#: Fields that hold prose or bookkeeping by design (data/README.md), not a fact of their own.
PROSE_FIELDS = {"description_nl", "description_en", "note", "date_as_given", "explanation"}
PROSE_PROPERTIES = {DCTERMS.description, SKOS.editorialNote, RDFS.comment}


def test_every_fact_of_the_pilot_records_is_a_statement_of_its_own(data_dir: Path) -> None:
    """Issue 16, done when: for every record field holding a fact, the fact is found through a property
    of its own, not only through a description or a note. Each field's statements are found as a basis
    finds them (Mapper.covered): the record mapped with and without it."""
    recs = records.load(data_dir)
    mapper = Mapper(recs, Minter())
    only_prose, checked = [], 0
    for r, f in fields_with_values(recs, PROSE_FIELDS):
        try:
            covered = mapper.covered(basis_over(recs, r, (f.name,)))
        except FieldsNeeded:
            continue  # a key the record is built around (a membership's team): a statement by construction
        if not covered and f.choices:  # the value is the mapping's default (a wijk): compare with another
            other = next(c for c in f.choices if c != r.get(f.name))
            changed = dataclasses.replace(r, values={**r.values, f.name: other})
            covered = list(set(mapper.handler_triples(r)) - set(mapper.handler_triples(changed)))
        checked += 1
        if not any(p not in PROSE_PROPERTIES for _, p, _ in covered):
            only_prose.append(f"{r.file}:{r.line} {f.name}")
    assert checked > 1500
    assert only_prose == [], "facts found only in prose"
