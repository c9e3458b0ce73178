"""The default registry: one SQLite file (``$PROVENANCE_HOME/registry.sqlite3``), embedded and
offline. WAL mode lets verify workers read while a signing run writes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from provenance.registry._sql import SQLRegistry
from provenance.registry.base import BadRegistry, RegistryError

__all__ = ["SQLiteRegistry"]


class SQLiteRegistry(SQLRegistry):
    """A registry in the SQLite file ``path`` (created, with its folder, when missing)."""

    def __init__(self, path: Path | str, *, create: bool = True) -> None:
        p = Path(path)
        if not p.exists() and not create:
            raise RegistryError(f"no registry at {p}", hint="sign a file first, or give --registry")
        try:
            if create:
                p.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(p, isolation_level=None, timeout=30)
        except (sqlite3.Error, OSError) as exc:
            raise RegistryError(f"{p} cannot be opened as a registry: {exc}",
                                hint="give the path of a registry file (sqlite:///PATH)") from exc
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            # Index inserts land at random keys: a page cache of up to 64 MiB (allocated as
            # used) keeps a registration of thousands of items from re-reading its pages.
            conn.execute("PRAGMA cache_size=-65536")
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise BadRegistry(f"{p} is not a registry ({exc})",
                              hint="give the path of a registry file (sqlite:///PATH)") from exc
        except (sqlite3.Error, OSError) as exc:
            conn.close()
            raise RegistryError(f"{p} cannot be opened as a registry: {exc}",
                                hint="give the path of a registry file (sqlite:///PATH)") from exc
        try:
            super().__init__(conn, f"sqlite:///{p}")
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise BadRegistry(f"{p} is not a registry: {exc}",
                                hint="give the path of a registry file (sqlite:///PATH)") from exc
        except BaseException:
            conn.close()
            raise

    def _begin(self) -> None:
        self._conn.execute("BEGIN IMMEDIATE")

    def _commit(self) -> None:
        self._conn.execute("COMMIT")

    def _rollback(self) -> None:
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    def _tables(self) -> set[str]:
        rows = self._conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {str(r[0]) for r in rows.fetchall()}
