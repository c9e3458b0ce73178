"""SignOptions: one frozen object, validated where it is made."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from provenance import ClaimTemplate, HumanClaim, InputError, SignOptions


def test_defaults_and_frozen() -> None:
    opts = SignOptions()
    assert opts.claim is None and opts.carrier is None and not opts.thumbnail
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.thumbnail = True  # type: ignore[misc]


@pytest.mark.parametrize("kwargs", [
    {"output": Path("a.jpg"), "out_dir": Path("out")},
    {"output": Path("a.jpg"), "in_place": True},
    {"out_dir": Path("out"), "in_place": True},
])
def test_one_destination(kwargs: dict[str, object]) -> None:
    with pytest.raises(InputError, match="choose one of output, out_dir and in_place"):
        SignOptions(**kwargs)  # type: ignore[arg-type]


def test_unknown_carrier_and_link_without_url() -> None:
    with pytest.raises(InputError, match="unknown carrier 'zip'"):
        SignOptions(carrier="zip")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="needs --manifest-url"):
        SignOptions(carrier="link")
    assert SignOptions(carrier="link", manifest_url="https://x/y.c2pa").carrier == "link"


def test_paths_are_paths() -> None:
    opts = SignOptions(parent="orig.jpg", out_dir="signed")  # type: ignore[arg-type]
    assert opts.parent == Path("orig.jpg") and opts.out_dir == Path("signed")


def test_of_applies_keywords_over_an_object() -> None:
    base = SignOptions(thumbnail=True, tsa_url="http://127.0.0.1:1")
    merged = SignOptions.of(base, replace=True, tsa_url=None, thumbnail=False)
    assert merged.thumbnail and merged.replace and merged.tsa_url == "http://127.0.0.1:1"
    assert SignOptions.of(base) is base
    with pytest.raises(InputError, match="unknown signing option 'colour'"):
        SignOptions.of(None, colour="red")
    with pytest.raises(InputError):  # the merged object is validated too
        SignOptions.of(SignOptions(output=Path("a")), in_place=True)


def test_claim_template_resolves_per_file() -> None:
    opts = SignOptions(claim=ClaimTemplate(author="Ada"))
    assert opts.claim_for("photo.jpg") == HumanClaim("capture", author="Ada")
    assert opts.claim_for("drawing.svg") == HumanClaim("creation", author="Ada")
    assert opts.claim_for("essay.txt") == HumanClaim("creation", author="Ada")
    edit = SignOptions(claim=ClaimTemplate(), parent=Path("orig.jpg"))
    assert edit.claim_for("photo.jpg") == HumanClaim("edit")
    fixed = HumanClaim("creation", title="T")
    assert SignOptions(claim=fixed).claim_for("photo.jpg") is fixed


def test_identity_assertion_is_on_by_default_and_can_be_left_out() -> None:
    assert SignOptions().identity_assertion is True
    assert SignOptions(identity_assertion=False).identity_assertion is False
