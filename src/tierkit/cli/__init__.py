"""The ``tierkit`` command line: a thin layer over the library."""
