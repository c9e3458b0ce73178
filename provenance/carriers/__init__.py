"""The registry of carriers: the places a manifest can live in an asset, and which one a file
gets. Signing (:mod:`provenance.signing`) and verification (:mod:`provenance.verify`) both ask
here, so the two always agree on where to put and where to look for a manifest.

Carriers, one module each:

- :mod:`~provenance.carriers.media`: embedded by c2pa-rs in the media format itself (JPEG, PNG,
  WebP, TIFF, GIF, AVIF, HEIC, SVG, PDF, zip documents, audio, video);
- :mod:`~provenance.carriers.unstructured`: C2PA A.8, invisible variation selectors in plain text;
- :mod:`~provenance.carriers.structured`: C2PA A.9, an armoured block in a comment or front matter;
- :mod:`~provenance.carriers.html`: C2PA A.7, an inline ``<script>`` or a ``<link>`` to a ``.c2pa``;
- :mod:`~provenance.carriers.sidecar`: a ``NAME.EXT.c2pa`` manifest store beside any file.

:mod:`~provenance.carriers.text` holds what the three text carriers share (UTF-8, NFC, the
signing of a data-hashed placeholder, reading in the order A.8, A.7, A.9, detached).
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Literal

from provenance.carriers.comments import comment_syntax

__all__ = [
    "CARRIERS",
    "Carrier",
    "CarrierName",
    "Route",
    "default_carrier",
    "is_text_name",
    "route",
]

#: Where a manifest can be put on request (``None`` lets the file type choose): ``unstructured``
#: (A.8 text), ``structured`` (A.9 comment block), ``html`` (A.7 inline script), ``link``
#: (A.7 ``<link>`` + the ``.c2pa`` file), ``sidecar`` (``NAME.EXT.c2pa`` for any file).
CarrierName = Literal["unstructured", "structured", "html", "link", "sidecar"]
CARRIERS: tuple[str, ...] = ("unstructured", "structured", "html", "link", "sidecar")

#: A carrier's name, as ``--carrier`` takes it (kept under its first name for the API).
Carrier = CarrierName

#: How a file is signed or read: ``media`` (c2pa embeds), ``text`` (a text carrier), ``sidecar``.
Route = Literal["media", "text", "sidecar"]

_PLAIN = frozenset({"txt", "text", "csv", "tsv", "log", "srt", "vtt", "eml"})
_HTML = frozenset({"html", "htm"})
_SIDECAR_DEFAULT = frozenset({"json", "jsonl", "ipynb"})  # a trailing wrapper breaks the parser


def _ext(name: str | PurePath) -> str:
    return PurePath(name).suffix.lower().lstrip(".")


def is_text_name(name: str | PurePath) -> bool:
    """True when the file name is a text type we sign with a text carrier."""
    ext = _ext(name)
    return (ext in _PLAIN or ext in _HTML or ext in _SIDECAR_DEFAULT
            or comment_syntax(PurePath(name)) is not None)


def is_html_name(name: str | PurePath) -> bool:
    """True for ``.html`` / ``.htm``."""
    return _ext(name) in _HTML


def default_carrier(name: str | PurePath) -> CarrierName:
    """The text carrier chosen from the file type."""
    ext = _ext(name)
    if ext in _HTML:
        return "html"
    if ext in _SIDECAR_DEFAULT:
        return "sidecar"
    if comment_syntax(PurePath(name)) is not None:
        return "structured"
    return "unstructured"


def route(name: str | PurePath, requested: CarrierName | None = None,
          ) -> tuple[Route, CarrierName | None]:
    """How to sign a file called ``name``: the route and the text carrier (or None for media).

    ``requested`` (``--carrier``) wins; otherwise text types get their default carrier and
    everything else goes to c2pa as media.
    """
    text = is_text_name(name)
    chosen = requested or (default_carrier(name) if text else None)
    if chosen == "sidecar":
        return "sidecar", "sidecar"
    if chosen is not None:
        return "text", chosen
    return "media", None
