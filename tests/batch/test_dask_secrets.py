"""The key's passphrase stays off the wire on Dask (issue 10): workers load the identity from
the shared path and take the passphrase from their own environment."""

from __future__ import annotations

import json
import os
import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest
from provenance.cli.sign import _signer_for

from provenance.identity import Identity
from tests.cli.helpers import EXIT_OK, describe, run

distributed = pytest.importorskip("distributed")

SECRET = "TEST-ONLY dask passphrase 7f3a"  # noqa: S105 (a test key's)


@pytest.fixture
def encrypted_dir(tmp_path: Path) -> Path:
    ident, root_key = Identity.create("TEST-ONLY Dask Signer")
    return ident.save(tmp_path / "id", password=SECRET.encode(), root_key=root_key)


def _cluster(env: dict[str, str | None]) -> Iterator[str]:
    saved = {k: os.environ.get(k) for k in env}
    for k, v in env.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    try:  # worker processes take the environment they are started with
        with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                      host="127.0.0.1", scheduler_port=0,
                                      dashboard_address=None) as c:
            yield c.scheduler_address.replace("tcp://", "dask://")
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def test_what_goes_to_dask_holds_no_secret(encrypted_dir: Path) -> None:
    ident = Identity.load(encrypted_dir, password=SECRET.encode())
    sent = _signer_for(ident, encrypted_dir, remote=True)
    blob = pickle.dumps(sent)
    assert SECRET.encode() not in blob
    assert ident.private_key_pem() not in blob
    assert b"PRIVATE KEY" not in blob


def _inputs(tmp_path: Path) -> tuple[Path, Path]:
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        (src / f"note{i}.txt").write_text(f"A human note, number {i}.\n")
    out = tmp_path / "out"
    out.mkdir()
    return src, out


def test_workers_sign_with_their_own_passphrase(encrypted_dir: Path, tmp_path: Path) -> None:
    src, out = _inputs(tmp_path)
    for address in _cluster({"PROVENANCE_KEY_PASSWORD": SECRET}):
        proc = run("sign", "--identity", encrypted_dir, src, "-r", "--out-dir", out,
                   "--executor", address, "--jsonl", env={"PROVENANCE_KEY_PASSWORD": SECRET})
        assert proc.returncode == EXIT_OK, describe(proc)
        assert {json.loads(ln)["status"] for ln in proc.stdout.splitlines()} == {"signed"}


def test_workers_without_the_passphrase_fail_clearly(encrypted_dir: Path,
                                                     tmp_path: Path) -> None:
    """The CLI knows the passphrase; the workers were not given it: if it travelled with the
    work they would sign. They refuse, each file with the reason."""
    src, out = _inputs(tmp_path)
    for address in _cluster({"PROVENANCE_KEY_PASSWORD": None,
                             "PROVENANCE_KEY_PASSWORD_FILE": None}):
        proc = run("sign", "--identity", encrypted_dir, src, "-r", "--out-dir", out,
                   "--executor", address, "--jsonl", env={"PROVENANCE_KEY_PASSWORD": SECRET})
        assert proc.returncode != EXIT_OK
        assert "encrypted and no passphrase was given" in proc.stderr, describe(proc)
        assert "Traceback" not in proc.stderr
        assert list(out.iterdir()) == []
