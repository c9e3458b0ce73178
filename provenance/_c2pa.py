"""The only module that imports c2pa: contexts, signers, builders and readers, errors converted.

Every call builds on an explicit ``c2pa.Context`` made from our settings (never the deprecated
global ``load_settings``). Contexts and signers are cached per process: a c2pa Signer does not
survive ``fork``, so the cache key includes the process id.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from typing import Any, BinaryIO

import c2pa

from provenance.errors import IdentityError, InputError, SigningError
from provenance.identity import Identity

__all__ = ["C2PA_PYTHON_VERSION", "ManifestStore", "read_manifest", "sign_stream"]

C2PA_PYTHON_VERSION = "0.38.1"

_lock = threading.Lock()
_contexts: dict[tuple[int, str], Any] = {}
_signers: dict[tuple[int, int, str], tuple[Identity, Any]] = {}

_ALG = {
    "es256": c2pa.C2paSigningAlg.ES256,
    "es384": c2pa.C2paSigningAlg.ES384,
    "es512": c2pa.C2paSigningAlg.ES512,
    "ps256": c2pa.C2paSigningAlg.PS256,
    "ed25519": c2pa.C2paSigningAlg.ED25519,
}


class ManifestUnreadable(Exception):
    """A manifest is present but c2pa cannot parse it (corrupt JUMBF/CBOR)."""


@dataclass(frozen=True)
class ManifestStore:
    """What c2pa read from an asset: the manifest store JSON and the validation state."""

    store: dict[str, Any]
    validation_state: str | None
    #: manifest label -> crJSON ``signature`` (certificateInfo, timeStampInfo) of that manifest
    signatures: dict[str, dict[str, Any]]


def settings(trust_pem: str | None) -> dict[str, Any]:
    """c2pa settings: our trust anchors, no network, no automatic thumbnails."""
    s: dict[str, Any] = {
        "verify": {"remote_manifest_fetch": False, "ocsp_fetch": False},
        "builder": {"thumbnail": {"enabled": False}},
    }
    if trust_pem:
        s["trust"] = {"trust_anchors": trust_pem}
    return s


def _context(trust_pem: str | None) -> Any:
    key = (os.getpid(), trust_pem or "")
    with _lock:
        ctx = _contexts.get(key)
        if ctx is None:
            if len(_contexts) > 32:
                _contexts.clear()
            ctx = c2pa.Context.from_dict(settings(trust_pem))
            _contexts[key] = ctx
        return ctx


def _signer(identity: Identity, tsa_url: str | None) -> Any:
    key = (os.getpid(), id(identity), tsa_url or "")
    with _lock:
        cached = _signers.get(key)
        # The identity is held next to its signer so that id() cannot be reused meanwhile.
        if cached is not None and cached[0] is identity and cached[1].is_valid:
            return cached[1]
        try:
            callback = identity.sign_callback()
            if callback is not None:
                signer = c2pa.Signer.from_callback(
                    callback, _ALG[identity.algorithm], identity.chain_pem().decode(), tsa_url
                )
            else:
                info = c2pa.C2paSignerInfo(
                    identity.algorithm.encode(), identity.chain_pem(),
                    identity.private_key_pem(), tsa_url.encode() if tsa_url else None,
                )
                signer = c2pa.Signer.from_info(info)
        except c2pa.C2paError as exc:
            raise IdentityError(
                f"c2pa cannot use this identity: {_msg(exc)}",
                hint="check that the certificate matches the key and the C2PA profile",
            ) from exc
        if len(_signers) > 32:
            _signers.clear()
        _signers[key] = (identity, signer)
        return signer


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
) -> bytes:
    """Sign ``source`` into ``dest`` (both seekable binary streams); returns the manifest bytes.

    ``parent`` is ``(mime, title, stream)`` of the asset this one was edited from; it goes in as
    the ``parentOf`` ingredient with id ``parent``.

    Raises:
        SigningError: c2pa refused to sign.
        InputError: c2pa could not parse the source.
    """
    ctx = _context(trust_pem)
    signer = _signer(identity, tsa_url)
    if thumbnail is not None:
        manifest = dict(manifest)
        manifest["thumbnail"] = {"format": thumbnail[0], "identifier": "thumbnail"}
    try:
        with c2pa.Builder(manifest, context=ctx) as builder:
            if thumbnail is not None:
                import io

                builder.add_resource("thumbnail", io.BytesIO(thumbnail[1]))
            if parent is not None:
                pmime, ptitle, pstream = parent
                builder.add_ingredient(
                    {"title": ptitle, "relationship": "parentOf", "label": "parent"},
                    pmime,
                    pstream,
                )
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
        if "parse" in message.lower() or isinstance(exc, c2pa.C2paError.NotSupported):
            raise InputError(f"c2pa cannot read this {mime} file: {message}",
                             hint="the file may be damaged; export it again") from exc
        raise SigningError(f"c2pa failed to sign: {message}",
                           hint="check the identity with `provenance identity show`") from exc


def read_manifest(mime: str, stream: BinaryIO, *, trust_pem: str | None) -> ManifestStore | None:
    """Read and validate the manifest store in ``stream``; None when there is none.

    Raises:
        ManifestUnreadable: a manifest is there but cannot be parsed.
    """
    ctx = _context(trust_pem)
    try:
        with c2pa.Reader(mime, stream, context=ctx) as reader:
            store = json.loads(reader.json())
            state = reader.get_validation_state()
            signatures = _signatures(reader)
    except c2pa.C2paError.ManifestNotFound:
        return None
    except c2pa.C2paError as exc:
        raise ManifestUnreadable(_msg(exc)) from exc
    return ManifestStore(store=store, validation_state=state, signatures=signatures)


def _signatures(reader: Any) -> dict[str, dict[str, Any]]:
    # Reader.json() names only the signer's CN and O; the issuer DN and the timestamp
    # authority are in the crJSON form.
    try:
        cr = json.loads(reader.crjson())
    except (c2pa.C2paError, ValueError):
        return {}
    out: dict[str, dict[str, Any]] = {}
    for manifest in cr.get("manifests", []):
        sig = manifest.get("signature")
        if isinstance(sig, dict) and manifest.get("label"):
            out[manifest["label"]] = sig
    return out


def _msg(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
