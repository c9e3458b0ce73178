"""What survives: each channel's copies of a file made with the real transforms, then read
back with the library's own calls (:func:`provenance.inspect` for the embedded manifest and
the sidecar, :func:`provenance.registry.recovery.recover` for the registry lookup).

Lookups only read the registries; nothing is ever registered here. Copies live in a
temporary folder that is removed afterwards; the input file is only read.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from provenance._files import read_input
from provenance.carriers import default_carrier, html, is_html_name, is_text_name, sidecar
from provenance.doctor import transforms
from provenance.doctor.channels import Channel, Copy, Family
from provenance.doctor.report import Checkup, Hard, Outcome, Sidecar, Soft
from provenance.errors import InputError
from provenance.fingerprint import kind_for
from provenance.formats import identify
from provenance.report import Report
from provenance.trust import TrustStore

__all__ = ["checkup", "family_of", "lookup"]

_DETACHED = ("sidecar", "link")


def family_of(name: str, data: bytes) -> Family:
    """The family a file belongs to, from its name (and, for media, its content).

    Raises:
        InputError, UnsupportedFormat: as :func:`provenance.formats.identify`.
    """
    if is_text_name(name):
        if is_html_name(name):
            return "html"
        return "text" if default_carrier(name) == "unstructured" else "markup"
    mime = identify(name, data[:4096]).mime
    if mime == "image/svg+xml":
        return "svg"
    if mime.startswith("image/"):
        return "image"
    if mime.startswith("audio/"):
        return "audio"
    if mime.startswith("video/"):
        return "video"
    return "document"


def lookup(data: bytes, mime: str, sources: Sequence[str | None],
           opened: dict[str | None, Any]) -> tuple[Any, ...]:
    """The registry matches for ``data`` alone, best first (what recovery would find if the
    copy carried no manifest at all)."""
    from provenance.registry.recovery import recover

    blank = Report(path=None, media_type=mime, status="unsigned", origin="unknown")
    return recover(blank, data, mime, sources, opened=opened).recovered


def _manifest_id(report: Report) -> str | None:
    store = report.manifest_store or {}
    label = store.get("active_manifest")
    return str(label) if label else None


def checkup(path: Path, channels: Sequence[Channel], *, trust: TrustStore | None = None,
            sources: Sequence[str | None] = (),
            opened: dict[str | None, Any] | None = None) -> Checkup:
    """Run ``path`` through every channel of ``channels`` that carries its type.

    Args:
        sources: the registries to look copies up in (DSNs; None is the local one).
        opened: open registries kept between files (the caller closes them).

    Raises:
        InputError, UnsupportedFormat: the file cannot be read or has no supported type.
        RegistryError: a registry cannot be opened.
    """
    import provenance

    store = trust if trust is not None else TrustStore.installed()
    cache: dict[str | None, Any] = opened if opened is not None else {}
    if path.suffix.lower() == ".c2pa":
        raise InputError(f"{path} is a manifest store, not a file to publish",
                         hint="give the file it belongs to; its sidecar is found beside it")
    data = read_input(path)
    family = family_of(path.name, data)
    original = provenance.inspect(path, trust=store)
    mime = original.media_type or ""
    manifest_id = _manifest_id(original)
    detached = sidecar.detached_store(path, data)
    fingerprinted = kind_for(mime) is not None
    targets: set[str] = set()
    registered: bool | None = None
    if sources and fingerprinted:
        found = lookup(data, mime, sources, cache)
        targets = {m.manifest_id for m in found}
        if manifest_id is not None:
            targets &= {manifest_id}
        registered = bool(targets)
    context = _Context(path, data, original, detached, store, sources, cache, targets,
                       fingerprinted)
    outcomes = [context.run(ch, copy) for ch in channels if ch.applies_to(family)
                for copy in ch.copies[family]
                if not copy.only or path.suffix.lower() in copy.only]
    from provenance.doctor.advice import advise

    result = Checkup(str(path), mime, family, original.status, original.carrier or (
        "embedded" if original.status != "unsigned" else None), manifest_id, registered,
        tuple(outcomes))
    return dataclasses.replace(result, advice=advise(result, channels))


class _Context:
    """One file's facts, shared by the checks of its copies."""

    def __init__(self, path: Path, data: bytes, original: Report, detached: bytes | None,
                 trust: TrustStore, sources: Sequence[str | None],
                 opened: dict[str | None, Any], targets: set[str], fingerprinted: bool,
                 ) -> None:
        self.path = path
        self.data = data
        self.original = original
        self.detached = detached
        self.trust = trust
        self.sources = sources
        self.opened = opened
        self.targets = targets
        self.fingerprinted = fingerprinted
        self.embedded = original.status != "unsigned" and original.carrier not in _DETACHED

    def _make(self, copy: Copy) -> transforms.Made | str:
        """The copy's bytes, or why it was not made."""
        suffix = copy.suffix or self.path.suffix
        try:
            if copy.how == "refused":
                return f"refused: {copy.note}" if copy.note else "refused"
            if copy.how == "kept":
                return transforms.Made(self.data, self.path.suffix, "byte for byte")
            if copy.how == "image" and copy.image is not None:
                return transforms.image_copy(self.data, copy.image)
            if copy.how == "text":
                return transforms.text_copy(self.data, copy.text, suffix)
            if copy.how == "transcode":
                made = transforms.transcode(self.data, self.path.suffix, suffix)
                return made if made is not None else "not simulated: ffmpeg is not installed"
        except ValueError as exc:
            return f"not simulated: {exc}"
        return "not simulated"

    def run(self, channel: Channel, copy: Copy) -> Outcome:
        made = self._make(copy)
        if isinstance(made, str):
            return Outcome(channel.name, channel.title, copy.label, False, made, "none",
                           sidecar="none", soft="no fingerprint")
        with tempfile.TemporaryDirectory(prefix="provenance-doctor-") as tmp:
            where = Path(tmp) / f"{self.path.stem}{made.suffix}"
            where.write_bytes(made.data)
            alone = _inspect(where, self.trust)
            hard, status, codes = self._hard(alone)
            side = self._sidecar(copy, where, made.data)
        soft, similarity, matched = self._soft(made.data, alone.media_type or "")
        return Outcome(channel.name, channel.title, copy.label, True, made.done, hard,
                       status=status, sidecar=side, soft=soft, similarity=similarity,
                       matched=matched, codes=codes)

    def _hard(self, alone: Report) -> tuple[Hard, str | None, tuple[str, ...]]:
        if not self.embedded:
            return "none", None, ()
        if alone.intact:
            return "kept", alone.status, ()
        codes = tuple(f.code for f in alone.failures)
        if alone.status == "unsigned" or alone.carrier in _DETACHED:
            return "gone", alone.status, codes
        return "broken", alone.status, codes

    def _sidecar(self, copy: Copy, where: Path, data: bytes) -> Sidecar:
        if self.detached is None:
            return "none"
        if self.original.carrier == "link":
            hrefs = html.find_links(data) if is_html_name(where.name) else []
            names = [Path(urlsplit(h).path).name for h in hrefs]
            if not names or not names[0]:
                return "not carried"
            target = where.with_name(names[0])  # a reader fetches the URL the page names
        elif copy.sidecar:
            target = sidecar.sidecar_path(where)
        else:
            return "not carried"
        target.write_bytes(self.detached)
        return "kept" if _inspect(where, self.trust).intact else "broken"

    def _soft(self, data: bytes, mime: str) -> tuple[Soft, int | None, str | None]:
        if not self.fingerprinted or kind_for(mime) is None:
            return "no fingerprint", None, None
        if not self.sources:
            return "no registry", None, None
        if not self.targets:
            return "not registered", None, None
        found = lookup(data, mime, self.sources, self.opened)
        for m in found:
            if m.manifest_id in self.targets:
                return "recovered", int(m.similarity), m.manifest_id
        if found:
            return "other", int(found[0].similarity), found[0].manifest_id
        return "not found", None, None


def _inspect(path: Path, trust: TrustStore) -> Report:
    """The copy as a reader's verifier sees it; an unreadable copy has nothing left."""
    import provenance

    try:
        return provenance.inspect(path, trust=trust)
    except InputError as exc:
        return Report(path=str(path), media_type=None, status="unsigned", origin="unknown",
                      extra={"unreadable": str(exc)})
