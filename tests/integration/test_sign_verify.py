"""Integration: sign and verify real files with real c2pa and TEST-ONLY certificates.

No mocks, no network. Every tamper test changes real bytes of a real signed file and checks
that the change is really there before judging the verdict. Every Report produced here is
validated against ``provenance/schemas/report-v1.json``.
"""

from __future__ import annotations

import io
import json
import os
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

import provenance
from provenance import (
    AlreadySigned,
    HumanClaim,
    Identity,
    IdentityError,
    InputError,
    OutputError,
    Report,
    SigningError,
    TrustedSigner,
    TrustStore,
    VerificationFailed,
    _c2pa,
    default_policy,
    inspect,
    sign,
    sign_bytes,
    verify,
)
from provenance.claims import IPTC
from tests.assets import build as assets

_SCHEMA = json.loads(
    (Path(provenance.__file__).parent / "schemas" / "report-v1.json").read_text("utf-8")
)
_VALIDATOR = Draft202012Validator(_SCHEMA)

AI_SOURCE = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"


# -- helpers --------------------------------------------------------------------------------


def schema_ok(report: Report) -> Report:
    """Assert the report's JSON form validates against report-v1.json; return it."""
    doc = report.to_dict()
    errors = sorted(_VALIDATOR.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)
    json.dumps(doc)  # and it really is JSON-serialisable
    return report


def codes(report: Report, *, ingredient: bool = False) -> list[str]:
    """Failure codes of the active manifest (or, with ingredient=True, of ingredients)."""
    return [f.code for f in report.failures if (f.ingredient is not None) == ingredient]


def jpeg_scan_byte(data: bytes) -> int:
    """Index of a byte inside the entropy-coded data of the (first) scan, well before EOI."""
    pos = 2
    while pos + 4 <= len(data):
        assert data[pos] == 0xFF, f"bad marker at {pos}"
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        length = int.from_bytes(data[pos + 2:pos + 4], "big")
        if marker == 0xDA:
            start = pos + 2 + length
            end = data.rindex(b"\xff\xd9")
            assert end - start > 64, "scan too small to tamper safely"
            i = start + (end - start) // 3
            # Stay clear of 0xFF (marker / stuffing) so the JPEG structure is unchanged.
            while data[i] == 0xFF or data[i - 1] == 0xFF or data[i] ^ 0x01 == 0xFF:
                i += 1
            return i
        pos += 2 + length
    raise AssertionError("no SOS marker")


def png_idat_byte(data: bytes) -> int:
    """Index of a byte in the middle of the first IDAT chunk's data."""
    pos = 8
    while pos + 8 <= len(data):
        length, ctype = int.from_bytes(data[pos:pos + 4], "big"), data[pos + 4:pos + 8]
        if ctype == b"IDAT":
            assert length > 16
            return pos + 8 + length // 2
        pos += 12 + length
    raise AssertionError("no IDAT chunk")


def jumbf_box(data: bytes) -> tuple[int, int]:
    """(start, length) of the outermost C2PA JUMBF superbox in a signed file."""
    j = data.find(b"jumb")
    assert j >= 4, "no JUMBF box"
    start = j - 4
    length = struct.unpack(">I", data[start:start + 4])[0]
    assert 64 < length and start + length <= len(data)
    assert bytes.fromhex("6332706100110010800000aa00389b71") in data[start:start + length]
    return start, length


def flip(data: bytes, index: int, mask: int = 0x01) -> bytes:
    out = bytearray(data)
    out[index] ^= mask
    assert bytes(out) != data
    return bytes(out)


def tmp_leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def ai_manifest(title: str) -> dict[str, object]:
    return {
        "claim_generator_info": [{"name": "TEST-ONLY generator", "version": "1.0"}],
        "title": title,
        "assertions": [{
            "label": "c2pa.actions.v2",
            "data": {"actions": [{"action": "c2pa.created", "digitalSourceType": AI_SOURCE}]},
        }],
    }


def sign_ai(data: bytes, mime: str, identity: Identity, title: str = "ai.jpg") -> bytes:
    """An AI-made asset: signed through the c2pa boundary with a trainedAlgorithmicMedia claim."""
    out = io.BytesIO()
    _c2pa.sign_stream(ai_manifest(title), mime, io.BytesIO(data), out, identity,
                      trust_pem=None)
    return out.getvalue()


@pytest.fixture
def signed_jpeg(identity: Identity) -> bytes:
    data = sign_bytes(
        assets.image_bytes("JPEG"), name="photo.jpg", identity=identity,
        claim=HumanClaim("capture", author="TEST-ONLY Ada"),
    ).data
    return data


@pytest.fixture
def signed_png(identity: Identity) -> bytes:
    data = sign_bytes(assets.image_bytes("PNG"), name="photo.png", identity=identity).data
    return data


# -- 1. trusted / valid / unsigned / invalid ------------------------------------------------


def test_trusted_signer(files: dict[str, Path], identity: Identity) -> None:
    result = sign(files["photo.jpg"], identity=identity)
    report = schema_ok(inspect(result.output))
    assert report.status == "trusted"
    assert report.intact
    assert report.failures == ()
    assert report.signer is not None and report.signer.trusted
    assert report.signer.name == "TEST-ONLY Ada Lovelace"
    assert report.signer.issuer and "provenance root" in report.signer.issuer
    assert report.origin == "human"
    # Every policy, including the strictest, holds.
    assert schema_ok(verify(result.output)).status == "trusted"
    verify(result.output, policy=default_policy(require_trusted=True))
    verify(result.output, policy=TrustedSigner())


def test_trust_comes_from_the_given_store(files: dict[str, Path], identity: Identity,
                                          stranger: Identity) -> None:
    mine = sign(files["photo.jpg"], identity=identity).output
    # An explicit empty store overrides the anchors installed in the home.
    assert schema_ok(inspect(mine, trust=TrustStore())).status == "valid"
    theirs = sign(files["photo.png"], identity=stranger).output
    assert stranger.root is not None
    assert schema_ok(inspect(theirs, trust=TrustStore((stranger.root,)))).status == "trusted"


def test_valid_but_untrusted_signer(files: dict[str, Path], stranger: Identity) -> None:
    result = sign(files["photo.jpg"], identity=stranger)
    report = schema_ok(inspect(result.output))
    assert report.status == "valid"
    assert report.intact
    assert codes(report) == ["signingCredential.untrusted"]
    assert report.signer is not None and not report.signer.trusted
    assert report.signer.name == "TEST-ONLY Mallory Stranger"
    # The default policy accepts an intact, human-made file from an unknown signer.
    assert schema_ok(verify(result.output)).status == "valid"


@pytest.mark.parametrize("policy", [TrustedSigner(), default_policy(require_trusted=True)],
                         ids=["TrustedSigner", "default_require_trusted"])
def test_untrusted_signer_fails_trusted_policy(files: dict[str, Path], stranger: Identity,
                                               policy: provenance.Policy) -> None:
    result = sign(files["photo.jpg"], identity=stranger)
    with pytest.raises(VerificationFailed) as info:
        verify(result.output, policy=policy)
    assert info.value.report.status == "valid"
    assert any("trust add" in r for r in info.value.reasons), info.value.reasons
    assert "trust add" in str(info.value)
    schema_ok(info.value.report)


def test_unsigned(files: dict[str, Path]) -> None:
    report = schema_ok(inspect(files["photo.jpg"]))
    assert report.status == "unsigned"
    assert report.origin == "unknown"
    assert report.signer is None and report.ingredients == () and report.failures == ()
    with pytest.raises(VerificationFailed) as info:
        verify(files["photo.jpg"])
    assert info.value.report.status == "unsigned"
    assert any("unsigned" in r for r in info.value.reasons)
    schema_ok(info.value.report)


def test_invalid(signed_jpeg: bytes) -> None:
    tampered = flip(signed_jpeg, jpeg_scan_byte(signed_jpeg))
    report = schema_ok(inspect(tampered, name="photo.jpg"))
    assert report.status == "invalid"
    assert not report.intact
    with pytest.raises(VerificationFailed) as info:
        verify(tampered, name="photo.jpg")
    assert info.value.report.status == "invalid"
    assert any("invalid" in r for r in info.value.reasons)
    schema_ok(info.value.report)


# -- 2. tampering ---------------------------------------------------------------------------


def test_untampered_fixtures_are_trusted(signed_jpeg: bytes, signed_png: bytes) -> None:
    # The baseline for every tamper test below.
    assert schema_ok(inspect(signed_jpeg, name="photo.jpg")).status == "trusted"
    assert schema_ok(inspect(signed_png, name="photo.png")).status == "trusted"


def test_tampered_jpeg_pixels(signed_jpeg: bytes) -> None:
    i = jpeg_scan_byte(signed_jpeg)
    start, length = jumbf_box(signed_jpeg)
    assert not start <= i < start + length  # really image data, not the manifest
    report = schema_ok(inspect(flip(signed_jpeg, i), name="photo.jpg"))
    assert report.status == "invalid"
    assert "assertion.dataHash.mismatch" in codes(report)


def test_tampered_png_pixels(signed_png: bytes) -> None:
    i = png_idat_byte(signed_png)
    report = schema_ok(inspect(flip(signed_png, i), name="photo.png"))
    assert report.status == "invalid"
    assert "assertion.dataHash.mismatch" in codes(report)


def test_tampered_manifest_author_name(signed_jpeg: bytes) -> None:
    j = signed_jpeg.find(b"TEST-ONLY Ada")
    assert j > 0
    start, length = jumbf_box(signed_jpeg)
    assert start <= j < start + length
    tampered = bytearray(signed_jpeg)
    tampered[j + len("TEST-ONLY ")] = ord("E")  # "Ada" -> "Eda": same length, still CBOR
    report = schema_ok(inspect(bytes(tampered), name="photo.jpg"))
    assert report.status == "invalid"
    assert report.failures
    # Measured with c2pa-python 0.38.1: the cawg.metadata assertion no longer matches its hash.
    assert "assertion.hashedURI.mismatch" in codes(report)


def test_tampered_manifest_assertion_label(signed_jpeg: bytes) -> None:
    j = signed_jpeg.find(b"c2pa.actions")
    assert j > 0
    tampered = bytearray(signed_jpeg)
    assert tampered[j + 5] == ord("a")
    tampered[j + 5] = ord("b")
    report = schema_ok(inspect(bytes(tampered), name="photo.jpg"))
    assert report.status == "invalid"
    assert report.failures
    with pytest.raises(VerificationFailed):
        verify(bytes(tampered), name="photo.jpg")


@pytest.mark.parametrize("fixture", ["signed_jpeg", "signed_png"])
def test_corrupt_manifest_structure(fixture: str, request: pytest.FixtureRequest) -> None:
    signed: bytes = request.getfixturevalue(fixture)
    name = "photo.jpg" if fixture == "signed_jpeg" else "photo.png"
    start, length = jumbf_box(signed)
    mid = start + length // 2 - 32
    tampered = bytearray(signed)
    tampered[mid:mid + 64] = b"\xaa" * 64  # (the middle may be zero padding already)
    assert bytes(tampered) != signed
    report = schema_ok(inspect(bytes(tampered), name=name))
    assert report.status == "invalid"
    assert report.failures
    with pytest.raises(VerificationFailed):
        verify(bytes(tampered), name=name)


@pytest.mark.parametrize("fixture", ["signed_jpeg", "signed_png"])
def test_zeroed_windows_anywhere_in_manifest_never_pass(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    """Zero 64 bytes at every 32nd offset of the JUMBF box: never intact, never a crash.

    Windows that only cover existing zero padding change nothing and are skipped. Zeroing the
    box header itself makes c2pa see no manifest at all (``unsigned``), which still fails
    verification.
    """
    signed: bytes = request.getfixturevalue(fixture)
    name = "photo.jpg" if fixture == "signed_jpeg" else "photo.png"
    start, length = jumbf_box(signed)
    judged = 0
    for off in range(0, length - 64 + 1, 32):
        tampered = bytearray(signed)
        tampered[start + off:start + off + 64] = bytes(64)
        if bytes(tampered) == signed:
            continue
        judged += 1
        report = inspect(bytes(tampered), name=name)  # must not raise
        assert report.status in ("invalid", "unsigned"), (off, report.status)
        if off >= 64:
            assert report.status == "invalid", (off, report.status)
        schema_ok(report)
    assert judged > length // 64


# -- 3. edit chains -------------------------------------------------------------------------


@pytest.fixture
def edited(tmp_path: Path) -> Path:
    """An unsigned edited copy (different pixels) of the test photo."""
    p = tmp_path / "edited.jpg"
    p.write_bytes(assets.image_bytes("JPEG", seed=7))
    return p


def test_edit_chain_records_parent(files: dict[str, Path], identity: Identity,
                                   edited: Path) -> None:
    original = sign(files["photo.jpg"], identity=identity).output
    result = sign(edited, identity=identity, parent=original)
    report = schema_ok(inspect(result.output))
    assert report.status == "trusted"
    assert report.origin == "human"
    assert report.digital_source_types == (IPTC + "humanEdits",)
    assert len(report.ingredients) == 1
    ing = report.ingredients[0]
    assert ing.relationship == "parentOf"
    assert ing.title == original.name
    assert ing.origin == "human"
    assert ing.signer is not None and ing.signer.name == "TEST-ONLY Ada Lovelace"
    verify(result.output)


def test_edit_chain_parent_from_trusted_root_is_trusted(
    files: dict[str, Path], identity: Identity, edited: Path
) -> None:
    """The parent is signed by the same identity whose root is installed in the home.

    Both the signer's and the verifier's home trust that root, so the parent ingredient must
    be reported ``trusted`` and nothing must be listed as a failure.
    """
    original = sign(files["photo.jpg"], identity=identity).output
    assert inspect(original).status == "trusted"
    result = sign(edited, identity=identity, parent=original)
    report = schema_ok(inspect(result.output))
    ing = report.ingredients[0]
    assert ing.status == "trusted", [f.code for f in ing.failures]
    assert ing.signer is not None and ing.signer.trusted
    assert report.failures == ()
    verify(result.output, policy=default_policy(require_trusted=True))


def test_edit_chain_parent_trusted_with_explicit_store(
    files: dict[str, Path], identity: Identity, edited: Path
) -> None:
    original = sign(files["photo.jpg"], identity=identity).output
    result = sign(edited, identity=identity, parent=original, trust=TrustStore.installed())
    report = schema_ok(inspect(result.output))
    assert report.ingredients[0].status == "trusted"
    assert report.failures == ()


def test_signers_trust_does_not_leak_to_verifier(
    files: dict[str, Path], identity: Identity, edited: Path
) -> None:
    """The parent was trusted when signed; a verifier without that root must not say trusted."""
    original = sign(files["photo.jpg"], identity=identity).output
    result = sign(edited, identity=identity, parent=original, trust=TrustStore.installed())
    report = schema_ok(inspect(result.output, trust=TrustStore()))
    assert report.status == "valid"
    assert report.ingredients[0].status == "valid"
    assert report.ingredients[0].signer is not None
    assert not report.ingredients[0].signer.trusted


def test_edit_chain_tampered_parent(files: dict[str, Path], identity: Identity,
                                    edited: Path, tmp_path: Path) -> None:
    signed = sign(files["photo.jpg"], identity=identity).output.read_bytes()
    bad_parent = tmp_path / "tampered-original.jpg"
    bad_parent.write_bytes(flip(signed, jpeg_scan_byte(signed)))
    assert inspect(bad_parent).status == "invalid"

    result = sign(edited, identity=identity, parent=bad_parent)
    report = schema_ok(inspect(result.output))
    assert report.status == "trusted"  # the edit's own manifest is sound
    assert len(report.ingredients) == 1
    ing = report.ingredients[0]
    assert ing.status == "invalid"
    assert "assertion.dataHash.mismatch" in [f.code for f in ing.failures]
    ing_failures = [f for f in report.failures if f.ingredient is not None]
    assert any(f.code == "assertion.dataHash.mismatch" for f in ing_failures)
    assert all(f.ingredient == bad_parent.name for f in ing_failures)
    assert "assertion.dataHash.mismatch" not in codes(report)  # not blamed on the edit

    with pytest.raises(VerificationFailed) as info:
        verify(result.output)
    assert any("parent" in r and bad_parent.name in r for r in info.value.reasons), \
        info.value.reasons
    schema_ok(info.value.report)


def test_edit_chain_parent_by_stranger(files: dict[str, Path], identity: Identity,
                                       stranger: Identity, edited: Path) -> None:
    parent = sign(files["photo.jpg"], identity=stranger).output
    result = sign(edited, identity=identity, parent=parent)
    report = schema_ok(inspect(result.output))
    assert report.status == "trusted"
    ing = report.ingredients[0]
    assert ing.status == "valid"
    assert ing.signer is not None and ing.signer.name == "TEST-ONLY Mallory Stranger"
    assert not ing.signer.trusted
    assert schema_ok(verify(result.output)).status == "trusted"
    with pytest.raises(VerificationFailed) as info:
        verify(result.output, policy=default_policy(require_trusted=True))
    assert any("untrusted" in r for r in info.value.reasons)


# -- 4. AI material -------------------------------------------------------------------------


def test_ai_only_file(identity: Identity) -> None:
    ai = sign_ai(assets.image_bytes("JPEG"), "image/jpeg", identity)
    report = schema_ok(inspect(ai, name="ai.jpg"))
    assert report.status == "trusted"
    assert report.origin == "ai"
    assert report.digital_source_types == (AI_SOURCE,)
    with pytest.raises(VerificationFailed) as info:
        verify(ai, name="ai.jpg")
    assert any("origin is ai" in r for r in info.value.reasons), info.value.reasons
    verify(ai, name="ai.jpg", policy=default_policy(allow_ai=True))


def test_human_edit_of_ai_parent_is_mixed(identity: Identity, edited: Path,
                                          tmp_path: Path) -> None:
    ai_parent = tmp_path / "generated.jpg"
    ai_parent.write_bytes(sign_ai(assets.image_bytes("JPEG"), "image/jpeg", identity,
                                  "generated.jpg"))
    result = sign(edited, identity=identity, parent=ai_parent)
    report = schema_ok(inspect(result.output))
    assert report.status == "trusted"
    assert report.origin == "mixed"
    assert report.digital_source_types == (IPTC + "humanEdits",)
    assert len(report.ingredients) == 1
    assert report.ingredients[0].origin == "ai"
    assert report.ingredients[0].relationship == "parentOf"
    with pytest.raises(VerificationFailed) as info:
        verify(result.output)
    assert any("mixed" in r for r in info.value.reasons), info.value.reasons
    schema_ok(info.value.report)
    assert verify(result.output, policy=default_policy(allow_ai=True)).origin == "mixed"


# -- 5. re-signing --------------------------------------------------------------------------


def test_resign_without_parent_is_refused(files: dict[str, Path], identity: Identity,
                                          tmp_path: Path) -> None:
    signed = sign(files["photo.jpg"], identity=identity).output
    before = signed.read_bytes()
    out = tmp_path / "again.jpg"
    with pytest.raises(AlreadySigned) as info:
        sign(signed, out, identity=identity)
    assert "TEST-ONLY Ada Lovelace" in str(info.value)
    assert not out.exists()
    assert signed.read_bytes() == before
    with pytest.raises(AlreadySigned):
        sign_bytes(before, name="photo.jpg", identity=identity)


def test_resign_with_replace(files: dict[str, Path], identity: Identity,
                             stranger: Identity, tmp_path: Path) -> None:
    first = sign(files["photo.jpg"], identity=stranger).output
    out = tmp_path / "replaced.jpg"
    sign(first, out, identity=identity, replace=True)
    report = schema_ok(inspect(out))
    assert report.status == "trusted"
    assert report.ingredients == ()
    assert report.signer is not None and report.signer.name == "TEST-ONLY Ada Lovelace"
    found = _c2pa.read_manifest("image/jpeg", io.BytesIO(out.read_bytes()), trust_pem=None)
    assert found is not None
    assert len(found.store["manifests"]) == 1  # the old manifest is gone, not chained


# -- 6. atomic writes, nothing lost ---------------------------------------------------------


def test_sign_result_describes_the_output(files: dict[str, Path], identity: Identity) -> None:
    wrong = []
    for name, src in sorted(files.items()):
        result = sign(src, identity=identity)
        assert result.source == src
        assert result.output == src.with_name(f"{src.stem}.signed{src.suffix}")
        assert result.output.is_file()
        assert result.media_type == inspect(result.output).media_type
        if result.size != result.output.stat().st_size:
            wrong.append(f"{name}: size={result.size}, file={result.output.stat().st_size}")
    assert not wrong, "SignResult.size differs from the written file: " + "; ".join(wrong)


def test_output_equal_to_source_needs_in_place(files: dict[str, Path],
                                               identity: Identity) -> None:
    src = files["photo.jpg"]
    before = src.read_bytes()
    with pytest.raises(OutputError):
        sign(src, src, identity=identity)
    with pytest.raises(OutputError):
        sign(src, str(src.parent / "." / src.name), identity=identity)
    assert src.read_bytes() == before
    assert tmp_leftovers(src.parent) == []


def test_output_symlink_to_source_needs_in_place(files: dict[str, Path], identity: Identity,
                                                 tmp_path: Path) -> None:
    src = files["photo.jpg"]
    before = src.read_bytes()
    link = tmp_path / "link.jpg"
    link.symlink_to(src)
    with pytest.raises(OutputError):
        sign(src, link, identity=identity)
    assert src.read_bytes() == before
    assert link.is_symlink()


def test_in_place(files: dict[str, Path], identity: Identity) -> None:
    src = files["photo.png"]
    before = src.read_bytes()
    result = sign(src, identity=identity, in_place=True)
    assert result.output == src
    assert src.read_bytes() != before
    assert schema_ok(verify(src)).status == "trusted"
    assert tmp_leftovers(src.parent) == []
    assert not (src.parent / "photo.signed.png").exists()


SourceMaker = Callable[[Path, dict[str, Path], Identity], Path]


def _truncated(tmp_path: Path, files: dict[str, Path], identity: Identity) -> Path:
    p = tmp_path / "truncated.jpg"
    p.write_bytes(files["photo.jpg"].read_bytes()[:-300])
    return p


def _already_signed(tmp_path: Path, files: dict[str, Path], identity: Identity) -> Path:
    return sign(files["photo.jpg"], tmp_path / "already.jpg", identity=identity).output


def _text_named_jpeg(tmp_path: Path, files: dict[str, Path], identity: Identity) -> Path:
    p = tmp_path / "notes.jpg"
    p.write_text("TEST-ONLY this is text, not a picture\n")
    return p


@pytest.mark.parametrize("make_source, error", [
    (_truncated, InputError),
    (_already_signed, AlreadySigned),
    (_text_named_jpeg, InputError),
], ids=["truncated", "already-signed", "text-named-jpg"])
def test_failed_sign_keeps_existing_output(make_source: SourceMaker, error: type[Exception],
                                           files: dict[str, Path], identity: Identity,
                                           tmp_path: Path) -> None:
    src = make_source(tmp_path, files, identity)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "result.jpg"
    out.write_bytes(b"TEST-ONLY previous output, must survive")
    listing = sorted(os.listdir(out_dir))
    src_before = src.read_bytes()
    with pytest.raises(error):
        sign(src, out, identity=identity, overwrite=True)  # past the overwrite rule
    assert out.read_bytes() == b"TEST-ONLY previous output, must survive"
    assert sorted(os.listdir(out_dir)) == listing
    assert tmp_leftovers(out_dir) == [] and tmp_leftovers(src.parent) == []
    assert src.read_bytes() == src_before


def test_failure_inside_c2pa_keeps_existing_output(files: dict[str, Path], identity: Identity,
                                                   tmp_path: Path) -> None:
    """c2pa fails after the temporary file exists: it is removed, the old output survives."""

    def broken_signer(data: bytes) -> bytes:
        raise RuntimeError("TEST-ONLY remote signer is down")

    remote = Identity.from_callback(broken_signer, identity.chain_pem(), algorithm="es256")
    out = tmp_path / "result.jpg"
    out.write_bytes(b"TEST-ONLY previous output")
    listing = sorted(os.listdir(tmp_path))
    with pytest.raises(SigningError):
        sign(files["photo.jpg"], out, identity=remote, overwrite=True)
    assert out.read_bytes() == b"TEST-ONLY previous output"
    assert sorted(os.listdir(tmp_path)) == listing


def test_overwrite_rule(files: dict[str, Path], identity: Identity, stranger: Identity,
                        tmp_path: Path) -> None:
    """One rule for library and CLI: an existing output is replaced only when it is an earlier
    output of this identity, or with overwrite=True (--force)."""
    out = tmp_path / "result.jpg"
    out.write_bytes(b"TEST-ONLY someone's own file")
    with pytest.raises(OutputError, match="not an earlier output of this identity"):
        sign(files["photo.jpg"], out, identity=identity)
    assert out.read_bytes() == b"TEST-ONLY someone's own file"
    sign(files["photo.jpg"], out, identity=identity, overwrite=True)
    first = out.read_bytes()
    sign(files["photo.jpg"], out, identity=identity)  # our own earlier output: replaced
    assert out.read_bytes() != first
    with pytest.raises(OutputError):  # another signer's output is not ours
        sign(files["photo.jpg"], out, identity=stranger)


def test_missing_output_directory(files: dict[str, Path], identity: Identity,
                                  tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "dir" / "out.jpg"
    with pytest.raises(OutputError):
        sign(files["photo.jpg"], target, identity=identity)
    assert not (tmp_path / "no").exists()


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_output_directory_not_writable_proc(files: dict[str, Path], identity: Identity) -> None:
    # /proc refuses new files even to root.
    target = Path("/proc") / "provenance-TEST-ONLY.signed.jpg"
    with pytest.raises(OutputError):
        sign(files["photo.jpg"], target, identity=identity)
    assert not target.exists()


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="root ignores directory permissions")
def test_output_directory_not_writable_chmod(files: dict[str, Path], identity: Identity,
                                             tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(OutputError):
            sign(files["photo.jpg"], locked / "out.jpg", identity=identity)
        assert os.listdir(locked) == []
    finally:
        locked.chmod(0o700)


# -- 7. encrypted keys ----------------------------------------------------------------------


def test_encrypted_identity(identity: Identity, files: dict[str, Path],
                            tmp_path: Path) -> None:
    d = tmp_path / "enc-identity"
    identity.save(d, password=b"TEST-ONLY correct horse")
    key_pem = (d / "key.pem").read_bytes()
    assert b"ENCRYPTED" in key_pem
    assert (d / "key.pem").stat().st_mode & 0o077 == 0
    with pytest.raises(IdentityError, match="passphrase"):
        Identity.load(d, password=b"TEST-ONLY wrong")
    with pytest.raises(IdentityError):
        Identity.load(d, password=None)
    loaded = Identity.load(d, password=b"TEST-ONLY correct horse")
    assert loaded.encrypted
    result = sign(files["photo.jpg"], identity=loaded)
    assert schema_ok(verify(result.output)).status == "trusted"


# -- 8. expired certificate -----------------------------------------------------------------


def test_expired_certificate_is_refused(expired_identity: Identity, files: dict[str, Path],
                                        tmp_path: Path) -> None:
    """Measured: the library refuses before c2pa (IdentityError naming the expiry date)."""
    out = tmp_path / "expired.jpg"
    with pytest.raises(IdentityError, match="expired"):
        sign(files["photo.jpg"], out, identity=expired_identity)
    assert not out.exists()
    assert tmp_leftovers(tmp_path) == []
    with pytest.raises(IdentityError, match="expired"):
        sign_bytes(files["photo.jpg"].read_bytes(), name="photo.jpg",
                   identity=expired_identity)


def test_expired_certificate_is_refused_by_c2pa_too(expired_identity: Identity) -> None:
    """Below the library's own check, c2pa 0.38.1 also refuses to sign with it."""
    manifest = HumanClaim("capture").manifest(title="photo.jpg", has_parent=False)
    out = io.BytesIO()
    with pytest.raises(SigningError, match="not valid at time of signing"):
        _c2pa.sign_stream(manifest, "image/jpeg", io.BytesIO(assets.image_bytes("JPEG")),
                          out, expired_identity, trust_pem=None)


# -- 9. thumbnails and documents ------------------------------------------------------------


@pytest.mark.parametrize("name", ["photo.jpg", "photo.png"])
def test_thumbnail(name: str, files: dict[str, Path], identity: Identity,
                   tmp_path: Path) -> None:
    plain = sign(files[name], tmp_path / f"plain-{name}", identity=identity).output
    thumb = sign(files[name], tmp_path / f"thumb-{name}", identity=identity,
                 thumbnail=True).output
    assert thumb.stat().st_size > plain.stat().st_size
    assert schema_ok(verify(thumb)).status == "trusted"
    mime = "image/jpeg" if name.endswith(".jpg") else "image/png"
    for path, expect in ((thumb, True), (plain, False)):
        found = _c2pa.read_manifest(mime, io.BytesIO(path.read_bytes()), trust_pem=None)
        assert found is not None
        active = found.store["manifests"][found.store["active_manifest"]]
        assert ("thumbnail" in active) is expect
        if expect:
            assert active["thumbnail"]["format"] == "image/jpeg"


def test_docx_members_untouched(files: dict[str, Path], identity: Identity) -> None:
    """Our ZIP carrier appends one stored member; every original member keeps its bytes and
    its compression (tests/conformance/test_zip_carrier.py has the byte-level checks)."""
    src = files["letter.docx"]
    result = sign(src, identity=identity)
    assert result.repacked is False
    assert result.media_type.endswith("wordprocessingml.document")
    with zipfile.ZipFile(src) as orig, zipfile.ZipFile(result.output) as signed:
        assert signed.testzip() is None
        assert signed.read("word/document.xml") == orig.read("word/document.xml")
        for member in orig.namelist():
            assert signed.read(member) == orig.read(member), member
    report = schema_ok(verify(result.output))
    assert report.status == "trusted"
    assert report.digital_source_types == (IPTC + "digitalCreation",)


def test_stored_docx_is_not_repacked(identity: Identity, tmp_path: Path) -> None:
    src = tmp_path / "stored.docx"
    src.write_bytes(assets.docx_bytes(deflated=False))
    result = sign(src, identity=identity)
    assert result.repacked is False
    assert verify(result.output).status == "trusted"


# -- 10. claim contents ---------------------------------------------------------------------


def test_ai_training_default_not_allowed(files: dict[str, Path], identity: Identity) -> None:
    report = schema_ok(verify(sign(files["photo.jpg"], identity=identity).output))
    assert report.ai_training == "notAllowed"


def test_ai_training_allowed_and_author(files: dict[str, Path], identity: Identity) -> None:
    claim = HumanClaim("creation", author="TEST-ONLY Grace Hopper",
                       author_title="TEST-ONLY Admiral", allow_ai_training=True,
                       title="TEST-ONLY title")
    report = schema_ok(verify(sign(files["photo.png"], identity=identity, claim=claim).output))
    assert report.ai_training == "allowed"
    assert report.author == "TEST-ONLY Grace Hopper"
    assert report.title == "TEST-ONLY title"
    assert report.digital_source_types == (IPTC + "digitalCreation",)


@pytest.mark.parametrize("name, term", [
    ("essay.pdf", "digitalCreation"),
    ("drawing.svg", "digitalCreation"),
    ("voice.wav", "digitalCapture"),  # audio and video a person records default to capture
    ("photo.jpg", "digitalCapture"),
    ("photo.png", "digitalCapture"),
])
def test_default_claim_by_type(name: str, term: str, files: dict[str, Path],
                               identity: Identity) -> None:
    report = schema_ok(verify(sign(files[name], identity=identity).output))
    assert report.digital_source_types == (IPTC + term,)
    assert report.origin == "human"
    assert report.author is None
    assert report.title == name
    assert report.claim_generator == f"provenance {provenance.__version__}"


# -- 11. every report validates -------------------------------------------------------------


def test_verification_failed_report_validates(files: dict[str, Path]) -> None:
    with pytest.raises(VerificationFailed) as info:
        verify(files["essay.pdf"])
    doc = info.value.report.to_dict()
    doc.update({"passed": False, "reasons": info.value.reasons})
    assert not list(_VALIDATOR.iter_errors(doc))
