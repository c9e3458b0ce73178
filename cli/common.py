"""Helpers the verb modules share: consoles, enums, passphrases, identity, trust, inputs, errors."""

from __future__ import annotations

import contextlib
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import provenance
from provenance.errors import IdentityError

if TYPE_CHECKING:
    from rich.console import Console

    from provenance.identity import Identity

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_OPERATIONAL = 0, 1, 2, 3


class _LazyConsole:
    """A rich Console made on first use: importing rich costs ~30 ms that a verb printing one
    plain line to a pipe never needs (see ``stderr_is_terminal``)."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    def real(self) -> Console:
        """The Console itself, made now (for rich objects that take one: Progress...)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real(), name)

    def print(self, *objects: Any, **options: Any) -> None:
        """``Console.print`` with text escaped by ``plain`` (file names and page URLs are
        anyone's text: an ESC sequence must not reach the terminal)."""
        from .plaintext import plain

        self.real().print(*(plain(o, lines=True) if isinstance(o, str) else o
                            for o in objects), **options)


def real_console(console: Console) -> Console:
    """``err``/``out`` as the rich Console they stand for (rich uses its context manager and
    other special methods, which a proxy's ``__getattr__`` does not see)."""
    made = getattr(console, "real", None)
    return made() if callable(made) else console


# markup=False: file names and messages are user data, never rich markup.
err: Console = _LazyConsole(  # type: ignore[assignment]
    stderr=True, highlight=False, soft_wrap=True, markup=False)
out: Console = _LazyConsole(highlight=False, soft_wrap=True, markup=False)  # type: ignore[assignment]

#: Variables by which rich may treat a pipe as a terminal; with none set, isatty() decides.
_FORCING = ("FORCE_COLOR", "FORCE_TERMINAL", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "JUPYTER_COLUMNS")


def stderr_is_terminal() -> bool:
    """``err.is_terminal``, without importing rich when stderr is a plain pipe or file."""
    if not any(os.environ.get(v) for v in _FORCING):
        try:
            if not sys.stderr.isatty():
                return False
        except (AttributeError, ValueError):
            return False
    return bool(err.is_terminal)


class Alg(StrEnum):
    es256 = "es256"
    es384 = "es384"
    ps256 = "ps256"
    ed25519 = "ed25519"


class CarrierOpt(StrEnum):
    unstructured = "unstructured"
    structured = "structured"
    html = "html"
    link = "link"
    sidecar = "sidecar"


class OriginOpt(StrEnum):
    capture = "capture"
    creation = "creation"
    edit = "edit"


def _password_for_new_key() -> bytes | None:
    env = os.environ.get("PROVENANCE_KEY_PASSWORD")
    if env:
        return env.encode()
    if sys.stdin.isatty():
        import getpass  # termios and friends: only for a passphrase typed at a terminal

        first = getpass.getpass("Passphrase for the new key (empty for none): ")
        if first:
            if getpass.getpass("Repeat the passphrase: ") != first:
                raise IdentityError("the passphrases do not match", hint="run the command again")
            return first.encode()
    return None


def _password_for(directory: Path) -> bytes | None:
    from provenance.identity import env_passphrase

    given = env_passphrase()  # as the workers read it
    if given:
        return given
    key = directory / "key.pem"
    try:
        encrypted = b"ENCRYPTED" in key.read_bytes()
    except OSError:
        return None
    if encrypted and sys.stdin.isatty():
        import getpass

        return getpass.getpass(f"Passphrase for {key}: ").encode()
    return None


def _load_identity(directory: Path | None) -> Identity:
    from provenance.identity import Identity, default_identity_dir

    d = directory or default_identity_dir()
    return Identity.load(d, password=_password_for(d))


def _trust_store(extra: list[Path] | None) -> provenance.TrustStore:
    store = provenance.TrustStore.installed()
    if extra:
        store = store.merged(provenance.TrustStore.from_pem_files(extra))
    return store


class Exit(Exception):
    """Leave the command with this exit code: what ``typer.Exit`` does, without typer, so the
    verify path runs without it (cli/main.py). Raised through click, which lets it pass, and
    turned into the exit code by ``cli.guard.guarded``."""

    def __init__(self, code: int = EXIT_OK) -> None:
        super().__init__(code)
        self.exit_code = code


def _usage(message: str) -> Exit:
    err.print(f"error: {message}")
    return Exit(EXIT_USAGE)


@contextlib.contextmanager
def _executor(jobs: int | None, url: str | None, count: int) -> Any:
    import provenance.batch

    if url is not None:
        with provenance.batch.executor(address=url) as ex:
            yield ex
        return
    if jobs is not None and jobs < 1:
        raise _usage(f"-j must be at least 1, got {jobs}")
    n = min(jobs or provenance.batch.default_jobs(), max(count, 1))
    with provenance.batch.executor(n) as ex:
        yield ex


def _expand(files: list[Path], recursive: bool, include: list[str] | None,
            exclude: list[str] | None, prune: list[Path]) -> tuple[list[Any], bool]:
    """Items to handle, and whether the inputs named more than single files (a batch)."""
    import provenance.batch

    items = provenance.batch.expand(files, recursive=recursive, include=include or (),
                                    exclude=exclude or (), prune=prune)
    is_batch = any((recursive and f.is_dir()) or
                   (not f.exists() and any(c in str(f) for c in "*?[")) for f in files)
    if not items:
        err.print("warning: no files to handle (check the paths, --recursive and "
                  "--include/--exclude)")
    return items, is_batch


def _file_timeout(value: float | None) -> float:
    from provenance._home import file_timeout

    if value is not None and value != value:  # NaN passes typer's min=
        raise _usage("--file-timeout must be a number of seconds, not nan")
    return value if value is not None else file_timeout()


def _read_stdin(max_mb: int | None) -> bytes:
    """stdin's bytes, at most ``max_mb`` MiB (or the configured cap)."""
    from provenance._files import read_stdin
    from provenance._home import max_stdin_mb

    data = read_stdin(sys.stdin.buffer, max_mb if max_mb is not None else max_stdin_mb())
    try:  # '-' is text (sign -, verify -, strip -): a photo piped in gets a hint, not a codec
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        from provenance.errors import InputError

        raise InputError(f"stdin is not UTF-8 text (byte {exc.start} is invalid)",
                         hint="'-' takes text only; give a photo or any other file by its "
                         "path, e.g. `provenance sign photo.jpg`") from exc
    return data


def _make_out_dir(out_dir: Path) -> None:
    """Create ``--out-dir`` (and its parents); a folder that cannot be made is one line,
    exit 3, before anything is signed (not an "unexpected" OSError)."""
    from provenance.errors import OutputError

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the output folder {out_dir}: {exc.strerror or exc}",
                          hint="choose a folder you can write to with --out-dir") from exc


def _tsa_checked(url: str | None) -> str | None:
    """The timestamp authority's URL, refused at once (exit 2) when it is not http(s): from
    --tsa, PROVENANCE_TSA_URL or config.toml, it would otherwise fail every file at signing
    time with c2pa's "builder error"."""
    if url is None:
        return None
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise _usage(f"the timestamp authority {url!r} is not an http(s) URL (from --tsa, "
                     "PROVENANCE_TSA_URL or [sign] tsa_url in config.toml; e.g. "
                     "http://127.0.0.1:3161/)")
    return url
