"""Helpers shared by the benchmark scripts (run as ``python bench/NAME.py``)."""

from __future__ import annotations

import json
from pathlib import Path

import c2pa

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"


def dist_version(dist: str) -> str:
    """Installed version of a distribution, or "?" (informational only)."""
    try:
        from importlib.metadata import version

        return version(dist)
    except Exception:
        return "?"


def plain_manifest(title: str) -> str:
    """A manifest equivalent to ours: c2pa.created + digitalCapture, training-mining notAllowed."""
    return json.dumps({
        "claim_generator_info": [{"name": "bench-plain", "version": "0.1.0"}],
        "title": title,
        "assertions": [
            {"label": "c2pa.actions.v2", "data": {"actions": [{
                "action": "c2pa.created", "digitalSourceType": IPTC + "digitalCapture"}]}},
            {"label": "cawg.training-mining", "data": {"entries": {
                e: {"use": "notAllowed"} for e in (
                    "cawg.ai_generative_training", "cawg.ai_inference",
                    "cawg.ai_training", "cawg.data_mining")}}},
        ],
    })


def plain_sign(src: Path, dst: Path, alg: bytes, chain_pem: bytes, key_pem: bytes) -> None:
    """The straightforward baseline, as in c2pa-python's README: a new Signer from
    C2paSignerInfo, a Builder from the manifest JSON with default settings, sign_file."""
    signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(alg, chain_pem, key_pem, None))
    try:
        with c2pa.Builder(plain_manifest(src.name)) as builder:
            builder.sign_file(src, dst, signer)
    finally:
        signer.close()


def plain_verify(path: Path) -> str:
    """The straightforward reader: ``Reader(path).json()`` with default settings."""
    with c2pa.Reader(path) as reader:
        return str(reader.json())
