"""The verify page's HTML, in the levels of the C2PA UX guidance: a summary first (the
verdict in words and colour, who signed and when, how the file was made, the AI-training
preference), then the details on demand (``<details>``: ingredients as a tree, the timestamp,
failures with their codes, CAWG identities, manifests recovered by fingerprint), then the raw
manifest for experts.

Everything in a manifest is attacker-controlled: every value goes through :func:`_e`
(:func:`html.escape`, quotes included) and the page carries no inline script or style (the
app's CSP forbids both); behaviour and looks are in ``static/app.js`` and ``static/style.css``.
Works without JavaScript: the form posts to ``/verify`` and the answer is this page.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from html import escape
from typing import Any
from urllib.parse import quote

from provenance.report import IngredientReport, Report, SignerInfo
from provenance.server.settings import ServerSettings
from provenance.server.work import Outcome

__all__ = ["error", "index", "result"]

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"

#: the status in words (summary line, longer sentence)
_STATUS = {
    "trusted": ("Intact and trusted",
                "The Content Credentials are intact and the signer is on the trust list."),
    "valid": ("Intact, signer not trusted",
              "The Content Credentials are intact, but the signer is not on this server's "
              "trust list: the name is the signer's own claim."),
    "invalid": ("Invalid",
                "The file or its Content Credentials were changed after signing, or they are "
                "broken: do not rely on what they say."),
    "unsigned": ("No Content Credentials",
                 "The file carries no Content Credentials (none were added, or they were "
                 "stripped). That says nothing either way about who or what made it."),
}

#: how the file was made, by IPTC digital source type
_MADE = {
    "digitalCapture": "Captured with a camera or scanner",
    "computationalCapture": "Captured with a camera (computational)",
    "negativeFilm": "Scanned from film", "positiveFilm": "Scanned from film",
    "print": "Scanned from a print",
    "digitalCreation": "Created by a person", "digitalArt": "Created by a person",
    "virtualRecording": "Recorded by a person", "screenCapture": "A screen capture",
    "compositeCapture": "Composed of captures",
    "humanEdits": "Edited by a person", "minorHumanEdits": "Edited by a person",
    "trainedAlgorithmicMedia": "Made by AI", "algorithmicMedia": "Made by an algorithm",
    "dataDrivenMedia": "Made by AI",
    "compositeWithTrainedAlgorithmicMedia": "Mixed: human work with AI-made parts",
    "compositeSynthetic": "Mixed: composed with synthetic parts",
    "algorithmicallyEnhanced": "Mixed: enhanced by an algorithm",
}
_ORIGIN = {"human": "Made by a person", "ai": "AI-made", "mixed": "Mixed: human and AI",
           "unknown": "Unknown"}
_TRAINING = {"notAllowed": "Not allowed", "allowed": "Allowed",
             "constrained": "Allowed with conditions"}


def _e(value: object) -> str:
    """Text as HTML: escaped, quotes included."""
    return escape("" if value is None else str(value), quote=True)


def _when(iso: str | None) -> str:
    """A time for people ("1 December 2026, 10:29 UTC") in a ``<time>`` element."""
    if not iso:
        return ""
    import datetime as dt

    try:
        t = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return f"<time>{_e(iso)}</time>"
    if t.tzinfo is not None:
        t = t.astimezone(dt.UTC)
    words = f"{t.day} {t:%B %Y, %H:%M}" + (" UTC" if t.tzinfo is not None else "")
    return f"<time datetime=\"{_e(iso)}\">{_e(words)}</time>"


def _doc(title: str, body: str) -> str:
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{_e(title)}</title>"
        "<link rel=\"icon\" href=\"/static/icon.svg\" type=\"image/svg+xml\">"
        "<link rel=\"stylesheet\" href=\"/static/style.css\">"
        "<script src=\"/static/app.js\" defer></script></head>"
        "<body><header><a class=\"home\" href=\"/\">Content Credentials check</a></header>"
        f"<main id=\"main\">{body}</main>"
        "<footer><p>Checked on this server only; nothing is fetched. The JSON API: "
        "<a href=\"/api/openapi.json\">/api/openapi.json</a>.</p></footer></body></html>\n"
    )


def _form(settings: ServerSettings) -> str:
    mib = settings.max_upload_bytes / (1 << 20)
    return (
        "<form id=\"verify-form\" method=\"post\" action=\"/verify\" "
        "enctype=\"multipart/form-data\" aria-describedby=\"form-hint\" "
        f"data-max-bytes=\"{settings.max_upload_bytes}\">"
        "<div class=\"drop\" id=\"drop\">"
        "<label for=\"file\">Choose a file</label>"
        "<input type=\"file\" id=\"file\" name=\"file\">"
        "<p class=\"hint\" id=\"drop-hint\" aria-live=\"polite\">or drop it on this box</p>"
        "</div>"
        "<label for=\"text\">or paste text</label>"
        "<textarea id=\"text\" name=\"text\" rows=\"4\" spellcheck=\"false\"></textarea>"
        f"<p class=\"hint\" id=\"form-hint\">One file or one text, at most {mib:g} MiB. "
        "The file is deleted once it is checked.</p>"
        "<button type=\"submit\" id=\"check\">Check</button></form>"
    )


def index(settings: ServerSettings) -> str:
    """``GET /``: the form."""
    return _doc("Check Content Credentials",
                "<h1>Check a file's Content Credentials</h1>"
                "<p>Who made this file, and how? Choose an image, a document or a text to "
                "read its C2PA Content Credentials.</p>" + _form(settings))


def error(settings: ServerSettings, status: int, code: str, message: str) -> str:
    """The page when the file could not be checked."""
    body = ("<h1>The file could not be checked</h1>"
            f"<p id=\"error\" class=\"error\" role=\"alert\">{_e(message)} "
            f"<span class=\"code\">({_e(code)}, HTTP {status})</span></p>"
            "<h2>Check another file</h2>" + _form(settings))
    return _doc("Could not check the file", body)


# -- the result ---------------------------------------------------------------------------


def result(settings: ServerSettings, outcome: Outcome) -> str:
    """The page for one checked file."""
    r = outcome.report
    if r is None:
        return error(settings, 500, "internal", "no report")
    parts = [_summary(r, outcome, settings), _details(r), _raw(r, outcome),
             "<h2>Check another file</h2>", _form(settings)]
    return _doc(f"{_STATUS[r.status][0]}: {r.path or 'file'}", "".join(parts))


def _who(s: SignerInfo | None) -> str:
    if s is None:
        return ""
    if s.name and s.organization:
        return f"{s.name} ({s.organization})"
    return s.name or s.organization or "an unnamed signer"


def _made(r: Report) -> str:
    terms = [t.removeprefix(IPTC) for t in r.digital_source_types]
    words = [_MADE[t] for t in terms if t in _MADE]
    if r.origin in ("ai", "mixed") and not any("AI" in w or "Mixed" in w for w in words):
        words.append(_ORIGIN[r.origin])
    if not words:
        words = [_ORIGIN.get(r.origin, r.origin)]
    seen: list[str] = []
    for w in words:
        if w not in seen:
            seen.append(w)
    return "; ".join(seen)


def _row(label: str, value: str, rid: str | None = None) -> str:
    attr = f" id=\"{rid}\"" if rid else ""
    return f"<dt>{_e(label)}</dt><dd{attr}>{value}</dd>"


def _policy_words(settings: ServerSettings) -> str:
    """What the server's policy asks, in words (the default policy of ``provenance verify``
    with this server's flags)."""
    words = ["intact", "a trusted signer" if settings.require_trusted else None,
             None if settings.allow_ai else "human origin", "no tampered ingredient"]
    return ", ".join(w for w in words if w)


def _summary(r: Report, outcome: Outcome, settings: ServerSettings) -> str:
    word, sentence = _STATUS[r.status]
    rows: list[str] = []
    if r.signer is not None:
        trust = "trusted" if r.signer.trusted else "not on the trust list"
        rows.append(_row("Signed by", f"{_e(_who(r.signer))} <span class=\"muted\">"
                         f"({_e(trust)})</span>", "signer"))
    if r.author:
        rows.append(_row("Author", _e(r.author), "author"))
    if r.signed_at:
        rows.append(_row("Signed", _when(r.signed_at), "signed-at"))
    if r.status != "unsigned":
        rows.append(_row("How it was made", _e(_made(r)), "made"))
    if r.ai_training:
        rows.append(_row("AI training", _e(_TRAINING.get(r.ai_training, r.ai_training)),
                         "ai-training"))
    if r.title and r.title != r.path:
        rows.append(_row("Title", _e(r.title), "title"))
    verdict = ""
    if outcome.reasons is not None:
        if outcome.reasons:
            items = "".join(f"<li>{_e(x)}</li>" for x in outcome.reasons)
            verdict = ("<div id=\"verdict\" class=\"verdict fail\"><p><strong>Does not pass "
                       f"this server's policy</strong>, because:</p><ul>{items}</ul></div>")
        else:
            verdict = ("<div id=\"verdict\" class=\"verdict pass\"><p><strong>Passes this "
                       f"server's policy</strong> ({_e(_policy_words(settings))}).</p></div>")
    recovered = ""
    if r.recovered:
        n = len(r.recovered)
        recovered = (f"<p id=\"recovered-summary\" class=\"note\">{n} manifest"
                     f"{'s' if n != 1 else ''} found again by fingerprint in the registry "
                     "(<strong>not a cryptographic match</strong>): see below.</p>")
    return (
        f"<section id=\"summary\" class=\"summary {_e(r.status)}\" aria-labelledby=\"status\">"
        f"<p class=\"file\">{_e(r.path)} <span class=\"muted\">{_e(r.media_type)}</span></p>"
        f"<h1 id=\"status\" data-status=\"{_e(r.status)}\">"
        f"<span class=\"badge\" aria-hidden=\"true\"></span>{_e(word)}</h1>"
        f"<p id=\"status-text\">{_e(sentence)}</p>"
        + (f"<dl>{''.join(rows)}</dl>" if rows else "") + recovered + verdict + "</section>"
    )


def _section(sid: str, title: str, body: str, *, open_: bool = False) -> str:
    attr = " open" if open_ else ""
    return (f"<details id=\"{sid}\" class=\"more\"{attr}><summary>{_e(title)}</summary>"
            f"<div class=\"inner\">{body}</div></details>")


def _details(r: Report) -> str:
    out = ["<h2 class=\"details-title\">Details</h2>"]
    if r.failures:
        out.append(_section("failures", f"What is wrong ({len(r.failures)})",
                            _failures(r.failures), open_=True))
    if r.recovered:
        out.append(_section("recovered", f"Found again by fingerprint ({len(r.recovered)})",
                            _recovered(r.recovered), open_=True))
    if r.status != "unsigned" or r.ingredients:
        out.append(_section("ingredients", f"Ingredients ({len(r.ingredients)})",
                            _tree(r)))
    if r.signer is not None:
        out.append(_section("signer-details", "Signer's certificate", _signer(r.signer)))
    if r.status != "unsigned":
        out.append(_section("timestamp", "Timestamp", _timestamp(r)))
    if r.identities:
        out.append(_section("identities", f"Identities (CAWG) ({len(r.identities)})",
                            _identities(r)))
    if r.remote_url:
        out.append(_section("remote", "Remote manifest",
                            f"<p>The file points to its manifest at <code>{_e(r.remote_url)}"
                            "</code>; this server fetches nothing.</p>"))
    return "".join(out) if len(out) > 1 else ""


def _failures(failures: Iterable[Any]) -> str:
    items = []
    for f in failures:
        where = f" <span class=\"muted\">(in {_e(f.ingredient)})</span>" if f.ingredient else ""
        items.append(f"<li>{_e(f.explanation)}{where} <code class=\"code\">{_e(f.code)}</code>"
                     "</li>")
    return f"<ul class=\"failures\">{''.join(items)}</ul>"


def _recovered(matches: Iterable[Any]) -> str:
    items = []
    for m in matches:
        when = f", signed {_when(m.signed_at)}" if m.signed_at else ""
        trust = "trusted" if m.signer.trusted else "not on the trust list"
        items.append(
            "<li class=\"match\"><p><strong class=\"label\">Not a cryptographic match</strong>"
            f" <span class=\"similarity\">similarity {_e(m.similarity)}%</span></p>"
            f"<p>Signed by {_e(_who(m.signer))} ({_e(trust)}){when}; origin "
            f"{_e(_ORIGIN.get(m.origin, m.origin))}.</p>"
            f"<p class=\"muted\">manifest <code>{_e(m.manifest_id)}</code>, found by "
            f"{_e(m.alg)}; <a class=\"manifest-link\" href=\"/v1/manifests/"
            f"{_e(quote(m.manifest_id, safe=''))}\">the manifest store</a> "
            "(application/c2pa)</p></li>")
    return ("<p>This file has no intact Content Credentials of its own. The registry holds "
            "manifests of files that look like it: they may describe the original this copy "
            "came from, but nothing proves it.</p>"
            f"<ol class=\"matches\">{''.join(items)}</ol>")


def _ingredient(i: IngredientReport) -> str:
    who = f"; signed by {_e(_who(i.signer))}" if i.signer else ""
    fails = _failures(i.failures) if i.failures else ""
    return (f"<li class=\"ingredient {_e(i.status)}\"><p><strong>{_e(i.title or 'untitled')}"
            f"</strong> <span class=\"muted\">({_e(i.relationship or 'ingredient')})</span></p>"
            f"<p>{_e(_STATUS[i.status][0])}; {_e(_ORIGIN.get(i.origin, i.origin))}{who}</p>"
            f"{fails}</li>")


def _tree(r: Report) -> str:
    children = "".join(_ingredient(i) for i in r.ingredients)
    inner = f"<ul>{children}</ul>" if children else "<p class=\"muted\">No ingredients.</p>"
    return (f"<ul class=\"tree\"><li class=\"ingredient {_e(r.status)}\">"
            f"<p><strong>{_e(r.title or r.path)}</strong> <span class=\"muted\">(this file)"
            f"</span></p><p>{_e(_STATUS[r.status][0])}; {_e(_ORIGIN.get(r.origin, r.origin))}"
            f"</p>{inner}</li></ul>")


def _signer(s: SignerInfo) -> str:
    rows = [_row("Name", _e(s.name)), _row("Organization", _e(s.organization)),
            _row("Issued by", _e(s.issuer)), _row("Trusted", "yes" if s.trusted else "no"),
            _row("Algorithm", _e(s.algorithm)), _row("Serial", f"<code>{_e(s.serial)}</code>")]
    if s.anchor:
        rows.append(_row("Trust anchor", _e(s.anchor)))
    if s.trust_list:
        rows.append(_row("Trust list", _e(s.trust_list)))
    if s.domain is not None:
        ok = {True: "vouches for the key", False: "does not vouch for the key",
              None: "not checked"}[s.domain.verified]
        rows.append(_row("Domain", f"{_e(s.domain.name)} ({_e(ok)})"))
    return f"<dl>{''.join(rows)}</dl>"


def _timestamp(r: Report) -> str:
    t = r.timestamp
    if t is None:
        return ("<p id=\"timestamp-none\">No trusted timestamp: the signing time is the "
                "signer's own claim, and the signature stops validating when the certificate "
                "expires.</p>")
    trust = "trusted" if t.trusted else "not trusted"
    return (f"<dl>{_row('Time', _when(t.time))}"
            f"{_row('Authority', _e(t.tsa or 'unnamed') + f' ({_e(trust)})')}</dl>")


def _identities(r: Report) -> str:
    items = []
    for i in r.identities:
        status = {"trusted": "credential trusted",
                  "valid": "well-formed, credential not trusted (the name is unproven)",
                  "invalid": "invalid"}[i.status]
        roles = f", {_e(', '.join(i.roles))}" if i.roles else ""
        codes = "".join(f" <code class=\"code\">{_e(c)}</code>" for c in i.codes)
        items.append(f"<li><strong>{_e(i.name or 'unnamed')}</strong>{roles}: {_e(status)}"
                     f" <span class=\"muted\">({_e(i.sig_type or 'unknown type')})</span>"
                     f"{codes}</li>")
    return f"<ul>{''.join(items)}</ul>"


def _raw(r: Report, outcome: Outcome) -> str:
    report_json = json.dumps(outcome.document(), indent=2, ensure_ascii=False)
    parts = [_section("raw-report", "The report (JSON, provenance.report/v1)",
                      f"<pre><code>{_e(report_json)}</code></pre>")]
    if r.manifest_store is not None:
        store = json.dumps(r.manifest_store, indent=2, ensure_ascii=False)
        parts.append(_section("raw-manifest", "Raw manifest store (for experts)",
                              f"<pre id=\"raw-manifest-text\"><code>{_e(store)}</code></pre>"))
    return "".join(parts)
