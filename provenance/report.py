"""Frozen result types of inspection and verification, and their versioned JSON form."""

from __future__ import annotations

import json
from dataclasses import field
from typing import Any, Literal

from provenance._record import record
from provenance.origin import OriginClass

__all__ = [
    "INSPECT_SCHEMA_ID",
    "SCHEMA_ID",
    "DomainStatus",
    "Failure",
    "IdentityReport",
    "IdentityStatus",
    "IngredientReport",
    "Report",
    "SignerInfo",
    "Status",
    "TimestampInfo",
]

#: Every JSON document we emit carries this in its ``schema`` field.
SCHEMA_ID = "provenance.report/v1"

Status = Literal["trusted", "valid", "invalid", "unsigned"]

#: A CAWG identity assertion's own verdict: ``trusted`` (its credential chains to an anchor),
#: ``valid`` (well-formed, credential not trusted: the named actor is unproven), ``invalid``.
IdentityStatus = Literal["trusted", "valid", "invalid"]


@record
class Failure:
    """One validation failure: a C2PA status code (or ours) and a plain-language explanation."""

    code: str
    explanation: str
    ingredient: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        d: dict[str, Any] = {"code": self.code, "explanation": self.explanation}
        if self.ingredient is not None:
            d["ingredient"] = self.ingredient
        return d


@record
class DomainStatus:
    """``signer.domain``: the domain the signing certificate names, and whether that domain's
    published file vouches for the signer's key (None: not checked; see provenance.domain)."""

    name: str
    verified: bool | None
    checked_at: str | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"name": self.name, "verified": self.verified, "checked_at": self.checked_at,
                "reason": self.reason}


@record
class SignerInfo:
    """Who signed: the signing certificate's subject and issuer, and whether it is trusted."""

    name: str | None
    organization: str | None
    issuer: str | None
    trusted: bool
    algorithm: str | None = None
    #: subject of the trust anchor the signer chains to, and the list (file) it came from
    anchor: str | None = None
    trust_list: str | None = None
    #: serial number of the signing certificate (hex), which identifies it exactly
    serial: str | None = None
    #: the author's web domain named by the certificate, and whether it vouches for the key
    domain: DomainStatus | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "name": self.name,
            "organization": self.organization,
            "issuer": self.issuer,
            "trusted": self.trusted,
            "algorithm": self.algorithm,
            "anchor": self.anchor,
            "trust_list": self.trust_list,
            "serial": self.serial,
            "domain": None if self.domain is None else self.domain.to_dict(),
        }


@record
class TimestampInfo:
    """An RFC 3161 timestamp on the signature: when, by which TSA, and whether it is trusted."""

    time: str
    tsa: str | None
    trusted: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"time": self.time, "tsa": self.tsa, "trusted": self.trusted}


@record
class IdentityReport:
    """A CAWG identity assertion: who the manifest says acted, judged on its own layer.

    Its codes never change the manifest's status: an untrusted or broken identity assertion
    is not tampering with the asset.
    """

    label: str
    sig_type: str | None
    name: str | None
    roles: tuple[str, ...]
    status: IdentityStatus
    codes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"label": self.label, "sig_type": self.sig_type, "name": self.name,
                "roles": list(self.roles), "status": self.status, "codes": list(self.codes)}


@record
class IngredientReport:
    """An ingredient (e.g. the parent an edit started from) with its own status and origin."""

    title: str | None
    relationship: str | None
    status: Status
    origin: OriginClass
    signer: SignerInfo | None
    failures: tuple[Failure, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "title": self.title,
            "relationship": self.relationship,
            "status": self.status,
            "origin": self.origin,
            "signer": self.signer.to_dict() if self.signer else None,
            "failures": [f.to_dict() for f in self.failures],
        }


@record
class Report:
    """What an asset's provenance says, judged by its cryptography but not by any policy.

    ``status``: ``trusted`` (intact, signer chains to a trust anchor), ``valid`` (intact, signer
    not trusted), ``invalid`` (tampered, broken or expired), ``unsigned`` (no manifest).
    ``origin``: over the active manifest and every ingredient.
    """

    path: str | None
    media_type: str | None
    status: Status
    origin: OriginClass
    signer: SignerInfo | None = None
    signed_at: str | None = None
    author: str | None = None
    ai_training: str | None = None
    ingredients: tuple[IngredientReport, ...] = ()
    failures: tuple[Failure, ...] = ()
    claim_generator: str | None = None
    title: str | None = None
    digital_source_types: tuple[str, ...] = ()
    carrier: str | None = None
    timestamp: TimestampInfo | None = None
    #: CAWG identity assertions of the active manifest (a layer of their own)
    identities: tuple[IdentityReport, ...] = ()
    #: where the manifest is stored when the asset only references it (remote manifest)
    remote_url: str | None = None
    #: manifests found again by fingerprint in a registry (``Match``), best first: never a
    #: cryptographic match; the status stays what the file itself shows
    recovered: tuple[Any, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    #: the manifest store as c2pa read it (``inspect --manifest``); never in the v1 JSON
    manifest_store: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    @property
    def intact(self) -> bool:
        """True when the manifest is present and cryptographically sound (trusted or valid)."""
        return self.status in ("trusted", "valid")

    def to_dict(self) -> dict[str, Any]:
        """The ``provenance.report/v1`` JSON document."""
        d: dict[str, Any] = {
            "schema": SCHEMA_ID,
            "path": self.path,
            "media_type": self.media_type,
            "status": self.status,
            "origin": self.origin,
            "signer": self.signer.to_dict() if self.signer else None,
            "signed_at": self.signed_at,
            "author": self.author,
            "ai_training": self.ai_training,
            "title": self.title,
            "claim_generator": self.claim_generator,
            "digital_source_types": list(self.digital_source_types),
            "carrier": self.carrier,
            "timestamp": self.timestamp.to_dict() if self.timestamp else None,
            "ingredients": [i.to_dict() for i in self.ingredients],
            "failures": [f.to_dict() for f in self.failures],
            "identities": [i.to_dict() for i in self.identities],
            "remote_url": self.remote_url,
        }
        if self.recovered:
            d["recovered"] = [m.to_dict() for m in self.recovered]
        d.update(self.extra)
        return d

    def to_json(self, *, indent: int | None = None) -> str:
        """The report as a JSON string."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


INSPECT_SCHEMA_ID = "provenance.inspect/v1"


def inspect_document(reports: list[dict[str, Any]],
                     errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The single JSON document of ``inspect --json``: every per-file report, no verdict
    (inspect describes; ``provenance.results/v1`` is verification's, with ``passed``)."""
    doc: dict[str, Any] = {"schema": INSPECT_SCHEMA_ID, "results": reports}
    if errors:
        doc["errors"] = errors
    return doc


def results_document(reports: list[dict[str, Any]], *, passed: bool) -> dict[str, Any]:
    """The single JSON document of ``--json``: every per-file report plus the overall verdict."""
    return {"schema": "provenance.results/v1", "passed": passed, "results": reports}
