"""Entry point for ``cli.main:main`` and ``python -m provenance``; the app itself is in cli.app."""

from cli.app import app, main

__all__ = ["app", "main"]

if __name__ == "__main__":
    main()
