"""`provenance sign` success paths: default output, --replace, --in-place, --out-dir, --parent."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.helpers import (
    EXIT_OK,
    assert_no_traceback,
    assert_unchanged,
    describe,
    ok_lines,
    run,
    snapshot,
)


def _verify_json(path: Path, *extra: object) -> dict:
    proc = run("verify", "--jsonl", *extra, path)
    assert_no_traceback(proc)
    docs = [json.loads(ln) for ln in proc.stdout.splitlines()]
    assert len(docs) == 1, describe(proc)
    return docs[0]


def test_sign_default_output(tmp_path: Path, home: Path, identity_dir: Path,
                             files: dict[str, Path]) -> None:
    src = files["photo.jpg"]
    before = snapshot(tmp_path, home)
    proc = run("sign", "--identity", identity_dir, src)
    assert proc.returncode == EXIT_OK, describe(proc)
    assert proc.stdout == "", describe(proc)
    out = src.with_name("photo.signed.jpg")
    err = ok_lines(proc)
    assert len(err) == 1 and err[0].startswith("OK") and str(out) in err[0], describe(proc)
    assert_unchanged(before, snapshot(tmp_path, home), added=[out])
    doc = _verify_json(out)
    assert doc["status"] == "trusted" and doc["origin"] == "human" and doc["passed"]


def test_replace_resigns(tmp_path: Path, home: Path, identity_dir: Path,
                         signed_jpeg: Path) -> None:
    dest = tmp_path / "replaced.jpg"
    before = snapshot(tmp_path, home)
    proc = run("sign", "--identity", identity_dir, "--replace", "-o", dest, signed_jpeg)
    assert proc.returncode == EXIT_OK, describe(proc)
    assert_no_traceback(proc)
    assert_unchanged(before, snapshot(tmp_path, home), added=[dest])
    doc = _verify_json(dest)
    assert doc["status"] == "trusted" and doc["passed"], doc
    assert doc["ingredients"] == [], doc  # history discarded, not chained


def test_parent_records_edit(tmp_path: Path, home: Path, identity_dir: Path,
                             signed_jpeg: Path) -> None:
    dest = tmp_path / "edited.jpg"
    proc = run("sign", "--identity", identity_dir, "--parent", signed_jpeg, "-o", dest,
               signed_jpeg)
    assert proc.returncode == EXIT_OK, describe(proc)
    doc = _verify_json(dest)
    assert doc["passed"] and doc["status"] == "trusted", doc
    assert [i["relationship"] for i in doc["ingredients"]] == ["parentOf"], doc


def test_in_place(tmp_path: Path, home: Path, identity_dir: Path,
                  files: dict[str, Path]) -> None:
    src = files["photo.jpg"]
    original = src.read_bytes()
    before = snapshot(tmp_path, home)
    proc = run("sign", "--identity", identity_dir, "--in-place", src)
    assert proc.returncode == EXIT_OK, describe(proc)
    assert_no_traceback(proc)
    assert_unchanged(before, snapshot(tmp_path, home), changed=[src])
    assert src.read_bytes() != original
    proc = run("verify", src)
    assert proc.returncode == EXIT_OK, describe(proc)
    assert ok_lines(proc)[0].startswith("OK"), describe(proc)


def test_out_dir_several_files(tmp_path: Path, home: Path, identity_dir: Path,
                               files: dict[str, Path]) -> None:
    dest = tmp_path / "signed"
    dest.mkdir()
    names = ["photo.jpg", "photo.png", "essay.pdf"]
    proc = run("sign", "--identity", identity_dir, "--out-dir", dest,
               *(files[n] for n in names))
    assert proc.returncode == EXIT_OK, describe(proc)
    assert sorted(p.name for p in dest.iterdir()) == sorted(names)
    proc = run("verify", *(dest / n for n in names))
    assert proc.returncode == EXIT_OK, describe(proc)


def test_stdout_empty_when_signing(identity_dir: Path, files: dict[str, Path]) -> None:
    proc = run("sign", "--identity", identity_dir, files["photo.png"])
    assert proc.returncode == EXIT_OK, describe(proc)
    assert proc.stdout == ""
