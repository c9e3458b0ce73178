"""The media carrier: a manifest embedded by c2pa-rs in the media format itself (images, PDF,
zip documents, audio, video), signed and read."""

from __future__ import annotations

import io
import threading
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from provenance import _c2pa, jumbf
from provenance._record import record
from provenance.errors import AlreadySigned, InputError
from provenance.reading import build_report
from provenance.report import Failure, Report
from provenance.trust import TrustStore

# Signing's modules (claims, options, formats, components, hashlib) are imported where it
# signs: `provenance verify x.jpg` reads through this module and never needs them (their ~10
# dataclasses cost more start-up than the verification of a small file).
if TYPE_CHECKING:  # the verify path never loads an identity (nor cryptography with it)
    from provenance.claims import HumanClaim
    from provenance.fingerprint import Fingerprint
    from provenance.formats import MediaType
    from provenance.identity import Identity
    from provenance.options import SignOptions

__all__ = [
    "SignedBytes",
    "can_thumbnail",
    "default_claim",
    "existing_signer",
    "read",
    "sign_bytes",
    "sign_into",
]

# The UUID that types a C2PA manifest store JUMBF box; its presence is a cheap, reliable sign
# that a file already carries a manifest (confirmed with a real read before refusing).
_C2PA_STORE_UUID = bytes.fromhex("6332706100110010800000aa00389b71")
_ZIP_LABELS = {"DOCX", "XLSX", "PPTX", "ODT", "EPUB"}


def default_claim(mtype: MediaType, claim: HumanClaim | None, has_parent: bool) -> HumanClaim:
    """``claim``, or the default human claim for the type (see
    :func:`~provenance.claims.default_origin`)."""
    if claim is not None:
        return claim
    from provenance.claims import HumanClaim, default_origin

    return HumanClaim(default_origin(mtype.mime, has_parent=has_parent))


def existing_signer(name: str, mtype: MediaType, data: bytes, *,
                    has_store: bool | None = None) -> str | None:
    """If ``data`` already carries a C2PA manifest, a short description of it; else None.

    ``has_store``: the caller's answer to "is the manifest store box type in the bytes?", to
    save a second scan of a large file."""
    if not (_C2PA_STORE_UUID in data if has_store is None else has_store):
        return _remote_reference(mtype, data)
    try:
        found = _c2pa.read_manifest(mtype.mime, io.BytesIO(data), trust_pem=None)
    except _c2pa.ManifestUnreadable:
        return "an unreadable manifest"
    if found is None:
        return None
    active = found.store.get("manifests", {}).get(found.store.get("active_manifest", ""), {})
    who = (active.get("signature_info") or {}).get("common_name")
    return f"a manifest signed by {who}" if who else "a manifest"


#: How XMP names a manifest stored elsewhere (C2PA 2.2, 11.3 "External manifests").
_REMOTE_XMP = b"dcterms:provenance"
#: Where it is looked for: XMP sits in a file's first segments for JPEG and PNG; a small file
#: is searched whole, a large one only in its first MiB (a whole scan costs ~13 ms for 50 MB).
_REMOTE_SCAN = 1 << 20
_SCANNED_WHOLE = 8 << 20


def _remote_reference(mtype: MediaType, data: bytes) -> str | None:
    """"a manifest stored at URL" when ``data`` references a remote manifest (confirmed by
    c2pa, which refuses to read it offline); else None."""
    head = data if len(data) <= _SCANNED_WHOLE else data[:_REMOTE_SCAN]
    if head.find(_REMOTE_XMP) < 0:  # bytes or a memory map
        return None
    try:
        _c2pa.read_manifest(mtype.mime, io.BytesIO(data), trust_pem=None)
    except _c2pa.RemoteManifest as exc:
        return f"a reference to a manifest stored at {exc.url or 'a URL'}"
    except _c2pa.ManifestUnreadable:
        return None
    return None


@record(repr=False)
class SignedBytes:
    """What :func:`sign_bytes` made: the signed asset, like :class:`~provenance.SignResult`
    for a file."""

    #: the signed asset
    data: bytes
    #: its media type (``image/jpeg``...)
    media_type: str
    #: a zip container (DOCX...) was rewritten with stored members so c2pa could embed
    repacked: bool = False
    #: where the manifest went (always ``embedded`` for media)
    carrier: str = "embedded"

    @property
    def size(self) -> int:
        """Length of :attr:`data` in bytes."""
        return len(self.data)

    def __repr__(self) -> str:  # never the whole asset
        return (f"SignedBytes(media_type={self.media_type!r}, size={self.size}, "
                f"repacked={self.repacked})")


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
    options: SignOptions | None = None,
) -> SignedBytes:
    """Sign an asset held in memory; ``name`` gives its type (extension) and default title.

    ``options`` carries the claim, thumbnail, timestamp and ``replace``; the keyword arguments
    of the same names are applied on top of it.

    Returns a :class:`SignedBytes`: ``.data`` (the signed asset), ``.media_type`` and
    ``.repacked`` (a zip container such as DOCX was rewritten with stored members so c2pa
    could embed into it).

    Raises:
        InputError: empty, truncated or mis-named data; unsupported type.
        AlreadySigned: ``data`` carries a manifest, no ``parent`` and not ``replace``.
        SigningError: c2pa refused to sign.
    """
    from provenance.options import SignOptions

    opts = SignOptions.of(options, claim=claim, thumbnail=thumbnail, replace=replace,
                          tsa_url=tsa_url)
    out = io.BytesIO()
    mtype, repacked = sign_into(data, out, name=name, identity=identity, options=opts,
                                parent=parent, parent_name=parent_name, trust=trust)
    return SignedBytes(out.getvalue(), mtype.mime, repacked)


def sign_into(
    data: bytes,
    out: BinaryIO,
    *,
    name: str,
    identity: Identity,
    options: SignOptions,
    parent: bytes | None,
    parent_name: str | None,
    trust: TrustStore | None,
    fingerprints: list[Fingerprint] | None = None,
    notes: list[str] | None = None,
) -> tuple[MediaType, bool]:
    """Sign ``data`` (named ``name``) and write the signed asset to ``out``.

    ``fingerprints``: when given, the soft binding's :class:`Fingerprint` is appended to it
    where the signed asset's content is provably the source's (JPEG and PNG: the source bytes
    are written unchanged around the manifest segment), for registration to reuse.
    ``notes``: when given, what was not done is appended to it (an image that gets no soft
    binding: over the decoding cap, or its pixels cannot be decoded).

    Returns ``(media_type, repacked)``. Raises as :func:`sign_bytes`.
    """
    # (0) A signature made with an expired certificate would never verify.
    from provenance.components import components, with_placed
    from provenance.formats import check_structure, has_manifest_store, identify
    from provenance.identity import check_usable

    check_usable(identity)
    # (1) The content must be what the name says, complete, and able to carry a manifest.
    mtype = identify(name, data)
    check_structure(name, mtype, data)
    # (2) Never erase history silently.
    has_store = has_manifest_store(mtype.mime, data)
    if parent is None and not options.replace:
        existing = existing_signer(name, mtype, data, has_store=has_store)
        if existing:
            raise AlreadySigned(
                f"{name} already carries {existing}; signing again would erase its history",
                hint="pass --parent ORIGINAL to record an edit, or --replace to discard it",
            )
    # (3) ZIP documents get our own carrier (members untouched); drop a manifest we replace.
    repacked = False
    if mtype.label in _ZIP_LABELS:
        from provenance.carriers import zip as zipcarrier

        data = zipcarrier.strip_manifest(data, name=name)
    # (4) The parent ingredient of an edit.
    parent_arg = None
    if parent is not None:
        pname = parent_name or "parent"
        ptype = identify(pname, parent)
        check_structure(pname, ptype, parent)
        parent_arg = (ptype.mime, Path(pname).name, io.BytesIO(parent))
    # (5) Optional thumbnail, made by Pillow (c2pa's own makes 50-300 KB manifests).
    thumb = _thumbnail(name, data) if options.thumbnail and can_thumbnail(mtype.mime) \
        else None
    human = default_claim(mtype, options.claim_for(name), parent is not None)
    manifest = human.manifest(title=Path(name).name, has_parent=parent is not None)
    data_hashed = mtype.mime in _DATA_HASHED and not has_store
    # JPEG and PNG: the hash of a large source runs beside the fingerprint's decode (both
    # release the GIL), so the hash costs no time of its own on two cores.
    digest = _Digest(data) if data_hashed else None
    from provenance.fingerprint import kind_for
    from provenance.fingerprint.assertion import with_soft_binding_of

    manifest, fp = with_soft_binding_of(manifest, data, mtype.mime)
    if fp is None and notes is not None and kind_for(mtype.mime) == "image":
        notes.append(_no_soft_binding(data))
    parts = components(options) if options.ingredients else ()
    manifest = with_placed(manifest, parts)
    # Ingredients are validated while signing; use the anchors a verifier here would use.
    anchors = trust if trust is not None else TrustStore.installed()
    trust_pem, ekus = anchors.pem(), anchors.eku_config()
    if mtype.label in _ZIP_LABELS:
        # (6z) ZIP documents: one stored member appended, the hash computed by us.
        with _c2pa.DataHashSigner(
            manifest, identity, trust_pem=trust_pem, tsa_url=options.tsa_url,
            parent_asset=parent_arg, ekus=ekus, identity_assertion=options.identity_assertion,
            ingredients=parts,
        ) as signer:
            from provenance.carriers import zip as zipcarrier

            zipcarrier.sign_into(data, out, signer, name=name)
        return mtype, repacked
    if digest is not None:
        # (6a) JPEG and PNG: one sha256 pass of our own and one write. c2pa's own path reads
        # a JPEG source three times; here c2pa only lays out and signs the manifest segment.
        offset = _manifest_offset(mtype.mime, data)
        with _c2pa.DataHashSigner(
            manifest, identity, trust_pem=trust_pem, tsa_url=options.tsa_url,
            asset_format=mtype.mime, parent_asset=parent_arg, thumbnail=thumb, ekus=ekus,
            identity_assertion=options.identity_assertion, ingredients=parts,
        ) as signer:
            # The exclusion is exactly the inserted segment, so the hash is that of the source.
            store = signer.sign(digest.result(), [(offset, signer.size)])
        # Written straight from ``data`` (for a large file, its memory map: no copy of it in
        # this process). os.copy_file_range / sendfile measured slower than this on ext4
        # here (62-64 ms vs 49 ms for 50 MB): without reflinks the kernel splices page by page.
        with memoryview(data) as view:
            out.write(view[:offset])
            out.write(store)
            out.write(view[offset:])
        if fingerprints is not None and fp is not None:
            fingerprints.append(fp)
        return mtype, repacked
    # (6b) Everything else: c2pa embeds.
    _c2pa.sign_stream(
        manifest, mtype.mime, io.BytesIO(data), out, identity,
        trust_pem=trust_pem, parent=parent_arg, thumbnail=thumb, tsa_url=options.tsa_url,
        ekus=ekus, identity_assertion=options.identity_assertion, ingredients=parts,
    )
    return mtype, repacked


_DATA_HASHED = frozenset({"image/jpeg", "image/png"})


#: From this size on the hash gets a thread (starting one costs ~0.1 ms: a batch of small
#: files is faster hashing inline).
_THREADED_HASH = 4 << 20


class _Digest:
    """The SHA-256 of ``data``, computed on a thread of its own from the moment it is made
    (inline, when made, for data under ``_THREADED_HASH``)."""

    def __init__(self, data: bytes) -> None:
        import hashlib

        self._value: bytes | None = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if len(data) < _THREADED_HASH:
            self._value = hashlib.sha256(data).digest()
            return
        self._thread = threading.Thread(target=self._run, args=(data,), daemon=True,
                                        name="provenance-sha256")
        self._thread.start()

    def _run(self, data: bytes) -> None:
        import hashlib

        try:
            self._value = hashlib.sha256(data).digest()
        except BaseException as exc:  # re-raised in the caller's thread
            self._error = exc

    def result(self) -> bytes:
        """The digest (waits for the thread)."""
        if self._thread is not None:
            self._thread.join()
        if self._error is not None or self._value is None:
            raise self._error or RuntimeError("the hash thread gave no digest")
        return self._value


def _manifest_offset(mime: str, data: bytes) -> int:
    """Where the manifest segment goes: a JPEG's APP11 after SOI and any APP0 (JFIF) / APP1
    (Exif, XMP) segments; a PNG's caBX chunk right after IHDR."""
    if mime == "image/png":
        return 8 + 8 + 13 + 4  # signature, then IHDR (always 13 bytes of data)
    pos = 2
    while pos + 4 <= len(data) and data[pos] == 0xFF and data[pos + 1] in (0xE0, 0xE1):
        pos += 2 + int.from_bytes(data[pos + 2:pos + 4], "big")
    return pos



def can_thumbnail(mime: str) -> bool:
    """True for the raster image types a thumbnail is made for (Pillow renders no SVG,
    document, audio or video)."""
    return mime.startswith("image/") and mime != "image/svg+xml"


def _thumbnail(name: str, data: bytes) -> tuple[str, bytes] | None:
    from PIL import Image, UnidentifiedImageError

    from provenance.fingerprint.image import as_file

    try:
        with Image.open(as_file(data)) as img:
            img.thumbnail((256, 256))
            buf = io.BytesIO()
            img.convert("RGB").save(buf, "JPEG", quality=80)
    except Image.DecompressionBombError as exc:
        # Bad input, not an operational failure: the image claims more pixels than is sane.
        raise InputError(f"{name}: cannot make a thumbnail: {exc}",
                         hint="sign it without --thumbnail, or check where the image came "
                         "from (a decompression bomb?)") from exc
    except (UnidentifiedImageError, OSError, ValueError):
        return None  # documents, audio, video: no thumbnail rather than a failure
    return ("image/jpeg", buf.getvalue())


def read(stream: BinaryIO, display: str, mime: str, store: TrustStore, *,
         fetch_remote: bool = False) -> Report:
    """The Report of an embedded manifest read from ``stream`` (``unsigned`` when none).

    ``unsigned`` with a failure code of ours says why there is no verdict: the manifest is
    remote (``manifest.remote``; fetched and judged with ``fetch_remote``), the file cannot be
    parsed as its type (``asset.unparsable``) or the manifest predates C2PA 1.0
    (``manifest.prerelease``). Only a present but broken manifest is ``invalid``.
    """
    if mime == "image/jpeg":
        quick = _read_located(stream, display, mime, store)
        if quick is not None:
            return quick
    try:
        found = _c2pa.read_manifest(mime, stream, trust_pem=store.pem(),
                                    ekus=store.eku_config())
    except _c2pa.RemoteManifest as exc:
        if fetch_remote and exc.url:
            from provenance.carriers import remote

            return remote.read(stream, display, mime, exc.url, store)
        return Report(
            path=display, media_type=mime, status="unsigned", origin="unknown",
            remote_url=exc.url or None,
            failures=(Failure("manifest.remote",
                              f"the manifest is stored remotely at {exc.url or 'a URL'}; "
                              "pass --fetch-remote to fetch and verify it"),),
        )
    except _c2pa.AssetUnparsable as exc:
        return Report(
            path=display, media_type=mime, status="unsigned", origin="unknown",
            failures=(Failure("asset.unparsable",
                              f"cannot parse {display} as {mime} ({exc}); no manifest could "
                              "be looked for"),),
        )
    except _c2pa.PrereleaseManifest:
        return read_prerelease(display, mime)
    except _c2pa.ManifestUnreadable as exc:
        return Report(
            path=display, media_type=mime, status="invalid", origin="unknown",
            failures=(Failure("manifest.unreadable",
                              f"the manifest is corrupt and cannot be read: {exc}"),),
        )
    if found is None:
        stream.seek(0)
        if _prerelease_store(stream):
            return read_prerelease(display, mime)
        # c2pa found no manifest; if a manifest store's superbox is still in the bytes, the
        # file's structure was changed around it: that is tampering, not "unsigned".
        if jumbf.find_manifest_store(stream) is not None:
            return Report(
                path=display, media_type=mime, status="invalid", origin="unknown",
                failures=(Failure("manifest.unreachable",
                                  "the file's structure was changed; its manifest can no "
                                  "longer be located"),),
            )
        return Report(path=display, media_type=mime, status="unsigned", origin="unknown")
    return replace(build_report(display, mime, found, anchors=store), carrier="embedded")


def _read_located(stream: BinaryIO, display: str, mime: str,
                  store: TrustStore) -> Report | None:
    """A JPEG whose manifest store sits in its APP11 segments as c2pa writes it: c2pa is
    handed the store we took from the header and validates it against the asset (the data
    hash over every byte outside the signed exclusions) without parsing the whole file to
    find it again: two passes over a large file instead of three.

    Only an intact verdict is taken from here. Anything else (no plain store in the header,
    an exception, a failure of any kind) returns None and the caller reads the file c2pa's
    own way, so every broken or doubtful file gets c2pa's full verdict, as before."""
    try:
        _, located = jumbf.jpeg_header(jumbf.stream_reader(stream))
        stream.seek(0)
        if located is None:
            return None
        found = _c2pa.read_manifest(mime, stream, trust_pem=store.pem(),
                                    ekus=store.eku_config(), located=located)
    except (_c2pa.ManifestUnreadable, OSError, ValueError):
        found = None
    stream.seek(0)
    if found is None:
        return None
    report = replace(build_report(display, mime, found, anchors=store), carrier="embedded")
    return report if report.intact else None


# Pre-1.0 CAI manifest stores are JUMBF superboxes labelled "cai" (C2PA's are labelled
# "c2pa"); c2pa-rs does not see them at all and says "no manifest".
_CAI_LABEL = b"jumd"
_PRERELEASE_SCAN = 4 * 1024 * 1024


def _prerelease_store(stream: BinaryIO) -> bool:
    head = stream.read(_PRERELEASE_SCAN)
    stream.seek(0)
    at = head.find(_CAI_LABEL)
    while at >= 0:
        # jumd: 16-byte UUID, 1 toggle byte, then the null-terminated label
        label = head[at + 4 + 17:at + 4 + 17 + 4]
        if label == b"cai\x00":
            return True
        at = head.find(_CAI_LABEL, at + 4)
    return False


def read_prerelease(display: str, mime: str) -> Report:
    """The ``unsigned`` Report of a file whose only manifest predates C2PA 1.0."""
    return Report(
        path=display, media_type=mime, status="unsigned", origin="unknown",
        failures=(Failure("manifest.prerelease",
                          "not a C2PA manifest: pre-release format (made before C2PA 1.0), "
                          "which C2PA validators do not judge"),),
    )


def _no_soft_binding(data: bytes) -> str:
    """The note for an image signed without a soft binding, saying why."""
    from provenance.fingerprint.image import over_cap

    over = over_cap(data)
    why = "its pixels cannot be decoded" if over is None else (
        f"it is {over[0]:,} x {over[1]:,} pixels, over the {over[2]:,} decoded for a "
        "fingerprint")
    return (f"no soft binding ({why}): a copy stripped of its Content Credentials cannot "
            "be found again")
