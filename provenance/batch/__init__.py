"""Many files at once: expand directories and globs, sign or verify them on any executor.

>>> from provenance import batch
>>> items = batch.expand(["photos/"], recursive=True)                    # doctest: +SKIP
>>> with batch.executor(jobs=2) as ex:                                    # doctest: +SKIP
...     for result in batch.verify(items, executor=ex):
...         print(result)

Every file gives one result, as data, in input order whatever the executor: :class:`Verified`,
:class:`Failed`, :class:`Skipped` (verification) or :class:`Signed`, :class:`Failed`,
:class:`Skipped` (signing). Each file is handled by :func:`provenance.verify` or
:func:`provenance.sign`, so a batch judges exactly as a single call does.

Workers rebuild their own state (identity, c2pa Signer, trust anchors) the first time they see a
batch: a c2pa Signer does not survive ``fork``, and nothing that holds a key or a certificate
object crosses a process boundary except as bytes.

Modules, one job each: :mod:`~provenance.batch.expand` (inputs),
:mod:`~provenance.batch.executors` (where work runs),
:mod:`~provenance.batch.ordering` (input-ordered results, bounded memory),
:mod:`~provenance.batch.worker_state` (per-worker state), :mod:`~provenance.batch.verify_jobs`,
:mod:`~provenance.batch.sign_jobs`, :mod:`~provenance.batch.results` (outcomes as data) and
:mod:`~provenance.batch.documents` (their JSON documents and the tally).
"""

from provenance._files import atomic_output
from provenance.batch.documents import (
    SIGN_RESULTS_SCHEMA_ID,
    SIGN_SCHEMA_ID,
    Tally,
    exit_code,
    sign_document,
    verify_document,
)
from provenance.batch.executors import default_jobs, executor
from provenance.batch.expand import Item, expand
from provenance.batch.results import Failed, Result, Signed, Skipped, Verified
from provenance.batch.sign_jobs import IdentityRef, sign
from provenance.batch.verify_jobs import verify
from provenance.claims import ClaimTemplate

__all__ = [
    "SIGN_RESULTS_SCHEMA_ID",
    "SIGN_SCHEMA_ID",
    "ClaimTemplate",
    "Failed",
    "IdentityRef",
    "Item",
    "Result",
    "Signed",
    "Skipped",
    "Tally",
    "Verified",
    "atomic_output",
    "default_jobs",
    "executor",
    "exit_code",
    "expand",
    "sign",
    "sign_document",
    "verify",
    "verify_document",
]
