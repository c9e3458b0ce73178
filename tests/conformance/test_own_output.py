"""What we sign is C2PA 2.x: our assertions are created (not gathered), no removed labels."""

from __future__ import annotations

import io
import json
from pathlib import Path

import c2pa
import pytest

from provenance import ClaimTemplate, sign
from provenance.identity import Identity


def _claim(path: Path, mime: str) -> dict[str, object]:
    with c2pa.Reader(mime, io.BytesIO(path.read_bytes())) as reader:
        detailed = json.loads(reader.detailed_json())
    claim = detailed["manifests"][detailed["active_manifest"]]["claim"]
    assert isinstance(claim, dict)
    return claim


def _labels(refs: object) -> list[str]:
    assert isinstance(refs, list)
    return [str(r["url"]).rsplit("/", 1)[-1] for r in refs]


@pytest.mark.parametrize("name, mime", [
    ("photo.jpg", "image/jpeg"), ("photo.webp", "image/webp"), ("voice.wav", "audio/wav"),
])
def test_our_assertions_are_created(name: str, mime: str, files: dict[str, Path],
                                    identity: Identity) -> None:
    out = sign(files[name], identity=identity,
               claim=ClaimTemplate(author="TEST-ONLY Ada Lovelace")).output
    claim = _claim(out, mime)
    created = _labels(claim["created_assertions"])
    assert {"c2pa.actions.v2", "cawg.training-mining", "cawg.metadata"} <= set(created)
    # The author's identity assertion is the one gathered: c2pa-rs adds it as a dynamic
    # assertion signed by the named actor, not by the claim generator.
    assert _labels(claim.get("gathered_assertions") or []) == ["cawg.identity"]
    every = created
    assert "c2pa.training-mining" not in every
    assert not [label for label in every if label.startswith("stds.schema-org")]


def test_reading_keeps_understanding_the_old_labels(files: dict[str, Path],
                                                    identity: Identity, tmp_path: Path) -> None:
    """Manifests signed before C2PA 2.x (ours included) carry c2pa.training-mining and
    stds.schema-org.CreativeWork: a real one, signed here, still reads."""
    from provenance import _c2pa, inspect
    from provenance.trust import TrustStore

    manifest = {
        "claim_generator_info": [{"name": "old-provenance", "version": "0.0.1"}],
        "title": "photo.jpg",
        "assertions": [
            {"label": "c2pa.actions.v2", "data": {"actions": [{
                "action": "c2pa.created",
                "digitalSourceType":
                    "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"}]}},
            {"label": "c2pa.training-mining", "data": {"entries": {
                "c2pa.ai_training": {"use": "notAllowed"}}}},
            {"label": "stds.schema-org.CreativeWork", "data": {
                "@context": "https://schema.org", "@type": "CreativeWork",
                "author": [{"@type": "Person", "name": "TEST-ONLY Old Author"}]}},
        ],
    }
    dest = tmp_path / "old.jpg"
    with files["photo.jpg"].open("rb") as src, dest.open("w+b") as out:
        _c2pa.sign_stream(manifest, "image/jpeg", src, out, identity,
                          trust_pem=TrustStore.installed().pem())
    report = inspect(dest)
    assert report.status == "trusted"
    assert report.author == "TEST-ONLY Old Author"
    assert report.ai_training == "notAllowed"
