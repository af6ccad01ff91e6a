"""The model step as two pure, picklable functions: ``chunk -> request body`` and ``reply -> result``.

Why: the local runner (instructor over the async OpenAI client), the chunk cache, Ray actors and
OpenAI-Batch JSONL files must all send the same request for a chunk and read a reply the same way, keyed by
the same stable ids. Keeping both directions here, with no client and no network, means an engine adapter
only moves bodies around: it never builds a prompt or parses an answer of its own. ``request_body`` is
byte-for-byte what instructor sends in ``JSON_SCHEMA`` mode (a test checks it against the recorded
cassettes), and ``parse_reply`` validates with the same per-chunk answer model the local runner uses.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from agent.record.answers import answer_budget, problems_model
from agent.record.prompts import PromptSet, render
from agent.schema import ChunkError, Usage
from agent.text.chunks import Chunk


@dataclass
class CallResult:
    """One chunk's outcome, whoever sent it (duck-typed by ``reconcile.collect``)."""

    chunk: Chunk
    answer: BaseModel | None = None
    error: ChunkError | None = None
    usage: Usage = field(default_factory=Usage)
    cached: bool = False


def answer_model(chunk: Chunk) -> type[BaseModel]:
    """The closed per-chunk schema: every id of the chunk is a required key, nothing else allowed."""
    return problems_model(chunk.items, chunk.figure_ids, chunk.choices)


def max_tokens_for(chunk: Chunk, cap: int = 1024) -> int:
    return min(cap, answer_budget(len(chunk.items), len(chunk.figure_ids)))


def request_body(chunk: Chunk, prompts: PromptSet, model: str, max_tokens_cap: int = 1024) -> dict[str, Any]:
    """The chat-completions body for one chunk (what instructor's JSON_SCHEMA mode sends)."""
    schema_model = answer_model(chunk)
    return {
        "messages": render(chunk, prompts),
        "model": model,
        "max_tokens": max_tokens_for(chunk, max_tokens_cap),
        "temperature": 0,
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": schema_model.__name__, "schema": schema_model.model_json_schema()},
        },
    }


def schema_hash(chunk: Chunk) -> str:
    raw = json.dumps(answer_model(chunk).model_json_schema(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def cache_key(chunk: Chunk, model: str, prompt_version: str) -> str:
    """Same model, prompt version, answer schema and chunk text: the same answer (temperature 0)."""
    parts = (model, prompt_version, schema_hash(chunk), chunk.kind, chunk.text)
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def custom_id(notice_id: str, chunk: Chunk) -> str:
    """The stable key of one chunk call across engines: ``<notice_id>:<chunk_id>``."""
    return f"{notice_id}:{chunk.id}"


def usage_of(body: dict[str, Any]) -> Usage:
    u = body.get("usage") or {}
    return Usage(requests=1, prompt_tokens=int(u.get("prompt_tokens") or 0), completion_tokens=int(u.get("completion_tokens") or 0))


def _error(chunk: Chunk, kind: str, message: str, usage: Usage) -> CallResult:
    return CallResult(chunk, error=ChunkError(chunk_id=chunk.id, kind=kind, message=message[:300], attempts=usage.requests), usage=usage)


def parse_reply(chunk: Chunk, body: Any) -> CallResult:
    """A chat-completions response body -> the validated answer, or a ``ChunkError`` saying why not."""
    if not isinstance(body, dict):
        return _error(chunk, "bad_reply", f"reply is not a JSON object: {str(body)[:80]!r}", Usage(requests=1))
    usage = usage_of(body)
    choices = body.get("choices") or []
    if not choices:
        return _error(chunk, "bad_reply", "reply has no choices", usage)
    choice = choices[0] or {}
    content = (choice.get("message") or {}).get("content")
    if choice.get("finish_reason") == "length":
        return _error(chunk, "truncated", "reply cut at max_tokens (finish_reason length)", usage)
    if not isinstance(content, str) or not content.strip():
        return _error(chunk, "bad_reply", "reply has no message content", usage)
    try:
        answer = answer_model(chunk).model_validate_json(content)
    except ValidationError as exc:
        errs = exc.errors()
        first = f"{errs[0]['msg']} at {errs[0]['loc']}" if errs else "invalid"
        return _error(chunk, "validation", f"{exc.error_count()} error(s), first: {first}", usage)
    return CallResult(chunk, answer=answer, usage=usage)


def answer_json(result: CallResult) -> str | None:
    """The answer as JSON for a cache or a store, ``None`` when the call failed."""
    return None if result.answer is None else result.answer.model_dump_json()


def from_cache(chunk: Chunk, answer: str, usage: Usage | None = None) -> CallResult:
    """Rebuild a cached answer; validated again, so a cache from an older schema cannot slip through."""
    return CallResult(chunk, answer=answer_model(chunk).model_validate_json(answer), usage=usage or Usage(), cached=True)
