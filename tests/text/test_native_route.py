"""The text route goes through c2pa internals of the pinned version: fail LOUDLY if they move.

c2pa-python 0.38.1 cannot embed into text through its public API ("text/plain" is not a Builder
format), so provenance._c2pa calls the native data-hash functions of the library in its wheel
through ctypes. If a c2pa-python upgrade changes any of this, these tests say exactly what.
"""

from __future__ import annotations

import io

import c2pa
import pytest

from provenance import _c2pa
from provenance.claims import HumanClaim
from provenance.identity import Identity


def test_pinned_version() -> None:
    assert c2pa.__version__ if hasattr(c2pa, "__version__") else True
    from importlib.metadata import version

    assert version("c2pa-python") == _c2pa.C2PA_PYTHON_VERSION == "0.38.1", (
        "c2pa-python changed: re-check the native text route in provenance/_c2pa.py"
    )


def test_native_symbols_and_handles_exist() -> None:
    from c2pa import c2pa as impl

    for name in _c2pa._NATIVE_FUNCTIONS:
        assert hasattr(impl._lib, name), f"native function {name} is gone"
    assert callable(impl._read_native_error)
    builder = c2pa.Builder(HumanClaim("creation").manifest(title="t", has_parent=False))
    assert builder._handle, "Builder no longer exposes its native handle as _handle"
    builder.close()


def test_public_api_still_cannot_embed_into_text(identity: Identity) -> None:
    # If this starts passing, c2pa-python learned text: switch to the public API.
    assert "text/plain" not in c2pa.Builder.get_supported_mime_types()
    manifest = HumanClaim("creation").manifest(title="t.txt", has_parent=False)
    with pytest.raises(Exception), c2pa.Builder(manifest) as b:  # noqa: B017
        b.sign(_c2pa._signer(identity, None), "text/plain", io.BytesIO(b"hello"),
               io.BytesIO())


def test_placeholder_fixes_the_manifest_size(identity: Identity) -> None:
    manifest = HumanClaim("creation").manifest(title="t.txt", has_parent=False)
    with _c2pa.DataHashSigner(manifest, identity, trust_pem=None) as signer:
        a = signer.sign(b"\x00" * 32, [(10, 100)])
        b = signer.sign(b"\x01" * 32, [(10, 99999)])
    assert len(a) == len(b) == signer.size


def test_discount_removes_exactly_the_external_location_failure() -> None:
    from provenance.carriers.text import _discount_external_location

    spurious = {"code": "assertion.dataHash.mismatch",
                "explanation": "data hash exclusion does not match the manifest location in "
                               "the asset"}
    real = {"code": "assertion.dataHash.mismatch", "explanation": "hash mismatch"}
    match = {"code": "assertion.dataHash.match"}

    def store(success: list[dict[str, str]], failure: list[dict[str, str]]
              ) -> _c2pa.ManifestStore:
        return _c2pa.ManifestStore(
            store={"validation_results": {"activeManifest": {"success": success,
                                                             "failure": failure}}},
            validation_state="Invalid", signatures={})

    def codes(found: _c2pa.ManifestStore) -> list[str]:
        return [e["explanation"] for e in
                found.store["validation_results"]["activeManifest"]["failure"]]

    ok = _discount_external_location(store([match], [spurious]))
    assert codes(ok) == [] and ok.validation_state == "Valid"
    # Without a data-hash match nothing is discounted.
    assert codes(_discount_external_location(store([], [spurious]))) == [spurious["explanation"]]
    # A real mismatch stays.
    kept = _discount_external_location(store([match], [spurious, real]))
    assert codes(kept) == ["hash mismatch"] and kept.validation_state == "Invalid"
