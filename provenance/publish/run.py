"""Publishing a site: media and text signed first (in parallel), then the pages with their
media as ingredients, then the signed publication index; only what changed since the last run."""

from __future__ import annotations

import dataclasses
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

import provenance
from provenance import __version__
from provenance._files import atomic_write, mode_for
from provenance._record import record
from provenance.batch.ordering import run_ordered
from provenance.batch.sign_jobs import IdentityRef, _KeyBlob
from provenance.batch.worker_state import anchors, worker_state
from provenance.carriers import sidecar
from provenance.claims import HumanClaim
from provenance.errors import AlreadySigned, InputError, OutputError, ProvenanceError
from provenance.identity import Identity
from provenance.options import Ingredient, SignOptions
from provenance.publish.index import INDEX_PATH, Entry, Index, LinkProblem, file_sha256, load
from provenance.publish.plan import Planned, page_due, plan, settings_digest
from provenance.publish.scan import Kind, SiteFile, scan
from provenance.registry.base import Registry
from provenance.signing import same_signer
from provenance.trust import StoreState, TrustStore, store_state

__all__ = ["PUBLISH_SCHEMA_ID", "FileOutcome", "PublishResult", "publish"]

PUBLISH_SCHEMA_ID = "provenance.publish/v1"

Outcome = Literal["signed", "unchanged", "kept", "copied", "listed", "failed", "removed"]


@record
class FileOutcome:
    """What a run did with one file of the site.

    ``signed``; ``unchanged`` (as published last time: nothing written); ``kept`` (it already
    carries someone else's intact manifest, kept as it is); ``copied`` / ``listed`` (a type
    that cannot carry a manifest: copied to the output, or listed in place, with its hash);
    ``failed`` (``reason``, ``exit_code``); ``removed`` (gone from the site, and from the
    output and the index).
    """

    path: str
    kind: Kind
    outcome: Outcome
    manifest: str | None = None
    reason: str | None = None
    exit_code: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"path": self.path, "kind": self.kind, "outcome": self.outcome,
                "manifest": self.manifest, "reason": self.reason}


@record
class PublishResult:
    """A whole run: every file's outcome, the page links that are not ingredients, and the
    index (None when nothing changed and it was left as it was)."""

    site: Path
    out: Path
    files: tuple[FileOutcome, ...]
    links: tuple[LinkProblem, ...]
    index: Path
    index_written: bool

    def counts(self) -> dict[str, int]:
        """Files per outcome."""
        c: dict[str, int] = {}
        for f in self.files:
            c[f.outcome] = c.get(f.outcome, 0) + 1
        return c

    @property
    def exit_code(self) -> int:
        """0, or the worst failure's exit code."""
        return max((f.exit_code for f in self.files), default=0)

    def to_dict(self) -> dict[str, Any]:
        """The ``provenance.publish/v1`` document."""
        return {
            "schema": PUBLISH_SCHEMA_ID, "site": str(self.site), "out": str(self.out),
            "index": str(self.index), "index_written": self.index_written,
            "passed": self.exit_code == 0, "counts": self.counts(),
            "files": [f.to_dict() for f in self.files],
            "links": [p.to_dict() for p in self.links],
        }


# -- the work each worker does ----------------------------------------------------------------


@record
class _Spec:
    token: str
    identity: Identity | IdentityRef | _KeyBlob
    trust: StoreState
    options: SignOptions
    in_place: bool
    register: bool


@record
class _Job:
    rel: str
    kind: Kind
    src: Path
    dest: Path
    dest_root: Path
    action: Literal["sign", "copy", "list"]
    carrier: str | None = None
    manifest_url: str | None = None
    ingredients: tuple[Ingredient, ...] = ()
    #: pages: every medium it shows (site paths), signed or not
    shows: tuple[str, ...] = ()


@record
class _Done:
    rel: str
    kind: Kind
    outcome: Outcome
    entry: Entry | None = None
    reason: str | None = None
    exit_code: int = 0
    record: object | None = field(default=None, compare=False, repr=False)


def _work(spec: _Spec, jobs: list[_Job]) -> list[_Done]:
    def build() -> tuple[Identity, TrustStore]:
        ident = spec.identity
        loaded = ident if isinstance(ident, Identity) else ident.load()
        if loaded is spec.identity and threading.current_thread() is not \
                threading.main_thread():
            loaded = dataclasses.replace(loaded)  # a thread gets its own c2pa Signer
        return loaded, anchors(spec.trust)

    identity, store = worker_state(spec.token, build)
    out = []
    for job in jobs:
        try:
            out.append(_one(spec, identity, store, job))
        except ProvenanceError as exc:
            out.append(_Done(job.rel, job.kind, "failed", reason=str(exc),
                             exit_code=exc.exit_code))
        except OSError as exc:
            out.append(_Done(job.rel, job.kind, "failed",
                             reason=f"cannot write {job.dest}: {exc.strerror or exc}",
                             exit_code=3))
    return out


def _failed(job: _Job, exc: BaseException) -> _Done:
    code = exc.exit_code if isinstance(exc, ProvenanceError) else 3
    return _Done(job.rel, job.kind, "failed", reason=str(exc) or type(exc).__name__,
                 exit_code=code)


def _site_rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def _entry(job: _Job, src_hash: str, label: str | None, carrier: str | None,
           manifest_file: Path | None) -> Entry:
    mf = None if manifest_file is None else (_site_rel(manifest_file, job.dest_root),
                                             file_sha256(manifest_file))
    return Entry(job.rel, job.kind, file_sha256(job.dest), job.dest.stat().st_size, src_hash,
                 label, carrier, mf, job.shows)


def _copy(src: Path, dest: Path) -> None:
    if src == dest:
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    with src.open("rb") as fh:
        atomic_write(dest, mode_for(src), lambda out: shutil.copyfileobj(fh, out))


def _label(report: provenance.Report) -> str | None:
    store = report.manifest_store or {}
    label = store.get("active_manifest")
    return str(label) if label else None


def _one(spec: _Spec, identity: Identity, store: TrustStore, job: _Job) -> _Done:
    src_hash = file_sha256(job.src)
    if job.action != "sign":
        _copy(job.src, job.dest)
        return _Done(job.rel, job.kind, "copied" if job.action == "copy" else "listed",
                     _entry(job, src_hash, None, None, None))
    job.dest.parent.mkdir(parents=True, exist_ok=True)
    opts = dataclasses.replace(
        spec.options, output=None if spec.in_place else job.dest, out_dir=None,
        in_place=spec.in_place, overwrite=True, ingredients=job.ingredients,
        carrier=job.carrier, manifest_url=job.manifest_url,  # type: ignore[arg-type]
    )
    try:
        result = provenance.sign(job.src, identity=identity, options=opts, trust=store)
    except AlreadySigned:
        # Someone else's intact manifest (a photographer's) is kept; one of ours, or a broken
        # one, is replaced (a page whose media changed, a file edited after publishing).
        before = provenance.inspect(job.src, trust=store)
        if before.intact and (job.kind != "page" or not same_signer(before, identity)):
            _copy(job.src, job.dest)
            beside = sidecar.sidecar_path(job.src)
            if beside.is_file():
                _copy(beside, sidecar.sidecar_path(job.dest))
            return _Done(job.rel, job.kind, "kept", _entry(
                job, src_hash, _label(before), before.carrier,
                sidecar.sidecar_path(job.dest) if beside.is_file() else None))
        result = provenance.sign(job.src, identity=identity,
                                 options=dataclasses.replace(opts, replace=True), trust=store)
    # The manifest id: read from the store itself where it is whole (inline HTML, a .c2pa
    # file), which needs no second validation; otherwise (and to register) from c2pa.
    label = None if spec.register else _store_label(job.dest, result.carrier,
                                                    result.manifest_file)
    record = None
    if spec.register:
        from provenance.registry.record import NotRegistrable, record_from_signing

        # One validating read gives the verdict, the id and the record; the soft binding's
        # fingerprint is reused (no second decode). Refused (does not verify, or a type
        # without fingerprints): the inspection below says which.
        try:
            record = record_from_signing(job.dest, fingerprint=result.fingerprint,
                                         trust=store)
            label = record.manifest_id or None
        except NotRegistrable:
            record = None
    if label is None:
        report = provenance.inspect(job.dest, trust=store)
        if not report.intact:
            return _Done(job.rel, job.kind, "failed", reason="signed, but the output does "
                         f"not verify ({report.status})", exit_code=3)
        label = _label(report)
    return _Done(job.rel, job.kind, "signed",
                 _entry(job, src_hash, label, result.carrier, result.manifest_file),
                 record=record)


def _store_label(dest: Path, carrier: str, manifest_file: Path | None) -> str | None:
    """The active manifest id of a store held whole: an inline HTML page's, a .c2pa file's."""
    from provenance.carriers import html
    from provenance.jumbf import active_label

    if manifest_file is not None:
        return active_label(manifest_file.read_bytes())
    if carrier == "html":
        scripts = html.find_scripts(dest.read_bytes())
        if len(scripts) == 1 and scripts[0].store:
            return active_label(scripts[0].store)
    return None


# -- the run ----------------------------------------------------------------------------------


def _settings(identity: Identity, options: SignOptions, carrier: str) -> str:
    claim = options.claim
    return settings_digest({
        "format": 1,
        "signer": format(identity.certificate.serial_number, "x"),
        "carrier": carrier,
        "claim": None if claim is None else dataclasses.asdict(claim),
        "timestamp": options.tsa_url is not None,
        "identity_assertion": options.identity_assertion,
    })


def _check_dirs(site: Path, out_dir: Path | None, in_place: bool) -> Path:
    if not site.is_dir():
        raise InputError(f"{site} is not a folder", hint="give the folder your site "
                         "generator wrote (e.g. site/ or public/)")
    if (out_dir is None) == (not in_place):
        raise InputError("choose one of --out-dir DIR and --in-place",
                         hint="--out-dir writes a signed copy of the site")
    if out_dir is None:
        return site
    a, b = site.resolve(), out_dir.resolve()
    if a == b or a in b.parents:
        raise InputError(f"--out-dir {out_dir} is inside the site {site}",
                         hint="choose a folder outside it, or use --in-place")
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"--out-dir {out_dir} is a file, not a folder")
    return out_dir


def publish(
    site: Path | str,
    *,
    identity: Identity,
    out_dir: Path | str | None = None,
    in_place: bool = False,
    options: SignOptions | None = None,
    carrier: Literal["html", "link"] = "html",
    trust: TrustStore | None = None,
    executor: Executor | None = None,
    registry: Registry | None = None,
    file_timeout: float | None = None,
    on_file: Callable[[FileOutcome], None] | None = None,
) -> PublishResult:
    """Sign the site under ``site`` into ``out_dir`` (or in place), incrementally.

    Media, text and pages are signed with ``identity`` and ``options`` (claim, timestamp,
    identity assertion); pages with the A.7 inline carrier (``carrier="link"``: a ``.c2pa``
    beside each page) and the media they show as ``componentOf`` ingredients. Files already
    carrying someone else's intact manifest are kept; types that cannot carry one are copied.
    The publication index ``.well-known/c2pa/publication.json`` and its signed sidecar are
    written when anything changed. A file whose source and published copy are as the index
    records is left alone, as is a page none of whose media was signed again. With
    ``registry``, every signed image and text is registered (this process writes). ``on_file``
    is called with each file's outcome as it is known.

    Raises:
        InputError: not a folder, or no single destination.
        OutputError: the index cannot be written.
    """
    src_root = Path(site)
    dest_root = _check_dirs(src_root, Path(out_dir) if out_dir is not None else None,
                            in_place)
    base = options or SignOptions()
    store = trust if trust is not None else TrustStore.installed()
    ident: Identity | _KeyBlob = identity
    if executor is not None and not isinstance(executor, ThreadPoolExecutor):
        if identity.is_callback:
            raise InputError("a callback identity signs only in this process",
                             hint="use -j 1")
        ident = _KeyBlob.of(identity)
    settings = _settings(identity, base, carrier)
    spec = _Spec(uuid.uuid4().hex, ident, store_state(store),
                 dataclasses.replace(base, output=None, out_dir=None, in_place=False),
                 in_place, registry is not None)
    files = scan(src_root)
    try:
        dest_root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the output folder {dest_root}: "
                          f"{exc.strerror or exc}",
                          hint="choose a folder you can write to with --out-dir") from exc
    previous = load(dest_root)
    try:
        planned = plan(files, src_root, dest_root, in_place=in_place, previous=previous,
                       settings=settings)
    except OSError as exc:
        raise InputError(f"cannot read {exc.filename or src_root}: {exc.strerror or exc}",
                         hint="check the site's files and their permissions") from exc
    outcomes: list[FileOutcome] = []
    entries: dict[str, Entry] = {}

    def note(done: _Done) -> None:
        entry = done.entry
        outcome = FileOutcome(done.rel, done.kind, done.outcome,
                              entry.manifest if entry else None, done.reason, done.exit_code)
        outcomes.append(outcome)
        if entry is not None:
            entries[done.rel] = entry
        if on_file is not None:
            on_file(outcome)

    def run(jobs: list[_Job]) -> None:
        work: Any = _work  # run_ordered is typed for the batch results; ours are _Done
        failed: Any = _failed
        results: Iterator[Any] = run_ordered(
            work, spec, jobs, executor, failed, chunk_size=None, total=len(jobs),
            file_timeout=file_timeout)
        if registry is not None:
            from provenance.registry.writer import registering

            results = registering(results, registry)
        for done in results:
            if not isinstance(done, _Done):  # a file stopped by --file-timeout
                job = done.path
                done = _Done(job.rel, job.kind, "failed", reason="; ".join(done.reasons),
                             exit_code=done.exit_code)
            note(done)

    by_rel = {f.rel: f for f in files}
    # (1) Everything but the pages: the pages' manifests take in the media's.
    run([_job(f, src_root, dest_root, in_place, carrier, ()) for f in files
         if f.rel in planned.due])
    redone = {o.path for o in outcomes}
    for f in files:
        if f.kind != "page" and f.rel in planned.same:
            _unchanged(f, planned, entries, note)
    # (2) The pages, each with the media it shows that carry a manifest.
    page_jobs = []
    for f in files:
        if f.kind != "page":
            continue
        if not page_due(planned, f.rel, redone):
            _unchanged(f, planned, entries, note)
            continue
        shown = [m for m in planned.shows.get(f.rel, ())
                 if entries.get(m) is not None and entries[m].manifest]
        for m in planned.shows.get(f.rel, ()):
            if m not in shown:
                planned.links.append(LinkProblem(f.rel, m, "not signed"))
        page_jobs.append(dataclasses.replace(_job(
            f, src_root, dest_root, in_place, carrier,
            tuple(Ingredient(by_rel[m].under(dest_root), m) for m in shown)),
            shows=planned.shows.get(f.rel, ())))
    run(page_jobs)
    # (3) Files gone from the site leave the output (only what we wrote) and the index.
    for gone in planned.removed:
        _remove(gone, dest_root, in_place)
        note(_Done(gone.path, gone.kind, "removed"))
    index_path = dest_root / INDEX_PATH
    written = _write_index(index_path, identity, store, base, settings,
                           [entries[f.rel] for f in files if f.rel in entries], planned)
    order = {f.rel: n for n, f in enumerate(files)}
    ordered = sorted(outcomes, key=lambda o: order.get(o.path, len(order)))
    return PublishResult(src_root, dest_root, tuple(ordered), tuple(planned.links),
                         index_path, written)


def _job(f: SiteFile, src_root: Path, dest_root: Path, in_place: bool, carrier: str,
         ingredients: tuple[Ingredient, ...]) -> _Job:
    src, dest = f.under(src_root), f.under(dest_root)
    if f.kind == "file":
        return _Job(f.rel, f.kind, src, dest, dest_root, "list" if in_place else "copy")
    page_link = f.kind == "page" and carrier == "link"
    return _Job(f.rel, f.kind, src, dest, dest_root, "sign",
                carrier="link" if page_link else None,
                manifest_url=quote(dest.stem + ".c2pa") if page_link else None,
                ingredients=ingredients)


def _unchanged(f: SiteFile, planned: Planned, entries: dict[str, Entry],
               note: Callable[[_Done], None]) -> None:
    entry = planned.previous[f.rel]
    if f.kind == "page":
        entry = dataclasses.replace(entry, shows=planned.shows.get(f.rel, ()))
    note(_Done(f.rel, f.kind, "unchanged", entry))


def _remove(gone: Entry, dest_root: Path, in_place: bool) -> None:
    """Delete what an earlier run wrote for a file no longer in the site, when it is still
    exactly what was written (never anything else)."""
    targets = [] if in_place else [(gone.path, gone.sha256)]
    if gone.manifest_file is not None:
        targets.append(gone.manifest_file)
    for rel, digest in targets:
        p = dest_root.joinpath(*rel.split("/"))
        try:
            if p.is_file() and file_sha256(p) == digest:
                p.unlink()
        except OSError:
            continue


def _write_index(path: Path, identity: Identity, store: TrustStore, options: SignOptions,
                 settings: str, entries: list[Entry], planned: Planned) -> bool:
    """Write the index and its signed sidecar, unless both are there with this content."""
    info = identity.info()
    index = Index(
        files=tuple(entries), settings=settings,
        signer={"name": info.name, "organization": info.organization,
                "serial": format(identity.certificate.serial_number, "x")},
        generated={"name": "provenance", "version": __version__},
        links=tuple(planned.links),
    )
    data = index.to_bytes()
    manifest = sidecar.sidecar_path(path)
    try:
        if path.read_bytes() == data and manifest.is_file():
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    author = getattr(options.claim, "author", None)
    opts = dataclasses.replace(options, claim=HumanClaim("creation", author=author,
                                                         title=INDEX_PATH),
                               carrier="sidecar", ingredients=(), output=None, out_dir=None,
                               in_place=False)
    _, signed = sidecar.sign_store(data, path.name, identity=identity, options=opts,
                                   trust=store)
    atomic_write(path, 0o644, lambda fh: fh.write(data))
    atomic_write(manifest, 0o644, lambda fh: fh.write(signed))
    return True

