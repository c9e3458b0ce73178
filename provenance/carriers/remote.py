"""Remote manifests: an asset that references its manifest store by URL (XMP
``dcterms:provenance``). Fetched only when the user asks (``--fetch-remote``), bounded in size
and time, then judged against the asset like any manifest."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import replace
from typing import BinaryIO

from provenance import _c2pa
from provenance.reading import build_report
from provenance.report import Failure, Report
from provenance.trust import TrustStore

__all__ = ["MAX_MANIFEST_BYTES", "TIMEOUT_SECONDS", "fetch", "read"]

#: A manifest store larger than this is refused (real ones are KBs to a few MBs).
MAX_MANIFEST_BYTES = 32 * 1024 * 1024
TIMEOUT_SECONDS = 20.0


class FetchError(Exception):
    """The remote manifest could not be fetched (with a plain reason)."""


def fetch(url: str, *, limit: int = MAX_MANIFEST_BYTES,
          timeout: float = TIMEOUT_SECONDS) -> bytes:
    """GET ``url`` (http or https only), at most ``limit`` bytes, within ``timeout`` seconds
    per network operation.

    Raises:
        FetchError: not http(s), unreachable, HTTP error, or larger than ``limit``.
    """
    if not url.startswith(("https://", "http://")):
        raise FetchError(f"not an http(s) URL: {url}")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 (scheme checked)
            declared = resp.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise FetchError(f"{url} is {int(declared)} bytes, over the {limit}-byte limit")
            data: bytes = resp.read(limit + 1)
    except urllib.error.HTTPError as exc:
        raise FetchError(f"cannot fetch {url}: HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise FetchError(f"cannot fetch {url}: {getattr(exc, 'reason', None) or exc}") from exc
    if len(data) > limit:
        raise FetchError(f"{url} is over the {limit}-byte limit")
    return data


def read(stream: BinaryIO, display: str, mime: str, url: str, store: TrustStore) -> Report:
    """Fetch the manifest at ``url`` and judge the asset in ``stream`` against it."""
    try:
        manifest = fetch(url)
    except FetchError as exc:
        return Report(path=display, media_type=mime, status="unsigned", origin="unknown",
                      remote_url=url, failures=(Failure("manifest.remote.unavailable",
                                                        f"{exc}"),))
    stream.seek(0)
    try:
        found = _c2pa.read_with_store(mime, stream, manifest, trust_pem=store.pem(),
                                      ekus=store.eku_config())
    except _c2pa.ManifestUnreadable as exc:
        return Report(path=display, media_type=mime, status="invalid", origin="unknown",
                      remote_url=url, carrier="remote",
                      failures=(Failure("manifest.unreadable",
                                        f"the remote manifest is corrupt and cannot be read: "
                                        f"{exc}"),))
    return replace(build_report(display, mime, found, anchors=store), carrier="remote",
                   remote_url=url)
