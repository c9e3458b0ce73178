"""A load generator for a running ``provenance serve`` (127.0.0.1 only): N clients POST
files to ``/api/v1/verify`` on keep-alive connections for a while, as many idle connections
are held open (and reopened when the server closes them), and the server's memory is read
from /proc. Used by tests/server/test_load.py (seconds) and bench/serve_load.py (a minute).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import statistics
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.server.helpers import multipart

__all__ = ["IdleHolder", "LoadResult", "rss_mib", "run_load"]


@dataclass
class LoadResult:
    """What the clients saw."""

    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)

    @property
    def ok(self) -> int:
        return len(self.latencies)

    def percentile(self, p: float) -> float:
        """Latency in seconds at percentile ``p`` (0-100) of the successful requests."""
        if not self.latencies:
            return float("nan")
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        med = statistics.median(self.latencies) if self.latencies else float("nan")
        return (f"{self.ok} ok, {sum(self.errors.values())} errors {dict(self.errors)}, "
                f"{self.rate:.1f} req/s, p50 {med * 1000:.0f} ms, "
                f"p99 {self.percentile(99) * 1000:.0f} ms")


def _client(host: str, port: int, bodies: Sequence[tuple[bytes, str]], until: float,
            result: LoadResult, lock: threading.Lock, expect: str | None) -> None:
    conn: http.client.HTTPConnection | None = None
    i = 0
    while time.monotonic() < until:
        body, ctype = bodies[i % len(bodies)]
        i += 1
        t0 = time.monotonic()
        try:
            if conn is None:
                conn = http.client.HTTPConnection(host, port, timeout=60)
            conn.request("POST", "/api/v1/verify", body=body, headers={"Content-Type": ctype})
            resp = conn.getresponse()
            raw = resp.read()
            took = time.monotonic() - t0
            if resp.status != 200:
                with lock:
                    result.errors[f"http {resp.status}"] += 1
                continue
            status = json.loads(raw)["status"]
            with lock:
                result.statuses[status] += 1
                if expect is not None and status != expect:
                    result.errors[f"status {status}"] += 1
                else:
                    result.latencies.append(took)
            if resp.getheader("connection", "").lower() == "close":
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException, ValueError) as exc:
            with lock:
                result.errors[type(exc).__name__] += 1
            if conn is not None:
                conn.close()
            conn = None
    if conn is not None:
        conn.close()


def run_load(host: str, port: int, files: Sequence[Path], *, clients: int, seconds: float,
             expect: str | None = "trusted") -> LoadResult:
    """``clients`` threads verifying ``files`` (round robin) for ``seconds``."""
    bodies = [multipart({"file": (f.name, f.read_bytes(), "image/jpeg")}) for f in files]
    result = LoadResult(seconds)
    lock = threading.Lock()
    t0 = time.monotonic()
    until = t0 + seconds
    threads = []
    for k in range(clients):
        rot = k % len(bodies)
        threads.append(threading.Thread(
            target=_client, daemon=True,
            args=(host, port, bodies[rot:] + bodies[:rot], until, result, lock, expect)))
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 120)
    result.seconds = time.monotonic() - t0
    return result


class IdleHolder:
    """Keeps ``count`` connections open that never send a byte (reopened when the server
    closes them, as a hostile client would); ``reopened`` counts the server's closes."""

    def __init__(self, host: str, port: int, count: int) -> None:
        self.host, self.port, self.count = host, port, count
        self.socks: list[socket.socket] = []
        self.reopened = 0
        self.failed = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> IdleHolder:
        for _ in range(self.count):
            self.socks.append(self._open())
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        for s in self.socks:
            with contextlib.suppress(OSError):
                s.close()

    def _open(self) -> socket.socket:
        s = socket.create_connection((self.host, self.port), timeout=5)
        s.setblocking(False)
        return s

    def open_now(self) -> int:
        """How many of the held connections the server has not closed yet."""
        alive = 0
        for s in self.socks:
            try:
                alive += s.recv(1, socket.MSG_PEEK) != b""
            except BlockingIOError:
                alive += 1
            except OSError:
                pass
        return alive

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            for k, s in enumerate(self.socks):
                try:
                    closed = s.recv(1, socket.MSG_PEEK) == b""
                except BlockingIOError:
                    continue
                except OSError:
                    closed = True
                if closed:
                    with contextlib.suppress(OSError):
                        s.close()
                    try:
                        self.socks[k] = self._open()
                        self.reopened += 1
                    except OSError:
                        self.failed += 1


def rss_mib(pid: int) -> float:
    """Resident memory of ``pid`` and its children (worker processes), in MiB."""
    import psutil

    try:
        proc = psutil.Process(pid)
        total = proc.memory_info().rss
        for child in proc.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                total += child.memory_info().rss
    except psutil.Error:
        return float("nan")
    return total / (1 << 20)
