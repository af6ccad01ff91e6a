"""The only stage that talks to a model server: one instructor call per chunk, async, bounded.

Two kinds of retry are kept apart on purpose:
- transient faults (timeouts, refused or dropped connections, 408/409/429/5xx, and a 200 that is not a chat
  completion at all: an HTML page from a proxy, a non-JSON body, no choices) are retried by tenacity with
  exponential backoff capped at ``Settings.backoff_cap``, honouring ``Retry-After`` up to
  ``Settings.max_retry_after``, for at most ``net_retries`` retries and never starting one after
  ``Settings.retry_budget`` seconds;
- validation failures (bad or truncated JSON, an unknown id, a missing item) are re-asked by instructor, at
  most ``Settings.reasks`` times, because its validator messages are written for the model. A reply cut at
  ``max_tokens`` is not re-asked: at temperature 0 the same prompt is cut the same way.
A third kind is not the chunk's fault at all: the server going down. Every request first asks the batch's
``agent.outage.Gate`` (when there is one): it waits while the server is down or being restarted, and a
request that could not connect because of the outage raises ``Outage`` and is sent again once the server is
back, with a fresh set of network retries (at most ``Settings.outage_retries`` times per chunk). When the
gate gives up, ``ServerGone`` goes past ``run_chunk`` to the runner, which ends the batch.
Every attempt counts toward the notice's usage (requests and tokens), failed ones included: the raw client
is wrapped so each request and each reply is counted before instructor parses it. A chunk that still fails
yields a recorded ``ChunkError`` whose ``kind`` says which fault it was (``network``, ``timeout``,
``http_<status>``, ``bad_response``, ``validation``, ``truncated``, ``error``); it never raises past
``run_chunks``, and its message never carries the API key (it is redacted from messages and from the log
records of openai, httpx and instructor).
"""

from __future__ import annotations

import asyncio
import contextvars
import html
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import instructor
import openai
from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException
from pydantic import BaseModel
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt, stop_before_delay

from agent.config import Settings
from agent.outage import Gate, Outage, ServerGone
from agent.record.calls import CallResult, answer_model, max_tokens_for
from agent.record.prompts import PromptSet, render
from agent.schema import ChunkError, Usage
from agent.text.chunks import Chunk

RETRYABLE_STATUS = {408, 409, 429, 500, 502, 503, 504}
CONNECT_TIMEOUT = 20.0  # seconds: a host that is off shows as a connect timeout; a healthy one connects at once
LOGGERS = ("openai", "openai._base_client", "httpx", "httpx2", "instructor", "instructor.v2", "instructor.v2.retry")
_usage: contextvars.ContextVar[Usage | None] = contextvars.ContextVar("xuncha_usage", default=None)


ChunkResult = CallResult  # one result type for every engine (agent.record.calls)


class ExtractionFailed(Exception):
    """A chunk failed after all retries; carries what was spent on it."""

    def __init__(self, kind: str, message: str, attempts: int, usage: Usage) -> None:
        super().__init__(message)
        self.kind, self.attempts, self.usage = kind, attempts, usage


class BadResponse(Exception):
    """The server answered 200 with something that is not a chat completion (a proxy's page, no choices)."""


class _Redact(logging.Filter):
    """Removes secrets from the records of the HTTP and LLM libraries (they log exception texts)."""

    def __init__(self) -> None:
        super().__init__("xuncha-redact")
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            msg = record.getMessage()
            clean = redact(msg, self.secrets)
            if clean != msg:
                record.msg, record.args = clean, None
        return True


_REDACT = _Redact()


def redaction() -> logging.Filter:
    """The filter that takes the API key out of log records, for a handler that prints them (--log-json)."""
    return _REDACT


def redact(text: str, secrets: set[str] | frozenset[str]) -> str:
    for s in secrets:
        text = text.replace(s, "***")
    return text


def _secrets(key: str) -> set[str]:
    return {key} if len(key) >= 6 else set()  # a one-letter key would redact every word containing it


def _install_redaction(secrets: set[str]) -> None:
    _REDACT.secrets |= secrets
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _REDACT not in logger.filters:
            logger.addFilter(_REDACT)


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError, BadResponse)):
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in RETRYABLE_STATUS
    return False


def _retry_after(exc: BaseException | None, cap: float) -> float | None:
    resp = getattr(exc, "response", None)
    headers = getattr(resp, "headers", None)
    if not headers:
        return None
    raw = headers.get("retry-after")
    try:
        return max(0.0, min(float(raw), cap)) if raw is not None else None
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff


def _waiter(settings: Settings) -> Callable[[RetryCallState], float]:
    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        after = _retry_after(exc, settings.max_retry_after)
        if after is not None:
            return after
        return min(settings.backoff_base * 2.0 ** (state.attempt_number - 1), settings.backoff_cap)

    return wait


def _page_text(body: str, limit: int = 200) -> str:
    """What a human would read on an error page: its title, else its text without tags."""
    m = re.search(r"<title[^>]*>(.*?)</title>", body, re.I | re.S)
    text = m.group(1) if m else re.sub(r"<(script|style)\b.*?</\1>|<[^>]+>", " ", body, flags=re.I | re.S)
    text = " ".join(html.unescape(text).split())
    return text[:limit] or "(empty body)"


def _looks_html(body: str) -> bool:
    head = body.lstrip()[:200].lower()
    return head.startswith("<") and ("<html" in head or "<!doctype" in head or "<head" in head or "<body" in head)


def _status_detail(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        err = body.get("error", body)
        msg = err.get("message") if isinstance(err, dict) else err
        return str(msg if msg is not None else json.dumps(body, ensure_ascii=False))
    text = exc.response.text if exc.response is not None else str(body or "")
    return f"HTML page: {_page_text(text)}" if _looks_html(text) else " ".join(text.split())


async def _through(gate: Gate | None, create: Callable[..., Awaitable[Any]], *args: Any, **kwargs: Any) -> Any:
    """One request through the gate: held while the server is down; a connection failure the gate puts
    down to an outage becomes ``Outage`` (sent again later); any HTTP answer tells the gate it is up."""
    epoch = await gate.ready() if gate is not None else 0
    usage = _usage.get()
    if usage is not None:
        usage.requests += 1
    try:
        response = await create(*args, **kwargs)
    except openai.APIStatusError:
        if gate is not None:
            gate.succeeded()
        raise
    except openai.APIConnectionError as exc:  # refused, reset, dropped, or no connection at all
        if gate is not None and _unreachable(exc):
            reason = "ConnectTimeout: no connection within the connect timeout" if _connect_timeout(exc) else _short(_root(exc), 160)
            if await gate.failed(epoch, reason):
                raise Outage(reason) from exc
        raise
    if gate is not None:
        gate.succeeded()
    return response


def _connect_timeout(exc: BaseException) -> bool:
    seen, cur = set(), exc.__cause__
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if type(cur).__name__ == "ConnectTimeout":  # httpx's and httpx2's alike
            return True
        cur = cur.__cause__ or cur.__context__
    return False


def _unreachable(exc: openai.APIConnectionError) -> bool:
    """The server could not be reached: refused, reset, dropped, or a connect timeout. A read timeout is a
    slow server, not a dead one: it stays with the chunk's own retries."""
    return not isinstance(exc, openai.APITimeoutError) or _connect_timeout(exc)


def _checked(create: Callable[..., Awaitable[Any]], gate: Gate | None = None) -> Callable[..., Awaitable[Any]]:
    """The raw ``chat.completions.create``, through the gate, counting every request and reply and
    refusing non-completions.

    The kwargs pass through untouched, so the request body is exactly what instructor builds.
    """

    async def checked(*args: Any, **kwargs: Any) -> Any:
        try:
            response = await _through(gate, create, *args, **kwargs)
        except json.JSONDecodeError as exc:  # a JSON content type with a body that is not JSON
            raise BadResponse(f"HTTP 200 with a body that is not JSON: {_page_text(exc.doc)}") from None
        usage = _usage.get()
        if isinstance(response, str):  # openai hands back the text of a non-JSON content type
            what = "an HTML page" if _looks_html(response) else "a non-JSON body"
            raise BadResponse(f"HTTP 200 with {what}, not a chat completion: {_page_text(response)}")
        u = getattr(response, "usage", None)
        if usage is not None and u is not None:
            usage.prompt_tokens += int(getattr(u, "prompt_tokens", 0) or 0)
            usage.completion_tokens += int(getattr(u, "completion_tokens", 0) or 0)
        if not getattr(response, "choices", None):
            raise BadResponse("HTTP 200 with no choices in the reply")
        return response

    return checked


class Extractor:
    """Sends chunks to one OpenAI-compatible server with at most ``settings.concurrency`` in flight."""

    def __init__(self, settings: Settings, base_url: str, model: str, prompts: PromptSet, gate: Gate | None = None) -> None:
        """``gate``: the batch's view of the server's health (``agent.outage``); None sends regardless."""
        self.settings, self.model, self.prompts, self.gate = settings, model, prompts, gate
        self._secrets = _secrets(settings.api_key)
        _install_redaction(self._secrets)
        timeout = openai.Timeout(settings.timeout, connect=min(settings.timeout, CONNECT_TIMEOUT))
        self._raw = openai.AsyncOpenAI(base_url=base_url, api_key=settings.api_key, max_retries=0, timeout=timeout)
        completions = self._raw.chat.completions
        completions.create = _checked(completions.create, gate)  # type: ignore[method-assign, assignment]
        if gate is not None:  # an embedded server restarted on another port
            gate.follow(lambda url: setattr(self._raw, "base_url", url))
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
                message = redact(str(exc), self._secrets)
                result.error = ChunkError(chunk_id=chunk.id, kind=exc.kind, message=message, attempts=exc.attempts)
            result.usage.seconds = round(time.monotonic() - t0, 3)
            return result

    async def _unwrapped(self, **kwargs: Any) -> BaseModel:
        """instructor wraps transport errors in its retry exception; unwrap them so tenacity sees them."""
        try:
            return await self._client.chat.completions.create(**kwargs)  # type: ignore[no-any-return]
        except InstructorRetryException as exc:
            cause = exc.__cause__
            if isinstance(cause, (openai.APIStatusError, openai.APIConnectionError, BadResponse, Outage, ServerGone)):
                raise cause from cause.__cause__  # keep the transport's own cause (refused, dropped, …)
            raise

    async def _call(self, chunk: Chunk) -> tuple[BaseModel, Usage]:
        usage = Usage()
        _usage.set(usage)  # each chunk runs in its own task, so its own context
        model = answer_model(chunk)  # the same schema and budget the pure request body (agent.record.calls) uses
        max_tokens = max_tokens_for(chunk, self.settings.max_tokens)
        s = self.settings
        tries = [0]  # network attempts, across outages
        try:
            return await self._through_outages(chunk, model, max_tokens, tries), usage
        except ServerGone:
            raise  # the batch's, not this chunk's: the runner stops
        except Outage as exc:
            msg = f"the server went down under this chunk {s.outage_retries + 1} times (last: {_short(exc)})"
            raise ExtractionFailed("network", msg, tries[0], usage) from exc
        except InstructorRetryException as exc:
            raise ExtractionFailed("validation", _short(exc), usage.requests, usage) from exc
        except IncompleteOutputException as exc:
            raise ExtractionFailed("truncated", f"reply cut at max_tokens={max_tokens}", usage.requests, usage) from exc
        except openai.APIStatusError as exc:
            msg = f"HTTP {exc.status_code}: {_short(_status_detail(exc))}"
            raise ExtractionFailed(f"http_{exc.status_code}", msg, tries[0], usage) from exc
        except openai.APITimeoutError as exc:
            what = f"no connection within {min(s.timeout, CONNECT_TIMEOUT):g} s" if _connect_timeout(exc) else f"no reply within timeout={s.timeout:g} s"
            msg = f"{what} ({_short(exc)}), {tries[0]} attempt(s)"
            raise ExtractionFailed("timeout", msg, tries[0], usage) from exc
        except openai.APIConnectionError as exc:
            msg = f"{_short(exc).rstrip('.')}: {_short(_root(exc))} ({tries[0]} attempt(s))"
            raise ExtractionFailed("network", msg, tries[0], usage) from exc
        except BadResponse as exc:
            raise ExtractionFailed("bad_response", _short(exc), tries[0], usage) from exc
        except Exception as exc:  # noqa: BLE001 - any other fault is this chunk's, not the batch's
            raise ExtractionFailed("error", f"{type(exc).__name__}: {_short(exc)}", max(usage.requests, 1), usage) from exc

    async def _through_outages(self, chunk: Chunk, model: type[BaseModel], max_tokens: int, tries: list[int]) -> BaseModel:
        """The network retries, started afresh after each outage the chunk was caught in: a request the
        server's going down cut off is not the chunk's fault, so it does not spend the chunk's retries."""
        outages = 0
        while True:
            try:
                return await self._retrying(chunk, model, max_tokens, tries)
            except Outage:
                outages += 1
                if outages > self.settings.outage_retries:
                    raise

    async def _retrying(self, chunk: Chunk, model: type[BaseModel], max_tokens: int, tries: list[int]) -> BaseModel:
        s = self.settings
        async for attempt in AsyncRetrying(
            retry=retry_if_exception(_retryable),
            stop=stop_after_attempt(s.net_retries + 1) | stop_before_delay(s.retry_budget),
            wait=_waiter(s),
            reraise=True,
        ):
            with attempt:
                tries[0] += 1
                answer = await self._unwrapped(
                    model=self.model,
                    messages=render(chunk, self.prompts),  # type: ignore[arg-type]
                    response_model=model,
                    max_retries=s.reasks,
                    temperature=0,
                    max_tokens=max_tokens,
                )
        return answer


def _root(exc: BaseException) -> str:
    """The innermost cause with something to say, e.g. ``[Errno 111] Connection refused``."""
    seen, best, cur = set(), "", exc.__cause__ or exc.__context__
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if str(cur).strip():
            best = f"{type(cur).__name__}: {cur}"
        cur = cur.__cause__ or cur.__context__
    return best or "no detail"


def _short(exc: BaseException | str, limit: int = 300) -> str:
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
