"""The text carriers' shared work: sign and read plain text, Markdown, source files and HTML.

Carriers (C2PA 2.4 appendix A): ``unstructured`` (A.8, invisible variation selectors at the end
of the text), ``structured`` (A.9, a manifest block in a comment or front matter), ``html``
(A.7, inline ``<script type="application/c2pa">``), ``link`` (A.7, ``<link>`` to a manifest
published at a URL, with the ``.c2pa`` file written beside), ``sidecar`` (``NAME.EXT.c2pa``).
The claim is the same human-origin claim as for media; the report is the same Report, with
``carrier`` naming where the manifest was found.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from pathlib import Path, PurePath
from typing import Any

from provenance import _c2pa
from provenance._files import atomic_write, mode_for, read_input
from provenance._record import record
from provenance.carriers import (
    CARRIERS,
    Carrier,
    default_carrier,
    html,
    is_html_name,
    is_text_name,
    structured,
    unstructured,
)
from provenance.claims import HumanClaim
from provenance.components import Component, components, with_placed
from provenance.errors import AlreadySigned, InputError, SigningError, VerificationFailed
from provenance.fingerprint.assertion import soft_binding
from provenance.fingerprint.text import soft_binding_code
from provenance.identity import Identity, check_usable
from provenance.options import SignOptions
from provenance.policy import Policy, default_policy
from provenance.reading import build_report, with_active_failures
from provenance.report import Failure, Report
from provenance.trust import TrustStore

__all__ = [
    "CARRIERS",
    "Carrier",
    "ExternalParent",
    "SignedText",
    "default_carrier",
    "inspect_text",
    "inspect_text_bytes",
    "is_text_name",
    "media_type_for",
    "sign_text",
    "sign_text_bytes",
    "strip_file",
    "strip_text",
    "verify_text",
]

TEXT_MIME = "text/plain"
_TEXT_MIME = TEXT_MIME
_MISMATCH_EXTERNAL = "exclusion does not match the manifest location"


def media_type_for(name: str | PurePath) -> str:
    """The media type reports give a text file: ``text/html`` for HTML pages, else
    ``text/plain`` (what the manifest's data hash is computed as, whatever the type)."""
    return "text/html" if is_html_name(name) else TEXT_MIME


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name} is not UTF-8 text (byte {exc.start} is invalid)",
                         hint="save it as UTF-8, or sign it with --carrier sidecar") from exc


def nfc(text: str) -> str:
    """Unicode NFC of ``text`` (text already in NFC is returned as it is: the check needs no
    copy, where normalising builds a 4-bytes-per-character buffer first)."""
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def _digest(data: bytes, start: int, length: int) -> bytes:
    h = hashlib.sha256()
    h.update(data[:start])
    h.update(data[start + length:])
    return h.digest()


@record
class ExternalParent:
    """A parent whose manifest store lives outside any format c2pa parses (e.g. text): its
    store and the validation results WE computed for it, recorded as the ingredient's (for
    :mod:`provenance._c2pa`'s signing)."""

    title: str
    format: str
    store: bytes
    validation_results: dict[str, Any]


@record
class SignedText:
    """The result of signing text: the new content, and a detached store when the carrier
    keeps the manifest outside the text (``sidecar``, ``link``)."""

    data: bytes
    carrier: Carrier
    store: bytes | None = None


def _manifest(claim: HumanClaim | None, title: str, has_parent: bool) -> dict[str, Any]:
    human = claim or HumanClaim("edit" if has_parent else "creation")
    return human.manifest(title=title, has_parent=has_parent)


def _parent(parent: bytes | None, parent_name: str | None,
            trust: TrustStore) -> ExternalParent | None:
    """Verify the parent text and package it, with our validation results, as the ingredient."""
    if parent is None:
        return None
    pname = PurePath(parent_name or "parent.txt").name
    located = _locate(parent, pname)
    if located is None:
        raise InputError(
            f"the parent {pname} has no Content Credentials to record",
            hint="sign the original first, or sign without --parent",
        )
    data, store, expected = located
    try:
        found, exclusions = _c2pa.read_external(_TEXT_MIME, data, store, trust_pem=trust.pem(),
                                                  ekus=trust.eku_config())
    except _c2pa.ManifestUnreadable as exc:
        raise InputError(f"the parent {pname}'s manifest is unreadable: {exc}",
                         hint="sign without --parent") from exc
    found = _discount_external_location(found)
    results = dict((found.store.get("validation_results") or {}).get("activeManifest") or {})
    if exclusions != expected:
        results["failure"] = [*results.get("failure", []), {
            "code": "assertion.dataHash.malformed",
            "explanation": "the exclusion does not match where the manifest sits in the text",
        }]
    return ExternalParent(pname, _TEXT_MIME, store, results)


def _locate(data: bytes, name: str, *, unstructured_too: bool = True,
            ) -> tuple[bytes, bytes, list[tuple[int, int]]] | None:
    """(hashed bytes, store, expected exclusions) of the first embedded manifest, or None."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if unstructured_too:
        normal = nfc(text)
        for w in unstructured.iter_wrappers(normal, long_enough=True):
            if w.store:
                return normal.encode("utf-8"), w.store, [(w.byte_start, w.byte_length)]
    for s in html.find_scripts(data):
        if s.store:
            return data, s.store, [(s.start, s.length)]
    for b in structured.find_blocks(data):
        store = structured.decode_reference(b.reference)
        if store:
            return data, store, [(b.byte_start, b.byte_length)]
    return None


def _embedded_store(data: bytes, name: str, text: str | None = None) -> bytes | None:
    """The manifest store embedded in text ``data`` by any carrier (first found), or None.

    No normalisation: NFC leaves U+FEFF and the variation selectors alone, and this only
    asks whether a manifest is there.
    """
    if text is None:  # the caller's decoded text saves a second copy
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return None
    for w in unstructured.iter_wrappers(text, long_enough=True):
        if w.store:
            return w.store
    located = _locate(data, name, unstructured_too=False)
    return located[1] if located else None


def _damaged_carrier(data: bytes, text: str) -> bool:
    """Whether ``data`` holds an A.8 wrapper, A.7 script or A.9 block whose store cannot be
    read (what :func:`_embedded_store` skips; a remote A.9 reference counts too)."""
    return bool(unstructured.find_wrappers(text, limit=1) or html.find_scripts(data)
                or structured.find_blocks(data))


def sign_text_bytes(
    data: bytes,
    *,
    name: str,
    identity: Identity,
    claim: HumanClaim | None = None,
    carrier: Carrier | None = None,
    manifest_url: str | None = None,
    parent: bytes | None = None,
    parent_name: str | None = None,
    trust: TrustStore | None = None,
    tsa_url: str | None = None,
    replace: bool = False,
    options: SignOptions | None = None,
) -> SignedText:
    """Sign UTF-8 text ``data`` named ``name`` with the chosen (or default) carrier.

    ``options`` carries the claim, carrier, manifest URL, timestamp and ``replace``; the
    keyword arguments of the same names are applied on top of it.

    Raises:
        InputError: not UTF-8, empty, a carrier that does not fit the type, a parent without
            Content Credentials.
        AlreadySigned: the text already carries a manifest and neither ``parent`` nor
            ``replace`` was given.
        SigningError: c2pa refused to sign.
    """
    opts = SignOptions.of(options, claim=claim, carrier=carrier, manifest_url=manifest_url,
                          tsa_url=tsa_url, replace=replace)
    check_usable(identity)
    chosen: Carrier = opts.carrier or default_carrier(name)
    if chosen not in CARRIERS:
        raise InputError(f"unknown carrier {chosen!r}", hint=f"one of {', '.join(CARRIERS)}")
    text = _decode(data, name)
    if not text:
        raise InputError(f"{name} is empty", hint="there is nothing to sign")
    existing = _embedded_store(data, name, text)
    has = "carries a manifest"
    if existing is None and html.find_links(data):
        # An A.7 link page is signed too: its manifest is published beside it.
        existing, has = b"", "links to a manifest (<link rel=\"c2pa-manifest\">)"
    elif existing is None and _damaged_carrier(data, text):
        # verify reports it (a damaged wrapper, block or script); a second one beside it
        # would make the signed output fail with "multiple manifests".
        existing, has = b"", "carries a manifest that cannot be read"
    if existing is not None:
        if parent is None and not opts.replace:
            raise AlreadySigned(
                f"{name} already {has}; signing again would erase its history",
                hint="pass --parent ORIGINAL to record an edit, or --replace to discard it",
            )
        text = strip_text(text)
        data = text.encode("utf-8")
    anchors = trust if trust is not None else TrustStore.installed()
    parent_ing = _parent(parent, parent_name, anchors)
    manifest = _manifest(opts.claim_for(name), PurePath(name).name, parent_ing is not None)
    # The soft binding of ``data`` (== ``text``, already decoded): the ISCC code alone, as
    # with_soft_binding(manifest, data, "text/plain") would add it, without its MinHash.
    code = soft_binding_code(text)
    if code is not None:
        manifest = {**manifest, "assertions": [*manifest.get("assertions", []),
                                               soft_binding(code)]}
    parts = components(opts) if opts.ingredients else ()
    manifest = with_placed(manifest, parts)
    trust_pem = anchors.pem()
    if chosen in ("sidecar", "link"):
        return _sign_detached(data, name, chosen, manifest, identity, trust_pem, opts.tsa_url,
                              opts.manifest_url, parent_ing, anchors.eku_config(),
                              opts.identity_assertion, parts)
    with _c2pa.DataHashSigner(manifest, identity, trust_pem=trust_pem, tsa_url=opts.tsa_url,
                              parent=parent_ing, ekus=anchors.eku_config(),
                              identity_assertion=opts.identity_assertion,
                              ingredients=parts) as signer:
        if chosen == "unstructured":
            # (1) NFC first: offsets and hash are over the NFC text's UTF-8 bytes.
            normal = nfc(text)
            body = data if normal is text else normal.encode("utf-8")
            store = _sign_unpadded(signer, body)
            return SignedText(body + unstructured.encode_wrapper(store).encode("utf-8"), chosen)
        if chosen == "structured":
            where = structured.layout(text, name)
            if where is None:
                raise InputError(
                    f"{name}: no comment syntax known for this type",
                    hint="use --carrier unstructured or --carrier sidecar",
                )
            placeholder = where.line("x" * structured.reference_length(signer.size))
            block_len = len(placeholder.encode("utf-8"))
            out = bytearray(data[:where.offset] + placeholder.encode() + data[where.offset:])
            store = signer.sign(_digest(bytes(out), where.offset, block_len),
                                [(where.offset, block_len)])
            line = where.line(structured.data_reference(store)).encode("utf-8")
            out[where.offset:where.offset + block_len] = line
            return SignedText(bytes(out), chosen)
        # html
        if not _is_html(name, data):
            raise InputError(f"{name} is not an HTML document",
                             hint="use --carrier unstructured or structured")
        offset, before, after = html.insert_point(data)
        tag_len = html.script_length(signer.size)
        start = offset + len(before)
        out = bytearray(data[:offset] + before + b"\x00" * tag_len + after + data[offset:])
        store = signer.sign(_digest(bytes(out), start, tag_len), [(start, tag_len)])
        out[start:start + tag_len] = html.script_tag(store)
        return SignedText(bytes(out), chosen)


#: Signing passes allowed to lay out an A.8 wrapper at its exact length (1-2 in practice).
_A8_ATTEMPTS = 16
# UTF-8 bytes kept in hand for the second pass: the spread of "bytes below 16" among the
# ~100 random bytes of a new signature and assertion hashes (s.d. ~3) is well inside it.
_A8_MARGIN = 48


#: DataHashSigner.shape() -> the unpadded wrapper length of the last store signed in that
#: shape, less its digest's bytes >= 16: the next text's first estimate (per process).
_a8_base: dict[tuple[Any, ...], int] = {}


def _sign_unpadded(signer: _c2pa.DataHashSigner, body: bytes) -> bytes:
    """Sign so that the wrapper ends exactly where its declared manifest length ends.

    The circularity: the exclusion (the wrapper's UTF-8 length) is inside the signed manifest,
    and that length depends on the manifest's bytes (a byte below 16 becomes a 3-byte
    selector, any other a 4-byte one). The store's size is fixed by the placeholder; what
    varies is how many of its bytes are below 16 (with the signature and assertion hashes).
    The COSE ``pad`` of the signature's unprotected header, zeros that the signature does not
    cover, absorbs the difference: sign with a length a little above the first store's, then
    turn exactly that many pad zeros (3-byte selectors) into 0x10 (4-byte selectors).
    """
    digest = hashlib.sha256(body).digest()
    large = sum(b >= 16 for b in digest)  # each such byte is a 4-byte selector, not 3
    # The first estimate: the wrapper of the last store signed in this shape (same signing
    # context, same definition length...), less its digest's share; else the size probe's
    # (its hash was 32 zero bytes). Either is an estimate: a miss costs one signing pass.
    shape = signer.shape()
    base = _a8_base.get(shape)
    if base is None:
        base = unstructured.wrapper_length(signer.probe)
    length = base + large + _A8_MARGIN
    for _ in range(_A8_ATTEMPTS):
        store = signer.sign(digest, [(len(body), length)])
        unpadded = unstructured.wrapper_length(store)
        short = length - unpadded
        pad = _c2pa.cose_pad(store)
        if len(_a8_base) > 64:
            _a8_base.clear()
        _a8_base[shape] = unpadded - large
        if short == 0:
            return store
        if pad is not None and 0 < short <= pad[1]:
            start = pad[0]
            return store[:start] + b"\x10" * short + store[start + short:]
        length = unpadded + _A8_MARGIN
    raise SigningError(
        "could not lay out the A.8 wrapper at its exact length",
        hint="sign again, or use --carrier sidecar; please report this with the key type",
    )


def _is_html(name: str, data: bytes) -> bool:
    return is_html_name(name) or b"<html" in data[:4096].lower()


def _sign_detached(
    data: bytes, name: str, carrier: Carrier, manifest: dict[str, Any], identity: Identity,
    trust_pem: str | None, tsa_url: str | None, manifest_url: str | None,
    parent: ExternalParent | None, ekus: str | None = None,
    identity_assertion: bool = True, parts: tuple[Component, ...] = (),
) -> SignedText:
    if carrier == "link":
        if not manifest_url:
            raise InputError("--carrier link needs --manifest-url URL",
                             hint="the URL where you will publish the .c2pa file")
        if not _is_html(name, data):
            raise InputError(f"{name} is not an HTML document",
                             hint="--carrier link is for HTML; use --carrier sidecar")
        offset, before, after = html.insert_point(data)
        data = data[:offset] + before + html.link_tag(manifest_url) + after + data[offset:]
    store = _c2pa.sign_sidecar(manifest, _TEXT_MIME, data, identity, trust_pem=trust_pem,
                               tsa_url=tsa_url, parent=parent, ekus=ekus,
                               identity_assertion=identity_assertion, ingredients=parts)
    return SignedText(data, carrier, store)


def sign_text(
    text: str,
    *,
    identity: Identity,
    claim: HumanClaim | None = None,
    carrier: Carrier = "unstructured",
    name: str = "text.txt",
    trust: TrustStore | None = None,
    tsa_url: str | None = None,
    parent: str | None = None,
    replace: bool = False,
) -> str:
    """Sign ``text`` and return it with its manifest embedded (``unstructured`` by default;
    ``structured`` and ``html`` use ``name``'s type for the comment syntax). The identity is
    passed by keyword, as to :func:`provenance.sign` and :func:`provenance.sign_bytes`.

    Raises:
        InputError: for ``sidecar``/``link`` (they need files: use :func:`provenance.sign`),
            or as :func:`sign_text_bytes`.
    """
    if carrier in ("sidecar", "link"):
        raise InputError(f"sign_text embeds; the {carrier} carrier writes a separate file",
                         hint="use provenance.sign(path, carrier=...) for files")
    signed = sign_text_bytes(
        text.encode("utf-8"), name=name, identity=identity, claim=claim, carrier=carrier,
        parent=parent.encode("utf-8") if parent is not None else None, trust=trust,
        tsa_url=tsa_url, replace=replace,
    )
    return signed.data.decode("utf-8")


# -- reading ----------------------------------------------------------------------------------


def _failure_report(name: str, carrier: Carrier, code: str, explanation: str) -> Report:
    return Report(path=name, media_type=_TEXT_MIME, status="invalid", origin="unknown",
                  carrier=carrier, failures=(Failure(code, explanation),))


def _external(
    name: str, data: bytes, store: bytes, carrier: Carrier, trust: TrustStore,
    expected: list[tuple[int, int]],
) -> Report:
    return _external_read(name, data, store, carrier, trust, expected)[0]


def _external_read(
    name: str, data: bytes, store: bytes, carrier: Carrier, trust: TrustStore,
    expected: list[tuple[int, int]],
) -> tuple[Report, _c2pa.ManifestStore | None]:
    """As :func:`_external`, and what c2pa read (None when unreadable): one read gives the
    registry both its verdict and the manifest store."""
    try:
        read, exclusions = _c2pa.read_external(_TEXT_MIME, data, store, trust_pem=trust.pem(),
                                                 ekus=trust.eku_config())
    except _c2pa.ManifestUnreadable as exc:
        return _failure_report(name, carrier, "manifest.unreadable",
                               f"the manifest is corrupt and cannot be read: {exc}"), None
    found = _discount_external_location(read)
    report = build_report(name, _TEXT_MIME, found, anchors=trust)
    extra: list[Failure] = []
    # The spec's rule, checked here because c2pa cannot locate an external manifest: the
    # hash's exclusions must be exactly the carrier's bytes.
    if exclusions != expected:
        extra.append(Failure(
            "assertion.dataHash.malformed",
            "the signed exclusion range does not match where the manifest sits in the text",
        ))
    if not extra:
        return _with(report, carrier=carrier), read
    return _with(report, carrier=carrier, status="invalid",
                 failures=report.failures + tuple(extra)), read


def _with(report: Report, **changes: Any) -> Report:
    from dataclasses import replace

    return replace(report, **changes)


def _discount_external_location(found: _c2pa.ManifestStore) -> _c2pa.ManifestStore:
    """Drop the one failure c2pa reports for every external manifest with exclusions ("data
    hash exclusion does not match the manifest location"), and only when the data hash itself
    matched; anything else stays a failure."""
    results = found.store.get("validation_results") or {}
    active = results.get("activeManifest") or {}
    success = active.get("success") or []
    failures = active.get("failure") or []
    if not any(e.get("code") == "assertion.dataHash.match" for e in success):
        return found
    spurious = [e for e in failures if e.get("code") == "assertion.dataHash.mismatch"
                and _MISMATCH_EXTERNAL in str(e.get("explanation", ""))]
    if len(spurious) != 1:
        return found
    return with_active_failures(found, [e for e in failures if e is not spurious[0]])


def _a8(data: bytes, name: str) -> Report | tuple[bytes, unstructured.Wrapper] | None:
    """The one A.8 wrapper of ``data`` and the NFC bytes its hash covers; a failure Report
    when there are several; None when there is none.

    Decoded in two parts split at the first U+FEFF: the text before it holds no wrapper, and
    decoded whole, the wrapper's selectors (outside the Basic Multilingual Plane) would make
    Python store the whole text at 4 bytes a character. NFC of the two parts is NFC of the
    whole: U+FEFF starts the second part and composes with nothing.

    Raises:
        InputError: not UTF-8.
    """
    cut = data.find(b"\xef\xbb\xbf")
    if cut == -1:
        _decode(data, name)  # only the UTF-8 check: without U+FEFF there is no wrapper
        return None
    try:
        body = data[:cut].decode("utf-8")
        tail = data[cut:].decode("utf-8")
    except UnicodeDecodeError:
        _decode(data, name)  # raises the message with the offending byte's offset
        raise
    normal_tail = nfc(tail)
    wrappers = unstructured.find_wrappers(normal_tail, limit=2)
    if len(wrappers) > 1:
        count = unstructured.count_wrappers(normal_tail)
        return _failure_report(name, "unstructured", "manifest.text.multipleWrappers",
                               f"the text holds {count} manifest wrappers")
    if not wrappers:
        return None
    normal_body = nfc(body)
    if normal_body is body and normal_tail is tail:  # already NFC: the bytes are the input
        hashed, shift = data, cut
    else:
        head = normal_body.encode("utf-8")
        hashed, shift = head + normal_tail.encode("utf-8"), len(head)
    w = wrappers[0]
    chars = len(normal_body)
    return hashed, unstructured.Wrapper(w.char_start + chars, w.char_end + chars,
                                        w.byte_start + shift, w.byte_length, w.store)


def _shown(reference: str, limit: int = 100) -> str:
    """A manifest reference as a message shows it: cut to ``limit`` characters (a hostile
    block's "reference" can be a megabyte of text)."""
    return reference if len(reference) <= limit else reference[:limit] + "..."


def inspect_text_bytes(
    data: bytes,
    *,
    name: str,
    trust: TrustStore | None = None,
    sidecar: bytes | None = None,
) -> Report:
    """Describe the provenance of UTF-8 text ``data`` (any carrier; ``sidecar`` is the content
    of a detached ``.c2pa`` store found beside the file, if any).

    Raises:
        InputError: the data is not UTF-8 text.
    """
    report = _inspect_text_bytes(data, name=name, trust=trust, sidecar=sidecar)
    mime = media_type_for(name)
    return report if report.media_type == mime else _with(report, media_type=mime)


def _inspect_text_bytes(data: bytes, *, name: str, trust: TrustStore | None,
                        sidecar: bytes | None) -> Report:
    store_trust = trust if trust is not None else TrustStore.installed()
    # (1) A.8: invisible wrapper. Offsets are in the NFC text.
    found = _a8(data, name)
    if isinstance(found, Report):
        return found
    if found is not None:
        hashed, w = found
        if w.store is None:
            return _failure_report(name, "unstructured", "manifest.text.corruptedWrapper",
                                   "the invisible manifest wrapper is damaged")
        return _external(name, hashed, w.store, "unstructured", store_trust,
                         [(w.byte_start, w.byte_length)])
    # (2) A.7: inline script in HTML.
    scripts = html.find_scripts(data)
    if len(scripts) > 1:
        return _failure_report(name, "html", "manifest.html.multipleManifests",
                               f"the page holds {len(scripts)} inline manifests")
    if scripts:
        s = scripts[0]
        if s.store is None:
            return _failure_report(name, "html", "manifest.html.invalidManifest",
                                   "the inline manifest is not valid base64")
        return _external(name, data, s.store, "html", store_trust, [(s.start, s.length)])
    # (3) A.9: armoured block.
    blocks = structured.find_blocks(data)
    if len(blocks) > 1:
        return _failure_report(name, "structured", "manifest.structuredText.multipleReferences",
                               f"the file holds {len(blocks)} manifest blocks")
    if blocks:
        b = blocks[0]
        if not b.reference:
            return _failure_report(name, "structured", "manifest.structuredText.emptyReference",
                                   "the manifest block is empty")
        store = structured.decode_reference(b.reference)
        if store is not None:
            return _external(name, data, store, "structured", store_trust,
                             [(b.byte_start, b.byte_length)])
        if sidecar is None:
            return _failure_report(
                name, "structured", "manifest.remoteNotFetched",
                f"the manifest is at {_shown(b.reference)}; fetch it and verify with its "
                ".c2pa file beside the text (remote manifests are not fetched)",
            )
    # (4) A.7 link or a sidecar: the detached store covers the whole file, no exclusion.
    links = html.find_links(data)
    if sidecar is not None:
        return _external(name, data, sidecar, "link" if links else "sidecar", store_trust, [])
    if links:
        return _failure_report(
            name, "link", "manifest.remoteNotFetched",
            f"the manifest is at {_shown(links[0])}; put the .c2pa file beside the page to "
            "verify offline (remote manifests are not fetched)",
        )
    return Report(path=name, media_type=_TEXT_MIME, status="unsigned", origin="unknown")


def inspect_text(text: str, *, name: str = "text.txt", trust: TrustStore | None = None) -> Report:
    """Describe the provenance of ``text`` (embedded carriers only)."""
    return inspect_text_bytes(text.encode("utf-8"), name=name, trust=trust)


def verify_text(
    text: str, *, name: str = "text.txt", trust: TrustStore | None = None,
    policy: Policy | None = None,
) -> Report:
    """Verify ``text``: its Report when the policy holds (default: intact, human origin).

    Raises:
        VerificationFailed: the policy does not hold.
    """
    report = inspect_text(text, name=name, trust=trust)
    reasons = (policy or default_policy()).check(report)
    if reasons:
        raise VerificationFailed(report, reasons)
    return report


def strip_text(text: str) -> str:
    """``text`` without any embedded manifest (A.8 wrappers, A.9 blocks, A.7 inline scripts
    and manifest links); the rest is unchanged byte for byte."""
    wrappers = unstructured.find_wrappers(text)
    if wrappers:
        keep: list[str] = []
        pos = 0
        for w in wrappers:
            keep.append(text[pos:w.char_start])
            pos = w.char_end
        keep.append(text[pos:])
        text = "".join(keep)
    data = text.encode("utf-8")
    cuts: list[tuple[int, int]] = [(b.byte_start, b.byte_length)
                                   for b in structured.find_blocks(data)]
    cuts += [(s.start, s.length) for s in html.find_scripts(data)]
    data = _cut(data, cuts)
    return _cut(data, [(a, b - a) for a, b in html.link_spans(data)]).decode("utf-8")


def _cut(data: bytes, ranges: Iterable[tuple[int, int]]) -> bytes:
    """``data`` without the given ``(start, length)`` ranges (overlaps merged), in one pass."""
    ordered = sorted(ranges)
    if not ordered:
        return data
    keep: list[bytes] = []
    pos = 0
    for start, length in ordered:
        if start > pos:
            keep.append(data[pos:start])
        pos = max(pos, start + length)
    keep.append(data[pos:])
    return b"".join(keep)


def strip_file(source: Path | str, output: Path | str | None = None, *,
               in_place: bool = False) -> Path:
    """Remove the embedded text manifest of a file, writing ``output`` (default
    ``NAME.stripped.EXT``) or the source itself with ``in_place``; atomic, like signing.

    Raises:
        InputError: not a text file, not UTF-8, or no manifest to remove.
        OutputError: the destination cannot be written.
    """
    src = Path(source)
    if not is_text_name(src):
        raise InputError(f"{src}: strip works on text files",
                         hint="media manifests are removed by re-encoding the file")
    data = read_input(src)
    text = _decode(data, str(src))
    stripped = strip_text(text).encode("utf-8")
    if stripped == data:
        raise InputError(f"{src} carries no embedded manifest", hint="nothing to strip")
    dest = src if in_place else Path(output) if output is not None else src.with_name(
        f"{src.stem}.stripped{src.suffix}")
    atomic_write(dest, mode_for(src), lambda fh: fh.write(stripped))
    return dest
