"""`provenance sign` on bad input: one clean error line, the right exit code, nothing lost."""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from PIL import Image

from provenance.identity import Identity
from tests.cli.helpers import (
    EXIT_OK,
    EXIT_OPERATIONAL,
    EXIT_USAGE,
    assert_no_traceback,
    assert_one_error_line,
    assert_unchanged,
    describe,
    ok_lines,
    run,
    snapshot,
)


def _sign_fails(tmp_path: Path, home: Path, code: int, *args: object,
                needles: tuple[str, ...] = (), env: dict[str, str] | None = None) -> str:
    """Run ``sign ARGS``; expect one error line and no change anywhere under tmp_path/home."""
    before = snapshot(tmp_path, home)
    proc = run("sign", *args, env=env)
    assert proc.returncode == code, describe(proc)
    assert_no_traceback(proc)
    assert proc.stdout == "", describe(proc)
    assert_unchanged(before, snapshot(tmp_path, home))
    return assert_one_error_line(proc, code, *needles)


# -- the input file -----------------------------------------------------------------------------


def test_missing_file(tmp_path: Path, home: Path, identity_dir: Path) -> None:
    missing = tmp_path / "nope.jpg"
    _sign_fails(tmp_path, home, EXIT_USAGE, "--identity", identity_dir, missing,
                needles=("not found", "nope.jpg"))


def test_directory_as_file(tmp_path: Path, home: Path, identity_dir: Path) -> None:
    d = tmp_path / "album.jpg"
    d.mkdir()
    _sign_fails(tmp_path, home, EXIT_USAGE, "--identity", identity_dir, d,
                needles=("is a directory",))


def test_empty_file(tmp_path: Path, home: Path, identity_dir: Path) -> None:
    f = tmp_path / "file.jpg"
    f.write_bytes(b"")
    _sign_fails(tmp_path, home, EXIT_USAGE, "--identity", identity_dir, f,
                needles=("empty", "0 bytes"))


def test_text_named_jpg(tmp_path: Path, home: Path, identity_dir: Path) -> None:
    f = tmp_path / "notes.jpg"
    f.write_text("TEST-ONLY these are my notes, not a photo\n" * 10)
    _sign_fails(tmp_path, home, EXIT_USAGE, "--identity", identity_dir, f,
                needles=("notes.jpg", ".jpg"))


def test_truncated_jpeg(tmp_path: Path, home: Path, identity_dir: Path,
                        files: dict[str, Path]) -> None:
    data = files["photo.jpg"].read_bytes()
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    _sign_fails(tmp_path, home, EXIT_USAGE, "--identity", identity_dir, cut,
                needles=("cut.jpg", "not a complete"))


def test_bmp_unsupported(tmp_path: Path, home: Path, identity_dir: Path) -> None:
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 30, 30)).save(buf, "BMP")
    f = tmp_path / "old.bmp"
    f.write_bytes(buf.getvalue())
    line = _sign_fails(tmp_path, home, EXIT_USAGE, "--identity", identity_dir, f,
                       needles=("old.bmp",))
    assert "BMP" in line, line


# -- the destination ----------------------------------------------------------------------------


def test_output_directory_missing(tmp_path: Path, home: Path, identity_dir: Path,
                                  files: dict[str, Path]) -> None:
    line = _sign_fails(tmp_path, home, EXIT_OPERATIONAL, "--identity", identity_dir,
                       "-o", "/nonexistent-dir/x.jpg", files["photo.jpg"],
                       needles=("/nonexistent-dir",))
    assert "does not exist" in line or "cannot write" in line, line
    assert not Path("/nonexistent-dir").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_out_dir_not_writable(tmp_path: Path, home: Path, identity_dir: Path,
                              files: dict[str, Path]) -> None:
    ro = tmp_path / "readonly"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        _sign_fails(tmp_path, home, EXIT_OPERATIONAL, "--identity", identity_dir,
                    "--out-dir", ro, files["photo.jpg"], needles=("cannot write",))
        assert list(ro.iterdir()) == []
    finally:
        ro.chmod(0o700)


def test_out_dir_unwritable_filesystem(tmp_path: Path, home: Path, identity_dir: Path,
                                       files: dict[str, Path]) -> None:
    """Works as root too: /proc is a directory nobody can create files in."""
    try:
        fd, name = tempfile.mkstemp(dir="/proc")
    except OSError:
        pass
    else:
        os.close(fd)
        os.unlink(name)
        pytest.skip("/proc is writable here")
    _sign_fails(tmp_path, home, EXIT_OPERATIONAL, "--identity", identity_dir,
                "--out-dir", "/proc", files["photo.jpg"], needles=("cannot write", "/proc"))


def test_output_is_source(tmp_path: Path, home: Path, identity_dir: Path,
                          files: dict[str, Path]) -> None:
    src = files["photo.jpg"]
    _sign_fails(tmp_path, home, EXIT_OPERATIONAL, "--identity", identity_dir, "-o", src, src,
                needles=("is the source file", "--in-place"))


def test_output_is_source_by_another_spelling(tmp_path: Path, home: Path, identity_dir: Path,
                                              files: dict[str, Path]) -> None:
    src = files["photo.jpg"]
    other = src.parent / "." / ".." / src.parent.name / src.name
    _sign_fails(tmp_path, home, EXIT_OPERATIONAL, "--identity", identity_dir, "-o", other, src,
                needles=("is the source file", "--in-place"))


def test_existing_output_kept_on_failure(tmp_path: Path, home: Path, identity_dir: Path,
                                         files: dict[str, Path]) -> None:
    """A failed sign must not touch an existing output file."""
    dest = tmp_path / "keep.jpg"
    dest.write_bytes(b"TEST-ONLY previous output")
    bad = tmp_path / "bad.jpg"
    bad.write_text("not a jpeg")
    _sign_fails(tmp_path, home, EXIT_USAGE, "--identity", identity_dir, "-o", dest, bad)
    assert dest.read_bytes() == b"TEST-ONLY previous output"


# -- the identity -------------------------------------------------------------------------------


def test_wrong_passphrase(tmp_path: Path, home: Path, files: dict[str, Path]) -> None:
    ident = tmp_path / "locked-id"
    proc = run("identity", "create", "--name", "TEST-ONLY Locked", "--dir", ident,
               env={"PROVENANCE_KEY_PASSWORD": "secret"})
    assert proc.returncode == 0, describe(proc)
    assert b"ENCRYPTED" in (ident / "key.pem").read_bytes()
    _sign_fails(tmp_path, home, EXIT_USAGE, "--identity", ident, files["photo.jpg"],
                needles=("wrong passphrase",), env={"PROVENANCE_KEY_PASSWORD": "wrong"})


def test_encrypted_key_without_passphrase(tmp_path: Path, home: Path,
                                          files: dict[str, Path]) -> None:
    """No passphrase and no terminal to ask on: a clear error, not a hang or a traceback."""
    ident = tmp_path / "locked-id"
    proc = run("identity", "create", "--name", "TEST-ONLY Locked", "--dir", ident,
               env={"PROVENANCE_KEY_PASSWORD": "secret"})
    assert proc.returncode == 0, describe(proc)
    _sign_fails(tmp_path, home, EXIT_USAGE, "--identity", ident, files["photo.jpg"],
                needles=("encrypted", "PROVENANCE_KEY_PASSWORD"))


def test_missing_identity(tmp_path: Path, home: Path, files: dict[str, Path]) -> None:
    empty = tmp_path / "empty-dir"
    empty.mkdir()
    _sign_fails(tmp_path, home, EXIT_USAGE, "--identity", empty, files["photo.jpg"],
                needles=("no identity found",))


def test_no_default_identity(tmp_path: Path, home: Path, files: dict[str, Path]) -> None:
    """Without --identity the default ($PROVENANCE_HOME/identity) is used, and is absent."""
    _sign_fails(tmp_path, home, EXIT_USAGE, files["photo.jpg"],
                needles=("no identity found", "identity create"))


def _ca_and_leaf_without_email_eku(tmp_path: Path) -> tuple[Path, Path]:
    now = dt.datetime.now(dt.UTC)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "TEST-ONLY Bad Root")])
    root = (
        x509.CertificateBuilder().subject_name(root_name).issuer_name(root_name)
        .public_key(root_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=False, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()),
                       critical=False)
        .sign(root_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "TEST-ONLY No EKU")]))
        .issuer_name(root_name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        # serverAuth only: lacks emailProtection (and everything else C2PA accepts)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
                       critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .sign(root_key, hashes.SHA256())
    )
    cert = tmp_path / "leaf-chain.pem"
    cert.write_bytes(leaf.public_bytes(serialization.Encoding.PEM)
                     + root.public_bytes(serialization.Encoding.PEM))
    keyf = tmp_path / "leaf-key.pem"
    keyf.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return cert, keyf


def test_import_certificate_violating_profile(tmp_path: Path, home: Path) -> None:
    cert, key = _ca_and_leaf_without_email_eku(tmp_path)
    target = tmp_path / "imported"
    before = snapshot(tmp_path, home)
    proc = run("identity", "import", "--cert", cert, "--key", key, "--dir", target)
    assert_one_error_line(proc, EXIT_USAGE, "no extendedKeyUsage C2PA accepts")
    assert_unchanged(before, snapshot(tmp_path, home))
    assert not target.exists()


def test_expired_certificate(tmp_path: Path, home: Path, files: dict[str, Path],
                             expired_identity: Identity) -> None:
    """Observed: refused before signing with exit 2 (IdentityError) saying when it expired."""
    d = tmp_path / "expired-id"
    expired_identity.save(d, password=None)
    line = _sign_fails(tmp_path, home, EXIT_USAGE, "--identity", d, files["photo.jpg"])
    assert "expired" in line, line
    assert not files["photo.jpg"].with_name("photo.signed.jpg").exists()


# -- already signed and option clashes ----------------------------------------------------------


def test_resign_refused(tmp_path: Path, home: Path, identity_dir: Path,
                        signed_jpeg: Path) -> None:
    line = _sign_fails(tmp_path, home, EXIT_USAGE, "--identity", identity_dir, "-o",
                       tmp_path / "again.jpg", signed_jpeg,
                       needles=("already carries", "--parent", "--replace"))
    assert "TEST-ONLY Ada Lovelace" in line, line


def test_origin_edit_needs_parent(tmp_path: Path, home: Path, identity_dir: Path,
                                  files: dict[str, Path]) -> None:
    _sign_fails(tmp_path, home, EXIT_USAGE, "--identity", identity_dir, "--origin", "edit",
                files["photo.jpg"], needles=("--parent",))


def test_output_with_two_inputs(tmp_path: Path, home: Path, identity_dir: Path,
                                files: dict[str, Path]) -> None:
    _sign_fails(tmp_path, home, EXIT_USAGE, "--identity", identity_dir,
                "-o", tmp_path / "one.jpg", files["photo.jpg"], files["photo.png"],
                needles=("-o", "--out-dir"))


def test_output_and_in_place_clash(tmp_path: Path, home: Path, identity_dir: Path,
                                   files: dict[str, Path]) -> None:
    _sign_fails(tmp_path, home, EXIT_USAGE, "--identity", identity_dir,
                "-o", tmp_path / "one.jpg", "--in-place", files["photo.jpg"],
                needles=("--in-place",))


def test_out_dir_is_created(tmp_path: Path, home: Path, identity_dir: Path,
                            files: dict[str, Path]) -> None:
    """``--out-dir signed/`` makes the folder (every pipeline example relies on it)."""
    proc = run("sign", "--identity", identity_dir, "--out-dir", tmp_path / "new" / "signed",
               files["photo.jpg"])
    assert proc.returncode == EXIT_OK, describe(proc)
    assert (tmp_path / "new" / "signed" / "photo.jpg").is_file()


def test_out_dir_that_is_a_file(tmp_path: Path, home: Path, identity_dir: Path,
                                files: dict[str, Path]) -> None:
    (tmp_path / "a-file").write_bytes(b"TEST-ONLY")
    _sign_fails(tmp_path, home, EXIT_USAGE, "--identity", identity_dir,
                "--out-dir", tmp_path / "a-file", files["photo.jpg"],
                needles=("is a file, not a directory",))


def test_bad_and_good_inputs_together(tmp_path: Path, home: Path, identity_dir: Path,
                                      files: dict[str, Path]) -> None:
    """One bad file among good ones: the good are signed, the bad reported, exit is the worst."""
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"")
    before = snapshot(tmp_path, home)
    proc = run("sign", "--identity", identity_dir, files["photo.jpg"], bad, files["photo.png"])
    assert proc.returncode == EXIT_USAGE, describe(proc)
    assert_no_traceback(proc)
    err = ok_lines(proc)
    assert len(err) == 3, describe(proc)
    assert err[0].startswith("OK") and err[2].startswith("OK"), describe(proc)
    assert err[1].startswith("FAIL") and "bad.jpg" in err[1], describe(proc)
    assert_unchanged(before, snapshot(tmp_path, home), added=[
        files["photo.jpg"].with_name("photo.signed.jpg"),
        files["photo.png"].with_name("photo.signed.png"),
    ])


def test_file_name_with_brackets_printed_verbatim(tmp_path: Path, home: Path,
                                                  identity_dir: Path) -> None:
    """Paths are user data: rich markup in a file name must not be eaten from the message."""
    f = tmp_path / "[bold]x.jpg"
    f.write_bytes(b"")
    line = _sign_fails(tmp_path, home, EXIT_USAGE, "--identity", identity_dir, f)
    assert "[bold]x.jpg" in line, line


def test_missing_file_no_tsa(tmp_path: Path, home: Path, identity_dir: Path) -> None:
    """--no-tsa declines timestamps explicitly; a missing file must still be ONE error line."""
    _sign_fails(tmp_path, home, EXIT_USAGE, "--no-tsa", "--identity", identity_dir,
                tmp_path / "nope.jpg", needles=("not found",))


def test_click_usage_error_has_no_traceback(tmp_path: Path, home: Path) -> None:
    """Unknown option / missing argument: exit 2 from click, no traceback, nothing written."""
    before = snapshot(tmp_path, home)
    for args in (("sign", "--bogus", "x.jpg"), ("sign",), ("verify",),
                 ("identity", "create", "--alg", "md5", "--name", "x")):
        proc = run(*args)
        assert proc.returncode == EXIT_USAGE, describe(proc)
        assert_no_traceback(proc)
        assert proc.stdout == "", describe(proc)
    assert_unchanged(before, snapshot(tmp_path, home))
