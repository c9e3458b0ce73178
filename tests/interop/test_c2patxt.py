"""Our A.8 plain text read by c2patxt (PyPI, an independent A.8 validator that takes the
wrapper's extent from its declared manifest length, as the spec says).

c2patxt ships no trust evaluator ("this package endorses no backend"), so its best verdict
for any signer is VALID with ``signingCredential.untrusted``; what matters here is that the
hard binding matches and nothing else fails. Before the wrapper ended at its declared length
it reported ``assertion.dataHash.malformed`` on our output.
"""

from __future__ import annotations

import pytest

from provenance import sign_text
from provenance.identity import Identity

c2patxt = pytest.importorskip("c2patxt")


@pytest.mark.parametrize("text", [
    "A line written by a person.\n",
    "Café, naïve, 日本語 and an emoji 🙂 — written by hand.\n" * 20,
    "x",
])
def test_c2patxt_validates_our_a8(identity: Identity, text: str) -> None:
    signed = sign_text(text, identity=identity)
    assert identity.root is not None
    from cryptography.hazmat.primitives import serialization

    root = identity.root.public_bytes(serialization.Encoding.PEM)
    verdict = c2patxt.verify(signed, context=c2patxt.VerifyContext(anchors_pem=root))
    assert verdict.state == c2patxt.Provenance.VALID
    assert [s.code.value for s in verdict.failure] == ["signingCredential.untrusted"]
    assert "assertion.dataHash.match" in [s.code.value for s in verdict.success]
    # One changed letter of the visible text: c2patxt sees it.
    tampered = ("y" if signed[0] != "y" else "z") + signed[1:]
    bad = c2patxt.verify(tampered, context=c2patxt.VerifyContext(anchors_pem=root))
    assert bad.state == c2patxt.Provenance.INVALID
