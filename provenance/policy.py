"""Small composable verification policies: each checks one thing about a Report.

A policy's ``check(report)`` returns a list of reasons it fails (empty when it holds).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal, Protocol

from provenance._record import record
from provenance.report import Failure, Report

# The rules only pipelines combine live in provenance/policy_rules.py and are imported on first
# use (see __getattr__ below): the default policy is made of the classes defined here.
if TYPE_CHECKING:
    from provenance.policy_rules import (
        AnyOf,
        FailOn,
        IdentityRequired,
        IssuedBy,
        MaxAge,
        NoAIIngredient,
        OriginIn,
        SignerIdentity,
        UnsafeNoOp,
    )

__all__ = [
    "FAIL_ON_CATEGORIES",
    "AllOf",
    "AnyOf",
    "FailOn",
    "HumanOrigin",
    "IdentityRequired",
    "IngredientsIntact",
    "Intact",
    "IssuedBy",
    "MaxAge",
    "NoAIIngredient",
    "OriginIn",
    "Policy",
    "SignerIdentity",
    "TrustedSigner",
    "UnsafeNoOp",
    "default_policy",
]


class Policy(Protocol):
    """Anything with ``check(report) -> list[str]`` (reasons for failing; empty = holds)."""

    def check(self, report: Report) -> list[str]:
        """Reasons the report fails this policy."""
        ...


def _plain(failures: Sequence[Failure]) -> str:
    """Failures in plain words with their codes in brackets: "the content was changed after
    signing [assertion.dataHash.mismatch]" (what a person reads first, what a search needs)."""
    if not failures:
        return "broken"
    return "; ".join(f"{f.explanation} [{f.code}]" if f.explanation else f"[{f.code}]"
                     for f in dict.fromkeys(failures))


@record
class Intact:
    """The asset carries a manifest whose signature and hashes are sound."""

    def check(self, report: Report) -> list[str]:
        """Fails for unsigned and invalid assets."""
        if report.status == "unsigned":
            if report.failures:  # a manifest is there but gives no verdict, and says why
                return [f"no verdict: {report.failures[0].explanation}"]
            return ["no Content Credentials (the file is unsigned)"]
        if report.status == "invalid":
            own = [f for f in report.failures if f.ingredient is None]
            # what broke it first; an untrusted signer (which alone does not) last
            own.sort(key=lambda f: f.code == "signingCredential.untrusted")
            return [f"the manifest is invalid: {_plain(own)}"]
        return []


@record
class TrustedSigner:
    """The signer chains to a trust anchor."""

    def check(self, report: Report) -> list[str]:
        """Fails unless the status is ``trusted``."""
        if report.status == "valid":
            return ["intact, but the signer is not trusted (add the signer's root with "
                    "`provenance trust add ROOT.pem` or --trust ROOT.pem)"]
        if report.status != "trusted":
            return Intact().check(report)
        return []


@record
class HumanOrigin:
    """Origin is human (``allow_ai`` also accepts ai and mixed)."""

    allow_ai: bool = False

    def check(self, report: Report) -> list[str]:
        """Fails for ai/mixed (unless allowed) and unknown origin."""
        if report.status in ("unsigned", "invalid"):
            return []  # nothing trustworthy to judge; Intact says why
        if report.origin == "human":
            return []
        if report.origin in ("ai", "mixed"):
            return [] if self.allow_ai else [
                f"origin is {report.origin}: AI-made material is declared"
                " (pass --allow-ai to accept it)"
            ]
        return ["origin is unknown: no human-origin declaration"]


@record
class IngredientsIntact:
    """No ingredient is tampered (and, with ``require_trusted``, every signed one is trusted)."""

    require_trusted: bool = False

    def check(self, report: Report) -> list[str]:
        """Fails for an invalid ingredient (an edit made from a tampered parent)."""
        reasons = []
        for ing in report.ingredients:
            title = ing.title or "ingredient"
            if ing.status == "invalid":
                reasons.append(f"the {ing.relationship or 'ingredient'} {title} is invalid: "
                               f"{_plain(ing.failures)}")
            elif self.require_trusted and ing.status == "valid":
                reasons.append(f"the {ing.relationship or 'ingredient'} {title} is signed by "
                               "an untrusted signer")
        return reasons


@record
class AllOf:
    """Every policy must hold."""

    policies: Sequence[Policy]

    def __post_init__(self) -> None:
        if not self.policies:
            raise ValueError("AllOf needs at least one policy (an empty AllOf proves nothing)")

    def check(self, report: Report) -> list[str]:
        """All reasons from all failing policies."""
        return [r for p in self.policies for r in p.check(report)]


def _dn_attrs(dn: str) -> frozenset[tuple[str, str]]:
    """``CN=a, O=b`` or ``CN=a,O=b`` as a set of (upper-case key, value) pairs (no escapes)."""
    out = set()
    for part in dn.replace(", ", ",").split(","):
        key, sep, value = part.partition("=")
        if sep:
            out.add((key.strip().upper(), value.strip()))
    return frozenset(out)


FailCategory = Literal["unsigned", "invalid", "ai", "untrusted"]
#: The categories ``--fail-on`` understands, in the order they are documented.
FAIL_ON_CATEGORIES: tuple[FailCategory, ...] = ("unsigned", "invalid", "ai", "untrusted")


def default_policy(*, require_trusted: bool = False, allow_ai: bool = False) -> AllOf:
    """The CLI's default: intact, human origin, no tampered ingredient (+ trusted signer)."""
    policies: list[Policy] = [Intact(), IngredientsIntact(require_trusted=require_trusted)]
    if require_trusted:
        policies.append(TrustedSigner())
    policies.append(HumanOrigin(allow_ai=allow_ai))
    return AllOf(policies)


_RULES = frozenset({"AnyOf", "FailOn", "IdentityRequired", "IssuedBy", "MaxAge",
                    "NoAIIngredient", "OriginIn", "SignerIdentity", "UnsafeNoOp"})


def __getattr__(name: str) -> object:
    if name in _RULES:  # by name, as provenance/__init__.py does: policy_rules imports this
        import importlib

        return getattr(importlib.import_module("provenance.policy_rules"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
