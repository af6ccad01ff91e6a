"""What a person (or a script) sees while a batch runs: a progress bar, JSON log lines, a closing summary.

Why: a batch of thousands of notices on a slow server runs for hours; the person who started it wants to
know how far it is, how fast it goes, what failed and why, without reading the store. Scripts want the
same facts as one JSON object per line, or silence. The runner only emits events; this draws them.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any, TextIO

from rich.console import Console
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

from agent.runner import Stats


class Reporter:
    """Turns runner events into a rich progress bar (``show``), JSON log lines (``log_json``) or nothing."""

    def __init__(self, console: Console, *, show: bool, log_json: bool = False, stream: TextIO | None = None) -> None:
        self.console, self.show, self.log_json = console, show, log_json
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

    def event(self, kind: str, data: dict[str, Any]) -> None:
        if self.log_json and kind not in ("chunk_started", "chunk_finished"):
            self.stream.write(json.dumps({"ts": round(time.time(), 3), "event": kind, **data}, ensure_ascii=False) + "\n")
            self.stream.flush()
        if kind == "failed" and not self.log_json:
            self.console.print(f"[red]error:[/red] {data['source']}: {data['reason']}", highlight=False)
        elif kind == "partial" and not self.log_json:
            for e in data.get("errors", []):
                self.console.print(f"[yellow]warning:[/yellow] {data['source']}: chunk {e['chunk_id']} failed ({e['kind']}): {e['message']}", highlight=False)
        self._refresh(force=kind not in ("chunk_started", "chunk_finished"))

    def _refresh(self, force: bool = False) -> None:
        if self._bar is None or self._task is None or self.stats is None:
            return
        now = time.monotonic()
        if not force and now - self._last < 0.2:
            return
        self._last = now
        s = self.stats
        detail = (f"done {s.done} · failed {s.failed + s.partial} · skipped {s.skipped} · in flight {s.in_flight}"
                  f" · {s.tokens_per_second():.0f} tok/s")
        self._bar.update(self._task, total=s.total, completed=s.finished, detail=detail)


def summary_table(stats: Stats, out: str, db: str) -> Table:
    t = Table(title=f"xuncha structure → {out} ({db})", show_header=True)
    t.add_column("")
    t.add_column("", justify="right")
    rows = [
        ("structured", stats.done), ("partial (chunk errors)", stats.partial), ("failed", stats.failed),
        ("skipped (already done)", stats.skipped), ("chunks from cache", stats.cached_chunks),
        ("requests", stats.requests), ("prompt + completion tokens", f"{stats.prompt_tokens:,} + {stats.completion_tokens:,}"),
        ("wall time", f"{stats.elapsed:.1f} s"),
    ]
    for k, v in rows:
        t.add_row(k, str(v))
    for source, reason in stats.failures[:20]:
        t.add_row(f"[red]{source}[/red]", reason[:120])
    if len(stats.failures) > 20:
        t.add_row("…", f"{len(stats.failures) - 20} more failures in the store")
    return t


def summary_json(stats: Stats) -> dict[str, Any]:
    return {
        "event": "summary", "total": stats.total, "done": stats.done, "partial": stats.partial, "failed": stats.failed,
        "skipped": stats.skipped, "cached_chunks": stats.cached_chunks, "requests": stats.requests,
        "prompt_tokens": stats.prompt_tokens, "completion_tokens": stats.completion_tokens,
        "seconds": round(stats.elapsed, 3), "failures": [{"source": s, "reason": r} for s, r in stats.failures],
    }
