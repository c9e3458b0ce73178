"""Sign binary assets (images, PDF, office documents, audio, video) with a human-origin claim."""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from provenance import _c2pa
from provenance._files import atomic_write, check_dir, mode_for, read_input, same_file
from provenance.claims import HumanClaim
from provenance.errors import AlreadySigned, IdentityError, OutputError
from provenance.formats import (
    MediaType,
    check_structure,
    identify,
    repack_zip_stored,
)
from provenance.identity import Identity
from provenance.trust import TrustStore

__all__ = ["SignResult", "default_output", "sign", "sign_bytes"]

# The UUID that types a C2PA manifest store JUMBF box; its presence is a cheap, reliable sign
# that a file already carries a manifest (confirmed with a real read before refusing).
_C2PA_STORE_UUID = bytes.fromhex("6332706100110010800000aa00389b71")
_ZIP_LABELS = {"DOCX", "XLSX", "PPTX", "ODT", "EPUB"}
_IMAGE_PREFIX = "image/"


@dataclass(frozen=True)
class SignResult:
    """What :func:`sign` wrote."""

    source: Path
    output: Path
    media_type: str
    size: int
    repacked: bool
    #: where the manifest went: ``embedded`` (media) or a text carrier name
    carrier: str = "embedded"
    #: the separate manifest file written (sidecar, or the .c2pa of an HTML link)
    manifest_file: Path | None = None


def default_output(source: Path) -> Path:
    """``NAME.signed.EXT`` beside the source."""
    return source.with_name(f"{source.stem}.signed{source.suffix}")


def _default_claim(mtype: MediaType, claim: HumanClaim | None, has_parent: bool) -> HumanClaim:
    if claim is not None:
        return claim
    if has_parent:
        return HumanClaim("edit")
    is_capture = mtype.mime.startswith(_IMAGE_PREFIX) and mtype.mime != "image/svg+xml"
    return HumanClaim("capture" if is_capture else "creation")


def existing_signer(name: str, mtype: MediaType, data: bytes, *,
                    has_store: bool | None = None) -> str | None:
    """If ``data`` already carries a C2PA manifest, a short description of it; else None.

    ``has_store``: the caller's answer to "is the manifest store box type in the bytes?", to
    save a second scan of a large file."""
    if not (_C2PA_STORE_UUID in data if has_store is None else has_store):
        return None
    try:
        found = _c2pa.read_manifest(mtype.mime, io.BytesIO(data), trust_pem=None)
    except _c2pa.ManifestUnreadable:
        return "an unreadable manifest"
    if found is None:
        return None
    active = found.store.get("manifests", {}).get(found.store.get("active_manifest", ""), {})
    who = (active.get("signature_info") or {}).get("common_name")
    return f"a manifest signed by {who}" if who else "a manifest"


def sign_bytes(
    data: bytes,
    *,
    name: str,
    identity: Identity,
    claim: HumanClaim | None = None,
    parent: bytes | None = None,
    parent_name: str | None = None,
    trust: TrustStore | None = None,
    thumbnail: bool = False,
    replace: bool = False,
    tsa_url: str | None = None,
) -> tuple[bytes, MediaType, bool]:
    """Sign an asset held in memory; ``name`` gives its type (extension) and default title.

    Returns ``(signed_bytes, media_type, repacked)``; ``repacked`` tells that a zip container
    (DOCX...) was rewritten with stored members so c2pa could embed into it.

    Raises:
        InputError: empty, truncated or mis-named data; unsupported type.
        AlreadySigned: ``data`` carries a manifest, no ``parent`` and not ``replace``.
        SigningError: c2pa refused to sign.
    """
    out = io.BytesIO()
    mtype, repacked = _sign_into(
        data, out, name=name, identity=identity, claim=claim, parent=parent,
        parent_name=parent_name, trust=trust, thumbnail=thumbnail, replace=replace,
        tsa_url=tsa_url,
    )
    return out.getvalue(), mtype, repacked


def _sign_into(
    data: bytes,
    out: BinaryIO,
    *,
    name: str,
    identity: Identity,
    claim: HumanClaim | None,
    parent: bytes | None,
    parent_name: str | None,
    trust: TrustStore | None,
    thumbnail: bool,
    replace: bool,
    tsa_url: str | None,
) -> tuple[MediaType, bool]:
    # (0) A signature made with an expired certificate would never verify.
    check_usable(identity)
    # (1) The content must be what the name says, complete, and able to carry a manifest.
    mtype = identify(name, data)
    check_structure(name, mtype, data)
    # (2) Never erase history silently.
    has_store = _C2PA_STORE_UUID in data
    if parent is None and not replace:
        existing = existing_signer(name, mtype, data, has_store=has_store)
        if existing:
            raise AlreadySigned(
                f"{name} already carries {existing}; signing again would erase its history",
                hint="pass --parent ORIGINAL to record an edit, or --replace to discard it",
            )
    # (3) c2pa-rs cannot embed into deflated zip members: repack, content unchanged.
    repacked = False
    if mtype.label in _ZIP_LABELS:
        stored = repack_zip_stored(data)
        repacked = stored is not data
        data = stored
    # (4) The parent ingredient of an edit.
    parent_arg = None
    if parent is not None:
        pname = parent_name or "parent"
        ptype = identify(pname, parent)
        check_structure(pname, ptype, parent)
        parent_arg = (ptype.mime, Path(pname).name, io.BytesIO(parent))
    # (5) Optional thumbnail, made by Pillow (c2pa's own makes 50-300 KB manifests).
    thumb = _thumbnail(name, data) if thumbnail else None
    human = _default_claim(mtype, claim, parent is not None)
    manifest = human.manifest(title=Path(name).name, has_parent=parent is not None)
    # Ingredients are validated while signing; use the anchors a verifier here would use.
    trust_pem = (trust if trust is not None else TrustStore.installed()).pem()
    if mtype.mime in _DATA_HASHED and not has_store:
        # (6a) JPEG and PNG: one sha256 pass of our own and one write. c2pa's own path reads
        # a JPEG source three times; here c2pa only lays out and signs the manifest segment.
        offset = _manifest_offset(mtype.mime, data)
        with _c2pa.DataHashSigner(
            manifest, identity, trust_pem=trust_pem, tsa_url=tsa_url,
            asset_format=mtype.mime, parent_asset=parent_arg, thumbnail=thumb,
        ) as signer:
            # The exclusion is exactly the inserted segment, so the hash is that of the source.
            store = signer.sign(hashlib.sha256(data).digest(), [(offset, signer.size)])
        view = memoryview(data)
        out.write(view[:offset])
        out.write(store)
        out.write(view[offset:])
        return mtype, repacked
    # (6b) Everything else: c2pa embeds.
    _c2pa.sign_stream(
        manifest, mtype.mime, io.BytesIO(data), out, identity,
        trust_pem=trust_pem, parent=parent_arg, thumbnail=thumb, tsa_url=tsa_url,
    )
    return mtype, repacked


_DATA_HASHED = frozenset({"image/jpeg", "image/png"})


def _manifest_offset(mime: str, data: bytes) -> int:
    """Where the manifest segment goes: a JPEG's APP11 after SOI and any APP0 (JFIF) / APP1
    (Exif, XMP) segments; a PNG's caBX chunk right after IHDR."""
    if mime == "image/png":
        return 8 + 8 + 13 + 4  # signature, then IHDR (always 13 bytes of data)
    pos = 2
    while pos + 4 <= len(data) and data[pos] == 0xFF and data[pos + 1] in (0xE0, 0xE1):
        pos += 2 + int.from_bytes(data[pos + 2:pos + 4], "big")
    return pos


def check_usable(identity: Identity, *, at: _dt.datetime | None = None) -> None:
    """Refuse an identity whose signing certificate is expired or not yet valid.

    Raises:
        IdentityError: the certificate is outside its validity period.
    """
    now = at or _dt.datetime.now(_dt.UTC)
    cert = identity.certificate
    if cert.not_valid_after_utc < now:
        raise IdentityError(
            f"the signing certificate expired on {cert.not_valid_after_utc:%Y-%m-%d}",
            hint="issue a new one with `provenance identity renew` or import a current one",
        )
    if cert.not_valid_before_utc > now:
        raise IdentityError(
            f"the signing certificate is not valid before {cert.not_valid_before_utc:%Y-%m-%d}",
            hint="check the computer's clock or the certificate",
        )


def _thumbnail(name: str, data: bytes) -> tuple[str, bytes] | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            img.thumbnail((256, 256))
            buf = io.BytesIO()
            img.convert("RGB").save(buf, "JPEG", quality=80)
    except (UnidentifiedImageError, OSError, ValueError):
        return None  # documents, audio, video: no thumbnail rather than a failure
    return ("image/jpeg", buf.getvalue())


def sign(
    source: Path | str,
    output: Path | str | None = None,
    *,
    identity: Identity,
    claim: HumanClaim | None = None,
    parent: Path | str | None = None,
    trust: TrustStore | None = None,
    thumbnail: bool = False,
    replace: bool = False,
    in_place: bool = False,
    tsa_url: str | None = None,
    carrier: str | None = None,
    manifest_url: str | None = None,
) -> SignResult:
    """Sign a file, writing ``output`` (default ``NAME.signed.EXT`` beside it) atomically.

    Media files get an embedded manifest through c2pa; text files (plain text, Markdown,
    source code, HTML...) a text carrier chosen from their type, or ``carrier``
    (``unstructured``, ``structured``, ``html``, ``link`` with ``manifest_url``, ``sidecar``).
    A sidecar leaves the content as it is and writes ``NAME.EXT.c2pa`` beside the source
    (beside ``output`` when given).

    Every file is written to a temporary file in its directory and moved into place with
    ``os.replace``; on any failure the source and any existing output are untouched. Writing
    over the source requires ``in_place=True``. ``tsa_url`` adds an RFC 3161 timestamp, which
    keeps the signature valid after the certificate expires.

    Raises:
        InputError, AlreadySigned, UnsupportedFormat: the source cannot be signed.
        OutputError: the destination cannot be written, or equals the source without in_place.
        SigningError: c2pa refused to sign.
    """
    from provenance import text as text_mod

    src = Path(source)
    is_text = text_mod.is_text_name(src)
    chosen = carrier or (text_mod.default_carrier(src) if is_text else None)
    if chosen == "sidecar" and output is None:
        in_place = True  # the content stays where it is; only the .c2pa file is written
    dest = src if in_place else Path(output) if output is not None else default_output(src)
    if not in_place and same_file(src, dest):
        raise OutputError(
            f"the output {dest} is the source file",
            hint="use --in-place to replace the source, or choose another -o",
        )
    if dest.is_dir():
        raise OutputError(f"the output {dest} is a directory",
                          hint="use --out-dir DIR to write into a directory")
    data = read_input(src)
    parent_data = read_input(Path(parent), "parent file") if parent is not None else None
    parent_name = Path(parent).name if parent is not None else None
    check_dir(dest)
    mode = mode_for(src)
    if chosen == "sidecar":
        return _sign_sidecar(src, dest, data, identity=identity, claim=claim, trust=trust,
                             tsa_url=tsa_url, replace=replace, mode=mode)
    if is_text or chosen is not None:
        signed = text_mod.sign_text_bytes(
            data, name=src.name, identity=identity, claim=claim,
            carrier=chosen,  # type: ignore[arg-type]
            manifest_url=manifest_url, parent=parent_data, parent_name=parent_name,
            trust=trust, tsa_url=tsa_url, replace=replace,
        )
        extra = None
        if signed.store is not None:
            extra = _link_target(dest, manifest_url)
            atomic_write(extra, 0o644, lambda fh: fh.write(signed.store or b""))
        atomic_write(dest, mode, lambda fh: fh.write(signed.data))
        return SignResult(src, dest, "text/plain", len(signed.data), False,
                          carrier=signed.carrier, manifest_file=extra)

    def write(fh: BinaryIO) -> tuple[MediaType, bool]:
        return _sign_into(
            data, fh, name=src.name, identity=identity, claim=claim, parent=parent_data,
            parent_name=parent_name, trust=trust, thumbnail=thumbnail, replace=replace,
            tsa_url=tsa_url,
        )

    (mtype, repacked), size = atomic_write(dest, mode, write)
    return SignResult(src, dest, mtype.mime, size, repacked, carrier="embedded")


#: A sidecar binds the whole file with a plain data hash (no exclusions). c2pa hashes some
#: types format-aware even when the manifest is not embedded (a PDF sidecar then fails to
#: verify), so every non-text file is hashed as opaque bytes.
OPAQUE_MIME = "application/octet-stream"
SIDECAR_HASH_MIME = {"text/plain": "text/plain"}


def sidecar_path(path: Path) -> Path:
    """``NAME.EXT.c2pa`` beside ``path``."""
    return path.with_name(path.name + ".c2pa")


def _link_target(dest: Path, manifest_url: str | None) -> Path:
    from urllib.parse import urlsplit

    name = Path(urlsplit(manifest_url or "").path).name
    return dest.with_name(name if name.endswith(".c2pa") else dest.stem + ".c2pa")


def _sign_sidecar(
    src: Path, dest: Path, data: bytes, *, identity: Identity, claim: HumanClaim | None,
    trust: TrustStore | None, tsa_url: str | None, replace: bool, mode: int,
) -> SignResult:
    from provenance import text as text_mod

    check_usable(identity)
    target = sidecar_path(dest)
    if target.exists() and not replace:
        raise AlreadySigned(f"{target} already exists; signing again would replace it",
                            hint="pass --replace to overwrite the sidecar")
    if text_mod.is_text_name(src):
        mime, human = "text/plain", claim or HumanClaim("creation")
    else:
        mtype = identify(src.name, data)
        check_structure(src.name, mtype, data)
        mime, human = mtype.mime, _default_claim(mtype, claim, False)
    trust_pem = (trust if trust is not None else TrustStore.installed()).pem()
    store = _c2pa.sign_sidecar(human.manifest(title=src.name, has_parent=False),
                               SIDECAR_HASH_MIME.get(mime, OPAQUE_MIME), data, identity,
                               trust_pem=trust_pem, tsa_url=tsa_url)
    if dest != src:
        atomic_write(dest, mode, lambda fh: fh.write(data))
    atomic_write(target, 0o644, lambda fh: fh.write(store))
    return SignResult(src, dest, mime, len(data), False, carrier="sidecar",
                      manifest_file=target)


