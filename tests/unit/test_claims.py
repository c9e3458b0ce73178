"""HumanClaim.manifest(): the c2pa manifest definition a human-origin signature carries."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

import provenance
from provenance.claims import IPTC, TRAINING_ENTRIES, HumanClaim, default_origin

WHEN = dt.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=dt.UTC)


def _assertion(manifest: dict[str, Any], label: str) -> dict[str, Any]:
    found = [a["data"] for a in manifest["assertions"] if a["label"] == label]
    assert len(found) == 1, f"{label}: {len(found)} assertions"
    return found[0]


def _actions(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return list(_assertion(manifest, "c2pa.actions.v2")["actions"])


def test_capture_is_created_digital_capture() -> None:
    m = HumanClaim("capture").manifest(title="photo.jpg", has_parent=False, when=WHEN)
    actions = _actions(m)
    assert [a["action"] for a in actions] == ["c2pa.created"]
    assert actions[0]["digitalSourceType"] == IPTC + "digitalCapture"
    assert actions[0]["digitalSourceType"] == \
        "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"
    assert actions[0]["when"] == "2024-05-06T07:08:09+00:00"
    assert m["title"] == "photo.jpg"


def test_creation_is_digital_creation() -> None:
    claim = HumanClaim("creation")
    assert claim.digital_source_type == IPTC + "digitalCreation"
    actions = _actions(claim.manifest(title="essay.pdf", has_parent=False, when=WHEN))
    assert [a["action"] for a in actions] == ["c2pa.created"]
    assert actions[0]["digitalSourceType"] == IPTC + "digitalCreation"


def test_edit_with_parent_opens_then_edits() -> None:
    actions = _actions(HumanClaim("edit").manifest(title="x.png", has_parent=True, when=WHEN))
    assert [a["action"] for a in actions] == ["c2pa.opened", "c2pa.edited"]
    opened, edited = actions
    assert opened["parameters"]["ingredientIds"] == ["parent"]
    assert "digitalSourceType" not in opened
    assert edited["digitalSourceType"] == IPTC + "humanEdits"


def test_capture_claim_with_parent_still_opens_the_parent() -> None:
    actions = _actions(HumanClaim("capture").manifest(title="x", has_parent=True, when=WHEN))
    assert actions[0]["action"] == "c2pa.opened"
    assert actions[0]["parameters"]["ingredientIds"] == ["parent"]
    assert actions[1]["action"] == "c2pa.edited"


def test_edit_without_parent_is_created_human_edits() -> None:
    actions = _actions(HumanClaim("edit").manifest(title="x", has_parent=False, when=WHEN))
    assert [a["action"] for a in actions] == ["c2pa.created"]
    assert actions[0]["digitalSourceType"] == IPTC + "humanEdits"


def test_training_mining_not_allowed_by_default() -> None:
    m = HumanClaim("capture").manifest(title="t", has_parent=False, when=WHEN)
    entries = _assertion(m, "cawg.training-mining")["entries"]
    assert set(entries) == set(TRAINING_ENTRIES)
    assert {"cawg.ai_generative_training", "cawg.ai_inference", "cawg.ai_training",
            "cawg.data_mining"} == set(entries)
    # C2PA 2.x removed these labels; we no longer write them.
    assert all(a["label"] != "c2pa.training-mining" for a in m["assertions"])
    assert all(e == {"use": "notAllowed"} for e in entries.values())


def test_training_mining_allowed_on_request() -> None:
    m = HumanClaim("capture", allow_ai_training=True).manifest(
        title="t", has_parent=False, when=WHEN)
    entries = _assertion(m, "cawg.training-mining")["entries"]
    assert set(entries) == set(TRAINING_ENTRIES)
    assert all(e == {"use": "allowed"} for e in entries.values())


def test_author_and_title_in_cawg_metadata() -> None:
    m = HumanClaim("creation", author="TEST-ONLY Ada Lovelace",
                   author_title="Staff mathematician").manifest(
        title="t", has_parent=False, when=WHEN)
    meta = _assertion(m, "cawg.metadata")
    assert meta["@context"]["dc"] == "http://purl.org/dc/elements/1.1/"
    assert meta["dc:creator"] == ["TEST-ONLY Ada Lovelace"]
    assert meta["photoshop:AuthorsPosition"] == "Staff mathematician"
    assert all(not a["label"].startswith("stds.schema-org") for a in m["assertions"])


def test_author_without_title_and_no_author() -> None:
    m = HumanClaim("creation", author="TEST-ONLY Ada").manifest(
        title="t", has_parent=False, when=WHEN)
    assert _assertion(m, "cawg.metadata") == {
        "@context": {"dc": "http://purl.org/dc/elements/1.1/",
                     "photoshop": "http://ns.adobe.com/photoshop/1.0/"},
        "dc:creator": ["TEST-ONLY Ada"]}
    anon = HumanClaim("creation").manifest(title="t", has_parent=False, when=WHEN)
    assert all(a["label"] != "cawg.metadata" for a in anon["assertions"])


@pytest.mark.parametrize("mime, origin", [
    ("image/jpeg", "capture"), ("image/heic", "capture"), ("image/svg+xml", "creation"),
    ("audio/wav", "capture"), ("audio/mpeg", "capture"), ("video/mp4", "capture"),
    ("video/quicktime", "capture"), ("application/pdf", "creation"), ("text/plain", "creation"),
    (None, "creation"),
])
def test_default_origin_one_rule(mime: str | None, origin: str) -> None:
    assert default_origin(mime, has_parent=False) == origin
    assert default_origin(mime, has_parent=True) == "edit"


def test_claim_generator_info() -> None:
    m = HumanClaim("capture").manifest(title="t", has_parent=False, when=WHEN)
    assert m["claim_generator_info"] == [{"name": "provenance",
                                          "version": provenance.__version__}]


def test_title_override_and_json_ready() -> None:
    claim = HumanClaim("creation", title="TEST-ONLY My Essay")
    m = claim.manifest(title="essay.pdf", has_parent=False, when=WHEN)
    assert m["title"] == "TEST-ONLY My Essay"
    assert json.loads(json.dumps(m)) == m  # c2pa receives it as JSON


def test_when_defaults_to_now_in_utc() -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    m = HumanClaim("capture").manifest(title="t", has_parent=False)
    after = dt.datetime.now(dt.UTC)
    stamp = dt.datetime.fromisoformat(_actions(m)[0]["when"])
    assert stamp.utcoffset() == dt.timedelta(0)
    assert before <= stamp <= after


@pytest.mark.parametrize("origin", ["ai", "Capture", "", "edited", "trainedAlgorithmicMedia"])
def test_invalid_origin(origin: str) -> None:
    with pytest.raises(ValueError, match="origin must be one of"):
        HumanClaim(origin)  # type: ignore[arg-type]
