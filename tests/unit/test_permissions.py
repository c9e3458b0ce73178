"""Secrets and trust stores guarded like ssh guards them (issue 10): real files, real modes."""
# ruff: noqa: S103  (permissive modes are what these tests set up)

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import provenance.trust
from provenance.errors import IdentityError, TrustError
from provenance.identity import Identity
from provenance.tsa import TimestampAuthority

OVERRIDE = "PROVENANCE_ALLOW_LOOSE_PERMISSIONS"
pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX modes")


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    ident, root_key = Identity.create("TEST-ONLY Perm Tester")
    return ident.save(tmp_path / "id", password=None, root_key=root_key)


def test_a_key_others_can_read_is_refused_naming_the_override(
        saved: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(OVERRIDE, raising=False)
    os.chmod(saved / "key.pem", 0o644)
    with pytest.raises(IdentityError) as err:
        Identity.load(saved, password=None)
    msg = str(err.value)
    assert "accessible by others (mode 0644)" in msg
    assert "chmod 600" in msg and OVERRIDE in msg
    monkeypatch.setenv(OVERRIDE, "1")
    assert Identity.load(saved, password=None).certificate is not None


def test_a_group_readable_root_key_is_refused(saved: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(OVERRIDE, raising=False)
    os.chmod(saved / "root.key", 0o640)
    with pytest.raises(IdentityError, match=r"root.key is accessible by others"):
        Identity.load(saved, password=None)


def test_an_identity_folder_others_can_write_is_refused(
        saved: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(OVERRIDE, raising=False)
    os.chmod(saved, 0o777)
    with pytest.raises(IdentityError, match=r"identity folder .* is writable by others"):
        Identity.load(saved, password=None)
    os.chmod(saved, 0o755)
    Identity.load(saved, password=None)


def test_a_trust_folder_others_can_write_is_refused(
        identity: Identity, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(OVERRIDE, raising=False)
    trust_dir = home / "trust"
    assert provenance.trust.TrustStore.installed().certificates  # the fixture's root
    os.chmod(trust_dir, 0o777)
    with pytest.raises(TrustError, match=r"trust folder .* writable by others") as err:
        provenance.trust.TrustStore.installed()
    assert OVERRIDE in str(err.value)
    os.chmod(trust_dir, 0o755)
    anchor = next(trust_dir.glob("*.pem"))
    os.chmod(anchor, 0o666)
    with pytest.raises(TrustError, match=r"trust anchor file .* writable by others"):
        provenance.trust.TrustStore.installed()
    monkeypatch.setenv(OVERRIDE, "1")
    assert provenance.trust.TrustStore.installed().certificates


def test_cli_verify_with_a_loose_trust_folder_is_exit_2(identity: Identity, home: Path,
                                                        tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    from tests.cli.helpers import describe, run

    os.chmod(home / "trust", 0o777)
    (tmp_path / "a.txt").write_text("A text.\n")
    proc = run("verify", tmp_path / "a.txt", unset=[OVERRIDE])
    assert proc.returncode == 2, describe(proc)
    assert "writable by others" in proc.stderr and "Traceback" not in proc.stderr


def test_tsa_key_others_can_read_is_refused(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(OVERRIDE, raising=False)
    tsa, root_key = TimestampAuthority.create("TEST-ONLY perm TSA")
    d = tsa.save(tmp_path / "tsa", root_key=root_key)
    os.chmod(d / "tsa.key", 0o604)
    with pytest.raises(IdentityError, match=r"tsa.key is accessible by others"):
        TimestampAuthority.load(d)


def test_identity_json_says_encrypted_after_create_with_a_passphrase(tmp_path: Path) -> None:
    ident, root_key = Identity.create("TEST-ONLY Secretive")
    d = ident.save(tmp_path / "enc", password=b"TEST-ONLY passphrase", root_key=root_key)
    assert json.loads((d / "identity.json").read_text())["encrypted"] is True
    assert Identity.load(d, password=b"TEST-ONLY passphrase").encrypted
    d2 = ident.save(tmp_path / "plain", password=None)
    assert json.loads((d2 / "identity.json").read_text())["encrypted"] is False


def _corrupt_base64(path: Path) -> None:
    lines = path.read_text().splitlines(keepends=True)
    middle = len(lines) // 2
    lines[middle] = "!!!!" + lines[middle][4:]
    path.write_text("".join(lines))


@pytest.mark.parametrize("password", [None, b"TEST-ONLY passphrase"],
                         ids=["plain", "encrypted"])
def test_corrupted_key_is_reported_as_damaged_not_wrong_passphrase(
        tmp_path: Path, password: bytes | None) -> None:
    ident, _ = Identity.create("TEST-ONLY Damaged")
    d = ident.save(tmp_path / "id", password=password)
    _corrupt_base64(d / "key.pem")
    with pytest.raises(IdentityError) as err:
        Identity.load(d, password=password)
    assert "is damaged: its base64 text is corrupt" in str(err.value)
    assert "wrong passphrase" not in str(err.value)


def test_wrong_passphrase_is_still_wrong_passphrase(tmp_path: Path) -> None:
    ident, _ = Identity.create("TEST-ONLY Forgetful")
    d = ident.save(tmp_path / "id", password=b"TEST-ONLY right")
    with pytest.raises(IdentityError, match=r"wrong passphrase"):
        Identity.load(d, password=b"TEST-ONLY wrong")
