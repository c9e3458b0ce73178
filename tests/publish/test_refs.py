"""The media a page shows, and how its URLs resolve inside a site (pure functions)."""

from __future__ import annotations

from provenance.publish.refs import media_urls, resolve, srcset_urls
from provenance.publish.scan import kind_of


def test_every_media_element_is_found_once_in_order() -> None:
    page = b"""<html><body>
    <img src="a.jpg" srcset="a-2x.jpg 2x, a-3x.jpg 3x">
    <picture><source srcset="wide.webp 1200w,narrow.webp 600w" type="image/webp">
      <img src="a.jpg"></picture>
    <video src="clip.mp4" poster="poster.png"><source src="clip.webm"></video>
    <audio><source src="song.mp3"></audio>
    <a href="not-media.jpg">link</a><link rel="stylesheet" href="x.css">
    <img src="data:image/png;base64,AAAA,BBBB">
    </body></html>"""
    assert media_urls(page) == ["a.jpg", "a-2x.jpg", "a-3x.jpg", "wide.webp", "narrow.webp",
                                "clip.mp4", "poster.png", "clip.webm", "song.mp3",
                                "data:image/png;base64,AAAA,BBBB"]


def test_srcset_candidates_follow_the_html_rules() -> None:
    assert srcset_urls(" a.jpg 1x , b.jpg 2x") == ["a.jpg", "b.jpg"]
    assert srcset_urls("a.jpg, b.jpg") == ["a.jpg", "b.jpg"]
    assert srcset_urls("a.jpg,b.jpg") == ["a.jpg,b.jpg"]  # one URL: commas need a space
    assert srcset_urls("data:image/png;base64,AA,BB 2x, c.png") == \
        ["data:image/png;base64,AA,BB", "c.png"]
    assert srcset_urls("") == []


def test_urls_resolve_against_the_page_and_the_site_root() -> None:
    assert resolve("guide/intro/index.html", "../images/a%20b.jpg").target == \
        "guide/images/a b.jpg"
    assert resolve("café/menu/index.html", "../cr%C3%A8me.jpg?v=2#x").target == "café/crème.jpg"
    assert resolve("a/b.html", "/img/x.png").target == "img/x.png"
    assert resolve("index.html", "https://cdn.example.org/x.png").kind == "external"
    assert resolve("index.html", "//cdn.example.org/x.png").kind == "external"
    assert resolve("index.html", "../outside.png").kind == "external"
    assert resolve("index.html", "data:image/png;base64,AA").kind == "inline"


def test_kinds_of_site_files() -> None:
    assert [kind_of(n) for n in ("a.html", "b.jpg", "c.md", "d.css", "e.woff2", "f.mp4")] == \
        ["page", "media", "text", "text", "file", "media"]
