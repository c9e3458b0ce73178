"""What the registry keeps and answers: records, matches, removal proofs, and the interface
both stores implement.

A record holds the manifest store (c2pa's JSON form), the manifest id, the soft bindings read
from the manifest, the registry-side fingerprints (pHash or MinHash), the signer and the time:
never the content itself, and no thumbnail beyond what the manifest holds.
"""

from __future__ import annotations

import abc
import datetime as _dt
from collections.abc import Iterable, Iterator
from typing import Any

from provenance._record import record
from provenance.errors import ProvenanceError
from provenance.fingerprint import Fingerprint
from provenance.report import SignerInfo

__all__ = [
    "IMAGE_THRESHOLD",
    "TEXT_THRESHOLD",
    "BadRegistry",
    "Match",
    "Record",
    "Registry",
    "RegistryError",
    "RemovalProof",
    "RemovalRefused",
]

#: A pHash match: Hamming distance at most this (of 64 bits). Measured in bench/survival.py
#: (200 photos among 100,000 generated distractors): JPEG q90-q50, resize 50%, screenshot,
#: social and stripped metadata stay within 2; at 4 no lookup of 2,200 found an unrelated item
#: (at 6: 1 in 2,000; at 8: 3 in 2,000). Rotation (45% at 4) and crops are not survived.
IMAGE_THRESHOLD = 4
#: A MinHash match: estimated Jaccard of word 3-shingles at least this. Measured in
#: bench/survival.py (200 texts among 100,000 generated distractors): 1% word edits >= .89,
#: 10% >= .44, the nearest unrelated text <= .15.
TEXT_THRESHOLD = 0.3


class RegistryError(ProvenanceError):
    """The registry cannot be opened, is not a registry, or refused an operation."""

    exit_code = 3


class BadRegistry(RegistryError):
    """Bad input to a registry: a DSN we do not understand, a file that is not a registry,
    a manifest id it does not hold."""

    exit_code = 2


class RemovalRefused(RegistryError):
    """A removal that is not proved by the signer's key: nothing is removed."""

    exit_code = 1


@record
class Record:
    """One registered manifest."""

    manifest_id: str
    media_type: str
    kind: str
    signer: SignerInfo
    origin: str
    signed_at: str | None
    manifest_store: bytes
    soft_bindings: tuple[tuple[str, str], ...]
    phash: int | None = None
    minhash: bytes | None = None
    signer_cert: bytes | None = None
    registered_at: str | None = None
    #: the certificates between the signer's and its root (DER, concatenated), read from the
    #: manifest's own chain: with ``signer_cert``, what a lookup re-evaluates trust with
    signer_chain: bytes | None = None
    #: the manifest store's own bytes (``application/c2pa``), for a resolution API to serve
    store_bytes: bytes | None = None

    def export(self) -> dict[str, Any]:
        """JSON-ready form (fingerprints in hex; the manifest store as JSON)."""
        import json

        return {
            "manifest_id": self.manifest_id,
            "media_type": self.media_type,
            "kind": self.kind,
            "signer": self.signer.to_dict(),
            "origin": self.origin,
            "signed_at": self.signed_at,
            "registered_at": self.registered_at,
            "soft_bindings": [{"alg": a, "value": v} for a, v in self.soft_bindings],
            "phash": format(self.phash, "016x") if self.phash is not None else None,
            "minhash": self.minhash.hex() if self.minhash is not None else None,
            "manifest_store": json.loads(self.manifest_store.decode("utf-8")),
        }


@record
class Match:
    """A manifest recovered by fingerprint: never a cryptographic match.

    ``similarity`` is 0-100: for images 100 x (1 - Hamming distance / 64) of the pHash, for
    text 100 x the estimated Jaccard similarity of word 3-shingles; 100 for an equal
    ``io.iscc.v0`` soft-binding value.
    """

    manifest_id: str
    alg: str
    similarity: int
    signer: SignerInfo
    origin: str
    signed_at: str | None
    source: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the ``recovered`` entries of a report)."""
        return {
            "manifest_id": self.manifest_id,
            "alg": self.alg,
            "similarity": self.similarity,
            "signer": self.signer.to_dict(),
            "origin": self.origin,
            "signed_at": self.signed_at,
            "source": self.source,
        }


@record
class RemovalProof:
    """A signature by the signer's key over :meth:`challenge` for one manifest id."""

    manifest_id: str
    issued_at: str
    signature: bytes

    @staticmethod
    def challenge(manifest_id: str, issued_at: str) -> bytes:
        """The bytes the signer signs to remove ``manifest_id`` at ``issued_at``."""
        return f"provenance-registry-remove/v1\n{manifest_id}\n{issued_at}\n".encode()

    @staticmethod
    def now() -> str:
        """The current time as the challenge carries it."""
        return _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()


class Registry(abc.ABC):
    """A searchable store of manifests. Use as a context manager; every write is one
    transaction (all or nothing)."""

    #: where it is, for reports (no password)
    source: str
    #: True when :meth:`lookup` has already judged each match's signer with this machine's
    #: trust anchors (a remote server's answers are); False: recovery re-evaluates it
    judged_at_lookup: bool = False

    @abc.abstractmethod
    def add(self, records: Iterable[Record]) -> int:
        """Register ``records`` in one transaction; returns how many were new (a manifest id
        already registered is left as it is).

        Raises:
            RegistryError: the store refused the write (nothing was written).
        """

    @abc.abstractmethod
    def lookup(self, fp: Fingerprint, *, limit: int = 5) -> list[Match]:
        """Registered manifests whose fingerprints match ``fp``, best first."""

    @abc.abstractmethod
    def get(self, manifest_id: str) -> Record | None:
        """The record of ``manifest_id``, or None."""

    @abc.abstractmethod
    def remove(self, proof: RemovalProof) -> None:
        """Remove a manifest and all its bindings, proved with the signer's key.

        Raises:
            RegistryError: unknown id, no signer certificate on record, or a proof that does
                not verify (nothing is removed).
        """

    @abc.abstractmethod
    def records(self) -> Iterator[Record]:
        """Every record (for ``registry export``)."""

    @abc.abstractmethod
    def stats(self) -> dict[str, Any]:
        """Counts by kind, by signer, and the schema version."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the connection."""

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
