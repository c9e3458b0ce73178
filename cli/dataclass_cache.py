"""Compiled dataclass methods kept across runs of the command line.

``@dataclass`` writes the source of ``__init__``, ``__repr__``, ``__eq__``, ``__hash__`` (and a
frozen class's ``__setattr__``/``__delattr__``) and compiles it when the class is created, in
every process: ``provenance verify x.jpg`` creates ~45 dataclasses, and on Python 3.11 their
compiling is ~80% of their cost (~1 ms a class), more than the verification itself. Python's
own bytecode cache (``__pycache__``) does not cover code made at run time.

:func:`install` gives the ``dataclasses`` module an ``exec`` that looks the source text up in
``$PROVENANCE_HOME/cache/dataclasses-<python>.marshal`` first: the code objects ``compile`` made
from exactly that text in an earlier run (``marshal``, the format of ``.pyc`` files), compiled
with the same flags (none inherited, as ``exec`` in ``dataclasses`` compiles). Any text not in
the cache is compiled as before and added when the process exits. The functions ``dataclasses``
makes are therefore the same; only the compiling is skipped.

The cache is code that runs, so it is read only from a file and folder the user owns and
nobody else can write (the standard of the trust folder), written only when Python may write
bytecode (not with ``PYTHONDONTWRITEBYTECODE``), and passed over when it cannot be read.
Only the command line installs it (cli/main.py), never ``import provenance``.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import CodeType

__all__ = ["install"]

_MAGIC = b"provenance dataclass cache 1\n"
#: Entries kept at most (each class's methods are a few; old versions' entries go past this).
_MAX = 4000


def _path() -> str | None:
    from .helpcache import home_if_exists

    home = home_if_exists()
    if home is None:
        return None
    tag = sys.implementation.cache_tag or "python"
    return os.path.join(home, "cache", f"dataclasses-{tag}.marshal")


def _private(path: str) -> bool:
    """The file and its folder belong to this user and nobody else may write them."""
    uid = os.getuid() if hasattr(os, "getuid") else None
    for where in (path, os.path.dirname(path)):
        st = os.stat(where)
        if st.st_mode & 0o022 or (uid is not None and st.st_uid != uid):
            return False
    return True


def _load(path: str) -> dict[str, CodeType]:
    import marshal

    try:
        if not _private(path):
            return {}
        with open(path, "rb") as fh:
            data = fh.read()
        head = _MAGIC + sys.version.encode() + b"\n"
        if not data.startswith(head):
            return {}
        codes = marshal.loads(data[len(head):])  # noqa: S302 (our own file, checked private)
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    if not isinstance(codes, dict):
        return {}
    return codes


def _save(path: str, codes: dict[str, CodeType]) -> None:
    import marshal
    import tempfile

    try:
        folder = os.path.dirname(path)
        os.makedirs(folder, mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".dataclasses.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(_MAGIC + sys.version.encode() + b"\n" + marshal.dumps(codes))
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except Exception:  # noqa: S110 (a read-only or full home: compiled again next time)
        pass


def install() -> None:
    """Serve ``dataclasses``' compiling from the cache for the rest of this process."""
    import dataclasses

    if "exec" in vars(dataclasses):
        return  # installed already (or someone else's hook: left alone)
    path = _path()
    if path is None:
        return
    import builtins

    codes = _load(path)
    known = len(codes)
    used: set[str] = set()
    run = builtins.exec

    def exec_cached(source: object, globals: dict[str, object] | None = None,
                    locals: dict[str, object] | None = None) -> None:
        if not isinstance(source, str):
            run(source, globals, locals)  # type: ignore[arg-type]
            return
        used.add(source)
        code = codes.get(source)
        if code is None:
            code = compile(source, "<string>", "exec", dont_inherit=True)
            codes[source] = code
        run(code, globals, locals)

    vars(dataclasses)["exec"] = exec_cached
    if not sys.dont_write_bytecode:
        import atexit

        def save() -> None:
            if len(codes) > known:  # something new was compiled; stale entries are dropped
                _save(path, codes if len(codes) <= _MAX else {k: codes[k] for k in used})

        atexit.register(save)
