"""``provenance verify`` judges files, trees or stdin by a policy; ``inspect`` only describes."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

import provenance
import provenance.batch
import provenance.policy
from cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    _BatchOpt,
    _executor,
    _expand,
    _trust_store,
    _usage,
    err,
)
from cli.render import _print_report, _reports_out, _run
from provenance.errors import InputError
from provenance.policyfile import load_policy


def _fail_on(value: str | None) -> frozenset[str]:
    if value is None:
        return frozenset()
    cats = [v.strip() for v in value.split(",") if v.strip()]
    known = provenance.policy.FAIL_ON_CATEGORIES
    bad = [c for c in cats if c not in known]
    if bad or not cats:
        raise _usage(f"--fail-on: unknown value {', '.join(bad) or repr(value)} "
                     f"(choose from {', '.join(known)}, comma-separated)")
    return frozenset(cats)


def verify_cmd(
    files: Annotated[list[Path], typer.Argument(
        help="Files, directories (with --recursive) or glob patterns to verify.")],
    trust: Annotated[list[Path] | None, typer.Option(help="Extra trust anchor PEM.")] = None,
    require_trusted: Annotated[bool, typer.Option(help="Demand a trusted signer.")] = False,
    allow_ai: Annotated[bool, typer.Option(help="Accept AI or mixed origin.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")] = False,
    as_jsonl: Annotated[bool, typer.Option("--jsonl", help="One JSON line per file.")] = False,
    table: Annotated[bool, typer.Option(help="Print a summary table on stdout.")] = False,
    policy_file: Annotated[Path | None, typer.Option(
        "--policy", help="A policy file (TOML): anchors, signers, origin, unsigned, age.",
    )] = None,
    fail_on: Annotated[str | None, typer.Option(
        "--fail-on", help="Fail only on these, comma-separated: unsigned, invalid, ai, "
        "untrusted (instead of the default policy).")] = None,
    recursive: Annotated[bool, _BatchOpt("-r", "--recursive",
                                         help="Verify every file under directories.")] = False,
    include: Annotated[list[str] | None, _BatchOpt(
        help="Only files matching this pattern (repeatable; '*.jpg', 'photos/*').")] = None,
    exclude: Annotated[list[str] | None, _BatchOpt(
        help="Leave out files or folders matching this pattern (repeatable).")] = None,
    strict: Annotated[bool, _BatchOpt(
        help="Fail (exit 2) on files of unsupported types instead of skipping them.")] = False,
    jobs: Annotated[int | None, _BatchOpt("-j", "--jobs",
                                          help="Worker processes (default: all cores).")] = None,
    executor_url: Annotated[str | None, _BatchOpt(
        "--executor", help="Run on a Dask cluster: dask://HOST:PORT.")] = None,
    report: Annotated[Path | None, _BatchOpt(
        "-o", "--output", "--report",
        help="Write the JSON (or, with --jsonl, JSONL) report to this file.")] = None,
    quiet: Annotated[bool, _BatchOpt("-q", "--quiet",
                                     help="Print only failures and warnings.")] = False,
    progress: Annotated[bool | None, _BatchOpt(
        "--progress/--no-progress", help="Progress bar (default: on a terminal).")] = None,
    summary: Annotated[bool | None, _BatchOpt(
        "--summary/--no-summary",
        help="Summary table at the end (default: for directories and patterns).")] = None,
    name: Annotated[str | None, typer.Option(
        help="With FILE '-': the name that gives stdin's type (default stdin.txt).")] = None,
    registry_dsn: RegistryOpt = None,
    no_lookup: NoLookupOpt = False,
    accept_recovered: Annotated[bool, typer.Option(
        help="Pass a file whose manifest is recovered by fingerprint from a registry "
        "(human origin; trusted with --require-trusted). Not a cryptographic match.",
    )] = False,
) -> None:
    """Verify FILES: intact Content Credentials declaring human origin (or --policy/--fail-on)."""
    if as_json and as_jsonl:
        raise _usage("choose one of --json and --jsonl")
    categories = _fail_on(fail_on)
    if allow_ai and (policy_file is not None or categories):
        raise _usage("--allow-ai relaxes the default policy only; with --policy use "
                     "[origin] allow, with --fail-on leave out ai")
    pipeline = load_policy(policy_file) if policy_file is not None else None
    store = _trust_store(trust)
    unsigned: str = "fail"
    rules: list[provenance.Policy] = []
    if pipeline is not None:
        store = store.merged(pipeline.anchors)
        unsigned = pipeline.unsigned
        rules.append(pipeline)
    if categories:
        rules.append(provenance.policy.FailOn(categories))  # type: ignore[arg-type]
        if "unsigned" in categories:
            unsigned = "fail"  # the explicit flag wins over the file's warn/skip
    if not rules:
        policy: provenance.Policy = provenance.default_policy(
            require_trusted=require_trusted, allow_ai=allow_ai)
    else:
        if require_trusted:
            rules.append(provenance.TrustedSigner())
        policy = rules[0] if len(rules) == 1 else provenance.AllOf(rules)
    sources = _sources(registry_dsn, no_lookup)
    if accept_recovered:
        if not sources:
            raise _usage("--accept-recovered needs a registry lookup (drop --no-lookup)")
        from provenance.registry.recovery import AcceptRecovered

        policy = AcceptRecovered(policy, require_trusted=require_trusted)
    if [str(f) for f in files] == ["-"]:
        results: Any = _verify_stdin(name or "stdin.txt", policy, store, sources)
        rendered = _run("verify", results, total=1, as_json=as_json, as_jsonl=as_jsonl,
                        report=report, quiet=quiet, progress=False, rows=table)
        raise typer.Exit(rendered.tally.worst)
    items, is_batch = _expand(files, recursive, include, exclude, [])
    with _executor(jobs, executor_url, len(items)) as ex:
        results = provenance.batch.verify(
            items, policy=policy, trust=store, unsigned=unsigned,  # type: ignore[arg-type]
            strict=strict, executor=ex, registries=sources,
        )
        rendered = _run("verify", results, total=len(items), as_json=as_json,
                        as_jsonl=as_jsonl, report=report, quiet=quiet, progress=progress,
                        rows=table)
    if table:
        rendered.rows_table()
    if is_batch if summary is None else summary:
        rendered.summary_table()
    raise typer.Exit(rendered.tally.worst)


RegistryOpt = Annotated[list[str] | None, typer.Option(
    "--registry", help="Also look up stripped copies in this registry (sqlite:///PATH or "
    "postgresql://...; repeatable).")]
NoLookupOpt = Annotated[bool, typer.Option(
    "--no-lookup", help="Do not look up files without Content Credentials in registries.")]


def _sources(dsns: list[str] | None, no_lookup: bool) -> list[str | None]:
    """Which registries recovery asks: local, config.toml's, then --registry."""
    if no_lookup:
        if dsns:
            raise _usage("choose one of --no-lookup and --registry")
        return []
    from provenance.registry.recovery import lookup_sources

    return lookup_sources(dsns or ())


def _verify_stdin(name: str, policy: provenance.Policy, store: provenance.TrustStore,
                  sources: list[str | None]) -> Iterator[provenance.batch.Result]:
    """``provenance verify -``: the text on stdin, judged like a file named ``name``."""
    from provenance.carriers.text import inspect_text_bytes

    data = sys.stdin.buffer.read()
    report = inspect_text_bytes(data, name=name, trust=store)
    if sources:
        from provenance.registry.recovery import recover

        report = recover(report, data, report.media_type, sources)
    reasons = policy.check(report)
    path = Path("-")
    if reasons:
        yield provenance.batch.Failed(path, report, tuple(reasons), EXIT_FAILED)
    else:
        yield provenance.batch.Verified(path, report)


def inspect_cmd(
    files: Annotated[list[Path], typer.Argument(help="Files to describe.")],
    trust: Annotated[list[Path] | None, typer.Option(help="Extra trust anchor PEM.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")] = False,
    as_jsonl: Annotated[bool, typer.Option("--jsonl", help="One JSON line per file.")] = False,
    registry_dsn: RegistryOpt = None,
    no_lookup: NoLookupOpt = False,
) -> None:
    """Describe the Content Credentials of FILES without judging them."""
    if as_json and as_jsonl:
        raise _usage("choose one of --json and --jsonl")
    store = _trust_store(trust)
    sources = _sources(registry_dsn, no_lookup)
    worst = EXIT_OK
    docs: list[dict[str, Any]] = []
    for path in files:
        try:
            report = provenance.inspect(path, trust=store, registries=sources)
        except InputError as exc:
            err.print(f"FAIL {path}: {exc}")
            worst = max(worst, exc.exit_code)
            continue
        doc = report.to_dict()
        docs.append(doc)
        if as_jsonl:
            sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
        elif not as_json:
            _print_report(report)
    _reports_out(docs, as_json, worst == EXIT_OK)
    raise typer.Exit(worst)
