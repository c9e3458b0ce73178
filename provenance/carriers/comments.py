"""The single-line comment syntax of each structured text type, by file name: where the A.9
carrier (:mod:`provenance.carriers.structured`) puts its block, and what tells the carrier
registry that a file is text. A table and a lookup, nothing else: routing a file (``verify
x.jpg`` included) asks here without loading the carrier itself."""

from __future__ import annotations

from pathlib import PurePath

__all__ = ["comment_syntax"]

_HASH = ("#", "")
_SLASH = ("//", "")
_XML = ("<!--", "-->")
_DASH = ("--", "")
_SYNTAX: dict[str, tuple[str, str]] = {
    **dict.fromkeys(("py", "pyi", "sh", "bash", "zsh", "rb", "pl", "r", "yaml", "yml", "toml",
                     "cfg", "conf", "mk", "dockerfile", "ps1", "nim", "jl", "tf", "gitignore"),
                    _HASH),
    **dict.fromkeys(("js", "mjs", "cjs", "ts", "tsx", "jsx", "c", "h", "cc", "cpp", "hpp", "java",
                     "go", "rs", "swift", "kt", "kts", "cs", "scala", "dart", "php", "scss",
                     "less", "groovy", "proto", "zig", "v"), _SLASH),
    **dict.fromkeys(("md", "markdown", "xml", "xhtml", "rss", "atom", "vue", "svelte"), _XML),
    **dict.fromkeys(("sql", "lua", "hs", "elm", "ada", "adb"), _DASH),
    "css": ("/*", "*/"),
    "tex": ("%", ""),
    "sty": ("%", ""),
    "bib": ("%", ""),
    "ini": (";", ""),
    "rst": ("..", ""),
    "adoc": ("//", ""),
    "asciidoc": ("//", ""),
    "erl": ("%", ""),
    "m": ("%", ""),
    "vim": ('"', ""),
    "lisp": (";;", ""),
    "clj": (";;", ""),
    "el": (";;", ""),
}
_FILENAMES = {"makefile": _HASH, "dockerfile": _HASH, "justfile": _HASH}


def comment_syntax(name: str | PurePath) -> tuple[str, str] | None:
    """``(prefix, suffix)`` of a single-line comment for this file name, or None."""
    p = PurePath(name)
    if p.name.lower() in _FILENAMES:
        return _FILENAMES[p.name.lower()]
    return _SYNTAX.get(p.suffix.lower().lstrip("."))
