"""The only module that imports c2pa: contexts, signers, builders and readers, errors converted.

Every call builds on an explicit ``c2pa.Context`` made from our settings (never the deprecated
global ``load_settings``). Contexts and signers are cached per process: a c2pa Signer does not
survive ``fork``, so the cache key includes the process id.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, BinaryIO

import c2pa

from provenance._record import record
from provenance.errors import IdentityError, InputError, SigningError

if TYPE_CHECKING:  # the verify path never loads an identity (nor cryptography with it)
    # What signing takes in, defined where it is made (the verify path creates neither):
    from provenance.carriers.text import ExternalParent
    from provenance.components import Component
    from provenance.identity import Identity

__all__ = ["C2PA_PYTHON_VERSION", "ManifestStore", "read_manifest", "sign_stream"]

C2PA_PYTHON_VERSION = "0.38.1"

_lock = threading.Lock()
_contexts: dict[tuple[int, str, str, bool], Any] = {}
_signers: dict[tuple[int, int, str, bool], tuple[Identity, Any, tuple[Any, Any | None]]] = {}
_signing_contexts: dict[tuple[int, int, str, str, str, bool, bool],
                        tuple[Identity, Any, tuple[Any, ...]]] = {}
#: Signers whose first manifest c2pa has validated in this process (see ``_first_signature``).
_checked: dict[tuple[int, int, str, bool, str], Identity] = {}

_ALG = {
    "es256": c2pa.C2paSigningAlg.ES256,
    "es384": c2pa.C2paSigningAlg.ES384,
    "es512": c2pa.C2paSigningAlg.ES512,
    "ps256": c2pa.C2paSigningAlg.PS256,
    "ed25519": c2pa.C2paSigningAlg.ED25519,
}


class ManifestUnreadable(Exception):
    """A manifest is present but c2pa cannot parse it (corrupt JUMBF/CBOR)."""


# The three below subclass ManifestUnreadable so that every caller that only needs "no usable
# store" keeps working; the reader tells them apart to give each its own code and words.
class RemoteManifest(ManifestUnreadable):
    """The asset references a manifest stored at ``url`` (not fetched: we are offline)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


class AssetUnparsable(ManifestUnreadable):
    """c2pa cannot parse the asset's own format, so it cannot look for a manifest in it."""


class PrereleaseManifest(ManifestUnreadable):
    """A manifest from before C2PA 1.0 (pre-release CAI), which C2PA validators do not judge."""


@record
class ManifestStore:
    """What c2pa read from an asset: the manifest store JSON and the validation state."""

    store: dict[str, Any]
    validation_state: str | None
    #: manifest label -> crJSON ``signature`` (certificateInfo, timeStampInfo) of that manifest
    signatures: dict[str, dict[str, Any]]


#: Assertions we author go in the claim's ``created_assertions`` (C2PA 2.x wants the actions
#: there); c2pa-rs otherwise lists everything but the hard binding as gathered.
CREATED_ASSERTION_LABELS = (
    "c2pa.actions", "c2pa.actions.v2", "c2pa.thumbnail.claim", "c2pa.thumbnail.claim.jpeg",
    "c2pa.thumbnail.claim.png", "c2pa.ingredient", "c2pa.ingredient.v2", "c2pa.ingredient.v3",
    "cawg.training-mining", "cawg.metadata", "c2pa.soft-binding",
)


def settings(trust_pem: str | None, ekus: str | None = None, *,
             check_signed: bool = False) -> dict[str, Any]:
    """c2pa settings: our trust anchors and accepted certificate purposes (EKUs, one OID a
    line) for C2PA and CAWG alike, no network, no automatic thumbnails. ``check_signed``: c2pa
    validates each manifest it has just signed (``verify.verify_after_sign``, c2pa's default;
    off otherwise, see :func:`_first_signature`)."""
    from provenance.trust import DEFAULT_EKUS

    config = ekus if ekus is not None else "\n".join(DEFAULT_EKUS) + "\n"
    s: dict[str, Any] = {
        "verify": {"remote_manifest_fetch": False, "ocsp_fetch": False,
                   "verify_after_sign": check_signed},
        "builder": {"thumbnail": {"enabled": False},
                    "created_assertion_labels": list(CREATED_ASSERTION_LABELS)},
        # Without trust_config c2pa-rs accepts only emailProtection and calls documentSigning
        # or claim-signing certificates invalid.
        "trust": {"trust_config": config},
        "cawg_trust": {"trust_config": config},
    }
    if trust_pem:
        s["trust"]["trust_anchors"] = trust_pem
        s["cawg_trust"]["trust_anchors"] = trust_pem
    return s


def _context(trust_pem: str | None, ekus: str | None = None, check_signed: bool = False) -> Any:
    key = (os.getpid(), trust_pem or "", ekus or "", check_signed)
    with _lock:
        ctx = _contexts.get(key)
        if ctx is None:
            if len(_contexts) > 32:
                _contexts.clear()
            ctx = c2pa.Context.from_dict(settings(trust_pem, ekus, check_signed=check_signed))
            _contexts[key] = ctx
        return ctx


def _signer(identity: Identity, tsa_url: str | None, identity_assertion: bool = True) -> Any:
    """The combined signer for ``identity``: its claim signer joined with an identity-assertion
    signer for the same identity, so every manifest carries a ``cawg.identity`` assertion (see
    :func:`identity_signer`). Cached per process; the cache holds the combined signer and the
    two signers it consumed (their callbacks must outlive it). ``identity_assertion=False``:
    the claim signer alone (no ``cawg.identity`` assertion)."""
    key = (os.getpid(), id(identity), tsa_url or "", identity_assertion)
    with _lock:
        cached = _signers.get(key)
        # The identity is held next to its signer so that id() cannot be reused meanwhile.
        if cached is not None and cached[0] is identity and cached[1].is_valid:
            return cached[1]
        claim, person, combined = _combined(identity, tsa_url, identity_assertion)
        if len(_signers) > 32:
            _signers.clear()
        _signers[key] = (identity, combined, (claim, person))
        return combined


def _first_signature(identity: Identity, tsa_url: str | None, identity_assertion: bool,
                     route: str) -> bool:
    """True the first time this process signs with this signer (identity, TSA, identity
    assertion) on this route ("stream", "embeddable", "sidecar"), False afterwards.

    c2pa-rs validates every manifest it has just signed unless told not to
    (``verify.verify_after_sign``): 1-4 ms of a 2-7 ms signing call, spent again on every
    file. What that check can find wrong is the signer (a certificate c2pa-rs rejects, a key
    that does not match it, a TSA's answer) and c2pa's own code path, which are the same for
    every file a signer signs. So c2pa validates the first manifest of each signer in each
    process (each batch worker too) and signs the rest without the second pass."""
    key = (os.getpid(), id(identity), tsa_url or "", identity_assertion, route)
    with _lock:
        if _checked.get(key) is identity:  # held, so that id() cannot be reused meanwhile
            return False
        if len(_checked) > 64:
            _checked.clear()
        _checked[key] = identity
        return True


def _signing_context(identity: Identity, tsa_url: str | None, trust_pem: str | None,
                     ekus: str | None, identity_assertion: bool = True,
                     check_signed: bool = False) -> Any:
    """A c2pa Context holding the combined signer for ``identity`` (the embeddable route takes
    its signer from the context, which consumes it). Cached per process like the signers."""
    key = (os.getpid(), id(identity), tsa_url or "", trust_pem or "", ekus or "",
           identity_assertion, check_signed)
    with _lock:
        cached = _signing_contexts.get(key)
        if cached is not None and cached[0] is identity and cached[1].is_valid:
            return cached[1]
    claim, person, combined = _combined(identity, tsa_url, identity_assertion)
    try:
        ctx = c2pa.Context(c2pa.Settings.from_dict(
            settings(trust_pem, ekus, check_signed=check_signed)), combined)
    except c2pa.C2paError as exc:
        raise SigningError(f"c2pa cannot make a signing context: {_msg(exc)}") from exc
    with _lock:
        if len(_signing_contexts) > 32:
            _signing_contexts.clear()
        _signing_contexts[key] = (identity, ctx, (claim, person, combined))
    return ctx


def _combined(identity: Identity, tsa_url: str | None,
              identity_assertion: bool) -> tuple[Any, Any, Any]:
    """``(claim signer, identity-assertion signer or None, the signer to use)``: the claim
    signer joined with the author's identity signer when there is one and it is wanted."""
    claim = _plain_signer(identity, tsa_url)
    person = _person_signer(identity) if identity_assertion else None
    return claim, person, claim if person is None else identity_signer(claim, person)


def _can_sign_identity(identity: Identity) -> bool:
    """Whether ``identity``'s signer can take part in a combined (identity assertion) signer:
    measured on 0.38.1, a callback signer on either side fails ("COSE signature invalid" as
    the identity signer, "invalid signature value" as the claim signer, and a crash inside
    c2pa-rs when such a combined signer is held by a Context), though the same callback signs
    claims alone. So callback (KMS, remote) identities sign the claim alone."""
    return identity.sign_callback() is None


def _person_signer(identity: Identity) -> Any:
    """The signer of the identity assertion: the author's (``identity.author``, see
    provenance.authored) or the identity's own key; None when neither can."""
    if not _can_sign_identity(identity):
        return None  # a callback claim signer cannot be combined (see _can_sign_identity)
    from provenance.identity import Identity

    author = getattr(identity, "author", None)
    person = author if isinstance(author, Identity) else identity
    return _plain_signer(person, None) if _can_sign_identity(person) else None


def _plain_signer(identity: Identity, tsa_url: str | None) -> Any:
    """A c2pa Signer for ``identity`` alone (no identity assertion)."""
    try:
        callback = identity.sign_callback()
        if callback is not None:
            return c2pa.Signer.from_callback(
                callback, _ALG[identity.algorithm], identity.chain_pem().decode(), tsa_url
            )
        info = c2pa.C2paSignerInfo(
            identity.algorithm.encode(), identity.chain_pem(),
            identity.private_key_pem(), tsa_url.encode() if tsa_url else None,
        )
        return c2pa.Signer.from_info(info)
    except c2pa.C2paError as exc:
        raise IdentityError(
            f"c2pa cannot use this identity: {_msg(exc)}",
            hint="check that the certificate matches the key and the C2PA profile",
        ) from exc


# -- CAWG identity assertions through the native identity signer ------------------------------
#
# c2pa-python 0.38.1 does not bind c2pa-rs's identity signer. Its wheel's native library exports
# ``c2pa_identity_signer_create(claim_signer, identity_signer, referenced_assertions, roles)``
# (NULL-terminated C string arrays): it consumes both signers and returns one that adds a
# ``cawg.identity`` assertion (sig_type ``cawg.x509.cose``, signed by the second signer's key and
# certificate) to every manifest it signs, the hard binding always referenced. Internals of the
# pinned version, checked by tests/text/test_native_route.py.

_IDENTITY_FUNCTIONS = ("c2pa_identity_signer_create",)
#: The assertions an author's identity assertion vouches for (besides the hard binding).
IDENTITY_REFERENCED = ("c2pa.actions", "c2pa.actions.v2", "cawg.training-mining",
                       "cawg.metadata")
IDENTITY_ROLES = ("cawg.creator",)


def identity_signer(claim: Any, person: Any, *,
                    referenced: tuple[str, ...] = IDENTITY_REFERENCED,
                    roles: tuple[str, ...] = IDENTITY_ROLES) -> Any:
    """Combine the claim signer ``claim`` and the author's signer ``person`` (both consumed)
    into one signer that also writes the author's CAWG X.509 identity assertion.

    Raises:
        SigningError: the native library refused (the handles are left to their owners).
    """
    import ctypes

    from c2pa import c2pa as _impl

    lib = _impl._lib
    create = lib.c2pa_identity_signer_create
    create.argtypes = [ctypes.c_void_p] * 4
    create.restype = ctypes.c_void_p
    refs = (ctypes.c_char_p * (len(referenced) + 1))(*(r.encode() for r in referenced), None)
    role_list = (ctypes.c_char_p * (len(roles) + 1))(*(r.encode() for r in roles), None)

    def with_claim(claim_ptr: Any) -> Any:
        return person._consume_into(
            lambda person_ptr: create(claim_ptr, person_ptr, ctypes.cast(refs, ctypes.c_void_p),
                                      ctypes.cast(role_list, ctypes.c_void_p)),
            "identity signer: %s")

    try:
        combined = claim._consume_into(with_claim, "identity signer: %s")
        return c2pa.Signer._wrap_native_handle(
            ctypes.cast(combined, ctypes.POINTER(_impl.C2paSigner)))
    except c2pa.C2paError as exc:
        raise SigningError(f"c2pa cannot make the identity assertion signer: {_msg(exc)}",
                           hint="check the identity with `provenance identity show`") from exc


def sign_stream(
    manifest: dict[str, Any],
    mime: str,
    source: BinaryIO,
    dest: BinaryIO,
    identity: Identity,
    *,
    trust_pem: str | None,
    parent: tuple[str, str, BinaryIO] | None = None,
    thumbnail: tuple[str, bytes] | None = None,
    tsa_url: str | None = None,
    ekus: str | None = None,
    identity_assertion: bool = True,
    ingredients: tuple[Component, ...] = (),
) -> bytes:
    """Sign ``source`` into ``dest`` (both seekable binary streams); returns the manifest bytes.

    ``parent`` is ``(mime, title, stream)`` of the asset this one was edited from; it goes in as
    the ``parentOf`` ingredient with id ``parent``. ``ingredients``: the ``componentOf``
    ingredients (see :class:`Component`).

    Raises:
        SigningError: c2pa refused to sign.
        InputError: c2pa could not parse the source.
    """
    ctx = _context(trust_pem, ekus,
                   _first_signature(identity, tsa_url, identity_assertion, "stream"))
    signer = _signer(identity, tsa_url, identity_assertion)
    if thumbnail is not None:
        manifest = dict(manifest)
        manifest["thumbnail"] = {"format": thumbnail[0], "identifier": "thumbnail"}
    try:
        with c2pa.Builder(manifest, context=ctx) as builder:
            _add_extras(builder, parent, thumbnail, ingredients)
            result: bytes = builder.sign(signer, mime, source, dest)
            return result
    except c2pa.C2paError as exc:
        message = _msg(exc)
        if tsa_url and ("time" in message.lower() or "tsa" in message.lower()
                        or "http" in message.lower() or "connect" in message.lower()):
            raise SigningError(
                f"the timestamp authority {tsa_url} failed: {message}",
                hint="check the URL and that the TSA is reachable; nothing was written",
            ) from exc
        # "embedding error": the asset handler could not place the manifest (a PDF whose
        # objects and xref are garbage); the identity is not at fault.
        if "parse" in message.lower() or "embedding error" in message.lower() \
                or isinstance(exc, c2pa.C2paError.NotSupported):
            raise InputError(f"c2pa cannot read this {mime} file: {message}",
                             hint="the file may be damaged; export it again") from exc
        raise SigningError(f"c2pa failed to sign: {message}",
                           hint="check the identity with `provenance identity show`") from exc


def _add_extras(builder: Any, parent: tuple[str, str, BinaryIO] | None,
                thumbnail: tuple[str, bytes] | None,
                ingredients: tuple[Component, ...] = ()) -> None:
    """The thumbnail resource, the parent ingredient and the component ingredients (each
    parsed by c2pa from its asset)."""
    import io

    for part in ingredients:
        builder.add_ingredient(
            {"title": part.title, "relationship": "componentOf", "label": part.label},
            part.mime, io.BytesIO(part.data),
        )

    if thumbnail is not None:
        builder.add_resource("thumbnail", io.BytesIO(thumbnail[1]))
    if parent is not None:
        pmime, ptitle, pstream = parent
        builder.add_ingredient(
            {"title": ptitle, "relationship": "parentOf", "label": "parent"}, pmime, pstream,
        )


def read_manifest(mime: str, stream: BinaryIO, *, trust_pem: str | None,
                  ekus: str | None = None, located: bytes | None = None,
                  ) -> ManifestStore | None:
    """Read and validate the manifest store in ``stream``; None when there is none.

    ``located``: the manifest store's bytes, already taken from the asset by the caller (a
    JPEG's APP11 segments): c2pa validates it against the asset without locating it again
    (two passes over the asset instead of three).

    Raises:
        ManifestUnreadable: a manifest is there but cannot be parsed.
    """
    ctx = _context(trust_pem, ekus)
    try:
        with c2pa.Reader(mime, stream, located, context=ctx) as reader:
            store = json.loads(reader.json())
            state = reader.get_validation_state()
            signatures = _signatures(reader)
    except c2pa.C2paError.ManifestNotFound:
        return None
    except c2pa.C2paError as exc:
        raise _classify(exc) from exc
    return ManifestStore(store=store, validation_state=state, signatures=signatures)


#: crJSON's signature entry of a manifest without a timestamp, per (leaf DER, algorithm):
#: it describes the certificate alone (algorithm, serial, issuer, subject, validity).
_cert_signatures: dict[tuple[bytes, str], dict[str, Any]] = {}


def read_signed(mime: str, data: bytes, *, trust_pem: str | None, ekus: str | None,
                leaf: Callable[[bytes, str], bytes | None]) -> ManifestStore | None:
    """:func:`read_manifest` of ``data`` for a batch of files by one signer: the same
    validating read and the same result, without c2pa's crJSON pass (~1 ms) when the store
    is one manifest without a timestamp whose leaf certificate (``leaf(data, serial_hex)``:
    its DER found in ``data``) was described by crJSON earlier in this process.

    Raises:
        ManifestUnreadable: a manifest is there but cannot be parsed.
    """
    import io

    ctx = _context(trust_pem, ekus)
    try:
        with c2pa.Reader(mime, io.BytesIO(data), context=ctx) as reader:
            store = json.loads(reader.json())
            state = reader.get_validation_state()
            label = str(store.get("active_manifest") or "")
            manifests = store.get("manifests") or {}
            info = (manifests.get(label) or {}).get("signature_info") or {}
            key = None
            if len(manifests) == 1 and not info.get("time") and info.get("alg") \
                    and str(info.get("cert_serial_number") or "").isdigit():
                der = leaf(data, format(int(info["cert_serial_number"]), "x"))
                key = None if der is None else (der, str(info["alg"]))
            with _lock:
                known = _cert_signatures.get(key) if key is not None else None
            if known is not None:
                signatures = {label: known}
            else:
                signatures = _signatures(reader)
                sig = signatures.get(label)
                if key is not None and isinstance(sig, dict) and "timeStampInfo" not in sig \
                        and len(signatures) == 1:
                    with _lock:
                        if len(_cert_signatures) > 64:
                            _cert_signatures.clear()
                        _cert_signatures[key] = sig
    except c2pa.C2paError.ManifestNotFound:
        return None
    except c2pa.C2paError as exc:
        raise _classify(exc) from exc
    return ManifestStore(store=store, validation_state=state, signatures=signatures)


_REMOTE_PREFIX = "must fetch remote manifests from url "


def _classify(exc: BaseException) -> Exception:
    """Why c2pa gave no manifest store, as one of our exceptions (measured on 0.38.1 messages:
    ``Remote: must fetch remote manifests from url URL``, ``Other: asset could not be parsed:
    ...``; c2pa-rs's PrereleaseError)."""
    message = _msg(exc)
    low = message.lower()
    at = low.find(_REMOTE_PREFIX)
    if at >= 0 or isinstance(exc, getattr(c2pa.C2paError, "RemoteManifest", ())):
        return RemoteManifest(message[at + len(_REMOTE_PREFIX):].strip() if at >= 0 else "")
    if "prerelease" in low or "pre-release" in low:
        return PrereleaseManifest(message)
    if "could not be parsed" in low or "invalid riff" in low or "unsupported" in low \
            or isinstance(exc, c2pa.C2paError.NotSupported):
        return AssetUnparsable(message)
    return ManifestUnreadable(message)


def read_fragment(mime: str, init: BinaryIO, fragment: BinaryIO, *, trust_pem: str | None,
                  ekus: str | None = None) -> ManifestStore | None:
    """Validate one fragment (DASH/CMAF ``.m4s``) against the manifest in its init segment;
    None when the init segment has no manifest.

    Raises:
        ManifestUnreadable: (or a subclass) the init segment's manifest cannot be used.
    """
    ctx = _context(trust_pem, ekus)
    try:
        with c2pa.Reader(mime, init, context=ctx) as reader:
            init.seek(0)
            reader.with_fragment(mime, init, fragment)
            store = json.loads(reader.json())
            state = reader.get_validation_state()
            signatures = _signatures(reader)
    except c2pa.C2paError.ManifestNotFound:
        return None
    except c2pa.C2paError as exc:
        raise _classify(exc) from exc
    return ManifestStore(store=store, validation_state=state, signatures=signatures)


def read_with_store(mime: str, stream: BinaryIO, store: bytes, *, trust_pem: str | None,
                    ekus: str | None = None) -> ManifestStore:
    """Validate the asset in ``stream`` against a manifest ``store`` fetched from elsewhere
    (a remote manifest).

    Raises:
        ManifestUnreadable: the store cannot be parsed.
    """
    try:
        with c2pa.Reader(mime, stream, store, context=_context(trust_pem, ekus)) as reader:
            parsed = json.loads(reader.json())
            state = reader.get_validation_state()
            signatures = _signatures(reader)
    except c2pa.C2paError as exc:
        raise ManifestUnreadable(_msg(exc)) from exc
    return ManifestStore(store=parsed, validation_state=state, signatures=signatures)


def _signatures(reader: Any) -> dict[str, dict[str, Any]]:
    # Reader.json() names only the signer's CN and O; the issuer DN and the timestamp
    # authority are in the crJSON form.
    return _signatures_of(_crjson(reader))


def _crjson(reader: Any) -> dict[str, Any]:
    """The reader's crJSON form, parsed ({} when c2pa cannot give it)."""
    try:
        cr = json.loads(reader.crjson())
    except (c2pa.C2paError, ValueError):
        return {}
    return cr if isinstance(cr, dict) else {}


def _signatures_of(cr: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for manifest in cr.get("manifests", []):
        sig = manifest.get("signature")
        if isinstance(sig, dict) and manifest.get("label"):
            out[manifest["label"]] = sig
    return out


def _msg(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


# -- data-hashed (text) signing through the native library -----------------------------------
#
# c2pa-python 0.38.1 cannot embed into text: "text/plain" is not a Builder format. The native
# library in its wheel exports the data-hash entry points a text carrier needs; we call them
# through ctypes with the Builder's and Signer's native handles. These are internals of the
# pinned version (checked by tests/text/test_native_route.py, which fails loudly if they change).

_NATIVE_FUNCTIONS = (
    "c2pa_builder_sign_embeddable",
    "c2pa_free",
)
_native_ready = False


def _native() -> Any:
    """The c2pa native library with the data-hash functions' signatures declared."""
    global _native_ready
    import ctypes

    from c2pa import c2pa as _impl

    lib = _impl._lib
    if not _native_ready:
        byte_pp = ctypes.POINTER(ctypes.POINTER(ctypes.c_ubyte))
        # Direct mode: the builder's definition holds the hard binding; the signer is the
        # context's (see _signing_context).
        f = lib.c2pa_builder_sign_embeddable
        f.argtypes = [ctypes.c_void_p, ctypes.c_char_p, byte_pp]
        f.restype = ctypes.c_int64
        _native_ready = True
    return lib


def _handle(obj: Any) -> int:
    import ctypes

    value = ctypes.cast(obj._handle, ctypes.c_void_p).value
    if not value:
        raise SigningError("c2pa object is closed", hint="this is a bug; please report it")
    return int(value)


def _take_bytes(lib: Any, result: int, ptr: Any, what: str) -> bytes:
    import ctypes

    from c2pa import c2pa as _impl

    if result < 0:
        native = _impl._read_native_error() or "unknown"
        raise SigningError(f"c2pa failed to {what}: {native}",
                           hint="check that the timestamp authority (--tsa) is reachable, or "
                           "sign with --no-tsa" if "http resolver" in native else
                           "check the identity with `provenance identity show`")
    try:
        return ctypes.string_at(ptr, result)
    finally:
        lib.c2pa_free(ptr)


def _builder(manifest: dict[str, Any], trust_pem: str | None,
             parent: ExternalParent | None, ekus: str | None = None, *,
             context: Any = None) -> Any:
    import io

    ctx = context if context is not None else _context(trust_pem, ekus)
    if parent is None:
        return c2pa.Builder(manifest, context=ctx)
    # c2pa's add_ingredient parses the parent asset itself, which it cannot for text; an
    # ingredient declared in the definition with its store as a resource works, provided its
    # validation results are given (ours, from verifying the parent).
    definition = dict(manifest)
    definition["ingredients"] = [{
        "title": parent.title,
        "format": parent.format,
        "relationship": "parentOf",
        "label": "parent",
        "manifest_data": {"format": "application/c2pa", "identifier": "parent.c2pa"},
        "validation_results": {"activeManifest": parent.validation_results},
    }]
    builder = c2pa.Builder(definition, context=ctx)
    builder.add_resource("parent.c2pa", io.BytesIO(parent.store))
    return builder


class DataHashSigner:
    """Sign a manifest whose hard binding is a ``c2pa.hash.data`` hash we compute ourselves.

    ``size`` is the exact length of the manifest store that :meth:`sign` will return, so a
    carrier can lay out its wrapper before signing.

    c2pa-rs's data-hashed route cannot carry dynamic assertions (the CAWG identity assertion),
    so the manifest is signed in c2pa-rs's "direct" embeddable mode: our ``c2pa.hash.data``
    assertion (hash and exclusions) is part of the definition and the context's combined
    signer signs it. The size is fixed by a first signing with the widest CBOR exclusion
    integers; the assertion's ``pad`` takes up what smaller integers leave over.
    """

    def __init__(
        self,
        manifest: dict[str, Any],
        identity: Identity,
        *,
        trust_pem: str | None,
        tsa_url: str | None = None,
        parent: ExternalParent | None = None,
        asset_format: str = "application/c2pa",
        parent_asset: tuple[str, str, BinaryIO] | None = None,
        thumbnail: tuple[str, bytes] | None = None,
        ekus: str | None = None,
        exclusion_count: int = 1,
        identity_assertion: bool = True,
        ingredients: tuple[Component, ...] = (),
    ) -> None:
        self._lib = _native()
        self._ingredients = ingredients
        # The signer, for shape(): not the context, which differs for the process's first,
        # c2pa-checked, signature (see _first_signature) though the layout does not.
        self._signer_key = (id(identity), tsa_url or "", identity_assertion)
        self._ctx = _signing_context(
            identity, tsa_url, trust_pem, ekus, identity_assertion,
            _first_signature(identity, tsa_url, identity_assertion, "embeddable"))
        self._format = asset_format.encode()
        if thumbnail is not None:
            manifest = {**manifest,
                        "thumbnail": {"format": thumbnail[0], "identifier": "thumbnail"}}
        self._manifest = manifest
        self._parent = parent
        self._parent_asset = None if parent_asset is None else (
            parent_asset[0], parent_asset[1], parent_asset[2].read())
        self._thumbnail = thumbnail
        self._count = exclusion_count
        # A JPEG/PNG manifest of the same shape as one this process has sized already takes
        # that size without a probe (see _known_size; sign() re-sizes if it is off). Other
        # sizes are learnt from the probe on first use of ``size``.
        self._shape = _size_shape(self, tsa_url, parent, parent_asset, ingredients)
        self._size = _known_size(self._shape, self._ctx)
        self._guessed = self._size is not None
        self._probe: bytes | None = None

    @property
    def probe(self) -> bytes:
        """The store signed to learn the size (an all-zero hash, the widest exclusions),
        signed on first use: a carrier may estimate from its bytes instead of signing once
        more, and one that lays out after signing (A.8) needs no probe at all."""
        if self._probe is None:
            self._probe = self._sign_once(b"\x00" * 32, [(_WIDE, _WIDE)] * self._count,
                                          _BASE_PAD)
        return self._probe

    @property
    def size(self) -> int:
        """The exact length of the store :meth:`sign` returns (signs the probe if needed,
        unless a manifest of the same JPEG/PNG shape was sized before)."""
        if self._size is None:
            self._size = len(self.probe)
            _remember_size(self._shape, self._ctx, self._size)
        return self._size

    def shape(self) -> tuple[Any, ...]:
        """What the store's size and layout depend on besides the hash and exclusion values
        (the signer, the definition's length, parent, thumbnail, ingredients): a key under
        which a carrier may remember one signature's layout to estimate the next. An
        estimate, never a promise: the same key can still give another size."""
        return (self._signer_key, len(json.dumps(self._manifest, sort_keys=True, default=str)),
                self._format, self._count, self._parent is not None,
                None if self._thumbnail is None else len(self._thumbnail[1]),
                len(self._ingredients))

    def _sign_once(self, digest: bytes, exclusions: list[tuple[int, int]], pad: int) -> bytes:
        import ctypes
        import io

        data_hash = {
            "name": "jumbf manifest",
            "alg": "sha256",
            "hash": list(digest),
            "pad": [0] * pad,
            "exclusions": [{"start": s, "length": n} for s, n in exclusions],
        }
        definition = dict(self._manifest)
        definition["assertions"] = [*definition.get("assertions", []),
                                    {"label": "c2pa.hash.data", "data": data_hash}]
        parent_asset = None if self._parent_asset is None else (
            self._parent_asset[0], self._parent_asset[1], io.BytesIO(self._parent_asset[2]))
        try:
            builder = _builder(definition, None, self._parent, context=self._ctx)
            _add_extras(builder, parent_asset, self._thumbnail, self._ingredients)
        except c2pa.C2paError as exc:
            raise SigningError(f"c2pa refused the manifest: {_msg(exc)}") from exc
        try:
            ptr = ctypes.POINTER(ctypes.c_ubyte)()
            n = self._lib.c2pa_builder_sign_embeddable(_handle(builder), self._format,
                                                       ctypes.byref(ptr))
            return _take_bytes(self._lib, n, ptr, "sign")
        finally:
            builder.close()

    def sign(self, digest: bytes, exclusions: list[tuple[int, int]]) -> bytes:
        """Sign with the SHA-256 ``digest`` of the asset minus ``exclusions`` (start, length).

        The store has the probe's size (the ``pad`` takes up narrower exclusion integers);
        that is checked whenever the size is known (a carrier that laid out a placeholder of
        :attr:`size` read it; A.8 text lays out after signing and never needs it).

        Raises:
            SigningError: c2pa refused, or the manifest size moved off the placeholder's.
        """
        if len(exclusions) != self._count:
            raise SigningError(f"{len(exclusions)} exclusions for a {self._count}-exclusion "
                               "placeholder", hint="this is a bug; please report it")
        narrower = sum(2 * _cbor_uint_len(_WIDE) - _cbor_uint_len(s) - _cbor_uint_len(n)
                       for s, n in exclusions)
        store = self._sign_once(digest, exclusions, _BASE_PAD + narrower)
        if self._guessed and len(store) != self._size and exclusions[0][1] == self._size:
            # The size came from another manifest of this shape and is off: probe this one
            # and sign again with the exclusion (the store itself) at its real length.
            self._guessed = False
            self._size = len(self.probe)
            _remember_size(self._shape, self._ctx, self._size)
            return self.sign(digest, [(exclusions[0][0], self._size), *exclusions[1:]])
        if self._size is not None and len(store) != self._size:
            raise SigningError(
                f"c2pa returned a {len(store)}-byte manifest for a {self.size}-byte placeholder",
                hint="this is a bug; please report it with the c2pa-python version",
            )
        return store

    def close(self) -> None:
        """Nothing to release (each signing pass closes its own builder)."""

    def __enter__(self) -> DataHashSigner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- reusing a manifest size across files (batch signing) --------------------------------------
#
# The probe of DataHashSigner is a full signing pass (~1.5-2 ms) made only to learn the store's
# length. For JPEG/PNG the length depends on the signer and on the byte lengths of what the
# definition says, not on the strings' contents (CBOR: a text string is its length and its
# bytes; the hash is always 32 bytes, the exclusion integers are padded to the widest). So a
# manifest whose definition has the same shape (same keys, numbers and string lengths) as one
# already sized by this signing context takes that size; sign() checks the length it gets and,
# if it is off, probes and signs again (never a wrong layout, at worst one pass more).
_sizes: dict[tuple[int, int, Any], tuple[Any, int]] = {}


def _shape_of(value: Any) -> Any:
    """``value`` with every string replaced by its UTF-8 length (what the CBOR size sees)."""
    if isinstance(value, str):
        return ("s", len(value.encode("utf-8")))
    if isinstance(value, dict):
        return tuple(sorted((str(k), _shape_of(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_shape_of(v) for v in value)
    if isinstance(value, bytes):
        return ("b", len(value))
    return (type(value).__name__, value)


def _size_shape(signer: DataHashSigner, tsa_url: str | None, parent: ExternalParent | None,
                parent_asset: tuple[str, str, BinaryIO] | None,
                ingredients: tuple[Component, ...]) -> Any:
    """The key under which ``signer``'s size may be reused, or None where it may not: only
    JPEG/PNG without a parent, ingredients or timestamp (a TSA's answer varies in length)."""
    if signer._format not in (b"image/jpeg", b"image/png") or tsa_url or parent is not None \
            or parent_asset is not None or ingredients:
        return None
    thumb = None if signer._thumbnail is None else (signer._thumbnail[0],
                                                     len(signer._thumbnail[1]))
    shape = (signer._format, signer._count, thumb, _shape_of(signer._manifest))
    try:
        hash(shape)
    except TypeError:  # something in the definition that is not JSON-like: probe each time
        return None
    return shape


def _known_size(shape: Any, ctx: Any) -> int | None:
    if shape is None:
        return None
    with _lock:
        found = _sizes.get((os.getpid(), id(ctx), shape))
    return found[1] if found is not None and found[0] is ctx else None


def _remember_size(shape: Any, ctx: Any, size: int) -> None:
    if shape is None:
        return
    with _lock:
        if len(_sizes) > 256:
            _sizes.clear()
        _sizes[(os.getpid(), id(ctx), shape)] = (ctx, size)  # ctx held: id() not reused


#: The placeholder's exclusion integers: the widest CBOR unsigned encoding (9 bytes).
_WIDE = 1 << 32
#: The placeholder's ``pad`` length: 24 already takes a 2-byte CBOR header, so adding bytes
#: never changes the header's size (a single exclusion frees at most 16).
_BASE_PAD = 24


def _cbor_uint_len(value: int) -> int:
    if value < 24:
        return 1
    if value < 1 << 8:
        return 2
    if value < 1 << 16:
        return 3
    if value < 1 << 32:
        return 5
    return 9


def cose_pad(store: bytes) -> tuple[int, int] | None:
    """(start, length) of the content of the COSE ``pad`` in the claim signature's unprotected
    header: bytes c2pa-rs fills with zeros to reach the reserved size. They are outside what
    the signature covers, so their values may be set after signing without breaking it."""
    sig = store.rfind(b"c2pa.signature\x00")
    if sig < 0:
        return None
    at = store.find(b"\x63pad", sig)  # CBOR text "pad" as a map key
    if at < 0:
        return None
    head = at + 4
    if head >= len(store):
        return None
    major = store[head]
    if 0x40 <= major <= 0x57:
        start, length = head + 1, major - 0x40
    elif major == 0x58:
        start, length = head + 2, store[head + 1]
    elif major == 0x59:
        start, length = head + 3, int.from_bytes(store[head + 1:head + 3], "big")
    elif major == 0x5A:
        start, length = head + 5, int.from_bytes(store[head + 1:head + 5], "big")
    else:
        return None
    if start + length > len(store) or any(store[start:start + length]):
        return None  # not the zero-filled pad we know
    return start, length


def read_external(
    mime: str, data: bytes, store: bytes, *, trust_pem: str | None, ekus: str | None = None,
) -> tuple[ManifestStore, list[tuple[int, int]]]:
    """Validate an external manifest ``store`` against ``data``; also return the exclusions of
    the active manifest's ``c2pa.hash.data`` (for the carrier to check itself).

    Raises:
        ManifestUnreadable: the store cannot be parsed.
    """
    import io

    try:
        with c2pa.Reader(mime, io.BytesIO(data), store,
                         context=_context(trust_pem, ekus)) as reader:
            parsed = json.loads(reader.json())
            # What reader.get_validation_state() returns, without parsing the JSON again.
            state = parsed.get("validation_state")
            # One crJSON serialisation gives both the signatures and the hash's exclusions
            # (detailed_json() would be a third pass over the same store).
            cr = _crjson(reader)
    except c2pa.C2paError as exc:
        raise ManifestUnreadable(_msg(exc)) from exc
    signatures = _signatures_of(cr)
    label = parsed.get("active_manifest")
    active = next((m for m in cr.get("manifests") or [] if isinstance(m, dict)
                   and label and m.get("label") == label), {})
    hash_data = (active.get("assertions") or {}).get("c2pa.hash.data") or {}
    if not isinstance(hash_data, dict):
        hash_data = {}
    exclusions = [(int(e.get("start", -1)), int(e.get("length", -1)))
                  for e in hash_data.get("exclusions") or [] if isinstance(e, dict)]
    return ManifestStore(store=parsed, validation_state=state, signatures=signatures), exclusions


def sign_sidecar(
    manifest: dict[str, Any], mime: str, data: bytes, identity: Identity, *,
    trust_pem: str | None, tsa_url: str | None = None,
    parent: ExternalParent | None = None, ekus: str | None = None,
    identity_assertion: bool = True, ingredients: tuple[Component, ...] = (),
) -> bytes:
    """A detached manifest store whose hash covers all of ``data`` (sidecar, HTML <link>);
    ``ingredients`` as :func:`sign_stream`.

    Raises:
        SigningError: c2pa refused.
    """
    import io

    signer = _signer(identity, tsa_url, identity_assertion)
    try:
        check = _first_signature(identity, tsa_url, identity_assertion, "sidecar")
        with _builder(manifest, trust_pem, parent, ekus,
                      context=_context(trust_pem, ekus, check)) as builder:
            builder.set_no_embed()
            _add_extras(builder, None, None, ingredients)
            out = io.BytesIO()
            store: bytes = builder.sign(signer, mime, io.BytesIO(data), out)
            return store
    except c2pa.C2paError as exc:
        message = _msg(exc)
        raise SigningError(f"c2pa failed to sign: {message}",
                           hint="check that the timestamp authority (--tsa) is reachable, or "
                           "sign with --no-tsa" if "http resolver" in message else None) from exc
