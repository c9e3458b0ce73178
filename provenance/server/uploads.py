"""Uploads streamed to a temporary file, bounded in size and time, deleted afterwards.

::

    async with spooled(request, max_bytes=settings.max_upload_bytes) as upload:
        ...  # upload.path, upload.filename, upload.media_type, upload.is_text

The body is one of:

* ``multipart/form-data`` with a file part named ``field`` (``file``), or a ``text`` field
  (pasted text, spooled as ``pasted.txt``);
* ``application/x-www-form-urlencoded`` with a ``text`` field;
* anything else: the body is the file itself (``application/octet-stream`` or its media
  type); its name comes from the ``name`` query parameter or ``Content-Disposition``.

A ``Content-Length`` over the limit is refused (413) before a byte of the body is read; a
body that streams past it is refused as soon as it does. The whole body must arrive within
``timeout`` seconds (408). Each upload gets a private temporary directory, removed when the
block ends, also on errors.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import mimetypes
import os
import re
import shutil
import tempfile
import urllib.parse
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import IO, Any

from starlette.requests import ClientDisconnect, Request

from provenance._record import record
from provenance.server.errors import ServerError

__all__ = ["TEXT_NAME", "Upload", "clean_name", "spooled", "with_type"]

log = logging.getLogger("provenance.server")

#: the name pasted text is judged under (its type: plain text)
TEXT_NAME = "pasted.txt"

#: room for multipart boundaries and part headers on top of ``max_bytes``
_OVERHEAD = 64 << 10
_MAX_PARTS = 16
_FLUSH = 256 << 10  # bytes queued per upload before the file work is done
_CLOSE = {"Connection": "close"}


@record
class Upload:
    """One spooled upload: where it is on disk and what the client called it."""

    path: Path
    #: the client's file name (base name only, printable), or :data:`TEXT_NAME`
    filename: str
    #: the media type the client gave, if any (never trusted: the file's bytes decide)
    media_type: str | None
    size: int
    #: pasted text (the ``text`` field) rather than a file
    is_text: bool = False


def _too_large(max_bytes: int) -> ServerError:
    return ServerError(413, "too_large",
                       f"the upload is larger than the server accepts "
                       f"({max_bytes / (1 << 20):g} MiB); send a smaller file",
                       headers=_CLOSE)


def clean_name(raw: str | None, default: str = "upload") -> str:
    """A client's file name made safe to show and to judge a type by: its base name,
    printable characters only, at most 200 of them."""
    if not raw:
        return default
    base = re.split(r"[\\/]", raw)[-1]
    base = "".join(c for c in base if c.isprintable()).strip()
    return base[-200:] or default


def with_type(name: str, media: str | None) -> str:
    """``name`` with the extension of ``media`` when it has none (its type is judged by
    extension and content)."""
    if media and not os.path.splitext(name)[1]:
        guessed = mimetypes.guess_extension(media)
        if guessed:
            return name + (".jpg" if guessed == ".jpe" else guessed)
    return name


def _suffix(name: str) -> str:
    ext = os.path.splitext(name)[1].lower()
    return ext if re.fullmatch(r"\.[a-z0-9]{1,10}", ext) else ""


class _Sink:
    """Where the body's bytes go, counted against the limit. The parser's callbacks only
    queue what to do; :meth:`drain` does the file work in a worker thread (a slow disk never
    holds the event loop), at least every :data:`_FLUSH` bytes."""

    def __init__(self, directory: Path, max_bytes: int) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self.path = directory / "upload"
        self.size = 0
        self.count = 0
        self._open = False
        self._ops: list[tuple[str, Any]] = []
        self._queued = 0
        self._file: IO[bytes] | None = None

    def open(self, name: str) -> None:
        self.close()
        self.count += 1
        self.path = self.directory / f"upload-{self.count}{_suffix(name)}"
        self._ops.append(("open", self.path))
        self._open = True
        self.size = 0

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.max_bytes:
            raise _too_large(self.max_bytes)
        if not self._open:
            raise ServerError(400, "bad_request", "file data outside a file part")
        self._ops.append(("data", data))
        self._queued += len(data)

    def close(self) -> None:
        if self._open:
            self._ops.append(("close", None))
            self._open = False

    async def drain(self, *, final: bool = False) -> None:
        """Do the queued file work (when enough is queued, or ``final``)."""
        if self._ops and (final or self._queued >= _FLUSH):
            ops, self._ops, self._queued = self._ops, [], 0
            try:
                await asyncio.to_thread(self._apply, ops)
            except OSError as exc:  # the server's disk: full, gone, read-only
                log.warning("cannot spool an upload in %s: %s", self.directory, exc)
                raise ServerError(503, "no_space", "the server cannot store the upload now; "
                                  "try again later", headers=_CLOSE) from None

    def _apply(self, ops: list[tuple[str, Any]]) -> None:
        for kind, arg in ops:
            if kind == "open":
                self._file = Path(arg).open("wb")
            elif kind == "data" and self._file is not None:
                self._file.write(arg)
            elif kind == "close" and self._file is not None:
                self._file.close()
                self._file = None

    def abandon(self) -> None:
        """Close the file in hand, if any (the folder is being removed)."""
        self._ops.clear()
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None


async def _chunks(request: Request, limit: int, max_bytes: int,
                  timeout: float) -> AsyncIterator[bytes]:
    """The body's chunks; 413 past ``limit`` bytes, 408 past ``timeout`` seconds."""
    total = 0
    stream = request.stream().__aiter__()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        left = deadline - loop.time()
        if left <= 0:
            raise _timed_out(timeout)
        try:
            async with asyncio.timeout(left):
                chunk = await stream.__anext__()
        except StopAsyncIteration:
            return
        except TimeoutError:
            raise _timed_out(timeout) from None
        except ClientDisconnect:
            raise ServerError(400, "client_gone", "the client closed the connection before "
                              "the upload was complete", headers=_CLOSE) from None
        total += len(chunk)
        if total > limit:
            raise _too_large(max_bytes)
        if chunk:
            yield chunk


def _timed_out(timeout: float) -> ServerError:
    return ServerError(408, "timeout",
                       f"the upload did not arrive within {timeout:g} s; try again on a "
                       "faster connection", headers=_CLOSE)


def _declared_length(request: Request) -> int | None:
    raw = request.headers.get("content-length")
    if raw is None:
        return None
    if not raw.strip().isdigit():
        raise ServerError(400, "bad_request", "Content-Length is not a number",
                          headers=_CLOSE)
    return int(raw)


@contextlib.asynccontextmanager
async def spooled(request: Request, *, max_bytes: int, field: str = "file",
                  text_field: str | None = "text", timeout: float = 120.0,
                  ) -> AsyncIterator[Upload]:
    """Spool ``request``'s upload to a private temporary file; removed when the block ends.

    Raises:
        ServerError: 413 too large, 408 too slow, 400 no file, an empty file, two inputs or
            a malformed body.
    """
    ctype = request.headers.get("content-type", "")
    main = ctype.split(";", 1)[0].strip().lower()
    multipart = main == "multipart/form-data"
    limit = max_bytes + (_OVERHEAD if multipart or main.endswith("urlencoded") else 0)
    declared = _declared_length(request)
    if declared is not None and declared > limit:
        raise _too_large(max_bytes)
    try:
        directory = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="provenance-upload-"))
    except OSError as exc:
        log.warning("cannot make a folder for an upload: %s", exc)
        raise ServerError(503, "no_space", "the server cannot store the upload now; try "
                          "again later", headers=_CLOSE) from None
    sink = _Sink(directory, max_bytes)
    try:
        chunks = _chunks(request, limit, max_bytes, timeout)
        if multipart:
            upload = await _multipart(ctype, chunks, sink, field, text_field)
        elif main == "application/x-www-form-urlencoded":
            upload = await _urlencoded(chunks, sink, text_field)
        else:
            upload = await _raw(request, main, chunks, sink)
        sink.close()
        await sink.drain(final=True)
        if upload.size == 0:
            what = "pasted text" if upload.is_text else f"{upload.filename}"
            raise ServerError(400, "empty", f"{what} is empty (0 bytes); give the real file")
        yield upload
    finally:
        sink.abandon()
        try:
            await asyncio.to_thread(shutil.rmtree, directory, ignore_errors=True)
        except BaseException:  # cancelled on the way: remove it here and now
            shutil.rmtree(directory, ignore_errors=True)
            raise


async def _raw(request: Request, main: str, chunks: AsyncIterator[bytes],
               sink: _Sink) -> Upload:
    name = request.query_params.get("name")
    if not name:
        disposition = request.headers.get("content-disposition")
        if disposition:
            from python_multipart.multipart import parse_options_header

            _, params = parse_options_header(disposition)
            found = params.get(b"filename")
            name = found.decode("utf-8", "replace") if found else None
    media = main if main and main != "application/octet-stream" else None
    filename = with_type(clean_name(name), media)
    sink.open(filename)
    async for chunk in chunks:
        sink.write(chunk)
        await sink.drain()
    return Upload(sink.path, filename, media, sink.size)


async def _urlencoded(chunks: AsyncIterator[bytes], sink: _Sink,
                      text_field: str | None) -> Upload:
    body = bytearray()
    async for chunk in chunks:
        body += chunk
    fields = urllib.parse.parse_qs(bytes(body), keep_blank_values=True)
    key = (text_field or "").encode()
    if text_field is None or key not in fields:
        raise ServerError(400, "no_input", f"no {text_field or 'file'} field in the form; "
                          "send the file as multipart/form-data")
    text = fields[key][0]
    sink.open(TEXT_NAME)
    sink.write(text)
    return Upload(sink.path, TEXT_NAME, "text/plain", sink.size, is_text=True)


async def _multipart(ctype: str, chunks: AsyncIterator[bytes], sink: _Sink, field: str,
                     text_field: str | None) -> Upload:
    from python_multipart.multipart import MultipartParser, parse_options_header

    _, params = parse_options_header(ctype)
    boundary = params.get(b"boundary")
    if not boundary:
        raise ServerError(400, "bad_request", "multipart/form-data without a boundary")
    state: dict[str, Any] = {"parts": 0, "header": b"", "value": b"", "headers": {},
                             "target": None, "found": None, "error": None}
    got: list[Upload] = []

    def guard(fn: Callable[..., None]) -> Callable[..., None]:
        # The parser swallows nothing, but its callbacks must not raise half-way through a
        # buffer: keep the first error and raise it after write().
        def wrapped(*args: Any) -> None:
            if state["error"] is None:
                try:
                    fn(*args)
                except ServerError as exc:
                    state["error"] = exc
        return wrapped

    def on_part_begin() -> None:
        state["parts"] += 1
        if state["parts"] > _MAX_PARTS:
            raise ServerError(400, "bad_request", f"more than {_MAX_PARTS} form fields")
        state.update(header=b"", value=b"", headers={}, target=None)

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["header"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state["value"] += data[start:end]

    def on_header_end() -> None:
        state["headers"][state["header"].lower()] = state["value"]
        state.update(header=b"", value=b"")

    def on_headers_finished() -> None:
        _, disp = parse_options_header(state["headers"].get(b"content-disposition", b""))
        name = disp.get(b"name", b"").decode("utf-8", "replace")
        if name not in (field, text_field):
            state["target"] = "skip"
            return
        is_text = name == text_field and b"filename" not in disp
        if name == field and b"filename" in disp and not disp[b"filename"]:
            state["target"] = "skip"  # a form's empty file input
            return
        media: str | None
        if is_text:
            filename, media = TEXT_NAME, "text/plain"
        else:
            filename = clean_name(disp.get(b"filename", b"").decode("utf-8", "replace"))
            raw_media = state["headers"].get(b"content-type", b"").decode("latin-1")
            media = raw_media.split(";")[0].strip().lower() or None
            if media == "application/octet-stream":
                media = None
            filename = with_type(filename, media)
        sink.open(filename)
        state["target"] = "sink"
        state["found"] = (filename, media, is_text)

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if state["target"] == "sink":
            sink.write(data[start:end])

    def on_part_end() -> None:
        if state["target"] == "sink":
            sink.close()
            filename, media, is_text = state["found"]
            if is_text and sink.size == 0:
                state["found"] = None  # an empty text box beside a file
                return
            got.append(Upload(sink.path, filename, media, sink.size, is_text=is_text))
        state["target"] = None

    handlers: dict[str, Callable[..., None]] = {
        "on_part_begin": on_part_begin, "on_header_field": on_header_field,
        "on_header_value": on_header_value, "on_header_end": on_header_end,
        "on_headers_finished": on_headers_finished, "on_part_data": on_part_data,
        "on_part_end": on_part_end}
    callbacks: Any = {n: guard(f) for n, f in handlers.items()}
    try:
        parser = MultipartParser(boundary, callbacks)
    except Exception as exc:  # a boundary over python-multipart's 256 characters (was a 500)
        raise ServerError(400, "bad_request", f"malformed multipart body: {exc}") from None
    try:
        async for chunk in chunks:
            parser.write(chunk)
            if state["error"] is not None:
                raise state["error"]
            await sink.drain()
        parser.finalize()
    except ServerError:
        raise
    except Exception as exc:  # python-multipart's own errors: a malformed body
        raise ServerError(400, "bad_request", f"malformed multipart body: {exc}") from None
    if state["error"] is not None:
        raise state["error"]
    if len(got) > 1:
        raise ServerError(400, "two_inputs", "send one file or one text, not both")
    if not got:
        raise ServerError(400, "no_input", f"no file (field {field!r})" +
                          (f" and no text (field {text_field!r})" if text_field else "") +
                          " in the form; choose a file or paste text")
    return got[-1]
