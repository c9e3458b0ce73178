"""Per-file outcomes as data: Verified, Failed, Skipped, Signed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import field
from pathlib import Path
from typing import Literal

from provenance._record import record
from provenance.errors import (
    ProvenanceError,
)
from provenance.report import Report

SkipKind = Literal["unsupported", "unchanged", "unsigned", "duplicate"]

# -- results ----------------------------------------------------------------------------------


@record
class Verified:
    """The file passed the policy; ``warnings`` say what was let through (e.g. unsigned)."""

    path: Path
    report: Report
    warnings: tuple[str, ...] = ()


@record
class Failed:
    """The file failed: the policy (``exit_code`` 1, with its report), or could not be read or
    signed (2: unusable input, 3: operational failure; ``report`` is then None)."""

    path: Path
    report: Report | None
    reasons: tuple[str, ...]
    exit_code: int


@record
class Skipped:
    """Left alone on purpose. ``kind``: ``unsupported`` (a type that cannot carry a manifest),
    ``unchanged`` (already signed by this identity), ``unsigned`` (the policy skips unsigned
    files; ``report`` is set) or ``duplicate`` (named twice)."""

    path: Path
    reason: str
    kind: SkipKind = "unsupported"
    report: Report | None = None


@record
class Signed:
    """The file was signed into ``output`` (the source itself for a sidecar, whose manifest
    is ``manifest_file``; an HTML link carrier writes its ``.c2pa`` there too)."""

    path: Path
    output: Path
    media_type: str
    size: int
    repacked: bool = False
    #: where the manifest went: ``embedded`` (media) or a text carrier name
    carrier: str = "embedded"
    #: the separate manifest file written (sidecar, or the ``.c2pa`` a link points to)
    manifest_file: Path | None = None
    #: what was asked for and not done (e.g. no thumbnail for SVG)
    notes: tuple[str, ...] = ()
    #: the registry record the worker computed (a ``provenance.registry.Record``), written by
    #: the parent process; None when not registering or the type has no fingerprint
    record: object | None = field(default=None, compare=False, repr=False)


Result = Verified | Failed | Skipped | Signed


def failed_from(path: Path, exc: BaseException) -> Failed:
    if isinstance(exc, ProvenanceError):
        return Failed(path, None, (str(exc),), exc.exit_code)
    text = str(exc)  # cut: an OSError names its path, which can be 5,000 characters
    text = text if len(text) <= 300 else text[:300] + "..."
    return Failed(path, None, (f"unexpected {type(exc).__name__}: {text}",), 3)


def unique(reasons: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(reasons))
