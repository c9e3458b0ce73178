"""The registry on PostgreSQL, for organisations (``--registry postgresql://...``); needs the
``postgres`` extra (psycopg 3)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from provenance.registry._sql import SQLRegistry
from provenance.registry.base import RegistryError

__all__ = ["PostgresRegistry", "display_dsn"]


def display_dsn(dsn: str) -> str:
    """``dsn`` without its password, for messages and reports."""
    parts = urlsplit(dsn)
    if parts.password is None:
        return dsn
    host = parts.hostname or ""
    netloc = f"{parts.username}@{host}" if parts.username else host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


class PostgresRegistry(SQLRegistry):
    """A registry in the PostgreSQL database ``dsn`` (tables made by the migrations)."""

    _blob = "BYTEA"
    _serial = "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
    _without_rowid = ""
    _placeholder = "%s"

    def __init__(self, dsn: str, *, connect_timeout: int = 10) -> None:
        shown = display_dsn(dsn)
        try:
            import psycopg
        except ImportError as exc:
            raise RegistryError("PostgreSQL registries need psycopg",
                                hint="pip install '.[postgres]' in the checkout you "
                                "installed from (human-provenance is not on PyPI yet)") from exc
        try:
            conn = psycopg.connect(dsn, connect_timeout=connect_timeout)
        except psycopg.Error as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise RegistryError(f"cannot connect to {shown}: {first}",
                                hint="check the DSN, the server and the password") from exc
        self._psycopg = psycopg
        try:
            super().__init__(conn, shown)
        except psycopg.Error as exc:
            conn.close()
            raise RegistryError(f"{shown}: {exc}", hint="check the database") from exc
        except BaseException:
            conn.close()
            raise

    def _begin(self) -> None:
        if self._conn.info.transaction_status != self._psycopg.pq.TransactionStatus.IDLE:
            self._conn.commit()  # reads leave an open transaction: close it first

    def _binary(self, data: bytes) -> Any:
        return data

    def _in(self, keys: Sequence[int]) -> tuple[str, list[Any]]:
        # one array parameter: one plan for any number of keys
        return "= ANY(?)", [list(keys)]

    def _bulk(self, table: str, columns: tuple[str, ...], rows: list[Any]) -> None:
        # COPY: an order of magnitude faster than INSERTs for the 32 LSH rows of each text.
        cur = self._conn.cursor()
        with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def _tables(self) -> set[str]:
        rows = self._conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = "
                                  "current_schema()").fetchall()
        self._conn.commit()
        return {str(r[0]) for r in rows}
