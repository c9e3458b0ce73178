"""What each worker builds once per batch (identity, c2pa Signer, anchors), and paths
resolved against the caller's directory."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

from provenance.errors import InputError
from provenance.trust import StoreState, TrustStore, store_from_state

# Per-process (and per-thread) state built from a batch's spec, so that each worker loads the
# identity, builds its c2pa Signer and parses the anchors once per batch, not once per file.
T = TypeVar("T")

_state_lock = threading.Lock()
_state: dict[tuple[int, int, str], Any] = {}


def worker_state(token: str, build: Callable[[], T]) -> T:
    key = (os.getpid(), threading.get_ident(), token)
    with _state_lock:
        if key in _state:
            return _state[key]  # type: ignore[no-any-return]
    value = build()
    with _state_lock:
        if len(_state) > 16:
            _state.clear()
        _state[key] = value
    return value


def anchors(state: StoreState) -> TrustStore:
    return store_from_state(state)


def resolve(path: Path, cwd: str) -> Path:
    if path.is_absolute() or os.getcwd() == cwd:
        return path
    return Path(cwd) / path


class FileTimeout(InputError):
    """One file of a batch took longer than the per-file limit (``--file-timeout``)."""


def _expired(signum: int, frame: FrameType | None) -> None:
    # Inside a c2pa stream callback (Python called from native code) an exception would be
    # printed and swallowed by ctypes: try again a moment later, once back in our code.
    f = frame
    while f is not None:
        if _C2PA_DIR in f.f_code.co_filename:
            signal.setitimer(signal.ITIMER_REAL, 0.05)
            return
        f = f.f_back
    raise Expired


_C2PA_DIR = f"{os.sep}c2pa{os.sep}"


class Expired(BaseException):
    """Raised by the alarm; a BaseException so that no ``except Exception`` on the way up
    swallows it before :func:`time_limit` turns it into :class:`FileTimeout`. Caught by name
    only where the file's work is already done (a signed output is in place) and what the
    alarm stops is an extra: the result then says what was not done."""


#: Seconds past which no alarm is set (setitimer overflows near 2**63 ns; 1e9 s is 31 years).
_NO_ALARM = 1e9


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Interrupt the block with :class:`FileTimeout` after ``seconds`` (None: no limit).

    A real-time alarm (SIGALRM), so it works only in a process's main thread: the fork-pool
    workers and a serial run. Elsewhere (Dask worker threads) the block runs unbounded. Code
    inside c2pa-rs is interrupted when it returns to Python.
    """
    # Beyond the alarm's range (--file-timeout 1e300, inf): no limit, as the user meant.
    if not seconds or not seconds < _NO_ALARM or \
            threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except Expired:
        raise FileTimeout(f"took longer than {seconds:g} s and was stopped",
                          hint="raise --file-timeout (or file_timeout in config.toml) if "
                               "the file is genuine") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
