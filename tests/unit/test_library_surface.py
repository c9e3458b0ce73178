"""The library as the README shows it (issue 11): Identity.load/default, one keyword convention
for the identity, result objects, config.toml checked like a policy file."""

from __future__ import annotations

import inspect as _inspect
from pathlib import Path

import pytest

import provenance
from provenance import _home
from provenance.errors import IdentityError, InputError
from provenance.identity import Identity, passphrase
from tests.assets import build as assets


def _saved(directory: Path, password: bytes | None) -> Identity:
    ident, root_key = Identity.create("TEST-ONLY Ada Lovelace", email="ada@example.test")
    ident.save(directory, password=password, root_key=root_key)
    return ident


def test_load_expands_home_and_takes_str_passwords(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    made = _saved(tmp_path / "ids" / "ada", b"TEST-ONLY pass")
    loaded = Identity.load("~/ids/ada", password="TEST-ONLY pass")  # noqa: S106
    assert loaded.certificate == made.certificate and loaded.encrypted
    assert Identity.load(tmp_path / "ids" / "ada", password=b"TEST-ONLY pass").encrypted


def test_password_none_falls_back_to_the_environment(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    _saved(tmp_path / "ada", b"TEST-ONLY env pass")
    with pytest.raises(IdentityError, match="encrypted and no passphrase"):
        Identity.load(tmp_path / "ada", password=None)
    monkeypatch.setenv("PROVENANCE_KEY_PASSWORD", "TEST-ONLY env pass")
    assert Identity.load(tmp_path / "ada", password=None).encrypted
    assert passphrase(None) == b"TEST-ONLY env pass" and passphrase("x") == b"x"


def test_default_is_the_home_identity(home: Path) -> None:
    with pytest.raises(IdentityError) as missing:
        Identity.default()
    # The hint names the default place and how to get an identity there.
    assert str(home / "identity") in str(missing.value)
    assert "identity create" in str(missing.value)
    made = _saved(home / "identity", None)
    assert Identity.default().certificate == made.certificate


def test_identity_is_a_keyword_everywhere(identity: Identity) -> None:
    for fn in (provenance.sign, provenance.sign_bytes, provenance.sign_text):
        param = _inspect.signature(fn).parameters["identity"]
        assert param.kind is _inspect.Parameter.KEYWORD_ONLY, fn.__name__
    with pytest.raises(TypeError):
        provenance.sign_text("Written by me.\n", identity)  # type: ignore[misc]


def test_sign_bytes_returns_a_result_object(identity: Identity) -> None:
    signed = provenance.sign_bytes(assets.image_bytes("JPEG"), name="photo.jpg",
                                   identity=identity)
    assert isinstance(signed, provenance.SignedBytes)
    assert signed.media_type == "image/jpeg" and signed.repacked is False
    assert signed.size == len(signed.data) and "size=" in repr(signed)
    assert provenance.inspect(signed.data, name="photo.jpg").status == "trusted"


@pytest.mark.parametrize("content, needles", [
    ('[sign]\ntsa_ulr = "http://x"\n', ("config.toml", "unknown key 'tsa_ulr'", "tsa_url")),
    ('[signing]\ntsa_url = "http://x"\n', ("config.toml", "unknown table 'signing'")),
    ("[sign]\ntsa_url = 3\n", ("config.toml", "tsa_url must be a string")),
    ("[sign\n", ("config.toml", "not valid TOML")),
])
def test_malformed_config_names_file_and_key(home: Path, content: str,
                                             needles: tuple[str, ...],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROVENANCE_TSA_URL", raising=False)
    (home / "config.toml").write_text(content)
    with pytest.raises(InputError) as error:
        _home.default_tsa_url()
    for needle in needles:
        assert needle in str(error.value), (needle, str(error.value))


def test_config_is_read_in_one_place(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROVENANCE_TSA_URL", raising=False)
    assert _home.config() == {} and _home.default_tsa_url() is None
    (home / "config.toml").write_text('[sign]\ntsa_url = "http://127.0.0.1:3161/"\n')
    assert _home.config_value("sign", "tsa_url") == "http://127.0.0.1:3161/"
    monkeypatch.setenv("PROVENANCE_TSA_URL", "http://127.0.0.1:9/")
    assert _home.default_tsa_url() == "http://127.0.0.1:9/"  # the environment wins


def test_expand_one_rule_for_sidecars(tmp_path: Path) -> None:
    from provenance import batch

    (tmp_path / "a.jpg").write_bytes(b"x")
    (tmp_path / "a.jpg.c2pa").write_bytes(b"x")
    assert [i.path.name for i in batch.expand([tmp_path], recursive=True)] == ["a.jpg"]
    (named,) = batch.expand([tmp_path / "a.jpg.c2pa"])
    assert named.explicit
