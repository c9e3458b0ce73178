"""The verify page's HTML: every value from a manifest goes through :func:`html.escape`."""

from __future__ import annotations

from html import escape

from provenance.server.settings import ServerSettings
from provenance.server.work import Outcome

__all__ = ["error", "index", "result"]


def _doc(title: str, body: str) -> str:
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{escape(title)}</title>"
        "<link rel=\"stylesheet\" href=\"/static/style.css\">"
        "<script src=\"/static/app.js\" defer></script></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def _form(settings: ServerSettings) -> str:
    mib = settings.max_upload_bytes / (1 << 20)
    return (
        "<form id=\"verify-form\" method=\"post\" action=\"/verify\" "
        "enctype=\"multipart/form-data\">"
        "<div class=\"drop\" id=\"drop\"><label for=\"file\">Choose a file</label> "
        "<input type=\"file\" id=\"file\" name=\"file\">"
        f"<p class=\"hint\">or drop it here (at most {mib:g} MiB)</p></div>"
        "<label for=\"text\">or paste text</label>"
        "<textarea id=\"text\" name=\"text\" rows=\"4\"></textarea>"
        "<button type=\"submit\">Check</button></form>"
    )


def index(settings: ServerSettings) -> str:
    """``GET /``: the form."""
    return _doc("Check Content Credentials",
                "<h1>Check a file's Content Credentials</h1>" + _form(settings))


def result(settings: ServerSettings, outcome: Outcome) -> str:
    """The answer for one file."""
    r = outcome.report
    if r is None:
        return error(settings, 500, "internal", "no report")
    body = (f"<h1>{escape(r.path or '')}</h1>"
            f"<p id=\"status\" class=\"status {escape(r.status)}\">{escape(r.status)}</p>")
    return _doc("Result", body + _form(settings))


def error(settings: ServerSettings, status: int, code: str, message: str) -> str:
    """The answer when the file could not be judged."""
    body = (f"<h1>The file could not be checked</h1><p id=\"error\" role=\"alert\">"
            f"{escape(message)} <code>{escape(code)}</code></p>")
    return _doc("Error", body + _form(settings))
