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

__all__ = ["STORE_UUID", "find_manifest_store"]

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
