"""What a person (or a script) sees while a batch runs: a progress bar, JSON log lines, a closing summary.

Why: a batch of thousands of notices on a slow server runs for hours; the person who started it wants to
know how far it is, how fast it goes, what failed and why, without reading the store. Scripts want the
same facts as one JSON object per line, or silence. The runner only emits events; this draws them.

With ``--log-json`` every line on stderr must parse as JSON, yet the client libraries (openai, httpx,
instructor, …) log through ``logging``, whose last-resort handler prints plain text on stderr.
:meth:`Reporter.capture_logs` routes their records (WARNING and up) through the same stream as ``log``
events, or as dim lines above the bar. instructor's retry logger is left out: ``agent.llm.extract`` runs that
loop and reports every failed attempt itself, as a chunk error or an outage event.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import time
from collections.abc import Iterator
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from agent.batch.runner import Stats
from agent.output import lines

SILENCED = ("instructor.v2.retry",)  # "API call failed on attempt N", "Max retries exceeded": ours to report


class _Records(logging.Handler):
    """Library log records → Reporter events (one line each, never a traceback)."""

    def __init__(self, reporter: Reporter) -> None:
        super().__init__(logging.WARNING)
        self.reporter = reporter

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(SILENCED):
            return
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string in a library must not break the batch
            message = str(record.msg)
        self.reporter.event("log", {"level": record.levelname.lower(), "logger": record.name,
                                    "message": " ".join(message.split())[:1000]})  # fmt: skip


class Reporter:
    """Turns runner events into a rich progress bar (``show``), JSON log lines (``log_json``) or nothing."""

    def __init__(self, console: Console, *, show: bool, log_json: bool = False, stream: TextIO | None = None,
                 notes: bool = True) -> None:
        """``notes``: print what happens to the model server (down, restarted, back) as lines; off with --quiet."""
        self.console, self.show, self.log_json, self.notes = console, show, log_json, notes
        self._server = ""  # what the bar says about the server while it is down
        self.stream = stream or sys.stderr
        self.stats: Stats | None = None
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        self._last = 0.0

    def __enter__(self) -> Reporter:
        if self.show:
            self._bar = Progress(
                TextColumn("notices"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[detail]}"),
                TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), console=self.console, transient=False,
            )
            self._bar.__enter__()
            self._task = self._bar.add_task("notices", total=None, detail="")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._refresh(force=True)
            self._bar.__exit__(None, None, None)

    def attach(self, stats: Stats) -> None:
        self.stats = stats

    @contextlib.contextmanager
    def capture_logs(self, *filters: logging.Filter) -> Iterator[None]:
        """While inside, library log records become events (``filters``, e.g. redaction, apply first)."""
        handler = _Records(self)
        for f in filters:
            handler.addFilter(f)
        root = logging.getLogger()
        root.addHandler(handler)
        logging.captureWarnings(True)
        try:
            yield
        finally:
            logging.captureWarnings(False)
            root.removeHandler(handler)

    def event(self, kind: str, data: dict[str, Any]) -> None:
        if self.log_json and kind not in ("chunk_started", "chunk_finished"):
            self.stream.write(json.dumps({"ts": round(time.time(), 3), "event": kind, **data}, ensure_ascii=False) + "\n")
            self.stream.flush()
        if kind == "failed" and not self.log_json:
            lines.labelled(self.console, "error", "red", f"{data['source']}: {data['reason']}")
        elif kind == "partial" and not self.log_json:
            for e in data.get("errors", []):
                lines.labelled(self.console, "warning", "yellow", f"{data['source']}: chunk {e['chunk_id']} failed ({e['kind']}): {e['message']}")
        elif kind.startswith("server_") or kind == "log":
            self._server_event(kind, data)
        self._refresh(force=kind not in ("chunk_started", "chunk_finished"))

    def _server_event(self, kind: str, data: dict[str, Any]) -> None:
        """The model server's ups and downs: a note on the bar, and (not in JSON mode) a line each."""
        url, reason = escape(str(data.get("url", ""))), escape(str(data.get("reason", "")))
        self._server = {"server_down": "server down", "server_restarting": "server restarting",
                        "server_up": "", "server_restarted": ""}.get(kind, self._server)  # fmt: skip
        if kind == "server_probe" and not data.get("ok"):
            self._server = f"server down {data.get('down_seconds', 0):.0f} s"
        line = {
            "server_down": f"[yellow]warning:[/yellow] the model server at {url} stopped answering ({reason}):"
                           " holding requests until it is back",
            "server_restarting": f"restarting the model server (attempt {data.get('attempt')} of {data.get('of')}) …",
            "server_restart_failed": f"[yellow]warning:[/yellow] restart {data.get('attempt')} failed: {reason}",
            "server_restarted": f"model server restarted in {data.get('seconds')} s (pid {data.get('pid')})",
            "server_up": f"the model server at {url} is back after {data.get('down_seconds')} s; resuming",
            "log": f"[dim]{data.get('logger')}: {escape(str(data.get('message')))}[/dim]",
        }.get(kind)  # fmt: skip
        if line and self.notes and not self.log_json:
            self.console.print(line, highlight=False, soft_wrap=True)

    def _refresh(self, force: bool = False) -> None:
        if self._bar is None or self._task is None or self.stats is None:
            return
        now = time.monotonic()
        if not force and now - self._last < 0.2:
            return
        self._last = now
        s = self.stats
        detail = (f"done {s.done} · failed {s.failed + s.partial} · skipped {s.skipped} · in flight {s.in_flight}"
                  f" · {s.tokens_per_second():.0f} tok/s" + (f" · [yellow]{self._server}[/yellow]" if self._server else ""))
        self._bar.update(self._task, total=s.total, completed=s.finished, detail=detail)


def summary_table(stats: Stats, out: str, db: str) -> Table:
    t = Table(title=Text(f"xuncha structure → {out} ({db})"), show_header=True)
    t.add_column("")
    t.add_column("", justify="right")
    rows = [
        ("structured", stats.done), ("partial (chunk errors)", stats.partial), ("failed", stats.failed),
        ("skipped (already done)", stats.skipped), ("chunks from cache", stats.cached_chunks),
        ("requests", stats.requests), ("prompt + completion tokens", f"{stats.prompt_tokens:,} + {stats.completion_tokens:,}"),
        ("wall time", f"{stats.elapsed:.1f} s"),
    ]
    srv = stats.server
    if srv.get("outages"):
        rows.append(("model server down", f"{srv['outages']}× for {srv['down_seconds']:.1f} s"))
    if srv.get("restarts"):
        rows.append(("model server restarts", f"{srv['restarts']} ({', '.join(f'{x:.1f}' for x in srv['restart_seconds'])} s)"))
    for k, v in rows:
        t.add_row(k, str(v))
    for source, reason in stats.failures[:20]:
        t.add_row(Text(source, style="red"), Text(reason[:120]))
    if len(stats.failures) > 20:
        t.add_row("…", f"{len(stats.failures) - 20} more failures in the store")
    return t


def summary_json(stats: Stats) -> dict[str, Any]:
    return {
        "event": "summary", "total": stats.total, "done": stats.done, "partial": stats.partial, "failed": stats.failed,
        "skipped": stats.skipped, "cached_chunks": stats.cached_chunks, "requests": stats.requests,
        "prompt_tokens": stats.prompt_tokens, "completion_tokens": stats.completion_tokens,
        "seconds": round(stats.elapsed, 3), "failures": [{"source": s, "reason": r} for s, r in stats.failures],
        **({"server": stats.server} if stats.server else {}),
    }
