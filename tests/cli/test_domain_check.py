"""verify --check-domain against a real HTTP server on 127.0.0.1 serving the domain file.

The pseudonymous author's root is NOT a trust anchor here: the domain is what vouches for them.
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import provenance
from provenance import domain
from provenance.identity import Identity
from tests.cli.helpers import EXIT_FAILED, EXIT_OK, EXIT_USAGE, run


class _Site:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.hits = 0
        site = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def do_GET(self) -> None:
                site.hits += 1
                super().do_GET()

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[_Site]:
    root = tmp_path / "site"
    root.mkdir()
    s = _Site(root)
    yield s
    s.server.shutdown()
    s.server.server_close()


def _author(d: Path, name: str = "TEST-ONLY Pen Name") -> Path:
    ident, root_key = Identity.create(name, domain="example.org")
    ident.save(d, password=None, root_key=root_key)
    return d


def _signed(files: dict[str, Path], ident_dir: Path, out: Path) -> Path:
    ident = Identity.load(ident_dir, password=None)
    return provenance.sign(files["photo.jpg"], out, identity=ident).output


def _verify(site: _Site, path: Path, *extra: object) -> tuple[int, str, dict[str, object]]:
    proc = run("verify", "--check-domain", "--domain-base", f"example.org={site.base}",
               *extra, path)
    json_proc = run("verify", "--json", "--check-domain", "--domain-base",
                    f"example.org={site.base}", *extra, path)
    doc = json.loads(json_proc.stdout)
    return proc.returncode, proc.stdout + proc.stderr, doc["results"][0]["signer"]


@pytest.fixture
def world(tmp_path: Path, files: dict[str, Path], site: _Site) -> dict[str, Path]:
    real = _author(tmp_path / "real")
    impostor = _author(tmp_path / "impostor")  # same name, same domain, another key
    assert run("identity", "publish-domain", "--out-dir", site.root,
               "--dir", real).returncode == EXIT_OK
    return {"real": real, "impostor": impostor,
            "by_real": _signed(files, real, tmp_path / "real.jpg"),
            "by_impostor": _signed(files, impostor, tmp_path / "impostor.jpg")}


def test_domain_verified_author_and_impostor(world: dict[str, Path], site: _Site,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    code, line, signer = _verify(site, world["by_real"])
    assert code == EXIT_OK, line
    assert "domain example.org verified" in line and "identity TEST-ONLY Pen Name" in line
    dom = signer["domain"]
    assert isinstance(dom, dict)
    assert dom["name"] == "example.org" and dom["verified"] is True and dom["checked_at"]
    assert signer["trusted"] is False  # domain-verified is not chained to an anchor
    code, line, signer = _verify(site, world["by_impostor"])
    assert code == EXIT_OK  # the default policy does not ask for a domain
    assert "domain example.org NOT verified" in line
    dom = signer["domain"]
    assert isinstance(dom, dict) and dom["verified"] is False
    assert "does not vouch for this signer's key" in str(dom["reason"])
    code, line, _ = _verify(site, world["by_impostor"], "--require-domain")
    assert code == EXIT_FAILED and "not verified" in line
    code, line, _ = _verify(site, world["by_real"], "--require-domain")
    assert code == EXIT_OK, line
    with capsys.disabled():  # for the report: one line and signer JSON of each
        for who in ("by_real", "by_impostor"):
            code, line, signer = _verify(site, world[who])
            print(f"\n[{who}] {line.strip()}\n{json.dumps(signer['domain'])}")


def test_offline_by_default_nothing_fetched(world: dict[str, Path], site: _Site) -> None:
    proc = run("verify", "--json", world["by_real"])
    assert proc.returncode == EXIT_OK
    dom = json.loads(proc.stdout)["results"][0]["signer"]["domain"]
    assert dom["verified"] is None and dom["checked_at"] is None
    assert "not checked" in dom["reason"]
    assert site.hits == 0
    assert "domain example.org not checked" in run("verify", world["by_real"]).stderr + \
        run("verify", world["by_real"]).stdout
    assert site.hits == 0


def test_unreachable_domain_is_not_checked(world: dict[str, Path], site: _Site) -> None:
    site.server.shutdown()
    site.server.server_close()
    _, _, signer = _verify(site, world["by_real"], "--refresh-domain")
    dom = signer["domain"]
    assert isinstance(dom, dict) and dom["verified"] is None
    assert "not checked: cannot fetch" in str(dom["reason"])
    code, _line, _ = _verify(site, world["by_real"], "--refresh-domain", "--require-domain")
    assert code == EXIT_FAILED


def test_rotation_then_revocation_cache_and_refresh(world: dict[str, Path], site: _Site,
                                                    tmp_path: Path) -> None:
    new = _author(tmp_path / "new")
    assert run("identity", "publish-domain", "--out-dir", site.root,
               "--dir", new).returncode == EXIT_OK
    _, _, signer = _verify(site, world["by_real"])  # signed with the rotated key
    dom = signer["domain"]
    assert isinstance(dom, dict) and dom["verified"] is True and "rotated" in str(dom["reason"])
    old_root = Identity.load(world["real"], password=None).root
    assert old_root is not None
    assert run("identity", "publish-domain", "--out-dir", site.root, "--dir", new,
               "--revoke", domain.fingerprint(old_root)).returncode == EXIT_OK
    hits = site.hits
    _, _, signer = _verify(site, world["by_real"])  # the cached answer, until it expires
    assert site.hits == hits
    assert isinstance(signer["domain"], dict) and signer["domain"]["verified"] is True
    _, _, signer = _verify(site, world["by_real"], "--refresh-domain")
    dom = signer["domain"]
    assert isinstance(dom, dict) and dom["verified"] is False and "revoked" in str(dom["reason"])
    _, _, signer = _verify(site, world["by_real"], "--domain-max-age", "0")
    assert isinstance(signer["domain"], dict) and signer["domain"]["verified"] is False


def test_policy_file_allowed_domains(world: dict[str, Path], site: _Site,
                                     tmp_path: Path) -> None:
    good, other = tmp_path / "good.toml", tmp_path / "other.toml"
    good.write_text('[domain]\nallowed = ["example.org"]\n')
    other.write_text('[domain]\nallowed = ["example.net"]\n')
    base = ("--domain-base", f"example.org={site.base}")
    assert run("verify", "--policy", good, *base, world["by_real"]).returncode == EXIT_OK
    assert run("verify", "--policy", good, *base,
               world["by_impostor"]).returncode == EXIT_FAILED
    proc = run("verify", "--policy", other, *base, world["by_real"])
    assert proc.returncode == EXIT_FAILED and "not one of the allowed domains" in proc.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text('[domain]\nallowed = []\n')
    assert run("verify", "--policy", bad, world["by_real"]).returncode == EXIT_USAGE


def test_text_signature_domain_verified(world: dict[str, Path], site: _Site,
                                        tmp_path: Path) -> None:
    src = tmp_path / "poem.txt"
    src.write_text("Written by a pen name.\n", encoding="utf-8")
    out = provenance.sign(src, identity=Identity.load(world["real"], password=None)).output
    _, line, signer = _verify(site, out)
    assert isinstance(signer["domain"], dict) and signer["domain"]["verified"] is True, line


@pytest.mark.parametrize("args", [
    ("--check-domain", "--domain-base", "example.org=http://example.org"),
    ("--check-domain", "--domain-base", "example.org=ftp://127.0.0.1/"),
    ("--check-domain", "--domain-base", "nonsense"),
    ("--refresh-domain",),
])
def test_bad_domain_options(args: tuple[str, ...], world: dict[str, Path]) -> None:
    proc = run("verify", *args, world["by_real"])
    assert proc.returncode == EXIT_USAGE and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_oversized_or_forged_domain_file(world: dict[str, Path], site: _Site) -> None:
    path = site.root / domain.WELL_KNOWN
    real = path.read_text()
    path.write_text(" " * (domain.MAX_BYTES + 10) + real)
    _, _, signer = _verify(site, world["by_real"], "--refresh-domain")
    assert isinstance(signer["domain"], dict) and signer["domain"]["verified"] is None
    assert "larger than" in str(signer["domain"]["reason"])
    doc = json.loads(real)
    doc["name"] = "TEST-ONLY Someone Else"  # one changed byte under the signature
    path.write_text(json.dumps(doc))
    _, _, signer = _verify(site, world["by_real"], "--refresh-domain")
    assert isinstance(signer["domain"], dict) and signer["domain"]["verified"] is False
    assert "signature does not verify" in str(signer["domain"]["reason"])


def test_hostile_certificate_domain_is_not_used(tmp_path: Path, files: dict[str, Path],
                                                site: _Site) -> None:
    """A signer's SAN is the signer's to choose: a name that is no domain never reaches a URL
    or a cache path."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    base, root_key = Identity.create("TEST-ONLY Hostile")
    assert base.root is not None
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder()
            .subject_name(base.certificate.subject).issuer_name(base.root.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(base.certificate.extensions.get_extension_for_class(
                x509.KeyUsage).value, critical=True)
            .add_extension(base.certificate.extensions.get_extension_for_class(
                x509.ExtendedKeyUsage).value, critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                root_key.public_key()), critical=False)  # type: ignore[arg-type]
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("../../escape")]),
                           critical=False)
            .sign(root_key, hashes.SHA256()))  # type: ignore[arg-type]
    hostile = Identity(chain=(cert,), algorithm="es256", _key=key, root=base.root)
    out = provenance.sign(files["photo.jpg"], tmp_path / "h.jpg", identity=hostile).output
    proc = run("verify", "--json", "--check-domain", out)
    dom = json.loads(proc.stdout)["results"][0]["signer"]["domain"]
    assert dom["verified"] is False and "not a valid domain name" in dom["reason"]
    assert site.hits == 0
