"""``provenance serve`` as a command: usage errors, a port in use, one worker thread (-j 1),
and a clean stop (SIGTERM) that takes its worker processes with it."""

from __future__ import annotations

import signal
import socket
import time
from pathlib import Path

import psutil

from tests.cli.helpers import EXIT_OPERATIONAL, EXIT_USAGE, assert_no_traceback, run
from tests.server.conftest import Corpus
from tests.server.helpers import serve, stop


def test_usage_errors_are_one_line(tmp_path: Path) -> None:
    proc = run("serve", "-j", "0")
    assert proc.returncode == EXIT_USAGE and "-j must be at least 1" in proc.stderr
    proc = run("serve", "--trust", tmp_path / "missing.pem")
    assert proc.returncode == EXIT_USAGE and "no such file" in proc.stderr
    assert_no_traceback(proc)


def test_a_port_in_use_is_exit_3(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        proc = run("serve", "--port", port, "-j", "1", timeout=60)
    assert proc.returncode == EXIT_OPERATIONAL, proc.stderr
    assert f"could not serve on 127.0.0.1:{port}" in proc.stderr
    assert_no_traceback(proc)


def test_one_thread_and_a_clean_stop(corpus: Corpus, tmp_path: Path) -> None:
    missing = f"sqlite:///{tmp_path / 'no-such-registry.sqlite3'}"
    with serve("-j", "1", "--registry", missing, "--allow-ai",
               env={"PROVENANCE_HOME": str(corpus.home)}, log_dir=tmp_path) as srv:
        status, doc = srv.post_file("/api/v1/verify", "trusted.jpg", corpus.data("trusted.jpg"))
        assert status == 200 and doc["status"] == "trusted"
        status, doc = srv.post_file("/api/v1/verify", "ai.jpg", corpus.data("ai.jpg"))
        assert doc["origin"] == "ai" and doc["passed"] is True  # --allow-ai, as verify's
        # An unsigned file needs the registry, which is not there: one JSON error, a 503.
        status, doc = srv.post_file("/api/v1/verify", "unsigned.jpg",
                                    corpus.data("unsigned.jpg"))
        assert (status, doc["code"]) == (503, "registry_unavailable"), doc
        assert "no-such-registry" not in doc["message"]  # the server's DSN: in its log only
    assert "no-such-registry" in srv.log_text()
    # uvicorn stops gracefully, then ends by the signal it was sent (as the shell expects).
    assert srv.proc.returncode in (0, -signal.SIGTERM), srv.log_text()
    assert "Application shutdown complete" in srv.log_text()
    with serve("-j", "2", env={"PROVENANCE_HOME": str(corpus.home)}, log_dir=tmp_path) as srv:
        workers = psutil.Process(srv.proc.pid).children(recursive=True)
        assert len(workers) >= 2
        # A worker killed (as by the OOM killer): one request may fail, cleanly; the pool
        # is replaced and the server goes on.
        workers[0].kill()
        workers[0].wait(10)
        time.sleep(0.5)
        codes = []
        for _ in range(3):
            status, doc = srv.post_file("/api/v1/verify", "trusted.jpg",
                                        corpus.data("trusted.jpg"))
            codes.append(status if status == 200 else doc["code"])
        assert codes[-1] == 200 and set(codes) <= {200, "worker_died"}, codes
        workers = psutil.Process(srv.proc.pid).children(recursive=True)
        code = stop(srv.proc)
    assert code in (0, -signal.SIGTERM), srv.log_text()
    _gone, alive = psutil.wait_procs(workers, timeout=10)
    assert alive == [], alive
    assert "Traceback" not in srv.log_text()


def test_help_is_plain_and_imports_no_server() -> None:
    proc = run("serve", "-h", env={"COLUMNS": "200"})
    assert proc.returncode == 0 and "--max-upload-mb" in proc.stdout
    assert "<bool>" not in proc.stdout and "<int>" not in proc.stdout
    import subprocess
    import sys

    probe = subprocess.run(
        [sys.executable, "-c", "import sys, provenance.cli.app; "
         "print(sorted(m for m in ('starlette', 'uvicorn') if m in sys.modules))"],
        capture_output=True, text=True, check=True, timeout=60)
    assert probe.stdout.strip() == "[]"


def test_a_file_over_the_time_limit_is_stopped(corpus: Corpus, tmp_path: Path) -> None:
    with serve("-j", "2", "--file-timeout", "0.001",
               env={"PROVENANCE_HOME": str(corpus.home)}, log_dir=tmp_path) as srv:
        status, doc = srv.post_file("/api/v1/verify", "trusted.jpg", corpus.data("trusted.jpg"))
        assert (status, doc["code"]) == (504, "timeout"), doc
        status, _, _ = srv.request("GET", "/api/v1/health")
        assert status == 200
    assert "stopped after 0.001 s" in srv.log_text()
    assert "Traceback" not in srv.log_text()
