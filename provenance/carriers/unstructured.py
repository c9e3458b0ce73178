"""C2PA 2.4 appendix A.8: a manifest store carried in plain text as invisible variation selectors.

``C2PATextManifestWrapper = magic "C2PATXT\\0" | version 1 | u32 length (big-endian) | JUMBF``;
each byte becomes one code point (b < 16: U+FE00 + b, else U+E0100 + b - 16), the run prefixed
by one U+FEFF and placed at the end of the text. Pure functions, no I/O.
"""

from __future__ import annotations

import itertools
import re
import struct
from collections.abc import Iterator

from provenance._record import record

__all__ = [
    "MAGIC",
    "Wrapper",
    "count_wrappers",
    "encode_wrapper",
    "find_wrappers",
    "iter_wrappers",
    "target_length",
    "wrapper_length",
]

MAGIC = b"C2PATXT\x00"
VERSION = 1
BOM = "\ufeff"
_HEADER = struct.Struct(">8sBI")


def _is_selector(cp: int) -> bool:
    return 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF


def _to_selector(byte: int) -> str:
    return chr(0xFE00 + byte) if byte < 16 else chr(0xE0100 + byte - 16)


# Byte -> selector as UTF-32-LE code units, built with bytes.translate (C speed): for b >= 16
# the code point is 0x000E01xx with xx = b - 16, for b < 16 it is 0x0000FE0b.
_LOW = bytes(b - 16 if b >= 16 else b for b in range(256))
_MID = bytes(0x01 if b >= 16 else 0xFE for b in range(256))
_HIGH = bytes(0x0E if b >= 16 else 0x00 for b in range(256))


def _selectors(raw: bytes) -> str:
    out = bytearray(4 * len(raw))
    out[0::4] = raw.translate(_LOW)
    out[1::4] = raw.translate(_MID)
    out[2::4] = raw.translate(_HIGH)
    return out.decode("utf-32-le")


def _from_selector(cp: int) -> int:
    return cp - 0xFE00 if cp <= 0xFE0F else cp - 0xE0100 + 16


def target_length(manifest_size: int) -> int:
    """UTF-8 length every wrapper for a ``manifest_size``-byte store is padded to.

    The worst case (every byte a 4-byte selector) plus 6 bytes, so that any shortfall can be
    made up exactly with 3- and 4-byte selectors (spec working draft; both public
    implementations use it).
    """
    return 3 + (13 + manifest_size) * 4 + 6


def wrapper_length(store: bytes) -> int:
    """Exact UTF-8 length of the unpadded wrapper of ``store`` (U+FEFF, then 3 bytes per
    header/store byte below 16 and 4 bytes per other byte)."""
    raw = _HEADER.pack(MAGIC, VERSION, len(store)) + store
    small = len(raw) - len(raw.translate(None, bytes(range(16))))
    return 3 + 4 * len(raw) - small


def encode_wrapper(store: bytes, *, length: int | None = None) -> str:
    """U+FEFF + the selectors of the wrapper, padded with selectors to ``length`` UTF-8 bytes.

    We sign with no padding (``length`` None): independent A.8 validators take the wrapper's
    extent from its declared manifest length and reject selectors after it. Padding stays for
    reading and testing wrappers framed by peers that pad.

    Raises:
        ValueError: ``length`` is too short or cannot be reached exactly.
    """
    raw = _HEADER.pack(MAGIC, VERSION, len(store)) + store
    out = BOM + _selectors(raw)
    if length is None:
        return out
    gap = length - len(out.encode("utf-8"))
    for threes in range(4):  # 3 * threes + 4 * fours == gap
        rest = gap - 3 * threes
        if rest >= 0 and rest % 4 == 0:
            return out + _to_selector(0) * threes + _to_selector(0x10) * (rest // 4)
    raise ValueError(f"cannot pad the wrapper by {gap} bytes")


@record
class Wrapper:
    """A wrapper found in a text: where it is (characters and UTF-8 bytes) and what it holds.

    ``store`` is None when the run after U+FEFF is not a valid wrapper (corrupted).
    """

    char_start: int
    char_end: int
    byte_start: int
    byte_length: int
    store: bytes | None


# A wrapper run: U+FEFF then one or more variation selectors. One regex pass over the text
# (linear; the text can be hostile: 200,000 broken wrappers in 1.4 MB).
_RUN = re.compile("\ufeff[\ufe00-\ufe0f\U000e0100-\U000e01ef]+")
_LONG_RUN = re.compile("\ufeff[\ufe00-\ufe0f\U000e0100-\U000e01ef]{" + str(_HEADER.size) + ",}")


def _bytes_of(selectors: str) -> bytes:
    """The bytes of a run of variation selectors (each U+FE00-U+FE0F or U+E0100-U+E01EF, as
    the run patterns guarantee), without a per-character lookup.

    In UTF-32-LE a selector is ``b 0xFE 0 0`` (byte b < 16) or ``(b - 16) 0x01 0x0E 0``; so
    the byte is the low code unit, plus 16 where the second is 0x01. Those two byte strings
    added as big integers give the bytes: no sum exceeds 0xFF, so nothing carries."""
    units = selectors.encode("utf-32-le")
    low, high = units[0::4], units[1::4].translate(_ADD)
    n = len(low)
    return (int.from_bytes(low, "big") + int.from_bytes(high, "big")).to_bytes(n, "big")


_ADD = bytes(16 if b == 0x01 else 0 for b in range(256))


_SPAN = 1 << 20


def _utf8_len(text: str, start: int, end: int) -> int:
    """UTF-8 length of ``text[start:end]``, a megabyte at a time (a 10 MB text is not copied
    and encoded whole just to learn where its wrapper starts)."""
    if end - start <= _SPAN:
        piece = text[start:end]
        return len(piece) if piece.isascii() else len(piece.encode("utf-8"))
    total = 0
    for i in range(start, end, _SPAN):
        piece = text[i:min(i + _SPAN, end)]
        total += len(piece) if piece.isascii() else len(piece.encode("utf-8"))
    return total


def find_wrappers(text: str, *, limit: int | None = None) -> list[Wrapper]:
    """Every U+FEFF followed by at least one variation selector, decoded (the first ``limit``
    when given).

    A U+FEFF not followed by selectors (a byte-order mark) is not a wrapper. Linear in the
    length of the text, however many wrappers it holds.
    """
    return list(itertools.islice(iter_wrappers(text), limit))


def count_wrappers(text: str) -> int:
    """How many wrapper runs ``text`` holds (without decoding them)."""
    return sum(1 for _ in _RUN.finditer(text))


def iter_wrappers(text: str, *, long_enough: bool = False) -> Iterator[Wrapper]:
    """The wrappers of :func:`find_wrappers`, one at a time (stop early when one is enough).

    ``long_enough``: only runs long enough to hold a wrapper header (for callers that look
    for a store and would skip the rest anyway).
    """
    byte_pos = 0  # UTF-8 offset of ``char_pos``, advanced incrementally (never recounted)
    char_pos = 0
    for m in (_LONG_RUN if long_enough else _RUN).finditer(text):
        pos, end = m.span()
        byte_pos += _utf8_len(text, char_pos, pos)
        run = m.group()
        store: bytes | None = None
        if end - pos > _HEADER.size:  # long enough to hold a header: decode it
            raw = _bytes_of(run[1:])
            magic, version, size = _HEADER.unpack_from(raw)
            if magic == MAGIC and version == VERSION and _HEADER.size + size <= len(raw):
                store = raw[_HEADER.size:_HEADER.size + size]
        length = len(run.encode("utf-8"))
        yield Wrapper(pos, end, byte_pos, length, store)
        byte_pos += length
        char_pos = end
