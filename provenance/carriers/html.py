"""C2PA 2.4 appendix A.7: a manifest in HTML, inline or by reference, inside ``<head>``.

Inline: ``<script type="application/c2pa">BASE64</script>``; the exclusion covers ``<script``
through ``</script>``. Reference: ``<link rel="c2pa-manifest" href="URL">``; no exclusion, the
hash covers the whole document and the store lives at the URL. Pure functions, no I/O.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Iterator

from provenance._record import record

__all__ = [
    "Script",
    "find_links",
    "find_scripts",
    "insert_point",
    "link_spans",
    "link_tag",
    "script_tag",
]

# Attribute tests, applied to one start tag at a time (the tag is found by a linear scan: a
# page of thousands of unclosed elements must not make a regex rescan the rest of the page).
_C2PA_TYPE = re.compile(rb"\btype\s*=\s*[\"']?application/c2pa[\"']?", re.IGNORECASE)
_C2PA_REL = re.compile(rb"\brel\s*=\s*[\"']?c2pa-manifest[\"']?", re.IGNORECASE)
_SPACE = re.compile(rb"\s+")
_HREF = re.compile(rb"\bhref\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.IGNORECASE)
_OPENERS: dict[bytes, re.Pattern[bytes]] = {
    name: re.compile(b"<" + name + rb"(?![a-z0-9_])", re.IGNORECASE)
    for name in (b"script", b"link", b"head", b"html")
}
_CLOSE_SCRIPT = re.compile(rb"</script\s*>", re.IGNORECASE)


def _tags(data: bytes, name: bytes) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of every ``<name ...>`` start tag, in one left-to-right pass (no copy
    of the page: a case-insensitive search for the opener, then the next ``>``).

    A tag with no closing ``>`` ends the scan: no later tag can close either.
    """
    opener = _OPENERS[name]
    m = opener.search(data)
    while m:
        close = data.find(b">", m.end())
        if close == -1:
            return
        yield m.start(), close + 1
        m = opener.search(data, close + 1)


def _first_tag(data: bytes, name: bytes) -> int | None:
    """End offset of the first ``<name ...>`` start tag, or None."""
    for _, end in _tags(data, name):
        return end
    return None


def script_tag(store: bytes) -> bytes:
    """The inline element for a store."""
    return b'<script type="application/c2pa">' + base64.b64encode(store) + b"</script>"


def script_length(store_size: int) -> int:
    """Byte length of :func:`script_tag` for a store of ``store_size`` bytes."""
    return len(script_tag(b"")) + 4 * math.ceil(store_size / 3)


def link_tag(url: str) -> bytes:
    """The reference element for a manifest at ``url``."""
    safe = url.replace("&", "&amp;").replace('"', "&quot;")
    return f'<link rel="c2pa-manifest" href="{safe}">'.encode()


def insert_point(data: bytes) -> tuple[int, bytes, bytes]:
    """Where to insert into ``data``: ``(offset, before, after)``; ``before``/``after`` wrap the
    element when the document has no ``<head>`` (one is created)."""
    head = _first_tag(data, b"head")
    if head is not None:
        return head, b"", b""
    html = _first_tag(data, b"html")
    if html is not None:
        return html, b"<head>", b"</head>"
    return 0, b"<head>", b"</head>"


@record
class Script:
    """An inline manifest element: its byte range and decoded store (None if not base64)."""

    start: int
    length: int
    store: bytes | None


def find_scripts(data: bytes) -> list[Script]:
    """Every inline ``application/c2pa`` script element (linear in the page's length)."""
    out = []
    pos = 0
    for start, tag_end in _tags(data, b"script"):
        if start < pos or not _C2PA_TYPE.search(data, start, tag_end):
            continue  # inside the previous element's content, or another script
        close = _CLOSE_SCRIPT.search(data, tag_end)
        if close is None:
            break  # unclosed: no later element can close either
        try:
            store: bytes | None = base64.b64decode(
                _SPACE.sub(b"", data[tag_end:close.start()]), validate=True)
        except (binascii.Error, ValueError):
            store = None
        out.append(Script(start, close.end() - start, store or None))
        pos = close.end()
    return out


def link_spans(data: bytes) -> list[tuple[int, int]]:
    """``(start, end)`` of every ``c2pa-manifest`` link element."""
    return [(start, end) for start, end in _tags(data, b"link")
            if _C2PA_REL.search(data, start, end)]


def find_links(data: bytes) -> list[str]:
    """The href of every ``c2pa-manifest`` link element."""
    out = []
    for start, end in link_spans(data):
        href = _HREF.search(data, start, end)
        if href:
            value = href.group(1).strip(b"\"'").decode("utf-8", "replace")
            out.append(value.replace("&quot;", '"').replace("&amp;", "&"))
    return out
