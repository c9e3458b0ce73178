"""``provenance verify`` judges files, trees or stdin by a policy; ``inspect`` only describes."""


import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

import provenance
import provenance.batch
import provenance.policy
from provenance.errors import InputError, UnsupportedFormat

from .common import (
    EXIT_FAILED,
    EXIT_OK,
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
    _executor,
    _expand,
    _file_timeout,
    _read_stdin,
    _trust_store,
    _usage,
    err,
)
from .render import _print_report, _run, status_line

RegistryOpt = Annotated[list[str] | None, typer.Option(
    "--registry", metavar="DSN", rich_help_panel=P_REGISTRY,
    help="Also look up stripped copies in this registry (sqlite:///PATH, "
    "postgresql://... or a resolution API's https:// URL; repeatable).")]
NoLookupOpt = Annotated[bool, typer.Option(
    "--no-lookup", rich_help_panel=P_REGISTRY,
    help="Do not look up files without Content Credentials in registries.")]


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
        help="With '-': the file name that gives stdin's type (default stdin.txt).")] = None,
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
        help="Print only failures and warnings.")] = False,
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
    if as_json and as_jsonl:
        raise _usage("choose one of --json and --jsonl")
    categories = _fail_on(fail_on)
    if allow_ai and (policy_file is not None or categories):
        raise _usage("--allow-ai relaxes the default policy only; with --policy use "
                     "[origin] allow, with --fail-on leave out ai")
    pipeline = None
    if policy_file is not None:  # imported here: `provenance --help` loads this module
        from provenance.policyfile import load_policy

        pipeline = load_policy(policy_file)
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
    sources = _sources(registry_dsn, no_lookup)
    if accept_recovered:
        if not sources:
            raise _usage("--accept-recovered needs a registry lookup (drop --no-lookup)")
        from provenance.registry.recovery import AcceptRecovered

        policy = AcceptRecovered(policy, require_trusted=require_trusted)
    if init is not None:
        fragments = _verify_fragments(init, files, policy, store)
        rendered = _run("verify", fragments, total=len(files), as_json=as_json,
                        as_jsonl=as_jsonl, report=report, quiet=quiet, progress=False,
                        rows=table)
        raise typer.Exit(rendered.tally.worst)
    if [str(f) for f in files] == ["-"]:
        results: Any = _verify_stdin(name or "stdin.txt", policy, store,
                                     _read_stdin(max_stdin_mb), sources)
        rendered = _run("verify", results, total=1, as_json=as_json, as_jsonl=as_jsonl,
                        report=report, quiet=quiet, progress=False, rows=table)
        raise typer.Exit(rendered.tally.worst)
    items, is_batch = _expand(files, recursive, include, exclude, [])
    with _executor(jobs, executor_url, len(items)) as ex:
        results = provenance.batch.verify(
            items, policy=policy, trust=store, unsigned=unsigned,  # type: ignore[arg-type]
            strict=strict, executor=ex, fetch_remote=fetch_remote,
            file_timeout=_file_timeout(file_timeout), registries=sources,
            domain=domain,
        )
        results = _publication(files, recursive, results, store)
        rendered = _run("verify", results, total=len(items), as_json=as_json,
                        as_jsonl=as_jsonl, report=report, quiet=quiet, progress=progress,
                        rows=table)
    if table:
        rendered.rows_table()
    if is_batch if summary is None else summary:
        rendered.summary_table()
    raise typer.Exit(rendered.tally.worst)


def _publication(files: list[Path], recursive: bool, results: Any,
                 store: provenance.TrustStore) -> Any:
    """Folders holding a publication index (``provenance publish``) are also checked
    against it: every file, every page's media, files missing from the index or the disk."""
    if not recursive:
        return results
    from provenance.publish.check import has_index, with_index

    roots = [f for f in files if f.is_dir() and has_index(f)]
    return with_index(results, roots, trust=store) if roots else results


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


def _sources(dsns: list[str] | None, no_lookup: bool) -> list[str | None]:
    """Which registries recovery asks: local, config.toml's, then --registry."""
    if no_lookup:
        if dsns:
            raise _usage("choose one of --no-lookup and --registry")
        return []
    from provenance.registry.sources import lookup_sources

    return lookup_sources(dsns or ())


def _verify_stdin(name: str, policy: provenance.Policy, store: provenance.TrustStore,
                  data: bytes, sources: list[str | None]) -> Iterator[provenance.batch.Result]:
    """``provenance verify -``: the text on stdin, judged like a file named ``name``."""
    from provenance.carriers.text import inspect_text_bytes

    report = inspect_text_bytes(data, name=name, trust=store)
    if sources:
        from provenance.registry.recovery import recover

        report = recover(report, data, report.media_type, sources, trust=store)
    reasons = policy.check(report)
    path = Path("-")
    if reasons:
        yield provenance.batch.Failed(path, report, tuple(reasons), EXIT_FAILED)
    else:
        yield provenance.batch.Verified(path, report)


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
