"""Image fingerprints: the ISCC image code (soft binding) and a 64-bit DCT pHash (index).

Both start from the same 32x32 grayscale thumbnail. A JPEG is decoded with Pillow's ``draft``
at a reduced scale first, which gives the same hash for a fraction of the decoding cost.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from provenance.fingerprint import Fingerprint

__all__ = ["dct_matrix", "grayscale_32", "image_fingerprint", "phash"]

_SIZE = 32


def grayscale_32(data: bytes) -> list[int] | None:
    """The image as 32x32 grayscale pixels (row-major), or None if it cannot be decoded."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.format == "JPEG":
                opened.draft("L", (128, 128))
            img: Image.Image = ImageOps.exif_transpose(opened)
            if img.mode in ("RGBA", "LA", "P"):
                rgba = img.convert("RGBA")
                white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
                img = Image.alpha_composite(white, rgba)
            small = img.convert("L").resize((_SIZE, _SIZE), Image.Resampling.BICUBIC)
            return list(small.tobytes())
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None


def dct_matrix(n: int = _SIZE) -> npt.NDArray[np.float64]:
    """The orthonormal DCT-II matrix of size ``n``."""
    import numpy as np

    k = np.arange(n)[:, None]
    i = np.arange(n)[None, :]
    m = np.cos(np.pi * (2 * i + 1) * k / (2 * n)) * np.sqrt(2 / n)
    m[0, :] = np.sqrt(1 / n)
    out: npt.NDArray[np.float64] = m
    return out


def phash(pixels: list[int]) -> int:
    """64-bit pHash of 32x32 grayscale pixels: DCT, the 8x8 lowest frequencies, each bit set
    when the coefficient is above their median."""
    import numpy as np

    arr = np.asarray(pixels, dtype=np.float64).reshape(_SIZE, _SIZE)
    d = dct_matrix()
    low = (d @ arr @ d.T)[:8, :8].flatten()
    bits = low > np.median(low)
    value = 0
    for bit in bits:
        value = (value << 1) | int(bit)
    return value


def image_fingerprint(data: bytes) -> Fingerprint | None:
    """ISCC image code and pHash of an encoded image; None if it cannot be decoded."""
    from provenance.fingerprint import Fingerprint

    pixels = grayscale_32(data)
    if pixels is None:
        return None
    import iscc_core  # lazy: ~150 ms

    code = iscc_core.gen_image_code_v0(pixels, bits=64)["iscc"]
    return Fingerprint("image", str(code), phash=phash(pixels))
