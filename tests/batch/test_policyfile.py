"""Policy files (`verify --policy`): precise errors, and what each section does to a tree."""

from __future__ import annotations

import json
import pickle
from collections import Counter
from pathlib import Path

import pytest

from provenance.identity import Identity
from provenance.policyfile import PolicyError, load_policy
from tests.batch.conftest import KINDS, Mixed
from tests.cli.helpers import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    assert_one_error_line,
    describe,
    report_validator,
    run,
)


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "policy.toml"
    p.write_text(text)
    return p


@pytest.mark.parametrize(("text", "needles"), [
    ("[trust]\nanchor = []\n", ["[trust] anchor", "unknown key", "anchors"]),
    ("[signer]\n", ["signer", "unknown key", "signers"]),
    ("trust = 1\n", ["trust", "must be a table", "an integer"]),
    ("[trust]\nrequire_trusted = \"yes\"\n", ["require_trusted", "true or false", "'yes'"]),
    ("[trust]\nanchors = \"root.pem\"\n", ["[trust] anchors", "must be an array"]),
    ("[trust]\nanchors = [\"certs/missing.pem\"]\n",
     ["anchors[0]", "certs/missing.pem", "not found", "relative to the policy file"]),
    ("[signers]\nallowed = [{mail = \"a@b\"}]\n",
     ["[signers] allowed[0]", "unknown key 'mail'", "name, email, org"]),
    ("[signers]\nallowed = [{name = \"\"}]\n", ["allowed[0].name", "non-empty string"]),
    ("[signers]\nallowed = [\"Ada\"]\n", ["allowed[0]", "must be a table"]),
    ("[signers]\nallowed = []\n", ["allowed", "empty"]),
    ("[signers]\nallowed = [{}]\n", ["allowed[0]", "is empty"]),
    ("[origin]\nallow = [\"humans\"]\n", ["[origin] allow[0]", "'humans'", "human, ai"]),
    ("[origin]\nallow = []\n", ["[origin] allow", "empty"]),
    ("[unsigned]\naction = \"ignore\"\n", ["[unsigned] action", "fail, warn, skip", "'ignore'"]),
    ("[age]\nmax_days = \"365\"\n", ["[age] max_days", "positive", "a string"]),
    ("[age]\nmax_days = true\n", ["[age] max_days", "a boolean"]),
    ("[age]\nmax_days = -1\n", ["[age] max_days", "positive"]),
    ("version = 2\n", ["version", "must be 1"]),
    ("[trust\nanchors = []\n", ["not valid TOML", "line 1"]),
])
def test_invalid_policy_files(tmp_path: Path, text: str, needles: list[str]) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    message = str(info.value)
    assert str(path) in message
    for needle in needles:
        assert needle in message, message
    assert info.value.exit_code == EXIT_USAGE


def test_unusable_policy_paths(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="not found"):
        load_policy(tmp_path / "none.toml")
    with pytest.raises(PolicyError, match="directory"):
        load_policy(tmp_path)
    bogus = tmp_path / "bogus.pem"
    bogus.write_text("not a certificate\n")
    with pytest.raises(PolicyError, match=r"anchors\[0\].*no PEM certificate"):
        load_policy(_write(tmp_path, '[trust]\nanchors = ["bogus.pem"]\n'))
    (tmp_path / "latin.toml").write_bytes(b"# \xe9\n")
    with pytest.raises(PolicyError, match="UTF-8"):
        load_policy(tmp_path / "latin.toml")


def test_cli_invalid_policy_is_one_line(tmp_path: Path, mixed: Mixed) -> None:
    path = _write(tmp_path, "[origin]\nallow = [\"robots\"]\n")
    assert_one_error_line(run("verify", "--policy", path, mixed.root, "-r"), EXIT_USAGE,
                          "robots", str(path))
    assert_one_error_line(run("verify", "--policy", path, "--allow-ai", mixed.root, "-r"),
                          EXIT_USAGE, "--allow-ai")


def test_valid_policy_round_trip(tmp_path: Path, mixed: Mixed) -> None:
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "partner.pem").write_bytes(mixed.stranger_root.read_bytes())
    policy = load_policy(_write(tmp_path, """
version = 1
[trust]
anchors = ["certs/partner.pem"]
[signers]
allowed = [{name = "TEST-ONLY Mallory Stranger"}, {org = "Example News", email = "d@x"}]
[origin]
allow = ["human", "mixed"]
[unsigned]
action = "warn"
[age]
max_days = 30
"""))
    assert policy.unsigned == "warn"
    assert len(policy.anchors) == 1
    names = [type(r).__name__ for r in policy.rules]
    assert names == ["IngredientsIntact", "TrustedSigner", "IssuedBy", "AnyOf", "OriginIn",
                     "MaxAge"]  # trusted by default with anchors; mixed allowed: no NoAI rule
    copy = pickle.loads(pickle.dumps(policy))  # noqa: S301
    assert len(copy.anchors) == 1 and copy.rules == policy.rules


def _counts(proc) -> Counter[str]:  # type: ignore[no-untyped-def]
    docs = [json.loads(ln) for ln in proc.stdout.splitlines()]
    validator = report_validator()
    for doc in docs:
        validator.validate(doc)
    return Counter("skipped" if "skipped" in d else "warned" if d.get("warnings")
                   else "passed" if d["passed"] else "failed" for d in docs)


def test_policy_anchors_require_that_anchor(tmp_path: Path, mixed: Mixed,
                                            identity: Identity) -> None:
    """Only the partner's anchor is required: our own (installed, trusted) files fail it."""
    policy = _write(tmp_path, f'[trust]\nanchors = ["{mixed.stranger_root}"]\n'
                              '[unsigned]\naction = "skip"\n')
    proc = run("verify", "--policy", policy, mixed.root, "-r", "--jsonl")
    assert proc.returncode == EXIT_FAILED, describe(proc)
    counts = _counts(proc)
    unsigned = KINDS["unsigned-jpg"] + KINDS["unsigned-png"]
    assert counts["passed"] == KINDS["stranger"]
    assert counts["skipped"] == unsigned + KINDS["bmp"] + KINDS["bin"]
    assert counts["failed"] == 200 - KINDS["stranger"] - counts["skipped"]
    # Restricted to the partner's folder, it passes.
    proc = run("verify", "--policy", policy, mixed.root / "partners", "-r")
    assert proc.returncode == EXIT_OK, describe(proc)


def test_policy_signers_origin_and_unsigned_warn(tmp_path: Path, mixed: Mixed,
                                                 identity: Identity) -> None:
    policy = _write(tmp_path, """
[signers]
allowed = [{name = "TEST-ONLY Ada Lovelace", org = "TEST-ONLY Engines"}]
[origin]
allow = ["human", "ai", "mixed"]
[unsigned]
action = "warn"
""")
    proc = run("verify", "--policy", policy, mixed.root, "-r", "--jsonl")
    counts = _counts(proc)
    assert counts["warned"] == KINDS["unsigned-jpg"] + KINDS["unsigned-png"]
    # Ada's human, AI and mixed files pass; the stranger's and the tampered ones fail.
    assert counts["passed"] == KINDS["signed-jpg"] + KINDS["signed-png"] + KINDS["ai"] + \
        KINDS["mixed"]
    assert counts["failed"] == KINDS["stranger"] + KINDS["tampered"]
    assert "WARN" in proc.stderr
    # --fail-on unsigned overrides the file's warn.
    proc = run("verify", "--policy", policy, "--fail-on", "unsigned", mixed.root / "inbox",
               "-r", "--jsonl")
    assert proc.returncode == EXIT_FAILED
    assert _counts(proc)["failed"] == 40


def test_policy_max_age(tmp_path: Path, mixed: Mixed, identity: Identity) -> None:
    policy = _write(tmp_path, "[age]\nmax_days = 1\n")
    proc = run("verify", "--policy", policy, mixed.root / "photos" / "png", "-r")
    assert proc.returncode == EXIT_OK, describe(proc)
    policy = _write(tmp_path, "[age]\nmax_days = 0.000001\n")
    proc = run("verify", "--policy", policy, mixed.root / "photos" / "png", "-r", "--jsonl")
    assert proc.returncode == EXIT_FAILED, describe(proc)
    assert all("days ago" in json.loads(ln)["reasons"][0] for ln in proc.stdout.splitlines())
