"""Text files join batch signing and verification like any other type."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def test_directory_of_text_and_images(tmp_path: Path, identity_dir: Path,
                                      files: dict[str, Path]) -> None:
    src = tmp_path / "site"
    (src / "posts").mkdir(parents=True)
    (src / "posts" / "hello.md").write_text("---\ntitle: Hello\n---\nFirst post.\n")
    (src / "about.txt").write_text("About this site.\n")
    (src / "index.html").write_text("<html><head></head><body>Home</body></html>\n")
    (src / "posts" / "photo.jpg").write_bytes(files["photo.jpg"].read_bytes())
    out = tmp_path / "out"
    out.mkdir()
    env = os.environ.copy()
    run = subprocess.run(
        [sys.executable, "-m", "provenance", "sign", str(src), "-r", "--out-dir", str(out),
         "--identity", str(identity_dir), "-j", "2", "--no-progress"],
        capture_output=True, text=True, env=env, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    run = subprocess.run(
        [sys.executable, "-m", "provenance", "verify", str(out), "-r", "--jsonl", "-j", "2",
         "--no-progress"],
        capture_output=True, text=True, env=env, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    docs = {Path(d["path"]).name: d for d in map(json.loads, run.stdout.splitlines())}
    assert {k: (v["status"], v["carrier"]) for k, v in docs.items()} == {
        "hello.md": ("trusted", "structured"),
        "about.txt": ("trusted", "unstructured"),
        "index.html": ("trusted", "html"),
        "photo.jpg": ("trusted", "embedded"),
    }
