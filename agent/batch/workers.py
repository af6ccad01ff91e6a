"""Rule workers: the rules' half of each notice in a pool of processes, every notice within a time budget.

Why a module of its own: the rules are CPU work, one core per Python process, and a notice that runs past
its budget must be stopped. A thread cannot be stopped; a process can. So each notice is read and analysed
in a worker process (ingest → view → outline → figures → chunks, and for a rules-only run the record too);
the worker writes the stage it is in to shared memory, and the batch waits for its answer at most the
budget. Past it, the worker is killed, a fresh one takes its place, and the notice is failed with the reason
``timeout in <stage> after N s``; the rest of the batch goes on. One process per core by default, so a
rules-only batch uses every core.

The store stays in the batch's process (one SQLite writer): a worker reads the file, says which notice it
is, and the batch answers whether to go on (a notice already done is skipped before it is analysed).

Workers start from a fork server (a clean process that imported the rules once) where the platform has one,
else they are spawned. A killed batch takes its workers with it: each one ends when its pipe closes.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

STAGE_BYTES = 32
FIRST_STAGE = "ingest"


def default_processes() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@dataclass
class Outcome:
    """What became of one file: ``record`` (rules only), ``analysis`` (a model run goes on with it),
    ``skipped`` (the store has it), or ``failed`` with its reason."""

    kind: str
    source: str
    value: Any = None  # the NoticeRecord, the Analysis, or the failure's reason
    started: float = 0.0


def _serve(conn: Connection, stage: Any, rules_only: bool) -> None:  # pragma: no cover - runs in a worker
    """A worker's loop: one file at a time, until its pipe closes or it is told to stop."""
    from agent.batch.preload import warm
    from agent.record.pipeline import analyse, rules_record
    from agent.text.ingest import IngestError, read_notice

    def at(name: str) -> None:
        stage.value = name.encode()[:STAGE_BYTES]

    warm()  # loaded already when forked from the server; spawned, the budget must not pay for it
    conn.send(("ready", None))
    while True:
        try:
            path = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if path is None:
            return
        at(FIRST_STAGE)
        try:
            notice = read_notice(path)
        except IngestError as exc:
            conn.send(("failed", exc.reason))
            continue
        except OSError as exc:
            conn.send(("failed", f"cannot read: {exc.strerror or exc}"))
            continue
        conn.send(("read", (notice.source, notice.notice_id)))
        try:
            if conn.recv() != "go":
                continue
            a = analyse(notice, at)
            if rules_only:
                at("reconcile")
                conn.send(("record", rules_record(a)))
            else:
                conn.send(("analysis", a))
        except (EOFError, OSError, KeyboardInterrupt):
            return
        except Exception as exc:  # noqa: BLE001 - a bug on one strange file must not stop the batch
            conn.send(("failed", f"internal error: {type(exc).__name__}: {exc}"))


class _Worker:
    def __init__(self, ctx: Any, rules_only: bool) -> None:
        self.conn, child = ctx.Pipe()
        self.stage = ctx.Array("c", STAGE_BYTES, lock=False)
        self.proc = ctx.Process(target=_serve, args=(child, self.stage, rules_only), daemon=True)
        self.proc.start()
        child.close()
        self.ready = False  # the worker says so once its tables and models are loaded

    def stage_name(self) -> str:
        return bytes(self.stage.value).decode(errors="replace") or FIRST_STAGE

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.proc.join(2)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(5)
        self.conn.close()


class _Late(Exception):
    """The budget ran out while waiting for a worker."""


def _context() -> Any:
    methods = mp.get_all_start_methods()
    if "forkserver" in methods:
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["agent.batch.preload"])
        return ctx
    return mp.get_context("spawn")


class RulePool:
    """``processes`` workers; ``timeout`` seconds per notice (None: no budget). ``start`` it, ``close`` it."""

    def __init__(self, processes: int, timeout: float | None, rules_only: bool) -> None:
        self.processes, self.timeout, self.rules_only = max(1, processes), timeout, rules_only
        self._ctx = _context()
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._all: list[_Worker] = []

    def start(self) -> None:
        for _ in range(self.processes):
            w = _Worker(self._ctx, self.rules_only)
            self._all.append(w)
            self._idle.put_nowait(w)

    def close(self) -> None:
        for w in self._all:
            w.stop()
        self._all.clear()

    async def run(self, path: str, wanted: Callable[[str, str], bool]) -> Outcome:
        """One file through a worker. ``wanted(source, notice_id)``: whether to analyse it (False: skipped)."""
        worker = await self._idle.get()
        started = time.time()
        try:
            if not worker.ready:  # outside the budget: a fresh worker loading its tables
                await self._answer(worker, None)
                worker.ready = True
            deadline = None if self.timeout is None else time.monotonic() + self.timeout
            out = await self._through(worker, path, wanted, deadline, started)
        except _Late:
            reason = f"timeout in {worker.stage_name()} after {self.timeout:g} s"
            self._replace(worker)
            return Outcome("failed", path, reason, started)
        except (EOFError, OSError) as exc:  # the worker died (out of memory, a crash in C)
            reason = f"worker died in {worker.stage_name()} (exit code {worker.proc.exitcode}): {type(exc).__name__}"
            self._replace(worker)
            return Outcome("failed", path, reason, started)
        except BaseException:  # cancelled mid-notice (the batch is ending): the worker may be busy, so it goes
            worker.kill()
            self._all.remove(worker)
            raise
        self._idle.put_nowait(worker)
        return out

    async def _through(self, worker: _Worker, path: str, wanted: Callable[[str, str], bool], deadline: float | None,
                       started: float) -> Outcome:  # fmt: skip
        worker.conn.send(path)
        kind, value = await self._answer(worker, deadline)
        if kind != "read":
            return Outcome(kind, path, value, started)
        if not wanted(*value):
            worker.conn.send("skip")
            return Outcome("skipped", path, None, started)
        worker.conn.send("go")
        kind, value = await self._answer(worker, deadline)
        return Outcome(kind, path, value, started)

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        fresh = _Worker(self._ctx, self.rules_only)
        self._all[self._all.index(worker)] = fresh
        self._idle.put_nowait(fresh)

    async def _answer(self, worker: _Worker, deadline: float | None) -> tuple[str, Any]:
        """The worker's next message, waiting at most until ``deadline`` without blocking the event loop."""
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()
        fd = worker.conn.fileno()

        def readable() -> None:
            if not ready.done():
                ready.set_result(None)

        loop.add_reader(fd, readable)
        try:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                await asyncio.wait_for(ready, left)
            except asyncio.TimeoutError:
                raise _Late from None
        finally:
            loop.remove_reader(fd)
        message: tuple[str, Any] = worker.conn.recv()
        return message
