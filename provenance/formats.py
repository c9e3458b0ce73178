"""Recognise a file's real type from its bytes and refuse truncated or mis-named files.

c2pa signs a truncated JPEG without complaint and fails late on text named ``.jpg``; these checks
run first, cheaply (structure walks, no pixel decoding), so bad input gets a precise message.
"""

from __future__ import annotations

import io
import struct
from pathlib import PurePath

from provenance import jumbf
from provenance._record import record
from provenance.errors import InputError, UnsupportedFormat

__all__ = ["MediaType", "check_structure", "has_manifest_store", "media_type_for_name",
           "repack_zip_stored", "sniff"]


@record
class MediaType:
    """A media type we can sign, with the extensions that name it."""

    mime: str
    extensions: tuple[str, ...]
    label: str


_TYPES: tuple[MediaType, ...] = (
    MediaType("image/jpeg", ("jpg", "jpeg", "jpe"), "JPEG"),
    MediaType("image/png", ("png",), "PNG"),
    MediaType("image/webp", ("webp",), "WebP"),
    MediaType("image/tiff", ("tif", "tiff"), "TIFF"),
    MediaType("image/gif", ("gif",), "GIF"),
    MediaType("image/avif", ("avif",), "AVIF"),
    MediaType("image/heic", ("heic", "heif"), "HEIC"),
    MediaType("image/jxl", ("jxl",), "JPEG XL"),
    MediaType("image/svg+xml", ("svg",), "SVG"),
    MediaType("application/pdf", ("pdf",), "PDF"),
    MediaType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ("docx",), "DOCX",
    ),
    MediaType(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",), "XLSX"
    ),
    MediaType(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ("pptx",), "PPTX",
    ),
    MediaType("application/vnd.oasis.opendocument.text", ("odt",), "ODT"),
    MediaType("application/epub+zip", ("epub",), "EPUB"),
    MediaType("video/mp4", ("mp4", "m4v"), "MP4"),
    MediaType("audio/mp4", ("m4a",), "M4A"),
    MediaType("video/quicktime", ("mov",), "QuickTime"),
    MediaType("video/x-msvideo", ("avi",), "AVI"),
    MediaType("audio/wav", ("wav",), "WAV"),
    MediaType("audio/mpeg", ("mp3",), "MP3"),
    MediaType("audio/flac", ("flac",), "FLAC"),
)
_BY_EXT = {ext: t for t in _TYPES for ext in t.extensions}
_BY_MIME = {t.mime: t for t in _TYPES}
_ZIP_MIMES = {t.mime for t in _TYPES if t.label in {"DOCX", "XLSX", "PPTX", "ODT", "EPUB"}}
_KNOWN_UNSUPPORTED = {
    "bmp": "BMP", "dib": "BMP", "ico": "ICO", "psd": "Photoshop", "xcf": "GIMP",
    "doc": "Word 97-2003", "rtf": "RTF",
}


def media_type_for_name(name: str | PurePath) -> MediaType | None:
    """The media type a file name claims, from its extension (None if unknown)."""
    ext = PurePath(name).suffix.lower().lstrip(".")
    return _BY_EXT.get(ext)


def sniff(head: bytes) -> str | None:
    """Recognise a MIME type from the first bytes of a file (at least 64 bytes when possible)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "video/x-msvideo"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"BM"):
        return "image/bmp"
    if head.startswith(b"\xff\x0a") or head.startswith(b"\x00\x00\x00\x0cJXL "):
        return "image/jxl"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"avif", b"avis"):
            return "image/avif"
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis", b"hevc"):
            return "image/heic"
        if brand == b"qt  ":
            return "video/quicktime"
        if brand in (b"M4A ", b"M4B "):
            return "audio/mp4"
        return "video/mp4"
    if head.startswith(b"PK\x03\x04"):
        return "application/zip"
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"<?xml") or text.startswith(b"<svg") or text.startswith(b"<!--"):
        return "text/xml"
    return None


def identify(name: str | PurePath, data: bytes) -> MediaType:
    """Decide the media type of ``data`` named ``name``: extension and content must agree.

    Raises:
        InputError: empty file, or content that contradicts the extension.
        UnsupportedFormat: a type that cannot carry a manifest.
    """
    if not data:
        raise InputError(f"{name} is empty (0 bytes)", hint="give the real file")
    ext = PurePath(name).suffix.lower().lstrip(".")
    if ext in _KNOWN_UNSUPPORTED:
        raise UnsupportedFormat(
            f"{name}: {_KNOWN_UNSUPPORTED[ext]} files cannot carry a C2PA manifest",
            hint="convert it to PNG, JPEG, WebP or TIFF first",
        )
    claimed = _BY_EXT.get(ext)
    sniffed = sniff(data[:64])
    if sniffed == "image/bmp":
        raise UnsupportedFormat(
            f"{name} is a BMP image, which cannot carry a C2PA manifest",
            hint="convert it to PNG first",
        )
    if claimed is None:
        if sniffed and sniffed in _BY_MIME:
            return _BY_MIME[sniffed]
        raise UnsupportedFormat(
            f"{name}: unsupported file type" + (f" .{ext}" if ext else ""),
            hint="supported: " + ", ".join(sorted({t.label for t in _TYPES}))
            + "; and text: .txt, .md, .html, .csv, .json, .xml, .yaml, source code",
        )
    if not _content_matches(claimed, sniffed, data):
        what = _describe(sniffed, data)
        raise InputError(
            f"{name} is named .{ext} but its content is {what}",
            hint="rename it to its real type or give the right file",
        )
    return claimed


def _content_matches(claimed: MediaType, sniffed: str | None, data: bytes) -> bool:
    if claimed.mime == "image/svg+xml":
        return sniffed == "text/xml" and b"<svg" in data[:4096]
    if claimed.mime in _ZIP_MIMES:
        return sniffed == "application/zip"
    if claimed.mime in ("video/mp4", "audio/mp4", "video/quicktime"):
        return sniffed in ("video/mp4", "audio/mp4", "video/quicktime")
    if claimed.mime in ("image/heic", "image/avif"):
        return sniffed in ("image/heic", "image/avif")
    return sniffed == claimed.mime


def _describe(sniffed: str | None, data: bytes) -> str:
    if sniffed:
        t = _BY_MIME.get(sniffed)
        return f"{t.label if t else sniffed} data"
    try:
        data[:1024].decode("utf-8")
    except UnicodeDecodeError:
        return "not a recognised format"
    return "text"


def check_structure(name: str | PurePath, mtype: MediaType, data: bytes) -> None:
    """Refuse a truncated or structurally broken file before c2pa sees it.

    Raises:
        InputError: the file is truncated or its structure is broken.
    """
    problem: str | None = None
    try:
        if mtype.mime == "image/jpeg":
            problem = _check_jpeg(data)
        elif mtype.mime == "image/png":
            problem = _check_png(data)
        elif mtype.mime in ("image/webp", "audio/wav", "video/x-msvideo"):
            size = struct.unpack("<I", data[4:8])[0] + 8
            if size > len(data):
                problem = f"RIFF says {size} bytes but the file has {len(data)}"
        elif mtype.mime == "image/gif":
            if not data.rstrip(b"\x00").endswith(b";"):
                problem = "no GIF trailer"
        elif mtype.mime == "application/pdf":
            if b"%%EOF" not in data[-2048:]:
                problem = "no %%EOF marker at the end"
        elif mtype.mime in _ZIP_MIMES:
            import zipfile

            from provenance import zipguard

            # The declared count first: zipfile builds one object per member (100k: seconds).
            try:
                zipguard.check_declared(io.BytesIO(data), name=str(name))
                with zipfile.ZipFile(io.BytesIO(data)) as zf:
                    zipguard.check(zf, name=str(name))
                    # Signing vouches for the members: each must be what the directory says.
                    zipguard.check_members(zf, name=str(name))
            except zipfile.BadZipFile as exc:
                problem = str(exc) or type(exc).__name__
        elif mtype.mime in ("image/heic", "image/avif", "video/mp4", "audio/mp4",
                            "video/quicktime"):
            problem = _check_bmff(data)
        elif mtype.mime == "image/tiff":
            problem = _check_tiff(data)
        elif mtype.mime == "image/svg+xml":
            if b"</svg>" not in data[-1024:]:
                problem = "no closing </svg> tag"
    # NotImplementedError: zipfile on a directory entry of an unknown ZIP version (fuzz suite).
    except (struct.error, IndexError, ValueError, OSError, NotImplementedError) as exc:
        problem = str(exc) or type(exc).__name__
    if problem:
        raise InputError(
            f"{name} is not a complete {mtype.label} file: {problem}",
            hint="the file looks truncated or damaged; export it again",
        )


def _check_jpeg(data: bytes) -> str | None:
    # Walk the marker segments to the start of scan, then require an EOI marker at the end.
    pos = 2
    n = len(data)
    while pos + 4 <= n:
        if data[pos] != 0xFF:
            return f"bad marker at byte {pos}"
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        length = struct.unpack(">H", data[pos + 2:pos + 4])[0]
        if pos + 2 + length > n:
            return "a segment runs past the end of the file"
        if marker == 0xDA:
            tail = data[-64:].rstrip(b"\x00")
            if not tail.endswith(b"\xff\xd9"):
                return "no end-of-image marker (truncated image data)"
            return None
        pos += 2 + length
    return "no image data"


def has_manifest_store(mime: str, data: bytes) -> bool:
    """Whether ``data`` already carries a C2PA manifest store, looked for where the format
    keeps it: a JPEG's APP11 segments before the scan, a PNG's ``caBX`` chunk (chunk headers
    only); other types anywhere in the bytes. ``data`` may be an mmap."""
    if mime == "image/jpeg":
        return jumbf.jpeg_header(lambda at, n: data[at:at + n])[0]
    if mime == "image/png":
        pos, size = 8, len(data)
        while pos + 8 <= size:
            length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
            if ctype == b"caBX":
                return True
            if ctype == b"IEND":
                return False
            pos += 12 + length
        return False
    return jumbf.STORE_UUID in data


def _check_png(data: bytes) -> str | None:
    pos = 8
    n = len(data)
    while pos + 8 <= n:
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        end = pos + 12 + length
        if end > n:
            return f"chunk {ctype.decode('latin-1')} runs past the end of the file"
        if ctype == b"IEND":
            return None
        pos = end
    return "no IEND chunk"


def _check_bmff(data: bytes) -> str | None:
    pos = 0
    n = len(data)
    while pos + 8 <= n:
        size = struct.unpack(">I", data[pos:pos + 4])[0]
        if size == 1:
            size = struct.unpack(">Q", data[pos + 8:pos + 16])[0]
        elif size == 0:
            return None
        if size < 8 or pos + size > n:
            return f"box {data[pos + 4:pos + 8]!r} runs past the end of the file"
        pos += size
    return None if pos == n else "trailing partial box"


def _check_tiff(data: bytes) -> str | None:
    fmt = "<" if data[:2] == b"II" else ">"
    ifd = struct.unpack(fmt + "I", data[4:8])[0]
    if ifd + 2 > len(data):
        return "first image directory lies past the end of the file"
    count = struct.unpack(fmt + "H", data[ifd:ifd + 2])[0]
    if ifd + 2 + count * 12 > len(data):
        return "image directory runs past the end of the file"
    # The pixel data: strips (273/279) or tiles (324/325) must lie inside the file.
    import warnings

    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():  # "Corrupt EXIF data": the message below says it
            warnings.simplefilter("ignore")
            img = Image.open(io.BytesIO(data))
    except UnidentifiedImageError:  # its text names the BytesIO object, not the file
        return "its image directories cannot be read"
    with img:
        tags = getattr(img, "tag_v2", {})
        for offsets_tag, counts_tag in ((273, 279), (324, 325)):
            offsets, counts = tags.get(offsets_tag), tags.get(counts_tag)
            if offsets is None or counts is None:
                continue
            offsets = offsets if isinstance(offsets, tuple) else (offsets,)
            counts = counts if isinstance(counts, tuple) else (counts,)
            end = max((o + c for o, c in zip(offsets, counts, strict=False)), default=0)
            if end > len(data):
                return "image data runs past the end of the file"
    return None


def repack_zip_stored(data: bytes, name: str = "the document") -> bytes:
    """Return the zip with every member STORED (uncompressed), names, order and content unchanged.

    c2pa-rs 0.91 cannot embed into a zip container with deflated members ("compression method
    not supported: 8"); Word and python-docx write deflated members. The archive's content is
    the same after repacking; only its compression changes. Returns ``data`` itself when every
    member is already stored.
    """
    import zipfile

    from provenance import zipguard

    with zipguard.open_checked(data, name=name) as src:
        infos = src.infolist()
        if all(i.compress_type == zipfile.ZIP_STORED for i in infos):
            return data
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as dst:
            for info in infos:
                new = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                new.external_attr = info.external_attr
                new.compress_type = zipfile.ZIP_STORED
                with dst.open(new, "w", force_zip64=info.file_size > (1 << 31)) as fh:
                    for block in zipguard.stream_member(src, info, name=name):
                        fh.write(block)
    return out.getvalue()
