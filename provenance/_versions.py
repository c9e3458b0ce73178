"""Versions for ``provenance --version``, read from package metadata and constants: never by
importing c2pa (the command must stay cheap)."""

from __future__ import annotations

import os
import sys

__all__ = ["C2PA_RS_VERSION", "DISTRIBUTION", "SCHEMAS", "version_text"]

#: The distribution this package is installed as (``provenance`` on PyPI is another project).
DISTRIBUTION = "human-provenance"

#: The c2pa-rs inside the pinned c2pa-python wheel (what ``c2pa.sdk_version()`` reports;
#: tests/unit/test_versions.py checks the two agree, so a c2pa upgrade updates this line).
C2PA_RS_VERSION = "0.91.3"

#: Every JSON document the tool writes, by its ``schema`` field.
SCHEMAS = ("provenance.report/v1", "provenance.results/v1", "provenance.inspect/v1",
           "provenance.sign/v1", "provenance.sign-results/v1")


def _installed(name: str) -> str:
    # The dist-info folder's name carries the version: found with a directory listing, not
    # importlib.metadata (whose import alone costs more than the rest of --version).
    prefix = name.replace("-", "_").lower() + "-"
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for folder in names:
            if folder.lower().startswith(prefix) and folder.endswith(".dist-info"):
                return folder[len(prefix):-len(".dist-info")]
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def version_text(version: str) -> str:
    """The lines ``provenance --version`` prints for package version ``version``."""
    return (f"provenance {version} ({DISTRIBUTION})\n"
            f"c2pa-python {_installed('c2pa-python')}, c2pa-rs {C2PA_RS_VERSION}\n"
            f"report schema {SCHEMAS[0]} (also {', '.join(SCHEMAS[1:])})")
