"""Fingerprints: the ISCC soft binding against iscc-core's own output, pHash and MinHash
robustness on real transforms, and the visible-text normalisation."""

from __future__ import annotations

import io
from pathlib import Path

import iscc_core
import pytest
from PIL import Image

from provenance.fingerprint import fingerprint, kind_for, text_fingerprint, visible_text
from provenance.fingerprint.assertion import soft_binding, soft_bindings_of, with_soft_binding
from provenance.fingerprint.image import grayscale_32, phash
from provenance.fingerprint.text import jaccard, minhash, normalise_words
from provenance.registry._sql import band_keys, segment_keys
from tests.registry.helpers import ESSAY, photo


def _jpeg(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def test_image_code_is_iscc_cores_own(tmp_path: Path) -> None:
    data = photo(tmp_path / "p.jpg").read_bytes()
    fp = fingerprint(data, "image/jpeg")
    pixels = grayscale_32(data)
    assert fp is not None and pixels is not None and len(pixels) == 1024
    assert fp.iscc == iscc_core.gen_image_code_v0(pixels, bits=64)["iscc"]
    assert fp.iscc.startswith("ISCC:EE")
    assert fp.phash == phash(pixels) and fp.kind == "image"


def test_phash_survives_reencoding_and_resizing(tmp_path: Path) -> None:
    src = photo(tmp_path / "p.jpg", seed=7)
    with Image.open(src) as img:
        variants = [_jpeg(img, 50), _jpeg(img.resize((img.width // 2, img.height // 2)), 70)]
        buf = io.BytesIO()
        img.resize((int(img.width * 0.8), int(img.height * 0.8))).save(buf, "PNG")
        variants.append(buf.getvalue())
    base = fingerprint(src.read_bytes(), "image/jpeg")
    assert base is not None and base.phash is not None
    for v in variants:
        fp = fingerprint(v, "image/jpeg" if v[:2] == b"\xff\xd8" else "image/png")
        assert fp is not None and fp.phash is not None
        assert (fp.phash ^ base.phash).bit_count() <= 4
    other = fingerprint(photo(tmp_path / "q.jpg", seed=8).read_bytes(), "image/jpeg")
    assert other is not None and other.phash is not None
    assert (other.phash ^ base.phash).bit_count() > 12


def test_visible_text_drops_manifests_and_invisible_characters() -> None:
    hidden = "Hello\u200b wor\ufe0fld\ufeff\ufe01\U000e0101"
    assert visible_text(hidden) == "Hello world"
    a = text_fingerprint(ESSAY)
    b = text_fingerprint(ESSAY.replace(" ", "\u200d ") + "\ufeff" + "\ufe00" * 40)
    assert a is not None and b is not None and a.iscc == b.iscc and a.minhash == b.minhash
    assert a.iscc == iscc_core.gen_text_code_v0(ESSAY, bits=64)["iscc"]


def test_minhash_is_stable_under_reflow_quotes_and_small_edits() -> None:
    base = minhash(normalise_words(ESSAY))
    reflowed = ESSAY.replace(". ", ".\n\n  ").replace("'", "\u2019").upper()
    assert jaccard(base, minhash(normalise_words(reflowed))) == 1.0
    words = ESSAY.split()
    words[40] = "zebra"
    assert jaccard(base, minhash(normalise_words(" ".join(words)))) >= 0.8
    unrelated = "An entirely different paragraph about compilers, registers and caches " * 3
    assert jaccard(base, minhash(normalise_words(unrelated))) < 0.1
    assert len(base) == 512 and len(band_keys(base)) == 32


def test_segment_keys_cover_distance_nine_with_neighbours() -> None:
    code = 0x0123_4567_89AB_CDEF
    near = code
    for bit in (0, 1, 14, 15, 27, 28, 40, 41, 55):  # two bits in four segments, one in one
        near ^= 1 << bit
    assert (near ^ code).bit_count() == 9
    assert not set(segment_keys(near)) & set(segment_keys(code))
    assert set(segment_keys(near)) & set(segment_keys(code, radius=1))


def test_the_assertion_follows_the_cddl() -> None:
    a = soft_binding("ISCC:EEA4FESMKUZL3X6I")
    assert a == {"label": "c2pa.soft-binding", "data": {
        "alg": "io.iscc.v0", "blocks": [{"scope": {}, "value": "ISCC:EEA4FESMKUZL3X6I"}],
        "pad": []}}
    assert soft_bindings_of({"assertions": [a]}) == [("io.iscc.v0", "ISCC:EEA4FESMKUZL3X6I")]
    manifest = {"assertions": [{"label": "c2pa.actions.v2", "data": {}}]}
    assert with_soft_binding(manifest, b"%PDF-1.7", "application/pdf") is manifest
    assert kind_for("image/svg+xml") is None and kind_for("application/pdf") is None
    assert kind_for("audio/mpeg") == "audio" and kind_for("video/mp4") == "video"
    assert kind_for("text/plain") == "text" and kind_for("image/webp") == "image"


def test_text_code_is_iscc_cores_own_across_blocks_and_scripts() -> None:
    # Several 256-row blocks of n-grams, non-ASCII n-grams (sliced at byte offsets), texts
    # shorter than one n-gram, punctuation-only and format characters.
    import random

    from provenance.fingerprint.text import iscc_text_code, soft_binding_code

    rng = random.Random(15)  # noqa: S311 - fixed test inputs
    alphabet = list("abcdefghij klmno,.!?\n") + list("éüßøЖжλΩ한국👍🏽\u0301\u200d\u00ad™①")
    texts = ["", "a", "abc", "twelve chars", "thirteen char", "-- ... --", "™", ESSAY * 3]
    texts += ["".join(rng.choice(alphabet) for _ in range(n)) for n in (5, 14, 300, 1500)]
    for text in texts:
        visible = visible_text(text)
        assert iscc_text_code(visible) == iscc_core.gen_text_code_v0(visible, bits=64)["iscc"]
        fp = text_fingerprint(text)
        assert soft_binding_code(text) == (fp.iscc if fp is not None else None), repr(text)


@pytest.mark.parametrize("vector_min", [1, 3, 10**9])
def test_text_code_block_edges(monkeypatch: pytest.MonkeyPatch, vector_min: int) -> None:
    # Tiny blocks put block edges everywhere: n-gram blocks of 7 (a non-ASCII n-gram across
    # every edge) and MinHash blocks of 5 rows; each block's n-grams hashed in numpy (1),
    # in numpy only for the common length when it is frequent (3), or one by one (10**9).
    import random

    from provenance.fingerprint import text as module

    monkeypatch.setattr(module, "_VECTOR_MIN", vector_min)
    monkeypatch.setattr(module, "_SPAN", 7)
    monkeypatch.setattr(module, "_ROWS", 5)
    rng = random.Random(21)  # noqa: S311 - fixed test inputs
    alphabet = list("abcdefghijklmno ") + list("éüßЖλ한👍")
    for n in (13, 14, 19, 20, 21, 64, 301):
        for text in ("".join(rng.choice(alphabet) for _ in range(n)), "x" * n):
            assert module.iscc_text_code(text) == iscc_core.gen_text_code_v0(text, bits=64)["iscc"]


def test_xxh32_slices_equal_the_xxhash_package() -> None:
    # Every length on each side of the 16-byte stripe and the 4-byte word, at every start.
    import random

    import numpy as np
    import xxhash

    from provenance.fingerprint.xxh32 import le_words, xxh32_slices

    rng = random.Random(22)  # noqa: S311 - fixed test inputs
    data = bytes(rng.randrange(256) for _ in range(160)) + b"\xff" * 16
    units = np.frombuffer(data, dtype=np.uint8)
    words = le_words(units)
    for length in range(71):
        starts = np.arange(len(data) - length + 1, dtype=np.intp)
        got = xxh32_slices(units, words, starts, length).tolist()
        assert got == [xxhash.xxh32_intdigest(data[s:s + length]) for s in starts.tolist()]


def test_minhash_in_blocks_is_the_minhash_in_one(monkeypatch: pytest.MonkeyPatch) -> None:
    # The word MinHash is computed a block of shingles at a time (bounded memory on a huge
    # text); blocks of 7 must give the signature that one block gives.
    from provenance.fingerprint import text as module

    words = normalise_words(ESSAY * 4 + " ".join(f"w{i}" for i in range(300)))
    whole = minhash(words)
    monkeypatch.setattr(module, "_SHINGLE_ROWS", 7)
    assert minhash(words) == whole
    assert minhash(words[:2]) != whole  # a different text, a different signature
