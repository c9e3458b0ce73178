"""``provenance publish --carrier link`` on a real Sphinx site."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import describe, run
from tests.publish.conftest import build_sphinx, outcomes, publish, stats, validator


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory,
              env: dict[str, str]) -> tuple[Path, Path, Any, dict[str, Any]]:
    root = tmp_path_factory.mktemp("sphinx")
    site = build_sphinx(root)
    out = root / "pub"
    proc, doc = publish(env, site, "--out-dir", out, "--carrier", "link", "--no-register")
    return site, out, proc, doc


def test_link_carrier_pages_verify_with_their_media(
        published: tuple[Path, Path, Any, dict[str, Any]], env: dict[str, str]) -> None:
    _, out, proc, doc = published
    assert proc.returncode == 0, describe(proc)
    validator("publish-v1.json").validate(doc)
    index = json.loads((out / ".well-known/c2pa/publication.json").read_text("utf-8"))
    validator("publication-v1.json").validate(index)
    entries = {e["path"]: e for e in index["files"]}
    page = entries["kapitel/eins.html"]
    assert page["carrier"] == "link" and page["manifest_file"]["path"] == "kapitel/eins.c2pa"
    assert (out / "kapitel" / "eins.c2pa").is_file()
    assert b'rel="c2pa-manifest"' in (out / "kapitel" / "eins.html").read_bytes()
    assert set(page["shows"]) == {"_images/straße.jpg", "_images/grün.png"}
    assert "_sources/index.rst.txt" in outcomes(doc, "signed")  # the page's source text
    report = run("verify", "--jsonl", out / "kapitel" / "eins.html", env=env)
    assert report.returncode == 0, describe(report)
    titles = {i["title"] for i in json.loads(report.stdout)["ingredients"]}
    assert titles == {"_images/straße.jpg", "_images/grün.png"}
    check = run("verify", out, "-r", "-q", "--no-summary", env=env)
    assert check.returncode == 0, describe(check)


def test_link_carrier_rerun_is_unchanged_and_a_lost_manifest_file_fails(
        published: tuple[Path, Path, Any, dict[str, Any]], env: dict[str, str]) -> None:
    site, out, _, first = published
    before = stats(out)
    proc, _ = publish(env, site, "--out-dir", out, "--carrier", "link", "--no-register")
    assert f"0 signed, {len(first['files'])} unchanged" in proc.stderr, describe(proc)
    assert stats(out) == before
    manifest = out / "kapitel" / "eins.c2pa"
    kept = manifest.read_bytes()
    manifest.unlink()
    try:
        check = run("verify", out, "-r", "-q", "--no-summary", env=env)
        assert check.returncode == 1, describe(check)
        assert "kapitel/eins.c2pa is missing" in check.stderr
    finally:
        manifest.write_bytes(kept)
