"""Verifying a published site against its publication index: every file's hash and manifest,
every page's media (a page whose image was swapped after publishing fails, naming it), files
missing from the index or from the disk; the index's own signature first."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import provenance
from provenance.batch.results import Failed, Result, Skipped, Verified
from provenance.errors import ProvenanceError
from provenance.publish.index import INDEX_PATH, Entry, Index, file_sha256
from provenance.report import Report
from provenance.trust import TrustStore

__all__ = ["has_index", "with_index"]


def has_index(root: Path) -> bool:
    """Whether the folder ``root`` holds a publication index."""
    return (root / INDEX_PATH).is_file()


@dataclass
class _Site:
    root: Path
    key: str
    index: Index | None
    entries: dict[str, Entry]
    seen: set[str]


class _Checker:
    def __init__(self) -> None:
        self.hashes: dict[str, str | None] = {}

    def sha(self, path: Path) -> str | None:
        key = os.path.abspath(path)
        if key not in self.hashes:
            try:
                self.hashes[key] = file_sha256(path)
            except OSError:
                self.hashes[key] = None
        return self.hashes[key]

    def problems(self, site: _Site, rel: str, path: Path, report: Report | None) -> list[str]:
        entry = site.entries.get(rel)
        if entry is None:
            return ["not in the publication index (added after publishing?)"]
        found: list[str] = []
        if self.sha(path) != entry.sha256:
            found.append("differs from the file the publication index lists (changed or "
                         "swapped after publishing)")
        label = _label(report)
        if entry.manifest and label and label != entry.manifest:
            found.append(f"carries manifest {label}, the publication index lists "
                         f"{entry.manifest}")
        if entry.manifest_file is not None:
            mf = site.root.joinpath(*entry.manifest_file[0].split("/"))
            if self.sha(mf) != entry.manifest_file[1]:
                found.append(f"its manifest file {entry.manifest_file[0]} is missing or "
                             "differs from the one published")
        if entry.kind == "page":
            found += self.page_media(site, entry, report)
        return found

    def page_media(self, site: _Site, entry: Entry, report: Report | None) -> list[str]:
        """The page's media on disk against the index, and its ingredients against both."""
        ingredients = _ingredient_labels(report)
        found: list[str] = []
        for m in entry.shows:
            media = site.entries.get(m)
            if media is None:
                found.append(f"shows {m}, which the publication index does not list")
                continue
            digest = self.sha(site.root.joinpath(*m.split("/")))
            if digest is None:
                found.append(f"shows {m}, which is missing from the disk")
            elif digest != media.sha256:
                found.append(f"shows {m}, which is not the image published with it "
                             "(swapped or changed after publishing)")
            if media.manifest:
                got = ingredients.get(m)
                if got is None:
                    found.append(f"shows {m}, which its manifest does not list as an "
                                 "ingredient")
                elif got != media.manifest:
                    found.append(f"its ingredient {m} is manifest {got}, not the "
                                 f"{media.manifest} published with the file")
        return found


def _label(report: Report | None) -> str | None:
    store = report.manifest_store if report is not None else None
    label = (store or {}).get("active_manifest")
    return str(label) if label else None


def _ingredient_labels(report: Report | None) -> dict[str, str]:
    """Ingredient title -> the ingredient's manifest id, from the active manifest."""
    store: dict[str, Any] = (report.manifest_store if report is not None else None) or {}
    active = (store.get("manifests") or {}).get(store.get("active_manifest") or "") or {}
    return {str(i.get("title")): str(i.get("active_manifest"))
            for i in active.get("ingredients") or [] if i.get("active_manifest")}


def _open(root: Path, trust: TrustStore | None) -> tuple[_Site, Result]:
    """The site's index, read and its signature checked (the index's own result)."""
    path = root / INDEX_PATH
    site = _Site(root, os.path.abspath(root), None, {}, set())
    try:
        data = path.read_bytes()
        site.index = Index.from_bytes(data)
    except (OSError, ValueError) as exc:
        return site, Failed(path, None, (f"the publication index cannot be read: {exc}",), 1)
    site.entries = site.index.by_path()
    try:
        report = provenance.inspect(path, trust=trust)
    except ProvenanceError as exc:
        return site, Failed(path, None, (str(exc),), exc.exit_code)
    if not report.intact:
        why = "is not signed" if report.status == "unsigned" else "has a signature that " \
            "does not verify (" + ", ".join(f.code for f in report.failures[:3]) + ")"
        return site, Failed(path, report, (f"the publication index {why}",), 1)
    return site, Verified(path, report)


def with_index(results: Iterable[Result], roots: Iterable[Path], *,
               trust: TrustStore | None = None) -> Iterator[Result]:
    """``results`` (of ``verify -r`` over folders) checked against the publication index of
    each of ``roots`` that has one: the index's own result first, then every result with
    the index's findings added (a passing file that fails them fails), then one failure per
    indexed file that is missing from the disk."""
    sites = []
    for root in roots:
        site, first = _open(root, trust)
        sites.append(site)
        yield first
    checker = _Checker()
    for result in results:
        path = result.path
        key = os.path.abspath(path)
        within = next((s for s in sites if s.index is not None
                       and key.startswith(s.key + os.sep)), None)
        if within is None:
            yield result
            continue
        rel = Path(os.path.relpath(key, within.key)).as_posix()
        within.seen.add(rel)
        report = getattr(result, "report", None)
        found = checker.problems(within, rel, path, report)
        yield _with(result, found)
    for site in sites:
        for rel, entry in site.entries.items():
            p = site.root.joinpath(*rel.split("/"))
            if rel not in site.seen and not p.exists():
                yield Failed(p, None, (f"listed in the publication index ({entry.kind}) but "
                                       "missing from the disk",), 1)


def _with(result: Result, found: list[str]) -> Result:
    if not found:
        return result
    if isinstance(result, Failed):
        return Failed(result.path, result.report, (*result.reasons, *found),
                      max(result.exit_code, 1))
    report = result.report if isinstance(result, Verified | Skipped) else None
    return Failed(result.path, report, tuple(found), 1)
