"""Model: the vocabulary, the IRI scheme and its inverse, term conversion, and the mapping of records to RDF."""
