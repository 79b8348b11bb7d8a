"""A bounded, self-stopping load test: N concurrent Gradio API clients on loopback.

Shared by the UI test and ``benchmarks/reliability.py``.
"""

from __future__ import annotations

import statistics
import threading
import time
from dataclasses import dataclass

QUESTIONS = (
    "How many dock workers went on strike?", "What did the telescope photograph?",
    "Why did the river flood?", "Which company reported record profits?",
    "When does the new tram line open?", "What did the council decide about the library?",
)


@dataclass(frozen=True)
class LoadReport:
    clients: int
    requests: int
    answered: int
    errors: int
    wall_s: float
    throughput_rps: float
    p50_ms: float
    p95_ms: float
    first_error: str


def run_load(url: str, clients: int = 50, per_client: int = 2, timeout: float = 300.0,
             auth: tuple[str, str] | None = None) -> LoadReport:
    """Every client connects, then all ask together; a request counts as answered when the API
    returns a list of hits for it. Stops after ``per_client`` requests each or ``timeout``."""
    from gradio_client import Client

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    ready = threading.Barrier(clients + 1)
    deadline = time.monotonic() + timeout

    def worker(n: int) -> None:
        try:
            client = Client(url, auth=auth, verbose=False)
        except Exception as exc:  # noqa: BLE001 - a load test counts every failure
            with lock:
                errors.append(f"connect: {exc!r}")
            ready.wait()
            return
        ready.wait()
        for i in range(per_client):
            if time.monotonic() > deadline:
                with lock:
                    errors.append("timed out")
                return
            question = QUESTIONS[(n + i) % len(QUESTIONS)]
            start = time.perf_counter()
            try:
                hits = client.predict(question, 3, "hybrid", "", "", "", api_name="/ask")
                ok = isinstance(hits, list) and len(hits) > 0
            except Exception as exc:  # noqa: BLE001
                ok, hits = False, repr(exc)
            elapsed = time.perf_counter() - start
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors.append(f"bad answer: {str(hits)[:200]}")

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(clients)]
    for t in threads:
        t.start()
    ready.wait()
    start = time.perf_counter()
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    wall = time.perf_counter() - start
    lat = sorted(latencies)
    return LoadReport(
        clients=clients, requests=clients * per_client, answered=len(lat), errors=len(errors),
        wall_s=round(wall, 2), throughput_rps=round(len(lat) / wall, 2) if wall else 0.0,
        p50_ms=round(1000 * statistics.median(lat), 1) if lat else 0.0,
        p95_ms=round(1000 * lat[min(len(lat) - 1, int(0.95 * len(lat)))], 1) if lat else 0.0,
        first_error=errors[0] if errors else "",
    )
