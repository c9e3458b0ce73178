"""Make the folder README.md's examples are typed in: ``make try`` (``python docs/try_files.py
try``), then ``cd try``.

It holds every file the examples name: copies of ``samples/`` under the short names the README
uses (``photo.jpg``, ``essay.pdf``...), a retouched copy of the photo, a copy of it as a social
network serves it (``copy-from-social.jpg``), a JSON file, small photo and site folders, and
what a colleague would send you: their root certificate (``partner-root.pem``), a photo they
signed (``someone-elses.jpg``) and a copy of it whose pixels were changed after signing
(``tampered.jpg``). The colleague is an example identity made here and thrown away; its key is
not kept. The folder is made anew each time (its old contents are removed).
"""

from __future__ import annotations

import shutil
import sys
from io import BytesIO
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from PIL import Image

import provenance

SAMPLES = Path(__file__).resolve().parents[1] / "samples"

#: README name -> the sample it is a copy of.
COPIES = {
    "photo.jpg": "photo-coffee.jpg", "essay.pdf": "essay-on-provenance.pdf",
    "letter.docx": "letter-to-editors.docx", "drawing.svg": "drawing-lighthouse.svg",
    "essay.txt": "essay-hands.txt", "article.md": "article-field-notes.md",
    "wordcount.py": "wordcount.py", "page.html": "page-community-garden.html",
}


def _jpeg(image: Image.Image, quality: int = 88) -> bytes:
    buf = BytesIO()
    image.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def _png(image: Image.Image) -> bytes:
    buf = BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def _change_pixels(jpeg: bytes) -> bytes:
    """The JPEG with one byte of its compressed image data changed (its manifest untouched)."""
    pos = 2
    while jpeg[pos] == 0xFF and jpeg[pos + 1] != 0xDA:  # walk the segments to the scan
        pos += 2 + int.from_bytes(jpeg[pos + 2:pos + 4], "big")
    start = pos + 2 + int.from_bytes(jpeg[pos + 2:pos + 4], "big")
    at = start + (len(jpeg) - 2 - start) // 2
    while jpeg[at] >= 0xFE or jpeg[at - 1] == 0xFF:  # keep the markers as they are
        at += 1
    return jpeg[:at] + bytes([jpeg[at] ^ 0x01]) + jpeg[at + 1:]


def make(folder: Path) -> Path:
    """Make ``folder`` (removing what it held) with every file README.md's examples name."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name, sample in COPIES.items():
        shutil.copyfile(SAMPLES / sample, folder / name)
    coffee = Image.open(SAMPLES / "photo-coffee.jpg")
    cat = Image.open(SAMPLES / "photo-chelsea.png")
    width, height = coffee.size
    (folder / "retouched.jpg").write_bytes(  # a crop: what `--parent photo.signed.jpg` records
        _jpeg(coffee.crop((width // 10, height // 10, width - width // 10, height - height // 10))))
    social = coffee.convert("RGB")  # what a social network serves: smaller, re-encoded, bare
    social.thumbnail((480, 480))
    (folder / "copy-from-social.jpg").write_bytes(_jpeg(social, quality=70))
    (folder / "data.json").write_text('{"readings": [1, 2, 3]}\n', encoding="utf-8")
    for rel, data in (("photos/a.jpg", _jpeg(coffee.rotate(180))),
                      ("photos/2026/b.png", _png(cat)),
                      ("site/img/c.jpg", _jpeg(cat.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))):
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
    # A colleague: their root certificate, a photo they signed, and a tampered copy of it.
    partner, _ = provenance.Identity.create("Grace Partner (example)",
                                            organization="Example Partners")
    root = partner.root
    if root is None:  # Identity.create always makes its root
        raise RuntimeError("the example identity has no root certificate")
    (folder / "partner-root.pem").write_bytes(root.public_bytes(serialization.Encoding.PEM))
    theirs = provenance.sign_bytes(_jpeg(cat.rotate(90, expand=True)), name="cat.jpg",
                                   identity=partner, trust=None).data
    (folder / "someone-elses.jpg").write_bytes(theirs)
    (folder / "tampered.jpg").write_bytes(_change_pixels(theirs))
    return folder


if __name__ == "__main__":
    where = make(Path(sys.argv[1] if len(sys.argv) > 1 else "try"))
    print(f"made {where}/: cd {where} and type the README's examples there")
