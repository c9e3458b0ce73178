"""`provenance verify`, `inspect` and `trust`: exit codes, one line per file, trust handling."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.helpers import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    assert_no_traceback,
    assert_one_error_line,
    assert_unchanged,
    describe,
    flip_entropy_byte,
    lines,
    run,
    snapshot,
)


def _one_line(proc, code: int, prefix: str) -> str:  # type: ignore[no-untyped-def]
    assert proc.returncode == code, describe(proc)
    assert_no_traceback(proc)
    err = lines(proc.stderr)
    assert len(err) == 1, describe(proc)
    assert err[0].startswith(prefix), describe(proc)
    return err[0]


def test_trusted(signed_jpeg: Path) -> None:
    proc = run("verify", signed_jpeg)
    line = _one_line(proc, EXIT_OK, "OK")
    assert "trusted" in line and "human" in line and "TEST-ONLY Ada Lovelace" in line, line
    assert proc.stdout == "", describe(proc)


def test_verify_does_not_modify(tmp_path: Path, home: Path, signed_jpeg: Path,
                                files: dict[str, Path]) -> None:
    before = snapshot(tmp_path, home)
    run("verify", signed_jpeg, files["photo.png"], "--json")
    run("inspect", signed_jpeg, files["photo.png"])
    assert_unchanged(before, snapshot(tmp_path, home))


def test_unsigned(files: dict[str, Path]) -> None:
    proc = run("verify", files["photo.jpg"])
    line = _one_line(proc, EXIT_FAILED, "FAIL")
    assert "unsigned" in line, line
    assert proc.stdout == "", describe(proc)


def test_tampered(signed_jpeg: Path) -> None:
    signed_jpeg.write_bytes(flip_entropy_byte(signed_jpeg.read_bytes()))
    proc = run("verify", signed_jpeg)
    line = _one_line(proc, EXIT_FAILED, "FAIL")
    assert "invalid" in line, line
    assert "dataHash.mismatch" in line, line


def test_corrupt_manifest(signed_jpeg: Path) -> None:
    data = bytearray(signed_jpeg.read_bytes())
    at = data.find(b"jumb")
    assert at > 0
    data[at + 200:at + 264] = bytes(64)
    signed_jpeg.write_bytes(bytes(data))
    proc = run("verify", signed_jpeg)
    line = _one_line(proc, EXIT_FAILED, "FAIL")
    assert "invalid" in line, line
    proc = run("inspect", signed_jpeg)
    assert proc.returncode == EXIT_OK, describe(proc)
    assert_no_traceback(proc)
    assert "invalid" in proc.stdout + proc.stderr, describe(proc)
    proc = run("inspect", "--json", signed_jpeg)
    assert proc.returncode == EXIT_OK, describe(proc)
    assert json.loads(proc.stdout)["results"][0]["status"] == "invalid"


def test_verify_missing_file(tmp_path: Path) -> None:
    assert_one_error_line(run("verify", tmp_path / "gone.jpg"), EXIT_USAGE, "not found",
                          "gone.jpg")


def test_verify_empty_file(tmp_path: Path) -> None:
    f = tmp_path / "zero.png"
    f.write_bytes(b"")
    assert_one_error_line(run("verify", f), EXIT_USAGE, "empty")


def test_inspect_missing_file(tmp_path: Path) -> None:
    assert_one_error_line(run("inspect", tmp_path / "gone.jpg"), EXIT_USAGE, "not found")


def test_verify_mixed_worst_exit(signed_jpeg: Path, files: dict[str, Path],
                                 tmp_path: Path) -> None:
    """Exit code is the worst over files: a missing one (2) beats an unsigned one (1)."""
    proc = run("verify", signed_jpeg, files["photo.png"], tmp_path / "gone.jpg")
    assert proc.returncode == EXIT_USAGE, describe(proc)
    err = lines(proc.stderr)
    assert [e.split()[0] for e in err] == ["OK", "FAIL", "FAIL"], describe(proc)


def test_stranger_signed_is_valid_not_trusted(stranger_signed: Path) -> None:
    line = _one_line(run("verify", stranger_signed), EXIT_OK, "OK")
    assert "not trusted" in line, line
    line = _one_line(run("verify", "--require-trusted", stranger_signed), EXIT_FAILED, "FAIL")
    assert "not trusted" in line, line


def test_trust_option_makes_it_trusted(stranger_signed: Path, stranger_root: Path) -> None:
    line = _one_line(run("verify", "--trust", stranger_root, "--require-trusted",
                         stranger_signed), EXIT_OK, "OK")
    assert "trusted" in line and "not trusted" not in line, line
    assert "TEST-ONLY Mallory Stranger" in line, line


def test_trust_option_bad_file(tmp_path: Path, signed_jpeg: Path) -> None:
    bogus = tmp_path / "bogus.pem"
    bogus.write_text("not a certificate\n")
    assert_one_error_line(run("verify", "--trust", bogus, signed_jpeg), EXIT_USAGE,
                          "no PEM certificate")
    assert_one_error_line(run("verify", "--trust", tmp_path / "gone.pem", signed_jpeg),
                          EXIT_USAGE, "gone.pem")


def test_trust_round_trip(home: Path, stranger_signed: Path, stranger_root: Path) -> None:
    proc = run("trust", "add", stranger_root, "--name", "mallory")
    assert proc.returncode == EXIT_OK, describe(proc)
    assert_no_traceback(proc)
    assert (home / "trust" / "mallory.pem").is_file()

    proc = run("trust", "list", "--json")
    assert proc.returncode == EXIT_OK, describe(proc)
    doc = json.loads(proc.stdout)
    assert doc["schema"] == "provenance.trust/v1"
    names = {a["name"]: a for a in doc["anchors"]}
    assert "mallory" in names and "test-root" in names, doc
    assert any("TEST-ONLY Mallory Stranger" in s for s in names["mallory"]["subjects"]), doc

    proc = run("trust", "list")
    assert proc.returncode == EXIT_OK, describe(proc)
    assert "mallory" in proc.stdout, describe(proc)

    _one_line(run("verify", "--require-trusted", stranger_signed), EXIT_OK, "OK")

    proc = run("trust", "remove", "mallory")
    assert proc.returncode == EXIT_OK, describe(proc)
    assert not (home / "trust" / "mallory.pem").exists()
    doc = json.loads(run("trust", "list", "--json").stdout)
    assert "mallory" not in {a["name"] for a in doc["anchors"]}
    _one_line(run("verify", "--require-trusted", stranger_signed), EXIT_FAILED, "FAIL")


def test_trust_remove_unknown(home: Path) -> None:
    before = snapshot(home)
    assert_one_error_line(run("trust", "remove", "nobody"), EXIT_USAGE, "nobody")
    assert_unchanged(before, snapshot(home))


def test_trust_add_not_pem(tmp_path: Path, home: Path) -> None:
    bogus = tmp_path / "bogus.pem"
    bogus.write_text("hello\n")
    before = snapshot(tmp_path, home)
    assert_one_error_line(run("trust", "add", bogus), EXIT_USAGE, "no PEM certificate")
    assert_unchanged(before, snapshot(tmp_path, home))


def test_table_on_stdout(signed_jpeg: Path, files: dict[str, Path]) -> None:
    proc = run("verify", "--table", signed_jpeg, files["photo.png"])
    assert proc.returncode == EXIT_FAILED, describe(proc)
    assert "trusted" in proc.stdout and "unsigned" in proc.stdout, describe(proc)
    assert len(lines(proc.stderr)) == 2, describe(proc)


def test_json_and_jsonl_clash(signed_jpeg: Path) -> None:
    proc = run("verify", "--json", "--jsonl", signed_jpeg)
    assert_one_error_line(proc, EXIT_USAGE, "--json", "--jsonl")
    assert proc.stdout == ""
