"""The circuit breaker in front of every request (``agent.outage``), alone and inside the extractor.

Why: the batch tests (``test_server_outage``, ``test_supervisor``) show the whole behaviour through the
CLI; these pin the rules underneath in milliseconds: the breaker opens only after ``threshold`` connection
failures in a row, a success resets the streak, a request that failed during an outage is the outage's
(sent again free), waiters are released when a probe answers or get ``ServerGone`` when the wait is over,
probes are never closer than the interval, and a host that takes connections but never completes them
(a connect timeout, as from a machine that is off) trips the breaker like a refused port.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from agent import outage
from agent.config import resolve
from agent.llm.extract import Extractor
from agent.outage import Breaker, ServerGone, health_url
from agent.record.prompts import load
from tests.test_faults_batch import qiaotou

URL = "http://127.0.0.1:9/v1"


def recorder() -> tuple[list[tuple[str, dict[str, Any]]], Any]:
    events: list[tuple[str, dict[str, Any]]] = []
    return events, lambda kind, data: events.append((kind, data))


def test_health_url_sits_beside_the_api_root() -> None:
    assert health_url("http://h:8000/v1") == "http://h:8000/health"
    assert health_url("http://h:8000/v1/") == "http://h:8000/health"
    assert health_url("https://h/api") == "https://h/api/health"


async def test_opens_after_the_threshold_and_reopens_when_a_probe_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter([(False, "refused"), (False, "refused"), (True, "HTTP 200")])
    monkeypatch.setattr(outage, "probe", lambda url, timeout=5.0: next(answers))
    events, on_event = recorder()
    gate = Breaker(URL, threshold=3, wait=10, interval=0.05, on_event=on_event)
    epoch = await gate.ready()
    assert not await gate.failed(epoch, "refused") and not await gate.failed(epoch, "refused")
    gate.succeeded()  # an answer in between: the streak starts again
    assert not await gate.failed(epoch, "refused") and not await gate.failed(epoch, "refused")
    assert await gate.failed(epoch, "refused") and gate.down, "the third in a row opens it"
    assert await gate.failed(epoch, "refused"), "a failure while it is open is the outage's"
    waiter = asyncio.ensure_future(gate.ready())
    await asyncio.sleep(0.01)
    assert not waiter.done(), "requests are held while it is down"
    assert await asyncio.wait_for(waiter, 5) == epoch + 1
    assert await gate.failed(epoch, "refused"), "a request sent before the outage failed because of it"
    assert not gate.down and gate.outages == 1
    kinds = [k for k, _ in events]
    assert kinds == ["server_down", "server_probe", "server_probe", "server_probe", "server_up"]
    assert events[0][1] == {"url": URL, "reason": "refused", "failures": 3}


async def test_gives_up_after_the_wait_and_never_probes_faster_than_the_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    times: list[float] = []

    def probe(url: str, timeout: float = 5.0) -> tuple[bool, str]:
        times.append(time.monotonic())
        assert url == "http://127.0.0.1:9/health"
        return False, "ConnectionRefusedError"

    monkeypatch.setattr(outage, "probe", probe)
    gate = Breaker(URL, threshold=1, wait=0.6, interval=0.1)
    t0 = time.monotonic()
    assert await gate.failed(await gate.ready(), "refused")
    with pytest.raises(ServerGone) as exc:
        await gate.ready()
    took = time.monotonic() - t0
    assert 0.6 <= took < 1.5
    assert exc.value.url == URL and exc.value.down_seconds >= 0.6 and "--server-wait 0.6 s" in exc.value.reason
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert len(times) >= 3 and all(g >= 0.09 for g in gaps), gaps  # 0.1, 0.2, 0.3 (capped at 5 × 0.1)
    with pytest.raises(ServerGone):
        await gate.ready()  # and anything asking later
    assert gate.report()["outages"] == 1 and gate.report()["probes"] == len(times)


@pytest.fixture
def black_hole() -> Iterator[str]:
    """A port that accepts no connection: its backlog is full, so a connect hangs until it times out."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(0)
    port = srv.getsockname()[1]
    filler = socket.create_connection(("127.0.0.1", port))
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        filler.close()
        srv.close()


async def test_a_host_that_never_completes_a_connect_trips_the_breaker(black_hole: str) -> None:
    """A machine that is off gives connect timeouts, not refusals: they count as unreachable too."""
    settings = replace(resolve(base_url=black_hole, model="m", concurrency=2), timeout=0.3, backoff_base=0.05, backoff_cap=0.1)
    events, on_event = recorder()
    gate = Breaker(black_hole, threshold=3, wait=1.0, interval=0.2, on_event=on_event)
    ex = Extractor(settings, black_hole, "m", load(), gate=gate)
    t0 = time.monotonic()
    try:
        with pytest.raises(ServerGone):
            await ex.run_chunks(qiaotou().chunks[:2])
    finally:
        await ex.close()
        await gate.aclose()
    assert time.monotonic() - t0 < 8
    down = next(d for k, d in events if k == "server_down")
    assert "ConnectTimeout" in down["reason"], down
