"""Guards on secrets and trust stores: a private key others can read, or an identity or trust
folder others can write to, is refused (as ssh refuses them); a damaged key file is told apart
from a wrong passphrase.

A trust folder anyone can write to lets anyone make their own signatures "trusted"; a key
others can read is no longer private. Shared CI setups that cannot fix the modes set
``PROVENANCE_ALLOW_LOOSE_PERMISSIONS=1`` (named in every message).
"""

from __future__ import annotations

import base64
import binascii
import os
import stat
from pathlib import Path

OVERRIDE = "PROVENANCE_ALLOW_LOOSE_PERMISSIONS"


def _skipped() -> bool:
    return os.name != "posix" or os.environ.get(OVERRIDE) == "1"


def _mode(path: Path) -> int | None:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None  # missing or unreadable: the caller's own error says so


def private_key_problem(path: Path) -> str | None:
    """Why ``path`` (a private key) is too open, or None. Group or others may not read it."""
    if _skipped():
        return None
    mode = _mode(path)
    if mode is not None and mode & 0o077:
        return (f"the private key {path} is accessible by others (mode {mode:04o}); "
                f"fix it with `chmod 600 {path}`, or set {OVERRIDE}=1 on a shared CI runner")
    return None


def writable_problem(path: Path, what: str) -> str | None:
    """Why ``path`` (a folder or a file in one) is writable by others, or None."""
    if _skipped():
        return None
    mode = _mode(path)
    if mode is not None and mode & stat.S_IWOTH:
        return (f"the {what} {path} is writable by others (mode {mode:04o}), so anyone "
                f"could change it; fix it with `chmod o-w {path}`, or set {OVERRIDE}=1 on a "
                "shared CI runner")
    return None


def pem_damage(data: bytes) -> str | None:
    """What is wrong with a PEM key's armour or encoding, or None when it is well formed (so a
    failure to load it is the passphrase's)."""
    from asn1crypto import core, keys

    text = data.decode("ascii", "replace")
    begin = text.find("-----BEGIN ")
    end = text.find("-----END ", begin + 1)
    if begin == -1 or end == -1:
        return None  # not PEM at all: the caller's "no usable PEM private key" says so
    body = text[text.find("\n", begin) + 1:end]
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    if any(":" in line for line in lines):  # legacy "Proc-Type: 4,ENCRYPTED" headers
        return None
    try:
        der = base64.b64decode("".join(lines), validate=True)
    except (binascii.Error, ValueError):
        return "its base64 text is corrupt"
    spec = keys.EncryptedPrivateKeyInfo if "ENCRYPTED PRIVATE KEY" in text[begin:begin + 40] \
        else core.Asn1Value
    try:
        spec.load(der, strict=True).native  # noqa: B018 (parsing is the check)
    except (ValueError, TypeError, KeyError):
        return "its DER structure is corrupt"
    return None
