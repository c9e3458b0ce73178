"""Interop of our text carriers with the peer implementations on PyPI.

Peers (``dev`` extra): ``c2pa-text`` 3.0 (pure Python: A.8 wrapper, A.9 block, A.7 inline/link;
extraction and framing, no hash functions), ``c2pa-unstructured-text`` 0.2 (Rust: A.8 extract,
``compute_data_hash`` / ``verify_data_hash``), ``c2pa-structured-text`` 0.3 (Rust: A.9
``extract_reference`` / ``manifest_exclusion`` / ``compute_data_hash`` / ``verify_data_hash``;
its Python ``verify_data_hash`` only takes a ``DataHash`` it computed itself, so "verify" here
means: the peer's own exclusion and hash equal the ones we signed, and ``verify_data_hash``
turns False after a tamper).

Directions: "ours -> peer" = we sign and frame, the peer extracts the same store and (where it
can) recomputes the binding we signed; "peer-framed -> ours" = we sign with
``_c2pa.DataHashSigner`` over the exclusion the peer's framing produces, the peer frames the
store, and ``provenance.inspect_text`` must say ``trusted``.

Interop matrix (c2pa-text 3.0.0 = CT, c2pa-unstructured-text 0.2.0 = UT,
c2pa-structured-text 0.3.0 = ST; "x / y" = extract / hash-verify; tamper = the peer's
verification turns False after one changed letter)::

  case                       | CT           | UT           | ST             | peer-framed -> ours
  ---------------------------+--------------+--------------+----------------+--------------------
  plain text A.8             | PASS / PASS1 | PASS / PASS  | n/a (A.9 only) | PASS (CT padded,
                             |              | tamper PASS  |                |  UT encode_padded)
  Markdown A.9               | PASS / n/a2  | n/a (A.8)    | PASS / PASS    | PASS (CT START,
                             |              |              | tamper PASS    |  ST embedded)
  Markdown A.9, CRLF         | PASS / n/a2  | n/a          | PASS / PASS    | PASS (CT START)
  Markdown A.9, front matter | PASS / n/a2  | n/a          | PASS / PASS    | n/a3
                             |              |              | tamper PASS    |
  source A.9, shebang,       | PASS / n/a2  | n/a          | PASS / PASS    | PASS (CT END)
   file ends with a newline  |              |              |                |
  source A.9, shebang,       | PASS / n/a2  | n/a          | PASS / PASS    | PASS (CT END)
   no final newline          |              |              | tamper PASS    |
  source A.9, no shebang     | -            | n/a          | -              | PASS (ST embedded)
  HTML A.7 inline            | PASS / n/a2  | n/a          | n/a (no A.7)   | PASS (CT inline)

  1: c2pa-text has no hash function: "verify" = its wrapper byte range equals our signed
     exclusion, the NFC clean text it returns hashes to our signed hash, validate_text() valid.
  2: c2pa-text's A.9/A.7 extraction returns only the store (no exclusion, no hash).
  3: Neither peer's Python API frames front matter (c2pa-structured-text's embed_front_matter
     is Rust-only; c2pa-text builds the multi-line block but neither places it nor reports an
     exclusion). Our front-matter output is read by both peers (row above).
  An end-placed block (after a shebang) is the last line with no terminator after it, and
  the exclusion takes the terminator before it, as both peers do.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import unicodedata
from types import ModuleType

import c2pa
import pytest

from provenance import _c2pa
from provenance.carriers import html as phtml
from provenance.carriers.text import (
    inspect_text,
    inspect_text_bytes,
    sign_text,
    sign_text_bytes,
    structured,
    unstructured,
)
from provenance.claims import HumanClaim
from provenance.identity import Identity
from provenance.trust import TrustStore

# -- texts written by a person (accents, emoji, a decomposed character) ----------------------

PLAIN = (
    "Notes from the harbour, written by hand on the ferry.\n"
    "Café au lait on the quai; naïve but honest, «merci» to Zoë. 🖋️🌊\n"
    "A decomposed one: e\u0301te\u0301 (NFD in, NFC out).\n"
)
MD = (
    "# Field notes\n\nA *short* piece about the crème brûlée at Zoë's: 🍮 delicious.\n\n"
    "- one\n- two\n"
)
MD_CRLF = MD.replace("\n", "\r\n")
MD_FRONT = "---\ntitle: Field notes\nauthor: Zoë\n---\n# Field notes\n\nBody with ünïcödé and 🎉.\n"
PY_SHEBANG = "#!/usr/bin/env python3\n\"\"\"Greeting tool.\"\"\"\nprint('héllo wörld 👋')\n"
PY_SHEBANG_NO_NL = PY_SHEBANG.rstrip("\n")
PY_PLAIN = "\"\"\"Greeting tool.\"\"\"\nprint('héllo wörld 👋')\n"
HTML = (
    "<!doctype html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<title>Carnet</title>\n</head>\n<body><p>Écrit à la main, 🖋️</p></body>\n</html>\n"
)

STRUCTURED_CASES = {
    "markdown": ("article.md", MD),
    "markdown-crlf": ("article.md", MD_CRLF),
    "markdown-front-matter": ("article.md", MD_FRONT),
    "shebang-final-newline": ("tool.py", PY_SHEBANG),
    "shebang-no-final-newline": ("tool.py", PY_SHEBANG_NO_NL),
}


# -- peers: each test skips cleanly when its peer is not installed ---------------------------


@pytest.fixture
def ct() -> ModuleType:
    return pytest.importorskip("c2pa_text")


@pytest.fixture
def ut() -> ModuleType:
    return pytest.importorskip("c2pa_unstructured_text")


@pytest.fixture
def st() -> ModuleType:
    return pytest.importorskip("c2pa_structured_text")


# -- helpers ----------------------------------------------------------------------------------


def _binding(data: bytes, store: bytes) -> tuple[bytes, list[tuple[int, int]]]:
    """The sha256 and exclusions of the ``c2pa.hash.data`` we signed into ``store``."""
    trust_pem = TrustStore.installed().pem()
    _, exclusions = _c2pa.read_external("text/plain", data, store, trust_pem=trust_pem)
    with c2pa.Reader("text/plain", io.BytesIO(data), store) as reader:
        detailed = json.loads(reader.detailed_json())
    active = detailed["manifests"][detailed["active_manifest"]]
    data_hash = active["assertion_store"]["c2pa.hash.data"]
    assert data_hash["alg"] == "sha256"
    assert [(e["start"], e["length"]) for e in data_hash["exclusions"]] == exclusions
    return base64.b64decode(data_hash["hash"]), exclusions


def _tamper(data: bytes, exclusions: list[tuple[int, int]]) -> bytes:
    """``data`` with one ASCII letter outside the exclusions changed (same byte length, so the
    signed offsets still point at the carrier)."""
    excluded = {i for start, length in exclusions for i in range(start, start + length)}
    for i in range(len(data) - 1, -1, -1):
        if i not in excluded and 0x61 <= data[i] <= 0x7A:  # a-z
            return data[:i] + bytes([data[i] ^ 0x20]) + data[i + 1:]
    raise AssertionError("nothing to tamper with")


def _excluded(data: bytes, start: int, length: int) -> bytes:
    return data[:start] + data[start + length:]


def _signer_for(identity: Identity, title: str) -> _c2pa.DataHashSigner:
    """Our data-hash signer with the human-origin claim sign_text uses, for the test identity
    (whose root is trusted in this test's home)."""
    manifest = HumanClaim("creation").manifest(title=title, has_parent=False)
    return _c2pa.DataHashSigner(manifest, identity, trust_pem=TrustStore.installed().pem())


def _assert_trusted(data: bytes, name: str, carrier: str) -> None:
    report = inspect_text_bytes(data, name=name)
    assert report.status == "trusted", report.failures
    assert report.carrier == carrier
    assert report.origin == "human"


# == A.8 plain text: ours -> peers ============================================================


def test_a8_c2pa_text_extracts_our_wrapper_and_binding(identity: Identity, ct: ModuleType) -> None:
    out = sign_text(PLAIN, identity=identity)
    (ours,) = unstructured.find_wrappers(out)
    signed_hash, signed_excl = _binding(out.encode("utf-8"), ours.store or b"")

    store, start, length = ct.find_wrapper_info(out)
    assert store == ours.store
    assert [(start, length)] == signed_excl  # the wrapper, U+FEFF included, is the exclusion
    manifest, clean = ct.extract_manifest(out)
    assert manifest == ours.store
    assert clean == unicodedata.normalize("NFC", PLAIN)
    assert hashlib.sha256(clean.encode("utf-8")).digest() == signed_hash
    result = ct.validate_text(out)
    assert result.valid, result.issues


def test_a8_unstructured_extracts_and_verifies_our_binding(
    identity: Identity, ut: ModuleType
) -> None:
    out = sign_text(PLAIN, identity=identity)
    (ours,) = unstructured.find_wrappers(out)
    signed_hash, signed_excl = _binding(out.encode("utf-8"), ours.store or b"")

    found = ut.extract(out)
    assert found["payload"] == ours.store
    assert found["version"] == 1
    assert [(found["start"], found["length"])] == signed_excl
    assert ut.locate_all(out) == signed_excl
    computed = ut.compute_data_hash(out)
    assert computed["hash"] == signed_hash
    assert computed["exclusions"] == signed_excl
    assert ut.verify_data_hash(out, signed_hash, signed_excl) is None  # None = verified


def test_a8_tamper_fails_peer_verification(
    identity: Identity, ct: ModuleType, ut: ModuleType
) -> None:
    out = sign_text(PLAIN, identity=identity)
    (ours,) = unstructured.find_wrappers(out)
    signed_hash, signed_excl = _binding(out.encode("utf-8"), ours.store or b"")
    bad = _tamper(out.encode("utf-8"), signed_excl).decode("utf-8")

    with pytest.raises(ValueError, match="mismatch"):
        ut.verify_data_hash(bad, signed_hash, signed_excl)
    _, clean = ct.extract_manifest(bad)
    assert hashlib.sha256(clean.encode("utf-8")).digest() != signed_hash
    assert inspect_text(bad).status == "invalid"


# == A.9 structured text: ours -> peers =======================================================


def _sign_structured(identity: Identity, name: str, text: str) -> tuple[bytes, bytes]:
    data = sign_text_bytes(text.encode("utf-8"), name=name, identity=identity,
                           carrier="structured").data
    (block,) = structured.find_blocks(data)
    store = structured.decode_reference(block.reference)
    assert store is not None
    return data, store


@pytest.mark.parametrize("case", list(STRUCTURED_CASES))
def test_a9_c2pa_text_extracts_our_block(identity: Identity, ct: ModuleType, case: str) -> None:
    name, text = STRUCTURED_CASES[case]
    data, store = _sign_structured(identity, name, text)

    found = ct.extract_structured(data.decode("utf-8"))
    assert found.manifest == store
    assert found.reference == structured.data_reference(store)


@pytest.mark.parametrize("case", list(STRUCTURED_CASES))
def test_a9_structured_extracts_our_block(identity: Identity, st: ModuleType, case: str) -> None:
    name, text = STRUCTURED_CASES[case]
    data, store = _sign_structured(identity, name, text)

    reference = st.extract_reference(data.decode("utf-8"))
    assert reference == structured.data_reference(store)
    classified = st.classify_reference(reference)
    assert classified.kind == "embedded"
    assert classified.data == store




@pytest.mark.parametrize(
    "case",
    list(STRUCTURED_CASES),
)
def test_a9_structured_binding(identity: Identity, st: ModuleType, case: str) -> None:
    """The peer's own exclusion and hash for our output are the ones we signed."""
    name, text = STRUCTURED_CASES[case]
    data, store = _sign_structured(identity, name, text)
    signed_hash, signed_excl = _binding(data, store)
    (block,) = structured.find_blocks(data)
    assert signed_excl == [(block.byte_start, block.byte_length)]

    as_text = data.decode("utf-8")
    assert [st.manifest_exclusion(as_text)] == signed_excl
    computed = st.compute_data_hash(as_text, "sha256")
    assert computed.exclusions == signed_excl
    assert computed.hash == signed_hash
    assert st.verify_data_hash(as_text, computed) is True
    # And the bytes the peer hashes are the original file, byte for byte.
    assert _excluded(data, *signed_excl[0]) == text.encode("utf-8")


@pytest.mark.parametrize("case", ["markdown", "markdown-front-matter", "shebang-no-final-newline"])
def test_a9_tamper_fails_peer_verification(identity: Identity, st: ModuleType, case: str) -> None:
    name, text = STRUCTURED_CASES[case]
    data, store = _sign_structured(identity, name, text)
    _, signed_excl = _binding(data, store)
    computed = st.compute_data_hash(data.decode("utf-8"), "sha256")
    bad = _tamper(data, signed_excl)

    assert st.verify_data_hash(bad.decode("utf-8"), computed) is False
    assert inspect_text_bytes(bad, name=name).status == "invalid"


# == A.7 HTML: ours -> peer ===================================================================


def test_a7_c2pa_text_extracts_our_inline_manifest(identity: Identity, ct: ModuleType) -> None:
    data = sign_text_bytes(HTML.encode("utf-8"), name="page.html", identity=identity,
                           carrier="html").data
    (script,) = phtml.find_scripts(data)
    _, signed_excl = _binding(data, script.store or b"")
    assert signed_excl == [(script.start, script.length)]

    found = ct.extract_html(data.decode("utf-8"))
    assert found is not None
    assert found.method == "inline"
    assert found.manifest == script.store
    assert found.reference is None


# == peer-framed -> ours ======================================================================


def test_a8_c2pa_text_framed_verifies_in_ours(identity: Identity, ct: ModuleType) -> None:
    nfc = unicodedata.normalize("NFC", PLAIN)
    body = nfc.encode("utf-8")
    with _signer_for(identity, "notes.txt") as signer:
        target = ct.worst_case_wrapper_byte_length(signer.size)
        # The exclusion the peer's framing produces, learnt from a dummy store of the same size.
        _, start, length = ct.find_wrapper_info(nfc + ct.encode_wrapper_padded(b"\0" * signer.size,
                                                                              target))
        assert (start, length) == (len(body), target)
        store = signer.sign(hashlib.sha256(body).digest(), [(start, length)])
    framed = nfc + ct.encode_wrapper_padded(store, target)

    assert ct.find_wrapper_info(framed) == (store, start, length)
    _assert_trusted(framed.encode("utf-8"), "notes.txt", "unstructured")


def test_a8_unstructured_framed_verifies_in_ours(identity: Identity, ut: ModuleType) -> None:
    nfc = unicodedata.normalize("NFC", PLAIN)
    with _signer_for(identity, "notes.txt") as signer:
        assert ut.target_length(signer.size) == unstructured.target_length(signer.size)
        planned = ut.compute_data_hash(nfc + ut.encode_padded(b"\0" * signer.size))
        store = signer.sign(planned["hash"], planned["exclusions"])
    framed = nfc + ut.encode_padded(store)

    assert ut.compute_data_hash(framed) == planned
    assert ut.extract(framed)["payload"] == store
    _assert_trusted(framed.encode("utf-8"), "notes.txt", "unstructured")
    # Tamper the peer-framed text: both the peer and we reject it.
    bad = _tamper(framed.encode("utf-8"), planned["exclusions"]).decode("utf-8")
    with pytest.raises(ValueError, match="mismatch"):
        ut.verify_data_hash(bad, planned["hash"], planned["exclusions"])
    assert inspect_text(bad).status == "invalid"


@pytest.mark.parametrize(
    ("name", "text", "comment", "placement", "newline"),
    [
        ("article.md", MD, ("<!--", "-->"), "start", "\n"),
        ("article.md", MD_CRLF, ("<!--", "-->"), "start", "\r\n"),
        ("tool.py", PY_SHEBANG, ("#", ""), "end", "\n"),
        ("tool.py", PY_SHEBANG_NO_NL, ("#", ""), "end", "\n"),
    ],
    ids=["markdown", "markdown-crlf", "shebang-final-newline", "shebang-no-final-newline"],
)
def test_a9_c2pa_text_framed_verifies_in_ours(
    identity: Identity, ct: ModuleType, name: str, text: str, comment: tuple[str, str],
    placement: str, newline: str,
) -> None:
    def embed(reference: str):  # type: ignore[no-untyped-def]
        return ct.embed_structured(text, reference, comment[0], comment[1],
                                   placement=ct.Placement(placement), newline=newline)

    with _signer_for(identity, name) as signer:
        # The data: URI length is fixed by the store size: a dummy of that size gives the
        # final layout and exclusion before signing.
        dummy = embed(ct.encode_data_uri(b"\0" * signer.size))
        exclusion = (dummy.exclusion_start, dummy.exclusion_length)
        covered = _excluded(dummy.text.encode("utf-8"), *exclusion)
        store = signer.sign(hashlib.sha256(covered).digest(), [exclusion])
    framed = embed(ct.encode_data_uri(store))

    assert (framed.exclusion_start, framed.exclusion_length) == exclusion
    assert _excluded(framed.text.encode("utf-8"), *exclusion) == covered
    _assert_trusted(framed.text.encode("utf-8"), name, "structured")


@pytest.mark.parametrize(
    ("name", "text", "comment"),
    [("article.md", MD, ("<!--", "-->")), ("tool.py", PY_PLAIN, ("#", None))],
    ids=["markdown", "source"],
)
def test_a9_structured_framed_verifies_in_ours(
    identity: Identity, st: ModuleType, name: str, text: str, comment: tuple[str, str | None],
) -> None:
    with _signer_for(identity, name) as signer:
        dummy = st.embed_manifest_embedded(text, b"\0" * signer.size, *comment)
        planned = st.compute_data_hash(dummy, "sha256")
        store = signer.sign(planned.hash, planned.exclusions)
    framed = st.embed_manifest_embedded(text, store, *comment)

    assert st.manifest_exclusion(framed) == planned.exclusions[0]
    assert st.compute_data_hash(framed, "sha256").hash == planned.hash
    _assert_trusted(framed.encode("utf-8"), name, "structured")
    bad = _tamper(framed.encode("utf-8"), planned.exclusions).decode("utf-8")
    assert st.verify_data_hash(bad, st.compute_data_hash(framed, "sha256")) is False
    assert inspect_text_bytes(bad.encode("utf-8"), name=name).status == "invalid"


def test_a7_c2pa_text_framed_verifies_in_ours(identity: Identity, ct: ModuleType) -> None:
    with _signer_for(identity, "page.html") as signer:
        dummy = ct.embed_html_inline(HTML, b"\0" * signer.size)
        exclusion = (dummy.exclusion_start, dummy.exclusion_length)
        covered = _excluded(dummy.html.encode("utf-8"), *exclusion)
        store = signer.sign(hashlib.sha256(covered).digest(), [exclusion])
    framed = ct.embed_html_inline(HTML, store)

    assert (framed.exclusion_start, framed.exclusion_length) == exclusion
    _assert_trusted(framed.html.encode("utf-8"), "page.html", "html")
    bad = _tamper(framed.html.encode("utf-8"), [exclusion])
    assert inspect_text_bytes(bad, name="page.html").status == "invalid"
