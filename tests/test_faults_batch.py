"""Faults across a whole notice and a whole batch, against the scripted server of ``test_extract_faults``.

Why: a fault must cost only the chunks it hits. These tests run ``agent.record.pipeline.model_record`` on a real
sample notice's analysis with the server answering some chunks and failing others (or dying mid-batch),
and check that the notice still lands with what succeeded plus one error per failed chunk, that failed
attempts' tokens are counted, that requests go only to the configured base URL, and that an API key never
leaks into errors, records or logs — even when the server echoes it back.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from agent.config import resolve
from agent.llm.extract import Extractor
from agent.record.pipeline import Analysis, analyse, model_record, rules_record
from agent.record.prompts import load
from agent.schema import CATEGORIES, NoticeRecord
from agent.text import chunks as chunking
from agent.text.ingest import read_notice
from tests.conftest import notice_path
from tests.test_extract_faults import FAST, Reply, Request, Scripted, completion, scripted

SENTINEL = "sk-SENTINEL-123"


@pytest.fixture
def server() -> Iterator[Scripted]:
    with scripted() as srv:
        yield srv


def qiaotou() -> Analysis:
    """The qiaotou notice with every finding asked of the model (six chunks: header and five groups), as
    these transport-fault tests need; in the product the rules answer the categories they can name."""
    real = chunking.choices_for
    chunking.choices_for = lambda text, p: CATEGORIES  # type: ignore[assignment]
    try:
        return analyse(read_notice(notice_path("qiaotou-town-feedback-meeting")))
    finally:
        chunking.choices_for = real  # type: ignore[assignment]


def rules_categories(a: Analysis) -> dict[str, str | None]:
    return {p.id: p.category for p in rules_record(a).problems}


def _example(schema: dict, defs: dict) -> Any:
    """The first valid value of a (pydantic-made) JSON Schema: enums take their first member."""
    if "$ref" in schema:
        return _example(defs[schema["$ref"].rsplit("/", 1)[1]], defs)
    if "anyOf" in schema:
        return _example(schema["anyOf"][-1], defs)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {k: _example(v, defs) for k, v in schema.get("properties", {}).items()}
    return {"string": "用途", "integer": 0, "null": None}.get(kind, None)


def valid_answer(req: Request) -> dict:
    """A correct completion for whatever chunk the request is about, from its response_format schema."""
    schema = req.body["response_format"]["json_schema"]["schema"]
    answer = _example(schema, schema.get("$defs", {}))
    return completion(json.dumps(answer, ensure_ascii=False), prompt=200, done=20)


def user_text(req: Request) -> str:
    return str(req.body["messages"][1]["content"])


def structure(analysis: Analysis, base_url: str, key: str = "sk-local-no-key", **kw: Any) -> NoticeRecord:
    settings = replace(resolve(base_url=base_url, api_key=key, model="m", concurrency=2), **{**FAST, **kw})

    async def go() -> NoticeRecord:
        ex = Extractor(settings, base_url, "m", load())
        try:
            return await model_record(analysis, ex)
        finally:
            await ex.close()

    return asyncio.run(go())


def test_notice_lands_with_what_succeeded_plus_errors(server: Scripted) -> None:
    a = qiaotou()
    assert [c.id for c in a.chunks] == ["c1", "c2", "c3", "c4", "c5"]
    p3 = next(c for c in a.chunks if "P3" in c.items)
    p8 = next(c for c in a.chunks if "P8" in c.items)

    def answer(req: Request) -> Reply:
        text = user_text(req)
        if "[P3]" in text:
            return Reply(503, {"error": {"message": "slot busy"}})
        if "[P8]" in text:  # a category outside the enum, every time
            bad = {pid: "hacked" for pid in p8.items}
            return Reply(body=completion(json.dumps(bad, ensure_ascii=False), prompt=300, done=30))
        return Reply(body=valid_answer(req))

    server.answer = answer
    t0 = time.monotonic()
    rec = structure(a, server.base_url, net_retries=2, reasks=1)
    elapsed = time.monotonic() - t0
    NoticeRecord.model_validate_json(rec.model_dump_json())
    errors = {e.chunk_id: e for e in rec.errors}
    assert set(errors) == {p3.id, p8.id}
    assert errors[p3.id].kind == "http_503" and errors[p3.id].attempts == 3 and "slot busy" in errors[p3.id].message
    assert errors[p8.id].kind == "validation" and errors[p8.id].attempts == 2
    assert [c.code for c in rec.checks].count("chunk_failed") == 2
    failed_ids = set(p3.items) | set(p8.items)
    ruled = rules_categories(a)
    for p in rec.problems:  # failed chunks keep the rules' answers; the others have the model's
        assert p.category is not None and (p.id not in failed_ids or p.category == ruled[p.id]), p.id
    assert len(rec.problems) == 10 and rec.doc_type == "feedback"
    # 3 good chunks (1 request each) + 3 tries at c2 + 2 at c4; c4's two replies count their tokens
    assert rec.usage.requests == 3 + 3 + 2 == server.hits
    assert rec.usage.prompt_tokens == 3 * 200 + 2 * 300 and rec.usage.completion_tokens == 3 * 20 + 2 * 30
    assert elapsed < 6.0  # c2 waits 0.05 + 0.1 s between its tries


def test_server_killed_mid_batch(server: Scripted) -> None:
    server.replies = [Reply(hang=True)]  # every request waits until the server dies
    a = qiaotou()

    def killer() -> None:
        deadline = time.monotonic() + 10
        while server.in_flight < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        server.kill()

    threading.Thread(target=killer, daemon=True).start()
    t0 = time.monotonic()
    rec = structure(a, server.base_url, net_retries=3, backoff_base=0.1, backoff_cap=0.2, retry_budget=2.0)
    elapsed = time.monotonic() - t0
    assert len(rec.errors) == len(a.chunks) == 5
    assert {e.kind for e in rec.errors} == {"network"}
    assert all(e.attempts == 4 for e in rec.errors)
    assert server.hits == 2  # the two in flight when it died; every later try was refused
    assert all("Connection refused" in e.message or "Connect call failed" in e.message for e in rec.errors)
    assert len(rec.problems) == 10 and [p.category for p in rec.problems] == list(rules_categories(a).values())
    assert rec.usage.requests == 5 * 4 and rec.usage.prompt_tokens == 0
    assert 1.5 <= elapsed < 8.0  # 3 chunk pairs × (0.1 + 0.2 + 0.2) s of backoff, never the hang


def test_server_killed_mid_batch_others_finish_on_a_second_try(server: Scripted) -> None:
    """Chunks in flight when a server restarts are retried against the same URL and succeed there."""
    a = qiaotou()
    first = [True]

    def answer(req: Request) -> Reply:
        if first[0] and server.hits <= 2:
            return Reply(delay=5.0)  # the first two never get an answer: their connections are dropped
        return Reply(body=valid_answer(req))

    server.answer = answer

    def drop_in_flight() -> None:
        while server.in_flight < 2:
            time.sleep(0.01)
        first[0] = False
        server.killed.set()  # drop the connections in flight, but keep listening (a fast restart)
        while server.in_flight:
            time.sleep(0.01)
        server.killed.clear()

    threading.Thread(target=drop_in_flight, daemon=True).start()
    rec = structure(a, server.base_url, net_retries=2)
    assert rec.errors == [] and all(p.category is not None for p in rec.problems)
    assert rec.usage.requests == server.hits == 5 + 2


def test_requests_go_only_to_the_configured_base_url(server: Scripted) -> None:
    server.answer = lambda req: Reply(body=valid_answer(req))
    with scripted() as canary:
        canary.answer = lambda req: pytest.fail("the canary server was called")  # type: ignore[return-value]
        rec = structure(qiaotou(), server.base_url)
        assert canary.hits == 0
    assert rec.errors == [] and server.hits == 5
    assert {r.path for r in server.requests} == {"/v1/chat/completions"}
    assert {r.headers["host"] for r in server.requests} == {f"127.0.0.1:{server.port}"}


def test_api_key_never_leaks(server: Scripted, caplog: pytest.LogCaptureFixture) -> None:
    """The server echoes the key back in its errors (as some gateways do); it must go no further."""

    def answer(req: Request) -> Reply:
        auth = req.headers.get("authorization", "")
        text = user_text(req)
        if "[P1]" in text:
            return Reply(401, {"error": {"message": f"Incorrect API key provided: {auth}"}})
        if "[P3]" in text:
            return Reply(502, f"<html><title>bad gateway for {auth}</title><body>{auth}</body></html>", content_type="text/html")
        if "[P6]" in text:
            return Reply(200, f"<html><title>login {auth}</title></html>", content_type="text/html")
        if "[P8]" in text:
            return Reply(body=completion(f'{{"P8": "{auth}"}}'))
        return Reply(body=valid_answer(req))

    server.answer = answer
    caplog.set_level(logging.DEBUG)
    rec = structure(qiaotou(), server.base_url, key=SENTINEL, net_retries=1, reasks=1)
    assert {r.headers.get("authorization") for r in server.requests} == {f"Bearer {SENTINEL}"}  # it was in play
    kinds = sorted(e.kind for e in rec.errors)
    assert kinds == ["bad_response", "http_401", "http_502", "validation"]
    assert all("***" in e.message for e in rec.errors if e.kind != "validation")
    for e in rec.errors:
        assert SENTINEL not in e.message
    assert SENTINEL not in rec.model_dump_json()
    assert caplog.records, "the libraries logged the failures"
    assert SENTINEL not in caplog.text
    assert not any(SENTINEL in r.getMessage() for r in caplog.records)
    assert not re.search(r"SENTINEL", json.dumps([r.getMessage() for r in caplog.records]))
