"""A throwaway PostgreSQL server for the benches: initdb in a temp dir (as ``nobody`` when
root), 127.0.0.1 on a free port, stopped and deleted afterwards. None when not installed."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _bindir() -> Path | None:
    for c in [shutil.which("initdb"), "/usr/local/bin/initdb",
              *sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)]:
        if c and Path(c).is_file() and (Path(c).parent / "pg_ctl").is_file():
            return Path(c).parent
    return None


@contextlib.contextmanager
def server() -> Iterator[str | None]:
    """Yields ``postgresql://provenance@127.0.0.1:PORT/postgres`` or None."""
    bindir = _bindir()
    if bindir is None:
        yield None
        return
    user = "nobody" if os.geteuid() == 0 else None
    pre = ["runuser", "-u", user, "--"] if user else []
    base = Path(tempfile.mkdtemp(prefix="bench-pg-"))
    sock = base / "sock"
    sock.mkdir()
    if user:
        pw = pwd.getpwnam(user)
        os.chmod(base, 0o755)  # noqa: S103 (the server user must reach its data dir)
        for p in (base, sock):
            os.chown(p, pw.pw_uid, pw.pw_gid)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = base / "data"
    try:
        subprocess.run([*pre, str(bindir / "initdb"), "-D", str(data), "-U", "provenance",
                        "--auth=trust", "-E", "UTF8"], check=True, capture_output=True)
        subprocess.run([*pre, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(base / "log"),
                        "-w", "-o", f"-p {port} -c listen_addresses=127.0.0.1 -k {sock} "
                        "-c fsync=off -c shared_buffers=256MB", "start"],
                       check=True, capture_output=True, cwd=base)
        yield f"postgresql://provenance@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*pre, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w",
                        "stop"], capture_output=True, cwd=base)
        shutil.rmtree(base, ignore_errors=True)
