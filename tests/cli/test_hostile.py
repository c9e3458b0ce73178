"""Hostile input through the real CLI (issue 10): each input is really built, each run is a real
``python -m provenance`` process, and each must end with one clear line and the right exit code
within a generous bound (the real figures are in ``bench/hostile.py``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.assets import hostile
from tests.cli.helpers import EXIT_FAILED, EXIT_OK, EXIT_USAGE, PROJECT, describe, run

# Generous: each of these takes well under a second; the bound only catches a quadratic
# blow-up or a hang (before the fix: minutes, or never).
BOUND = 20.0


def _timed(*args: object, **kw: object) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.perf_counter()
    proc = run(*args, timeout=120, **kw)  # type: ignore[arg-type]
    return proc, time.perf_counter() - start


def _one_line_error(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr, describe(proc)
    assert proc.stderr.strip(), describe(proc)


@pytest.fixture(scope="module")
def wrappers_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "wrappers.txt"
    path.write_text(hostile.many_wrappers())
    assert path.stat().st_size > 1_300_000
    return path


def test_many_a8_wrappers_verify_and_inspect_quickly(wrappers_file: Path) -> None:
    proc, took = _timed("verify", wrappers_file)
    assert proc.returncode == EXIT_FAILED, describe(proc)
    assert "multipleWrappers" in proc.stderr
    assert took < BOUND
    proc, took = _timed("inspect", wrappers_file)
    assert proc.returncode == EXIT_OK, describe(proc)
    assert "200000 manifest wrappers" in proc.stdout + proc.stderr
    assert took < BOUND


def test_many_a8_wrappers_sign_quickly(wrappers_file: Path, identity_dir: Path,
                                       tmp_path: Path) -> None:
    proc, took = _timed("sign", "--identity", identity_dir, wrappers_file,
                        "-o", tmp_path / "out.txt")
    assert took < BOUND, describe(proc)
    if proc.returncode:
        _one_line_error(proc)


def test_unclosed_c2pa_scripts_verify_and_sign_quickly(tmp_path: Path,
                                                       identity_dir: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(hostile.unclosed_scripts())
    proc, took = _timed("verify", page)
    assert proc.returncode == EXIT_FAILED, describe(proc)
    assert took < BOUND
    proc, took = _timed("sign", "--identity", identity_dir, page, "-o", tmp_path / "s.html")
    assert proc.returncode == EXIT_OK, describe(proc)
    assert took < BOUND
    proc = run("verify", tmp_path / "s.html")
    assert proc.returncode == EXIT_OK, describe(proc)


def test_docx_with_100k_members_is_refused_before_anything_is_written(
        tmp_path: Path, identity_dir: Path) -> None:
    docx = hostile.docx_many_members(tmp_path / "members.docx")
    out = tmp_path / "out.docx"
    proc, took = _timed("sign", "--identity", identity_dir, docx, "-o", out)
    assert proc.returncode == EXIT_USAGE, describe(proc)
    assert "100,001 members" in proc.stderr
    assert took < BOUND
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["members.docx"]


@pytest.mark.parametrize("lie", [False, True], ids=["honest-directory", "lying-directory"])
def test_4gib_zip_bomb_is_refused_with_exit_2(tmp_path: Path, identity_dir: Path,
                                             lie: bool) -> None:
    bomb = hostile.zip_bomb(tmp_path / "bomb.docx", lie=lie)
    assert bomb.stat().st_size < 8 << 20
    before = bomb.read_bytes()
    out = tmp_path / "out.docx"
    out.write_bytes(b"an existing output")
    # --force: the existing output may be replaced, so only the bomb can stop the signing.
    proc, took = _timed("sign", "--identity", identity_dir, bomb, "-o", out, "--force")
    assert proc.returncode == EXIT_USAGE, describe(proc)
    _one_line_error(proc)
    assert ("ZIP bomb" in proc.stderr) if not lie else ("not what the ZIP directory says"
                                                        in proc.stderr)
    assert took < BOUND
    assert out.read_bytes() == b"an existing output"
    assert bomb.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bomb.docx", "out.docx"]


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_devices_are_refused(device: str, identity_dir: Path, tmp_path: Path) -> None:
    if not Path(device).exists():
        pytest.skip(f"no {device}")
    for args in (("sign", "--identity", identity_dir, device, "-o", tmp_path / "o.txt"),
                 ("verify", device)):
        proc, took = _timed(*args)
        assert proc.returncode == EXIT_USAGE, describe(proc)
        assert "is a device, not a regular file" in proc.stderr
        assert took < BOUND


def test_fifo_named_directly_is_refused_not_waited_on(tmp_path: Path,
                                                      identity_dir: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    proc, took = _timed("sign", "--identity", identity_dir, fifo, "-o", tmp_path / "o.txt")
    assert proc.returncode == EXIT_USAGE, describe(proc)
    assert "named pipe (FIFO)" in proc.stderr
    assert took < BOUND


def _stdin_zero(*args: object, env: dict[str, str] | None = None
                ) -> subprocess.CompletedProcess[bytes]:
    with open("/dev/zero", "rb") as zero:
        return subprocess.run([sys.executable, "-m", "provenance", *map(str, args)],
                              cwd=PROJECT, stdin=zero, capture_output=True, timeout=120,
                              env={**os.environ, **(env or {})}, check=False)


def test_endless_stdin_is_capped(identity_dir: Path) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    proc = _stdin_zero("sign", "--identity", identity_dir, "--max-stdin-mb", "8", "-")
    assert proc.returncode == EXIT_USAGE, proc.stderr
    err = proc.stderr.decode()
    assert "stdin holds more than 8 MiB" in err and "--max-stdin-mb" in err
    assert "Traceback" not in err
    assert proc.stdout == b""
    proc = _stdin_zero("verify", "--max-stdin-mb", "4", "-")
    assert proc.returncode == EXIT_USAGE
    assert "stdin holds more than 4 MiB" in proc.stderr.decode()


def test_stdin_cap_comes_from_config_toml(identity_dir: Path, home: Path) -> None:
    (home / "config.toml").write_text("[limits]\nmax_stdin_mb = 2\n")
    proc = _stdin_zero("sign", "--identity", identity_dir, "-")
    assert proc.returncode == EXIT_USAGE
    assert "more than 2 MiB" in proc.stderr.decode()


def test_bad_limit_in_config_toml_is_one_clear_line(home: Path, tmp_path: Path) -> None:
    (home / "config.toml").write_text('[limits]\nfile_timeout = "soon"\n')
    (tmp_path / "a.txt").write_text("A text.\n")
    proc = run("verify", tmp_path / "a.txt")
    assert proc.returncode == EXIT_USAGE, describe(proc)
    assert "[limits] file_timeout must be" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_file_timeout_option_and_config_key_are_accepted(tmp_path: Path, home: Path) -> None:
    """The stopping itself is tested with a really slow file in tests/batch/test_limits.py;
    here the CLI passes --file-timeout and file_timeout through."""
    for i in range(2):
        (tmp_path / f"ok{i}.txt").write_text(f"A fine text {i}.\n")
    proc = run("verify", tmp_path / "ok0.txt", tmp_path / "ok1.txt", "--file-timeout", "30",
               "--fail-on", "invalid")
    assert proc.returncode == EXIT_OK, describe(proc)
    (home / "config.toml").write_text("[limits]\nfile_timeout = 30\n")
    proc = run("verify", "-j", "2", tmp_path / "ok0.txt", tmp_path / "ok1.txt",
               "--fail-on", "invalid")
    assert proc.returncode == EXIT_OK, describe(proc)
    proc = run("verify", tmp_path / "ok0.txt", "--file-timeout", "0")
    assert proc.returncode == EXIT_USAGE


def test_thumbnail_of_a_decompression_bomb_is_bad_input(tmp_path: Path,
                                                        identity_dir: Path) -> None:
    from PIL import Image

    bomb = tmp_path / "bomb.png"
    Image.new("1", (20_000, 20_000)).save(bomb, optimize=True)  # 400 Mpixel, a few KB
    assert bomb.stat().st_size < 1 << 20
    out = tmp_path / "out.png"
    proc = run("sign", "--identity", identity_dir, "--thumbnail", bomb, "-o", out)
    assert proc.returncode == EXIT_USAGE, describe(proc)
    assert "cannot make a thumbnail" in proc.stderr and "without --thumbnail" in proc.stderr
    assert not out.exists()
