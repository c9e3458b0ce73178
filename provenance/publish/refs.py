"""The media a page shows: ``<img src>``, ``srcset``, ``<picture><source srcset>``,
``<video>``/``<audio>`` ``src`` and ``<source src>``, resolved against the page (CSS is out of
scope). Parsed with the standard library's HTML parser; no I/O."""

from __future__ import annotations

import posixpath
from html.parser import HTMLParser
from typing import Literal
from urllib.parse import unquote, urlsplit

from provenance._record import record

__all__ = ["Ref", "media_urls", "resolve", "srcset_urls"]

_SRC_TAGS = frozenset({"img", "video", "audio", "source", "track", "embed"})
_POSTER_TAGS = frozenset({"video"})


def srcset_urls(value: str) -> list[str]:
    """The URLs of a ``srcset`` attribute (HTML's candidate list: a URL, then optional
    descriptors up to the next comma; a URL may itself hold commas, e.g. ``data:``)."""
    out: list[str] = []
    pos, n = 0, len(value)
    while pos < n:
        while pos < n and (value[pos].isspace() or value[pos] == ","):
            pos += 1
        start = pos
        while pos < n and not value[pos].isspace():
            pos += 1
        url = value[start:pos]
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            while pos < n and value[pos] != ",":  # descriptors ("2x", "640w")
                pos += 1
        if url:
            out.append(url)
    return out


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SRC_TAGS:
            return
        for name, value in attrs:
            if not value:
                continue
            if name == "src" and tag != "track":
                self.urls.append(value.strip())
            elif name == "srcset" and tag in ("img", "source"):
                self.urls.extend(srcset_urls(value))
            elif name == "poster" and tag in _POSTER_TAGS:
                self.urls.append(value.strip())

    handle_startendtag = handle_starttag


def media_urls(page: bytes) -> list[str]:
    """Every media URL ``page`` names, in document order, each once."""
    collector = _Collector()
    collector.feed(page.decode("utf-8", "replace"))
    collector.close()
    return list(dict.fromkeys(collector.urls))


@record
class Ref:
    """A URL a page names, resolved: ``internal`` (``target``: the site-relative path),
    ``external`` (another site, or above the site's root) or ``inline`` (a ``data:`` URL)."""

    url: str
    kind: Literal["internal", "external", "inline"]
    target: str | None = None


def resolve(page: str, url: str) -> Ref:
    """``url`` as named by the page at site-relative path ``page``. A root-relative URL
    (``/img/a.png``) is taken against the site's root (the site served at its domain's root)."""
    parts = urlsplit(url)
    if parts.scheme == "data":
        return Ref(url, "inline")
    if parts.scheme or parts.netloc:
        return Ref(url, "external")
    path = unquote(parts.path)
    if not path:
        return Ref(url, "internal", page)
    joined = path.lstrip("/") if path.startswith("/") else \
        posixpath.join(posixpath.dirname(page), path)
    norm = posixpath.normpath(joined)
    if norm == ".." or norm.startswith("../") or norm.startswith("/"):
        return Ref(url, "external")
    return Ref(url, "internal", norm)
