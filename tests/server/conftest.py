"""The server tests' corpus (built once): a provenance home whose TEST-ONLY root is trusted
and whose local registry knows one photo, and a file for every state the page shows; and one
real ``provenance serve`` on it for the whole session."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

import provenance.trust
from provenance import _c2pa, sign_bytes
from provenance.claims import HumanClaim
from provenance.identity import Identity
from provenance.trust import TrustStore
from tests.assets import build as assets
from tests.cli.helpers import flip_entropy_byte
from tests.server.helpers import Running, serve

AI_SOURCE = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
XSS = "<script>alert(1)</script>"


@dataclass(frozen=True)
class Corpus:
    """The server's home and the files of each state (name -> path)."""

    home: Path
    files: dict[str, Path]

    def data(self, name: str) -> bytes:
        return self.files[name].read_bytes()


def _ai_jpeg(data: bytes, identity: Identity) -> bytes:
    manifest = {
        "claim_generator_info": [{"name": "TEST-ONLY generator", "version": "1.0"}],
        "title": "ai.jpg",
        "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": [
            {"action": "c2pa.created", "digitalSourceType": AI_SOURCE}]}}],
    }
    out = io.BytesIO()
    _c2pa.sign_stream(manifest, "image/jpeg", io.BytesIO(data), out, identity, trust_pem=None)
    return out.getvalue()


def _stripped(data: bytes) -> bytes:
    """What a platform does: decode, downscale, re-encode at q75, metadata gone."""
    im = Image.open(io.BytesIO(data)).convert("RGB")
    im = im.resize((im.width * 3 // 4, im.height * 3 // 4))
    out = io.BytesIO()
    im.save(out, "JPEG", quality=75)
    return out.getvalue()


def _stamped(data: bytes, identity: Identity, store: TrustStore) -> bytes:
    """Signed with an RFC 3161 timestamp from a TEST-ONLY TSA served here for the moment
    (its root trusted in the home)."""
    from provenance.tsa import TimestampAuthority, serve

    tsa, _ = TimestampAuthority.create("TEST-ONLY Server TSA")
    provenance.trust.add_certificates("test-tsa", [tsa.root])
    srv = serve(tsa, log=lambda line: None)
    try:
        host, port = srv.server_address
        return sign_bytes(data, name="stamped.jpg", identity=identity, trust=store,
                          claim=HumanClaim("capture", author="TEST-ONLY Ada"),
                          tsa_url=f"http://{host}:{port}").data
    finally:
        srv.shutdown()


def build_corpus(root: Path, identity: Identity) -> Corpus:
    """Sign, tamper, strip and register the files of every state under ``root``."""
    home = root / "home"
    home.mkdir()
    files = root / "files"
    files.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PROVENANCE_HOME", str(home))
        assert identity.root is not None
        provenance.trust.add_certificates("test-root", [identity.root])
        store = TrustStore((identity.root,))
        out: dict[str, Path] = {}

        def put(name: str, data: bytes) -> None:
            out[name] = files / name
            out[name].write_bytes(data)

        def signed(seed: int, name: str, claim: HumanClaim, *, size: tuple[int, int] = (160, 120),
                   parent: bytes | None = None, parent_name: str = "original.jpg") -> bytes:
            return sign_bytes(assets.image_bytes("JPEG", size=size, seed=seed), name=name,
                              identity=identity, trust=store, claim=claim, parent=parent,
                              parent_name=parent_name if parent else None).data

        trusted = signed(1, "trusted.jpg", HumanClaim("capture", author="TEST-ONLY Ada"))
        put("trusted.jpg", trusted)
        put("tampered.jpg", flip_entropy_byte(trusted))
        put("ai.jpg", _ai_jpeg(assets.image_bytes("JPEG", size=(160, 120), seed=3), identity))
        put("edited.jpg", signed(4, "edited.jpg", HumanClaim("edit", author="TEST-ONLY Ada"),
                                 parent=trusted))
        put("bad-parent.jpg", signed(10, "bad-parent.jpg", HumanClaim("edit"),
                                     parent=flip_entropy_byte(trusted),
                                     parent_name="tampered-original.jpg"))
        put("xss.jpg", signed(5, "xss.jpg", HumanClaim("creation", author=XSS,
                                                       title='"><img src=x onerror=alert(2)>')))
        registered = signed(6, "registered.jpg", HumanClaim("capture", author="TEST-ONLY Ada"),
                            size=(320, 240))
        put("registered.jpg", registered)
        put("stripped.jpg", _stripped(registered))
        put("unsigned.jpg", assets.image_bytes("JPEG", size=(160, 120), seed=7))
        stranger, _ = Identity.create("TEST-ONLY Mallory Stranger")
        put("stranger.jpg", sign_bytes(assets.image_bytes("JPEG", size=(160, 120), seed=8),
                                       name="stranger.jpg", identity=stranger,
                                       claim=HumanClaim("creation")).data)
        put("stamped.jpg", _stamped(assets.image_bytes("JPEG", size=(160, 120), seed=9),
                                    identity, store))
        from provenance.registry import open_registry
        from provenance.registry.record import record_for

        with open_registry(None) as reg:
            reg.add([record_for(out["registered.jpg"], trust=store)])
    return Corpus(home, out)


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory,
           _session_identity_dir: Path) -> Corpus:
    """The files of every state, and the home the server runs in."""
    identity = Identity.load(_session_identity_dir, password=None)
    return build_corpus(tmp_path_factory.mktemp("server-corpus"), identity)


@pytest.fixture(scope="session")
def server_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server's TMPDIR: where its uploads are spooled (and must not stay)."""
    return tmp_path_factory.mktemp("server-tmp")


@pytest.fixture(scope="session")
def server(corpus: Corpus, server_tmp: Path,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """One ``provenance serve -j 2`` on the corpus's home for the whole session (2 MiB
    uploads, short deadlines so that the fault tests are quick)."""
    logs = tmp_path_factory.mktemp("server-logs")
    with serve("-j", "2", "--max-upload-mb", "2", "--upload-timeout", "3",
               "--header-timeout", "2",
               env={"PROVENANCE_HOME": str(corpus.home), "TMPDIR": str(server_tmp)},
               log_dir=logs) as srv:
        yield srv
