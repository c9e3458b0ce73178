"""The one error tree of the library. Every error says what went wrong and what to do next.

::

    ProvenanceError                  message + hint; exit_code for the CLI
    ├── InputError                   exit 2: the input cannot be used
    │   ├── UnsupportedFormat        a type we (or c2pa) cannot carry a manifest in
    │   └── AlreadySigned            re-signing would erase the file's history
    ├── IdentityError                exit 2: missing identity, wrong passphrase, bad key
    │   └── CertificateProfileError  the certificate breaks the profile c2pa-rs enforces
    ├── TrustError                   exit 2: a trust anchor file is unusable
    ├── OutputError                  exit 3: the destination cannot be written
    ├── SigningError                 exit 3: c2pa failed while signing
    └── VerificationFailed           exit 1: the asset failed verification or policy;
                                     carries the Report

Errors raised by c2pa, cryptography or the OS are converted where they enter
(``raise InputError(...) from exc``); callers only ever catch ``ProvenanceError``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from provenance.report import Report

__all__ = [
    "AlreadySigned",
    "CertificateProfileError",
    "IdentityError",
    "InputError",
    "OutputError",
    "ProvenanceError",
    "SigningError",
    "TrustError",
    "UnsupportedFormat",
    "VerificationFailed",
]


class ProvenanceError(Exception):
    """Base of every error this library raises on purpose.

    ``message`` says what is wrong, ``hint`` what to do about it; ``str(err)`` joins both on
    one line, which is what the CLI prints.
    """

    exit_code = 3

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} ({self.hint})"
        return self.message


class InputError(ProvenanceError):
    """The input is missing, unreadable, truncated or not what its name says."""

    exit_code = 2


class UnsupportedFormat(InputError):
    """The file's type cannot carry a C2PA manifest (e.g. BMP)."""


class AlreadySigned(InputError):
    """The file already carries a manifest and signing again would silently erase it."""


class IdentityError(ProvenanceError):
    """No usable identity: missing files, wrong passphrase, key and certificate mismatch."""

    exit_code = 2


class CertificateProfileError(IdentityError):
    """A certificate violates the profile that c2pa-rs enforces; ``problems`` lists each rule."""

    def __init__(self, problems: list[str], *, hint: str | None = None) -> None:
        self.problems = list(problems)
        super().__init__(
            "certificate does not meet the C2PA signing profile: " + "; ".join(problems),
            hint=hint or "use a certificate made by `provenance identity create` or ask your CA "
            "for a C2PA claim-signing certificate (`provenance identity csr`)",
        )


class TrustError(ProvenanceError):
    """A trust anchor could not be added, listed or removed."""

    exit_code = 2


class OutputError(ProvenanceError):
    """The destination cannot be written; nothing was changed."""

    exit_code = 3


class SigningError(ProvenanceError):
    """c2pa refused to sign; nothing was written."""

    exit_code = 3


class VerificationFailed(ProvenanceError):
    """The asset failed verification or the policy; ``report`` holds the evidence."""

    exit_code = 1

    def __init__(self, report: Report, reasons: list[str]) -> None:
        self.report = report
        self.reasons = list(reasons)
        super().__init__("; ".join(reasons) if reasons else "verification failed")
