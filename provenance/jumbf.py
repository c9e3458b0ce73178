"""Find a C2PA manifest store's JUMBF superbox in a file's bytes, without any format parser.

Used to tell "no manifest" from "a manifest the file's structure no longer lets c2pa reach"
(one changed byte in a PDF catalog, a JPEG marker, a BMFF box): the second is tampering and
must read ``invalid``, never ``unsigned``.

"Present" means a parseable superbox, not merely the bytes ``c2pa``: a ``jumb`` box whose
declared size fits in the file, whose first child is a ``jumd`` description box of a sane size,
typed with the C2PA manifest-store UUID, with the label flag set and the label ``c2pa``
(ISO/IEC 19566-5; C2PA 2.x section 11.1). The file is read in chunks: memory stays bounded.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import BinaryIO

__all__ = ["STORE_UUID", "active_label", "find_manifest_store", "jpeg_header",
           "stream_reader"]

#: The description-box type UUID of a C2PA manifest store ("c2pa" + 0011-0010-8000-00AA00389B71).
STORE_UUID = bytes.fromhex("6332706100110010800000aa00389b71")
_LABEL = b"c2pa\x00"
_CHUNK = 1 << 20
# 'jumb' header (8) + 'jumd' header (8) + UUID (16) + toggles (1) + "c2pa\0" (5)
_NEED = 8 + 8 + 16 + 1 + len(_LABEL)
_LABEL_PRESENT = 0x02


def _is_store(buf: bytes, at: int, file_left: int) -> bool:
    """Whether the ``jumb`` type at ``buf[at:at+4]`` starts a C2PA manifest-store superbox.

    ``file_left``: bytes of the file from the superbox's start to the end of the file.
    """
    start = at - 4
    if start < 0 or len(buf) - start < _NEED:
        return False
    size = struct.unpack_from(">I", buf, start)[0]
    if size == 1:  # 64-bit size follows; a store that large is not a real one here
        return False
    if size < _NEED or size > file_left:
        return False
    jumd_size, jumd_type = struct.unpack_from(">I4s", buf, start + 8)
    if jumd_type != b"jumd" or not 8 + 16 + 1 + len(_LABEL) <= jumd_size <= size - 8:
        return False
    body = start + 16
    if buf[body:body + 16] != STORE_UUID:
        return False
    toggles = buf[body + 16]
    return bool(toggles & _LABEL_PRESENT) and buf[body + 17:body + 17 + len(_LABEL)] == _LABEL


def find_manifest_store(stream: BinaryIO) -> int | None:
    """Offset of the first C2PA manifest-store superbox in ``stream``, or None.

    Reads from the start in 1 MiB chunks (overlapping by a header's length) and restores the
    stream's position.
    """
    where = stream.tell()
    try:
        stream.seek(0, 2)
        total = stream.tell()
        offset = 0
        carry = b""
        while offset < total:
            stream.seek(offset)
            chunk = stream.read(_CHUNK)
            if not chunk:
                break
            buf = carry + chunk
            base = offset - len(carry)
            at = buf.find(b"jumb")
            while at != -1:
                if _is_store(buf, at, total - (base + at - 4)):
                    return base + at - 4
                at = buf.find(b"jumb", at + 1)
            offset += len(chunk)
            carry = buf[-(_NEED + 4):]
        return None
    finally:
        stream.seek(where)


def _boxes(buf: bytes, start: int, end: int) -> list[tuple[bytes, int, int]]:
    """``(type, payload start, box end)`` of the boxes laid end to end in ``buf[start:end]``
    (stops at the first box whose size does not fit)."""
    out = []
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack_from(">I4s", buf, pos)
        head = 8
        if size == 1:
            if pos + 16 > end:
                break
            size, head = struct.unpack_from(">Q", buf, pos + 8)[0], 16
        elif size == 0:
            size = end - pos
        if size < head or pos + size > end:
            break
        out.append((kind, pos + head, pos + size))
        pos += size
    return out


def _label(buf: bytes, start: int, end: int) -> str | None:
    """The label of the superbox whose payload is ``buf[start:end]`` (its ``jumd`` first)."""
    boxes = _boxes(buf, start, end)
    if not boxes or boxes[0][0] != b"jumd":
        return None
    _, body, box_end = boxes[0]
    if box_end - body < 17 or not buf[body + 16] & _LABEL_PRESENT:
        return None
    stop = buf.find(b"\x00", body + 17, box_end)
    return buf[body + 17:stop if stop != -1 else box_end].decode("utf-8", "replace")


def active_label(store: bytes) -> str | None:
    """The label (``urn:c2pa:...``) of the active manifest of a manifest store held whole in
    ``store`` (a ``.c2pa`` file, an HTML page's inline store): the store's last manifest.
    None when ``store`` is not a manifest store. Reads structure only; nothing is validated."""
    boxes = _boxes(store, 0, len(store))
    if not boxes or boxes[0][0] != b"jumb" or _label(store, boxes[0][1], boxes[0][2]) != "c2pa":
        return None
    children = _boxes(store, boxes[0][1], boxes[0][2])[1:]
    for kind, body, end in reversed(children):
        if kind == b"jumb":
            return _label(store, body, end)
    return None


# -- a JPEG's manifest, where JPEG keeps it -----------------------------------------------------
#
# C2PA embeds a JPEG's manifest store in APP11 segments (JPEG XT / ISO 19566-5 boxes) among the
# marker segments before the first start of scan: each segment is ``FF EB``, its length, the
# common identifier ``JP``, a 2-byte box instance number, a 4-byte packet sequence number
# (from 1), then the box's LBox and TBox (repeated in every packet) and the next part of its
# payload. Walking the segment headers reads a few kilobytes of a 50 MB photo, not all of it.

#: A bound on the marker segments walked before the scan (each is at least 4 bytes long).
_MAX_SEGMENTS = 65536


def stream_reader(stream: BinaryIO) -> Callable[[int, int], bytes]:
    """``read_at(offset, n)`` over a seekable stream (for :func:`jpeg_header`)."""
    def read_at(offset: int, n: int) -> bytes:
        stream.seek(offset)
        return stream.read(n)
    return read_at


def jpeg_header(read_at: Callable[[int, int], bytes]) -> tuple[bool, bytes | None]:
    """Look at a JPEG's marker segments up to its first start of scan.

    ``read_at(offset, n)`` returns up to ``n`` bytes at ``offset`` (``data[o:o + n]`` of bytes
    or an mmap, or :func:`stream_reader`).

    Returns ``(has_store, store)``: ``has_store`` is True when an APP11 segment carries the
    C2PA manifest-store box type; ``store`` is that manifest store reassembled from its
    packets, or None unless the layout is the plain one c2pa writes: one box instance, its
    packets numbered 1..n in order, their lengths adding up to the box's, a C2PA store
    superbox (anything else is left to c2pa's own parser).
    """
    pos, seen = 2, 0
    if read_at(0, 2) != b"\xff\xd8":
        return False, None
    packets: list[tuple[bytes, int, bytes]] = []
    has_store = False
    while seen < _MAX_SEGMENTS:
        seen += 1
        head = read_at(pos, 4)
        if len(head) < 2 or head[0] != 0xFF:
            break
        marker = head[1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        if marker in (0xDA, 0xD9) or len(head) < 4:
            break
        length = int.from_bytes(head[2:4], "big")
        if length < 2:
            break
        if marker == 0xEB:
            body = read_at(pos + 4, length - 2)
            if body[:2] == b"JP" and len(body) >= 16:
                packets.append((body[2:4], int.from_bytes(body[4:8], "big"), body[8:]))
                has_store = has_store or STORE_UUID in body
        pos += 2 + length
    if not has_store or len({p[0] for p in packets}) != 1:
        return has_store, None
    if [p[1] for p in packets] != list(range(1, len(packets) + 1)):
        return has_store, None
    first = packets[0][2]
    store = first + b"".join(p[2][8:] for p in packets[1:])
    size = struct.unpack_from(">I", first, 0)[0]
    if first[4:8] != b"jumb" or size != len(store) or not _is_store(store, 4, len(store)):
        return has_store, None
    return has_store, store
