"""Signing many files: destinations planned up front, one provenance.sign per file,
idempotent re-runs."""

from __future__ import annotations

import dataclasses
import os
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import field, replace
from pathlib import Path

import provenance
from provenance._record import record
from provenance.batch.expand import Item, path_key
from provenance.batch.ordering import run_ordered
from provenance.batch.results import Failed, Result, Signed, Skipped, failed_from
from provenance.batch.worker_state import Expired, anchors, resolve, worker_state
from provenance.claims import ClaimTemplate, HumanClaim
from provenance.errors import (
    AlreadySigned,
    InputError,
    ProvenanceError,
    UnsupportedFormat,
)
from provenance.identity import Identity, env_passphrase
from provenance.options import CarrierName, SignOptions
from provenance.registry.base import Registry
from provenance.signing import (
    Plan,
    SignResult,
    default_output,
    plan,
    same_signer,
    up_to_date,
)
from provenance.trust import StoreState, TrustStore, store_state

# -- sign -------------------------------------------------------------------------------------


@record
class IdentityRef:
    """An identity by its directory, loaded by each worker for itself.

    Use it with remote executors: the key stays on disk, readable at the same path on the
    workers, and nothing secret travels with the work. The passphrase of an encrypted key
    comes from each worker's own environment: ``PROVENANCE_KEY_PASSWORD``, or the file named
    by ``PROVENANCE_KEY_PASSWORD_FILE`` (a secret mounted on the workers). ``password`` is
    for local executors only: given, it is pickled with every task.
    """

    directory: Path
    password: bytes | None = field(default=None, repr=False)

    def load(self) -> Identity:
        """Load the identity (IdentityError when it cannot be)."""
        return Identity.load(self.directory, password=self.password or env_passphrase())


@record(repr=False)
class _KeyBlob:
    """An in-memory identity for a local process pool: chain and key as bytes."""

    chain: tuple[bytes, ...]
    key_pem: bytes
    root: bytes | None
    algorithm: str

    @classmethod
    def of(cls, identity: Identity) -> _KeyBlob:
        from cryptography.hazmat.primitives import serialization

        der = serialization.Encoding.DER
        return cls(tuple(c.public_bytes(der) for c in identity.chain),
                   identity.private_key_pem(),
                   identity.root.public_bytes(der) if identity.root else None,
                   identity.algorithm)

    def load(self) -> Identity:
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization

        key = serialization.load_pem_private_key(self.key_pem, None)
        return Identity(
            chain=tuple(x509.load_der_x509_certificate(c) for c in self.chain),
            algorithm=self.algorithm, _key=key,  # type: ignore[arg-type]
            root=x509.load_der_x509_certificate(self.root) if self.root else None,
        )


@record
class _SignSpec:
    token: str
    cwd: str
    identity: Identity | IdentityRef | _KeyBlob
    trust: StoreState
    options: SignOptions
    force: bool
    strict: bool
    skip_signed: bool = False
    register: bool = False


@record
class _SignJob:
    item: Item
    dest: Path | None  # None: provenance.sign's default (NAME.signed.EXT beside it)


def sign(
    items: Iterable[Item | Path | str],
    *,
    identity: Identity | IdentityRef,
    options: SignOptions | None = None,
    trust: TrustStore | None = None,
    force: bool = False,
    strict: bool = False,
    skip_signed: bool = False,
    executor: Executor | None = None,
    chunk_size: int | None = None,
    out_dir: Path | str | None = None,
    output: Path | str | None = None,
    in_place: bool = False,
    claim: HumanClaim | ClaimTemplate | None = None,
    parent: Path | str | None = None,
    thumbnail: bool = False,
    replace: bool = False,
    tsa_url: str | None = None,
    carrier: CarrierName | None = None,
    manifest_url: str | None = None,
    file_timeout: float | None = None,
    registry: Registry | None = None,
) -> Iterator[Signed | Failed | Skipped]:
    """Sign every file; yield one result per file, in input order.

    With ``registry``, each signed image or text is registered there: the workers compute
    the records (:func:`provenance.registry.record.record_from_signing`), this process writes them,
    a few hundred per transaction.

    ``options`` (:class:`~provenance.options.SignOptions`) says what to claim, where to write,
    which carrier, timestamp and thumbnail, for every file; the keyword arguments of the same
    names (``out_dir`` ... ``manifest_url``) are applied on top of it.

    Each output is ``out_dir / item.relative`` (folders made as needed), ``output`` (one file
    only), the source itself (``in_place``) or ``NAME.signed.EXT`` beside the source (for a
    sidecar: ``NAME.EXT.c2pa`` beside it). A file whose output already holds what would be
    written (this identity, the same carrier and claim, newer than the source; see
    :func:`provenance.signing.up_to_date`) is skipped as ``unchanged``; ``force`` signs it
    again and also replaces an existing output that is not an earlier output of this
    identity (otherwise refused: the overwrite rule of :func:`provenance.sign`). A source found
    in a directory that already carries this identity's intact manifest is skipped too (a
    source named on its own is refused with AlreadySigned, as :func:`provenance.sign` does,
    unless ``skip_signed``). Two inputs that would write the same output are refused before
    anything is written.

    ``identity`` may be an :class:`Identity` (sent to local workers as bytes; a callback
    identity signs only in this process or in threads) or an :class:`IdentityRef` (loaded by
    each worker; what remote executors need). ``file_timeout``: seconds one file may take
    before it is stopped and reported failed (None: no limit); a file whose registration
    runs out of time is signed, unregistered, with a note saying so.

    Raises:
        InputError: contradictory options (see :class:`~provenance.options.SignOptions`).
    """
    opts = SignOptions.of(
        options, out_dir=out_dir, output=output, in_place=in_place, claim=claim,
        parent=parent, thumbnail=thumbnail, replace=replace, tsa_url=tsa_url,
        carrier=carrier, manifest_url=manifest_url,
    )
    ident: Identity | IdentityRef | _KeyBlob = identity
    if isinstance(identity, Identity) and executor is not None \
            and not isinstance(executor, ThreadPoolExecutor):
        if identity.is_callback:
            raise InputError("a callback identity signs only in this process",
                             hint="use jobs=1 or a ThreadPoolExecutor")
        ident = _KeyBlob.of(identity)
    store = trust if trust is not None else TrustStore.installed()
    spec = _SignSpec(uuid.uuid4().hex, os.getcwd(), ident, store_state(store), opts,
                     force, strict, skip_signed, registry is not None)
    planned = _plan(items, spec, opts.output)
    total = len(items) if isinstance(items, Sequence) else None
    results = run_ordered(
        _sign_chunk, spec, planned, executor,
        lambda job, exc: failed_from(job.item.path, exc) if isinstance(job, _SignJob)
        else job, chunk_size=chunk_size, total=total,
        file_timeout=file_timeout,
    )
    if registry is None:
        yield from results  # type: ignore[misc]
        return
    from provenance.registry.writer import registering

    yield from registering(results, registry)


def _plan(items: Iterable[Item | Path | str], spec: _SignSpec,
          output: Path | None) -> Iterator[_SignJob | Result]:
    """Destinations, checked for collisions in input order, before any worker writes."""
    sources: set[str] = set()
    dests: dict[str, Path] = {}
    count = 0
    for raw in items:
        item = Item.of(raw)
        count += 1
        if output is not None and count > 1:
            yield Failed(item.path, None, ("one output file (-o) takes one input file",), 2)
            continue
        if spec.options.in_place:
            dest: Path | None = item.path
        elif output is not None:
            dest = output
        elif spec.options.out_dir is not None:
            dest = spec.options.out_dir / item.relative
        else:
            dest = None
        src_key = path_key(item.path)
        dest_key = path_key(dest if dest is not None else default_output(item.path))
        if src_key in sources:
            yield Skipped(item.path, "named more than once; signed once", "duplicate")
            continue
        if dest_key in dests:
            yield Failed(item.path, None, (
                f"its output {dest or default_output(item.path)} is also the output of "
                f"{dests[dest_key]}; rename one of them or sign them separately",), 2)
            continue
        sources.add(src_key)
        dests[dest_key] = item.path
        yield _SignJob(item, dest)


def _sign_chunk(spec: _SignSpec, jobs: list[_SignJob | Result]) -> list[Result]:
    def build() -> tuple[Identity, TrustStore]:
        ident = spec.identity
        loaded = ident if isinstance(ident, Identity) else ident.load()
        if loaded is spec.identity and threading.current_thread() is not \
                threading.main_thread():
            # A thread of its own gets its own Identity object, hence its own c2pa Signer.
            loaded = replace(loaded)
        return loaded, anchors(spec.trust)

    out: list[Result] = []
    state: tuple[Identity, TrustStore] | None = None
    for job in jobs:
        if not isinstance(job, _SignJob):
            out.append(job)  # decided while planning
            continue
        if state is None:
            try:
                state = worker_state(spec.token, build)
            except Exception as exc:
                return out + [failed_from(j.item.path, exc) if isinstance(j, _SignJob) else j
                              for j in jobs[len(out):]]
        out.append(_sign_one(spec, state[0], state[1], job))
    return out


def _sign_one(spec: _SignSpec, identity: Identity, store: TrustStore, job: _SignJob) -> Result:
    item = job.item
    src = resolve(item.path, spec.cwd)
    dest = resolve(job.dest, spec.cwd) if job.dest is not None else None
    try:
        opts = spec.options
        # One file's options: its own claim, the parent where this worker finds it, and the
        # destination decided while planning; --force also replaces outputs of others.
        per_file = dataclasses.replace(
            opts, claim=opts.claim_for(item.path), output=None if opts.in_place else dest,
            out_dir=None,
            parent=resolve(opts.parent, spec.cwd) if opts.parent is not None else None,
            overwrite=opts.overwrite or spec.force,
        )
        planned = plan(src, per_file)
        # What would be written is there already (same identity, carrier and claim, newer
        # than the source): nothing to do.
        if not spec.force and up_to_date(planned, per_file, identity=identity, trust=store):
            shown = _shown(item.path, job.dest, planned)
            return Skipped(item.path, f"{shown} already holds what would be written (same "
                           "identity, carrier and claim, newer than the source; --force "
                           "signs again)", "unchanged")
        if dest is not None and spec.options.out_dir is not None:
            dest.parent.mkdir(parents=True, exist_ok=True)
        result = provenance.sign(src, identity=identity, options=per_file, trust=store)
    except AlreadySigned as exc:
        # Found in a directory (a re-run over a tree signed in place), or skip_signed (a
        # pre-commit hook): nothing to do. Named on its own: refused, as for a single file.
        if (not item.explicit or spec.skip_signed) and _signed_by(src, identity, store):
            return Skipped(item.path, "already signed by this identity and unchanged "
                           "(--replace signs it again, discarding that manifest)", "unchanged")
        return failed_from(item.path, exc)
    except UnsupportedFormat as exc:
        if item.explicit or spec.strict:
            return failed_from(item.path, exc)
        return Skipped(item.path, str(exc), "unsupported")
    except OSError as exc:  # e.g. the output's sub-folder cannot be made
        return Failed(item.path, None, (f"cannot write {job.dest}: {exc.strerror or exc}",), 3)
    except Exception as exc:
        return failed_from(item.path, exc)
    output = _as_named(item.path, src, job.dest, result.output)
    notes, entry = result.notes, None
    if spec.register:
        try:
            entry = _record(result, store)
        except Expired:
            # The output is written and verifies: the file is signed, and says what was not
            # done, rather than failing with a signed output in place.
            notes += (f"not registered: the per-file time limit ran out while registering; "
                      f"`provenance registry add {output}` registers it",)
    return Signed(item.path, output, result.media_type, result.size, result.repacked,
                  carrier=result.carrier,
                  manifest_file=_as_named(item.path, src, None, result.manifest_file)
                  if result.manifest_file is not None else None, notes=notes, record=entry)


def _record(result: SignResult, store: TrustStore) -> object | None:
    """The registry record of a file just signed (None: a type without fingerprints), from
    what signing computed (the fingerprint) and one c2pa read of the output."""
    from provenance.registry.record import NotRegistrable, record_from_signing

    try:
        return record_from_signing(result.output, fingerprint=result.fingerprint, trust=store)
    except NotRegistrable:
        return None


def _as_named(path: Path, src: Path, dest: Path | None, written: Path) -> Path:
    """A written path as the user would name it (relative like the input, not resolved)."""
    if dest is not None:
        return dest
    return written if src is path else path.parent / written.name


def _shown(path: Path, dest: Path | None, planned: Plan) -> Path:
    written = planned.manifest_file if planned.route == "sidecar" else planned.output
    return _as_named(path, planned.source, dest, written or planned.output)


def _signed_by(path: Path, identity: Identity, store: TrustStore) -> bool:
    try:
        return same_signer(provenance.inspect(path, trust=store), identity)
    except ProvenanceError:
        return False
