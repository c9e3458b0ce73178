"""Content fingerprints: the ``io.iscc.v0`` soft binding that goes into a manifest, and the
registry-side indexes (a 64-bit pHash for images, a MinHash over word 3-shingles for text)
that find a stripped copy again.

The soft binding is an algorithm on the C2PA soft-binding list (ISCC, ISO 24138); the indexes
separate better (measured in ``bench/survival.py``) but are not on the list, so they never go
into a manifest. ``iscc_core`` is imported lazily (it costs ~150 ms): nothing here is on the
command line's start-up path until a file is signed or looked up.
"""

from __future__ import annotations

from typing import Literal

from provenance._record import record
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
Kind = Literal["image", "text", "audio", "video"]


@record
class Fingerprint:
    """One asset's fingerprints.

    Attributes:
        kind: ``image``, ``text``, ``audio`` or ``video``.
        iscc: the ISCC content code (``ISCC:...``), the value of the soft binding (for audio
            and video the registry also indexes its 64-bit body by Hamming distance).
        phash: 64-bit perceptual hash (images), unsigned.
        minhash: 128 x uint32 MinHash signature over word 3-shingles (text), as bytes.
    """

    kind: Kind
    iscc: str
    phash: int | None = None
    minhash: bytes | None = None


def kind_for(mime: str | None) -> Kind | None:
    """The kind of fingerprint of a media type; None for the rest (documents have no stable
    content code, SVG is text that draws)."""
    if mime is None:
        return None
    if mime.startswith("text/"):
        return "text"
    if mime.startswith("image/") and mime != "image/svg+xml":
        return "image"
    if mime in ("audio/wav", "audio/mpeg", "audio/flac", "audio/mp4"):
        return "audio"
    if mime in ("video/mp4", "video/quicktime", "video/x-msvideo"):
        return "video"
    return None


def fingerprint(data: bytes, mime: str) -> Fingerprint | None:
    """The fingerprints of ``data`` of type ``mime``; None when the type is not fingerprinted,
    the content cannot be decoded, or (audio, video) the external tool is missing: a
    fingerprint is an aid, never a reason to fail."""
    kind = kind_for(mime)
    if kind == "image":
        return image_fingerprint(data)
    if kind == "text":
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return text_fingerprint(text)
    if kind == "audio":
        from provenance.fingerprint.media import audio_fingerprint

        return audio_fingerprint(data, mime)
    if kind == "video":
        from provenance.fingerprint.media import video_fingerprint

        return video_fingerprint(data, mime)
    return None
