"""JSON documents of batch results (provenance.report/v1, provenance.sign/v1) and the
running tally."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provenance.batch.results import Failed, Result, Signed, Skipped, Verified
from provenance.report import Report

SIGN_SCHEMA_ID = "provenance.sign/v1"
SIGN_RESULTS_SCHEMA_ID = "provenance.sign-results/v1"

# -- documents --------------------------------------------------------------------------------


def _bare_report(path: Path) -> dict[str, Any]:
    return Report(path=str(path), media_type=None, status="unsigned", origin="unknown") \
        .to_dict()


def verify_document(result: Result) -> dict[str, Any]:
    """The ``provenance.report/v1`` document of one verification result.

    A file with no report (unreadable, unsupported) still gets a valid document: status
    ``unsigned`` (no Content Credentials were read), ``media_type`` null, and an ``error``
    (failed) or ``skipped`` (left alone) object that says why.
    """
    if isinstance(result, Verified):
        doc = {**result.report.to_dict(), "passed": True, "reasons": []}
        if result.warnings:
            doc["warnings"] = list(result.warnings)
        return doc
    if isinstance(result, Failed):
        if result.report is not None:
            return {**result.report.to_dict(), "passed": False,
                    "reasons": list(result.reasons)}
        return {**_bare_report(result.path), "passed": False, "reasons": list(result.reasons),
                "error": {"message": "; ".join(result.reasons),
                          "exit_code": result.exit_code}}
    if isinstance(result, Skipped):
        base = result.report.to_dict() if result.report else _bare_report(result.path)
        return {**base, "passed": True, "reasons": [],
                "skipped": {"reason": result.reason, "kind": result.kind}}
    raise TypeError(f"not a verification result: {result!r}")


def sign_document(result: Result) -> dict[str, Any]:
    """The ``provenance.sign/v1`` document of one signing result."""
    doc: dict[str, Any] = {"schema": SIGN_SCHEMA_ID, "path": str(result.path)}
    if isinstance(result, Signed):
        doc.update(status="signed", output=str(result.output), media_type=result.media_type,
                   size=result.size, repacked=result.repacked, carrier=result.carrier)
        if result.manifest_file is not None:
            doc["manifest_file"] = str(result.manifest_file)
        if result.notes:
            doc["notes"] = list(result.notes)
    elif isinstance(result, Skipped):
        doc.update(status="skipped", reason=result.reason, kind=result.kind)
    elif isinstance(result, Failed):
        doc.update(status="failed", reason="; ".join(result.reasons),
                   exit_code=result.exit_code)
    else:
        raise TypeError(f"not a signing result: {result!r}")
    return doc


def exit_code(result: Result) -> int:
    """0 for a pass, a skip or a signature; the failure's code otherwise."""
    return result.exit_code if isinstance(result, Failed) else 0


@dataclass
class Tally:
    """Counts over a batch as it streams: outcomes, statuses, origins, time."""

    started: float = field(default_factory=time.monotonic)
    outcomes: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    origins: Counter[str] = field(default_factory=Counter)
    worst: int = 0
    elapsed: float | None = None

    def add(self, result: Result) -> None:
        """Count one result."""
        kind = {Verified: "passed", Failed: "failed", Skipped: "skipped",
                Signed: "signed"}[type(result)]
        self.outcomes[kind] += 1
        report = getattr(result, "report", None)
        if isinstance(report, Report):
            self.statuses[report.status] += 1
            self.origins[report.origin] += 1
        elif isinstance(result, Failed):
            self.statuses["error"] += 1
        elif isinstance(result, Skipped):
            self.statuses["skipped"] += 1
        self.worst = max(self.worst, exit_code(result))

    @property
    def total(self) -> int:
        """Files counted."""
        return sum(self.outcomes.values())

    def stop(self) -> None:
        """Fix the elapsed time."""
        self.elapsed = time.monotonic() - self.started

    def to_dict(self) -> dict[str, Any]:
        """The ``summary`` object of the JSON documents."""
        elapsed = self.elapsed if self.elapsed is not None else time.monotonic() - self.started
        return {
            "files": self.total,
            "outcomes": dict(sorted(self.outcomes.items())),
            "statuses": dict(sorted(self.statuses.items())),
            "origins": dict(sorted(self.origins.items())),
            "seconds": round(elapsed, 3),
            "files_per_second": round(self.total / elapsed, 1) if elapsed > 0 else None,
        }
