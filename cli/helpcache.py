"""A cache of typer's own help text: ``provenance --help`` and ``provenance VERB --help`` print
what typer and rich rendered the last time the same call was made in the same setting, without
importing them (~300 ms of imports and rendering become a file read).

The first call of a kind runs typer as always and keeps a copy of what it wrote to stdout, in
``$PROVENANCE_HOME/cache/help/`` (only when the home exists, the call exited 0 and wrote nothing
to stderr). The file's name is a digest of everything that changes the text: the arguments, the
sources of this package (paths, sizes, modification times of every ``.py`` file of
``provenance`` and ``provenance.cli``), the installed distributions (``*.dist-info`` names in
site-packages: the versions of typer, rich, this package...), the Python version, whether stdin,
stdout and stderr are terminals, the terminal's size, stdout's encoding, and every environment
variable typer or rich read (``COLUMNS``, ``NO_COLOR``, ``FORCE_COLOR``, ``TERM``...; the list
is ``_ENV`` and ``_ENV_PREFIXES``). A cache that cannot be read or written is passed over: the
call then runs typer, as if there were no cache.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing itself (re, enum...) costs more than this whole module
if TYPE_CHECKING:
    from typing import Any, TextIO

__all__ = ["cached_help", "home_if_exists", "is_help_call", "recording"]

#: Environment variables typer, click or rich read when rendering help (and the locale).
_ENV = ("COLUMNS", "LINES", "TERM", "COLORTERM", "TERM_PROGRAM", "NO_COLOR", "FORCE_COLOR",
        "PY_COLORS", "GITHUB_ACTIONS", "TERMINAL_WIDTH", "TTY_COMPATIBLE", "TTY_INTERACTIVE",
        "FORCE_TERMINAL", "JUPYTER_COLUMNS", "JUPYTER_LINES", "DATABRICKS_RUNTIME_VERSION",
        "LANG", "LANGUAGE", "PYTHONIOENCODING", "PYTHONUTF8", "HOME", "WT_SESSION",
        "ConEmuANSI", "ANSICON")
#: ... and every variable whose name starts with one of these.
_ENV_PREFIXES = ("TYPER", "_TYPER", "PROVENANCE", "_PROVENANCE", "LC_", "XDG_", "RICH", "CLICK")
#: The letters of a verb or subverb name (a word of the command line that may be cached).
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
_MAGIC = "provenance help cache 1"
#: A help text is a few KiB; a cache file longer than this is not one of ours and is not read.
_MAX_CHARS = 1 << 20


def is_help_call(argv: list[str]) -> bool:
    """``--help`` (or ``-h``) after at most two verb names, and nothing else."""
    if not argv or argv[-1] not in ("--help", "-h") or len(argv) > 3:
        return False
    if any(name.endswith("_COMPLETE") for name in os.environ):
        return False  # shell completion: typer answers something else
    return all(0 < len(w) <= 30 and w[0].isalpha() and set(w) <= _LETTERS for w in argv[:-1])


def home_if_exists() -> str | None:
    """The provenance home, when it exists (the cache never creates it)."""
    env = os.environ.get("PROVENANCE_HOME")
    if env:
        home = os.path.expanduser(env)
    else:
        from provenance import _home

        home = str(_home.home())
    return home if os.path.isdir(home) else None


def _sources(directory: str, parts: list[str]) -> None:
    for entry in os.scandir(directory):
        name = entry.name
        if name.endswith(".py"):
            st = entry.stat()
            parts.append(f"{entry.path}\0{st.st_size}\0{st.st_mtime_ns}")
        elif "." not in name and name != "__pycache__" and entry.is_dir():
            _sources(entry.path, parts)


def _stream(fd: int) -> str:
    try:
        tty = os.isatty(fd)
    except OSError:
        tty = False
    try:
        size = os.get_terminal_size(fd)
    except (OSError, ValueError):
        return f"{fd}:{tty}"
    return f"{fd}:{tty}:{size.columns}x{size.lines}"


def _sha256(data: bytes) -> str:
    try:  # hashlib imports OpenSSL's bindings (~5 ms); the built-in module is enough here
        from _sha2 import sha256  # type: ignore[import-not-found]  # Python >= 3.12
    except ImportError:
        try:
            from _sha256 import sha256  # type: ignore[import-not-found]  # 3.11
        except ImportError:
            from hashlib import sha256
    return str(sha256(data).hexdigest())


def _key(argv: list[str]) -> str:
    import provenance

    parts = ["\0".join(argv), sys.version, sys.executable]
    stdout = sys.stdout
    parts.append(f"{type(stdout).__name__}:{getattr(stdout, 'encoding', None)}:"
                 f"{getattr(stdout, 'errors', None)}")
    parts.extend(_stream(fd) for fd in (0, 1, 2))
    parts.extend(f"{k}={v}" for k, v in sorted(os.environ.items())
                 if k in _ENV or k.startswith(_ENV_PREFIXES))
    _sources(os.path.dirname(os.path.abspath(provenance.__file__)), parts)
    _sources(os.path.dirname(os.path.abspath(__file__)), parts)
    for entry in sys.path:  # where distributions are installed (not the current folder)
        if os.path.basename(entry) not in ("site-packages", "dist-packages"):
            continue
        try:
            parts.extend(f"{entry}/{n}" for n in os.listdir(entry) if n.endswith(".dist-info"))
        except OSError:
            continue
    return _sha256("\n".join(parts).encode("utf-8", "surrogateescape"))


def _path(argv: list[str]) -> str | None:
    try:
        home = home_if_exists()
        return None if home is None else os.path.join(home, "cache", "help", _key(argv))
    except Exception:  # a cache that cannot be found is no cache
        return None


def cached_help(argv: list[str]) -> str | None:
    """The text typer printed for ``argv`` in this same setting, or None."""
    path = _path(argv)
    if path is None:
        return None
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            data = fh.read(_MAX_CHARS + 1)
    except (OSError, ValueError):
        return None
    if len(data) > _MAX_CHARS:
        return None
    head, sep, text = data.partition("\n")
    if not sep or head != f"{_MAGIC} {len(text)}":
        return None  # not one of ours, or cut short
    return text


class _Tee:
    """A text stream that writes through to ``stream`` and keeps a copy."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        written = self._stream.write(text)  # what the stream refuses is not kept either
        self.parts.append(text)  # click probes with b"" (refused by a text stream)
        return written

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class recording:
    """Run typer with stdout and stderr watched; on a clean exit 0 keep stdout's text."""

    def __init__(self, argv: list[str]) -> None:
        self._argv = argv
        self._out, self._err = _Tee(sys.stdout), _Tee(sys.stderr)

    def __enter__(self) -> recording:
        sys.stdout, sys.stderr = self._out, self._err
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 _tb: object) -> None:
        out, err = self._out, self._err
        sys.stdout, sys.stderr = out._stream, err._stream
        clean = kind is None or (kind is SystemExit and getattr(exc, "code", 1) in (0, None))
        if clean and not err.parts and all(isinstance(p, str) for p in out.parts):
            _store(self._argv, "".join(out.parts))


def _store(argv: list[str], text: str) -> None:
    path = _path(argv)
    if path is None or not text:
        return
    import tempfile

    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".help.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(f"{_MAGIC} {len(text)}\n{text}")
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except Exception:  # noqa: S110 (a read-only or full home: the next call renders again)
        pass
