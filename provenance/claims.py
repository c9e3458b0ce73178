"""HumanClaim: what a signature says about how a human made the asset, as a C2PA manifest."""

from __future__ import annotations

import datetime as _dt
from pathlib import PurePath
from typing import Any, Literal

from provenance import __version__
from provenance._record import record
from provenance.formats import media_type_for_name

__all__ = ["IPTC", "ClaimTemplate", "HumanClaim", "Origin", "default_origin", "with_components"]

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"

Origin = Literal["capture", "creation", "edit"]

_SOURCE_TYPE: dict[str, str] = {
    "capture": "digitalCapture",
    "creation": "digitalCreation",
    "edit": "humanEdits",
}

#: ``cawg.training-mining`` entries (C2PA 2.x moved the assertion to CAWG); all set to
#: notAllowed unless the author allows AI training.
TRAINING_ENTRIES = (
    "cawg.ai_generative_training",
    "cawg.ai_inference",
    "cawg.ai_training",
    "cawg.data_mining",
)
TRAINING_LABEL = "cawg.training-mining"
#: Who made it: ``cawg.metadata`` (XMP properties as JSON-LD), which replaces the deprecated
#: ``stds.schema-org.CreativeWork``.
METADATA_LABEL = "cawg.metadata"
_METADATA_CONTEXT = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "photoshop": "http://ns.adobe.com/photoshop/1.0/",
}

PARENT_INGREDIENT_ID = "parent"


@record
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
                "label": TRAINING_LABEL,
                "data": {"entries": {entry: {"use": use} for entry in TRAINING_ENTRIES}},
            },
        ]
        if self.author:
            metadata: dict[str, Any] = {"@context": dict(_METADATA_CONTEXT),
                                        "dc:creator": [self.author]}
            if self.author_title:
                metadata["photoshop:AuthorsPosition"] = self.author_title
            assertions.append({"label": METADATA_LABEL, "data": metadata})
        return {
            "claim_generator_info": [{"name": "provenance", "version": __version__}],
            "title": self.title or title,
            "assertions": assertions,
        }


@record
class ClaimTemplate:
    """What to declare for each file; the origin defaults per file like ``provenance sign``
    (:func:`default_origin`)."""

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
    """The one place that decides the default origin (library, batch and CLI): ``edit`` with a
    parent; ``capture`` for what a person records (photos other than SVG drawings, audio,
    video); ``creation`` for everything else (documents, text, drawings)."""
    if has_parent:
        return "edit"
    if mime is None:
        return "creation"
    recorded = mime.startswith(("image/", "audio/", "video/")) and mime != "image/svg+xml"
    return "capture" if recorded else "creation"


def component_id(index: int) -> str:
    """The ingredient id of the ``index``-th component (what ``c2pa.placed`` references)."""
    return f"component{index}"


def with_components(manifest: dict[str, Any], ids: list[str]) -> dict[str, Any]:
    """``manifest`` with one ``c2pa.placed`` action referencing the component ingredients
    ``ids`` (pure; the manifest given is not changed). No ids: ``manifest`` itself."""
    if not ids:
        return manifest
    assertions = []
    for a in manifest.get("assertions", []):
        if a.get("label") == "c2pa.actions.v2":
            actions = list(a["data"]["actions"])
            stamp = actions[0].get("when") if actions else None
            placed: dict[str, Any] = {"action": "c2pa.placed",
                                      "parameters": {"ingredientIds": list(ids)}}
            if stamp:
                placed["when"] = stamp
            a = {**a, "data": {**a["data"], "actions": [*actions, placed]}}
        assertions.append(a)
    return {**manifest, "assertions": assertions}
