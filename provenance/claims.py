"""HumanClaim: what a signature says about how a human made the asset, as a C2PA manifest."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Literal

from provenance import __version__
from provenance.formats import media_type_for_name

__all__ = ["IPTC", "ClaimTemplate", "HumanClaim", "Origin", "default_origin"]

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"

Origin = Literal["capture", "creation", "edit"]

_SOURCE_TYPE: dict[str, str] = {
    "capture": "digitalCapture",
    "creation": "digitalCreation",
    "edit": "humanEdits",
}

#: c2pa.training-mining entries; all set to notAllowed unless the author allows AI training.
TRAINING_ENTRIES = (
    "c2pa.ai_generative_training",
    "c2pa.ai_inference",
    "c2pa.ai_training",
    "c2pa.data_mining",
)

PARENT_INGREDIENT_ID = "parent"


@dataclass(frozen=True)
class HumanClaim:
    """A declaration that a person made the asset.

    Args:
        origin: ``capture`` (camera, scanner), ``creation`` (drawn, written) or ``edit`` (a
            person edited an existing asset, which then goes in as the parent ingredient).
        author: the person's name as it should be displayed.
        author_title: optional job title ("Staff photographer").
        allow_ai_training: False (default) records notAllowed for AI training and data mining.
        title: the asset's title; defaults to the file name.
    """

    origin: Origin
    author: str | None = None
    author_title: str | None = None
    allow_ai_training: bool = False
    title: str | None = None

    def __post_init__(self) -> None:
        if self.origin not in _SOURCE_TYPE:
            raise ValueError(f"origin must be one of {', '.join(_SOURCE_TYPE)}")

    @property
    def digital_source_type(self) -> str:
        """The IPTC digital source type URI this claim declares."""
        return IPTC + _SOURCE_TYPE[self.origin]

    def manifest(
        self, *, title: str, has_parent: bool, when: _dt.datetime | None = None
    ) -> dict[str, Any]:
        """Build the c2pa manifest definition (pure; no I/O).

        ``has_parent`` adds the ``c2pa.opened`` action that c2pa requires to reference the
        parent ingredient (id ``parent``).
        """
        stamp = (when or _dt.datetime.now(_dt.UTC)).replace(microsecond=0).isoformat()
        actions: list[dict[str, Any]] = []
        if has_parent:
            actions.append({
                "action": "c2pa.opened",
                "when": stamp,
                "parameters": {"ingredientIds": [PARENT_INGREDIENT_ID]},
            })
            actions.append({
                "action": "c2pa.edited",
                "when": stamp,
                "digitalSourceType": self.digital_source_type,
            })
        else:
            actions.append({
                "action": "c2pa.created",
                "when": stamp,
                "digitalSourceType": self.digital_source_type,
            })
        use = "allowed" if self.allow_ai_training else "notAllowed"
        assertions: list[dict[str, Any]] = [
            {"label": "c2pa.actions.v2", "data": {"actions": actions}},
            {
                "label": "c2pa.training-mining",
                "data": {"entries": {entry: {"use": use} for entry in TRAINING_ENTRIES}},
            },
        ]
        if self.author:
            person: dict[str, Any] = {"@type": "Person", "name": self.author}
            if self.author_title:
                person["jobTitle"] = self.author_title
            assertions.append({
                "label": "stds.schema-org.CreativeWork",
                "data": {
                    "@context": "https://schema.org",
                    "@type": "CreativeWork",
                    "author": [person],
                },
            })
        return {
            "claim_generator_info": [{"name": "provenance", "version": __version__}],
            "title": self.title or title,
            "assertions": assertions,
        }


@dataclass(frozen=True)
class ClaimTemplate:
    """What to declare for each file; the origin defaults per file like ``provenance sign``:
    ``edit`` with a parent, ``capture`` for images other than SVG, else ``creation``."""

    origin: Origin | None = None
    author: str | None = None
    author_title: str | None = None
    title: str | None = None
    allow_ai_training: bool = False

    def for_path(self, path: PurePath, *, has_parent: bool) -> HumanClaim:
        """The claim for one file."""
        origin = self.origin
        if origin is None:
            mt = media_type_for_name(path)
            origin = default_origin(mt.mime if mt else None, has_parent=has_parent)
        return HumanClaim(origin, author=self.author, author_title=self.author_title,
                          title=self.title, allow_ai_training=self.allow_ai_training)


def default_origin(mime: str | None, *, has_parent: bool) -> Origin:
    """``edit`` with a parent, ``capture`` for images other than SVG, else ``creation``."""
    if has_parent:
        return "edit"
    is_capture = mime is not None and mime.startswith("image/") and mime != "image/svg+xml"
    return "capture" if is_capture else "creation"
