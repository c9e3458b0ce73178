"""Verification: an asset's Content Credentials, found by the carrier registry, read into a
Report (:mod:`provenance.reading`) and judged against a policy."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from provenance._files import open_input, read_input
from provenance.carriers import is_text_name, media, sidecar, text
from provenance.errors import InputError, VerificationFailed
from provenance.formats import identify
from provenance.policy import Policy, default_policy
from provenance.report import Report
from provenance.trust import TrustStore

__all__ = ["inspect", "verify"]

def inspect(
    source: Path | str | bytes,
    *,
    name: str | None = None,
    trust: TrustStore | None = None,
    registries: Sequence[str | None] | None = None,
) -> Report:
    """Describe an asset's provenance without judging it.

    Args:
        source: a path, or the asset's bytes (then ``name`` gives its type by extension).
        trust: anchors for ``trusted``; None uses the anchors installed in the provenance home.
        registries: where to look for the manifest of a copy that has none (or a broken
            one): DSNs, None for the local registry (see
            :func:`provenance.registry.recovery.lookup_sources`). Matches go to
            ``Report.recovered``; the status stays what the file shows.

    Raises:
        InputError: missing, empty, unreadable or mis-named input; unsupported type.
        RegistryError: a registry cannot be opened or reached.
    """
    report = _inspect(source, name=name, trust=trust)
    if registries:
        from provenance.registry.recovery import needs_recovery, recover

        if needs_recovery(report):
            data = source if isinstance(source, bytes) else read_input(Path(source))
            report = recover(report, data, report.media_type, registries)
    return report


def _inspect(
    source: Path | str | bytes,
    *,
    name: str | None,
    trust: TrustStore | None,
) -> Report:
    store = trust if trust is not None else TrustStore.installed()
    if isinstance(source, bytes):
        if not name:
            raise InputError("inspecting bytes needs a name", hint="pass name='photo.jpg'")
        if is_text_name(name):
            return text.inspect_text_bytes(source, name=name, trust=store)
        stream: BinaryIO = io.BytesIO(source)
        display = name
        path = None
    else:
        path = Path(source)
        display = str(source)
        if is_text_name(name or path):
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
        report = media.read(stream, display, mtype.mime, store)
    if report.status == "unsigned" and path is not None:
        detached = sidecar.detached_store(path, b"")
        if detached is not None:
            report = sidecar.read(path, display, mtype.mime, detached, store)
    return report


_HEAD = 4096  # enough for identify(): magic numbers and the <svg root element


def verify(
    source: Path | str | bytes,
    *,
    name: str | None = None,
    policy: Policy | None = None,
    trust: TrustStore | None = None,
    registries: Sequence[str | None] | None = None,
) -> Report:
    """Verify an asset: return its Report when ``policy`` holds, raise when it does not.

    ``registries``: as :func:`inspect` (recovery by fingerprint; only a policy such as
    :class:`~provenance.registry.recovery.AcceptRecovered` lets a recovered file pass).

    The default policy demands an intact manifest (trusted or valid), human origin and no
    tampered ingredient.

    Raises:
        VerificationFailed: the policy does not hold; ``.report`` and ``.reasons`` say why.
        InputError: the input cannot be read.
    """
    report = inspect(source, name=name, trust=trust, registries=registries)
    reasons = (policy or default_policy()).check(report)
    if reasons:
        raise VerificationFailed(report, reasons)
    return report


