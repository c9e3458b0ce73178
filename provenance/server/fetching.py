"""``byReference``: fetch an asset a client names by URL, only when the server was started with
``--allow-fetch``, within a size and a time limit.

Guarded against server-side request forgery as the specification asks: HTTPS only, every
address the host resolves to must be a global one (no loopback, private, link-local or
reserved range), no redirects followed, at most ``min(assetLength, fetch_max_bytes)`` bytes
read, and the answer's media type must match ``assetType`` when one is given.
"""

from __future__ import annotations

import ipaddress
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from provenance.server.errors import ServerError

__all__ = ["fetch_asset"]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _check_host(host: str, port: int) -> None:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise ServerError(400, "bad_reference", f"{host} cannot be resolved") from exc
    for info in infos:
        addr = ipaddress.ip_address(str(info[4][0]))
        if not addr.is_global:
            raise ServerError(400, "bad_reference",
                              f"{host} resolves to a non-public address; this server fetches "
                              "public HTTPS URLs only")


def fetch_asset(url: str, dest: Path, *, declared: int, asset_type: str | None,
                max_bytes: int, timeout: float) -> None:
    """Download ``url`` into ``dest``.

    Raises:
        ServerError: 400 a URL that is not public HTTPS, 413 an asset over the limit (declared
            or read), 415 a media type other than ``asset_type``, 502 the fetch failed,
            504 it took longer than ``timeout``.
    """
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ServerError(400, "bad_reference", "referenceUrl must be an https:// URL")
    limit = min(declared, max_bytes)
    if declared > max_bytes:
        raise ServerError(413, "too_large", f"the asset is larger than this server fetches "
                          f"({max_bytes / (1 << 20):g} MiB)")
    _check_host(parts.hostname, parts.port or 443)
    opener = urllib.request.build_opener(_NoRedirect)
    deadline = time.monotonic() + timeout
    try:
        with opener.open(urllib.request.Request(url, headers={"User-Agent": "provenance"}),  # noqa: S310 (https checked above)
                         timeout=timeout) as resp:
            got = (resp.headers.get_content_type() or "").lower()
            if asset_type and got != asset_type.lower():
                raise ServerError(415, "unsupported_media_type",
                                  f"the URL answered {got}, not {asset_type}")
            size = 0
            with dest.open("wb") as fh:
                while chunk := resp.read(64 << 10):
                    size += len(chunk)
                    if size > limit:
                        raise ServerError(413, "too_large",
                                          f"the asset is longer than assetLength ({declared})")
                    if time.monotonic() > deadline:
                        raise ServerError(504, "timeout",
                                          f"the fetch took longer than {timeout:g} s")
                    fh.write(chunk)
    except urllib.error.HTTPError as exc:
        raise ServerError(502, "fetch_failed", f"the URL answered HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        if isinstance(exc, TimeoutError) or "timed out" in str(exc):
            raise ServerError(504, "timeout", f"the fetch took longer than {timeout:g} s") \
                from exc
        raise ServerError(502, "fetch_failed", f"the URL could not be fetched: {exc}") from exc
