"""Shared fixtures: an isolated PROVENANCE_HOME, TEST-ONLY identities, real test files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import provenance.trust
from provenance.identity import Identity
from tests.assets import build as assets

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(autouse=True)
def home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty provenance home (no user state leaks in or out)."""
    h = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("PROVENANCE_HOME", str(h))
    monkeypatch.delenv("PROVENANCE_KEY_PASSWORD", raising=False)
    return h


@pytest.fixture(scope="session")
def _session_identity_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("ident")
    identity, root_key = Identity.create(
        "TEST-ONLY Ada Lovelace", email="ada@example.test", organization="TEST-ONLY Engines"
    )
    identity.save(d, password=None, root_key=root_key)
    return d


@pytest.fixture
def identity(_session_identity_dir: Path, home: Path) -> Identity:
    """A TEST-ONLY identity whose root is trusted in this test's home."""
    ident = Identity.load(_session_identity_dir, password=None)
    assert ident.root is not None
    provenance.trust.add_certificates("test-root", [ident.root])
    return ident


@pytest.fixture
def identity_dir(_session_identity_dir: Path, identity: Identity) -> Path:
    """Directory of the TEST-ONLY identity (for CLI tests: --identity DIR)."""
    return _session_identity_dir


@pytest.fixture
def stranger() -> Identity:
    """A TEST-ONLY identity whose root nobody trusts."""
    ident, _ = Identity.create("TEST-ONLY Mallory Stranger")
    return ident


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """One real, unsigned file of every signable format."""
    return assets.build(tmp_path / "assets")


@pytest.fixture
def expired_identity(identity: Identity, _session_identity_dir: Path) -> Identity:
    """A TEST-ONLY certificate from the trusted test root that expired yesterday."""
    from cryptography.hazmat.primitives import serialization

    root_key = serialization.load_pem_private_key(
        (_session_identity_dir / "root.key").read_bytes(), None
    )
    assert identity.root is not None
    now = dt.datetime.now(dt.UTC)
    return Identity._issue(
        identity.root, root_key,  # type: ignore[arg-type]
        name="TEST-ONLY Expired", email=None, organization=None, algorithm="es256",
        not_before=now - dt.timedelta(days=30), not_after=now - dt.timedelta(days=1),
    )


@pytest.fixture
def shared() -> Path:
    """The shared folder beside the project; tests using it skip when it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    return SHARED
