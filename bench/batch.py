"""Benchmark: batch signing and verification of 1,000 one-megapixel JPEGs.

Compares, in one run, files per second (median of 3 interleaved rounds; the plain signing
loop, 60x slower, runs once) for:

* ``ours -j 1`` / ``ours -j 2`` -- ``provenance.batch.sign`` / ``provenance.batch.verify`` (the
  library API behind ``provenance sign|verify DIR --recursive``) in this process, or on a fork
  pool of 2 workers that each build their own c2pa Signer;
* ``plain`` -- the straightforward loop from c2pa-python's documentation: per file a new
  ``Signer.from_info(C2paSignerInfo(...))``, ``Builder(manifest_json)`` with default settings
  (no Context, so c2pa's defaults apply, automatic thumbnail included) and
  ``builder.sign_file(src, dst, signer)``; reading is ``Reader(path).json()``.

Then the peak memory of the whole process tree (parent and workers) signing and verifying
1,000 and 10,000 files with ``-j 2``, each in a fresh interpreter (10,000 = the 1,000 sources
ten times over, with distinct output names; each output is deleted once its result arrives,
so the disk holds at most a window of them).

Targets (from the project's issue #4):

* B1 sign >= 20x the straightforward loop;
* B2 >= 500 files/s sign and B3 >= 400 files/s verify with ``-j 2``;
* B4 2-worker speed-up >= 1.7x (sign and verify);
* B5 peak memory flat (<= 300 MB) from 1,000 to 10,000 files.

Inputs are generated at run time with Pillow: 1000x1000 pixels, a gradient with Gaussian noise
(so they compress like detailed photos, 300-570 KB each), JPEG quality 88. 50 distinct images,
each written 20 times with a different JPEG comment, so every file's bytes (and hash) differ.
Before each timed phase the script calls ``os.sync()`` (untimed), so that writing back the
previous phase's output does not steal CPU from the next one. The script is a report: it exits
0 whether or not the targets are met.

Usage::

    python bench/batch.py            # 1,000 files; memory at 1,000 and 10,000 (about 2 min)
    python bench/batch.py --quick    # 200 files; memory at 200 and 2,000
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _common import dist_version, plain_sign, plain_verify
from PIL import Image

import provenance
from provenance import batch
from provenance.identity import Identity
from provenance.trust import TrustStore

MB = 1024 * 1024
ROUNDS = 3
TARGETS = {"ratio": 20.0, "sign_j2": 500.0, "verify_j2": 400.0, "speedup": 1.7,
           "memory_mb": 300.0}


# -- inputs -----------------------------------------------------------------------------------


def _jpeg(seed: int) -> bytes:
    base = Image.linear_gradient("L").resize((1000, 1000)).rotate(seed * 7 % 360)
    noise = Image.effect_noise((1000, 1000), 16 + seed % 4 * 8)
    img = Image.merge("RGB", (base, noise, base.rotate(90)))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=88)
    return buf.getvalue()


def _with_comment(jpeg: bytes, text: bytes) -> bytes:
    # A COM segment right after SOI: a valid JPEG whose bytes differ.
    return jpeg[:2] + b"\xff\xfe" + (len(text) + 2).to_bytes(2, "big") + text + jpeg[2:]


def make_inputs(folder: Path, n: int, distinct: int = 50) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    bases = [_jpeg(i) for i in range(min(distinct, n))]
    paths = []
    for i in range(n):
        p = folder / f"img{i:05d}.jpg"
        p.write_bytes(_with_comment(bases[i % len(bases)], f"bench {i}".encode()))
        paths.append(p)
    return paths


# -- the straightforward c2pa-python usage ----------------------------------------------------


def plain_sign_all(paths: list[Path], out: Path, alg: bytes, chain_pem: bytes,
                   key_pem: bytes) -> None:
    for p in paths:
        plain_sign(p, out / p.name, alg, chain_pem, key_pem)


def plain_verify_all(paths: list[Path]) -> None:
    for p in paths:
        plain_verify(p)


# -- measurement ------------------------------------------------------------------------------


def rate(n: int, fn: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    # Write back what earlier phases left dirty, so that the kernel's writeback does not take
    # CPU from this phase (2 cores: it would, and the numbers would depend on the order).
    os.sync()
    t0 = time.perf_counter()
    out = fn(*args)
    return n / (time.perf_counter() - t0), out


def check(results: list[batch.Result], want: type, what: str) -> None:
    bad = [r for r in results if not isinstance(r, want)]
    if bad:
        raise SystemExit(f"{what}: {len(bad)} unexpected results, e.g. {bad[0]}")


def ours_sign(paths: list[Path], out: Path, ident: Identity, store: TrustStore,
              jobs: int) -> list[batch.Result]:
    out.mkdir()
    with batch.executor(jobs) as ex:
        return list(batch.sign(paths, identity=ident, out_dir=out, trust=store, executor=ex))


def ours_verify(paths: list[Path], store: TrustStore, jobs: int) -> list[batch.Result]:
    with batch.executor(jobs) as ex:
        return list(batch.verify(paths, trust=store, executor=ex))


class TreeMemory:
    """Samples the summed RSS and PSS of this process and its children (every 50 ms)."""

    def __init__(self) -> None:
        import psutil

        self.proc = psutil.Process()
        self.peak_rss = 0
        self.peak_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        tick = 0
        while not self._stop.is_set():
            procs = [self.proc, *self.proc.children(recursive=True)]
            rss = pss = 0
            for p in procs:
                try:
                    rss += p.memory_info().rss
                    if tick % 4 == 0:  # smaps is slower to read: every 200 ms
                        pss += p.memory_full_info().pss
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
            self.peak_rss = max(self.peak_rss, rss)
            if tick % 4 == 0:
                self.peak_pss = max(self.peak_pss, pss)
            tick += 1
            self._stop.wait(0.05)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def memory_run(src: Path, signed: Path, n: int, jobs: int) -> dict[str, Any]:
    """In a fresh interpreter: sign and verify ``n`` files (the sources cycled) with -j jobs."""
    ident, _ = Identity.create("BENCH TEST-ONLY")
    assert ident.root is not None
    store = TrustStore((ident.root,))
    sources = sorted(src.glob("*.jpg"))
    checked = sorted(signed.glob("*.jpg"))
    out = Path(tempfile.mkdtemp(prefix="provenance-bench-mem-", dir=src.parent))

    def items() -> list[batch.Item]:
        return [batch.Item(sources[i % len(sources)],
                           Path(f"r{i // len(sources)}") / sources[i % len(sources)].name)
                for i in range(n)]

    counts: dict[str, int] = {}
    t0 = time.perf_counter()
    with TreeMemory() as mem, batch.executor(jobs) as ex:
        for r in batch.sign(items(), identity=ident, out_dir=out, trust=store, executor=ex):
            kind = type(r).__name__
            counts["sign " + kind] = counts.get("sign " + kind, 0) + 1
            if isinstance(r, batch.Signed):
                r.output.unlink()
        paths = [checked[i % len(checked)] for i in range(n)]
        for r in batch.verify(paths, trust=store, executor=ex):
            kind = type(r).__name__
            counts["verify " + kind] = counts.get("verify " + kind, 0) + 1
    elapsed = time.perf_counter() - t0
    shutil.rmtree(out, ignore_errors=True)
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "n": n, "seconds": elapsed, "counts": counts,
        "tree_rss_mb": mem.peak_rss / MB, "tree_pss_mb": mem.peak_pss / MB,
        "parent_maxrss_mb": self_kb / 1024, "worker_maxrss_mb": child_kb / 1024,
    }


def measure_memory(src: Path, signed: Path, n: int, jobs: int) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, "--memory-run", str(n), "--src", str(src),
         "--signed", str(signed), "-j", str(jobs)],
        capture_output=True, text=True, check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"memory run failed:\n{proc.stderr}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


# -- report -----------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="200 files; memory at 200 and 2,000")
    ap.add_argument("-n", type=int, default=None, help="number of files (default 1,000)")
    ap.add_argument("--memory-run", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--src", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--signed", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("-j", type=int, default=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.memory_run:
        print(json.dumps(memory_run(args.src, args.signed, args.memory_run, args.j)))
        return 0
    n = args.n or (200 if args.quick else 1000)

    print(f"provenance {provenance.__version__}, c2pa-python {dist_version('c2pa-python')}, "
          f"Python {platform.python_version()}, {platform.machine()}, "
          f"{os.cpu_count()} CPUs ({batch.default_jobs()} usable), load average "
          f"{os.getloadavg()[0]:.2f} at start")
    t_start = time.perf_counter()
    ident, _ = Identity.create("BENCH TEST-ONLY")
    assert ident.root is not None
    store = TrustStore((ident.root,))
    alg, chain_pem, key_pem = ident.algorithm.encode(), ident.chain_pem(), ident.private_key_pem()

    with tempfile.TemporaryDirectory(prefix="provenance-bench-batch-") as tmpname:
        tmp = Path(tmpname)
        t0 = time.perf_counter()
        paths = make_inputs(tmp / "src", n)
        sizes = [p.stat().st_size for p in paths]
        print(f"inputs: {n} JPEGs 1000x1000, {sum(sizes) / n / 1000:.0f} KB on average "
              f"({min(sizes) / 1000:.0f}-{max(sizes) / 1000:.0f} KB), "
              f"made in {time.perf_counter() - t0:.1f} s")

        # Ours: 3 interleaved rounds, medians (other processes on the machine add noise).
        samples: dict[str, list[float]] = {k: [] for k in (
            "sign_j1", "sign_j2", "verify_j1", "verify_j2", "plain_verify")}
        signed: list[Path] = []
        for rnd in range(ROUNDS):
            for jobs in (1, 2):
                out = tmp / f"o{rnd}{jobs}"
                r, res = rate(n, ours_sign, paths, out, ident, store, jobs)
                check(res, batch.Signed, f"sign -j {jobs}")
                samples[f"sign_j{jobs}"].append(r)
                if not signed:
                    signed = sorted(out.glob("*.jpg"))
                else:
                    shutil.rmtree(out)
            for jobs in (1, 2):
                r, res = rate(n, ours_verify, signed, store, jobs)
                check(res, batch.Verified, f"verify -j {jobs}")
                samples[f"verify_j{jobs}"].append(r)
            r, _ = rate(n, plain_verify_all, signed)
            samples["plain_verify"].append(r)
        statuses = {r.report.status for r in res if isinstance(r, batch.Verified)}
        print(f"  ours: {n} signed and verified, {ROUNDS} rounds "
              f"({', '.join(sorted(statuses))})", flush=True)
        rates = {k: statistics.median(v) for k, v in samples.items()}

        plain_out = tmp / "plain"
        plain_out.mkdir()
        rates["plain_sign"], _ = rate(n, plain_sign_all, paths, plain_out, alg, chain_pem,
                                      key_pem)
        samples["plain_sign"] = [rates["plain_sign"]]
        thumb = plain_verify(plain_out / paths[0].name)
        shutil.rmtree(plain_out)
        print(f"  plain: {n} signed, 1 round (automatic thumbnail in the manifest: "
              f"{'yes' if 'thumbnail' in thumb else 'no'})", flush=True)

        mem_small = n
        mem_large = 10 * n
        memory = {m: measure_memory(tmp / "src", signed[0].parent, m, 2)
                  for m in (mem_small, mem_large)}

    print()
    print(f"{'':26}{'files/s':>10}{'vs plain':>10}   min-max")
    for key, label in (("plain_sign", "sign   plain loop"), ("sign_j1", "sign   ours -j 1"),
                       ("sign_j2", "sign   ours -j 2"), ("plain_verify", "verify plain Reader"),
                       ("verify_j1", "verify ours -j 1"), ("verify_j2", "verify ours -j 2")):
        base = rates["plain_sign" if key.startswith(("sign", "plain_sign")) else "plain_verify"]
        spread = samples[key]
        print(f"  {label:24}{rates[key]:>10,.0f}{rates[key] / base:>9.1f}x   "
              f"{min(spread):,.0f}-{max(spread):,.0f}")
    sp_sign = rates["sign_j2"] / rates["sign_j1"]
    sp_verify = rates["verify_j2"] / rates["verify_j1"]
    print(f"  2-worker speed-up: sign {sp_sign:.2f}x, verify {sp_verify:.2f}x")
    print()
    print("peak memory, sign then verify with -j 2 (parent + 2 workers):")
    print(f"  {'files':>7}{'tree RSS':>11}{'tree PSS':>11}{'parent':>9}{'worker':>9}{'time':>8}")
    for m, r in memory.items():
        print(f"  {m:>7,}{r['tree_rss_mb']:>8.0f} MB{r['tree_pss_mb']:>8.0f} MB"
              f"{r['parent_maxrss_mb']:>6.0f} MB{r['worker_maxrss_mb']:>6.0f} MB"
              f"{r['seconds']:>7.1f}s")
    print("  (RSS sums count pages shared after fork once per process: an upper bound; PSS "
          "splits them)")

    small, large = memory[mem_small], memory[mem_large]
    flat = large["tree_rss_mb"] <= small["tree_rss_mb"] * 1.10 + 10
    ratio = rates["sign_j2"] / rates["plain_sign"]
    print()
    print("targets:")
    print(f"  {verdict(ratio >= TARGETS['ratio'])} B1 sign >= 20x the plain loop: "
          f"{ratio:.1f}x with -j 2 ({rates['sign_j1'] / rates['plain_sign']:.1f}x with -j 1)")
    print(f"  {verdict(rates['sign_j2'] >= TARGETS['sign_j2'])} B2 sign >= 500 files/s "
          f"with -j 2: {rates['sign_j2']:,.0f}")
    print(f"  {verdict(rates['verify_j2'] >= TARGETS['verify_j2'])} B3 verify >= 400 files/s "
          f"with -j 2: {rates['verify_j2']:,.0f}")
    print(f"  {verdict(min(sp_sign, sp_verify) >= TARGETS['speedup'])} B4 2-worker speed-up "
          f">= 1.7x: sign {sp_sign:.2f}x, verify {sp_verify:.2f}x")
    print(f"  {verdict(flat and large['tree_rss_mb'] <= TARGETS['memory_mb'])} B5 peak memory "
          f"flat and <= 300 MB: {small['tree_rss_mb']:.0f} MB at {mem_small:,} files, "
          f"{large['tree_rss_mb']:.0f} MB at {mem_large:,} (tree RSS)")
    print(f"\ntotal {time.perf_counter() - t_start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
