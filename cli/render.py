"""The shared renderer: turns reports and batch results into OK/FAIL lines, JSON and tables."""

from __future__ import annotations

import contextlib
import json
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import provenance.batch
from provenance.report import Report

from .common import EXIT_OK, Exit, err, out, real_console, stderr_is_terminal
from .plaintext import plain

# -- sign and verify: one file or a whole tree ------------------------------------------------
#
# Both commands expand their inputs (files, `--recursive` directories, glob patterns), call one
# library function (provenance.batch.sign / .verify) and render its results as they arrive: one
# OK/FAIL/SKIP/WARN line per file on stderr, --jsonl/--json on stdout or in a file, a progress
# bar on a terminal and a summary table for batches.


class _Renderer:
    """Turns a stream of batch results into lines, JSON and a summary; owns the output file."""

    def __init__(self, *, kind: str, total: int, as_json: bool, as_jsonl: bool,
                 report: Path | None, quiet: bool, progress: bool, rows: bool = False) -> None:
        self.kind = kind
        self.keep_rows = rows
        self.rows: list[tuple[str, str, str, str, str]] = []
        self.total = total
        self.as_jsonl = as_jsonl
        self.as_json = as_json or (report is not None and not as_jsonl)
        self.report = report
        self.quiet = quiet
        self.tally = provenance.batch.Tally()
        self.first = True
        self.show_progress = progress
        self._stack = contextlib.ExitStack()
        self._sink: Any = None
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> _Renderer:
        stack = self._stack
        if self.report is not None and (self.as_json or self.as_jsonl):
            self._sink = stack.enter_context(provenance.batch.atomic_output(self.report))
        elif self.as_json:
            # One document at the end: spooled to disk meanwhile, so memory stays flat.
            self._sink = stack.enter_context(tempfile.TemporaryFile("w+", encoding="utf-8"))
        elif self.as_jsonl:
            self._sink = sys.stdout
        if self.as_json:
            schema = ("provenance.results/v1" if self.kind == "verify"
                      else provenance.batch.SIGN_RESULTS_SCHEMA_ID)
            self._sink.write('{"schema": "' + schema + '", "results": [')
        if self.show_progress:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self._progress = stack.enter_context(Progress(
                TextColumn(f"{self.kind}ing"), BarColumn(), MofNCompleteColumn(),
                TimeRemainingColumn(), console=real_console(err), transient=True,
                redirect_stdout=False, redirect_stderr=False,
            ))
            self._task = self._progress.add_task(self.kind, total=self.total)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.__exit__(*exc)  # type: ignore[arg-type]

    def add(self, result: provenance.batch.Result) -> None:
        self.tally.add(result)
        if self.keep_rows:
            self.rows.append(_row(result))
        line = self._line(result)
        if line is not None:
            status_line(line, self._progress is not None)
        if self._sink is not None:
            doc = (provenance.batch.verify_document(result) if self.kind == "verify"
                   else provenance.batch.sign_document(result))
            if self.as_json:
                self._sink.write(("\n  " if self.first else ",\n  ") + json.dumps(
                    doc, ensure_ascii=False))
                self.first = False
            else:
                self._sink.write(json.dumps(doc, ensure_ascii=False) + "\n")
                if self._sink is sys.stdout:
                    sys.stdout.flush()
        if self._progress is not None:
            self._progress.advance(self._task)

    def finish(self) -> None:
        """Close the JSON document; copy it to stdout when it was spooled."""
        self.tally.stop()
        if self.as_json:
            passed = self.tally.worst == EXIT_OK
            self._sink.write("\n], \"passed\": " + json.dumps(passed) + ", \"summary\": "
                             + json.dumps(self.tally.to_dict()) + "}\n")
            if self.report is None:
                self._sink.seek(0)
                shutil.copyfileobj(self._sink, sys.stdout)
                sys.stdout.flush()

    def _line(self, r: provenance.batch.Result) -> str | None:
        b = provenance.batch
        if isinstance(r, b.Failed):
            note = _recovered_note(r.report)
            reasons = [_unnamed(reason, r.path) for reason in r.reasons]
            return f"FAIL {r.path}: {'; '.join(reasons)}{'; ' + note if note else ''}"
        if isinstance(r, b.Skipped):
            reason = _unnamed(r.reason, r.path)
            return None if self.quiet else f"SKIP {r.path}: {reason}"
        if isinstance(r, b.Verified):
            if r.warnings:
                return f"WARN {r.path}: {'; '.join(r.warnings)}"
            note = _recovered_note(r.report)
            if note:  # passed by --accept-recovered
                what = "no Content Credentials" if r.report.status == "unsigned" else \
                    "Content Credentials do not verify"
                return None if self.quiet else f"OK   {r.path}: {what}; {note}"
            return None if self.quiet else f"OK   {r.path}: {_summary(r.report)}"
        if isinstance(r, b.Signed):
            return None if self.quiet else f"OK   {r.path} -> {_written(r)}"
        return None

    def summary_table(self) -> None:
        t = self.tally
        from rich.table import Table

        table = Table(title=f"{self.kind.capitalize()} summary", show_header=False)
        table.add_column("what")
        table.add_column("count", justify="right")

        def counts(c: Counter[str]) -> str:
            return ", ".join(f"{k} {v}" for k, v in sorted(c.items(), key=lambda kv: -kv[1]))

        table.add_row("files", str(t.total))
        for name in ("passed", "signed", "failed", "skipped"):
            if t.outcomes.get(name):
                table.add_row(name, str(t.outcomes[name]))
        if t.statuses and self.kind == "verify":
            table.add_row("status", counts(t.statuses))
        if t.origins and self.kind == "verify":
            table.add_row("origin", counts(t.origins))
        elapsed = t.elapsed or 0.0
        rate = f"{t.total / elapsed:,.0f} files/s" if elapsed > 0 else "-"
        table.add_row("time", f"{elapsed:.2f} s ({rate})")
        err.print(table)

    def rows_table(self) -> None:
        """The table of one row per file (``verify --table``; needs ``rows=True``), on stdout."""
        from rich.table import Table

        t = Table(title="Verification")
        for col in ("file", "status", "origin", "signer", "result"):
            t.add_column(col)
        for row in self.rows:
            t.add_row(*row)
        out.print(t)


def _run(kind: str, results: Any, *, total: int, as_json: bool, as_jsonl: bool,
         report: Path | None, quiet: bool, progress: bool | None,
         rows: bool = False) -> _Renderer:
    """Render every result as it arrives.

    Ctrl-C: work not started is cancelled, files in hand are finished (outputs appear whole or
    not at all), the report file is not written; then exit 130.
    """
    show = stderr_is_terminal() if progress is None else progress
    try:
        with _Renderer(kind=kind, total=total, as_json=as_json, as_jsonl=as_jsonl,
                       report=report, quiet=quiet, progress=show and total > 1,
                       rows=rows) as r:
            try:
                for result in results:
                    r.add(result)
            finally:
                results.close()
            r.finish()
    except KeyboardInterrupt:
        again = ("; the files signed so far are whole and kept: run the same command again "
                 "to finish (they are skipped)") if kind == "sign" else ""
        err.print(("interrupted; no report was written" if report else "interrupted") + again)
        raise Exit(130) from None
    return r


def _unnamed(reason: str, path: Path | str) -> str:
    """``reason`` without the file name it starts with ("x.bmp: BMP files cannot..."): the
    line names the file already."""
    for named in (f"{path}: ", f"{Path(path).name}: "):
        reason = reason.removeprefix(named)
    return reason


def _written(r: provenance.batch.Signed) -> str:
    """What signing wrote, named: the signed file, the sidecar, the .c2pa to publish."""
    notes = (["zip repacked with stored members"] if r.repacked else []) + list(r.notes)
    note = f" ({'; '.join(notes)})" if notes else ""
    if r.carrier == "sidecar" and r.manifest_file is not None:
        if r.output == r.path:
            return f"{r.manifest_file} (sidecar; {r.path} itself is unchanged){note}"
        return f"{r.output} + {r.manifest_file} (sidecar){note}"
    if r.carrier == "link" and r.manifest_file is not None:
        return (f"{r.output} + {r.manifest_file} (publish {r.manifest_file.name} at the "
                f"page's --manifest-url){note}")
    return f"{r.output}{note}"


def _row(r: provenance.batch.Result) -> tuple[str, str, str, str, str]:
    b = provenance.batch
    report = getattr(r, "report", None)
    if report is None:
        why = r.reason if isinstance(r, b.Skipped) else "; ".join(getattr(r, "reasons", ()))
        return (str(r.path), "skipped" if isinstance(r, b.Skipped) else "error", "-", "-", why)
    signer = report.signer.name if report.signer and report.signer.name else "-"
    result = "pass" if isinstance(r, b.Verified) else \
        r.reason if isinstance(r, b.Skipped) else "; ".join(getattr(r, "reasons", ()))
    return (str(r.path), report.status, report.origin, signer, result)


_STYLES = {"OK": "bold green", "FAIL": "bold red", "SKIP": "yellow", "WARN": "bold yellow"}


def status_line(line: str, through_rich: bool = False) -> None:
    """One OK/FAIL/SKIP/WARN line on stderr, its first word coloured on a terminal (never in
    a pipe; rich honours NO_COLOR)."""
    line = plain(line)
    if not (through_rich or stderr_is_terminal()):
        sys.stderr.write(line + "\n")  # the fast path for pipes and logs
        return
    from rich.text import Text

    text = Text(line)
    word = line.split(" ", 1)[0]
    if word in _STYLES:
        text.stylize(_STYLES[word], 0, len(word))
    err.print(text)


def _who(name: str | None, organization: str | None) -> str:
    """``Ada Lovelace (Example News)``; no organisation, no brackets."""
    who = name or "unknown signer"
    if organization and organization != who:
        who += f" ({organization})"
    return who


def _when(stamp: str | None) -> str | None:
    """An ISO time as ``2026-12-01 07:38 UTC`` (as given when it does not parse)."""
    if not stamp:
        return None
    from datetime import UTC, datetime

    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def _summary(report: Report) -> str:
    parts: list[str] = [report.status]
    domain = getattr(report.signer, "domain", None) if report.signer else None
    if report.status == "valid" and domain is not None and domain.verified:
        parts[0] = "valid (signer on no trust list; its own domain vouches for it)"
    elif report.status == "valid":
        parts[0] = "valid (signer not trusted; add their root with `provenance trust add`)"
    if report.status in ("trusted", "valid"):
        parts.append(f"origin {report.origin}")
        if report.signer:
            signed = f"signed by {_who(report.signer.name, report.signer.organization)}"
            when = _when(report.signed_at)
            parts.append(f"{signed} on {when}" if when else signed)
        parts.extend(_identity_parts(report))
        for ing in report.ingredients:
            if ing.relationship == "parentOf":
                parts.append(f"an edit of {ing.title or 'its parent'} ({ing.status})")
    return ", ".join(parts)


def _recovered_note(report: Report | None) -> str:
    """The recovery clause of a file's line: who the registry says made it, and that this is
    not a cryptographic match."""
    if report is None or not report.recovered:
        return ""
    best = report.recovered[0]
    who = best.signer.name or "an unknown signer"
    when = f" on {best.signed_at[:10]}" if best.signed_at else ""
    return (f"recovered by fingerprint: made by {who}{when}, similarity "
            f"{best.similarity} \u2014 not a cryptographic match")


def _identity_parts(report: Report) -> list[str]:
    """The people named by a signature of their own (CAWG identity assertions), and what the
    domain check said about the signer."""
    parts = [f"identity {i.name} ({i.status})" for i in report.identities
             if i.name and i.status in ("trusted", "valid")]
    domain = getattr(report.signer, "domain", None) if report.signer else None
    if domain is not None:
        if domain.verified is True:
            parts.append(f"domain {domain.name} verified")
        elif domain.verified is False:
            parts.append(f"domain {domain.name} NOT verified ({domain.reason})")
        else:
            parts.append(f"domain {domain.name} not checked")
    return parts


def _print_report(r: Report) -> None:
    def show(line: str) -> None:
        out.print(plain(line))

    show(f"{r.path}  ({r.media_type})")
    show(f"  status      {r.status}")
    show(f"  origin      {r.origin}")
    if r.signer:
        issuer = f"issued by {r.signer.issuer}, " if r.signer.issuer else ""
        show(f"  signer      {_who(r.signer.name, r.signer.organization)} "
                  f"({issuer}{'trusted' if r.signer.trusted else 'not trusted'})")
    for label, value in (("author", r.author), ("signed at", _when(r.signed_at)),
                         ("ai training", r.ai_training), ("generator", r.claim_generator)):
        if value:
            show(f"  {label:11} {value}")
    for ing in r.ingredients:
        show(f"  ingredient  {ing.title} ({ing.relationship}): {ing.status}, "
                  f"origin {ing.origin}")
    for i in r.identities:
        roles = f", {', '.join(i.roles)}" if i.roles else ""
        show(f"  identity    {i.name or '-'} ({i.sig_type or 'unknown'}{roles}): "
                  f"{'not trusted' if i.status == 'valid' else i.status}")
    if r.remote_url:
        show(f"  remote      {r.remote_url}")
    for f in r.failures:
        where = f" (in {f.ingredient})" if f.ingredient else ""
        show(f"  failure     {f.explanation}{where} [{f.code}]")
    for m in r.recovered:
        show(f"  recovered   {m.manifest_id} by {m.signer.name or '-'}"
                  f"{' on ' + m.signed_at[:10] if m.signed_at else ''}, origin {m.origin}, "
                  f"similarity {m.similarity} ({m.alg}, {m.source}): not a cryptographic match")
