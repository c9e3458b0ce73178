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
from dataclasses import dataclass

__all__ = ["Script", "find_links", "find_scripts", "insert_point", "link_tag", "script_tag"]

_SCRIPT = re.compile(
    rb"<script\b[^>]*\btype\s*=\s*[\"']?application/c2pa[\"']?[^>]*>(.*?)</script\s*>",
    re.IGNORECASE | re.DOTALL,
)
_LINK = re.compile(
    rb"<link\b[^>]*\brel\s*=\s*[\"']?c2pa-manifest[\"']?[^>]*>", re.IGNORECASE | re.DOTALL
)
_HREF = re.compile(rb"\bhref\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.IGNORECASE)
_HEAD = re.compile(rb"<head\b[^>]*>", re.IGNORECASE)
_HTML = re.compile(rb"<html\b[^>]*>", re.IGNORECASE)


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
    head = _HEAD.search(data)
    if head:
        return head.end(), b"", b""
    html = _HTML.search(data)
    if html:
        return html.end(), b"<head>", b"</head>"
    return 0, b"<head>", b"</head>"


@dataclass(frozen=True)
class Script:
    """An inline manifest element: its byte range and decoded store (None if not base64)."""

    start: int
    length: int
    store: bytes | None


def find_scripts(data: bytes) -> list[Script]:
    """Every inline ``application/c2pa`` script element."""
    out = []
    for m in _SCRIPT.finditer(data):
        try:
            store: bytes | None = base64.b64decode(re.sub(rb"\s+", b"", m.group(1)),
                                                   validate=True)
        except (binascii.Error, ValueError):
            store = None
        out.append(Script(m.start(), m.end() - m.start(), store or None))
    return out


def find_links(data: bytes) -> list[str]:
    """The href of every ``c2pa-manifest`` link element."""
    out = []
    for m in _LINK.finditer(data):
        href = _HREF.search(m.group(0))
        if href:
            value = href.group(1).strip(b"\"'").decode("utf-8", "replace")
            out.append(value.replace("&quot;", '"').replace("&amp;", "&"))
    return out
