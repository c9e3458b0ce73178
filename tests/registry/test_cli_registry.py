"""The registry from the command line: sign registers, a stripped copy is recovered by
verify/inspect, registry add/remove/export/stats, and bad input as one line."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.cli.helpers import EXIT_FAILED, EXIT_OK, EXIT_OPERATIONAL, EXIT_USAGE, describe, run
from tests.registry.helpers import ESSAY, photo, social


def _one_line_error(proc: object) -> None:
    stderr = getattr(proc, "stderr", "")
    assert "Traceback" not in stderr
    assert len([line for line in stderr.splitlines() if line.startswith("error:")]) == 1


@pytest.fixture
def signed(tmp_path: Path, identity_dir: Path) -> dict[str, Path]:
    """A photo and a text signed through the CLI (registered in the local registry)."""
    src = tmp_path / "src"
    src.mkdir()
    photo(src / "photo.jpg")
    (src / "essay.txt").write_text(ESSAY, encoding="utf-8")
    out = tmp_path / "signed"
    out.mkdir()
    proc = run("sign", "--identity", identity_dir, src / "photo.jpg", src / "essay.txt",
               "--out-dir", out, "--no-tsa")
    assert proc.returncode == EXIT_OK, describe(proc)
    return {"photo": out / "photo.jpg", "text": out / "essay.txt"}


def _stripped(signed: dict[str, Path], tmp_path: Path) -> tuple[Path, Path]:
    copy = social(signed["photo"], tmp_path / "copy.jpg")
    pasted = tmp_path / "pasted.txt"
    proc = run("strip", signed["text"], "-o", pasted)
    assert proc.returncode == EXIT_OK, describe(proc)
    return copy, pasted


def test_sign_registers_and_verify_recovers(signed: dict[str, Path], home: Path,
                                            tmp_path: Path) -> None:
    assert (home / "registry.sqlite3").is_file()
    copy, pasted = _stripped(signed, tmp_path)
    proc = run("verify", copy, pasted, "--json")
    assert proc.returncode == EXIT_FAILED, describe(proc)  # the default policy still fails
    doc = json.loads(proc.stdout)
    for report in doc["results"]:
        assert report["status"] == "unsigned"
        best = report["recovered"][0]
        assert best["signer"]["name"] == "TEST-ONLY Ada Lovelace"
        assert best["origin"] == "human" and best["similarity"] >= 87
        assert best["source"].startswith("sqlite:///")
    assert "not a cryptographic match" in proc.stderr
    assert "recovered by fingerprint: made by TEST-ONLY Ada Lovelace" in proc.stderr
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((Path(__file__).parents[2] / "provenance" / "schemas" /
                         "report-v1.json").read_text())
    for report in doc["results"]:
        jsonschema.validate(report, schema)
    accepted = run("verify", copy, pasted, "--accept-recovered")
    assert accepted.returncode == EXIT_OK, describe(accepted)
    assert "no Content Credentials; recovered by fingerprint" in accepted.stderr
    off = run("verify", copy, "--no-lookup", "--json")
    assert off.returncode == EXIT_FAILED
    assert "recovered" not in json.loads(off.stdout)["results"][0]
    inspected = run("inspect", copy, "--json")
    assert inspected.returncode == EXIT_OK, describe(inspected)
    assert json.loads(inspected.stdout)["results"][0]["recovered"]


def test_an_intact_file_is_not_looked_up(signed: dict[str, Path]) -> None:
    proc = run("verify", signed["photo"], "--json")
    assert proc.returncode == EXIT_OK, describe(proc)
    report = json.loads(proc.stdout)["results"][0]
    assert report["status"] == "trusted" and "recovered" not in report


def test_no_register_and_another_registry(tmp_path: Path, identity_dir: Path,
                                          home: Path) -> None:
    photo(tmp_path / "a.jpg", seed=3)
    proc = run("sign", "--identity", identity_dir, tmp_path / "a.jpg", "--no-register",
               "--no-tsa")
    assert proc.returncode == EXIT_OK, describe(proc)
    assert not (home / "registry.sqlite3").exists()
    other = tmp_path / "org.sqlite3"
    proc = run("sign", "--identity", identity_dir, tmp_path / "a.jpg", "--no-tsa", "--force",
               "--registry", f"sqlite:///{other}", "-o", tmp_path / "b.jpg")
    assert proc.returncode == EXIT_OK, describe(proc)
    assert not (home / "registry.sqlite3").exists()
    copy = social(tmp_path / "b.jpg", tmp_path / "copy.jpg")
    assert "recovered" not in json.loads(run("verify", copy, "--json").stdout)["results"][0]
    found = run("verify", copy, "--json", "--registry", f"sqlite:///{other}")
    assert json.loads(found.stdout)["results"][0]["recovered"]
    # config.toml's [registry] lookup
    (home / "config.toml").write_text(f'[registry]\nlookup = ["sqlite:///{other}"]\n')
    assert json.loads(run("verify", copy, "--json").stdout)["results"][0]["recovered"]


def test_registry_add_validates_first(signed: dict[str, Path], tmp_path: Path) -> None:
    reg = tmp_path / "elsewhere.sqlite3"
    dsn = f"sqlite:///{reg}"
    tampered = tmp_path / "tampered.txt"
    tampered.write_text(signed["text"].read_text(encoding="utf-8").replace("keeper", "kept"),
                        encoding="utf-8")
    proc = run("registry", "add", "--registry", dsn, signed["photo"], tampered)
    assert proc.returncode == EXIT_FAILED, describe(proc)
    assert "do not verify" in proc.stderr and "nothing registered" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not reg.exists()
    proc = run("registry", "add", "--registry", dsn, signed["photo"], signed["text"])
    assert proc.returncode == EXIT_OK, describe(proc)
    stats = run("registry", "stats", "--registry", dsn, "--json")
    assert json.loads(stats.stdout)["manifests"] == 2
    exported = run("registry", "export", "--registry", dsn)
    lines = [json.loads(x) for x in exported.stdout.splitlines()]
    assert {x["kind"] for x in lines} == {"image", "text"}


def test_registry_remove_only_by_the_signer(signed: dict[str, Path], stranger_dir: Path,
                                            identity_dir: Path) -> None:
    exported = run("registry", "export")
    ids = [json.loads(x)["manifest_id"] for x in exported.stdout.splitlines()]
    assert len(ids) == 2
    refused = run("registry", "remove", ids[0], "--identity", stranger_dir)
    assert refused.returncode == EXIT_FAILED, describe(refused)
    _one_line_error(refused)
    assert "not signed by the manifest's signer" in refused.stderr
    assert json.loads(run("registry", "stats", "--json").stdout)["manifests"] == 2
    done = run("registry", "remove", ids[0], "--identity", identity_dir)
    assert done.returncode == EXIT_OK, describe(done)
    assert json.loads(run("registry", "stats", "--json").stdout)["manifests"] == 1


def test_bad_registries_are_one_line(tmp_path: Path, signed: dict[str, Path],
                                     identity_dir: Path) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database" * 200)
    before = junk.read_bytes()
    for args in (("registry", "stats", "--registry", f"sqlite:///{junk}"),
                 ("verify", tmp_path / "nothing.jpg", "--registry", f"sqlite:///{junk}"),
                 ("sign", "--identity", identity_dir, signed["photo"], "--replace",
                  "-o", tmp_path / "x.jpg", "--registry", f"sqlite:///{junk}")):
        proc = run(*args)
        assert proc.returncode in (EXIT_USAGE, EXIT_FAILED), describe(proc)
        assert "Traceback" not in proc.stderr
    assert junk.read_bytes() == before
    assert not (tmp_path / "x.jpg").exists()  # refused before anything was signed
    other = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    proc = run("registry", "stats", "--registry", str(other))
    assert proc.returncode == EXIT_USAGE, describe(proc)
    _one_line_error(proc)
    proc = run("registry", "stats", "--registry", "postgresql://u:secret@127.0.0.1:1/x")
    assert proc.returncode == EXIT_OPERATIONAL, describe(proc)
    _one_line_error(proc)
    assert "secret" not in proc.stderr


def test_a_parallel_batch_registers_every_file(tmp_path: Path, identity_dir: Path,
                                               home: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    for i in range(6):
        photo(tree / ("sub" if i % 2 else ".") / f"p{i}.jpg", seed=20 + i, size=(320, 240))
        (tree / f"t{i}.txt").write_text(f"Note {i}. " + ESSAY[i * 40:], encoding="utf-8")
    (tree / "doc.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    proc = run("sign", "--identity", identity_dir, "-r", tree, "--out-dir", out, "-j", "2",
               "--no-tsa")
    assert proc.returncode == EXIT_OK, describe(proc)
    stats = json.loads(run("registry", "stats", "--json").stdout)
    # 6 photos + 6 texts + the CSV (plain text: fingerprinted as text)
    assert stats["by_kind"] == {"image": 6, "text": 7}, stats
    copy = social(out / "sub" / "p1.jpg", tmp_path / "copy.jpg")
    report = json.loads(run("verify", copy, "--json").stdout)["results"][0]
    assert report["recovered"][0]["similarity"] >= 87


def test_recovery_on_postgresql(postgres_server: str, tmp_path: Path,
                                identity_dir: Path, home: Path) -> None:
    from tests.registry.conftest import _new_database

    dsn = _new_database(postgres_server)
    photo(tmp_path / "p.jpg", seed=41)
    (tmp_path / "t.txt").write_text(ESSAY, encoding="utf-8")
    proc = run("sign", "--identity", identity_dir, tmp_path / "p.jpg", tmp_path / "t.txt",
               "--registry", dsn, "--no-tsa")
    assert proc.returncode == EXIT_OK, describe(proc)
    assert not (home / "registry.sqlite3").exists()
    copy = social(tmp_path / "p.signed.jpg", tmp_path / "copy.jpg")
    pasted = tmp_path / "pasted.txt"
    assert run("strip", tmp_path / "t.signed.txt", "-o", pasted).returncode == EXIT_OK
    proc = run("verify", copy, pasted, "--registry", dsn, "--json")
    assert proc.returncode == EXIT_FAILED, describe(proc)
    for report in json.loads(proc.stdout)["results"]:
        assert report["status"] == "unsigned"
        assert report["recovered"][0]["signer"]["name"] == "TEST-ONLY Ada Lovelace"
        assert report["recovered"][0]["source"] == dsn
    assert "not a cryptographic match" in proc.stderr
    ids = [json.loads(x)["manifest_id"] for x in
           run("registry", "export", "--registry", dsn).stdout.splitlines()]
    assert len(ids) == 2
    done = run("registry", "remove", ids[0], "--registry", dsn, "--identity", identity_dir)
    assert done.returncode == EXIT_OK, describe(done)
    assert json.loads(run("registry", "stats", "--registry", dsn, "--json").stdout)[
        "manifests"] == 1


def test_a_broken_hard_binding_is_looked_up(signed: dict[str, Path], tmp_path: Path) -> None:
    tampered = tmp_path / "tampered.txt"
    tampered.write_text(signed["text"].read_text(encoding="utf-8").replace("keeper", "kept"),
                        encoding="utf-8")
    proc = run("inspect", tampered, "--json")
    assert proc.returncode == EXIT_OK, describe(proc)
    report = json.loads(proc.stdout)["results"][0]
    assert report["status"] == "invalid"  # the file's own verdict stands
    assert report["recovered"][0]["signer"]["name"] == "TEST-ONLY Ada Lovelace"
    verdict = run("verify", tampered)
    assert verdict.returncode == EXIT_FAILED
    assert "; recovered by fingerprint: made by TEST-ONLY Ada Lovelace" in verdict.stderr
