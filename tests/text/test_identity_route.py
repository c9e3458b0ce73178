"""The CAWG identity assertion goes through c2pa internals of the pinned version: fail LOUDLY if
they move.

provenance._c2pa calls ``c2pa_identity_signer_create`` (not bound by c2pa-python 0.38.1) and
signs data-hashed manifests through ``c2pa_builder_sign_embeddable`` with the signer held by a
context, because c2pa-rs's data-hashed route refuses dynamic assertions.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import provenance
from provenance import _c2pa, inspect
from provenance.claims import HumanClaim
from provenance.identity import Identity


def test_identity_symbols_and_private_api_exist() -> None:
    import c2pa
    from c2pa import c2pa as impl

    for name in (*_c2pa._IDENTITY_FUNCTIONS, *_c2pa._NATIVE_FUNCTIONS):
        assert hasattr(impl._lib, name), f"native function {name} is gone"
    for attr in ("_consume_into", "_wrap_native_handle", "is_valid"):
        assert hasattr(c2pa.Signer, attr), f"c2pa.Signer.{attr} is gone"
    assert hasattr(impl, "C2paSigner"), "c2pa.c2pa.C2paSigner is gone"
    assert hasattr(c2pa, "Settings") and hasattr(c2pa, "Context")


def test_size_is_fixed_whatever_the_exclusion(identity: Identity) -> None:
    manifest = HumanClaim("creation").manifest(title="t.txt", has_parent=False)
    with _c2pa.DataHashSigner(manifest, identity, trust_pem=None) as signer:
        sizes = {len(signer.sign(bytes([i]) * 32, [(start, length)]))
                 for i, (start, length) in enumerate(
                     [(0, 0), (10, 100), (23, 24), (255, 256), (65535, 65536), (1 << 31, 7),
                      ((1 << 32) + 5, (1 << 40))])}
    assert sizes == {signer.size}
    with pytest.raises(provenance.errors.SigningError), \
            _c2pa.DataHashSigner(manifest, identity, trust_pem=None) as signer:
        signer.sign(b"\0" * 32, [(1, 2), (3, 4)])


def test_combined_signer_is_cached(identity: Identity) -> None:
    a = _c2pa._signer(identity, None)
    assert _c2pa._signer(identity, None) is a
    cached = _c2pa._signers[next(k for k in _c2pa._signers if k[1] == id(identity))]
    assert cached[1] is a and len(cached[2]) == 2  # the two signers it consumed, kept alive
    ctx = _c2pa._signing_context(identity, None, None, None)
    assert _c2pa._signing_context(identity, None, None, None) is ctx


@pytest.mark.parametrize("name", ["photo.jpg", "photo.png", "essay.pdf", "letter.docx",
                                  "voice.wav", "drawing.svg"])
def test_every_media_signature_names_the_author(name: str, files: dict[str, Path],
                                                identity: Identity) -> None:
    report = inspect(provenance.sign(files[name], identity=identity).output)
    assert report.status == "trusted", [f.code for f in report.failures]
    _assert_author_identity(report)


@pytest.mark.parametrize("carrier", ["unstructured", "structured", "html", "sidecar"])
def test_every_text_signature_names_the_author(carrier: str, tmp_path: Path,
                                               identity: Identity) -> None:
    src = tmp_path / ("page.html" if carrier == "html" else
                      "notes.py" if carrier == "structured" else "essay.txt")
    src.write_text("<html><head></head><body>Hi</body></html>\n" if carrier == "html"
                   else "# hello\nprint('written by hand')\n", encoding="utf-8")
    out = provenance.sign(src, identity=identity, carrier=carrier).output
    report = inspect(out)
    assert report.status == "trusted", [f.code for f in report.failures]
    _assert_author_identity(report)


def _assert_author_identity(report: provenance.Report) -> None:
    assert len(report.identities) == 1
    ident = report.identities[0]
    assert ident.sig_type == "cawg.x509.cose"
    assert ident.name == "TEST-ONLY Ada Lovelace"
    assert ident.roles == ("cawg.creator",)
    assert ident.status in ("valid", "trusted")
    assert "cawg.identity.well-formed" in ident.codes
    assert not [c for c in ident.codes if c.startswith("cawg.") and ".untrusted" not in c
                and c not in ("cawg.identity.well-formed", "cawg.x509.signature.validated",
                              "cawg.identity.trusted")], ident.codes


def test_identity_assertion_references_actions_and_training(files: dict[str, Path],
                                                          identity: Identity) -> None:
    """The signer payload vouches for the hard binding, the actions and the training-mining
    assertion (read back from c2pa-rs's decoded assertion)."""
    import io
    import json

    import c2pa

    out = provenance.sign(files["photo.jpg"], identity=identity).output
    with c2pa.Reader("image/jpeg", io.BytesIO(out.read_bytes()),
                     context=_c2pa._context(None)) as r:
        store = json.loads(r.json())
    active = store["manifests"][store["active_manifest"]]
    data = next(a["data"] for a in active["assertions"] if a["label"] == "cawg.identity")
    urls = " ".join(ref["url"] for ref in data["signer_payload"]["referenced_assertions"])
    for label in ("c2pa.hash.data", "c2pa.actions", "cawg.training-mining"):
        assert label in urls, urls
    assert data["signer_payload"]["sig_type"] == "cawg.x509.cose"
    assert [r.get("role", r) if isinstance(r, dict) else r
            for r in data["signer_payload"]["role"]] == ["cawg.creator"]


@pytest.mark.parametrize("name", ["photo.jpg", "photo.webp", "essay.txt"])
def test_identity_assertion_can_be_left_out(name: str, files: dict[str, Path], tmp_path: Path,
                                            identity: Identity) -> None:
    """``--no-identity-assertion``: the claim signer alone, no cawg.identity assertion (and a
    separately cached signer, so the default afterwards still names the author)."""
    src = files.get(name) or tmp_path / name
    if not src.exists():
        src.write_text("Written by hand, one line.\n", encoding="utf-8")
    plain = provenance.sign(src, tmp_path / f"plain-{name}", identity=identity,
                            options=provenance.SignOptions(identity_assertion=False)).output
    report = inspect(plain)
    assert report.status == "trusted", [f.code for f in report.failures]
    assert report.identities == ()
    named = provenance.sign(src, tmp_path / f"named-{name}", identity=identity).output
    _assert_author_identity(inspect(named))
