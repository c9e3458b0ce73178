"""Where identities and trust anchors live: ``PROVENANCE_HOME`` or the user data directory."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

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


def _config() -> dict[str, Any]:
    import tomllib

    try:
        with config_file().open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def default_tsa_url() -> str | None:
    """The configured timestamp authority: ``PROVENANCE_TSA_URL`` or ``tsa_url`` in
    ``config.toml`` (``[sign]`` table); None when neither is set."""
    env = os.environ.get("PROVENANCE_TSA_URL")
    if env:
        return env
    url = (_config().get("sign") or {}).get("tsa_url")
    return str(url) if url else None


#: Defaults of the limits ``config.toml`` may change.
MAX_STDIN_MB = 1024
FILE_TIMEOUT = 60.0


def _limit(key: str, default: float) -> float:
    """A positive number from ``config.toml`` (top level, or the ``[limits]`` table).

    Raises:
        InputError: the key is there but is not a positive number.
    """
    data = _config()
    value = data.get(key, (data.get("limits") or {}).get(key, default))
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        from provenance.errors import InputError

        raise InputError(f"{config_file()}: {key} must be a positive number, got {value!r}",
                         hint=f"fix it or remove it (default {default:g})")
    return float(value)


def max_stdin_mb() -> int:
    """The cap on stdin input in MiB: ``max_stdin_mb`` in ``config.toml``, default 1024."""
    return int(_limit("max_stdin_mb", MAX_STDIN_MB))


def file_timeout() -> float:
    """Seconds one file of a batch may take: ``file_timeout`` in ``config.toml``, default 60."""
    return _limit("file_timeout", FILE_TIMEOUT)


def tsa_dir() -> Path:
    """Directory of this home's own timestamp authority (``provenance tsa init``)."""
    return home() / "tsa"
