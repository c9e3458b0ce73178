"""Right to removal: the signer proves removal with the key that signed the manifest.

The challenge names the manifest id and the time; the signature is checked against the signer
certificate stored at registration (read from the manifest's own chain), and must be recent.
"""

from __future__ import annotations

import datetime as _dt

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from provenance.identity import Identity, sign_with_key
from provenance.registry.base import Record, RemovalProof, RemovalRefused

__all__ = ["MAX_AGE", "check_proof", "prove_removal"]

#: How old a removal proof may be.
MAX_AGE = _dt.timedelta(minutes=10)


def prove_removal(identity: Identity, manifest_id: str) -> RemovalProof:
    """A removal proof for ``manifest_id`` signed with ``identity``'s key (or callback)."""
    issued = RemovalProof.now()
    challenge = RemovalProof.challenge(manifest_id, issued)
    callback = identity.sign_callback()
    if callback is not None:
        signature = callback(challenge)
    else:
        signature = sign_with_key(identity._key, challenge)  # type: ignore[arg-type]
    return RemovalProof(manifest_id, issued, signature)


def check_proof(proof: RemovalProof, record: Record, *,
                now: _dt.datetime | None = None) -> None:
    """Accept ``proof`` for ``record`` or raise.

    Raises:
        RemovalRefused: no signer certificate on record, a stale proof, or a signature that
            the stored certificate's key did not make.
    """
    if record.signer_cert is None:
        raise RemovalRefused(f"{proof.manifest_id}: no signer certificate on record, so "
                            "removal cannot be proved", hint="ask the registry's owner")
    try:
        issued = _dt.datetime.fromisoformat(proof.issued_at)
    except ValueError as exc:
        raise RemovalRefused("the removal proof has no valid time", hint="make a new one") \
            from exc
    moment = now or _dt.datetime.now(_dt.UTC)
    if issued.tzinfo is None or abs(moment - issued) > MAX_AGE:
        raise RemovalRefused("the removal proof is too old (or from the future)",
                            hint="make a new one: `provenance registry remove` signs it now")
    cert = x509.load_der_x509_certificate(record.signer_cert)
    key = cert.public_key()
    data = RemovalProof.challenge(proof.manifest_id, proof.issued_at)
    sig = proof.signature
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            size = (key.curve.key_size + 7) // 8
            if len(sig) != 2 * size:
                raise InvalidSignature
            der = encode_dss_signature(int.from_bytes(sig[:size], "big"),
                                       int.from_bytes(sig[size:], "big"))
            h = {"secp384r1": hashes.SHA384(), "secp521r1": hashes.SHA512()}.get(
                key.curve.name, hashes.SHA256())
            key.verify(der, data, ec.ECDSA(h))
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(sig, data, padding.PSS(mgf=padding.MGF1(hashes.SHA256()),
                                              salt_length=32), hashes.SHA256())
        elif isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(sig, data)
        else:
            raise InvalidSignature
    except InvalidSignature as exc:
        raise RemovalRefused(
            f"{proof.manifest_id}: the removal is not signed by the manifest's signer "
            f"({record.signer.name or 'unknown'}); nothing was removed",
            hint="only the signer's key can remove its manifest") from exc
