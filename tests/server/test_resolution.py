"""The C2PA soft-binding resolution API against a real ``provenance serve`` (one per module):
every endpoint's shape, tokens (401/403), unknown ids (404), manifests recovered from a
re-encoded JPEG and from text stripped of its invisible characters, and uploads that are not
manifest stores refused."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

import provenance
import provenance.trust
from provenance.fingerprint.text import visible_text
from provenance.identity import Identity
from provenance.registry import open_registry
from provenance.registry.base import Record
from provenance.registry.record import record_for
from provenance.registry.tokens import create_token, revoke_token
from tests.registry.helpers import photo, signed_pair, social
from tests.server.helpers import Running, multipart, serve


@dataclass
class World:
    srv: Running
    full: str  # every scope
    fetch_only: str
    manifests_only: str
    revoked: str
    image: Record
    text: Record
    image_path: Path
    text_path: Path
    base: Path


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, _session_identity_dir: Path,
          ) -> Iterator[World]:
    base = tmp_path_factory.mktemp("resolution")
    server_home = base / "server-home"
    server_home.mkdir()
    dsn = f"sqlite:///{base / 'served.sqlite3'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PROVENANCE_HOME", str(server_home))
        ident = Identity.load(_session_identity_dir, password=None)
        assert ident.root is not None
        provenance.trust.add_certificates("test-root", [ident.root])
        img, txt = signed_pair(base, ident)
        image, text = record_for(img), record_for(txt)
        with open_registry(dsn) as reg:
            full = create_token(reg, ("fetch:manifests", "store:manifests", "store:bindings"))
            fetch_only = create_token(reg, ("fetch:manifests",))
            manifests_only = create_token(reg, ("store:manifests",))
            revoked = create_token(reg, ("store:manifests", "store:bindings"))
            revoke_token(reg, revoked.info.id)
    with serve("--registry", dsn, "-j", "1", env={"PROVENANCE_HOME": str(server_home)},
               log_dir=base) as srv:
        yield World(srv, full.token, fetch_only.token, manifests_only.token, revoked.token,
                    image, text, img, txt, base)


def _get(w: World, path: str) -> tuple[int, dict[str, str], Any]:
    status, headers, body = w.srv.request("GET", path)
    is_json = headers.get("content-type", "").startswith("application/json")
    return status, headers, json.loads(body) if is_json else body


def _auth(token: str | None, ctype: str = "application/json") -> dict[str, str]:
    headers = {"Content-Type": ctype}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return headers


def _post_store(w: World, data: bytes, token: str | None) -> tuple[int, dict[str, str], Any]:
    status, headers, body = w.srv.request("POST", "/v1/manifests", data,
                                          _auth(token, "application/c2pa"))
    return status, headers, json.loads(body)


def _json(w: World, method: str, path: str, doc: dict[str, Any],
          token: str | None = None) -> tuple[int, Any]:
    status, _, body = w.srv.request(method, path, json.dumps(doc).encode(), _auth(token))
    return status, json.loads(body) if body else None


def _by_content(w: World, data: bytes, name: str, media: str) -> tuple[int, Any]:
    body, ctype = multipart({"file": (name, data, media)})
    status, _, raw = w.srv.request("POST", "/v1/matches/byContent?maxResults=3", body,
                                   {"Content-Type": ctype})
    return status, json.loads(raw)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _iscc(record: Record) -> str:
    return next(v for a, v in record.soft_bindings if a == "io.iscc.v0")


def test_discovery_and_services(world: World) -> None:
    status, _, doc = _get(world, "/.well-known/c2pa-soft-binding-resolution")
    assert status == 200
    assert doc == {"apiEndpoint": f"{world.srv.url}/v1", "c2paSpecificationVersion": "2.4.0",
                   "capabilitiesEndpoint": f"{world.srv.url}/v1/services/capabilities",
                   "statusEndpoint": f"{world.srv.url}/v1/services/status"}
    status, _, caps = _get(world, "/v1/services/capabilities")
    assert status == 200
    assert caps == {"c2paSpecificationVersion": "2.4.0",
                    "supportedCapabilities": ["queryByContent", "storeManifests",
                                              "storeBindings"]}
    status, _, state = _get(world, "/v1/services/status")
    assert status == 200 and state["status"] == "ok" and state["timestamp"].endswith("Z")
    status, _, algs = _get(world, "/v1/services/supportedAlgorithms")
    assert status == 200 and algs == {"watermarks": [], "fingerprints": [{"alg": "io.iscc.v0"}]}
    status, _, doc = _get(world, "/api/openapi.json")
    assert status == 200
    assert {"/v1/matches/byContent", "/v1/manifests/{manifestId}", "/v1/bindings",
            "/.well-known/c2pa-soft-binding-resolution"} <= set(doc["paths"])


def test_store_endpoints_need_a_token_with_the_scope(world: World) -> None:
    store = world.image.store_bytes
    assert store is not None
    status, headers, doc = _post_store(world, store, None)
    assert status == 401 and doc["code"] == "unauthorized"
    assert headers["www-authenticate"].startswith("Bearer")
    for bad in ("nonsense", world.revoked, world.full[:-1] + ("A" if world.full[-1] != "A"
                                                              else "B")):
        assert _post_store(world, store, bad)[0] == 401, bad
    status, headers, doc = _post_store(world, store, world.fetch_only)
    assert status == 403 and "store:manifests" in doc["message"]
    assert "insufficient_scope" in headers["www-authenticate"]
    binding = {"manifestId": world.image.manifest_id, "alg": "com.example.mark", "value": "QQ=="}
    assert _json(world, "POST", "/v1/bindings", binding)[0] == 401
    assert _json(world, "POST", "/v1/bindings", binding, world.manifests_only)[0] == 403
    assert _json(world, "PUT", "/v1/bindings", binding, world.fetch_only)[0] == 403
    status, _, _ = world.srv.request("DELETE", "/v1/manifests/urn:c2pa:nope")
    assert status == 401  # authentication comes before existence
    status, _, _ = world.srv.request("DELETE", "/v1/manifests/urn:c2pa:nope",
                                     headers=_auth(world.fetch_only))
    assert status == 403
    status, _, body = world.srv.request("DELETE", "/v1/manifests/urn:c2pa:nope",
                                        headers=_auth(world.full))
    assert status == 404 and json.loads(body)["code"] == "not_found"


def test_publish_recover_bind_delete(world: World, tmp_path: Path) -> None:
    img, txt = world.image, world.text
    assert img.store_bytes is not None and txt.store_bytes is not None
    # (1) Publish: 201 the first time, 200 after; the id is the active manifest's label.
    status, headers, doc = _post_store(world, img.store_bytes, world.full)
    assert status == 201 and doc == {"manifestId": img.manifest_id}
    assert headers["location"] == f"/v1/manifests/{img.manifest_id}"
    assert _post_store(world, img.store_bytes, world.manifests_only)[:3:2] == (
        200, {"manifestId": img.manifest_id})
    assert _post_store(world, txt.store_bytes, world.full)[0] == 201
    # (2) Fetch: the store as uploaded, application/c2pa; unknown ids 404.
    status, headers, body = world.srv.request("GET", "/v1/manifests/" + quote(img.manifest_id))
    assert status == 200 and headers["content-type"] == "application/c2pa"
    assert body == img.store_bytes
    assert world.srv.request("GET", "/v1/manifests/urn:c2pa:unknown")[0] == 404
    # (3) byContent: a re-encoded, stripped JPEG finds the image's manifest.
    copy = social(world.image_path, tmp_path / "copy.jpg")
    status, doc = _by_content(world, copy.read_bytes(), "copy.jpg", "image/jpeg")
    assert status == 200, doc
    assert doc["matches"][0]["manifestId"] == img.manifest_id
    assert 90 <= doc["matches"][0]["similarityScore"] <= 100
    assert all(m["manifestId"] != txt.manifest_id for m in doc["matches"])
    # ... and text with its invisible characters stripped finds the text's.
    signed_text = world.text_path.read_text(encoding="utf-8")
    pasted = visible_text(signed_text)
    assert pasted != signed_text and "\ufe00" not in pasted
    status, doc = _by_content(world, pasted.encode(), "pasted.txt", "text/plain")
    assert status == 200 and doc["matches"][0]["manifestId"] == txt.manifest_id
    # An unrelated photo finds nothing.
    other = photo(tmp_path / "other.jpg", seed=77)
    assert _by_content(world, other.read_bytes(), "o.jpg", "image/jpeg") == (200, {"matches": []})
    # Neither an image nor text: 415.
    status, doc = _by_content(world, os.urandom(2000), "blob.bin", "application/octet-stream")
    assert status == 415 and doc["code"] == "unsupported_media_type"
    # (4) byBinding, GET and POST, with the soft binding of the manifest.
    status, _, doc = _get(world, f"/v1/matches/byBinding?alg=io.iscc.v0&value={_b64(_iscc(img))}")
    assert status == 200 and doc["matches"][0] == {"manifestId": img.manifest_id,
                                                   "similarityScore": 100}
    status, doc = _json(world, "POST", "/v1/matches/byBinding?maxResults=1",
                        {"alg": "io.iscc.v0", "value": _b64(_iscc(txt))})
    assert status == 200 and [m["manifestId"] for m in doc["matches"]] == [txt.manifest_id]
    assert _get(world, "/v1/matches/byBinding?alg=io.iscc.v0")[0] == 400
    assert _get(world, f"/v1/matches/byBinding?alg=x&value={'A' * 3000}")[0] == 414
    assert _get(world, "/v1/matches/byBinding?alg=x&value=QQ==&maxResults=0")[0] == 400
    assert _json(world, "POST", "/v1/matches/byBinding", {"alg": "io.iscc.v0"})[0] == 400
    # (5) Bindings: add a watermark value, find it, move it, refuse unknown ids.
    mark = {"manifestId": img.manifest_id, "alg": "com.example.mark", "value": _b64("wm-1")}
    status, doc = _json(world, "POST", "/v1/bindings", mark, world.full)
    assert status == 201 and doc == mark
    query = f"/v1/matches/byBinding?alg=com.example.mark&value={quote(mark['value'])}"
    assert [m["manifestId"] for m in _get(world, query)[2]["matches"]] == [img.manifest_id]
    moved = {**mark, "manifestId": txt.manifest_id}
    assert _json(world, "PUT", "/v1/bindings", moved, world.full) == (200, moved)
    assert [m["manifestId"] for m in _get(world, query)[2]["matches"]] == [txt.manifest_id]
    assert _json(world, "PUT", "/v1/bindings", {**mark, "value": _b64("never")},
                 world.full)[0] == 404
    assert _json(world, "POST", "/v1/bindings", {**mark, "manifestId": "urn:c2pa:nope"},
                 world.full)[0] == 404
    assert _json(world, "POST", "/v1/bindings", {"manifestId": img.manifest_id,
                                                 "alg": "io.iscc.v0", "value": "not-a-code"},
                 world.full)[0] == 400
    # (6) Delete: 204, then the manifest is gone from fetch and from every query.
    status, _, _ = world.srv.request("DELETE", "/v1/manifests/" + quote(img.manifest_id),
                                     headers=_auth(world.manifests_only))
    assert status == 204
    assert world.srv.request("GET", "/v1/manifests/" + quote(img.manifest_id))[0] == 404
    status, doc = _by_content(world, copy.read_bytes(), "copy.jpg", "image/jpeg")
    assert status == 200 and doc == {"matches": []}
    assert world.srv.request("DELETE", "/v1/manifests/" + quote(img.manifest_id),
                             headers=_auth(world.full))[0] == 404


def test_uploads_that_are_not_verifying_manifest_stores_are_refused(world: World) -> None:
    store = world.text.store_bytes
    assert store is not None
    status, _, doc = _post_store(world, b"just some bytes, not JUMBF", world.full)
    assert status == 400 and doc["code"] == "not_registrable"
    assert "not a C2PA manifest store" in doc["message"]
    # One changed character inside an assertion (the soft binding's code): a store that
    # does not verify.
    tampered = bytearray(store)
    at = tampered.find(b"ISCC:") + 6
    assert at > 6
    tampered[at] = ord("A") if tampered[at] != ord("A") else ord("B")
    status, _, doc = _post_store(world, bytes(tampered), world.full)
    assert status == 400 and doc["code"] == "not_registrable", doc
    # A signed JPEG is not a manifest store: send its application/c2pa store.
    status, _, _ = world.srv.request("POST", "/v1/manifests", world.image_path.read_bytes(),
                                        _auth(world.full, "image/jpeg"))
    assert status == 415
    status, _, _ = world.srv.request("POST", "/v1/manifests", b"{}",
                                        _auth(world.full, "application/json"))
    assert status == 415


def test_by_reference_is_off_without_allow_fetch(world: World) -> None:
    status, doc = _json(world, "POST", "/v1/matches/byReference",
                        {"referenceUrl": "https://example.org/a.jpg", "assetLength": 10})
    assert status == 404 and doc["code"] == "not_enabled"


def test_by_reference_refuses_what_is_not_public_https(tmp_path: Path) -> None:
    from provenance.server.errors import ServerError
    from provenance.server.fetching import fetch_asset

    for url, code in [("http://example.org/a.jpg", 400), ("https://127.0.0.1/a.jpg", 400),
                      ("https://10.1.2.3/a.jpg", 400), ("file:///etc/passwd", 400)]:
        with pytest.raises(ServerError) as caught:
            fetch_asset(url, tmp_path / "a", declared=10, asset_type=None, max_bytes=100,
                        timeout=2)
        assert caught.value.status == code, url
    with pytest.raises(ServerError) as caught:
        fetch_asset("https://example.org/a.jpg", tmp_path / "a", declared=1000,
                    asset_type=None, max_bytes=100, timeout=2)
    assert caught.value.status == 413
    assert not (tmp_path / "a").exists()


@pytest.mark.slow
def test_store_bytes_of_a_jpeg_whose_store_spans_app11_segments(
        identity: Identity, tmp_path: Path) -> None:
    """c2pa-rs splits a store over 64 KiB across APP11 segments; joined again, it is the
    store (it verifies alone). Edits of a noisy photo, each with a thumbnail, grow it."""
    import numpy as np
    from PIL import Image

    from provenance.registry.storebytes import manifest_store_bytes

    rng = np.random.default_rng(9)
    prev = tmp_path / "v0.jpg"
    Image.fromarray(rng.integers(0, 255, (1200, 1600, 3), dtype=np.uint8)).save(prev,
                                                                               quality=95)
    for i in range(1, 8):
        src = tmp_path / f"e{i}.jpg"
        with Image.open(prev) as im:
            im.rotate(1).save(src, quality=95)
        opts = provenance.SignOptions(claim=provenance.ClaimTemplate(origin="edit"),
                                      parent=prev, thumbnail=True)
        prev = provenance.sign(src, tmp_path / f"e{i}.signed.jpg", identity=identity,
                               options=opts).output
        data = prev.read_bytes()
        if data.count(b"\xff\xeb") >= 2 and len(manifest_store_bytes(data) or b"") > 65535:
            break
    store = manifest_store_bytes(data)
    assert store is not None and len(store) > 65535
    (tmp_path / "alone").mkdir()
    (tmp_path / "alone" / "m.c2pa").write_bytes(store)
    report = provenance.inspect(tmp_path / "alone" / "m.c2pa")
    assert report.status == "trusted", report.failures
