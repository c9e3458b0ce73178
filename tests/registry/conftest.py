"""Registry fixtures: every registry test runs on SQLite and on a real PostgreSQL server.

The server is started once per session with the binaries of the machine (Debian's
``postgresql`` package or a source build in /usr/local/bin): ``initdb`` in a temporary
directory, as an unprivileged user when the tests run as root, listening on 127.0.0.1 on a
free port, stopped at the end. Without PostgreSQL binaries the PostgreSQL half skips.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest


def _pg_bin() -> Path | None:
    for candidate in [shutil.which("initdb"), "/usr/local/bin/initdb",
                      *sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)]:
        if candidate and Path(candidate).is_file() and \
                (Path(candidate).parent / "pg_ctl").is_file():
            return Path(candidate).parent
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_user(user: str | None, cmd: list[str]) -> list[str]:
    if user is None:
        return cmd
    return ["runuser", "-u", user, "--", *cmd]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """DSN (without database) of a PostgreSQL server started for this session."""
    pytest.importorskip("psycopg", reason="psycopg is not installed (the postgres extra)")
    bindir = _pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed (no initdb/pg_ctl found)")
    user: str | None = None
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            pytest.skip("running as root and runuser is missing: initdb refuses root")
        user = "nobody"
        try:
            pw = pwd.getpwnam(user)
        except KeyError:
            pytest.skip("running as root with no unprivileged user for initdb")
    base = Path(tempfile.mkdtemp(prefix="prov-pg-"))
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    if user is not None:
        os.chmod(base, 0o755)  # noqa: S103 (the server user must reach its data dir)
        for p in (base, sock):
            os.chown(p, pw.pw_uid, pw.pw_gid)
    port = _free_port()
    log = base / "log"
    try:
        subprocess.run(_as_user(user, [str(bindir / "initdb"), "-D", str(data), "-U",
                                       "provenance", "--auth=trust", "-E", "UTF8",
                                       "--no-instructions"]),
                       check=True, capture_output=True, timeout=120)
        subprocess.run(_as_user(user, [
            str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o",
            f"-p {port} -c listen_addresses=127.0.0.1 -k {sock} -c fsync=off", "start"]),
            check=True, capture_output=True, timeout=120, cwd=base)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        shutil.rmtree(base, ignore_errors=True)
        pytest.fail(f"PostgreSQL did not start: {detail.decode(errors='replace')[-500:]}")
    try:
        yield f"postgresql://provenance@127.0.0.1:{port}"
    finally:
        subprocess.run(_as_user(user, [str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast",
                                       "-w", "stop"]), capture_output=True, timeout=60,
                       cwd=base)
        shutil.rmtree(base, ignore_errors=True)


def _new_database(server: str) -> str:
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(server + "/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"{server}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def registry_dsn(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty registry: an SQLite file, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'reg.sqlite3'}"
    server = request.getfixturevalue("postgres_server")
    return _new_database(server)


@pytest.fixture
def stranger_dir(tmp_path: Path) -> Path:
    """An untrusted TEST-ONLY identity saved for --identity."""
    from provenance.identity import Identity

    ident, _ = Identity.create("TEST-ONLY Mallory Stranger")
    d = tmp_path / "stranger-id"
    ident.save(d, password=None)
    return d
