"""``--registry https://...`` from the command line against a real ``provenance serve``:
``sign --registry URL --token`` publishes, ``verify --registry URL`` recovers a stripped copy
as the local registry does, ``registry push`` publishes files signed before; a bad token, an
unreachable server and a file that is no manifest each end in one clear line and a non-zero
exit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from provenance.fingerprint.text import visible_text
from provenance.registry import open_registry
from provenance.registry.record import record_for
from provenance.registry.tokens import create_token
from tests.cli.helpers import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_OPERATIONAL,
    EXIT_USAGE,
    describe,
    run,
)
from tests.registry.helpers import ESSAY, photo, social
from tests.server.helpers import Running, free_port, serve


@dataclass
class Server:
    srv: Running
    publisher: str
    reader: str


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    base = tmp_path_factory.mktemp("remote")
    home = base / "server-home"
    home.mkdir()
    dsn = f"sqlite:///{base / 'served.sqlite3'}"
    with open_registry(dsn) as reg:
        publisher = create_token(reg, ("store:manifests", "store:bindings")).token
        reader = create_token(reg, ("fetch:manifests",)).token
    with serve("--registry", dsn, env={"PROVENANCE_HOME": str(home)}, log_dir=base) as srv:
        yield Server(srv, publisher, reader)


def _errors(proc: object) -> list[str]:
    stderr = str(getattr(proc, "stderr", ""))
    assert "Traceback" not in stderr
    return [ln for ln in stderr.splitlines() if ln.startswith(("error:", "FAIL"))]


def test_sign_publishes_and_verify_recovers_a_stripped_copy(
        server: Server, identity_dir: Path, home: Path, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    photo(src / "photo.jpg", seed=5)
    (src / "essay.txt").write_text("Remote. " + ESSAY, encoding="utf-8")
    out = tmp_path / "out"
    proc = run("sign", "--identity", identity_dir, src / "photo.jpg", src / "essay.txt",
               "--out-dir", out, "--no-tsa", "--registry", server.srv.url,
               "--token", server.publisher)
    assert proc.returncode == EXIT_OK, describe(proc)
    assert not (home / "registry.sqlite3").exists()  # published there, not registered here
    ids = {name: record_for(out / name).manifest_id for name in ("photo.jpg", "essay.txt")}
    # What a platform and a sanitiser leave: a re-encoded JPEG, the text without its
    # invisible characters.
    copy = social(out / "photo.jpg", tmp_path / "copy.jpg")
    pasted = tmp_path / "pasted.txt"
    pasted.write_text(visible_text((out / "essay.txt").read_text(encoding="utf-8")),
                      encoding="utf-8")
    proc = run("verify", copy, pasted, "--registry", server.srv.url, "--jsonl")
    assert proc.returncode == EXIT_FAILED, describe(proc)  # unsigned still fails the policy
    docs = [json.loads(line) for line in proc.stdout.splitlines()]
    for doc, name in zip(docs, ("photo.jpg", "essay.txt"), strict=True):
        assert doc["status"] == "unsigned"
        best = doc["recovered"][0]
        assert best["manifest_id"] == ids[name]
        assert best["signer"]["name"] == "TEST-ONLY Ada Lovelace"
        assert best["signer"]["trusted"] is True  # judged here, with this home's anchors
        assert best["source"] == server.srv.url and best["similarity"] >= 90
    assert "not a cryptographic match" in proc.stderr
    proc = run("verify", copy, pasted, "--registry", server.srv.url, "--accept-recovered")
    assert proc.returncode == EXIT_OK, describe(proc)
    # Files signed before: registry push (already there now).
    proc = run("registry", "push", out / "photo.jpg", "--registry", server.srv.url,
               env={"PROVENANCE_REGISTRY_TOKEN": server.publisher})
    assert proc.returncode == EXIT_OK and "0 published, 1 already there" in proc.stderr, \
        describe(proc)


def test_bad_token_unreachable_server_and_non_manifests(
        server: Server, identity_dir: Path, tmp_path: Path) -> None:
    src = photo(tmp_path / "p.jpg", seed=6)
    dest = tmp_path / "p.signed.jpg"
    # A bad token: refused before anything is signed.
    proc = run("sign", "--identity", identity_dir, src, "-o", dest, "--no-tsa",
               "--registry", server.srv.url, "--token", "prv_0123456789abcdef_" + "A" * 43)
    assert proc.returncode == EXIT_USAGE, describe(proc)
    assert len(_errors(proc)) == 1 and "refused the token" in proc.stderr
    assert not dest.exists()
    # Nobody listening.
    nowhere = f"http://127.0.0.1:{free_port()}"
    proc = run("sign", "--identity", identity_dir, src, "-o", dest, "--no-tsa",
               "--registry", nowhere, "--token", server.publisher)
    assert proc.returncode == EXIT_OPERATIONAL, describe(proc)
    assert len(_errors(proc)) == 1 and "cannot reach" in proc.stderr
    assert not dest.exists()
    proc = run("verify", src, "--registry", nowhere)
    assert proc.returncode == EXIT_OPERATIONAL, describe(proc)
    assert len(_errors(proc)) == 1 and "cannot reach" in proc.stderr
    # Plain http to another host: refused (a token must not cross a network in clear).
    proc = run("verify", src, "--registry", "http://example.org")
    assert proc.returncode == EXIT_USAGE and "plain http is refused" in proc.stderr, \
        describe(proc)
    # Not manifests: an unsigned photo, bytes that are no manifest store.
    blob = tmp_path / "blob.c2pa"
    blob.write_bytes(b"\x00\x00\x00\x10jumbnot-a-store")
    for path in (src, blob):
        proc = run("registry", "push", path, "--registry", server.srv.url,
                   "--token", server.publisher)
        assert proc.returncode == EXIT_FAILED, describe(proc)
        assert len(_errors(proc)) == 1 and "nothing published" in proc.stderr
