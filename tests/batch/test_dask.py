"""`--executor dask://HOST:PORT` on a local Dask cluster gives what `-j 1` gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provenance.identity import Identity
from tests.batch.conftest import Mixed
from tests.cli.helpers import EXIT_OK, EXIT_USAGE, describe, run

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():  # type: ignore[no-untyped-def]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", scheduler_port=0,
                                  dashboard_address=None) as c:
        yield c


def test_verify_on_dask_matches_local(cluster, mixed: Mixed,  # type: ignore[no-untyped-def]
                                      identity: Identity) -> None:
    address = cluster.scheduler_address.replace("tcp://", "dask://")
    files = [str(p) for p in sorted((mixed.root / "photos").glob("signed-00*.jpg"))]
    files += [str(mixed.root / "partners" / "stranger-000.jpg"),
              str(mixed.root / "inbox" / "unsigned-000.jpg"),
              str(mixed.root / "misc" / "legacy-000.bmp"),
              str(mixed.root / "photos" / "edited" / "*.jpg")]
    local = run("verify", *files, "--jsonl", "-j", "1")
    remote = run("verify", *files, "--jsonl", "--executor", address)
    assert local.returncode == remote.returncode == EXIT_USAGE  # the named .bmp
    assert len(local.stdout.splitlines()) == 10 + 3 + 20
    assert remote.stdout == local.stdout
    assert json.loads(remote.stdout.splitlines()[0])["path"] == files[0]


def test_sign_on_dask(cluster, mixed: Mixed, identity_dir: Path,  # type: ignore[no-untyped-def]
                      tmp_path: Path) -> None:
    address = cluster.scheduler_address.replace("tcp://", "dask://")
    out = tmp_path / "out"
    out.mkdir()
    proc = run("sign", "--identity", identity_dir, mixed.root / "inbox", "-r", "--out-dir",
               out, "--executor", address, "--jsonl")
    assert proc.returncode == EXIT_OK, describe(proc)
    assert {json.loads(ln)["status"] for ln in proc.stdout.splitlines()} == {"signed"}
    assert len(list(out.iterdir())) == 40
    assert run("verify", out, "-r").returncode == EXIT_OK


def test_bad_executor_address(mixed: Mixed) -> None:
    proc = run("verify", mixed.root, "-r", "--executor", "spark://x:1")
    assert proc.returncode == EXIT_USAGE and "dask://HOST:PORT" in proc.stderr, describe(proc)
    proc = run("verify", mixed.root, "-r", "--executor", "dask://127.0.0.1:1",
               env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "1s"})
    assert proc.returncode != EXIT_OK and "Dask scheduler" in proc.stderr, describe(proc)
    assert "Traceback" not in proc.stderr
