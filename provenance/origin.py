"""Classify IPTC digital source types as human, AI or mixed, across a whole manifest store."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

__all__ = ["OriginClass", "classify_source_type", "combine"]

OriginClass = Literal["human", "ai", "mixed", "unknown"]

_HUMAN = frozenset({
    "digitalCapture", "computationalCapture", "negativeFilm", "positiveFilm", "print",
    "minorHumanEdits", "humanEdits", "digitalCreation", "compositeCapture", "screenCapture",
    "virtualRecording", "digitalArt",
})
_AI = frozenset({"trainedAlgorithmicMedia", "algorithmicMedia", "dataDrivenMedia"})
# Declared as a mix of human and machine-made material by their own definition.
_MIXED = frozenset({
    "compositeWithTrainedAlgorithmicMedia", "compositeSynthetic", "algorithmicallyEnhanced",
})


def classify_source_type(uri: str) -> OriginClass:
    """Map one digitalSourceType URI (or bare term) to an origin class."""
    term = uri.rstrip("/").rsplit("/", 1)[-1]
    if term in _HUMAN:
        return "human"
    if term in _AI:
        return "ai"
    if term in _MIXED:
        return "mixed"
    return "unknown"


def combine(classes: Iterable[OriginClass]) -> OriginClass:
    """Combine origin classes: all human -> human, all AI -> ai, any mix -> mixed.

    ``unknown`` entries (no declaration) prove nothing and are ignored unless nothing else is
    known.
    """
    seen = {c for c in classes if c != "unknown"}
    if not seen:
        return "unknown"
    if seen == {"human"}:
        return "human"
    if seen == {"ai"}:
        return "ai"
    return "mixed"
