"""Build the test assets (TEST-ONLY): small real files of every signable format.

Made at test time into a temporary directory (nothing binary is stored in the repository);
run ``python -m tests.assets.build DIR`` to look at them.
"""

from __future__ import annotations

import io
import struct
import sys
import wave
import zipfile
from pathlib import Path

from PIL import Image, ImageDraw


def picture(size: tuple[int, int] = (96, 64), seed: int = 0) -> Image.Image:
    """A small non-uniform RGB picture (gradients and shapes, so formats really compress)."""
    w, h = size
    img = Image.new("RGB", size)
    px = img.load()
    assert px is not None
    for y in range(h):
        for x in range(w):
            px[x, y] = ((x * 3 + seed) % 256, (y * 4 + seed * 7) % 256, ((x + y) * 2) % 256)
    draw = ImageDraw.Draw(img)
    draw.ellipse((w // 4, h // 4, w // 2, h // 2), fill=(250, 240, 20))
    draw.rectangle((w // 2, h // 2, w - 4, h - 4), outline=(0, 0, 0), width=2)
    return img


def image_bytes(fmt: str, size: tuple[int, int] = (96, 64), seed: int = 0) -> bytes:
    """Encode the test picture as ``fmt`` (JPEG, PNG, WEBP, TIFF, GIF, AVIF, HEIF)."""
    img = picture(size, seed)
    buf = io.BytesIO()
    if fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
    if fmt == "GIF":
        img = img.convert("P")
    img.save(buf, fmt)
    return buf.getvalue()


SVG = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40" viewBox="0 0 40 40">\n'
    '  <circle cx="20" cy="20" r="15" fill="#2a6"/>\n'
    "</svg>\n"
)


def pdf_bytes(text: str = "TEST-ONLY human-written page") -> bytes:
    """A minimal valid one-page PDF with correct xref offsets."""
    stream = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
              .encode())
    return out.getvalue()


def docx_bytes(text: str = "TEST-ONLY letter", *, deflated: bool = True) -> bytes:
    """A minimal Word document; members DEFLATED like Word and python-docx write them."""
    ct = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
    )
    doc = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
    )
    buf = io.BytesIO()
    mode = zipfile.ZIP_DEFLATED if deflated else zipfile.ZIP_STORED
    with zipfile.ZipFile(buf, "w", compression=mode) as zf:
        zf.writestr("[Content_Types].xml", ct)
        zf.writestr("_rels/.rels", rels)
        zf.writestr("word/document.xml", doc)
    return buf.getvalue()


def wav_bytes(seconds: float = 0.2, rate: int = 8000) -> bytes:
    """A short mono 16-bit WAV tone."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        frames = b"".join(
            struct.pack("<h", int(8000 * ((i // 20) % 2 * 2 - 1)))
            for i in range(int(seconds * rate))
        )
        w.writeframes(frames)
    return buf.getvalue()


#: file name -> bytes factory, one per format the Core issue lists (audio: WAV).
FORMATS = {
    "photo.jpg": lambda: image_bytes("JPEG"),
    "photo.png": lambda: image_bytes("PNG"),
    "photo.webp": lambda: image_bytes("WEBP"),
    "photo.tif": lambda: image_bytes("TIFF"),
    "anim.gif": lambda: image_bytes("GIF"),
    "photo.avif": lambda: image_bytes("AVIF"),
    "photo.heic": lambda: image_bytes("HEIF"),
    "drawing.svg": lambda: SVG.encode(),
    "essay.pdf": pdf_bytes,
    "letter.docx": docx_bytes,
    "voice.wav": wav_bytes,
}


def build(directory: Path) -> dict[str, Path]:
    """Write every format into ``directory``; returns name -> path."""
    directory.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, make in FORMATS.items():
        p = directory / name
        p.write_bytes(make())
        out[name] = p
    return out


if __name__ == "__main__":
    for name, path in build(Path(sys.argv[1] if len(sys.argv) > 1 else "test-assets")).items():
        print(name, path.stat().st_size)
