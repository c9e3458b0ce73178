"""``provenance publish`` on a real MkDocs site: signed, verified, changed, republished."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import describe, run
from tests.publish.conftest import _image, build_mkdocs, outcomes, publish, stats, validator

INDEX = Path(".well-known/c2pa/publication.json")
PHOTO = "guide/images/photo.jpg"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_mkdocs(tmp_path_factory.mktemp("mkdocs"))


@pytest.fixture(scope="module")
def published(site: Path, env: dict[str, str],
              tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any, dict[str, Any]]:
    out = tmp_path_factory.mktemp("mkpub") / "pub"
    proc, doc = publish(env, site, "--out-dir", out, "-j", "2")
    return out, proc, doc


def test_publish_signs_the_site_and_verify_passes(
        published: tuple[Path, Any, dict[str, Any]], env: dict[str, str]) -> None:
    out, proc, doc = published
    assert proc.returncode == 0, describe(proc)
    validator("publish-v1.json").validate(doc)
    signed = outcomes(doc, "signed")
    assert {"index.html", "guide/intro/index.html", "café/menu/index.html", PHOTO,
            "guide/images/chart.png", "café/crème.jpg"} <= signed
    assert any(p.endswith(".css") for p in signed) and "sitemap.xml" in signed
    index = json.loads((out / INDEX).read_text(encoding="utf-8"))
    validator("publication-v1.json").validate(index)
    entries = {e["path"]: e for e in index["files"]}
    assert set(entries["index.html"]["shows"]) == {PHOTO, "guide/images/chart.png"}
    assert entries["café/menu/index.html"]["shows"] == ["café/crème.jpg"]
    assert entries[PHOTO]["manifest"].startswith("urn:c2pa:")
    assert (out / INDEX.with_name("publication.json.c2pa")).is_file()
    # Links that leave the site or point at missing files: reported, not fatal.
    problems = {(p["page"], p["problem"]) for p in doc["links"]}
    assert ("guide/intro/index.html", "external") in problems
    assert ("café/menu/index.html", "missing") in problems
    assert "https://example.com/remote.png leaves the site" in proc.stderr
    assert "nothere.png is not in the site" in proc.stderr
    check = run("verify", out, "-r", "--no-summary", env=env)
    assert check.returncode == 0, describe(check)
    assert "OK   " + str(out / INDEX) in check.stderr
    # Every signed image and text was registered in the recovery registry.
    stats_doc = json.loads(run("registry", "stats", "--json", env=env).stdout)
    assert stats_doc["manifests"] == len(signed), stats_doc


def test_a_page_carries_its_photos_provenance(
        published: tuple[Path, Any, dict[str, Any]], env: dict[str, str]) -> None:
    out, _, _ = published
    proc = run("verify", "--jsonl", out / "guide" / "intro" / "index.html", env=env)
    assert proc.returncode == 0, describe(proc)
    report = json.loads(proc.stdout)
    ingredients = {i["title"]: i for i in report["ingredients"]}
    assert set(ingredients) == {PHOTO, "guide/images/chart.png"}
    for ing in ingredients.values():
        assert ing["relationship"] == "componentOf"
        assert ing["status"] == "trusted" and ing["origin"] == "human"


def test_a_second_run_writes_nothing(published: tuple[Path, Any, dict[str, Any]],
                                     site: Path, env: dict[str, str]) -> None:
    out, _, first = published
    before = stats(out)
    proc, doc = publish(env, site, "--out-dir", out, "-j", "2")
    assert proc.returncode == 0, describe(proc)
    assert f"0 signed, {len(first['files'])} unchanged" in proc.stderr
    assert doc["index_written"] is False and set(doc["counts"]) == {"unchanged"}
    assert stats(out) == before


def test_a_changed_image_resigns_it_and_the_pages_that_show_it(
        published: tuple[Path, Any, dict[str, Any]], site: Path, env: dict[str, str],
        tmp_path: Path) -> None:
    src, out = tmp_path / "site", tmp_path / "pub"
    shutil.copytree(site, src)
    shutil.copytree(published[0], out)
    before = stats(out)
    _image(src / PHOTO, (10, 90, 250))
    proc, doc = publish(env, src, "--out-dir", out, "-j", "1", "--no-register")
    assert proc.returncode == 0, describe(proc)
    assert outcomes(doc, "signed") == {PHOTO, "index.html", "guide/intro/index.html"}
    after = stats(out)
    changed = {p for p in after if after[p] != before.get(p)}
    assert changed == {PHOTO, "index.html", "guide/intro/index.html", str(INDEX),
                       str(INDEX) + ".c2pa"}
    check = run("verify", out, "-r", "-q", "--no-summary", env=env)
    assert check.returncode == 0, describe(check)


def test_a_swapped_image_fails_verify_naming_it(
        published: tuple[Path, Any, dict[str, Any]], env: dict[str, str],
        tmp_path: Path) -> None:
    out = tmp_path / "pub"
    shutil.copytree(published[0], out)
    # Another image, itself signed by the same author, put in the photo's place.
    shutil.copyfile(out / "café" / "crème.jpg", out / PHOTO)
    (out / "404.html").unlink()
    (out / "added.txt").write_text("not published\n", encoding="utf-8")
    proc = run("verify", out, "-r", "--no-summary", env=env)
    assert proc.returncode == 1, describe(proc)
    fails = [ln for ln in proc.stderr.splitlines() if ln.startswith("FAIL")]
    text = "\n".join(fails)
    assert any(ln.startswith(f"FAIL {out / 'index.html'}") and f"shows {PHOTO}" in ln
               for ln in fails), text
    assert any(ln.startswith(f"FAIL {out / 'guide/intro/index.html'}") for ln in fails)
    assert any(ln.startswith(f"FAIL {out / PHOTO}") for ln in fails), text
    assert any("404.html" in ln and "missing from the disk" in ln for ln in fails), text
    assert any("added.txt" in ln and "not in the publication index" in ln for ln in fails)
    assert not any("chart.png" in ln or "menu/index.html" in ln for ln in fails), text


def test_in_place_recognises_its_own_output(site: Path, env: dict[str, str],
                                            tmp_path: Path) -> None:
    src = tmp_path / "site"
    shutil.copytree(site, src)
    # The theme's large vendored CSS and JS only cost time here (their fingerprints take
    # seconds); the first test signs them.
    for big in ("css/bootstrap.min.css", "css/fontawesome.min.css", "search/lunr.js",
                "js/bootstrap.bundle.min.js"):
        (src / big).unlink()
    proc, doc = publish(env, src, "--in-place", "--no-register")
    assert proc.returncode == 0, describe(proc)
    assert doc["counts"]["signed"] >= 10
    before = stats(src)
    again, doc2 = publish(env, src, "--in-place", "--no-register")
    assert again.returncode == 0, describe(again)
    assert f"0 signed, {len(doc2['files'])} unchanged" in again.stderr
    assert stats(src) == before
    check = run("verify", src, "-r", "-q", "--no-summary", env=env)
    assert check.returncode == 0, describe(check)


def test_bad_usage_is_one_line(site: Path, env: dict[str, str], tmp_path: Path) -> None:
    from tests.cli.helpers import assert_one_error_line

    both = run("publish", site, "--in-place", "--out-dir", tmp_path / "o", env=env)
    assert_one_error_line(both, 2, "--out-dir", "--in-place")
    inside = run("publish", site, "--out-dir", site / "signed", env=env)
    assert_one_error_line(inside, 2, "inside")
    assert not (site / "signed").exists()


def test_an_edited_index_fails_its_own_signature(
        published: tuple[Path, Any, dict[str, Any]], env: dict[str, str],
        tmp_path: Path) -> None:
    out = tmp_path / "pub"
    shutil.copytree(published[0], out)
    index = out / INDEX
    doc = json.loads(index.read_text(encoding="utf-8"))
    entry = next(e for e in doc["files"] if e["path"] == PHOTO)
    shutil.copyfile(out / "café" / "crème.jpg", out / PHOTO)  # swapped, and the index "fixed"
    entry["sha256"] = next(e for e in doc["files"] if e["path"] == "café/crème.jpg")["sha256"]
    index.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    proc = run("verify", out, "-r", "-q", "--no-summary", env=env)
    assert proc.returncode == 1, describe(proc)
    assert f"FAIL {index}: the publication index has a signature that does not verify" in \
        proc.stderr, describe(proc)
