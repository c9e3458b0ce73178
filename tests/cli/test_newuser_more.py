"""What tripped a new user typing the README and the help pages literally (the second round):
the folder the examples are typed in (``make try``), an output folder that cannot be made, a
photo piped into ``-``, the passphrase's hints, whose file refuses an overwrite, the reason a
tampered file fails, and help pages that name every command and environment variable."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import provenance
from provenance.errors import IdentityError, OutputError
from provenance.identity import Identity
from tests.cli.helpers import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_OPERATIONAL,
    EXIT_USAGE,
    PROJECT,
    assert_one_error_line,
    describe,
    flip_entropy_byte,
    run,
    snapshot,
)


def _try_files() -> ModuleType:
    spec = importlib.util.spec_from_file_location("try_files", PROJECT / "docs" / "try_files.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tree(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_make_try_holds_every_file_the_readme_examples_name(tmp_path: Path) -> None:
    from tests.test_readme import _workspace

    made = _try_files().make(tmp_path / "try")
    (tmp_path / "readme").mkdir()
    assert _tree(made) == _tree(_workspace(tmp_path / "readme")), \
        "docs/try_files.py must make what tests/test_readme.py's scratch folder holds"
    assert "try:" in (PROJECT / "Makefile").read_text() and "make try" in \
        (PROJECT / "README.md").read_text()
    # The README's lines about them hold there: the tampered copy fails for its pixels ...
    proc = subprocess.run([sys.executable, "-m", "provenance", "verify", "tampered.jpg"],
                          cwd=made, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == EXIT_FAILED, describe(proc)
    assert "invalid: the content was changed after signing [assertion.dataHash.mismatch]" \
        in proc.stderr, describe(proc)  # that reason first, the untrusted signer after it
    # ... and the colleague's photo is trusted with their root.
    proc = subprocess.run([sys.executable, "-m", "provenance", "verify", "someone-elses.jpg",
                           "--require-trusted", "--trust", "partner-root.pem"], cwd=made,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == EXIT_OK and proc.stderr.startswith("OK"), describe(proc)


def test_an_output_folder_that_cannot_be_made_is_one_line(
        files: dict[str, Path], identity_dir: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder would go\n")
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<html><head></head><body>hi</body></html>\n")
    before = snapshot(files["photo.jpg"], blocker, site)
    for args in (("sign", "--identity", identity_dir, files["photo.jpg"]),
                 ("publish", "--identity", identity_dir, site),
                 ("identity", "csr", "--name", "TEST-ONLY A")):
        proc = run(*args, "--out-dir", blocker / "out")
        assert_one_error_line(proc, EXIT_OPERATIONAL, "cannot create the output folder",
                              "--out-dir")  # was "unexpected NotADirectoryError"
    assert snapshot(files["photo.jpg"], blocker, site) == before


@pytest.mark.parametrize("verb", [("sign", "-"), ("verify", "-"), ("strip", "-")])
def test_a_photo_piped_into_dash_says_dash_takes_text(
        verb: tuple[str, ...], files: dict[str, Path], identity_dir: Path) -> None:
    args = [*verb, "--identity", str(identity_dir)] if verb[0] == "sign" else list(verb)
    proc = subprocess.run([sys.executable, "-m", "provenance", *args],
                          input=files["photo.jpg"].read_bytes(), capture_output=True,
                          timeout=120, check=False)
    done = subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode(),
                                       proc.stderr.decode())
    assert_one_error_line(done, EXIT_USAGE, "stdin is not UTF-8 text", "'-' takes text only")
    assert done.stdout == ""


def test_a_wrong_passphrase_names_where_it_came_from(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, Path]) -> None:
    ident, _ = Identity.create("TEST-ONLY Locked")
    d = tmp_path / "locked"
    ident.save(d, password=b"right")
    with pytest.raises(IdentityError) as typed:  # a prompt or password=: no variable to blame
        Identity.load(d, password="wrong")  # noqa: S106
    assert "PROVENANCE_KEY_PASSWORD" not in str(typed.value) and "try again" in str(typed.value)
    monkeypatch.setenv("PROVENANCE_KEY_PASSWORD", "wrong")
    with pytest.raises(IdentityError, match="check PROVENANCE_KEY_PASSWORD"):
        Identity.load(d, password=None)
    # The CLI also takes it from a file (a CI secret), as Dask workers do.
    secret = tmp_path / "secret"
    secret.write_bytes(b"right\n")
    proc = run("sign", "--identity", d, "-o", tmp_path / "out.jpg", files["photo.jpg"],
               env={"PROVENANCE_KEY_PASSWORD_FILE": str(secret)},
               unset=["PROVENANCE_KEY_PASSWORD"])
    assert proc.returncode == EXIT_OK and (tmp_path / "out.jpg").is_file(), describe(proc)
    proc = run("sign", "--identity", d, "-o", tmp_path / "out2.jpg", files["photo.jpg"],
               env={"PROVENANCE_KEY_PASSWORD_FILE": str(tmp_path / "missing")},
               unset=["PROVENANCE_KEY_PASSWORD"])
    assert_one_error_line(proc, EXIT_USAGE, "cannot read PROVENANCE_KEY_PASSWORD_FILE")
    assert not (tmp_path / "out2.jpg").exists()


@pytest.mark.parametrize("alg", ["es256", "ed25519"])
def test_identity_show_needs_no_passphrase(tmp_path: Path, alg: str) -> None:
    """It prints public facts only: a CI job without the secret can show the identity."""
    import json

    ident, _ = Identity.create("TEST-ONLY Locked Show", algorithm=alg)
    d = tmp_path / "locked"
    ident.save(d, password=b"right")
    proc = run("identity", "show", "--dir", d, "--json", unset=["PROVENANCE_KEY_PASSWORD",
                                                                 "PROVENANCE_KEY_PASSWORD_FILE"])
    assert proc.returncode == EXIT_OK, describe(proc)  # before: exit 2, no passphrase
    shown = json.loads(proc.stdout)
    loaded = Identity.load(d, password="right")  # noqa: S106
    assert {k: v for k, v in shown.items() if k != "schema"} == loaded.info().to_dict()
    assert shown["encrypted"] is True and shown["algorithm"] == alg
    proc = run("identity", "show", "--dir", tmp_path / "nothing-here")
    assert_one_error_line(proc, EXIT_USAGE, "no identity found")


def test_no_identity_yet_points_at_identity_create(home: Path, tmp_path: Path) -> None:
    with pytest.raises(IdentityError) as default:
        Identity.default()
    text = str(default.value)
    assert "identity create" in text and "Identity.default()" not in text, text
    with pytest.raises(IdentityError) as elsewhere:  # another folder: the default is named
        Identity.load(tmp_path / "nowhere", password=None)
    assert str(home / "identity") in str(elsewhere.value)


def test_an_output_signed_before_renew_is_ours_and_a_namesakes_is_refused(
        identity: Identity, identity_dir: Path, stranger: Identity, files: dict[str, Path],
        tmp_path: Path) -> None:
    out = tmp_path / "out.jpg"
    provenance.sign(files["photo.jpg"], out, identity=identity)
    # `identity renew`: a new certificate from the same root; the old output is still ours.
    renewed_dir = tmp_path / "renewed"
    shutil.copytree(identity_dir, renewed_dir)
    from provenance.identity import renew_local_identity

    renewed = renew_local_identity(renewed_dir, password=None)
    assert renewed.certificate.serial_number != identity.certificate.serial_number
    provenance.sign(files["photo.jpg"], out, identity=renewed)
    assert provenance.inspect(out).signer.serial == format(  # type: ignore[union-attr]
        renewed.certificate.serial_number, "x")
    before = out.read_bytes()
    # The same name from another root, and a stranger: refused, saying whose file it is.
    namesake, _ = Identity.create(identity.info().name or "",
                                  email="ada@example.test", organization="TEST-ONLY Engines")
    with pytest.raises(OutputError, match="with a certificate this identity's root did not"):
        provenance.sign(files["photo.jpg"], out, identity=namesake)
    with pytest.raises(OutputError, match=r"it was signed by TEST-ONLY Ada Lovelace \(remove"):
        provenance.sign(files["photo.jpg"], out, identity=stranger)
    assert out.read_bytes() == before


def test_a_tampered_file_fails_for_the_change_before_the_untrusted_signer(
        stranger: Identity, files: dict[str, Path]) -> None:
    signed = provenance.sign_bytes(files["photo.jpg"].read_bytes(), name="photo.jpg",
                                   identity=stranger).data
    with pytest.raises(provenance.VerificationFailed) as failed:
        provenance.verify(flip_entropy_byte(signed), name="photo.jpg")
    (reason,) = failed.value.reasons
    assert reason.startswith("the manifest is invalid: the content was changed"), reason
    assert reason.index("dataHash") < reason.index("signingCredential.untrusted"), reason


def test_help_names_every_command_and_environment_variable() -> None:
    import typer.main
    from provenance.cli import topics
    from provenance.cli.app import app

    group = typer.main.get_command(app)
    commands = group.list_commands(typer.Context(group))  # type: ignore[attr-defined]
    listed = topics.index().rsplit("Commands:", 1)[1]
    missing = [c for c in commands if c != "help" and not re.search(rf"\b{c}\b", listed)]
    assert not missing, f"`provenance help` does not list {missing}"
    read = set()
    for path in [*(PROJECT / "provenance").rglob("*.py"), *(PROJECT / "cli").rglob("*.py")]:
        read |= set(re.findall(r"PROVENANCE_[A-Z_]+[A-Z]", path.read_text(encoding="utf-8")))
    read.discard("PROVENANCE_COMPLETE")  # typer's shell completion, not a setting
    page = topics.page("environment") or ""
    assert not [v for v in read if v not in page], sorted(v for v in read if v not in page)
    assert "tsa serve [--dir DIR]" in (topics.page("tsa") or "")


def test_an_interrupted_sign_says_how_to_finish(capsys: pytest.CaptureFixture[str]) -> None:
    from provenance.cli.common import Exit
    from provenance.cli.render import _run

    def results() -> Iterator[provenance.batch.Result]:
        raise KeyboardInterrupt
        yield  # a generator

    with pytest.raises(Exit) as stopped:
        _run("sign", results(), total=3, as_json=False, as_jsonl=False, report=None,
             quiet=False, progress=False)
    assert stopped.value.exit_code == 130
    err = capsys.readouterr().err
    assert "interrupted" in err and "run the same command again" in err, err


def test_a_skipped_file_is_named_once(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "x.bmp").write_bytes(b"BM" + bytes(64))
    proc = run("verify", folder, "-r", "--no-summary")
    assert proc.returncode == EXIT_OK, describe(proc)
    (line,) = [ln for ln in proc.stderr.splitlines() if ln.startswith("SKIP")]
    assert line.count("x.bmp") == 1 and "BMP files cannot carry" in line, line


def test_an_unsupported_type_is_named_once_and_the_text_types_are_listed(
        identity_dir: Path, tmp_path: Path) -> None:
    src = tmp_path / "notes.xyz"
    src.write_text("a note\n")
    proc = run("sign", "--identity", identity_dir, src)
    assert proc.returncode == EXIT_USAGE, describe(proc)
    (line,) = [ln for ln in proc.stderr.splitlines() if ln.startswith("FAIL")]
    assert line.count("notes.xyz") == 1, line  # before: "FAIL notes.xyz: notes.xyz: ..."
    assert "unsupported file type .xyz (supported: " in line and "JPEG" in line, line
    assert "and text: .txt, .md, .html" in line, line  # before: media types only
    assert not (tmp_path / "notes.signed.xyz").exists()


def test_install_hints_name_what_pip_can_install() -> None:
    """Not on PyPI yet, and the PyPI 'provenance' is another project: every hint to install an
    extra says `pip install '.[EXTRA]'` from the checkout."""
    wrong = re.compile(r"pip install '(?:human-)?provenance\[")
    for path in [*(PROJECT / "provenance").rglob("*.py"), *(PROJECT / "cli").rglob("*.py"),
                 PROJECT / "README.md"]:
        text = path.read_text(encoding="utf-8")
        assert not wrong.search(text), f"{path}: {wrong.search(text)}"


def test_a_timestamp_authority_that_is_no_url_or_down_is_named(
        files: dict[str, Path], identity_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jpg"
    proc = run("sign", "--identity", identity_dir, files["photo.jpg"], "-o", out,
               env={"PROVENANCE_TSA_URL": "notaurl"})  # refused before any signing
    assert_one_error_line(proc, EXIT_USAGE, "'notaurl' is not an http(s) URL",
                          "PROVENANCE_TSA_URL")
    import socket

    with socket.socket() as free:  # a port nobody listens on
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    for carrier in ((), ("--carrier", "sidecar")):
        proc = run("sign", "--identity", identity_dir, files["photo.jpg"], "-o", out,
                   "--tsa", f"http://127.0.0.1:{port}/", *carrier)
        assert_one_error_line(proc, EXIT_OPERATIONAL, "timestamp authority (--tsa)",
                              "--no-tsa")  # not "check the identity"
    assert not out.exists() and not out.with_name("out.jpg.c2pa").exists()


def test_a_sidecar_follows_the_overwrite_rule(
        identity: Identity, stranger: Identity, files: dict[str, Path]) -> None:
    src = files["photo.jpg"]
    sidecar = src.with_name(src.name + ".c2pa")
    provenance.sign(src, identity=identity, carrier="sidecar")
    # Ours: another claim replaces it (it said "pass --replace", and so did --force).
    provenance.sign(src, identity=identity, carrier="sidecar",
                    claim=provenance.HumanClaim("capture", author="TEST-ONLY Pen Name"))
    assert provenance.inspect(src).author == "TEST-ONLY Pen Name"
    # Someone else's is the source's Content Credentials: kept unless --replace (as for any
    # signed source; --force is not enough).
    before = sidecar.read_bytes()
    for force in (False, True):
        with pytest.raises(provenance.AlreadySigned, match="--replace"):
            provenance.sign(src, identity=stranger, carrier="sidecar", overwrite=force)
    assert sidecar.read_bytes() == before
    provenance.sign(src, identity=stranger, carrier="sidecar", replace=True)
    assert provenance.inspect(src).signer.name == "TEST-ONLY Mallory Stranger"  # type: ignore[union-attr]


def test_out_dir_of_the_source_folder_names_out_dir(files: dict[str, Path],
                                                   identity_dir: Path) -> None:
    before = snapshot(files["photo.jpg"])
    proc = run("sign", "--identity", identity_dir, files["photo.jpg"],
               "--out-dir", files["photo.jpg"].parent)
    assert proc.returncode == EXIT_OPERATIONAL and "is the source file" in proc.stderr, \
        describe(proc)
    assert "--out-dir" in proc.stderr and snapshot(files["photo.jpg"]) == before
