"""Shared cases of the interop tests: every format and carrier we sign, signed here with a
TEST-ONLY identity, for each independent verifier to read."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

import provenance
from provenance import TrustStore
from provenance.identity import Identity
from tests.assets import build as assets

TEXTS = {
    "note.txt": "Plain words, written by a person.\n",
    "readme.md": "# Notes\n\nWritten by hand, line by line.\n",
    "script.py": "#!/usr/bin/env python3\nprint('written by a person')\n",
    "page.html": "<!doctype html><html><head><title>t</title></head>"
                 "<body><p>Written by a person.</p></body></html>\n",
    "data.json": '{"written_by": "a person"}\n',
}

MIME = {
    "jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "tif": "image/tiff",
    "gif": "image/gif", "avif": "image/avif", "heic": "image/heic", "svg": "image/svg+xml",
    "pdf": "application/pdf", "wav": "audio/wav",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text", "epub": "application/epub+zip",
    "txt": "text/plain", "md": "text/markdown", "py": "text/x-python", "html": "text/html",
    "json": "application/json",
}

CASES = [
    ("photo.jpg", None), ("photo.png", None), ("photo.webp", None), ("photo.tif", None),
    ("anim.gif", None), ("photo.avif", None), ("photo.heic", None), ("drawing.svg", None),
    ("essay.pdf", None), ("voice.wav", None), ("letter.docx", None), ("story.odt", None),
    ("book.epub", None), ("photo.jpg", "sidecar"), ("note.txt", None), ("readme.md", None),
    ("script.py", None), ("page.html", None), ("page.html", "link"), ("note.txt", "sidecar"),
    ("data.json", None),
]


def _zip_doc(mimetype: str, member: str, body: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        zf.writestr("META-INF/container.xml", b"<container/>",
                    compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr(member, body, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


@pytest.fixture(scope="session")
def signer() -> Identity:
    ident, _ = Identity.create("TEST-ONLY Interop Author", email="interop@example.test")
    return ident


@pytest.fixture(scope="session")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("interop")
    found = assets.build(d / "assets")
    for name, text in TEXTS.items():
        (d / name).write_text(text, "utf-8")
        found[name] = d / name
    (d / "story.odt").write_bytes(_zip_doc("application/vnd.oasis.opendocument.text",
                                           "content.xml", b"<office:document-content/>"))
    (d / "book.epub").write_bytes(_zip_doc("application/epub+zip", "OEBPS/c1.xhtml",
                                           b"<html><body><p>A chapter.</p></body></html>"))
    found["story.odt"], found["book.epub"] = d / "story.odt", d / "book.epub"
    return found


def signed_case(name: str, carrier: str | None, sources: dict[str, Path], signer: Identity,
                out: Path, *, identity_assertion: bool = True,
                ) -> tuple[bytes, bytes | None, str]:
    """Sign one case; returns (asset bytes, detached store or None, MIME type)."""
    anchors = TrustStore((signer.root,), ("interop",)) if signer.root else TrustStore()
    out.mkdir(parents=True, exist_ok=True)
    result = provenance.sign(
        sources[name], out / name, identity=signer, trust=anchors,
        options=provenance.SignOptions(identity_assertion=identity_assertion),
        carrier=carrier,  # type: ignore[arg-type]
        manifest_url="https://example.test/page.html.c2pa" if carrier == "link" else None,
    )
    detached = None
    if result.manifest_file is not None:
        detached = result.manifest_file.read_bytes()
    return result.output.read_bytes(), detached, MIME[name.rsplit(".", 1)[1]]
