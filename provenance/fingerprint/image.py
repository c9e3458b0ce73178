"""Image fingerprints: the ISCC image code (soft binding) and a 64-bit DCT pHash (index).

Both come from one decode of the image, normalised as the ISCC image code's specification says
(EXIF orientation applied, transparency on white, grayscale, 32x32 bicubic) and computed here
with numpy: the ISCC code bit-for-bit as ``iscc_core.soft_hash_image_v0`` (unnormalised DCT of
rows then columns, the 8x8 lowest frequencies against their median; a coefficient within
rounding of the median is handed to iscc-core itself), the pHash the same with an orthonormal
DCT. ``iscc_core`` (~150 ms to import) is not needed on the common path.

Decoding: the manifest's value is faithful to the reference normalisation, so the default
decodes at full resolution. ``fast=True`` decodes a JPEG in Pillow's draft mode (DCT-domain
downscale to 1/8): measured in ``bench/fingerprint.py`` it gives the reference's ISCC code for
only about half of the photos (2-4 bits apart for the rest), so it is offered for estimates and
benchmarks, never for the manifest value.
"""

from __future__ import annotations

import base64
import io
import mmap
from functools import lru_cache
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    from PIL import Image

    from provenance.fingerprint import Fingerprint

__all__ = ["MAX_JPEG_PIXELS", "MAX_PIXELS", "as_file", "dct_matrix", "grayscale_32",
           "image_fingerprint", "iscc_image_code", "over_cap", "phash", "pixel_cap",
           "pixels_32"]

_SIZE = 32
#: ISCC header of a 64-bit Content-Code Image v0 (MainType CONTENT, SubType IMAGE).
_IMAGE_HEADER = b"\x21\x01"
#: coefficients closer to their median than this are left to iscc-core (float rounding).
_TIE = 1e-6


def as_file(data: bytes) -> BinaryIO:
    """``data`` as a file for Pillow without copying it: bytes through BytesIO (which shares
    them), an mmap (a large file mapped by the signer) read in place from its start."""
    if isinstance(data, mmap.mmap):
        data.seek(0)
        return data
    return io.BytesIO(data)


def pixels_32(data: bytes, *, fast: bool = False) -> npt.NDArray[np.uint8] | None:
    """The image normalised to 32x32 grayscale (ISCC normalisation), or None if it cannot be
    decoded. ``fast``: a JPEG is decoded at 1/8 scale (not faithful to the reference)."""
    import warnings

    import numpy as np
    from PIL import Image, ImageOps, UnidentifiedImageError

    # Pillow's warnings (a damaged EXIF block, "could be decompression bomb") would reach the
    # user's terminal as Python source lines; an image we cannot use has no print.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with Image.open(as_file(data)) as opened:
                if fast and opened.format == "JPEG":
                    opened.draft("L", (_SIZE * 2, _SIZE * 2))
                if opened.width * opened.height > pixel_cap(opened.format):
                    return None
                # In place: without an orientation to apply, the default makes a full-size
                # copy of the decoded image (~5 ms per megapixel) only to return it.
                ImageOps.exif_transpose(opened, in_place=True)
                img: Image.Image = opened
                if img.mode in ("RGBA", "LA", "P", "PA") or "transparency" in img.info:
                    img = _gray_on_white(img)
                small = img.convert("L").resize((_SIZE, _SIZE), Image.Resampling.BICUBIC)
                return np.frombuffer(small.tobytes(), dtype=np.uint8).reshape(_SIZE, _SIZE)
        except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
            return None


#: The most pixels decoded for a fingerprint: Pillow's own decompression-bomb warning
#: threshold (89.5 Mpx, 2**30 / 12). Past it the image has no fingerprint (a 560 KB PNG
#: declaring 12,000 x 12,000 RGBA pixels took 2.4 GB and 8 s to verify).
MAX_PIXELS = 89_478_485
#: JPEG's cap: Pillow's refusal threshold (twice the warning's, 179 Mpx), so that photos from
#: 100-150 Mpx medium-format cameras keep their soft binding. A JPEG decodes to at most 3-4
#: bytes a pixel with no alpha to composite: a 178 Mpx JPEG took 0.89 GB and 1.7 s here.
MAX_JPEG_PIXELS = 2 * MAX_PIXELS


def pixel_cap(image_format: str | None) -> int:
    """The most pixels an image of Pillow's ``image_format`` is decoded at for a
    fingerprint (:data:`MAX_JPEG_PIXELS` for JPEG, :data:`MAX_PIXELS` for the others)."""
    return MAX_JPEG_PIXELS if image_format == "JPEG" else MAX_PIXELS


def over_cap(data: bytes) -> tuple[int, int, int] | None:
    """``(width, height, cap)`` when the image in ``data`` declares more pixels than
    :func:`pixel_cap` lets a fingerprint decode (read from its header); None otherwise,
    also when the header cannot be read."""
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(as_file(data)) as img:
                cap = pixel_cap(img.format)
                return (img.width, img.height, cap) if img.width * img.height > cap else None
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


def _gray_on_white(img: Image.Image) -> Image.Image:
    """``img`` composited on white and made grayscale, as the ISCC normalisation does, a band
    of rows at a time: the same pixels as compositing the whole image (both steps work pixel
    by pixel), without three full-size RGBA copies (16 bytes a pixel)."""
    from PIL import Image

    width, height = img.size
    gray = Image.new("L", img.size)
    rows = max(1, (1 << 20) // max(width, 1))
    for top in range(0, height, rows):
        band = img.crop((0, top, width, min(top + rows, height))).convert("RGBA")
        white = Image.new("RGBA", band.size, (255, 255, 255, 255))
        gray.paste(Image.alpha_composite(white, band).convert("L"), (0, top))
    return gray


def grayscale_32(data: bytes) -> list[int] | None:
    """The image as 32x32 grayscale pixels (row-major list), or None if it cannot be decoded."""
    px = pixels_32(data)
    return None if px is None else [int(v) for v in px.flatten()]


@lru_cache(maxsize=2)
def dct_matrix(n: int = _SIZE, *, orthonormal: bool = True) -> npt.NDArray[np.float64]:
    """The DCT-II matrix of size ``n`` (orthonormal, or unscaled as iscc-core computes it)."""
    import numpy as np

    k = np.arange(n)[:, None]
    i = np.arange(n)[None, :]
    m = np.cos(np.pi * (2 * i + 1) * k / (2 * n))
    if orthonormal:
        m *= np.sqrt(2 / n)
        m[0, :] = np.sqrt(1 / n)
    out: npt.NDArray[np.float64] = m
    out.setflags(write=False)
    return out


def _bits(low: npt.NDArray[np.float64]) -> int:
    import numpy as np

    flat = low.flatten()
    bits = flat > np.median(flat)
    return int.from_bytes(np.packbits(bits).tobytes(), "big")


def _as_array(pixels: object) -> npt.NDArray[np.float64]:
    import numpy as np

    return np.asarray(pixels, dtype=np.float64).reshape(_SIZE, _SIZE)


def phash(pixels: object) -> int:
    """64-bit pHash of 32x32 grayscale pixels: orthonormal DCT, the 8x8 lowest frequencies,
    each bit set when the coefficient is above their median."""
    d = dct_matrix()
    return _bits((d @ _as_array(pixels) @ d.T)[:8, :8])


def iscc_image_code(pixels: object) -> str:
    """The 64-bit ISCC Content-Code Image v0 (``ISCC:EEA...``) of normalised 32x32 pixels,
    bit-for-bit ``iscc_core.gen_image_code_v0(pixels, bits=64)``."""
    import numpy as np

    arr = _as_array(pixels)
    c = dct_matrix(orthonormal=False)
    low = (c @ arr @ c.T)[:8, :8]
    if np.min(np.abs(low - np.median(low))) < _TIE:  # a near-tie: the reference decides
        import iscc_core

        body = bytes(iscc_core.soft_hash_image_v0([int(v) for v in arr.flatten()], bits=64))
    else:
        body = _bits(low).to_bytes(8, "big")
    return "ISCC:" + base64.b32encode(_IMAGE_HEADER + body).decode("ascii").rstrip("=")


def image_fingerprint(data: bytes, *, fast: bool = False) -> Fingerprint | None:
    """ISCC image code and pHash of an encoded image (one decode); None if it cannot be
    decoded."""
    from provenance.fingerprint import Fingerprint

    pixels = pixels_32(data, fast=fast)
    if pixels is None:
        return None
    return Fingerprint("image", iscc_image_code(pixels), phash=phash(pixels))
