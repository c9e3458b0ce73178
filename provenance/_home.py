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


def config_file() -> Path:
    """``$PROVENANCE_HOME/config.toml`` (optional)."""
    return home() / "config.toml"


def default_tsa_url() -> str | None:
    """The configured timestamp authority: ``PROVENANCE_TSA_URL`` or ``tsa_url`` in
    ``config.toml`` (``[sign]`` table); None when neither is set."""
    import tomllib

    env = os.environ.get("PROVENANCE_TSA_URL")
    if env:
        return env
    try:
        with config_file().open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError):
        return None
    url = (data.get("sign") or {}).get("tsa_url")
    return str(url) if url else None


def tsa_dir() -> Path:
    """Directory of this home's own timestamp authority (``provenance tsa init``)."""
    return home() / "tsa"
