"""The ``c2pa.soft-binding`` assertion (C2PA 2.2 section 18.10) added to a manifest at sign time.

CDDL: ``alg`` (from the C2PA soft-binding algorithm list), ``blocks`` = ``[{scope, value}]``,
``pad`` (required). c2pa-rs types ``value`` as a string: the ISCC code in its canonical
``ISCC:...`` form. The scope is empty: the binding covers the whole asset.
"""

from __future__ import annotations

from typing import Any

from provenance.fingerprint import ISCC_ALG, Fingerprint, fingerprint

__all__ = ["LABEL", "soft_binding", "soft_bindings_of", "with_soft_binding",
           "with_soft_binding_of"]

LABEL = "c2pa.soft-binding"


def soft_binding(value: str, alg: str = ISCC_ALG) -> dict[str, Any]:
    """The assertion (label and data) for one whole-asset soft binding."""
    return {"label": LABEL, "data": {"alg": alg, "blocks": [{"scope": {}, "value": value}],
                                     "pad": []}}


def with_soft_binding(manifest: dict[str, Any], data: bytes, mime: str) -> dict[str, Any]:
    """``manifest`` plus the ``io.iscc.v0`` soft binding of ``data`` (its content as signed),
    or ``manifest`` unchanged for types that are not fingerprinted (documents, SVG), content
    that cannot be decoded, and audio or video when their extractor is not installed."""
    return with_soft_binding_of(manifest, data, mime)[0]


def with_soft_binding_of(manifest: dict[str, Any], data: bytes, mime: str,
                         ) -> tuple[dict[str, Any], Fingerprint | None]:
    """As :func:`with_soft_binding`, and the :class:`Fingerprint` it was made from (None when
    there is none): registering the signed file reuses it instead of computing it again."""
    fp = fingerprint(data, mime)
    if fp is None:
        return manifest, None
    return {**manifest, "assertions": [*manifest.get("assertions", []),
                                       soft_binding(fp.iscc)]}, fp


def soft_bindings_of(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    """``(alg, value)`` of every soft-binding block in a manifest as c2pa reads it back."""
    out: list[tuple[str, str]] = []
    for a in manifest.get("assertions") or []:
        if not isinstance(a, dict) or not str(a.get("label", "")).startswith(LABEL):
            continue
        d = a.get("data") or {}
        alg = d.get("alg")
        for block in d.get("blocks") or []:
            value = block.get("value") if isinstance(block, dict) else None
            if isinstance(alg, str) and isinstance(value, str):
                out.append((alg, value))
    return out
