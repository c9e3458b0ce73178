"""CLI: `tsa init`, `tsa serve`, signing with --tsa, expiry warnings, `identity csr` and
`identity renew`, each run as a real ``python -m provenance`` subprocess (127.0.0.1 only)."""

from __future__ import annotations

import datetime as dt
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from provenance.identity import Identity
from tests.cli.helpers import PROJECT, assert_no_traceback, describe, run

_LISTENING = re.compile(r"listening on (http://127\.0\.0\.1:(\d+)/)")


def _mode(p: Path) -> int:
    return p.stat().st_mode & 0o777


@pytest.fixture
def tsa_dir(tmp_path: Path) -> Path:
    d = tmp_path / "tsa"
    proc = run("tsa", "init", "--dir", d, "--name", "TEST-ONLY CLI TSA")
    assert proc.returncode == 0, describe(proc)
    return d


@pytest.fixture
def tsa_url(tsa_dir: Path) -> Iterator[str]:
    """`provenance tsa serve --port 0` in the background; yields its URL, then Ctrl-C."""
    env = os.environ.copy()
    env.pop("PROVENANCE_DEBUG", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "provenance", "tsa", "serve", "--dir", str(tsa_dir),
         "--port", "0"],
        cwd=PROJECT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    seen: list[str] = []
    url = None
    try:
        while url is None:
            try:
                line = lines.get(timeout=60)
            except queue.Empty:
                pytest.fail(f"tsa serve printed no 'listening' line: {seen}")
            if line is None:
                pytest.fail(f"tsa serve exited with {proc.wait()}: {seen}")
            seen.append(line)
            m = _LISTENING.search(line)
            if m:
                url = m.group(1)
                assert int(m.group(2)) > 0
        yield url
        # Ctrl-C: the server must stop cleanly.
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=30)
        rest = []
        while (item := lines.get(timeout=10)) is not None:
            rest.append(item)
        assert code == 0, f"exit {code}: {seen + rest}"
        assert "Traceback" not in "".join(seen + rest)
        assert any("stopped" in ln for ln in rest), rest
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


# -- tsa init / serve / sign --tsa ------------------------------------------------------------


def test_tsa_init_creates_root_certificate_and_private_key(tmp_path: Path) -> None:
    d = tmp_path / "tsa"
    proc = run("tsa", "init", "--dir", d)
    assert proc.returncode == 0, describe(proc)
    assert_no_traceback(proc)
    for name in ("root.pem", "tsa.pem", "tsa.key"):
        assert (d / name).is_file(), name
    assert _mode(d / "tsa.key") == 0o600
    if (d / "root.key").exists():
        assert _mode(d / "root.key") == 0o600
    root = x509.load_pem_x509_certificate((d / "root.pem").read_bytes())
    cert = x509.load_pem_x509_certificate((d / "tsa.pem").read_bytes())
    cert.verify_directly_issued_by(root)
    key = serialization.load_pem_private_key((d / "tsa.key").read_bytes(), None)
    pub = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    assert key.public_key().public_bytes(der, pub) == cert.public_key().public_bytes(der, pub)
    assert str(d / "root.pem") in proc.stderr  # tells what verifiers must trust

    # A second init does not silently replace the TSA.
    before = (d / "tsa.key").read_bytes()
    again = run("tsa", "init", "--dir", d)
    assert again.returncode != 0, describe(again)
    assert_no_traceback(again)
    assert (d / "tsa.key").read_bytes() == before


def test_sign_with_served_tsa_is_timestamped(tsa_url: str, tsa_dir: Path, identity_dir: Path,
                                             files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "stamped.jpg"
    proc = run("sign", files["photo.jpg"], "-o", out, "--tsa", tsa_url,
               "--identity", identity_dir, unset=["PROVENANCE_TSA_URL"])
    assert proc.returncode == 0, describe(proc)
    assert "no timestamp" not in proc.stderr, describe(proc)
    assert out.is_file()

    shown = run("inspect", "--json", out, "--trust", tsa_dir / "root.pem")
    assert shown.returncode == 0, describe(shown)
    doc = json.loads(shown.stdout)
    (report,) = doc["results"]
    assert report["status"] == "trusted", report
    ts = report["timestamp"]
    assert ts is not None, report
    assert ts["trusted"] is True
    assert ts["time"]
    assert "TEST-ONLY CLI TSA" in (ts["tsa"] or "")

    # Without the TSA root: the timestamp is still shown, not trusted.
    shown = run("inspect", "--json", out)
    (report,) = json.loads(shown.stdout)["results"]
    assert report["timestamp"] is not None and report["timestamp"]["trusted"] is False


def test_sign_with_unreachable_tsa_fails_and_writes_nothing(identity_dir: Path,
                                                            files: dict[str, Path],
                                                            tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    out = tmp_path / "never.jpg"
    proc = run("sign", files["photo.jpg"], "-o", out, "--tsa", url, "--identity", identity_dir)
    assert proc.returncode == 3, describe(proc)
    assert_no_traceback(proc)
    assert url in proc.stderr
    assert not out.exists()
    assert not list(tmp_path.glob(".never.jpg.*"))


# -- notes and warnings on sign ---------------------------------------------------------------


def test_sign_without_tsa_notes_once(identity_dir: Path, files: dict[str, Path]) -> None:
    proc = run("sign", "--identity", identity_dir, files["photo.jpg"], files["photo.png"],
               unset=["PROVENANCE_TSA_URL"])
    assert proc.returncode == 0, describe(proc)
    assert proc.stderr.count("no timestamp") == 1, describe(proc)
    assert files["photo.jpg"].with_name("photo.signed.jpg").is_file()
    assert files["photo.png"].with_name("photo.signed.png").is_file()
    assert "expires in" not in proc.stderr  # the test identity has two years left


def test_certificate_expiring_soon_warns_but_signs(_session_identity_dir: Path,
                                                   identity: Identity,
                                                   files: dict[str, Path],
                                                   tmp_path: Path) -> None:
    root_key = serialization.load_pem_private_key(
        (_session_identity_dir / "root.key").read_bytes(), None)
    assert identity.root is not None
    now = dt.datetime.now(dt.UTC)
    soon = Identity._issue(
        identity.root, root_key,  # type: ignore[arg-type]
        name="TEST-ONLY Soon Expiring", email=None, organization=None, algorithm="es256",
        not_before=now - dt.timedelta(days=700), not_after=now + dt.timedelta(days=10),
    )
    d = tmp_path / "soon"
    soon.save(d, password=None)
    out = tmp_path / "soon.jpg"
    proc = run("sign", "--identity", d, "-o", out, files["photo.jpg"])
    assert proc.returncode == 0, describe(proc)
    assert "expires in" in proc.stderr, describe(proc)
    assert "identity renew" in proc.stderr, describe(proc)
    assert re.search(r"expires in (9|10) days", proc.stderr), describe(proc)
    assert out.is_file()
    verified = run("verify", "--json", out)
    assert verified.returncode == 0, describe(verified)
    assert json.loads(verified.stdout)["results"][0]["status"] == "trusted"


# -- identity csr / renew ---------------------------------------------------------------------


def test_identity_csr_writes_request_and_private_key(tmp_path: Path) -> None:
    d = tmp_path / "req"
    d.mkdir()
    proc = run("identity", "csr", "--name", "TEST-ONLY CSR Person", "--email",
               "csr@example.test", "--out-dir", d, unset=["PROVENANCE_KEY_PASSWORD"])
    assert proc.returncode == 0, describe(proc)
    assert_no_traceback(proc)
    csr_file, key_file = d / "request.csr", d / "key.pem"
    assert csr_file.is_file() and key_file.is_file()
    assert _mode(key_file) == 0o600
    csr = x509.load_pem_x509_csr(csr_file.read_bytes())
    assert csr.is_signature_valid
    assert csr.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == \
        "TEST-ONLY CSR Person"
    assert csr.subject.get_attributes_for_oid(x509.NameOID.EMAIL_ADDRESS)[0].value == \
        "csr@example.test"
    key = serialization.load_pem_private_key(key_file.read_bytes(), None)
    pub = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    assert key.public_key().public_bytes(der, pub) == csr.public_key().public_bytes(der, pub)

    # Never overwrites an existing key.
    before = key_file.read_bytes()
    again = run("identity", "csr", "--name", "TEST-ONLY CSR Person", "--out-dir", d)
    assert again.returncode == 2, describe(again)
    assert key_file.read_bytes() == before


def test_identity_renew(tmp_path: Path, files: dict[str, Path]) -> None:
    d = tmp_path / "me"
    created = run("identity", "create", "--name", "TEST-ONLY Renewing Author", "--dir", d,
                  unset=["PROVENANCE_KEY_PASSWORD"])
    assert created.returncode == 0, describe(created)
    old_chain = (d / "chain.pem").read_bytes()
    old = x509.load_pem_x509_certificate(old_chain)

    proc = run("identity", "renew", "--dir", d)
    assert proc.returncode == 0, describe(proc)
    assert_no_traceback(proc)
    assert "Renewed" in proc.stderr
    new = x509.load_pem_x509_certificate((d / "chain.pem").read_bytes())
    assert new.subject == old.subject
    assert new.serial_number != old.serial_number

    out = tmp_path / "after-renew.jpg"
    signed = run("sign", "--identity", d, "-o", out, files["photo.jpg"])
    assert signed.returncode == 0, describe(signed)
    verified = run("verify", "--json", out)
    assert verified.returncode == 0, describe(verified)
    assert json.loads(verified.stdout)["results"][0]["status"] == "trusted"


def test_identity_renew_refuses_imported_identity(tmp_path: Path, stranger: Identity) -> None:
    d = tmp_path / "no-root-key"
    stranger.save(d, password=None)
    proc = run("identity", "renew", "--dir", d)
    assert proc.returncode == 2, describe(proc)
    assert_no_traceback(proc)
    assert "identity csr" in proc.stderr
