"""What files a site has: every regular file under its folder, by kind, hidden ones left out."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import Literal

from provenance._record import record
from provenance.carriers import is_html_name, is_text_name
from provenance.formats import media_type_for_name

__all__ = ["Kind", "SiteFile", "kind_of", "scan"]

#: ``page`` (HTML), ``media`` (image, audio, video, documents c2pa embeds into), ``text``
#: (Markdown, plain text, CSS, JS and other text types), ``file`` (anything else: listed in
#: the index with its hash, not signed).
Kind = Literal["page", "media", "text", "file"]


@record
class SiteFile:
    """One file of a site: its path relative to the site (POSIX, as links name it)."""

    rel: str
    kind: Kind

    def under(self, root: Path) -> Path:
        """Where this file is under ``root``."""
        return root.joinpath(*PurePosixPath(self.rel).parts)


def kind_of(name: str) -> Kind:
    """The kind of a file, from its name."""
    if is_html_name(name):
        return "page"
    if is_text_name(name):
        return "text"
    return "media" if media_type_for_name(name) is not None else "file"


def scan(root: Path) -> list[SiteFile]:
    """Every regular file under ``root``, sorted by path: hidden files and folders (``.name``,
    so ``.well-known/`` too) and ``.c2pa`` manifest files are left out, as ``verify -r``
    leaves them out; symbolic links are not followed."""
    found: list[SiteFile] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        here = Path(dirpath)
        for name in filenames:
            p = here / name
            if name.startswith(".") or name.lower().endswith(".c2pa") or p.is_symlink() \
                    or not p.is_file():
                continue
            rel = p.relative_to(root).as_posix()
            found.append(SiteFile(rel, kind_of(name)))
    found.sort(key=lambda f: f.rel.split("/"))
    return found
