"""Where identities and trust anchors live: ``PROVENANCE_HOME`` or the user data directory."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs


def home() -> Path:
    """Return the provenance home directory (not created)."""
    env = os.environ.get("PROVENANCE_HOME")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("provenance", appauthor=False))


def identity_dir() -> Path:
    """Directory of the default identity."""
    return home() / "identity"


def trust_dir() -> Path:
    """Directory of user trust anchors (one PEM file per anchor bundle)."""
    return home() / "trust"
