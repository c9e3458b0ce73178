"""Entry point for ``provenance.cli.main:main`` and ``python -m provenance``; the app itself is in
``provenance.cli.app``."""

from .app import app, main

__all__ = ["app", "main"]

if __name__ == "__main__":
    main()
