"""Records: the source-record format (``schema``) and the loader that checks ``data/*.csv`` (``load``)."""
