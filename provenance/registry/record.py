"""A signed file -> the registry record: validated first (the registry refuses what does not
verify), then the manifest id, store, soft bindings, signer certificate and fingerprints.

This is the part the batch workers compute; the parent process writes the records."""

from __future__ import annotations

import io
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature

from provenance import _c2pa
from provenance._files import read_input
from provenance.carriers import is_text_name, sidecar
from provenance.errors import InputError
from provenance.fingerprint import Fingerprint, fingerprint, kind_for
from provenance.fingerprint.assertion import soft_bindings_of
from provenance.formats import identify
from provenance.registry._sql import store_json
from provenance.registry.base import Record
from provenance.registry.storebytes import manifest_store_bytes
from provenance.report import Report
from provenance.trust import TrustStore

__all__ = ["NotRegistrable", "find_certificate", "find_chain", "record_for",
           "record_from_signing"]


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


def _issuer_in(blob: bytes, cert: x509.Certificate) -> bytes | None:
    """The DER certificate in ``blob`` that issued ``cert`` (its subject is ``cert``'s issuer
    and its key verifies ``cert``'s signature), or None."""
    name = cert.issuer.public_bytes()
    pos = blob.find(name)
    while pos != -1:
        for start in range(max(pos - 400, 0), pos):
            if blob[start] != 0x30 or blob[start + 1] != 0x82:
                continue
            length = int.from_bytes(blob[start + 2:start + 4], "big") + 4
            try:
                found = x509.load_der_x509_certificate(blob[start:start + length])
                if found.subject != cert.issuer or found == cert:
                    continue
                cert.verify_directly_issued_by(found)
            except (ValueError, TypeError, InvalidSignature):
                continue
            return blob[start:start + length]
        pos = blob.find(name, pos + 1)
    return None


def find_chain(blob: bytes, leaf: bytes | None, *, depth: int = 4) -> bytes | None:
    """The certificates of ``blob`` above ``leaf`` (DER, concatenated, nearest first) up to
    a self-issued one, or None when there are none: the rest of the manifest's chain."""
    if leaf is None:
        return None
    out: list[bytes] = []
    cert = x509.load_der_x509_certificate(leaf)
    while len(out) < depth and cert.subject != cert.issuer:
        der = _issuer_in(blob, cert)
        if der is None:
            break
        out.append(der)
        cert = x509.load_der_x509_certificate(der)
    return b"".join(out) or None


def _read(path: Path, data: bytes, store: TrustStore,
          ) -> tuple[str, _c2pa.ManifestStore | None, bytes]:
    """(mime, what c2pa read, the bytes that hold the certificate)."""
    from provenance.carriers import text

    trust_pem, ekus = store.pem(), store.eku_config()  # the context inspect() reads with
    if is_text_name(path):
        located = text._locate(data, path.name)
        raw = located[1] if located else sidecar.detached_store(path, data)
        if raw is None:
            return "text/plain", None, b""
        hashed = located[0] if located else data
        try:
            found, _ = _c2pa.read_external("text/plain", hashed, raw, trust_pem=trust_pem,
                                           ekus=ekus)
        except _c2pa.ManifestUnreadable:
            return "text/plain", None, b""
        return "text/plain", found, raw
    mtype = identify(path.name, data)
    try:
        found_media = _c2pa.read_manifest(mtype.mime, io.BytesIO(data), trust_pem=trust_pem,
                                          ekus=ekus)
    except _c2pa.ManifestUnreadable:
        return mtype.mime, None, b""
    if found_media is not None:
        return mtype.mime, found_media, data
    raw = sidecar.detached_store(path, data)
    if raw is None:
        return mtype.mime, None, b""
    try:
        found, _ = _c2pa.read_external(sidecar.OPAQUE_MIME, data, raw, trust_pem=trust_pem,
                                       ekus=ekus)
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
            SVG; audio and video without their extractor).
        InputError: the file cannot be read.
    """
    import provenance

    p = Path(path)
    store = trust if trust is not None else TrustStore.installed()
    # (1) The registry refuses what does not verify.
    rep = report if report is not None else provenance.inspect(p, trust=store)
    _refuse_broken(p, rep)
    data = read_input(p)
    mime, found, holder = _read(p, data, store)
    return _record(p, data, mime, found, holder, rep, None)


def record_from_signing(path: Path | str, *, fingerprint: Fingerprint | None = None,
                        trust: TrustStore | None = None) -> Record:
    """The registry record of a file this process has just signed: the same record as
    :func:`record_for` gives for it, for half the work.

    ``fingerprint`` is :attr:`provenance.SignResult.fingerprint` (the soft binding's, set
    only where the signed content is the source's byte for byte); without it the signed file
    is fingerprinted here. One c2pa read (validating, with the anchors of ``trust``) gives
    both the verdict and the manifest store, where :func:`record_for` inspects the file and
    then reads it again: the registry still refuses what does not verify. Embedded manifests
    and text carriers only; anything else (a sidecar) goes through :func:`record_for`.

    Raises:
        As :func:`record_for`.
    """
    from provenance.carriers import text
    from provenance.reading import build_report

    p = Path(path)
    store = trust if trust is not None else TrustStore.installed()
    data = read_input(p)
    if is_text_name(p):
        located = text._locate(data, p.name)
        if located is None:
            return record_for(p, trust=store)
        hashed, raw, expected = located
        # The carrier name only labels the report, which the record does not keep.
        rep, found = text._external_read(str(p), hashed, raw, "unstructured", store, expected)
        _refuse_broken(p, rep)
        return _record(p, data, "text/plain", found, raw, rep, fingerprint)
    mime = identify(p.name, data).mime
    try:
        # read_manifest's read, crJSON skipped for a signer certificate already described.
        found = _c2pa.read_signed(mime, data, trust_pem=store.pem(), ekus=store.eku_config(),
                                  leaf=find_certificate)
    except _c2pa.ManifestUnreadable:
        found = None
    if found is None:  # not embedded (a sidecar), or unreadable: the general path says why
        return record_for(p, trust=store)
    rep = build_report(str(p), mime, found, anchors=store)
    _refuse_broken(p, rep)
    return _record(p, data, mime, found, data, rep, fingerprint)


def _refuse_broken(p: Path, rep: Report) -> None:
    """(1) The registry refuses what does not verify."""
    if not rep.intact:
        why = "has no Content Credentials" if rep.status == "unsigned" else \
            "has Content Credentials that do not verify (" + ", ".join(
                f.code for f in rep.failures[:3]) + ")"
        raise NotRegistrable(f"{p} {why}; the registry refuses it",
                             hint="register only files whose manifest verifies")


def _record(p: Path, data: bytes, mime: str, found: _c2pa.ManifestStore | None,
            holder: bytes, rep: Report, fp: Fingerprint | None) -> Record:
    """The record of a verified file from what c2pa read (``fp``: already computed)."""
    if found is None:
        raise NotRegistrable(f"{p}: its manifest cannot be read for registration",
                             hint="check the file with `provenance inspect`")
    kind = kind_for(mime)
    # (2) Registry-side fingerprints of the content as it is (the visible text for text).
    if fp is None or fp.kind != kind:
        fp = fingerprint(data, mime) if kind is not None else None
    if fp is None:
        if kind == "image":  # an image that cannot be decoded, or over the decoding cap
            from provenance.fingerprint.image import MAX_JPEG_PIXELS, MAX_PIXELS

            raise NotRegistrable(f"{p}: the image cannot be fingerprinted, so a stripped copy "
                                 "could not be found again",
                                 hint=f"images are decoded up to {MAX_JPEG_PIXELS:,} pixels "
                                 f"(JPEG) or {MAX_PIXELS:,} (other formats); a smaller or "
                                 "undamaged export can be registered")
        raise NotRegistrable(f"{p}: {mime} has no content fingerprint, so a stripped copy "
                             "could not be found again",
                             hint="images, text, audio and video are registered (audio "
                             "needs fpcalc, video ffmpeg)")
    label = str(found.store.get("active_manifest") or "")
    active = (found.store.get("manifests") or {}).get(label) or {}
    if rep.signer is None:  # intact reports have a signer
        raise NotRegistrable(f"{p}: its manifest names no signer", hint="")
    leaf = find_certificate(holder, rep.signer.serial)
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
        signer_cert=leaf,
        signer_chain=find_chain(holder, leaf),
        store_bytes=manifest_store_bytes(data) if holder is data else holder,
    )
