"""The c2pa work of a request, off the event loop: a job in a worker thread (``jobs`` 1) or
a process of a bounded pool (``-j N``), each bounded in time, at most ``max_pending`` queued.

A job calls the library as the CLI does: :func:`provenance.verify` with the default policy
(``--require-trusted`` / ``--allow-ai`` as configured; a manifest recovered by fingerprint is
shown, never passed) or :func:`provenance.inspect`, with recovery from the server's registry.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import threading
from concurrent.futures import Executor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Literal

import provenance
from provenance._record import record
from provenance.errors import ProvenanceError, VerificationFailed
from provenance.report import Report
from provenance.server.errors import ServerError, from_library
from provenance.server.settings import ServerSettings

__all__ = ["Job", "Outcome", "Workers", "run_job"]

log = logging.getLogger("provenance.server")


@record
class Job:
    """One file to judge (picklable: it crosses to a worker process)."""

    kind: Literal["verify", "inspect"]
    path: str
    #: the name the client gave (the file's type by extension; shown in the report)
    name: str
    trust: tuple[str, ...] = ()
    registry: str | None = None
    lookup: bool = True
    require_trusted: bool = False
    allow_ai: bool = False
    file_timeout: float = 60.0
    #: keep the manifest store in the report (the page's raw view; the JSON API has no use
    #: for it, and it would only cross from the worker process for nothing)
    keep_store: bool = False


@record
class Outcome:
    """What a job found: the report and, for verify, the policy's reasons (none: passed);
    or an error as (status, code, message)."""

    report: Report | None = None
    reasons: tuple[str, ...] | None = None
    error: tuple[int, str, str] | None = None

    @property
    def passed(self) -> bool | None:
        """True/False for verify, None for inspect."""
        return None if self.reasons is None else not self.reasons

    def document(self) -> dict[str, Any]:
        """The ``provenance.report/v1`` document (verify adds ``passed`` and ``reasons``,
        as ``provenance verify --json`` does)."""
        if self.report is None:
            raise ValueError("an outcome without a report has no document")
        doc = self.report.to_dict()
        if self.reasons is not None:
            doc.update(passed=not self.reasons, reasons=list(self.reasons))
        return doc


_stores: dict[tuple[str, ...], provenance.TrustStore] = {}
_stores_lock = threading.Lock()


def _trust(extra: tuple[str, ...]) -> provenance.TrustStore:
    """The anchors installed in the provenance home plus ``extra``, built once per worker."""
    with _stores_lock:
        store = _stores.get(extra)
        if store is None:
            store = provenance.TrustStore.installed()
            if extra:
                store = store.merged(provenance.TrustStore.from_pem_files(
                    [Path(p) for p in extra]))
            _stores[extra] = store
        return store


def _sources(job: Job) -> list[str | None]:
    if not job.lookup:
        return []
    if job.registry is not None:
        return [job.registry]
    from provenance.registry.recovery import lookup_sources

    return lookup_sources()


def run_job(job: Job) -> Outcome:
    """Do ``job`` (in a worker): never raises; errors come back in ``Outcome.error``."""
    from provenance.batch.worker_state import FileTimeout, time_limit

    try:
        with time_limit(job.file_timeout):
            return _run(job)
    except FileTimeout:
        log.warning("%s: stopped after %g s", job.name, job.file_timeout)
        return Outcome(error=(504, "timeout", f"judging the file took longer than "
                                              f"{job.file_timeout:g} s and was stopped"))
    except ProvenanceError as exc:
        err = from_library(exc)
        if err.status >= 500:
            # The server's own trouble (its registry, its disk): the detail goes to the log,
            # where the operator reads it; the client learns what it can do.
            log.warning("%s: %s %s", job.name, err.code, exc)
            return Outcome(error=(err.status, err.code, _PUBLIC.get(err.code, "the server "
                                  "could not judge the file; try again later")))
        return Outcome(error=(err.status, err.code, _scrub(err.message, job)))
    except Exception as exc:  # c2pa or a bug: one line in the log, a 500
        log.error("%s: unexpected %s: %s", job.name, type(exc).__name__, _scrub(str(exc), job))
        return Outcome(error=(500, "internal", "internal error (the server log says more)"))


_PUBLIC = {"registry_unavailable": "the server's registry cannot be reached, so a copy "
            "without Content Credentials cannot be looked up; try again later"}


def _scrub(message: str, job: Job) -> str:
    """The client's name in place of the server's temporary path."""
    return message.replace(job.path, job.name)


def _run(job: Job) -> Outcome:
    store = _trust(job.trust)
    sources = _sources(job)
    if job.kind == "inspect":
        report = provenance.inspect(job.path, name=job.name, trust=store, registries=sources)
        return Outcome(_named(report, job))
    policy = provenance.default_policy(require_trusted=job.require_trusted,
                                       allow_ai=job.allow_ai)
    try:
        report = provenance.verify(job.path, name=job.name, policy=policy, trust=store,
                                   registries=sources)
    except VerificationFailed as exc:
        return Outcome(_named(exc.report, job), tuple(exc.reasons))
    return Outcome(_named(report, job), ())


#: what a recovered match's ``source`` says to clients: never the server's DSN (a path on
#: the server, or a PostgreSQL password)
SOURCE = "server registry"


def _named(report: Report, job: Job) -> Report:
    """The report as the client sees it: its own file name, not the server's temporary path
    or registry DSN."""
    failures = tuple(dataclasses.replace(f, explanation=_scrub(f.explanation, job))
                     for f in report.failures)
    recovered = tuple(dataclasses.replace(m, source=SOURCE) for m in report.recovered)
    return dataclasses.replace(report, path=job.name, failures=failures, recovered=recovered,
                               manifest_store=report.manifest_store if job.keep_store else None)


class Workers:
    """The bounded pool the app's c2pa work runs on (started and stopped with the app)."""

    def __init__(self, settings: ServerSettings) -> None:
        self.settings = settings
        self._pool: Executor | None = None
        self._pending = 0
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the workers (processes are forked now, before any request is served)."""
        self._pool = self._new_pool()

    def _new_pool(self) -> Executor:
        n = self.settings.jobs
        if n <= 1:
            return ThreadPoolExecutor(1, thread_name_prefix="provenance-c2pa")
        from concurrent.futures import ProcessPoolExecutor, wait

        from provenance.batch.executors import _mp_context, _worker_init

        pool = ProcessPoolExecutor(max_workers=n, mp_context=_mp_context(),
                                   initializer=_worker_init, initargs=(os.getpid(),))
        # Fork every worker now, while the server has no other threads at work.
        wait([pool.submit(_warm) for _ in range(n)])
        return pool

    def stop(self) -> None:
        """Stop the workers: queued jobs are cancelled, jobs in hand end."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def job(self, kind: Literal["verify", "inspect"], path: Path, name: str, *,
            keep_store: bool = False) -> Job:
        """A job for ``path`` with this server's trust, registry and policy."""
        s = self.settings
        return Job(kind=kind, path=str(path), name=name, trust=s.trust, registry=s.registry,
                   lookup=s.lookup, require_trusted=s.require_trusted, allow_ai=s.allow_ai,
                   file_timeout=s.file_timeout, keep_store=keep_store)

    async def run(self, job: Job) -> Outcome:
        """Run ``job`` on the pool and wait for it without blocking the event loop.

        Raises:
            ServerError: 503 when ``max_pending`` jobs already wait, or the pool broke.
        """
        with self._lock:
            if self._pending >= self.settings.max_pending:
                raise ServerError(503, "busy", "the server is busy; try again in a moment",
                                  headers={"Retry-After": "1"})
            self._pending += 1
        try:
            pool = self._pool
            if pool is None:
                raise ServerError(503, "busy", "the server is starting or stopping")
            loop = asyncio.get_running_loop()
            # The worker bounds the job itself (file_timeout); a worker thread cannot be
            # interrupted, so the wait is bounded too.
            try:
                return await asyncio.wait_for(loop.run_in_executor(pool, run_job, job),
                                              self.settings.file_timeout + 30)
            except BrokenProcessPool:
                log.error("a worker process died; starting a new pool")
                await asyncio.to_thread(self._replace, pool)
                raise ServerError(500, "worker_died",
                                  "the worker process judging this file died (a hostile "
                                  "file, or the server short of memory); try again") from None
            except TimeoutError:
                raise ServerError(504, "timeout",
                                  f"judging the file took longer than "
                                  f"{self.settings.file_timeout:g} s") from None
        finally:
            with self._lock:
                self._pending -= 1

    def _replace(self, broken: Executor) -> None:
        with self._lock:
            if self._pool is not broken:
                return
            self._pool = None
        broken.shutdown(wait=False, cancel_futures=True)
        self._pool = self._new_pool()


def _warm() -> None:
    import provenance._c2pa  # noqa: F401  (c2pa's native library loaded once per worker)
