"""The command line's cache of compiled dataclass methods (cli/dataclass_cache.py) makes the
same methods as ``dataclasses`` does, and is never read from a file others could write."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]

#: Installs the cache, makes classes, and compares them with the same classes made without it.
_PROBE = '''
import dataclasses, sys
from provenance.cli import dataclass_cache
dataclass_cache.install()
hooked = "exec" in vars(dataclasses)

def make():
    @dataclasses.dataclass(frozen=True)
    class Point:
        x: int
        y: int = 0
        tags: tuple[str, ...] = dataclasses.field(default_factory=tuple)

    @dataclasses.dataclass(order=True)
    class Plain:
        name: str = "a"
    return Point, Plain

Point, Plain = make()
hook = vars(dataclasses).pop("exec", None)
Point2, Plain2 = make()  # compiled by dataclasses itself
if hook is not None:
    vars(dataclasses)["exec"] = hook
for a, b in ((Point, Point2), (Plain, Plain2)):
    for name in ("__init__", "__repr__", "__eq__", "__setattr__", "__lt__", "__hash__"):
        fa, fb = getattr(a, name, None), getattr(b, name, None)
        fa, fb = getattr(fa, "__wrapped__", fa), getattr(fb, "__wrapped__", fb)  # __repr__
        if hasattr(fa, "__code__"):
            assert fa.__code__ == fb.__code__, name
            assert fa.__code__.co_flags == fb.__code__.co_flags, name
assert repr(Point(1, 2)).endswith("Point(x=1, y=2, tags=())") and Point(1) == Point(1, 0)
assert hash(Point(1)) == hash(Point(1))
try:
    Point(1).x = 2
except dataclasses.FrozenInstanceError:
    pass
else:
    raise AssertionError("not frozen")
from provenance.report import Report  # the package's own classes, through the cache
assert Report(path="a", media_type="image/jpeg", status="unsigned", origin="unknown").path == "a"
print("hooked" if hooked else "not hooked")
'''


def _probe(home: Path, *, write: bool = True) -> str:
    env = {**os.environ, "PROVENANCE_HOME": str(home)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if not write:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    proc = subprocess.run([sys.executable, "-c", _PROBE], cwd=PROJECT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.strip()


def _cache(home: Path) -> list[Path]:
    return sorted((home / "cache").glob("dataclasses-*.marshal"))


def test_cached_methods_are_the_ones_dataclasses_makes(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    assert _probe(home, write=False) == "hooked" and not _cache(home)  # PYTHONDONTWRITEBYTECODE
    assert _probe(home) == "hooked"
    [cache] = _cache(home)
    size = cache.stat().st_size
    assert size > 1000 and cache.stat().st_mode & 0o077 == 0
    assert _probe(home) == "hooked"  # from the cache this time: the same methods
    assert cache.stat().st_size == size  # nothing new to add


def test_a_cache_others_can_write_or_a_damaged_one_is_not_used(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    _probe(home)
    [cache] = _cache(home)
    from provenance.cli import dataclass_cache

    assert dataclass_cache._load(str(cache))  # private: read
    cache.chmod(0o666)
    assert dataclass_cache._load(str(cache)) == {}  # others may write it: never read
    cache.chmod(0o600)
    (home / "cache").chmod(0o777)
    assert dataclass_cache._load(str(cache)) == {}  # nor from a folder others may write
    (home / "cache").chmod(0o700)
    cache.write_bytes(cache.read_bytes()[:200])
    assert dataclass_cache._load(str(cache)) == {}  # cut short
    assert _probe(home) == "hooked"  # and the classes are compiled as without a cache


def test_no_home_no_cache(tmp_path: Path) -> None:
    assert _probe(tmp_path / "absent") == "not hooked"
    assert not (tmp_path / "absent").exists()
