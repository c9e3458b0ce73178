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

import sys
from typing import TYPE_CHECKING

from provenance import _lazy

if TYPE_CHECKING:
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

#: Public name -> its module, imported on first use (PEP 562): ``provenance verify FILE``
#: loads the verifying half only, never the signing machinery.
_LAZY: dict[str, str] = {
    "atomic_output": "provenance._files",
    "SIGN_RESULTS_SCHEMA_ID": "provenance.batch.documents",
    "SIGN_SCHEMA_ID": "provenance.batch.documents",
    "Tally": "provenance.batch.documents",
    "exit_code": "provenance.batch.documents",
    "sign_document": "provenance.batch.documents",
    "verify_document": "provenance.batch.documents",
    "default_jobs": "provenance.batch.executors",
    "executor": "provenance.batch.executors",
    "Item": "provenance.batch.expand",
    "expand": "provenance.batch.expand",
    "Failed": "provenance.batch.results",
    "Result": "provenance.batch.results",
    "Signed": "provenance.batch.results",
    "Skipped": "provenance.batch.results",
    "Verified": "provenance.batch.results",
    "IdentityRef": "provenance.batch.sign_jobs",
    "sign": "provenance.batch.sign_jobs",
    "verify": "provenance.batch.verify_jobs",
    "ClaimTemplate": "provenance.claims",
}


# ``batch.expand`` is a function and also the name of a submodule: the function keeps the name
# when the submodule is imported.
sys.modules[__name__].__class__ = _lazy.Package


def __getattr__(name: str) -> object:
    return _lazy.attribute(globals(), _LAZY, name)


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
