"""Bounds on ZIP containers (DOCX, ODT, EPUB...): member count, expanded size and compression
ratio checked from the central directory before any member is read, and enforced again while
streaming, so that a zip bomb never reaches memory."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from provenance._record import record
from provenance.errors import InputError

__all__ = [
    "ZipLimits",
    "check",
    "check_declared",
    "check_members",
    "declared_members",
    "open_checked",
    "stream_member",
]

_CHUNK = 1 << 16


@record
class ZipLimits:
    """What a ZIP container may hold before it is refused as hostile."""

    #: members in the central directory
    max_members: int = 10_000
    #: sum of the members' uncompressed sizes
    max_expanded: int = 2 << 30
    #: uncompressed / compressed, per member, for members above ``ratio_floor`` bytes
    max_ratio: float = 200.0
    ratio_floor: int = 1 << 20


DEFAULT = ZipLimits()


def _refuse(name: str, what: str) -> InputError:
    return InputError(f"{name} is refused as a ZIP bomb: {what}",
                      hint="a real document does not look like this; check where it came from")


def check(zf: zipfile.ZipFile, *, name: str, limits: ZipLimits = DEFAULT) -> None:
    """Refuse ``zf`` when its central directory declares more than ``limits`` allow.

    Raises:
        InputError: too many members, too large expanded, or a member compressed too well.
    """
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise _refuse(name, f"{len(infos):,} members (at most {limits.max_members:,})")
    total = 0
    for info in infos:
        total += info.file_size
        if total > limits.max_expanded:
            raise _refuse(name, f"it expands to more than {limits.max_expanded >> 20:,} MiB")
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.ratio_floor and ratio > limits.max_ratio:
            raise _refuse(name, f"{info.filename} expands {ratio:,.0f} times "
                          f"(at most {limits.max_ratio:,.0f})")


_EOCD = struct.Struct("<4s4H2LH")
_EOCD64_LOCATOR = b"PK\x06\x07"


def declared_members(stream: BinaryIO) -> int | None:
    """The member count the end-of-central-directory record declares (ZIP64 too), read from
    the tail alone: a cheap first check before ``zipfile`` builds one object per member.
    None when no record is found (``zipfile`` then says what is wrong)."""
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    tail_start = max(0, size - (_EOCD.size + 0xFFFF + 20))
    stream.seek(tail_start)
    tail = stream.read()
    stream.seek(0)
    at = tail.rfind(b"PK\x05\x06")
    if at == -1 or at + _EOCD.size > len(tail):
        return None
    count = _EOCD.unpack_from(tail, at)[4]
    if count == 0xFFFF and at >= 20 and tail[at - 20:at - 16] == _EOCD64_LOCATOR:
        offset = struct.unpack_from("<Q", tail, at - 12)[0]
        stream.seek(offset)
        record = stream.read(56)
        stream.seek(0)
        if len(record) == 56 and record[:4] == b"PK\x06\x06":
            return int(struct.unpack_from("<Q", record, 32)[0])
    return int(count)


def check_declared(stream: BinaryIO, *, name: str, limits: ZipLimits = DEFAULT) -> None:
    """Refuse a ZIP whose end record declares too many members, before anything else is read.

    Raises:
        InputError: more than ``limits.max_members`` members.
    """
    declared = declared_members(stream)
    if declared is not None and declared > limits.max_members:
        raise _refuse(name, f"{declared:,} members (at most {limits.max_members:,})")


def open_checked(data: bytes | BinaryIO, *, name: str,
                 limits: ZipLimits = DEFAULT) -> zipfile.ZipFile:
    """A ZipFile over ``data`` whose central directory passed :func:`check`.

    Raises:
        InputError: not a ZIP file, or refused by :func:`check`.
    """
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    check_declared(stream, name=name, limits=limits)
    try:
        zf = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        raise InputError(f"{name} is not a readable ZIP container: {exc}",
                         hint="check that the file is complete") from exc
    try:
        check(zf, name=name, limits=limits)
    except InputError:
        zf.close()
        raise
    return zf


def stream_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, *, name: str,
                  chunk: int = _CHUNK) -> Iterator[bytes]:
    """The member's uncompressed bytes in chunks, never more than its declared size (a member
    whose local data expands past what the central directory says is refused)."""
    seen = 0
    try:
        with zf.open(info) as fh:
            while block := fh.read(chunk):
                seen += len(block)
                if seen > info.file_size:
                    raise _refuse(name, f"{info.filename} expands past its declared size")
                yield block
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError,
            NotImplementedError, RuntimeError) as exc:
        # (ValueError: a header offset before the start, found by the fuzz suite;
        # NotImplementedError: an unknown compression; RuntimeError: an encrypted member)
        # zipfile stops at the declared size and then finds the CRC wrong: a member whose
        # data is not what the directory says (a lying bomb, or a damaged file).
        raise InputError(f"{name}: the member {info.filename} is damaged or not what the "
                         f"ZIP directory says ({exc})",
                         hint="a real document does not look like this; export it again") from exc


def check_members(zf: zipfile.ZipFile, *, name: str, chunk: int = _CHUNK) -> None:
    """Read every member through :func:`stream_member`, discarding the bytes: a member whose
    data is not what the central directory says (a lying bomb, a damaged file, a wrong CRC)
    is refused, in bounded memory and in time bounded by the declared expanded size.

    Raises:
        InputError: a damaged member or one that expands past its declared size.
    """
    for info in zf.infolist():
        if not info.is_dir():
            for _ in stream_member(zf, info, name=name, chunk=chunk):
                pass
