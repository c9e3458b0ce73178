"""A signed file -> the registry record: validated first (the registry refuses what does not
verify), then the manifest id, store, soft bindings, signer certificate and fingerprints.

This is the part the batch workers compute; the parent process writes the records."""

from __future__ import annotations

import io
from pathlib import Path

from cryptography import x509

from provenance import _c2pa
from provenance._files import read_input
from provenance.carriers import is_text_name, sidecar
from provenance.errors import InputError
from provenance.fingerprint import fingerprint, kind_for
from provenance.fingerprint.assertion import soft_bindings_of
from provenance.formats import identify
from provenance.registry._sql import store_json
from provenance.registry.base import Record
from provenance.registry.storebytes import manifest_store_bytes
from provenance.report import Report
from provenance.trust import TrustStore

__all__ = ["NotRegistrable", "find_certificate", "record_for"]


class NotRegistrable(InputError):
    """The file cannot be registered: no manifest, a manifest that does not verify, or a type
    that has no fingerprint (exit code 1, as a failed verification)."""

    exit_code = 1


def find_certificate(blob: bytes, serial_hex: str | None) -> bytes | None:
    """The DER certificate with serial number ``serial_hex`` found in ``blob`` (a manifest
    store or a file holding one), or None. c2pa has already validated the signature made with
    it; the serial and issuer of the one it reports must match."""
    if not serial_hex:
        return None
    serial = int(serial_hex, 16)
    needle = serial.to_bytes((serial.bit_length() + 8) // 8, "big", signed=False)
    if needle[0] == 0 and len(needle) > 1 and needle[1] < 0x80:
        needle = needle[1:]
    pos = blob.find(needle)
    while pos != -1:
        for start in range(max(pos - 24, 0), pos):
            if blob[start] != 0x30 or blob[start + 1] != 0x82:
                continue
            length = int.from_bytes(blob[start + 2:start + 4], "big") + 4
            try:
                cert = x509.load_der_x509_certificate(blob[start:start + length])
            except ValueError:
                continue
            if cert.serial_number == serial:
                return blob[start:start + length]
        pos = blob.find(needle, pos + 1)
    return None


def _read(path: Path, data: bytes, store: TrustStore,
          ) -> tuple[str, _c2pa.ManifestStore | None, bytes]:
    """(mime, what c2pa read, the bytes that hold the certificate)."""
    from provenance.carriers import text

    trust_pem = store.pem()
    if is_text_name(path):
        located = text._locate(data, path.name)
        raw = located[1] if located else sidecar.detached_store(path, data)
        if raw is None:
            return "text/plain", None, b""
        hashed = located[0] if located else data
        try:
            found, _ = _c2pa.read_external("text/plain", hashed, raw, trust_pem=trust_pem)
        except _c2pa.ManifestUnreadable:
            return "text/plain", None, b""
        return "text/plain", found, raw
    mtype = identify(path.name, data)
    try:
        found_media = _c2pa.read_manifest(mtype.mime, io.BytesIO(data), trust_pem=trust_pem)
    except _c2pa.ManifestUnreadable:
        return mtype.mime, None, b""
    if found_media is not None:
        return mtype.mime, found_media, data
    raw = sidecar.detached_store(path, data)
    if raw is None:
        return mtype.mime, None, b""
    try:
        found, _ = _c2pa.read_external(sidecar.OPAQUE_MIME, data, raw, trust_pem=trust_pem)
    except _c2pa.ManifestUnreadable:
        return mtype.mime, None, b""
    return mtype.mime, found, raw


def record_for(path: Path | str, *, trust: TrustStore | None = None,
               report: Report | None = None) -> Record:
    """The registry record of the signed file at ``path``.

    ``report`` is the file's own report when the caller has it (signing: the file was just
    written); otherwise it is inspected here.

    Raises:
        NotRegistrable: no intact manifest, or a type without fingerprints (documents,
            audio, video, SVG).
        InputError: the file cannot be read.
    """
    import provenance

    p = Path(path)
    store = trust if trust is not None else TrustStore.installed()
    # (1) The registry refuses what does not verify.
    rep = report if report is not None else provenance.inspect(p, trust=store)
    if not rep.intact:
        why = "has no Content Credentials" if rep.status == "unsigned" else \
            "has Content Credentials that do not verify (" + ", ".join(
                f.code for f in rep.failures[:3]) + ")"
        raise NotRegistrable(f"{p} {why}; the registry refuses it",
                             hint="register only files whose manifest verifies")
    data = read_input(p)
    mime, found, holder = _read(p, data, store)
    if found is None:
        raise NotRegistrable(f"{p}: its manifest cannot be read for registration",
                             hint="check the file with `provenance inspect`")
    kind = kind_for(mime)
    # (2) Registry-side fingerprints of the content as it is (the visible text for text).
    fp = fingerprint(data, mime) if kind is not None else None
    if fp is None:
        raise NotRegistrable(f"{p}: {mime} has no content fingerprint, so a stripped copy "
                             "could not be found again", hint="images and text are registered")
    label = str(found.store.get("active_manifest") or "")
    active = (found.store.get("manifests") or {}).get(label) or {}
    if rep.signer is None:  # intact reports have a signer
        raise NotRegistrable(f"{p}: its manifest names no signer", hint="")
    return Record(
        manifest_id=label,
        media_type=mime,
        kind=fp.kind,
        signer=rep.signer,
        origin=rep.origin,
        signed_at=rep.signed_at,
        manifest_store=store_json(found.store),
        soft_bindings=tuple(soft_bindings_of(active)),
        phash=fp.phash,
        minhash=fp.minhash,
        signer_cert=find_certificate(holder, rep.signer.serial),
        store_bytes=manifest_store_bytes(data) if holder is data else holder,
    )
