"""Generate the record-format reference in ``data/README.md`` from the schema.

Run ``python -m wijkld.docs data/README.md`` after changing ``schema.py``;
a test fails while the file is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .schema import CONCEPT_FIELD_SCHEMES, EVIDENCE_FIELDS, RECORD_TYPES, Kind

BEGIN = "<!-- BEGIN GENERATED: record reference (python -m wijkld.docs data/README.md) -->"
END = "<!-- END GENERATED -->"

_TYPES = {
    Kind.TEXT: "text",
    Kind.TEXTS: "texts (`a | b`)",
    Kind.KEY: "key",
    Kind.REF: "reference",
    Kind.REFS: "references (`a | b`)",
    Kind.DATE: "date (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`)",
    Kind.INT: "whole number",
    Kind.DECIMAL: "decimal number",
    Kind.ENUM: "one of",
    Kind.IRI: "IRI",
    Kind.EMAIL: "e-mail",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def reference() -> str:
    """The generated Markdown: one table per record file."""
    out: list[str] = [BEGIN, ""]
    for rt in RECORD_TYPES:
        out += [f"### `{rt.file}` ({rt.name})", "", rt.doc, ""]
        out += ["| field | type | required | meaning | example |", "|---|---|---|---|---|"]
        for f in rt.fields:
            kind = _TYPES[f.kind]
            if f.kind is Kind.ENUM:
                kind += " " + ", ".join(f"`{c}`" for c in f.choices)
            if f.bounds:
                kind += f" from {f.bounds[0]} to {f.bounds[1]}"
            if f.target:
                target = "any record" if f.target == "*" else f"`{f.target}`"
                scheme = CONCEPT_FIELD_SCHEMES.get((rt.name, f.name))
                kind += f" to {target}" + (f" in scheme `{scheme}`" if scheme else "")
            example = f"`{_cell(f.example)}`" if f.example else ""
            out.append(f"| `{f.name}` | {_cell(kind)} | {'yes' if f.required else 'no'} | {_cell(f.doc)} | {example} |")
        rule = EVIDENCE_FIELDS.get(rt.name)
        if rule:
            fields, evidence = rule
            out += ["", f"When {' or '.join(f'`{x}`' for x in fields)} is set, `{evidence}` is required."]
        out.append("")
    out.append(END)
    return "\n".join(out)


def update(path: Path) -> bool:
    """Rewrite the generated part of ``path``; True if it changed."""
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    new = head + reference() + tail
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False


if __name__ == "__main__":  # pragma: no cover
    changed = update(Path(sys.argv[1] if len(sys.argv) > 1 else "data/README.md"))
    print("updated" if changed else "up to date")
