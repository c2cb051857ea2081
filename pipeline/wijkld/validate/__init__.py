"""Validate: SHACL engines, SPARQL passes, partitions, the report formats and quality checks of the shapes."""
