"""extract against a scripted OpenAI-compatible server on 127.0.0.1: network retries vs re-asks, usage, errors.

The server is a real HTTP server started by the test; each request pops the next scripted reply.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from agent.chunks import Chunk
from agent.config import resolve
from agent.extract import Extractor
from agent.prompts import load

GOOD = json.dumps({"P1": {"status": "已完成", "category": "其他"}}, ensure_ascii=False)


def completion(content: str, finish: str = "stop") -> dict:
    return {
        "id": "x", "object": "chat.completion", "created": 0, "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110},
    }


class Script:
    def __init__(self) -> None:
        self.replies: list[tuple[int, dict, dict[str, str]]] = []
        self.hits = 0


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("content-length", 0)))
            script.hits += 1
            status, body, headers = script.replies.pop(0) if len(script.replies) > 1 else script.replies[0]
            raw = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("content-length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1", script
    httpd.shutdown()


CHUNK = Chunk("c1", "problems", ("P1",), "通报：测试\n[P1] 1.某问题。已整改到位。", (), (0, 10))


def run(base_url: str, **kw: int):
    settings = replace(resolve(base_url=base_url, model="m"), **kw)
    ex = Extractor(settings, base_url, "m", load())

    async def go():
        try:
            return await ex.run_chunk(CHUNK)
        finally:
            await ex.close()

    return asyncio.run(go())


def test_retry_after_then_success(server) -> None:
    url, script = server
    script.replies = [(429, {"error": {"message": "slow down"}}, {"retry-after": "0"}), (503, {"error": {"message": "busy"}}, {}), (200, completion(GOOD), {})]
    r = run(url)
    assert r.error is None and r.answer is not None and r.answer.model_dump()["P1"]["status"] == "已完成"
    assert script.hits == 3 and r.usage.requests == 3
    assert r.usage.prompt_tokens == 100 and r.usage.completion_tokens == 10


def test_server_error_becomes_recorded_chunk_error(server) -> None:
    url, script = server
    script.replies = [(500, {"error": {"message": "boom"}}, {})]
    r = run(url, net_retries=1)
    assert r.answer is None and r.error is not None
    assert r.error.kind == "http_500" and r.error.attempts == 2 and script.hits == 2


def test_invalid_answer_is_reasked_then_recorded_with_usage(server) -> None:
    url, script = server
    script.replies = [(200, completion('{"P9": {"status": "完成"}}'), {})]
    r = run(url, reasks=1)
    assert r.error is not None and r.error.kind == "validation"
    assert script.hits == 2  # one try and one re-ask, not network retries
    assert r.usage.requests == 2 and r.usage.prompt_tokens == 200  # failed attempts still count


def test_reply_cut_at_max_tokens(server) -> None:
    url, script = server
    script.replies = [(200, completion('{"P1": {"sta', finish="length"), {})]
    r = run(url, reasks=0)
    assert r.error is not None and r.error.kind in ("truncated", "validation")


def test_connection_refused(unused_port: int = 9) -> None:
    r = run("http://127.0.0.1:9/v1", net_retries=0)
    assert r.error is not None and r.error.kind == "network"
