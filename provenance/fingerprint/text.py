"""Text fingerprints on the visible text: the ISCC text code (soft binding) and a MinHash over
word 3-shingles (index).

The visible text is what a reader sees and copies: no embedded manifest (A.8 wrapper, A.9
block, A.7 script), no format characters, variation selectors or tag characters. The ISCC text
code then normalises as its specification says (``text_collapse``: NFD, lower case, no
whitespace, control or mark characters, NFKC). For the MinHash we normalise as measured in the
soft-binding note: NFKC, quotes and dashes folded, case folded, words only.
"""

from __future__ import annotations

import base64
import re
import unicodedata
import zlib
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from provenance.fingerprint import Fingerprint

__all__ = [
    "PERMUTATIONS",
    "iscc_text_code",
    "jaccard",
    "minhash",
    "normalise_words",
    "text_fingerprint",
    "visible_text",
]

#: MinHash signature length (uint32 values).
PERMUTATIONS = 128
SHINGLE = 3

_FOLD = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"', "\u2010": "-", "\u2011": "-", "\u2012": "-",
    "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
})
_WORD = re.compile(r"\w+(?:['-]\w+)*")
_ASCII_WORD = re.compile(r"[A-Za-z0-9_]")


def _invisible(ch: str) -> bool:
    cp = ord(ch)
    return (0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF or 0xE0000 <= cp <= 0xE007F
            or unicodedata.category(ch) == "Cf")


def visible_text(text: str) -> str:
    """``text`` as a reader sees it: embedded manifests and invisible characters removed."""
    stripped = _without_blocks(text)
    if stripped.isascii():
        return stripped
    # Decided once per distinct character, not a test per character.
    return _delete(stripped, [ch for ch in set(stripped) if _invisible(ch)])


def _delete(text: str, chars: list[str]) -> str:
    """``text`` without any of ``chars``: a C-speed ``str.replace`` pass per character for the
    usual handful, one ``str.translate`` (slower per character) for many."""
    if len(chars) > 64:
        return text.translate(dict.fromkeys(map(ord, chars)))
    for ch in chars:
        text = text.replace(ch, "")
    return text


def _without_blocks(text: str) -> str:
    """``text`` without A.9 manifest blocks and A.7 inline manifests (A.8 wrappers are
    invisible characters and go with them)."""
    if "c2pa" not in text.lower():
        return text
    from provenance.carriers import html, structured

    data = text.encode("utf-8")
    cuts = [(b.byte_start, b.byte_length) for b in structured.find_blocks(data)]
    cuts += [(s.start, s.length) for s in html.find_scripts(data)]
    for start, length in sorted(cuts, reverse=True):
        data = data[:start] + data[start + length:]
    return data.decode("utf-8", errors="replace")


def normalise_words(text: str) -> list[str]:
    """The words of visible ``text``: NFKC, quotes and dashes folded, case folded."""
    folded = unicodedata.normalize("NFKC", text).translate(_FOLD).casefold()
    return _WORD.findall(folded)


@lru_cache(maxsize=1)
def _permutations() -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    import numpy as np

    rng = np.random.default_rng(0x50F7B1D)
    a = rng.integers(1, 2**63, size=PERMUTATIONS, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, size=PERMUTATIONS, dtype=np.uint64)
    return a, b


def minhash(words: list[str]) -> bytes:
    """128 x uint32 MinHash over word 3-shingles (single words for shorter texts), as
    little-endian bytes. Each permutation is a multiply-shift hash of the shingle's CRC-32."""
    import numpy as np

    n = SHINGLE if len(words) >= SHINGLE else 1
    shingles = {" ".join(words[i:i + n]) for i in range(max(len(words) - n + 1, 0))}
    if not shingles:
        shingles = {""}
    x = np.fromiter((zlib.crc32(s.encode("utf-8")) for s in shingles), dtype=np.uint64,
                    count=len(shingles))
    a, b = _permutations()
    # A block of shingles at a time: the whole table is 1 KiB per shingle (a 30 MB text has
    # millions), the block 4 MiB.
    lowest = np.full(len(a), np.iinfo(np.uint64).max, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for at in range(0, len(x), _SHINGLE_ROWS):
            h = (x[at:at + _SHINGLE_ROWS, None] * a[None, :] + b[None, :]) >> np.uint64(32)
            np.minimum(lowest, h.min(axis=0), out=lowest)
    return bytes(lowest.astype("<u4").tobytes())


#: Shingles per block of :func:`minhash` (x 128 permutations x 8 bytes: 4 MiB).
_SHINGLE_ROWS = 4096


def jaccard(sig_a: bytes, sig_b: bytes) -> float:
    """Estimated Jaccard similarity of two MinHash signatures (0..1)."""
    import numpy as np

    a = np.frombuffer(sig_a, dtype="<u4")
    b = np.frombuffer(sig_b, dtype="<u4")
    return float(np.count_nonzero(a == b)) / len(a)


def has_words(visible: str) -> bool:
    """Whether :func:`normalise_words` finds any word in ``visible``, without the list.

    An ASCII letter, digit or underscore is a word character after NFKC too (it stays, or
    composes with the marks after it into a letter), and the fold table and case folding
    keep it one; so one is enough, and ASCII text without one has none."""
    if _ASCII_WORD.search(visible) is not None:
        return True
    if visible.isascii():
        return False
    folded = unicodedata.normalize("NFKC", visible).translate(_FOLD).casefold()
    return _WORD.search(folded) is not None


def soft_binding_code(text: str) -> str | None:
    """The ISCC text code of :func:`text_fingerprint` alone (what a manifest's soft binding
    carries), without the MinHash; None where :func:`text_fingerprint` is None."""
    visible = visible_text(text)
    return iscc_text_code(visible) if has_words(visible) else None


def text_fingerprint(text: str) -> Fingerprint | None:
    """ISCC text code and MinHash of the visible text; None for text with no words."""
    from provenance.fingerprint import Fingerprint

    visible = visible_text(text)
    words = normalise_words(visible)
    if not words:
        return None
    return Fingerprint("text", iscc_text_code(visible), minhash=minhash(words))


#: ISCC header of a 64-bit Content-Code Text v0 (MainType CONTENT, SubType TEXT).
_TEXT_HEADER = b"\x20\x01"
_NGRAM = 13
_FILTERED = frozenset("CMP")  # control, mark and punctuation categories


def _collapse(text: str) -> str:
    """The ISCC text normalisation (``text_collapse``): NFD, lower case, no whitespace,
    control, mark or punctuation characters, NFKC."""
    decomposed = unicodedata.normalize("NFD", text).lower()
    # Decided once per distinct character, not a test per character.
    kept = _delete(decomposed, [ch for ch in set(decomposed)
                                if ch.isspace() or unicodedata.category(ch)[0] in _FILTERED])
    return unicodedata.normalize("NFKC", kept)


@lru_cache(maxsize=1)
def _iscc_permutations() -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]] | None:
    """The 64 (a, b) pairs of ISCC's MinHash, read from the installed iscc-core's source
    (its compiled module does not export them); None when that source is not there."""
    import ast
    import importlib.util

    import numpy as np

    spec = importlib.util.find_spec("iscc_core")
    if spec is None or not spec.submodule_search_locations:
        return None
    from pathlib import Path

    src = Path(next(iter(spec.submodule_search_locations))) / "minhash.py"
    try:
        tree = ast.parse(src.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return None
    found: dict[str, list[int]] = {}
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id in ("MPA", "MPB")):
            found[node.targets[0].id] = list(ast.literal_eval(node.value))
    a, b = found.get("MPA"), found.get("MPB")
    if not a or not b or len(a) != 64 or len(b) != 64:
        return None
    return np.array(a, dtype=np.uint64), np.array(b, dtype=np.uint64)


_P61 = (1 << 61) - 1
#: Feature rows per block of the MinHash (512 x 64 uint64: 256 KiB; measured best of 64-4096).
_ROWS = 512


def _ngram_hashes(collapsed: str) -> npt.NDArray[np.uint64]:
    """xxh32 of the UTF-8 of every 13-character n-gram of ``collapsed`` (the whole text when
    shorter), a block of n-grams at a time (memory is bounded by the block, not the text).

    The n-grams of a block's most common byte length (all of them in ASCII or CJK text) are
    hashed together in numpy (:mod:`provenance.fingerprint.xxh32`) when there are enough of
    them to repay a numpy pass; the rest one call of the xxhash package each."""
    import numpy as np
    from xxhash import xxh32_intdigest as xxh32

    from provenance.fingerprint.xxh32 import le_words, xxh32_slices

    raw = collapsed.encode("utf-8")
    if len(collapsed) < _NGRAM:
        return np.array([xxh32(raw)], dtype=np.uint64)
    count = len(collapsed) - _NGRAM + 1
    out = np.empty(count, dtype=np.uint64)
    units = np.frombuffer(raw, dtype=np.uint8)
    ascii_only = len(raw) == len(collapsed)  # a character is a byte
    lead = None if ascii_only else np.append(np.flatnonzero((units & 0xC0) != 0x80), len(raw))
    for at in range(0, count, _SPAN):
        stop = min(at + _SPAN, count)
        if lead is None:
            starts = np.arange(at, stop, dtype=np.intp)
            lengths = np.full(stop - at, _NGRAM, dtype=np.intp)
        else:
            starts = lead[at:stop]
            lengths = lead[at + _NGRAM:stop + _NGRAM] - starts
        singly = np.ones(stop - at, dtype=bool)  # the n-grams left to one call each
        if stop - at >= _VECTOR_MIN:
            common = _NGRAM if lead is None else int(np.bincount(lengths).argmax())
            chosen = lengths == common
            if np.count_nonzero(chosen) >= _VECTOR_MIN * (1 + common // 16):
                first = int(starts[0])
                piece = units[first:int(starts[-1]) + int(lengths[-1])]
                out[at:stop][chosen] = xxh32_slices(piece, le_words(piece),
                                                    starts[chosen] - first, common)
                singly = ~chosen
        rest = np.flatnonzero(singly)
        if len(rest):
            begin, size = starts[rest].tolist(), lengths[rest].tolist()
            out[at + rest] = [xxh32(raw[b:b + n]) for b, n in zip(begin, size, strict=True)]
    return out


#: n-grams hashed at a time.
_SPAN = 1 << 16
#: The fewest n-grams of one byte length below 16 hashed in numpy, and per 16 bytes more: a
#: numpy pass costs ~0.07 ms for 13 bytes, ~0.25 ms for 39; one xxhash call ~0.2 us.
_VECTOR_MIN = 400


def _lower_into(features: npt.NDArray[np.uint64], a: npt.NDArray[np.uint64],
                b: npt.NDArray[np.uint64], h: npt.NDArray[np.uint64],
                spare: npt.NDArray[np.uint64], lowest: npt.NDArray[np.uint64]) -> None:
    """Lower ``lowest`` (per permutation) to the minimum over ``features`` of the low 32 bits
    of ``((a * f + b) mod 2**64) mod (2**61 - 1)``, in the caller's buffers ``h`` and
    ``spare`` (fresh temporaries per step cost 3x the arithmetic): x mod p is
    (x & p) + (x >> 61), less p when that is >= p (it is below 2p), which in unsigned
    arithmetic is min(x, x - p)."""
    import numpy as np

    p = np.uint64(_P61)
    rows = len(features)
    h, spare = h[:rows], spare[:rows]
    np.multiply.outer(features, a, out=h)  # wraps modulo 2**64, as iscc-core's mask does
    h += b
    np.bitwise_and(h, p, out=spare)
    h >>= np.uint64(61)
    h += spare
    np.subtract(h, p, out=spare)
    np.minimum(h, spare, out=h)
    h &= np.uint64(0xFFFFFFFF)
    np.minimum(lowest, h.min(axis=0), out=lowest)


def iscc_text_code(text: str) -> str:
    """The 64-bit ISCC Content-Code Text v0 (``ISCC:EAA...``) of ``text``, bit-for-bit
    ``iscc_core.gen_text_code_v0(text, bits=64)``, its MinHash computed with numpy (iscc-core's
    own takes ~12 ms for 300 words)."""
    import numpy as np

    perms = _iscc_permutations()
    if perms is None:  # pragma: no cover - iscc-core installed without its sources
        import iscc_core

        return str(iscc_core.gen_text_code_v0(text, bits=64)["iscc"])
    collapsed = _collapse(text)
    features = _ngram_hashes(collapsed)
    a, b = perms
    # A few hundred feature rows at a time, in two buffers made once: large temporaries cost
    # more in fresh pages than the arithmetic does.
    h = np.empty((min(_ROWS, len(features)), len(a)), dtype=np.uint64)
    spare = np.empty_like(h)
    lowest = np.full(len(a), 0xFFFFFFFF, dtype=np.uint64)
    for at in range(0, len(features), _ROWS):
        _lower_into(features[at:at + _ROWS], a, b, h, spare, lowest)
    body = np.packbits((lowest & np.uint64(1)).astype(np.uint8)).tobytes()  # bit 0 of each
    return "ISCC:" + base64.b32encode(_TEXT_HEADER + body).decode("ascii").rstrip("=")
