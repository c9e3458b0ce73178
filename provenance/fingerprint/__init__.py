"""Content fingerprints: the ``io.iscc.v0`` soft binding that goes into a manifest, and the
registry-side indexes (a 64-bit pHash for images, a MinHash over word 3-shingles for text)
that find a stripped copy again.

The soft binding is an algorithm on the C2PA soft-binding list (ISCC, ISO 24138); the indexes
separate better (measured in ``bench/survival.py``) but are not on the list, so they never go
into a manifest. ``iscc_core`` is imported lazily (it costs ~150 ms): nothing here is on the
command line's start-up path until a file is signed or looked up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from provenance.fingerprint.image import image_fingerprint
from provenance.fingerprint.text import text_fingerprint, visible_text

__all__ = [
    "ISCC_ALG",
    "Fingerprint",
    "Kind",
    "fingerprint",
    "image_fingerprint",
    "kind_for",
    "text_fingerprint",
    "visible_text",
]

#: The soft-binding algorithm we record (C2PA soft-binding algorithm list).
ISCC_ALG = "io.iscc.v0"

#: What a fingerprint describes.
Kind = Literal["image", "text"]


@dataclass(frozen=True)
class Fingerprint:
    """One asset's fingerprints.

    Attributes:
        kind: ``image`` or ``text``.
        iscc: the ISCC content code (``ISCC:...``), the value of the soft binding.
        phash: 64-bit perceptual hash (images), unsigned.
        minhash: 128 x uint32 MinHash signature over word 3-shingles (text), as bytes.
    """

    kind: Kind
    iscc: str
    phash: int | None = None
    minhash: bytes | None = None


def kind_for(mime: str | None) -> Kind | None:
    """``image`` or ``text`` for a media type we fingerprint; None for the rest (audio and
    video need decoders that are not installable here, documents have no stable content
    code)."""
    if mime is None:
        return None
    if mime.startswith("text/"):
        return "text"
    if mime.startswith("image/") and mime != "image/svg+xml":
        return "image"
    return None


def fingerprint(data: bytes, mime: str) -> Fingerprint | None:
    """The fingerprints of ``data`` of type ``mime``; None when the type is not fingerprinted
    or the content cannot be decoded (a fingerprint is an aid, never a reason to fail)."""
    kind = kind_for(mime)
    if kind == "image":
        return image_fingerprint(data)
    if kind == "text":
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return text_fingerprint(text)
    return None
