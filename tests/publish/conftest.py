"""Sites built by real static site generators (MkDocs, Sphinx) with Pillow-made images, once
per module, and a provenance home that trusts the TEST-ONLY identity."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

import provenance.trust
from provenance.identity import Identity
from tests.cli.helpers import describe, run

PROJECT = Path(__file__).resolve().parents[2]


def _image(path: Path, color: tuple[int, int, int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    img = Image.new("RGB", (96, 64), color)
    for x in range(0, 96, 8):  # some structure, so fingerprints are meaningful
        for y in range(64):
            img.putpixel((x, y), (255 - color[0], color[1], 255 - color[2]))
    img.save(path)


def build_mkdocs(root: Path) -> Path:
    """A MkDocs site (default theme, offline): pages in subfolders, relative image links,
    a non-ASCII folder and file name, raw HTML with <picture>/srcset, a link that leaves the
    site and one to a missing image. Returns the built site folder."""
    docs = root / "docs"
    (docs / "guide").mkdir(parents=True)
    (docs / "café").mkdir()
    (root / "mkdocs.yml").write_text("site_name: Test Site\n", encoding="utf-8")
    (docs / "index.md").write_text(
        "# Home\n\n![A photo](guide/images/photo.jpg)\n\n"
        '<picture><source srcset="guide/images/chart.png 2x, guide/images/photo.jpg 1x">'
        '<img src="guide/images/photo.jpg" alt="photo"></picture>\n\n'
        "See [the guide](guide/intro.md) and [the menu](café/menu.md).\n", encoding="utf-8")
    (docs / "guide" / "intro.md").write_text(
        "# Intro\n\n![Chart](images/chart.png)\n\n![Photo](images/photo.jpg)\n\n"
        "![Remote](https://example.com/remote.png)\n", encoding="utf-8")
    (docs / "café" / "menu.md").write_text(
        "# Menü\n\n![Crème](crème.jpg)\n\n![Broken](nothere.png)\n", encoding="utf-8")
    _image(docs / "guide" / "images" / "photo.jpg", (200, 40, 40))
    _image(docs / "guide" / "images" / "chart.png", (40, 200, 40))
    _image(docs / "café" / "crème.jpg", (40, 40, 200))
    site = root / "site"
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f",
                           str(root / "mkdocs.yml"), "-d", str(site)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    return site


def build_sphinx(root: Path) -> Path:
    """A Sphinx site (alabaster theme): a chapter in a subfolder, images and figures with
    non-ASCII names. Returns the built HTML folder."""
    src = root / "src"
    (src / "kapitel").mkdir(parents=True)
    (src / "conf.py").write_text('project = "Tëst"\nextensions = []\n', encoding="utf-8")
    (src / "index.rst").write_text(
        "Start\n=====\n\n.. image:: bilder/grün.png\n\n.. toctree::\n\n   kapitel/eins\n",
        encoding="utf-8")
    (src / "kapitel" / "eins.rst").write_text(
        "Eins\n====\n\n.. figure:: ../bilder/straße.jpg\n\n   Eine Straße.\n\n"
        ".. image:: ../bilder/grün.png\n", encoding="utf-8")
    _image(src / "bilder" / "grün.png", (30, 160, 30))
    _image(src / "bilder" / "straße.jpg", (160, 160, 30))
    out = root / "html"
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "html", str(src),
                           str(out)], capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, _session_identity_dir: Path,
        ) -> dict[str, str]:
    """A provenance home for the module that trusts the TEST-ONLY root, with the identity."""
    home = tmp_path_factory.mktemp("pubhome")
    shutil.copytree(_session_identity_dir, home / "identity")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PROVENANCE_HOME", str(home))
        ident = Identity.load(home / "identity", password=None)
        assert ident.root is not None
        provenance.trust.add_certificates("test-root", [ident.root])
    return {"PROVENANCE_HOME": str(home)}


def publish(env: dict[str, str], *args: object) -> tuple[Any, dict[str, Any]]:
    """``provenance publish ARGS --json --no-tsa``: the process and its document."""
    proc = run("publish", *args, "--json", "--no-tsa", env=env, timeout=300)
    assert "Traceback" not in proc.stderr, describe(proc)
    doc = json.loads(proc.stdout) if proc.stdout.strip() else {}
    return proc, doc


def stats(root: Path) -> dict[str, tuple[int, int, int]]:
    """Every file under ``root`` (hidden ones too): path -> (mtime_ns, inode, size)."""
    out = {}
    for dirpath, _, names in os.walk(root):
        for n in names:
            p = Path(dirpath) / n
            st = p.stat()
            out[str(p.relative_to(root))] = (st.st_mtime_ns, st.st_ino, st.st_size)
    return out


def outcomes(doc: dict[str, Any], outcome: str) -> set[str]:
    return {f["path"] for f in doc["files"] if f["outcome"] == outcome}


def validator(name: str) -> Any:
    from jsonschema import Draft202012Validator

    schema = json.loads((PROJECT / "provenance" / "schemas" / name).read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)
