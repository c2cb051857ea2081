"""The ``wijkld`` command line: parses options and calls the stage modules."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

import click

from . import __version__, build, diff
from .errors import EXIT_INTERNAL, NonConformingError
from .iris import DEFAULT_BASE, check_base

EPILOG = """\b
Exit codes:
  0  success (built; the data conforms)
  1  the data does not conform to the shapes
  2  bad input or usage (records, RDF files, options)
  3  internal error (please report it; rerun with --debug for a traceback)
"""

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


@click.group(epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="wijkld")
@click.option("--debug", is_flag=True, help="Show a traceback for internal errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Publish the pilot "Nieuwe coalities voor de wijk" (2006-2007) as 5-star linked open data."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


@cli.command(epilog=EPILOG)
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
def build_command(data_dir: Path, out: Path, base: str, check: bool, quiet: bool, verbose: bool) -> None:
    """Load, map, validate and publish: build OUT from the records in DATA.

    Nothing is published unless the records load cleanly and the RDF meets the
    SHACL shapes; the previous OUT is then left exactly as it was.

    \b
    Examples:
        wijkld build --data data --out dist
        wijkld build --check          # is the committed dist/ up to date?
    """
    if check:
        differing = build.check(data_dir, out, check_base(base))
        if differing:
            for line in differing:
                click.echo(line)
            raise NonConformingError(f"{out} is stale: {len(differing)} files differ; run wijkld build")
        if not quiet:
            click.echo(f"{out} is up to date")
        return
    progress = (lambda message: click.echo(f"... {message}", err=True)) if verbose and not quiet else (lambda _: None)
    summary = build.run(data_dir, out, check_base(base), progress)
    if not quiet:
        click.echo(f"Published {out}/")
        for line in summary.lines():
            click.echo(f"  {line}")


build_command.name = "build"


@cli.command("diff", epilog=EPILOG)
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
def diff_command(old: Path, new: Path, json_out: Path | None, max_resources: int) -> None:
    """Report what changed between two releases (folders or wijkld.nt.gz dumps).

    Counts triples added and removed, per resource and per class.

    \b
    Example:
        wijkld diff old-dist/ dist/ --json changes.json
    """
    old_lines = diff.read_lines(diff.release_dump(old))
    new_lines = diff.read_lines(diff.release_dump(new))
    changes = diff.compare(old_lines, new_lines, str(old), str(new))
    click.echo(changes.text(max_resources), nl=False)
    if json_out:
        json_out.write_bytes(diff.dumps_json(changes))


def main() -> None:
    """Console entry point: expected errors as messages, internal errors as exit code 3."""
    debug = "--debug" in sys.argv[1:]
    try:
        cli.main(prog_name="wijkld", standalone_mode=True)
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
