"""A JPEG/PNG manifest of a shape already sized in this process is signed without the size
probe; a size that turns out wrong is re-probed, never written wrong (real signatures, real
c2pa reads, real tampering)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

import provenance
from provenance import _c2pa
from provenance.identity import Identity
from provenance.trust import TrustStore


def _jpeg(path: Path, seed: int) -> Path:
    img = Image.new("RGB", (48, 40), (seed * 37 % 256, seed * 91 % 256, 120))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    path.write_bytes(buf.getvalue())
    return path


@pytest.fixture
def passes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many signing passes each DataHashSigner made (the real function still runs)."""
    count = [0]
    original = _c2pa.DataHashSigner._sign_once

    def spy(self: Any, *args: Any) -> bytes:
        count[0] += 1
        return original(self, *args)

    monkeypatch.setattr(_c2pa.DataHashSigner, "_sign_once", spy)
    return count


def test_same_shape_signs_once_and_verifies(tmp_path: Path, passes: list[int]) -> None:
    ident, _ = Identity.create("SIZE REUSE TEST-ONLY")
    assert ident.root is not None
    store = TrustStore((ident.root,))
    outputs = []
    for i in range(4):  # same name length: same manifest shape
        src = _jpeg(tmp_path / f"p{i}.jpg", i)
        before = passes[0]
        outputs.append(provenance.sign(src, identity=ident, trust=store).output)
        made = passes[0] - before
    # The first (checked by c2pa) and the second (the unchecked context) are probed; by the
    # fourth the size is known: one signing pass.
    assert made == 1
    for out in outputs:
        assert provenance.inspect(out, trust=store).status == "trusted"
    data = bytearray(outputs[-1].read_bytes())
    data[-10] ^= 0x55  # a scan byte
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(bytes(data))
    assert provenance.inspect(bad, trust=store).status == "invalid"


def test_a_wrong_size_is_probed_again(tmp_path: Path, passes: list[int]) -> None:
    ident, _ = Identity.create("SIZE WRONG TEST-ONLY")
    assert ident.root is not None
    store = TrustStore((ident.root,))
    for i in range(3):
        provenance.sign(_jpeg(tmp_path / f"q{i}.jpg", i), identity=ident, trust=store)
    with _c2pa._lock:
        for key, (ctx, size) in list(_c2pa._sizes.items()):
            _c2pa._sizes[key] = (ctx, size + 7)  # as if the shape lied
    before = passes[0]
    out = provenance.sign(_jpeg(tmp_path / "q9.jpg", 9), identity=ident, trust=store).output
    assert passes[0] - before == 3  # signed at the wrong size, probed, signed again
    assert provenance.inspect(out, trust=store).status == "trusted"
    before = passes[0]
    provenance.sign(_jpeg(tmp_path / "q8.jpg", 8), identity=ident, trust=store)
    assert passes[0] - before == 1  # the corrected size is remembered


def test_shapes_differ_by_string_length_not_content() -> None:
    a = _c2pa._shape_of({"title": "abc.jpg", "n": [1, "ISCC:X"]})
    assert a == _c2pa._shape_of({"title": "xyz.jpg", "n": [1, "ISCC:Y"]})
    assert a != _c2pa._shape_of({"title": "abcd.jpg", "n": [1, "ISCC:X"]})
    assert a != _c2pa._shape_of({"title": "abc.jpg", "n": [2, "ISCC:X"]})
    assert _c2pa._shape_of("é") != _c2pa._shape_of("e")  # UTF-8 bytes, not characters
