"""File inputs (issue 10): only regular files, bounded stdin, no stale temp files left."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from provenance._files import atomic_write, open_input, read_input, read_stdin
from provenance.errors import InputError


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "p"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match=r"named pipe \(FIFO\)"):
        open_input(fifo)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_device_is_refused() -> None:
    with pytest.raises(InputError, match="is a device"):
        read_input(Path("/dev/zero"))


def test_symlink_to_a_regular_file_is_fine(tmp_path: Path) -> None:
    (tmp_path / "real.txt").write_text("x")
    (tmp_path / "link.txt").symlink_to(tmp_path / "real.txt")
    assert read_input(tmp_path / "link.txt") == b"x"


def test_read_stdin_stops_at_the_cap() -> None:
    assert read_stdin(io.BytesIO(b"a" * (1 << 20)), 1) == b"a" * (1 << 20)
    with pytest.raises(InputError, match="more than 1 MiB"):
        read_stdin(io.BytesIO(b"a" * ((1 << 20) + 1)), 1)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_temp_files_of_killed_runs_are_removed_by_the_next_write(tmp_path: Path) -> None:
    dest = tmp_path / "out.txt"
    dead = _dead_pid()
    stale = tmp_path / f".out.txt.abc123xy.{dead}.tmp"
    stale.write_bytes(b"half written")
    stale2 = tmp_path / f".another.png.k_9m2zq0.{dead}.tmp"  # any output's, same folder
    stale2.write_bytes(b"half written")
    live = tmp_path / f".out.txt.def456xy.{os.getpid()}.tmp"  # a run in progress: kept
    live.write_bytes(b"in progress")
    other = tmp_path / ".other.txt.abc.1.tmp"  # not our temp-file shape: not ours to judge
    other.write_bytes(b"x")
    atomic_write(dest, 0o644, lambda fh: fh.write(b"done"))
    assert dest.read_bytes() == b"done"
    assert not stale.exists() and not stale2.exists()
    assert live.exists() and other.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [".other.txt.abc.1.tmp", live.name, "out.txt"])
