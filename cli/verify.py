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
    require_identity: Annotated[bool, typer.Option(
        help="Demand a CAWG identity assertion whose credential is trusted.")] = False,
    allow_ai: Annotated[bool, typer.Option(help="Accept AI or mixed origin.")] = False,
    fetch_remote: Annotated[bool, typer.Option(
        help="Fetch a manifest the file references by URL (network; bounded size and time)."
    )] = False,
    init: Annotated[Path | None, typer.Option(
        "--init", help="Fragmented MP4: the init segment; FILES are its fragments (.m4s).",
    )] = None,
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
    check_domain: Annotated[bool, typer.Option(
        help="Fetch the signer's domain file (HTTPS; cached) and report signer.domain.")] = False,
    require_domain: Annotated[bool, typer.Option(
        help="Demand that the signer's domain vouches for its key (implies --check-domain).",
    )] = False,
    refresh_domain: Annotated[bool, typer.Option(
        help="With --check-domain: ignore cached domain files.")] = False,
    domain_base: Annotated[list[str] | None, typer.Option(
        "--domain-base", metavar="DOMAIN=URL",
        help="Fetch DOMAIN's file under URL instead (http:// only for 127.0.0.1/localhost).",
    )] = None,
    domain_max_age: Annotated[float, typer.Option(
        help="Seconds a fetched domain file is used before it is fetched again.")] = 3600.0,
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
    if require_identity:
        policy = provenance.AllOf([policy, provenance.policy.IdentityRequired()])
    domain = _domain_check(
        check_domain or require_domain or bool(pipeline and pipeline.domain_required),
        refresh_domain, domain_base or [], domain_max_age)
    if require_domain:
        from provenance.domain import DomainRequired

        policy = provenance.AllOf([policy, DomainRequired()])
    if init is not None:
        fragments = _verify_fragments(init, files, policy, store)
        rendered = _run("verify", fragments, total=len(files), as_json=as_json,
                        as_jsonl=as_jsonl, report=report, quiet=quiet, progress=False,
                        rows=table)
        raise typer.Exit(rendered.tally.worst)
    if [str(f) for f in files] == ["-"]:
        results: Any = _verify_stdin(name or "stdin.txt", policy, store)
        rendered = _run("verify", results, total=1, as_json=as_json, as_jsonl=as_jsonl,
                        report=report, quiet=quiet, progress=False, rows=table)
        raise typer.Exit(rendered.tally.worst)
    items, is_batch = _expand(files, recursive, include, exclude, [])
    with _executor(jobs, executor_url, len(items)) as ex:
        results = provenance.batch.verify(
            items, policy=policy, trust=store, unsigned=unsigned,  # type: ignore[arg-type]
            strict=strict, executor=ex, fetch_remote=fetch_remote, domain=domain,
        )
        rendered = _run("verify", results, total=len(items), as_json=as_json,
                        as_jsonl=as_jsonl, report=report, quiet=quiet, progress=progress,
                        rows=table)
    if table:
        rendered.rows_table()
    if is_batch if summary is None else summary:
        rendered.summary_table()
    raise typer.Exit(rendered.tally.worst)


def _domain_check(fetch: bool, refresh: bool, bases: list[str],
                  max_age: float) -> Any:
    """The DomainCheck for --check-domain and friends (signer.domain is always reported when
    the certificate names a domain; fetched only when asked)."""
    from provenance.domain import DomainCheck, check_base_url, check_domain_name

    pairs: list[tuple[str, str]] = []
    for given in bases:
        host, sep, url = given.partition("=")
        if not sep or not host or not url:
            raise _usage(f"--domain-base {given!r}: expected DOMAIN=URL")
        try:
            pairs.append((check_domain_name(host), check_base_url(url)))
        except InputError as exc:
            raise _usage(f"--domain-base {given!r}: {exc}") from exc
    if (refresh or pairs) and not fetch:
        raise _usage("--refresh-domain and --domain-base go with --check-domain")
    if max_age < 0:
        raise _usage("--domain-max-age must be 0 or more seconds")
    return DomainCheck(fetch=fetch, refresh=refresh, max_age=max_age, bases=tuple(pairs))


def _verify_fragments(init: Path, fragments: list[Path], policy: provenance.Policy,
                      store: provenance.TrustStore) -> Iterator[provenance.batch.Result]:
    """``provenance verify --init init.mp4 seg.m4s...``: each fragment judged with its init."""
    for path in fragments:
        try:
            report = provenance.inspect_fragment(init, path, trust=store)
        except InputError as exc:
            yield provenance.batch.Failed(path, None, (str(exc),), exc.exit_code)
            continue
        reasons = policy.check(report)
        if reasons:
            yield provenance.batch.Failed(path, report, tuple(reasons), EXIT_FAILED)
        else:
            yield provenance.batch.Verified(path, report)


def _verify_stdin(name: str, policy: provenance.Policy,
                  store: provenance.TrustStore) -> Iterator[provenance.batch.Result]:
    """``provenance verify -``: the text on stdin, judged like a file named ``name``."""
    from provenance.carriers.text import inspect_text_bytes

    report = inspect_text_bytes(sys.stdin.buffer.read(), name=name, trust=store)
    reasons = policy.check(report)
    path = Path("-")
    if reasons:
        yield provenance.batch.Failed(path, report, tuple(reasons), EXIT_FAILED)
    else:
        yield provenance.batch.Verified(path, report)


def inspect_cmd(
    files: Annotated[list[Path], typer.Argument(help="Files to describe.")],
    trust: Annotated[list[Path] | None, typer.Option(help="Extra trust anchor PEM.")] = None,
    fetch_remote: Annotated[bool, typer.Option(
        help="Fetch a manifest the file references by URL (network; bounded size and time)."
    )] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")] = False,
    as_jsonl: Annotated[bool, typer.Option("--jsonl", help="One JSON line per file.")] = False,
) -> None:
    """Describe the Content Credentials of FILES without judging them."""
    if as_json and as_jsonl:
        raise _usage("choose one of --json and --jsonl")
    store = _trust_store(trust)
    worst = EXIT_OK
    docs: list[dict[str, Any]] = []
    for path in files:
        try:
            report = provenance.inspect(path, trust=store, fetch_remote=fetch_remote)
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
