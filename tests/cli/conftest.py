"""Fixtures for the CLI tests (on top of tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from provenance.identity import Identity
from tests.cli.helpers import run


@pytest.fixture
def signed_jpeg(files: dict[str, Path], identity_dir: Path) -> Path:
    """photo.jpg signed through the CLI by the trusted TEST-ONLY identity."""
    proc = run("sign", "--identity", identity_dir, files["photo.jpg"])
    assert proc.returncode == 0, proc.stderr
    out = files["photo.jpg"].with_name("photo.signed.jpg")
    assert out.is_file()
    return out


@pytest.fixture
def stranger_dir(stranger: Identity, tmp_path: Path) -> Path:
    """The untrusted TEST-ONLY stranger identity saved for --identity."""
    d = tmp_path / "stranger-id"
    stranger.save(d, password=None)
    return d


@pytest.fixture
def stranger_root(stranger: Identity, tmp_path: Path) -> Path:
    """The stranger's root certificate as a PEM file (for --trust / trust add)."""
    assert stranger.root is not None
    p = tmp_path / "stranger-root.pem"
    p.write_bytes(stranger.root.public_bytes(serialization.Encoding.PEM))
    return p


@pytest.fixture
def stranger_signed(files: dict[str, Path], stranger_dir: Path, identity_dir: Path) -> Path:
    """photo.jpg signed by the stranger (the test root is trusted, the stranger's is not)."""
    out = files["photo.jpg"].with_name("photo.stranger.jpg")
    proc = run("sign", "--identity", stranger_dir, "-o", out, files["photo.jpg"])
    assert proc.returncode == 0, proc.stderr
    return out
