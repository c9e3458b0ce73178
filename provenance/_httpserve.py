"""A small HTTP server that hostile clients cannot hold: the rules every server here follows.

* Idle connections cost a file descriptor, not a thread: one selector thread accepts and
  waits until a connection has sent something; only then does a bounded pool of workers
  (``workers``) read the request.
* Every request is read against a deadline (``read_timeout`` for the whole request, headers and
  body); a connection idle for ``idle_timeout`` before its first byte is closed; at most
  ``max_connections`` are open at once (beyond that the oldest idle one is closed).
* Malformed requests (request line, ``Content-Length``, sizes) get a 400 and one log line;
  a client that disconnects gets one log line; never a traceback.
* One request per connection (HTTP/1.0 style, ``Connection: close``).
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from provenance._record import record

__all__ = ["HttpError", "Limits", "Response", "Server"]


@record
class Limits:
    """How much any one client may take from the server."""

    read_timeout: float = 10.0
    idle_timeout: float = 10.0
    max_connections: int = 1024
    workers: int = 16
    max_header: int = 16 << 10
    max_body: int = 64 << 10


@record
class Response:
    """What a handler answers: status, content type, body."""

    status: int
    content_type: str
    body: bytes


class HttpError(Exception):
    """A request the server refuses: ``status`` and a one-line reason for the log."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


class _Silent(Exception):
    """The client closed the connection without sending a byte: nothing to answer or log."""


_REASONS = {200: "OK", 400: "Bad Request", 405: "Method Not Allowed", 408: "Request Timeout",
            413: "Content Too Large", 500: "Internal Server Error"}

#: handler(method, path, headers, body) -> Response
Handler = Callable[[str, str, dict[str, str], bytes], Response]


def _stderr_log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class Server:
    """A running server; ``server_address`` is where it listens, :meth:`shutdown` stops it."""

    def __init__(self, host: str, port: int, handler: Handler, *, limits: Limits | None = None,
                 log: Callable[[str], None] = _stderr_log, name: str = "server") -> None:
        """Bind ``host:port`` (0: any free port); :meth:`start` begins serving.

        Raises:
            OSError: the address cannot be bound.
        """
        self._handler = handler
        limits = limits or Limits()
        self.limits = limits
        self._log = log
        self._name = name
        self._sock = socket.create_server((host, port), backlog=1024)
        self._sock.setblocking(False)
        self.server_address: tuple[str, int] = self._sock.getsockname()[:2]
        self._sel = selectors.DefaultSelector()
        self._sel.register(self._sock, selectors.EVENT_READ, None)
        self._idle: dict[socket.socket, float] = {}  # waiting for a first byte, since when
        self._busy = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._pool = ThreadPoolExecutor(limits.workers, thread_name_prefix=f"{name}-worker")
        self._thread = threading.Thread(target=self._loop, name=f"{name}-accept", daemon=True)

    def start(self) -> Server:
        """Serve in a background thread; returns ``self``."""
        self._thread.start()
        return self

    def shutdown(self) -> None:
        """Stop accepting, close idle connections, let requests in hand finish."""
        self._stop.set()
        self._thread.join(5)
        self._pool.shutdown(wait=True, cancel_futures=True)

    def server_close(self) -> None:
        """Release the listening socket (after :meth:`shutdown`)."""
        with contextlib.suppress(OSError):
            self._sock.close()

    @property
    def open_connections(self) -> int:
        """Connections open now: idle ones and those being served."""
        with self._lock:
            return len(self._idle) + self._busy

    # -- the selector thread --------------------------------------------------------------

    def _loop(self) -> None:
        try:
            while not self._stop.is_set():
                for key, _ in self._sel.select(timeout=0.25):
                    if key.fileobj is self._sock:
                        self._accept()
                    else:
                        conn = key.fileobj
                        if not isinstance(conn, socket.socket):
                            continue
                        self._sel.unregister(conn)
                        self._idle.pop(conn, None)
                        with self._lock:
                            self._busy += 1
                        self._pool.submit(self._serve, conn)
                self._expire()
        finally:
            for conn in list(self._idle):
                self._close(conn)
            self._sel.close()
            self.server_close()

    def _accept(self) -> None:
        for _ in range(64):  # drain a burst, then look at the rest of the world
            try:
                conn, _addr = self._sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # out of descriptors: log, keep serving
                self._log(f"{self._name}: cannot accept a connection: {exc.strerror or exc}")
                return
            if self.open_connections >= self.limits.max_connections and self._idle:
                oldest = min(self._idle, key=self._idle.__getitem__)
                self._close(oldest)
            conn.setblocking(False)
            self._idle[conn] = time.monotonic()
            self._sel.register(conn, selectors.EVENT_READ, None)

    def _expire(self) -> None:
        limit = time.monotonic() - self.limits.idle_timeout
        for conn, since in list(self._idle.items()):
            if since < limit:
                self._close(conn)

    def _close(self, conn: socket.socket) -> None:
        self._idle.pop(conn, None)
        with contextlib.suppress(KeyError, ValueError, OSError):
            self._sel.unregister(conn)
        with contextlib.suppress(OSError):
            conn.close()

    # -- a worker ------------------------------------------------------------------------

    def _serve(self, conn: socket.socket) -> None:
        peer = "?"
        try:
            with contextlib.suppress(OSError):
                host, port = conn.getpeername()[:2]
                peer = f"{host}:{port}"
            conn.setblocking(True)
            deadline = time.monotonic() + self.limits.read_timeout
            try:
                method, path, headers, body = self._read(conn, deadline)
                answer = self._handler(method, path, headers, body)
            except _Silent:
                return
            except HttpError as exc:
                self._log(f"{self._name}: {peer}: {exc.status} {exc}")
                with contextlib.suppress(OSError):  # already logged once
                    self._write(conn, Response(exc.status, "text/plain; charset=utf-8",
                                               f"{exc}\n".encode()), deadline)
                return
            except Exception as exc:  # a handler bug: one line, a 500, the server goes on
                self._log(f"{self._name}: {peer}: 500 {type(exc).__name__}: {exc}")
                with contextlib.suppress(OSError):
                    self._write(conn, Response(500, "text/plain; charset=utf-8",
                                               b"internal error\n"), deadline)
                return
            self._write(conn, answer, deadline)
        except OSError as exc:  # reset, broken pipe, timeout while answering
            self._log(f"{self._name}: {peer}: client gone ({type(exc).__name__})")
        finally:
            with contextlib.suppress(OSError):
                conn.close()
            with self._lock:
                self._busy -= 1

    def _recv(self, conn: socket.socket, deadline: float) -> bytes:
        left = deadline - time.monotonic()
        if left <= 0:
            raise HttpError(408, "the request was not complete in time")
        conn.settimeout(left)
        try:
            return conn.recv(65536)
        except TimeoutError:
            raise HttpError(408, "the request was not complete in time") from None

    def _read(self, conn: socket.socket, deadline: float
              ) -> tuple[str, str, dict[str, str], bytes]:
        data = b""
        while b"\r\n\r\n" not in data:
            if len(data) > self.limits.max_header:
                raise HttpError(400, "request headers too large")
            chunk = self._recv(conn, deadline)
            if not chunk:
                if not data:
                    raise _Silent
                raise HttpError(400, "connection closed before the request was complete")
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            raise HttpError(400, "malformed request line")
        method, path = parts[0], parts[1]
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if not sep or not name.strip():
                raise HttpError(400, "malformed header line")
            headers[name.strip().lower()] = value.strip()
        if method != "POST":
            if method in ("GET", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH"):
                raise HttpError(405, f"{method} is not served here; POST a request")
            raise HttpError(400, "malformed request line")
        raw = headers.get("content-length")
        if raw is None or not raw.isdigit():
            raise HttpError(400, "a POST needs a valid Content-Length")
        length = int(raw)
        if length > self.limits.max_body:
            raise HttpError(413, f"body of {length} bytes (at most {self.limits.max_body})")
        while len(body) < length:
            chunk = self._recv(conn, deadline)
            if not chunk:
                raise HttpError(400, "connection closed before the body was complete")
            body += chunk
        if len(body) > length:
            raise HttpError(400, "more data than Content-Length says")
        return method, path, headers, body

    def _write(self, conn: socket.socket, answer: Response, deadline: float) -> None:
        conn.settimeout(max(1.0, deadline - time.monotonic()))
        head = (f"HTTP/1.1 {answer.status} {_REASONS.get(answer.status, 'Error')}\r\n"
                f"Server: provenance\r\nContent-Type: {answer.content_type}\r\n"
                f"Content-Length: {len(answer.body)}\r\nConnection: close\r\n\r\n")
        conn.sendall(head.encode("latin-1") + answer.body)
