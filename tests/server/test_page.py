"""The verify page in a real browser: Debian's headless Chromium driven by Playwright against
a real ``provenance serve``, at phone width, for every state; a manifest's markup is text.

Skips cleanly without /usr/bin/chromium or the playwright package. Screenshots go to
``$PROVENANCE_SCREENSHOTS`` when set (docs/screenshots/ holds the committed ones), else to a
temporary folder.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.server.conftest import XSS, Corpus
from tests.server.helpers import Running

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"width": 390, "height": 844}

pytestmark = pytest.mark.skipif(not CHROMIUM.is_file(), reason="no /usr/bin/chromium "
                                "(apt-get install chromium)")


class Browser:
    """One page of a fresh Chromium profile, with everything the page logs or pops up."""

    def __init__(self, context: Any, shots: Path) -> None:
        self.context = context
        self.page = context.new_page()
        self.shots = shots
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _console(self, msg: Any) -> None:
        if msg.type in ("error", "warning"):
            self.errors.append(f"{msg.type}: {msg.text}")

    def check(self, server: Running, path: Path | None = None, text: str | None = None) -> Any:
        page = self.page
        page.goto(server.url + "/")
        if path is not None:
            page.set_input_files("#file", str(path))
            assert page.inner_text("#drop-hint") == f"Chosen: {path.name}"  # app.js ran
        if text is not None:
            page.get_by_label("or paste text").fill(text)
        with page.expect_navigation():
            page.click("#check")
        page.wait_for_selector("#status, #error")
        return page

    def shot(self, name: str) -> Path:
        out = self.shots / f"{name}.png"
        self.page.screenshot(path=str(out))
        return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    sync_api = pytest.importorskip("playwright.sync_api")
    shots = Path(os.environ.get("PROVENANCE_SCREENSHOTS") or
                 tmp_path_factory.mktemp("screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=ARGS,
            viewport=PHONE, device_scale_factor=1, offline=False)
        try:
            yield Browser(context, shots)
        finally:
            context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(autouse=True)
def _no_errors(browser: Browser) -> Iterator[None]:
    browser.errors.clear()
    browser.dialogs.clear()
    yield
    assert browser.dialogs == []
    # The CSP would report a blocked inline script or style here.
    assert browser.errors == []


def _fits_phone(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_index_is_a_labelled_form(browser: Browser, server: Running) -> None:
    page = browser.page
    response = page.goto(server.url + "/")
    assert response is not None and response.status == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert page.get_by_label("Choose a file").count() == 1
    assert page.get_by_label("or paste text").count() == 1
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") in ("file", "text")
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator("main").count() == 1 and page.locator("h1").count() == 1
    _fits_phone(page)
    browser.shot("index")


def test_trusted(browser: Browser, server: Running, corpus: Corpus) -> None:
    page = browser.check(server, corpus.files["trusted.jpg"])
    assert page.get_attribute("#status", "data-status") == "trusted"
    assert page.inner_text("#status") == "Intact and trusted"
    assert "TEST-ONLY Ada Lovelace" in page.inner_text("#signer")
    assert page.inner_text("#author") == "TEST-ONLY Ada"
    assert page.inner_text("#made") == "Captured with a camera or scanner"
    assert page.inner_text("#ai-training") == "Not allowed"
    assert "Passes this server's policy" in page.inner_text("#verdict")
    # Details on demand: closed until asked for.
    assert not page.is_visible("#timestamp-none")
    page.click("#timestamp > summary")
    assert "No trusted timestamp" in page.inner_text("#timestamp-none")
    # Keyboard: a details summary opens with Enter.
    page.focus("#signer-details > summary")
    page.keyboard.press("Enter")
    assert page.get_attribute("#signer-details", "open") is not None
    assert "TEST-ONLY Engines" in page.inner_text("#signer-details")
    page.click("#identities > summary")
    assert "TEST-ONLY Ada Lovelace" in page.inner_text("#identities")
    page.click("#raw-manifest > summary")
    assert '"active_manifest"' in page.inner_text("#raw-manifest-text")
    page.click("#raw-manifest > summary")
    _fits_phone(page)
    page.evaluate("window.scrollTo(0, 0)")
    browser.shot("trusted")


def test_valid_signer_not_trusted(browser: Browser, server: Running, corpus: Corpus) -> None:
    page = browser.check(server, corpus.files["stranger.jpg"])
    assert page.get_attribute("#status", "data-status") == "valid"
    assert page.inner_text("#status") == "Intact, signer not trusted"
    assert "not on the trust list" in page.inner_text("#signer")
    browser.shot("valid")


def test_timestamp_and_its_authority(browser: Browser, server: Running,
                                     corpus: Corpus) -> None:
    page = browser.check(server, corpus.files["stamped.jpg"])
    page.click("#timestamp > summary")
    text = page.inner_text("#timestamp")
    assert "TEST-ONLY Server TSA" in text and "(trusted)" in text and "UTC" in text
    page.locator("#timestamp").scroll_into_view_if_needed()
    browser.shot("timestamp")


def test_tampered(browser: Browser, server: Running, corpus: Corpus) -> None:
    page = browser.check(server, corpus.files["tampered.jpg"])
    assert page.get_attribute("#status", "data-status") == "invalid"
    assert page.inner_text("#status") == "Invalid"
    failures = page.inner_text("#failures")
    assert "assertion.dataHash.mismatch" in failures  # the code, beside plain words
    assert "Does not pass" in page.inner_text("#verdict")
    browser.shot("tampered")


def test_ai_made(browser: Browser, server: Running, corpus: Corpus) -> None:
    page = browser.check(server, corpus.files["ai.jpg"])
    assert page.get_attribute("#status", "data-status") == "trusted"
    assert page.inner_text("#made") == "Made by AI"
    assert "Does not pass" in page.inner_text("#verdict")
    browser.shot("ai")


def test_edited_shows_its_ingredient(browser: Browser, server: Running,
                                     corpus: Corpus) -> None:
    page = browser.check(server, corpus.files["edited.jpg"])
    assert page.get_attribute("#status", "data-status") == "trusted"
    assert page.inner_text("#made") == "Edited by a person"
    page.click("#ingredients > summary")
    tree = page.locator("#ingredients ul.tree")
    assert tree.locator("li.ingredient").count() == 2  # this file and its parent
    child = tree.locator("li.ingredient li.ingredient")
    assert "parentOf" in child.inner_text() and "Intact" in child.inner_text()
    page.locator("#ingredients").scroll_into_view_if_needed()
    browser.shot("edited")


def test_a_tampered_ingredient_is_shown_in_the_tree(browser: Browser, server: Running,
                                                    corpus: Corpus) -> None:
    page = browser.check(server, corpus.files["bad-parent.jpg"])
    assert page.get_attribute("#status", "data-status") == "trusted"  # the file itself
    assert "Does not pass" in page.inner_text("#verdict")
    page.click("#ingredients > summary")
    child = page.locator("#ingredients li.ingredient li.ingredient")
    assert "tampered-original.jpg" in child.inner_text()
    assert "Invalid" in child.inner_text()
    assert "assertion.dataHash.mismatch" in child.inner_text()


def test_stripped_is_recovered_not_a_match(browser: Browser, server: Running,
                                           corpus: Corpus) -> None:
    page = browser.check(server, corpus.files["stripped.jpg"])
    assert page.get_attribute("#status", "data-status") == "unsigned"
    assert "not a cryptographic match" in page.inner_text("#recovered-summary")
    match = page.locator("#recovered li.match").first
    assert "Not a cryptographic match" in match.inner_text()
    similarity = int(match.locator(".similarity").inner_text().split()[1].rstrip("%"))
    assert 80 <= similarity <= 100
    assert "TEST-ONLY Ada Lovelace" in match.inner_text()
    # Its manifest store, from the resolution API, is a real C2PA store (JUMBF "c2pa").
    href = match.locator("a.manifest-link").get_attribute("href")
    assert href is not None and href.startswith("/v1/manifests/")
    status, headers, body = server.request("GET", href)
    assert status == 200 and headers["content-type"].startswith("application/c2pa"), status
    assert b"jumb" in body[:64] and b"c2pa" in body[:64]
    page.locator("#recovered").scroll_into_view_if_needed()
    browser.shot("stripped")


def test_script_in_a_manifest_is_text(browser: Browser, server: Running,
                                      corpus: Corpus) -> None:
    page = browser.check(server, corpus.files["xss.jpg"])
    assert page.inner_text("#author") == XSS
    assert page.inner_text("#title") == '"><img src=x onerror=alert(2)>'
    # The only script is the app's own file; no element came from the manifest.
    assert page.evaluate("[...document.scripts].map(s => s.src)") == [
        server.url + "/static/app.js"]
    assert page.locator("img").count() == 0
    page.wait_for_timeout(200)
    browser.shot("xss")  # the autouse fixture asserts that no dialog fired


def test_pasted_text_and_an_error(browser: Browser, server: Running, corpus: Corpus) -> None:
    page = browser.check(server, text="TEST-ONLY words pasted into the box.")
    assert page.get_attribute("#status", "data-status") == "unsigned"
    assert page.inner_text("#status") == "No Content Credentials"
    bmp = corpus.home.parent / "legacy.bmp"
    bmp.write_bytes(b"BM" + b"\0" * 200)
    page = browser.check(server, bmp)
    assert "cannot carry a C2PA manifest" in page.inner_text("#error")
    assert "unsupported_format" in page.inner_text("#error")
    # The 415 itself is logged by Chromium as a failed resource load: expected here.
    browser.errors[:] = [e for e in browser.errors if "415" not in e]


def test_a_file_over_the_limit_is_not_sent(browser: Browser, server: Running,
                                           tmp_path: Path) -> None:
    big = tmp_path / "big.jpg"
    big.write_bytes(b"\xff\xd8" + b"\0" * (3 << 20))  # the server takes 2 MiB
    page = browser.page
    page.goto(server.url + "/")
    page.set_input_files("#file", str(big))
    assert "larger than this server accepts (2 MiB)" in page.inner_text("#drop-hint")
    page.click("#check")
    page.wait_for_timeout(300)
    assert page.url == server.url + "/"  # still here: nothing was uploaded
