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
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from provenance import _home
from provenance._dn import format_dn
from provenance.errors import TrustError

__all__ = ["DEFAULT_EKUS", "TrustAnchorFile", "TrustStore", "add_config", "parse_eku_config"]

#: Certificate purposes (extended key usages) the C2PA trust model accepts by default:
#: emailProtection, documentSigning (RFC 9336), timeStamping and OCSPSigning (for the TSA and
#: OCSP responders, which c2pa-rs checks against the same list) and the C2PA claim-signing EKU.
#: Installed trust configurations (``trust add --config``) add vendor EKUs to these.
DEFAULT_EKUS: tuple[str, ...] = (
    "1.3.6.1.5.5.7.3.4",
    "1.3.6.1.5.5.7.3.36",
    "1.3.6.1.5.5.7.3.8",
    "1.3.6.1.5.5.7.3.9",
    "1.3.6.1.4.1.62558.2.1",
)
_OID = re.compile(r"^[0-2](\.(0|[1-9][0-9]*))+$")

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
        return [format_dn(c.subject) for c in self.certificates]


@dataclass(frozen=True)
class TrustStore:
    """An immutable set of trust anchor certificates, each labelled with the list it came from.
    """

    certificates: tuple[x509.Certificate, ...] = ()
    #: one label per certificate (file stem or installed anchor name); may be empty
    labels: tuple[str, ...] = ()
    #: accepted EKUs beyond :data:`DEFAULT_EKUS` (from installed trust configurations)
    ekus: tuple[str, ...] = ()

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
                   tuple(f.name for f in files for _ in f.certificates),
                   installed_ekus(directory))

    def merged(self, other: TrustStore) -> TrustStore:
        """Union of two stores."""
        return TrustStore(self.certificates + other.certificates,
                          self._labels() + other._labels(),
                          tuple(dict.fromkeys(self.ekus + other.ekus)))

    def eku_config(self) -> str:
        """The accepted EKUs as c2pa's ``trust_config`` text: the defaults plus ours."""
        return "\n".join(dict.fromkeys(DEFAULT_EKUS + self.ekus)) + "\n"

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
                return format_dn(cert.subject), label
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


def parse_eku_config(text: str, where: str) -> tuple[str, ...]:
    """The OIDs of a trust configuration (c2pa's ``store.cfg``: one OID a line, ``//``
    comments, blank lines ignored).

    Raises:
        TrustError: a line is neither a comment nor a dotted OID, or there is no OID at all.
    """
    oids: list[str] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("//", 1)[0].strip()
        if not line:
            continue
        if not _OID.match(line):
            raise TrustError(f"{where} line {number}: {line[:60]!r} is not an OID",
                             hint="a trust configuration has one dotted OID a line "
                             "(e.g. 1.3.6.1.5.5.7.3.36) and // comments")
        oids.append(line)
    if not oids:
        raise TrustError(f"{where} lists no OID",
                         hint="a trust configuration has one dotted OID a line")
    return tuple(dict.fromkeys(oids))


def installed_ekus(directory: Path | None = None) -> tuple[str, ...]:
    """EKUs of the trust configurations installed in the provenance home (``*.cfg``)."""
    d = directory or _home.trust_dir()
    if not d.is_dir():
        return ()
    out: list[str] = []
    for path in sorted(d.glob("*.cfg")):
        try:
            out.extend(parse_eku_config(path.read_text("utf-8"), str(path)))
        except (TrustError, OSError, UnicodeDecodeError):
            continue  # checked when installed; a hand-edited broken file must not stop reading
    return tuple(dict.fromkeys(out))


def add_config(source: Path | str, *, name: str | None = None,
               directory: Path | None = None) -> tuple[Path, tuple[str, ...]]:
    """Install a trust configuration (accepted EKU OIDs); returns its path and its OIDs.

    Raises:
        TrustError: unreadable, not a trust configuration, or cannot be written.
    """
    src = Path(source)
    try:
        text = src.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TrustError(f"cannot read {src}: {getattr(exc, 'strerror', None) or exc}",
                         hint="give the path of a trust configuration (store.cfg)") from exc
    oids = parse_eku_config(text, str(src))
    d = directory or _home.trust_dir()
    safe = _SAFE_NAME.sub("-", name or src.stem).strip("-.") or "config"
    dest = d / f"{safe}.cfg"
    try:
        d.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=d, prefix=".config.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("".join(f"{oid}\n" for oid in oids))
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    except OSError as exc:
        raise TrustError(f"cannot write trust configuration to {d}: {exc.strerror or exc}",
                         hint="check PROVENANCE_HOME is writable") from exc
    return dest, oids


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
    import urllib.error  # here: nothing but fetching a trust list the user named needs it
    import urllib.request

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
        from urllib.parse import urlsplit

        default_name = Path(urlsplit(text).path).stem or "trust-list"
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
    if not path.is_file() and (d / f"{Path(name).stem}.cfg").is_file():
        path = d / f"{Path(name).stem}.cfg"  # a trust configuration (``trust add --config``)
    if not path.is_file():
        names = ", ".join(a.name for a in list_anchors(d)) or "none installed"
        raise TrustError(f"no trust anchor named {name!r}", hint=f"installed: {names}")
    path.unlink()
    return path
