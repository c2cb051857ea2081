"""``python -m wijkld`` is the same as the ``wijkld`` command."""

from wijkld.cli.main import main

main()
