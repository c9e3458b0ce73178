"""The real transforms a channel applies: Pillow resizes and re-encodes, lossless metadata
stripping, Unicode normalisation, removal of invisible characters, e-mail line wrapping,
Markdown reflow, HTML sanitising with ammonia (``nh3``) and ffmpeg transcoding.

Every function takes bytes and returns new bytes; nothing here touches a file the caller did
not create.
"""

from __future__ import annotations

import io
import re
import shutil
import struct
import subprocess
import tempfile
import textwrap
import unicodedata
from pathlib import Path

from provenance._record import record
from provenance.doctor.channels import ImageRecipe, TextStep

__all__ = [
    "TEXT_STEPS",
    "Made",
    "ffmpeg",
    "image_copy",
    "reflow_markdown",
    "rendered_text",
    "sanitise_html",
    "strip_invisible",
    "strip_metadata",
    "text_copy",
    "transcode",
    "wrap_email",
]


@record
class Made:
    """A copy a transform made: its bytes, its file extension and what was done."""

    data: bytes
    suffix: str
    done: str


_PIL_EXT = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif", "TIFF": ".tif"}


def _fit(width: int, height: int, recipe: ImageRecipe) -> tuple[int, int]:
    scale = 1.0
    if recipe.long_side is not None and max(width, height) > recipe.long_side:
        scale = recipe.long_side / max(width, height)
    if recipe.max_pixels is not None and width * height * scale * scale > recipe.max_pixels:
        scale = (recipe.max_pixels / (width * height)) ** 0.5
    return max(1, round(width * scale)), max(1, round(height * scale))


def image_copy(data: bytes, recipe: ImageRecipe) -> Made:
    """The copy of the encoded image ``data`` that ``recipe`` makes.

    Raises:
        ValueError: Pillow cannot decode the image.
    """
    import warnings

    from PIL import Image, ImageOps, UnidentifiedImageError

    from provenance.fingerprint.image import MAX_PIXELS

    try:
        with warnings.catch_warnings():  # Pillow's bomb and EXIF warnings: not for the user
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as opened:
                source_format = opened.format or "PNG"
                width, height = opened.size
                if recipe.unless_within is not None and (
                        max(width, height) <= recipe.unless_within
                        or (recipe.keep_png and source_format == "PNG")):
                    return Made(data, _PIL_EXT.get(source_format, ".img"),
                                f"kept as uploaded ({width}x{height})")
                if recipe.strip_only:
                    return strip_metadata(data, source_format)
                if width * height > MAX_PIXELS:  # each channel decodes: GBs, a minute
                    raise ValueError(f"the image is {width}x{height}, more than "
                                     f"{MAX_PIXELS:,} pixels: not decoded")
                icc = opened.info.get("icc_profile") if recipe.keep_icc else None
                img = ImageOps.exif_transpose(opened)
                img.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValueError(f"the image cannot be decoded: {exc}") from exc
    fmt = source_format if recipe.format == "keep" else recipe.format
    if fmt not in ("JPEG", "PNG", "WEBP"):
        fmt = "JPEG"  # GIF, TIFF, AVIF, HEIC: what the platforms serve instead
    size = _fit(img.width, img.height, recipe)
    if size != img.size:
        img = img.resize(size, Image.Resampling.LANCZOS)
    if fmt == "JPEG" and img.mode not in ("RGB", "L"):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, rgba).convert("RGB")
    quality = recipe.quality
    while True:
        buf = io.BytesIO()
        extra = {"icc_profile": icc} if icc else {}
        if fmt == "PNG":
            img.save(buf, "PNG", optimize=True, **extra)
        else:
            img.save(buf, fmt, quality=quality, **extra)
        out = buf.getvalue()
        if fmt == "PNG" or recipe.max_bytes is None or len(out) <= recipe.max_bytes \
                or quality <= 40:
            break
        quality -= 5
    q = "" if fmt == "PNG" else f" q{quality}"
    return Made(out, _PIL_EXT[fmt], f"{size[0]}x{size[1]} {fmt}{q}, {len(out):,} bytes, "
                f"{'ICC kept, ' if icc else ''}metadata removed")


# -- lossless metadata stripping --------------------------------------------------------------

_JPEG_KEEP = {0xE0}  # APP0 (JFIF); APP1-APP15 (EXIF, XMP, JUMBF/C2PA in APP11) and COM go
_PNG_KEEP = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP"}


def strip_metadata(data: bytes, source_format: str) -> Made:
    """``data`` with its metadata removed and its pixels untouched: JPEG APP1-APP15 and COM
    segments, PNG ancillary chunks other than colour and transparency. Other formats are
    re-saved losslessly from their pixels.

    Raises:
        ValueError: the image cannot be parsed.
    """
    if source_format == "JPEG":
        return Made(_strip_jpeg(data), ".jpg", "metadata segments removed, pixels unchanged")
    if source_format == "PNG":
        return Made(_strip_png(data), ".png", "metadata chunks removed, pixels unchanged")
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        img.load()
        buf = io.BytesIO()
        if source_format == "WEBP":
            img.save(buf, "WEBP", lossless=True)
            return Made(buf.getvalue(), ".webp", "re-saved as lossless WebP, metadata removed")
        img.save(buf, "PNG")
    return Made(buf.getvalue(), ".png", "re-saved as PNG, metadata removed")


def _strip_jpeg(data: bytes) -> bytes:
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG")
    out = bytearray(data[:2])
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            raise ValueError("a JPEG segment is damaged")
        marker = data[i + 1]
        if marker == 0xDA:  # start of scan: the rest is entropy-coded data
            out += data[i:]
            return bytes(out)
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        end = i + 2 + length
        if (0xE0 <= marker <= 0xEF and marker not in _JPEG_KEEP) or marker == 0xFE:
            i = end
            continue
        out += data[i:end]
        i = end
    raise ValueError("the JPEG has no image data")


def _strip_png(data: bytes) -> bytes:
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    out = bytearray(data[:8])
    i = 8
    while i + 12 <= len(data):
        length = struct.unpack(">I", data[i:i + 4])[0]
        kind = data[i + 4:i + 8]
        end = i + 12 + length
        if kind in _PNG_KEEP:
            out += data[i:end]
        if kind == b"IEND":
            return bytes(out)
        i = end
    raise ValueError("the PNG has no IEND chunk")


# -- text ---------------------------------------------------------------------------------------


def _invisible(ch: str) -> bool:
    cp = ord(ch)
    return (0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF or 0xE0000 <= cp <= 0xE007F
            or unicodedata.category(ch) == "Cf")


def strip_invisible(text: str) -> str:
    """``text`` without variation selectors, tag characters and other format characters
    (zero-width spaces and joiners, the byte-order mark): where the A.8 wrapper lives."""
    return "".join(ch for ch in text if not _invisible(ch))


def wrap_email(text: str, width: int = 78) -> str:
    """A plain-text e-mail body: CRLF line ends, lines longer than ``width`` broken at spaces
    with a trailing space (RFC 3676 format=flowed soft breaks); long words are not split."""
    lines: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if len(line) <= width:
            lines.append(line)
            continue
        parts = textwrap.wrap(line, width=width - 1, break_long_words=False,
                              break_on_hyphens=False, drop_whitespace=True)
        lines += [p + " " for p in parts[:-1]] + parts[-1:]
    return "\r\n".join(lines)


_FENCE = re.compile(r"^\s*(```|~~~)")
_BLOCK_START = re.compile(r"^\s*([#>|]|[-*+] |\d+[.)] |<|-----BEGIN C2PA)")


def reflow_markdown(text: str, width: int = 80) -> str:
    """Markdown paragraphs re-wrapped at ``width`` columns, as a formatter does: front matter,
    fenced code, headings, lists, quotes, tables and HTML blocks left as they are."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    if lines and lines[0].strip() == "---":  # front matter
        end = next((j for j in range(1, len(lines)) if lines[j].strip() in ("---", "...")),
                   None)
        if end is not None:
            out += lines[:end + 1]
            i = end + 1
    paragraph: list[str] = []
    in_fence = False

    def flush() -> None:
        if paragraph:
            out.extend(textwrap.wrap(" ".join(p.strip() for p in paragraph), width=width,
                                     break_long_words=False, break_on_hyphens=False))
            paragraph.clear()

    for line in lines[i:]:
        if _FENCE.match(line):
            flush()
            in_fence = not in_fence
            out.append(line)
        elif in_fence or not line.strip() or _BLOCK_START.match(line):
            flush()
            out.append(line)
        else:
            paragraph.append(line)
    flush()
    return "\n".join(out)


def sanitise_html(html: str) -> str:
    """``html`` through ammonia's default allowlist (``nh3.clean``): scripts and styles with
    their content, ``<head>``, ``<link>``, ``<meta>`` and event attributes removed."""
    import nh3

    return nh3.clean(html)


_SPACE = re.compile(r"[ \t\r\n\f]+")
_BLOCK_END = re.compile(r"</(p|div|h[1-6]|li|ul|ol|blockquote|pre|tr|table|section|article|"
                        r"header|footer|main|nav|figure|figcaption)\s*>|<br\s*/?>", re.I)


def rendered_text(html: str) -> str:
    """The text a reader copies from the rendered page: no markup, no scripts or styles,
    whitespace collapsed within blocks, one line per block."""
    import html as html_lib

    import nh3

    marked = _BLOCK_END.sub(lambda m: m.group(0) + "\ue000", html)
    body = nh3.clean(marked, tags=set(), clean_content_tags={"script", "style", "title"})
    blocks = [html_lib.unescape(_SPACE.sub(" ", b)).strip() for b in body.split("\ue000")]
    return "\n".join(b for b in blocks if b) + "\n"


def _paragraphs_to_html(text: str) -> str:
    import html as html_lib

    paragraphs = [p for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]
    return "\n".join(f"<p>{html_lib.escape(p.strip()).replace(chr(10), '<br>' + chr(10))}</p>"
                     for p in paragraphs) + "\n"


def _trim_lines(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n")).strip() \
        + "\n"


TEXT_STEPS: dict[TextStep, tuple[str, object]] = {
    "nfc": ("NFC", lambda t: unicodedata.normalize("NFC", t)),
    "nfkc": ("NFKC", lambda t: unicodedata.normalize("NFKC", t)),
    "strip-invisible": ("invisible characters removed", strip_invisible),
    "trim-lines": ("trailing spaces trimmed", _trim_lines),
    "crlf": ("CRLF line ends", lambda t: t.replace("\r\n", "\n").replace("\n", "\r\n")),
    "wrap-78": ("wrapped at 78 (format=flowed)", wrap_email),
    "reflow-80": ("paragraphs re-wrapped at 80", reflow_markdown),
    "paragraphs-to-html": ("paragraphs as <p>", _paragraphs_to_html),
    "sanitise-html": ("sanitised (nh3)", sanitise_html),
    "rendered-text": ("rendered text", rendered_text),
}


def text_copy(data: bytes, steps: tuple[TextStep, ...], suffix: str) -> Made:
    """``data`` (UTF-8) through the text ``steps`` in order.

    Raises:
        ValueError: the data is not UTF-8.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError("the text is not UTF-8") from exc
    done = []
    for step in steps:
        what, fn = TEXT_STEPS[step]
        text = fn(text)  # type: ignore[operator]
        done.append(what)
    out = text.encode("utf-8")
    change = "unchanged" if out == data else f"{len(out):,} bytes"
    return Made(out, suffix, f"{', '.join(done)}: {change}")


# -- audio and video --------------------------------------------------------------------------


def ffmpeg() -> str | None:
    """The ffmpeg executable, or None where it is not installed."""
    return shutil.which("ffmpeg")


def transcode(data: bytes, suffix: str, target: str, *, timeout: float = 60.0) -> Made | None:
    """``data`` re-encoded by ffmpeg as platforms do (video: H.264 + AAC in MP4; audio: MP3),
    metadata dropped (``-map_metadata -1``); None without ffmpeg.

    Raises:
        ValueError: ffmpeg cannot decode the input or gives up.
    """
    exe = ffmpeg()
    if exe is None:
        return None
    video = target == ".mp4"
    codec = ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
             "-vf", "crop=floor(iw/2)*2:floor(ih/2)*2", "-c:a", "aac", "-b:a", "128k",
             "-movflags", "+faststart"] if video else ["-vn", "-c:a", "libmp3lame", "-q:a", "2"]
    with tempfile.TemporaryDirectory(prefix="provenance-doctor-") as tmp:
        src = Path(tmp) / f"in{suffix}"
        dst = Path(tmp) / f"out{target}"
        src.write_bytes(data)
        try:
            done = subprocess.run(  # noqa: S603 - fixed arguments, our own temp files
                [exe, "-nostdin", "-loglevel", "error", "-y", "-i", str(src),
                 "-map_metadata", "-1", *codec, str(dst)],
                capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ValueError(f"ffmpeg took longer than {timeout:.0f} s") from exc
        if done.returncode != 0 or not dst.is_file():
            why = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise ValueError(f"ffmpeg cannot re-encode it: {why[-1] if why else 'no output'}")
        out = dst.read_bytes()
    kind = "H.264 + AAC" if video else "MP3"
    return Made(out, target, f"re-encoded by ffmpeg ({kind}), {len(out):,} bytes, "
                "metadata removed")
