"""The soft binding as others read it: c2pa-python's own Reader (not our wrapper) finds the
``c2pa.soft-binding`` assertion and still reports the manifest Trusted; so does our verify."""

from __future__ import annotations

import json
from pathlib import Path

import c2pa
import pytest

import provenance
from provenance.identity import Identity
from provenance.trust import TrustStore

MIMES = {"photo.jpg": "image/jpeg", "photo.png": "image/png", "photo.webp": "image/webp"}


@pytest.mark.parametrize("name", sorted(MIMES))
def test_plain_c2pa_reads_the_soft_binding_and_trusts_it(
        name: str, files: dict[str, Path], identity: Identity, tmp_path: Path) -> None:
    if name not in files:
        pytest.skip(f"no {name} asset")
    # Without the CAWG identity assertion: c2pa-rs 0.91 lowers any manifest carrying one to
    # Valid (see tests/interop/test_wasm.py); the soft binding itself must leave Trusted alone.
    out = provenance.sign(files[name], tmp_path / f"signed-{name}", identity=identity,
                          options=provenance.SignOptions(identity_assertion=False)).output
    assert provenance.inspect(out).status == "trusted"
    pem = TrustStore.installed().pem()
    ctx = c2pa.Context.from_dict({"trust": {"trust_anchors": pem},
                                  "verify": {"remote_manifest_fetch": False}})
    with out.open("rb") as fh, c2pa.Reader(MIMES[name], fh, context=ctx) as reader:
        store = json.loads(reader.json())
        state = reader.get_validation_state()
    assert state == "Trusted"
    active = store["manifests"][store["active_manifest"]]
    sb = [a for a in active["assertions"] if a["label"] == "c2pa.soft-binding"]
    assert len(sb) == 1
    data = sb[0]["data"]
    assert data["alg"] == "io.iscc.v0" and data["pad"] == []
    assert data["blocks"][0]["value"].startswith("ISCC:EE")


def test_text_manifest_carries_the_soft_binding(identity: Identity) -> None:
    from provenance import _c2pa
    from provenance.carriers.text import _locate
    from provenance.fingerprint import text_fingerprint

    body = "A short essay written by hand, about tides and the people who read them."
    signed = provenance.sign_text(body, identity=identity)
    assert provenance.inspect_text(signed).status == "trusted"
    located = _locate(signed.encode(), "t.txt")
    assert located is not None
    found, _ = _c2pa.read_external("text/plain", located[0], located[1], trust_pem=None)
    active = found.store["manifests"][found.store["active_manifest"]]
    values = [b["value"] for a in active["assertions"] if a["label"] == "c2pa.soft-binding"
              for b in a["data"]["blocks"]]
    fp = text_fingerprint(body)
    assert fp is not None and values == [fp.iscc]
