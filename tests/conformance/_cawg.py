"""TEST-ONLY: sign a JPEG whose manifest carries a real CAWG X.509 identity assertion.

c2pa-python 0.38.1 does not bind c2pa-rs's identity signer; the native library in its wheel
exports ``c2pa_identity_signer_create(c2pa_signer, identity_signer, referenced_assertions,
roles)``, which consumes both signers and returns one that adds a ``cawg.x509.cose`` identity
assertion to every manifest it signs. Signing identity assertions is the identity issue's
work; the verdict tests only need real ones to read.
"""

from __future__ import annotations

import ctypes
import io
from pathlib import Path
from typing import Any

import c2pa
from c2pa import c2pa as _impl

from provenance import _c2pa
from provenance.identity import Identity


def _info(identity: Identity) -> Any:
    return c2pa.C2paSignerInfo(identity.algorithm.encode(), identity.chain_pem(),
                               identity.private_key_pem(), None)


def sign_with_identity_assertion(source: Path, dest: Path, signer: Identity,
                                 credential: Identity, *, role: str = "cawg.creator") -> None:
    """Sign ``source`` (JPEG) into ``dest``: claim signed by ``signer``, identity assertion by
    ``credential`` naming its holder with ``role``."""
    main = c2pa.Signer.from_info(_info(signer))
    person = c2pa.Signer.from_info(_info(credential))
    create = _impl._lib.c2pa_identity_signer_create
    create.argtypes = [ctypes.c_void_p] * 4
    create.restype = ctypes.c_void_p
    roles = (ctypes.c_char_p * 2)(role.encode(), None)

    def with_main(main_ptr: Any) -> Any:
        return person._consume_into(
            lambda person_ptr: create(main_ptr, person_ptr, None,
                                      ctypes.cast(roles, ctypes.c_void_p)),
            "identity signer: %s")

    combined = main._consume_into(with_main, "identity signer: %s")
    both = c2pa.Signer._wrap_native_handle(
        ctypes.cast(combined, ctypes.POINTER(_impl.C2paSigner)))
    manifest = {
        "claim_generator_info": [{"name": "provenance-tests", "version": "1"}],
        "title": source.name,
        "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": [{
            "action": "c2pa.created",
            "digitalSourceType":
                "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"}]}}],
    }
    out = io.BytesIO()
    with c2pa.Builder(manifest, context=c2pa.Context.from_dict(_c2pa.settings(None))) as b, \
            source.open("rb") as src:
        b.sign(both, "image/jpeg", src, out)
    both.close()
    dest.write_bytes(out.getvalue())


def sign_without_identity_assertion(source: Path, dest: Path, signer: Identity) -> None:
    """Sign ``source`` (JPEG) into ``dest`` with a claim signer alone (no identity assertion),
    as other C2PA tools do."""
    plain = _c2pa._plain_signer(signer, None)
    manifest = {
        "claim_generator_info": [{"name": "provenance-tests", "version": "1"}],
        "title": source.name,
        "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": [{
            "action": "c2pa.created",
            "digitalSourceType":
                "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"}]}}],
    }
    out = io.BytesIO()
    with c2pa.Builder(manifest, context=c2pa.Context.from_dict(_c2pa.settings(None))) as b, \
            source.open("rb") as src:
        b.sign(plain, "image/jpeg", src, out)
    plain.close()
    dest.write_bytes(out.getvalue())
