"""Content made by the benches: distinct real-looking photos and texts from fixed seeds (no
random codes: every fingerprint is computed from content)."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

SYLLABLES = ("ka", "lo", "mi", "ra", "te", "son", "bel", "dor", "fin", "gal", "hur", "ist",
             "jor", "ken", "lum", "mar", "nel", "oth", "pra", "quen", "ros", "sta", "tur",
             "ul", "ven", "wil", "yar", "zen", "the", "and", "in", "of", "to", "a", "was")


def vocabulary(size: int = 6000, seed: int = 11) -> list[str]:
    """Distinct made-up words, ranked (the first are the most frequent under Zipf)."""
    rng = np.random.default_rng(seed)
    words: list[str] = ["the", "a", "of", "and", "to", "in", "was", "he", "she", "it", "that",
                        "with", "for", "on", "at", "by", "from", "his", "her", "they"]
    seen = set(words)
    while len(words) < size:
        w = "".join(SYLLABLES[i] for i in rng.integers(0, len(SYLLABLES), rng.integers(1, 4)))
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words


def text(rng: np.random.Generator, vocab: list[str], n_words: int) -> str:
    """A text of ``n_words`` Zipf-distributed words, in sentences and paragraphs, with quotes."""
    ranks = np.minimum(rng.zipf(1.15, n_words) - 1, len(vocab) - 1)
    out: list[str] = []
    sentence = 0
    for i, r in enumerate(ranks):
        w = vocab[int(r)]
        if sentence == 0:
            w = w.capitalize()
        sentence += 1
        if rng.random() < 0.02:
            w = f"'{w}'"
        out.append(w)
        if sentence > 6 and rng.random() < 0.15:
            out[-1] += "."
            sentence = 0
            if rng.random() < 0.2 and i < n_words - 1:
                out[-1] += "\n\n"
    return " ".join(out).replace("\n\n ", "\n\n") + "."


def photo(rng: np.random.Generator, size: tuple[int, int]) -> Image.Image:
    """A photo-like image: a smooth random scene (low-frequency field, sky gradient, shapes),
    blurred a little, with sensor noise."""
    w, h = size
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    field = np.zeros((h, w, 3), np.float32)
    for _ in range(6):
        fx, fy = rng.uniform(0.5, 6, 2) * np.pi / np.array([w, h])
        phase = rng.uniform(0, 2 * np.pi)
        amp = rng.uniform(10, 50, 3)
        field += np.sin(x * fx + y * fy + phase)[..., None] * amp
    field += (y / h)[..., None] * rng.uniform(-80, 80, 3) + rng.uniform(60, 190, 3)
    img = Image.fromarray(np.clip(field, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(4, 14))):
        x0, y0 = int(rng.integers(0, w)), int(rng.integers(0, h))
        ww, hh = int(rng.integers(w // 20, w // 3)), int(rng.integers(h // 20, h // 3))
        color = tuple(int(c) for c in rng.integers(0, 255, 3))
        if rng.random() < 0.5:
            draw.ellipse((x0, y0, x0 + ww, y0 + hh), fill=color)
        else:
            draw.rectangle((x0, y0, x0 + ww, y0 + hh), fill=color)
    img = img.filter(ImageFilter.GaussianBlur(max(w, h) / 400))
    arr = np.asarray(img, np.float32) + rng.normal(0, 4, (h, w, 3))
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")


def jpeg(img: Image.Image, quality: int = 92) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()
