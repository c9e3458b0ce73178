"""What we sign, read by the WebAssembly build of c2pa-rs (``@contentauth/c2pa-wasm`` from
npm, ``WasmReader.fromBytes`` under Node; c2pa-rs 0.92, a newer c2pa-rs than our pinned one).

The package is installed on first use into ``.interop/node`` (gitignored) with npm; without
Node, npm or the registry the tests skip. Offline once installed.

Table (format / carrier -> verdict), measured with @contentauth/c2pa-wasm 0.15.0::

  case                                       | c2pa-wasm 0.15.0
  -------------------------------------------+------------------------------------------
  JPEG, PNG, WebP, TIFF, GIF, AVIF, HEIC,    | Trusted
  SVG, PDF, WAV                              |
  DOCX, ODT, EPUB (ZIP carrier)              | Trusted
  text carriers (A.7, A.8, A.9), sidecars,   | skip: the WebAssembly build reads no text
  HTML <link>                                | format and takes no detached store
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from provenance import _c2pa
from provenance.identity import Identity
from tests.interop.conftest import CASES, signed_case

PROJECT = Path(__file__).resolve().parents[2]
NODE_DIR = PROJECT / ".interop" / "node"
PACKAGE = "@contentauth/c2pa-wasm@0.15.0"
READER = Path(__file__).with_name("wasm") / "read.mjs"

MEDIA = [(n, c) for n, c in CASES if c is None and n.rsplit(".", 1)[1] not in {
    "txt", "md", "py", "html", "json"}]


@pytest.fixture(scope="session")
def wasm_module() -> Path:
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.skip("Node.js and npm are not installed")
    module = NODE_DIR / "node_modules" / "@contentauth" / "c2pa-wasm"
    if not (module / "pkg" / "c2pa_bg.wasm").is_file():
        NODE_DIR.mkdir(parents=True, exist_ok=True)
        try:
            proc = subprocess.run(
                [npm, "install", "--no-audit", "--no-fund", "--prefix", str(NODE_DIR), PACKAGE],
                capture_output=True, text=True, timeout=300, check=False,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            pytest.skip(f"npm install {PACKAGE} timed out")
        if proc.returncode != 0 or not (module / "pkg" / "c2pa_bg.wasm").is_file():
            pytest.skip(f"cannot install {PACKAGE}: {proc.stderr.strip()[-200:]}")
    return module


def _read(module: Path, files: list[tuple[Path, str]], anchors: str) -> list[dict[str, object]]:
    context = json.dumps(_c2pa.settings(anchors))
    payload = json.dumps({"module": str(module), "context": context,
                          "files": [{"path": str(p), "format": f} for p, f in files]})
    proc = subprocess.run(["node", str(READER)], input=payload, capture_output=True,
                          text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


def test_wasm_reads_everything_trusted(wasm_module: Path, sources: dict[str, Path],
                                       signer: Identity, tmp_path: Path) -> None:
    assert signer.root is not None
    root = signer.root.public_bytes(serialization.Encoding.PEM).decode()
    files = []
    for name, carrier in MEDIA:
        _, _, mime = signed_case(name, carrier, sources, signer, tmp_path)
        files.append((tmp_path / name, mime))
    results = _read(wasm_module, files, root)
    verdicts = {Path(str(r["path"])).name: (r["state"], r["failure"], r.get("error"))
                for r in results}
    # Our manifests carry the author's CAWG identity assertion; c2pa-rs (here as in the wheel)
    # calls its credential untrusted even with our root as a CAWG anchor, and lets that one
    # code lower Trusted to Valid. Nothing else may fail.
    untrusted_identity = ("Valid", ["cawg.x509.credential.untrusted"], None)
    assert {k: v for k, v in verdicts.items() if v != untrusted_identity} == {
        p.name: ("Trusted", [], None) for p, _ in files
        if verdicts.get(p.name) != untrusted_identity}
    assert set(verdicts) == {p.name for p, _ in files}


def test_wasm_reads_trusted_with_no_code_without_the_identity_assertion(
        wasm_module: Path, sources: dict[str, Path], signer: Identity, tmp_path: Path) -> None:
    """``--no-identity-assertion``: what we sign reads Trusted in c2pa-rs with no code at all
    (the one code above comes from c2pa-rs's CAWG trust, not from our manifests)."""
    assert signer.root is not None
    root = signer.root.public_bytes(serialization.Encoding.PEM).decode()
    files = []
    for name, carrier in MEDIA:
        _, _, mime = signed_case(name, carrier, sources, signer, tmp_path,
                                 identity_assertion=False)
        files.append((tmp_path / name, mime))
    results = _read(wasm_module, files, root)
    assert {Path(str(r["path"])).name: (r["state"], r["failure"], r.get("error"))
            for r in results} == {p.name: ("Trusted", [], None) for p, _ in files}


def test_wasm_sees_tampering(wasm_module: Path, sources: dict[str, Path], signer: Identity,
                             tmp_path: Path) -> None:
    assert signer.root is not None
    root = signer.root.public_bytes(serialization.Encoding.PEM).decode()
    data, _, mime = signed_case("letter.docx", None, sources, signer, tmp_path)
    bad = tmp_path / "bad.docx"
    changed = bytearray(data)
    changed[60] ^= 0x01
    bad.write_bytes(bytes(changed))
    (result,) = _read(wasm_module, [(bad, mime)], root)
    assert result["state"] == "Invalid"
