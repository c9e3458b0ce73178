"""Fuzz every parser that sees untrusted bytes (issue 10): structure checks (JPEG, PNG, BMFF,
TIFF, PDF, ZIP), the ZIP guard, the three text carriers, JUMBF detection, trust lists, policy
files and the RFC 3161 responder. Each may refuse its input only with our own errors (one
clear line), never crash, and stays fast on inputs near real ones (mutations of real files).
"""

from __future__ import annotations

import io
import re
import time
import tomllib
from functools import cache

from hypothesis import assume, given
from hypothesis import strategies as st

from provenance import jumbf, zipguard
from provenance.carriers import html, structured, unstructured
from provenance.errors import ProvenanceError
from provenance.formats import check_structure, has_manifest_store, identify
from tests.assets import build

# A generous bound per example: catches a blow-up, not a slow machine.
BOUND = 5.0


@cache
def _real(name: str) -> bytes:
    return build.FORMATS[name]()


def _mutated(name: str) -> st.SearchStrategy[bytes]:
    """A real file with a few bytes flipped, cut short, or with bytes inserted."""
    def mutate(data: bytes, flips: list[tuple[int, int]], cut: int | None,
               insert: tuple[int, bytes] | None) -> bytes:
        buf = bytearray(data)
        for pos, value in flips:
            buf[pos % len(buf)] = value
        if insert is not None:
            at = insert[0] % len(buf)
            buf[at:at] = insert[1]
        if cut is not None:
            del buf[cut % len(buf):]
        return bytes(buf)

    return st.builds(
        mutate, st.just(_real(name)),
        st.lists(st.tuples(st.integers(0, 1 << 30), st.integers(0, 255)), max_size=8),
        st.none() | st.integers(1, 1 << 30),
        st.none() | st.tuples(st.integers(0, 1 << 30), st.binary(max_size=64)),
    )


FORMATS = ["photo.jpg", "photo.png", "photo.webp", "photo.tif", "anim.gif", "photo.heic",
           "essay.pdf", "letter.docx", "drawing.svg", "voice.wav"]


@given(st.sampled_from(FORMATS).flatmap(lambda n: st.tuples(st.just(n), _mutated(n))))
def test_structure_checks_refuse_only_with_our_errors(case: tuple[str, bytes]) -> None:
    name, data = case
    start = time.monotonic()
    try:
        check_structure(name, identify(name, data), data)
    except ProvenanceError:
        pass
    assert time.monotonic() - start < BOUND


@given(st.binary(max_size=4096), st.sampled_from(FORMATS))
def test_structure_checks_on_random_bytes(data: bytes, name: str) -> None:
    try:
        check_structure(name, identify(name, data), data)
    except ProvenanceError:
        pass


@given(_mutated("letter.docx"))
def test_zip_guard_streams_or_refuses(data: bytes) -> None:
    try:
        with zipguard.open_checked(data, name="fuzz.docx") as zf:
            for info in zf.infolist():
                for _ in zipguard.stream_member(zf, info, name="fuzz.docx"):
                    pass
    except ProvenanceError:
        pass


_TEXT = st.text(alphabet=st.sampled_from(
    ["a", "é", "\u0301", "\ufeff", "\ufe00", "\ufe0f", "\U000e0100", "\U000e01ef", "\n", " ",
     "\U0001f600", "漢"]), max_size=300)


@given(_TEXT)
def test_a8_wrapper_offsets_are_exact(text: str) -> None:
    for w in unstructured.find_wrappers(text):
        assert text[w.char_start] == "\ufeff"
        assert w.byte_start == len(text[:w.char_start].encode("utf-8"))
        assert w.byte_length == len(text[w.char_start:w.char_end].encode("utf-8"))
    assert unstructured.count_wrappers(text) == len(unstructured.find_wrappers(text))


@given(st.binary(max_size=2000))
def test_a8_stores_round_trip_when_embedded(store: bytes) -> None:
    assume(store)
    text = "Human words.\n" + unstructured.encode_wrapper(store)
    (w,) = unstructured.find_wrappers(text)
    assert w.store == store


# The regex the HTML carrier used before issue 10: quadratic on hostile pages, but the oracle
# of what a script element is on small ones.
_OLD_SCRIPT = re.compile(
    rb"<script\b[^>]*\btype\s*=\s*[\"']?application/c2pa[\"']?[^>]*>(.*?)</script\s*>",
    re.IGNORECASE | re.DOTALL)
_HTML = st.lists(st.sampled_from([
    b"<script", b"<SCRIPT", b" type=application/c2pa", b' type="application/c2pa"', b">",
    b"</script>", b"</script >", b"</scripts>", b"<link", b" rel=c2pa-manifest",
    b" href=x.c2pa", b"QUJD", b"<head>", b"x", b" ", b"\n"]), max_size=40).map(b"".join)


@given(_HTML)
def test_html_scripts_match_the_old_definition(data: bytes) -> None:
    found = [(s.start, s.length) for s in html.find_scripts(data)]
    expected = [(m.start(), m.end() - m.start()) for m in _OLD_SCRIPT.finditer(data)]
    assert found == expected
    html.find_links(data)
    html.insert_point(data)


@given(st.binary(max_size=3000))
def test_text_carriers_on_random_bytes(data: bytes) -> None:
    html.find_scripts(data)
    html.find_links(data)
    for b in structured.find_blocks(data):
        assert 0 <= b.byte_start <= b.byte_start + b.byte_length <= len(data)
        structured.decode_reference(b.reference)


@given(st.binary(max_size=3000), st.integers(0, 2000))
def test_jumbf_detection_never_fails(noise: bytes, at: int) -> None:
    box = (b"\x00\x00\x00\x40jumb\x00\x00\x00\x1ejumd" + jumbf.STORE_UUID + b"\x03c2pa\x00")
    data = noise[:at] + box + b"\x00" * 30 + noise[at:]
    assert jumbf.find_manifest_store(io.BytesIO(noise)) in (None, *range(len(noise)))
    assert jumbf.find_manifest_store(io.BytesIO(data)) is not None


@given(st.binary(max_size=2000) | st.text(max_size=2000).map(str.encode))
def test_trust_lists_refuse_only_with_our_errors(data: bytes) -> None:
    from provenance.trust import _parse_bundle

    try:
        _parse_bundle(data, "fuzz.pem")
    except ProvenanceError:
        pass


_TOML_KEYS = st.sampled_from(["unsigned", "origin", "anchors", "signers", "max_age_days",
                              "allow", "require_trusted", "x"])
_TOML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20) | st.floats(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TOML_KEYS, inner, max_size=3),
    max_leaves=10)


@given(st.dictionaries(_TOML_KEYS, _TOML_VALUES, max_size=5))
def test_policy_files_refuse_only_with_our_errors(table: dict[str, object]) -> None:
    from provenance.policyfile import parse_policy

    try:
        parse_policy(table)  # type: ignore[arg-type]
    except ProvenanceError:
        pass


@given(st.text(max_size=500))
def test_policy_file_text_refuses_only_with_our_errors(text: str) -> None:
    from provenance.policyfile import parse_policy

    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return
    try:
        parse_policy(table)
    except ProvenanceError:
        pass


@cache
def _tsa() -> object:
    from provenance.tsa import TimestampAuthority

    return TimestampAuthority.create("TEST-ONLY fuzz TSA")[0]


@given(st.binary(max_size=512))
def test_tsa_answers_any_body_with_a_response(body: bytes) -> None:
    from provenance.tsa import TimestampAuthority

    tsa = _tsa()
    assert isinstance(tsa, TimestampAuthority)
    answer = tsa.respond(body)
    assert isinstance(answer, bytes) and answer[:1] == b"\x30"


def _with_app11() -> bytes:
    """The test JPEG with a C2PA-typed JPEG XT box in an APP11 segment after SOI."""
    jumd = b"\x00\x00\x00\x1ejumd" + jumbf.STORE_UUID + b"\x03c2pa\x00"
    box = (8 + len(jumd) + 30).to_bytes(4, "big") + b"jumb" + jumd + b"\x00" * 30
    seg = b"JP" + b"\x00\x01" + (1).to_bytes(4, "big") + box
    return _real("photo.jpg")[:2] + b"\xff\xeb" + (len(seg) + 2).to_bytes(2, "big") + seg + \
        _real("photo.jpg")[2:]


@given(st.builds(lambda d, flips, cut: _flip(d, flips, cut), st.just(b""),
                 st.lists(st.tuples(st.integers(0, 1 << 30), st.integers(0, 255)),
                          max_size=8), st.none() | st.integers(1, 1 << 30)))
def test_jpeg_header_walk_never_fails(data: bytes) -> None:
    start = time.monotonic()
    has, store = jumbf.jpeg_header(lambda o, n: data[o:o + n])
    assert store is None or (has and store[4:8] == b"jumb")
    assert has_manifest_store("image/jpeg", data) == has
    assert time.monotonic() - start < BOUND


def _flip(_: bytes, flips: list[tuple[int, int]], cut: int | None) -> bytes:
    buf = bytearray(_with_app11())
    for pos, value in flips:
        buf[pos % len(buf)] = value
    if cut is not None:
        del buf[cut % len(buf):]
    return bytes(buf)


def test_jpeg_header_finds_the_planted_box() -> None:
    data = _with_app11()
    has, store = jumbf.jpeg_header(lambda o, n: data[o:o + n])
    assert has and store is not None and len(store) == 8 + 30 + 30


@given(_mutated("photo.png"))
def test_png_manifest_walk_never_fails(data: bytes) -> None:
    assert has_manifest_store("image/png", data) in (True, False)
