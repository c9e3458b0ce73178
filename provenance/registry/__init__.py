"""The recovery registry: manifests searchable by content, so that a copy stripped of its
manifest (re-encoded, resized, copy-pasted) can be traced back to it.

One interface (:class:`Registry`), two stores: :class:`SQLiteRegistry` (the default, one
embedded file at ``$PROVENANCE_HOME/registry.sqlite3``) and :class:`PostgresRegistry`
(``postgresql://...``, the ``postgres`` extra). :func:`open_registry` takes a DSN:
``sqlite:///PATH``, a plain path, ``postgresql://USER@HOST/DB``, or the ``https://`` URL of a
server speaking the C2PA soft-binding resolution API (:mod:`provenance.registry.remote`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from provenance import _lazy
from provenance.registry.sources import configured_lookup, default_path

if TYPE_CHECKING:
    from provenance.registry.base import (
        IMAGE_THRESHOLD,
        TEXT_THRESHOLD,
        BadRegistry,
        Match,
        Record,
        Registry,
        RegistryError,
        RemovalProof,
        RemovalRefused,
    )
    from provenance.registry.postgres import PostgresRegistry
    from provenance.registry.sqlite import SQLiteRegistry

#: Names imported on first use (provenance._lazy): a verify that needs no lookup (a file whose
#: manifest is intact) asks :mod:`~provenance.registry.sources` which registries there are and
#: loads neither the records nor the fingerprints.
_LAZY = {**dict.fromkeys(("IMAGE_THRESHOLD", "TEXT_THRESHOLD", "BadRegistry", "Match", "Record",
                         "Registry", "RegistryError", "RemovalProof", "RemovalRefused"),
                        "provenance.registry.base"),
         "SQLiteRegistry": "provenance.registry.sqlite",
         "PostgresRegistry": "provenance.registry.postgres"}

__all__ = [
    "IMAGE_THRESHOLD",
    "TEXT_THRESHOLD",
    "BadRegistry",
    "Match",
    "PostgresRegistry",
    "Record",
    "Registry",
    "RegistryError",
    "RemovalProof",
    "RemovalRefused",
    "SQLiteRegistry",
    "configured_lookup",
    "default_path",
    "open_registry",
]


def _sqlite_path(dsn: str) -> Path | None:
    if dsn.startswith("sqlite:///"):
        return Path(dsn[len("sqlite:///"):])  # sqlite:///relative, sqlite:////absolute
    if dsn.startswith("sqlite:"):
        return None
    if "://" not in dsn:
        return Path(dsn)
    return None


def open_registry(dsn: str | None = None, *, create: bool = True,
                  token: str | None = None) -> Registry:
    """Open (and migrate) the registry at ``dsn``; None is the local one.

    ``create=False`` refuses to make a new SQLite file (lookups never create one). An
    ``https://`` URL (``http://`` to 127.0.0.1) is a server speaking the C2PA resolution API
    (:mod:`provenance.registry.remote`); ``token`` (default: ``PROVENANCE_REGISTRY_TOKEN``)
    is its bearer token for publishing.

    Raises:
        BadRegistry: an unknown DSN form, or a file that is not a registry.
        RegistryError: the store cannot be opened or reached.
    """
    from provenance.registry.base import BadRegistry
    from provenance.registry.sqlite import SQLiteRegistry

    if dsn is None:
        return SQLiteRegistry(default_path(), create=create)
    if dsn.lower().startswith(("https://", "http://")):
        from provenance.registry.remote import RemoteRegistry

        return RemoteRegistry(dsn, token=token or os.environ.get("PROVENANCE_REGISTRY_TOKEN"))
    if dsn.startswith(("postgresql://", "postgres://")):
        from provenance.registry.postgres import PostgresRegistry

        return PostgresRegistry(dsn)
    path = _sqlite_path(dsn)
    if path is None:
        raise BadRegistry(f"unknown registry {dsn!r}",
                          hint="use sqlite:///PATH or postgresql://USER@HOST/DB")
    if path.exists() and not path.is_file():
        raise BadRegistry(f"{path} is not a registry file", hint="give a file path")
    return SQLiteRegistry(path, create=create)


def __getattr__(name: str) -> object:
    return _lazy.attribute(globals(), _LAZY, name)
