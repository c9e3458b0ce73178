"""C2PA 2.4 appendix A.9: a manifest block in a comment or in front matter of structured text.

``-----BEGIN C2PA MANIFEST----- <URL | data:...;base64,...> -----END C2PA MANIFEST-----`` on one
line, in the file's own comment syntax, at the start of the file; at the end when the
first line must stay first (a ``#!`` shebang, an ``<?xml`` declaration); inside the front matter
(as a comment line) when the file has YAML (``---``) or TOML (``+++``) front matter. The
exclusion is the block's line including its terminator. Raw bytes: no Unicode normalisation.
"""

from __future__ import annotations

import base64
import binascii
import math
from pathlib import PurePath

from provenance._record import record
from provenance.carriers.comments import comment_syntax

__all__ = [
    "BEGIN",
    "END",
    "Block",
    "Layout",
    "comment_syntax",
    "decode_reference",
    "find_blocks",
    "layout",
]

BEGIN = "-----BEGIN C2PA MANIFEST-----"
END = "-----END C2PA MANIFEST-----"
DATA_PREFIX = "data:application/c2pa;base64,"

def reference_length(store_size: int) -> int:
    """Length of the ``data:`` URI for a store of ``store_size`` bytes (padded base64)."""
    return len(DATA_PREFIX) + 4 * math.ceil(store_size / 3)


def data_reference(store: bytes) -> str:
    """The ``data:application/c2pa;base64,...`` reference for a store."""
    return DATA_PREFIX + base64.b64encode(store).decode("ascii")


def decode_reference(reference: str) -> bytes | None:
    """The store in a ``data:`` reference, or None for a URL or bad base64."""
    if not reference.startswith(DATA_PREFIX):
        return None
    try:
        return base64.b64decode(reference[len(DATA_PREFIX):].strip(), validate=True)
    except (binascii.Error, ValueError):
        return None


@record
class Layout:
    """Where the block goes: ``lead + block + trail`` inserted at byte ``offset``."""

    offset: int  # byte offset in the original text where the block is inserted
    prefix: str  # comment opener + space, before BEGIN
    suffix: str  # space + comment closer after END, if any
    lead: str  # "" or the line terminator, when the block becomes the last line
    trail: str  # the line terminator after the block, or ""

    def line(self, reference: str) -> str:
        """The inserted text; exactly the exclusion range."""
        return f"{self.lead}{self.prefix}{BEGIN} {reference} {END}{self.suffix}{self.trail}"


def _newline(text: str) -> str:
    i = text.find("\n")
    return "\r\n" if i > 0 and text[i - 1] == "\r" else "\n"


def layout(text: str, name: str | PurePath) -> Layout | None:
    """Decide the block's place in ``text`` (named ``name``); None when the type has no comment
    syntax (use the unstructured carrier)."""
    syntax = comment_syntax(name)
    if syntax is None:
        return None
    nl = _newline(text)
    opener, closer = syntax
    prefix = f"{opener} "
    suffix = f" {closer}" if closer else ""
    # Front matter: YAML (---) or TOML (+++) fences on the first line -> a comment line right
    # after the opening fence, which keeps the front matter valid.
    for fence in ("---", "+++"):
        if text.startswith(fence + nl):
            return Layout(len((fence + nl).encode()), "# ", "", "", nl)
    first = text.split("\n", 1)[0]
    if first.startswith("#!") or first.lstrip("\ufeff").startswith("<?xml"):
        # The block becomes the last line, with no terminator after it; the exclusion takes
        # the terminator before it (as the peer implementations do).
        return Layout(len(text.encode("utf-8")), prefix, suffix, nl, "")
    return Layout(0, prefix, suffix, "", nl)


@record
class Block:
    """A manifest block found in a text: its exclusion range (bytes) and reference."""

    byte_start: int
    byte_length: int
    reference: str


def find_blocks(data: bytes) -> list[Block]:
    """Every BEGIN..END pair, with the exclusion range spanning its whole line + terminator
    (or, for a last line, the preceding terminator + the line)."""
    out: list[Block] = []
    begin_b, end_b = BEGIN.encode(), END.encode()
    pos = data.find(begin_b)
    while pos != -1:
        stop = data.find(end_b, pos)
        if stop == -1:
            out.append(Block(pos, len(data) - pos, ""))
            break
        ref = data[pos + len(begin_b):stop].decode("utf-8", "replace").strip()
        line_start = data.rfind(b"\n", 0, pos) + 1
        line_end = data.find(b"\n", stop)
        if line_end == -1:  # last line: the exclusion takes the terminator before it
            start = line_start
            if start > 0:
                start -= 2 if start >= 2 and data[start - 2:start] == b"\r\n" else 1
            out.append(Block(start, len(data) - start, ref))
        else:
            out.append(Block(line_start, line_end + 1 - line_start, ref))
        pos = data.find(begin_b, stop)
    return out
