"""The README's examples, run as written: every shell line and every Python block, in the order
a new user meets them, in one scratch folder holding the files they name, with a fresh home.

Extracted from README.md itself, so the README cannot drift from the tool. A shell line the
tests cannot run offline says why in a ``# not run by the tests: WHY`` comment; a line meant to
fail says ``# exit N: WHY``. Everything else must exit 0, without a traceback.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from PIL import Image

from provenance import _home
from provenance.identity import Identity
from provenance.policyfile import parse_policy
from tests.assets import build as assets
from tests.cli.helpers import PROJECT, flip_entropy_byte, inspect_validator

README = PROJECT / "README.md"
BIN = Path(sys.executable).parent
SKIP = re.compile(r"#\s*not run by the tests:\s*(?P<why>\S.*)$")
EXIT = re.compile(r"#\s*exit (?P<code>\d+):\s*(?P<why>\S.*)$")


@dataclass(frozen=True)
class Block:
    """One fenced code block of the README."""

    lang: str
    code: str
    line: int  # where it starts, for messages


def blocks(lang: str | None = None) -> list[Block]:
    """The README's fenced blocks (of one language), in order."""
    text = README.read_text(encoding="utf-8")
    found = []
    for m in re.finditer(r"^```(\w+)\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE):
        if lang is None or m.group(1) == lang:
            found.append(Block(m.group(1), m.group(2), text.count("\n", 0, m.start()) + 1))
    return found


def shell_lines(block: Block) -> list[tuple[int, str]]:
    """The commands of a shell block (one per line; comment lines left out)."""
    out = []
    for i, raw in enumerate(block.code.splitlines()):
        line = raw.strip()
        if line and not line.startswith("#"):
            out.append((block.line + 1 + i, line))
    return out


# -- the scratch folder -------------------------------------------------------------------------


def _workspace(root: Path) -> Path:
    """A folder with every file the README names, as a new user would have them."""
    ws = root / "ws"
    ws.mkdir()
    samples = PROJECT / "samples"
    for name, sample in {
        "photo.jpg": "photo-coffee.jpg", "essay.pdf": "essay-on-provenance.pdf",
        "letter.docx": "letter-to-editors.docx", "drawing.svg": "drawing-lighthouse.svg",
        "essay.txt": "essay-hands.txt", "article.md": "article-field-notes.md",
        "wordcount.py": "wordcount.py", "page.html": "page-community-garden.html",
    }.items():
        (ws / name).write_bytes((samples / sample).read_bytes())
    (ws / "retouched.jpg").write_bytes(assets.image_bytes("JPEG", seed=7))
    # The photo as a social network serves it: smaller, re-encoded, no metadata.
    social = Image.open(samples / "photo-coffee.jpg").convert("RGB")
    social.thumbnail((480, 480))
    social.save(ws / "copy-from-social.jpg", quality=70)
    (ws / "data.json").write_text('{"readings": [1, 2, 3]}\n')
    for folder, name in (("photos", "a.jpg"), ("photos/2026", "b.png"), ("site/img", "c.jpg")):
        (ws / folder).mkdir(parents=True, exist_ok=True)
        fmt = "PNG" if name.endswith(".png") else "JPEG"
        (ws / folder / name).write_bytes(assets.image_bytes(fmt, seed=len(folder)))
    # A colleague ("partner") whose root the README trusts, and a file they signed.
    partner, _ = Identity.create("TEST-ONLY Grace Partner", organization="TEST-ONLY Partners")
    assert partner.root is not None
    (ws / "partner-root.pem").write_bytes(partner.root.public_bytes(serialization.Encoding.PEM))
    from provenance import sign_bytes

    theirs = sign_bytes(assets.image_bytes("JPEG", seed=11), name="x.jpg", identity=partner,
                        trust=None).data
    (ws / "someone-elses.jpg").write_bytes(theirs)
    # A signed photo whose pixels were changed afterwards.
    (ws / "tampered.jpg").write_bytes(flip_entropy_byte(theirs))
    return ws


def _env(root: Path) -> dict[str, str]:
    """A new user's environment: a home of their own, the default provenance home in it (the
    README's ``~/.local/share/provenance``), no passphrase, no timestamp authority."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PROVENANCE_", "XDG_"))}
    (root / "home").mkdir()
    env.update(HOME=str(root / "home"), PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
               NO_COLOR="1", COLUMNS="100")
    return env


def _run_python(code: str, ws: Path, env: dict[str, str], name: str
                ) -> subprocess.CompletedProcess[str]:
    script = ws.parent / f"{name}.py"
    script.write_text(code, encoding="utf-8")
    return subprocess.run([sys.executable, str(script)], cwd=ws, env=env, capture_output=True,
                          text=True, timeout=300, check=False)


def test_every_shell_and_python_example_runs_as_written(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    env = _env(tmp_path)
    ran: dict[str, subprocess.CompletedProcess[str]] = {}
    skipped: list[str] = []
    for block in blocks():
        if block.lang == "sh":
            for line_no, line in shell_lines(block):
                if "make " in line.split("#")[0]:
                    skipped.append(line)  # the Makefile targets: run by CI itself (.ci/run)
                    continue
                if (skip := SKIP.search(line)) is not None:
                    assert len(skip["why"]) > 10, f"README:{line_no}: say why it is not run"
                    skipped.append(line)
                    continue
                want = int(m["code"]) if (m := EXIT.search(line)) else 0
                proc = subprocess.run(["bash", "-c", line], cwd=ws, env=env,
                                      capture_output=True, text=True, timeout=300, check=False)
                where = f"README.md:{line_no}: {line}\n{proc.stdout[-2000:]}\n{proc.stderr}"
                assert proc.returncode == want, where
                assert "Traceback" not in proc.stderr + proc.stdout, where
                ran[line.split("#")[0].strip()] = proc
        elif block.lang == "python":
            proc = _run_python(block.code, ws, env, f"block{block.line}")
            assert proc.returncode == 0, f"README.md:{block.line}\n{proc.stdout}\n{proc.stderr}"
            ran[f"python@{block.line}"] = proc

    # What the examples say they do, they do.
    home = tmp_path / "home" / ".local" / "share" / "provenance"
    assert (home / "identity" / "key.pem").is_file(), "the default home is the README's"
    assert "c2pa-rs" in ran["provenance --version"].stdout
    assert "CN=Ada Lovelace, E=ada@example.org" in ran["provenance identity show"].stdout
    assert (ws / "photo.signed.jpg").is_file() and (ws / "signed" / "essay.pdf").is_file()
    assert (ws / "retouched.signed.jpg").is_file()
    assert "an edit of photo.signed.jpg" in ran["provenance verify retouched.signed.jpg"].stderr
    assert "the content was changed after signing [assertion.dataHash.mismatch]" in \
        ran["provenance verify tampered.jpg"].stderr
    doc = json.loads(ran["provenance inspect signed/ -r --json"].stdout)
    inspect_validator().validate(doc)
    store = json.loads(ran["provenance inspect photo.signed.jpg --manifest"].stdout)
    assert store["active_manifest"] in store["manifests"]
    assert "root.key" in ran["provenance help identity"].stdout
    assert "data.json -> data.json.c2pa" in ran["provenance sign data.json"].stderr
    assert (ws / "data.json.c2pa").is_file() and (ws / "photo.jpg.c2pa").is_file()
    link = ran["provenance sign page.html --carrier link --manifest-url "
               "https://example.org/page.c2pa"].stderr
    assert "page.c2pa" in link and (ws / "page.c2pa").is_file(), link
    assert ran["provenance verify page.signed.html"].stderr.startswith("OK")
    pasted = (ws / "pasted.txt").read_text(encoding="utf-8")
    assert pasted.startswith((ws / "essay.txt").read_text(encoding="utf-8").rstrip("\n")[:40])
    assert (ws / "request" / "request.csr").is_file() and (ws / "my-tsa" / "root.pem").is_file()
    assert (ws / "published" / "2026" / "b.png").is_file() and (ws / "report.json").is_file()
    assert len((ws / "results.jsonl").read_text().splitlines()) == 1
    assert (ws / "photo.by-ada.jpg").is_file()
    recovered = ran["provenance verify copy-from-social.jpg essay.signed.stripped.txt"].stderr
    assert recovered.count("recovered by fingerprint: made by Ada Lovelace") == 2, recovered
    batch_out = [p for k, p in ran.items() if k.startswith("python@")][-1].stdout
    assert batch_out.count("failed published/") == 2, batch_out  # not "Example News"
    assert "0 signed, 2 unchanged" in ran["provenance publish blog/ --out-dir blog-signed/"].stderr
    assert (ws / "blog-signed" / ".well-known" / "c2pa" / "publication.json.c2pa").is_file()
    # Only what cannot run offline is left out, each with its reason.
    assert len(skipped) == 10, skipped


def test_toml_examples_are_what_the_tool_accepts(tmp_path: Path, identity: Identity,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    (policy_toml,) = (b.code for b in blocks("toml") if "[trust]" in b.code)
    (config_toml,) = (b.code for b in blocks("toml") if "[sign]" in b.code)
    (tmp_path / "certs").mkdir()
    assert identity.root is not None
    (tmp_path / "certs" / "newsroom-root.pem").write_bytes(
        identity.root.public_bytes(serialization.Encoding.PEM))
    policy = parse_policy(tomllib.loads(policy_toml), base=tmp_path, where="README")
    assert policy.unsigned == "fail" and len(policy.anchors) == 1
    # The config.toml example passes the same check the tool makes.
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(config_toml)
    monkeypatch.setenv("PROVENANCE_HOME", str(home))
    monkeypatch.delenv("PROVENANCE_TSA_URL", raising=False)
    assert _home.default_tsa_url() == "http://127.0.0.1:3161/"
    for table, keys in _home.CONFIG_KEYS.items():
        for key in keys:  # every setting is documented
            assert key in README.read_text(), f"[{table}] {key} is not in the README"


def test_yaml_examples_work_from_a_local_checkout() -> None:
    published = {h["id"]: h for h in
                 yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text())}
    inputs = set(yaml.safe_load((PROJECT / "action.yml").read_text())["inputs"])
    pre_commit, workflow = (yaml.safe_load(b.code) for b in blocks("yaml"))
    (repo,) = pre_commit["repos"]
    assert repo["repo"] == "local"  # runs as it is; no OWNER/...@v0.1.0 that does not exist
    for hook in repo["hooks"]:
        same = published[hook["id"]]  # the local entries are the published hooks
        for key in ("entry", "files", "require_serial"):
            assert hook[key] == same[key], (hook["id"], key)
        assert hook["language"] == "system"
    step = workflow["jobs"]["content-credentials"]["steps"][1]
    assert step["uses"] == "./" and (PROJECT / "action.yml").is_file()
    assert set(step["with"]) <= inputs
    assert "OWNER/" not in README.read_text() + (PROJECT / "action.yml").read_text() + \
        (PROJECT / ".pre-commit-hooks.yaml").read_text()


def _leaves(command: Any, prefix: str = "provenance") -> list[str]:
    """Every command a person types: ``provenance sign``, ``provenance identity csr``...
    (through list_commands/get_command: the root group loads its verbs only when asked)."""
    import typer

    if not hasattr(command, "list_commands"):
        return [prefix]
    ctx = typer.Context(command)
    names = command.list_commands(ctx)
    if not names:
        return [prefix]
    return [leaf for name in names
            for leaf in _leaves(command.get_command(ctx, name), f"{prefix} {name}")]


def test_readme_lists_every_command_and_identity_file() -> None:
    import typer.main
    from provenance.cli.app import app

    text = README.read_text(encoding="utf-8")
    commands = _leaves(typer.main.get_command(app))
    assert "provenance identity renew" in commands and "provenance tsa serve" in commands
    missing = [c for c in commands if c not in text]
    assert not missing, f"commands the README never shows: {missing}"
    for name in ("key.pem", "chain.pem", "root.pem", "root.key", "identity.json",
                 "config.toml", "PROVENANCE_HOME", "PROVENANCE_KEY_PASSWORD"):
        assert name in text, name
    assert "--install-completion" in text and "provenance help" in text
