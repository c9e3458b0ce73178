"""Benchmark: the table of the issue "Speed to the floor", every row beside its baseline, measured
in the same run (ratios first; absolute figures and the load average beside them).

Rows (goal in brackets):

* ``startup``  -- one CLI call in a fresh interpreter, wall time, median of interleaved runs:
  ``provenance --version``, ``--help`` and ``verify --help`` [<= 0.5x each; help from the help
  cache, cli/helpcache.py, with the first, typer-rendered call beside it] and ``provenance
  verify x.jpg`` on a small signed JPEG [<= 1.5x], against ``python -c "import c2pa"``; the
  package is compiled first (``compileall``), as an installed package is;
* ``aftersign`` -- one signature of the data-hash signer (1 KB of text's manifest, identity
  assertion included) as we sign, against c2pa's default ``verify.verify_after_sign`` (a second
  validation of every manifest just signed; see ``provenance/_c2pa.py:_first_signature``);
* ``batch``    -- 1,000 one-megapixel JPEGs with ``-j 2`` and everything a default sign does
  (soft binding, registration into SQLite, identity assertion) [>= 1,100 files/s, never below
  700], against the floor: read + sha256 + one ES256 signature per file on 2 processes; beside
  it the exact fingerprint's own CPU cost per file and the ceiling it sets on 2 cores (2 / that
  cost), the same for the fastest JPEG decode there is (1/8 DCT scaling: not the reference
  value, the bound on any fingerprint from pixels; both ceilings are below the goal), the
  achieved rate as a fraction of the exact ceiling, the CPU per file of the whole batch
  (parent and workers) and a -j 1 run;
* ``large``    -- a 50 MB JPEG signed file to file (fresh output, and overwriting the previous
  output) and verified [sign <= 2x, verify <= 1.5x], against sha256 of its bytes in memory;
  beside them the fingerprint inside each sign, the rest of the path, and a fingerprint from
  the fastest decode (the bound on any soft binding from pixels);
* ``text``     -- 1 KB of text signed and verified [sign <= 0.7x, verify <= 0.5x], against
  encypher-ai's C2PA text mode (Ed25519 on both sides, ES256 for information).

Then the import budget: ``python -X importtime`` for ``import provenance``, ``--version``,
``--help`` and ``verify x.jpg``: modules that must not be imported on each path, and the total
import time as a ratio of ``import c2pa``'s (measured the same way, in the same run). The script
exits 1 when a budget is exceeded (the timing goals above are reported, PASS/MISS, not gated: they
hold on an idle machine).

Usage::

    python bench/speed.py                  # every row (about 1-2 minutes on 2 cores)
    python bench/speed.py --quick          # 200 files, 10 MB, fewer runs
    python bench/speed.py --rows startup,budget
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

MB = 1_000_000
ROWS = ("startup", "aftersign", "batch", "large", "text", "budget")

#: Modules each path must not import (a prefix matches its submodules too).
FORBIDDEN = {
    "import provenance": ("c2pa", "PIL", "cryptography", "typer", "rich", "numpy", "pydantic"),
    "--version": ("c2pa", "PIL", "cryptography", "typer", "rich", "numpy", "pydantic"),
    "--help": ("c2pa", "PIL", "cryptography", "numpy", "pydantic", "sqlite3"),
    "verify x.jpg": ("PIL", "numpy", "cryptography", "pydantic", "rich", "urllib.request",
                     "multiprocessing", "sqlite3", "iscc_core", "concurrent.futures",
                     "getpass", "platformdirs", "provenance.policy_rules",
                     "provenance.carriers.text", "provenance.carriers.sidecar",
                     "provenance.carriers.manifest_file", "provenance.carriers.html",
                     "provenance.carriers.unstructured", "provenance.registry.base",
                     "provenance.registry.recovery", "provenance.fingerprint",
                     "provenance.zipguard", "provenance.carriers.zip", "typer", "click",
                     "provenance.cli.app", "provenance.options", "provenance.claims",
                     "provenance.policyfile", "provenance.carriers.structured", "uuid"),
    # (cryptography: still imported, by provenance/_c2pa.py and carriers/media.py importing
    # provenance.identity at module level; nothing else on this path needs it any more)
}
#: Total import time of each path / that of ``import c2pa`` (the verify path includes c2pa),
#: the interpreter's own start-up subtracted from both. Regression guards, set above what the
#: lazy start-up measures on a loaded machine (the goals are the startup row's PASS/MISS):
#: --help is typer's rich help (typer.rich_utils imports rich's markdown, syntax, traceback;
#: pure Python, so its ratio to c2pa's native import swings with load: 3.5-5x measured here;
#: what guards it is FORBIDDEN: main imported c2pa and cryptography for --help),
#: verify x.jpg includes c2pa (typer no more: cli/fastverify.py).
BUDGET = {"import provenance": 0.25, "--version": 0.3, "--help": 6.0, "verify x.jpg": 2.5}

results: list[tuple[str, str, bool | None]] = []  # (row, text, goal met)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (5 min {five:.2f})"


def note(row: str, text: str, ok: bool | None = None) -> None:
    results.append((row, text, ok))
    mark = "    " if ok is None else "PASS" if ok else "MISS"
    print(f"  {mark} {row:<10} {text}", flush=True)


def median_ms(fn: Callable[[], Any], runs: int) -> float:
    fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def interleaved(fns: dict[str, Callable[[], Any]], runs: int) -> dict[str, float]:
    """Median ms of each, the functions taking turns within each round (drift hits all)."""
    samples: dict[str, list[float]] = {k: [] for k in fns}
    for fn in fns.values():
        fn()
    for _ in range(runs):
        for k, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            samples[k].append((time.perf_counter() - t0) * 1000)
    return {k: statistics.median(v) for k, v in samples.items()}


# -- fixtures ---------------------------------------------------------------------------------


class Home:
    """A PROVENANCE_HOME with a TEST-ONLY identity, and a small signed JPEG, made by the CLI."""

    def __init__(self, tmp: Path) -> None:
        self.dir = tmp / "home"
        self.cwd = tmp  # never a checkout: `python -c` would import the provenance in it
        self.env = {**os.environ, "PROVENANCE_HOME": str(self.dir)}
        self.env.pop("PROVENANCE_KEY_PASSWORD", None)
        # Installed packages run from cached bytecode; a checkout run with
        # PYTHONDONTWRITEBYTECODE would compile every module of ours on every call (100+ ms)
        # while c2pa's come from site-packages' .pyc. Cache everything in a temp folder (the
        # warm-up run fills it), never in a checkout.
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
        script = Path(sys.executable).with_name("provenance")
        self.cli = [str(script)] if script.is_file() else [sys.executable, "-m", "provenance"]
        from PIL import Image

        self.jpeg = tmp / "x.jpg"
        Image.frombytes("RGB", (64, 64), os.urandom(64 * 64 * 3)).save(self.jpeg, quality=90)
        self.run("identity", "create", "--name", "BENCH TEST-ONLY")
        self.run("sign", str(self.jpeg))
        self.signed = tmp / "x.signed.jpg"
        self.compiled = False  # see compiled()

    def run(self, *args: str, python: list[str] | None = None) -> None:
        proc = subprocess.run([*(python or self.cli), *args], env=self.env, cwd=self.cwd,
                              capture_output=True, stdin=subprocess.DEVNULL, check=False)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed: {proc.stderr.decode()[-500:]}")


# -- rows -------------------------------------------------------------------------------------


def compiled(home: Home) -> None:
    """Bytecode for provenance and provenance.cli, as an installed package has (in the
    bench's PYTHONPYCACHEPREFIX, never in a checkout): without it every call compiles."""
    if home.compiled:
        return
    import provenance

    package = Path(provenance.__file__).parent
    dirs = [str(package), *([str(package.parent / "cli")]
                            if (package.parent / "cli" / "main.py").is_file() else [])]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *dirs], env=home.env,
                   cwd=home.cwd, capture_output=True, check=True)
    home.compiled = True
    print(f"  (compiled {', '.join(dirs)} with compileall first: an installed state)")


def row_startup(home: Home, runs: int) -> None:
    import shutil

    compiled(home)
    py = sys.executable
    fresh = home.cwd / "fresh-home"  # its own help cache, emptied before each first call
    fresh.mkdir(exist_ok=True)
    cmds = {
        "import c2pa": [py, "-c", "import c2pa"],
        "--version": [*home.cli, "--version"],
        "--help": [*home.cli, "--help"],
        "verify --help": [*home.cli, "verify", "--help"],
        "verify x.jpg": [*home.cli, "verify", str(home.signed)],
        # An option with a value (its default) takes typer's parser instead of the fast path
        # (cli/fastverify.py): the same verification, for the before/after of that path.
        "verify x.jpg, through typer": [*home.cli, "verify", "--domain-max-age", "3600",
                                        str(home.signed)],
        "--help, first call": [*home.cli, "--help"],
    }

    import resource

    #: CPU time (user + system) of each child, beside the wall time: less moved by the
    #: machine's load and state than the wall clock, which the goals are judged on.
    cpu: dict[str, list[float]] = {k: [] for k in cmds}

    def call(key: str, cmd: list[str]) -> Callable[[], None]:
        env = home.env
        if key.endswith("first call"):
            env = {**home.env, "PROVENANCE_HOME": str(fresh)}

        def run() -> None:
            if key.endswith("first call"):  # no cached help: typer renders, and it is kept
                shutil.rmtree(fresh / "cache" / "help", ignore_errors=True)
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run(cmd, env=env, cwd=home.cwd, capture_output=True,
                           stdin=subprocess.DEVNULL, check=True)
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[key].append((r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime) * 1000)
        return run

    med = interleaved({k: call(k, c) for k, c in cmds.items()}, runs)
    base = med["import c2pa"]
    cpu_med = {k: statistics.median(v) for k, v in cpu.items()}
    print(f"  startup: python -c 'import c2pa' {base:.0f} ms (median of {runs}; CPU "
          f"{cpu_med['import c2pa']:.0f} ms; {load()})")
    for key, goal in (("--version", 0.5), ("--help", 0.5), ("verify --help", 0.5),
                      ("verify x.jpg", 1.5), ("verify x.jpg, through typer", None),
                      ("--help, first call", None)):
        r = med[key] / base
        if goal is None:
            why = ("typer parses: what every verify call cost before the fast path"
                   if "typer" in key else "typer renders, the help cache is written")
            note("startup", f"provenance {key}: {med[key]:.0f} ms = {r:.2f}x import c2pa "
                 f"({why})")
            continue
        note("startup", f"provenance {key}: {med[key]:.0f} ms = {r:.2f}x import c2pa "
             f"(goal <= {goal}x)", r <= goal)
    for key in ("verify x.jpg", "verify x.jpg, through typer"):
        note("startup", f"  CPU time: provenance {key} {cpu_med[key]:.0f} ms = "
             f"{cpu_med[key] / cpu_med['import c2pa']:.2f}x import c2pa's")


def row_aftersign(runs: int) -> None:
    from provenance import _c2pa
    from provenance.identity import Identity
    from provenance.trust import TrustStore

    ident, _ = Identity.create("BENCH TEST-ONLY")
    assert ident.root is not None
    store = TrustStore((ident.root,))
    manifest = {
        "claim_generator_info": [{"name": "bench", "version": "1"}], "title": "a.txt",
        "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": [{
            "action": "c2pa.created", "digitalSourceType":
            "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCreation"}]}}],
    }
    digest = hashlib.sha256(b"x" * 1024).digest()
    original = _c2pa.settings

    def signer(after_sign: bool | None) -> Any:
        # None: as provenance signs; True: c2pa's default (validate every manifest signed).
        def patched(*args: Any, **kwargs: Any) -> dict[str, Any]:
            s = original(*args, **kwargs)
            if after_sign is not None:
                s["verify"]["verify_after_sign"] = after_sign
            return s

        _c2pa.settings = patched  # type: ignore[assignment]
        try:
            _c2pa._signing_contexts.clear()
            return _c2pa.DataHashSigner(manifest, ident, trust_pem=store.pem(),
                                        ekus=store.eku_config())
        finally:
            _c2pa.settings = original  # type: ignore[assignment]

    default, ours = signer(True), signer(None)
    ours.sign(digest, [(0, ours.size)])  # its first signature is the checked one
    med = interleaved({"c2pa default": lambda: default.sign(digest, [(0, default.size)]),
                       "ours": lambda: ours.sign(digest, [(0, ours.size)])}, runs * 4)
    r = med["ours"] / med["c2pa default"]
    note("aftersign", f"one signature {med['ours']:.2f} ms vs {med['c2pa default']:.2f} ms with "
         f"c2pa's verify_after_sign = {r:.2f}x ({load()})", r < 0.8)


def row_batch(tmp: Path, n: int) -> None:
    import resource

    import batch as batchbench

    from provenance import batch
    from provenance.identity import Identity
    from provenance.registry import open_registry
    from provenance.trust import TrustStore

    src = tmp / "batch-src"
    paths = batchbench.make_inputs(src, n)
    ident, _ = Identity.create("BENCH TEST-ONLY")
    assert ident.root is not None
    store = TrustStore((ident.root,))
    # The floor on 2 processes (fork), same files.
    from concurrent.futures import ProcessPoolExecutor

    os.sync()
    t0 = time.perf_counter()
    with ProcessPoolExecutor(2) as pool:
        done = sum(pool.map(_floor, [paths[0::2], paths[1::2]]))
    floor_rate = done / (time.perf_counter() - t0)

    def cpu() -> float:  # seconds of CPU of this process and of its ended children
        own = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    def sign_all(jobs: int, tag: str) -> tuple[float, float]:
        """(files/s, ms of CPU per file, parent and workers) of one registering batch."""
        out = tmp / f"batch-out-{tag}"
        out.mkdir()
        reg_path = tmp / f"registry-{tag}.sqlite3"
        os.sync()
        c0, t0 = cpu(), time.perf_counter()
        with open_registry(f"sqlite:///{reg_path}") as reg, batch.executor(jobs) as ex:
            res = list(batch.sign(paths, identity=ident, out_dir=out, trust=store,
                                  executor=ex, registry=reg))
        wall, used = time.perf_counter() - t0, cpu() - c0
        bad = [r for r in res if not isinstance(r, batch.Signed)]
        if bad:
            raise SystemExit(f"batch sign: {len(bad)} not signed, e.g. {bad[0]}")
        return n / wall, used * 1000 / n

    j1_rate, j1_cpu = sign_all(1, "j1")
    runs = [sign_all(2, f"j2-{rnd}") for rnd in range(2)]
    rate = statistics.median(r[0] for r in runs)
    cpu_ms = statistics.median(r[1] for r in runs)

    one_cpu, parts = _batch_parts(tmp, paths[:100], ident, store)
    fp_ms = _fingerprint_ms(paths[:50])
    ceiling = 2000 / fp_ms  # 2 cores doing nothing but the fingerprint
    draft_ms = _fingerprint_ms(paths[:50], draft=True)
    note("batch", f"sign -j 2, {n} 1-MP JPEGs (soft binding, registration, identity "
         f"assertion): {rate:,.0f} files/s = {rate / floor_rate:.3f}x the floor of "
         f"{floor_rate:,.0f} files/s (read + sha256 + ES256; goal >= 1,100 files/s, "
         f"never below 700: unreachable with a soft binding from pixels, see the ceilings; "
         f"{load()})",
         rate >= 1100)
    note("batch", f"fingerprint (exact ISCC normalisation) {fp_ms:.2f} ms of CPU per file: "
         f"ceiling {ceiling:,.0f} files/s on 2 cores; achieved {rate:,.0f} files/s = "
         f"{rate / ceiling:.2f} of it (wall clock, machine shared)")
    note("batch", f"fingerprint from the fastest JPEG decode (1/8 DCT scaling; NOT the "
         f"reference value, for the bound only) {draft_ms:.2f} ms of CPU per file: ceiling "
         f"{2000 / draft_ms:,.0f} files/s on 2 cores: no soft binding from pixels reaches "
         "1,100")
    note("batch", f"CPU per file, parent and workers: {cpu_ms:.1f} ms at -j 2 (fingerprint "
         f"{fp_ms / cpu_ms:.0%} of it; the rest {cpu_ms - fp_ms:.1f} ms) = "
         f"{2000 / cpu_ms:,.0f} files/s on 2 idle cores = {fp_ms / cpu_ms:.2f} of the "
         f"ceiling; -j 1 {j1_rate:,.0f} files/s, {j1_cpu:.1f} ms CPU per file "
         f"(-j 2 / -j 1 = {rate / j1_rate:.2f}x wall)")
    ours = one_cpu - sum(parts.values())
    c2pa_ms = parts.get("c2pa signing", float("nan"))
    note("batch", f"where a file's CPU goes (100 files in one process, {one_cpu:.1f} ms each): "
         + ", ".join(f"{k} {v:.2f} ms" for k, v in parts.items())
         + f", the rest (ours: files, report, record, registry write) {ours:.2f} ms; c2pa's "
         f"signing call alone caps 2 cores at {2000 / c2pa_ms:,.0f} files/s")


def _floor(paths: list[Path]) -> int:
    """The batch floor for one worker: read, sha256 and one ES256 signature per file."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, utils

    key = ec.generate_private_key(ec.SECP256R1())
    for p in paths:
        digest = hashlib.sha256(p.read_bytes()).digest()
        key.sign(digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
    return len(paths)


def _batch_parts(tmp: Path, paths: list[Path], identity: Any, store: Any,
                 ) -> tuple[float, dict[str, float]]:
    """(CPU ms per file, {part: CPU ms per file}) of a registering batch sign of ``paths``
    in this process (no workers), each part timed inside the calls the sign path makes:
    the soft binding's fingerprint, c2pa's signing call (with its set-up) and the registry's
    validating c2pa read. What is left is ours: files, the report, the record, the write."""
    from provenance import _c2pa, batch
    from provenance.fingerprint import assertion
    from provenance.registry import open_registry

    spent: dict[str, float] = {}
    saved: list[tuple[Any, str, Any]] = []

    def timed(owner: Any, name: str, part: str) -> None:
        real = getattr(owner, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            c0 = time.process_time()
            try:
                return real(*args, **kwargs)
            finally:
                spent[part] = spent.get(part, 0.0) + time.process_time() - c0

        saved.append((owner, name, real))
        setattr(owner, name, call)

    def once(tag: str) -> float:
        out = tmp / f"batch-parts-{tag}"
        out.mkdir()
        c0 = time.process_time()
        with open_registry(f"sqlite:///{tmp / f'registry-parts-{tag}.sqlite3'}") as reg:
            res = list(batch.sign(paths, identity=identity, out_dir=out, trust=store,
                                  executor=None, registry=reg))
        if not all(isinstance(r, batch.Signed) for r in res):
            raise SystemExit("batch sign (parts): a file was not signed")
        return time.process_time() - c0

    timed(assertion, "fingerprint", "fingerprint")
    timed(_c2pa.DataHashSigner, "__init__", "c2pa signing")
    timed(_c2pa.DataHashSigner, "sign", "c2pa signing")
    timed(_c2pa, "read_signed", "registry's c2pa read")
    try:
        once("warm")
        spent.clear()
        total = once("timed")
    finally:
        for owner, name, real in reversed(saved):
            setattr(owner, name, real)
    n = len(paths)
    return total * 1000 / n, {k: v * 1000 / n for k, v in spent.items()}


def _fingerprint_ms(paths: list[Path], *, draft: bool = False) -> float:
    """Median ms of CPU of the soft binding's own computation on one file (whatever this
    checkout's fingerprint module exposes; nan when it cannot be called). ``draft``: the
    fastest decode libjpeg-turbo has (DCT scaling to 1/8, Pillow's draft mode), which is not
    the reference normalisation's value: the lower bound of any fingerprint computed from a
    JPEG's pixels, since every coefficient must still be entropy-decoded."""
    try:
        from provenance.fingerprint import fingerprint
        from provenance.fingerprint.image import image_fingerprint
    except ImportError:
        return float("nan")
    datas = [p.read_bytes() for p in paths]
    samples = []
    for data in datas:  # CPU time: what the fingerprint costs, whatever else runs beside it
        t0 = time.process_time()
        if draft:
            image_fingerprint(data, fast=True)
        else:
            fingerprint(data, "image/jpeg")
        samples.append((time.process_time() - t0) * 1000)
    return statistics.median(samples)


def row_large(tmp: Path, size: int, runs: int) -> None:
    """50 MB JPEG sign (fresh output, overwriting) and verify against sha256 of its bytes.

    Beside each row: the soft binding's fingerprint of that file (full decode, convert L,
    bicubic 32x32: the reference normalisation, kept bit-exact by decision), timed inside
    each sign call, and the rest of the path (the call minus its fingerprint, same call, so
    load swings between calls do not leak in) against sha256, so the part that misses the
    goal shows. Verify computes no fingerprint on an intact file (counted: must stay 0)."""
    from run import make_image

    import provenance
    from provenance.fingerprint import assertion
    from provenance.fingerprint.image import image_fingerprint
    from provenance.identity import Identity
    from provenance.trust import TrustStore

    ident, _ = Identity.create("BENCH TEST-ONLY")
    assert ident.root is not None
    store = TrustStore((ident.root,))
    src = tmp / "large.jpg"
    data = make_image("JPEG", size)
    src.write_bytes(data)
    over = tmp / "large.over.jpg"
    made: list[Path] = []
    inside: list[float] = []
    parts: dict[str, list[tuple[float, float]]] = {"sign fresh": [], "sign overwrite": [],
                                                   "verify": []}
    names = vars(assertion)  # the name the sign path calls (with_soft_binding_of)
    real = names["fingerprint"]

    def timed(content: bytes, mime: str) -> Any:
        t0 = time.perf_counter()
        try:
            return real(content, mime)
        finally:
            inside.append((time.perf_counter() - t0) * 1000)

    def split(key: str, call: Callable[[], object]) -> None:
        inside.clear()
        t0 = time.perf_counter()
        call()
        parts[key].append(((time.perf_counter() - t0) * 1000, sum(inside)))

    def sign_fresh() -> None:
        # A new name each time; each output but the first (which verify reads) is removed
        # after its call, outside the timing (removing it is the harness's cost, not
        # signing's), so the harness does not pile up 50 MB files. What a 50 MB write costs
        # here depends on the pages it lands in: 22-25 ms into pages a removed file has just
        # freed, ~120 ms into pages this VM has handed back to its host (Firecracker, free
        # page reporting at order 11: each page faults in again); which of the two rows gets
        # which varies from run to run.
        out = tmp / f"large.fresh{len(made)}.jpg"
        made.append(out)
        split("sign fresh", lambda: provenance.sign(src, out, identity=ident, trust=store))
        if len(made) > 1:
            made.pop().unlink()

    names["fingerprint"] = timed
    try:
        med = interleaved({
            "sha256": lambda: hashlib.sha256(data).digest(),
            "sign fresh": sign_fresh,
            "sign overwrite": lambda: split("sign overwrite", lambda: provenance.sign(
                src, over, identity=ident, trust=store, overwrite=True)),
            "verify": lambda: split("verify", lambda: provenance.verify(made[0],
                                                                        trust=store)),
            # The bound on any soft binding from pixels: the fastest decode (not the value).
            "draft fingerprint": lambda: image_fingerprint(data, fast=True),
        }, runs)
    finally:
        names["fingerprint"] = real
    for out in made:
        out.unlink()
    sha = med["sha256"]
    label = f"{len(data) / MB:.0f} MB JPEG"
    for key, goal in (("sign fresh", 2.0), ("sign overwrite", 2.0), ("verify", 1.5)):
        r = med[key] / sha
        fp = statistics.median(f for _, f in parts[key])
        rest = statistics.median(t - f for t, f in parts[key]) / sha
        part = (f"fingerprint {fp:.0f} ms = {fp / sha:.1f}x, the rest {rest:.2f}x" if fp
                else f"no fingerprint, the whole path {rest:.2f}x")
        note("large", f"{label} {key}: {med[key]:.0f} ms = {r:.2f}x sha256 ({sha:.0f} ms; "
             f"goal <= {goal}x; {part}; {load()})", r <= goal)
    draft = med["draft fingerprint"]
    note("large", f"{label}: a fingerprint from the fastest JPEG decode (1/8 DCT scaling; NOT "
         f"the reference value, for the bound only) alone {draft:.0f} ms = {draft / sha:.1f}x "
         "sha256: no soft binding from pixels signs within 2x")


def _interleaved_cpu(fns: dict[str, Callable[[], Any]], runs: int,
                     ) -> tuple[dict[str, float], dict[str, float]]:
    """As :func:`interleaved`, and the median CPU time of the process (all threads) beside
    the wall time: on a loaded machine a few-millisecond call is preempted in some runs and
    not others, and its wall time says more about the load than about the call."""
    wall: dict[str, list[float]] = {k: [] for k in fns}
    cpu: dict[str, list[float]] = {k: [] for k in fns}
    for fn in fns.values():
        fn()
    for _ in range(runs):
        for k, fn in fns.items():
            c0, t0 = time.process_time(), time.perf_counter()
            fn()
            wall[k].append((time.perf_counter() - t0) * 1000)
            cpu[k].append((time.process_time() - c0) * 1000)
    return ({k: statistics.median(v) for k, v in wall.items()},
            {k: statistics.median(v) for k, v in cpu.items()})


def row_text(runs: int) -> None:
    import io

    import c2pa
    from text import Encypher, make_text

    from provenance import _c2pa, inspect_text, sign_text
    from provenance.carriers import text as carrier
    from provenance.carriers import unstructured
    from provenance.identity import Identity
    from provenance.trust import TrustStore

    try:
        from provenance.fingerprint.text import soft_binding_code as binding
    except ImportError:  # before the text work: the sign path computed the whole fingerprint
        from provenance.fingerprint.text import text_fingerprint as binding  # type: ignore

    enc = Encypher()
    if enc.error is not None:
        note("text", f"encypher-ai not measurable: {enc.error}")
        return
    text = make_text(1024, seed=1000)
    ed, _ = Identity.create("BENCH TEST-ONLY Ed25519", algorithm="ed25519")
    es, _ = Identity.create("BENCH TEST-ONLY")
    assert ed.root is not None and es.root is not None
    ed_store, es_store = TrustStore((ed.root,)), TrustStore((es.root,))
    signed = sign_text(text, identity=ed, trust=ed_store)
    enc_signed = enc.sign(text)
    # The floor of each side, measured alone beside it: one c2pa signing call of the
    # data-hash route (manifest with identity assertion, Ed25519 twice) and the soft binding;
    # c2pa's validating read of the signed text (Reader, its JSON and crJSON).
    pem, ekus = ed_store.pem(), ed_store.eku_config()
    body = text.encode("utf-8")
    digest = hashlib.sha256(body).digest()
    found = carrier._a8(signed.encode("utf-8"), "text.txt")
    assert isinstance(found, tuple) and found[1].store is not None
    hashed, wrapper = found
    ctx = _c2pa._context(pem, ekus)
    length = unstructured.wrapper_length(wrapper.store) + 48
    signer = _c2pa.DataHashSigner(carrier._manifest(None, "text.txt", False), ed,
                                  trust_pem=pem, ekus=ekus)
    signer.sign(digest, [(len(body), length)])  # the process's first, c2pa-checked, signature

    def c2pa_read() -> None:
        with c2pa.Reader("text/plain", io.BytesIO(hashed), wrapper.store,
                         context=ctx) as reader:
            reader.json()
            reader.crjson()

    med, cpu = _interleaved_cpu({
        "enc sign": lambda: enc.sign(text),
        "sign": lambda: sign_text(text, identity=ed, trust=ed_store),
        "sign es256": lambda: sign_text(text, identity=es, trust=es_store),
        "c2pa sign": lambda: signer.sign(digest, [(len(body), length)]),
        "soft binding": lambda: binding(text),
        "enc verify": lambda: enc.verify(enc_signed),
        "verify": lambda: inspect_text(signed, trust=ed_store),
        "c2pa read": c2pa_read,
    }, runs * 5)
    r = med["sign"] / med["enc sign"]
    note("text", f"1 KB sign (Ed25519): {med['sign']:.2f} ms = {r:.2f}x encypher-ai's "
         f"{med['enc sign']:.2f} ms (goal <= 0.7x; ES256 {med['sign es256']:.2f} ms; {load()})",
         r <= 0.7)
    note("text", f"  CPU time: {cpu['sign']:.2f} ms = {cpu['sign'] / cpu['enc sign']:.2f}x "
         f"encypher-ai's {cpu['enc sign']:.2f} ms; of it one c2pa signing call "
         f"{cpu['c2pa sign']:.2f} ms and the soft binding {cpu['soft binding']:.2f} ms "
         f"(floor {cpu['c2pa sign'] + cpu['soft binding']:.2f} ms = "
         f"{(cpu['c2pa sign'] + cpu['soft binding']) / cpu['enc sign']:.2f}x; wall "
         f"{med['c2pa sign']:.2f} + {med['soft binding']:.2f} ms)")
    r = med["verify"] / med["enc verify"]
    note("text", f"1 KB verify: {med['verify']:.2f} ms = {r:.2f}x encypher-ai's "
         f"{med['enc verify']:.2f} ms (goal <= 0.5x)", r <= 0.5)
    note("text", f"  CPU time: {cpu['verify']:.2f} ms = {cpu['verify'] / cpu['enc verify']:.2f}x"
         f" encypher-ai's {cpu['enc verify']:.2f} ms; of it the c2pa read (Reader, JSON, "
         f"crJSON) {cpu['c2pa read']:.2f} ms = {cpu['c2pa read'] / cpu['enc verify']:.2f}x "
         f"(wall {med['c2pa read']:.2f} ms)")


# -- the import budget ------------------------------------------------------------------------


_LINE = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|( +)(\S+)$")


def importtime(cmd: list[str], home: Home) -> tuple[float, set[str]]:
    """(total import ms of the top-level imports, every module imported) of one run."""
    proc = subprocess.run(cmd, env=home.env, cwd=home.cwd, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, check=False)
    total = 0.0
    names: set[str] = set()
    for line in proc.stderr.splitlines():
        m = _LINE.match(line)
        if m is None:
            continue
        names.add(m.group(4))
        if len(m.group(3)) == 1:
            total += int(m.group(2)) / 1000
    return total, names


def row_budget(home: Home) -> bool:
    compiled(home)
    py = [sys.executable, "-X", "importtime"]
    main = "import sys; from provenance.cli.main import main; sys.argv[0] = 'provenance'; main()"
    cmds = {
        "import provenance": [*py, "-c", "import provenance"],
        "--version": [*py, "-c", main, "--version"],
        "--help": [*py, "-c", main, "--help"],
        "verify x.jpg": [*py, "-c", main, "verify", str(home.signed)],
    }
    # Python's own start-up imports (site, encodings...) are in every run: subtracted.
    floor = statistics.median(importtime([*py, "-c", "pass"], home)[0] for _ in range(3))
    base = statistics.median(importtime([*py, "-c", "import c2pa"], home)[0]
                             for _ in range(3)) - floor
    print(f"  import budget (python -X importtime, less the interpreter's own {floor:.0f} ms; "
          f"import c2pa = {base:.0f} ms; {load()}):")
    ok = True
    for key, cmd in cmds.items():
        runs = [importtime(cmd, home) for _ in range(3)]
        total = statistics.median(r[0] for r in runs) - floor
        names = runs[0][1]
        bad = sorted(n for n in names
                     if any(n == f or n.startswith(f + ".") for f in FORBIDDEN[key]))
        within = total <= BUDGET[key] * base and not bad
        ok &= within
        extra = f"; imports what it must not: {', '.join(bad[:6])}" if bad else ""
        note("budget", f"{key}: {total:.0f} ms = {total / base:.2f}x import c2pa "
             f"(budget {BUDGET[key]}x){extra}", within)
    return ok


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="200 files, 10 MB, fewer runs")
    ap.add_argument("--rows", default=",".join(ROWS), help=f"comma-separated: {','.join(ROWS)}")
    args = ap.parse_args(argv)
    rows = [r.strip() for r in args.rows.split(",") if r.strip()]
    unknown = [r for r in rows if r not in ROWS]
    if unknown:
        ap.error(f"unknown rows: {', '.join(unknown)}")
    runs = 5 if args.quick else 9
    import provenance

    sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/batch.py, run.py, text.py
    os.chdir(tempfile.gettempdir())  # subprocesses must import the installed provenance
    print(f"provenance speed bench: provenance {provenance.__version__} "
          f"({Path(provenance.__file__).parent.parent}), Python {platform.python_version()}, "
          f"{platform.machine()}, {os.cpu_count()} CPUs, {load()} at start")
    budget_ok = True
    t_start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="provenance-bench-speed-") as name:
        tmp = Path(name)
        home = Home(tmp) if {"startup", "budget"} & set(rows) else None
        for row in rows:
            if row == "startup" and home is not None:
                row_startup(home, runs + 2)
            elif row == "aftersign":
                row_aftersign(runs)
            elif row == "batch":
                row_batch(tmp, 200 if args.quick else 1000)
            elif row == "large":
                row_large(tmp, 10 * MB if args.quick else 50 * MB, 3 if args.quick else 5)
            elif row == "text":
                row_text(runs)
            elif row == "budget" and home is not None:
                budget_ok = row_budget(home)
    print()
    print("summary (the timing goals hold on an idle machine; the import budget gates):")
    for row, text, ok in results:
        if ok is not None:
            print(f"  {'PASS' if ok else 'MISS'} {row:<10} {text}")
    print(f"\ntotal {time.perf_counter() - t_start:.0f} s; {load()} at the end")
    return 0 if budget_ok else 1


if __name__ == "__main__":
    sys.exit(main())
