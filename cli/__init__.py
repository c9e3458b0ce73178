"""The ``provenance`` command line: a thin typer app over the library."""
