"""The registry on SQL: one implementation, two dialects (SQLite and PostgreSQL).

Indexes (registry-side, never in a manifest):

- images: the 64-bit pHash split into four 16-bit segments, one row per segment
  (``segment << 16 | value``). A lookup asks for every segment and its 16 one-bit neighbours
  (68 keys), which finds every code within Hamming distance 7 (pigeonhole) and most at 8;
  candidates are then ranked by their exact distance.
- text: locality-sensitive hashing of the 128-value MinHash in 32 bands of 4 rows; a text
  that shares any band is a candidate, ranked by its estimated Jaccard similarity.
- soft bindings: the manifest's ``(alg, value)`` pairs, for an exact ``io.iscc.v0`` match.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from provenance.fingerprint import ISCC_ALG, Fingerprint
from provenance.fingerprint.text import PERMUTATIONS, jaccard
from provenance.registry.base import (
    IMAGE_THRESHOLD,
    TEXT_THRESHOLD,
    BadRegistry,
    Match,
    Record,
    Registry,
    RegistryError,
    RemovalProof,
)
from provenance.report import SignerInfo

__all__ = ["BANDS", "SQLRegistry", "band_keys", "segment_keys"]

BANDS = 32
ROWS = PERMUTATIONS // BANDS
SCHEMA_VERSION = 1
_MAX_CANDIDATES = 5000
_INSERT_ROWS = 500  # records per INSERT statement (15 parameters each)
_COLUMNS = ("id, manifest_id, media_type, kind, signer_name, signer_org, signer_issuer, "
            "signer_serial, signer_trusted, origin, signed_at, registered_at, phash, minhash")


def _migrations(blob: str, serial: str) -> list[list[str]]:
    """Schema versions, in order; each a list of statements run in one transaction."""
    return [[
        "CREATE TABLE provenance_registry (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        f"""CREATE TABLE manifests (
            id {serial},
            manifest_id TEXT NOT NULL UNIQUE,
            media_type TEXT NOT NULL,
            kind TEXT NOT NULL,
            signer_name TEXT, signer_org TEXT, signer_issuer TEXT, signer_serial TEXT,
            signer_trusted INTEGER NOT NULL DEFAULT 0,
            signer_cert {blob},
            origin TEXT NOT NULL,
            signed_at TEXT,
            registered_at TEXT NOT NULL,
            phash BIGINT,
            minhash {blob},
            manifest_store {blob} NOT NULL)""",
        "CREATE TABLE soft_bindings (alg TEXT NOT NULL, value TEXT NOT NULL, "
        "item BIGINT NOT NULL, PRIMARY KEY (alg, value, item))",
        "CREATE INDEX soft_bindings_item ON soft_bindings (item)",
        "CREATE TABLE image_index (key BIGINT NOT NULL, item BIGINT NOT NULL, "
        "PRIMARY KEY (key, item))",
        "CREATE INDEX image_index_item ON image_index (item)",
        "CREATE TABLE text_index (key BIGINT NOT NULL, item BIGINT NOT NULL, "
        "PRIMARY KEY (key, item))",
        "CREATE INDEX text_index_item ON text_index (item)",
    ], _remote_tables(blob)]


def _remote_tables(blob: str) -> list[str]:
    """Schema 2 (the resolution API, issue #13): bearer tokens of ``provenance serve``
    (provenance.registry.tokens) and manifest stores as uploaded (``application/c2pa``,
    served back by ``GET /v1/manifests/{id}``)."""
    return [
        "CREATE TABLE api_tokens (id TEXT PRIMARY KEY, name TEXT, digest TEXT NOT NULL UNIQUE, "
        "scopes TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT)",
        f"CREATE TABLE manifest_blobs (manifest_id TEXT PRIMARY KEY, data {blob} NOT NULL)",
    ]


def _signed64(value: int) -> int:
    return value - (1 << 64) if value >= (1 << 63) else value


def _unsigned64(value: int) -> int:
    return value + (1 << 64) if value < 0 else value


def segment_keys(phash: int, *, neighbours: bool = False) -> list[int]:
    """The four segment keys of a pHash (with ``neighbours``: each segment's 16 one-bit
    neighbours too)."""
    keys: list[int] = []
    for seg in range(4):
        value = (phash >> (48 - 16 * seg)) & 0xFFFF
        keys.append(seg << 16 | value)
        if neighbours:
            keys.extend(seg << 16 | (value ^ (1 << bit)) for bit in range(16))
    return keys


def band_keys(minhash: bytes) -> list[int]:
    """One 63-bit key per LSH band of a MinHash signature."""
    width = ROWS * 4
    return [int.from_bytes(hashlib.blake2b(bytes([band]) + minhash[band * width:
                                                                   (band + 1) * width],
                                           digest_size=8).digest(), "big") >> 1
            for band in range(BANDS)]


def _popcount(x: int) -> int:
    return x.bit_count()


class SQLRegistry(Registry):
    """The registry over a DB-API connection; subclasses say how to connect and the
    dialect's types. Placeholders are written ``?`` and translated for the driver."""

    _blob = "BLOB"
    _serial = "INTEGER PRIMARY KEY"
    _placeholder = "?"

    def __init__(self, conn: Any, source: str) -> None:
        self._conn = conn
        self.source = source
        self._migrate()

    # -- dialect hooks ------------------------------------------------------------------------

    def _begin(self) -> None:
        raise NotImplementedError

    def _commit(self) -> None:
        self._conn.commit()

    def _rollback(self) -> None:
        self._conn.rollback()

    def _tables(self) -> set[str]:
        raise NotImplementedError

    def _binary(self, data: bytes) -> Any:
        return data

    # -- helpers ------------------------------------------------------------------------------

    def _sql(self, sql: str) -> str:
        return sql if self._placeholder == "?" else sql.replace("?", self._placeholder)

    def _q(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cur = self._conn.execute(self._sql(sql), tuple(params))
        rows = cur.fetchall() if cur.description is not None else []
        return [tuple(r) for r in rows]

    def _many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        cur = self._conn.cursor()
        cur.executemany(self._sql(sql), list(rows))

    def _bulk(self, table: str, columns: tuple[str, ...], rows: list[Any]) -> None:
        """Insert many rows (inside the caller's transaction)."""
        marks = ", ".join("?" * len(columns))
        self._many(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
                   rows)

    def _migrate(self) -> None:
        tables = self._tables()
        if tables and "provenance_registry" not in tables:
            raise BadRegistry(f"{self.source} is a database but not a provenance registry",
                                hint="give the path of a registry, or a new file")
        version = 0
        if tables:
            rows = self._q("SELECT value FROM provenance_registry WHERE key = 'schema'")
            version = int(rows[0][0]) if rows else 0
        steps = _migrations(self._blob, self._serial)
        if version > len(steps):
            raise RegistryError(f"{self.source} has registry schema {version}, newer than this "
                                f"provenance ({len(steps)})", hint="upgrade provenance")
        for number in range(version, len(steps)):
            self._begin()
            try:
                for statement in steps[number]:
                    self._q(statement)
                self._q("INSERT INTO provenance_registry (key, value) VALUES ('schema', ?) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        (str(number + 1),))
                self._commit()
            except Exception:
                self._rollback()
                raise

    # -- Registry -----------------------------------------------------------------------------

    def add(self, records: Iterable[Record]) -> int:
        """See :meth:`Registry.add`."""
        import datetime as dt

        now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        new = 0
        self._begin()
        try:
            bindings: list[tuple[str, str, int]] = []
            image_rows: list[tuple[int, int]] = []
            text_rows: list[tuple[int, int]] = []
            unique: dict[str, Record] = {}
            written: list[str] = []
            for r in records:
                unique.setdefault(r.manifest_id, r)
            pending = list(unique.values())
            for chunk_start in range(0, len(pending), _INSERT_ROWS):
                chunk = pending[chunk_start:chunk_start + _INSERT_ROWS]
                values: list[Any] = []
                for r in chunk:
                    s = r.signer
                    values += [
                        r.manifest_id, r.media_type, r.kind, s.name, s.organization, s.issuer,
                        s.serial, int(s.trusted),
                        self._binary(r.signer_cert) if r.signer_cert is not None else None,
                        r.origin, r.signed_at, r.registered_at or now,
                        _signed64(r.phash) if r.phash is not None else None,
                        self._binary(r.minhash) if r.minhash is not None else None,
                        self._binary(r.manifest_store)]
                marks = ", ".join(["(" + ", ".join("?" * 15) + ")"] * len(chunk))
                sql = ("INSERT INTO manifests (manifest_id, media_type, kind, signer_name, "
                       "signer_org, signer_issuer, signer_serial, signer_trusted, signer_cert, "
                       "origin, signed_at, registered_at, phash, minhash, manifest_store) "
                       "VALUES " + marks + " ON CONFLICT (manifest_id) DO NOTHING "
                       "RETURNING id, manifest_id")  # only placeholders are joined in
                rows = self._q(sql, values)
                for item_raw, mid in rows:
                    r = unique[str(mid)]
                    written.append(str(mid))
                    item = int(item_raw)
                    new += 1
                    bindings.extend((alg, value, item) for alg, value in set(r.soft_bindings))
                    if r.phash is not None:
                        image_rows.extend((k, item) for k in segment_keys(r.phash))
                    if r.minhash is not None:
                        text_rows.extend((k, item) for k in set(band_keys(r.minhash)))
            if bindings:
                self._bulk("soft_bindings", ("alg", "value", "item"), bindings)
            if image_rows:
                self._bulk("image_index", ("key", "item"), image_rows)
            if text_rows:
                self._bulk("text_index", ("key", "item"), text_rows)
            self._store_blobs([unique[m] for m in written])
            self._commit()
        except Exception as exc:
            self._rollback()
            if isinstance(exc, RegistryError):
                raise
            raise RegistryError(f"{self.source}: the registration failed, nothing was "
                                f"written: {exc}", hint="check the registry") from exc
        return new

    def _store_blobs(self, records: list[Record]) -> None:
        """Keep the manifest stores' own bytes of newly added records (schema 2)."""
        blobs = [(r.manifest_id, self._binary(r.store_bytes)) for r in records
                 if r.store_bytes is not None]
        if blobs:
            self._bulk("manifest_blobs", ("manifest_id", "data"), blobs)

    def _scan(self, table: str, column: str, keys: list[int]) -> list[tuple[Any, ...]]:
        """(id, fingerprint) of every candidate sharing an index key, in one query."""
        marks = ", ".join("?" * len(keys))
        return self._q(
            f"SELECT m.id, m.{column} FROM (SELECT DISTINCT item FROM {table} "  # noqa: S608
            f"WHERE key IN ({marks}) LIMIT {_MAX_CANDIDATES}) AS c "
            f"JOIN manifests AS m ON m.id = c.item WHERE m.{column} IS NOT NULL", keys)

    def _rows(self, items: list[int]) -> list[tuple[Any, ...]]:
        out: list[tuple[Any, ...]] = []
        for start in range(0, len(items), 500):
            chunk = items[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            out += self._q(f"SELECT {_COLUMNS} FROM manifests WHERE id IN ({marks})",  # noqa: S608
                           chunk)
        return out

    def lookup(self, fp: Fingerprint, *, limit: int = 5) -> list[Match]:
        """See :meth:`Registry.lookup`."""
        scored: dict[int, tuple[int, str, tuple[Any, ...]]] = {}
        exact = {int(r[0]) for r in self._q(
            "SELECT item FROM soft_bindings WHERE alg = ? AND value = ?", (ISCC_ALG, fp.iscc))}
        if fp.phash is not None:
            near: dict[int, int] = {}
            for item, code in self._scan("image_index", "phash",
                                         segment_keys(fp.phash, neighbours=True)):
                distance = _popcount(_unsigned64(int(code)) ^ fp.phash)
                if distance <= IMAGE_THRESHOLD:
                    near[int(item)] = round(100 * (1 - distance / 64))
            for row in self._rows(sorted(near)):
                scored[int(row[0])] = (near[int(row[0])], "phash-64", row)
        elif fp.minhash is not None:
            close: dict[int, int] = {}
            for item, sig in self._scan("text_index", "minhash", band_keys(fp.minhash)):
                sim = jaccard(bytes(sig), fp.minhash)
                if sim >= TEXT_THRESHOLD:
                    close[int(item)] = round(100 * sim)
            for row in self._rows(sorted(close)):
                scored[int(row[0])] = (close[int(row[0])], "minhash-128", row)
        if exact:
            for row in self._rows(sorted(exact)):
                if str(row[3]) == fp.kind:
                    scored[int(row[0])] = (100, ISCC_ALG, row)
        best = sorted(scored.values(), key=lambda t: (-t[0], str(t[2][1])))[:limit]
        return [self._match(sim, alg, row) for sim, alg, row in best]

    def _signer(self, row: tuple[Any, ...]) -> SignerInfo:
        return SignerInfo(name=row[4], organization=row[5], issuer=row[6],
                          trusted=bool(row[8]), serial=row[7])

    def _match(self, similarity: int, alg: str, row: tuple[Any, ...]) -> Match:
        return Match(manifest_id=str(row[1]), alg=alg, similarity=similarity,
                     signer=self._signer(row), origin=str(row[9]), signed_at=row[10],
                     source=self.source)

    def _record(self, row: tuple[Any, ...], cert: Any, store: Any) -> Record:
        bindings = self._q("SELECT alg, value FROM soft_bindings WHERE item = ? "
                           "ORDER BY alg, value", (row[0],))
        return Record(
            manifest_id=str(row[1]), media_type=str(row[2]), kind=str(row[3]),
            signer=self._signer(row), origin=str(row[9]), signed_at=row[10],
            manifest_store=bytes(store), soft_bindings=tuple((str(a), str(v))
                                                             for a, v in bindings),
            phash=_unsigned64(int(row[12])) if row[12] is not None else None,
            minhash=bytes(row[13]) if row[13] is not None else None,
            signer_cert=bytes(cert) if cert is not None else None,
            registered_at=row[11],
        )

    def get(self, manifest_id: str) -> Record | None:
        """See :meth:`Registry.get`."""
        rows = self._q(f"SELECT {_COLUMNS}, signer_cert, manifest_store FROM manifests "  # noqa: S608
                       "WHERE manifest_id = ?", (manifest_id,))
        if not rows:
            return None
        row = rows[0]
        return self._record(row[:14], row[14], row[15])

    def records(self) -> Iterator[Record]:
        """See :meth:`Registry.records`."""
        ids = [int(r[0]) for r in self._q("SELECT id FROM manifests ORDER BY id")]
        for item in ids:
            rows = self._q(f"SELECT {_COLUMNS}, signer_cert, manifest_store FROM manifests "  # noqa: S608
                           "WHERE id = ?", (item,))
            if rows:
                yield self._record(rows[0][:14], rows[0][14], rows[0][15])

    def remove(self, proof: RemovalProof) -> None:
        """See :meth:`Registry.remove`."""
        from provenance.registry.removal import check_proof

        record = self.get(proof.manifest_id)
        if record is None:
            raise BadRegistry(f"{proof.manifest_id} is not in {self.source}",
                                hint="`provenance registry export` lists what is there")
        check_proof(proof, record)
        self._begin()
        try:
            rows = self._q("SELECT id FROM manifests WHERE manifest_id = ?",
                           (proof.manifest_id,))
            for (item,) in rows:
                for table in ("soft_bindings", "image_index", "text_index"):
                    self._q(f"DELETE FROM {table} WHERE item = ?", (item,))  # noqa: S608
                self._q("DELETE FROM manifests WHERE id = ?", (item,))
            self._q("DELETE FROM manifest_blobs WHERE manifest_id = ?", (proof.manifest_id,))
            self._commit()
        except Exception as exc:
            self._rollback()
            raise RegistryError(f"{self.source}: the removal failed, nothing was removed: "
                                f"{exc}", hint="check the registry") from exc

    def stats(self) -> dict[str, Any]:
        """See :meth:`Registry.stats`."""
        kinds = dict(self._q("SELECT kind, COUNT(*) FROM manifests GROUP BY kind"))
        signers = self._q("SELECT signer_name, COUNT(*) FROM manifests GROUP BY signer_name "
                          "ORDER BY COUNT(*) DESC, signer_name LIMIT 20")
        version = self._q("SELECT value FROM provenance_registry WHERE key = 'schema'")
        return {
            "schema": "provenance.registry-stats/v1",
            "source": self.source,
            "schema_version": int(version[0][0]) if version else 0,
            "manifests": sum(int(v) for v in kinds.values()),
            "by_kind": {str(k): int(v) for k, v in kinds.items()},
            "soft_bindings": int(self._q("SELECT COUNT(*) FROM soft_bindings")[0][0]),
            "top_signers": [{"name": n, "manifests": int(c)} for n, c in signers],
        }

    def close(self) -> None:
        """See :meth:`Registry.close`."""
        self._conn.close()


def store_json(store: dict[str, Any]) -> bytes:
    """The manifest store as the registry keeps it (compact JSON, UTF-8)."""
    return json.dumps(store, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
