"""The publication index: ``.well-known/c2pa/publication.json`` (schema
``provenance.publication/v1``), every file of a published site with its SHA-256 and manifest
id, and for pages the media they show; signed by a sidecar ``publication.json.c2pa``."""

from __future__ import annotations

import hashlib
import json
from dataclasses import field
from pathlib import Path
from typing import Any

from provenance._record import record
from provenance.publish.scan import Kind

__all__ = [
    "INDEX_PATH",
    "SCHEMA_ID",
    "Entry",
    "Index",
    "LinkProblem",
    "file_sha256",
    "load",
]

SCHEMA_ID = "provenance.publication/v1"
#: Where the index sits, relative to the site's root.
INDEX_PATH = ".well-known/c2pa/publication.json"


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, hex."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@record
class Entry:
    """One published file.

    ``sha256``: of the published bytes; ``source_sha256``: of the source they were made from
    (what the next run compares); ``manifest``: the active manifest's id (None: not signed);
    ``manifest_file``: a separate manifest (HTML link carrier's ``.c2pa``, a sidecar) with its
    SHA-256; ``shows``: for pages, the site paths of the media they show.
    """

    path: str
    kind: Kind
    sha256: str
    size: int
    source_sha256: str
    manifest: str | None = None
    carrier: str | None = None
    manifest_file: tuple[str, str] | None = None
    shows: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        d: dict[str, Any] = {
            "path": self.path, "kind": self.kind, "sha256": self.sha256, "size": self.size,
            "manifest": self.manifest, "carrier": self.carrier,
            "manifest_file": None if self.manifest_file is None else
            {"path": self.manifest_file[0], "sha256": self.manifest_file[1]},
            "source_sha256": self.source_sha256,
        }
        if self.kind == "page":
            d["shows"] = list(self.shows)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Entry:
        """The entry of a parsed index (KeyError, TypeError, ValueError when malformed)."""
        mf = d.get("manifest_file")
        return cls(
            path=str(d["path"]), kind=d["kind"], sha256=str(d["sha256"]),
            size=int(d["size"]), source_sha256=str(d.get("source_sha256") or ""),
            manifest=d.get("manifest"), carrier=d.get("carrier"),
            manifest_file=None if not mf else (str(mf["path"]), str(mf["sha256"])),
            shows=tuple(str(s) for s in d.get("shows") or ()),
        )


@record
class LinkProblem:
    """A media URL of a page that is not an ingredient: ``external`` (another site) or
    ``missing`` (no such file in the site)."""

    page: str
    url: str
    problem: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"page": self.page, "url": self.url, "problem": self.problem}


@record
class Index:
    """A publication index: the files, who signed, and the settings they were signed with
    (a digest: a change of identity, carrier or claim signs everything again)."""

    files: tuple[Entry, ...]
    settings: str
    signer: dict[str, Any] = field(default_factory=dict)
    generated: dict[str, Any] = field(default_factory=dict)
    links: tuple[LinkProblem, ...] = ()

    def by_path(self) -> dict[str, Entry]:
        """The entries by site path."""
        return {e.path: e for e in self.files}

    def to_dict(self) -> dict[str, Any]:
        """The ``provenance.publication/v1`` document."""
        return {
            "schema": SCHEMA_ID,
            "generator": self.generated,
            "signer": self.signer,
            "settings": self.settings,
            "files": [e.to_dict() for e in self.files],
            "links": [p.to_dict() for p in self.links],
        }

    def to_bytes(self) -> bytes:
        """The document as written (UTF-8, keys in a fixed order, one entry a line)."""
        return (json.dumps(self.to_dict(), indent=1, ensure_ascii=False) + "\n").encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Index:
        """Parse an index.

        Raises:
            ValueError: not a ``provenance.publication/v1`` document.
        """
        try:
            d = json.loads(data.decode("utf-8"))
            if not isinstance(d, dict) or d.get("schema") != SCHEMA_ID:
                raise ValueError(f"not a {SCHEMA_ID} document")
            return cls(
                files=tuple(Entry.from_dict(e) for e in d["files"]),
                settings=str(d.get("settings") or ""),
                signer=dict(d.get("signer") or {}),
                generated=dict(d.get("generator") or {}),
                links=tuple(LinkProblem(str(p["page"]), str(p["url"]), str(p["problem"]))
                            for p in d.get("links") or ()),
            )
        except (UnicodeDecodeError, KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"malformed publication index: {exc}") from exc


def load(root: Path) -> Index | None:
    """The index under a site's ``root``, or None when there is none or it cannot be parsed
    (a publish run then starts afresh)."""
    try:
        return Index.from_bytes((root / INDEX_PATH).read_bytes())
    except (OSError, ValueError):
        return None
