"""The README's "Use in a pipeline" examples work as written."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from cryptography.hazmat.primitives import serialization

from provenance.identity import Identity
from provenance.policyfile import parse_policy
from tests.assets import build as assets
from tests.cli.helpers import PROJECT

BIN = str(Path(sys.executable).parent)


def _blocks(lang: str) -> list[str]:
    text = (PROJECT / "README.md").read_text()
    section = text[text.index("## Use in a pipeline"):text.index("## Development")]
    return re.findall(rf"```{lang}\n(.*?)```", section, flags=re.DOTALL)


def test_policy_example(tmp_path: Path, identity: Identity) -> None:
    import tomllib

    (toml,) = _blocks("toml")
    (tmp_path / "certs").mkdir()
    assert identity.root is not None
    (tmp_path / "certs" / "newsroom-root.pem").write_bytes(
        identity.root.public_bytes(serialization.Encoding.PEM))
    policy = parse_policy(tomllib.loads(toml), base=tmp_path, where="README")
    assert policy.unsigned == "fail" and len(policy.anchors) == 1


def test_yaml_examples_name_real_hooks_and_inputs() -> None:
    hooks = {h["id"] for h in yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text())}
    inputs = set(yaml.safe_load((PROJECT / "action.yml").read_text())["inputs"])
    pre_commit, workflow = (yaml.safe_load(b) for b in _blocks("yaml"))
    assert {h["id"] for h in pre_commit["repos"][0]["hooks"]} <= hooks
    step = workflow["jobs"]["content-credentials"]["steps"][1]
    assert set(step["with"]) <= inputs


def test_shell_examples(tmp_path: Path, identity_dir: Path, identity: Identity) -> None:
    for folder, name in (("photos", "a.jpg"), ("photos/2026", "b.png"), ("site/img", "c.jpg")):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        fmt = "PNG" if name.endswith(".png") else "JPEG"
        (tmp_path / folder / name).write_bytes(assets.image_bytes(fmt, seed=len(name)))
    (tmp_path / "signed").mkdir()
    env = {**os.environ, "PATH": BIN + os.pathsep + os.environ["PATH"],
           "PROVENANCE_HOME": os.environ["PROVENANCE_HOME"]}
    shutil.copytree(identity_dir, Path(os.environ["PROVENANCE_HOME"]) / "identity")
    commands = [ln for block in _blocks("sh") if "dask" not in block
                for ln in block.splitlines() if ln.strip() and not ln.startswith("#")]
    assert len(commands) == 3
    for cmd in commands:
        proc = subprocess.run(["bash", "-c", cmd], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=120, check=False)
        if "site/" in cmd:
            assert proc.returncode == 1, (cmd, proc.stderr)  # the site's image is unsigned
        else:
            assert proc.returncode == 0, (cmd, proc.stderr)
    assert (tmp_path / "signed" / "2026" / "b.png").is_file()
    assert (tmp_path / "report.json").is_file()
    assert len((tmp_path / "results.jsonl").read_text().splitlines()) == 1


def test_python_example(tmp_path: Path, identity: Identity, monkeypatch: pytest.MonkeyPatch
                        ) -> None:
    from provenance import batch

    src = tmp_path / "src"
    src.mkdir()
    (src / "a.jpg").write_bytes(assets.image_bytes("JPEG"))
    (src / "b.bmp").write_bytes(b"BM" + bytes(40))
    (tmp_path / "signed").mkdir()
    list(batch.sign([src / "a.jpg"], identity=identity, out_dir=tmp_path / "signed"))
    shutil.copy(src / "b.bmp", tmp_path / "signed" / "b.bmp")
    (code,) = _blocks("python")
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})  # noqa: S102
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("failed signed/a.jpg") and "Example News" in lines[0]
    assert lines[1].startswith("skipped signed/b.bmp")
