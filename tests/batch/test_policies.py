"""The pipeline policies, judged against hand-built Reports."""

from __future__ import annotations

import datetime as dt
import pickle
from dataclasses import replace

import pytest

from provenance._dn import format_dn
from provenance.identity import Identity
from provenance.policy import (
    AllOf,
    AnyOf,
    FailOn,
    HumanOrigin,
    IssuedBy,
    MaxAge,
    NoAIIngredient,
    OriginIn,
    SignerIdentity,
    TrustedSigner,
)
from provenance.report import Failure, IngredientReport, Report, SignerInfo

ADA = SignerInfo(name="TEST-ONLY Ada Lovelace", organization="TEST-ONLY Engines",
                 issuer="CN=TEST-ONLY Ada Lovelace Root, O=TEST-ONLY Engines", trusted=True,
                 anchor="CN=TEST-ONLY Ada Lovelace Root,O=TEST-ONLY Engines")
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def rep(status: str = "trusted", origin: str = "human", **kw: object) -> Report:
    kw.setdefault("signer", ADA if status in ("trusted", "valid") else None)
    return Report(path="x.jpg", media_type="image/jpeg", status=status,  # type: ignore[arg-type]
                  origin=origin, **kw)  # type: ignore[arg-type]


def ing(origin: str, status: str = "trusted") -> IngredientReport:
    return IngredientReport(title="parent.jpg", relationship="parentOf",
                            status=status, origin=origin, signer=None)  # type: ignore[arg-type]


UNSIGNED = rep("unsigned", "unknown")
INVALID = rep("invalid", failures=(Failure("assertion.dataHash.mismatch", "changed"),))


def test_signer_identity() -> None:
    assert SignerIdentity(name="test-only  ada lovelace").check(rep()) == []
    assert SignerIdentity(name="TEST-ONLY Ada Lovelace",
                          organization="TEST-ONLY Engines").check(rep()) == []
    (why,) = SignerIdentity(organization="Example News").check(rep())
    assert "organization is TEST-ONLY Engines" in why and "Example News" in why
    (why,) = SignerIdentity(name="Someone").check(UNSIGNED)
    assert "no intact signature" in why
    assert SignerIdentity(name="TEST-ONLY Ada Lovelace").check(INVALID) != []
    # Reports carry no e-mail yet: an e-mail rule fails closed, and says why.
    (why,) = SignerIdentity(email="ada@example.test").check(rep())
    assert "e-mail" in why
    with pytest.raises(ValueError, match="needs"):
        SignerIdentity()


def test_signer_identity_email_when_reports_carry_it() -> None:
    @__import__("dataclasses").dataclass(frozen=True)
    class WithEmail(SignerInfo):
        email: str | None = None

    r = rep(signer=WithEmail(name="A", organization=None, issuer=None, trusted=True,
                             email="Ada@Example.test"))
    assert SignerIdentity(email="ada@example.test").check(r) == []
    assert SignerIdentity(email="bob@example.test").check(r) != []


def test_origin_in() -> None:
    assert OriginIn().check(rep()) == []
    assert OriginIn().check(rep(origin="ai")) == ["origin is ai (allowed: human)"]
    assert OriginIn(frozenset({"human", "mixed"})).check(rep(origin="mixed")) == []
    assert "unknown" in OriginIn().check(rep(origin="unknown"))[0]
    assert OriginIn().check(UNSIGNED) == []  # Intact's business
    with pytest.raises(ValueError, match="robot"):
        OriginIn(frozenset({"robot"}))  # type: ignore[arg-type]


def test_no_ai_ingredient() -> None:
    assert NoAIIngredient().check(rep(ingredients=(ing("human"),))) == []
    (why,) = NoAIIngredient().check(rep(origin="mixed", ingredients=(ing("ai"),)))
    assert "parent.jpg" in why and "ai" in why
    composite = rep(digital_source_types=(
        "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia",))
    assert "composited" in NoAIIngredient().check(composite)[0]


def test_issued_by(identity: Identity) -> None:
    assert identity.root is not None
    policy = IssuedBy.from_certificates([identity.root])
    real = rep(signer=replace(ADA, anchor=format_dn(identity.root.subject),
                              issuer=None))
    assert policy.check(real) == []
    # Matching the issuer when no anchor was named (attribute order does not matter).
    by_issuer = rep(signer=replace(ADA, anchor=None, issuer=", ".join(
        f"{a.rfc4514_attribute_name}={a.value}" for a in reversed(list(identity.root.subject)))))
    assert policy.check(by_issuer) == []
    (why,) = IssuedBy(("CN=Newsroom Root",)).check(rep())
    assert "not a required anchor" in why and "Newsroom Root" in why
    assert "not trusted" in IssuedBy(("CN=x",)).check(rep("valid"))[0]
    assert pickle.loads(pickle.dumps(policy)).check(real) == []  # noqa: S301


def test_max_age() -> None:
    fresh = rep(signed_at="2026-05-01T00:00:00+00:00")
    assert MaxAge(365, now=NOW).check(fresh) == []
    (why,) = MaxAge(10, now=NOW).check(fresh)
    assert "31 days ago" in why and "10" in why
    assert "not recorded" in MaxAge(10, now=NOW).check(rep())[0]
    assert "cannot be read" in MaxAge(10, now=NOW).check(rep(signed_at="yesterday"))[0]
    assert "future" in MaxAge(10, now=NOW).check(rep(signed_at="2027-01-01T00:00:00Z"))[0]
    assert MaxAge(10, now=NOW).check(UNSIGNED) == []
    with pytest.raises(ValueError):
        MaxAge(0)


def test_fail_on() -> None:
    ai = rep(origin="ai")
    valid = rep("valid")
    tampered_parent = rep(ingredients=(ing("human", "invalid"),))
    cases = {
        "unsigned": {UNSIGNED},
        "invalid": {INVALID, tampered_parent},
        "ai": {ai},
        "untrusted": {valid},
    }
    everything = [UNSIGNED, INVALID, ai, valid, tampered_parent, rep(), rep(origin="unknown")]
    for cat, failing in cases.items():
        policy = FailOn(frozenset({cat}))  # type: ignore[arg-type]
        for r in everything:
            assert bool(policy.check(r)) == (r in failing), (cat, r.status, r.origin)
    assert FailOn(frozenset({"ai"})).check(rep(ingredients=(ing("ai"),))) != []
    assert FailOn(frozenset({"ai"})).check(rep("invalid", "ai")) == []  # that is "invalid"
    with pytest.raises(ValueError, match="tampered"):
        FailOn(frozenset({"tampered"}))  # type: ignore[arg-type]


def test_composition() -> None:
    newsroom = AllOf([
        TrustedSigner(),
        AnyOf([SignerIdentity(name="TEST-ONLY Ada Lovelace"),
               SignerIdentity(organization="Example News")]),
        OriginIn(frozenset({"human"})), NoAIIngredient(), MaxAge(30, now=NOW),
    ])
    good = rep(signed_at="2026-05-30T00:00:00Z")
    assert newsroom.check(good) == []
    assert newsroom.check(replace(good, origin="mixed", ingredients=(ing("ai"),))) != []
    assert newsroom.check(replace(good, signer=replace(ADA, name="Bob"))) != []
    assert newsroom.check(replace(good, status="valid")) != []
    assert AnyOf([HumanOrigin(), TrustedSigner()]).check(rep("valid", "ai")) != []
    # Every policy pickles (process pools and Dask need it).
    assert pickle.loads(pickle.dumps(newsroom)).check(good) == []  # noqa: S301
