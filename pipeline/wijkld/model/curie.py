"""Prefixed names (``prefix:local``): shortening IRIs with prefixes, and which prefixes a set of IRIs uses.

Plain strings only, no rdflib: ``wijkld query`` and ``wijkld serve`` use these without loading the RDF
stack. The project's own prefixes, and shortening by them (:func:`wijkld.vocab.compact_iri`), are
:mod:`wijkld.model.vocab`'s.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence


def longest_first(prefixes: Mapping[str, str]) -> list[tuple[str, str]]:
    """(prefix, namespace) pairs, the longest namespace first, so that a namespace inside another never wins.

    Namespaces of the same length keep their order in ``prefixes``.
    """
    return sorted(((p, str(ns)) for p, ns in prefixes.items()), key=lambda item: -len(item[1]))


def shorten(
    iri: str, names: Sequence[tuple[str, str]], separator: str = ":", local: re.Pattern[str] | None = None
) -> str:
    """``prefix:local`` by the first of ``names`` whose namespace starts ``iri``, else the IRI as it is.

    ``names`` are (prefix, namespace) pairs in the order to try (:func:`longest_first`); an empty
    namespace is passed over. A namespace itself stays whole unless ``local`` is given, and with
    ``local`` only a local name that pattern matches (``re.match``) is taken.
    """
    for prefix, namespace in names:
        if namespace and iri.startswith(namespace):
            rest = iri[len(namespace) :]
            if local.match(rest) if local is not None else rest:
                return f"{prefix}{separator}{rest}"
    return iri


def used_prefixes(iris: Collection[str], names: Mapping[str, str]) -> dict[str, str]:
    """The prefixes of ``names`` whose namespace starts one of ``iris``, sorted by prefix (empty namespaces never)."""
    return {p: ns for p, ns in sorted(names.items()) if ns and any(i.startswith(ns) for i in iris)}
