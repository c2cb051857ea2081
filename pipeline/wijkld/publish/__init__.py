"""Publish: the files of a release (serialisations, JSON-LD, DCAT/VoID metadata, release notes, the site)."""
