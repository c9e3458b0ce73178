"""Bearer tokens of the resolution API in the registry database (SQLite and a real
PostgreSQL): made, checked in constant time, stored hashed, revoked; the schema-1 upgrade; and
``provenance registry token`` from the command line; and the repository operations behind
the store endpoints on both databases."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from provenance.identity import Identity
from provenance.registry import open_registry, repository
from provenance.registry._sql import _migrations
from provenance.registry.record import NotRegistrable, record_for
from provenance.registry.tokens import (
    BadScope,
    authenticate,
    create_token,
    list_tokens,
    parse_scopes,
    revoke_token,
)
from provenance.trust import TrustStore
from tests.cli.helpers import EXIT_OK, EXIT_USAGE, describe, run
from tests.registry.helpers import signed_pair


def test_create_authenticate_revoke(registry_dsn: str) -> None:
    with open_registry(registry_dsn) as reg:
        made = create_token(reg, ("store:bindings", "fetch:manifests"), name="ci")
        other = create_token(reg, ("store:manifests",))
        assert made.token.startswith(f"prv_{made.info.id}_") and made.token != other.token
        assert made.token not in repr(made)
        assert made.info.scopes == ("fetch:manifests", "store:bindings")  # canonical order
        found = authenticate(reg, made.token)
        assert found is not None and found.id == made.info.id and found.name == "ci"
        assert authenticate(reg, other.token).scopes == ("store:manifests",)  # type: ignore[union-attr]
        # A wrong secret with a real id, a made-up id, garbage: nothing.
        secret = made.token.rsplit("_", 1)[1]
        wrong = made.token[: -len(secret)] + ("A" if secret[0] != "A" else "B") + secret[1:]
        for bad in (wrong, f"prv_{'0' * 16}_{secret}", "", "Bearer x", made.token + "x"):
            assert authenticate(reg, bad) is None, bad
        # Only the digest is stored: no column holds the secret.
        rows = reg._q("SELECT id, name, digest, scopes, created_at FROM api_tokens")  # type: ignore[attr-defined]
        assert rows and not any(secret in str(v) for row in rows for v in row)
        revoked = revoke_token(reg, made.info.id)
        assert revoked.revoked_at is not None
        assert authenticate(reg, made.token) is None
        assert authenticate(reg, other.token) is not None
        assert revoke_token(reg, made.token).revoked_at == revoked.revoked_at  # idempotent
        listed = {t.id: t for t in list_tokens(reg)}
        assert listed[made.info.id].revoked_at and listed[other.info.id].revoked_at is None
        with pytest.raises(Exception, match="no token"):
            revoke_token(reg, "0123456789abcdef")


def test_scopes_are_checked() -> None:
    assert parse_scopes("store:manifests, fetch:manifests,store:manifests") == (
        "fetch:manifests", "store:manifests")
    with pytest.raises(BadScope, match="unknown scope 'admin'"):
        parse_scopes("fetch:manifests,admin")
    with pytest.raises(BadScope, match="at least one"):
        parse_scopes(" , ")


def test_a_schema_1_registry_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    for statement in _migrations("BLOB", "INTEGER PRIMARY KEY")[0]:
        conn.execute(statement)
    conn.execute("INSERT INTO provenance_registry (key, value) VALUES ('schema', '1')")
    conn.commit()
    conn.close()
    with open_registry(f"sqlite:///{path}", create=False) as reg:
        assert reg.stats()["schema_version"] == len(_migrations("BLOB", "INTEGER"))
        made = create_token(reg, ("fetch:manifests",))
        assert authenticate(reg, made.token) is not None


def test_token_cli(tmp_path: Path) -> None:
    dsn = f"sqlite:///{tmp_path / 'reg.sqlite3'}"
    proc = run("registry", "token", "create", "--scopes", "store:manifests,store:bindings",
               "--name", "publisher", "--registry", dsn)
    assert proc.returncode == EXIT_OK, describe(proc)
    token = proc.stdout.strip()
    assert token.startswith("prv_") and token not in proc.stderr  # printed once, on stdout
    _, token_id, secret = token.split("_", 2)  # the secret is URL-safe base64: it may hold "_"
    proc = run("registry", "token", "list", "--registry", dsn, "--json")
    assert proc.returncode == EXIT_OK, describe(proc)
    doc = json.loads(proc.stdout)
    assert doc["schema"] == "provenance.registry-tokens/v1"
    assert [(t["id"], t["name"], t["scopes"], t["revoked_at"]) for t in doc["tokens"]] == [
        (token_id, "publisher", ["store:manifests", "store:bindings"], None)]
    assert secret not in proc.stdout
    proc = run("registry", "token", "revoke", token_id, "--registry", dsn)
    assert proc.returncode == EXIT_OK and f"Revoked {token_id}" in proc.stderr, describe(proc)
    with open_registry(dsn) as reg:
        assert authenticate(reg, token) is None
    proc = run("registry", "token", "create", "--scopes", "root", "--registry", dsn)
    assert proc.returncode == EXIT_USAGE, describe(proc)
    assert "Traceback" not in proc.stderr and "unknown scope 'root'" in proc.stderr
    assert [ln for ln in proc.stderr.splitlines() if ln.strip()] == [
        "error: unknown scope 'root' (use fetch:manifests, store:manifests, store:bindings)"]


def test_repository_operations(registry_dsn: str, identity: Identity, tmp_path: Path) -> None:
    """What the store endpoints do, on both databases: a store ingested on its own (judged,
    indexed by its soft binding), fetched back, bound, moved, deleted."""
    img, txt = signed_pair(tmp_path, identity)
    image, text = record_for(img), record_for(txt)
    assert image.store_bytes is not None and text.store_bytes is not None
    store = TrustStore.installed()
    with open_registry(registry_dsn) as reg:
        got, new = repository.ingest_store(reg, image.store_bytes, trust=store)
        assert new and got.manifest_id == image.manifest_id and got.phash == image.phash
        assert repository.ingest_store(reg, image.store_bytes, trust=store)[1] is False
        reg.add([text])  # as `sign` registers: the store bytes are kept too
        assert repository.store_bytes(reg, text.manifest_id) == text.store_bytes
        assert repository.store_bytes(reg, "urn:c2pa:none") is None
        with pytest.raises(NotRegistrable):
            repository.ingest_store(reg, b"not a store", trust=store)
        iscc = dict(image.soft_bindings)["io.iscc.v0"]
        found = repository.lookup_binding(reg, "io.iscc.v0", iscc, limit=5)
        assert [m.manifest_id for m in found] == [image.manifest_id]
        assert repository.add_binding(reg, image.manifest_id, "com.example.mark", "QQ==")
        assert not repository.add_binding(reg, "urn:c2pa:none", "com.example.mark", "QQ==")
        assert repository.move_binding(reg, text.manifest_id, "com.example.mark", "QQ==")
        assert repository.move_binding(reg, text.manifest_id, "com.example.mark", "Qg==") is None
        found = repository.lookup_binding(reg, "com.example.mark", "QQ==", limit=5)
        assert [m.manifest_id for m in found] == [text.manifest_id]
        assert repository.delete_manifest(reg, text.manifest_id)
        assert not repository.delete_manifest(reg, text.manifest_id)
        assert repository.lookup_binding(reg, "com.example.mark", "QQ==", limit=5) == []
        assert repository.store_bytes(reg, text.manifest_id) is None
