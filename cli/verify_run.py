"""What ``provenance verify`` does, its options as plain arguments: the typer command
(cli/verify.py) and the fast path of cli/main.py (``provenance verify FILE...`` without typer)
both call ``verify_files``. Nothing here imports typer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import provenance
import provenance.batch
import provenance.policy
from provenance.errors import InputError

from .common import (
    EXIT_FAILED,
    _executor,
    _expand,
    _file_timeout,
    _read_stdin,
    _trust_store,
    _usage,
)
from .render import _run

__all__ = ["verify_files"]


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


def verify_files(
    files: list[Path],
    *,
    trust: list[Path] | None = None,
    require_trusted: bool = False,
    allow_ai: bool = False,
    require_identity: bool = False,
    fetch_remote: bool = False,
    init: Path | None = None,
    policy_file: Path | None = None,
    fail_on: str | None = None,
    recursive: bool = False,
    include: list[str] | None = None,
    exclude: list[str] | None = None,
    strict: bool = False,
    jobs: int | None = None,
    executor_url: str | None = None,
    name: str | None = None,
    as_json: bool = False,
    as_jsonl: bool = False,
    table: bool = False,
    report: Path | None = None,
    quiet: bool = False,
    progress: bool | None = None,
    summary: bool | None = None,
    file_timeout: float | None = None,
    max_stdin_mb: int | None = None,
    registry_dsn: list[str] | None = None,
    no_lookup: bool = False,
    accept_recovered: bool = False,
    check_domain: bool = False,
    require_domain: bool = False,
    refresh_domain: bool = False,
    domain_base: list[str] | None = None,
    domain_max_age: float = 3600.0,
) -> int:
    """Verify ``files`` as ``provenance verify`` does (each argument is the option of the same
    name); the exit code: the worst of the files'. Usage errors raise ``common.Exit``."""
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
        from provenance.policy_rules import DomainRequired

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
        return rendered.tally.worst
    if [str(f) for f in files] == ["-"]:
        results: Any = _verify_stdin(name or "stdin.txt", policy, store,
                                     _read_stdin(max_stdin_mb), sources)
        rendered = _run("verify", results, total=1, as_json=as_json, as_jsonl=as_jsonl,
                        report=report, quiet=quiet, progress=False, rows=table)
        return rendered.tally.worst
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
    return rendered.tally.worst


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
