"""Helpers shared by the benchmark scripts (run as ``python bench/NAME.py``)."""

from __future__ import annotations


def dist_version(dist: str) -> str:
    """Installed version of a distribution, or "?" (informational only)."""
    try:
        from importlib.metadata import version

        return version(dist)
    except Exception:
        return "?"
