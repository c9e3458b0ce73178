"""xxHash32 (seed 0) of many equal-length slices of one buffer at once, in numpy.

The ISCC text code hashes every 13-character n-gram of a text with xxh32: about 800 calls for
a 1 KB text, each a Python call to the ``xxhash`` package. Here the slices of one length are
hashed together, column by column, with the algorithm of the xxHash specification
(``doc/xxhash_spec.md``: 4 accumulators over 16-byte stripes, then 4-byte words, then single
bytes, then the avalanche). The result equals ``xxhash.xxh32_intdigest`` bit for bit; the tests
compare the two on every length from 0 to 70 and on real n-grams.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["le_words", "xxh32_slices"]

_MASK = 0xFFFFFFFF
_P1, _P2, _P3, _P4, _P5 = 2654435761, 2246822519, 3266489917, 668265263, 374761393


def le_words(units: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint32]:
    """The little-endian 32-bit word starting at every byte of ``units`` (zero-padded past the
    end): ``words[i]`` reads ``units[i:i + 4]``."""
    import numpy as np

    pad = np.zeros(len(units) + 3, dtype=np.uint32)
    pad[:len(units)] = units
    words: npt.NDArray[np.uint32] = pad[:-3].copy()
    words |= pad[1:-2] << np.uint32(8)
    words |= pad[2:-1] << np.uint32(16)
    words |= pad[3:] << np.uint32(24)
    return words


def _rotl(x: npt.NDArray[np.uint32], r: int) -> npt.NDArray[np.uint32]:
    import numpy as np

    rotated: npt.NDArray[np.uint32] = (x << np.uint32(r)) | (x >> np.uint32(32 - r))
    return rotated


def xxh32_slices(units: npt.NDArray[np.uint8], words: npt.NDArray[np.uint32],
                 starts: npt.NDArray[np.intp], length: int) -> npt.NDArray[np.uint32]:
    """``xxh32(units[s:s + length])`` (seed 0) for every ``s`` in ``starts``; ``words`` is
    :func:`le_words` of ``units``. Every slice must lie inside ``units``."""
    import numpy as np

    u32 = np.uint32
    count = len(starts)
    at = 0
    if length >= 16:
        lanes = [np.full(count, seed & _MASK, dtype=np.uint32)
                 for seed in (_P1 + _P2, _P2, 0, -_P1)]
        while at + 16 <= length:
            for offset, lane in enumerate(lanes):
                lane += words[starts + (at + 4 * offset)] * u32(_P2)
                lane[:] = _rotl(lane, 13) * u32(_P1)
            at += 16
        h = _rotl(lanes[0], 1) + _rotl(lanes[1], 7) + _rotl(lanes[2], 12) + _rotl(lanes[3], 18)
    else:
        h = np.full(count, _P5, dtype=np.uint32)
    h += u32(length & _MASK)
    while at + 4 <= length:
        h += words[starts + at] * u32(_P3)
        h = _rotl(h, 17) * u32(_P4)
        at += 4
    while at < length:
        h += units[starts + at].astype(np.uint32) * u32(_P5)
        h = _rotl(h, 11) * u32(_P1)
        at += 1
    h ^= h >> u32(15)
    h *= u32(_P2)
    h ^= h >> u32(13)
    h *= u32(_P3)
    h ^= h >> u32(16)
    return h
