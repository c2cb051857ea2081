"""Where the build's validation spends its time, step by step, on one N-Triples dump.

The steps are those of ``validate_store.check`` run one after the other (the build
runs the engine beside the passes): bulk-loading the on-disk Oxigraph store, copying the dump
uncompressed for the engine, the ``shacl`` engine on SHACL Core, and each SPARQL pass, lifted
(``FILTER NOT EXISTS`` asked per candidate) and, with ``--as-written``, as the shapes write it.
Prints a table with seconds and the process's peak RSS after each step.

    .venv/bin/python benchmarks/run.py --sizes 1e6 --work /tmp/wijkld-bench   # makes the dump
    .venv/bin/python benchmarks/profile_validation.py /tmp/wijkld-bench/dist-1e6/wijkld.nt.gz --as-written
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import tempfile
import time
from pathlib import Path

from wijkld.model.dataset import store_from_ntriples
from wijkld.validate import engine as validate
from wijkld.validate import sparql_pass
from wijkld.validate.store import write_engine_input


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dump", type=Path, help="wijkld.nt.gz of a release")
    parser.add_argument("--as-written", action="store_true", help="also time each lifted pass as the shapes write it")
    args = parser.parse_args(argv)
    shapes, ontology = validate.load_shapes(), validate.load_ontology()
    core, passes = sparql_pass.split(shapes)
    rows: list[tuple[str, float, str]] = []

    def step(name: str, started: float, note: str = "") -> None:
        rows.append((name, time.perf_counter() - started, note))
        print(f"{name}: {rows[-1][1]:.2f} s {note}", flush=True)

    with tempfile.TemporaryDirectory(prefix="wijkld-profile-") as tmp:
        started = time.perf_counter()
        store = store_from_ntriples([args.dump], Path(tmp) / "store")
        step("bulk-load the store", started, f"peak {peak_mib():,.0f} MiB")
        started = time.perf_counter()
        copy = Path(tmp) / "all.nt"
        write_engine_input(store, args.dump, ontology, copy)
        step("the engine's input: the dump uncompressed, lexical forms checked, ontology axioms added", started)
        started = time.perf_counter()
        report = validate.validate_file(copy, core)
        step("shacl engine, SHACL Core", started, f"{len(report.results)} results, peak {peak_mib():,.0f} MiB")
        for found in passes:
            name = str(found.shape).rsplit("/", 1)[-1]
            started = time.perf_counter()
            results = sparql_pass.run(store, [found], shapes)
            step(f"pass {name}{' (lifted)' if found.lifted else ''}", started, f"{len(results)} results")
            if args.as_written and found.lifted is not None:
                started = time.perf_counter()
                sparql_pass.run(store, [dataclasses.replace(found, lifted=None)], shapes)
                step(f"pass {name} as written", started)
    print("\n| step | seconds | |\n|---|---:|---|")
    for name, seconds, note in rows:
        print(f"| {name} | {seconds:.2f} | {note} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
