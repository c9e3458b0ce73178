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
from typing import BinaryIO

__all__ = ["STORE_UUID", "active_label", "find_manifest_store"]

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
