"""Trust anchors: the roots whose signers a verifier reports as ``trusted``.

Anchors live as PEM bundles in ``$PROVENANCE_HOME/trust/`` (your own identity's root is added
there when you create it); ``--trust FILE`` adds more for one run.
"""

from __future__ import annotations

import base64
import functools
import json
import os
import re
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from provenance import _home
from provenance.errors import TrustError

__all__ = ["TrustAnchorFile", "TrustStore"]

_PEM_BLOCK = re.compile(
    rb"-----BEGIN CERTIFICATE-----\s+.+?\s+-----END CERTIFICATE-----", re.DOTALL
)
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def _json_list_certs(data: bytes) -> list[x509.Certificate]:
    """Certificates of a C2PA trust list in its JSON (LoTE) form: every X509Certificates val."""
    try:
        doc = json.loads(data)
    except ValueError:
        return []
    found: list[x509.Certificate] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "X509Certificates" and isinstance(value, list):
                    for item in value:
                        b64 = item.get("val") if isinstance(item, dict) else item
                        try:
                            found.append(x509.load_der_x509_certificate(
                                base64.b64decode(str(b64))))
                        except ValueError:
                            continue
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    return found


def _parse_bundle(data: bytes, where: str) -> list[x509.Certificate]:
    certs: list[x509.Certificate] = []
    if data.lstrip().startswith(b"{"):
        certs = _json_list_certs(data)
    for block in _PEM_BLOCK.findall(data):
        try:
            certs.append(x509.load_pem_x509_certificate(block))
        except ValueError:
            continue  # one malformed entry in a public list must not disable the rest
    if not certs:
        raise TrustError(
            f"{where} holds no PEM certificate",
            hint="give a PEM file (-----BEGIN CERTIFICATE-----), e.g. a trust list bundle",
        )
    return certs


@dataclass(frozen=True)
class TrustAnchorFile:
    """One installed anchor bundle: its name, path and certificates."""

    name: str
    path: Path
    certificates: tuple[x509.Certificate, ...]

    def subjects(self) -> list[str]:
        """Subjects of the certificates in the bundle."""
        return [c.subject.rfc4514_string() for c in self.certificates]


@dataclass(frozen=True)
class TrustStore:
    """An immutable set of trust anchor certificates, each labelled with the list it came from.
    """

    certificates: tuple[x509.Certificate, ...] = ()
    #: one label per certificate (file stem or installed anchor name); may be empty
    labels: tuple[str, ...] = ()

    @classmethod
    def from_pem_files(cls, paths: Iterable[Path | str]) -> TrustStore:
        """Anchors from PEM files (bundles allowed).

        Raises:
            TrustError: a file is missing or holds no certificate.
        """
        certs: list[x509.Certificate] = []
        labels: list[str] = []
        for p in paths:
            path = Path(p)
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise TrustError(f"cannot read trust file {path}: {exc.strerror or exc}",
                                 hint="check the path given to --trust") from exc
            found = _parse_bundle(data, str(path))
            certs.extend(found)
            labels.extend([path.stem] * len(found))
        return cls(tuple(certs), tuple(labels))

    @classmethod
    def installed(cls, directory: Path | None = None) -> TrustStore:
        """The anchors installed in the provenance home (empty when none)."""
        files = list_anchors(directory)
        return cls(tuple(c for f in files for c in f.certificates),
                   tuple(f.name for f in files for _ in f.certificates))

    def merged(self, other: TrustStore) -> TrustStore:
        """Union of two stores."""
        return TrustStore(self.certificates + other.certificates,
                          self._labels() + other._labels())

    def _labels(self) -> tuple[str, ...]:
        if len(self.labels) == len(self.certificates):
            return self.labels
        return ("anchor",) * len(self.certificates)

    def find_anchor(self, issuer: dict[str, str]) -> tuple[str, str] | None:
        """The anchor whose subject is ``issuer`` (short-name -> value, as c2pa reports it).

        Returns ``(anchor subject, list label)`` or None.
        """
        if not issuer:
            return None
        want = {(k.upper(), str(v)) for k, v in issuer.items()}
        for cert, label in zip(self.certificates, self._labels(), strict=True):
            have = set()
            for attr in cert.subject:
                short = attr.rfc4514_attribute_name.upper()
                have.add((short, str(attr.value)))
            if want <= have and len(want) == len(have):
                return cert.subject.rfc4514_string(), label
        return None
    @functools.cached_property
    def _pem(self) -> str | None:
        if not self.certificates:
            return None
        seen: set[bytes] = set()
        out: list[bytes] = []
        for cert in self.certificates:
            fp = cert.fingerprint(hashes.SHA256())
            if fp not in seen:
                seen.add(fp)
                out.append(cert.public_bytes(serialization.Encoding.PEM))
        return b"".join(out).decode("ascii")

    def pem(self) -> str | None:
        """Deduplicated PEM bundle for c2pa, or None when the store is empty."""
        return self._pem

    def __len__(self) -> int:
        return len(self.certificates)


def list_anchors(directory: Path | None = None) -> list[TrustAnchorFile]:
    """Installed anchor bundles, sorted by name."""
    d = directory or _home.trust_dir()
    if not d.is_dir():
        return []
    _check_permissions(d)
    out = []
    for path in sorted(d.glob("*.pem")):
        try:
            certs = _parse_bundle(path.read_bytes(), str(path))
        except (TrustError, OSError):
            continue
        out.append(TrustAnchorFile(path.stem, path, tuple(certs)))
    return out


def _check_permissions(d: Path) -> None:
    """Refuse a trust folder (or an anchor in it) others can write to: anyone could add their
    own root and have their signatures reported as trusted."""
    from provenance import _guards

    problem = _guards.writable_problem(d, "trust folder") or next(
        (p for path in sorted(d.glob("*.pem"))
         if (p := _guards.writable_problem(path, "trust anchor file"))), None)
    if problem:
        raise TrustError(problem)


def fetch(url: str, *, timeout: float = 20.0) -> bytes:
    """Download a trust list (only ever called with a URL the user gave).

    Raises:
        TrustError: not http(s), unreachable, or an HTTP error.
    """
    if not url.startswith(("https://", "http://")):
        raise TrustError(f"not an http(s) URL: {url}")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 (scheme checked)
            data: bytes = resp.read(16 * 1024 * 1024)
    except urllib.error.HTTPError as exc:
        raise TrustError(f"cannot fetch {url}: HTTP {exc.code}",
                         hint="check the URL of the trust list") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise TrustError(f"cannot fetch {url}: {reason}",
                         hint="check the URL and the network, or download the file and "
                         "add it by path") from exc
    return data


def add_anchor(source: Path | str, *, name: str | None = None,
               directory: Path | None = None) -> TrustAnchorFile:
    """Install trust anchors from a PEM file or bundle, a C2PA trust list (PEM or JSON form),
    or an http(s) URL of one (fetched only because it was given).

    Raises:
        TrustError: unreadable, unreachable, no certificate in it, or cannot be written.
    """
    text = str(source)
    if text.startswith(("https://", "http://")):
        data = fetch(text)
        default_name = Path(urllib.parse.urlsplit(text).path).stem or "trust-list"
        return _install(name or default_name, _parse_bundle(data, text), directory)
    src = Path(source)
    try:
        data = src.read_bytes()
    except OSError as exc:
        raise TrustError(f"cannot read {src}: {exc.strerror or exc}",
                         hint="give the path of a PEM certificate or bundle") from exc
    certs = _parse_bundle(data, str(src))
    return _install(name or src.stem, certs, directory)


def add_certificates(name: str, certs: Iterable[x509.Certificate],
                     directory: Path | None = None) -> TrustAnchorFile:
    """Install certificates under ``name`` (used when an identity trusts its own root)."""
    return _install(name, list(certs), directory)


def _install(name: str, certs: list[x509.Certificate],
             directory: Path | None) -> TrustAnchorFile:
    d = directory or _home.trust_dir()
    safe = _SAFE_NAME.sub("-", name).strip("-.") or "anchor"
    dest = d / f"{safe}.pem"
    pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)
    try:
        d.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=d, prefix=".anchor.", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    except OSError as exc:
        raise TrustError(f"cannot write trust anchor to {d}: {exc.strerror or exc}",
                         hint="check PROVENANCE_HOME is writable") from exc
    return TrustAnchorFile(safe, dest, tuple(certs))


def remove_anchor(name: str, directory: Path | None = None) -> Path:
    """Remove an installed anchor bundle by name.

    Raises:
        TrustError: no anchor of that name.
    """
    d = directory or _home.trust_dir()
    path = d / f"{Path(name).stem}.pem"
    if not path.is_file():
        names = ", ".join(a.name for a in list_anchors(d)) or "none installed"
        raise TrustError(f"no trust anchor named {name!r}", hint=f"installed: {names}")
    path.unlink()
    return path
