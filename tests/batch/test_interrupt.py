"""Ctrl-C in the middle of a batch: exit 130, no partial report, no temp or truncated files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from provenance import batch
from provenance.identity import Identity
from tests.assets import build as assets
from tests.cli.helpers import PROJECT

N = 1500  # enough that the run is still going when the signal lands


def _start(*args: object) -> subprocess.Popen[str]:
    env = os.environ.copy()
    env.pop("PROVENANCE_DEBUG", None)
    return subprocess.Popen(
        [sys.executable, "-m", "provenance", *map(str, args)], cwd=PROJECT, env=env,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _interrupt_after_first_result(proc: subprocess.Popen[str]) -> tuple[str, str]:
    assert proc.stderr is not None
    first = proc.stderr.readline()  # the first OK line: work is under way
    assert first.startswith(("OK", "FAIL")), first
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    out, rest = proc.communicate(timeout=60)
    return out, first + rest


def _leftovers(*roots: Path) -> list[Path]:
    return [p for r in roots for p in r.rglob("*") if p.name.endswith(".tmp")]


def test_sigint_while_signing(tmp_path: Path, identity_dir: Path, identity: Identity) -> None:
    src = tmp_path / "src"
    src.mkdir()
    data = assets.image_bytes("JPEG", size=(64, 48))
    for i in range(N):
        (src / f"p{i:04d}.jpg").write_bytes(data)
    out = tmp_path / "out"
    out.mkdir()
    report = tmp_path / "report.json"
    proc = _start("sign", "--identity", identity_dir, src, "-r", "--out-dir", out, "-j", "2",
                  "--report", report)
    _, err = _interrupt_after_first_result(proc)
    assert proc.returncode == 130, err[-2000:]
    assert "interrupted" in err and "Traceback" not in err, err[-2000:]
    assert not report.exists()
    assert _leftovers(tmp_path) == []
    written = sorted(out.iterdir())
    assert 0 < len(written) < N, len(written)  # really stopped half-way
    # Every output that exists is whole: it verifies as trusted.
    with batch.executor(2) as ex:
        results = list(batch.verify(written, executor=ex))
    assert all(isinstance(r, batch.Verified) for r in results), \
        [r for r in results if not isinstance(r, batch.Verified)][:3]


def test_sigint_while_verifying(tmp_path: Path, identity: Identity) -> None:
    signed = batch.sign([_one_jpeg(tmp_path)], identity=identity, out_dir=tmp_path / "one")
    first = next(signed)
    assert isinstance(first, batch.Signed), first
    data = first.output.read_bytes()
    tree = tmp_path / "tree"
    tree.mkdir()
    for i in range(2 * N):
        (tree / f"s{i:04d}.jpg").write_bytes(data)
    report = tmp_path / "report.json"
    proc = _start("verify", tree, "--recursive", "-j", "2", "--output", report)
    _, err = _interrupt_after_first_result(proc)
    assert proc.returncode == 130, err[-2000:]
    assert "Traceback" not in err
    assert not report.exists()
    assert _leftovers(tmp_path) == []


def _one_jpeg(tmp_path: Path) -> Path:
    p = tmp_path / "one.jpg"
    p.write_bytes(assets.image_bytes("JPEG"))
    (tmp_path / "one").mkdir()
    return p
