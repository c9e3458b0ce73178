"""`provenance identity create/show/import` and `--version`."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import provenance
from tests.cli.helpers import (
    EXIT_OK,
    EXIT_OPERATIONAL,
    assert_no_traceback,
    assert_one_error_line,
    assert_unchanged,
    describe,
    lines,
    run,
    snapshot,
)


def _show(d: Path, **env: str) -> dict:
    proc = run("identity", "show", "--dir", d, "--json", env=env)
    assert proc.returncode == EXIT_OK, describe(proc)
    return json.loads(proc.stdout)


def test_create_unencrypted_warns(tmp_path: Path, home: Path) -> None:
    d = tmp_path / "id"
    proc = run("identity", "create", "--name", "TEST-ONLY Grace", "--dir", d)
    assert proc.returncode == EXIT_OK, describe(proc)
    assert_no_traceback(proc)
    assert proc.stdout == "", describe(proc)
    warn = [ln for ln in lines(proc.stderr) if ln.startswith("warning")]
    assert len(warn) == 1 and "NOT encrypted" in warn[0], describe(proc)
    key = d / "key.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert b"ENCRYPTED" not in key.read_bytes()
    assert stat.S_IMODE((d / "root.key").stat().st_mode) == 0o600
    # its root became a trust anchor in this home
    assert list((home / "trust").glob("*.pem"))
    info = _show(d)
    assert info["encrypted"] is False
    assert info["name"] == "TEST-ONLY Grace"


def test_create_encrypted(tmp_path: Path) -> None:
    d = tmp_path / "id"
    proc = run("identity", "create", "--name", "TEST-ONLY Grace", "--email",
               "grace@example.test", "--dir", d, env={"PROVENANCE_KEY_PASSWORD": "secret"})
    assert proc.returncode == EXIT_OK, describe(proc)
    assert "NOT encrypted" not in proc.stderr, describe(proc)
    key = d / "key.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert b"ENCRYPTED" in key.read_bytes()
    info = _show(d, PROVENANCE_KEY_PASSWORD="secret")  # noqa: S106 (TEST-ONLY)
    assert info["schema"] == "provenance.identity/v1"
    assert info["encrypted"] is True
    assert info["algorithm"] == "es256"
    assert re.fullmatch(r"[0-9a-f]{2}(:[0-9a-f]{2}){31}", info["fingerprint"]), info
    assert info["not_after"] and info["not_after"][:4].isdigit(), info
    assert info["email"] == "grace@example.test"


def test_show_human(tmp_path: Path) -> None:
    d = tmp_path / "id"
    assert run("identity", "create", "--name", "TEST-ONLY Grace", "--dir", d).returncode == 0
    proc = run("identity", "show", "--dir", d)
    assert proc.returncode == EXIT_OK, describe(proc)
    for label in ("subject", "algorithm", "fingerprint", "expires", "key"):
        assert label in proc.stdout, describe(proc)
    assert "NOT encrypted" in proc.stdout


def test_create_refuses_to_overwrite(tmp_path: Path, home: Path) -> None:
    d = tmp_path / "id"
    assert run("identity", "create", "--name", "TEST-ONLY Grace", "--dir", d).returncode == 0
    before = snapshot(tmp_path, home)
    proc = run("identity", "create", "--name", "TEST-ONLY Other", "--dir", d)
    assert_one_error_line(proc, EXIT_OPERATIONAL, "already exists", "--force")
    assert_unchanged(before, snapshot(tmp_path, home))


def test_ed25519_end_to_end(tmp_path: Path, files: dict[str, Path]) -> None:
    d = tmp_path / "ed"
    proc = run("identity", "create", "--name", "TEST-ONLY Edwards", "--alg", "ed25519",
               "--dir", d)
    assert proc.returncode == EXIT_OK, describe(proc)
    assert _show(d)["algorithm"] == "ed25519"
    out = tmp_path / "ed.jpg"
    proc = run("sign", "--identity", d, "-o", out, files["photo.jpg"])
    assert proc.returncode == EXIT_OK, describe(proc)
    proc = run("verify", "--require-trusted", "--jsonl", out)
    assert proc.returncode == EXIT_OK, describe(proc)
    doc = json.loads(proc.stdout)
    assert doc["status"] == "trusted"
    assert doc["signer"]["name"] == "TEST-ONLY Edwards"
    assert doc["signer"]["algorithm"] == "ed25519"


def test_import_round_trip(tmp_path: Path, files: dict[str, Path]) -> None:
    """A good certificate imports and signs (trusted once its root is added)."""
    src = tmp_path / "made"
    assert run("identity", "create", "--name", "TEST-ONLY Imported", "--dir", src).returncode == 0
    target = tmp_path / "imported"
    proc = run("identity", "import", "--cert", src / "chain.pem", "--key", src / "key.pem",
               "--dir", target)
    assert proc.returncode == EXIT_OK, describe(proc)
    assert stat.S_IMODE((target / "key.pem").stat().st_mode) == 0o600
    out = tmp_path / "imp.jpg"
    assert run("sign", "--identity", target, "-o", out, files["photo.jpg"]).returncode == 0
    proc = run("verify", "--require-trusted", out)
    assert proc.returncode == EXIT_OK, describe(proc)


def test_show_missing_identity(tmp_path: Path) -> None:
    assert_one_error_line(run("identity", "show", "--dir", tmp_path / "none"), 2,
                          "no identity found")


def test_version() -> None:
    proc = run("--version")
    assert proc.returncode == EXIT_OK, describe(proc)
    assert provenance.__version__ in proc.stdout, describe(proc)
    assert_no_traceback(proc)


def test_help() -> None:
    proc = run("--help")
    assert proc.returncode == EXIT_OK, describe(proc)
    for cmd in ("sign", "verify", "inspect", "identity", "trust"):
        assert cmd in proc.stdout
