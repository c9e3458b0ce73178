"""A real ``provenance serve`` in a subprocess on 127.0.0.1 for the server tests (13a's and
the resolution API's): start it on a free port, wait until it answers, stop it."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A port nobody listens on now (the kernel's choice)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Running:
    """A server in hand: where it listens and its process (stderr goes to ``log``)."""

    host: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: Mapping[str, str] | None = None,
                timeout: float = 60) -> tuple[int, dict[str, str], bytes]:
        """One request on a fresh connection: status, headers (lower-case), body."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=dict(headers or {}))
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    def post_file(self, path: str, name: str, data: bytes, *, field: str = "file",
                  media: str = "application/octet-stream",
                  timeout: float = 60) -> tuple[int, Any]:
        """POST ``data`` as a multipart file; status and the JSON answer."""
        body, ctype = multipart({field: (name, data, media)})
        status, _, raw = self.request("POST", path, body, {"Content-Type": ctype},
                                      timeout=timeout)
        return status, json.loads(raw)


def multipart(fields: Mapping[str, tuple[str, bytes, str] | str]) -> tuple[bytes, str]:
    """A multipart/form-data body: a tuple (filename, bytes, media type) is a file, a str a
    text field. Returns the body and its Content-Type."""
    boundary = uuid.uuid4().hex
    out = bytearray()
    for name, value in fields.items():
        out += f"--{boundary}\r\n".encode()
        if isinstance(value, tuple):
            filename, data, media = value
            out += (f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                    f"Content-Type: {media}\r\n\r\n").encode()
            out += data
        else:
            out += f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            out += value.encode()
        out += b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def _wait_ready(server: Running, deadline: float) -> None:
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"provenance serve exited {server.proc.returncode}:\n"
                               f"{server.log_text()}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            status, _, _ = server.request("GET", "/api/v1/health", timeout=2)
            if status == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"provenance serve did not answer in time:\n{server.log_text()}")


@contextlib.contextmanager
def serve(*args: object, env: Mapping[str, str] | None = None, log_dir: Path,
          ready_timeout: float = 60) -> Iterator[Running]:
    """``provenance serve --port FREE ARGS...`` until the block ends (SIGTERM, then SIGKILL).

    ``env`` adds to os.environ (PROVENANCE_HOME above all). Retries once on a port taken in
    between.
    """
    full = os.environ.copy()
    full.pop("PROVENANCE_DEBUG", None)
    full.update(env or {})
    for attempt in range(2):
        port = free_port()
        log = log_dir / f"serve-{port}.log"
        with log.open("wb") as sink:
            proc = subprocess.Popen(
                [sys.executable, "-m", "provenance", "serve", "--host", "127.0.0.1",
                 "--port", str(port), *map(str, args)],
                cwd=PROJECT, env=full, stdin=subprocess.DEVNULL, stdout=sink, stderr=sink)
        server = Running("127.0.0.1", port, proc, log)
        try:
            _wait_ready(server, time.monotonic() + ready_timeout)
        except RuntimeError:
            stop(proc)
            if attempt == 0 and "could not serve" in server.log_text():
                continue
            raise
        try:
            yield server
        finally:
            stop(proc)
        return


def stop(proc: subprocess.Popen[bytes], timeout: float = 15) -> int:
    """SIGTERM (uvicorn's graceful stop), then SIGKILL; the exit code."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    return proc.returncode
