"""Small composable verification policies: each checks one thing about a Report.

A policy's ``check(report)`` returns a list of reasons it fails (empty when it holds).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from provenance.report import Report

__all__ = [
    "AllOf",
    "AnyOf",
    "HumanOrigin",
    "IngredientsIntact",
    "Intact",
    "Policy",
    "TrustedSigner",
    "UnsafeNoOp",
    "default_policy",
]


class Policy(Protocol):
    """Anything with ``check(report) -> list[str]`` (reasons for failing; empty = holds)."""

    def check(self, report: Report) -> list[str]:
        """Reasons the report fails this policy."""
        ...


@dataclass(frozen=True)
class Intact:
    """The asset carries a manifest whose signature and hashes are sound."""

    def check(self, report: Report) -> list[str]:
        """Fails for unsigned and invalid assets."""
        if report.status == "unsigned":
            return ["no Content Credentials (the file is unsigned)"]
        if report.status == "invalid":
            what = ", ".join(f.code for f in report.failures if f.ingredient is None)
            return [f"the manifest is invalid ({what or 'broken'})"]
        return []


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class IngredientsIntact:
    """No ingredient is tampered (and, with ``require_trusted``, every signed one is trusted)."""

    require_trusted: bool = False

    def check(self, report: Report) -> list[str]:
        """Fails for an invalid ingredient (an edit made from a tampered parent)."""
        reasons = []
        for ing in report.ingredients:
            title = ing.title or "ingredient"
            if ing.status == "invalid":
                codes = ", ".join(f.code for f in ing.failures) or "broken"
                reasons.append(f"the {ing.relationship or 'ingredient'} {title} is invalid "
                               f"({codes})")
            elif self.require_trusted and ing.status == "valid":
                reasons.append(f"the {ing.relationship or 'ingredient'} {title} is signed by "
                               "an untrusted signer")
        return reasons


@dataclass(frozen=True)
class AllOf:
    """Every policy must hold."""

    policies: Sequence[Policy]

    def __post_init__(self) -> None:
        if not self.policies:
            raise ValueError("AllOf needs at least one policy (an empty AllOf proves nothing)")

    def check(self, report: Report) -> list[str]:
        """All reasons from all failing policies."""
        return [r for p in self.policies for r in p.check(report)]


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class UnsafeNoOp:
    """Accepts everything. Only for inspection-like uses; never a verification."""

    def check(self, report: Report) -> list[str]:
        """Always holds."""
        return []


def default_policy(*, require_trusted: bool = False, allow_ai: bool = False) -> AllOf:
    """The CLI's default: intact, human origin, no tampered ingredient (+ trusted signer)."""
    policies: list[Policy] = [Intact(), IngredientsIntact(require_trusted=require_trusted)]
    if require_trusted:
        policies.append(TrustedSigner())
    policies.append(HumanOrigin(allow_ai=allow_ai))
    return AllOf(policies)
