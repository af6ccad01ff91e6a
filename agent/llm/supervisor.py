"""The embedded model server, supervised for the length of a batch: restarted when it dies or hangs.

Why a module of its own: xuncha starts the embedded llama.cpp server itself, so it is also the one that
must notice when that process is gone (the kernel's OOM killer, a crash in llama.cpp) and bring it back;
nobody else will, and without this every chunk of every notice after the crash would be sent to a dead
port and land as an error. :class:`Supervisor` is an ``agent.outage.Gate`` that owns the server:

- a watch task checks the process every second and ``/health`` every few seconds; a process that exited,
  or a server that has not answered its health check for about a minute, is restarted;
- a request that cannot connect while the process is gone closes the gate at once (no waiting for a
  streak of failures); requests wait in ``Gate.ready`` while it restarts, and the chunks that were in
  flight are sent again (``agent.llm.extract``), so the notices finish as if nothing had happened;
- restarts are bounded: at most ``max_restarts`` in a row without the server answering a request in
  between, with backoff (0, 1, 2, 4, … s) between attempts; each is an event (``server_restarting``,
  ``server_restarted`` with its time in seconds and the new pid, ``server_restart_failed``);
- if it cannot come back (the model file vanished, the memory is gone) the waiters get ``ServerGone`` and
  the batch ends with one clear line; the store keeps every finished notice for the rerun.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Protocol

from agent.config import Settings
from agent.llm.modelfile import ServerError
from agent.outage import Event, Gate, ServerGone, health_url, probe


class Managed(Protocol):
    """What the supervisor needs of a server (``agent.llm.server.LocalServer`` has it; tests bring their own)."""

    @property
    def base_url(self) -> str: ...

    @property
    def pid(self) -> int | None: ...

    def running(self) -> bool: ...

    def exit_status(self) -> str: ...

    def restart(self) -> object: ...

    def stop(self) -> None: ...


class Supervisor(Gate):
    """Owns an embedded server while a batch runs; ``start()`` in the event loop, ``aclose()`` at the end."""

    def __init__(self, server: Managed, settings: Settings, on_event: Event | None = None, *,
                 check_every: float = 1.0, health_every: float = 5.0, health_timeout: float = 10.0,
                 hung_after: int = 6) -> None:  # fmt: skip
        super().__init__(server.base_url, settings.breaker_threshold, on_event)
        self.server = server
        self.max_restarts = settings.max_restarts
        self.check_every, self.health_every, self.health_timeout = check_every, health_every, health_timeout
        self.hung_after = hung_after  # health checks in a row without an answer: ~1 minute by default
        self.restarts = 0
        self.restart_seconds: list[float] = []
        self._streak = 0  # restart attempts since the server last answered a request
        self._cause = ""  # why it went down
        self._failure = ""  # why the last restart failed
        self._watch_task: asyncio.Task[None] | None = None

    def start(self) -> Supervisor:
        if self._watch_task is None:
            self._watch_task = asyncio.get_running_loop().create_task(self._watch())
        return self

    async def aclose(self) -> None:
        if self._watch_task is not None:
            self._watch_task.cancel()
            await asyncio.gather(self._watch_task, return_exceptions=True)
            self._watch_task = None
        await super().aclose()

    def succeeded(self) -> None:
        super().succeeded()
        self._streak = 0

    async def _known_down(self) -> bool:
        if not self.server.running():
            return True
        await asyncio.sleep(0.3)  # a killed process drops its connections a moment before it can be reaped
        return not self.server.running()

    def close(self, reason: str) -> None:
        if not self.down:
            self._cause, self._failure = self._why(reason), ""
        super().close(self._cause)

    def _why(self, reason: str) -> str:
        status = self.server.exit_status()
        return reason if status == "running" else f"the server process {status}"

    async def _watch(self) -> None:
        misses, last_health = 0, time.monotonic()
        while True:
            await asyncio.sleep(self.check_every)
            if self.down:
                misses, last_health = 0, time.monotonic()
                continue
            if not self.server.running():
                self.close("the server process ended")
                continue
            if time.monotonic() - last_health < self.health_every:
                continue
            last_health = time.monotonic()
            ok, detail = await asyncio.to_thread(probe, health_url(self.base_url), self.health_timeout)
            misses = 0 if ok else misses + 1
            if misses >= self.hung_after and not self.down:
                self.close(f"no answer to /health {misses} times in a row ({detail})")
                misses = 0

    async def _recover(self) -> None:
        while True:
            if self._streak >= self.max_restarts:
                failure = f": {self._failure}" if self._failure else ""
                raise ServerGone(self.base_url, self.down_for(), f"{self._cause}; not back after {self._streak} restart(s){failure}")
            self._streak += 1
            if self._streak > 1:
                await asyncio.sleep(min(2.0 ** (self._streak - 2), 30.0))
            self.on_event("server_restarting", {"url": self.base_url, "attempt": self._streak,
                                                "of": self.max_restarts, "reason": self._cause})  # fmt: skip
            t0 = time.monotonic()
            try:
                await asyncio.to_thread(self.server.restart)
            except ServerError as exc:
                self._failure = str(exc)
                self.on_event("server_restart_failed", {"url": self.base_url, "attempt": self._streak, "reason": str(exc)})
                continue
            seconds = time.monotonic() - t0
            self.restarts += 1
            self.restart_seconds.append(round(seconds, 1))
            self._moved(self.server.base_url)
            self.on_event("server_restarted", {"url": self.base_url, "attempt": self._streak,
                                               "seconds": round(seconds, 1), "pid": self.server.pid})  # fmt: skip
            return

    def report(self) -> dict[str, Any]:
        return {**super().report(), "restarts": self.restarts, "restart_seconds": self.restart_seconds}
