"""What ``doctor`` found, as frozen values and their ``provenance.doctor/v1`` JSON form."""

from __future__ import annotations

from typing import Any, Literal

from provenance._record import record

__all__ = [
    "DOCTOR_SCHEMA_ID",
    "Advice",
    "Checkup",
    "Hard",
    "Outcome",
    "Sidecar",
    "Soft",
    "doctor_document",
]

#: The ``schema`` of ``provenance doctor --json`` (provenance/schemas/doctor-v1.json).
DOCTOR_SCHEMA_ID = "provenance.doctor/v1"

#: The embedded manifest on the copy: ``kept`` (intact: trusted or valid), ``broken`` (there
#: but it no longer verifies), ``gone`` (removed), ``none`` (the file had no embedded one).
Hard = Literal["kept", "broken", "gone", "none"]
#: The detached manifest (``.c2pa`` sidecar, or the ``.c2pa`` an HTML ``<link>`` names):
#: ``kept``, ``broken``, ``not carried`` (the channel does not take the file along, or drops
#: the ``<link>``), ``none`` (the file has no detached manifest).
Sidecar = Literal["kept", "broken", "not carried", "none"]
#: The registry lookup of the copy: ``recovered`` (the file's own manifest found again),
#: ``other`` (another manifest matched), ``not found``, ``not registered`` (the file itself
#: is not in the registries asked), ``no registry``, ``no fingerprint`` (the type has none).
Soft = Literal["recovered", "other", "not found", "not registered", "no registry",
               "no fingerprint"]


@record
class Outcome:
    """One copy one channel makes, and what is left on it.

    ``simulated`` is False for a copy that was not made: the channel refuses the type, or
    ffmpeg is missing for a transcode; ``done`` says which. ``survives`` is True when at least
    one way back to the manifest is left (hard binding, sidecar or registry recovery).
    """

    channel: str
    title: str
    copy: str
    simulated: bool
    done: str
    hard: Hard
    status: str | None = None
    sidecar: Sidecar = "none"
    soft: Soft = "no fingerprint"
    similarity: int | None = None
    matched: str | None = None
    codes: tuple[str, ...] = ()

    @property
    def survives(self) -> bool:
        """True when the hard binding, the sidecar or the registry still leads back."""
        return self.hard == "kept" or self.sidecar == "kept" or self.soft == "recovered"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "channel": self.channel,
            "title": self.title,
            "copy": self.copy,
            "simulated": self.simulated,
            "done": self.done,
            "hard_binding": {"state": self.hard, "status": self.status,
                             "codes": list(self.codes)},
            "sidecar": {"state": self.sidecar},
            "soft_binding": {"state": self.soft, "similarity": self.similarity,
                             "manifest_id": self.matched},
            "survives": self.survives if self.simulated else None,
        }


@record
class Advice:
    """One piece of advice: a stable code and the sentence for the author."""

    code: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"code": self.code, "text": self.text}


@record
class Checkup:
    """One file's check: what it carries now, each channel's copies, and the advice."""

    path: str
    media_type: str
    family: str
    status: str
    carrier: str | None
    manifest_id: str | None
    #: True: the registries asked hold this file's manifest; False: they do not; None: no
    #: registry was asked, or the type has no fingerprint
    registered: bool | None
    outcomes: tuple[Outcome, ...]
    advice: tuple[Advice, ...] = ()

    @property
    def nothing_survives(self) -> tuple[Outcome, ...]:
        """The simulated copies on which no way back to the manifest is left."""
        return tuple(o for o in self.outcomes if o.simulated and not o.survives)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (one entry of ``files``)."""
        return {
            "path": self.path,
            "media_type": self.media_type,
            "family": self.family,
            "status": self.status,
            "carrier": self.carrier,
            "manifest_id": self.manifest_id,
            "registered": self.registered,
            "channels": [o.to_dict() for o in self.outcomes],
            "advice": [a.to_dict() for a in self.advice],
            "survives": not self.nothing_survives,
        }


def doctor_document(checkups: list[Checkup], errors: list[dict[str, str]] | None = None,
                    ) -> dict[str, Any]:
    """The single ``provenance.doctor/v1`` document of ``doctor --json``."""
    doc: dict[str, Any] = {
        "schema": DOCTOR_SCHEMA_ID,
        "files": [c.to_dict() for c in checkups],
        "survives": all(not c.nothing_survives for c in checkups),
    }
    if errors:
        doc["errors"] = errors
    return doc
