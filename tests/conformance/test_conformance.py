"""Conformance: our verdicts on real third-party C2PA files agree with the reference reading.

``../shared/conformance/expected.jsonl`` holds, per file, what c2pa-python 0.38.1 (c2pa-rs
0.91.3) reads with no trust list and with the official C2PA + CAI interim trust lists. Our
status must match that reading, our active-manifest failure codes must be exactly its failure
codes, and we must agree on ingredient count and on origin (from every digitalSourceType in the
store). Tests skip when ``../shared`` is absent.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

import provenance
from provenance import Report, TrustStore, inspect, verify
from provenance.origin import classify_source_type, combine

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
EXPECTED = SHARED / "conformance" / "expected.jsonl"
TRUST_LIST_FILES = (
    Path("trust/official_c2pa/C2PA-TRUST-LIST.pem"),
    Path("trust/cai_interim_conformance-tool/anchors.pem"),
)

_STATE = {"Valid": "valid", "Trusted": "trusted", "Invalid": "invalid"}
_ORIGINS = {"human", "ai", "mixed", "unknown"}
_VALIDATOR = Draft202012Validator(json.loads(
    (Path(provenance.__file__).parent / "schemas" / "report-v1.json").read_text("utf-8")
))


def _rows() -> list[Any]:
    if not EXPECTED.is_file():
        # One placeholder so the test runs and the `shared` fixture skips it.
        return [pytest.param(None, id="shared-absent")]
    rows = [json.loads(line) for line in EXPECTED.read_text("utf-8").splitlines()
            if line.strip()]
    return [pytest.param(r, id=r["file"].rsplit("/", 1)[-1]) for r in rows]


ROWS = _rows()


def _expected_status(row: dict[str, Any], key: str) -> str:
    if not row["has_manifest"]:
        return "unsigned"
    state = row[key]
    assert state in _STATE, f"unexpected reference state {state!r}"
    return _STATE[state]


def _check_common(report: Report, row: dict[str, Any]) -> None:
    assert report.origin in _ORIGINS
    errors = list(_VALIDATOR.iter_errors(report.to_dict()))
    assert not errors, [e.message for e in errors]
    if not row["has_manifest"]:
        assert report.signer is None and report.ingredients == () and report.failures == ()
        assert report.origin == "unknown"
        return
    assert len(report.ingredients) == row["ingredient_count"]
    types = row["digital_source_types_all"] or []
    assert report.origin == combine(classify_source_type(t) for t in types)


def _active_codes(report: Report) -> list[str]:
    return sorted(f.code for f in report.failures if f.ingredient is None)


@pytest.fixture(scope="module")
def trust_lists() -> TrustStore:
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    return TrustStore.from_pem_files([SHARED / p for p in TRUST_LIST_FILES])


@pytest.mark.parametrize("row", ROWS)
def test_without_trust_list(row: dict[str, Any], shared: Path) -> None:
    path = shared / "conformance" / row["file"]
    report = inspect(path, trust=TrustStore())
    assert report.status == _expected_status(row, "validation_state")
    assert _active_codes(report) == sorted(row["failure_codes"] or [])
    _check_common(report, row)


@pytest.mark.parametrize("row", ROWS)
def test_with_trust_lists(row: dict[str, Any], shared: Path, trust_lists: TrustStore) -> None:
    path = shared / "conformance" / row["file"]
    report = inspect(path, trust=trust_lists)
    assert report.status == _expected_status(row, "validation_state_with_trust_lists")
    assert _active_codes(report) == sorted(row["failure_codes_with_trust_lists"] or [])
    if report.status == "trusted":
        assert report.signer is not None and report.signer.trusted
    elif report.signer is not None:
        assert not report.signer.trusted
    _check_common(report, row)


def test_trust_lists_are_loaded(trust_lists: TrustStore) -> None:
    # 30 official + 27 CAI interim anchors (README of ../shared/trust); the CAI file lists
    # "DigiCert Trusted G4 TimeStamping RSA4096 SHA256 2025 CA1" twice, and the PEM handed to
    # c2pa is deduplicated.
    assert len(trust_lists) == 57
    pem = trust_lists.pem()
    assert pem is not None and pem.count("BEGIN CERTIFICATE") == 56


def test_trusted_ingredients_of_trusted_file(shared: Path, trust_lists: TrustStore) -> None:
    """The Adobe PDF's two ingredients are signed by firefly-prod, on the official list.

    Measured with c2pa-python 0.38.1: with these anchors, c2pa's read-time
    ``ingredientDeltas`` report ``signingCredential.trusted`` (and no failure) for both
    ingredients, so they must be reported ``trusted`` like the active manifest.
    """
    path = shared / "conformance/files/c2pa-org_public-testfiles/" \
        "adobe-20240110-single_manifest_store.pdf"
    report = inspect(path, trust=trust_lists)
    assert report.status == "trusted"
    assert len(report.ingredients) == 2
    for ing in report.ingredients:
        assert ing.signer is not None and ing.signer.name == "firefly-prod"
        assert ing.status == "trusted", [f.code for f in ing.failures]
    # Without the lists the same ingredients are intact but untrusted.
    plain = inspect(path, trust=TrustStore())
    assert [i.status for i in plain.ingredients] == ["valid", "valid"]


def test_adobe_pdf_is_ai_and_default_policy_refuses_it(shared: Path,
                                                       trust_lists: TrustStore) -> None:
    path = shared / "conformance/files/c2pa-org_public-testfiles/" \
        "adobe-20240110-single_manifest_store.pdf"
    with pytest.raises(provenance.VerificationFailed) as info:
        verify(path, trust=trust_lists)
    assert info.value.report.origin == "ai"
    verify(path, trust=trust_lists, policy=provenance.default_policy(allow_ai=True))


@pytest.mark.parametrize("row", ROWS)
def test_with_trust_lists_and_cai_eku_config(row: dict[str, Any], shared: Path,
                                             trust_lists: TrustStore) -> None:
    """The same agreement with the CAI verify site's EKU configuration (store.cfg) installed:
    the extra vendor EKU must not change any verdict on these files."""
    from dataclasses import replace

    from provenance.trust import parse_eku_config

    cfg = shared / "trust/cai_interim_verify-site/store.cfg"
    store = replace(trust_lists, ekus=parse_eku_config(cfg.read_text("utf-8"), str(cfg)))
    path = shared / "conformance" / row["file"]
    report = inspect(path, trust=store)
    assert report.status == _expected_status(row, "validation_state_with_trust_lists")
    assert _active_codes(report) == sorted(row["failure_codes_with_trust_lists"] or [])
