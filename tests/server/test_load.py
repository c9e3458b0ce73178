"""A light load on the real server (seconds): concurrent verifies and 200 idle connections
do not stop service, and the event loop stays free while c2pa works. The full load test (50
clients, 1 MB JPEGs, 60 s) is bench/serve_load.py."""

from __future__ import annotations

import statistics
import threading
import time

from tests.server.conftest import Corpus
from tests.server.helpers import Running
from tests.server.load import IdleHolder, run_load


def test_concurrent_clients_and_idle_connections(server: Running, corpus: Corpus) -> None:
    files = [corpus.files["trusted.jpg"], corpus.files["edited.jpg"]]
    health: list[float] = []

    def probe(until: float) -> None:
        while time.monotonic() < until:
            t0 = time.monotonic()
            status, _, _ = server.request("GET", "/api/v1/health", timeout=10)
            if status == 200:
                health.append(time.monotonic() - t0)
            time.sleep(0.1)

    with IdleHolder(server.host, server.port, 200) as idle:
        assert idle.open_now() == 200
        prober = threading.Thread(target=probe, args=(time.monotonic() + 3.5,))
        prober.start()
        result = run_load(server.host, server.port, files, clients=10, seconds=4)
        prober.join()
        # The server closed the idle ones at its header deadline (2 s) and served on.
        assert idle.reopened >= 150, idle.reopened
    assert not result.errors, result.summary()
    assert result.ok >= 10, result.summary()
    # Answered while ten verifies were in flight, in much less time than a verify takes:
    # c2pa work is not on the event loop (there, each probe would wait for verifies).
    assert len(health) >= 10 and max(health) < 5.0, health
    assert statistics.median(health) < 0.5 * statistics.median(result.latencies), (
        statistics.median(health), result.summary())
    status, doc = server.post_file("/api/v1/verify", "trusted.jpg", corpus.data("trusted.jpg"))
    assert status == 200 and doc["status"] == "trusted"
    assert "Traceback" not in server.log_text()
