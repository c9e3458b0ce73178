"""Benchmark: ``provenance serve`` under load (issue 13), on 127.0.0.1 only.

A real server (``provenance serve -j JOBS`` in a child process, a TEST-ONLY identity whose
root it trusts) and, in this process, CLIENTS threads that POST signed ~1 MB JPEGs to
``/api/v1/verify`` on keep-alive connections for SECONDS, while IDLE connections that never
send a byte are held open (each reopened as soon as the server closes it at its header
deadline). Reported: requests, errors (any non-200 or a status other than ``trusted``),
requests/s, p50/p99 latency, the server's resident memory (server and worker processes)
when started, after a 5 s warm-up at full concurrency (the working set of the uploads in
flight), every 5 s during the run and after it, and the load average.

Baseline, measured side by side in the same run: ``provenance.verify(path)`` called in a
loop in this process (one thread, no HTTP) for a few seconds: the library's own rate on one
core. ``x lib`` is the server's rate over that (the server has JOBS workers and shares the
cores with the clients).

Usage::

    python bench/serve_load.py                 # 50 clients, 200 idle, 60 s (about 90 s)
    python bench/serve_load.py --quick         # 10 s
    python bench/serve_load.py --clients 50 --seconds 60 --idle 200 --jobs 2
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image

import provenance
import provenance.trust
from provenance.claims import HumanClaim
from provenance.identity import Identity
from tests.server.helpers import serve
from tests.server.load import IdleHolder, rss_mib, run_load


def _jpeg_1mb(seed: int) -> bytes:
    """A JPEG of about 1 MB: noise (incompressible) over a gradient."""
    rng = random.Random(seed)
    w, h = 1200, 900
    noise = Image.frombytes("RGB", (w, h), rng.randbytes(w * h * 3))
    base = Image.linear_gradient("L").resize((w, h)).convert("RGB")
    im = Image.blend(base, noise, 0.6)
    for q in (95, 90, 85, 80, 75, 70, 60, 50):
        out = io.BytesIO()
        im.save(out, "JPEG", quality=q)
        if out.tell() <= 1_100_000:
            return out.getvalue()
    return out.getvalue()


def _baseline(paths: list[Path], seconds: float) -> float:
    """Library verifies per second in this process (one thread)."""
    n, t0 = 0, time.monotonic()
    while time.monotonic() - t0 < seconds:
        report = provenance.verify(paths[n % len(paths)])
        assert report.status == "trusted", report.status
        n += 1
    return n / (time.monotonic() - t0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--idle", type=int, default=200)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--quick", action="store_true", help="10 s instead of 60")
    args = ap.parse_args()
    seconds = 10.0 if args.quick else args.seconds

    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        root = Path(tmp)
        home = root / "home"
        home.mkdir()
        os.environ["PROVENANCE_HOME"] = str(home)
        identity, _root_key = Identity.create("TEST-ONLY Bench Author",
                                              organization="TEST-ONLY Bench")
        assert identity.root is not None
        provenance.trust.add_certificates("bench-root", [identity.root])
        paths = []
        for i in range(4):
            p = root / f"photo-{i}.jpg"
            p.write_bytes(provenance.sign_bytes(
                _jpeg_1mb(i), name=p.name, identity=identity,
                claim=HumanClaim("capture", author="TEST-ONLY Bench Author")).data)
            paths.append(p)
        sizes = [p.stat().st_size for p in paths]
        print(f"# provenance serve load: {args.clients} clients x {seconds:g} s, "
              f"{args.idle} idle connections, -j {args.jobs}; files "
              f"{min(sizes) / 1e6:.2f}-{max(sizes) / 1e6:.2f} MB signed JPEGs")
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
              f"(2 cores, shared with other work: ratios count)")
        base = _baseline(paths, 5.0)
        print(f"baseline provenance.verify in-process, one thread: {base:.1f} files/s "
              f"({1000 / base:.0f} ms each)")

        with serve("-j", str(args.jobs), "--header-timeout", "10",
                   env={"PROVENANCE_HOME": str(home)}, log_dir=root) as srv:
            idle_rss = rss_mib(srv.proc.pid)
            # Warm up at full concurrency: the working set of CLIENTS uploads in flight
            # (about 1 MiB buffered each) is reached here, so that before/after compare
            # like with like and any growth is a leak.
            warm = run_load(srv.host, srv.port, paths, clients=args.clients, seconds=5)
            before = rss_mib(srv.proc.pid)
            samples: list[float] = []
            stop = threading.Event()

            def sample() -> None:
                while not stop.wait(5):
                    samples.append(rss_mib(srv.proc.pid))

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            with IdleHolder(srv.host, srv.port, args.idle) as idle:
                held = idle.open_now()
                result = run_load(srv.host, srv.port, paths, clients=args.clients,
                                  seconds=seconds)
                reopened, failed = idle.reopened, idle.failed
            stop.set()
            sampler.join(6)
            after = rss_mib(srv.proc.pid)
            # Service after the storm: one more verify.
            status, doc = srv.post_file("/api/v1/verify", paths[0].name,
                                        paths[0].read_bytes())
            traceback = "Traceback" in srv.log_text()

        print(f"warm-up: {warm.summary()}")
        print(f"load:    {result.summary()}")
        print(f"         {result.rate / base:.2f} x lib (server rate / in-process baseline)")
        print(f"idle:    {held} held at start; the server closed {reopened} at its header "
              f"deadline (10 s), each reopened at once ({failed} reopen failures)")
        during = ", ".join(f"{x:.0f}" for x in samples)
        print(f"server RSS (server + workers), MiB: started {idle_rss:.0f}; after the "
              f"warm-up {before:.0f}, during [{during}], after {after:.0f} "
              f"({after - before:+.0f})")
        print(f"after:   one more verify: HTTP {status}, {doc.get('status')}; "
              f"traceback in the server log: {traceback}")
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        flat = after - before <= max(20.0, 0.10 * before)
        ok = (not result.errors and result.ok > 0 and status == 200 and not traceback)
        print(f"{'PASS' if ok else 'MISS'} zero errors, service after the load")
        print(f"{'PASS' if flat else 'MISS'} memory flat (after - before <= max(20 MiB, 10%))")
        if samples:
            print(f"        RSS spread during the run: {statistics.pstdev(samples):.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
