"""When the model server stops answering: hold the requests, wait it out or bring it back, or end the batch.

Why a module of its own: a batch of thousands of notices runs for hours against one server. Left to
themselves, the chunks sent while it is down each walk their own retry ladder against a dead port, fail,
and their notices land partial: one crash turns the rest of an overnight batch into partial records and a
retry storm. A :class:`Gate` stands in front of every request (``agent.llm.extract`` asks it before each one):

- it counts consecutive connection failures across all chunks; at ``breaker_threshold`` (or at once when
  the embedded server's process is known to be gone) it closes: new requests wait in :meth:`Gate.ready`,
  and a request that failed because of the outage is sent again once the server is back, without spending
  its chunk's network retries (those stay for ordinary faults, in tenacity);
- one recovery task brings the server back: :class:`Breaker` probes an external server's health with
  backoff (never more than one probe every ``probe_interval`` seconds) for up to ``server_wait`` seconds;
  ``agent.llm.supervisor`` restarts the embedded server it owns;
- if it cannot, every waiter gets :class:`ServerGone`, and the runner ends the batch, leaving the notices
  not yet finished to the rerun.

Each change of state is an event (``server_down``, ``server_probe``, ``server_up``, …) for the progress
bar and ``--log-json``. Stdlib only: the runner (core) catches ServerGone without importing the LLM layer.
"""

from __future__ import annotations

import asyncio
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

Event = Callable[[str, dict[str, Any]], None]
PROBE_TIMEOUT = 5.0  # seconds: a health check that takes longer counts as no answer


def _quiet(kind: str, data: dict[str, Any]) -> None:
    pass


class ServerGone(Exception):
    """The model server is down and is not coming back within the limits: stop the batch, keep the store."""

    def __init__(self, url: str, down_seconds: float, reason: str) -> None:
        super().__init__(f"the model server at {url} is down ({reason})")
        self.url, self.down_seconds, self.reason = url, down_seconds, reason


class Outage(Exception):
    """A request could not reach the server because it is (or was, while the request was out) down."""


def health_url(base_url: str) -> str:
    """``/health`` beside the API root: llama.cpp, vLLM and SGLang serve it (``…/v1`` → ``…/health``)."""
    root = base_url.rstrip("/")
    return f"{root.removesuffix('/v1')}/health"


def probe(url: str, timeout: float = PROBE_TIMEOUT) -> tuple[bool, str]:
    """Does a server answer at ``url``? Any HTTP status below 500 counts (a 404 or 401 is a server that is
    up without a health route); 5xx (llama.cpp's 503 while loading, a proxy's 502) and no answer do not."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return True, f"HTTP {r.status}"
    except urllib.error.HTTPError as e:
        return e.code < 500, f"HTTP {e.code}"
    except (urllib.error.URLError, OSError, ValueError) as e:
        reason = getattr(e, "reason", e)
        return False, f"{type(reason).__name__}: {reason}" if str(reason) else type(reason).__name__


class Gate:
    """The state shared by all requests to one server: up, or down and being recovered, or gone.

    Subclasses say how to recover (:meth:`_recover`: return when the server answers again, raise
    ServerGone when giving up) and may know sooner that it is down (:meth:`_known_down`).
    """

    def __init__(self, base_url: str, threshold: int, on_event: Event | None = None) -> None:
        self.base_url = base_url
        self.threshold = max(1, threshold)
        self.on_event: Event = on_event or _quiet
        self.epoch = 0  # +1 each time the server comes back: a request sent before then failed because of it
        self.outages = 0
        self.down_seconds = 0.0  # over the outages that ended
        self._fails = 0
        self._since: float | None = None  # monotonic time the current outage began
        self._gone: ServerGone | None = None
        self._up = asyncio.Event()
        self._up.set()
        self._recovery: asyncio.Task[None] | None = None
        self._listeners: list[Callable[[str], None]] = []

    def start(self) -> Gate:
        """Begin watching (in the event loop); a Breaker only acts when requests fail."""
        return self

    @property
    def down(self) -> bool:
        return self._since is not None or self._gone is not None

    def follow(self, on_url: Callable[[str], None]) -> None:
        """Call ``on_url`` with the new base URL if the server comes back elsewhere (another port)."""
        self._listeners.append(on_url)

    def _moved(self, url: str) -> None:
        if url != self.base_url:
            self.base_url = url
            for f in self._listeners:
                f(url)

    def down_for(self) -> float:
        return time.monotonic() - self._since if self._since is not None else 0.0

    async def ready(self) -> int:
        """Wait while the server is down; return the epoch to pass to :meth:`failed`. Raises ServerGone."""
        while self._gone is None and self._since is not None:
            await self._up.wait()
        if self._gone is not None:
            g = self._gone
            raise ServerGone(g.url, g.down_seconds, g.reason)
        return self.epoch

    def succeeded(self) -> None:
        """The server answered a request (any HTTP status): the connection-failure streak is over."""
        self._fails = 0

    async def failed(self, epoch: int, reason: str) -> bool:
        """A request sent at ``epoch`` could not connect. True: it failed because of an outage (send it again
        once the server is back, free of charge); False: an ordinary fault, for the chunk's own retries."""
        if self.down or epoch != self.epoch:
            return True
        self._fails += 1
        if self._fails < self.threshold and not await self._known_down():
            return False
        if not self.down:  # another request may have closed the gate while we looked
            self.close(reason)
        return True

    async def _known_down(self) -> bool:
        return False

    def close(self, reason: str) -> None:
        """The server is down: hold every request and start bringing it back."""
        if self.down:
            return
        self._since = time.monotonic()
        self.outages += 1
        self._up.clear()
        self.on_event("server_down", {"url": self.base_url, "reason": reason, "failures": self._fails})
        self._recovery = asyncio.get_running_loop().create_task(self._recover_then_open())

    async def _recover_then_open(self) -> None:
        try:
            await self._recover()
        except ServerGone as exc:
            self._gone = exc
        except Exception as exc:  # noqa: BLE001 - a bug while recovering must not leave every request waiting
            self._gone = ServerGone(self.base_url, self.down_for(), f"recovery failed: {type(exc).__name__}: {exc}")
        else:
            down = self.down_for()
            self.down_seconds += down
            self.epoch += 1
            self._fails = 0
            self._since = None
            self.on_event("server_up", {"url": self.base_url, "down_seconds": round(down, 1)})
        finally:
            if self._since is not None and self._gone is None:  # cancelled: nobody may wait for ever
                self._gone = ServerGone(self.base_url, self.down_for(), "the batch stopped while it was down")
            self._up.set()

    async def _recover(self) -> None:
        raise NotImplementedError

    async def aclose(self) -> None:
        """End of the batch: stop recovering; anything still waiting gets ServerGone."""
        if self._recovery is not None and not self._recovery.done():
            self._recovery.cancel()
            await asyncio.gather(self._recovery, return_exceptions=True)

    def report(self) -> dict[str, Any]:
        """For the summary: how often and how long the server was down."""
        return {"url": self.base_url, "outages": self.outages, "down_seconds": round(self.down_seconds + self.down_for(), 1)}


class Breaker(Gate):
    """An external (``--base-url``) server: when it stops answering, probe its health and wait it out."""

    def __init__(self, base_url: str, threshold: int, wait: float, interval: float, on_event: Event | None = None) -> None:
        super().__init__(base_url, threshold, on_event)
        self.wait, self.interval = wait, interval
        self.probes = 0

    async def _recover(self) -> None:
        delay = self.interval
        while True:
            left = self.wait - self.down_for()
            if left <= 0:
                raise ServerGone(self.base_url, self.down_for(), f"{self.probes} health checks unanswered, --server-wait {self.wait:g} s")
            await asyncio.sleep(min(delay, left))
            self.probes += 1
            ok, detail = await asyncio.to_thread(probe, health_url(self.base_url), min(PROBE_TIMEOUT, max(1.0, self.interval * 5)))
            self.on_event("server_probe", {"url": self.base_url, "ok": ok, "detail": detail, "down_seconds": round(self.down_for(), 1)})
            if ok:
                return
            delay = min(delay * 2, self.interval * 5)

    def report(self) -> dict[str, Any]:
        return {**super().report(), "probes": self.probes}
