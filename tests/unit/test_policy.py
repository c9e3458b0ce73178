"""Verification policies judged against hand-built Reports."""

from __future__ import annotations

from dataclasses import replace

import pytest

from provenance.policy import (
    AllOf,
    AnyOf,
    HumanOrigin,
    IngredientsIntact,
    Intact,
    TrustedSigner,
    UnsafeNoOp,
    default_policy,
)
from provenance.report import Failure, IngredientReport, Report, SignerInfo

SIGNER = SignerInfo(name="TEST-ONLY Ada", organization="TEST-ONLY Engines",
                    issuer="CN=TEST-ONLY Root", trusted=True, algorithm="es256")


def report(status: str = "trusted", origin: str = "human", **kw: object) -> Report:
    return Report(path="photo.jpg", media_type="image/jpeg", status=status,  # type: ignore[arg-type]
                  origin=origin, signer=SIGNER if status in ("trusted", "valid") else None,  # type: ignore[arg-type]
                  **kw)  # type: ignore[arg-type]


def ingredient(status: str, *, title: str | None = "original.jpg", origin: str = "human",
               failures: tuple[Failure, ...] = ()) -> IngredientReport:
    return IngredientReport(title=title, relationship="parentOf", status=status,  # type: ignore[arg-type]
                            origin=origin, signer=None, failures=failures)  # type: ignore[arg-type]


TAMPERED = Failure("assertion.dataHash.mismatch", "the content was changed after signing")

TRUSTED = report("trusted")
VALID = report("valid")
UNSIGNED = report("unsigned", "unknown")
INVALID = report("invalid", "unknown", failures=(TAMPERED,))


# -- Intact -----------------------------------------------------------------------------------


def test_intact() -> None:
    assert Intact().check(TRUSTED) == []
    assert Intact().check(VALID) == []
    unsigned = Intact().check(UNSIGNED)
    assert len(unsigned) == 1 and "unsigned" in unsigned[0]
    invalid = Intact().check(INVALID)
    assert len(invalid) == 1
    assert "invalid" in invalid[0] and "assertion.dataHash.mismatch" in invalid[0]


def test_intact_ignores_ingredient_failures_in_its_reason() -> None:
    r = report("invalid", failures=(
        Failure("claimSignature.mismatch", "x"),
        Failure("assertion.dataHash.mismatch", "y", ingredient="original.jpg"),
    ))
    (reason,) = Intact().check(r)
    assert "claimSignature.mismatch" in reason
    assert "dataHash" not in reason
    (broken,) = Intact().check(report("invalid"))
    assert "broken" in broken


# -- TrustedSigner ----------------------------------------------------------------------------


def test_trusted_signer() -> None:
    assert TrustedSigner().check(TRUSTED) == []
    (reason,) = TrustedSigner().check(VALID)
    assert "not trusted" in reason
    assert TrustedSigner().check(UNSIGNED) == Intact().check(UNSIGNED)
    assert TrustedSigner().check(INVALID) == Intact().check(INVALID)
    assert TrustedSigner().check(INVALID) != []


# -- HumanOrigin ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["trusted", "valid"])
def test_human_origin(status: str) -> None:
    assert HumanOrigin().check(report(status, "human")) == []
    for origin in ("ai", "mixed"):
        (reason,) = HumanOrigin().check(report(status, origin))
        assert origin in reason and "--allow-ai" in reason
        assert HumanOrigin(allow_ai=True).check(report(status, origin)) == []
    (unknown,) = HumanOrigin().check(report(status, "unknown"))
    assert "unknown" in unknown
    # allow_ai accepts AI-made material, not a missing declaration.
    assert HumanOrigin(allow_ai=True).check(report(status, "unknown")) != []


def test_human_origin_leaves_broken_assets_to_intact() -> None:
    assert HumanOrigin().check(UNSIGNED) == []
    assert HumanOrigin().check(INVALID) == []
    assert HumanOrigin().check(report("invalid", "ai")) == []


# -- IngredientsIntact ------------------------------------------------------------------------


def test_ingredients_intact() -> None:
    clean = report(ingredients=(ingredient("trusted"), ingredient("unsigned")))
    assert IngredientsIntact().check(clean) == []
    assert IngredientsIntact(require_trusted=True).check(clean) == []

    tampered = report(ingredients=(ingredient("invalid", failures=(TAMPERED,)),))
    (reason,) = IngredientsIntact().check(tampered)
    assert "original.jpg" in reason and "invalid" in reason
    assert "assertion.dataHash.mismatch" in reason
    assert IngredientsIntact(require_trusted=True).check(tampered) == [reason]

    untrusted = report(ingredients=(ingredient("valid", title=None),))
    assert IngredientsIntact().check(untrusted) == []
    (why,) = IngredientsIntact(require_trusted=True).check(untrusted)
    assert "untrusted" in why and "ingredient" in why


def test_ingredients_intact_lists_every_bad_ingredient() -> None:
    r = report(ingredients=(
        ingredient("invalid", title="a.jpg"),
        ingredient("trusted", title="b.jpg"),
        ingredient("valid", title="c.jpg"),
        ingredient("invalid", title="d.jpg", failures=(TAMPERED,)),
    ))
    plain = IngredientsIntact().check(r)
    assert len(plain) == 2
    assert "a.jpg" in plain[0] and "broken" in plain[0]
    assert "d.jpg" in plain[1]
    strict = IngredientsIntact(require_trusted=True).check(r)
    assert len(strict) == 3
    assert "c.jpg" in strict[1]


# -- combinators ------------------------------------------------------------------------------


def test_all_of() -> None:
    p = AllOf([Intact(), TrustedSigner()])
    assert p.check(TRUSTED) == []
    assert p.check(VALID) == TrustedSigner().check(VALID)
    # Both policies' reasons are reported, in order.
    assert p.check(UNSIGNED) == Intact().check(UNSIGNED) * 2


def test_any_of() -> None:
    p = AnyOf([TrustedSigner(), HumanOrigin()])
    assert p.check(TRUSTED) == []
    assert p.check(report("valid", "human")) == []  # human origin holds
    assert p.check(report("trusted", "ai")) == []  # trusted signer holds
    reasons = p.check(report("valid", "ai"))
    assert reasons == TrustedSigner().check(VALID) + HumanOrigin().check(report("valid", "ai"))
    assert len(reasons) == 2


def test_empty_combinators_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one policy"):
        AllOf([])
    with pytest.raises(ValueError, match="at least one policy"):
        AnyOf(())


def test_nested_combinators() -> None:
    p = AllOf([Intact(), AnyOf([TrustedSigner(), HumanOrigin(allow_ai=True)])])
    assert p.check(report("valid", "ai")) == []
    assert p.check(report("valid", "unknown")) != []
    assert p.check(UNSIGNED) != []


def test_unsafe_noop_accepts_everything() -> None:
    for r in (TRUSTED, VALID, UNSIGNED, INVALID, report("valid", "ai")):
        assert UnsafeNoOp().check(r) == []


# -- default policy ---------------------------------------------------------------------------


def test_default_policy() -> None:
    p = default_policy()
    assert p.check(TRUSTED) == []
    assert p.check(VALID) == []  # intact is enough by default
    assert p.check(UNSIGNED) != []
    assert p.check(INVALID) != []
    assert p.check(report("trusted", "ai")) != []
    assert p.check(report("trusted", "mixed")) != []
    assert p.check(report("trusted", "unknown")) != []
    tampered_parent = report(ingredients=(ingredient("invalid", failures=(TAMPERED,)),))
    assert p.check(tampered_parent) != []


def test_default_policy_options() -> None:
    strict = default_policy(require_trusted=True)
    assert strict.check(TRUSTED) == []
    assert strict.check(VALID) == TrustedSigner().check(VALID)
    untrusted_parent = report(ingredients=(ingredient("valid"),))
    assert default_policy().check(untrusted_parent) == []
    assert strict.check(untrusted_parent) != []

    lenient = default_policy(allow_ai=True)
    assert lenient.check(report("trusted", "ai")) == []
    assert lenient.check(report("valid", "mixed")) == []
    assert lenient.check(report("trusted", "unknown")) != []
    assert lenient.check(UNSIGNED) != []


def test_policies_are_immutable() -> None:
    import dataclasses

    p = HumanOrigin()
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.allow_ai = True  # type: ignore[misc]
    assert replace(p, allow_ai=True).check(report("trusted", "ai")) == []
