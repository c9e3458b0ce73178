"""``provenance --help`` from the help cache (cli/helpcache.py) is typer's own text, byte for
byte, and a cache that no longer fits the setting or the sources is never printed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]

#: Runs main() and writes the modules loaded to MODULES_TO (stdout stays the CLI's own).
_PROBE = ("import json, os, sys\n"
          "sys.argv = ['provenance', *sys.argv[1:]]\n"
          "from provenance.cli.main import main\n"
          "try:\n    main()\nexcept SystemExit as exc:\n    code = exc.code\nelse:\n    code = 0\n"
          "sys.stdout.flush()\n"
          "open(os.environ['MODULES_TO'], 'w').write(json.dumps(sorted(sys.modules)))\n"
          "sys.exit(code)\n")


def _help(argv: list[str], home: Path, tmp: Path, columns: int = 80,
          **env: str) -> tuple[bytes, bool]:
    """(stdout, whether typer was imported) of ``provenance ARGV`` in a fresh interpreter."""
    modules = tmp / "modules.json"
    full = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    full.update(PROVENANCE_HOME=str(home), COLUMNS=str(columns), MODULES_TO=str(modules), **env)
    proc = subprocess.run([sys.executable, "-c", _PROBE, *argv], cwd=PROJECT, env=full,
                          capture_output=True, timeout=120, check=False)
    assert proc.returncode == 0 and not proc.stderr, proc.stderr.decode()[-2000:]
    return proc.stdout, "typer" in json.loads(modules.read_text())


@pytest.mark.parametrize("columns", [80, 132])
def test_cached_help_is_typers_own_text(tmp_path: Path, columns: int) -> None:
    home = tmp_path / "home"
    home.mkdir()
    for argv in (["--help"], ["sign", "--help"], ["verify", "--help"]):
        rendered, typer_used = _help(argv, home, tmp_path, columns)
        assert typer_used and b"Usage: provenance" in rendered
        cached, typer_used = _help(argv, home, tmp_path, columns)
        assert not typer_used, f"{argv}: the second call should come from the cache"
        assert cached == rendered, argv
    # Without a home nothing is kept and typer renders every time: the same bytes.
    plain, typer_used = _help(["--help"], tmp_path / "none", tmp_path, columns)
    assert typer_used and plain == _help(["--help"], home, tmp_path, columns)[0]
    assert not (tmp_path / "none").exists()  # the cache never creates the home


def test_width_and_colour_settings_are_kept_apart(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    narrow, _ = _help(["--help"], home, tmp_path, 60)
    wide, _ = _help(["--help"], home, tmp_path, 140)
    assert narrow != wide
    assert _help(["--help"], home, tmp_path, 60) == (narrow, False)
    coloured, typer_used = _help(["--help"], home, tmp_path, 60, FORCE_COLOR="1")
    assert typer_used and b"\x1b[" in coloured and coloured != narrow
    assert _help(["--help"], home, tmp_path, 60, FORCE_COLOR="1") == (coloured, False)


def _entries(home: Path) -> list[Path]:
    return sorted((home / "cache" / "help").iterdir())


def test_a_changed_source_or_a_damaged_entry_is_not_printed(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    rendered, _ = _help(["--help"], home, tmp_path)
    [entry] = _entries(home)
    # The entry is what the next call prints (the proof that the cache is read) ...
    entry.write_text("provenance help cache 1 6\nSTALE\n", encoding="utf-8")
    assert _help(["--help"], home, tmp_path) == (b"STALE\n", False)
    # ... until a source file of the package changes (its modification time here).
    source = PROJECT / "cli" / "topics.py"
    before = source.stat()
    try:
        os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000))
        again, typer_used = _help(["--help"], home, tmp_path)
        assert typer_used and again == rendered
    finally:
        os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns))
    # A cut-short entry (its length does not match) is passed over and rendered again.
    [entry] = [e for e in _entries(home) if e.read_text(encoding="utf-8").endswith("STALE\n")]
    entry.write_text(f"provenance help cache 1 {len(rendered) + 5}\n" + rendered.decode()[:50],
                     encoding="utf-8")
    assert _help(["--help"], home, tmp_path) == (rendered, True)


def test_an_oversized_entry_is_not_read(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    rendered, _ = _help(["--help"], home, tmp_path)
    [entry] = _entries(home)
    # A well-formed header in front of 2 MiB: longer than any help text, so never read whole.
    body = "x" * (2 << 20)
    entry.write_text(f"provenance help cache 1 {len(body)}\n{body}", encoding="utf-8")
    assert _help(["--help"], home, tmp_path) == (rendered, True)


def test_an_unwritable_cache_never_fails_the_call(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "cache").write_text("not a folder")
    first, typer_used = _help(["verify", "--help"], home, tmp_path)
    assert typer_used and b"verify" in first
    assert _help(["verify", "--help"], home, tmp_path) == (first, True)


def test_only_help_calls_are_cached() -> None:
    from provenance.cli.helpcache import is_help_call

    assert is_help_call(["--help"]) and is_help_call(["-h"])
    assert is_help_call(["identity", "create", "--help"])
    assert not is_help_call([])
    assert not is_help_call(["verify", "x.jpg", "--help"])  # a file name: not a verb
    assert not is_help_call(["verify", "--json", "--help"])
    assert not is_help_call(["--help", "verify"])
    assert not is_help_call(["a", "b", "c", "--help"])
