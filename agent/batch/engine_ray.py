"""``xuncha structure --engine ray``: the same pipeline on Ray Data, for more notices than one machine reads.

Why: the rules stages are CPU work per notice and the model stage is I/O against servers that scale out
(vLLM replicas behind one URL, or several); Ray Data spreads both over a cluster while the store stays
the one truth on the driver. The stages map onto Ray Data as:

- ``map(_prepare)``: ingest → outline → figures → chunks, one row per notice (the analysis pickled);
  notices the store already has as done are not analysed again;
- the driver turns notices into one request row per chunk (``custom_id``, source, chunk): a chunk the
  store's cache answered is not sent, and identical chunks (copies of one text share a ``notice_id``)
  are sent once — both decisions need the store, which only the driver holds (one SQLite writer);
- ``map_batches(ChunkCaller)``: a pool of actors (``--workers``, ¼ CPU each), each sending several
  requests at once through the project's own ``Extractor`` (the same instructor request as the local
  runner — ``calls.request_body`` byte for byte — with the same network retries and re-asks);
- the driver folds answers back per notice as they stream in (``pipeline.model_result_record``), commits
  every chunk call and every record to the store at once, so a kill loses only the requests in flight
  and a rerun sends nothing twice, and finally mirrors the store to JSONL (never a notice twice).

Ray is imported only here, and only when this engine runs (``pip install -e '.[ray]'``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agent.batch.runner import Event, Outcomes, Stats, _quiet
from agent.batch.store import Store
from agent.config import Settings
from agent.output.sinks import JsonlSink
from agent.record.calls import CallResult, answer_json, cache_key, custom_id, from_cache
from agent.record.pipeline import Analysis, analyse, model_result_record, rules_record
from agent.record.prompts import PromptSet
from agent.schema import ChunkError, Usage
from agent.text.chunks import Chunk
from agent.text.ingest import IngestError, read_notice

LOCAL_CPUS = 2
ACTOR_CPUS = 0.25
INSTALL_HINT = "the ray engine needs Ray Data: pip install -e '.[ray]'"


class RayUnavailable(RuntimeError):
    """Ray is not installed here."""


def _prepare(row: dict[str, Any], done: dict[str, str]) -> dict[str, Any]:
    """One notice file -> its analysis (pickled), or the reason it cannot be read, or 'already done'."""
    source = row["path"]
    out = {"source": source, "notice_id": "", "reason": "", "skip": False, "blob": b""}
    try:
        notice = read_notice(source)
    except IngestError as exc:
        return {**out, "reason": exc.reason}
    except OSError as exc:
        return {**out, "reason": f"cannot read: {exc.strerror or exc}"}
    out["notice_id"] = notice.notice_id
    if done.get(source) == notice.notice_id:
        return {**out, "skip": True}
    try:
        out["blob"] = pickle.dumps(analyse(notice))
    except Exception as exc:  # noqa: BLE001 - a bug on one strange file must not stop the batch
        out["reason"] = f"internal error: {type(exc).__name__}: {exc}"
    return out


class ChunkCaller:
    """A Ray Data actor: sends the chunks of each batch concurrently (at most ``settings.concurrency``)."""

    def __init__(self, settings: Settings, base_url: str, model: str, prompts: PromptSet) -> None:
        from agent.llm.extract import Extractor

        self.extractor = Extractor(settings, base_url, model, prompts)

    async def __call__(self, batch: dict[str, Any]) -> dict[str, list[str]]:
        chunks = [pickle.loads(b) for b in batch["chunk"]]
        results = await asyncio.gather(*(self.extractor.run_chunk(c) for c in chunks))
        return {
            "key": [str(k) for k in batch["key"]],
            "answer": [answer_json(CallResult(r.chunk, answer=r.answer)) or "" for r in results],
            "error": ["" if r.error is None else r.error.model_dump_json() for r in results],
            "usage": [r.usage.model_dump_json() for r in results],
        }


@dataclass
class _Pending:
    """A notice waiting for its chunk answers."""

    analysis: Analysis
    results: list[Any]
    remaining: int
    started: float = field(default_factory=time.time)
    t0: float = field(default_factory=time.monotonic)


def error_for_chunk(error: ChunkError | None, chunk: Chunk) -> ChunkError | None:
    return None if error is None else error.model_copy(update={"chunk_id": chunk.id})


def init_ray(address: str | None) -> bool:
    """Start (local mode) or join (``auto`` / an address) a Ray cluster; True if we must shut it down."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    try:
        import ray
        import ray.data
    except ImportError:
        raise RayUnavailable(INSTALL_HINT) from None
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False
    ctx.print_on_execution_start = False
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    if ray.is_initialized():
        return False
    if address is None:
        # local mode; Ray >= 2.59 turns on token auth for local clusters and makes the token itself
        ray.init(num_cpus=LOCAL_CPUS, include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
    else:  # a cluster: its token comes from RAY_AUTH_TOKEN / RAY_AUTH_TOKEN_PATH / ~/.ray/auth_token
        ray.init(address=address, log_to_driver=False, logging_level=logging.WARNING)
    return True


class RayEngine(Outcomes):
    """Runs a batch on Ray Data with the same store, resume, cache and record as ``runner.Runner``."""

    def __init__(self, store: Store, settings: Settings, base_url: str | None, model: str | None,
                 prompts: PromptSet | None, *, sink: JsonlSink | None = None, use_cache: bool = True,
                 force: bool = False, workers: int = 4, on_event: Event | None = None) -> None:
        super().__init__(store, sink, model, prompts.version if prompts and model else None, on_event or _quiet, use_cache)
        self.settings, self.base_url, self.prompts = settings, base_url, prompts
        self.force, self.workers = force, max(1, workers)

    def run(self, files: list[str], argv: list[str] | None = None, unread: list[tuple[str, str]] | None = None) -> Stats:
        import ray.data

        self.begin(len(files), argv, unread)
        interrupted = True
        try:
            done = {} if self.force else self.store.done_sources(self.model, self.prompt_version)
            notices = ray.data.from_items([{"path": f} for f in files], override_num_blocks=max(1, min(len(files), 64)))
            prepared = notices.map(lambda row: _prepare(row, done))
            requests, pending, waiters = self._plan(prepared.iter_rows())
            if requests:
                self._send(requests, pending, waiters)
            interrupted = False
        finally:
            self.end(interrupted)
        return self.stats

    # --- driver: what to send ------------------------------------------------------------------------

    def _plan(self, rows: Any) -> tuple[list[dict[str, Any]], dict[str, _Pending], dict[str, list[tuple[str, int]]]]:
        requests: list[dict[str, Any]] = []
        pending: dict[str, _Pending] = {}
        waiters: dict[str, list[tuple[str, int]]] = {}  # cache key -> (source, chunk index) waiting for it
        for row in rows:
            source = row["source"]
            if row["reason"]:
                self.fail(source, row["reason"])
                continue
            if row["skip"]:
                self.skip(source)
                continue
            a: Analysis = pickle.loads(row["blob"])
            if self.model is None or self.prompts is None:
                self.record(rules_record(a), time.time())
                continue
            p = _Pending(a, [None] * len(a.chunks), len(a.chunks))
            pending[source] = p
            for i, chunk in enumerate(a.chunks):
                key = cache_key(chunk, self.model, self.prompts.version)
                hit = self.cached(chunk, key)
                if hit is not None:
                    p.results[i], p.remaining = hit, p.remaining - 1
                    continue
                if key not in waiters:
                    waiters[key] = []
                    requests.append({"key": key, "custom_id": custom_id(a.notice.notice_id, chunk),
                                     "source": source, "chunk": pickle.dumps(chunk)})
                waiters[key].append((source, i))
            if p.remaining == 0:
                self._complete(pending.pop(source))
        return requests, pending, waiters

    # --- actors: send; driver: fold back -------------------------------------------------------------

    def _send(self, requests: list[dict[str, Any]], pending: dict[str, _Pending],
              waiters: dict[str, list[tuple[str, int]]]) -> None:
        import ray.data

        assert self.base_url is not None and self.model is not None and self.prompts is not None
        per_call = self.settings.concurrency
        ds = ray.data.from_items(requests, override_num_blocks=max(1, min(len(requests), self.workers * 8)))
        answers = ds.map_batches(
            ChunkCaller, batch_size=per_call, num_cpus=ACTOR_CPUS,
            compute=ray.data.ActorPoolStrategy(size=self.workers),
            fn_constructor_kwargs={"settings": self.settings, "base_url": self.base_url, "model": self.model,
                                   "prompts": self.prompts},
        )
        chunks = {r["key"]: pickle.loads(r["chunk"]) for r in requests}
        self.stats.in_flight = len(requests)
        for row in answers.iter_rows():
            key = row["key"]
            chunk = chunks[key]
            usage = Usage.model_validate_json(row["usage"])
            error = ChunkError.model_validate_json(row["error"]) if row["error"] else None
            own = CallResult(chunk, error=error, usage=usage)
            if row["answer"]:
                own = from_cache(chunk, row["answer"], usage)
                own.cached = False
            self.stats.in_flight -= 1
            self.record_call(key, own)
            for n, (source, i) in enumerate(waiters.pop(key, [])):
                p = pending[source]
                if n == 0:
                    p.results[i] = own
                else:  # a copy's chunk: the answer was shared, its tokens spent once (as in the local runner)
                    self.stats.cached_chunks += own.error is None
                    p.results[i] = (from_cache(p.analysis.chunks[i], row["answer"]) if own.error is None
                                    else CallResult(p.analysis.chunks[i], error=error_for_chunk(error, p.analysis.chunks[i])))
                p.remaining -= 1
                if p.remaining == 0:
                    self._complete(pending.pop(source))
        for p in pending.values():  # never expected: a row Ray did not return is a named chunk error
            for i, r in enumerate(p.results):
                if r is None:
                    c = p.analysis.chunks[i]
                    p.results[i] = CallResult(c, error=ChunkError(chunk_id=c.id, kind="ray_missing", message="no answer row from Ray"))
            self._complete(p)

    def _complete(self, p: _Pending) -> None:
        assert self.model is not None and self.prompts is not None
        rec = model_result_record(p.analysis, p.results, self.model, self.prompts.version, time.monotonic() - p.t0)
        self.record(rec, p.started)


def run_ray(files: list[str], store: Store, settings: Settings, base_url: str | None, model: str | None,
            prompts: PromptSet | None, *, address: str | None = None, sink: JsonlSink | None = None,
            use_cache: bool = True, force: bool = False, workers: int = 4, argv: list[str] | None = None,
            on_event: Event | None = None, on_start: Callable[[Stats], None] | None = None,
            unread: list[tuple[str, str]] | None = None) -> Stats:
    """Start or join Ray, run the batch, and shut Ray down again if this call started it."""
    import ray

    owned = init_ray(address)
    try:
        engine = RayEngine(store, settings, base_url, model, prompts, sink=sink, use_cache=use_cache,
                           force=force, workers=workers, on_event=on_event)
        if on_start is not None:
            on_start(engine.stats)
        return engine.run(files, argv, unread)
    finally:
        if owned:
            ray.shutdown()
