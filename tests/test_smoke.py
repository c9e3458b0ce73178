"""End-to-end smoke test: every listed format signs and verifies as trusted and human."""

from __future__ import annotations

from pathlib import Path

import pytest

import provenance
from provenance.identity import Identity


@pytest.mark.parametrize("name", [
    "photo.jpg", "photo.png", "photo.webp", "photo.tif", "anim.gif", "photo.avif",
    "photo.heic", "drawing.svg", "essay.pdf", "letter.docx", "voice.wav",
])
def test_sign_and_verify_every_format(name: str, files: dict[str, Path],
                                      identity: Identity) -> None:
    result = provenance.sign(files[name], identity=identity)
    assert result.output.name.endswith(".signed" + files[name].suffix)
    report = provenance.verify(result.output)
    assert report.status == "trusted"
    assert report.origin == "human"
    assert report.author is None or "Ada" in report.author
    assert report.signer is not None and report.signer.trusted
