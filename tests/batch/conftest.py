"""The 200-file mixed directory of the batch tests (TEST-ONLY identities, built once)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from provenance import _c2pa, sign_bytes
from provenance.claims import HumanClaim
from provenance.identity import Identity
from provenance.trust import TrustStore
from tests.assets import build as assets
from tests.cli.helpers import flip_entropy_byte

AI_SOURCE = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"

#: how many files of each kind the mixed directory holds (200 in all)
KINDS = {
    "signed-jpg": 60,   # photos/signed-NNN.jpg        trusted, human
    "signed-png": 20,   # photos/png/signed-NNN.png    trusted, human
    "stranger": 20,     # partners/stranger-NNN.jpg    valid (signer not trusted), human
    "unsigned-jpg": 20,  # inbox/unsigned-NNN.jpg
    "unsigned-png": 20,  # inbox/unsigned-NNN.png
    "tampered": 20,     # photos/edited/tampered-NNN.jpg   invalid
    "ai": 15,           # generated/ai-NNN.jpg         trusted, origin ai
    "mixed": 5,         # generated/mixed-NNN.jpg      trusted, origin mixed (human edit of AI)
    "bmp": 10,          # misc/legacy-NNN.bmp          unsupported
    "bin": 10,          # misc/blob-NNN.bin            unsupported
}
TOTAL = sum(KINDS.values())
assert TOTAL == 200

#: what default verification of the whole tree gives (test root trusted)
EXPECTED_OUTCOMES = {"passed": 100, "failed": 80, "skipped": 20}
EXPECTED_STATUSES = {"trusted": 100, "valid": 20, "invalid": 20, "unsigned": 40, "skipped": 20}
EXPECTED_ORIGINS = {"human": 120, "ai": 15, "mixed": 5, "unknown": 40}


@dataclass(frozen=True)
class Mixed:
    root: Path
    stranger_dir: Path
    stranger_root: Path


def _ai_manifest(title: str) -> dict[str, object]:
    return {
        "claim_generator_info": [{"name": "TEST-ONLY generator", "version": "1.0"}],
        "title": title,
        "assertions": [{
            "label": "c2pa.actions.v2",
            "data": {"actions": [{"action": "c2pa.created", "digitalSourceType": AI_SOURCE}]},
        }],
    }


def _ai(data: bytes, identity: Identity, title: str) -> bytes:
    out = io.BytesIO()
    _c2pa.sign_stream(_ai_manifest(title), "image/jpeg", io.BytesIO(data), out, identity,
                      trust_pem=None)
    return out.getvalue()


def build_mixed(root: Path, ident: Identity, stranger: Identity) -> None:
    """Write the 200 files of KINDS under ``root`` (plus hidden files that must be ignored)."""
    trusted = TrustStore((ident.root,)) if ident.root else TrustStore()
    seed = 0

    def picture(fmt: str) -> bytes:
        nonlocal seed
        seed += 1
        return assets.image_bytes(fmt, size=(48, 32), seed=seed)

    def put(rel: str, data: bytes) -> None:
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)

    def signed(fmt: str, name: str, who: Identity) -> bytes:
        return sign_bytes(picture(fmt), name=name, identity=who, trust=trusted,
                          claim=HumanClaim("capture", author=who.info().name)).data

    for i in range(KINDS["signed-jpg"]):
        put(f"photos/signed-{i:03d}.jpg", signed("JPEG", "x.jpg", ident))
    for i in range(KINDS["signed-png"]):
        put(f"photos/png/signed-{i:03d}.png", signed("PNG", "x.png", ident))
    for i in range(KINDS["stranger"]):
        put(f"partners/stranger-{i:03d}.jpg", signed("JPEG", "x.jpg", stranger))
    for i in range(KINDS["unsigned-jpg"]):
        put(f"inbox/unsigned-{i:03d}.jpg", picture("JPEG"))
    for i in range(KINDS["unsigned-png"]):
        put(f"inbox/unsigned-{i:03d}.png", picture("PNG"))
    for i in range(KINDS["tampered"]):
        put(f"photos/edited/tampered-{i:03d}.jpg",
            flip_entropy_byte(signed("JPEG", "x.jpg", ident)))
    for i in range(KINDS["ai"]):
        put(f"generated/ai-{i:03d}.jpg", _ai(picture("JPEG"), ident, f"ai-{i}.jpg"))
    for i in range(KINDS["mixed"]):
        parent = _ai(picture("JPEG"), ident, "generated.jpg")
        put(f"generated/mixed-{i:03d}.jpg", sign_bytes(
            picture("JPEG"), name="x.jpg", identity=ident, trust=trusted, parent=parent,
            parent_name="generated.jpg", claim=HumanClaim("edit")).data)
    for i in range(KINDS["bmp"]):
        put(f"misc/legacy-{i:03d}.bmp", b"BM" + bytes(60))
    for i in range(KINDS["bin"]):
        put(f"misc/blob-{i:03d}.bin", b"\x00\x01TEST-ONLY" + bytes([i]))
    # Hidden: never part of a batch.
    put(".cache/hidden.jpg", picture("JPEG"))
    put("photos/.DS_Store", b"\x00\x00\x00\x01Bud1")


@pytest.fixture(scope="session")
def mixed(tmp_path_factory: pytest.TempPathFactory, _session_identity_dir: Path) -> Mixed:
    """The 200-file tree (read-only for tests) and the stranger who signed 20 of them."""
    ident = Identity.load(_session_identity_dir, password=None)
    stranger, _ = Identity.create("TEST-ONLY Mallory Stranger", organization="TEST-ONLY Elsewhere")
    base = tmp_path_factory.mktemp("batch")
    stranger_dir = base / "stranger-id"
    stranger.save(stranger_dir, password=None)
    assert stranger.root is not None
    stranger_root = base / "stranger-root.pem"
    stranger_root.write_bytes(stranger.root.public_bytes(serialization.Encoding.PEM))
    root = base / "mixed"
    build_mixed(root, ident, stranger)
    return Mixed(root, stranger_dir, stranger_root)
