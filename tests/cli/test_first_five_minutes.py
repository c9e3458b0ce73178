"""What a new user meets in the first five minutes (issue 11): help that reads like a person
wrote it, inputs checked before secrets, output lines that name what was written, one
already-signed rule, inspect's own document."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from provenance._versions import C2PA_RS_VERSION
from tests.cli.helpers import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    assert_no_traceback,
    assert_one_error_line,
    describe,
    flip_entropy_byte,
    inspect_validator,
    run,
)

WIDE = {"COLUMNS": "200"}


# -- help ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [
    ["-h"], ["sign", "-h"], ["verify", "--help"], ["inspect", "-h"], ["identity", "create", "-h"],
    ["trust", "add", "-h"], ["tsa", "serve", "-h"], ["strip", "-h"],
])
def test_help_has_plain_metavars_and_accepts_h(args: list[str]) -> None:
    proc = run(*args, env=WIDE)
    assert proc.returncode == EXIT_OK, describe(proc)
    for python_type in ("<list[", "<bool>", "<path>", "<str>", "<int>", "{files}", "{file}",
                        "--no-force", "--no-thumbnail"):
        assert python_type not in proc.stdout, (python_type, proc.stdout)


def test_sign_help_groups_its_options_and_states_the_origin_rule() -> None:
    text = run("sign", "-h", env=WIDE).stdout
    for panel in ("Where the output goes", "What the manifest declares",
                  "Where the manifest goes", "Identity, trust and timestamp",
                  "Signed files and existing outputs", "Many files", "What is printed"):
        assert panel in text, panel
    assert "Usage: provenance sign [OPTIONS] FILE..." in text
    assert "capture for photos (raster images), audio and video" in " ".join(text.split())


def test_version_names_c2pa_and_the_schema() -> None:
    proc = run("--version")
    assert proc.returncode == EXIT_OK
    assert "(human-provenance)" in proc.stdout
    assert "c2pa-python 0.38.1" in proc.stdout and f"c2pa-rs {C2PA_RS_VERSION}" in proc.stdout
    assert "provenance.report/v1" in proc.stdout


def test_help_topics_and_completion() -> None:
    index = run("help")
    assert index.returncode == EXIT_OK and "exit-codes" in index.stdout
    identity = run("help", "identity").stdout
    for name in ("key.pem", "chain.pem", "root.pem", "root.key", "identity.json",
                 "identity csr", "identity import", "identity renew"):
        assert name in identity, name
    assert "tsa_url" in run("help", "config").stdout
    assert "Usage: provenance sign" in run("help", "sign", env=WIDE).stdout
    assert_one_error_line(run("help", "nope"), EXIT_USAGE, "no help topic")
    # typer detects the shell from the process tree: run it from bash, as a user would (a
    # test runner started by no shell, e.g. under setsid, has none to detect)
    script = subprocess.run(["bash", "-c", '"$0" -m provenance --show-completion; exit $?',
                             sys.executable], capture_output=True, text=True, timeout=60,
                            check=False)
    assert script.returncode == EXIT_OK and "_provenance_completion" in script.stdout


# -- inputs before secrets ------------------------------------------------------------------------


def test_missing_file_is_reported_before_the_passphrase(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    made = run("identity", "create", "--name", "TEST-ONLY Locked", "--dir", locked,
               env={"PROVENANCE_KEY_PASSWORD": "TEST-ONLY secret"})
    assert made.returncode == EXIT_OK, describe(made)
    # No passphrase at hand: the missing file is what the user hears about, not the key.
    assert_one_error_line(run("sign", "--identity", locked, tmp_path / "missing.jpg"),
                          EXIT_USAGE, "not found", "missing.jpg")


def test_identity_create_over_an_existing_one_is_refused_first(tmp_path: Path,
                                                                identity_dir: Path) -> None:
    proc = run("identity", "create", "--name", "TEST-ONLY Again", "--dir", identity_dir,
               env={"PROVENANCE_KEY_PASSWORD": "TEST-ONLY never used"})
    assert_one_error_line(proc, 3, "already exists", "--force")


def test_verify_directory_without_recursive_hints_at_it(tmp_path: Path) -> None:
    proc = run("verify", tmp_path)
    assert proc.returncode == EXIT_USAGE and "--recursive" in proc.stderr, describe(proc)


# -- what was written ------------------------------------------------------------------------------


def test_output_lines_name_the_sidecar_and_the_file_to_publish(tmp_path: Path,
                                                               identity_dir: Path) -> None:
    data = tmp_path / "data.json"
    data.write_text('{"a": 1}\n')
    proc = run("sign", "--identity", identity_dir, data)
    assert proc.returncode == EXIT_OK, describe(proc)
    assert f"{data} -> {data}.c2pa (sidecar" in proc.stderr, describe(proc)
    page = tmp_path / "page.html"
    page.write_text("<html><head><title>TEST-ONLY</title></head><body>hi</body></html>\n")
    proc = run("sign", "--identity", identity_dir, page, "--carrier", "link",
               "--manifest-url", "https://example.org/page.c2pa", "--jsonl")
    assert proc.returncode == EXIT_OK, describe(proc)
    assert "publish page.c2pa" in proc.stderr, describe(proc)
    doc = json.loads(proc.stdout)
    assert doc["carrier"] == "link" and doc["manifest_file"].endswith("page.c2pa")
    # A link page is signed: signing it again is refused, as for any signed file.
    again = run("sign", "--identity", identity_dir, tmp_path / "page.signed.html")
    assert again.returncode == EXIT_USAGE and "already links to a manifest" in again.stderr
    shown = json.loads(run("inspect", "--jsonl", tmp_path / "page.signed.html").stdout)
    assert shown["media_type"] == "text/html" and shown["carrier"] == "link"


def test_thumbnail_for_svg_says_none_was_made(tmp_path: Path, identity_dir: Path,
                                              files: dict[str, Path]) -> None:
    proc = run("sign", "--identity", identity_dir, "--thumbnail", files["drawing.svg"])
    assert proc.returncode == EXIT_OK, describe(proc)
    assert "no thumbnail for SVG" in proc.stderr, describe(proc)


def test_already_signed_compares_what_would_be_written(tmp_path: Path, identity_dir: Path,
                                                       files: dict[str, Path]) -> None:
    photo = files["photo.jpg"]
    assert run("sign", "--identity", identity_dir, photo).returncode == EXIT_OK
    same = run("sign", "--identity", identity_dir, photo)
    assert same.stderr.startswith("SKIP") and "already holds what would be written" in \
        same.stderr, describe(same)
    # Another carrier writes another file: not skipped.
    sidecar = run("sign", "--identity", identity_dir, photo, "--carrier", "sidecar")
    assert sidecar.returncode == EXIT_OK and "OK" in sidecar.stderr, describe(sidecar)
    assert photo.with_name("photo.jpg.c2pa").is_file()
    # Another claim: signed again over our own earlier output.
    before = photo.with_name("photo.signed.jpg").read_bytes()
    author = run("sign", "--identity", identity_dir, photo, "--author", "TEST-ONLY Someone")
    assert author.returncode == EXIT_OK and author.stderr.startswith("OK"), describe(author)
    assert photo.with_name("photo.signed.jpg").read_bytes() != before
    page = tmp_path / "page.html"
    page.write_text("<html><head><title>TEST-ONLY</title></head><body>hi</body></html>\n")
    assert run("sign", "--identity", identity_dir, page).returncode == EXIT_OK
    link = run("sign", "--identity", identity_dir, page, "--carrier", "link",
               "--manifest-url", "https://example.org/p.c2pa")
    assert link.stderr.startswith("OK"), describe(link)


def test_existing_output_of_someone_else_is_refused(tmp_path: Path, identity_dir: Path,
                                                    files: dict[str, Path]) -> None:
    dest = tmp_path / "theirs.jpg"
    dest.write_bytes(b"TEST-ONLY not ours")
    proc = run("sign", "--identity", identity_dir, files["photo.jpg"], "-o", dest)
    assert proc.returncode == 3 and "not an earlier output" in proc.stderr, describe(proc)
    assert dest.read_bytes() == b"TEST-ONLY not ours"
    forced = run("sign", "--identity", identity_dir, files["photo.jpg"], "-o", dest, "--force")
    assert forced.returncode == EXIT_OK, describe(forced)


# -- verify and inspect --------------------------------------------------------------------------


def test_verify_says_when_and_what_changed_in_plain_words(signed_jpeg: Path, tmp_path: Path,
                                                          identity_dir: Path,
                                                          files: dict[str, Path]) -> None:
    ok = run("verify", signed_jpeg)
    assert ok.returncode == EXIT_OK and " on 20" in ok.stderr and "UTC" in ok.stderr, ok.stderr
    edit = tmp_path / "edit.jpg"
    made = run("sign", "--identity", identity_dir, files["photo.png"], "--parent", signed_jpeg,
               "-o", tmp_path / "edit.png")
    assert made.returncode == EXIT_OK, describe(made)
    shown = run("verify", tmp_path / "edit.png")
    assert f"an edit of {signed_jpeg.name} (trusted)" in shown.stderr, describe(shown)
    edit.write_bytes(flip_entropy_byte(signed_jpeg.read_bytes()))
    bad = run("verify", edit)
    assert bad.returncode == EXIT_FAILED
    assert "the content was changed after signing [assertion.dataHash.mismatch]" in bad.stderr


def test_colour_only_on_a_terminal(signed_jpeg: Path) -> None:
    piped = run("verify", signed_jpeg)
    assert "\x1b[" not in piped.stderr
    forced = run("verify", signed_jpeg, env={"FORCE_COLOR": "1"})
    assert "\x1b[1;32mOK" in forced.stderr, repr(forced.stderr)
    plain = run("verify", signed_jpeg, env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "32m" not in plain.stderr and "31m" not in plain.stderr, repr(plain.stderr)


def test_inspect_folder_manifest_and_schema(signed_jpeg: Path, files: dict[str, Path]) -> None:
    folder = signed_jpeg.parent
    proc = run("inspect", folder, "-r", "--json")
    assert proc.returncode == EXIT_OK, describe(proc)
    doc = json.loads(proc.stdout)
    inspect_validator().validate(doc)
    assert doc["schema"] == "provenance.inspect/v1" and "passed" not in doc
    assert any(r["status"] == "trusted" for r in doc["results"])
    store = json.loads(run("inspect", "--manifest", signed_jpeg).stdout)
    assert store["active_manifest"] in store["manifests"]
    assert "validation_results" in store
    many = run("inspect", "--manifest", signed_jpeg, files["photo.png"]).stdout.splitlines()
    assert [json.loads(ln)["manifest_store"] is None for ln in many] == [False, True]
    assert_no_traceback(run("inspect", folder))


def test_names_read_as_people_write_them(identity_dir: Path, signed_jpeg: Path) -> None:
    shown = run("identity", "show", "--dir", identity_dir).stdout
    assert "CN=TEST-ONLY Ada Lovelace, O=TEST-ONLY Engines, E=ada@example.test" in shown
    assert "1.2.840.113549" not in shown
    described = run("inspect", signed_jpeg).stdout
    assert "TEST-ONLY Ada Lovelace (TEST-ONLY Engines)" in described and " / -" not in described


def test_malformed_config_names_the_file_and_key(home: Path, identity_dir: Path,
                                                 files: dict[str, Path]) -> None:
    (home / "config.toml").write_text('[sign]\ntsa_ulr = "http://127.0.0.1:1/"\n')
    proc = run("sign", "--identity", identity_dir, files["photo.jpg"],
               unset=["PROVENANCE_TSA_URL"])
    assert_one_error_line(proc, EXIT_USAGE, "config.toml", "tsa_ulr", "tsa_url")
