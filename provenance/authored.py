"""A claim signed by an organisation, with the author's own CAWG identity assertion.

When the claim generator's certificate is an organisation's (a CA-issued certificate with its
key here; a KMS callback cannot be combined with the pinned c2pa), the person is named by a
signature of their own: the identity assertion is signed with the author's local key, the
claim with the organisation's.

>>> signer = authored(newsroom, author=ada)          # doctest: +SKIP
>>> provenance.sign("photo.jpg", identity=signer)     # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import fields

from provenance._record import record
from provenance.errors import IdentityError
from provenance.identity import Identity

__all__ = ["AuthoredIdentity", "authored"]


@record(repr=False)
class AuthoredIdentity(Identity):
    """An :class:`Identity` that signs the claim, plus the ``author`` who signs the CAWG
    identity assertion."""

    author: Identity | None = None


def authored(claim_signer: Identity, *, author: Identity) -> AuthoredIdentity:
    """``claim_signer`` signing claims whose identity assertion ``author`` signs.

    Raises:
        IdentityError: the author's or the claim signer's key is not local (the pinned c2pa
            cannot combine callback signers; see ``provenance._c2pa._can_sign_identity``).
    """
    if author.sign_callback() is not None:
        raise IdentityError("the author's identity assertion needs the author's own local key",
                            hint="load the author's identity with Identity.load")
    if claim_signer.sign_callback() is not None:
        raise IdentityError(
            "a KMS or callback claim signer cannot carry an author's identity assertion with "
            "this c2pa version", hint="sign with a local key (identity import) or without author")
    values = {f.name: getattr(claim_signer, f.name) for f in fields(Identity)}
    return AuthoredIdentity(**values, author=author)
