"""Hostile inputs found by the second outside audit (hostile22), each built here by a generator
(nothing binary is stored): a PEM bundle of unterminated BEGIN lines, malformed config.toml and
policy files, timeouts past the alarm's range, text whose manifest is damaged, manifest
references of a megabyte, images declaring more pixels than we decode, damaged TIFF and PDF.

Each case failed on the code before the fix (hung, printed a Python warning, exited 3 with
"unexpected ...", or signed an output that does not verify) and must now end with one clear
line and the right exit code. The figures measured before and after are in the audit's note.
"""

from __future__ import annotations

import io
import os
import re
import struct
import time
import zlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provenance.errors import AlreadySigned, InputError, TrustError
from provenance.policyfile import PolicyError
from tests.cli.helpers import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    assert_no_traceback,
    assert_one_error_line,
    describe,
    run,
)

# A generous bound: catches a hang or a quadratic blow-up, not a slow machine.
BOUND = 5.0


# -- generators ---------------------------------------------------------------------------------


def unterminated_pem(lines: int = 30_000) -> bytes:
    """A "trust list" of ``lines`` BEGIN CERTIFICATE lines and no END (840 KB)."""
    return b"-----BEGIN CERTIFICATE-----\n" * lines


def deep_toml(key: str = "a", depth: int = 5_000) -> str:
    """``key = [[[...]]]`` nested ``depth`` deep (tomllib recurses once a level)."""
    return f"{key} = " + "[" * depth + "]" * depth + "\n"


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_declaring(width: int, height: int, color_type: int = 6) -> bytes:
    """A PNG whose IHDR declares ``width`` x ``height`` (RGBA by default) with one tiny IDAT:
    what a decoder allocates comes from the header, whatever the data holds."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    idat = zlib.compress(b"\x00" * (width * 4 + 1))
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat)
            + _png_chunk(b"IEND", b""))


def cyclic_tiff() -> bytes:
    """A TIFF whose only image directory names itself as the next one."""
    return (b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 1)
            + struct.pack("<HHII", 256, 4, 1, 1) + struct.pack("<I", 8))


def garbage_pdf() -> bytes:
    """A PDF header, one object with a nonsense length, a nonsense xref and %%EOF."""
    return (b"%PDF-1.4\n1 0 obj << /Length 99999999999 >>\nstream\n" + b"x" * 1000
            + b"\nendstream endobj\nxref\n0 99999999\ntrailer << /Root 1 0 R /Size 99999999 >>"
            b"\nstartxref\n5\n%%EOF\n")


def damaged_a8(text: str = "Human words.\n") -> str:
    """Text with an A.8-looking wrapper (U+FEFF and variation selectors) that holds no store."""
    return text + "\ufeff" + "".join(chr(0xFE00 + (b & 15)) for b in os.urandom(2_000))


def damaged_a9() -> str:
    """Markdown with an A.9 block whose reference is 800 KB of text, neither URL nor data."""
    return ("# Title\n\nText.\n\n<!-- -----BEGIN C2PA MANIFEST-----\n" + "QUJD" * 200_000
            + "\n-----END C2PA MANIFEST----- -->\n")


def damaged_a7() -> str:
    """An HTML page with an inline c2pa script that is not base64."""
    return ("<!doctype html><html><head><script type=\"application/c2pa\">" + "!@#$" * 1_000
            + "</script></head><body><p>Words.</p></body></html>\n")


# -- trust lists: one pass, not one rescan per BEGIN -------------------------------------------


def test_unterminated_pem_bundle_is_refused_at_once() -> None:
    from provenance.trust import _parse_bundle

    start = time.monotonic()
    with pytest.raises(TrustError, match="holds no PEM certificate"):
        _parse_bundle(unterminated_pem(), "bundle.pem")
    assert time.monotonic() - start < BOUND  # before: still running after 30 s


def test_unterminated_pem_bundle_through_trust_add(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(unterminated_pem())
    proc = run("trust", "add", bundle, timeout=60)
    assert_one_error_line(proc, EXIT_USAGE, "holds no PEM certificate")


_OLD_BODY = re.compile(rb"(?s)-----BEGIN CERTIFICATE-----\s+(.+?)\s+-----END CERTIFICATE-----")
_PEM_PIECES = st.lists(st.sampled_from([
    b"-----BEGIN CERTIFICATE-----", b"-----END CERTIFICATE-----", b"\n", b" ", b"MIIB",
    b"QUJD", b"x", b"-----BEGIN X-----"]), max_size=30).map(b"".join)


@given(_PEM_PIECES)
def test_pem_blocks_are_the_old_regex_blocks_on_well_formed_parts(data: bytes) -> None:
    """The same bodies as the old lazy regex wherever every BEGIN's first END closes it with
    whitespace on both sides (the regex went on to a later END otherwise: malformed either way)."""
    from provenance.trust import _pem_blocks

    ours = [body for _, body in _pem_blocks(data)]
    old = [m.group(1).strip() for m in _OLD_BODY.finditer(data)]
    if all(re.fullmatch(rb"(?s)\s.*\s|\s\s\s*", m.group(0)[27:-25])
           and b"-----END CERTIFICATE-----" not in m.group(1) for m in _OLD_BODY.finditer(data)):
        assert [b for b in ours if b] == [b for b in old if b]


def test_pem_blocks_still_read_a_real_bundle(identity_dir: Path) -> None:
    from provenance.trust import _parse_bundle

    root = (identity_dir / "root.pem").read_bytes()
    chain = (identity_dir / "chain.pem").read_bytes()
    in_chain = len(_parse_bundle(chain, "chain.pem"))
    certs = _parse_bundle(b"junk\n" + root + b"\n" + chain + unterminated_pem(3), "bundle")
    assert len(certs) == 1 + in_chain


# -- config.toml and policy files ----------------------------------------------------------------


@pytest.mark.parametrize(("content", "needle"), [
    (deep_toml().encode(), "not usable TOML"),
    (b"[limits]\nfile_timeout = 1" + b"0" * 4_400 + b"\n", "not usable TOML"),
    (b"\x98\xff\x00garbage", "not UTF-8 text"),
    (b'[limits]\nfile_timeout = "' + b"x" * 1_000_000 + b'"\n', "file_timeout must be"),
    (b'["' + b"t" * 100_000 + b'"]\n', "unknown table"),
    (b"[limits]\nfile_timeout = nan\n", "must be a positive number"),
], ids=["5000-deep", "4400-digits", "not-utf8", "1mb-string", "100k-table-name", "nan"])
def test_malformed_config_toml_is_one_short_line(home: Path, tmp_path: Path, content: bytes,
                                                 needle: str) -> None:
    (home / "config.toml").write_bytes(content)
    (tmp_path / "a.txt").write_text("A text.\n")
    proc = run("verify", tmp_path / "a.txt")
    line = assert_one_error_line(proc, EXIT_USAGE, "config.toml", needle)
    assert len(line) < 400, line  # a 1 MB value is cut, not printed


def test_deep_policy_file_is_a_policy_error(tmp_path: Path) -> None:
    from provenance.policyfile import load_policy

    policy = tmp_path / "deep.toml"
    policy.write_text(deep_toml("origin"))
    with pytest.raises(PolicyError, match="not usable TOML"):
        load_policy(policy)


@pytest.mark.parametrize("seconds", ["9223372036854775807", "1e300", "inf"])
def test_a_timeout_past_the_alarms_range_means_no_limit(tmp_path: Path, seconds: str) -> None:
    (tmp_path / "a.txt").write_text("A text.\n")
    proc = run("verify", tmp_path / "a.txt", "--file-timeout", seconds, "--fail-on", "invalid")
    assert proc.returncode == EXIT_OK, describe(proc)


def test_a_timeout_of_nan_is_bad_usage(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A text.\n")
    proc = run("verify", tmp_path / "a.txt", "--file-timeout", "nan")
    assert_one_error_line(proc, EXIT_USAGE, "--file-timeout", "nan")


def test_a_huge_timeout_in_config_toml_means_no_limit(home: Path, tmp_path: Path) -> None:
    (home / "config.toml").write_text("[limits]\nfile_timeout = 9223372036854775807\n")
    (tmp_path / "a.txt").write_text("A text.\n")
    proc = run("verify", tmp_path / "a.txt", "--fail-on", "invalid")
    assert proc.returncode == EXIT_OK, describe(proc)


# -- text whose manifest is damaged: sign refuses instead of adding a second one --------------


@pytest.mark.parametrize(("name", "make"), [
    ("a8.txt", damaged_a8), ("a9.md", damaged_a9), ("a7.html", damaged_a7)])
def test_signing_over_a_damaged_text_manifest_is_refused(identity: object, name: str,
                                                         make: object) -> None:
    from provenance.carriers.text import sign_text_bytes, verify_text

    data = make().encode()  # type: ignore[operator]
    with pytest.raises(AlreadySigned, match="already carries a manifest that cannot be read"):
        sign_text_bytes(data, name=name, identity=identity)  # type: ignore[arg-type]
    # --replace discards it: one manifest, and the output verifies.
    signed = sign_text_bytes(data, name=name, identity=identity,  # type: ignore[arg-type]
                             replace=True)
    verify_text(signed.data.decode(), name=name)


def test_cli_sign_over_a_damaged_wrapper_leaves_the_output_alone(identity_dir: Path,
                                                                 tmp_path: Path) -> None:
    src = tmp_path / "essay.txt"
    src.write_text(damaged_a8())
    out = tmp_path / "essay.signed.txt"
    out.write_bytes(b"an existing output")
    os.utime(out, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    before = (src.read_bytes(), src.stat().st_mtime_ns)
    proc = run("sign", "--identity", identity_dir, src, "-o", out, "--force")
    assert_one_error_line(proc, EXIT_USAGE, "cannot be read", "--replace")
    assert (src.read_bytes(), src.stat().st_mtime_ns) == before
    assert out.read_bytes() == b"an existing output"
    assert out.stat().st_mtime_ns == 1_000_000_000_000_000_000


def test_a_megabyte_reference_is_cut_in_the_message() -> None:
    from provenance.carriers.text import inspect_text_bytes

    report = inspect_text_bytes(damaged_a9().encode(), name="a9.md")
    text = " ".join(str(f) for f in report.failures)
    assert "the manifest is at QUJD" in text
    assert len(text) < 600, len(text)  # before: 800,000 characters on one line
    page = ("<html><head><link rel=\"c2pa-manifest\" href=\"https://x.test/"
            + "a" * 500_000 + "\"></head><body>x</body></html>").encode()
    report = inspect_text_bytes(page, name="p.html")
    assert len(" ".join(str(f) for f in report.failures)) < 600


# -- images declaring more pixels than we decode ------------------------------------------------


def test_a_huge_declared_image_has_no_fingerprint_and_no_warning() -> None:
    import warnings

    from provenance.fingerprint.image import MAX_PIXELS, pixels_32

    data = png_declaring(12_000, 12_000)  # 144 Mpx RGBA: 2.4 GB decoded before the cap
    assert len(data) < 1 << 20
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Pillow's DecompressionBombWarning would raise here
        start = time.monotonic()
        assert pixels_32(data) is None
        assert time.monotonic() - start < BOUND
    assert 12_000 * 12_000 > MAX_PIXELS


def test_a_jpeg_photo_over_the_general_cap_keeps_its_fingerprint() -> None:
    """JPEG's cap is Pillow's refusal threshold (179 Mpx): a 100-150 Mpx medium-format photo
    keeps its soft binding (a 90 Mpx grayscale JPEG here, over the 89.5 Mpx of the others)."""
    from PIL import Image

    from provenance.fingerprint.image import MAX_JPEG_PIXELS, MAX_PIXELS, pixel_cap, pixels_32

    side = 9_500
    assert MAX_PIXELS < side * side < MAX_JPEG_PIXELS == pixel_cap("JPEG")
    buf = io.BytesIO()
    Image.linear_gradient("L").resize((side, side)).save(buf, "JPEG", quality=70)
    assert pixels_32(buf.getvalue()) is not None
    assert pixel_cap("PNG") == MAX_PIXELS


def test_signing_an_image_over_the_cap_says_it_has_no_soft_binding(identity: object,
                                                                    tmp_path: Path) -> None:
    from PIL import Image

    import provenance
    from provenance.fingerprint.image import MAX_PIXELS

    src = tmp_path / "scan.png"
    Image.new("L", (10_000, 9_000), 200).save(src, "PNG", compress_level=1)
    assert 10_000 * 9_000 > MAX_PIXELS
    result = provenance.sign(src, identity=identity)  # type: ignore[arg-type]
    assert result.fingerprint is None
    assert any(n.startswith("no soft binding (it is 10,000 x 9,000 pixels, over the "
                            "89,478,485 decoded") for n in result.notes), result.notes
    assert provenance.inspect(result.output).intact  # signed all the same
    small = tmp_path / "small.png"
    Image.new("L", (64, 48), 200).save(small, "PNG")
    assert not provenance.sign(small, identity=identity).notes  # type: ignore[arg-type]


def test_transparency_on_white_by_bands_is_the_whole_image_composite() -> None:
    """The banded composite gives the pixels the whole-image one gave (a 4200-wide image is
    cut into bands of 249 rows)."""
    from PIL import Image

    from provenance.fingerprint.image import _SIZE, pixels_32

    size = (4200, 300)
    ramp = Image.linear_gradient("L")
    rgb = Image.merge("RGB", (ramp.resize(size), ramp.rotate(90).resize(size),
                              ramp.rotate(45).resize(size)))
    rgba = rgb.convert("RGBA")
    rgba.putalpha(ramp.rotate(180).resize(size))
    for img, extra in ((rgba, {}), (rgba.convert("LA"), {}),
                       (rgb.convert("P"), {"transparency": 3})):
        buf = io.BytesIO()
        img.save(buf, "PNG", compress_level=1, **extra)
        with Image.open(io.BytesIO(buf.getvalue())) as opened:
            whole = opened.convert("RGBA")
            white = Image.new("RGBA", whole.size, (255, 255, 255, 255))
            ref = Image.alpha_composite(white, whole).convert("L").resize(
                (_SIZE, _SIZE), Image.Resampling.BICUBIC)
        got = pixels_32(buf.getvalue())
        assert got is not None
        assert got.tobytes() == ref.tobytes(), img.mode


def test_cli_verify_of_a_huge_declared_png_prints_no_python_warning(tmp_path: Path) -> None:
    png = tmp_path / "huge.png"
    png.write_bytes(png_declaring(12_000, 12_000))
    # An unsigned image is looked up by fingerprint only when there is a registry to ask.
    proc = run("verify", png, "--registry", f"sqlite:///{tmp_path / 'reg.sqlite3'}")
    assert proc.returncode == EXIT_FAILED, describe(proc)
    assert_no_traceback(proc)
    assert "Warning" not in proc.stderr and "warnings.warn" not in proc.stderr, describe(proc)
    assert len([ln for ln in proc.stderr.splitlines() if ln.strip()]) == 1, describe(proc)


def test_doctor_does_not_decode_a_huge_declared_image() -> None:
    from provenance.doctor.channels import ImageRecipe
    from provenance.doctor.transforms import image_copy

    recipe = ImageRecipe(long_side=2048, format="JPEG", quality=85)
    start = time.monotonic()
    with pytest.raises(ValueError, match="more than 89,478,485 pixels"):
        image_copy(png_declaring(12_000, 12_000), recipe)
    assert time.monotonic() - start < BOUND


# -- damaged TIFF and PDF: bad input (2), said in words -----------------------------------------


def test_cyclic_tiff_message_names_no_python_object(tmp_path: Path) -> None:
    from provenance.formats import check_structure, identify

    data = cyclic_tiff()
    with pytest.raises(InputError) as info:
        check_structure("loop.tif", identify("loop.tif", data), data)
    assert "<_io." not in str(info.value) and "cannot be read" in str(info.value)


def test_signing_a_garbage_pdf_is_bad_input_and_leaves_the_output(identity_dir: Path,
                                                                  tmp_path: Path) -> None:
    src = tmp_path / "bad.pdf"
    src.write_bytes(garbage_pdf())
    out = tmp_path / "out.pdf"
    out.write_bytes(b"an existing output")
    proc = run("sign", "--identity", identity_dir, src, "-o", out, "--force")
    assert_one_error_line(proc, EXIT_USAGE, "bad.pdf", "damaged")  # before: 3, "check the identity"
    assert out.read_bytes() == b"an existing output"
    assert src.read_bytes() == garbage_pdf()


# -- publish: a page of thousands of broken links is not thousands of lines -------------------


def broken_links_page(count: int = 5_000) -> str:
    """A page showing ``count`` images that are not in the site."""
    return ("<!doctype html><html><head><title>t</title></head><body>"
            + "".join(f'<img src="missing{i}.png">' for i in range(count)) + "</body></html>\n")


def test_publish_counts_link_problems_past_the_first_ten(identity_dir: Path,
                                                         tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(broken_links_page())
    proc = run("publish", site, "--identity", identity_dir, "--out-dir", tmp_path / "out",
               "--no-tsa", "--no-register")
    assert proc.returncode == EXIT_OK, describe(proc)
    assert_no_traceback(proc)
    warnings = [ln for ln in proc.stderr.splitlines() if ln.startswith("warning: index.html")]
    assert len(warnings) == 11, describe(proc)  # before: 5,000 lines
    assert "missing0.png is not in the site" in warnings[0]
    assert "4,990 more links with problems" in warnings[-1]


# -- serve: a multipart boundary python-multipart refuses is a 400, not a 500 ------------------


def test_serve_answers_a_5000_character_boundary_with_400(tmp_path: Path) -> None:
    import json

    from tests.server.helpers import serve

    boundary = "z" * 5_000
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"a.txt\"\r\n\r\nWords.\r\n--{boundary}--\r\n").encode()
    with serve(log_dir=tmp_path) as server:
        status, _, raw = server.request(
            "POST", "/api/v1/verify", body,
            {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        assert status == 400, raw[:300]
        assert json.loads(raw)["code"] == "bad_request"
        log = server.log_text()
    assert "Traceback" not in log and " 500 " not in log, log[-2000:]


# -- names from anyone are printed escaped: no forged result line, no terminal escape ---------


FORGED = "essay\nOK   forged.jpg: trusted, origin human\x1b[2K\u202e.txt"


def test_a_file_name_cannot_forge_a_result_line_or_reach_the_terminal(tmp_path: Path,
                                                                       identity_dir: Path) -> None:
    src = tmp_path / FORGED
    src.write_text("Human words.\n")
    proc = run("verify", src)
    assert proc.returncode == EXIT_FAILED, describe(proc)
    (line,) = [ln for ln in proc.stderr.splitlines() if ln.strip()]  # before: two lines
    assert line.startswith("FAIL ") and "\\x0aOK   forged.jpg" in line
    assert "\x1b" not in proc.stderr and "\u202e" not in proc.stderr
    assert "\\x1b[2K\\u202e" in line
    proc = run("inspect", src)
    assert proc.returncode == EXIT_OK, describe(proc)
    assert "\x1b" not in proc.stdout and "\\x0aOK   forged.jpg" in proc.stdout
    proc = run("sign", "--identity", identity_dir, src, "-o", tmp_path / "out.txt")
    assert proc.returncode == EXIT_OK, describe(proc)
    assert "\x1b" not in proc.stderr and proc.stderr.startswith("OK   ")
    proc = run("strip", src)  # an error line through the top-level handler
    assert_one_error_line(proc, EXIT_USAGE, "\\x0aOK   forged.jpg")
    assert "\x1b" not in proc.stderr


def test_plain_leaves_printable_text_alone() -> None:
    from cli.plaintext import plain

    assert plain("Ada Lovelace — été 漢字 😀") == "Ada Lovelace — été 漢字 😀"
    assert plain("a\tb\x7fc\x9bd\u2066e") == "a\\x09b\\x7fc\\x9bd\\u2066e"


# -- JSON trust lists nested deeper than json (or the walk) recurses --------------------------


def deep_json(depth: int = 100_000) -> bytes:
    """``{"a": [[[...]]]}`` nested ``depth`` deep: a "JSON trust list"."""
    return b'{"a": ' + b"[" * depth + b"]" * depth + b"}"


def test_a_deep_json_trust_list_is_refused_not_exit_3(tmp_path: Path) -> None:
    from provenance.trust import _parse_bundle

    with pytest.raises(TrustError, match="holds no PEM certificate"):
        _parse_bundle(deep_json(), "list.json")  # before: RecursionError (exit 3)
    listed = tmp_path / "list.json"
    listed.write_bytes(deep_json())
    proc = run("trust", "add", listed)
    assert_one_error_line(proc, EXIT_USAGE, "holds no PEM certificate")


def test_the_json_walk_finds_certificates_in_document_order(identity_dir: Path) -> None:
    import base64
    import json

    from cryptography.hazmat.primitives.serialization import Encoding

    from provenance.trust import _json_list_ders, _parse_bundle

    (root,) = _parse_bundle((identity_dir / "root.pem").read_bytes(), "root.pem")
    der = root.public_bytes(Encoding.DER)
    b64 = base64.b64encode(der).decode()
    doc = {"a": [{"X509Certificates": [{"val": b64}, "QUJD"]}],
           "b": {"c": [[{"X509Certificates": ["RUZH"]}]]},
           "X509Certificates": [{"val": "SElK"}]}
    assert _json_list_ders(json.dumps(doc).encode()) == [der, b"ABC", b"EFG", b"HIJ"]
    # Nested 900 deep (json's own limit is near 1,000): the walk keeps its own stack.
    deep = json.dumps({"x": [[doc]]}).encode()
    deep = b'{"k": ' * 900 + deep + b"}" * 900
    assert _json_list_ders(deep) == [der, b"ABC", b"EFG", b"HIJ"]


def test_registry_add_of_an_image_over_the_cap_says_why(identity_dir: Path,
                                                         tmp_path: Path) -> None:
    src = tmp_path / "huge.png"
    src.write_bytes(png_declaring(12_000, 12_000))
    signed = tmp_path / "huge.signed.png"
    proc = run("sign", "--identity", identity_dir, src, "-o", signed)
    assert proc.returncode == EXIT_OK, describe(proc)
    proc = run("registry", "add", signed)
    assert proc.returncode == EXIT_FAILED, describe(proc)
    assert_no_traceback(proc)
    assert "the image cannot be fingerprinted" in proc.stderr  # before: "images ... are registered"
    assert "178,956,970 pixels (JPEG) or 89,478,485 (other formats)" in proc.stderr


def test_doctor_and_publish_print_no_escape_sequence(identity_dir: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text('<!doctype html><html><body><img src="a\x1b[2Kb.png">'
                                     "<p>Words.</p></body></html>\n")
    (site / "notes\x1b]0;owned\x07.txt").write_text("Human words.\n")
    proc = run("publish", site, "--identity", identity_dir, "--out-dir", tmp_path / "out",
               "--no-tsa", "--no-register")
    assert proc.returncode == EXIT_OK, describe(proc)
    assert "\x1b" not in proc.stderr and "\x07" not in proc.stderr, describe(proc)
    assert "a\\x1b[2Kb.png is not in the site" in proc.stderr
    assert "notes\\x1b]0;owned\\x07.txt" in proc.stderr
    proc = run("doctor", site / "notes\x1b]0;owned\x07.txt")
    assert_no_traceback(proc)
    assert "\x1b" not in proc.stderr and "\x07" not in proc.stderr, describe(proc)


# -- certificates, keys, trust lists and policies named as /dev/zero or a FIFO ---------------


@pytest.mark.parametrize("verb", ["trust-add", "verify-trust", "verify-policy", "import-key"])
def test_dev_zero_as_a_small_file_is_refused_not_read(verb: str, identity_dir: Path,
                                                      tmp_path: Path) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    text = tmp_path / "a.txt"
    text.write_text("A text.\n")
    args = {"trust-add": ("trust", "add", "/dev/zero"),
            "verify-trust": ("verify", "--trust", "/dev/zero", text),
            "verify-policy": ("verify", "--policy", "/dev/zero", text),
            "import-key": ("identity", "import", "--cert", identity_dir / "chain.pem",
                           "--key", "/dev/zero", "--dir", tmp_path / "imported")}[verb]
    proc = run(*args, timeout=60)  # before: read until the memory ran out (24 GB, killed)
    assert proc.returncode != EXIT_OK, describe(proc)
    assert_one_error_line(proc, proc.returncode, "/dev/zero is a device, not a regular file")


def test_a_fifo_is_read_without_waiting_for_a_writer(tmp_path: Path) -> None:
    from provenance._files import read_small

    fifo = tmp_path / "pipe.pem"
    os.mkfifo(fifo)
    start = time.monotonic()
    assert read_small(fifo) == b""  # before: open() waited for a writer forever
    assert time.monotonic() - start < BOUND
    # Data a writer put there (`--key <(vault read ...)`) is read as from a file; a reader
    # held open keeps the FIFO's buffer while the writer comes and goes.
    held = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        writer = os.open(fifo, os.O_WRONLY)
        os.write(writer, b"-----BEGIN X-----\n" * 1000)
        os.close(writer)
        assert read_small(fifo) == b"-----BEGIN X-----\n" * 1000
    finally:
        os.close(held)


def test_small_files_are_capped(tmp_path: Path) -> None:
    from provenance._files import read_small

    big = tmp_path / "big.pem"
    big.write_bytes(b"x" * 2_000)
    with pytest.raises(ValueError, match="holds more than"):
        read_small(big, limit=1_000)
    assert read_small(big, limit=2_000) == b"x" * 2_000


# -- an output that is a FIFO or a device is refused, never replaced by a regular file --------


@pytest.mark.parametrize("verb", ["sign", "strip", "verify-report", "verify-report-link"])
def test_a_fifo_as_the_output_stays_a_fifo(verb: str, identity_dir: Path,
                                           tmp_path: Path) -> None:
    """Stands for /dev/null and /dev/stdout, which the rename into place replaced with a
    regular file when run as root (not tried on real devices here)."""
    import stat

    src = tmp_path / "essay.txt"
    src.write_text(damaged_a8() if verb == "strip" else "Human words.\n")
    fifo = tmp_path / "out.txt"
    os.mkfifo(fifo)
    target = fifo
    if verb == "verify-report-link":
        target = tmp_path / "link.txt"
        target.symlink_to(fifo)
    args = {"sign": ("sign", "--identity", identity_dir, src, "-o", target, "--force"),
            "strip": ("strip", src, "-o", target),
            "verify-report": ("verify", src, "--report", target),
            "verify-report-link": ("verify", src, "--report", target)}[verb]
    before = src.read_bytes()
    proc = run(*args)
    assert proc.returncode == 3, describe(proc)  # before: 0 (1 for verify) and a regular file
    assert_no_traceback(proc)
    assert "is a named pipe (FIFO), not a regular file" in proc.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert target.is_symlink() or target == fifo
    assert src.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


# -- a path of 5,000 characters ---------------------------------------------------------------


def test_a_too_long_path_is_bad_usage_in_one_short_line(tmp_path: Path) -> None:
    proc = run("verify", "a" * 5_000 + ".txt")  # before: exit 3 "unexpected OSError", 5 KB
    line = assert_one_error_line(proc, EXIT_USAGE, "file name too long", "shorter path")
    assert len(line) < 200, line
    (tmp_path / "a.txt").write_text("A text.\n")
    proc = run("verify", tmp_path / "a.txt", "--registry", "sqlite:///" + "r" * 5_000)
    assert_no_traceback(proc)
    assert len(proc.stderr) < 600, describe(proc)


def test_a_passphrase_file_that_is_a_device_or_huge_is_one_line(identity_dir: Path,
                                                                tmp_path: Path) -> None:
    """PROVENANCE_KEY_PASSWORD_FILE=/dev/zero was read until memory ran out (exit 3,
    MemoryError); a passphrase file is bounded like the other small files the user names."""
    src = tmp_path / "note.txt"
    src.write_text("A short note.\n")
    huge = tmp_path / "huge.secret"
    huge.write_bytes(b"x" * (100 << 10))
    for secret, why in (("/dev/zero", "is a device"), (str(huge), "holds more than 64 KiB")):
        start = time.monotonic()
        proc = run("sign", "--identity", identity_dir, src,
                   env={"PROVENANCE_KEY_PASSWORD_FILE": secret},
                   unset=["PROVENANCE_KEY_PASSWORD"])
        assert time.monotonic() - start < 60
        assert_one_error_line(proc, EXIT_USAGE, "cannot read PROVENANCE_KEY_PASSWORD_FILE", why)
        assert not (tmp_path / "note.signed.txt").exists()

