"""Which registries a lookup asks (the local one, those of ``config.toml`` and
``PROVENANCE_REGISTRY_LOOKUP``, then the caller's), and which reports need one. Light on
purpose: every ``verify`` asks this, and most never look anything up (their files' manifests
are intact), so neither records nor fingerprints are imported here."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from provenance.report import Report

__all__ = ["configured_lookup", "default_path", "lookup_sources", "needs_recovery"]


def default_path() -> Path:
    """The local registry: ``$PROVENANCE_HOME/registry.sqlite3``."""
    from provenance._home import home

    return home() / "registry.sqlite3"


def configured_lookup() -> list[str]:
    """The registries ``config.toml`` adds to lookups (``[registry] lookup = [...]``) and
    ``PROVENANCE_REGISTRY_LOOKUP`` (comma-separated).

    Raises:
        InputError: a malformed ``config.toml`` (see :func:`provenance._home.config`).
    """
    from provenance._home import config_value

    found: list[str] = []
    env = os.environ.get("PROVENANCE_REGISTRY_LOOKUP")
    if env:
        found += [v.strip() for v in env.split(",") if v.strip()]
    found += [str(v) for v in config_value("registry", "lookup") or []]
    return found


def lookup_sources(extra: Sequence[str] = (), *, local: bool = True) -> list[str | None]:
    """The registries a lookup asks, in order: the local one (None) when it exists, those
    of ``config.toml``, then ``extra`` (``verify --registry``); no duplicates."""
    out: list[str | None] = []
    if local and default_path().is_file():
        out.append(None)
    for dsn in [*configured_lookup(), *extra]:
        if dsn not in out:
            out.append(dsn)
    return out


def needs_recovery(report: Report) -> bool:
    """True when the file itself proves nothing: no manifest, or a broken one."""
    return report.status in ("unsigned", "invalid")
