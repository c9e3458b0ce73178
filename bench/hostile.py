"""Benchmark: hostile inputs (issue 10): wall time and peak memory of each, through the real CLI.

Every case runs ``python -m provenance ...`` in a child process and reports its wall time, its
peak resident memory (``ru_maxrss`` of that child, from ``wait4``), the exit code and the first
line of its stderr. A case still running at its time limit is killed and reported as such
(``>LIMIT``), with the memory it had reached. The baseline is the peak memory of the interpreter
running ``provenance verify`` on a tiny text; ``x file`` is (peak - baseline) / file size.

Then the RFC 3161 server: a slow client (a short body) and 500 idle connections against
``provenance tsa serve``, and the load test: 2,000 well-formed requests from 200 concurrent
clients while 200 idle connections are held open (errors, p50/p99 latency, server peak memory
and threads).

To measure another checkout (e.g. the code before a change) run this script with
``PYTHONPATH=/path/to/that/checkout``: the children import ``provenance`` from there.

Usage::

    python bench/hostile.py            # a few minutes on 2 cores
    python bench/hostile.py --quick    # skip the 50 MB / 10 MB memory cases and the load test
    python bench/hostile.py --limit 30 # seconds before a case is killed (default 30)
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.assets import hostile

PY = sys.executable


@dataclass
class Run:
    """One child process: wall seconds, peak RSS in MiB, exit code (None: killed), stderr."""

    seconds: float
    peak_mib: float
    code: int | None
    stderr: str


def run(args: Sequence[str | Path], *, env: dict[str, str], limit: float,
        stdin: int | None = None) -> Run:
    """Run ``provenance ARGS`` with a time limit; kill it (and its children) past the limit."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen([PY, "-m", "provenance", *map(str, args)], env=env,
                                stdin=stdin if stdin is not None else subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err, start_new_session=True,
                                cwd=env["PROVENANCE_HOME"] + "/..")
        killed = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - start > limit:
                os.killpg(proc.pid, signal.SIGKILL)
                killed = True
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode("utf-8", "replace").strip()
    first = next((line for line in text.splitlines() if line.strip()), "")
    if "Traceback" in text:
        first = "TRACEBACK: " + text.splitlines()[-1]
    return Run(seconds, usage.ru_maxrss / 1024, None if killed else proc.returncode, first)


def fmt(r: Run, limit: float) -> str:
    t = f">{limit:.0f} s killed" if r.code is None else f"{r.seconds:6.2f} s"
    code = "-" if r.code is None else str(r.code)
    return f"{t:>15} {r.peak_mib:9.0f} MiB  exit {code:>2}  {r.stderr[:90]}"


def _png(path: Path, size: int) -> Path:
    """A PNG of about ``size`` bytes: random pixels, stored without compression."""
    from PIL import Image

    side = int((size / 3) ** 0.5)
    rnd = random.Random(10)
    Image.frombytes("RGB", (side, side), rnd.randbytes(side * side * 3)).save(
        path, compress_level=0)
    return path


def _text(size: int) -> str:
    rnd = random.Random(10)
    words = ["human", "written", "text", "café", "naïve", "Grüße", "año", "smörgåsbord",
             "provenance", "manifest", "the", "and", "of"]
    out: list[str] = []
    n = 0
    while n < size:
        w = rnd.choice(words)
        out.append(w)
        n += len(w.encode()) + 1
    return " ".join(out)


def build(work: Path, quick: bool) -> None:
    """Write every hostile input into ``work`` (run in a child process: the parent stays small,
    so the peak memory the children report is theirs, not a copy of the parent's)."""
    (work / "tiny.txt").write_text("A tiny human text.\n")
    (work / "wrappers.txt").write_text(hostile.many_wrappers())
    (work / "scripts.html").write_bytes(hostile.unclosed_scripts())
    (work / "links.html").write_bytes(hostile.unclosed_links())
    (work / "blocks.md").write_bytes(hostile.many_blocks())
    hostile.docx_many_members(work / "members.docx")
    hostile.zip_bomb(work / "bomb.docx")
    hostile.zip_bomb(work / "liar.docx", lie=True)
    os.mkfifo(work / "fifo.txt")
    tree = work / "tree"
    tree.mkdir()
    for i in range(3):
        (tree / f"ok{i}.txt").write_text(f"A fine text {i}.\n")
    (tree / "wrappers.txt").write_text(hostile.many_wrappers())
    if not quick:
        _png(work / "big.png", 50 << 20)
        (work / "prose.txt").write_text(_text(10 << 20))


def cases(work: Path, env: dict[str, str], limit: float, quick: bool, only: str) -> None:
    ident = work / "ident"
    r = run(["identity", "create", "--name", "TEST-ONLY Bench", "--dir", ident],
            env=env, limit=60)
    if r.code != 0:
        sys.exit(f"cannot create the bench identity: {r.stderr}")
    tiny = work / "tiny.txt"
    base = run(["verify", tiny], env=env, limit=limit)
    print(f"{'baseline: verify tiny.txt':38} {fmt(base, limit)}")
    sign = ["sign", "--identity", ident]
    text, page, links = work / "wrappers.txt", work / "scripts.html", work / "links.html"
    blocks, members, bomb = work / "blocks.md", work / "members.docx", work / "bomb.docx"
    liar, fifo, tree = work / "liar.docx", work / "fifo.txt", work / "tree"

    table: list[tuple[str, list[str | Path], int | None]] = [
        (f"A.8 wrappers {text.stat().st_size >> 10} KB: verify", ["verify", text], None),
        ("A.8 wrappers: inspect", ["inspect", text], None),
        ("A.8 wrappers: sign", [*sign, text, "-o", work / "o1.txt"], None),
        (f"HTML scripts {page.stat().st_size >> 10} KB: verify", ["verify", page], None),
        ("HTML scripts: sign", [*sign, page, "-o", work / "o2.html"], None),
        ("HTML unclosed links: verify", ["verify", links], None),
        ("A.9 50k BEGIN markers: verify", ["verify", blocks], None),
        (f"DOCX 100k members {members.stat().st_size >> 20} MB: sign",
         [*sign, members, "-o", work / "o3.docx"], None),
        (f"DOCX bomb {bomb.stat().st_size >> 20} MB -> 4 GiB: sign",
         [*sign, bomb, "-o", work / "o4.docx"], None),
        ("DOCX bomb, lying directory: sign", [*sign, liar, "-o", work / "o5.docx"], None),
        ("sign /dev/zero", [*sign, "/dev/zero", "-o", work / "o6.txt"], None),
        ("sign - < /dev/zero", [*sign, "-"], os.open("/dev/zero", os.O_RDONLY)),
        ("sign FIFO (nobody writes)", [*sign, fifo, "-o", work / "o7.txt"], None),
        ("verify -r tree with one hostile file", ["verify", "-r", tree, "-j", "1"], None),
    ]
    for label, args, stdin in table:
        if only not in label:
            if stdin is not None:
                os.close(stdin)
            continue
        r = run(args, env=env, limit=limit, stdin=stdin)
        if stdin is not None:
            os.close(stdin)
        print(f"{label:38} {fmt(r, limit)}")
    if quick:
        return
    big, prose = work / "big.png", work / "prose.txt"
    for f, label, out in ((big, "PNG", "big.signed.png"), (prose, "text", "prose.signed.txt")):
        mb = f.stat().st_size / (1 << 20)
        for what, args in (("sign", [*sign, f, "-o", work / out]),
                           ("verify", ["verify", work / out])):
            title = f"{label} {mb:.0f} MB: {what}"
            if only not in title:
                continue
            r = run(args, env=env, limit=120)
            print(f"{title:38} {fmt(r, 120)}  "
                  f"{(r.peak_mib - base.peak_mib) / mb:4.1f}x file")


# -- the RFC 3161 server ---------------------------------------------------------------------


def _request() -> bytes:
    """A DER TimeStampReq for a random sha256 digest (asn1crypto)."""
    from asn1crypto import tsp

    return bytes(tsp.TimeStampReq({
        "version": "v1",
        "message_imprint": {"hash_algorithm": {"algorithm": "sha256"},
                            "hashed_message": os.urandom(32)},
        "nonce": int.from_bytes(os.urandom(8), "big"),
        "cert_req": True,
    }).dump())


def _post(port: int, body: bytes, timeout: float = 30) -> tuple[int, float]:
    start = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/timestamp-query\r\n"
                  b"Connection: close\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    return status, time.perf_counter() - start


def _proc_status(pid: int) -> tuple[float, int]:
    """(peak RSS MiB, threads) of a live process, from /proc."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text()
                  .splitlines() if ":" in line)
    return int(fields["VmHWM"].split()[0]) / 1024, int(fields["Threads"])


def server(work: Path, env: dict[str, str], quick: bool) -> None:
    tsa = work / "tsa"
    subprocess.run([PY, "-m", "provenance", "tsa", "init", "--dir", str(tsa)], env=env,
                   cwd=work, check=True, capture_output=True)
    proc = subprocess.Popen([PY, "-m", "provenance", "tsa", "serve", "--dir", str(tsa),
                             "--port", "0"], env=env, cwd=work, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    line = proc.stderr.readline()
    port = int(line.split("http://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
    log: list[str] = []
    threading.Thread(target=lambda: log.extend(proc.stderr or []), daemon=True).start()
    try:
        status, sec = _post(port, _request())
        print(f"{'TSA one request':38} {sec * 1000:6.1f} ms  HTTP {status}")
        # (1) A slow client: headers say 100 bytes, 10 are sent, then nothing.
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789")
        s.settimeout(40)
        start = time.perf_counter()
        try:
            got = s.recv(4096).split(b"\r\n", 1)[0].decode() or "closed"
            what = f"server answered/closed after {time.perf_counter() - start:.1f} s ({got})"
        except TimeoutError:
            what = "still held after 40 s"
        s.close()
        print(f"{'TSA slow client (short body)':38} {what}")
        # (2) A bad Content-Length.
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n")
            try:
                got = s.recv(4096).split(b"\r\n", 1)[0]
            except (TimeoutError, ConnectionResetError):
                got = b"(nothing)"
        print(f"{'TSA Content-Length: abc':38} {got.decode() or '(connection dropped)'}")
        # (3) 500 idle connections.
        idle = []
        for _ in range(500):
            try:
                idle.append(socket.create_connection(("127.0.0.1", port), timeout=5))
            except OSError:
                break
        time.sleep(1)
        peak, threads = _proc_status(proc.pid)
        status, sec = _post(port, _request(), timeout=10)
        print(f"{'TSA 500 idle connections':38} {len(idle)} open, server threads {threads}, "
              f"peak {peak:.0f} MiB, a request meanwhile: HTTP {status} in {sec * 1000:.0f} ms")
        for s in idle:
            s.close()
        time.sleep(1)
        if not quick:
            _load(port, proc.pid)
        traces = sum("Traceback" in line for line in log)
        print(f"{'TSA server log':38} {len(log)} lines, {traces} tracebacks")
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _load(port: int, pid: int, total: int = 2000, clients: int = 200, idle: int = 200) -> None:
    held = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(idle)]
    bodies = [_request() for _ in range(total)]
    errors = 0
    latencies: list[float] = []
    lock = threading.Lock()
    start = time.perf_counter()

    def one(body: bytes) -> None:
        nonlocal errors
        try:
            status, sec = _post(port, body)
        except OSError:
            status, sec = 0, 0.0
        with lock:
            if status != 200:
                errors += 1
            else:
                latencies.append(sec)

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, bodies))
    wall = time.perf_counter() - start
    peak, threads = _proc_status(pid)
    for s in held:
        s.close()
    lat = sorted(latencies) or [0.0]
    print(f"{'TSA load test':38} {total} requests, {clients} clients, {idle} idle held: "
          f"{errors} errors, {total / wall:.0f} req/s, p50 {statistics.median(lat) * 1000:.0f} ms, "
          f"p99 {lat[int(len(lat) * 0.99) - 1] * 1000:.0f} ms, server peak {peak:.0f} MiB, "
          f"threads {threads}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--limit", type=float, default=30.0)
    parser.add_argument("--no-server", action="store_true")
    parser.add_argument("--only", default="", help="run only the cases whose label has this")
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        build(args.build, args.quick)
        return
    with tempfile.TemporaryDirectory(prefix="hostile-") as tmp:
        work = Path(tmp)
        (work / "home").mkdir()
        subprocess.run([PY, __file__, "--build", str(work), *(["--quick"] if args.quick else [])],
                       check=True)
        env = {**os.environ, "PROVENANCE_HOME": str(work / "home")}
        where = env.get("PYTHONPATH") or "this checkout"
        print(f"hostile inputs, provenance from {where}, Python {sys.version.split()[0]}, "
              f"{os.cpu_count()} CPUs (zlib {zlib.ZLIB_VERSION})")
        cases(work, env, args.limit, args.quick, args.only)
        if not args.no_server:
            server(work, env, args.quick)


if __name__ == "__main__":
    main()
