"""Builders of hostile inputs (issue 10), shared by the regression tests and ``bench/hostile.py``.

Each builds the real thing: the bytes an attacker would send, not a stand-in.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path


def many_wrappers(count: int = 200_000) -> str:
    """``'Text.\\n' + '\\ufeff\\ufe00 ' * count``: every run is a (broken) A.8 wrapper."""
    return "Text.\n" + "\ufeff\ufe00 " * count


def unclosed_scripts(size: int = 512 * 1024) -> bytes:
    """An HTML page of ``size`` bytes made of unclosed ``<script type="application/c2pa">``."""
    tag = b'<script type="application/c2pa">'
    head = b"<!doctype html><html><head>"
    return head + tag * ((size - len(head)) // len(tag))


def unclosed_links(size: int = 512 * 1024) -> bytes:
    """An HTML page of ``size`` bytes made of ``<link rel=c2pa-manifest`` never closed by ``>``."""
    tag = b"<link rel=c2pa-manifest "
    head = b"<!doctype html><html><head>"
    return head + tag * ((size - len(head)) // len(tag))


def many_blocks(count: int = 50_000) -> bytes:
    """A Markdown file with ``count`` A.9 BEGIN markers and one END at the very end."""
    return b"# Title\n" + b"<!-- -----BEGIN C2PA MANIFEST----- -->\n" * count + \
        b"-----END C2PA MANIFEST-----\n"


_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="xml" ContentType="application/xml"/></Types>'
)


def docx_many_members(path: Path, members: int = 100_000) -> Path:
    """A DOCX-shaped ZIP with ``members`` tiny deflated members (a few MB)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        for i in range(members):
            zf.writestr(f"word/m{i}.xml", b"<w/>")
    return path


def _zeros_deflate(total: int, block: int = 1 << 20) -> tuple[bytes, int]:
    """A raw deflate stream of ``total`` zero bytes, made from one compressed block repeated
    (a full flush makes each block independent), and its CRC-32."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = comp.compress(bytes(block)) + comp.flush(zlib.Z_FULL_FLUSH)
    tail = zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)
    assert total % block == 0
    crc = 0
    zero = bytes(block)
    for _ in range(total // block):
        crc = zlib.crc32(zero, crc)
    return piece * (total // block) + tail, crc


def zip_bomb(path: Path, *, expanded: int = 4 << 30, parts: int = 4,
             lie: bool = False) -> Path:
    """A DOCX-shaped ZIP of a few MB whose members expand to ``expanded`` bytes of zeros.

    ``lie``: the central directory declares each member 1 KiB (so a check of the directory
    alone passes) while the data expands to the full size; only streaming catches it.
    """
    each = expanded // parts
    data, crc = _zeros_deflate(each)
    out = bytearray()
    central = bytearray()
    entries: list[tuple[bytes, bytes, int, int, int]] = [
        (b"[Content_Types].xml", zlib.compress(_CONTENT_TYPES)[2:-4], zlib.crc32(_CONTENT_TYPES),
         len(_CONTENT_TYPES), 0)]
    for i in range(parts):
        entries.append((f"word/bomb{i}.xml".encode(), data, crc, 1024 if lie else each, 0))
    for name, payload, c, usize, _ in entries:
        offset = len(out)
        local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, c, len(payload),
                            usize, len(name), 0)
        out += local + name + payload
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, c,
                               len(payload), usize, len(name), 0, 0, 0, 0, 0, offset) + name
    cd_offset = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central),
                       cd_offset, 0)
    path.write_bytes(bytes(out))
    return path
