"""extract against a scripted OpenAI-compatible server on 127.0.0.1: one test per fault of a model server.

Why: the model server is the one part of a run that is not ours, and every way it can fail must end as a
recorded ``ChunkError`` (never a crash), retried only when a retry can help and within a bounded time.
The server is a real HTTP server started by the test (``Scripted``); each request pops the next scripted
``Reply`` (the last one repeats) or is answered by a function of the request. Backoff and retry budgets
are made small through ``Settings`` so the elapsed-time bounds below are tight. Batch faults (the server
killed mid-batch, a notice with some chunks failing) are in ``test_faults_batch.py``.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from agent.config import Settings, resolve
from agent.llm.extract import ChunkResult, Extractor
from agent.record.prompts import load
from agent.text.chunks import Chunk

GOOD = json.dumps({"P1": "其他"}, ensure_ascii=False)  # prompt v2: one category per open finding
HTML = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
FAST = {"backoff_base": 0.05, "backoff_cap": 0.2, "retry_budget": 5.0, "max_retry_after": 1.0}


def completion(content: str, finish: str = "stop", prompt: int = 100, done: int = 10) -> dict:
    return {
        "id": "x", "object": "chat.completion", "created": 0, "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish}],
        "usage": {"prompt_tokens": prompt, "completion_tokens": done, "total_tokens": prompt + done},
    }  # fmt: skip


@dataclass
class Reply:
    status: int = 200
    body: dict | str = field(default_factory=lambda: completion(GOOD))
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    delay: float = 0.0  # seconds before answering: longer than Settings.timeout is a read timeout
    hang: bool = False  # never answer; the connection is dropped when the server is killed


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: dict


class Scripted:
    """A real HTTP server on 127.0.0.1 that answers from a script and can be killed mid-request."""

    def __init__(self) -> None:
        self.replies: list[Reply] = [Reply()]
        self.answer: Callable[[Request], Reply] | None = None  # overrides ``replies`` when set
        self.requests: list[Request] = []
        self.killed = threading.Event()
        self.in_flight = 0
        self._lock = threading.Lock()
        script = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("content-length", 0)))
                req = Request(self.path, {k.lower(): v for k, v in self.headers.items()}, json.loads(raw or b"{}"))
                with script._lock:
                    script.requests.append(req)
                    reply = script.answer(req) if script.answer else script._next()
                    script.in_flight += 1
                try:
                    if reply.hang or reply.delay:
                        script.killed.wait(None if reply.hang else reply.delay)
                    if script.killed.is_set():  # killed: drop the connection without a reply
                        self.connection.shutdown(socket.SHUT_RDWR)
                        self.close_connection = True
                        return
                    data = reply.body if isinstance(reply.body, str) else json.dumps(reply.body, ensure_ascii=False)
                    out = data.encode()
                    self.send_response(reply.status)
                    self.send_header("content-type", reply.content_type)
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.send_header("content-length", str(len(out)))
                    self.end_headers()
                    self.wfile.write(out)
                except OSError:
                    self.close_connection = True
                finally:
                    with script._lock:
                        script.in_flight -= 1

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = int(self.httpd.server_address[1])
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def _next(self) -> Reply:
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]

    @property
    def hits(self) -> int:
        return len(self.requests)

    def kill(self) -> None:
        """Like SIGKILL: stop listening (new connections are refused) and drop the connections in flight."""
        if self.killed.is_set():
            return
        self.killed.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@contextmanager
def scripted() -> Iterator[Scripted]:
    srv = Scripted()
    try:
        yield srv
    finally:
        srv.kill()


@pytest.fixture
def server() -> Iterator[Scripted]:
    with scripted() as srv:
        yield srv


CHUNK = Chunk("c1", "problems", ("P1",), "通报：测试\n[P1] 1.某问题。已整改到位。", (), (0, 10))


def settings_for(base_url: str, **kw: Any) -> Settings:
    return replace(resolve(base_url=base_url, model="m"), **{**FAST, **kw})


def run(base_url: str, chunk: Chunk = CHUNK, **kw: Any) -> tuple[ChunkResult, float]:
    """One chunk through a fresh Extractor; returns the result and the elapsed seconds."""
    ex = Extractor(settings_for(base_url, **kw), base_url, "m", load())

    async def go() -> ChunkResult:
        try:
            return await ex.run_chunk(chunk)
        finally:
            await ex.close()

    t0 = time.monotonic()
    result = asyncio.run(go())
    return result, time.monotonic() - t0


def failed(r: ChunkResult, kind: str) -> str:
    assert r.answer is None and r.error is not None, r
    assert r.error.kind == kind, r.error
    assert r.error.chunk_id == CHUNK.id
    return r.error.message


# ------------------------------------------------------------------------------------------ transport


def test_connection_refused_is_retried_with_backoff_then_recorded() -> None:
    with socket.socket() as s:  # a port that was free a moment ago: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r, elapsed = run(f"http://127.0.0.1:{port}/v1", net_retries=3, backoff_base=0.1, backoff_cap=0.2)
    msg = failed(r, "network")
    assert "connect" in msg.lower() and r.error is not None and r.error.attempts == 4
    assert r.usage.requests == 4 and r.usage.prompt_tokens == 0
    assert 0.1 + 0.2 + 0.2 <= elapsed < 3.0  # three waits: 0.1, 0.2 (capped), 0.2


def test_read_timeout_is_retried_then_recorded(server: Scripted) -> None:
    server.replies = [Reply(delay=2.0)]
    r, elapsed = run(server.base_url, timeout=0.3, net_retries=1)
    msg = failed(r, "timeout")
    assert "timed out" in msg.lower() and "0.3" in msg
    assert server.hits == 2 and r.usage.requests == 2
    assert 0.6 <= elapsed < 2.0  # two timeouts of 0.3 s and one short wait; never the server's 2 s


def test_timeout_then_success(server: Scripted) -> None:
    server.replies = [Reply(delay=2.0), Reply()]
    r, elapsed = run(server.base_url, timeout=0.3)
    assert r.error is None and r.answer is not None and server.hits == 2 and elapsed < 2.0


def test_total_retry_budget_bounds_the_time(server: Scripted) -> None:
    server.replies = [Reply(503, {"error": {"message": "busy"}})]
    r, elapsed = run(server.base_url, net_retries=100, backoff_base=0.2, backoff_cap=0.2, retry_budget=1.0)
    failed(r, "http_503")
    assert 0.8 <= elapsed < 1.6, elapsed  # the budget, not the 100 retries, ended it
    assert 3 <= server.hits <= 7


# ------------------------------------------------------------------------------------------ HTTP status


def test_retry_after_then_success(server: Scripted) -> None:
    server.replies = [
        Reply(429, {"error": {"message": "slow down"}}, {"retry-after": "0.5"}),
        Reply(503, {"error": {"message": "busy"}}),
        Reply(),
    ]
    r, elapsed = run(server.base_url, backoff_base=0.01)
    assert r.error is None and r.answer is not None and r.answer.model_dump()["P1"] == "其他"
    assert server.hits == 3 and r.usage.requests == 3
    assert r.usage.prompt_tokens == 100 and r.usage.completion_tokens == 10
    assert 0.5 <= elapsed < 1.5  # Retry-After was honoured


def test_retry_after_is_capped(server: Scripted) -> None:
    server.replies = [Reply(429, {"error": {"message": "slow down"}}, {"retry-after": "3600"}), Reply()]
    r, elapsed = run(server.base_url, max_retry_after=0.3)
    assert r.error is None and server.hits == 2 and 0.3 <= elapsed < 1.5


def test_429_that_persists_is_recorded(server: Scripted) -> None:
    server.replies = [Reply(429, {"error": {"message": "slow down"}}, {"retry-after": "0.1"})]
    r, elapsed = run(server.base_url, net_retries=2)
    msg = failed(r, "http_429")
    assert "slow down" in msg and server.hits == 3 and 0.2 <= elapsed < 1.5


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retried_then_recorded(server: Scripted, status: int) -> None:
    server.replies = [Reply(status, {"error": {"message": "boom"}})]
    r, elapsed = run(server.base_url, net_retries=2, backoff_base=0.1, backoff_cap=1.0)
    msg = failed(r, f"http_{status}")
    assert "boom" in msg and r.error is not None and r.error.attempts == 3 and server.hits == 3
    assert 0.1 + 0.2 <= elapsed < 1.5  # exponential: 0.1 then 0.2


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_error_then_success(server: Scripted, status: int) -> None:
    server.replies = [Reply(status, {"error": {"message": "boom"}}), Reply()]
    r, _ = run(server.base_url)
    assert r.error is None and r.answer is not None and server.hits == 2


def test_client_errors_are_not_retried(server: Scripted) -> None:
    server.replies = [Reply(400, {"error": {"message": "bad request: context too long"}})]
    r, elapsed = run(server.base_url)
    assert "context too long" in failed(r, "http_400")
    assert server.hits == 1 and elapsed < 1.0


def test_html_error_page_with_502(server: Scripted) -> None:
    server.replies = [Reply(502, HTML, content_type="text/html")]
    r, _ = run(server.base_url, net_retries=1)
    msg = failed(r, "http_502")
    assert server.hits == 2 and "<html" not in msg and "502 Bad Gateway" in msg


def test_html_page_with_200_is_a_bad_response(server: Scripted) -> None:
    server.replies = [Reply(200, HTML.replace("502 Bad Gateway", "Sign in to continue"), content_type="text/html")]
    r, elapsed = run(server.base_url, net_retries=1)
    msg = failed(r, "bad_response")
    assert "HTML page" in msg and "Sign in to continue" in msg and "<html" not in msg
    assert server.hits == 2 and elapsed < 1.5  # retried like a proxy fault, then recorded


def test_html_page_with_200_then_success(server: Scripted) -> None:
    server.replies = [Reply(200, HTML, content_type="text/html"), Reply()]
    r, _ = run(server.base_url)
    assert r.error is None and r.answer is not None and server.hits == 2


# ------------------------------------------------------------------------------------------ replies


def test_truncated_json_is_reasked_then_recorded(server: Scripted) -> None:
    server.replies = [Reply(body=completion('{"P1": {"status": "已完'))]
    r, _ = run(server.base_url, reasks=2)
    msg = failed(r, "validation")
    assert "json" in msg.lower()
    assert server.hits == 3 and r.usage.requests == 3 and r.usage.prompt_tokens == 300


def test_truncated_json_then_valid_reply(server: Scripted) -> None:
    server.replies = [Reply(body=completion('{"P1": {"sta')), Reply()]
    r, _ = run(server.base_url)
    assert r.error is None and r.answer is not None and server.hits == 2
    assert r.usage.prompt_tokens == 200 and r.usage.completion_tokens == 20  # the failed attempt counts


def test_schema_invalid_answer_is_reasked_then_recorded_with_usage(server: Scripted) -> None:
    server.replies = [Reply(body=completion('{"P9": {"status": "完成"}}'))]
    r, _ = run(server.base_url, reasks=1)
    msg = failed(r, "validation")
    assert "P1" in msg or "P9" in msg
    assert server.hits == 2  # one try and one re-ask, not network retries
    assert r.usage.requests == 2 and r.usage.prompt_tokens == 200  # failed attempts still count
    second = server.requests[1].body["messages"]
    assert len(second) > len(server.requests[0].body["messages"])  # the re-ask carries the validator's message


def test_reply_cut_at_max_tokens(server: Scripted) -> None:
    server.replies = [Reply(body=completion('{"P1": {"sta', finish="length", done=56))]
    r, _ = run(server.base_url, reasks=2)
    msg = failed(r, "truncated")
    assert "max_tokens=" in msg
    assert server.hits == 1, "temperature 0: the same prompt would be cut the same way"
    assert r.usage.requests == 1 and r.usage.completion_tokens == 56


def test_empty_choices(server: Scripted) -> None:
    server.replies = [Reply(body={**completion(GOOD), "choices": []})]
    r, _ = run(server.base_url, reasks=1, net_retries=1)
    msg = failed(r, "bad_response")
    assert "no choices" in msg
    assert r.usage.prompt_tokens > 0 and 2 <= server.hits <= 4


def test_empty_choices_then_success(server: Scripted) -> None:
    server.replies = [Reply(body={**completion(GOOD), "choices": []}), Reply()]
    r, _ = run(server.base_url)
    assert r.error is None and r.answer is not None and server.hits == 2


def test_content_null(server: Scripted) -> None:
    body = completion(GOOD)
    body["choices"][0]["message"]["content"] = None
    server.replies = [Reply(body=body)]
    r, _ = run(server.base_url, reasks=1, net_retries=1)
    assert r.error is not None and r.error.kind in ("validation", "bad_response")


def test_non_json_200_with_json_content_type(server: Scripted) -> None:
    server.replies = [Reply(200, "upstream connect error or disconnect/reset before headers")]
    r, _ = run(server.base_url, net_retries=1)
    msg = failed(r, "bad_response")
    assert "upstream connect error" in msg and server.hits == 2
