"""File I/O: inputs opened with one clear error per failure, outputs written atomically."""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, BinaryIO, TypeVar

from provenance._home import MAX_STDIN_MB
from provenance.errors import InputError, OutputError

#: Read buffer for assets handed to c2pa as streams.
BUFFER = 1 << 20


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


#: The most a small named file (a certificate, key, trust list, policy) may hold.
SMALL_FILE_MAX = 64 << 20


def read_small(path: Path, limit: int = SMALL_FILE_MAX) -> bytes:
    """All of a small file the user names (a certificate chain, key, trust list or policy),
    bounded: ``/dev/zero`` named so took all the memory, and a FIFO waited forever.

    A pipe is read (``--key <(vault read ...)``), opened without waiting for a writer: with
    none, it reads as empty. Missing paths and directories raise as ``Path.read_bytes``.

    Raises:
        ValueError: a device or a socket, or more than ``limit`` bytes (the message says so).
        OSError: as ``open``/``read``.
    """
    mode = path.stat().st_mode
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISSOCK(mode):
        raise ValueError(f"{path} is {_kind(mode)}, not a regular file")
    fd = os.open(path, os.O_RDONLY | (os.O_NONBLOCK if stat.S_ISFIFO(mode) else 0))
    with os.fdopen(fd, "rb") as fh:
        if stat.S_ISFIFO(mode):
            os.set_blocking(fd, True)  # now a read waits for data, or sees EOF without writer
        data = fh.read(limit + 1)
    if len(data) > limit:
        size = f"{limit >> 20} MiB" if limit >= 1 << 20 else f"{limit >> 10} KiB"
        raise ValueError(f"{path} holds more than {size}")
    return data


def open_input(path: Path, what: str = "file") -> BinaryIO:
    """Open ``path`` for reading; only regular files are accepted.

    A FIFO would block forever waiting for a writer and a device such as ``/dev/zero`` never
    ends: both are refused before they are opened (stdin has its own bounded reader,
    :func:`read_stdin`).

    Raises:
        InputError: missing, a directory, not a regular file, unreadable.
    """
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(path)
        if not stat.S_ISREG(mode):
            raise InputError(f"{path} is {_kind(mode)}, not a regular file",
                             hint="give a file, or pipe the data to '-' (stdin)")
        fh = path.open("rb", buffering=BUFFER)
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):  # swapped since the check
            fh.close()
            raise InputError(f"{path} is not a regular file", hint="give a file")
        return fh
    except FileNotFoundError as exc:
        raise InputError(f"{what} not found: {path}", hint="check the path") from exc
    except IsADirectoryError as exc:
        raise InputError(f"{path} is a directory, not a file",
                         hint="pass --recursive (-r) to take every file under it, or name "
                         "the files inside it") from exc
    except PermissionError as exc:
        raise InputError(f"cannot read {path}: permission denied",
                         hint="check the file's permissions") from exc
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc


def read_input(path: Path, what: str = "file") -> bytes:
    """Read all of ``path`` (same errors as :func:`open_input`)."""
    with open_input(path, what) as fh:
        try:
            return fh.read()
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc


@contextlib.contextmanager
def mapped_input(path: Path, what: str = "file") -> Iterator[bytes]:
    """``path``'s bytes as a read-only memory map (same errors as :func:`open_input`): hashing,
    parsing and decoding a large file read the page cache, and no copy of it is made.

    Yields an mmap (typed as bytes: it slices, indexes and hashes like them); b"" for an
    empty file. Keep it only inside the ``with``.
    """
    with open_input(path, what) as fh:
        try:
            if os.fstat(fh.fileno()).st_size == 0:
                yield b""
                return
            import mmap  # large files only

            mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}",
                             ) from exc
        try:
            yield mapped  # type: ignore[misc]
        finally:
            with contextlib.suppress(BufferError):  # a view still held: the GC closes it
                mapped.close()


def read_stdin(stream: BinaryIO, max_mb: int = MAX_STDIN_MB) -> bytes:
    """Read ``stream`` (stdin) to its end, refusing more than ``max_mb`` MiB.

    Read in chunks so that an endless stream (``< /dev/zero``) stops at the cap instead of
    growing the process without bound.

    Raises:
        InputError: more than ``max_mb`` MiB, or a read error.
    """
    limit = max_mb << 20
    buf = bytearray()
    try:
        while chunk := stream.read(min(BUFFER, limit + 1 - len(buf))):
            buf += chunk
            if len(buf) > limit:
                raise InputError(
                    f"stdin holds more than {max_mb:,} MiB",
                    hint="raise the cap with --max-stdin-mb N (or max_stdin_mb in "
                         "config.toml), or give a file",
                )
    except OSError as exc:
        raise InputError(f"cannot read stdin: {exc.strerror or exc}") from exc
    return bytes(buf)


def check_dir(dest: Path) -> None:
    """Refuse an output whose directory does not exist (OutputError)."""
    dest_dir = dest.parent if str(dest.parent) else Path(".")
    if not dest_dir.is_dir():
        raise OutputError(f"the output directory {dest_dir} does not exist",
                          hint="create it first or choose another destination")


_T = TypeVar("_T")


def _refuse_special(dest: Path) -> None:
    """Refuse an output that is (or links to) a device, FIFO or socket: the rename into place
    would replace the node itself (``-o /dev/null`` or ``--report /dev/stdout`` run as root
    turned the device into a regular file)."""
    try:
        mode = dest.stat().st_mode  # follows links: /dev/stdout -> /proc/self/fd/1
    except OSError:
        return
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise OutputError(f"the output {dest} is {_kind(mode)}, not a regular file",
                          hint="give the path of a file to write; nothing was written")


def atomic_write(dest: Path, mode: int, write: Callable[[BinaryIO], _T]) -> tuple[_T, int]:
    """Run ``write`` on a temp file beside ``dest``, then move it into place.

    Returns what ``write`` returned and the file's size. On any failure the temp file is
    removed and ``dest`` is untouched.

    Raises:
        OutputError: the directory or file cannot be written.
    """
    dest_dir = dest.parent if str(dest.parent) else Path(".")
    _refuse_special(dest)
    _remove_stale(dest_dir)
    try:
        fd, tmp_name = tempfile.mkstemp(dir=dest_dir, prefix=f".{dest.name}.",
                                        suffix=f".{os.getpid()}.tmp")
    except OSError as exc:
        raise OutputError(f"cannot write to {dest_dir}: {exc.strerror or exc}",
                          hint="choose a writable destination with -o or --out-dir") from exc
    tmp = Path(tmp_name)
    try:
        # A large buffer: c2pa writes PNG output in thousands of small pieces.
        with os.fdopen(fd, "w+b", buffering=BUFFER) as fh:
            result = write(fh)
            fh.flush()
            size = os.fstat(fh.fileno()).st_size
        os.chmod(tmp, mode)
        _move_into_place(tmp, dest)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {dest}: {exc.strerror or exc}",
                          hint="check free space and permissions") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return result, size


#: From this size on, an existing output is moved aside before the new one is renamed in.
_ASIDE_MIN = 8 << 20


def _move_into_place(tmp: Path, dest: Path) -> None:
    """``os.replace(tmp, dest)``, except that a large regular file at ``dest`` is first
    renamed aside and removed once ``tmp`` is in place: ext4 makes a rename *over* an existing
    file flush the new file's delayed blocks first (``auto_da_alloc``), 15-40 ms for 50 MB
    here. Only a complete ``tmp`` gets this far; if it cannot be renamed in, the old output is
    renamed back, so a failure still leaves it as it was."""
    try:
        st = os.lstat(dest)
    except OSError:
        os.replace(tmp, dest)
        return
    if not stat.S_ISREG(st.st_mode) or st.st_size < _ASIDE_MIN:
        os.replace(tmp, dest)
        return
    aside = tmp.with_name(f".{dest.name}.{os.getpid()}.old")
    os.replace(dest, aside)
    try:
        os.replace(tmp, dest)
    except BaseException:
        os.replace(aside, dest)
        raise
    with contextlib.suppress(OSError):
        os.unlink(aside)


# A temp file of ours: ".NAME." + mkstemp's 8 random characters + ".PID.tmp".
_TEMP = r"^\..+\.[a-z0-9_]{8}\.(\d+)\.tmp$"  # compiled (and cached) by re on first use
_swept: set[str] = set()


def _remove_stale(folder: Path) -> None:
    """Remove temp files left in ``folder`` by runs that were killed (``kill -9``, power
    loss): each temp file carries its writer's pid, and one whose writer is gone is stale.
    A run in progress (its pid alive) keeps its temp file. Once per folder per process, so a
    batch of many files into one folder lists it once, not once per file."""
    key = os.path.abspath(folder)
    if key in _swept:
        return
    _swept.add(key)
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            m = re.match(_TEMP, entry.name)
            if m and not _alive(int(m.group(1))) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process: alive
    return True


def same_file(a: Path, b: Path) -> bool:
    """True when ``b`` names the same file as ``a``, however spelled."""
    try:
        return a.resolve() == b.resolve() or (b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def mode_for(src: Path) -> int:
    """Permission bits for an output made from ``src``: the source's, plus owner-write."""
    try:
        return src.stat().st_mode & 0o777 | 0o200
    except OSError:
        return 0o644


@contextlib.contextmanager
def atomic_output(path: Path | str) -> Iterator[IO[str]]:
    """A text file that appears at ``path`` complete or not at all.

    Written to a hidden temporary file beside it and moved into place on success; any
    exception (Ctrl-C included) removes the temporary file and leaves ``path`` as it was.

    Raises:
        OutputError: the folder cannot be written.
    """
    dest = Path(path)
    folder = dest.parent if str(dest.parent) else Path(".")
    _refuse_special(dest)
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{dest.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"cannot write {dest}: {exc.strerror or exc}",
                          hint="check that the folder exists and is writable") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            yield fh
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
