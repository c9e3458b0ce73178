"""The incremental plan: which files of a site must be signed (or copied) again, decided from
the previous publication index (source hashes, published hashes, the media each page shows)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provenance.publish.index import Entry, Index, LinkProblem, file_sha256
from provenance.publish.refs import media_urls, resolve
from provenance.publish.scan import SiteFile

__all__ = ["Planned", "page_due", "plan", "settings_digest"]


def settings_digest(settings: dict[str, Any]) -> str:
    """A digest of what every manifest depends on besides the files (signer, carrier, claim):
    when it changes, everything is signed again."""
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()


@dataclass
class Planned:
    """What a run will do, before anything is written.

    ``source_sha256``: every file's source hash; ``due``: the non-page files to sign, copy or
    list again; ``shows``: each page's media (site paths, in document order); ``links``: the
    media URLs that are not ingredients; ``removed``: entries of files no longer in the site.
    """

    files: list[SiteFile]
    source_sha256: dict[str, str]
    previous: dict[str, Entry]
    due: set[str] = field(default_factory=set)
    same: set[str] = field(default_factory=set)
    shows: dict[str, tuple[str, ...]] = field(default_factory=dict)
    links: list[LinkProblem] = field(default_factory=list)
    removed: list[Entry] = field(default_factory=list)


def _unchanged(f: SiteFile, src_hash: str, entry: Entry | None, dest_root: Path,
               in_place: bool) -> bool:
    """The published file is what this source gave last time, still there as published."""
    if entry is None or entry.kind != f.kind:
        return False
    dest = f.under(dest_root)
    try:
        if in_place:
            if src_hash != entry.sha256:
                return False
        elif src_hash != entry.source_sha256 or file_sha256(dest) != entry.sha256:
            return False
        if entry.manifest_file is not None:
            mf = dest_root.joinpath(*entry.manifest_file[0].split("/"))
            if file_sha256(mf) != entry.manifest_file[1]:
                return False
    except OSError:
        return False
    return True


def plan(files: list[SiteFile], site: Path, dest_root: Path, *, in_place: bool,
         previous: Index | None, settings: str) -> Planned:
    """Read every source once (hash; pages: their media), compare with ``previous``.

    Raises:
        OSError: a source cannot be read.
    """
    prev = previous.by_path() if previous is not None and previous.settings == settings \
        else {}
    kinds = {f.rel: f.kind for f in files}
    hashes: dict[str, str] = {}
    out = Planned(files, hashes, prev)
    for f in files:
        src = f.under(site)
        if f.kind == "page":
            data = src.read_bytes()
            hashes[f.rel] = hashlib.sha256(data).hexdigest()
            shows: list[str] = []
            for url in media_urls(data):
                ref = resolve(f.rel, url)
                if ref.kind == "external":
                    out.links.append(LinkProblem(f.rel, url, "external"))
                elif ref.kind == "internal" and ref.target is not None:
                    kind = kinds.get(ref.target)
                    if kind is None:
                        out.links.append(LinkProblem(f.rel, url, "missing"))
                    elif kind == "media":
                        shows.append(ref.target)
                    else:
                        out.links.append(LinkProblem(f.rel, url, "not media"))
            out.shows[f.rel] = tuple(dict.fromkeys(shows))
        else:
            hashes[f.rel] = file_sha256(src)
        if _unchanged(f, hashes[f.rel], prev.get(f.rel), dest_root, in_place):
            out.same.add(f.rel)
        elif f.kind != "page":
            out.due.add(f.rel)
    out.removed = [e for path, e in prev.items() if path not in kinds]
    return out


def page_due(planned: Planned, page: str, redone: set[str]) -> bool:
    """Whether a page is signed again: it changed, shows other media than last time, or shows
    a medium that was signed (or replaced) again in this run."""
    if page not in planned.same:
        return True
    entry = planned.previous[page]
    shows = planned.shows.get(page, ())
    return entry.shows != shows or any(m in redone for m in shows)
