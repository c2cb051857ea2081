"""Seeded generator of realistic synthetic source records in the format of ``data/``.

    python benchmarks/generate.py --triples 1e5 --out /tmp/gen-1e5 [--seed 7]

Every record type is written (release, sources, concepts, organisations, places,
persons, posts, programmes, teams, memberships, projects, events, quantities,
assessments, lessons), with what makes real records awkward: persons with the
same name (keys ``jan-de-vries``, ``jan-de-vries-2``), accented names (Çelik,
José, Brouwer-Öztürk), several teams per wijk, ministers and directors-general
sitting in many teams, memberships that replace others with dated periods and a
date source, posts with dates, CBS and TOOI identifiers with their verifying
source, quantities about projects, multi-valued references.

The output passes ``wijkld.records.load`` and the SHACL shapes. The size is
set in triples (approximately; ``TRIPLES_PER_TEAM`` is measured, the benchmark
reports the real count). The same seed and size give byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
from collections.abc import Iterable
from pathlib import Path

#: Triples the mapping produces per generated team with everything around it (measured at 1e5).
TRIPLES_PER_TEAM = 166.0
#: Records per generated team (about); used to report sizes.
TEAMS_PER_WIJK = 2
WIJKEN_PER_MUNICIPALITY = 4

GIVEN = [
    "Jan", "Piet", "Kees", "Anouk", "Fatima", "Mohamed", "José", "Cécile", "Ömer", "Ayşe", "Eline", "Sanne",
    "Henk", "Joëlle", "Bram", "Noor", "Daan", "Zoë", "Luuk", "Iñigo", "Marieke", "Youssef", "Thijs", "Inge",
]  # fmt: skip
FAMILY = [
    "de Vries", "van den Berg", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
    "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Dijk", "Çelik", "Yılmaz", "El Amrani", "Brouwer-Öztürk",
    "van 't Hof", "Dekker", "Willems", "van der Meer", "Kuipers", "Ruiz García", "Nguyễn",
]  # fmt: skip
PLACE_A = ["Noord", "Zuid", "Oost", "West", "Nieuw", "Oud", "Groot", "Klein", "Hoog", "Laag", "Sint", "Ter"]
PLACE_B = [
    "broek", "dam", "dijk", "veen", "wijk", "hoven", "burg", "hout", "heide", "meer", "sloot", "akker", "zijl",
    "lo", "horst", "rade", "beek", "kamp", "haar", "gaarde",
]  # fmt: skip
WIJK_B = ["Es", "Veld", "Hof", "Park", "Kwartier", "Buurt", "Polder", "Haven", "Oever", "Tuinen", "Weide"]
ROLES = [
    ("gemeentelijk-verantwoordelijke", "gemeentelijk verantwoordelijke", "responsible municipal official", ""),
    ("wethouder", "wethouder", "alderman", "gemeentelijk-verantwoordelijke"),
    ("stadsdeelwethouder", "stadsdeelwethouder", "district alderman", "gemeentelijk-verantwoordelijke"),
    ("directeur-generaal", "directeur-generaal", "director-general", ""),
    ("deskundige", "onafhankelijk deskundige", "independent expert", ""),
    ("bewindspersoon", "bewindspersoon", "cabinet member", ""),
    ("minister", "minister", "minister", "bewindspersoon"),
    ("staatssecretaris", "staatssecretaris", "state secretary", "bewindspersoon"),
]
THEMES = [
    ("onderwijs-en-arbeidsmarkt", "onderwijs en arbeidsmarkt", "education and labour market"),
    ("veiligheid", "veiligheid", "safety"),
    ("wonen-en-leefbaarheid", "wonen en leefbaarheid", "housing and liveability"),
    ("zorg-en-welzijn", "zorg en welzijn", "care and welfare"),
    ("integratie", "integratie", "integration"),
    ("economisch-meedoen", "economisch meedoen", "economic participation"),
    ("jeugd", "jeugd", "youth"),
    ("gezondheid", "gezondheid", "health"),
]
OTHER_CONCEPTS = [
    ("ontkokerde-aanpak", "keyword", "ontkokerde aanpak", "joined-up approach"),
    ("tempo", "keyword", "tempo", "pace"),
    ("wonen", "policy-domain", "wonen", "housing"),
    ("leren", "policy-domain", "leren", "learning"),
    ("werken", "policy-domain", "werken", "working"),
    ("netwerken-inzetten", "contribution", "netwerken inzetten", "using networks"),
    ("vol-lof", "verdict", "vol lof", "full of praise"),
    ("kritisch", "verdict", "kritisch", "critical"),
    ("aantal-projecten", "quantity-kind", "aantal projecten", "number of projects"),
    ("bedrag", "quantity-kind", "bedrag", "amount of money"),
    ("aantal-leerlingen", "quantity-kind", "aantal leerlingen", "number of pupils"),
    ("presentatie", "event-kind", "presentatie", "presentation"),
    ("startbijeenkomst", "event-kind", "startbijeenkomst", "kick-off meeting"),
    ("evaluatie", "event-kind", "evaluatie", "evaluation"),
]
MINISTRIES = [
    ("min-vrom", "ministerie van Volkshuisvesting, Ruimtelijke Ordening en Milieubeheer", "VROM", "mnre0180"),
    ("min-szw", "ministerie van Sociale Zaken en Werkgelegenheid", "SZW", "mnre1045"),
    ("min-ocw", "ministerie van Onderwijs, Cultuur en Wetenschap", "OCW", "mnre1109"),
    ("min-bzk", "ministerie van Binnenlandse Zaken en Koninkrijksrelaties", "BZK", "mnre1034"),
    ("min-justitie", "ministerie van Justitie", "Justitie", ""),
    ("min-vws", "ministerie van Volksgezondheid, Welzijn en Sport", "VWS", "mnre1025"),
    ("min-ez", "ministerie van Economische Zaken", "EZ", ""),
    ("min-financien", "ministerie van Financiën", "Financiën", "mnre1090"),
]
PARTIES = [("pvda", "PvdA"), ("cda", "CDA"), ("vvd", "VVD"), ("d66", "D66"), ("groenlinks", "GroenLinks")]
SEATS = [
    ("municipal", "wethouder"),
    ("director-general", "directeur-generaal"),
    ("expert", "deskundige"),
    ("cabinet-member", "minister"),
]


class Table:
    """Rows of one CSV file, written in the header order of ``wijkld.records.schema``."""

    def __init__(self, file: str) -> None:
        from wijkld.records.schema import BY_FILE

        self.file = file
        self.fields = BY_FILE[file].field_names
        self.rows: list[dict[str, str]] = []

    def add(self, **cells: object) -> None:
        unknown = set(cells) - set(self.fields)
        assert not unknown, (self.file, unknown)
        self.rows.append({k: _cell(v) for k, v in cells.items()})

    def write(self, folder: Path) -> int:
        buffer = io.StringIO(newline="")
        writer = csv.DictWriter(buffer, fieldnames=self.fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows)
        (folder / self.file).write_text(buffer.getvalue(), encoding="utf-8")
        return len(self.rows)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return " | ".join(str(v) for v in value)
    return str(value)


def _slug(text: str) -> str:
    from wijkld.model.iris import slugify

    return slugify(text)


def teams_for(triples: float) -> int:
    return max(1, round(triples / TRIPLES_PER_TEAM))


def generate(out: Path, triples: float, seed: int = 7) -> dict[str, int]:
    """Write a complete data folder of about ``triples`` triples; the number of rows per file."""
    rng = random.Random(seed)
    n_teams = teams_for(triples)
    n_wijken = max(1, n_teams // TEAMS_PER_WIJK)
    n_municipalities = max(1, n_wijken // WIJKEN_PER_MUNICIPALITY)
    from wijkld.records.schema import RECORD_TYPES

    t = {rt.file: Table(rt.file) for rt in RECORD_TYPES}  # every file, bases.csv (none generated) included

    # -- fixed vocabulary, sources and national organisations ----------------------------------------
    src = t["sources.csv"]
    src.add(key="page", kind="webpage", title="Pilotwijken Nieuwe coalities voor de wijk (synthetisch)")
    for sec in ("sec-pilotwijken", "sec-aanpak", "sec-leerpunten"):
        src.add(key=sec, kind="section", title=sec.removeprefix("sec-").capitalize(), part_of="page")
    src.add(key="cbs-gemeenten", kind="dataset", title="CBS Gebieden in Nederland", cited_in="sec-pilotwijken",
            publisher="cbs", date="2024", url="https://www.cbs.nl/nl-nl/cijfers")  # fmt: skip
    src.add(key="tooi-ministeries", kind="dataset", title="TOOI ministeries", cited_in="sec-pilotwijken",
            url="https://identifier.overheid.nl/tooi/set/rwc_ministeries_compleet")  # fmt: skip
    release = t["release.csv"]
    release.add(
        version="1.0.0", issued="2026-11-29", modified="2026-11-29",
        title_nl="Synthetische adoptieteams", title_en="Synthetic adoption teams",
        description_nl="Gegenereerde records voor metingen.", description_en="Generated records for benchmarks.",
        licence="http://creativecommons.org/publicdomain/zero/1.0/", publisher="wijkld",
        contact_email="data@wijkld.example", homepage="https://w3id.org/wijkld", source="page",
    )  # fmt: skip
    con = t["concepts.csv"]
    for key, nl, en, broader in ROLES:
        con.add(key=key, scheme="role", name_nl=nl, name_en=en, definition_nl=f"Rol: {nl}.",
                definition_en=f"Role: {en}.", broader=broader, source="sec-pilotwijken")  # fmt: skip
    for key, nl, en in THEMES:
        con.add(key=key, scheme="theme", name_nl=nl, name_en=en, definition_nl=f"Thema {nl}.",
                definition_en=f"Theme {en}.", source="sec-pilotwijken")  # fmt: skip
    for key, scheme, nl, en in OTHER_CONCEPTS:
        con.add(key=key, scheme=scheme, name_nl=nl, name_en=en, definition_nl=f"{nl.capitalize()}.",
                definition_en=f"{en.capitalize()}.", source="sec-aanpak")  # fmt: skip
    org = t["organisations.csv"]
    org.add(key="wijkld", kind="programme-office", name_nl="wijkld-project", name_en="wijkld project", source="page")
    org.add(key="cbs", kind="knowledge-institute", name_nl="Centraal Bureau voor de Statistiek",
            abbreviation="CBS", source="sec-pilotwijken")  # fmt: skip
    for key, name, abbr, tooi in MINISTRIES:
        org.add(key=key, kind="ministry", name_nl=name, abbreviation=abbr,
                tooi=f"https://identifier.overheid.nl/tooi/id/ministerie/{tooi}" if tooi else "",
                identifier_source="tooi-ministeries" if tooi else "", source="sec-pilotwijken")  # fmt: skip
    for key, name in PARTIES:
        org.add(key=key, kind="political-party", name_nl=name, source="sec-pilotwijken")
    org.add(key="kabinet-balkenende-3", kind="cabinet", name_nl="kabinet-Balkenende III", start="2006-07-07",
            end="2007-02-22", source="sec-pilotwijken")  # fmt: skip
    org.add(key="kabinet-balkenende-4", kind="cabinet", name_nl="kabinet-Balkenende IV", start="2007-02-22",
            end="2010-10-14", source="sec-pilotwijken")  # fmt: skip
    prog = t["programmes.csv"]
    prog.add(key="nieuwe-coalities", kind="pilot", name_nl="Nieuwe coalities voor de wijk",
             name_en="New coalitions for the neighbourhood", start="2006", end="2007", commissioned_by="min-vrom",
             number_of_wijken=n_wijken, target_date="2007-05-01", central_question_nl="Wat maakt het verschil?",
             keywords=["ontkokerde-aanpak", "tempo"], policy_domains=["wonen", "leren", "werken"],
             contributions="netwerken-inzetten", involved_ministries_except="min-ez", informed="wijkaanpak",
             source="sec-pilotwijken")  # fmt: skip
    prog.add(key="wijkaanpak", kind="policy-programme", name_nl="wijkaanpak", name_en="neighbourhood approach",
             alt_names="40 wijken", source="sec-leerpunten")  # fmt: skip
    les = t["lessons.csv"]
    les.add(key="vitale-coalitie-sleutel", programme="nieuwe-coalities", name_nl="Een vitale coalitie is de sleutel",
            name_en="A vital coalition is the key", source="sec-leerpunten")  # fmt: skip

    # -- persons: national office holders shared by many teams, local people per team -----------------
    per = t["persons.csv"]
    posts = t["posts.csv"]
    taken: dict[str, int] = {}

    def person(party: str | None = None) -> tuple[str, str]:
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        name = f"{given} {family}"
        base = _slug(name)
        n = taken.get(base, 0) + 1  # name collisions: same name, different person
        taken[base] = n
        key = base if n == 1 else f"{base}-{n}"
        alt = f"{given[0]}. {family}" if rng.random() < 0.3 else ""
        note = "Naamgenoot van een ander persoon; apart gehouden op grond van functie." if n > 1 else ""
        per.add(key=key, name=name, alt_names=alt, given_name=given, family_name=family, party=party,
                description_nl=f"Lid van een adoptieteam ({name}).", note=note, source="sec-pilotwijken")  # fmt: skip
        return key, name

    national: list[tuple[str, str, str]] = []  # (person key, name, ministry)
    for _ in range(max(4, n_teams // 6)):
        ministry = rng.choice(MINISTRIES)[0]
        key, name = person()
        national.append((key, name, ministry))
        posts.add(key=f"{key}-dg", person=key, role="directeur-generaal", organisation=ministry,
                  label_as_given=f"directeur-generaal {ministry.removeprefix('min-').upper()}",
                  start="2003-05-27", end="2008", date_source="sec-aanpak", source="sec-pilotwijken")  # fmt: skip
    ministers: list[tuple[str, str]] = []
    for _ in range(max(2, n_teams // 20)):
        key, name = person(rng.choice(PARTIES)[0])
        ministers.append((key, name))
        cabinet = rng.choice(("kabinet-balkenende-3", "kabinet-balkenende-4"))
        posts.add(key=f"{key}-minister", person=key, role="minister", organisation=rng.choice(MINISTRIES)[0],
                  cabinet=cabinet, label_as_given="minister", source="sec-pilotwijken")  # fmt: skip

    # -- municipalities, wijken, teams and everything that hangs off a team --------------------------
    pla = t["places.csv"]
    teams = t["teams.csv"]
    mem = t["memberships.csv"]
    prj = t["projects.csv"]
    ev = t["events.csv"]
    qty = t["quantities.csv"]
    ass = t["assessments.csv"]
    position = 0
    place_names: dict[str, int] = {}
    for m in range(n_municipalities):
        town = f"{rng.choice(PLACE_A)}{rng.choice(PLACE_B)}"
        place_names[town] = place_names.get(town, 0) + 1
        if place_names[town] > 1:
            town = f"{town} ({place_names[town]})"  # a name collision between municipalities
        mkey = f"{_slug(town)}-gm{m}"
        pla.add(key=mkey, kind="municipality", name_nl=town, cbs_code=f"GM{m % 10000:04d}",
                identifier_source="cbs-gemeenten", description_nl=f"Grondgebied van de gemeente {town}.",
                source="sec-pilotwijken")  # fmt: skip
        gkey = f"gemeente-{mkey}"
        org.add(key=gkey, kind="municipality", name_nl=f"gemeente {town}", place=mkey, source="sec-pilotwijken")
        corp = f"woonstichting-{mkey}"
        org.add(key=corp, kind="housing-corporation", name_nl=f"Woonstichting {town}", place=mkey,
                source="sec-pilotwijken")  # fmt: skip
        article = f"krant-{mkey}"
        src.add(key=article, kind="article", title=f"Adoptieteams in {town}", date=f"2007-0{1 + m % 9}",
                publisher=corp, cited_in="sec-pilotwijken")  # fmt: skip
        alderman_key, alderman = person(rng.choice(PARTIES)[0])
        portfolio = rng.choice(THEMES)[1]
        posts.add(key=f"{alderman_key}-wethouder", person=alderman_key, role="wethouder", organisation=gkey,
                  label_as_given=f"wethouder ({portfolio})", source=["sec-pilotwijken", article])  # fmt: skip
        ass.add(key=f"oordeel-{mkey}", subject=mkey, verdict=rng.choice(("vol-lof", "kritisch")),
                source=["sec-leerpunten", article])  # fmt: skip
        for w in range(WIJKEN_PER_MUNICIPALITY):
            wname = f"{rng.choice(PLACE_A)} {rng.choice(WIJK_B)}"
            wkey = f"{mkey}-wk{w}"
            pla.add(key=wkey, kind="wijk", name_nl=wname, alt_names=f"{wname} ({town})", part_of=mkey,
                    cbs_code=f"WK{m % 10000:04d}{w:02d}", cbs_year=2024, identifier_source="cbs-gemeenten",
                    source="sec-pilotwijken")  # fmt: skip
            for b in range(2):
                pla.add(key=f"{wkey}-bu{b}", kind="neighbourhood", name_nl=f"{wname} {b + 1}", part_of=wkey,
                        source="sec-pilotwijken")  # fmt: skip
            for k in range(TEAMS_PER_WIJK):
                position += 1
                theme_key, theme_nl, theme_en = THEMES[(w + k) % len(THEMES)]
                tkey = f"{wkey}-{theme_key}"
                teams.add(key=tkey, programme="nieuwe-coalities", name_nl=f"Adoptieteam {town} {wname} ({theme_nl})",
                          name_en=f"Adoption team {town} {wname} ({theme_en})", municipality=mkey, wijk=wkey,
                          theme=theme_key, position=position, description_nl=f"Team voor {theme_nl} in {wname}.",
                          source=["sec-pilotwijken", article])  # fmt: skip
                dg_key, dg, ministry = rng.choice(national)
                cab_key, cab = rng.choice(ministers)
                expert_key, expert = person()
                seats = [
                    ("municipal", alderman_key, alderman, "wethouder", gkey),
                    ("director-general", dg_key, dg, "directeur-generaal", ministry),
                    ("expert", expert_key, expert, "deskundige", None),
                    ("cabinet-member", cab_key, cab, "minister", None),
                ]
                for seat, pkey, pname, role, represents in seats:
                    mkey2 = f"{tkey}-{seat}"
                    mem.add(key=mkey2, team=tkey, person=pkey, seat=seat, role=role, organisation=represents,
                            as_given=f"{pname} ({role})", source="sec-pilotwijken")  # fmt: skip
                if rng.random() < 0.35:  # a change over time: a new cabinet member takes over the seat
                    new_key, new = rng.choice(ministers)
                    if new_key != cab_key:
                        mem.add(key=f"{tkey}-cabinet-member-2", team=tkey, person=new_key, seat="cabinet-member",
                                role="minister", as_given=f"{new} (minister)", start="2007-02-22", end="2007",
                                date_source="sec-aanpak", replaces=f"{tkey}-cabinet-member",
                                source=["sec-pilotwijken", article])  # fmt: skip
                pkey = f"prj-{tkey}"
                prj.add(key=pkey, kind="project", name_nl=f"Project {theme_nl} {wname}", team=tkey,
                        places=[wkey, f"{wkey}-bu{rng.randrange(2)}"], organisations=[corp, gkey], initiator=corp,
                        funder=ministry, leader=expert_key, target_date=f"20{10 + rng.randrange(5)}",
                        source=[article])  # fmt: skip
                ev.add(key=f"ev-{tkey}", kind=rng.choice(("presentatie", "startbijeenkomst")),
                       name_nl=f"Start {theme_nl} in {wname}", name_en=f"Start {theme_en} in {wname}",
                       date=f"2007-{1 + rng.randrange(12):02d}", teams=tkey, projects=pkey, places=wkey,
                       persons=[alderman_key, expert_key], source=[article])  # fmt: skip
                kind, unit = rng.choice((("bedrag", "EUR"), ("aantal-projecten", "count")))
                qty.add(key=f"q-{tkey}", subject=pkey, kind=kind, value=rng.randrange(1, 900) * 1000,
                        unit=unit, qualifier=rng.choice(("exact", "approximately")),
                        as_given=f"circa {rng.randrange(1, 900)}", contributors=gkey, source=[article])  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    return {name: table.write(out) for name, table in t.items()}


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=float, required=True, help="approximate number of triples, e.g. 1e6")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the CSV files into")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(list(argv) if argv is not None else None)
    counts = generate(args.out, args.triples, args.seed)
    print(f"{sum(counts.values())} records in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
