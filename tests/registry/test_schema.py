"""Schema migrations and the image index: a registry written by schema 1 upgrades in place
(on SQLite and PostgreSQL) and still finds, and removes, what it held; the segment index finds
every code within the threshold."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pytest

import provenance.registry._sql as sql
from provenance.fingerprint import fingerprint
from provenance.identity import Identity
from provenance.registry import open_registry
from provenance.registry.base import IMAGE_THRESHOLD
from provenance.registry.record import record_for
from provenance.registry.removal import prove_removal
from tests.registry.helpers import signed_pair, social


def _v1_keys(phash: int) -> list[int]:
    """Schema 1's image keys: four 16-bit segments."""
    return [seg << 16 | (phash >> (48 - 16 * seg)) & 0xFFFF for seg in range(4)]


def test_a_schema_1_registry_upgrades_and_still_recovers(
        registry_dsn: str, identity: Identity, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    img, txt = signed_pair(tmp_path, identity)
    records = [record_for(img), record_for(txt)]
    real = sql._migrations
    with monkeypatch.context() as m:  # a registry made by a provenance of schema 1
        m.setattr(sql, "_migrations", lambda *a: real(*a)[:1])
        with open_registry(registry_dsn) as old:
            assert isinstance(old, sql.SQLRegistry)
            old._begin()
            for r in records:
                (item,) = old._q(
                    "INSERT INTO manifests (manifest_id, media_type, kind, signer_name, "
                    "signer_cert, origin, registered_at, phash, minhash, manifest_store) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    (r.manifest_id, r.media_type, r.kind, r.signer.name, r.signer_cert,
                     r.origin, "2026-11-30T00:00:00+00:00",
                     sql._signed64(r.phash) if r.phash is not None else None,
                     r.minhash, r.manifest_store))[0]
                for alg, value in r.soft_bindings:
                    old._q("INSERT INTO soft_bindings (alg, value, item) VALUES (?, ?, ?)",
                           (alg, value, item))
                if r.phash is not None:
                    for k in _v1_keys(r.phash):
                        old._q("INSERT INTO image_index (key, item) VALUES (?, ?)", (k, item))
                if r.minhash is not None:
                    for k in set(sql.band_keys(r.minhash)):
                        old._q("INSERT INTO text_index (key, item) VALUES (?, ?)", (k, item))
            old._commit()
            assert old.stats()["schema_version"] == 1
    with open_registry(registry_dsn) as reg:
        assert reg.stats()["schema_version"] == len(real("", "")) >= 2
        copied = fingerprint(social(img, tmp_path / "copy.jpg").read_bytes(), "image/jpeg")
        assert copied is not None
        fp = dataclasses.replace(copied, iscc="ISCC:none")  # found by the pHash index alone
        found = reg.lookup(fp)
        assert found and found[0].manifest_id == records[0].manifest_id
        assert found[0].alg == "phash-64"
        pasted = txt.read_text(encoding="utf-8").encode()
        tfp = fingerprint(pasted, "text/plain")
        assert tfp is not None and reg.lookup(tfp)[0].manifest_id == records[1].manifest_id
        reg.remove(prove_removal(identity, records[0].manifest_id))
        assert reg.lookup(fp) == []
        assert isinstance(reg, sql.SQLRegistry)
        assert reg._q("SELECT COUNT(*) FROM image_segments")[0][0] == 0


def test_segments_find_every_code_within_the_threshold() -> None:
    rng = random.Random(16)  # noqa: S311 (test data)
    assert IMAGE_THRESHOLD <= 9
    radius = sql.segment_radius(IMAGE_THRESHOLD)
    for _ in range(3000):
        code = rng.getrandbits(64)
        near = code
        for bit in rng.sample(range(64), IMAGE_THRESHOLD):
            near ^= 1 << bit
        assert set(sql.segment_keys(near)) & set(sql.segment_keys(code, radius=radius))
    # and the keys are what schema 2's migration computes in SQL from the signed value
    code = 0xF123_4567_89AB_CDEF
    signed = sql._signed64(code)
    assert sql.segment_keys(code) == [n << 13 | (signed >> s) & ((1 << w) - 1)
                                      for n, (s, w) in enumerate(sql.SEGMENTS)]
