"""Reading c2pa's manifest store and validation results into a Report (pure).

c2pa's ``validation_state`` alone is not enough: a ``Valid`` state can carry
``signingCredential.untrusted``, and an ingredient's failure does not fail its parent. The
report is built from the status codes themselves.
"""

from __future__ import annotations

from typing import Any

from provenance import _c2pa
from provenance.origin import OriginClass, classify_source_type, combine
from provenance.report import (
    Failure,
    IdentityReport,
    IdentityStatus,
    IngredientReport,
    Report,
    SignerInfo,
    Status,
    TimestampInfo,
)
from provenance.trust import TrustStore

__all__ = ["build_report", "with_active_failures"]

# Codes that say "intact but the signer is not on our trust list"; everything else in a
# failure list means the asset or its manifest is broken.
_UNTRUSTED = frozenset({"signingCredential.untrusted"})

_EXPLAIN = {
    "signingCredential.untrusted": "the signer's certificate does not chain to a trusted root",
    "assertion.dataHash.mismatch": "the content was changed after signing",
    "assertion.bmffHash.mismatch": "the content was changed after signing",
    "assertion.boxesHash.mismatch": "the content was changed after signing",
    "assertion.hashedURI.mismatch": "the manifest was changed after signing",
    "claimSignature.mismatch": "the signature does not match the claim",
    "signingCredential.expired": "the signing certificate had expired",
    "signingCredential.revoked": "the signing certificate was revoked",
    "signingCredential.invalid": "the signing certificate is not valid",
    "manifest.unreadable": "the manifest is corrupt and cannot be read",
}



def build_report(path: str | None, mime: str, found: _c2pa.ManifestStore, *,
                 anchors: TrustStore | None = None) -> Report:
    """Turn c2pa's manifest store and validation results into a Report (pure)."""
    store = found.store
    manifests: dict[str, Any] = store.get("manifests") or {}
    label = store.get("active_manifest") or ""
    active: dict[str, Any] = manifests.get(label) or {}
    results = store.get("validation_results") or {}
    all_codes = _failures(results.get("activeManifest"), store.get("validation_status"))
    # CAWG identity codes are a layer of their own (reported in ``identities``): an untrusted
    # or broken identity assertion does not make the asset's manifest invalid.
    codes = [c for c in all_codes if not _is_cawg(c.code)]
    status = _status(codes, found.validation_state,
                     (results.get("activeManifest") or {}).get("success") or [],
                     cawg_only=len(codes) < len(all_codes))
    failures = list(codes)
    ingredients = _ingredients(active, manifests, results.get("ingredientDeltas") or [],
                               found.signatures)
    for ing in ingredients:
        failures.extend(Failure(f.code, f.explanation, ing.title or "ingredient")
                        for f in ing.failures)
    failures = list(dict.fromkeys(failures))  # c2pa may report one problem twice
    types = _source_types(active)
    origin = combine([*(classify_source_type(t) for t in types),
                      *(i.origin for i in ingredients)])
    return Report(
        path=path,
        media_type=mime,
        status=status,
        origin=origin,
        signer=_signer(active, found.signatures.get(label), status == "trusted", anchors),
        identities=_identities(active, results.get("activeManifest")),
        timestamp=_timestamp(found.signatures.get(label),
                             (results.get("activeManifest") or {}).get("success") or []),
        signed_at=_signed_at(active),
        author=_author(active),
        ai_training=_ai_training(active),
        ingredients=tuple(ingredients),
        failures=tuple(failures),
        claim_generator=_claim_generator(active),
        title=active.get("title"),
        digital_source_types=tuple(types),
        manifest_store=store,
    )


def _failures(active_results: dict[str, Any] | None, legacy: Any) -> list[Failure]:
    entries: list[dict[str, Any]] = []
    if isinstance(active_results, dict):
        entries = list(active_results.get("failure") or [])
    elif isinstance(legacy, list):
        entries = [e for e in legacy if isinstance(e, dict)]
    out = []
    for e in entries:
        code = str(e.get("code", "unknown"))
        out.append(Failure(code, _EXPLAIN.get(code) or str(e.get("explanation") or code)))
    return out


def _status(failures: list[Failure], state: str | None,
            success: list[dict[str, Any]] | None = None, *, cawg_only: bool = False) -> Status:
    """The manifest's status from its (non-CAWG) failure codes and c2pa's state.

    ``cawg_only``: CAWG codes were set aside; should c2pa have let them lower its state, the
    C2PA codes alone decide (``signingCredential.trusted`` among the successes).
    """
    if any(f.code not in _UNTRUSTED for f in failures):
        return "invalid"
    if state == "Invalid" and not cawg_only:
        return "invalid"
    if state == "Trusted":
        return "trusted"
    if cawg_only and not failures and any(
            e.get("code") == "signingCredential.trusted" for e in success or []):
        return "trusted"
    return "valid"


def _is_cawg(code: str) -> bool:
    return code.startswith("cawg.")


# CAWG codes that say "the identity's credential is not on a trust list" (or merely
# well-formed): the named actor is unproven, which is not tampering.
_CAWG_NOT_TRUSTED_MARKERS = ("untrusted", "well-formed", "well_formed", "not_trusted")


def _identities(active: dict[str, Any], results: dict[str, Any] | None) -> tuple[
        IdentityReport, ...]:
    """One entry per CAWG identity assertion of the active manifest, with its own codes."""
    entries: dict[str, dict[str, Any]] = {}
    for a in active.get("assertions") or []:
        label = str(a.get("label", ""))
        if label.split("__")[0] == "cawg.identity":
            data = a.get("data")
            entries[label] = data if isinstance(data, dict) else {}
    failing: dict[str, list[str]] = {}
    passing: dict[str, list[str]] = {}
    for kind, target in (("failure", failing), ("success", passing),
                         ("informational", passing)):
        for e in (results or {}).get(kind) or []:
            code = str(e.get("code", ""))
            if not _is_cawg(code):
                continue
            url = str(e.get("url") or "")
            label = url.rsplit("/", 1)[-1] if "cawg.identity" in url else ""
            if label not in entries:
                # A code that names no identity assertion we know belongs to all of them
                # (or, when there is none, to one that c2pa found and we did not decode).
                label = next(iter(entries), label or "cawg.identity")
                entries.setdefault(label, {})
            target.setdefault(label, []).append(code)
    out = []
    for label, data in entries.items():
        bad = failing.get(label, [])
        good = passing.get(label, [])
        status: IdentityStatus
        if any(not any(m in c for m in _CAWG_NOT_TRUSTED_MARKERS) for c in bad):
            status = "invalid"
        elif "cawg.identity.trusted" in good and not bad:
            status = "trusted"
        else:
            status = "valid"
        raw = data.get("signer_payload")
        payload: dict[str, Any] = raw if isinstance(raw, dict) else {}
        sig_type = payload.get("sig_type") or data.get("sig_type")
        roles = payload.get("role") or payload.get("roles") or []
        out.append(IdentityReport(
            label=label,
            sig_type=str(sig_type) if sig_type else None,
            name=_identity_name(data),
            roles=tuple(str(r) for r in roles if isinstance(r, str)) if isinstance(
                roles, list) else (),
            status=status,
            codes=tuple(dict.fromkeys(bad + good)),
        ))
    return tuple(out)


def _identity_name(data: dict[str, Any]) -> str | None:
    """The named actor of a decoded identity assertion: an X.509 credential's subject, or the
    first verified identity of an identity claims aggregation."""
    for key in ("named_actor", "signature_info", "credential_subject", "credentialSubject"):
        node = data.get(key)
        if isinstance(node, dict):
            for field in ("name", "common_name", "cn"):
                if isinstance(node.get(field), str) and node[field]:
                    return str(node[field])
            verified = node.get("verifiedIdentities")
            if isinstance(verified, list):
                for v in verified:
                    if isinstance(v, dict) and (v.get("name") or v.get("username")):
                        return str(v.get("name") or v.get("username"))
    verified = data.get("verifiedIdentities")
    if isinstance(verified, list):
        for v in verified:
            if isinstance(v, dict) and (v.get("name") or v.get("username")):
                return str(v.get("name") or v.get("username"))
    return None


def _ingredients(
    active: dict[str, Any],
    manifests: dict[str, Any],
    deltas: list[dict[str, Any]],
    signatures: dict[str, dict[str, Any]],
    depth: int = 0,
) -> list[IngredientReport]:
    out: list[IngredientReport] = []
    for ing in active.get("ingredients") or []:
        label = ing.get("active_manifest")
        man = manifests.get(label) if label else None
        codes = _failures((ing.get("validation_results") or {}).get("activeManifest"),
                          ing.get("validation_status"))
        # Deltas found when the whole store was validated again at read time.
        # c2pa validates each ingredient again at read time, with the VERIFIER's trust
        # anchors; its verdict (the deltas) overrides what was recorded at signing time.
        ing_label = str(ing.get("label") or "")
        trusted = _trusted((ing.get("validation_results") or {}).get("activeManifest"))
        for delta in deltas:
            uri = str(delta.get("ingredientAssertionURI") or "")
            if ing_label and uri.endswith("/" + ing_label):
                vd = delta.get("validationDeltas") or {}
                if _trusted(vd):
                    trusted = True
                    codes = [c for c in codes if c.code not in _UNTRUSTED]
                codes += [c for c in _failures(vd, None) if c not in codes]
        codes = [c for c in codes if not _is_cawg(c.code)]  # a layer of their own
        if man is None:
            status: Status = "unsigned"
            origin: OriginClass = "unknown"
        else:
            status = _status(codes, None if codes else "Trusted" if trusted else "Valid")
            nested = _ingredients(man, manifests, [], signatures, depth + 1) \
                if depth < 16 else []
            origin = combine([*(classify_source_type(t) for t in _source_types(man)),
                              *(n.origin for n in nested)])
        out.append(IngredientReport(
            title=ing.get("title"),
            relationship=ing.get("relationship"),
            status=status,
            origin=origin,
            signer=_signer(man, signatures.get(label or ""), status == "trusted", None)
            if man else None,
            failures=tuple(codes),
        ))
    return out


def _trusted(results: dict[str, Any] | None) -> bool:
    success = (results or {}).get("success") or []
    return any(e.get("code") == "signingCredential.trusted" for e in success)


def _assertions(manifest: dict[str, Any], *labels: str) -> list[dict[str, Any]]:
    out = []
    for a in manifest.get("assertions") or []:
        base = str(a.get("label", "")).split("__")[0]
        if base in labels and isinstance(a.get("data"), dict):
            out.append(a["data"])
    return out


def _actions(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return [act for data in _assertions(manifest, "c2pa.actions", "c2pa.actions.v2")
            for act in data.get("actions") or [] if isinstance(act, dict)]


def _source_types(manifest: dict[str, Any]) -> list[str]:
    types = []
    for act in _actions(manifest):
        dst = act.get("digitalSourceType")
        if isinstance(dst, str) and dst:
            types.append(dst)
    return types


def _signer(manifest: dict[str, Any] | None, signature: dict[str, Any] | None,
            trusted: bool, anchors: TrustStore | None) -> SignerInfo | None:
    if not manifest:
        return None
    info = manifest.get("signature_info") or {}
    cert = (signature or {}).get("certificateInfo") or {}
    issuer = None
    anchor = None
    if isinstance(cert.get("issuer"), dict):
        issuer = ", ".join(f"{k}={v}" for k, v in cert["issuer"].items())
        if trusted and anchors is not None:
            anchor = anchors.find_anchor(cert["issuer"])
    if not info and not cert:
        return None
    return SignerInfo(
        name=info.get("common_name"),
        organization=info.get("issuer"),  # c2pa names the signer's own O field "issuer"
        issuer=issuer,
        trusted=trusted,
        algorithm=str(info["alg"]).lower() if info.get("alg") else None,
        anchor=anchor[0] if anchor else None,
        trust_list=anchor[1] if anchor else None,
        serial=str(cert["serialNumber"]).lower() if cert.get("serialNumber") else None,
    )


def _timestamp(signature: dict[str, Any] | None,
               success: list[dict[str, Any]]) -> TimestampInfo | None:
    ts = (signature or {}).get("timeStampInfo")
    if not isinstance(ts, dict) or not ts.get("timestamp"):
        return None
    subject = (ts.get("certificateInfo") or {}).get("subject") or {}
    tsa = ", ".join(f"{k}={v}" for k, v in subject.items()) if isinstance(subject, dict) \
        else None
    trusted = any(e.get("code") == "timeStamp.trusted" for e in success)
    return TimestampInfo(time=str(ts["timestamp"]), tsa=tsa or None, trusted=trusted)


def _signed_at(manifest: dict[str, Any]) -> str | None:
    info = manifest.get("signature_info") or {}
    if info.get("time"):  # the RFC 3161 time when there is a timestamp
        return str(info["time"])
    for act in _actions(manifest):
        if act.get("when"):
            return str(act["when"])
    return None


def _author(manifest: dict[str, Any]) -> str | None:
    names: list[str] = []
    for data in _assertions(manifest, "cawg.metadata"):
        creators = data.get("dc:creator") or []
        if isinstance(creators, str):
            creators = [creators]
        names.extend(str(c) for c in creators if isinstance(c, str) and c)
    # The deprecated schema.org form, which older manifests (ours included) carry.
    for data in _assertions(manifest, "stds.schema-org.CreativeWork"):
        authors = data.get("author") or []
        if isinstance(authors, dict):
            authors = [authors]
        for a in authors:
            if isinstance(a, dict) and a.get("name"):
                names.append(str(a["name"]))
    return ", ".join(names) or None


def _ai_training(manifest: dict[str, Any]) -> str | None:
    for data in _assertions(manifest, "c2pa.training-mining", "cawg.training-mining"):
        entries = data.get("entries") or {}
        for key in ("c2pa.ai_training", "cawg.ai_training", "c2pa.ai_generative_training",
                    "cawg.ai_generative_training"):
            use = (entries.get(key) or {}).get("use")
            if use in ("allowed", "notAllowed", "constrained"):
                return str(use)
    return None


def _claim_generator(manifest: dict[str, Any]) -> str | None:
    infos = manifest.get("claim_generator_info")
    if isinstance(infos, list) and infos and isinstance(infos[0], dict):
        first = infos[0]
        return f"{first.get('name', '')} {first.get('version', '')}".strip() or None
    gen = manifest.get("claim_generator")
    return str(gen) if gen else None


def with_active_failures(found: _c2pa.ManifestStore, failures: list[dict[str, Any]], *,
                         cawg_layer: bool = False) -> _c2pa.ManifestStore:
    """``found`` with the active manifest's failure list replaced by ``failures``, and c2pa's
    validation state recomputed from what is left: ``Invalid`` when a failure other than
    ``signingCredential.untrusted`` remains (``cawg_layer``: ``cawg.*`` codes do not count
    either), else ``Trusted`` when c2pa reported ``signingCredential.trusted``, else ``Valid``.
    """
    results: dict[str, Any] = found.store.get("validation_results") or {}
    active: dict[str, Any] = results.get("activeManifest") or {}
    success = active.get("success") or []
    store = dict(found.store)
    store["validation_results"] = {**results, "activeManifest": {**active, "failure": failures}}

    def counts(code: str) -> bool:
        return code != "signingCredential.untrusted" and not (
            cawg_layer and code.startswith("cawg."))

    if any(counts(str(e.get("code", ""))) for e in failures):
        state = "Invalid"
    elif any(e.get("code") == "signingCredential.trusted" for e in success):
        state = "Trusted"
    else:
        state = "Valid"
    return _c2pa.ManifestStore(store=store, validation_state=state,
                               signatures=found.signatures)
