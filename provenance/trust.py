"""Trust anchors: the roots whose signers a verifier reports as ``trusted``.

Anchors live as PEM bundles in ``$PROVENANCE_HOME/trust/`` (your own identity's root is added
there when you create it); ``--trust FILE`` adds more for one run.
"""

from __future__ import annotations

import base64
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provenance import _home
from provenance._record import record
from provenance.errors import TrustError

if TYPE_CHECKING:
    from cryptography import x509

# cryptography.x509 costs more to import (~45-70 ms) than a whole `provenance verify` of one
# small file: installed anchors are kept as DER and parsed only when something needs a parsed
# certificate (``certificates``, ``labels``, ``len()``, ``trust list``). What a verify needs,
# the PEM bundle for c2pa and the subject of the anchor a trusted signer chains to, is read from
# the DER itself (``_name`` falls back to cryptography for anything but plain names).

__all__ = ["DEFAULT_EKUS", "StoreState", "TrustAnchorFile", "TrustStore", "add_config",
           "parse_eku_config", "store_from_state", "store_state"]

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
# Patterns as text, compiled by ``re`` (and cached there) on first use: `verify x.jpg`
# never reads a PEM file or an EKU configuration, and compiling them all costs ~1 ms.
_OID = r"^[0-2](\.(0|[1-9][0-9]*))+$"
_PEM_BEGIN, _PEM_END = b"-----BEGIN CERTIFICATE-----", b"-----END CERTIFICATE-----"
_BASE64 = rb"^[A-Za-z0-9+/]+={0,2}$"
_SAFE_NAME = r"[^A-Za-z0-9._-]+"


def _json_list_certs(data: bytes) -> list[x509.Certificate]:
    """Certificates of a C2PA trust list in its JSON (LoTE) form: every X509Certificates val."""
    from cryptography import x509

    found: list[x509.Certificate] = []
    for der in _json_list_ders(data):
        try:
            found.append(x509.load_der_x509_certificate(der))
        except ValueError:
            continue
    return found


def _json_list_ders(data: bytes) -> list[bytes]:
    """The DER of every X509Certificates val of a JSON (LoTE) trust list (not parsed)."""
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):  # RecursionError: arrays 100,000 deep
        return []
    found: list[bytes] = []
    # Depth first in document order, with a stack of its own (no recursion to run out of).
    stack: list[object] = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            later: list[object] = []
            for key, value in node.items():
                if key == "X509Certificates" and isinstance(value, list):
                    later.append(_Certs(value))
                else:
                    later.append(value)
            stack.extend(reversed(later))
        elif isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, _Certs):
            for item in node.items:
                b64 = item.get("val") if isinstance(item, dict) else item
                try:
                    found.append(base64.b64decode(str(b64)))
                except ValueError:
                    continue
    return found


class _Certs:
    """An ``X509Certificates`` list met in the walk, read in its turn (not walked into)."""

    def __init__(self, items: list[object]) -> None:
        self.items = items


def _read_small(path: Path, hint: str) -> bytes:
    """A trust file's bytes, bounded (see ``read_small``); a device is a TrustError."""
    from provenance._files import read_small

    try:
        return read_small(path)
    except ValueError as exc:
        raise TrustError(str(exc), hint=hint) from exc


def _pem_blocks(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """Each ``BEGIN CERTIFICATE`` .. ``END CERTIFICATE`` block of ``data`` and its body (the
    text between, whitespace on both sides required, as in ``(?s)BEGIN\\s+(.+?)\\s+END``).

    One pass with ``find``: a lazy regex rescans to the end of the data from every BEGIN that
    has no END after it (30,000 such lines, 840 KB: still running after 30 s)."""
    pos = 0
    while (start := data.find(_PEM_BEGIN, pos)) != -1:
        end = data.find(_PEM_END, start + len(_PEM_BEGIN))
        if end == -1:
            return
        middle = data[start + len(_PEM_BEGIN):end]
        pos = end + len(_PEM_END)
        if len(middle) >= 3 and middle[:1].isspace() and middle[-1:].isspace():
            yield data[start:pos], middle.strip()


def _parse_bundle(data: bytes, where: str) -> list[x509.Certificate]:
    from cryptography import x509

    certs: list[x509.Certificate] = []
    if data.lstrip().startswith(b"{"):
        certs = _json_list_certs(data)
    for block, _ in _pem_blocks(data):
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


def _bundle_ders(data: bytes) -> list[bytes] | None:
    """The DER of every certificate entry of a bundle, in the order ``_parse_bundle`` parses
    them, not parsed (an entry cryptography would refuse is dropped when they are parsed); None
    when a PEM block is not plain base64 (headers...): the caller parses the bundle instead."""
    ders = _json_list_ders(data) if data.lstrip().startswith(b"{") else []
    for _, body in _pem_blocks(data):
        text = b"".join(body.split())
        if not re.match(_BASE64, text) or len(text) % 4:
            return None
        ders.append(base64.b64decode(text))
    return ders


def _load_der(der: bytes) -> x509.Certificate | None:
    from cryptography import x509

    try:
        return x509.load_der_x509_certificate(der)
    except ValueError:
        return None


def _der_of(cert: x509.Certificate) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return cert.public_bytes(serialization.Encoding.DER)


# -- reading a certificate's subject from its DER ---------------------------------------------

#: cryptography's short attribute names (``rfc4514_attribute_name``); other OIDs are dotted.
_SHORT = {"2.5.4.3": "CN", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.10": "O", "2.5.4.11": "OU",
          "2.5.4.6": "C", "2.5.4.9": "STREET", "0.9.2342.19200300.100.1.25": "DC",
          "0.9.2342.19200300.100.1.1": "UID"}
_EMAIL = "1.2.840.113549.1.9.1"
#: DER string types read here (UTF8String, PrintableString, IA5String); others go to cryptography.
_TEXT = {0x0C: "utf-8", 0x13: "ascii", 0x16: "ascii"}

#: (attribute name as rfc4514_attribute_name gives it, value as str(), is it the e-mail OID)
_Attribute = tuple[str, str, bool]


def _tlv(data: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """(tag, start, end) of the DER element at ``pos`` (definite lengths only)."""
    if pos + 2 > end:
        raise ValueError("short")
    tag, size = data[pos], data[pos + 1]
    pos += 2
    if size & 0x80:
        count = size & 0x7F
        if not 0 < count <= 4 or pos + count > end:
            raise ValueError("length")
        size = int.from_bytes(data[pos:pos + count], "big")
        pos += count
    if pos + size > end:
        raise ValueError("overrun")
    return tag, pos, pos + size


def _der_ok(der: bytes) -> bool:
    """A certificate's outer shape: SEQUENCE { tbs SEQUENCE, algorithm SEQUENCE, BIT STRING }
    filling the bytes exactly (what a broken or cut entry of an anchor file fails)."""
    try:
        tag, pos, end = _tlv(der, 0, len(der))
        if tag != 0x30 or end != len(der):
            return False
        for want in (0x30, 0x30, 0x03):
            tag, _, pos = _tlv(der, pos, end)
            if tag != want:
                return False
        return pos == end
    except ValueError:
        return False


def _oid(data: bytes) -> str:
    arcs: list[int] = []
    value = 0
    for byte in data:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    if not arcs or data[-1] & 0x80:
        raise ValueError("oid")
    first = arcs[0]
    head = [0, first] if first < 40 else [1, first - 40] if first < 80 else [2, first - 80]
    return ".".join(str(a) for a in head + arcs[1:])


def _der_subject(der: bytes) -> list[_Attribute] | None:
    """The subject's attributes, read from the DER; None for anything but one attribute per
    RDN with a UTF8/Printable/IA5 string value (cryptography reads those)."""
    try:
        _, pos, end = _tlv(der, 0, len(der))
        _, pos, end = _tlv(der, pos, end)  # tbsCertificate
        tag, _, after = _tlv(der, pos, end)
        if tag == 0xA0:  # [0] version
            pos = after
        for _skip in range(4):  # serialNumber, signature, issuer, validity
            _, _, pos = _tlv(der, pos, end)
        tag, pos, end = _tlv(der, pos, end)
        if tag != 0x30:
            return None
        out: list[_Attribute] = []
        while pos < end:
            tag, rdn, rdn_end = _tlv(der, pos, end)
            pos = rdn_end
            if tag != 0x31:
                return None
            tag, attr, attr_end = _tlv(der, rdn, rdn_end)
            if tag != 0x30 or attr_end != rdn_end:
                return None  # a multi-valued RDN: cryptography decides its order
            tag, start, stop = _tlv(der, attr, attr_end)
            if tag != 0x06:
                return None
            oid = _oid(der[start:stop])
            tag, start, stop = _tlv(der, stop, attr_end)
            if tag not in _TEXT or stop != attr_end:
                return None
            value = der[start:stop].decode(_TEXT[tag])
            out.append((_SHORT.get(oid, oid), value, oid == _EMAIL))
        return out
    except (ValueError, IndexError, UnicodeDecodeError):
        return None


def _subject(der: bytes) -> list[_Attribute] | None:
    """The subject's attributes (from the DER, else parsed); None if it does not parse."""
    found = _der_subject(der)
    if found is not None:
        return found
    cert = _load_der(der)
    if cert is None:
        return None
    from cryptography.x509.oid import NameOID

    return [(attr.rfc4514_attribute_name, str(attr.value), attr.oid == NameOID.EMAIL_ADDRESS)
            for attr in cert.subject]


def _format_subject(attributes: list[_Attribute]) -> str:
    """As :func:`provenance._dn.format_dn` writes the same name."""
    return ", ".join(f"{'E' if email else name}={value}" for name, value, email in attributes)


def _pem_of(der: bytes) -> bytes:
    """The PEM cryptography writes for a certificate (64 base64 characters a line)."""
    text = base64.b64encode(der)
    lines = b"\n".join(text[i:i + 64] for i in range(0, len(text), 64))
    return b"-----BEGIN CERTIFICATE-----\n" + lines + b"\n-----END CERTIFICATE-----\n"


@record
class TrustAnchorFile:
    """One installed anchor bundle: its name, path and certificates."""

    name: str
    path: Path
    certificates: tuple[x509.Certificate, ...]

    def subjects(self) -> list[str]:
        """Subjects of the certificates in the bundle."""
        from provenance._dn import format_dn

        return [format_dn(c.subject) for c in self.certificates]


#: One anchor as kept before parsing: its DER and its label.
_Entry = tuple[bytes, str]


@record
class TrustStore:
    """An immutable set of trust anchor certificates, each labelled with the list it came from.
    """

    # No class attributes for these two (default_factory): a store read from the home holds
    # DER entries and gets them from __getattr__, parsed, the first time they are asked for.
    certificates: tuple[x509.Certificate, ...] = field(default_factory=tuple)
    #: one label per certificate (file stem or installed anchor name); may be empty
    labels: tuple[str, ...] = field(default_factory=tuple)
    #: accepted EKUs beyond :data:`DEFAULT_EKUS` (from installed trust configurations)
    ekus: tuple[str, ...] = ()

    @classmethod
    def _of_entries(cls, entries: Iterable[_Entry], ekus: Iterable[str] = ()) -> TrustStore:
        """A store of DER entries, parsed only when ``certificates`` or ``labels`` are read."""
        store = cls.__new__(cls)
        object.__setattr__(store, "ekus", tuple(ekus))
        object.__setattr__(store, "_entries", tuple(entries))
        return store

    if not TYPE_CHECKING:
        def __getattr__(self, name: str) -> Any:
            if name not in ("certificates", "labels"):
                raise AttributeError(name)
            certs, labels = [], []
            for der, label in self.__dict__.get("_entries", ()):
                cert = _load_der(der)
                if cert is not None:  # as _parse_bundle: a malformed entry is left out
                    certs.append(cert)
                    labels.append(label)
            object.__setattr__(self, "certificates", tuple(certs))
            object.__setattr__(self, "labels", tuple(labels))
            return self.__dict__[name]

    def _der_entries(self) -> tuple[_Entry, ...]:
        """Every anchor as (DER, label), parsed or not."""
        entries = self.__dict__.get("_entries")
        if entries is None:
            entries = tuple((_der_of(c), label)
                            for c, label in zip(self.certificates, self._labels(), strict=True))
            object.__setattr__(self, "_entries", entries)
        return entries

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
                data = _read_small(path, "check the path given to --trust")
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
        return cls._of_entries(_installed_entries(directory), installed_ekus(directory))

    def merged(self, other: TrustStore) -> TrustStore:
        """Union of two stores."""
        ekus = tuple(dict.fromkeys(self.ekus + other.ekus))
        if "_entries" in self.__dict__ or "_entries" in other.__dict__:
            return TrustStore._of_entries(self._der_entries() + other._der_entries(), ekus)
        return TrustStore(self.certificates + other.certificates,
                          self._labels() + other._labels(), ekus)

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
        for der, label in self._der_entries():
            subject = _subject(der)
            if subject is None:
                continue
            have = {(name.upper(), value) for name, value, _ in subject}
            if want <= have and len(want) == len(have):
                return _format_subject(subject), label
        return None

    def pem(self) -> str | None:
        """Deduplicated PEM bundle for c2pa, or None when the store is empty."""
        cached = self.__dict__.get("_pem", False)
        if cached is False:
            seen: set[bytes] = set()  # the certificates themselves (no hashlib to import)
            out: list[bytes] = []
            for der, _ in self._der_entries():
                if der not in seen and _der_ok(der):
                    seen.add(der)
                    out.append(_pem_of(der))
            cached = b"".join(out).decode("ascii") if out else None
            object.__setattr__(self, "_pem", cached)
        return cached  # type: ignore[no-any-return]

    def __len__(self) -> int:
        return len(self.certificates)


def _named(d: Path, suffix: str) -> list[Path]:
    """``sorted(d.glob("*" + suffix))`` without the pattern compiled on every verify: the
    entries of ``d`` whose name ends with ``suffix`` (none when it cannot be listed)."""
    try:
        return sorted(p for p in d.iterdir() if p.name.endswith(suffix))
    except OSError:
        return []


def _installed_entries(directory: Path | None = None) -> list[_Entry]:
    """The installed anchors as DER entries, in ``list_anchors`` order (bundles that are not
    plain PEM or JSON are parsed here, as before)."""
    d = directory or _home.trust_dir()
    if not d.is_dir():
        return []
    _check_permissions(d)
    out: list[_Entry] = []
    for path in _named(d, ".pem"):
        try:
            data = path.read_bytes()
        except OSError:
            continue
        ders = _bundle_ders(data)
        if ders is None:
            try:
                ders = [_der_of(c) for c in _parse_bundle(data, str(path))]
            except TrustError:
                continue
        out.extend((der, path.stem) for der in ders)
    return out


def list_anchors(directory: Path | None = None) -> list[TrustAnchorFile]:
    """Installed anchor bundles, sorted by name."""
    d = directory or _home.trust_dir()
    if not d.is_dir():
        return []
    _check_permissions(d)
    out = []
    for path in _named(d, ".pem"):
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
        if not re.match(_OID, line):
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
    for path in _named(d, ".cfg"):
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
        text = _read_small(src, "give the path of a trust configuration (store.cfg)").decode()
    except (OSError, UnicodeDecodeError) as exc:
        raise TrustError(f"cannot read {src}: {getattr(exc, 'strerror', None) or exc}",
                         hint="give the path of a trust configuration (store.cfg)") from exc
    oids = parse_eku_config(text, str(src))
    d = directory or _home.trust_dir()
    safe = re.sub(_SAFE_NAME, "-", name or src.stem).strip("-.") or "config"
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
        (p for path in _named(d, ".pem")
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
        data = _read_small(src, "give the path of a PEM certificate or bundle")
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
    from cryptography.hazmat.primitives import serialization

    d = directory or _home.trust_dir()
    safe = re.sub(_SAFE_NAME, "-", name).strip("-.") or "anchor"
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


#: A picklable form of a TrustStore, for worker processes (a batch spec, a publication).
StoreState = tuple[tuple[bytes, ...], tuple[str, ...], tuple[str, ...]]


def store_state(store: TrustStore) -> StoreState:
    """A picklable form of a TrustStore: DER certificates, their labels, accepted EKUs
    (installed anchors as read, not parsed: see provenance/trust.py)."""
    entries = store._der_entries()
    return (tuple(der for der, _ in entries), tuple(label for _, label in entries),
            tuple(store.ekus))


def store_from_state(state: StoreState) -> TrustStore:
    """Inverse of :func:`store_state` (parsed when a certificate is asked for)."""
    ders, labels, ekus = state
    return TrustStore._of_entries(zip(ders, labels, strict=True), ekus)
