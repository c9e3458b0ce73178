"""Chunks of work on any executor, results yielded in input order with bounded memory."""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from provenance.batch.executors import default_jobs
from provenance.batch.results import Result, failed_from
from provenance.batch.worker_state import FileTimeout, time_limit

if TYPE_CHECKING:  # concurrent.futures only where an executor runs the work (not for -j 1)
    from concurrent.futures import Executor, Future

T = TypeVar("T")


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _timed(fn: Callable[[Any, list[T]], list[Result]], spec: Any, chunk: list[T],
           seconds: float | None) -> list[Result]:
    """``fn`` over ``chunk`` one item at a time, each under the per-file time limit: an item
    that runs out of time becomes a failed result with its reason, and the rest go on."""
    if not seconds:
        return fn(spec, chunk)
    out: list[Result] = []
    for item in chunk:
        try:
            with time_limit(seconds):
                out.extend(fn(spec, [item]))
        except FileTimeout as exc:
            out.append(failed_from(_path_of(item), exc))
    return out


def _path_of(item: Any) -> Any:
    # verify items are Items; sign jobs hold their Item
    inner = getattr(item, "item", item)
    return getattr(inner, "path", inner)


def worker_count(ex: Executor) -> int:
    n = getattr(ex, "_max_workers", None)
    if isinstance(n, int) and n > 0:
        return n
    client = getattr(ex, "_client", None)  # dask's ClientExecutor
    if client is not None:
        with contextlib.suppress(Exception):
            workers = client.scheduler_info()["workers"].values()
            return max(1, sum(int(w.get("nthreads", 1)) for w in workers))
    return default_jobs()


def run_ordered(
    fn: Callable[[Any, list[T]], list[Result]],
    spec: Any,
    items: Iterable[T],
    ex: Executor | None,
    on_error: Callable[[T, BaseException], Result],
    *,
    chunk_size: int | None,
    total: int | None,
    file_timeout: float | None = None,
) -> Iterator[Result]:
    """Run ``fn(spec, chunk)`` over chunks of ``items``; yield results in input order, each as
    soon as it and everything before it is done. At most a few chunks per worker are in
    flight, so memory stays flat however many files there are. ``file_timeout``: seconds one
    item may take before it is stopped and reported failed (see :func:`time_limit`)."""
    if ex is None:
        for item in items:
            yield from _timed(fn, spec, [item], file_timeout)
        return
    from concurrent.futures import Future

    workers = worker_count(ex)
    if chunk_size is None:
        # Enough per task to hide the hand-over cost, small enough to balance the load.
        chunk_size = 8 if total is None else max(1, min(16, total // (workers * 8)))
    window = workers * 3
    source = chunks(items, chunk_size)
    pending: deque[tuple[list[T], Future[list[Result]]]] = deque()

    def fill() -> None:
        while len(pending) < window:
            chunk = next(source, None)
            if chunk is None:
                return
            try:
                pending.append((chunk, ex.submit(_timed, fn, spec, chunk, file_timeout)))
            except Exception as exc:  # a broken pool, or a spec that cannot be sent
                failed: Future[list[Result]] = Future()
                failed.set_exception(exc)
                pending.append((chunk, failed))

    try:
        fill()
        while pending:
            chunk, fut = pending.popleft()
            try:
                results = fut.result()
            except Exception as exc:
                results = [on_error(item, exc) for item in chunk]
            fill()
            yield from results
    finally:
        for _, fut in pending:
            fut.cancel()
