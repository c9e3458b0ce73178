"""A signed file's manifest store as its own bytes (``application/c2pa``): what a resolution
API serves from ``GET /v1/manifests/{id}`` and what ``registry push`` uploads.

JPEG splits the JUMBF superbox over APP11 segments (ISO/IEC 19566-5: ``JP``, box instance,
sequence number; every segment after the first repeats the box header), so they are joined
again. In the other formats c2pa writes the superbox in one piece (PNG ``caBX``, WebP ``C2PA``,
TIFF, GIF, BMFF ``uuid``...): it is found with :func:`provenance.jumbf.find_manifest_store` and
cut at its declared size. Nothing here validates: the reader of the bytes does.
"""

from __future__ import annotations

import io
import struct

from provenance.jumbf import find_manifest_store

__all__ = ["manifest_store_bytes"]


def _jpeg(data: bytes) -> bytes | None:
    pos = 2
    parts: dict[int, list[tuple[int, bytes]]] = {}
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker in (0xD9, 0xDA):  # end of image, start of scan: no more headers
            break
        if marker == 0xFF:
            pos += 1
            continue
        length = struct.unpack_from(">H", data, pos + 2)[0]
        body = data[pos + 4:pos + 2 + length]
        if marker == 0xEB and len(body) >= 8 and body[:2] == b"JP":
            instance = struct.unpack_from(">H", body, 2)[0]
            sequence = struct.unpack_from(">I", body, 4)[0]
            parts.setdefault(instance, []).append((sequence, body[8:]))
        pos += 2 + length
    for segments in parts.values():
        segments.sort()
        first = segments[0][1]
        joined = first + b"".join(chunk[8:] for _, chunk in segments[1:])
        if len(joined) >= 8 and joined[4:8] == b"jumb":
            found = _cut(joined)
            if found is not None:
                return found
    return None


def _cut(buf: bytes) -> bytes | None:
    at = find_manifest_store(io.BytesIO(buf))
    if at is None:
        return None
    size = struct.unpack_from(">I", buf, at)[0]
    return buf[at:at + size] if at + size <= len(buf) else None


def manifest_store_bytes(data: bytes) -> bytes | None:
    """The embedded manifest store of the signed file ``data``, or None when none is found
    (or the format keeps it in pieces this module does not join)."""
    if data[:2] == b"\xff\xd8":
        return _jpeg(data)
    return _cut(data)
