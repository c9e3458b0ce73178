"""What each worker builds once per batch (identity, c2pa Signer, anchors), and paths
resolved against the caller's directory."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from provenance.policyfile import StoreState, store_from_state
from provenance.trust import TrustStore

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
