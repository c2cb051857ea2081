"""``python -m wijkld`` is the same as the ``wijkld`` command."""

from .cli import main

main()
