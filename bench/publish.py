"""Benchmark: ``provenance publish`` on a generated site of 1,000 pages and 2,000 images.

Measures, in one run, files per second (files of the site handled / wall time) for:

* ``batch -j N`` -- the baseline: ``provenance.batch.sign`` of the same 3,000 files into an
  output folder (what ``provenance sign SITE -r --out-dir OUT`` does: every file signed on its
  own, no ingredients, no index);
* ``publish -j N`` first run -- ``provenance.publish.publish`` into an empty output folder:
  images first, then every page with the two images it shows as ``componentOf`` ingredients
  (c2pa parses each image's manifest store into the page's), then the signed index;
* ``publish -j N`` no-change re-run -- the same again: every source and published file hashed,
  every page parsed, nothing written;
* ``publish -j 2`` one image changed -- the image and the pages that show it re-signed.

``-j 1`` runs in this process; ``-j 2`` on a fork pool of 2 workers. Registration is off in
every phase (``--no-register``), so the comparison is signing against signing. Inputs are made
with Pillow at run time: 2,000 JPEG and PNG images of 320x240 (noise, so they compress like
photos), 1,000 pages of a few KB in 20 folders, non-ASCII names included; page ``i`` shows
images ``2i`` and ``2i+1``, and one image shown by every tenth page.

The machine is shared: the load average is printed with the figures; the ratios measured side
by side are what count. The script is a report and exits 0.

Usage::

    python bench/publish.py          # 1,000 pages, 2,000 images (several minutes on 2 cores)
    python bench/publish.py --quick  # 100 pages, 200 images
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

from _common import dist_version
from PIL import Image

import provenance
from provenance import batch
from provenance.identity import Identity
from provenance.publish import publish
from provenance.trust import TrustStore


def _image(seed: int, fmt: str) -> bytes:
    rnd = random.Random(seed)
    img = Image.effect_noise((320, 240), 20 + seed % 40).convert("RGB")
    img.paste((rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)),
              (0, 0, 160, 120))
    buf = io.BytesIO()
    img.save(buf, fmt, **({"quality": 85} if fmt == "JPEG" else {}))
    return buf.getvalue()


def make_site(root: Path, pages: int) -> int:
    """A site of ``pages`` pages and ``2 * pages`` images; returns the number of files."""
    shared = "img/shared/bandeau-été.jpg"
    (root / "img" / "shared").mkdir(parents=True)
    (root / shared).write_bytes(_image(-1, "JPEG"))
    count = 1
    for i in range(pages):
        folder = f"section-{i % 20:02d}"
        names = []
        for k in (2 * i, 2 * i + 1):
            fmt, ext = ("JPEG", "jpg") if k % 2 == 0 else ("PNG", "png")
            name = f"img/{folder}/photo-{k:05d}{'-ü' if k % 7 == 0 else ''}.{ext}"
            p = root / name
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(_image(k, fmt))
            names.append(name)
            count += 1
        extra = f'<img src="../{shared}" alt="">' if i % 10 == 0 else ""
        body = "".join(f"<p>Paragraph {n} of page {i}: a person wrote these words.</p>"
                       for n in range(12))
        html = (f"<!doctype html><html><head><meta charset='utf-8'><title>Page {i}</title>"
                f"</head><body><h1>Page {i}</h1>{body}"
                f"<img src='../{names[0]}' alt=''>"
                f"<picture><source srcset='../{names[1]} 2x'><img src='../{names[0]}'></picture>"
                f"{extra}</body></html>\n")
        page = root / folder / f"page-{i:04d}.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(html, encoding="utf-8")
        count += 1
    # The shared image only counts once; the page count and image count as the header says.
    return count


def timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    os.sync()
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t0, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="100 pages, 200 images")
    args = ap.parse_args()
    pages = 100 if args.quick else 1000
    print(f"provenance {provenance.__version__}, c2pa-python {dist_version('c2pa-python')}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start")
    with tempfile.TemporaryDirectory(prefix="bench-publish-") as tmp:
        root = Path(tmp)
        os.environ["PROVENANCE_HOME"] = str(root / "home")
        ident, _root_key = Identity.create("TEST-ONLY Bench Author")
        assert ident.root is not None
        provenance.trust.add_certificates("bench-root", [ident.root])
        store = TrustStore.installed()
        site = root / "site"
        n = make_site(site, pages)
        print(f"site: {pages} pages, {n - pages} images (320x240 JPEG/PNG), {n} files")
        rows: list[tuple[str, float, int, str]] = []

        for jobs in (1, 2):
            out = root / f"batch-j{jobs}"
            items = batch.expand([site], recursive=True)
            with batch.executor(jobs) as ex:
                secs, res = timed(lambda ex=ex, out=out, items=items: list(batch.sign(
                    items, identity=ident, out_dir=out, trust=store, executor=ex)))
            ok = sum(isinstance(r, batch.Signed) for r in res)
            rows.append((f"batch sign -j {jobs} (baseline)", secs, ok,
                         f"load {os.getloadavg()[0]:.2f}"))
            shutil.rmtree(out)

        for jobs in (1, 2):
            out = root / f"pub-j{jobs}"
            with batch.executor(jobs) as ex:
                secs, r = timed(publish, site, identity=ident, out_dir=out, trust=store,
                                executor=ex)
                c = r.counts()
                rows.append((f"publish -j {jobs} first run", secs, c.get("signed", 0),
                             f"load {os.getloadavg()[0]:.2f}; failed {c.get('failed', 0)}"))
                secs, r = timed(publish, site, identity=ident, out_dir=out, trust=store,
                                executor=ex)
                c = r.counts()
                rows.append((f"publish -j {jobs} no-change re-run", secs,
                             c.get("unchanged", 0),
                             f"load {os.getloadavg()[0]:.2f}; signed {c.get('signed', 0)}"))
                if jobs == 2:
                    (site / "img/shared/bandeau-été.jpg").write_bytes(_image(-2, "JPEG"))
                    secs, r = timed(publish, site, identity=ident, out_dir=out,
                                    trust=store, executor=ex)
                    c = r.counts()
                    rows.append(("publish -j 2 one image changed", secs,
                                 c.get("signed", 0),
                                 f"load {os.getloadavg()[0]:.2f}; re-signed the image and "
                                 f"{c.get('signed', 0) - 1} pages"))
            if jobs == 1:
                shutil.rmtree(out)

    base = {j: next(s for name, s, _, _ in rows if name.startswith(f"batch sign -j {j}"))
            for j in (1, 2)}
    print(f"\n{'phase':36} {'seconds':>8} {'files':>6} {'files/s':>8} {'vs batch':>8}  notes")
    for name, secs, count, note in rows:
        files = n if "re-run" in name or name.startswith(("batch", "publish -j 1 first",
                                                            "publish -j 2 first")) else count
        j = 2 if "-j 2" in name else 1
        ratio = f"{base[j] / secs:.2f}x" if "first" in name or "baseline" in name else ""
        print(f"{name:36} {secs:8.2f} {count:6d} {files / secs:8.1f} {ratio:>8}  {note}")
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f} (shared machine: other "
          "jobs run too; compare the ratios)")


if __name__ == "__main__":
    main()
