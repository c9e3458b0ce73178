"""Helpers for the CLI tests: run ``python -m provenance`` as a real subprocess and check that
errors are one clean line and that nothing on disk was lost."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[2]
SCHEMAS = PROJECT / "provenance" / "schemas"

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_OPERATIONAL = 0, 1, 2, 3


def run(*args: object, env: Mapping[str, str] | None = None,
        unset: Iterable[str] = (), timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a fresh interpreter; ``env`` adds/overrides variables of os.environ."""
    full = os.environ.copy()
    full.pop("PROVENANCE_DEBUG", None)  # the CLI must never print a traceback on its own
    for name in unset:
        full.pop(name, None)
    if env:
        full.update(env)
    return subprocess.run(
        [sys.executable, "-m", "provenance", *map(str, args)],
        cwd=PROJECT, env=full, capture_output=True, text=True, timeout=timeout,
        stdin=subprocess.DEVNULL, check=False,
    )


def describe(proc: subprocess.CompletedProcess[str]) -> str:
    return (f"exit {proc.returncode}\n--- stdout ---\n{proc.stdout}\n"
            f"--- stderr ---\n{proc.stderr}")


def lines(text: str) -> list[str]:
    return [ln for ln in text.strip().splitlines() if ln.strip()]


def assert_no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr, describe(proc)
    assert "Traceback" not in proc.stdout, describe(proc)


def assert_one_error_line(proc: subprocess.CompletedProcess[str], code: int,
                          *needles: str) -> str:
    """Exit ``code``, exactly one non-empty stderr line holding every needle, no traceback."""
    assert proc.returncode == code, describe(proc)
    assert_no_traceback(proc)
    text = proc.stderr.strip()
    assert text, describe(proc)
    for needle in needles:
        assert needle in text, f"{needle!r} not in stderr\n{describe(proc)}"
    # Checked last so that a stray extra line does not hide the checks above.
    assert len(text.splitlines()) == 1, f"expected ONE stderr line\n{describe(proc)}"
    return text


def ok_lines(proc: subprocess.CompletedProcess[str]) -> list[str]:
    """The OK/FAIL lines of a run; other stderr lines may only be notes or warnings."""
    result, other = [], []
    for ln in lines(proc.stderr):
        (result if ln.startswith(("OK", "FAIL")) else other).append(ln)
    assert all(ln.startswith(("note:", "warning:")) for ln in other), describe(proc)
    return result


# -- "nothing was lost" -------------------------------------------------------------------------


def snapshot(*roots: Path) -> dict[str, bytes]:
    """Every regular file under ``roots``: absolute path -> bytes (directories included as
    markers so that a new empty directory shows too). The recovery registry that ``sign``
    updates by design (``registry.sqlite3*``) is left out; tests/registry checks it."""
    out: dict[str, bytes] = {}
    for root in roots:
        if not root.exists():
            continue
        if root.is_file():
            out[str(root)] = root.read_bytes()
            continue
        for p in sorted(root.rglob("*")):
            if p.name.startswith("registry.sqlite3"):
                continue
            if p.is_symlink():
                out[str(p)] = b"->" + os.readlink(p).encode()
            elif p.is_file():
                out[str(p)] = p.read_bytes()
            elif p.is_dir():
                out[str(p) + "/"] = b"<dir>"
    return out


def assert_unchanged(before: dict[str, bytes], after: dict[str, bytes],
                     *, added: Iterable[Path] = (), changed: Iterable[Path] = ()) -> None:
    """``after`` equals ``before`` except for exactly ``added`` new files and ``changed`` ones."""
    want_added = {str(p) for p in added}
    want_changed = {str(p) for p in changed}
    new = set(after) - set(before)
    gone = set(before) - set(after)
    modified = {k for k in set(before) & set(after) if before[k] != after[k]}
    assert not gone, f"files disappeared: {sorted(gone)}"
    assert new == want_added, f"new files {sorted(new)}, expected {sorted(want_added)}"
    assert modified == want_changed, \
        f"changed files {sorted(modified)}, expected {sorted(want_changed)}"


# -- JPEG surgery -------------------------------------------------------------------------------


def jpeg_scan_range(data: bytes) -> tuple[int, int]:
    """Start and end of the entropy-coded data of the first scan."""
    pos = 2
    while pos + 4 <= len(data):
        assert data[pos] == 0xFF, f"bad marker at {pos}"
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        length = struct.unpack(">H", data[pos + 2:pos + 4])[0]
        if marker == 0xDA:
            start = pos + 2 + length
            return start, len(data) - 2
        pos += 2 + length
    raise AssertionError("no start of scan")


def flip_entropy_byte(data: bytes) -> bytes:
    """Change one byte of the image data (never creating or breaking a 0xFF marker)."""
    start, end = jpeg_scan_range(data)
    buf = bytearray(data)
    for i in range((start + end) // 2, end):
        if buf[i] not in (0xFF, 0xFE, 0x00) and buf[i - 1] != 0xFF:
            buf[i] ^= 0x01
            return bytes(buf)
    raise AssertionError("no byte to flip")


# -- JSON schemas -------------------------------------------------------------------------------


def load_schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / name).read_text())


def report_validator() -> Any:
    from jsonschema import Draft202012Validator

    schema = load_schema("report-v1.json")
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def inspect_validator() -> Any:
    """Validator for inspect-v1.json (``inspect --json``), its report ``$ref`` resolved."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    report = load_schema("report-v1.json")
    inspect = load_schema("inspect-v1.json")
    Draft202012Validator.check_schema(inspect)
    registry: Registry[Any] = Registry().with_resources([
        (report["$id"], Resource.from_contents(report)),
        (inspect["$id"], Resource.from_contents(inspect)),
    ])
    return Draft202012Validator(inspect, registry=registry)


def results_validator() -> Any:
    """Validator for results-v1.json with its ``$ref: report-v1.json`` resolved locally."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    report = load_schema("report-v1.json")
    results = load_schema("results-v1.json")
    Draft202012Validator.check_schema(results)
    registry: Registry[Any] = Registry().with_resources([
        (report["$id"], Resource.from_contents(report)),
        (results["$id"], Resource.from_contents(results)),
    ])
    return Draft202012Validator(results, registry=registry)
