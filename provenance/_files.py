"""Opening input files with one clear error per failure (missing, directory, permission)."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from provenance.errors import InputError

#: Read buffer for assets handed to c2pa as streams.
BUFFER = 1 << 20


def open_input(path: Path, what: str = "file") -> BinaryIO:
    """Open ``path`` for reading.

    Raises:
        InputError: missing, a directory, unreadable.
    """
    try:
        if path.is_dir():
            raise IsADirectoryError(path)
        return path.open("rb", buffering=BUFFER)
    except FileNotFoundError as exc:
        raise InputError(f"{what} not found: {path}", hint="check the path") from exc
    except IsADirectoryError as exc:
        raise InputError(f"{path} is a directory, not a file",
                         hint="give the files inside it") from exc
    except PermissionError as exc:
        raise InputError(f"cannot read {path}: permission denied",
                         hint="check the file's permissions") from exc
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc


def read_input(path: Path, what: str = "file") -> bytes:
    """Read all of ``path`` (same errors as :func:`open_input`)."""
    with open_input(path, what) as fh:
        try:
            return fh.read()
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
