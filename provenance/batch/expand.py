"""Inputs: files, directories and glob patterns turned into the list of items to handle."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from provenance._record import record
from provenance.errors import (
    InputError,
)

# -- inputs -----------------------------------------------------------------------------------


@record
class Item:
    """One input file.

    ``path`` is the file as the user named it (what reports show); ``relative`` is where its
    output goes under an output directory. ``explicit`` marks a file named on its own rather
    than found in a directory or by a pattern: an unsupported type is then an error (as for a
    single file) instead of a skip.
    """

    path: Path
    relative: Path
    explicit: bool = False

    @classmethod
    def of(cls, value: Item | Path | str) -> Item:
        """An Item for a bare path (found, not named: unsupported types are skipped)."""
        if isinstance(value, Item):
            return value
        p = Path(value)
        return cls(p, Path(p.name))


_MAGIC = frozenset("*?[")


def _has_magic(text: str) -> bool:
    return any(c in _MAGIC for c in text)


def _matches(rel: Path, patterns: Sequence[str]) -> bool:
    """gitignore-like: a pattern without ``/`` matches any path component (so ``drafts``
    excludes a folder and ``*.tmp`` a file anywhere); one with ``/`` matches the whole
    relative path."""
    posix = rel.as_posix()
    for pat in patterns:
        if "/" in pat.rstrip("/"):
            if fnmatch.fnmatchcase(posix, pat.strip("/")) or \
                    fnmatch.fnmatchcase(posix, pat.strip("/") + "/*"):
                return True
        elif any(fnmatch.fnmatchcase(part, pat.rstrip("/")) for part in rel.parts):
            return True
    return False


def _walk(root: Path, prune: set[str]) -> Iterator[Path]:
    """Regular files under ``root`` (hidden names skipped), sorted by relative path."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and path_key(here / d) not in prune
        )
        for name in filenames:
            p = here / name
            if not name.startswith(".") and p.is_file():
                found.append(p.relative_to(root))
    found.sort(key=lambda r: r.parts)
    return iter(found)


def _is_sidecar(rel: Path) -> bool:
    """A ``.c2pa`` manifest store found in a folder or by a pattern travels with its asset
    (it is read when the asset is); one named on its own is an input like any other."""
    return rel.suffix.lower() == ".c2pa"


def path_key(p: Path) -> str:
    """A path's identity for duplicate and collision checks: absolute and normalised, without
    touching the disk (thousands of files; a symlinked alias counts as another path)."""
    return os.path.abspath(p)


def _glob_base(pattern: str) -> Path:
    parts = Path(pattern).parts
    base = [p for p in parts[: next((i for i, p in enumerate(parts) if _has_magic(p)),
                                    len(parts))]]
    return Path(*base) if base else Path(".")


def expand(
    inputs: Iterable[Path | str],
    *,
    recursive: bool = False,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    prune: Iterable[Path | str] = (),
) -> list[Item]:
    """Turn files, directories and glob patterns into the list of files to handle.

    With ``recursive``, a directory gives every file in its tree, hidden files and folders
    (``.name``) left out; without, it is an input like any other (and fails as one). A
    pattern (``*``, ``?``, ``[``; ``**`` crosses folders) gives its matches in sorted order.
    A path that exists, or has no pattern characters, is used as it is (a missing file then
    fails with "not found", as a single file does). ``include``/``exclude`` filter every file
    by its path relative to the directory or pattern it came from; ``prune`` names folders
    never to enter (e.g. the output directory). A file found twice is kept once; a file named
    twice is handled twice. A ``.c2pa`` sidecar found in a folder or by a pattern is left out
    (it travels with its asset); one named on its own is kept, to be judged.

    Raises:
        InputError: a glob pattern that matches nothing.
    """
    pruned = {path_key(Path(p)) for p in prune}
    seen: set[str] = set()
    out: list[Item] = []

    def keep(rel: Path) -> bool:
        if include and not _matches(rel, include):
            return False
        return not (exclude and _matches(rel, exclude))

    def add_found(root: Path, rel: Path) -> None:
        path = root / rel if str(root) != "." else rel
        k = path_key(path)
        if k in seen or not keep(rel) or _is_sidecar(rel):
            return
        seen.add(k)
        out.append(Item(path, rel))

    for value in inputs:
        text = str(value)
        path = Path(value)
        if recursive and path.is_dir():
            for rel in _walk(path, pruned):
                add_found(path, rel)
        elif path.exists() or not _has_magic(text):
            if keep(Path(path.name)):
                seen.add(path_key(path))
                out.append(Item(path, Path(path.name), explicit=True))
        else:
            import glob  # patterns only

            matches = sorted(glob.glob(text, recursive=True))
            if not matches:
                raise InputError(f"no file matches {text}",
                                 hint="check the pattern, or quote it so the shell does not "
                                 "expand it")
            base = _glob_base(text)
            for m in matches:
                mp = Path(m)
                if mp.is_dir():
                    if recursive and path_key(mp) not in pruned:
                        for rel in _walk(mp, pruned):
                            add_found(base, mp.relative_to(base) / rel)
                elif mp.is_file() and not any(p.startswith(".") for p in
                                                mp.relative_to(base).parts):
                    add_found(base, mp.relative_to(base))
    return out
