"""Verifying many files: one provenance.verify per file, results judged by the batch policy."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import provenance
from provenance._record import record
from provenance.batch.expand import Item
from provenance.batch.ordering import run_ordered
from provenance.batch.results import Failed, Result, Skipped, Verified, failed_from, unique
from provenance.batch.worker_state import anchors, resolve, worker_state
from provenance.errors import (
    UnsupportedFormat,
    VerificationFailed,
)
from provenance.policy import Policy, default_policy
from provenance.trust import StoreState, TrustStore, store_state

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from provenance.domain import DomainCheck
    from provenance.policyfile import UnsignedAction

# -- verify -----------------------------------------------------------------------------------


@record
class _VerifySpec:
    """What every verify worker needs, sent once per batch (see ``worker_state``)."""

    token: str
    cwd: str
    trust: StoreState
    policy: Policy
    unsigned: UnsignedAction
    strict: bool
    fetch_remote: bool = False
    registries: tuple[str | None, ...] = ()
    domain: DomainCheck | None = None


def verify(
    items: Iterable[Item | Path | str],
    *,
    policy: Policy | None = None,
    trust: TrustStore | None = None,
    unsigned: UnsignedAction | None = None,
    strict: bool = False,
    executor: Executor | None = None,
    chunk_size: int | None = None,
    fetch_remote: bool = False,
    file_timeout: float | None = None,
    registries: Sequence[str | None] = (),
    domain: DomainCheck | None = None,
) -> Iterator[Verified | Failed | Skipped]:
    """Verify every file; yield one result per file, in input order.

    Args:
        items: paths (or :class:`Item` from :func:`expand`).
        policy: as :func:`provenance.verify` (default: :func:`default_policy`); a
            :class:`~provenance.policyfile.PipelinePolicy` also brings its anchors and its
            ``unsigned`` action.
        trust: anchors; None uses those installed in the provenance home (read here, once,
            and sent to the workers).
        unsigned: ``fail`` (the policy decides), ``warn`` (pass, with a warning) or ``skip``.
        strict: an unsupported file type fails (exit code 2) instead of being skipped.
        executor: any ``concurrent.futures.Executor`` (None: this process). The policy must
            pickle for a process pool or Dask.
        fetch_remote: fetch manifests that assets reference by URL (see
            :func:`provenance.inspect`).
        file_timeout: seconds one file may take before it is stopped and reported failed
            (None: no limit; the CLI's ``--file-timeout`` defaults to 60).
        registries: where to recover the manifest of a file that has none (see
            :func:`provenance.inspect`); the workers look up, read-only.
        domain: report (and, if it says so, check) the signer's domain (see
            :func:`provenance.verify`).
    """
    store = trust if trust is not None else TrustStore.installed()
    extra = getattr(policy, "anchors", None)
    if isinstance(extra, TrustStore) and extra.certificates:
        store = store.merged(extra)
    action = unsigned or getattr(policy, "unsigned", None) or "fail"
    # The batch's id: uuid4's randomness, without importing uuid on the verify path.
    spec = _VerifySpec(os.urandom(16).hex(), os.getcwd(), store_state(store),
                       policy or default_policy(), action, strict, fetch_remote,
                       tuple(registries), domain)
    total = len(items) if isinstance(items, Sequence) else None
    yield from run_ordered(  # type: ignore[misc]
        _verify_chunk, spec, (Item.of(i) for i in items), executor,
        lambda item, exc: failed_from(item.path, exc), chunk_size=chunk_size, total=total,
        file_timeout=file_timeout,
    )


def _verify_chunk(spec: _VerifySpec, items: list[Item]) -> list[Result]:
    store = worker_state(spec.token, lambda: anchors(spec.trust))
    return [_verify_one(spec, store, item) for item in items]


def _verify_one(spec: _VerifySpec, store: TrustStore, item: Item) -> Result:
    path = item.path
    where = resolve(path, spec.cwd)
    try:
        report = provenance.verify(where, policy=spec.policy, trust=store,
                                   fetch_remote=spec.fetch_remote,
                                   registries=spec.registries, domain=spec.domain)
        reasons: tuple[str, ...] = ()
    except VerificationFailed as exc:
        report, reasons = exc.report, unique(exc.reasons)
    except UnsupportedFormat as exc:
        if item.explicit or spec.strict:
            return Failed(path, None, (str(exc),), exc.exit_code)
        return Skipped(path, str(exc), "unsupported")
    except Exception as exc:  # one bad file never stops the batch
        return failed_from(path, exc)
    if where is not path and report.path != str(path):
        report = replace(report, path=str(path))
    if report.status == "unsigned" and spec.unsigned != "fail":
        if spec.unsigned == "skip":
            return Skipped(path, "unsigned (the policy skips unsigned files)", "unsigned",
                           report)
        return Verified(path, report, ("unsigned (the policy lets unsigned files pass)",))
    if reasons:
        return Failed(path, report, reasons, VerificationFailed.exit_code)
    return Verified(path, report)
