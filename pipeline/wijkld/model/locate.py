"""Map the IRIs of published resources back to the source records they come from.

A validation result names a focus node; a person fixing the data needs the CSV
file and line to edit. Every record mints one IRI, and some resources are
derived from records (a membership's period, the instants that bound periods,
concept schemes, the release metadata); each of those is traced to the record
that causes it.
"""

from __future__ import annotations

from dataclasses import dataclass

from wijkld.model.iris import Minter
from wijkld.model.mapping import Mapper
from wijkld.records.load import Record, Records

#: Resources of the release metadata (catalogue, distributions, ...) all come from release.csv.
RELEASE_SEGMENTS = (
    "activiteit",
    "catalogus",
    "checksum",
    "contactpunt",
    "dataset",
    "distributie",
    "partitie",
    "software",
)

#: Record types whose dates become a time:Interval (and time:Instants) of their own.
PERIOD_TYPES = ("programme", "post", "membership")


@dataclass(frozen=True)
class Location:
    """Where a resource comes from: a data file and line, and the record's type and key."""

    file: str
    line: int
    type: str = ""
    key: str = ""
    #: What the resource is to the record, when it is not the record itself ("period", "date", ...).
    role: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        if not self.type:
            return where
        what = f"{self.type} {self.key}" if self.key and self.key != self.type else self.type
        return f"{where} ({self.role} of {what})" if self.role else f"{where} ({what})"


class Locator:
    """Looks up the source record behind an IRI minted from ``records`` under ``minter``'s base."""

    def __init__(self, records: Records, minter: Minter) -> None:
        self.minter = minter
        self._index: dict[str, Location] = {}
        self._release: Location | None = None
        mapper = Mapper(records, minter)
        for record in records:
            if record.type == "release":
                self._release = _location(record)
                continue
            self._add(str(mapper.of(record)), _location(record))
        for record in records:  # derived resources: the first record (in file order per type) wins
            if record.type in PERIOD_TYPES:
                if record.date("start") or record.date("end"):
                    self._add(str(mapper.interval(record)), _location(record, "period"))
                for date in (record.date("start"), record.date("end")):
                    if date:
                        self._add(str(mapper.instant(date)), _location(record, "date"))
            if record.type == "concept" and record.text("scheme"):
                self._add(str(mapper.iri("scheme", record.text("scheme") or "")), _location(record, "scheme"))

    def _add(self, iri: str, location: Location) -> None:
        self._index.setdefault(iri, location)

    def find(self, iri: str) -> Location | None:
        """The record behind ``iri``, or None for IRIs that no record mints (vocabulary, other data)."""
        found = self._index.get(iri)
        if found is not None:
            return found
        parsed = self.minter.parse(iri)
        if self._release is not None and parsed is not None:
            if parsed[0] in RELEASE_SEGMENTS or parsed == ("periode", "dataset-wijkld"):
                return self._release
        return None

    def __len__(self) -> int:
        return len(self._index)


def _location(record: Record, role: str = "") -> Location:
    return Location(record.file, record.line, record.type, record.key, role)


def under_base(iris: list[str], minter: Minter) -> bool:
    """Whether some IRI is a thing minted under ``minter``'s base: then our records may explain it."""
    return any(iri.startswith(minter.things) for iri in iris)
