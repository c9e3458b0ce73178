"""Recovery by fingerprint: a file with no manifest, or one whose hard binding fails, looked up
in the configured registries. The report keeps its own status; ``recovered`` lists the
manifests found, best first, and none of them is a cryptographic match."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from provenance.fingerprint import fingerprint
from provenance.policy import Policy
from provenance.registry import configured_lookup, default_path, open_registry
from provenance.registry.base import Match, Registry
from provenance.report import Report

__all__ = ["AcceptRecovered", "lookup_sources", "needs_recovery", "recover"]


def lookup_sources(extra: Sequence[str] = (), *, local: bool = True) -> list[str | None]:
    """The registries a lookup asks, in order: the local one (None) when it exists, those
    of ``config.toml``, then ``extra`` (``verify --registry``); no duplicates."""
    out: list[str | None] = []
    if local and default_path().is_file():
        out.append(None)
    for dsn in [*configured_lookup(), *extra]:
        if dsn not in out:
            out.append(dsn)
    return out


def needs_recovery(report: Report) -> bool:
    """True when the file itself proves nothing: no manifest, or a broken one."""
    return report.status in ("unsigned", "invalid")


def recover(report: Report, data: bytes, mime: str | None,
            sources: Sequence[str | None], *, limit: int = 5,
            opened: dict[str | None, Registry] | None = None) -> Report:
    """``report`` with ``recovered`` filled from ``sources`` (unchanged when it does not need
    recovery, the type has no fingerprint, or nothing matches).

    ``opened`` caches open registries between calls (a batch worker keeps them).

    Raises:
        RegistryError: a configured registry cannot be opened or reached.
    """
    if not sources or not needs_recovery(report):
        return report
    fp = fingerprint(data, mime or "")
    if fp is None:
        return report
    found: list[Match] = []
    for dsn in sources:
        reg = opened.get(dsn) if opened is not None else None
        if reg is None:
            reg = open_registry(dsn, create=False)
            if opened is not None:
                opened[dsn] = reg
        try:
            found += reg.lookup(fp, limit=limit)
        finally:
            if opened is None:
                reg.close()
    if not found:
        return report
    best: dict[str, Match] = {}
    for m in sorted(found, key=lambda m: -m.similarity):
        best.setdefault(m.manifest_id, m)
    return dataclasses.replace(report, recovered=tuple(best.values())[:limit])


@dataclass(frozen=True)
class AcceptRecovered:
    """Passes what ``policy`` passes, and also a file whose best recovered manifest is human
    (and trusted, with ``require_trusted``): ``verify --accept-recovered``."""

    policy: Policy
    require_trusted: bool = False

    def check(self, report: Report) -> list[str]:
        """The reasons ``report`` fails (none when a recovered manifest vouches for it)."""
        reasons = self.policy.check(report)
        if not reasons or not report.recovered:
            return reasons
        best: Match = report.recovered[0]
        if best.origin != "human":
            return [*reasons, f"the recovered manifest declares {best.origin} origin"]
        if self.require_trusted and not best.signer.trusted:
            return [*reasons, "the recovered manifest's signer is not trusted"]
        return []
