"""Origin classification of IPTC digital source types, and combining them."""

from __future__ import annotations

import pytest

from provenance.claims import IPTC
from provenance.origin import classify_source_type, combine

HUMAN = ["digitalCapture", "computationalCapture", "negativeFilm", "positiveFilm", "print",
         "minorHumanEdits", "humanEdits", "digitalCreation", "compositeCapture",
         "screenCapture", "virtualRecording", "digitalArt"]
AI = ["trainedAlgorithmicMedia", "algorithmicMedia", "dataDrivenMedia"]
MIXED = ["compositeWithTrainedAlgorithmicMedia", "compositeSynthetic",
         "algorithmicallyEnhanced"]


@pytest.mark.parametrize(("terms", "expected"),
                         [(HUMAN, "human"), (AI, "ai"), (MIXED, "mixed")])
def test_classify_full_uri_and_bare_term(terms: list[str], expected: str) -> None:
    for term in terms:
        assert classify_source_type(IPTC + term) == expected, term
        assert classify_source_type(term) == expected, term
        assert classify_source_type(IPTC + term + "/") == expected, term
        # The https form of the vocabulary is used in the wild too.
        assert classify_source_type(
            "https://cv.iptc.org/newscodes/digitalsourcetype/" + term) == expected, term


@pytest.mark.parametrize("value", [
    "", "/", "unknownThing", IPTC, IPTC + "DigitalCapture", IPTC + "trainedalgorithmicmedia",
    "http://example.test/vocab/somethingElse", "c2pa.created",
])
def test_classify_unknown(value: str) -> None:
    assert classify_source_type(value) == "unknown"


def test_ai_is_never_human() -> None:
    for term in AI + MIXED:
        assert classify_source_type(IPTC + term) != "human"


def test_combine_rules() -> None:
    assert combine([]) == "unknown"
    assert combine(["unknown"]) == "unknown"
    assert combine(["unknown", "unknown"]) == "unknown"
    assert combine(["human"]) == "human"
    assert combine(["human", "human", "unknown"]) == "human"
    assert combine(["ai"]) == "ai"
    assert combine(["ai", "ai", "unknown"]) == "ai"
    assert combine(["human", "ai"]) == "mixed"
    assert combine(["ai", "unknown", "human"]) == "mixed"
    assert combine(["mixed"]) == "mixed"
    assert combine(["human", "mixed"]) == "mixed"
    assert combine(["ai", "mixed"]) == "mixed"
    assert combine(["unknown", "mixed"]) == "mixed"


def test_combine_accepts_any_iterable() -> None:
    assert combine(c for c in ("human", "ai")) == "mixed"
    assert combine(iter(["human"])) == "human"
    assert combine(classify_source_type(IPTC + t) for t in HUMAN) == "human"
    assert combine(classify_source_type(IPTC + t) for t in [*HUMAN, AI[0]]) == "mixed"
