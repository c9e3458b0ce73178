"""The same registry suite on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest

import provenance
from provenance.fingerprint import fingerprint
from provenance.identity import Identity
from provenance.registry import BadRegistry, RegistryError, open_registry
from provenance.registry._sql import _migrations
from provenance.registry.record import NotRegistrable, record_for
from provenance.registry.removal import prove_removal
from tests.registry.helpers import signed_pair, social


def test_register_and_recover_stripped_copies(registry_dsn: str, identity: Identity,
                                              tmp_path: Path) -> None:
    img, txt = signed_pair(tmp_path, identity)
    records = [record_for(img), record_for(txt)]
    with open_registry(registry_dsn) as reg:
        assert reg.add(records) == 2
        assert reg.add(records) == 0  # idempotent
        # A re-encoded, resized photo without metadata.
        copy = social(img, tmp_path / "copy.jpg")
        assert provenance.inspect(copy).status == "unsigned"
        fp = fingerprint(copy.read_bytes(), "image/jpeg")
        assert fp is not None
        matches = reg.lookup(fp)
        assert matches and matches[0].manifest_id == records[0].manifest_id
        assert matches[0].similarity >= 87
        assert matches[0].signer.name == "TEST-ONLY Ada Lovelace"
        # A copy-pasted text: the A.8 characters gone, whitespace reflowed, smart quotes.
        pasted = provenance.strip_text(txt.read_text(encoding="utf-8"))
        pasted = pasted.replace(". ", ".\n").replace("'", "\u2019")
        tfp = fingerprint(pasted.encode(), "text/plain")
        assert tfp is not None
        tm = reg.lookup(tfp)
        assert tm and tm[0].manifest_id == records[1].manifest_id
        assert tm[0].origin == "human"


def test_unrelated_content_is_not_matched(registry_dsn: str, identity: Identity,
                                          tmp_path: Path) -> None:
    img, txt = signed_pair(tmp_path, identity, seed=1)
    other_img, other_txt = signed_pair(tmp_path, identity, seed=2)
    with open_registry(registry_dsn) as reg:
        reg.add([record_for(img), record_for(txt)])
        for path, mime in ((other_img, "image/jpeg"), (other_txt, "text/plain")):
            fp = fingerprint(path.read_bytes(), mime)
            assert fp is not None
            assert reg.lookup(fp) == []


def test_flat_images_do_not_match_each_other(registry_dsn: str, identity: Identity,
                                            tmp_path: Path) -> None:
    # Every flat image has the ISCC code ISCC:EEAYAAAAAAAAAAAA: equal values, unrelated images.
    from PIL import Image

    red, blue = tmp_path / "red.jpg", tmp_path / "blue.jpg"
    Image.new("RGB", (400, 300), (200, 30, 30)).save(red, quality=90)
    Image.new("RGB", (640, 480), (20, 40, 220)).save(blue, quality=90)
    signed = provenance.sign(red, tmp_path / "red.signed.jpg", identity=identity)
    with open_registry(registry_dsn) as reg:
        assert reg.add([record_for(signed.output)]) == 1
        fp_red = fingerprint(red.read_bytes(), "image/jpeg")
        fp_blue = fingerprint(blue.read_bytes(), "image/jpeg")
        assert fp_red is not None and fp_blue is not None and fp_red.iscc == fp_blue.iscc
        assert reg.lookup(fp_blue) == []


def test_a_failed_batch_writes_nothing(registry_dsn: str, identity: Identity,
                                       tmp_path: Path) -> None:
    img, txt = signed_pair(tmp_path, identity)
    good = record_for(img)
    broken = dataclasses.replace(record_for(txt), manifest_store=None)  # type: ignore[arg-type]
    with open_registry(registry_dsn) as reg:
        with pytest.raises(RegistryError, match="nothing was written"):
            reg.add([good, broken])
        assert reg.stats()["manifests"] == 0
        assert reg.get(good.manifest_id) is None


def test_removal_needs_the_signers_key(registry_dsn: str, identity: Identity,
                                       stranger: Identity, tmp_path: Path) -> None:
    img, txt = signed_pair(tmp_path, identity)
    rec = record_for(img)
    assert rec.signer_cert is not None  # read from the manifest's own chain
    with open_registry(registry_dsn) as reg:
        reg.add([rec, record_for(txt)])
        with pytest.raises(RegistryError, match="not signed by the manifest's signer"):
            reg.remove(prove_removal(stranger, rec.manifest_id))
        assert reg.get(rec.manifest_id) is not None
        reg.remove(prove_removal(identity, rec.manifest_id))
        assert reg.get(rec.manifest_id) is None
        fp = fingerprint(img.read_bytes(), "image/jpeg")
        assert fp is not None and reg.lookup(fp) == []
        assert reg.stats()["manifests"] == 1
        with pytest.raises(RegistryError, match="is not in"):
            reg.remove(prove_removal(identity, rec.manifest_id))


def test_export_and_stats(registry_dsn: str, identity: Identity, tmp_path: Path) -> None:
    img, txt = signed_pair(tmp_path, identity)
    with open_registry(registry_dsn) as reg:
        reg.add([record_for(img), record_for(txt)])
        stats = reg.stats()
        assert stats["manifests"] == 2 and stats["by_kind"] == {"image": 1, "text": 1}
        assert stats["schema_version"] == len(_migrations("BLOB", "INTEGER"))
        exported = [r.export() for r in reg.records()]
    assert {e["kind"] for e in exported} == {"image", "text"}
    assert all(e["soft_bindings"][0]["alg"] == "io.iscc.v0" for e in exported)
    # Privacy: fingerprints and the manifest store, never the content.
    text = txt.read_text(encoding="utf-8")
    assert all(text[:40] not in str(e) for e in exported)


def test_reopening_keeps_the_schema(registry_dsn: str, identity: Identity,
                                    tmp_path: Path) -> None:
    img, _ = signed_pair(tmp_path, identity)
    with open_registry(registry_dsn) as reg:
        reg.add([record_for(img)])
    with open_registry(registry_dsn) as again:
        assert again.stats()["manifests"] == 1


def test_unsigned_and_tampered_files_are_refused(identity: Identity, tmp_path: Path) -> None:
    _img, txt = signed_pair(tmp_path, identity)
    plain = tmp_path / "plain.txt"
    plain.write_text("never signed", encoding="utf-8")
    with pytest.raises(NotRegistrable, match="no Content Credentials"):
        record_for(plain)
    tampered = tmp_path / "tampered.txt"
    tampered.write_text(txt.read_text(encoding="utf-8").replace("lighthouse", "lamphouse"),
                        encoding="utf-8")
    with pytest.raises(NotRegistrable, match="do not verify"):
        record_for(tampered)


def test_a_file_that_is_not_a_registry(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(BadRegistry, match="not a registry"):
        open_registry(f"sqlite:///{junk}")
    other = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(BadRegistry, match="not a provenance registry"):
        open_registry(str(other))
    assert other.read_bytes()[:15] == b"SQLite format 3"
    with pytest.raises(BadRegistry, match="unknown registry"):
        open_registry("mysql://nope")


def test_a_dsn_that_cannot_connect() -> None:
    pytest.importorskip("psycopg")
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(RegistryError, match="cannot connect"):
        open_registry(f"postgresql://nobody:secret@127.0.0.1:{port}/x")
