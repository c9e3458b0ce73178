"""Domain names in author certificates (no other provenance module imported: identity.py and
domain.py both use it)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from provenance.errors import InputError

if TYPE_CHECKING:  # imported where a certificate is read: checking a name needs none
    from cryptography import x509

_LABEL = r"^(?!-)[a-z0-9-]{1,63}(?<!-)$"  # compiled (and cached) by re on first use


def check_domain_name(domain: str) -> str:
    """``domain`` lower-cased and checked as a DNS host name (``example.org``).

    Raises:
        InputError: not a host name (a URL, a path, an IP address, one label only).
    """
    d = domain.strip().lower().rstrip(".")
    labels = d.split(".")
    if len(d) > 253 or len(labels) < 2 or not all(re.match(_LABEL, x) for x in labels) \
            or labels[-1].isdigit():
        raise InputError(f"{domain!r} is not a domain name",
                         hint="give the bare host name, e.g. --domain example.org")
    return d


def certificate_domain(cert: x509.Certificate) -> str | None:
    """The domain a certificate names (its first subjectAltName DNS name), or None."""
    from cryptography import x509

    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return None
    names = san.get_values_for_type(x509.DNSName)
    return names[0].lower() if names else None


