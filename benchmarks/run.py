"""Scale benchmark: generated records at several sizes through the wijkld path, the plain approach and the floor.

    python benchmarks/run.py --sizes 1e4,1e5,1e6,1e7 --max-seconds 600

For each size: generate records (benchmarks/generate.py, seed 7), then run in
subprocesses, each measured for wall time and peak RSS (``os.wait4``):

* **wijkld**: ``load`` alone, then the build (``wijkld.build.run``,
  2 workers, validation included, the whole release). Its per-stage seconds come from
  the build's own timers; map and the writers run in the worker processes, so
  their seconds are summed worker seconds (``cpu`` in the table), the total is
  wall time.
* **plain**: whole rdflib ``Graph`` (``mapping.to_graph``), ``Graph.serialize``
  to N-Triples, Turtle and JSON-LD, whole-graph pyshacl. One subprocess; its
  RSS column is the peak so far after each stage (``ru_maxrss`` in the child).
* **floor**: plain Python writing the same N-Triples lines (f-strings from the
  three terms of each line, already split, in chunks of 100k lines).

A run that would take longer than ``--max-seconds`` (predicted as 10x the
previous size) is not started and says so; a run that passes it is killed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASE = "https://w3id.org/wijkld"


# -- the measured code, run in a child process -------------------------------------------------------


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_load(data: Path, out: Path) -> dict:
    from wijkld.records import load as records

    t = time.perf_counter()
    recs = records.load(data)
    return {"load": {"seconds": time.perf_counter() - t, "records": len(recs)}}


def child_build(data: Path, out: Path, validation: bool = True) -> dict:
    """The one build (``wijkld.build.run``, 2 workers): it always validates, so --no-validation does not apply."""
    from wijkld import build

    t = time.perf_counter()
    summary = build.run(data, out, BASE, workers=2)
    wall = time.perf_counter() - t
    stages = {k: {"seconds": v} for k, v in {**summary.stages, **summary.parts}.items()}
    stages["total"] = {"seconds": wall}
    return {"triples": summary.triples, "records": summary.records, "stages": stages}


def child_plain(data: Path, out: Path, budget: float, validation: bool = True) -> dict:
    from wijkld.model import mapping
    from wijkld.records import load as records
    from wijkld.validate import engine as validate

    started = time.perf_counter()
    stages: dict[str, dict] = {}

    def timed(name: str, fn):  # noqa: ANN001, ANN202
        if time.perf_counter() - started > budget:
            stages[name] = {"skipped": "budget"}
            return None
        t = time.perf_counter()
        value = fn()
        stages[name] = {"seconds": time.perf_counter() - t, "peak_mib": _peak_mib()}
        print(json.dumps({"partial": stages}), flush=True)
        return value

    recs = timed("load", lambda: records.load(data))
    graph = timed("map", lambda: mapping.to_graph(recs))
    out.mkdir(parents=True, exist_ok=True)
    timed("nt", lambda: graph.serialize(out / "plain.nt", format="nt", encoding="utf-8"))
    timed("ttl", lambda: graph.serialize(out / "plain.ttl", format="turtle", encoding="utf-8"))
    timed("jsonld", lambda: graph.serialize(out / "plain.jsonld", format="json-ld", encoding="utf-8"))
    if validation:
        timed("validate", lambda: validate.check(graph))
    else:
        stages["validate"] = {"skipped": "--no-validation"}
    return {"triples": len(graph), "stages": stages}


def child_floor(data: Path, out: Path) -> dict:
    """Write the wijkld N-Triples lines again with f-strings; only the writing is timed."""
    nt = out / "wijkld.nt.gz"
    target = out.parent / f"{out.name}-floor.nt"
    seconds = 0.0
    n = 0
    with gzip.open(nt, "rt", encoding="utf-8") as source, open(target, "w", encoding="utf-8") as sink:
        while True:
            chunk = [line for _, line in zip(range(100_000), source, strict=False)]
            if not chunk:
                break
            terms = []
            for line in chunk:
                s, p, rest = line.split(" ", 2)
                terms.append((s[1:-1], p[1:-1], rest[:-3]))
            t = time.perf_counter()
            sink.write("".join([f"<{s}> <{p}> {o} .\n" for s, p, o in terms]))
            seconds += time.perf_counter() - t
            n += len(terms)
    target.unlink()
    return {"triples": n, "stages": {"nt": {"seconds": seconds}}}


# -- the parent: subprocesses, budget, tables ----------------------------------------------------------


def run_child(kind: str, data: Path, out: Path, budget: float, validation: bool = True) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, "--data", str(data), "--out", str(out), "--max-seconds",
           str(budget)] + ([] if validation else ["--no-validation"])  # fmt: skip
    started = time.perf_counter()
    # a session of its own: on timeout the worker processes it forked are killed with it
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=budget)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        result = _last_json(stdout) or {}
        result.setdefault("stages", result.pop("partial", {}))
        result["killed"] = f"budget ({budget:.0f} s)"
        result["wall"] = time.perf_counter() - started
        return result
    if proc.returncode:
        return {"error": stderr.strip().splitlines()[-1] if stderr.strip() else f"exit {proc.returncode}"}
    result = _last_json(stdout) or {}
    result["wall"] = time.perf_counter() - started
    result["peak_mib"] = result.get("child_peak_mib", 0.0)
    return result


def _last_json(text: str) -> dict | None:
    for line in reversed(text.strip().splitlines()):
        try:
            return json.loads(line)
        except ValueError:
            continue
    return None


def fmt_rate(triples: float, seconds: float | None) -> str:
    if not seconds:
        return ""
    rate = triples / seconds
    return f"{rate / 1e3:,.0f}k" if rate >= 1e3 else f"{rate:,.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1e4,1e5,1e6", help="comma-separated target triples, e.g. 1e4,1e5,1e6,1e7")
    parser.add_argument("--max-seconds", type=float, default=600.0, help="time budget per run (subprocess)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/wijkld-bench"), help="scratch folder")
    parser.add_argument("--json", type=Path, help="also write all measurements to this file")
    parser.add_argument(
        "--no-validation",
        dest="validation",
        action="store_false",
        help="leave out SHACL validation in both paths, to measure the other stages at sizes pyshacl cannot reach",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        if args.child == "plain":
            result = child_plain(args.data, args.out, args.max_seconds, args.validation)
        elif args.child == "build":
            result = child_build(args.data, args.out, args.validation)
        else:
            result = {"load": child_load, "floor": child_floor}[args.child](args.data, args.out)
        # the peak of this process or of any of its worker processes
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        result["child_peak_mib"] = max(_peak_mib(), children)
        print(json.dumps(result), flush=True)
        return 0

    sys.path.insert(0, str(HERE))
    import generate

    sizes = [float(s) for s in args.sizes.split(",")]
    results: dict[str, dict] = {}
    previous: dict[str, float] = {}
    for size in sizes:
        label = f"{size:.0e}".replace("e+0", "e")
        data = args.work / f"data-{label}"
        out = args.work / f"dist-{label}"
        t = time.perf_counter()
        if not (data / "release.csv").is_file():
            generate.generate(data, size)
        gen_seconds = time.perf_counter() - t
        row: dict[str, dict] = {"generate": {"seconds": gen_seconds}}
        for kind in ("load", "build", "floor", "plain"):
            predicted = previous.get(kind, 0.0) * 10
            if predicted > args.max_seconds:
                row[kind] = {"not_run": f"budget (predicted {predicted:.0f} s > {args.max_seconds:.0f} s)"}
            elif kind == "floor" and set(row["build"]) & {"error", "killed", "not_run"}:
                row[kind] = {"not_run": "no wijkld output"}
            else:
                print(f"[{label}] {kind} ...", file=sys.stderr, flush=True)
                row[kind] = run_child(kind, data, out if kind != "plain" else args.work / f"plain-{label}",
                                      args.max_seconds, args.validation)  # fmt: skip
                previous[kind] = row[kind].get("wall", 0.0) if "killed" not in row[kind] else 1e12
        results[label] = row
        print(render(results), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


#: (title, the build's stage or part (wijkld.progress.Summary), plain's stage, floor's stage)
STAGES = [
    ("load", "load", "load", None),
    ("map (records to N-Triples parts, in the worker processes)", "map:records", "map", None),
    ("store (the parts bulk-loaded into Oxigraph on disk)", "map:store", None, None),
    ("validate", "validate", "validate", None),
    ("N-Triples (sorted, from the store)", "map:ntriples", "nt", "nt"),
    ("N-Triples gzip", "publish:wijkld.nt.gz", None, None),
    ("N-Quads (gzip, with vocabulary, shapes, metadata graphs)", "publish:wijkld.nq.gz", None, None),
    ("Turtle", "publish:wijkld.ttl", "ttl", None),
    ("JSON-LD (compacted)", "publish:wijkld.jsonld", "jsonld", None),
    ("tables (CSV and CSVW)", "publish:tables", None, None),
    ("example answers", "publish:examples", None, None),
    ("pages (landing, lists, vocabulary)", "publish:site", None, None),
    ("publish (every file, the resource pages included)", "publish", None, None),
    ("whole build (wall)", "total", None, None),
]


HEADER = (
    "| triples | wijkld s | wijkld triples/s | wijkld peak MiB | plain s | plain triples/s | plain peak MiB "
    "| floor s | floor triples/s | plain / wijkld | wijkld / floor |"
)


def render(results: dict[str, dict]) -> str:
    out: list[str] = []
    for title, ours, plain, floor in STAGES:
        out.append(f"\n### {title}\n")
        out.append(HEADER)
        out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for _label, row in results.items():  # noqa: B007 (the label names rows that built nothing)
            build = row.get("build", {})
            triples = build.get("triples") or row.get("plain", {}).get("triples") or 0
            cells = [f"{triples:,}" if triples else f"({_label})"]
            src = row.get("load") if ours == "load" else build
            ours_s = None
            if "killed" in src:
                cells += [f"killed at the {src['killed']}", "", ""]
            elif "not_run" in src or "error" in src:
                cells += [f"not run: {src.get('not_run') or src.get('error')}", "", ""]
            else:
                stage = src.get("stages", src).get(ours, {}) if ours != "load" else src.get("load", {})
                ours_s = stage.get("seconds")
                shown = f"{ours_s:.2f}" if ours_s is not None else stage.get("skipped", "")
                cells += [shown, fmt_rate(triples, ours_s), f"{src.get('peak_mib', 0):,.0f}"]
            p = row.get("plain", {})
            plain_s = None
            if plain is None:
                cells += ["", "", ""]
            elif "not_run" in p or "error" in p:
                cells += [f"not run: {p.get('not_run') or p.get('error')}", "", ""]
            else:
                stage = p.get("stages", {}).get(plain, {})
                plain_s = stage.get("seconds")
                if plain_s is None and "killed" in p:
                    cells += [f"killed at the {p['killed']}", "", ""]
                elif plain_s is None:
                    cells += [f"not run: {stage.get('skipped') or 'budget'}", "", ""]
                else:
                    cells += [f"{plain_s:.2f}", fmt_rate(triples, plain_s), f"{stage.get('peak_mib', 0):,.0f}"]
            f = row.get("floor", {})
            floor_s = f.get("stages", {}).get("nt", {}).get("seconds") if floor else None
            cells += [f"{floor_s:.2f}" if floor_s else "", fmt_rate(triples, floor_s)]
            cells.append(f"{plain_s / ours_s:.1f}x" if plain_s and ours_s else "")
            cells.append(f"{ours_s / floor_s:.1f}x" if floor_s and ours_s else "")
            out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
