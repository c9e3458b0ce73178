"""Report objects and their provenance.report/v1 JSON form, validated against the schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import provenance
from provenance.report import (
    SCHEMA_ID,
    Failure,
    IngredientReport,
    Report,
    SignerInfo,
    results_document,
)

SCHEMAS = Path(provenance.__file__).parent / "schemas"


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads((SCHEMAS / "report-v1.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


SIGNER = SignerInfo(name="TEST-ONLY Ada Lovelace", organization="TEST-ONLY Engines",
                    issuer="CN=TEST-ONLY Ada Lovelace provenance root", trusted=True,
                    algorithm="es256")
UNTRUSTED = SignerInfo(name="TEST-ONLY Mallory", organization=None, issuer=None,
                       trusted=False)
TAMPERED = Failure("assertion.dataHash.mismatch", "the content was changed after signing")

UNSIGNED = Report(path="photo.jpg", media_type="image/jpeg", status="unsigned",
                  origin="unknown")
VALID = Report(
    path="/tmp/x/photo.signed.jpg", media_type="image/jpeg", status="trusted", origin="human",
    signer=SIGNER, signed_at="2024-05-06T07:08:09+00:00", author="TEST-ONLY Ada Lovelace",
    ai_training="notAllowed", claim_generator="provenance 0.1.0", title="photo.jpg",
    digital_source_types=("http://cv.iptc.org/newscodes/digitalsourcetype/humanEdits",),
    ingredients=(IngredientReport(title="original.jpg", relationship="parentOf",
                                  status="trusted", origin="human", signer=SIGNER),),
)
INVALID = Report(
    path=None, media_type="image/png", status="invalid", origin="mixed", signer=UNTRUSTED,
    ai_training="allowed",
    ingredients=(
        IngredientReport(title="parent.png", relationship="parentOf", status="invalid",
                         origin="ai", signer=UNTRUSTED, failures=(TAMPERED,)),
        IngredientReport(title=None, relationship=None, status="unsigned", origin="unknown",
                         signer=None),
    ),
    failures=(
        Failure("claimSignature.mismatch", "the signature does not match the claim"),
        Failure(TAMPERED.code, TAMPERED.explanation, ingredient="parent.png"),
    ),
)


@pytest.mark.parametrize("r", [UNSIGNED, VALID, INVALID], ids=["unsigned", "valid", "invalid"])
def test_to_dict_matches_schema(r: Report, validator: jsonschema.protocols.Validator) -> None:
    d = r.to_dict()
    assert d["schema"] == SCHEMA_ID == "provenance.report/v1"
    validator.validate(d)
    # The JSON text form is the same document.
    validator.validate(json.loads(r.to_json()))
    assert json.loads(r.to_json(indent=2)) == d


def test_schema_rejects_broken_documents(validator: jsonschema.protocols.Validator) -> None:
    good = VALID.to_dict()
    for key, value in [("status", "ok"), ("origin", "robot"), ("schema", "other/v1"),
                       ("ai_training", "maybe"), ("failures", [{"code": "x"}])]:
        bad = dict(good, **{key: value})
        assert not validator.is_valid(bad), key
    missing = dict(good)
    del missing["signer"]
    assert not validator.is_valid(missing)


def test_to_dict_content() -> None:
    d = INVALID.to_dict()
    assert d["status"] == "invalid"
    assert d["origin"] == "mixed"
    expected_signer = {"name": "TEST-ONLY Mallory", "organization": None, "issuer": None,
                       "trusted": False, "algorithm": None}
    assert {k: d["signer"][k] for k in expected_signer} == expected_signer
    assert [f["code"] for f in d["failures"]] == ["claimSignature.mismatch",
                                                  "assertion.dataHash.mismatch"]
    assert "ingredient" not in d["failures"][0]
    assert d["failures"][1]["ingredient"] == "parent.png"
    ing = d["ingredients"][0]
    assert ing["status"] == "invalid" and ing["origin"] == "ai"
    assert ing["failures"] == [{"code": TAMPERED.code, "explanation": TAMPERED.explanation}]
    assert d["ingredients"][1]["signer"] is None
    u = UNSIGNED.to_dict()
    assert u["signer"] is None and u["ingredients"] == [] and u["failures"] == []
    assert u["digital_source_types"] == []


def test_extra_fields_are_added(validator: jsonschema.protocols.Validator) -> None:
    r = Report(path="a.jpg", media_type="image/jpeg", status="valid", origin="ai",
               signer=UNTRUSTED, extra={"passed": False, "reasons": ["origin is ai"]})
    d = r.to_dict()
    assert d["passed"] is False and d["reasons"] == ["origin is ai"]
    validator.validate(d)
    assert r == Report(path="a.jpg", media_type="image/jpeg", status="valid", origin="ai",
                       signer=UNTRUSTED)  # extra is not part of equality


def test_intact_property() -> None:
    assert VALID.intact
    assert Report(path=None, media_type=None, status="valid", origin="human").intact
    assert not UNSIGNED.intact
    assert not INVALID.intact


def test_non_ascii_survives_json() -> None:
    r = Report(path="Ünïcode/фото.jpg", media_type="image/jpeg", status="unsigned",
               origin="unknown", author="TEST-ONLY Zoë")
    text = r.to_json()
    assert "фото" in text
    assert json.loads(text)["author"] == "TEST-ONLY Zoë"


def test_results_document_matches_its_schema(tmp_path: Path) -> None:
    report_schema = json.loads((SCHEMAS / "report-v1.json").read_text())
    results_schema = json.loads((SCHEMAS / "results-v1.json").read_text())
    from referencing import Registry, Resource

    registry: Registry[Any] = Registry().with_resources([
        (report_schema["$id"], Resource.from_contents(report_schema)),
        ("report-v1.json", Resource.from_contents(report_schema)),
    ])
    cls = jsonschema.validators.validator_for(results_schema)
    v = cls(results_schema, registry=registry)
    doc = results_document([r.to_dict() for r in (UNSIGNED, VALID, INVALID)], passed=False)
    v.validate(doc)
    assert doc["schema"] == "provenance.results/v1"
    bad = results_document([dict(VALID.to_dict(), status="nope")], passed=True)
    assert not v.is_valid(bad)


def test_real_report_matches_schema(identity: provenance.Identity,
                                    files: dict[str, Path],
                                    validator: jsonschema.protocols.Validator) -> None:
    """A report built from a real signed file, not by hand, also fits the schema."""
    signed = provenance.sign_bytes(
        files["photo.jpg"].read_bytes(), name="photo.jpg", identity=identity,
        claim=provenance.HumanClaim("capture", author="TEST-ONLY Ada Lovelace"),
    ).data
    r = provenance.inspect(signed, name="photo.jpg")
    assert r.status == "trusted"
    d = r.to_dict()
    validator.validate(d)
    assert d["author"] == "TEST-ONLY Ada Lovelace"
    assert d["ai_training"] == "notAllowed"
    assert d["signer"]["trusted"] is True
    assert d["claim_generator"].startswith("provenance")


def test_identities_and_remote_url_are_additive(validator: jsonschema.protocols.Validator) -> None:
    """v1 stays v1: the new fields validate, and a document from before them still does."""
    from provenance.report import IdentityReport

    ident = IdentityReport(label="cawg.identity", sig_type="cawg.x509.cose",
                           name="TEST-ONLY Ada", roles=("cawg.creator",), status="valid",
                           codes=("cawg.identity.well-formed",))
    report = Report(path="photo.jpg", media_type="image/jpeg", status="trusted",
                    origin="human", signer=SIGNER, identities=(ident,),
                    remote_url="https://example.test/photo.c2pa")
    doc = report.to_dict()
    assert doc["schema"] == "provenance.report/v1"
    assert doc["identities"] == [{"label": "cawg.identity", "sig_type": "cawg.x509.cose",
                                  "name": "TEST-ONLY Ada", "roles": ["cawg.creator"],
                                  "status": "valid", "codes": ["cawg.identity.well-formed"]}]
    validator.validate(doc)
    old = dict(doc)
    del old["identities"], old["remote_url"]
    validator.validate(old)
    bad = dict(doc, identities=[{**doc["identities"][0], "status": "tampered"}])
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(bad)
