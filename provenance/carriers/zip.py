"""The ZIP carrier (DOCX, XLSX, PPTX, ODT, EPUB...): the manifest store as one stored member at
``META-INF/content_credential.c2pa``, as C2PA's ZIP binding places it, appended after the
existing members, whose bytes and compression stay exactly as they were.

The hard binding is a ``c2pa.hash.data`` we compute ourselves and sign through c2pa-rs's
data-hash route (as the text carriers do): SHA-256 of the whole signed file except the store's
own bytes. c2pa-rs's own ZIP embedding needs every member stored (a 37 KB DOCX became 836 KB)
and writes a collection hash that independent verifiers reject; this layout avoids both.

The one circularity is the store's CRC-32, written in its local header and central directory
entry, both inside the hash: it is fixed before signing (the CRC of the zero-filled
placeholder), and four bytes of the COSE ``pad``, which the signature does not cover, are set
after signing so that the store has exactly that CRC.

Reading needs nothing of ours: c2pa-rs finds the member and checks the data hash over raw
bytes, never inflating a member; the central directory's bounds are checked first
(:mod:`provenance.zipguard`).
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from typing import BinaryIO

from provenance import _c2pa, zipguard
from provenance._record import record
from provenance.errors import InputError, SigningError

__all__ = ["MANIFEST_NAME", "Layout", "force_crc32", "layout", "sign_into", "strip_manifest"]

MANIFEST_NAME = "META-INF/content_credential.c2pa"
_NAME = MANIFEST_NAME.encode("ascii")
_EOCD = struct.Struct("<IHHHHIIH")
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_EOCD_SIG, _LOCAL_SIG, _CENTRAL_SIG = 0x06054B50, 0x04034B50, 0x02014B50
_ZIP64_LOCATOR = b"PK\x06\x07"
_DOS_DATE = 0x0021  # 1980-01-01: the member is ours, its date means nothing


@record
class Layout:
    """Where the manifest member goes in a signed ZIP: everything but the store's bytes."""

    #: the original members, untouched (``data[:cd_offset]``)
    members: memoryview
    #: the manifest member's local header
    local: bytes
    #: the central directory (original entries + ours) and the end record
    tail: bytes

    @property
    def store_offset(self) -> int:
        """Where the store's bytes start in the signed file."""
        return len(self.members) + len(self.local)

    def digest(self) -> bytes:
        """SHA-256 of the signed file without the store's bytes (the data hash)."""
        h = hashlib.sha256(self.members)
        h.update(self.local)
        h.update(self.tail)
        return h.digest()

    def write(self, out: BinaryIO, store: bytes) -> None:
        """Write the signed file."""
        out.write(self.members)
        out.write(self.local)
        out.write(store)
        out.write(self.tail)


def _eocd(data: bytes, name: str) -> tuple[int, tuple[int, ...]]:
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - (1 << 16) - _EOCD.size))
    if at < 0 or at + _EOCD.size > len(data):
        raise InputError(f"{name} is not a readable ZIP container: no end of central directory",
                         hint="check that the file is complete")
    fields = _EOCD.unpack_from(data, at)
    _, disk, cd_disk, n_disk, n_total, cd_size, cd_offset, _comment = fields
    if (disk or cd_disk or n_disk != n_total or 0xFFFF in (n_disk, n_total)
            or 0xFFFFFFFF in (cd_size, cd_offset)
            or _ZIP64_LOCATOR in data[max(0, at - 20):at]):
        raise InputError(f"{name} is a ZIP64 or multi-disk archive, which is not supported here",
                         hint="sign it with --carrier sidecar")
    if cd_offset + cd_size != at:
        raise InputError(f"{name} has data between its central directory and its end record",
                         hint="save the document again from its application")
    return at, fields


def _entries(data: bytes, cd_offset: int, cd_size: int, count: int,
             name: str) -> list[tuple[str, int, int, int]]:
    """(member name, local header offset, entry start, entry end) per central entry."""
    out, pos, end = [], cd_offset, cd_offset + cd_size
    for _ in range(count):
        if pos + _CENTRAL.size > end or data[pos:pos + 4] != b"PK\x01\x02":
            raise InputError(f"{name} has a damaged central directory",
                             hint="save the document again from its application")
        f = _CENTRAL.unpack_from(data, pos)
        n, e, c = f[10], f[11], f[12]
        member = data[pos + _CENTRAL.size:pos + _CENTRAL.size + n].decode("utf-8", "replace")
        nxt = pos + _CENTRAL.size + n + e + c
        out.append((member, f[16], pos, nxt))
        pos = nxt
    return out


def _names(data: bytes, cd_offset: int, cd_size: int, count: int, name: str) -> list[str]:
    return [e[0] for e in _entries(data, cd_offset, cd_size, count, name)]


def strip_manifest(data: bytes, *, name: str) -> bytes:
    """``data`` without its manifest member (for ``--replace`` or an edit); ``data`` itself
    when there is none. The member must be the last one, as we (and c2pa-rs) place it.

    Raises:
        InputError: damaged, or the manifest member is not the last one.
    """
    at, fields = _eocd(data, name)
    _, _, _, _, count, cd_size, cd_offset, comment_len = fields
    entries = _entries(data, cd_offset, cd_size, count, name)
    ours = [e for e in entries if e[0] == MANIFEST_NAME]
    if not ours:
        return data
    _, offset, start, stop = ours[0]
    if len(ours) > 1 or any(e[1] > offset for e in entries):
        raise InputError(f"{name}: its {MANIFEST_NAME} is not the last member",
                         hint="sign the original document (without Content Credentials)")
    cd = data[cd_offset:start] + data[stop:cd_offset + cd_size]
    end = _EOCD.pack(_EOCD_SIG, 0, 0, count - 1, count - 1, len(cd), offset, comment_len) \
        + data[at + _EOCD.size:at + _EOCD.size + comment_len]
    return data[:offset] + cd + end


def layout(data: bytes, store_size: int, crc: int, *, name: str) -> Layout:
    """The signed file's layout for a ``store_size``-byte store whose CRC-32 is ``crc``.

    Raises:
        InputError: not a ZIP we can sign (damaged, ZIP64, a zip bomb by its central
            directory), or it already holds a manifest member.
    """
    zipguard.open_checked(data, name=name).close()  # member count, expanded size, ratio
    at, fields = _eocd(data, name)
    _, _, _, _, count, cd_size, cd_offset, comment_len = fields
    if MANIFEST_NAME in _names(data, cd_offset, cd_size, count, name):
        raise InputError(f"{name} already holds {MANIFEST_NAME}",
                         hint="sign the original document (without Content Credentials)")
    local = _LOCAL.pack(_LOCAL_SIG, 20, 0, 0, 0, _DOS_DATE, crc, store_size, store_size,
                        len(_NAME), 0) + _NAME
    entry = _CENTRAL.pack(_CENTRAL_SIG, 20, 20, 0, 0, 0, _DOS_DATE, crc, store_size,
                          store_size, len(_NAME), 0, 0, 0, 0, 0, cd_offset) + _NAME
    new_cd = data[cd_offset:cd_offset + cd_size] + entry
    new_offset = cd_offset + len(local) + store_size
    if count + 1 > 0xFFFF or new_offset + len(new_cd) > 0xFFFFFFFF:
        raise InputError(f"{name} is too large for a ZIP without ZIP64",
                         hint="sign it with --carrier sidecar")
    end = _EOCD.pack(_EOCD_SIG, 0, 0, count + 1, count + 1, len(new_cd), new_offset,
                     comment_len) + data[at + _EOCD.size:at + _EOCD.size + comment_len]
    return Layout(memoryview(data)[:cd_offset], local, new_cd + end)


def force_crc32(data: bytes, at: int, target: int) -> bytes:
    """``data`` with its four bytes at ``at`` replaced so that its CRC-32 is ``target``.

    CRC-32 is affine over GF(2) in the message bits, and any 32 consecutive bits can reach any
    value: find the 32 columns (the CRC change of each single bit) and solve for the bits.
    """
    base = bytearray(data)
    base[at:at + 4] = b"\0\0\0\0"
    want = zlib.crc32(base) ^ target
    columns = []
    for bit in range(32):
        probe = bytearray(base)
        probe[at + bit // 8] ^= 1 << (bit % 8)
        columns.append(zlib.crc32(probe) ^ zlib.crc32(base))
    # Gauss-Jordan elimination: rows are (column value, bit mask of the combination).
    rows = [(c, 1 << i) for i, c in enumerate(columns)]
    basis: dict[int, tuple[int, int]] = {}
    for value, mask in rows:
        for pivot in sorted(basis, reverse=True):
            if value >> pivot & 1:
                value ^= basis[pivot][0]
                mask ^= basis[pivot][1]
        if value:
            basis[value.bit_length() - 1] = (value, mask)
    choice = 0
    for pivot in sorted(basis, reverse=True):
        if want >> pivot & 1:
            want ^= basis[pivot][0]
            choice ^= basis[pivot][1]
    if want:
        raise SigningError("cannot set the manifest's CRC-32", hint="this is a bug; please "
                           "report it with the c2pa-python version")
    base[at:at + 4] = choice.to_bytes(4, "little")
    return bytes(base)


def sign_into(data: bytes, out: BinaryIO, signer: _c2pa.DataHashSigner, *, name: str) -> None:
    """Sign the ZIP ``data`` with ``signer`` (a data-hash signer with the manifest) into
    ``out``.

    Raises:
        InputError: as :func:`layout`.
        SigningError: c2pa refused, or the store has no COSE pad to set its CRC with.
    """
    size = signer.size
    crc = zlib.crc32(bytes(size))
    plan = layout(data, size, crc, name=name)
    store = signer.sign(plan.digest(), [(plan.store_offset, size)])
    pad = _c2pa.cose_pad(store)
    if pad is None or pad[1] < 4:
        raise SigningError("the signed manifest has no room to set its CRC-32",
                           hint="this is a bug; please report it with the c2pa-python version")
    store = force_crc32(store, pad[0], crc)
    plan.write(out, store)
