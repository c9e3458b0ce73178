"""Benchmark: what a fingerprint costs per file, and whether the fast decode keeps the manifest's
ISCC value faithful.

Images: photo-like JPEGs of about 1 MP (``bench/_gen.py``, 1000-1400 x 750-1000, q75-95).
Per file, median over the set: the reference path (full decode, 32x32 bicubic; what the
manifest's ``io.iscc.v0`` value and the registry's pHash come from, numpy hashing), the same
decode with iscc-core's own ``gen_image_code_v0`` (the previous implementation, baseline),
and the fast path (Pillow JPEG draft mode, DCT-domain 1/8 downscale). Then, over every photo,
how often the fast path's ISCC code equals the reference's and the Hamming distance when not.
Text: ``text_fingerprint`` (numpy MinHash for the ISCC text code) against iscc-core's
``gen_text_code_v0`` on the same 300-word texts.

    python bench/fingerprint.py            # ~1 minute
    python bench/fingerprint.py --photos 50
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _gen import jpeg, photo, text, vocabulary

from provenance.fingerprint.image import image_fingerprint, iscc_image_code, phash, pixels_32
from provenance.fingerprint.text import text_fingerprint
from provenance.registry._sql import iscc_body


def _median_ms(fn: Callable[[bytes], object], items: list[bytes], rounds: int = 3) -> float:
    times = []
    for _ in range(rounds):
        for d in items:
            t = time.perf_counter()
            fn(d)
            times.append(time.perf_counter() - t)
    return float(np.median(times)) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=int, default=200)
    ap.add_argument("--texts", type=int, default=100)
    args = ap.parse_args()
    import iscc_core

    rng = np.random.default_rng(15)
    photos = []
    for _ in range(args.photos):
        w, h = int(rng.integers(1000, 1400)), int(rng.integers(750, 1000))
        photos.append(jpeg(photo(rng, (w, h)), int(rng.integers(75, 96))))
    mp = np.mean([len(d) for d in photos]) / 1000

    def reference_iscc_core(d: bytes) -> object:
        px = pixels_32(d)
        assert px is not None
        code = iscc_core.gen_image_code_v0([int(v) for v in px.flatten()], bits=64)
        return code, phash(px)

    timed = photos[:50]
    full = _median_ms(image_fingerprint, timed)
    baseline = _median_ms(reference_iscc_core, timed)
    fast = _median_ms(lambda d: image_fingerprint(d, fast=True), timed)
    grids = [pixels_32(d) for d in timed[:10]]
    t0 = time.perf_counter()
    for _ in range(20):
        for px in grids:
            iscc_image_code(px)
            phash(px)
    hashing = (time.perf_counter() - t0) / (20 * len(grids)) * 1000
    print(f"provenance fingerprint bench (load average {os.getloadavg()[0]:.2f}; "
          f"{args.photos} JPEGs of ~1 MP, {mp:.0f} KB on average)")
    print(f"{'image, per file (median)':44} {'ms':>8}")
    print(f"{'  reference decode + numpy ISCC + pHash':44} {full:8.2f}   (manifest value)")
    print(f"{'  reference decode + iscc-core ISCC + pHash':44} {baseline:8.2f}   (baseline)")
    print(f"{'  fast (JPEG draft 1/8) + numpy':44} {fast:8.2f}   ({baseline / fast:.1f}x "
          "faster than baseline)")
    print(f"{'  hashing alone (ISCC + pHash, 32x32; mean)':44} {hashing:8.3f}")
    dist = []
    for d in photos:
        a, b = image_fingerprint(d), image_fingerprint(d, fast=True)
        assert a is not None and b is not None
        x, y = iscc_body(a.iscc), iscc_body(b.iscc)
        assert x is not None and y is not None
        dist.append((x ^ y).bit_count())
    arr = np.array(dist)
    hist = ", ".join(f"{k} bits: {int(v)}" for k, v in enumerate(np.bincount(arr)) if v)
    print(f"fast-path ISCC image code equal to the reference's: {100 * (arr == 0).mean():.1f}% "
          f"of {len(arr)} photos (distance when not: {hist})")

    vocab = vocabulary()
    trng = np.random.default_rng(16)
    texts = [text(trng, vocab, 300) for _ in range(args.texts)]
    ours = _median_ms(lambda t: text_fingerprint(t.decode()), [t.encode() for t in texts])
    theirs = _median_ms(lambda t: iscc_core.gen_text_code_v0(t.decode(), bits=64),
                        [t.encode() for t in texts])
    same = all(getattr(text_fingerprint(t), "iscc", None)
               == iscc_core.gen_text_code_v0(t, bits=64)["iscc"] for t in texts)
    print(f"text, 300 words: text_fingerprint (ISCC + MinHash) {ours:.2f} ms; iscc-core's "
          f"gen_text_code_v0 alone {theirs:.2f} ms (baseline, {theirs / ours:.1f}x); codes "
          f"equal on all {len(texts)}: {same}")


if __name__ == "__main__":
    main()
