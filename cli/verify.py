"""``provenance verify`` judges files, trees or stdin by a policy; ``inspect`` only describes."""


import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

import provenance
import provenance.batch
import provenance.policy
from provenance.errors import InputError, UnsupportedFormat

from .common import (
    EXIT_OK,
    _expand,
    _trust_store,
    _usage,
    err,
)
from .options import (
    P_FILES,
    P_POLICY,
    P_REGISTRY,
    P_REPORT,
    ExcludeOpt,
    ExecutorOpt,
    FileTimeoutOpt,
    IncludeOpt,
    JobsOpt,
    JsonlOpt,
    JsonOpt,
    MaxStdinOpt,
    StrictOpt,
)
from .render import _print_report, status_line
from .verify_run import _sources, verify_files

RegistryOpt = Annotated[list[str] | None, typer.Option(
    "--registry", metavar="DSN", rich_help_panel=P_REGISTRY,
    help="Also look up stripped copies in this registry (sqlite:///PATH, "
    "postgresql://... or a resolution API's https:// URL; repeatable).")]
NoLookupOpt = Annotated[bool, typer.Option(
    "--no-lookup", rich_help_panel=P_REGISTRY,
    help="Do not look up files without Content Credentials in registries.")]




def verify_cmd(
    files: Annotated[list[Path], typer.Argument(
        metavar="FILE...", show_default=False,
        help="Files, folders (with -r) or glob patterns to verify; '-' reads stdin.")],
    # -- the policy
    trust: Annotated[list[Path] | None, typer.Option(
        "--trust", metavar="PEM", rich_help_panel=P_POLICY,
        help="Also trust signers that chain to this root (repeatable).")] = None,
    require_trusted: Annotated[bool, typer.Option(
        "--require-trusted", rich_help_panel=P_POLICY,
        help="Fail a valid signature whose signer is not trusted.")] = False,
    allow_ai: Annotated[bool, typer.Option(
        "--allow-ai", rich_help_panel=P_POLICY, help="Accept AI or mixed origin.")] = False,
    require_identity: Annotated[bool, typer.Option(
        "--require-identity", rich_help_panel=P_POLICY,
        help="Fail unless a CAWG identity assertion names the author with a trusted "
        "credential.")] = False,
    fetch_remote: Annotated[bool, typer.Option(
        "--fetch-remote", rich_help_panel=P_POLICY,
        help="Fetch a manifest the file references by URL (network; bounded size and time)."
    )] = False,
    init: Annotated[Path | None, typer.Option(
        "--init", metavar="FILE", rich_help_panel=P_FILES,
        help="Fragmented MP4: the init segment; FILES are its fragments (.m4s).",
    )] = None,
    policy_file: Annotated[Path | None, typer.Option(
        "--policy", metavar="FILE", rich_help_panel=P_POLICY,
        help="A policy file (TOML): anchors, signers, origin, unsigned, age.",
    )] = None,
    fail_on: Annotated[str | None, typer.Option(
        "--fail-on", metavar="KINDS", rich_help_panel=P_POLICY,
        help="Fail only on these, comma-separated: unsigned, invalid, ai, untrusted "
        "(instead of the default policy).")] = None,
    # -- many files
    recursive: Annotated[bool, typer.Option(
        "-r", "--recursive", rich_help_panel=P_FILES,
        help="Verify every file under the folders given.")] = False,
    include: IncludeOpt = None,
    exclude: ExcludeOpt = None,
    strict: StrictOpt = False,
    jobs: JobsOpt = None,
    executor_url: ExecutorOpt = None,
    name: Annotated[str | None, typer.Option(
        "--name", metavar="NAME", rich_help_panel=P_FILES,
        help="With '-': a text file's name, whose type says how to read stdin (.txt, "
        ".md, .html...; default stdin.txt).")] = None,
    # -- what is printed
    as_json: JsonOpt = False,
    as_jsonl: JsonlOpt = False,
    table: Annotated[bool, typer.Option(
        "--table", rich_help_panel=P_REPORT, help="A table of every file on stdout.")] = False,
    report: Annotated[Path | None, typer.Option(
        "-o", "--output", "--report", metavar="FILE", rich_help_panel=P_REPORT,
        help="Write the JSON (with --jsonl: JSON lines) report to this file.")] = None,
    quiet: Annotated[bool, typer.Option(
        "-q", "--quiet", rich_help_panel=P_REPORT,
        help="Print only failures, warnings and the summary (--no-summary: not that).")] = False,
    progress: Annotated[bool | None, typer.Option(
        "--progress/--no-progress", rich_help_panel=P_REPORT,
        help="Progress bar (default: on a terminal).")] = None,
    summary: Annotated[bool | None, typer.Option(
        "--summary/--no-summary", rich_help_panel=P_REPORT,
        help="Summary table at the end (default: for folders and patterns).")] = None,
    file_timeout: Annotated[float | None, FileTimeoutOpt] = None,
    max_stdin_mb: Annotated[int | None, MaxStdinOpt] = None,
    registry_dsn: RegistryOpt = None,
    no_lookup: NoLookupOpt = False,
    accept_recovered: Annotated[bool, typer.Option(
        "--accept-recovered", rich_help_panel=P_POLICY,
        help="Pass a file whose manifest is recovered by fingerprint from a registry "
        "(human origin; trusted with --require-trusted). Not a cryptographic match.",
    )] = False,
    check_domain: Annotated[bool, typer.Option(
        "--check-domain", rich_help_panel=P_POLICY,
        help="Fetch the signer's domain file (HTTPS; cached) and report signer.domain.")] = False,
    require_domain: Annotated[bool, typer.Option(
        "--require-domain", rich_help_panel=P_POLICY,
        help="Demand that the signer's domain vouches for its key (implies --check-domain).",
    )] = False,
    refresh_domain: Annotated[bool, typer.Option(
        "--refresh-domain", rich_help_panel=P_POLICY,
        help="With --check-domain: ignore cached domain files.")] = False,
    domain_base: Annotated[list[str] | None, typer.Option(
        "--domain-base", metavar="DOMAIN=URL", rich_help_panel=P_POLICY,
        help="Fetch DOMAIN's file under URL instead (http:// only for 127.0.0.1/localhost).",
    )] = None,
    domain_max_age: Annotated[float, typer.Option(
        "--domain-max-age", metavar="SECONDS", rich_help_panel=P_POLICY,
        help="Seconds a fetched domain file is used before it is fetched again.")] = 3600.0,
) -> None:
    """Verify FILES: intact Content Credentials that declare human origin.

    A valid signature from a signer you have not chosen to trust passes as "valid, signer not
    trusted" (--require-trusted fails it); tampering always fails. --policy and --fail-on
    replace the default policy. Exit 0 all passed, 1 a file failed, 2 bad usage or unreadable
    input, 3 operational failure. See also: provenance help trust, provenance help exit-codes.
    """
    raise typer.Exit(verify_files(
        files,
        trust=trust,
        require_trusted=require_trusted,
        allow_ai=allow_ai,
        require_identity=require_identity,
        fetch_remote=fetch_remote,
        init=init,
        policy_file=policy_file,
        fail_on=fail_on,
        recursive=recursive,
        include=include,
        exclude=exclude,
        strict=strict,
        jobs=jobs,
        executor_url=executor_url,
        name=name,
        as_json=as_json,
        as_jsonl=as_jsonl,
        table=table,
        report=report,
        quiet=quiet,
        progress=progress,
        summary=summary,
        file_timeout=file_timeout,
        max_stdin_mb=max_stdin_mb,
        registry_dsn=registry_dsn,
        no_lookup=no_lookup,
        accept_recovered=accept_recovered,
        check_domain=check_domain,
        require_domain=require_domain,
        refresh_domain=refresh_domain,
        domain_base=domain_base,
        domain_max_age=domain_max_age,
    ))


def inspect_cmd(
    files: Annotated[list[Path], typer.Argument(
        metavar="FILE...", show_default=False,
        help="Files, folders (with -r) or glob patterns to describe.")],
    recursive: Annotated[bool, typer.Option(
        "-r", "--recursive", help="Describe every file under the folders given.")] = False,
    trust: Annotated[list[Path] | None, typer.Option(
        "--trust", metavar="PEM", help="Also trust signers that chain to this root.")] = None,
    manifest: Annotated[bool, typer.Option(
        "--manifest", help="Print the whole manifest store as c2pa reads it (JSON).")] = False,
    fetch_remote: Annotated[bool, typer.Option(
        "--fetch-remote",
        help="Fetch a manifest the file references by URL (network; bounded size and time)."
    )] = False,
    as_json: Annotated[bool, typer.Option(
        "--json", help="One provenance.inspect/v1 document on stdout.")] = False,
    as_jsonl: Annotated[bool, typer.Option(
        "--jsonl", help="One provenance.report/v1 line per file on stdout.")] = False,
    registry_dsn: RegistryOpt = None,
    no_lookup: NoLookupOpt = False,
) -> None:
    """Describe the Content Credentials of FILES without judging them (exit 0 when every file
    could be read, whatever it says)."""
    if sum((as_json, as_jsonl, manifest)) > 1:
        raise _usage("choose one of --json, --jsonl and --manifest")
    store = _trust_store(trust)
    items, _ = _expand(files, recursive, None, None, [])
    sources = _sources(registry_dsn, no_lookup)
    worst = EXIT_OK
    docs: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for item in items:
        try:
            report = provenance.inspect(item.path, trust=store, fetch_remote=fetch_remote,
                                        registries=sources)
        except UnsupportedFormat as exc:
            if not item.explicit:  # found in a folder: left alone, as verify does
                status_line(f"SKIP {item.path}: {exc}")
                errors.append({"path": str(item.path), "error": str(exc), "skipped": True})
                continue
            status_line(f"FAIL {item.path}: {exc}")
            errors.append({"path": str(item.path), "error": str(exc)})
            worst = max(worst, exc.exit_code)
            continue
        except InputError as exc:
            status_line(f"FAIL {item.path}: {exc}")
            errors.append({"path": str(item.path), "error": str(exc)})
            worst = max(worst, exc.exit_code)
            continue
        if manifest:
            _print_store(report, many=len(items) > 1)
            continue
        doc = report.to_dict()
        docs.append(doc)
        if as_jsonl:
            sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
        elif not as_json:
            _print_report(report)
    if as_json:
        from provenance.report import inspect_document

        sys.stdout.write(json.dumps(inspect_document(docs, errors), indent=2,
                                    ensure_ascii=False) + "\n")
    raise typer.Exit(worst)


def _print_store(report: provenance.Report, *, many: bool) -> None:
    """``inspect --manifest``: c2pa's manifest store, unchanged (one line per file when there
    are several; ``null`` for a file without one)."""
    store = report.manifest_store
    if many:
        sys.stdout.write(json.dumps({"path": report.path, "manifest_store": store},
                                    ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(json.dumps(store, indent=2, ensure_ascii=False) + "\n")
    if store is None:
        err.print(f"note: {report.path} has no manifest store ({report.status})")
