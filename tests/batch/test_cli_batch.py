"""`provenance verify/sign DIR --recursive` over the 200-file mixed tree, through the CLI."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from provenance.identity import Identity
from tests.batch.conftest import (
    EXPECTED_ORIGINS,
    EXPECTED_OUTCOMES,
    EXPECTED_STATUSES,
    KINDS,
    TOTAL,
    Mixed,
)
from tests.cli.helpers import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    assert_no_traceback,
    describe,
    lines,
    load_schema,
    ok_lines,
    report_validator,
    results_validator,
    run,
)


def _docs(proc) -> list[dict]:  # type: ignore[no-untyped-def]
    return [json.loads(ln) for ln in proc.stdout.splitlines()]


def _status(doc: dict) -> str:
    return "skipped" if "skipped" in doc else "error" if "error" in doc else doc["status"]


def test_jsonl_one_valid_line_per_file_with_exact_counts(mixed: Mixed,
                                                        identity: Identity) -> None:
    proc = run("verify", mixed.root, "--recursive", "--jsonl", "-j", "2")
    assert proc.returncode == EXIT_FAILED, describe(proc)
    assert_no_traceback(proc)
    docs = _docs(proc)
    assert len(docs) == TOTAL, describe(proc)
    validator = report_validator()
    for doc in docs:
        validator.validate(doc)
    outcomes = Counter("skipped" if "skipped" in d else "passed" if d["passed"] else "failed"
                       for d in docs)
    assert outcomes == EXPECTED_OUTCOMES
    assert Counter(_status(d) for d in docs) == EXPECTED_STATUSES
    assert Counter(d["origin"] for d in docs if "skipped" not in d) == EXPECTED_ORIGINS
    # The hidden folder and file are not part of the batch.
    assert not any("hidden" in d["path"] or ".DS_Store" in d["path"] for d in docs)
    # Deterministic order: sorted by path within the tree.
    rel = [Path(d["path"]).relative_to(mixed.root).parts for d in docs]
    assert rel == sorted(rel)
    # Human lines: one per file, then the summary table (a directory makes it a batch).
    err = lines(proc.stderr)
    per_file = [ln for ln in err if ln.split(" ", 1)[0] in ("OK", "FAIL", "SKIP")]
    assert len(per_file) == TOTAL, describe(proc)
    assert Counter(ln.split(" ", 1)[0] for ln in per_file) == {
        "OK": 100, "FAIL": 80, "SKIP": 20}
    assert "Verify summary" in proc.stderr and "files/s" in proc.stderr


def test_json_document_with_summary(mixed: Mixed, identity: Identity) -> None:
    proc = run("verify", mixed.root, "-r", "--json", "--no-summary")
    assert proc.returncode == EXIT_FAILED, describe(proc)
    doc = json.loads(proc.stdout)
    results_validator().validate(doc)
    assert doc["passed"] is False
    assert len(doc["results"]) == TOTAL
    summary = doc["summary"]
    assert summary["files"] == TOTAL
    assert summary["outcomes"] == EXPECTED_OUTCOMES
    assert summary["statuses"] == EXPECTED_STATUSES
    assert summary["origins"] == EXPECTED_ORIGINS
    assert "summary" not in proc.stderr.lower()


def test_no_progress_bar_when_not_a_terminal(mixed: Mixed, identity: Identity) -> None:
    proc = run("verify", mixed.root, "-r", "-q")
    assert "\x1b[" not in proc.stderr, describe(proc)  # no cursor movement, no bar
    assert "━" not in proc.stderr
    # -q: only failures (and the summary).
    fails = [ln for ln in lines(proc.stderr) if ln.startswith(("OK", "FAIL", "SKIP"))]
    assert len(fails) == EXPECTED_OUTCOMES["failed"]
    assert all(ln.startswith("FAIL") for ln in fails)


@pytest.mark.parametrize(("category", "clean_filter", "failing"), [
    ("unsigned", ["--exclude", "inbox"], KINDS["unsigned-jpg"] + KINDS["unsigned-png"]),
    ("invalid", ["--exclude", "tampered-*"], KINDS["tampered"]),
    ("ai", ["--exclude", "generated"], KINDS["ai"] + KINDS["mixed"]),
    ("untrusted", ["--exclude", "partners/*"], KINDS["stranger"]),
])
def test_fail_on_each_category(mixed: Mixed, identity: Identity, category: str,
                               clean_filter: list[str], failing: int) -> None:
    proc = run("verify", mixed.root, "-r", "--fail-on", category, "--jsonl")
    assert proc.returncode == EXIT_FAILED, describe(proc)
    docs = _docs(proc)
    assert len(docs) == TOTAL
    assert sum(1 for d in docs if not d["passed"]) == failing, category
    proc = run("verify", mixed.root, "-r", "--fail-on", category, *clean_filter)
    assert proc.returncode == EXIT_OK, describe(proc)


def test_fail_on_all_categories_and_strict(mixed: Mixed, identity: Identity) -> None:
    proc = run("verify", mixed.root, "-r", "--fail-on", "unsigned,invalid,ai,untrusted",
               "--jsonl")
    assert proc.returncode == EXIT_FAILED, describe(proc)
    assert sum(1 for d in _docs(proc) if not d["passed"]) == 100
    # Only intact human files: passes; --strict then makes the unsupported files fatal.
    clean = ["--include", "signed-*", "--include", "*.bmp", "--include", "*.bin"]
    proc = run("verify", mixed.root, "-r", "--fail-on", "unsigned,invalid,ai,untrusted",
               *clean)
    assert proc.returncode == EXIT_OK, describe(proc)
    proc = run("verify", mixed.root, "-r", "--fail-on", "invalid", "--strict", *clean,
               "--jsonl")
    assert proc.returncode == EXIT_USAGE, describe(proc)
    errors = [d for d in _docs(proc) if "error" in d]
    assert len(errors) == KINDS["bmp"] + KINDS["bin"]
    assert all(d["error"]["exit_code"] == EXIT_USAGE for d in errors)


def test_fail_on_bad_value(mixed: Mixed) -> None:
    proc = run("verify", mixed.root, "-r", "--fail-on", "unsigned,tampered")
    assert proc.returncode == EXIT_USAGE, describe(proc)
    assert "tampered" in proc.stderr and "untrusted" in proc.stderr
    assert len(lines(proc.stderr)) == 1


def test_same_results_with_one_and_two_workers(mixed: Mixed, identity: Identity) -> None:
    one = run("verify", mixed.root, "-r", "--jsonl", "-j", "1")
    two = run("verify", mixed.root, "-r", "--jsonl", "-j", "2")
    assert one.returncode == two.returncode == EXIT_FAILED
    assert one.stdout == two.stdout
    strip = [ln for ln in lines(one.stderr) if not ln.startswith(("│", "┌", "└", "├"))]
    strip2 = [ln for ln in lines(two.stderr) if not ln.startswith(("│", "┌", "└", "├"))]
    assert strip == strip2


def test_output_file_and_glob(mixed: Mixed, identity: Identity, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    pattern = str(mixed.root / "photos" / "**" / "*.jpg")
    proc = run("verify", pattern, "--output", report, "--fail-on", "invalid")
    assert proc.returncode == EXIT_FAILED, describe(proc)
    assert proc.stdout == ""
    doc = json.loads(report.read_text())
    results_validator().validate(doc)
    assert len(doc["results"]) == KINDS["signed-jpg"] + KINDS["tampered"]
    jsonl = tmp_path / "report.jsonl"
    proc = run("verify", pattern, "--output", jsonl, "--jsonl", "--fail-on", "invalid")
    assert len(jsonl.read_text().splitlines()) == KINDS["signed-jpg"] + KINDS["tampered"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json", "report.jsonl"]
    nothing = run("verify", str(mixed.root / "*.tiff"))
    assert nothing.returncode == EXIT_USAGE and "no file matches" in nothing.stderr


def test_sign_tree_out_dir_idempotent(mixed: Mixed, identity_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    src = mixed.root / "inbox"
    proc = run("sign", "--identity", identity_dir, src, "-r", "--out-dir", out, "--jsonl",
               "-j", "2")
    assert proc.returncode == EXIT_OK, describe(proc)
    docs = _docs(proc)
    schema = load_schema("sign-v1.json")
    from jsonschema import Draft202012Validator

    for d in docs:
        Draft202012Validator(schema).validate(d)
    assert [d["status"] for d in docs] == ["signed"] * 40
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in src.iterdir())
    # Again: nothing to do.
    again = run("sign", "--identity", identity_dir, src, "-r", "--out-dir", out, "--jsonl")
    assert again.returncode == EXIT_OK, describe(again)
    assert {d["status"] for d in _docs(again)} == {"skipped"}
    assert {d["kind"] for d in _docs(again)} == {"unchanged"}
    # --force signs again.
    forced = run("sign", "--identity", identity_dir, src, "-r", "--out-dir", out, "--force",
                 "--jsonl")
    assert {d["status"] for d in _docs(forced)} == {"signed"}, describe(forced)
    # The whole tree: outputs mirror the folders; unsupported files are skipped; files already
    # carrying a manifest (signed by us: skipped; by others: refused) are reported.
    tree = tmp_path / "tree"
    tree.mkdir()
    proc = run("sign", "--identity", identity_dir, mixed.root, "-r", "--out-dir", tree,
               "--json")
    doc = json.loads(proc.stdout)
    Draft202012Validator({"$ref": schema["$id"] + "#/$defs/results"},
                         registry=_sign_registry()).validate(doc)
    by = Counter(r["status"] for r in doc["results"])
    assert by["signed"] == 40, describe(proc)
    assert (tree / "inbox" / "unsigned-000.jpg").is_file()
    assert not (tree / "photos" / "signed-000.jpg").exists()
    kinds = Counter(r.get("kind") for r in doc["results"] if r["status"] == "skipped")
    assert kinds["unsupported"] == 20
    assert kinds["unchanged"] == 80 + 15 + 5  # ours (human, AI, mixed): intact, left alone
    failed = [r for r in doc["results"] if r["status"] == "failed"]
    assert len(failed) == KINDS["stranger"] + KINDS["tampered"]
    assert all(r["exit_code"] == EXIT_USAGE and "already carries" in r["reason"]
               for r in failed)
    assert proc.returncode == EXIT_USAGE


def _sign_registry():  # type: ignore[no-untyped-def]
    from referencing import Registry, Resource

    sign = load_schema("sign-v1.json")
    results = load_schema("results-v1.json")
    return Registry().with_resources([
        (sign["$id"], Resource.from_contents(sign)),
        (results["$id"], Resource.from_contents(results)),
    ])


def test_sign_output_collision_refused(identity_dir: Path, tmp_path: Path) -> None:
    from tests.assets import build as assets

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x.jpg").write_bytes(assets.image_bytes("JPEG", seed=1))
    (tmp_path / "b" / "x.jpg").write_bytes(assets.image_bytes("JPEG", seed=2))
    out = tmp_path / "out"
    out.mkdir()
    proc = run("sign", "--identity", identity_dir, tmp_path / "a" / "x.jpg",
               tmp_path / "b" / "x.jpg", "--out-dir", out)
    assert proc.returncode == EXIT_USAGE, describe(proc)
    ok, fail = ok_lines(proc)
    assert ok.startswith("OK") and fail.startswith("FAIL") and "also the output" in fail


def test_progress_bar_when_forced(mixed: Mixed, identity: Identity) -> None:
    proc = run("verify", mixed.root / "inbox", "-r", "--progress", "--fail-on", "invalid",
               env={"COLUMNS": "100"})
    assert proc.returncode == EXIT_OK, describe(proc)
    assert_no_traceback(proc)
