"""Permission checks on secrets and trust stores, as ssh makes them: a private key others can
read, or an identity or trust folder others can write to, is refused.

A trust folder anyone can write to lets anyone make their own signatures "trusted"; a key
others can read is no longer private. Shared CI setups that cannot fix the modes set
``PROVENANCE_ALLOW_LOOSE_PERMISSIONS=1`` (named in every message).
"""

from __future__ import annotations

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
