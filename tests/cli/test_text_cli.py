"""CLI for text: stdin/stdout, carriers, strip, and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "provenance", *args], input=stdin,
                          capture_output=True, env=os.environ.copy(), timeout=120, check=False)


def test_stdin_round_trip(identity_dir: Path) -> None:
    text = "Pasted from my notes.\nSecond line with é and 👍🏽.\n".encode()
    signed = run("sign", "-", "--identity", str(identity_dir), stdin=text)
    assert signed.returncode == 0, signed.stderr
    assert signed.stdout.startswith(text) and len(signed.stdout) > len(text)
    ok = run("verify", "-", "--jsonl", stdin=signed.stdout)
    assert ok.returncode == 0, ok.stderr
    doc = json.loads(ok.stdout)
    assert (doc["status"], doc["carrier"], doc["origin"]) == ("trusted", "unstructured", "human")
    tampered = signed.stdout.replace(b"notes", b"nodes")
    bad = run("verify", "-", stdin=tampered)
    assert bad.returncode == 1 and b"FAIL" in bad.stderr
    stripped = run("strip", "-", stdin=signed.stdout)
    assert stripped.returncode == 0 and stripped.stdout == text
    unsigned = run("verify", "-", stdin=text)
    assert unsigned.returncode == 1 and b"unsigned" in unsigned.stderr


def test_markdown_name_on_stdin_uses_structured(identity_dir: Path) -> None:
    md = b"---\ntitle: x\n---\nBody\n"
    signed = run("sign", "-", "--name", "post.md", "--identity", str(identity_dir), stdin=md)
    assert signed.returncode == 0, signed.stderr
    assert signed.stdout.startswith(b"---\n# -----BEGIN C2PA MANIFEST-----")
    ok = run("verify", "-", "--name", "post.md", stdin=signed.stdout)
    assert ok.returncode == 0, ok.stderr


def test_carriers_on_files(tmp_path: Path, identity_dir: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html><head></head><body>hi</body></html>\n")
    r = run("sign", str(page), "--carrier", "link", "--manifest-url",
            "https://example.org/page.c2pa", "--identity", str(identity_dir))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "page.c2pa").is_file()
    assert run("verify", str(tmp_path / "page.signed.html")).returncode == 0
    note = tmp_path / "note.txt"
    note.write_text("A note.\n")
    r = run("sign", str(note), "--carrier", "sidecar", "--identity", str(identity_dir))
    assert r.returncode == 0, r.stderr
    assert note.read_text() == "A note.\n" and (tmp_path / "note.txt.c2pa").is_file()
    v = run("verify", str(note), "--jsonl")
    assert v.returncode == 0 and json.loads(v.stdout)["carrier"] == "sidecar"
    r = run("strip", str(tmp_path / "page.signed.html"), "--in-place")
    assert r.returncode == 0
    assert b"c2pa-manifest" not in (tmp_path / "page.signed.html").read_bytes()


def test_text_errors_are_one_line(tmp_path: Path, identity_dir: Path) -> None:
    r = run("sign", "-", "--carrier", "sidecar", "--identity", str(identity_dir), stdin=b"x")
    assert r.returncode == 2
    latin = tmp_path / "old.txt"
    latin.write_bytes(b"caf\xe9\n")
    r = run("sign", str(latin), "--identity", str(identity_dir))
    assert r.returncode == 2
    lines = r.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and "not UTF-8" in lines[0] and "Traceback" not in lines[0]
    r = run("sign", str(latin), "--carrier", "link", "--identity", str(identity_dir))
    assert r.returncode == 2 and b"manifest-url" in r.stderr
    r = run("strip", str(latin))
    assert r.returncode == 2 and b"Traceback" not in r.stderr
