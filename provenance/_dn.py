"""Distinguished names as people read them: one format for every output."""

from __future__ import annotations

from cryptography import x509
from cryptography.x509.oid import NameOID

__all__ = ["format_dn"]


def format_dn(name: x509.Name) -> str:
    """``CN=Ada Lovelace, O=Example News, E=ada@example.org``: the certificate's own order,
    short attribute names (``E`` for the e-mail address rather than its raw OID), ``", "``
    between them. RFC 4514's reversed order and dotted OIDs are for machines, not for people.
    """
    parts = []
    for attr in name:
        key = "E" if attr.oid == NameOID.EMAIL_ADDRESS else attr.rfc4514_attribute_name
        parts.append(f"{key}={attr.value!s}")
    return ", ".join(parts)
