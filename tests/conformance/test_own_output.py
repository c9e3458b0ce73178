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
    assert not _labels(claim.get("gathered_assertions") or [])
    every = created
    assert "c2pa.training-mining" not in every
    assert not [label for label in every if label.startswith("stds.schema-org")]
