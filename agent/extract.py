"""The only stage that talks to a model server: one instructor call per chunk, async, bounded.

Two kinds of retry are kept apart on purpose:
- network faults (timeouts, connection errors, 408/429/5xx) are retried by tenacity with backoff, honouring
  ``Retry-After``, within a bounded number of attempts and total time;
- validation failures (bad JSON, an unknown id, a missing item) are re-asked by instructor, whose validator
  messages are written for the model.
Every attempt counts toward the notice's usage (requests and tokens), failed ones included. A chunk that
still fails yields a recorded ``ChunkError``; it never raises past ``run_chunks``.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import instructor
import openai
from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException
from instructor.v2.core.hooks import Hooks
from pydantic import BaseModel
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt, stop_after_delay

from agent.answers import answer_budget, header_model, problems_model
from agent.chunks import Chunk
from agent.config import Settings
from agent.prompts import PromptSet, render
from agent.schema import ChunkError, Usage

RETRYABLE_STATUS = {408, 409, 429, 500, 502, 503, 504}
MAX_RETRY_AFTER = 60.0
TOTAL_RETRY_SECONDS = 300.0


@dataclass
class ChunkResult:
    chunk: Chunk
    answer: BaseModel | None = None
    error: ChunkError | None = None
    usage: Usage = field(default_factory=Usage)


class ExtractionFailed(Exception):
    """A chunk failed after all retries; carries what was spent on it."""

    def __init__(self, kind: str, message: str, attempts: int, usage: Usage) -> None:
        super().__init__(message)
        self.kind, self.attempts, self.usage = kind, attempts, usage


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError)):
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in RETRYABLE_STATUS
    return False


def _retry_after(exc: BaseException | None) -> float | None:
    resp = getattr(exc, "response", None)
    headers = getattr(resp, "headers", None)
    if not headers:
        return None
    raw = headers.get("retry-after")
    try:
        return min(float(raw), MAX_RETRY_AFTER) if raw is not None else None
    except ValueError:
        return None


def _wait(state: RetryCallState) -> float:
    exc = state.outcome.exception() if state.outcome else None
    after = _retry_after(exc)
    if after is not None:
        return after
    return min(2.0 ** (state.attempt_number - 1), 30.0)


class Extractor:
    """Sends chunks to one OpenAI-compatible server with at most ``settings.concurrency`` in flight."""

    def __init__(self, settings: Settings, base_url: str, model: str, prompts: PromptSet) -> None:
        self.settings, self.model, self.prompts = settings, model, prompts
        self._raw = openai.AsyncOpenAI(
            base_url=base_url, api_key=settings.api_key, max_retries=0, timeout=settings.timeout
        )
        self._client = instructor.from_openai(self._raw, mode=getattr(instructor.Mode, settings.mode))
        self._sem = asyncio.Semaphore(settings.concurrency)

    async def close(self) -> None:
        await self._raw.close()

    async def run_chunks(self, chunks: list[Chunk]) -> list[ChunkResult]:
        return list(await asyncio.gather(*(self.run_chunk(c) for c in chunks)))

    async def run_chunk(self, chunk: Chunk) -> ChunkResult:
        async with self._sem:
            t0 = time.monotonic()
            result = ChunkResult(chunk)
            try:
                result.answer, result.usage = await self._call(chunk)
            except ExtractionFailed as exc:
                result.usage = exc.usage
                result.error = ChunkError(chunk_id=chunk.id, kind=exc.kind, message=str(exc), attempts=exc.attempts)
            result.usage.seconds = round(time.monotonic() - t0, 3)
            return result

    async def _unwrapped(self, **kwargs: Any) -> BaseModel:
        """instructor wraps API errors in its retry exception; unwrap them so tenacity sees network faults."""
        try:
            return await self._client.chat.completions.create(**kwargs)  # type: ignore[no-any-return]
        except InstructorRetryException as exc:
            cause = exc.__cause__
            if isinstance(cause, (openai.APIStatusError, openai.APITimeoutError, openai.APIConnectionError)):
                raise cause from exc
            raise

    async def _call(self, chunk: Chunk) -> tuple[BaseModel, Usage]:
        usage = Usage()
        hooks = Hooks()

        def on_kwargs(*_: Any, **__: Any) -> None:
            usage.requests += 1

        def on_response(response: Any, *_: Any, **__: Any) -> None:
            u = getattr(response, "usage", None)
            if u is not None:
                usage.prompt_tokens += int(getattr(u, "prompt_tokens", 0) or 0)
                usage.completion_tokens += int(getattr(u, "completion_tokens", 0) or 0)

        hooks.on("completion:kwargs", on_kwargs)
        hooks.on("completion:response", on_response)
        if chunk.kind == "header":
            model = header_model(chunk.figure_ids)
            budget = answer_budget(2, len(chunk.figure_ids))
        else:
            model = problems_model(chunk.items, chunk.figure_ids)
            budget = answer_budget(len(chunk.items), len(chunk.figure_ids))
        max_tokens = min(self.settings.max_tokens, budget)
        net_attempts = 0
        try:
            async for attempt in AsyncRetrying(
                retry=retry_if_exception(_retryable),
                stop=stop_after_attempt(self.settings.net_retries + 1) | stop_after_delay(TOTAL_RETRY_SECONDS),
                wait=_wait,
                reraise=True,
            ):
                with attempt:
                    net_attempts += 1
                    answer = await self._unwrapped(
                        model=self.model,
                        messages=render(chunk, self.prompts),  # type: ignore[arg-type]
                        response_model=model,
                        max_retries=self.settings.reasks,
                        hooks=hooks,
                        temperature=0,
                        max_tokens=max_tokens,
                    )
            return answer, usage
        except InstructorRetryException as exc:
            raise ExtractionFailed("validation", _short(exc), usage.requests, usage) from exc
        except IncompleteOutputException as exc:
            raise ExtractionFailed("truncated", f"reply cut at max_tokens={max_tokens}", usage.requests, usage) from exc
        except openai.APIStatusError as exc:
            raise ExtractionFailed(f"http_{exc.status_code}", _short(exc), net_attempts, usage) from exc
        except (openai.APITimeoutError, openai.APIConnectionError) as exc:
            raise ExtractionFailed("network", f"{type(exc).__name__}: {_short(exc)}", net_attempts, usage) from exc
        except Exception as exc:  # noqa: BLE001 - any other fault is this chunk's, not the batch's
            raise ExtractionFailed("error", f"{type(exc).__name__}: {_short(exc)}", max(usage.requests, 1), usage) from exc


def _short(exc: BaseException, limit: int = 300) -> str:
    msg = " ".join(str(exc).split())
    return msg if len(msg) <= limit else msg[: limit - 1] + "…"


async def resolve_model(base_url: str, api_key: str) -> str:
    """The server's first listed model, for servers (llama.cpp, vLLM) that serve exactly one."""
    client = openai.AsyncOpenAI(base_url=base_url, api_key=api_key, max_retries=2, timeout=30)
    try:
        page = await client.models.list()
        ids = [m.id for m in page.data]
    finally:
        await client.close()
    if not ids:
        raise RuntimeError(f"{base_url} lists no models: pass --model or set XUNCHA_MODEL")
    return ids[0]
