"""The sidecar carrier: a ``NAME.EXT.c2pa`` manifest store beside any file, binding its bytes
with a plain data hash; signed, found and read."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from provenance import _c2pa
from provenance._files import read_input
from provenance.carriers import html, is_text_name
from provenance.carriers.media import default_claim
from provenance.claims import HumanClaim
from provenance.components import components, with_placed
from provenance.fingerprint.assertion import with_soft_binding
from provenance.formats import check_structure, identify
from provenance.identity import Identity, check_usable
from provenance.options import SignOptions
from provenance.reading import build_report
from provenance.report import Failure, Report
from provenance.trust import TrustStore

__all__ = ["OPAQUE_MIME", "detached_store", "read", "sidecar_path", "sign_store"]

#: A sidecar binds the whole file with a plain data hash (no exclusions). c2pa hashes some
#: types format-aware even when the manifest is not embedded (a PDF sidecar then fails to
#: verify), so every non-text file is hashed as opaque bytes.
OPAQUE_MIME = "application/octet-stream"
SIDECAR_HASH_MIME = {"text/plain": "text/plain"}


def sidecar_path(path: Path) -> Path:
    """``NAME.EXT.c2pa`` beside ``path``."""
    return path.with_name(path.name + ".c2pa")


def sign_store(data: bytes, name: str, *, identity: Identity, options: SignOptions,
               trust: TrustStore | None) -> tuple[str, bytes]:
    """Sign ``data`` (named ``name``) into a detached manifest store.

    Returns ``(media_type, store)``.

    Raises:
        IdentityError: the certificate is not usable now.
        InputError: the content is not what its name says.
        SigningError: c2pa refused to sign.
    """
    check_usable(identity)
    claim = options.claim_for(name)
    if is_text_name(name):
        mime, human = "text/plain", claim or HumanClaim("creation")
    else:
        mtype = identify(name, data)
        check_structure(name, mtype, data)
        mime, human = mtype.mime, default_claim(mtype, claim, False)
    anchors = trust if trust is not None else TrustStore.installed()
    manifest = with_soft_binding(human.manifest(title=Path(name).name, has_parent=False),
                                 data, mime)
    parts = components(options) if options.ingredients else ()
    manifest = with_placed(manifest, parts)
    store = _c2pa.sign_sidecar(manifest,
                               SIDECAR_HASH_MIME.get(mime, OPAQUE_MIME), data, identity,
                               trust_pem=anchors.pem(), tsa_url=options.tsa_url,
                               ekus=anchors.eku_config(),
                               identity_assertion=options.identity_assertion,
                               ingredients=parts)
    return mime, store


def detached_store(path: Path, data: bytes) -> bytes | None:
    """The detached manifest for ``path``: ``NAME.EXT.c2pa`` beside it, or for an HTML page
    the local file its ``<link rel="c2pa-manifest">`` names (never fetched)."""
    candidates = [sidecar_path(path)]
    for href in html.find_links(data) if data else []:
        name = Path(urlsplit(href).path).name
        if name:
            candidates.append(path.with_name(name))
    for c in candidates:
        if c.is_file():
            try:
                return c.read_bytes()
            except OSError:
                continue
    return None


def read(path: Path, display: str, mime: str, sidecar: bytes, store: TrustStore) -> Report:
    """The Report of the file at ``path`` against its detached manifest ``sidecar``."""
    data = read_input(path)
    try:
        found, _ = _c2pa.read_external(OPAQUE_MIME, data, sidecar, trust_pem=store.pem(),
                                       ekus=store.eku_config())
    except _c2pa.ManifestUnreadable as exc:
        return Report(path=display, media_type=mime, status="invalid", origin="unknown",
                      carrier="sidecar",
                      failures=(Failure("manifest.unreadable",
                                        f"the sidecar manifest cannot be read: {exc}"),))
    return replace(build_report(display, mime, found, anchors=store), carrier="sidecar")
