"""Everything we sign, read by independent verifiers: encypher-c2pa (PyPI, its own C2PA 2.4
implementation, not c2pa-rs) and, where Node is installed, the WebAssembly build of c2pa-rs
(``@contentauth/c2pa-wasm``, see test_wasm.py).

Each case is signed here with a TEST-ONLY identity and must read ``Trusted`` with our root as
the only anchor and no failure code. Offline: encypher-c2pa is called with ``online=False``
and ``telemetry=False``.

Table (format / carrier -> verdict), measured with encypher-c2pa 1.7.1::

  case                           | encypher-c2pa 1.7.1
  -------------------------------+------------------------------------------------------------
  JPEG, PNG, WebP, TIFF, GIF     | Trusted
  AVIF, HEIC, SVG, PDF, WAV      | Trusted
  DOCX, ODT, EPUB (ZIP carrier)  | Trusted
  JPEG sidecar (.c2pa beside)    | Trusted
  plain text A.8 (unstructured)  | Trusted
  Markdown / Python A.9          | Trusted
  HTML A.7 inline <script>       | Trusted
  HTML A.7 <link> + .c2pa        | Trusted
  text sidecar (.txt, .json)     | skip: its text/plain and application/json profiles demand
                                 | an A.8 wrapper exclusion even for a detached store
                                 | ("assertion.dataHash.malformed"); a detached store binds
                                 | the whole file, with no exclusion, as C2PA's external
                                 | manifests do
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

import provenance
from provenance import TrustStore
from provenance.identity import Identity
from tests.assets import build as assets

encypher = pytest.importorskip("encypher_c2pa")

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

#: (file, carrier or None for the default) -> why encypher-c2pa cannot judge it
SKIPS = {
    ("note.txt", "sidecar"): "encypher-c2pa's text/plain profile demands an A.8 wrapper "
                             "exclusion even for a detached store",
    ("data.json", None): "encypher-c2pa's application/json profile demands a text wrapper "
                         "exclusion even for a detached store (JSON is signed as a sidecar)",
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


@pytest.fixture(scope="module")
def signer() -> Identity:
    ident, _ = Identity.create("TEST-ONLY Interop Author", email="interop@example.test")
    return ident


@pytest.fixture(scope="module")
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
                out: Path) -> tuple[bytes, bytes | None, str]:
    """Sign one case; returns (asset bytes, detached store or None, MIME type)."""
    anchors = TrustStore((signer.root,), ("interop",)) if signer.root else TrustStore()
    out.mkdir(parents=True, exist_ok=True)
    result = provenance.sign(
        sources[name], out / name, identity=signer, trust=anchors,
        carrier=carrier,  # type: ignore[arg-type]
        manifest_url="https://example.test/page.html.c2pa" if carrier == "link" else None,
    )
    detached = None
    if result.manifest_file is not None:
        detached = result.manifest_file.read_bytes()
    return result.output.read_bytes(), detached, MIME[name.rsplit(".", 1)[1]]


def _codes(report: Any) -> list[str]:
    return [str(f.get("code")) for f in (report.get("validation_results") or {}).get(
        "failure") or []]


@pytest.mark.parametrize("name, carrier", CASES,
                         ids=[f"{n}-{c or 'default'}" for n, c in CASES])
def test_encypher_reads_trusted(name: str, carrier: str | None, sources: dict[str, Path],
                                signer: Identity, tmp_path: Path) -> None:
    if (name, carrier) in SKIPS:
        pytest.skip(SKIPS[(name, carrier)])
    data, detached, mime = signed_case(name, carrier, sources, signer, tmp_path)
    assert signer.root is not None
    root = signer.root.public_bytes(serialization.Encoding.PEM).decode()
    kwargs: dict[str, Any] = {"trust_pem": root, "no_default_trust": True,
                              "telemetry": False, "online": False}
    if detached is not None:
        kwargs["manifest_store"] = detached
    report = encypher.verify(data, mime, **kwargs)
    assert report.get("validation_state") == "Trusted", _codes(report)
    assert _codes(report) == []
    # And our own verdict agrees.
    ours = provenance.inspect(tmp_path / name, trust=TrustStore((signer.root,), ("i",)))
    assert ours.status == "trusted"


def test_encypher_sees_tampering(sources: dict[str, Path], signer: Identity,
                                 tmp_path: Path) -> None:
    data, _, mime = signed_case("letter.docx", None, sources, signer, tmp_path)
    bad = bytearray(data)
    bad[60] ^= 0x01
    assert signer.root is not None
    root = signer.root.public_bytes(serialization.Encoding.PEM).decode()
    report = encypher.verify(bytes(bad), mime, trust_pem=root, no_default_trust=True,
                             telemetry=False, online=False)
    assert report.get("validation_state") == "Invalid"
