"""A.8 plain text: round trips over hard Unicode, and every tamper the issue lists."""

from __future__ import annotations

import unicodedata

import pytest

import provenance
from provenance.carriers import text as T
from provenance.carriers import unstructured
from provenance.claims import HumanClaim
from provenance.identity import Identity

SAMPLES = {
    "ascii": "A plain essay, written by a person.\n",
    "accents": "Café crème, naïve façade, ñandú, Ærøskøbing.\n",
    "combining": "e\u0301 a\u0308 o\u0302\u0323 — stacked marks q\u0307\u0323\n",
    "skin_tones": "Wave 👋🏽 thumbs 👍🏿 ok 👌🏻\n",
    "zwj": "Family 👩‍👩‍👧‍👦 coder 👩🏽‍💻 flag 🏳️‍🌈\n",
    "rtl": "שלום עולם — مرحبا بالعالم — mixed ltr\n",
    "crlf": "line one\r\nline two\r\nline three\r\n",
    "no_newline": "ends without a newline",
}


@pytest.mark.parametrize("key", sorted(SAMPLES))
def test_round_trip(key: str, identity: Identity) -> None:
    original = SAMPLES[key]
    signed = T.sign_text(original, identity=identity,
                         claim=HumanClaim("creation", author="TEST-ONLY Ada"))
    # The visible text is unchanged (NFC of it), followed only by invisible characters.
    assert signed.startswith(unicodedata.normalize("NFC", original))
    assert signed.count("\ufeff") == 1
    report = T.verify_text(signed)
    assert report.status == "trusted"
    assert report.origin == "human"
    assert report.carrier == "unstructured"
    assert report.author == "TEST-ONLY Ada"
    assert report.ai_training == "notAllowed"
    assert any(t.endswith("/digitalCreation") for t in report.digital_source_types)
    assert T.strip_text(signed) == unicodedata.normalize("NFC", original)


def test_nfd_input_verifies_after_nfc(identity: Identity) -> None:
    nfd = unicodedata.normalize("NFD", "Crème brûlée à la française\n")
    assert nfd != unicodedata.normalize("NFC", nfd)
    signed = T.sign_text(nfd, identity=identity)
    assert T.inspect_text(signed).status == "trusted"
    # A reader that decomposes the text again (NFD) still verifies: we NFC before hashing.
    assert T.inspect_text(unicodedata.normalize("NFD", signed)).status == "trusted"


@pytest.mark.slow
def test_ten_megabyte_text(identity: Identity) -> None:
    line = "Ten megabytes of human prose, with accents (é) and emoji (👍🏽).\n"
    big = line * (10 * 1024 * 1024 // len(line.encode()))
    assert len(big.encode()) > 9_900_000
    signed = T.sign_text(big, identity=identity)
    assert T.inspect_text(signed).status == "trusted"
    tampered = signed[:5_000_000] + "X" + signed[5_000_001:]
    assert T.inspect_text(tampered).status == "invalid"


@pytest.fixture
def signed(identity: Identity) -> str:
    return T.sign_text(SAMPLES["accents"], identity=identity)


def _visible_end(text: str) -> int:
    return text.index("\ufeff")


@pytest.mark.parametrize("edit", ["change", "insert", "delete"])
def test_one_visible_character_tampered(edit: str, signed: str) -> None:
    i = 5
    if edit == "change":
        tampered = signed[:i] + ("X" if signed[i] != "X" else "Y") + signed[i + 1:]
    elif edit == "insert":
        tampered = signed[:i] + "X" + signed[i:]
    else:
        tampered = signed[:i] + signed[i + 1:]
    report = T.inspect_text(tampered)
    assert report.status == "invalid"
    assert "assertion.dataHash.mismatch" in [f.code for f in report.failures]


def test_text_appended_after_wrapper_is_invalid(signed: str) -> None:
    report = T.inspect_text(signed + "appended later")
    assert report.status == "invalid"


def test_wrapper_removed_is_unsigned(signed: str) -> None:
    assert T.inspect_text(signed[:_visible_end(signed)]).status == "unsigned"


def test_two_wrappers_are_invalid(signed: str) -> None:
    wrapper = signed[_visible_end(signed):]
    report = T.inspect_text(signed + wrapper)
    assert report.status == "invalid"
    assert [f.code for f in report.failures] == ["manifest.text.multipleWrappers"]


def test_corrupted_wrapper_is_invalid_not_a_crash(signed: str) -> None:
    start = _visible_end(signed)
    # Replace the magic's first selector ("C" = 0x43 -> U+E0133) by another selector.
    corrupted = signed[:start + 1] + chr(0xE0100) + signed[start + 2:]
    report = T.inspect_text(corrupted)
    assert report.status == "invalid"
    assert [f.code for f in report.failures] == ["manifest.text.corruptedWrapper"]


def test_manifest_bytes_damaged_inside_wrapper(signed: str) -> None:
    start = _visible_end(signed)
    mid = start + 2000
    damaged = signed[:mid] + chr(0xE0100 + 0x42) + signed[mid + 1:]
    assert damaged != signed
    report = T.inspect_text(damaged)
    assert report.status == "invalid"


def test_manifest_moved_to_another_text(signed: str) -> None:
    wrapper = signed[_visible_end(signed):]
    report = T.inspect_text("A different text altogether.\n" + wrapper)
    assert report.status == "invalid"


def test_untrusted_signer_is_valid(stranger: Identity) -> None:
    signed = T.sign_text("Written by someone you do not know.\n", identity=stranger)
    report = T.inspect_text(signed)
    assert report.status == "valid"
    assert [f.code for f in report.failures] == ["signingCredential.untrusted"]


def test_resigning_refused_then_edit_records_parent(signed: str, identity: Identity) -> None:
    with pytest.raises(provenance.AlreadySigned):
        T.sign_text(signed, identity=identity)
    edited = T.strip_text(signed).replace("Café", "Caffè")
    child = T.sign_text(edited, identity=identity, parent=signed)
    report = T.inspect_text(child)
    assert report.status == "trusted"
    assert [(i.relationship, i.status, i.origin) for i in report.ingredients] == [
        ("parentOf", "trusted", "human")]
    assert any(t.endswith("/humanEdits") for t in report.digital_source_types)
    replaced = T.sign_text(signed, identity=identity, replace=True)
    assert T.inspect_text(replaced).ingredients == ()


def test_wrapper_ends_at_its_declared_length(signed: str) -> None:
    """No padding selectors after the declared manifest: the signed exclusion is exactly the
    BOM, the 13-byte header and the declared store (what independent A.8 validators read)."""
    (w,) = unstructured.find_wrappers(signed)
    assert w.store is not None
    assert w.byte_length == unstructured.wrapper_length(w.store)
    assert w.char_end == len(signed)
    assert w.char_end - w.char_start == 1 + 13 + len(w.store)


def test_wrapper_length_counts_three_and_four_byte_selectors() -> None:
    for store in (b"", b"\x00" * 7, b"\x10" * 9, bytes(range(256))):
        assert unstructured.wrapper_length(store) == len(
            unstructured.encode_wrapper(store).encode("utf-8"))


@pytest.mark.parametrize("gap", [0, 3, 4, 6, 7, 8, 9, 10, 11, 13, 1001])
def test_padding_reaches_every_reachable_length(gap: int) -> None:
    base = unstructured.encode_wrapper(b"\x20" * 5)
    length = len(base.encode()) + gap
    assert len(unstructured.encode_wrapper(b"\x20" * 5, length=length).encode()) == length


@pytest.mark.parametrize("gap", [1, 2, 5])
def test_unreachable_padding_is_refused(gap: int) -> None:
    base = unstructured.encode_wrapper(b"\x20" * 5)
    with pytest.raises(ValueError, match="pad"):
        unstructured.encode_wrapper(b"\x20" * 5, length=len(base.encode()) + gap)


def test_byte_order_mark_alone_is_not_a_wrapper() -> None:
    assert unstructured.find_wrappers("\ufeffText that starts with a BOM.\n") == []
    assert T.inspect_text("\ufeffText that starts with a BOM.\n").status == "unsigned"


@pytest.mark.parametrize("text", [
    "", "ascii only\n", "e\u0301\nplain\n", "a\u0308\n\nq\u0307\u0323\r\nlast", "\n\n\n",
    unicodedata.normalize("NFD", "Crème brûlée\nÅngström\n") * 50,
    "한국어 \u1100\u1161\u11a8\n",  # conjoining jamo compose
])
def test_nfc_helper_equals_unicodedata(text: str) -> None:
    assert T.nfc(text) == unicodedata.normalize("NFC", text)


def test_fast_selector_encoding_matches_the_definition() -> None:
    raw = bytes(range(256)) * 3
    expected = "".join(chr(0xFE00 + b) if b < 16 else chr(0xE0100 + b - 16) for b in raw)
    assert unstructured._selectors(raw) == expected


def test_expired_identity_cannot_sign_text(expired_identity: Identity) -> None:
    with pytest.raises(provenance.IdentityError, match="expired"):
        T.sign_text("Too late.\n", identity=expired_identity)


def test_wrapper_bytes_decode_every_byte_value() -> None:
    raw = bytes(range(256)) * 3 + bytes(range(255, -1, -1))
    assert unstructured._bytes_of(unstructured._selectors(raw)) == raw
    store = bytes(range(256)) * 5
    (w,) = unstructured.find_wrappers("text" + unstructured.encode_wrapper(store))
    assert w.store == store


def test_one_signing_pass_per_text_once_the_shape_is_known(
        identity: Identity, monkeypatch: pytest.MonkeyPatch) -> None:
    # The A.8 layout's first estimate comes from the last signature of the same shape, so a
    # second text signs with one c2pa pass (the first needs the size probe as well); every
    # output still reads trusted, with its wrapper exactly at its declared length.
    from provenance import _c2pa

    passes: list[int] = []
    real = _c2pa.DataHashSigner._sign_once

    def counted(self: _c2pa.DataHashSigner, digest: bytes,
                exclusions: list[tuple[int, int]], pad: int) -> bytes:
        passes.append(1)
        return real(self, digest, exclusions, pad)

    T._a8_base.clear()
    counts = []
    outputs = []
    with monkeypatch.context() as patched:
        patched.setattr(_c2pa.DataHashSigner, "_sign_once", counted)
        for i in range(4):
            before = len(passes)
            outputs.append(T.sign_text(f"Essay number {i}, written by a person.\n" * (i + 1),
                                       identity=identity))
            counts.append(len(passes) - before)
    assert counts[0] >= 2 and sum(counts[1:]) <= 4, counts  # 1 each, a rare miss costs one
    for out in outputs:
        assert T.inspect_text(out).status == "trusted"
        (w,) = unstructured.find_wrappers(out)
        assert w.char_end == len(out) and w.store is not None
