"""Benchmark: registry lookup latency (median, p99) at 100,000 and 1,000,000 registered items
on SQLite and PostgreSQL, and the registration rate.

Fingerprints come from generated content, never random codes: images are smooth random
scenes drawn at 32x32 (sums of low-frequency waves plus a few discs; numpy, vectorised) and
hashed by the same DCT pHash as ``provenance.fingerprint.image``; texts are Zipf-distributed
made-up texts (``bench/_gen.py``) hashed by ``provenance.fingerprint.text.minhash``. Records go
in through ``Registry.add`` (5,000 per transaction), as ``provenance sign`` would write them.
Queries are near-copies of registered items (a few pixels changed, or 1% of words) and new
items never registered: 300 of each kind, after 20 warm-up lookups. Text is measured at
100,000 and 1,000,000 by default (``--text-max``); the texts are made once for both stores.

"registering" is the store's own rate: ``Registry.add`` of records whose fingerprints are
already computed, 5,000 per transaction, timed around ``add`` alone. The end-to-end rows add the
fingerprint computation: photo-like 1-MP JPEGs and 300-word texts (bytes in memory) through
``provenance.fingerprint.fingerprint`` and ``Registry.add`` in transactions of 256 (as
``provenance sign`` writes a batch), one process; they exclude signing and the validation of
the signed file that ``record_for`` does before registering.

Goals (issue 16): SQLite at 1M: median <= 5 ms, p99 <= 20 ms; registering >= 2,000 items/s.

    python bench/registry.py                       # 100k and 1M, SQLite and PostgreSQL
    python bench/registry.py --sizes 100000 --no-postgres
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import _pg
from _gen import jpeg, photo, text, vocabulary

from provenance.fingerprint import Fingerprint, fingerprint
from provenance.fingerprint.image import dct_matrix
from provenance.fingerprint.text import minhash, normalise_words
from provenance.registry import open_registry
from provenance.registry.base import Record, Registry
from provenance.report import SignerInfo

SIGNER = SignerInfo(name="BENCH-ONLY signer", organization=None, issuer=None, trusted=False)
STORE = b'{"active_manifest":"bench","manifests":{}}'
_D = dct_matrix()
_BITS = (1 << np.arange(63, -1, -1, dtype=np.uint64)).astype(np.uint64)


def scenes(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` generated 32x32 grayscale scenes."""
    y, x = np.mgrid[0:32, 0:32].astype(np.float32) / 32
    out = np.zeros((n, 32, 32), np.float32)
    for _ in range(4):
        fx, fy = rng.uniform(0.3, 3, (2, n, 1, 1)) * np.pi
        ph = rng.uniform(0, 2 * np.pi, (n, 1, 1))
        out += np.sin(fx * x + fy * y + ph) * rng.uniform(10, 50, (n, 1, 1))
    for _ in range(3):
        cx, cy = rng.uniform(0, 1, (2, n, 1, 1))
        r = rng.uniform(0.05, 0.3, (n, 1, 1))
        out += ((x - cx) ** 2 + (y - cy) ** 2 < r ** 2) * rng.uniform(-80, 80, (n, 1, 1))
    return np.clip(out + 128, 0, 255).round()


def phashes(imgs: np.ndarray) -> np.ndarray:
    low = (_D @ imgs.astype(np.float64) @ _D.T)[:, :8, :8]
    flat = low.reshape(len(imgs), 64)
    bits = flat > np.median(flat, axis=1, keepdims=True)
    return (bits.astype(np.uint64) * _BITS).sum(axis=1, dtype=np.uint64)


def image_records(n: int, seed: int) -> Iterator[list[Record]]:
    rng = np.random.default_rng(seed)
    done = 0
    while done < n:
        k = min(5000, n - done)
        for j, h in enumerate(phashes(scenes(rng, k))):
            yield_ = Record(f"img-{done + j}", "image/jpeg", "image", SIGNER, "human", None,
                            STORE, (), phash=int(h))
            if j == 0:
                batch: list[Record] = []
            batch.append(yield_)
        done += k
        yield batch


class TextSource:
    """Text records made once and shared by every store's run: generating 1M texts and their
    MinHashes takes a quarter of an hour here, so the second store reuses the first's."""

    def __init__(self, seed: int, vocab: list[str], cache: Path | None = None) -> None:
        self._rng = np.random.default_rng(seed)
        self._vocab = vocab
        self._made: list[bytes] = []
        self._cache = cache / f"texts-{seed}-v1.npy" if cache else None
        if self._cache is not None and self._cache.is_file():
            self._made = [row.tobytes() for row in np.load(self._cache)]

    def save(self) -> None:
        """Keep the MinHashes made so far for the next run (a plain numpy file)."""
        if self._cache is not None and self._made:
            self._cache.parent.mkdir(parents=True, exist_ok=True)
            np.save(self._cache, np.frombuffer(b"".join(self._made), "<u4").reshape(-1, 128))

    def _text(self) -> str:
        # The words of ``_gen.text`` (Zipf ranks) without its sentences, capitals and quotes,
        # which the MinHash's normalisation folds away anyway: a third of the cost.
        ranks = np.minimum(self._rng.zipf(1.15, int(self._rng.integers(150, 400))) - 1,
                           len(self._vocab) - 1)
        return " ".join([self._vocab[r] for r in ranks.tolist()])

    def records(self, n: int) -> Iterator[list[Record]]:
        """Batches of 5,000 records, the first ``n`` texts of the seed."""
        for start in range(0, n, 5000):
            end = min(n, start + 5000)
            while len(self._made) < end:
                self._made.append(minhash(normalise_words(self._text())))
            yield [Record(f"txt-{i}", "text/plain", "text", SIGNER, "human", None, STORE, (),
                          minhash=self._made[i]) for i in range(start, end)]


def fill(reg: Registry, batches: Iterator[list[Record]], until: int,
         have: int) -> tuple[int, float]:
    added, spent = 0, 0.0
    for batch in batches:
        t = time.perf_counter()
        reg.add(batch)
        spent += time.perf_counter() - t
        added += len(batch)
        if have + added >= until:
            break
    return added, spent


def timed(reg: Registry, queries: list[Fingerprint]) -> tuple[float, float]:
    for q in queries[:20]:
        reg.lookup(q)
    times = []
    for q in queries:
        t = time.perf_counter()
        reg.lookup(q)
        times.append((time.perf_counter() - t) * 1000)
    return float(np.median(times)), float(np.percentile(times, 99))


def image_queries(rng: np.random.Generator) -> list[Fingerprint]:
    near_src = scenes(np.random.default_rng(1), 300)  # the first registered scenes
    near = near_src + rng.normal(0, 3, near_src.shape)
    fresh = scenes(rng, 300)
    return [Fingerprint("image", "ISCC:none", phash=int(h)) for h in phashes(np.concatenate(
        [near, fresh]))]


def text_queries(rng: np.random.Generator, vocab: list[str]) -> list[Fingerprint]:
    src = np.random.default_rng(2)
    out = []
    for _ in range(300):
        words = text(src, vocab, int(src.integers(150, 400))).split(" ")
        for i in rng.choice(len(words), max(1, len(words) // 100), replace=False):
            words[int(i)] = vocab[int(rng.integers(50, len(vocab)))]
        out.append(Fingerprint("text", "ISCC:none", minhash=minhash(normalise_words(
            " ".join(words)))))
    for _ in range(300):
        out.append(Fingerprint("text", "ISCC:none", minhash=minhash(normalise_words(
            text(rng, vocab, 300)))))
    return out


def end_to_end(name: str, dsn: str, vocab: list[str], n_img: int, n_txt: int) -> None:
    """Fingerprint computation + registration, in transactions of 256."""
    rng = np.random.default_rng(21)
    contents = [("image/jpeg", jpeg(photo(rng, (1155, 866)), 90)) for _ in range(n_img)]
    kb = np.mean([len(d) for _, d in contents]) / 1000
    texts = [("text/plain", text(rng, vocab, 300).encode()) for _ in range(n_txt)]
    reg = open_registry(dsn)
    for label, items in (("1-MP JPEGs", contents), ("300-word texts", texts)):
        t = time.perf_counter()
        batch: list[Record] = []
        for i, (mime, data) in enumerate(items):
            fp = fingerprint(data, mime)
            assert fp is not None
            batch.append(Record(f"e2e-{mime}-{i}", mime, fp.kind, SIGNER, "human", None, STORE,
                                (("io.iscc.v0", fp.iscc),), phash=fp.phash,
                                minhash=fp.minhash))
            if len(batch) == 256:
                reg.add(batch)
                batch = []
        if batch:
            reg.add(batch)
        rate = len(items) / (time.perf_counter() - t)
        extra = f" ({kb:.0f} KB each)" if label.endswith("JPEGs") else ""
        print(f"{name:10} end-to-end {label}{extra}: fingerprint + register {rate:8,.0f} "
              "items/s (one process)")
    reg.close()


def run(name: str, dsn: str, sizes: list[int], text_max: int, vocab: list[str],
        texts: TextSource) -> None:
    reg = open_registry(dsn)
    rng = np.random.default_rng(9)
    iq, tq = image_queries(rng), text_queries(rng, vocab)
    imgs, txts = image_records(max(sizes), 1), texts.records(text_max)
    n_img = n_txt = 0
    for size in sizes:
        added, spent = fill(reg, imgs, size, n_img)
        n_img += added
        med, p99 = timed(reg, iq)
        print(f"{name:10} image {n_img:>9,}  (load {os.getloadavg()[0]:.1f})  lookup median "
              f"{med:6.2f} ms  p99 {p99:6.2f} ms  "
              f"registering {added / spent:8,.0f} items/s")
        if size <= text_max:
            added, spent = fill(reg, txts, size, n_txt)
            n_txt += added
            med, p99 = timed(reg, tq)
            print(f"{name:10} text  {n_txt:>9,}  (load {os.getloadavg()[0]:.1f})  lookup median "
                  f"{med:6.2f} ms  p99 {p99:6.2f} "
                  f"ms  registering {added / spent:8,.0f} items/s")
    reg.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--text-max", type=int, default=1_000_000)
    ap.add_argument("--no-postgres", action="store_true")
    ap.add_argument("--no-sqlite", action="store_true")
    ap.add_argument("--cache", type=Path, default=Path(os.environ.get(
        "XDG_CACHE_HOME", Path.home() / ".cache")) / "provenance-bench",
        help="where text MinHashes are kept between runs ('' for none)")
    ap.add_argument("--pg-sizes", default=None, help="PostgreSQL sizes (default: --sizes)")
    ap.add_argument("--e2e-images", type=int, default=300)
    ap.add_argument("--e2e-texts", type=int, default=2000)
    args = ap.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    vocab = vocabulary()
    texts = TextSource(2, vocab, args.cache if str(args.cache) else None)
    print("provenance registry bench (lookups: 300 near-copies + 300 new items per kind; "
          f"load average {os.getloadavg()[0]:.2f})")
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory(prefix="bench-registry-") as tmp:
            end_to_end("sqlite", f"sqlite:///{Path(tmp) / 'e.sqlite3'}", vocab,
                       args.e2e_images, args.e2e_texts)
            run("sqlite", f"sqlite:///{Path(tmp) / 'r.sqlite3'}", sizes, args.text_max, vocab,
                texts)
        texts.save()
    if args.no_postgres:
        return
    with _pg.server() as server:
        if server is None:
            print("postgresql: not installed, skipped")
            return
        pg_sizes = sorted(int(v) for v in args.pg_sizes.split(",")) if args.pg_sizes else sizes
        run("postgresql", server, pg_sizes, args.text_max, vocab, texts)


if __name__ == "__main__":
    main()
