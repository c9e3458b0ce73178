"""The parent side of registering a batch: results pass through in order, their records are
written a few hundred per transaction."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from provenance.registry.base import Record, Registry

__all__ = ["BATCH", "registering"]

#: Records per transaction.
BATCH = 256


def registering(results: Iterable[Any], registry: Registry) -> Iterator[Any]:
    """Yield ``results`` unchanged, writing the ``record`` of each ``Signed`` result to
    ``registry`` (also when the caller stops early)."""
    pending: list[Record] = []
    try:
        for result in results:
            record = getattr(result, "record", None)
            if isinstance(record, Record):
                pending.append(record)
                if len(pending) >= BATCH:
                    registry.add(pending)
                    pending = []
            yield result
    finally:
        if pending:
            registry.add(pending)
