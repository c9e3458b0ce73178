"""An organisation signs the claim, the author signs the identity assertion."""

from __future__ import annotations

from pathlib import Path

import pytest

import provenance
from provenance.authored import authored
from provenance.errors import IdentityError
from provenance.identity import Identity, sign_with_key


@pytest.mark.parametrize("name", ["photo.jpg", "essay.pdf", "notes.txt"])
def test_organisation_claim_with_author_identity(name: str, files: dict[str, Path],
                                                 identity: Identity, tmp_path: Path) -> None:
    """The claim by the organisation's certificate (the trusted test identity), the identity
    assertion by the writer's own key."""
    if name == "notes.txt":
        files[name] = tmp_path / name
        files[name].write_text("Filed by a staff writer.\n", encoding="utf-8")
    writer, _ = Identity.create("TEST-ONLY Staff Writer", domain="writer.example")
    report = provenance.inspect(provenance.sign(
        files[name], identity=authored(identity, author=writer)).output)
    assert report.status == "trusted", [f.code for f in report.failures]
    assert report.signer is not None and report.signer.name == "TEST-ONLY Ada Lovelace"
    (person,) = report.identities
    assert person.name == "TEST-ONLY Staff Writer" and person.roles == ("cawg.creator",)
    assert person.status == "valid"


def test_callback_alone_signs_without_identity_assertion(files: dict[str, Path],
                                                         identity: Identity) -> None:
    key = identity._key
    assert key is not None
    kms = Identity.from_callback(lambda data: sign_with_key(key, data),
                                 identity.chain_pem(), algorithm="es256")
    report = provenance.inspect(provenance.sign(files["photo.jpg"], identity=kms).output)
    assert report.status == "trusted" and report.identities == ()
    with pytest.raises(IdentityError, match="own local key"):
        authored(identity, author=kms)
    with pytest.raises(IdentityError, match="callback claim signer"):
        authored(kms, author=identity)
