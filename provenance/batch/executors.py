"""Where the work runs: this process, a local fork pool, or a Dask cluster."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from concurrent.futures import Executor

from provenance.errors import (
    InputError,
    OutputError,
)

# -- executors --------------------------------------------------------------------------------


def default_jobs() -> int:
    """The CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _worker_init(parent: int) -> None:
    # Ctrl-C belongs to the parent: it stops handing out work and lets each worker finish
    # the file in hand, so no output is ever left half-written.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with(parent)


def _die_with(parent: int) -> None:
    """End this worker as soon as ``parent`` is gone (``kill -9`` of the CLI included): a
    worker holds the decrypted key and must not go on signing on its own.

    Linux: the kernel sends SIGKILL when the parent dies (PR_SET_PDEATHSIG). Everywhere, and
    as a second guard (the death signal follows the parent *thread* that forked us), a daemon
    thread checks twice a second that the parent is still ours.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before the guard was set
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="provenance-parent-watch", daemon=True).start()


def _mp_context() -> Any:
    import multiprocessing  # here, not at import: a single file never starts a pool

    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods:
        return multiprocessing.get_context("fork")  # fast start; workers rebuild c2pa state
    if "forkserver" in methods:
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


@contextlib.contextmanager
def executor(jobs: int | None = None, *, address: str | None = None,
             ) -> Iterator[Executor | None]:
    """The executor for ``jobs`` local workers, or a Dask cluster's at ``address``.

    ``jobs`` 1 gives None (work in this process); more gives a process pool (fork on Linux).
    ``address`` ``dask://HOST:PORT`` (or ``tcp://``, ``tls://``) connects to a running Dask
    scheduler and uses ``Client.get_executor()``; the files must be readable (and, when
    signing, the output directory and identity writable/readable) at the same paths on the
    workers. On exit the pool is shut down: work not started is cancelled, work in hand ends.

    Raises:
        InputError: an address that is not dask://, or dask.distributed is not installed.
        OutputError: the Dask scheduler cannot be reached.
    """
    if address is not None:
        with _dask_executor(address) as ex:
            yield ex
        return
    n = default_jobs() if jobs is None else jobs
    if n < 1:
        raise InputError(f"-j must be at least 1, got {n}")
    if n == 1:
        yield None
        return
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=n, mp_context=_mp_context(),
                               initializer=_worker_init, initargs=(os.getpid(),))
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def _dask_executor(address: str) -> Iterator[Executor]:
    scheme, sep, rest = address.partition("://")
    if not sep or scheme not in ("dask", "tcp", "tls") or not rest:
        raise InputError(f"unknown executor {address!r}",
                         hint="use dask://HOST:PORT (a running Dask scheduler)")
    try:
        import importlib

        client_class: Any = importlib.import_module("distributed").Client
    except ImportError as exc:
        raise InputError("--executor dask:// needs dask.distributed",
                         hint="pip install '.[dask]' in the checkout you installed from "
                         "(human-provenance is not on PyPI yet)") from exc
    url = f"{'tcp' if scheme == 'dask' else scheme}://{rest}"
    try:
        # Dask's own setting (distributed.comm.timeouts.connect) bounds the wait.
        client = client_class(url, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise OutputError(f"cannot reach the Dask scheduler at {url}: {exc}",
                          hint="check the address and that the scheduler is running") from exc
    try:
        ex = client.get_executor(pure=False)
        try:
            yield ex
        finally:
            ex.shutdown(wait=True)
    finally:
        client.close()
