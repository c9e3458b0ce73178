"""The policies a pipeline combines (``--policy`` files, ``--fail-on``, ``--require-identity``,
the library): defined here and reached as :mod:`provenance.policy`'s names. A default
``provenance verify`` needs none of them, so they are imported when first named."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Sequence
from dataclasses import field
from typing import TYPE_CHECKING

from provenance._record import record
from provenance.origin import OriginClass
from provenance.policy import (
    FAIL_ON_CATEGORIES,
    FailCategory,
    IngredientsIntact,
    Intact,
    Policy,
    TrustedSigner,
    _dn_attrs,
)
from provenance.report import Report

if TYPE_CHECKING:
    from cryptography import x509

__all__ = ["AnyOf", "DomainRequired", "FailOn", "IdentityRequired", "IssuedBy", "MaxAge",
           "NoAIIngredient", "OriginIn", "SignerIdentity", "UnsafeNoOp"]


@record
class IdentityRequired:
    """A CAWG identity assertion names who acted, and (``trusted``, the default) its credential
    chains to a trust anchor. Identity is a layer of its own: this policy is how it counts."""

    trusted: bool = True

    def check(self, report: Report) -> list[str]:
        """Fails without an identity assertion good enough (trusted, or valid when allowed)."""
        if report.status in ("unsigned", "invalid"):
            return []  # Intact says why
        if not report.identities:
            return ["no CAWG identity assertion names who made it"]
        wanted = ("trusted",) if self.trusted else ("trusted", "valid")
        if any(i.status in wanted for i in report.identities):
            return []
        reasons = []
        for i in report.identities:
            who = i.name or i.sig_type or i.label
            if i.status == "valid":
                reasons.append(f"identity {who} not trusted (its credential does not chain to "
                               "a trusted root)")
            else:
                reasons.append(f"identity {who} is invalid ({', '.join(i.codes) or 'broken'})")
        return reasons


@record
class AnyOf:
    """At least one policy must hold."""

    policies: Sequence[Policy]

    def __post_init__(self) -> None:
        if not self.policies:
            raise ValueError("AnyOf needs at least one policy")

    def check(self, report: Report) -> list[str]:
        """Empty if any policy holds, else every reason."""
        results = [p.check(report) for p in self.policies]
        if any(not r for r in results):
            return []
        return [r for rs in results for r in rs]


@record
class UnsafeNoOp:
    """Accepts everything. Only for inspection-like uses; never a verification."""

    def check(self, report: Report) -> list[str]:
        """Always holds."""
        return []


# -- policies for pipelines -------------------------------------------------------------------


def _norm(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


@record
class SignerIdentity:
    """The signer is a given person or organisation: every field given must match.

    Matching is exact after folding case and runs of white space. ``name`` is the signing
    certificate's common name, ``organization`` its O field, ``email`` its e-mail address.
    An unsigned or invalid asset has no signer worth naming and fails.

    Reports made by this version carry no signer e-mail address; an ``email`` rule is then
    checked against a ``SignerInfo.email`` field when one exists and otherwise fails (closed)
    with a reason that says so.
    """

    name: str | None = None
    email: str | None = None
    organization: str | None = None

    def __post_init__(self) -> None:
        if not any((self.name, self.email, self.organization)):
            raise ValueError("SignerIdentity needs a name, an email or an organization")

    def describe(self) -> str:
        """``name <email> (organization)`` with the parts that were given."""
        parts = [self.name or ""]
        if self.email:
            parts.append(f"<{self.email}>")
        if self.organization:
            parts.append(f"({self.organization})")
        return " ".join(p for p in parts if p)

    def check(self, report: Report) -> list[str]:
        """Fails unless the intact signer matches every given field."""
        signer = report.signer
        if not report.intact or signer is None:
            return [f"no intact signature to match against the allowed signer "
                    f"{self.describe()}"]
        wrong = []
        if self.name is not None and _norm(signer.name) != _norm(self.name):
            wrong.append(f"name is {signer.name or 'missing'}")
        if self.organization is not None and \
                _norm(signer.organization) != _norm(self.organization):
            wrong.append(f"organization is {signer.organization or 'missing'}")
        if self.email is not None:
            have = getattr(signer, "email", None)
            if have is None:
                wrong.append("the report does not carry the signer's e-mail address")
            elif _norm(str(have)) != _norm(self.email):
                wrong.append(f"e-mail is {have}")
        if wrong:
            return [f"the signer is not {self.describe()}: {'; '.join(wrong)}"]
        return []


@record
class OriginIn:
    """The asset's origin (over it and every ingredient) is one of ``allowed``."""

    allowed: frozenset[OriginClass] = frozenset({"human"})

    def __post_init__(self) -> None:
        if not self.allowed:
            raise ValueError("OriginIn needs at least one allowed origin")
        bad = set(self.allowed) - {"human", "ai", "mixed", "unknown"}
        if bad:
            raise ValueError(f"unknown origin(s): {', '.join(sorted(bad))} "
                             "(choose from human, ai, mixed, unknown)")

    def check(self, report: Report) -> list[str]:
        """Fails for an intact asset whose origin is not allowed (broken ones: see Intact)."""
        if not report.intact or report.origin in self.allowed:
            return []
        allowed = ", ".join(sorted(self.allowed))
        if report.origin == "unknown":
            return [f"origin is unknown: no origin declaration (allowed: {allowed})"]
        return [f"origin is {report.origin} (allowed: {allowed})"]


# Active-manifest source types that say AI-made material was composited in, even when the
# AI-made ingredient itself is not attached.
_AI_COMPOSITES = frozenset({"compositeWithTrainedAlgorithmicMedia", "compositeSynthetic"})


@record
class NoAIIngredient:
    """No ingredient, at any depth, is AI-made or mixed, and nothing AI-made was composited in.

    The asset's own declaration is :class:`OriginIn`'s business; this one looks at what went
    into it.
    """

    def check(self, report: Report) -> list[str]:
        """Fails for an ingredient of ai or mixed origin, or an AI composite source type."""
        reasons = []
        for ing in report.ingredients:
            if ing.origin in ("ai", "mixed"):
                reasons.append(f"the {ing.relationship or 'ingredient'} "
                               f"{ing.title or 'ingredient'} is {ing.origin} in origin")
        for uri in report.digital_source_types:
            term = uri.rstrip("/").rsplit("/", 1)[-1]
            if term in _AI_COMPOSITES:
                reasons.append(f"the asset declares {term}: AI-made material was composited in")
        return reasons


@record
class IssuedBy:
    """The signer is trusted AND chains to one of the given anchors (by subject name).

    ``subjects`` are RFC 4514 subject names of anchor certificates (``CN=Newsroom Root,O=...``);
    :meth:`from_certificates` takes them from certificates. The signer's issuing CA must be one
    of them, so list an intermediate CA when the signer is issued by one (c2pa accepts an
    intermediate as a trust anchor).
    """

    subjects: tuple[str, ...]
    _attrs: tuple[frozenset[tuple[str, str]], ...] = field(
        init=False, repr=False, compare=False, default=())

    def __post_init__(self) -> None:
        if not self.subjects:
            raise ValueError("IssuedBy needs at least one anchor subject")
        object.__setattr__(self, "_attrs", tuple(_dn_attrs(s) for s in self.subjects))

    @classmethod
    def from_certificates(cls, certificates: Iterable[x509.Certificate]) -> IssuedBy:
        """From certificates (their subjects)."""
        from provenance._dn import format_dn

        return cls(tuple(format_dn(c.subject) for c in certificates))

    def check(self, report: Report) -> list[str]:
        """Fails unless the report is trusted and names one of the anchors as issuer."""
        if report.status != "trusted" or report.signer is None:
            return ["the signer is not trusted, so it does not chain to a required anchor"]
        found = [s for s in (report.signer.anchor, report.signer.issuer) if s]
        for name in found:
            if _dn_attrs(name) in self._attrs:
                return []
        issuer = report.signer.issuer or "unknown"
        return [f"the signer is issued by {issuer}, which is not a required anchor "
                f"({'; '.join(self.subjects)})"]


@record
class MaxAge:
    """The asset was signed at most ``days`` days ago (and not in the future).

    The signing time is the RFC 3161 timestamp when there is one, else the time the signer
    wrote into its actions, which the signer controls.
    """

    days: float
    now: _dt.datetime | None = None

    def __post_init__(self) -> None:
        if not self.days > 0:
            raise ValueError("MaxAge needs a positive number of days")

    def check(self, report: Report) -> list[str]:
        """Fails when the signing time is missing, unreadable, too old or in the future."""
        if not report.intact:
            return []  # Intact says why
        if not report.signed_at:
            return ["the signing time is not recorded, so its age cannot be checked"]
        try:
            when = _dt.datetime.fromisoformat(report.signed_at.replace("Z", "+00:00"))
        except ValueError:
            return [f"the signing time {report.signed_at!r} cannot be read"]
        if when.tzinfo is None:
            when = when.replace(tzinfo=_dt.UTC)
        now = self.now or _dt.datetime.now(_dt.UTC)
        age = now - when
        if age < -_dt.timedelta(minutes=5):
            return [f"the signing time {report.signed_at} is in the future"]
        if age > _dt.timedelta(days=self.days):
            return [f"signed {age.days} days ago, more than the allowed {self.days:g}"]
        return []


@record
class FailOn:
    """Fails exactly when the report falls into one of ``categories`` (``--fail-on``).

    ``unsigned``: no manifest. ``invalid``: tampered or broken, or an ingredient is.
    ``ai``: intact, and of ai or mixed origin or with an AI-made ingredient. ``untrusted``:
    intact but the signer does not chain to a trust anchor. Anything else passes (e.g. an
    intact file of unknown origin).
    """

    categories: frozenset[FailCategory]

    def __post_init__(self) -> None:
        if not self.categories:
            raise ValueError("FailOn needs at least one category")
        bad = set(self.categories) - set(FAIL_ON_CATEGORIES)
        if bad:
            raise ValueError(f"unknown --fail-on value(s): {', '.join(sorted(bad))} "
                             f"(choose from {', '.join(FAIL_ON_CATEGORIES)})")

    def check(self, report: Report) -> list[str]:
        """One reason per matching category."""
        reasons: list[str] = []
        cats = self.categories
        if "unsigned" in cats and report.status == "unsigned":
            reasons += Intact().check(report)
        if "invalid" in cats:
            if report.status == "invalid":
                reasons += Intact().check(report)
            reasons += IngredientsIntact().check(report)
        if "ai" in cats and report.intact:  # a broken declaration is "invalid", not "ai"
            if report.origin in ("ai", "mixed"):
                reasons.append(f"origin is {report.origin}: AI-made material is declared")
            else:
                reasons += NoAIIngredient().check(report)
        if "untrusted" in cats and report.status == "valid":
            reasons += TrustedSigner().check(report)
        return reasons


@record
class DomainRequired:
    """A policy: the signer's domain must vouch for its key (``verify --require-domain``);
    ``allowed`` limits which domains count (empty: any)."""

    allowed: tuple[str, ...] = ()

    def check(self, report: Report) -> list[str]:
        """Reasons the report fails (empty: it passes)."""
        domain = report.signer.domain if report.signer is not None else None
        if domain is None:
            return ["the signer's certificate names no domain"]
        if self.allowed and domain.name not in self.allowed:
            return [f"domain {domain.name} is not one of the allowed domains"]
        if domain.verified is None:
            return [f"domain {domain.name} not checked ({domain.reason})"]
        if not domain.verified:
            return [f"domain {domain.name} not verified: {domain.reason}"]
        return []
