"""Command line: ``wijkld`` and its subcommands parse options and call the stages (``main``)."""
