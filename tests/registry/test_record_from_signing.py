"""Registering a file just signed (``record_from_signing``) gives the record ``record_for``
gives for the same file, with one fingerprint and one c2pa read; a modified file is still
refused, by it and by ``registry add``."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

import provenance
from provenance import _c2pa
from provenance.fingerprint import fingerprint
from provenance.identity import Identity
from provenance.registry import record as record_mod
from provenance.registry.record import NotRegistrable, record_for, record_from_signing
from provenance.trust import TrustStore
from tests.cli.helpers import EXIT_FAILED, describe, run
from tests.registry.helpers import ESSAY, photo


def _sources(tmp: Path) -> dict[str, Path]:
    jpeg = photo(tmp / "photo.jpg", seed=3)
    png = tmp / "drawing.png"
    with Image.open(photo(tmp / "for-png.jpg", seed=4, size=(400, 300))) as img:
        img.save(png, "PNG")
    txt = tmp / "essay.txt"
    txt.write_text(ESSAY, encoding="utf-8")
    return {"image/jpeg": jpeg, "image/png": png, "text/plain": txt}


def _counting(monkeypatch: pytest.MonkeyPatch, owner: object, name: str,
              calls: list[str]) -> None:
    """Count the calls of the real ``owner.name`` (it still runs)."""
    real: Callable[..., Any] = getattr(owner, name)

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(name)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, spy)


def test_the_record_is_the_one_record_for_gives(identity: Identity, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    store = TrustStore.installed()
    for mime, src in _sources(tmp_path).items():
        result = provenance.sign(src, tmp_path / f"signed-{src.name}", identity=identity,
                                 trust=store)
        if mime == "text/plain":
            assert result.fingerprint is None  # the signed text is fingerprinted itself
        else:
            # The soft binding's fingerprint of the source is the signed file's.
            assert result.fingerprint is not None
            assert result.fingerprint == fingerprint(result.output.read_bytes(), mime)
        reads: list[str] = []
        prints: list[str] = []
        _counting(monkeypatch, _c2pa, "read_manifest", reads)
        _counting(monkeypatch, _c2pa, "read_signed", reads)
        _counting(monkeypatch, _c2pa, "read_external", reads)
        _counting(monkeypatch, record_mod, "fingerprint", prints)
        fast = record_from_signing(result.output, fingerprint=result.fingerprint, trust=store)
        assert len(reads) == 1, (mime, reads)  # one validating read: verdict and store
        assert len(prints) == (1 if mime == "text/plain" else 0), (mime, prints)
        reads.clear()
        reference = record_for(result.output, trust=store)
        assert len(reads) == 2, (mime, reads)  # inspect, then the store
        monkeypatch.undo()
        for f in dataclasses.fields(reference):
            assert getattr(fast, f.name) == getattr(reference, f.name), (mime, f.name)
        assert fast.kind == ("text" if mime == "text/plain" else "image")
        assert fast.signer.trusted and fast.signer_cert is not None and fast.store_bytes


def test_a_known_signer_certificate_skips_crjson(identity: Identity, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The second file of one signer is read without c2pa's crJSON pass, and its record is
    still the one record_for gives, field by field."""
    store = TrustStore.installed()
    signed = [provenance.sign(photo(tmp_path / f"p{i}.jpg", seed=20 + i),
                              tmp_path / f"p{i}.signed.jpg", identity=identity,
                              trust=store) for i in range(2)]
    record_from_signing(signed[0].output, fingerprint=signed[0].fingerprint, trust=store)
    crjson: list[str] = []
    _counting(monkeypatch, _c2pa, "_signatures", crjson)
    fast = record_from_signing(signed[1].output, fingerprint=signed[1].fingerprint,
                               trust=store)
    assert crjson == []
    monkeypatch.undo()
    reference = record_for(signed[1].output, trust=store)
    for f in dataclasses.fields(reference):
        assert getattr(fast, f.name) == getattr(reference, f.name), f.name
    assert fast.signer.issuer and fast.signer.serial


def test_a_modified_file_is_refused(identity: Identity, tmp_path: Path) -> None:
    src = photo(tmp_path / "photo.jpg", seed=5)
    signed = provenance.sign(src, tmp_path / "photo.signed.jpg", identity=identity).output
    data = bytearray(signed.read_bytes())
    at = len(data) - 400  # inside the entropy-coded scan, after the manifest
    data[at] ^= 0x55
    tampered = tmp_path / "tampered.jpg"
    tampered.write_bytes(bytes(data))
    with pytest.raises(NotRegistrable, match="do not verify"):
        record_from_signing(tampered)
    with pytest.raises(NotRegistrable, match="do not verify"):
        record_for(tampered)
    reg = tmp_path / "elsewhere.sqlite3"
    proc = run("registry", "add", "--registry", f"sqlite:///{reg}", tampered)
    assert proc.returncode == EXIT_FAILED, describe(proc)
    assert "do not verify" in proc.stderr and "Traceback" not in proc.stderr
    assert not reg.exists()


def test_batch_sign_registers_the_same_records(identity: Identity, tmp_path: Path) -> None:
    from provenance import batch
    from provenance.registry import open_registry

    sources = _sources(tmp_path)
    out = tmp_path / "out"
    with open_registry(f"sqlite:///{tmp_path / 'reg.sqlite3'}") as reg:
        results = list(batch.sign([sources["image/jpeg"], sources["text/plain"]],
                                  identity=identity, out_dir=out, registry=reg))
        assert all(isinstance(r, batch.Signed) for r in results), results
        for r in results:
            assert isinstance(r, batch.Signed)
            made = r.record
            reference = record_for(r.output)
            assert made is not None
            for f in dataclasses.fields(reference):
                assert getattr(made, f.name) == getattr(reference, f.name), (r.output, f.name)
            stored = reg.get(reference.manifest_id)
            assert stored is not None and stored.phash == reference.phash
            assert stored.minhash == reference.minhash


def test_registration_out_of_time_leaves_a_signed_unregistered_file(
        identity: Identity, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The per-file limit running out while a file is registered (after its output is
    written) gives a Signed result that says it is not registered, not a failure beside a
    signed output; the other files are registered, and ``registry add`` registers it later."""
    import time

    from provenance import batch
    from provenance.registry import open_registry

    real = record_mod.record_from_signing

    def slow_for_one(path: Path | str, **kwargs: Any) -> Any:
        if Path(path).name.startswith("slow"):  # busy, as a pathological extractor would be
            end = time.monotonic() + 600
            while time.monotonic() < end:
                sum(range(1000))
        return real(path, **kwargs)

    monkeypatch.setattr(record_mod, "record_from_signing", slow_for_one)
    sources = []
    for name in ("first.txt", "slow.txt", "last.txt"):
        (tmp_path / name).write_text(f"{ESSAY}\n{name}\n", encoding="utf-8")
        sources.append(tmp_path / name)
    dsn = f"sqlite:///{tmp_path / 'reg.sqlite3'}"
    start = time.monotonic()
    with open_registry(dsn) as reg:
        results = list(batch.sign(sources, identity=identity, out_dir=tmp_path / "out",
                                  registry=reg, file_timeout=2.0))
        assert time.monotonic() - start < 120
        assert [type(r).__name__ for r in results] == ["Signed"] * 3, results
        by_name = {Path(r.path).name: r for r in results if isinstance(r, batch.Signed)}
        slow = by_name["slow.txt"]
        assert slow.record is None
        assert len(slow.notes) == 1 and slow.notes[0].startswith("not registered: the "
                                                                 "per-file time limit ran out")
        assert f"provenance registry add {slow.output}" in slow.notes[0]
        assert all(by_name[n].record is not None and not by_name[n].notes
                   for n in ("first.txt", "last.txt"))
        assert reg.stats()["manifests"] == 2
    # The output is whole: it verifies, and registers on its own.
    assert provenance.inspect(slow.output).intact
    monkeypatch.setattr(record_mod, "record_from_signing", real)
    proc = run("registry", "add", "--registry", dsn, slow.output)
    assert proc.returncode == 0, describe(proc)
    with open_registry(dsn, create=False) as reg:
        assert reg.stats()["manifests"] == 3
