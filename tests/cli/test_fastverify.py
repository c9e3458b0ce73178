"""``provenance verify FILE... [flags]`` runs without typer (cli/fastverify.py): the same
verification, output and exit code as typer's path, which every other form still takes."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import pytest

from tests.cli.helpers import describe, flip_entropy_byte, run

#: An option with a value (its default, so nothing changes) sends a call to typer.
THROUGH_TYPER = ("--domain-max-age", "3600")


def _click_verify() -> object:
    from provenance.cli.app import load_verb

    return load_verb("verify")


def test_the_flag_table_is_typers_own() -> None:
    """Every flag the fast path takes is a value-less option of typer's `verify`, for the
    parameter and value typer gives it; every such option is in the table; none reads an
    environment variable (the fast path would not)."""
    from provenance.cli.fastverify import FLAGS

    command = _click_verify()
    by_flag: dict[str, tuple[str, bool]] = {}
    for param in command.params:  # type: ignore[attr-defined]
        assert not getattr(param, "envvar", None), param.name
        if param.param_type_name != "option" or not param.is_flag or param.name == "help":
            continue
        for opt in param.opts:
            by_flag[opt] = (param.name, True)
        for opt in param.secondary_opts:
            by_flag[opt] = (param.name, False)
    assert FLAGS == by_flag


def test_fast_path_defaults_are_the_commands() -> None:
    from provenance.cli.verify import verify_cmd
    from provenance.cli.verify_run import verify_files

    cmd = inspect.signature(verify_cmd).parameters
    fast = inspect.signature(verify_files).parameters
    assert list(cmd) == list(fast)
    for name, param in cmd.items():
        assert fast[name].default == param.default, name


@pytest.mark.parametrize("argv", [
    ["verify", "-"],  # what stdin gets: not a path
    ["verify"],
    ["verify", "--", "x.jpg"],
    ["verify", "-rq", "x.jpg"],
    ["verify", "--jsn", "x.jpg"],
    ["verify", "--json=1", "x.jpg"],
    ["verify", "--trust", "root.pem", "x.jpg"],
    ["verify", "x.jpg", "-h"],
])
def test_what_the_fast_path_leaves_to_typer(argv: list[str]) -> None:
    from provenance.cli.fastverify import parse

    parsed = parse(argv[1:])
    if argv[1:] == ["-"]:
        assert parsed == ([Path("-")], {})
    else:
        assert parsed is None, argv


def _normal(text: str) -> str:
    """Timings out of the output: the rest must be byte for byte the same."""
    return re.sub(r'"(seconds|files_per_second)": [0-9.e+-]+', r'"\1": 0', text)


def _both(*args: object) -> tuple[object, object]:
    fast = run("verify", *args)
    slow = run("verify", *THROUGH_TYPER, *args)
    return fast, slow


def _same(fast, slow) -> None:  # type: ignore[no-untyped-def]
    assert fast.returncode == slow.returncode, describe(fast) + describe(slow)
    assert _normal(fast.stdout) == _normal(slow.stdout), describe(fast) + describe(slow)
    assert _normal(fast.stderr) == _normal(slow.stderr), describe(fast) + describe(slow)


def test_fast_and_typer_paths_agree(signed_jpeg: Path, files: dict[str, Path],
                                    tmp_path: Path) -> None:
    tampered = tmp_path / "tampered.jpg"
    tampered.write_bytes(flip_entropy_byte(signed_jpeg.read_bytes()))
    cases: list[tuple[object, ...]] = [
        (signed_jpeg,),
        (signed_jpeg, "--json"),
        (signed_jpeg, files["photo.jpg"], "--jsonl", "-q"),
        (tampered,),
        (files["photo.jpg"], "--no-lookup"),
        (tmp_path / "missing.jpg",),
        (signed_jpeg, "--require-trusted", "--require-identity", "--table"),
        (files["photo.png"], "--allow-ai", "--strict", "--no-summary"),
    ]
    codes = set()
    for case in cases:
        fast, slow = _both(*case)
        _same(fast, slow)
        codes.add(fast.returncode)  # type: ignore[attr-defined]
    assert codes == {0, 1, 2}, codes  # passed, failed and unreadable were all compared
    fast, _ = _both(signed_jpeg, "--json")
    assert json.loads(fast.stdout)["passed"] is True  # type: ignore[attr-defined]


def test_fast_path_usage_errors_match_typers(signed_jpeg: Path) -> None:
    """A usage error raised inside the command (not by the parser) is the same line and
    exit code on both paths."""
    fast, slow = _both(signed_jpeg, "--json", "--jsonl")
    _same(fast, slow)
    assert fast.returncode == 2 and "choose one of --json and --jsonl" in fast.stderr  # type: ignore[attr-defined]


def test_a_closed_stdout_ends_both_paths_alike(signed_jpeg: Path, tmp_path: Path) -> None:
    """`provenance verify ... --jsonl | head -c 10`: the reader goes away; exit 1 (as click
    does), no traceback, on both paths."""
    import os
    import shutil
    import subprocess
    import sys

    from tests.cli.helpers import PROJECT

    many = []
    for i in range(100):  # far more than is written before the reader closes
        copy = tmp_path / f"copy{i}.jpg"
        shutil.copyfile(signed_jpeg, copy)
        many.append(str(copy))
    env = {k: v for k, v in os.environ.items() if k != "PROVENANCE_DEBUG"}
    for extra in ((), THROUGH_TYPER):
        proc = subprocess.Popen(
            [sys.executable, "-m", "provenance", "verify", *extra, "--jsonl", *many],
            cwd=PROJECT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL)
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.read(10)
        proc.stdout.close()
        stderr = proc.stderr.read().decode()
        assert proc.wait(timeout=120) == 1, (extra, stderr)
        assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
