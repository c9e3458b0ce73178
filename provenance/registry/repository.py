"""The registry as a manifest repository (the store side of the C2PA soft-binding resolution
API): manifest stores uploaded on their own, their bytes served back, bindings added and moved.

An uploaded store is judged as ``provenance inspect`` judges a ``.c2pa`` file alone (claim
signature, certificate, assertion hashes; the hard binding cannot be checked without the asset)
and refused unless that judgement is intact: the rule of ``registry add``, which refuses what
does not verify. It is indexed by its soft bindings; an ``io.iscc.v0`` image code carries the
same 64-bit DCT hash the registry indexes images by (its body is bit-for-bit our pHash of the
same 32x32 thumbnail), so a re-encoded copy is found as a registered one is.
"""

from __future__ import annotations

import base64
import binascii
import tempfile
from pathlib import Path
from typing import Any

from provenance.fingerprint import ISCC_ALG, Fingerprint, kind_for
from provenance.registry._sql import SQLRegistry, store_json
from provenance.registry.base import BadRegistry, Match, Record, Registry, RegistryError
from provenance.registry.record import NotRegistrable, find_certificate
from provenance.trust import TrustStore

__all__ = [
    "MAX_BINDING_VALUE",
    "add_binding",
    "binding_fingerprint",
    "delete_manifest",
    "ingest_store",
    "iscc_value",
    "lookup_binding",
    "move_binding",
    "store_bytes",
]

#: Longest soft-binding value accepted (characters).
MAX_BINDING_VALUE = 4096


def _db(reg: Registry) -> SQLRegistry:
    if not isinstance(reg, SQLRegistry):
        raise BadRegistry(f"{reg.source} is not a database", hint="serve a sqlite:/// or "
                          "postgresql:// registry")
    return reg


def iscc_value(value: str) -> str | None:
    """An ``io.iscc.v0`` value in its canonical ``ISCC:...`` form: given as the code itself,
    as base64 of the code's text, or as base64 of its binary header and body; None when it is
    none of these."""
    import iscc_core

    text = value.strip()
    candidates = [text]
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if raw:
        try:
            candidates.append(raw.decode("ascii"))
        except UnicodeDecodeError:
            pass
        candidates.append("ISCC:" + iscc_core.encode_base32(raw))
    for c in candidates:
        code = c if c.upper().startswith("ISCC:") else "ISCC:" + c
        try:
            iscc_core.iscc_decode(code)
        except (ValueError, KeyError, binascii.Error, IndexError):
            continue
        return "ISCC:" + code[5:].upper()
    return None


def binding_fingerprint(alg: str, value: str) -> Fingerprint | None:
    """What the registry can search for a soft binding: an ``io.iscc.v0`` image code as its
    pHash (near matches), a text code exactly; None for other algorithms or a malformed code."""
    import iscc_core

    if alg != ISCC_ALG:
        return None
    code = iscc_value(value)
    if code is None:
        return None
    maintype, subtype, _version, _length, body = iscc_core.iscc_decode(code)
    if maintype != iscc_core.MT.CONTENT:
        return None
    if subtype == iscc_core.ST_CC.IMAGE and len(body) == 8:
        return Fingerprint("image", code, phash=int.from_bytes(body, "big"))
    if subtype == iscc_core.ST_CC.TEXT:
        return Fingerprint("text", code)
    return None


def lookup_binding(reg: Registry, alg: str, value: str, *, limit: int) -> list[Match]:
    """Manifests matching one soft binding, best first: the registry's own search for an
    ``io.iscc.v0`` code, an exact ``(alg, value)`` for any other algorithm."""
    fp = binding_fingerprint(alg, value)
    if fp is not None:
        return reg.lookup(fp, limit=limit)
    db = _db(reg)
    rows = db._q("SELECT item FROM soft_bindings WHERE alg = ? AND value = ? ORDER BY item "
                 "LIMIT ?", (alg, value, limit))
    found = db._rows([int(r[0]) for r in rows])
    return [db._match(100, alg, row) for row in found]


def store_bytes(reg: Registry, manifest_id: str) -> bytes | None:
    """The manifest store of ``manifest_id`` as uploaded or signed (``application/c2pa``);
    None when the manifest is unknown or was registered without its bytes."""
    db = _db(reg)
    rows = db._q("SELECT b.data FROM manifest_blobs AS b JOIN manifests AS m "
                 "ON m.manifest_id = b.manifest_id WHERE b.manifest_id = ?", (manifest_id,))
    return bytes(rows[0][0]) if rows else None


def _write(db: SQLRegistry, steps: list[tuple[str, tuple[Any, ...]]]) -> list[list[Any]]:
    db._begin()
    out: list[list[Any]] = []
    try:
        for sql, params in steps:
            out.append(db._q(sql, params))
        db._commit()
    except Exception as exc:
        db._rollback()
        raise RegistryError(f"{db.source}: the write failed, nothing was changed: {exc}",
                            hint="check the registry") from exc
    return out


def _item(db: SQLRegistry, manifest_id: str) -> int | None:
    rows = db._q("SELECT id FROM manifests WHERE manifest_id = ?", (manifest_id,))
    return int(rows[0][0]) if rows else None


def delete_manifest(reg: Registry, manifest_id: str) -> bool:
    """Remove a manifest, its bindings, index rows and bytes (``DELETE /v1/manifests/{id}``,
    a ``store:manifests`` token's right); False when it is not there."""
    db = _db(reg)
    item = _item(db, manifest_id)
    if item is None:
        return False
    _write(db, [*[(f"DELETE FROM {t} WHERE item = ?", (item,))  # noqa: S608
                  for t in ("soft_bindings", "image_index", "text_index")],
                ("DELETE FROM manifests WHERE id = ?", (item,)),
                ("DELETE FROM manifest_blobs WHERE manifest_id = ?", (manifest_id,))])
    return True


def _check_binding(alg: str, value: str) -> str:
    if not alg or not value or len(value) > MAX_BINDING_VALUE or len(alg) > 200:
        raise BadRegistry("a binding needs an alg and a value (at most "
                          f"{MAX_BINDING_VALUE} characters)", hint="send {alg, value}")
    if alg == ISCC_ALG:
        code = iscc_value(value)
        if code is None:
            raise BadRegistry(f"{value[:40]!r} is not an ISCC code",
                              hint="send the ISCC:... code (or its base64)")
        return code
    return value


def add_binding(reg: Registry, manifest_id: str, alg: str, value: str) -> bool:
    """Bind ``(alg, value)`` to ``manifest_id`` (``POST /v1/bindings``); False when the
    manifest is unknown. Binding twice is no error.

    Raises:
        BadRegistry: an empty or oversized value, or an ``io.iscc.v0`` value that is no code.
    """
    db = _db(reg)
    value = _check_binding(alg, value)
    item = _item(db, manifest_id)
    if item is None:
        return False
    _write(db, [("INSERT INTO soft_bindings (alg, value, item) VALUES (?, ?, ?) "
                 "ON CONFLICT DO NOTHING", (alg, value, item))])
    return True


def move_binding(reg: Registry, manifest_id: str, alg: str, value: str) -> bool | None:
    """Point the existing binding ``(alg, value)`` at ``manifest_id`` instead
    (``PUT /v1/bindings``): True when moved, False when the manifest is unknown, None when
    there is no such binding."""
    db = _db(reg)
    value = _check_binding(alg, value)
    item = _item(db, manifest_id)
    if item is None:
        return False
    if not db._q("SELECT 1 FROM soft_bindings WHERE alg = ? AND value = ?", (alg, value)):
        return None
    _write(db, [("DELETE FROM soft_bindings WHERE alg = ? AND value = ?", (alg, value)),
                ("INSERT INTO soft_bindings (alg, value, item) VALUES (?, ?, ?)",
                 (alg, value, item))])
    return True


def ingest_store(reg: Registry, data: bytes, *, trust: TrustStore) -> tuple[Record, bool]:
    """Judge and register a manifest store uploaded on its own (``POST /v1/manifests``):
    the record and whether it was new.

    Raises:
        NotRegistrable: not a manifest store, or one whose judgement is not intact.
    """
    import provenance
    from provenance import _c2pa
    from provenance.carriers import manifest_file
    from provenance.fingerprint.assertion import soft_bindings_of

    db = _db(reg)
    with tempfile.TemporaryDirectory(prefix="prov-ingest-") as tmp:
        path = Path(tmp) / "upload.c2pa"
        path.write_bytes(data)
        report = provenance.inspect(path, trust=trust)
        if not report.intact or report.signer is None:
            codes = {f.code for f in report.failures}
            why = "is not a C2PA manifest store" if report.status == "unsigned" or \
                "manifest.unreadable" in codes else \
                "is a manifest store that does not verify (" + ", ".join(
                    f.code for f in report.failures[:3]) + ")"
            raise NotRegistrable(f"the upload {why}; the registry refuses it",
                                 hint="send the application/c2pa store of a signed file "
                                      "whose manifest verifies")
        import io

        found = _c2pa.read_manifest(manifest_file.MIME, io.BytesIO(data),
                                    trust_pem=trust.pem())
    if found is None:
        raise NotRegistrable("the upload is not a C2PA manifest store",
                             hint="send the application/c2pa store of a signed file")
    label = str(found.store.get("active_manifest") or "")
    active = (found.store.get("manifests") or {}).get(label) or {}
    bindings = soft_bindings_of(active)
    fps = [fp for fp in (binding_fingerprint(a, v) for a, v in bindings) if fp is not None]
    kind = fps[0].kind if fps else (kind_for(str(active.get("format") or "")) or "other")
    record = Record(
        manifest_id=label, media_type=str(active.get("format") or manifest_file.MIME),
        kind=kind, signer=report.signer, origin=report.origin, signed_at=report.signed_at,
        manifest_store=store_json(found.store),
        soft_bindings=tuple((a, iscc_value(v) or v) if a == ISCC_ALG else (a, v)
                            for a, v in bindings),
        phash=next((fp.phash for fp in fps if fp.phash is not None), None),
        signer_cert=find_certificate(data, report.signer.serial), store_bytes=data)
    new = db.add([record]) == 1
    if not new and store_bytes(db, label) is None:
        _write(db, [("INSERT INTO manifest_blobs (manifest_id, data) VALUES (?, ?)",
                     (label, db._binary(data)))])
    return record, new
