"""The ``wijkld`` command line: parses options and calls the stage modules."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

import click

from wijkld import __version__, outdir
from wijkld.errors import EXIT_INTERNAL, EXIT_NONCONFORMING, Interrupted, NonConformingError, WijkldError
from wijkld.model.iris import DEFAULT_BASE, check_base

# Each command's exit codes, at the end of its --help (errors.py holds the contract). The \b keeps the lines
# as they are written: at most 76 characters, so that they fit a terminal 80 columns wide.
_INTERNAL = "  3    internal error: please report it (rerun with --debug for a traceback)\n"
_INTERRUPTED = "  130  interrupted (Ctrl-C)\n"

EPILOG = (
    """\b
Exit codes:
  0    success
  1    a check failed: the data does not conform, the releases differ,
       a generated file is stale
  2    bad input or usage, or the system refused (no space left,
       permission denied)
"""
    + _INTERNAL
    + _INTERRUPTED
    + "Each command's --help tells what they mean for it.\n"
)
BUILD_EPILOG = (
    """\b
Exit codes:
  0    built; the data conforms (with --check: OUT is up to date)
  1    the data does not conform to the shapes (with --check: OUT is
       stale, and the files that differ are listed); nothing was published
  2    bad input or usage (records, options, an OUT it may not replace,
       OUT busy with --no-wait), or the system refused (no space left,
       permission denied); nothing was published
"""
    + _INTERNAL
    + "  130  interrupted (Ctrl-C); nothing was published\n"
)
DIFF_EPILOG = (
    """\b
Exit codes (as diff(1) and git diff --exit-code):
  0    the releases hold the same triples
  1    the releases differ: triples were added or removed
  2    bad input or usage: OLD or NEW is not a release folder or an
       N-Triples dump, or cannot be read (missing; empty, truncated or
       corrupt gzip; over WIJKLD_MAX_INPUT); the --json file cannot be
       written
"""
    + _INTERNAL
    + _INTERRUPTED
)
VALIDATE_EPILOG = (
    """\b
Exit codes:
  0    the data conforms: no result at or above --fail-on
  1    results at or above --fail-on (the report is on standard output)
  2    bad input or usage: a missing or unreadable file, a syntax error in
       the data or the shapes (FILE:LINE:COLUMN), shapes that hold no
       shapes, a file over WIJKLD_MAX_INPUT, no DATA and no
       dist/wijkld.nt.gz to default to
"""
    + _INTERNAL
    + _INTERRUPTED
)
QUERY_EPILOG = (
    """\b
Exit codes:
  0    the results were written (also when there are none, or an ASK
       query answers false)
  2    bad input or usage: a syntax error (LINE:COLUMN), an unknown
       example name, SERVICE or an update, brackets or operators over the
       limits, no release in DIST, a query that ran over --timeout or
       --max-memory
  3    the query engine crashed on the query, or another internal error:
       please report it (rerun with --debug for a traceback)
"""
    + _INTERRUPTED
)
SERVE_EPILOG = (
    """\b
Exit codes:
  0    stopped with Ctrl-C
  2    bad input or usage: no release in DIST, or one that cannot be
       read; a bad --base or --max-memory; a port it cannot listen on (in
       use, or not allowed)
"""
    + _INTERNAL
    + "  130  interrupted (Ctrl-C) while loading the release, before serving\n"
)
SHAPES_QA_EPILOG = (
    """\b
Exit codes:
  0    the shapes are valid SHACL and pass the lint (with --coverage:
       and a fixture exercises every constraint); with --explain: the
       results were printed
  1    SHACL-SHACL or the lint found problems (with --coverage: or a
       constraint that no fixture exercises); they are listed
  2    bad input or usage: a missing or unreadable shapes, data or fixture
       file, a syntax error in the shapes or the data, an --explain
       fixture without a context.ttl in a folder above it
"""
    + _INTERNAL
    + _INTERRUPTED
)
DOCS_EPILOG = (
    """\b
Exit codes:
  0    the generated files were written (with --check: they are up to
       date)
  1    with --check: a generated file is out of date (it is named);
       nothing was written
  2    ROOT holds no data/README.md with its generated section (it is not
       a wijkld checkout), or a file cannot be written
"""
    + _INTERNAL
    + _INTERRUPTED
)
HOSTING_EPILOG = (
    """\b
Exit codes:
  0    the files were written
  2    bad input or usage: a --base, --site-url, --root, --backend,
       --listen or --server-name that does not fit the pattern it names;
       an --out that is a file, or holds a file of that name that wijkld
       hosting did not write; a folder it cannot write
"""
    + _INTERNAL
    + _INTERRUPTED
)

data_option = click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data"),
    show_default=True,
    help="Folder with the CSV source records (see data/README.md).",
)
out_option = click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("dist"),
    show_default=True,
    help="Folder to publish into; replaced as a whole, and only after validation passes.",
)
base_option = click.option(
    "--base",
    default=DEFAULT_BASE,
    show_default=True,
    envvar="WIJKLD_BASE",
    help="Base IRI of the published things ({base}/id/...) and documents ({base}/doc/...). Env: WIJKLD_BASE.",
)


class WijkldGroup(click.Group):
    """Turns what the user's environment does to a command into messages: Ctrl-C, a full disk, permissions."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise Interrupted() from None
        except OSError as exc:
            raise outdir.os_error(exc) from None
        except MemoryError:
            raise WijkldError("out of memory: the input is larger than this machine can hold") from None


@click.group(
    cls=WijkldGroup,
    epilog=EPILOG,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="wijkld")
@click.option("--debug", is_flag=True, help="Show a traceback for internal errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Publish the pilot "Nieuwe coalities voor de wijk" (2006-2007) as 5-star linked open data."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


engine_option = click.option(
    "--engine",
    type=click.Choice(["auto", "shacl", "pyshacl"]),
    metavar="ENGINE",
    default="auto",
    show_default=True,
    envvar="WIJKLD_ENGINE",
    help="SHACL engine: shacl (fast, in Rust), pyshacl (the reference; it also explains nested failures with "
    "sh:detail), or auto: shacl where it gives pyshacl's results, else pyshacl. Also read from WIJKLD_ENGINE. "
    "See docs/validate.md.",
)


@cli.command(epilog=BUILD_EPILOG)
@data_option
@out_option
@base_option
@click.option(
    "--check",
    is_flag=True,
    help="Do not publish: rebuild into a temporary folder and fail (exit 1), listing the files that differ, "
    "when OUT is stale.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("-v", "--verbose", is_flag=True, help="Print each stage as it starts.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes that map the records (default: one per CPU, at most 4). Never changes the release.",
)
@engine_option
@click.option(
    "--no-wait",
    is_flag=True,
    help="Fail at once (exit 2) when another build is writing OUT, instead of waiting for it to finish.",
)
def build_command(
    data_dir: Path,
    out: Path,
    base: str,
    check: bool,
    quiet: bool,
    verbose: bool,
    workers: int | None,
    engine: str,
    no_wait: bool,
) -> None:
    """Load, map, validate and publish: build OUT from the records in DATA.

    Nothing is published unless the records load cleanly and the RDF meets the
    SHACL shapes; the previous OUT is then left exactly as it was.

    OUT is replaced as a whole, so it must be a new or empty folder or an
    earlier wijkld release: a build refuses the records folder, a repository,
    the current or home folder, and any folder with other files in it. One
    build at a time writes OUT; a second one waits (or, with --no-wait, exits 2).

    \b
    Examples:
        wijkld build --data data --out dist
        wijkld build --check          # is the committed dist/ up to date?
    """
    from wijkld import build  # the stage modules load rdflib, pyshacl and jinja2: only for the commands that need them

    try:  # the disk, the quota or the permissions: the user's to fix, so exit 2
        iri_base = check_base(base)
        if check:
            _check(build.check(data_dir, out, iri_base, engine=engine), out, quiet)
            return
        from wijkld import progress as progress_display

        display = progress_display.Display("quiet" if quiet else "normal")
        progress = (lambda message: click.echo(f"... {message}", err=True)) if verbose and not quiet else _silent
        summary = build.run(
            data_dir,
            out,
            iri_base,
            progress,
            engine=engine,
            wait=not no_wait,
            notify=_warn,
            workers=workers,
            display=display,
        )
        if not quiet:
            click.echo(f"Published {out}/")
            for line in summary.lines():
                click.echo(f"  {line}")
    except OSError as exc:
        raise outdir.os_error(exc, f"building {out}; the previous release is unchanged") from None


build_command.name = "build"


def _check(differing: list[str], out: Path, quiet: bool) -> None:
    """``build --check``: list the files of OUT that a build would change, failing (exit 1) if there are any."""
    if differing:
        for line in differing:
            click.echo(line)
        raise NonConformingError(f"{out} is stale: {len(differing)} files differ; run wijkld build")
    if not quiet:
        click.echo(f"{out} is up to date")


def _silent(_: str) -> None:
    pass


def _warn(message: str) -> None:
    click.echo(message, err=True)


@cli.command("diff", epilog=DIFF_EPILOG)
@click.argument("old", type=click.Path(exists=True, path_type=Path))
@click.argument("new", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--json",
    "json_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the changes as JSON to this file.",
)
@click.option(
    "--max-resources", default=200, show_default=True, help="List at most this many changed resources in the text."
)
@click.pass_context
def diff_command(ctx: click.Context, old: Path, new: Path, json_out: Path | None, max_resources: int) -> None:
    """Report what changed between two releases (folders or wijkld.nt.gz dumps).

    Counts triples added and removed, per resource and per class, and exits 1
    when the releases differ, 0 when they hold the same triples.

    \b
    Example:
        wijkld diff old-dist/ dist/ --json changes.json
    """
    from wijkld.publish import diff

    old_lines = diff.read_lines(diff.release_dump(old))
    new_lines = diff.read_lines(diff.release_dump(new))
    changes = diff.compare(old_lines, new_lines, str(old), str(new))
    click.echo(changes.text(max_resources), nl=False)
    if json_out:
        json_out.write_bytes(diff.dumps_json(changes))
    if changes.added or changes.removed:
        ctx.exit(EXIT_NONCONFORMING)


@cli.command("validate", epilog=VALIDATE_EPILOG)
@click.argument("data", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--shapes",
    "shapes_path",
    type=click.Path(exists=True, path_type=Path),
    help="A Turtle shapes file, or a folder of them. Default: the wijkld shapes.",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["text", "turtle", "json", "junit", "github"]),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["violation", "warning", "info"]),
    default="violation",
    show_default=True,
    help="Exit 1 when there are results of this severity or worse.",
)
@click.option(
    "--max-results",
    type=click.IntRange(min=1),
    default=None,
    help="List at most this many results (text, json, github) and say so. Default: no limit.",
)
@click.option("--lang", type=click.Choice(["en", "nl"]), default="en", show_default=True, help="Language of messages.")
@click.option(
    "--records",
    "records_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Source records behind the data, to name the file and line of each result. "
    "Default: data/ if it exists and the data is under BASE.",
)
@click.option(
    "--against",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="A release (its folder or its .nq.gz) the files are a fragment of: their statements replace the "
    "release's about the same subjects, and the results are those the change causes, across resources "
    "too. Default: dist/ when it holds a release.",
)
@click.option(
    "--from-records",
    is_flag=True,
    help="Validate the dataset mapped from the source records in --records (default data/) instead of RDF "
    "files: what wijkld build would publish, each result at its record's file and line; nothing is written.",
)
@click.option(
    "--standalone",
    is_flag=True,
    help="Validate the files on their own, against no release; results that depend on resources the files "
    "do not describe are named in a note, not reported.",
)
@base_option
@engine_option
def validate_command(
    data: tuple[Path, ...],
    shapes_path: Path | None,
    fmt: str,
    fail_on: str,
    max_results: int | None,
    lang: str,
    records_dir: Path | None,
    against: Path | None,
    from_records: bool,
    standalone: bool,
    base: str,
    engine: str,
) -> None:
    """Validate RDF files against the wijkld SHACL shapes (or --shapes).

    DATA are Turtle (.ttl), N-Triples (.nt), N-Quads (.nq, all graphs merged),
    TriG (.trig) or JSON-LD (.jsonld, .json) files, each optionally gzipped (.gz).
    Without DATA, the release dist/wijkld.nt.gz is validated. Files are
    validated in the context of a release (--against, default dist/ when
    there is one): a correct edit of one resource passes, and what it breaks
    elsewhere is found. Each result names the file and line where its focus
    node is described. A syntax error is reported as FILE:LINE:COLUMN (exit
    code 2), in the chosen format too. See docs/validate.md.

    \b
    Examples:
        wijkld validate my-data.ttl
        wijkld validate dist/wijkld.nt.gz --fail-on warning --lang nl
        wijkld validate my-data.ttl --format github      # annotations in GitHub Actions
        wijkld validate my-data.ttl --format junit > shacl.xml
        wijkld validate dist/doc/persoon/gerrit-zalm.ttl --against dist  # one resource
    """
    from wijkld.cli import validate_command
    from wijkld.validate import report

    if from_records:
        if data or against is not None:
            raise click.UsageError("--from-records validates the records; name no DATA and no --against with it")
        standalone = True
        data = ()
    elif not data:
        if not validate_command.DEFAULT_DATA.is_file():
            raise click.UsageError(
                f"name the RDF files to validate; there is no {validate_command.DEFAULT_DATA} to default to"
            )
        click.echo(f"No DATA given: validating {validate_command.DEFAULT_DATA}", err=True)
        data = (validate_command.DEFAULT_DATA,)
        standalone = True
    if against is not None and standalone:
        raise click.UsageError("--against and --standalone exclude each other")
    default = validate_command.DEFAULT_RELEASE
    default_against = (
        default
        if against is None
        and not standalone
        and validate_command.is_release(default)
        and not validate_command.whole_release_file(data, default)
        else None
    )
    try:
        run = validate_command.run(
            list(data),
            shapes_path,
            records_dir,
            check_base(base),
            engine=engine,
            against=against,
            default_against=default_against,
            from_records=from_records,
        )
    except WijkldError as exc:  # unreadable input: also in the machine-read formats, so CI shows it where it is
        click.echo(report.input_errors(str(exc.message), fmt), nl=False)
        raise
    for note in run.notes:
        click.echo(note, err=True)
    options = report.Options(
        lang=lang,
        fail_on=fail_on,
        max_results=max_results,
        locate=run.locate,
        shapes=run.shape_names,
        skolem_prefix=run.skolem_prefix,
        prefixes=run.prefixes | report.DEFAULT_PREFIXES,
        context=str(run.against) if run.against else "",
    )
    click.echo(report.render(run.report, fmt, options), nl=False)
    if failing := run.report.at_or_above(fail_on):
        noun = "result" if len(failing) == 1 else "results"
        raise NonConformingError(f"{len(failing)} {noun} at or above {fail_on}: the data does not conform")


# ---- query and serve (issue 6) ------------------------------------------------------------------
# Option parsing only: the work is in wijkld.serve.query and wijkld.serve.server (imported when a command runs).

dist_option = click.option(
    "--dist",
    type=click.Path(file_okay=True, path_type=Path),
    default=Path("dist"),
    show_default=True,
    help="The release folder built by wijkld build (its wijkld.nq.gz is loaded), or the .nq.gz file itself.",
)
QUERY_FORMATS = ["table", "csv", "tsv", "json", "xml", "turtle", "ntriples", "jsonld"]


@cli.command("query", epilog=QUERY_EPILOG)
@click.argument("query_text", metavar="QUERY")
@dist_option
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(QUERY_FORMATS),
    default="table",
    show_default=True,
    help="table: aligned text for people; csv, tsv, json, xml: SPARQL results (SELECT, ASK); "
    "turtle, ntriples, jsonld: RDF (CONSTRUCT, DESCRIBE).",
)
@click.option(
    "--max-results",
    type=click.IntRange(min=1),
    default=None,
    help="Stop after this many rows or triples and say so. Default: no limit.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=None,
    help="Stop the query after this many seconds (exit 2). Default: no limit.",
)
@click.option(
    "--max-memory",
    metavar="SIZE",
    default=None,
    help="Memory cap of the process that runs the query, such as 2G or 512M (0: none); a query that needs "
    "more is stopped (exit 2). Default: half the RAM, at most 8G. Linux.",
)
def query_command(
    query_text: str, dist: Path, fmt: str, max_results: int | None, timeout: float | None, max_memory: str | None
) -> None:
    """Run a SPARQL query against the release in DIST, in an embedded store.

    QUERY is the query itself, a path to an .rq file, or the name of an example
    in queries/ (with or without .rq). Without FROM, the query sees all named
    graphs (data, vocabulary, shapes, metadata) as one default graph. SERVICE
    and SPARQL Update are refused; a syntax error is reported with its line and
    column (exit code 2), and so is a query that nests brackets more than 64
    deep or chains more than 500 operators (the query engine would crash on it).
    The table format shows control characters in the data escaped (\\x1b).
    The query runs in a process of its own, with no network, a memory cap and an
    optional time limit: a query over either is stopped (exit 2), and one that
    crashes the query engine is reported (exit 3) instead of taking wijkld down.

    \b
    Examples:
        wijkld query 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
        wijkld query 07-teams-in-table-order --format csv > teams.csv
        wijkld query my-query.rq --dist dist --format json
    """
    from wijkld.serve import query as sparql
    from wijkld.serve import server as serve

    text = sparql.resolve_query(query_text)
    formats = None if fmt == "table" else {"solutions": fmt, "boolean": fmt, "graph": fmt}
    job = serve.Job(text, formats, max_results, requested="" if fmt == "table" else fmt)
    try:
        cap = serve.default_max_memory(1) if max_memory is None else serve.parse_size(max_memory)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--max-memory") from None
    sparql.dump_path(dist)  # a missing release is said here, before a worker starts
    reply = serve.run_isolated(dist, job, timeout=timeout, max_memory=cap)
    if reply.status == 500 and reply.message.startswith("the query crashed"):
        raise QueryEngineCrash(reply.message)
    if reply.status != 200:
        raise WijkldError(reply.message)
    if reply.result is not None:
        click.echo(sparql.table(reply.result), nl=False)
    else:
        click.echo(reply.body, nl=False)  # bytes: exactly as serialised (click strips escape codes from str)


class QueryEngineCrash(WijkldError):
    """Oxigraph died on a query (a panic): its bug, not the user's, so exit 3 - but as a message."""

    exit_code = EXIT_INTERNAL


@cli.command("serve", epilog=SERVE_EPILOG)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to listen on. 0.0.0.0 makes the server reachable from other machines.",
)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8080, show_default=True, help="TCP port; 0 picks a free one."
)
@dist_option
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=10.0,
    show_default=True,
    help="Per-query time limit in seconds; a longer query is stopped (its worker process killed) and answered 503.",
)
@click.option(
    "--max-results",
    type=click.IntRange(min=1),
    default=10000,
    show_default=True,
    help="Return at most this many rows or triples; a capped answer says so (header X-Wijkld-Truncated: true).",
)
@click.option(
    "--base",
    default=None,
    envvar="WIJKLD_BASE",
    help="Base IRI the release was built with. Default: read from its graph names. Env: WIJKLD_BASE.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Query worker processes, each holding the data. Default: the number of CPUs, from 2 to 8.",
)
@click.option(
    "--max-memory",
    metavar="SIZE",
    default=None,
    help="Memory cap of each query worker, such as 2G or 512M (0: none); a query that needs more is stopped "
    "and answered 503. Default: the RAM divided by (workers + 1), from 512M to 8G. Linux.",
)
@click.option(
    "--per-client",
    type=click.IntRange(min=1),
    default=None,
    help="Queries one client (IP address) may have running at once; its others wait their turn, and waiting "
    "clients are served round-robin. Default: half the workers, at least 1.",
)
@click.option(
    "--queue-timeout",
    type=click.FloatRange(min=0.1),
    default=10.0,
    show_default=True,
    help="Seconds a request may wait for a free worker; then it is answered 503 with Retry-After.",
)
@click.option(
    "--trusted-proxy",
    "trusted_proxies",
    multiple=True,
    metavar="ADDRESS",
    help="The IP address of a reverse proxy in front of the server (repeatable): for its requests the client is "
    "the address in its X-Real-IP header, for --per-client. Nobody else's header is believed. See docs/hosting.md.",
)
@click.option("-q", "--quiet", is_flag=True, help="Do not log each request.")
def serve_command(
    host: str,
    port: int,
    dist: Path,
    timeout: float,
    max_results: int,
    base: str | None,
    workers: int | None,
    max_memory: str | None,
    per_client: int | None,
    queue_timeout: float,
    trusted_proxies: tuple[str, ...],
    quiet: bool,
) -> None:
    """Serve the release in DIST: SPARQL endpoint, query page and Linked Data.

    \b
      /                   query page with the example queries
      /sparql             SPARQL 1.1 Protocol endpoint (GET, POST; read-only);
                          without a query, its Service Description
      {base path}/id/...  303 See Other to {base path}/doc/...
      {base path}/doc/... HTML, Turtle, N-Triples or JSON-LD by Accept: the
                          release's own files for the resource
      {base path}/<file>  the release's files (the DCAT download URLs)
      /wijkld/def/...     the vocabulary (HTML, Turtle or JSON-LD) and its terms
                          (303 to their section); /wijkld/def/shapes/... the
                          shapes likewise
      {base path}/graph/  each named graph: 303 to its file or page
      {base path}/.well-known/genid/...  skolem IRIs: what the release says
      /.well-known/void   VoID description

    Thing IRIs are served under this server's scheme and host: with the base
    https://w3id.org/wijkld, the IRI https://w3id.org/wijkld/id/wijk/berflo-es is
    at http://127.0.0.1:8080/wijkld/id/wijk/berflo-es. Stop with Ctrl-C.

    Bounded: each query has --timeout seconds and --max-memory bytes (503
    beyond either), brackets nested at most 64 deep and at most 500 operators
    (400 beyond); a client may run --per-client queries at once, and a request
    waits at most --queue-timeout seconds for a worker (503, Retry-After).
    To host a release behind nginx, see wijkld hosting.

    \b
    Example:
        wijkld serve --port 8080
        curl -L -H 'Accept: text/turtle' http://127.0.0.1:8080/wijkld/id/wijk/berflo-es
    """
    from wijkld.serve import server as serve

    try:
        memory = serve.parse_size(max_memory) if max_memory is not None else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--max-memory'") from None
    config = serve.Config(
        dist=dist,
        host=host,
        port=port,
        timeout=timeout,
        max_results=max_results,
        base=check_base(base) if base else None,
        workers=workers or serve.default_workers(),
        quiet=quiet,
        max_memory=memory,
        per_client=per_client,
        queue_timeout=queue_timeout,
        trusted_proxies=tuple(_ip_address(a, "--trusted-proxy") for a in trusted_proxies),
    )
    server = serve.start(config)
    info = server.pool.info
    click.echo(f"Serving {dist} ({info.get('triples', 0)} triples, base {server.app.base}) at {server.url}/")
    click.echo(f"  query page  {server.url}/")
    click.echo(f"  endpoint    {server.url}/sparql")
    if server.example_url():
        click.echo(f"  a thing     {server.example_url()}")
    guarded = "on" if info.get("guarded") else "off (not Linux x86-64/arm64)"
    click.echo(f"  started in {server.seconds:.2f} s; {config.workers} workers; network guard {guarded}; Ctrl-C stops")
    cap = info.get("memory_cap")
    memory_cap = f"{serve.format_size(cap)} of memory" if cap else "no memory cap"
    click.echo(
        f"  limits      {config.timeout:g} s and {memory_cap} per query; {config.client_share()} running "
        f"per client; {config.queue_timeout:g} s in the queue"
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        server.close()


def _ip_address(text: str, option: str) -> str:
    import ipaddress

    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        raise click.BadParameter(f"expected an IP address such as 127.0.0.1; got {text!r}", param_hint=option) from None


# ---- end of query and serve -----------------------------------------------------------------------


@cli.command("hosting", epilog=HOSTING_EPILOG)
@click.option(
    "--site-url",
    required=True,
    metavar="URL",
    help="Where the host serves the release, with the base's path: https://data.example.nl/wijkld for the base "
    "https://w3id.org/wijkld. The w3id rules redirect there.",
)
@click.option(
    "--base",
    default=DEFAULT_BASE,
    show_default=True,
    envvar="WIJKLD_BASE",
    help="Base IRI the release was built with (wijkld build --base). Env: WIJKLD_BASE.",
)
@click.option(
    "--root",
    default="/var/www",
    show_default=True,
    help="The web server's folder; the release goes in ROOT plus the base's path (/var/www/wijkld).",
)
@click.option("--backend", default="127.0.0.1:8080", show_default=True, help="HOST:PORT where wijkld serve listens.")
@click.option("--listen", default="80", show_default=True, help="What nginx listens on: a port or ADDRESS:PORT.")
@click.option("--server-name", default="", help="nginx's server_name. Default: the host of --site-url.")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("hosting"),
    show_default=True,
    help="Folder for nginx.conf and w3id.htaccess; files that wijkld hosting did not write are never replaced.",
)
def hosting_command(
    site_url: str, base: str, root: str, backend: str, listen: str, server_name: str, out: Path
) -> None:
    """Write the configuration that hosts a release: an nginx site and w3id.org redirect rules.

    nginx serves the release's files (pages, per-resource Turtle and JSON-LD
    by Accept, downloads) and hands the rest (SPARQL, vocabulary and shape
    IRIs, named graphs, skolem IRIs) to wijkld serve behind it; w3id.org
    redirects every persistent IRI to the host. docs/hosting.md walks
    through it.

    \b
    Example:
        wijkld hosting --site-url https://data.example.nl/wijkld --out hosting/
    """
    from wijkld.serve import hosting

    hosted = hosting.site(base, site_url, root, backend, listen, server_name)
    for path in hosting.write(hosted, out):
        click.echo(f"wrote {path}")
    click.echo(f"next: copy dist/ to {hosted.root}{hosted.base_path}/, then run\n  {hosting.serve_command(hosted)}")


@cli.command("shapes-qa", epilog=SHAPES_QA_EPILOG)
@click.option(
    "--coverage",
    is_flag=True,
    help="Also print which fixtures exercise each constraint, and fail when a constraint has none.",
)
@click.option(
    "--data",
    "data_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="An RDF file the lint compares the shapes with; repeat for more. "
    "Default: dist/wijkld.ttl, dist/dcat.ttl and dist/void.ttl (build first).",
)
@click.option(
    "--shapes",
    "shapes_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A Turtle shapes file, or a folder of them; repeat for more. Default: the wijkld shapes.",
)
@click.option(
    "--fixtures",
    type=click.Path(path_type=Path),
    default=Path("tests/shapes"),
    show_default=True,
    help="The shapes' test fixtures, for --coverage (see docs/shapes.md).",
)
@click.option(
    "--explain",
    type=click.Path(path_type=Path),
    metavar="FIXTURE",
    help="Only print what the shapes say about this fixture, as an expected-results file.",
)
def shapes_qa_command(
    coverage: bool, data_paths: tuple[Path, ...], shapes_paths: tuple[Path, ...], fixtures: Path, explain: Path | None
) -> None:
    """Check the shapes themselves: SHACL-SHACL, a lint, and fixture coverage.

    Validates the shapes against SHACL-SHACL, lints them against the data and,
    with --coverage, tells which test fixtures exercise each constraint. The
    lint finds what SHACL-SHACL cannot: regexes that do not compile, counts that
    contradict each other, shapes whose targets match nothing in the data,
    properties the data uses that no shape constrains, shapes without an IRI or
    without Dutch and English names and messages. See docs/shapes.md.

    \b
    Examples:
        wijkld shapes-qa
        wijkld shapes-qa --coverage
        wijkld shapes-qa --explain tests/shapes/invalid/Membership-seat-missing.ttl
    """
    from wijkld.validate import shapes_qa

    shapes = list(shapes_paths) or None
    if explain:
        click.echo(shapes_qa.explain_fixture(explain, shapes), nl=False)
        return
    data = list(data_paths) or [Path(p) for p in shapes_qa.DEFAULT_DATA]
    outcome = shapes_qa.run(shapes, data, fixtures, coverage)
    click.echo("\n".join(outcome.lines))
    if outcome.failed:
        raise NonConformingError("the shapes fail the checks above")


@cli.command("docs", epilog=DOCS_EPILOG)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing: fail (exit 1), naming each generated file that is out of date.",
)
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The wijkld checkout whose docs to generate.",
)
def docs_command(check: bool, root: Path) -> None:
    """Regenerate the generated docs: data/README.md's record reference and docs/cli.md.

    The record reference in data/README.md is generated from the record schema,
    the CLI reference docs/cli.md from every command's --help. Run it after
    changing a command, an option or the record schema; the tests fail while a
    generated file is out of date.

    \b
    Examples:
        wijkld docs
        wijkld docs --check       # are the generated docs up to date?
    """
    from wijkld.cli import docs

    changed = docs.generate(root, cli, write=not check)
    if check and changed:
        raise NonConformingError(f"out of date: {', '.join(changed)}; run wijkld docs")
    click.echo(f"updated: {', '.join(changed)}" if changed else "the generated docs are up to date")


def main(argv: list[str] | None = None) -> None:
    """Console entry point: expected errors as messages, internal errors as exit code 3. Always exits."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    if debug:  # "rerun with --debug" is meant anywhere on the line, also after the command's name
        args = ["--debug", *(arg for arg in args if arg != "--debug")]
    try:
        cli.main(args=args, prog_name="wijkld", standalone_mode=True)
    except SystemExit:
        raise
    except Exception:  # noqa: BLE001 - the last line of defence for users
        if debug:
            traceback.print_exc()
        else:
            click.echo(
                "Internal error in wijkld: this is a bug, please report it. Rerun with --debug for details.",
                err=True,
            )
        sys.exit(EXIT_INTERNAL)
