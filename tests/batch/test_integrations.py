"""The pre-commit hooks and the GitHub composite action, run as their hosts would run them."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from provenance.identity import Identity
from tests.assets import build as assets
from tests.batch.conftest import KINDS, Mixed
from tests.cli.helpers import EXIT_FAILED, EXIT_OK, EXIT_USAGE, PROJECT, run

BIN = str(Path(sys.executable).parent)


def _hooks() -> dict[str, dict[str, Any]]:
    return {h["id"]: h for h in yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text())}


def _pre_commit(hook: dict[str, Any], files: list[Path], *extra: str
                ) -> subprocess.CompletedProcess[str]:
    """What pre-commit does: entry + args + the staged files its `files` regex selects."""
    pattern = re.compile(hook["files"])
    chosen = [str(f) for f in files if pattern.search(str(f))]
    argv = shlex.split(hook["entry"])
    assert argv[0] == "provenance"
    return run(*argv[1:], *hook.get("args", []), *extra, *chosen)


def test_pre_commit_verify_hook(mixed: Mixed, identity: Identity) -> None:
    hooks = _hooks()
    assert set(hooks) == {"provenance-verify", "provenance-sign"}
    verify = hooks["provenance-verify"]
    assert verify["language"] == "python" and verify["require_serial"] is True
    good = sorted((mixed.root / "photos").glob("signed-00*.jpg"))
    staged = [*good, mixed.root / "misc" / "legacy-000.bmp", PROJECT / "README.md"]
    proc = _pre_commit(verify, staged)
    assert proc.returncode == EXIT_OK, proc.stderr  # .bmp and .md not selected
    assert proc.stderr == ""  # --quiet: nothing to say when all is well
    bad = [*good, mixed.root / "photos" / "edited" / "tampered-000.jpg"]
    proc = _pre_commit(verify, bad, "--fail-on", "invalid,ai")
    assert proc.returncode == EXIT_FAILED
    assert proc.stderr.startswith("FAIL") and "tampered-000.jpg" in proc.stderr


def test_pre_commit_sign_hook_is_idempotent(tmp_path: Path, identity_dir: Path,
                                            identity: Identity) -> None:
    sign = _hooks()["provenance-sign"]
    files = []
    for i in range(3):
        p = tmp_path / f"shot{i}.jpg"
        p.write_bytes(assets.image_bytes("JPEG", seed=i))
        files.append(p)
    env = {"PROVENANCE_HOME": os.environ["PROVENANCE_HOME"]}
    first = run(*shlex.split(sign["entry"])[1:], "--identity", identity_dir, *files, env=env)
    assert first.returncode == EXIT_OK, first.stderr
    before = [f.read_bytes() for f in files]
    second = run(*shlex.split(sign["entry"])[1:], "--identity", identity_dir, *files, env=env)
    assert second.returncode == EXIT_OK, second.stderr
    assert [f.read_bytes() for f in files] == before  # nothing re-signed
    assert run("verify", *files).returncode == EXIT_OK


# -- the GitHub action --------------------------------------------------------------------------


def _action() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load((PROJECT / "action.yml").read_text())
    return doc


def test_action_definition() -> None:
    action = _action()
    assert action["runs"]["using"] == "composite"
    assert set(action["outputs"]) == {"passed", "files", "summary", "report"}
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "verify")
    # Every input the script reads comes through env, never spliced into the script itself.
    assert "${{" not in step["run"]
    for value in step["env"].values():
        for name in re.findall(r"inputs\.([\w-]+)", value):
            assert name in action["inputs"], name


def _run_action(cwd: Path, tmp_path: Path, **env: str) -> tuple[int, dict[str, str], str]:
    step = next(s for s in _action()["runs"]["steps"] if s.get("id") == "verify")
    defaults = {k: "" for k in step["env"]}
    defaults.update(INCLUDE=_action()["inputs"]["include"]["default"], REQUIRE_TRUSTED="false",
                    FAIL="true", REPORT=str(tmp_path / "report.json"))
    out, summary = tmp_path / "gh-output", tmp_path / "gh-summary"
    full = {**os.environ, **defaults, **env, "GITHUB_OUTPUT": str(out),
            "GITHUB_STEP_SUMMARY": str(summary), "PATH": BIN + os.pathsep + os.environ["PATH"]}
    proc = subprocess.run(["bash", "-c", step["run"]], cwd=cwd, env=full, capture_output=True,
                          text=True, timeout=120, check=False)
    outputs = dict(ln.split("=", 1) for ln in out.read_text().splitlines()) \
        if out.exists() else {}
    return proc.returncode, outputs, proc.stdout + proc.stderr


def test_action_verifies_given_files(mixed: Mixed, identity: Identity, tmp_path: Path) -> None:
    code, outputs, log = _run_action(PROJECT, tmp_path, FILES=f"{mixed.root}\n",
                                     FAIL_ON="invalid")
    assert code == EXIT_FAILED, log
    n = 200 - KINDS["bin"] - KINDS["bmp"]  # not in the default include list
    assert outputs["passed"] == "false" and outputs["files"] == str(n), outputs
    assert outputs["summary"] == f"{n} files: {n - KINDS['tampered']} passed, 20 failed, " \
        "0 skipped"
    report = json.loads(Path(outputs["report"]).read_text())
    assert len(report["results"]) == n
    assert "tampered-000.jpg" in (tmp_path / "gh-summary").read_text()
    code, outputs, log = _run_action(PROJECT, tmp_path, FILES=str(mixed.root / "partners"),
                                     FAIL_ON="invalid", FAIL="false")
    assert code == EXIT_OK and outputs["passed"] == "true", log
    code, outputs, log = _run_action(PROJECT, tmp_path, FILES=str(mixed.root),
                                     POLICY=str(tmp_path / "missing.toml"))
    assert code == EXIT_USAGE and outputs["passed"] == "false", log
    assert "could not verify" in outputs["summary"]


def test_action_verifies_the_pull_request_files(identity_dir: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()

    def git(*args: str) -> str:
        return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.test",
                               *args], cwd=repo, check=True, capture_output=True,
                              text=True).stdout.strip()

    git("init", "-q")
    (repo / "old.jpg").write_bytes(assets.image_bytes("JPEG", seed=1))  # unsigned, unchanged
    (repo / "notes.md").write_text("# notes\n")
    git("add", ".")
    git("commit", "-q", "-m", "base")
    base = git("rev-parse", "HEAD")
    new = repo / "new.jpg"
    new.write_bytes(assets.image_bytes("JPEG", seed=2))
    assert run("sign", "--identity", identity_dir, "--in-place", new).returncode == EXIT_OK
    (repo / "notes.md").write_text("# notes, changed\n")
    git("add", ".")
    git("commit", "-q", "-m", "pr")
    code, outputs, log = _run_action(repo, tmp_path, BASE_SHA=base)
    assert code == EXIT_OK, log
    assert outputs["files"] == "1" and outputs["passed"] == "true", outputs
    report = json.loads(Path(outputs["report"]).read_text())
    assert [r["path"] for r in report["results"]] == ["new.jpg"]
    # Nothing of interest changed: passes with an empty report.
    code, outputs, log = _run_action(repo, tmp_path, BASE_SHA=git("rev-parse", "HEAD"))
    assert code == EXIT_OK and outputs["files"] == "0", log
