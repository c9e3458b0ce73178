"""``provenance doctor`` on the command line: the table and advice on stderr, the
``provenance.doctor/v1`` document on stdout, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from provenance.identity import Identity
from provenance.registry import open_registry
from tests.cli.helpers import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    assert_no_traceback,
    assert_one_error_line,
    describe,
    load_schema,
    run,
)


def _validator() -> Any:
    from jsonschema import Draft202012Validator

    schema = load_schema("doctor-v1.json")
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_json_validates_for_every_sample(published: tuple[list[Path], str, Path],
                                         identity: Identity) -> None:
    signed, dsn, _ = published
    proc = run("doctor", *signed, "--registry", dsn, "--json")
    assert proc.returncode == EXIT_OK, describe(proc)
    doc = json.loads(proc.stdout)
    errors = sorted(_validator().iter_errors(doc), key=str)
    assert not errors, errors[0]
    assert doc["schema"] == "provenance.doctor/v1" and doc["survives"] is True
    assert [f["path"] for f in doc["files"]] == [str(p) for p in signed]
    coffee = next(f for f in doc["files"] if f["path"].endswith("photo-coffee.jpg"))
    insta = next(c for c in coffee["channels"] if c["channel"] == "instagram")
    assert insta["hard_binding"]["state"] == "gone"
    assert insta["soft_binding"]["state"] == "recovered"
    assert insta["soft_binding"]["manifest_id"] == coffee["manifest_id"]
    assert proc.stderr == ""  # --json: the document only


def test_table_advice_and_exit_codes(published: tuple[list[Path], str, Path],
                                     identity: Identity, tmp_path: Path) -> None:
    signed, dsn, _ = published
    essay = next(p for p in signed if p.name == "essay-hands.txt")
    proc = run("doctor", essay, "--through", "copy-paste", "--registry", dsn,
               env={"COLUMNS": "160"})  # wide enough for "what the channel did"
    assert proc.returncode == EXIT_OK, describe(proc)
    assert_no_traceback(proc)
    assert "copy-paste: into a web form" in proc.stderr
    assert "recovered, 100" in proc.stderr
    assert "NFKC, invisible characters removed" in proc.stderr
    assert "advice: on copy-paste (into a web form) only the registry leads back" in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("OK   ")
    # Not in the registry asked: nothing leads back after Instagram -> exit 1, with advice.
    empty = tmp_path / "empty.sqlite3"
    open_registry(f"sqlite:///{empty}").close()
    coffee = next(p for p in signed if p.name == "photo-coffee.jpg")
    proc = run("doctor", coffee, "--through", "instagram", "--registry",
               f"sqlite:///{empty}")
    assert proc.returncode == EXIT_FAILED, describe(proc)
    assert f"advice: register the fingerprint so stripped copies can be found again: " \
           f"provenance registry add {coffee}" in proc.stderr
    assert "FAIL " in proc.stderr and "after instagram (post)" in proc.stderr


def test_bad_input_is_one_line(published: tuple[list[Path], str, Path],
                               identity: Identity, tmp_path: Path) -> None:
    signed, _, _ = published
    proc = run("doctor", signed[0], "--through", "email,myspace")
    assert_one_error_line(proc, EXIT_USAGE, "unknown channel 'myspace'", "choose from",
                          "wordpress")
    proc = run("doctor", tmp_path / "missing.jpg")
    assert_one_error_line(proc, EXIT_USAGE, "missing.jpg")


def test_the_command_module_imports_nothing_heavy() -> None:
    code = ("import sys, provenance.cli.common as c; before = set(sys.modules); "
            "import provenance.cli.doctor; new = set(sys.modules) - before; "
            "heavy = [m for m in new if m.split('.')[0] in ('PIL', 'nh3', 'numpy', 'c2pa') "
            "or m.startswith(('provenance.doctor', 'provenance.registry'))]; "
            "print(heavy); sys.exit(1 if heavy else 0)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_help_lists_the_schema() -> None:
    from provenance.cli import topics

    assert "provenance.doctor/v1" in (topics.page("schemas") or "")
