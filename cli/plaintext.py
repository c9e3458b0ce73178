"""Text from anyone (file names, a manifest's title, a certificate's name) made safe to print
on a terminal: control characters and bidirectional overrides shown escaped.

``x\\nOK   y.jpg: trusted`` printed raw forges a result line; an ESC sequence rewrites the
terminal; U+202E reverses what follows. JSON output is not touched (json.dumps escapes)."""

from __future__ import annotations

__all__ = ["plain"]

#: C0 controls, DEL and C1 controls as ``\xNN``; the bidi embeddings, overrides and isolates
#: (U+202A-U+202E, U+2066-U+2069) as ``\uNNNN``.
_VISIBLE = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))} | {
    c: f"\\u{c:04x}" for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


#: The same, but newlines and tabs kept: for the console's text that spans lines on purpose.
_VISIBLE_LINES = {c: v for c, v in _VISIBLE.items() if c not in (0x09, 0x0A)}


def plain(text: str, *, lines: bool = False) -> str:
    """``text`` with its control characters and bidi overrides escaped (ESC as ``\\x1b``);
    ``lines``: newlines and tabs kept."""
    if text.isprintable():
        return text
    return text.translate(_VISIBLE_LINES if lines else _VISIBLE)
