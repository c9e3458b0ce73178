"""Advice from a file's check: what the author can do so the provenance survives the way out.

Each piece has a stable code (for ``--json`` consumers) and one sentence for the author.
"""

from __future__ import annotations

from collections.abc import Sequence

from provenance.carriers import html
from provenance.doctor import transforms
from provenance.doctor.channels import Channel
from provenance.doctor.report import Advice, Checkup, Outcome

__all__ = ["advise", "keeps_link"]

_PROBE = (b'<!DOCTYPE html>\n<html><head><meta charset="utf-8">\n'
          b'<link rel="c2pa-manifest" href="page.c2pa">\n<title>t</title></head>\n'
          b"<body><p>probe</p></body></html>\n")


def keeps_link(channel: Channel) -> bool:
    """True when the channel's HTML copies keep a ``<link rel="c2pa-manifest">`` (tried on
    a small page with the channel's own transforms)."""
    for copy in channel.copies.get("html", ()):
        if copy.how == "kept":
            continue
        if copy.how != "text":
            return False
        made = transforms.text_copy(_PROBE, copy.text, ".html")
        if not html.find_links(made.data):
            return False
    return True


def _where(outcomes: Sequence[Outcome]) -> str:
    return ", ".join(dict.fromkeys(f"{o.channel} ({o.copy})" for o in outcomes))


def advise(checkup: Checkup, channels: Sequence[Channel]) -> tuple[Advice, ...]:
    """The advice for ``checkup``, most important first."""
    out: list[Advice] = []
    name = checkup.path
    done = [o for o in checkup.outcomes if o.simulated]
    if checkup.status == "unsigned":
        out.append(Advice("sign-first", f"{name} has no Content Credentials: sign it first "
                          f"(provenance sign {name}); nothing survives that is not there"))
    elif checkup.status == "invalid":
        out.append(Advice("broken", f"{name}'s Content Credentials do not verify now: sign "
                          "the original again before publishing"))
    fingerprinted = any(o.soft != "no fingerprint" for o in done) or checkup.registered is not None
    lost_hard = [o for o in done if o.hard in ("gone", "broken")]
    if checkup.registered is False and checkup.status in ("trusted", "valid"):
        out.append(Advice("register", f"register the fingerprint so stripped copies can be "
                          f"found again: provenance registry add {name}"))
    elif checkup.registered is None and fingerprinted and checkup.status != "unsigned":
        out.append(Advice("no-registry", "no registry was asked: sign with registration (the "
                          "default) or name one with --registry DSN to check recovery"))
    if not fingerprinted and lost_hard:
        out.append(Advice("no-fingerprint", f"{checkup.media_type} has no content fingerprint, "
                          "so only the manifest itself leads back: send it where the file "
                          f"travels byte for byte, not through {_where(lost_hard)}"))
    weak = [o for o in done if o.soft in ("not found", "other")]
    if weak:
        what = "re-encodes" if checkup.family == "image" else "changes the content"
        out.append(Advice("below-robustness", f"{_where(weak)} {what} below the "
                          "fingerprint's robustness: the registry does not find the copy"))
    only_registry = [o for o in lost_hard if o.soft == "recovered" and o.sidecar != "kept"]
    if only_registry:
        low = min(o.similarity or 0 for o in only_registry)
        out.append(Advice("registry-only", f"on {_where(only_registry)} only the registry "
                          f"leads back (similarity at least {low}; not a cryptographic match): "
                          "readers need a verifier that looks it up (verify --registry)"))
    other = [o for o in done if o.soft == "other"]
    if other:
        out.append(Advice("other-manifest", f"the registry matches {_where(other)} to another "
                          f"manifest ({other[0].matched}): check which one readers would see"))
    if checkup.family == "html" and checkup.carrier == "html":
        by_name = {c.name: c for c in channels}
        inline_lost = [o for o in lost_hard if o.channel in by_name]
        linkable = [o for o in inline_lost if keeps_link(by_name[o.channel])]
        if linkable:
            out.append(Advice("link-carrier", f"use the link carrier for HTML (sign --carrier "
                              f"link): {_where(linkable)} drops the inline manifest but keeps "
                              "a <link>"))
        elif inline_lost:
            out.append(Advice("html-rewritten", f"{_where(inline_lost)} rewrites the page, "
                              "dropping the inline manifest and any <link>: only the registry "
                              "finds such copies again"))
    if checkup.carrier == "sidecar":
        dropped = [o for o in done if o.sidecar == "not carried"]
        if dropped:
            out.append(Advice("sidecar-dropped", f"{_where(dropped)} does not carry the "
                              ".c2pa sidecar: embed the manifest where the format allows "
                              "(sign without --carrier sidecar)"))
    return tuple(out)
