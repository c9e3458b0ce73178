"""Per-file time limits and workers that die with their parent (issue 10), with real pools."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import provenance.batch
from provenance.batch.worker_state import FileTimeout, time_limit
from provenance.policy import default_policy
from provenance.report import Report


class SlowOn:
    """A policy (a library user's own) that takes ``seconds`` on files named ``name``: the
    stand-in for a pathological file that never finishes."""

    def __init__(self, name: str, seconds: float) -> None:
        self.name, self.seconds = name, seconds

    def check(self, report: Report) -> list[str]:
        if Path(report.path).name == self.name:
            end = time.monotonic() + self.seconds
            while time.monotonic() < end:  # busy, as a parser stuck in a loop would be
                sum(range(1000))
        return default_policy().check(report)


def test_time_limit_interrupts_a_busy_loop() -> None:
    start = time.monotonic()
    with pytest.raises(FileTimeout, match=r"took longer than 0\.2 s"), time_limit(0.2):
        while True:
            sum(range(1000))
    assert time.monotonic() - start < 5
    with time_limit(5):  # and leaves no alarm behind
        pass
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


@pytest.mark.parametrize("jobs", [1, 2])
def test_one_slow_file_fails_with_its_reason_and_the_rest_go_on(tmp_path: Path,
                                                                 jobs: int) -> None:
    files = []
    for name in ("a.txt", "slow.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text(f"A text called {name}.\n")
        files.append(tmp_path / name)
    start = time.monotonic()
    with provenance.batch.executor(jobs) as ex:
        results = list(provenance.batch.verify(
            files, policy=SlowOn("slow.txt", 600), executor=ex, file_timeout=1.0,
            unsigned="warn"))
    assert time.monotonic() - start < 60
    by_name = {Path(r.path).name: r for r in results}
    assert list(by_name) == ["a.txt", "slow.txt", "b.txt", "c.txt"]
    slow = by_name["slow.txt"]
    assert isinstance(slow, provenance.batch.Failed)
    assert "took longer than 1 s" in slow.reasons[0]
    assert slow.exit_code == 2
    assert all(isinstance(by_name[n], provenance.batch.Verified)
               for n in ("a.txt", "b.txt", "c.txt"))


_KILL_SCRIPT = r"""
import os, sys, time
from pathlib import Path
import provenance.batch
sys.path.insert(0, sys.argv[2])
from tests.batch.test_limits import SlowOn
files = [Path(sys.argv[1]) / f"f{i}.txt" for i in range(8)]
with provenance.batch.executor(2) as ex:
    for _ in provenance.batch.verify(files, policy=SlowOn("f0.txt", 600), executor=ex,
                                     unsigned="warn"):
        pass
"""


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_die_with_their_parent_after_kill_9(tmp_path: Path) -> None:
    for i in range(8):
        (tmp_path / f"f{i}.txt").write_text(f"text {i}\n")
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen([sys.executable, "-c", _KILL_SCRIPT, str(tmp_path), str(root)],
                            cwd=root)
    workers: list[int] = []
    deadline = time.monotonic() + 60
    while len(workers) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
        workers = _children(proc.pid)
    assert len(workers) >= 2, "the pool never started"
    time.sleep(1)  # one worker is now busy on f0.txt
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    alive = workers
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [w for w in alive if Path(f"/proc/{w}").exists()
                 and "Z" not in (Path(f"/proc/{w}/stat").read_text().rsplit(")", 1)[1][:3])]
    assert not alive, f"workers {alive} outlived their parent"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sign_j2_killed_leaves_no_worker_signing(tmp_path: Path, identity_dir: Path) -> None:
    """`provenance sign -j 2` killed with SIGKILL: its workers stop at once (they hold the
    decrypted key), no output appears afterwards, and no temp file a rerun would keep."""
    src = tmp_path / "src"
    src.mkdir()
    for i in range(600):
        (src / f"n{i:03}.txt").write_text(f"Human note {i}.\n" * 50)
    out = tmp_path / "out"
    out.mkdir()
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen([sys.executable, "-m", "provenance", "sign", "--identity",
                             str(identity_dir), "-r", str(src), "--out-dir", str(out),
                             "-j", "2", "-q"], cwd=root, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(list(out.glob("*.txt"))) < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = _children(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    time.sleep(2)
    alive = [w for w in workers if Path(f"/proc/{w}").exists()
             and "Z" not in Path(f"/proc/{w}/stat").read_text().rsplit(")", 1)[1][:3]]
    assert not alive, f"workers {alive} outlived their parent"
    done = sorted(p.name for p in out.iterdir())
    time.sleep(1.5)
    assert sorted(p.name for p in out.iterdir()) == done  # nobody goes on signing
    assert len([n for n in done if not n.startswith(".")]) < 600
    # A rerun finishes the job and leaves no temp file behind.
    rerun = subprocess.run([sys.executable, "-m", "provenance", "sign", "--identity",
                            str(identity_dir), "-r", str(src), "--out-dir", str(out), "-j", "2",
                            "-q"], cwd=root, capture_output=True, text=True, timeout=300,
                           check=False)
    assert rerun.returncode == 0, rerun.stderr
    names = [p.name for p in out.iterdir()]
    assert len(names) == 600 and not [n for n in names if n.endswith(".tmp")]
