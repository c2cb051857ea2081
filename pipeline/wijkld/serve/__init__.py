"""Serve: SPARQL over a release (``query``) and the local Linked Data server (``server``)."""
