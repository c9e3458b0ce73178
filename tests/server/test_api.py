"""The JSON API against a real ``provenance serve`` (subprocess, 127.0.0.1): the same
answers as the library, errors as JSON, uploads bounded in size and time and never left on
disk."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest

import provenance
from tests.cli.helpers import report_validator
from tests.server.conftest import XSS, Corpus
from tests.server.helpers import Running, multipart

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def _verify(server: Running, corpus: Corpus, name: str) -> dict:
    status, doc = server.post_file("/api/v1/verify", name, corpus.data(name))
    assert status == 200, doc
    report_validator().validate({k: v for k, v in doc.items()
                                 if k not in ("passed", "reasons")})
    return doc


def test_trusted_passes_with_the_librarys_answer(server: Running, corpus: Corpus) -> None:
    doc = _verify(server, corpus, "trusted.jpg")
    assert doc["schema"] == "provenance.report/v1"
    assert (doc["status"], doc["origin"], doc["passed"]) == ("trusted", "human", True)
    assert doc["path"] == "trusted.jpg" and doc["author"] == "TEST-ONLY Ada"
    # The same library call in this process gives the same report.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PROVENANCE_HOME", str(corpus.home))
        local = provenance.inspect(corpus.files["trusted.jpg"]).to_dict()
    for key in ("status", "origin", "signer", "signed_at", "author", "ai_training",
                "digital_source_types", "failures"):
        assert doc[key] == local[key], key


def test_tampered_ai_edited_states(server: Running, corpus: Corpus) -> None:
    tampered = _verify(server, corpus, "tampered.jpg")
    assert tampered["status"] == "invalid" and tampered["passed"] is False
    assert tampered["failures"] and all(f["code"] for f in tampered["failures"])
    ai = _verify(server, corpus, "ai.jpg")
    assert (ai["status"], ai["origin"], ai["passed"]) == ("trusted", "ai", False)
    assert any("ai" in r.lower() for r in ai["reasons"])
    edited = _verify(server, corpus, "edited.jpg")
    assert edited["status"] == "trusted" and edited["passed"] is True
    [parent] = edited["ingredients"]
    assert parent["relationship"] == "parentOf" and parent["status"] in ("trusted", "valid")


def test_stripped_copy_is_recovered_not_passed(server: Running, corpus: Corpus) -> None:
    doc = _verify(server, corpus, "stripped.jpg")
    assert doc["status"] == "unsigned" and doc["passed"] is False
    assert doc["recovered"], doc
    best = doc["recovered"][0]
    assert best["similarity"] >= 80 and best["origin"] == "human"
    assert best["signer"]["name"] == "TEST-ONLY Ada Lovelace"
    # The server's registry DSN (a path here, perhaps a password) is not told to clients.
    assert best["source"] == "server registry" and str(corpus.home) not in json.dumps(doc)
    unsigned = _verify(server, corpus, "unsigned.jpg")
    assert "recovered" not in unsigned  # a different picture matches nothing


def test_inspect_text_and_raw_bodies(server: Running, corpus: Corpus) -> None:
    status, doc = server.post_file("/api/v1/inspect", "xss.jpg", corpus.data("xss.jpg"))
    assert status == 200 and "passed" not in doc
    assert doc["author"] == XSS  # JSON carries the value as it is; the page escapes it
    body, ctype = multipart({"text": "TEST-ONLY pasted words, never signed."})
    status, _, raw = server.request("POST", "/api/v1/verify", body, {"Content-Type": ctype})
    doc = json.loads(raw)
    assert status == 200 and doc["path"] == "pasted.txt" and doc["status"] == "unsigned"
    status, _, raw = server.request("POST", "/api/v1/verify?name=photo.jpg",
                                    corpus.data("trusted.jpg"),
                                    {"Content-Type": "application/octet-stream"})
    doc = json.loads(raw)
    assert status == 200 and doc["status"] == "trusted" and doc["path"] == "photo.jpg"


@pytest.mark.parametrize(("body", "ctype", "status", "code"), [
    (b"", "application/octet-stream", 400, "empty"),
    (None, None, 400, "no_input"),
    (b"BM" + b"\0" * 200, "image/bmp", 415, "unsupported_format"),
    (b"not a jpeg at all", "image/jpeg", 400, "bad_input"),
    (b"--x\r\nbroken", "multipart/form-data; boundary=x", 400, "no_input"),
])
def test_bad_input_is_one_json_error(server: Running, body: bytes | None, ctype: str | None,
                                     status: int, code: str) -> None:
    if body is None:
        body, ctype = multipart({"other": "x"})
    assert ctype is not None
    got, headers, raw = server.request("POST", "/api/v1/verify?name=f", body,
                                       {"Content-Type": ctype})
    doc = json.loads(raw)
    assert (got, doc["code"]) == (status, code), doc
    assert set(doc) == {"code", "message"} and doc["message"]
    assert headers["content-type"] == "application/json"
    assert "Traceback" not in server.log_text()


def test_routing_errors_and_openapi(server: Running) -> None:
    status, _, raw = server.request("GET", "/nothing/here")
    assert status == 404 and json.loads(raw)["code"] == "not_found"
    status, _, raw = server.request("GET", "/api/v1/verify")
    assert status == 405 and json.loads(raw)["code"] == "method_not_allowed"
    status, headers, raw = server.request("GET", "/api/openapi.json")
    spec = json.loads(raw)
    assert status == 200 and spec["openapi"].startswith("3.")
    assert {"/api/v1/verify", "/api/v1/inspect"} <= set(spec["paths"])
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["cache-control"] == "no-store"


def _raw_request(server: Running, head: bytes, body: bytes = b"",
                 timeout: float = 10) -> tuple[bytes, float]:
    """Send ``head`` (and ``body``) and read the answer without sending more; the answer and
    how long it took."""
    t0 = time.monotonic()
    with socket.create_connection((server.host, server.port), timeout=timeout) as s:
        s.sendall(head + body)
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            data += chunk
    return data, time.monotonic() - t0


def test_over_the_limit_is_413_before_the_body(server: Running) -> None:
    # Content-Length says 50 MiB (the limit is 2): the answer comes without one body byte.
    head = (b"POST /api/v1/verify?name=big.jpg HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/octet-stream\r\nContent-Length: 52428800\r\n\r\n")
    data, took = _raw_request(server, head)
    assert data.startswith(b"HTTP/1.1 413"), data[:200]
    assert b'"too_large"' in data and took < 5


def test_streamed_past_the_limit_is_413(server: Running) -> None:
    # No Content-Length (chunked): the bytes are counted as they arrive.
    chunk = b"\xff" * 65536
    piece = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    head = (b"POST /api/v1/verify?name=big.jpg HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
    with socket.create_connection((server.host, server.port), timeout=10) as s:
        s.sendall(head)
        sent = 0
        try:
            for _ in range(64):  # 4 MiB, twice the limit
                s.sendall(piece)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        data = s.recv(65536)
    assert data.startswith(b"HTTP/1.1 413"), data[:200]


def test_slow_upload_times_out(server: Running) -> None:
    head = (b"POST /api/v1/verify?name=slow.jpg HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n")
    data, took = _raw_request(server, head, b"\xff\xd8" + b"\0" * 1000)
    assert data.startswith(b"HTTP/1.1 408"), data[:200]
    assert 2.5 < took < 9  # --upload-timeout 3


def test_slow_headers_are_cut_off(server: Running) -> None:
    # A request head that never ends: closed after --header-timeout (2 s), no answer.
    data, took = _raw_request(server, b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    assert data == b"" and 1.5 < took < 8
    # An idle connection that sends nothing at all: closed too.
    data, took = _raw_request(server, b"")
    assert data == b"" and 1.5 < took < 8


def test_uploads_leave_nothing_on_disk(server: Running, corpus: Corpus,
                                       server_tmp: Path) -> None:
    server.post_file("/api/v1/verify", "trusted.jpg", corpus.data("trusted.jpg"))
    server.request("POST", "/api/v1/verify?name=x.bmp", b"BM" + b"\0" * 100,
                   {"Content-Type": "image/bmp"})
    # A client that goes away in the middle of its upload.
    with socket.create_connection((server.host, server.port), timeout=10) as s:
        s.sendall(b"POST /api/v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: "
                  b"application/octet-stream\r\nContent-Length: 90000\r\n\r\n" + b"\0" * 100)
        time.sleep(0.3)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        left = sorted(p.name for p in server_tmp.glob("provenance-upload-*"))
        if not left:
            break
        time.sleep(0.2)
    assert left == []
    log = server.log_text()
    assert "Traceback" not in log and " 500 " not in log, log


def test_stranger_timestamp_and_identity(server: Running, corpus: Corpus) -> None:
    stranger = _verify(server, corpus, "stranger.jpg")
    assert stranger["status"] == "valid" and stranger["passed"] is True
    assert stranger["signer"]["trusted"] is False
    stamped = _verify(server, corpus, "stamped.jpg")
    ts = stamped["timestamp"]
    assert ts is not None and ts["trusted"] is True and "TEST-ONLY Server TSA" in ts["tsa"]
    trusted = _verify(server, corpus, "trusted.jpg")
    assert [i["name"] for i in trusted["identities"]] == ["TEST-ONLY Ada Lovelace"]


def test_the_page_without_javascript_is_escaped_html(server: Running, corpus: Corpus) -> None:
    body, ctype = multipart({"file": ("xss.jpg", corpus.data("xss.jpg"), "image/jpeg"),
                             "text": ""})
    status, headers, raw = server.request("POST", "/verify", body, {"Content-Type": ctype})
    html = raw.decode()
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html and "<img" not in html
    assert html.count("<script") == 1  # the app's own file
    assert "default-src 'none'" in headers["content-security-policy"]


def test_the_page_answers_413_in_html(server: Running) -> None:
    head = (b"POST /verify HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; "
            b"boundary=b\r\nContent-Length: 52428800\r\n\r\n")
    data, _ = _raw_request(server, head)
    assert data.startswith(b"HTTP/1.1 413") and b"text/html" in data
    assert b"larger than the server accepts" in data


def test_oversized_and_malformed_heads_are_refused(server: Running) -> None:
    status, _, raw = server.request("GET", "/", headers={"X-Big": "a" * 20000})
    assert status == 431 and json.loads(raw)["code"] == "headers_too_large"
    data, _ = _raw_request(server, b"POST /api/v1/verify HTTP/1.1\r\nHost: x\r\n"
                           b"Content-Length: abc\r\n\r\n")
    assert data.startswith(b"HTTP/1.1 400")
    data, _ = _raw_request(server, b"NONSENSE\r\n\r\n")
    assert data.startswith(b"HTTP/1.1 400")
    assert "Traceback" not in server.log_text()
