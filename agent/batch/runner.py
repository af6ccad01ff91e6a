"""The batch runner: many notices through the pipeline, with the store, resume, the chunk cache and events.

Why a module of its own: ``pipeline`` says how one notice becomes a record; this says how thousands do,
unattended. Files are read by a bounded pool of workers (a folder of 100,000 files is never held in memory
at once); a notice already done for this model and prompt version with the same text is skipped; every
chunk call goes through the store's cache, so a rerun sends only what did not succeed before; every
outcome, including a crash inside the rules on a strange file, lands in the store as a record, a partial
record or a named failure, and the batch goes on. Progress is reported as events for the CLI to draw.
One thing stops a batch early: the model server gone for good (``agent.outage.ServerGone``). Then the
notices in flight are not recorded at all (no partial records for a fault that is not theirs), the run's row
is closed as interrupted, ``Runner.stopped`` holds the reason, and a rerun picks up where it ended.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.batch.store import Store
from agent.batch.workers import RulePool
from agent.outage import ServerGone
from agent.output.sinks import JsonlSink, failure_line, replaced, write_jsonl
from agent.record.calls import CallResult, answer_json, cache_key, from_cache, schema_hash
from agent.record.pipeline import Analysis, analyse, model_result_record, rules_record
from agent.schema import NoticeRecord
from agent.text.chunks import Chunk
from agent.text.ingest import IngestError, read_notice

if TYPE_CHECKING:
    from agent.llm.extract import Extractor


@dataclass
class Stats:
    """What a progress bar and the closing summary show; updated as events happen."""

    total: int = 0
    done: int = 0
    partial: int = 0
    failed: int = 0
    skipped: int = 0
    in_flight: int = 0
    cached_chunks: int = 0
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    started: float = field(default_factory=time.monotonic)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)
    server: dict[str, Any] = field(default_factory=dict)  # outages, restarts, seconds down (agent.outage)

    @property
    def finished(self) -> int:
        return self.done + self.partial + self.failed + self.skipped

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def tokens_per_second(self) -> float:
        return (self.prompt_tokens + self.completion_tokens) / self.elapsed if self.elapsed > 0 else 0.0


Event = Callable[[str, dict[str, Any]], None]


def _quiet(kind: str, data: dict[str, Any]) -> None:
    pass


class Outcomes:
    """Where every notice's outcome goes, whichever engine produced it: the store, the JSONL, stats, events."""

    def __init__(self, store: Store, sink: JsonlSink | None, model: str | None, prompt_version: str | None,
                 on_event: Event = _quiet, use_cache: bool = True) -> None:
        self.store, self.sink, self.on_event, self.use_cache = store, sink, on_event, use_cache
        self.model, self.prompt_version = model, prompt_version
        self.stats = Stats()
        self.run_id = 0

    def begin(self, total: int, argv: list[str] | None, unread: list[tuple[str, str]] | None = None) -> None:
        """Open the run's row. ``unread``: files a folder held that are no notice format, each recorded as
        failed with its reason (so the summary and ``.errors.jsonl`` list them), on top of ``total``."""
        total += len(unread or [])
        self.stats.total, self.stats.started = total, time.monotonic()
        self.run_id = self.store.start_run(self.model, self.prompt_version, argv or [], total)
        for path, reason in unread or []:
            self.fail(path, reason)

    def end(self, interrupted: bool) -> None:
        finish_run(self.store, self.run_id, self.stats, interrupted)

    def skip(self, path: str) -> None:
        self.stats.skipped += 1
        self.on_event("skipped", {"source": path})

    def record(self, rec: NoticeRecord, started: float) -> None:
        status = self.store.put_record(rec, self.run_id, started)
        if self.sink is not None:
            self.sink.write(rec)
        if status == "done":
            self.stats.done += 1
        else:
            self.stats.partial += 1
            self.stats.failures.append((rec.source, "; ".join(f"chunk {e.chunk_id} {e.kind}: {e.message}" for e in rec.errors)))
        self.on_event(status, {"source": rec.source, "notice_id": rec.notice_id, "problems": len(rec.problems),
                               "errors": [e.model_dump() for e in rec.errors], "seconds": round(time.time() - started, 3)})

    def fail(self, path: str, reason: str) -> None:
        self.store.put_failure(path, reason, self.model, self.prompt_version, self.run_id)
        if self.sink is not None:
            self.sink.write_failure(path, reason)
        self.stats.failed += 1
        self.stats.failures.append((path, reason))
        self.on_event("failed", {"source": path, "reason": reason})

    def cached(self, chunk: Chunk, key: str) -> CallResult | None:
        """The store's answer to this chunk, if caching is on and it has one for the current schema."""
        if not self.use_cache:
            return None
        hit = self.store.get_answer(key)
        if hit is None:
            return None
        try:
            result = from_cache(chunk, hit[0])
        except ValueError:  # a cache entry from another schema: ask again
            return None
        self.stats.cached_chunks += 1
        return result

    def record_call(self, key: str, r: CallResult) -> None:
        """Count a call that was sent and commit it to the store (a success becomes the cache entry)."""
        assert self.model is not None and self.prompt_version is not None
        u, err = r.usage, r.error
        self.stats.requests += u.requests
        self.stats.prompt_tokens += u.prompt_tokens
        self.stats.completion_tokens += u.completion_tokens
        self.store.put_call(
            key, model=self.model, prompt_version=self.prompt_version, schema_hash=schema_hash(r.chunk),
            chunk_kind=r.chunk.kind, answer=answer_json(r), usage=u,
            attempts=err.attempts if err else u.requests, error=f"{err.kind}: {err.message}" if err else None,
        )


class Runner(Outcomes):
    """The local engine: asyncio workers over the files, chunk calls through the store's cache."""

    def __init__(
        self,
        store: Store,
        extractor: Extractor | None = None,
        *,
        sink: JsonlSink | None = None,
        use_cache: bool = True,
        force: bool = False,
        workers: int = 4,
        on_event: Event = _quiet,
        expect: tuple[str, str] | None = None,
        processes: int = 0,
        notice_timeout: float | None = None,
    ) -> None:
        """``expect`` (model, prompt version): a model run whose server was not started because
        ``nothing_to_do`` said every notice is done; a notice that turns out not to be is a named failure.
        ``processes``: rule workers (``agent.batch.workers``), each notice within ``notice_timeout`` seconds;
        0 runs the rules in this process, without a budget (the eval runner, tests)."""
        model, version = (extractor.model, extractor.prompts.version) if extractor else expect or (None, None)
        super().__init__(store, sink, model, version, on_event, use_cache)
        self.extractor = extractor
        self.force, self.workers = force, workers
        self.processes = processes if extractor is not None or expect is None else 0  # expect: all done already
        self.notice_timeout = notice_timeout
        self._pool: RulePool | None = None
        self._pending: dict[str, asyncio.Future[Any]] = {}  # cache key -> the call in flight
        self._slots = asyncio.Semaphore(extractor.settings.concurrency if extractor else 1)
        self.stopped: ServerGone | None = None  # why the batch ended early, if it did

    async def run(self, files: list[str], argv: list[str] | None = None, unread: list[tuple[str, str]] | None = None) -> Stats:
        """Every file through the pipeline (``unread``: see ``Outcomes.begin``)."""
        self.begin(len(files), argv, unread)
        queue: asyncio.Queue[str] = asyncio.Queue()
        for f in files:
            queue.put_nowait(f)
        interrupted = True
        if self.processes > 0:
            self._pool = RulePool(self.processes, self.notice_timeout, rules_only=self.extractor is None)
            self._pool.start()
        in_flight = self.workers if self.extractor is not None else max(self.workers, 2 * self.processes)
        workers = [asyncio.ensure_future(self._worker(queue)) for _ in range(max(1, in_flight))]
        try:
            await asyncio.gather(*workers)
            interrupted = False
        except ServerGone as exc:  # the notices in flight stay unrecorded: the rerun does them
            self.stopped = exc
        finally:
            await _cancel(workers)
            if self._pool is not None:
                self._pool.close()
                self._pool = None
            self.end(interrupted)
        return self.stats

    async def _worker(self, queue: asyncio.Queue[str]) -> None:
        while True:
            try:
                path = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            await self._one(path)

    async def _one(self, path: str) -> None:
        if self._pool is not None:
            return await self._one_in_worker(path, self._pool)
        started = time.time()
        try:
            notice = read_notice(path)
        except IngestError as exc:
            return self.fail(path, exc.reason)
        except OSError as exc:  # a race with the file system (deleted, permissions changed)
            return self.fail(path, f"cannot read: {exc.strerror or exc}")
        if not self.force and self.store.is_done(notice.source, notice.notice_id, self.model, self.prompt_version):
            return self.skip(path)
        if self.extractor is None and self.model is not None:
            return self.fail(path, "changed while the batch started, and the model server was not started: rerun")
        try:
            a = analyse(notice)
            if self.extractor is None:
                return self.record(rules_record(a), started)
        except Exception as exc:  # noqa: BLE001 - a bug on one strange file must not stop the batch
            return self.fail(path, f"internal error: {type(exc).__name__}: {exc}")
        return await self._model_half(path, a, started)

    async def _one_in_worker(self, path: str, pool: RulePool) -> None:
        """The rules' half in a worker process, within the notice's budget; the model's half here."""
        out = await pool.run(path, self._wanted)
        if out.kind == "skipped":
            return self.skip(path)
        if out.kind == "failed":
            return self.fail(path, str(out.value))
        if out.kind == "record":
            return self.record(out.value, out.started)
        return await self._model_half(path, out.value, out.started)

    async def _model_half(self, path: str, a: Analysis, started: float) -> None:
        """The chunks asked (through the store's cache) and folded into the record."""
        assert self.extractor is not None
        try:
            t0 = time.monotonic()
            results = await self._ask_all(a.chunks)
            rec = model_result_record(a, results, self.extractor.model, self.extractor.prompts.version, time.monotonic() - t0)
        except ServerGone:
            raise
        except Exception as exc:  # noqa: BLE001 - a bug on one strange file must not stop the batch
            return self.fail(path, f"internal error: {type(exc).__name__}: {exc}")
        return self.record(rec, started)

    def _wanted(self, source: str, notice_id: str) -> bool:
        return self.force or not self.store.is_done(source, notice_id, self.model, self.prompt_version)

    async def _ask_all(self, chunks: list[Chunk]) -> list[CallResult]:
        """Every chunk of a notice at once; if one meets the server gone, the others are not left running."""
        tasks = [asyncio.ensure_future(self._chunk(c)) for c in chunks]
        try:
            return list(await asyncio.gather(*tasks))
        except BaseException:
            await _cancel(tasks)
            raise

    async def _chunk(self, chunk: Chunk) -> CallResult:
        ex = self.extractor
        assert ex is not None
        key = cache_key(chunk, ex.model, ex.prompts.version)
        cached = self.cached(chunk, key)
        if cached is not None:
            return cached
        pending = self._pending.get(key)
        if pending is not None:  # the same chunk of another copy is being asked right now: share its answer
            try:
                shared = await asyncio.shield(pending)
            except Exception:  # noqa: BLE001 - its failure is its notice's; this one asks for itself
                shared = None
            if shared is not None and shared.error is None:
                self.stats.cached_chunks += 1
                return CallResult(chunk, answer=shared.answer, cached=True)
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[key] = fut
        try:
            async with self._slots:  # the extractor bounds requests too; this makes "in flight" mean at the server
                self.stats.in_flight += 1
                self.on_event("chunk_started", {"chunk": chunk.id})
                try:
                    result = await ex.run_chunk(chunk)
                finally:
                    self.stats.in_flight -= 1
            fut.set_result(result)
        except BaseException as exc:
            fut.set_exception(exc)
            fut.exception()  # retrieved: a waiter re-raises it, nobody logs it as unretrieved
            raise
        finally:
            self._pending.pop(key, None)
        self.record_call(key, result)
        self.on_event("chunk_finished", {"chunk": chunk.id, "error": result.error.kind if result.error else None})
        return result


async def _cancel(tasks: Sequence[asyncio.Future[Any]]) -> None:
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def nothing_to_do(store: Store, files: list[str], model: str, prompt_version: str) -> bool:
    """Every readable file already done for this model and prompt version (so no server need start)?"""
    for f in files:
        try:
            notice = read_notice(f)
        except (IngestError, OSError):
            continue  # tried again without a model
        if not store.is_done(notice.source, notice.notice_id, model, prompt_version):
            return False
    return True


def finish_run(store: Store, run_id: int, s: Stats, interrupted: bool) -> None:
    """Close a run's row with its counts (every engine's runs read the same)."""
    store.finish_run(
        run_id, interrupted=interrupted, done=s.done + s.partial, failed=s.failed + s.partial,
        skipped=s.skipped, requests=s.requests, prompt_tokens=s.prompt_tokens,
        completion_tokens=s.completion_tokens, cached_chunks=s.cached_chunks,
    )


def mirror_jsonl(store: Store, out: Path) -> int:
    """Rewrite ``out`` (and its ``.errors.jsonl``) from the store, atomically: one line per notice, none twice."""
    out = Path(out)
    with replaced(out) as fh:
        n = write_jsonl(store.records(), fh)
    errs = out.with_suffix(out.suffix + ".errors.jsonl")
    failures = store.failures()
    if failures or errs.exists():
        with replaced(errs) as fh:
            fh.write("".join(failure_line(s, e) for s, e in failures))
    return n

