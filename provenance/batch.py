"""Many files at once: expand directories and globs, sign or verify them on any executor.

>>> from provenance import batch
>>> items = batch.expand(["photos/"], recursive=True)                    # doctest: +SKIP
>>> with batch.executor(jobs=2) as ex:                                    # doctest: +SKIP
...     for result in batch.verify(items, executor=ex):
...         print(result)

Every file gives one result, as data, in input order whatever the executor: :class:`Verified`,
:class:`Failed`, :class:`Skipped` (verification) or :class:`Signed`, :class:`Failed`,
:class:`Skipped` (signing). Each file is handled by :func:`provenance.verify` or
:func:`provenance.sign`, so a batch judges exactly as a single call does.

Workers rebuild their own state (identity, c2pa Signer, trust anchors) the first time they see a
batch: a c2pa Signer does not survive ``fork``, and nothing that holds a key or a certificate
object crosses a process boundary except as bytes.
"""

from __future__ import annotations

import contextlib
import fnmatch
import glob
import multiprocessing
import os
import signal
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any, Literal, TypeVar

import provenance
from provenance.claims import HumanClaim, Origin
from provenance.errors import (
    AlreadySigned,
    InputError,
    OutputError,
    ProvenanceError,
    UnsupportedFormat,
    VerificationFailed,
)
from provenance.identity import Identity
from provenance.policy import Policy, default_policy
from provenance.policyfile import StoreState, UnsignedAction, store_from_state, store_state
from provenance.report import Report
from provenance.trust import TrustStore

__all__ = [
    "SIGN_RESULTS_SCHEMA_ID",
    "SIGN_SCHEMA_ID",
    "ClaimTemplate",
    "Failed",
    "IdentityRef",
    "Item",
    "Result",
    "Signed",
    "Skipped",
    "Tally",
    "Verified",
    "atomic_output",
    "default_jobs",
    "executor",
    "exit_code",
    "expand",
    "sign",
    "sign_document",
    "verify",
    "verify_document",
]

SIGN_SCHEMA_ID = "provenance.sign/v1"
SIGN_RESULTS_SCHEMA_ID = "provenance.sign-results/v1"

SkipKind = Literal["unsupported", "unchanged", "unsigned", "duplicate"]


# -- inputs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One input file.

    ``path`` is the file as the user named it (what reports show); ``relative`` is where its
    output goes under an output directory. ``explicit`` marks a file named on its own rather
    than found in a directory or by a pattern: an unsupported type is then an error (as for a
    single file) instead of a skip.
    """

    path: Path
    relative: Path
    explicit: bool = False

    @classmethod
    def of(cls, value: Item | Path | str) -> Item:
        """An Item for a bare path (found, not named: unsupported types are skipped)."""
        if isinstance(value, Item):
            return value
        p = Path(value)
        return cls(p, Path(p.name))


_MAGIC = frozenset("*?[")


def _has_magic(text: str) -> bool:
    return any(c in _MAGIC for c in text)


def _matches(rel: Path, patterns: Sequence[str]) -> bool:
    """gitignore-like: a pattern without ``/`` matches any path component (so ``drafts``
    excludes a folder and ``*.tmp`` a file anywhere); one with ``/`` matches the whole
    relative path."""
    posix = rel.as_posix()
    for pat in patterns:
        if "/" in pat.rstrip("/"):
            if fnmatch.fnmatchcase(posix, pat.strip("/")) or \
                    fnmatch.fnmatchcase(posix, pat.strip("/") + "/*"):
                return True
        elif any(fnmatch.fnmatchcase(part, pat.rstrip("/")) for part in rel.parts):
            return True
    return False


def _walk(root: Path, prune: set[str]) -> Iterator[Path]:
    """Regular files under ``root`` (hidden names skipped), sorted by relative path."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and _key(here / d) not in prune
        )
        for name in filenames:
            p = here / name
            if not name.startswith(".") and p.is_file():
                found.append(p.relative_to(root))
    found.sort(key=lambda r: r.parts)
    return iter(found)


def _key(p: Path) -> str:
    """A path's identity for duplicate and collision checks: absolute and normalised, without
    touching the disk (thousands of files; a symlinked alias counts as another path)."""
    return os.path.abspath(p)


def _glob_base(pattern: str) -> Path:
    parts = Path(pattern).parts
    base = [p for p in parts[: next((i for i, p in enumerate(parts) if _has_magic(p)),
                                    len(parts))]]
    return Path(*base) if base else Path(".")


def expand(
    inputs: Iterable[Path | str],
    *,
    recursive: bool = False,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    prune: Iterable[Path | str] = (),
) -> list[Item]:
    """Turn files, directories and glob patterns into the list of files to handle.

    With ``recursive``, a directory gives every file in its tree, hidden files and folders
    (``.name``) left out; without, it is an input like any other (and fails as one). A
    pattern (``*``, ``?``, ``[``; ``**`` crosses folders) gives its matches in sorted order.
    A path that exists, or has no pattern characters, is used as it is (a missing file then
    fails with "not found", as a single file does). ``include``/``exclude`` filter every file
    by its path relative to the directory or pattern it came from; ``prune`` names folders
    never to enter (e.g. the output directory). A file found twice is kept once; a file named
    twice is handled twice.

    Raises:
        InputError: a glob pattern that matches nothing.
    """
    pruned = {_key(Path(p)) for p in prune}
    seen: set[str] = set()
    out: list[Item] = []

    def keep(rel: Path) -> bool:
        if include and not _matches(rel, include):
            return False
        return not (exclude and _matches(rel, exclude))

    def add_found(root: Path, rel: Path) -> None:
        path = root / rel if str(root) != "." else rel
        k = _key(path)
        if k in seen or not keep(rel):
            return
        seen.add(k)
        out.append(Item(path, rel))

    for value in inputs:
        text = str(value)
        path = Path(value)
        if recursive and path.is_dir():
            for rel in _walk(path, pruned):
                add_found(path, rel)
        elif path.exists() or not _has_magic(text):
            if keep(Path(path.name)):
                seen.add(_key(path))
                out.append(Item(path, Path(path.name), explicit=True))
        else:
            matches = sorted(glob.glob(text, recursive=True))
            if not matches:
                raise InputError(f"no file matches {text}",
                                 hint="check the pattern, or quote it so the shell does not "
                                 "expand it")
            base = _glob_base(text)
            for m in matches:
                mp = Path(m)
                if mp.is_dir():
                    if recursive and _key(mp) not in pruned:
                        for rel in _walk(mp, pruned):
                            add_found(base, mp.relative_to(base) / rel)
                elif mp.is_file() and not any(p.startswith(".") for p in
                                                mp.relative_to(base).parts):
                    add_found(base, mp.relative_to(base))
    return out


# -- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verified:
    """The file passed the policy; ``warnings`` say what was let through (e.g. unsigned)."""

    path: Path
    report: Report
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Failed:
    """The file failed: the policy (``exit_code`` 1, with its report), or could not be read or
    signed (2: unusable input, 3: operational failure; ``report`` is then None)."""

    path: Path
    report: Report | None
    reasons: tuple[str, ...]
    exit_code: int


@dataclass(frozen=True)
class Skipped:
    """Left alone on purpose. ``kind``: ``unsupported`` (a type that cannot carry a manifest),
    ``unchanged`` (already signed by this identity), ``unsigned`` (the policy skips unsigned
    files; ``report`` is set) or ``duplicate`` (named twice)."""

    path: Path
    reason: str
    kind: SkipKind = "unsupported"
    report: Report | None = None


@dataclass(frozen=True)
class Signed:
    """The file was signed into ``output``."""

    path: Path
    output: Path
    media_type: str
    size: int
    repacked: bool = False


Result = Verified | Failed | Skipped | Signed


def _fail(path: Path, exc: BaseException) -> Failed:
    if isinstance(exc, ProvenanceError):
        return Failed(path, None, (str(exc),), exc.exit_code)
    return Failed(path, None, (f"unexpected {type(exc).__name__}: {exc}",), 3)


def _unique(reasons: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(reasons))


# -- executors --------------------------------------------------------------------------------


def default_jobs() -> int:
    """The CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _worker_init() -> None:
    # Ctrl-C belongs to the parent: it stops handing out work and lets each worker finish
    # the file in hand, so no output is ever left half-written.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _mp_context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods:
        return multiprocessing.get_context("fork")  # fast start; workers rebuild c2pa state
    if "forkserver" in methods:
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


@contextlib.contextmanager
def executor(jobs: int | None = None, *, address: str | None = None,
             ) -> Iterator[Executor | None]:
    """The executor for ``jobs`` local workers, or a Dask cluster's at ``address``.

    ``jobs`` 1 gives None (work in this process); more gives a process pool (fork on Linux).
    ``address`` ``dask://HOST:PORT`` (or ``tcp://``, ``tls://``) connects to a running Dask
    scheduler and uses ``Client.get_executor()``; the files must be readable (and, when
    signing, the output directory and identity writable/readable) at the same paths on the
    workers. On exit the pool is shut down: work not started is cancelled, work in hand ends.

    Raises:
        InputError: an address that is not dask://, or dask.distributed is not installed.
        OutputError: the Dask scheduler cannot be reached.
    """
    if address is not None:
        with _dask_executor(address) as ex:
            yield ex
        return
    n = default_jobs() if jobs is None else jobs
    if n < 1:
        raise InputError(f"-j must be at least 1, got {n}")
    if n == 1:
        yield None
        return
    pool = ProcessPoolExecutor(max_workers=n, mp_context=_mp_context(),
                               initializer=_worker_init)
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def _dask_executor(address: str) -> Iterator[Executor]:
    scheme, sep, rest = address.partition("://")
    if not sep or scheme not in ("dask", "tcp", "tls") or not rest:
        raise InputError(f"unknown executor {address!r}",
                         hint="use dask://HOST:PORT (a running Dask scheduler)")
    try:
        import importlib

        client_class: Any = importlib.import_module("distributed").Client
    except ImportError as exc:
        raise InputError("--executor dask:// needs dask.distributed",
                         hint="pip install 'provenance[dask]'") from exc
    url = f"{'tcp' if scheme == 'dask' else scheme}://{rest}"
    try:
        # Dask's own setting (distributed.comm.timeouts.connect) bounds the wait.
        client = client_class(url, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise OutputError(f"cannot reach the Dask scheduler at {url}: {exc}",
                          hint="check the address and that the scheduler is running") from exc
    try:
        ex = client.get_executor(pure=False)
        try:
            yield ex
        finally:
            ex.shutdown(wait=True)
    finally:
        client.close()


T = TypeVar("T")


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _workers(ex: Executor) -> int:
    n = getattr(ex, "_max_workers", None)
    if isinstance(n, int) and n > 0:
        return n
    client = getattr(ex, "_client", None)  # dask's ClientExecutor
    if client is not None:
        with contextlib.suppress(Exception):
            workers = client.scheduler_info()["workers"].values()
            return max(1, sum(int(w.get("nthreads", 1)) for w in workers))
    return default_jobs()


def _ordered(
    fn: Callable[[Any, list[T]], list[Result]],
    spec: Any,
    items: Iterable[T],
    ex: Executor | None,
    on_error: Callable[[T, BaseException], Result],
    *,
    chunk_size: int | None,
    total: int | None,
) -> Iterator[Result]:
    """Run ``fn(spec, chunk)`` over chunks of ``items``; yield results in input order, each as
    soon as it and everything before it is done. At most a few chunks per worker are in
    flight, so memory stays flat however many files there are."""
    if ex is None:
        for item in items:
            yield from fn(spec, [item])
        return
    workers = _workers(ex)
    if chunk_size is None:
        # Enough per task to hide the hand-over cost, small enough to balance the load.
        chunk_size = 8 if total is None else max(1, min(16, total // (workers * 8)))
    window = workers * 3
    source = _chunks(items, chunk_size)
    pending: deque[tuple[list[T], Future[list[Result]]]] = deque()

    def fill() -> None:
        while len(pending) < window:
            chunk = next(source, None)
            if chunk is None:
                return
            try:
                pending.append((chunk, ex.submit(fn, spec, chunk)))
            except Exception as exc:  # a broken pool, or a spec that cannot be sent
                failed: Future[list[Result]] = Future()
                failed.set_exception(exc)
                pending.append((chunk, failed))

    try:
        fill()
        while pending:
            chunk, fut = pending.popleft()
            try:
                results = fut.result()
            except Exception as exc:
                results = [on_error(item, exc) for item in chunk]
            fill()
            yield from results
    finally:
        for _, fut in pending:
            fut.cancel()


# Per-process (and per-thread) state built from a batch's spec, so that each worker loads the
# identity, builds its c2pa Signer and parses the anchors once per batch, not once per file.
_state_lock = threading.Lock()
_state: dict[tuple[int, int, str], Any] = {}


def _worker_state(token: str, build: Callable[[], T]) -> T:
    key = (os.getpid(), threading.get_ident(), token)
    with _state_lock:
        if key in _state:
            return _state[key]  # type: ignore[no-any-return]
    value = build()
    with _state_lock:
        if len(_state) > 16:
            _state.clear()
        _state[key] = value
    return value


def _anchors(state: StoreState) -> TrustStore:
    return store_from_state(state)


def _resolve(path: Path, cwd: str) -> Path:
    if path.is_absolute() or os.getcwd() == cwd:
        return path
    return Path(cwd) / path


# -- verify -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _VerifySpec:
    token: str
    cwd: str
    trust: StoreState
    policy: Policy
    unsigned: UnsignedAction
    strict: bool


def verify(
    items: Iterable[Item | Path | str],
    *,
    policy: Policy | None = None,
    trust: TrustStore | None = None,
    unsigned: UnsignedAction | None = None,
    strict: bool = False,
    executor: Executor | None = None,
    chunk_size: int | None = None,
) -> Iterator[Verified | Failed | Skipped]:
    """Verify every file; yield one result per file, in input order.

    Args:
        items: paths (or :class:`Item` from :func:`expand`).
        policy: as :func:`provenance.verify` (default: :func:`default_policy`); a
            :class:`~provenance.policyfile.PipelinePolicy` also brings its anchors and its
            ``unsigned`` action.
        trust: anchors; None uses those installed in the provenance home (read here, once,
            and sent to the workers).
        unsigned: ``fail`` (the policy decides), ``warn`` (pass, with a warning) or ``skip``.
        strict: an unsupported file type fails (exit code 2) instead of being skipped.
        executor: any ``concurrent.futures.Executor`` (None: this process). The policy must
            pickle for a process pool or Dask.
    """
    store = trust if trust is not None else TrustStore.installed()
    extra = getattr(policy, "anchors", None)
    if isinstance(extra, TrustStore) and extra.certificates:
        store = store.merged(extra)
    action = unsigned or getattr(policy, "unsigned", None) or "fail"
    spec = _VerifySpec(uuid.uuid4().hex, os.getcwd(), store_state(store),
                       policy or default_policy(), action, strict)
    total = len(items) if isinstance(items, Sequence) else None
    yield from _ordered(  # type: ignore[misc]
        _verify_chunk, spec, (Item.of(i) for i in items), executor,
        lambda item, exc: _fail(item.path, exc), chunk_size=chunk_size, total=total,
    )


def _verify_chunk(spec: _VerifySpec, items: list[Item]) -> list[Result]:
    store = _worker_state(spec.token, lambda: _anchors(spec.trust))
    return [_verify_one(spec, store, item) for item in items]


def _verify_one(spec: _VerifySpec, store: TrustStore, item: Item) -> Result:
    path = item.path
    where = _resolve(path, spec.cwd)
    try:
        report = provenance.verify(where, policy=spec.policy, trust=store)
        reasons: tuple[str, ...] = ()
    except VerificationFailed as exc:
        report, reasons = exc.report, _unique(exc.reasons)
    except UnsupportedFormat as exc:
        if item.explicit or spec.strict:
            return Failed(path, None, (str(exc),), exc.exit_code)
        return Skipped(path, str(exc), "unsupported")
    except Exception as exc:  # one bad file never stops the batch
        return _fail(path, exc)
    if where is not path and report.path != str(path):
        report = replace(report, path=str(path))
    if report.status == "unsigned" and spec.unsigned != "fail":
        if spec.unsigned == "skip":
            return Skipped(path, "unsigned (the policy skips unsigned files)", "unsigned",
                           report)
        return Verified(path, report, ("unsigned (the policy lets unsigned files pass)",))
    if reasons:
        return Failed(path, report, reasons, VerificationFailed.exit_code)
    return Verified(path, report)


# -- sign -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IdentityRef:
    """An identity by its directory (and passphrase), loaded by each worker for itself.

    Use it with remote executors: the key stays on disk, readable at the same path on the
    workers. The passphrase travels with the work; use a TLS-secured cluster.
    """

    directory: Path
    password: bytes | None = field(default=None, repr=False)

    def load(self) -> Identity:
        """Load the identity (IdentityError when it cannot be)."""
        return Identity.load(self.directory, password=self.password)


@dataclass(frozen=True, repr=False)
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


@dataclass(frozen=True)
class ClaimTemplate:
    """What to declare for each file; the origin defaults per file like ``provenance sign``:
    ``edit`` with a parent, ``capture`` for images other than SVG, else ``creation``."""

    origin: Origin | None = None
    author: str | None = None
    author_title: str | None = None
    title: str | None = None
    allow_ai_training: bool = False

    def for_path(self, path: Path, *, has_parent: bool) -> HumanClaim:
        """The claim for one file."""
        from provenance.formats import media_type_for_name

        origin = self.origin
        if origin is None:
            mt = media_type_for_name(path)
            origin = "edit" if has_parent else "capture" if (
                mt and mt.mime.startswith("image/") and mt.mime != "image/svg+xml"
            ) else "creation"
        return HumanClaim(origin, author=self.author, author_title=self.author_title,
                          title=self.title, allow_ai_training=self.allow_ai_training)


@dataclass(frozen=True)
class _SignSpec:
    token: str
    cwd: str
    identity: Identity | IdentityRef | _KeyBlob
    trust: StoreState
    claim: HumanClaim | ClaimTemplate | None
    parent: Path | None
    thumbnail: bool
    replace: bool
    in_place: bool
    tsa_url: str | None
    force: bool
    strict: bool
    out_root: Path | None
    skip_signed: bool = False
    #: text carrier options, passed to provenance.sign only when set
    carrier: str | None = None
    manifest_url: str | None = None


@dataclass(frozen=True)
class _SignJob:
    item: Item
    dest: Path | None  # None: provenance.sign's default (NAME.signed.EXT beside it)


def sign(
    items: Iterable[Item | Path | str],
    *,
    identity: Identity | IdentityRef,
    out_dir: Path | str | None = None,
    output: Path | str | None = None,
    in_place: bool = False,
    claim: HumanClaim | ClaimTemplate | None = None,
    parent: Path | str | None = None,
    trust: TrustStore | None = None,
    thumbnail: bool = False,
    replace: bool = False,
    tsa_url: str | None = None,
    force: bool = False,
    strict: bool = False,
    skip_signed: bool = False,
    carrier: str | None = None,
    manifest_url: str | None = None,
    executor: Executor | None = None,
    chunk_size: int | None = None,
) -> Iterator[Signed | Failed | Skipped]:
    """Sign every file; yield one result per file, in input order.

    Each output is ``out_dir / item.relative`` (folders made as needed), ``output`` (one file
    only), the source itself (``in_place``) or ``NAME.signed.EXT`` beside the source. A file
    whose output already exists, is newer than the source, and verifies as intact and signed
    by this identity is skipped as ``unchanged`` (``force`` signs it again); so is a source found
    in a directory that already carries this identity's intact manifest (a source named on its
    own is refused with AlreadySigned, as :func:`provenance.sign` does, unless ``skip_signed``).
    Two inputs that would write the same output are refused before anything is written.

    ``identity`` may be an :class:`Identity` (sent to local workers as bytes; a callback
    identity signs only in this process or in threads) or an :class:`IdentityRef` (loaded by
    each worker; what remote executors need). ``carrier``/``manifest_url`` go to
    :func:`provenance.sign` as they are (text carriers, sidecars).
    """
    if sum((out_dir is not None, output is not None, in_place)) > 1:
        raise InputError("choose one of out_dir, output and in_place")
    ident: Identity | IdentityRef | _KeyBlob = identity
    if isinstance(identity, Identity) and executor is not None \
            and not isinstance(executor, ThreadPoolExecutor):
        if identity.is_callback:
            raise InputError("a callback identity signs only in this process",
                             hint="use jobs=1 or a ThreadPoolExecutor")
        ident = _KeyBlob.of(identity)
    store = trust if trust is not None else TrustStore.installed()
    spec = _SignSpec(
        uuid.uuid4().hex, os.getcwd(), ident, store_state(store), claim,
        Path(parent) if parent is not None else None, thumbnail, replace, in_place, tsa_url,
        force, strict, Path(out_dir) if out_dir is not None else None, skip_signed,
        carrier, manifest_url,
    )
    planned = _plan(items, spec, Path(output) if output is not None else None)
    total = len(items) if isinstance(items, Sequence) else None
    yield from _ordered(  # type: ignore[misc]
        _sign_chunk, spec, planned, executor,
        lambda job, exc: _fail(job.item.path, exc) if isinstance(job, _SignJob)
        else job, chunk_size=chunk_size, total=total,
    )


def _plan(items: Iterable[Item | Path | str], spec: _SignSpec,
          output: Path | None) -> Iterator[_SignJob | Result]:
    """Destinations, checked for collisions in input order, before any worker writes."""
    from provenance.media import default_output

    sources: set[str] = set()
    dests: dict[str, Path] = {}
    count = 0
    for raw in items:
        item = Item.of(raw)
        count += 1
        if output is not None and count > 1:
            yield Failed(item.path, None, ("one output file (-o) takes one input file",), 2)
            continue
        if spec.in_place:
            dest: Path | None = item.path
        elif output is not None:
            dest = output
        elif spec.out_root is not None:
            dest = spec.out_root / item.relative
        else:
            dest = None
        src_key = _key(item.path)
        dest_key = _key(dest if dest is not None else default_output(item.path))
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
        return loaded, _anchors(spec.trust)

    out: list[Result] = []
    state: tuple[Identity, TrustStore] | None = None
    for job in jobs:
        if not isinstance(job, _SignJob):
            out.append(job)  # decided while planning
            continue
        if state is None:
            try:
                state = _worker_state(spec.token, build)
            except Exception as exc:
                return out + [_fail(j.item.path, exc) if isinstance(j, _SignJob) else j
                              for j in jobs[len(out):]]
        out.append(_sign_one(spec, state[0], state[1], job))
    return out


def _sign_one(spec: _SignSpec, identity: Identity, store: TrustStore, job: _SignJob) -> Result:
    from provenance.media import default_output

    item = job.item
    src = _resolve(item.path, spec.cwd)
    dest = _resolve(job.dest, spec.cwd) if job.dest is not None else None
    try:
        existing = dest if dest is not None else default_output(src)
        if not spec.force and not spec.in_place and _key(existing) != _key(src) \
                and _unchanged_output(src, existing, identity, store):
            shown = job.dest if job.dest is not None else default_output(item.path)
            return Skipped(item.path, f"{shown} is already signed by this identity and newer "
                           "than the source (--force signs again)", "unchanged")
        if dest is not None and spec.out_root is not None:
            dest.parent.mkdir(parents=True, exist_ok=True)
        claim = spec.claim
        if isinstance(claim, ClaimTemplate):
            claim = claim.for_path(item.path, has_parent=spec.parent is not None)
        text_options: dict[str, Any] = {}
        if spec.carrier is not None:
            text_options["carrier"] = spec.carrier
        if spec.manifest_url is not None:
            text_options["manifest_url"] = spec.manifest_url
        result = provenance.sign(
            src, dest, identity=identity, claim=claim,
            parent=_resolve(spec.parent, spec.cwd) if spec.parent is not None else None,
            trust=store, thumbnail=spec.thumbnail, replace=spec.replace,
            in_place=spec.in_place, tsa_url=spec.tsa_url, **text_options,
        )
    except AlreadySigned as exc:
        # Found in a directory (a re-run over a tree signed in place), or skip_signed (a
        # pre-commit hook): nothing to do. Named on its own: refused, as for a single file.
        if (not item.explicit or spec.skip_signed) and _signed_by(src, identity, store):
            return Skipped(item.path, "already signed by this identity and unchanged "
                           "(--replace signs it again, discarding that manifest)", "unchanged")
        return _fail(item.path, exc)
    except UnsupportedFormat as exc:
        if item.explicit or spec.strict:
            return _fail(item.path, exc)
        return Skipped(item.path, str(exc), "unsupported")
    except OSError as exc:  # e.g. the output's sub-folder cannot be made
        return Failed(item.path, None, (f"cannot write {job.dest}: {exc.strerror or exc}",), 3)
    except Exception as exc:
        return _fail(item.path, exc)
    if job.dest is not None:
        output = job.dest  # as the user named it
    elif src is item.path:
        output = result.output
    else:
        output = item.path.parent / result.output.name
    return Signed(item.path, output, result.media_type, result.size, result.repacked)


def _same_signer(report: Report, identity: Identity) -> bool:
    from provenance.policy import _dn_attrs

    signer = report.signer
    if not report.intact or signer is None:
        return False
    if signer.serial is not None:  # the exact certificate
        return signer.serial == format(identity.certificate.serial_number, "x")
    info = identity.info()
    if (signer.name or None) != info.name or (signer.organization or None) != \
            info.organization:
        return False
    return signer.issuer is None or _dn_attrs(signer.issuer) == _dn_attrs(info.issuer)


def _signed_by(path: Path, identity: Identity, store: TrustStore) -> bool:
    try:
        return _same_signer(provenance.inspect(path, trust=store), identity)
    except ProvenanceError:
        return False


def _unchanged_output(src: Path, dest: Path, identity: Identity, store: TrustStore) -> bool:
    try:
        if dest.stat().st_mtime_ns < src.stat().st_mtime_ns:
            return False
    except OSError:
        return False  # no output yet (or no source: provenance.sign says so)
    return _signed_by(dest, identity, store)


# -- documents --------------------------------------------------------------------------------


def _bare_report(path: Path) -> dict[str, Any]:
    return Report(path=str(path), media_type=None, status="unsigned", origin="unknown") \
        .to_dict()


def verify_document(result: Result) -> dict[str, Any]:
    """The ``provenance.report/v1`` document of one verification result.

    A file with no report (unreadable, unsupported) still gets a valid document: status
    ``unsigned`` (no Content Credentials were read), ``media_type`` null, and an ``error``
    (failed) or ``skipped`` (left alone) object that says why.
    """
    if isinstance(result, Verified):
        doc = {**result.report.to_dict(), "passed": True, "reasons": []}
        if result.warnings:
            doc["warnings"] = list(result.warnings)
        return doc
    if isinstance(result, Failed):
        if result.report is not None:
            return {**result.report.to_dict(), "passed": False,
                    "reasons": list(result.reasons)}
        return {**_bare_report(result.path), "passed": False, "reasons": list(result.reasons),
                "error": {"message": "; ".join(result.reasons),
                          "exit_code": result.exit_code}}
    if isinstance(result, Skipped):
        base = result.report.to_dict() if result.report else _bare_report(result.path)
        return {**base, "passed": True, "reasons": [],
                "skipped": {"reason": result.reason, "kind": result.kind}}
    raise TypeError(f"not a verification result: {result!r}")


def sign_document(result: Result) -> dict[str, Any]:
    """The ``provenance.sign/v1`` document of one signing result."""
    doc: dict[str, Any] = {"schema": SIGN_SCHEMA_ID, "path": str(result.path)}
    if isinstance(result, Signed):
        doc.update(status="signed", output=str(result.output), media_type=result.media_type,
                   size=result.size, repacked=result.repacked)
    elif isinstance(result, Skipped):
        doc.update(status="skipped", reason=result.reason, kind=result.kind)
    elif isinstance(result, Failed):
        doc.update(status="failed", reason="; ".join(result.reasons),
                   exit_code=result.exit_code)
    else:
        raise TypeError(f"not a signing result: {result!r}")
    return doc


def exit_code(result: Result) -> int:
    """0 for a pass, a skip or a signature; the failure's code otherwise."""
    return result.exit_code if isinstance(result, Failed) else 0


@dataclass
class Tally:
    """Counts over a batch as it streams: outcomes, statuses, origins, time."""

    started: float = field(default_factory=time.monotonic)
    outcomes: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    origins: Counter[str] = field(default_factory=Counter)
    worst: int = 0
    elapsed: float | None = None

    def add(self, result: Result) -> None:
        """Count one result."""
        kind = {Verified: "passed", Failed: "failed", Skipped: "skipped",
                Signed: "signed"}[type(result)]
        self.outcomes[kind] += 1
        report = getattr(result, "report", None)
        if isinstance(report, Report):
            self.statuses[report.status] += 1
            self.origins[report.origin] += 1
        elif isinstance(result, Failed):
            self.statuses["error"] += 1
        elif isinstance(result, Skipped):
            self.statuses["skipped"] += 1
        self.worst = max(self.worst, exit_code(result))

    @property
    def total(self) -> int:
        """Files counted."""
        return sum(self.outcomes.values())

    def stop(self) -> None:
        """Fix the elapsed time."""
        self.elapsed = time.monotonic() - self.started

    def to_dict(self) -> dict[str, Any]:
        """The ``summary`` object of the JSON documents."""
        elapsed = self.elapsed if self.elapsed is not None else time.monotonic() - self.started
        return {
            "files": self.total,
            "outcomes": dict(sorted(self.outcomes.items())),
            "statuses": dict(sorted(self.statuses.items())),
            "origins": dict(sorted(self.origins.items())),
            "seconds": round(elapsed, 3),
            "files_per_second": round(self.total / elapsed, 1) if elapsed > 0 else None,
        }


@contextlib.contextmanager
def atomic_output(path: Path | str) -> Iterator[IO[str]]:
    """A text file that appears at ``path`` complete or not at all.

    Written to a hidden temporary file beside it and moved into place on success; any
    exception (Ctrl-C included) removes the temporary file and leaves ``path`` as it was.

    Raises:
        OutputError: the folder cannot be written.
    """
    dest = Path(path)
    folder = dest.parent if str(dest.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{dest.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"cannot write {dest}: {exc.strerror or exc}",
                          hint="check that the folder exists and is writable") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            yield fh
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
