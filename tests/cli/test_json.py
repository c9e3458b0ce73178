"""Machine output: --jsonl / --json documents validate against the shipped JSON schemas."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.helpers import (
    EXIT_FAILED,
    EXIT_OK,
    assert_no_traceback,
    describe,
    inspect_validator,
    lines,
    report_validator,
    results_validator,
    run,
)


def _three(signed_jpeg: Path, files: dict[str, Path], stranger_signed: Path) -> list[Path]:
    return [signed_jpeg, files["photo.png"], stranger_signed]


def test_verify_jsonl(signed_jpeg: Path, files: dict[str, Path],
                      stranger_signed: Path) -> None:
    paths = _three(signed_jpeg, files, stranger_signed)
    proc = run("verify", "--jsonl", *paths)
    assert proc.returncode == EXIT_FAILED, describe(proc)  # the unsigned PNG fails
    assert_no_traceback(proc)
    out = proc.stdout.splitlines()
    assert len(out) == 3, describe(proc)
    validator = report_validator()
    docs = [json.loads(ln) for ln in out]
    for doc in docs:
        validator.validate(doc)
        assert doc["schema"] == "provenance.report/v1"
    assert [d["path"] for d in docs] == [str(p) for p in paths]
    assert [d["status"] for d in docs] == ["trusted", "unsigned", "valid"]
    assert [d["passed"] for d in docs] == [True, False, True]
    assert docs[1]["reasons"] and not docs[0]["reasons"]
    # human lines still go to stderr, one per file
    assert [e.split()[0] for e in lines(proc.stderr)] == ["OK", "FAIL", "OK"], describe(proc)


def test_verify_json(signed_jpeg: Path, files: dict[str, Path],
                     stranger_signed: Path) -> None:
    paths = _three(signed_jpeg, files, stranger_signed)
    proc = run("verify", "--json", *paths)
    assert proc.returncode == EXIT_FAILED, describe(proc)
    doc = json.loads(proc.stdout)
    results_validator().validate(doc)
    assert doc["schema"] == "provenance.results/v1"
    assert doc["passed"] is False
    assert len(doc["results"]) == 3
    validator = report_validator()
    for item in doc["results"]:
        validator.validate(item)
        assert item["schema"] == "provenance.report/v1"


def test_verify_json_all_pass(signed_jpeg: Path) -> None:
    proc = run("verify", "--json", signed_jpeg)
    assert proc.returncode == EXIT_OK, describe(proc)
    doc = json.loads(proc.stdout)
    results_validator().validate(doc)
    assert doc["passed"] is True
    result = doc["results"][0]
    assert result["signer"]["trusted"] is True
    assert result["signer"]["name"] == "TEST-ONLY Ada Lovelace"


def test_inspect_json(signed_jpeg: Path, files: dict[str, Path],
                      stranger_signed: Path) -> None:
    paths = _three(signed_jpeg, files, stranger_signed)
    proc = run("inspect", "--json", *paths)
    assert proc.returncode == EXIT_OK, describe(proc)  # inspect describes, never judges
    assert_no_traceback(proc)
    doc = json.loads(proc.stdout)
    # Inspect describes and does not judge: its own schema, no `passed`.
    assert doc["schema"] == "provenance.inspect/v1" and "passed" not in doc
    inspect_validator().validate(doc)
    assert [r["status"] for r in doc["results"]] == ["trusted", "unsigned", "valid"]
    validator = report_validator()
    for item in doc["results"]:
        validator.validate(item)


def test_inspect_jsonl(signed_jpeg: Path, files: dict[str, Path]) -> None:
    proc = run("inspect", "--jsonl", signed_jpeg, files["photo.png"])
    assert proc.returncode == EXIT_OK, describe(proc)
    out = proc.stdout.splitlines()
    assert len(out) == 2, describe(proc)
    validator = report_validator()
    for ln in out:
        validator.validate(json.loads(ln))


def test_human_output_on_stderr_only(signed_jpeg: Path, files: dict[str, Path]) -> None:
    proc = run("verify", signed_jpeg, files["photo.png"])
    assert proc.returncode == EXIT_FAILED, describe(proc)
    assert proc.stdout == "", describe(proc)
    assert len(lines(proc.stderr)) == 2, describe(proc)


def test_json_mode_keeps_stdout_pure_on_input_error(signed_jpeg: Path, tmp_path: Path) -> None:
    """An unreadable file in --json mode: its error on stderr, stdout still one JSON doc."""
    proc = run("verify", "--json", signed_jpeg, tmp_path / "gone.jpg")
    assert proc.returncode == 2, describe(proc)
    doc = json.loads(proc.stdout)
    results_validator().validate(doc)
    assert doc["passed"] is False
    assert len(lines(proc.stderr)) == 2, describe(proc)


def test_jsonl_flushes_stdout_pure(signed_jpeg: Path) -> None:
    proc = run("verify", "--jsonl", signed_jpeg, signed_jpeg)
    assert proc.returncode == EXIT_OK, describe(proc)
    for ln in proc.stdout.splitlines():
        assert json.loads(ln)["status"] == "trusted"
