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

from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

import provenance
from provenance import TrustStore
from provenance.identity import Identity
from tests.interop.conftest import CASES, signed_case

encypher = pytest.importorskip("encypher_c2pa")

#: (file, carrier or None for the default) -> why encypher-c2pa cannot judge it
SKIPS = {
    ("note.txt", "sidecar"): "encypher-c2pa's text/plain profile demands an A.8 wrapper "
                             "exclusion even for a detached store",
    ("data.json", None): "encypher-c2pa's application/json profile demands a text wrapper "
                         "exclusion even for a detached store (JSON is signed as a sidecar)",
}

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
