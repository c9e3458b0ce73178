"""c2pa validates the first manifest each signer signs in a process, not every one; what is
signed after that is still verified by us here (real signatures, real c2pa reads)."""

from __future__ import annotations

from provenance import _c2pa, inspect_text, sign_text
from provenance.identity import Identity
from provenance.trust import TrustStore


def test_settings_turn_the_second_pass_off_unless_asked() -> None:
    assert _c2pa.settings(None)["verify"]["verify_after_sign"] is False
    assert _c2pa.settings(None, check_signed=True)["verify"]["verify_after_sign"] is True


def test_first_signature_per_signer_and_route_and_process() -> None:
    a, _ = Identity.create("FIRST A TEST-ONLY")
    b, _ = Identity.create("FIRST B TEST-ONLY")
    assert _c2pa._first_signature(a, None, True, "embeddable") is True
    assert _c2pa._first_signature(a, None, True, "embeddable") is False
    assert _c2pa._first_signature(a, None, True, "stream") is True  # another route
    assert _c2pa._first_signature(a, None, False, "embeddable") is True  # another signer
    assert _c2pa._first_signature(b, None, True, "embeddable") is True
    assert _c2pa._first_signature(a, "http://127.0.0.1:1/tsa", True, "embeddable") is True


def test_signatures_after_the_checked_one_verify_and_tampering_still_fails() -> None:
    ident, _ = Identity.create("AFTER SIGN TEST-ONLY")
    assert ident.root is not None
    store = TrustStore((ident.root,))
    texts = [sign_text(f"Paragraph {i} written by a person.\n", identity=ident, trust=store)
             for i in range(3)]
    for signed in texts:  # the first was checked by c2pa, the others were not
        assert inspect_text(signed, trust=store).status == "trusted"
    tampered = texts[2].replace("Paragraph 2", "Paragraph 9")
    assert inspect_text(tampered, trust=store).status == "invalid"
