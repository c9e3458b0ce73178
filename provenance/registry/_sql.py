"""The registry on SQL: one implementation, two dialects (SQLite and PostgreSQL).

Indexes (registry-side, never in a manifest), schema 2:

- images (``image_segments``): the 64-bit pHash split into five segments of 13/13/13/13/12
  bits, one row per segment (``segment << 13 | value``) that also carries the whole pHash, in
  a covering index (SQLite: WITHOUT ROWID). Two codes within Hamming distance 4 share at least
  one segment exactly (pigeonhole), so a lookup at the threshold of 4 reads five keys and
  ranks the rows it finds by their exact distance without touching ``manifests``; a larger
  threshold adds each segment's one-bit neighbours (distance <= 9).
- text (``text_bands``): locality-sensitive hashing of the 128-value MinHash in 32 bands of 4
  rows; a text that shares any band is a candidate, ranked by its estimated Jaccard similarity.
- soft bindings: the manifest's ``(alg, value)`` pairs, for an exact ``io.iscc.v0`` match.
  The 64-bit body of an audio or video ISCC code is also in ``image_segments``, under its own
  segment numbers (audio 5-9, video 10-14), for matching by Hamming distance as ISCC does.

Removal deletes index rows by their keys, recomputed from the fingerprints kept in
``manifests`` (no secondary index on ``item`` to maintain at every registration).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
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

__all__ = ["BANDS", "SEGMENTS", "SQLRegistry", "band_keys", "segment_keys"]

BANDS = 32
ROWS = PERMUTATIONS // BANDS
#: (shift, width) of the five pHash segments, most significant first.
SEGMENTS = ((51, 13), (38, 13), (25, 13), (12, 13), (0, 12))
#: first segment number of each kind's 64-bit code in ``image_segments``.
_SEGMENT_BASE = {"image": 0, "audio": 5, "video": 10}
_MAX_CANDIDATES = 5000
_INSERT_ROWS = 500  # records per INSERT statement (16 parameters each)
_COLUMNS = ("id, manifest_id, media_type, kind, signer_name, signer_org, signer_issuer, "
            "signer_serial, signer_trusted, origin, signed_at, registered_at, phash, minhash")


Step = str | Callable[["SQLRegistry"], None]


def _migrations(blob: str, serial: str, without_rowid: str = "") -> list[list[Step]]:
    """Schema versions, in order; each a list of statements (or Python steps) run in one
    transaction. ``without_rowid`` is SQLite's `` WITHOUT ROWID`` (clustered tables), empty
    elsewhere."""
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
    ], [
        # 2: covering pHash segments (pigeonhole at distance 4) and clustered LSH bands.
        "CREATE TABLE image_segments (key INTEGER NOT NULL, phash BIGINT NOT NULL, "
        f"item BIGINT NOT NULL, PRIMARY KEY (key, phash, item)){without_rowid}",
        *[f"INSERT INTO image_segments (key, phash, item) SELECT "  # noqa: S608 (constants)
          f"({number} << 13) | ((phash >> {shift}) & {(1 << width) - 1}), phash, id "
          f"FROM manifests WHERE phash IS NOT NULL"
          for number, (shift, width) in enumerate(SEGMENTS)],
        "DROP TABLE image_index",
        "CREATE TABLE text_bands (key BIGINT NOT NULL, item BIGINT NOT NULL, "
        f"PRIMARY KEY (key, item)){without_rowid}",
        _rebuild_text_bands,
        "DROP TABLE text_index",
        # the signer's chain above its certificate: trust is re-evaluated at lookup time
        f"ALTER TABLE manifests ADD COLUMN signer_chain {blob}",
    ], _remote_tables(blob)]


def _remote_tables(blob: str) -> list[Step]:
    """Schema 3 (the resolution API, issue #13): bearer tokens of ``provenance serve``
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


def segment_keys(phash: int, *, radius: int = 0, kind: str = "image") -> list[int]:
    """The five segment keys of a pHash (or of the body of an audio/video ISCC code, with
    ``kind``); with ``radius`` 1, each segment's one-bit neighbours too (every code within
    Hamming distance ``5 * (radius + 1) - 1``)."""
    keys: list[int] = []
    for number, (shift, width) in enumerate(SEGMENTS, _SEGMENT_BASE[kind]):
        value = (phash >> shift) & ((1 << width) - 1)
        keys.append(number << 13 | value)
        if radius:
            keys.extend(number << 13 | (value ^ (1 << bit)) for bit in range(width))
    return keys


def segment_radius(threshold: int) -> int:
    """The per-segment radius a lookup needs to find every code within ``threshold``."""
    radius = threshold // len(SEGMENTS)
    if radius > 1:
        raise ValueError(f"pHash threshold {threshold} is beyond the index (at most 9)")
    return radius


_K = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93)


def band_keys(minhash: bytes) -> list[int]:
    """One 63-bit key per LSH band of a MinHash signature (its four values as two 64-bit
    words, a multiply-add over odd constants and the band number, then a mixing step; a rare
    collision only adds a candidate that the Jaccard check drops)."""
    import numpy as np

    words = np.frombuffer(minhash, dtype="<u8").reshape(BANDS, ROWS // 2)
    k1, k2, k3, k4 = (np.uint64(c) for c in _K)
    with np.errstate(over="ignore"):
        key = words[:, 0] * k1 + words[:, 1] * k2 + np.arange(BANDS, dtype=np.uint64) * k3
        key ^= key >> np.uint64(29)
        key *= k4
        key ^= key >> np.uint64(32)
    return [int(k) for k in (key >> np.uint64(1)).tolist()]


def _rebuild_text_bands(reg: SQLRegistry) -> None:
    """Schema 2: the LSH band rows recomputed from the MinHash kept in ``manifests``."""
    last = -1
    while True:
        rows = reg._q("SELECT id, minhash FROM manifests WHERE minhash IS NOT NULL AND id > ? "
                      "ORDER BY id LIMIT 10000", (last,))
        if not rows:
            return
        reg._bulk("text_bands", ("key", "item"), [
            (k, int(item)) for item, sig in rows for k in set(band_keys(bytes(sig)))])
        last = int(rows[-1][0])


_MASK64 = (1 << 64) - 1


def iscc_body(code: str) -> int | None:
    """The 64-bit body of a 64-bit ISCC content code (``ISCC:`` + base32 of a 2-byte header
    and 8 bytes), or None for any other value."""
    import base64
    import binascii

    text = code.removeprefix("ISCC:")
    try:
        raw = base64.b32decode(text + "=" * (-len(text) % 8))
    except (binascii.Error, ValueError):
        return None
    return int.from_bytes(raw[2:], "big") if len(raw) == 10 else None


def featureless(body: int) -> bool:
    """True for a 64-bit ISCC body with at most one bit set or clear: what featureless input
    gives (a flat image: only the DC coefficient is above the median, ``ISCC:EEAYAAAAAAAAAAAA``
    for every one of them; silence). Real content sets about half the bits. An equal or near
    value of such a body says nothing about the content, so lookups never match on it."""
    return not 1 < body.bit_count() < 63


def informative(code: str) -> bool:
    """False for an ISCC content code with a :func:`featureless` body."""
    body = iscc_body(code)
    return body is None or not featureless(body)


def _media_code(kind: str, bindings: Iterable[tuple[str, str]]) -> int | None:
    """The ISCC body an audio or video record is indexed by."""
    if kind not in ("audio", "video"):
        return None
    for alg, value in bindings:
        if alg == ISCC_ALG and (body := iscc_body(value)) is not None:
            return body
    return None


class SQLRegistry(Registry):
    """The registry over a DB-API connection; subclasses say how to connect and the
    dialect's types. Placeholders are written ``?`` and translated for the driver."""

    _blob = "BLOB"
    _serial = "INTEGER PRIMARY KEY"
    _without_rowid = " WITHOUT ROWID"
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
        steps = _migrations(self._blob, self._serial, self._without_rowid)
        if version > len(steps):
            raise RegistryError(f"{self.source} has registry schema {version}, newer than this "
                                f"provenance ({len(steps)})", hint="upgrade provenance")
        for number in range(version, len(steps)):
            self._begin()
            try:
                for statement in steps[number]:
                    if callable(statement):
                        statement(self)
                    else:
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
            image_rows: list[tuple[int, int, int]] = []
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
                        self._binary(r.manifest_store),
                        self._binary(r.signer_chain) if r.signer_chain is not None else None]
                marks = ", ".join(["(" + ", ".join("?" * 16) + ")"] * len(chunk))
                sql = ("INSERT INTO manifests (manifest_id, media_type, kind, signer_name, "
                       "signer_org, signer_issuer, signer_serial, signer_trusted, signer_cert, "
                       "origin, signed_at, registered_at, phash, minhash, manifest_store, "
                       "signer_chain) "
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
                        signed = _signed64(r.phash)
                        image_rows.extend((k, signed, item) for k in segment_keys(r.phash))
                    if (body := _media_code(r.kind, r.soft_bindings)) is not None:
                        image_rows.extend((k, _signed64(body), item)
                                          for k in segment_keys(body, kind=r.kind))
                    if r.minhash is not None:
                        text_rows.extend((k, item) for k in set(band_keys(r.minhash)))
            if bindings:
                self._bulk("soft_bindings", ("alg", "value", "item"), bindings)
            # In key order: the index B-trees are then walked once, not at random (a third
            # faster for texts at a few hundred thousand registered; bench/registry.py).
            if image_rows:
                self._bulk("image_segments", ("key", "phash", "item"), sorted(image_rows))
            if text_rows:
                self._bulk("text_bands", ("key", "item"), sorted(text_rows))
            self._store_blobs([unique[m] for m in written])
            self._commit()
        except Exception as exc:
            self._rollback()
            if isinstance(exc, RegistryError):
                raise
            raise RegistryError(f"{self.source}: the registration failed, nothing was "
                                f"written: {exc}", hint="check the registry") from exc
        return new

    def _in(self, keys: Sequence[int]) -> tuple[str, list[Any]]:
        """``IN (...)`` over ``keys`` as SQL and parameters (PostgreSQL: one array)."""
        return "IN (" + ", ".join("?" * len(keys)) + ")", list(keys)

    def _image_candidates(self, phash: int, kind: str = "image") -> list[tuple[int, int]]:
        """(item, distance) of every registered pHash (or audio/video ISCC body) within the
        threshold, from the covering segment index alone."""
        keys = segment_keys(phash, radius=segment_radius(IMAGE_THRESHOLD), kind=kind)
        cond, params = self._in(keys)
        rows = self._q(f"SELECT phash, item FROM image_segments WHERE key {cond}",  # noqa: S608
                       params)
        near: dict[int, int] = {}
        for code, item in rows:
            distance = ((int(code) & _MASK64) ^ phash).bit_count()
            if distance <= IMAGE_THRESHOLD:
                near[int(item)] = distance
        return list(near.items())

    def _text_candidates(self, sig: bytes) -> list[tuple[int, float]]:
        """(item, Jaccard) of every text sharing an LSH band, at or above the threshold."""
        cond, params = self._in(band_keys(sig))
        rows = self._q(
            f"SELECT m.id, m.minhash FROM manifests AS m WHERE m.id IN (SELECT item FROM "  # noqa: S608
            f"text_bands WHERE key {cond} LIMIT {_MAX_CANDIDATES})", params)
        out: list[tuple[int, float]] = []
        for item, other in rows:
            if other is None:
                continue
            sim = jaccard(bytes(other), sig)
            if sim >= TEXT_THRESHOLD:
                out.append((int(item), sim))
        return out

    def _store_blobs(self, records: list[Record]) -> None:
        """Keep the manifest stores' own bytes of newly added records (schema 3)."""
        blobs = [(r.manifest_id, self._binary(r.store_bytes)) for r in records
                 if r.store_bytes is not None]
        if blobs:
            self._bulk("manifest_blobs", ("manifest_id", "data"), blobs)

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
            "SELECT item FROM soft_bindings WHERE alg = ? AND value = ?", (ISCC_ALG, fp.iscc))
            } if informative(fp.iscc) else set()
        similar: dict[int, tuple[int, str]] = {}
        if fp.phash is not None:
            for item, distance in self._image_candidates(fp.phash):
                similar[item] = (round(100 * (1 - distance / 64)), "phash-64")
        elif fp.minhash is not None:
            for item, sim in self._text_candidates(fp.minhash):
                similar[item] = (round(100 * sim), "minhash-128")
        elif (body := _media_code(fp.kind, [(ISCC_ALG, fp.iscc)])) is not None \
                and not featureless(body):
            for item, distance in self._image_candidates(body, fp.kind):
                similar[item] = (round(100 * (1 - distance / 64)), ISCC_ALG)
        # Only the best few are read from ``manifests`` (an exact ISCC value ranks first).
        order = sorted(similar, key=lambda i: -similar[i][0])[:limit + len(exact)]
        for row in self._rows(sorted(set(order) - exact)):
            scored[int(row[0])] = (*similar[int(row[0])], row)
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

    def _record(self, row: tuple[Any, ...], cert: Any, store: Any,
                chain: Any = None) -> Record:
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
            signer_chain=bytes(chain) if chain is not None else None,
        )

    def get(self, manifest_id: str) -> Record | None:
        """See :meth:`Registry.get`."""
        rows = self._q(f"SELECT {_COLUMNS}, signer_cert, manifest_store, signer_chain "  # noqa: S608
                       "FROM manifests WHERE manifest_id = ?", (manifest_id,))
        if not rows:
            return None
        row = rows[0]
        return self._record(row[:14], row[14], row[15], row[16])

    def signer_certificates(self, manifest_id: str) -> tuple[bytes | None, bytes | None]:
        """(signer certificate, chain above it) kept for ``manifest_id`` (None, None when
        unknown): what trust is re-evaluated with, without reading the manifest store."""
        rows = self._q("SELECT signer_cert, signer_chain FROM manifests WHERE manifest_id = ?",
                       (manifest_id,))
        if not rows:
            return None, None
        cert, chain = rows[0]
        return (bytes(cert) if cert is not None else None,
                bytes(chain) if chain is not None else None)

    def records(self) -> Iterator[Record]:
        """See :meth:`Registry.records`."""
        ids = [int(r[0]) for r in self._q("SELECT id FROM manifests ORDER BY id")]
        for item in ids:
            rows = self._q(f"SELECT {_COLUMNS}, signer_cert, manifest_store, signer_chain "  # noqa: S608
                           "FROM manifests WHERE id = ?", (item,))
            if rows:
                yield self._record(rows[0][:14], rows[0][14], rows[0][15], rows[0][16])

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
            self._delete(proof.manifest_id, record)
            self._commit()
        except Exception as exc:
            self._rollback()
            raise RegistryError(f"{self.source}: the removal failed, nothing was removed: "
                                f"{exc}", hint="check the registry") from exc

    def delete_unchecked(self, manifest_id: str) -> bool:
        """Remove a manifest with its bindings, index rows and bytes, in one transaction,
        without a signer's proof (the resolution API's ``DELETE``, which a ``store:manifests``
        token authorises); False when it is not there."""
        record = self.get(manifest_id)
        if record is None:
            return False
        self._begin()
        try:
            self._delete(manifest_id, record)
            self._commit()
        except Exception as exc:
            self._rollback()
            raise RegistryError(f"{self.source}: the removal failed, nothing was removed: "
                                f"{exc}", hint="check the registry") from exc
        return True

    def _delete(self, manifest_id: str, record: Record) -> None:
        """The statements of a removal, inside the caller's transaction (index rows are found
        by their recomputed keys: the clustered index tables have no index on ``item``)."""
        rows = self._q("SELECT id FROM manifests WHERE manifest_id = ?", (manifest_id,))
        for (item,) in rows:
            self._q("DELETE FROM soft_bindings WHERE item = ?", (item,))
            if record.phash is not None:
                cond, params = self._in(segment_keys(record.phash))
                self._q(f"DELETE FROM image_segments WHERE key {cond} AND item = ?",  # noqa: S608
                        [*params, item])
            if (body := _media_code(record.kind, record.soft_bindings)) is not None:
                cond, params = self._in(segment_keys(body, kind=record.kind))
                self._q(f"DELETE FROM image_segments WHERE key {cond} AND item = ?",  # noqa: S608
                        [*params, item])
            if record.minhash is not None:
                cond, params = self._in(band_keys(record.minhash))
                self._q(f"DELETE FROM text_bands WHERE key {cond} AND item = ?",  # noqa: S608
                        [*params, item])
            self._q("DELETE FROM manifests WHERE id = ?", (item,))
        self._q("DELETE FROM manifest_blobs WHERE manifest_id = ?", (manifest_id,))

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
