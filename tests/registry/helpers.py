"""Real signed files and their stripped copies for registry tests."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw

import provenance
from provenance.identity import Identity

ESSAY = (
    "The lighthouse keeper wrote every evening in a narrow notebook with a green cover. "
    "He noted the wind, the colour of the water at dusk, the ships that passed and the ones "
    "that did not come. Over thirty years the notebooks filled a shelf, then a cupboard, "
    "and finally the small room under the lamp where nobody else ever went. When the light "
    "was automated he carried them down the hill in a wheelbarrow, one trip for each decade, "
    "and gave them to the village library, which had no idea what to do with them. "
    "A student found them there years later and read them all in one long winter."
)


def photo(path: Path, seed: int = 1, size: tuple[int, int] = (900, 600)) -> Path:
    """A real-looking photo (gradients, shapes, texture), made here."""
    import numpy as np

    rng = np.random.default_rng(seed)
    w, h = size
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([(x * rng.uniform(0.1, 0.4) + y * rng.uniform(0.05, 0.3)) % 255,
                     (y * rng.uniform(0.1, 0.4)) % 255,
                     (x * 0.2 + rng.uniform(0, 120)) % 255], axis=-1)
    img = Image.fromarray(base.astype("uint8"), "RGB")
    draw = ImageDraw.Draw(img)
    for _ in range(12):
        x0, y0 = int(rng.integers(0, w - 50)), int(rng.integers(0, h - 50))
        draw.ellipse((x0, y0, x0 + int(rng.integers(30, 300)), y0 + int(rng.integers(30, 300))),
                     fill=tuple(int(v) for v in rng.integers(0, 255, 3)))
    noise = rng.normal(0, 6, (h, w, 3))
    arr = np.clip(np.asarray(img, dtype=float) + noise, 0, 255).astype("uint8")
    Image.fromarray(arr).save(path, "JPEG", quality=92)
    return path


def social(src: Path, dest: Path) -> Path:
    """What a social network does: 1080 px long side (here: 80%), JPEG q75, no metadata."""
    with Image.open(src) as img:
        img = img.convert("RGB")
        img.thumbnail((int(img.width * 0.8), int(img.height * 0.8)))
        img.save(dest, "JPEG", quality=75)
    return dest


def signed_pair(tmp: Path, identity: Identity, seed: int = 1) -> tuple[Path, Path]:
    """A signed photo and a signed text under ``tmp``."""
    src_img = photo(tmp / f"photo{seed}.jpg", seed)
    src_txt = tmp / f"essay{seed}.txt"
    src_txt.write_text(ESSAY if seed == 1 else f"{seed} " + ESSAY[::-1], encoding="utf-8")
    img = provenance.sign(src_img, tmp / f"photo{seed}.signed.jpg", identity=identity).output
    txt = provenance.sign(src_txt, tmp / f"essay{seed}.signed.txt", identity=identity).output
    return img, txt


def png_bytes(path: Path) -> bytes:
    with Image.open(path) as img:
        buf = io.BytesIO()
        img.save(buf, "PNG")
    return buf.getvalue()
