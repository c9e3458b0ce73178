"""Recovery by fingerprint: a file with no manifest, or one whose hard binding fails, looked up
in the configured registries. The report keeps its own status; ``recovered`` lists the
manifests found, best first, and none of them is a cryptographic match.

A recovered signer's ``trusted`` is the verifier's judgement now, not the one made at
registration: the certificate and chain the registry kept (read from the manifest's own
chain) are checked against the verifier's trust anchors at lookup time."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING

from provenance._record import record
from provenance.fingerprint import fingerprint
from provenance.policy import Policy
from provenance.registry import open_registry
from provenance.registry.base import Match, Record, Registry
from provenance.registry.sources import lookup_sources, needs_recovery
from provenance.report import Report
from provenance.trust import TrustStore

if TYPE_CHECKING:  # parsed in trusted_now, where a registered signer is judged
    from cryptography import x509

__all__ = ["AcceptRecovered", "lookup_sources", "needs_recovery", "recover", "trusted_now",
           "with_current_trust"]


def trusted_now(record: Record | None, trust: TrustStore,
                at: _dt.datetime | None = None) -> tuple[bool, str | None, str | None]:
    """(trusted, anchor subject, trust list) for a registered signer under ``trust``: its
    certificate, through the chain kept with it, is issued by one of the anchors (each
    signature verified), and every certificate on the path was valid at ``at`` (the signing
    time when known, else now). An anchor's own certificate signing directly counts too."""
    from cryptography import x509

    from provenance._dn import format_dn

    if record is None or record.signer_cert is None or not len(trust):
        return False, None, None
    when = at or _dt.datetime.now(_dt.UTC)
    try:
        path = [x509.load_der_x509_certificate(record.signer_cert)]
        above = [x509.load_der_x509_certificate(d) for d in _split_der(record.signer_chain)]
    except ValueError:
        return False, None, None
    for cert in above:  # only the part of the kept chain whose links verify
        if not _issued_by(path[-1], cert):
            break
        path.append(cert)
    anchors = list(zip(trust.certificates, trust._labels(), strict=True))
    for cert in path:
        if not cert.not_valid_before_utc <= when <= cert.not_valid_after_utc:
            return False, None, None
        for anchor, label in anchors:
            if anchor == cert:
                return True, format_dn(anchor.subject), label
            if anchor.subject != cert.issuer or not (
                    anchor.not_valid_before_utc <= when <= anchor.not_valid_after_utc):
                continue
            if _issued_by(cert, anchor):
                return True, format_dn(anchor.subject), label
    return False, None, None


@functools.lru_cache(maxsize=1024)
def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """``issuer``'s key made ``cert``'s signature (remembered: the same few signers recur in
    a run, and a signature check costs ~0.5 ms)."""
    from cryptography.exceptions import InvalidSignature

    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _split_der(blob: bytes | None) -> list[bytes]:
    """Concatenated DER certificates, one by one (long-form lengths of 2 bytes)."""
    out: list[bytes] = []
    pos = 0
    while blob and pos + 4 <= len(blob) and blob[pos:pos + 2] == b"\x30\x82":
        end = pos + 4 + int.from_bytes(blob[pos + 2:pos + 4], "big")
        out.append(blob[pos:end])
        pos = end
    return out


def _signed_time(value: str | None) -> _dt.datetime | None:
    if not value:
        return None
    try:
        t = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo is not None else t.replace(tzinfo=_dt.UTC)


def with_current_trust(match: Match, reg: Registry, trust: TrustStore) -> Match:
    """``match`` with its signer's trust re-evaluated under ``trust`` (see
    :func:`trusted_now`)."""
    certs = getattr(reg, "signer_certificates", None)  # SQL stores: two columns, not the store
    if callable(certs):
        cert, chain = certs(match.manifest_id)
        record: Record | None = Record(match.manifest_id, "", "", match.signer, match.origin,
                                       match.signed_at, b"", (), signer_cert=cert,
                                       signer_chain=chain)
    else:
        record = reg.get(match.manifest_id)
    trusted, anchor, label = trusted_now(record, trust, _signed_time(match.signed_at))
    signer = dataclasses.replace(match.signer, trusted=trusted, anchor=anchor,
                                 trust_list=label)
    return dataclasses.replace(match, signer=signer)


def recover(report: Report, data: bytes, mime: str | None,
            sources: Sequence[str | None], *, limit: int = 5,
            opened: dict[str | None, Registry] | None = None,
            trust: TrustStore | None = None) -> Report:
    """``report`` with ``recovered`` filled from ``sources`` (unchanged when it does not need
    recovery, the type has no fingerprint, or nothing matches).

    ``opened`` caches open registries between calls (a batch worker keeps them). ``trust``:
    the anchors the recovered signers are judged by (None: those installed).

    Raises:
        RegistryError: a configured registry cannot be opened or reached.
    """
    if not sources or not needs_recovery(report):
        return report
    fp = fingerprint(data, mime or "")
    if fp is None:
        return report
    anchors = trust if trust is not None else TrustStore.installed()
    found: list[Match] = []
    for dsn in sources:
        reg = opened.get(dsn) if opened is not None else None
        if reg is None:
            reg = open_registry(dsn, create=False)
            if opened is not None:
                opened[dsn] = reg
        try:
            matches = reg.lookup(fp, limit=limit)
            if not reg.judged_at_lookup:
                matches = [with_current_trust(m, reg, anchors) for m in matches]
            found += matches
        finally:
            if opened is None:
                reg.close()
    if not found:
        return report
    best: dict[str, Match] = {}
    for m in sorted(found, key=lambda m: -m.similarity):
        best.setdefault(m.manifest_id, m)
    return dataclasses.replace(report, recovered=tuple(best.values())[:limit])


@record
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
