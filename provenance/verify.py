"""Verification: an asset's Content Credentials, found by the carrier registry, read into a
Report (:mod:`provenance.reading`) and judged against a policy."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from provenance._files import open_input, read_input
from provenance.carriers import is_text_name, media
from provenance.errors import InputError, VerificationFailed
from provenance.formats import identify
from provenance.trust import TrustStore

# The text carriers, sidecars and .c2pa files are imported when a file needs them: verifying a
# JPEG reads it through carriers.media alone.
if TYPE_CHECKING:
    from provenance.domain import DomainCheck
    from provenance.policy import Policy
    from provenance.report import Report

__all__ = ["inspect", "inspect_fragment", "verify"]

def inspect(
    source: Path | str | bytes,
    *,
    name: str | None = None,
    trust: TrustStore | None = None,
    fetch_remote: bool = False,
    registries: Sequence[str | None] | None = None,
) -> Report:
    """Describe an asset's provenance without judging it.

    Args:
        source: a path, or the asset's bytes (then ``name`` gives its type by extension). A
            ``.c2pa`` path is a manifest store read on its own (against its asset when that
            sits beside it).
        trust: anchors for ``trusted``; None uses the anchors installed in the provenance home.
        fetch_remote: fetch a manifest the asset references by URL (bounded in size and
            time); without it such an asset is ``unsigned`` with the URL in ``remote_url``.
        registries: where to look for the manifest of a copy that has none (or a broken
            one): DSNs, None for the local registry (see
            :func:`provenance.registry.recovery.lookup_sources`). Matches go to
            ``Report.recovered``; the status stays what the file shows.

    Raises:
        InputError: missing, empty, unreadable or mis-named input; unsupported type.
        RegistryError: a registry cannot be opened or reached.
    """
    report = _inspect(source, name=name, trust=trust, fetch_remote=fetch_remote)
    if registries:
        from provenance.registry.sources import needs_recovery

        if needs_recovery(report):
            from provenance.registry.recovery import recover

            data = source if isinstance(source, bytes) else read_input(Path(source))
            report = recover(report, data, report.media_type, registries, trust=trust)
    return report


def _inspect(
    source: Path | str | bytes,
    *,
    name: str | None,
    trust: TrustStore | None,
    fetch_remote: bool,
) -> Report:
    store = trust if trust is not None else TrustStore.installed()
    if isinstance(source, bytes):
        if not name:
            raise InputError("inspecting bytes needs a name", hint="pass name='photo.jpg'")
        if is_text_name(name):
            from provenance.carriers import text

            return text.inspect_text_bytes(source, name=name, trust=store)
        stream: BinaryIO = io.BytesIO(source)
        display = name
        path = None
    else:
        path = Path(source)
        display = str(source)
        if name is None and path.suffix.lower() == ".c2pa":
            from provenance.carriers import manifest_file

            return manifest_file.read(path, display, store)
        if is_text_name(name or path):
            from provenance.carriers import sidecar, text

            data = read_input(path)
            if not data:
                raise InputError(f"{display} is empty (0 bytes)", hint="give the real file")
            return text.inspect_text_bytes(data, name=display, trust=store,
                                           sidecar=sidecar.detached_store(path, data))
        # A file goes to c2pa as a buffered stream: no whole-file copy in memory.
        stream = open_input(path)
    with stream:
        head = stream.read(_HEAD)
        stream.seek(0)
        mtype = identify(name or display, head)
        if mtype.label in _ZIP_LABELS:
            # Bounded before c2pa sees it: member count, expanded size, ratio (the central
            # directory only; nothing is inflated).
            from provenance import zipguard

            zipguard.open_checked(stream, name=display).close()
            stream.seek(0)
        report = media.read(stream, display, mtype.mime, store, fetch_remote=fetch_remote)
    if report.status == "unsigned" and path is not None:
        from provenance.carriers import sidecar

        detached = sidecar.detached_store(path, b"")
        if detached is not None:
            report = sidecar.read(path, display, mtype.mime, detached, store)
    return report


def inspect_fragment(
    init: Path | str,
    fragment: Path | str,
    *,
    trust: TrustStore | None = None,
) -> Report:
    """Describe one fragment of a fragmented MP4 (DASH/CMAF ``.m4s``) read with its init
    segment, which carries the manifest.

    Raises:
        InputError: a file is missing, empty or unreadable, or the init segment is not MP4.
    """
    from dataclasses import replace

    from provenance import _c2pa
    from provenance.reading import build_report
    from provenance.report import Failure, Report

    store = trust if trust is not None else TrustStore.installed()
    init_path, frag_path = Path(init), Path(fragment)
    display = str(fragment)
    with open_input(init_path) as init_stream, open_input(frag_path) as frag_stream:
        head = init_stream.read(_HEAD)
        init_stream.seek(0)
        mime = identify(str(init_path), head).mime
        if mime not in ("video/mp4", "audio/mp4", "video/quicktime", "application/mp4"):
            raise InputError(f"{init_path} is not an MP4 init segment ({mime})",
                             hint="give the stream's init segment (init.mp4) with --init")
        try:
            found = _c2pa.read_fragment(mime, init_stream, frag_stream, trust_pem=store.pem(),
                                        ekus=store.eku_config())
        except _c2pa.ManifestUnreadable as exc:
            return Report(path=display, media_type=mime, status="invalid", origin="unknown",
                          failures=(Failure("manifest.unreadable",
                                            f"the fragment cannot be checked against "
                                            f"{init_path}: {exc}"),))
    if found is None:
        return Report(path=display, media_type=mime, status="unsigned", origin="unknown")
    return replace(build_report(display, mime, found, anchors=store), carrier="fragment")


_ZIP_LABELS = frozenset({"DOCX", "XLSX", "PPTX", "ODT", "EPUB"})
_HEAD = 4096  # enough for identify(): magic numbers and the <svg root element


def verify(
    source: Path | str | bytes,
    *,
    name: str | None = None,
    policy: Policy | None = None,
    trust: TrustStore | None = None,
    fetch_remote: bool = False,
    registries: Sequence[str | None] | None = None,
    domain: DomainCheck | None = None,
) -> Report:
    """Verify an asset: return its Report when ``policy`` holds, raise when it does not.

    ``registries``: as :func:`inspect` (recovery by fingerprint; only a policy such as
    :class:`~provenance.registry.recovery.AcceptRecovered` lets a recovered file pass).

    The default policy demands an intact manifest (trusted or valid), human origin and no
    tampered ingredient. ``domain`` (a :class:`~provenance.domain.DomainCheck`) reports the
    signer's domain in ``signer.domain``, checked against its domain file if it says so.

    Raises:
        VerificationFailed: the policy does not hold; ``.report`` and ``.reasons`` say why.
        InputError: the input cannot be read.
    """
    report = inspect(source, name=name, trust=trust, fetch_remote=fetch_remote,
                     registries=registries)
    if domain is not None and not isinstance(source, bytes):
        # ``signer.domain``: the signer's own domain file, fetched only if domain.fetch.
        report = domain.annotate(report, Path(source))
    if not policy:
        from provenance.policy import default_policy

        policy = default_policy()
    reasons = policy.check(report)
    if reasons:
        raise VerificationFailed(report, reasons)
    return report


