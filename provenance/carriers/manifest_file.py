"""A manifest store on its own: a ``.c2pa`` file named for verification.

Beside its asset (``NAME.EXT.c2pa`` with ``NAME.EXT`` present) it is judged against that asset,
as a sidecar. Alone, there is nothing to hash: its claim signature, certificate and assertion
hashes are judged, and the hard binding is reported as not checked (``asset_binding``), never as
tampering: c2pa-rs would compare the binding with the store's own bytes.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from provenance import _c2pa
from provenance._files import open_input, read_input
from provenance.carriers import is_text_name, sidecar, text
from provenance.formats import identify
from provenance.reading import build_report, with_active_failures
from provenance.report import Failure, Report
from provenance.trust import TrustStore

__all__ = ["MIME", "read"]

MIME = "application/c2pa"

#: Hard-binding codes that, for a store read without its asset, compare the binding with the
#: store's own bytes and so mean nothing.
_BINDING_CODES = frozenset({
    "assertion.dataHash.mismatch", "assertion.bmffHash.mismatch",
    "assertion.boxesHash.mismatch", "assertion.collectionHash.mismatch",
})


def asset_of(path: Path) -> Path | None:
    """The asset a ``NAME.EXT.c2pa`` belongs to, when it is there."""
    asset = path.with_name(path.name[: -len(".c2pa")])
    return asset if asset.suffix and asset.is_file() else None


def read(path: Path, display: str, trust: TrustStore) -> Report:
    """Judge the manifest store in ``path`` (see the module docstring)."""
    asset = asset_of(path)
    if asset is not None:
        store = read_input(path)
        if is_text_name(asset):
            return text.inspect_text_bytes(read_input(asset), name=str(asset), trust=trust,
                                           sidecar=store)
        with open_input(asset) as fh:
            head = fh.read(4096)
        return sidecar.read(asset, str(asset), identify(str(asset), head).mime, store, trust)
    with open_input(path) as stream:
        try:
            found = _c2pa.read_manifest(MIME, stream, trust_pem=trust.pem(),
                                        ekus=trust.eku_config())
        except _c2pa.ManifestUnreadable as exc:
            return Report(path=display, media_type=MIME, status="invalid", origin="unknown",
                          carrier="manifest-store",
                          failures=(Failure("manifest.unreadable",
                                            f"the manifest is corrupt and cannot be read: "
                                            f"{exc}"),))
    if found is None:
        return Report(
            path=display, media_type=MIME, status="unsigned", origin="unknown",
            failures=(Failure("manifest.notFound",
                              f"{display} holds no C2PA manifest store"),))
    report = build_report(display, MIME, _without_binding(found), anchors=trust)
    return replace(report, carrier="manifest-store",
                   extra={"asset_binding": "not checked: the manifest store was read without "
                          "its asset"})


def _without_binding(found: _c2pa.ManifestStore) -> _c2pa.ManifestStore:
    results: dict[str, Any] = found.store.get("validation_results") or {}
    active: dict[str, Any] = results.get("activeManifest") or {}
    failures = [e for e in active.get("failure") or []
                if e.get("code") not in _BINDING_CODES]
    return with_active_failures(found, failures, cawg_layer=True)
