"""``provenance doctor``: before publishing, what of a file's provenance survives the way out.

Each channel (e-mail, a CMS, social networks, a messenger, an image CDN, copy and paste; see
:mod:`~provenance.doctor.channels`) is simulated with real transforms
(:mod:`~provenance.doctor.transforms`); the copies are then read back with the library's own
verification and registry recovery (:mod:`~provenance.doctor.checks`), and advice follows
(:mod:`~provenance.doctor.advice`). Results are :class:`Checkup` values with a
``provenance.doctor/v1`` JSON form (:mod:`~provenance.doctor.report`).

>>> from provenance.doctor import doctor
>>> checkup = doctor("photo.signed.jpg", through=["instagram"])   # doctest: +SKIP
>>> [(o.channel, o.hard, o.soft, o.similarity) for o in checkup.outcomes]  # doctest: +SKIP
[('instagram', 'gone', 'recovered', 98)]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from provenance.doctor.channels import CHANNELS, Channel, choose
from provenance.doctor.report import DOCTOR_SCHEMA_ID, Advice, Checkup, Outcome, doctor_document
from provenance.trust import TrustStore

__all__ = [
    "CHANNELS",
    "DOCTOR_SCHEMA_ID",
    "Advice",
    "Channel",
    "Checkup",
    "Outcome",
    "choose",
    "doctor",
    "doctor_document",
    "doctor_many",
]


def doctor(path: Path | str, *, through: Iterable[str] | None = None,
           trust: TrustStore | None = None,
           registries: Sequence[str | None] | None = None) -> Checkup:
    """What survives of ``path``'s provenance through each channel.

    Args:
        through: channel names (see :data:`CHANNELS`); None: every channel that carries the
            file's type.
        trust: anchors for ``trusted``; None uses the installed ones.
        registries: where copies are looked up (DSNs, None for the local one); None asks
            what ``verify`` asks (:func:`provenance.registry.recovery.lookup_sources`).
            Lookups only: nothing is registered.

    Raises:
        ValueError: an unknown channel name.
        InputError, UnsupportedFormat: the file cannot be read or has no supported type.
        RegistryError: a registry cannot be opened.
    """
    return doctor_many([Path(path)], through=through, trust=trust, registries=registries)[0]


def doctor_many(paths: Sequence[Path], *, through: Iterable[str] | None = None,
                trust: TrustStore | None = None,
                registries: Sequence[str | None] | None = None) -> list[Checkup]:
    """:func:`doctor` for several files, the registries opened once (raises as it does)."""
    from provenance.doctor.checks import checkup

    channels = choose(list(through) if through is not None else None)
    if registries is None:
        from provenance.registry.recovery import lookup_sources

        registries = lookup_sources()
    store = trust if trust is not None else TrustStore.installed()
    opened: dict[str | None, Any] = {}
    try:
        return [checkup(Path(p), channels, trust=store, sources=registries, opened=opened)
                for p in paths]
    finally:
        for reg in opened.values():
            reg.close()
