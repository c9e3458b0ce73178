"""A recovered signer's ``trusted`` is the verifier's judgement at lookup time, from the
certificate (and chain) the registry kept, not the flag stored at registration."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from cryptography.hazmat.primitives.serialization import Encoding

import provenance
from provenance.identity import Identity
from provenance.registry import open_registry
from provenance.registry.record import record_for
from provenance.registry.recovery import trusted_now
from provenance.trust import TrustStore
from tests.registry.helpers import signed_pair, social


def test_trust_is_judged_with_the_verifiers_anchors(identity: Identity, stranger: Identity,
                                                    tmp_path: Path) -> None:
    img, _ = signed_pair(tmp_path, identity)
    rec = record_for(img)
    assert rec.signer.trusted and rec.signer_cert is not None
    dsn = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    # Registered as untrusted (say, by a registry that did not know the root yet) ...
    with open_registry(dsn) as reg:
        reg.add([dataclasses.replace(rec, signer=dataclasses.replace(rec.signer,
                                                                     trusted=False))])
    copy = social(img, tmp_path / "copy.jpg")
    # ... it is trusted now by a verifier that trusts the root,
    now = provenance.inspect(copy, registries=[dsn])
    assert now.status == "unsigned" and now.recovered
    assert now.recovered[0].signer.trusted
    assert now.recovered[0].signer.trust_list == "test-root"
    # and not by one that trusts something else only.
    assert stranger.root is not None
    other = provenance.inspect(copy, registries=[dsn], trust=TrustStore((stranger.root,)))
    assert other.recovered and not other.recovered[0].signer.trusted
    # A stored certificate that the anchors did not issue is never trusted.
    forged = dataclasses.replace(rec, signer_cert=stranger.chain[0].public_bytes(Encoding.DER))
    assert not trusted_now(forged, TrustStore.installed())[0]
    assert trusted_now(rec, TrustStore.installed())[0]
    assert not trusted_now(dataclasses.replace(rec, signer_cert=None),
                           TrustStore.installed())[0]
