"""A registry on any server speaking the C2PA soft-binding resolution API
(``--registry https://...``): recovery asks it, ``sign`` and ``registry push`` publish to it.

Lookups send the ``io.iscc.v0`` fingerprint only (``GET /v1/matches/byBinding``), never the
content; each manifest a server names is fetched (``GET /v1/manifests/{id}``) and judged here,
with this machine's trust anchors, as a ``.c2pa`` file alone: the server's word on who signed
is never taken, and a store that does not verify, or is not the manifest asked for, is dropped.
Publishing uploads each manifest store (``POST /v1/manifests``) and its soft bindings
(``POST /v1/bindings``) with a bearer token.

Limits: HTTPS, or plain HTTP to a loopback address only (a token must not cross a network in
clear); no redirects followed (a token must not follow one to another host); every request
has a timeout; a JSON answer is read to at most 1 MiB, a manifest store to at most 32 MiB.
"""

from __future__ import annotations

import base64
import http.client
import ipaddress
import json
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from provenance.fingerprint import ISCC_ALG, Fingerprint
from provenance.registry.base import (
    BadRegistry,
    Match,
    Record,
    Registry,
    RegistryError,
    RemovalProof,
)
from provenance.trust import TrustStore

__all__ = ["MAX_JSON", "MAX_STORE", "TIMEOUT", "RemoteRefused", "RemoteRegistry", "is_url"]

#: Seconds a request may take (connect, and each read).
TIMEOUT = 20.0
#: Largest JSON answer read.
MAX_JSON = 1 << 20
#: Largest manifest store read.
MAX_STORE = 32 << 20
_LOOPBACK_NAMES = {"localhost"}


class RemoteRefused(RegistryError):
    """The server refused the request: no or a bad token (401), a missing scope (403), or
    a manifest it does not take (400). Bad input: exit code 2."""

    exit_code = 2


def is_url(dsn: str | None) -> bool:
    """True for a registry given as an ``http(s)://`` URL."""
    return dsn is not None and dsn.lower().startswith(("https://", "http://"))


def _check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise BadRegistry(f"{url} is not a server URL", hint="give https://HOST[/PATH]")
    if parts.scheme == "http":
        host = parts.hostname
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host.lower() in _LOOPBACK_NAMES
        if not loopback:
            raise BadRegistry(f"{url}: plain http is refused (a token would cross the "
                              "network in clear)", hint="use https:// (plain http only to "
                                                        "127.0.0.1)")
    return url.rstrip("/")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class RemoteRegistry(Registry):
    """The resolution API at ``url`` (its root: ``/v1/...`` and ``/.well-known/...`` are
    under it; a URL ending in ``/v1`` is taken as the API itself)."""

    #: every match's manifest is fetched and verified here, its signer judged then
    judged_at_lookup = True

    def __init__(self, url: str, *, token: str | None = None, timeout: float = TIMEOUT,
                 trust: TrustStore | None = None) -> None:
        base = _check_url(url)
        self.source = base
        self._api = base if base.endswith("/v1") else base + "/v1"
        self._token = token
        self._timeout = timeout
        self._trust = trust
        self._opener = urllib.request.build_opener(_NoRedirect)

    def __repr__(self) -> str:
        return f"RemoteRegistry({self.source!r})"  # never the token

    # -- HTTP ---------------------------------------------------------------------------------

    def _request(self, method: str, path: str, *, body: bytes | None = None,
                 ctype: str | None = None, limit: int = MAX_JSON,
                 auth: bool = False) -> tuple[int, bytes]:
        headers = {"User-Agent": "provenance", "Accept": "application/json, application/c2pa"}
        if ctype:
            headers["Content-Type"] = ctype
        if auth:
            if not self._token:
                raise RemoteRefused(f"{self.source} needs a token to publish",
                                    hint="pass --token TOKEN (or set PROVENANCE_REGISTRY_TOKEN)")
            headers["Authorization"] = f"Bearer {self._token}"
        req = urllib.request.Request(self._api + path, data=body, method=method,  # noqa: S310
                                     headers=headers)
        try:
            resp = self._opener.open(req, timeout=self._timeout)
        except urllib.error.HTTPError as exc:
            resp = exc
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            raise RegistryError(f"cannot reach {self.source}: {reason}",
                                hint="check the URL and that the server is running") from exc
        try:
            data = resp.read(limit + 1)
        except (OSError, http.client.HTTPException) as exc:
            raise RegistryError(f"{self.source} broke off its answer: {exc}",
                                hint="try again; check the server") from exc
        finally:
            resp.close()
        if len(data) > limit:
            raise RegistryError(f"{self.source} answered more than {limit >> 20} MiB",
                                hint="check the URL: this is not a resolution API")
        status = int(resp.status or 0)
        if status in (401, 403):
            raise RemoteRefused(f"{self.source} refused the token: {_message(data, status)}",
                                hint="make a token with `provenance registry token create "
                                     "--scopes ...` on the server")
        return status, data

    def _json(self, status: int, data: bytes, what: str) -> Any:
        if status >= 300:
            raise RegistryError(f"{self.source}: {what} failed: {_message(data, status)}",
                                hint="check the URL: is this a resolution API?")
        try:
            return json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise RegistryError(f"{self.source}: {what} answered something that is not JSON",
                                hint="check the URL: is this a resolution API?") from exc

    # -- reading ------------------------------------------------------------------------------

    def manifest_store(self, manifest_id: str) -> bytes | None:
        """The manifest store the server holds for ``manifest_id`` (None: 404)."""
        status, data = self._request("GET", "/manifests/" + quote(manifest_id, safe=":"),
                                     limit=MAX_STORE)
        if status == 404:
            return None
        if status >= 300:
            raise RegistryError(f"{self.source}: fetching {manifest_id} failed: "
                                f"{_message(data, status)}", hint="check the server")
        return data

    def _judged(self, manifest_id: str, similarity: int, alg: str) -> Match | None:
        import provenance
        from provenance import _c2pa
        from provenance.carriers import manifest_file

        data = self.manifest_store(manifest_id)
        if not data:
            return None
        trust = self._trust if self._trust is not None else TrustStore.installed()
        with tempfile.TemporaryDirectory(prefix="prov-remote-") as tmp:
            path = Path(tmp) / "recovered.c2pa"
            path.write_bytes(data)
            report = provenance.inspect(path, trust=trust)
        if not report.intact or report.signer is None:
            return None
        import io

        try:
            found = _c2pa.read_manifest(manifest_file.MIME, io.BytesIO(data),
                                        trust_pem=trust.pem())
        except _c2pa.ManifestUnreadable:
            return None
        if found is None or found.store.get("active_manifest") != manifest_id:
            return None  # not the manifest asked for
        return Match(manifest_id=manifest_id, alg=alg, similarity=similarity,
                     signer=report.signer, origin=report.origin, signed_at=report.signed_at,
                     source=self.source)

    def lookup(self, fp: Fingerprint, *, limit: int = 5) -> list[Match]:
        """See :meth:`Registry.lookup`: by the ``io.iscc.v0`` code, each match judged here."""
        value = base64.b64encode(fp.iscc.encode("ascii")).decode("ascii")
        query = urlencode({"alg": ISCC_ALG, "value": value, "maxResults": limit})
        doc = self._json(*self._request("GET", "/matches/byBinding?" + query), "the lookup")
        out: list[Match] = []
        for m in (doc.get("matches") or [])[:limit] if isinstance(doc, dict) else []:
            if not isinstance(m, dict) or not isinstance(m.get("manifestId"), str):
                continue
            if m.get("endpoint"):
                continue  # another server: only the one the user named is asked
            score = m.get("similarityScore")
            similarity = score if isinstance(score, int) and 0 <= score <= 100 else 0
            match = self._judged(m["manifestId"], similarity, ISCC_ALG)
            if match is not None:
                out.append(match)
        return out

    def get(self, manifest_id: str) -> Record | None:
        """Not kept here: a remote registry answers lookups (see :meth:`manifest_store`)."""
        raise BadRegistry(f"{self.source} is a server: records are not listed remotely",
                          hint="fetch the manifest with GET /v1/manifests/{id}")

    def records(self) -> Iterator[Record]:
        """See :meth:`get`."""
        raise BadRegistry(f"{self.source} is a server: it cannot be exported from here",
                          hint="export on the server (`provenance registry export`)")

    def stats(self) -> dict[str, Any]:
        """The server's status and capabilities."""
        status = self._json(*self._request("GET", "/services/status"), "the status")
        caps = self._json(*self._request("GET", "/services/capabilities"), "the capabilities")
        return {"schema": "provenance.registry-stats/v1", "source": self.source,
                "status": status, "capabilities": caps}

    # -- writing ------------------------------------------------------------------------------

    def add(self, records: Iterable[Record]) -> int:
        """Publish ``records``: each manifest store, then its soft bindings. Returns how many
        stores were new on the server.

        Raises:
            RemoteRefused: no token, a bad token or a missing scope; a store the server
                refuses.
            RegistryError: the server cannot be reached, or a record has no store bytes.
        """
        new = 0
        for r in records:
            if r.store_bytes is None:
                raise RegistryError(f"{r.manifest_id}: its manifest store could not be read "
                                    "out of the file, so it cannot be published",
                                    hint="sign with --carrier sidecar and push the .c2pa")
            status, data = self._request("POST", "/manifests", body=r.store_bytes,
                                         ctype="application/c2pa", auth=True)
            if status == 400:
                raise RemoteRefused(f"{self.source} refused {r.manifest_id}: "
                                    f"{_message(data, status)}", hint="check the file with "
                                    "`provenance verify`")
            doc = self._json(status, data, f"publishing {r.manifest_id}")
            new += status == 201
            manifest_id = str(doc.get("manifestId") or r.manifest_id) if isinstance(
                doc, dict) else r.manifest_id
            for alg, value in r.soft_bindings:
                body = json.dumps({"manifestId": manifest_id, "alg": alg,
                                   "value": value}).encode()
                self._json(*self._request("POST", "/bindings", body=body,
                                          ctype="application/json", auth=True),
                           f"binding {r.manifest_id}")
        return new

    def check_publish(self) -> None:
        """Before anything is signed: the server answers and takes the token (an empty
        upload, which a resolution API refuses after checking the token).

        Raises:
            RemoteRefused: no token, a bad token or a missing scope.
            RegistryError: the server cannot be reached.
        """
        self._request("POST", "/manifests", body=b"", ctype="application/c2pa", auth=True)

    def remove(self, proof: RemovalProof) -> None:
        """Removal from a server is the server's: ``DELETE /v1/manifests/{id}`` with a
        ``store:manifests`` token."""
        raise BadRegistry(f"{self.source} is a server: remove there",
                          hint="DELETE /v1/manifests/{id} with a store:manifests token")

    def close(self) -> None:
        """Nothing held open between requests."""


def _message(data: bytes, status: int) -> str:
    """The server's one-line message (its JSON ``message``), or the HTTP status."""
    try:
        doc = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        doc = None
    if isinstance(doc, dict) and isinstance(doc.get("message"), str):
        return f"{doc['message'][:300]} (HTTP {status})"
    return f"HTTP {status}"
