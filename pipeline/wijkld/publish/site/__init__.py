"""Site: the static HTML pages of a release and its network picture."""
