"""SignOptions.ingredients: signed files placed in another as componentOf ingredients."""

from __future__ import annotations

from pathlib import Path

import pytest

import provenance
from provenance.errors import InputError
from provenance.identity import Identity


def test_a_media_file_records_its_components_and_a_placed_action(
        files: dict[str, Path], identity: Identity, tmp_path: Path) -> None:
    photo = provenance.sign(files["photo.jpg"], tmp_path / "photo.jpg", identity=identity)
    opts = provenance.SignOptions(ingredients=(
        provenance.Ingredient(photo.output, "photos/photo.jpg"),))
    collage = provenance.sign(files["photo.webp"], tmp_path / "collage.webp", identity=identity,
                              options=opts)
    report = provenance.verify(collage.output)
    (ing,) = report.ingredients
    assert (ing.title, ing.relationship, ing.status) == \
        ("photos/photo.jpg", "componentOf", "trusted")
    store = report.manifest_store or {}
    active = store["manifests"][store["active_manifest"]]
    assert active["ingredients"][0]["active_manifest"] == \
        provenance.inspect(photo.output).manifest_store["active_manifest"]  # type: ignore[index]
    actions = next(a for a in active["assertions"] if a["label"].startswith("c2pa.actions"))
    assert [a["action"] for a in actions["data"]["actions"]] == ["c2pa.created", "c2pa.placed"]


def test_an_ingredient_must_be_a_readable_media_file(files: dict[str, Path],
                                                     identity: Identity,
                                                     tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"not found|does not exist|cannot"):
        provenance.sign(files["photo.jpg"], tmp_path / "x.jpg", identity=identity,
                        options=provenance.SignOptions(ingredients=(tmp_path / "gone.jpg",)))
    assert not (tmp_path / "x.jpg").exists()
