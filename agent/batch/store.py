"""The embedded SQLite store: notices, chunk calls and runs, so a batch can be killed at any moment.

Why: batches of thousands of notices run for hours against slow or flaky servers. The store is what makes
a rerun cheap and safe: a notice's record is committed in one transaction (it is there whole or not at
all), every chunk call is committed as it completes (a kill loses at most the calls in flight), and the
chunk-call table doubles as the cache that keeps a rerun, or an eval on unchanged inputs, from sending any
request twice. WAL mode lets a reader (``xuncha export``, ``xuncha review``) look while a batch writes.
Pure standard library: no network, no LLM layer.

Resume rule: a notice is done when a row with the same source, model and prompt version holds a record
with no chunk errors *and* the same text hash; anything else (missing, failed, partial, changed text) is
redone.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from agent.schema import NoticeRecord, Usage

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  started REAL NOT NULL, finished REAL,
  model TEXT, prompt_version TEXT, argv TEXT,
  total INTEGER DEFAULT 0, done INTEGER DEFAULT 0, failed INTEGER DEFAULT 0, skipped INTEGER DEFAULT 0,
  requests INTEGER DEFAULT 0, prompt_tokens INTEGER DEFAULT 0, completion_tokens INTEGER DEFAULT 0,
  cached_chunks INTEGER DEFAULT 0, interrupted INTEGER DEFAULT 0
);
CREATE TABLE IF NOT EXISTS notices (
  source TEXT NOT NULL,
  model TEXT NOT NULL DEFAULT '',
  prompt_version TEXT NOT NULL DEFAULT '',
  notice_id TEXT,
  text_hash TEXT,
  status TEXT NOT NULL CHECK (status IN ('done', 'partial', 'failed')),
  record TEXT,
  error TEXT,
  started REAL, finished REAL, seconds REAL,
  run_id INTEGER REFERENCES runs(id),
  PRIMARY KEY (source, model, prompt_version)
);
CREATE TABLE IF NOT EXISTS chunk_calls (
  key TEXT PRIMARY KEY,
  model TEXT, prompt_version TEXT, schema_hash TEXT, chunk_kind TEXT,
  answer TEXT,
  usage TEXT,
  attempts INTEGER DEFAULT 0,
  error TEXT,
  created REAL
);
"""

# The corpus as flat tables: SQL views over the records, so they are always in step with them (a notice's
# record is written in one transaction; its rows in these views appear and change with it). Query them with
# `sqlite3 out.db` or datasette; `xuncha export --table NAME --format csv` writes one as CSV.
VIEWS = """
CREATE VIEW IF NOT EXISTS notice_facts AS
SELECT n.source, n.model, n.prompt_version, n.status,
  json_extract(n.record, '$.notice_id') AS notice_id,
  json_extract(n.record, '$.url') AS url,
  json_extract(n.record, '$.title.text') AS title,
  json_extract(n.record, '$.doc_type') AS doc_type,
  json_extract(n.record, '$.issuer.text') AS issuer,
  json_extract(n.record, '$.published') AS published,
  json_extract(n.record, '$.inspection.inspector.text') AS inspector,
  json_extract(n.record, '$.inspection.kind.text') AS inspection_kind,
  json_extract(n.record, '$.inspection.start') AS inspection_start,
  json_extract(n.record, '$.inspection.end') AS inspection_end,
  json_extract(n.record, '$.inspection.feedback_date') AS feedback_date,
  (SELECT group_concat(json_extract(t.value, '$.text'), '、') FROM json_each(n.record, '$.inspection.targets') t) AS targets,
  json_array_length(n.record, '$.problems') AS problems,
  json_array_length(n.record, '$.figures') AS figures,
  json_array_length(n.record, '$.errors') AS chunk_errors
FROM notices n WHERE n.record IS NOT NULL;

CREATE VIEW IF NOT EXISTS problems AS
SELECT n.source, n.model, n.prompt_version, json_extract(n.record, '$.notice_id') AS notice_id,
  json_extract(p.value, '$.id') AS problem_id,
  json_extract(p.value, '$.unit') AS unit,
  json_extract(p.value, '$.category') AS category,
  json_extract(p.value, '$.status') AS status,
  json_extract(p.value, '$.title.text') AS title,
  json_extract(p.value, '$.found_by') AS found_by,
  json_extract(p.value, '$.span[0]') AS span_start,
  json_extract(p.value, '$.span[1]') AS span_end
FROM notices n, json_each(n.record, '$.problems') p WHERE n.record IS NOT NULL;

CREATE VIEW IF NOT EXISTS figures AS
SELECT n.source, n.model, n.prompt_version, json_extract(n.record, '$.notice_id') AS notice_id,
  json_extract(f.value, '$.id') AS figure_id,
  (SELECT json_extract(p.value, '$.id') FROM json_each(n.record, '$.problems') p, json_each(p.value, '$.figure_ids') x
   WHERE x.value = json_extract(f.value, '$.id')) AS problem_id,
  json_extract(f.value, '$.kind') AS kind,
  json_extract(f.value, '$.value') AS value,
  json_extract(f.value, '$.unit') AS unit,
  json_extract(f.value, '$.approx') AS approx,
  json_extract(f.value, '$.role') AS role,
  json_extract(f.value, '$.text') AS text,
  json_extract(f.value, '$.iso') AS iso,
  json_extract(f.value, '$.iso_end') AS iso_end,
  json_extract(f.value, '$.span[0]') AS span_start,
  json_extract(f.value, '$.span[1]') AS span_end
FROM notices n, json_each(n.record, '$.figures') f WHERE n.record IS NOT NULL;

CREATE VIEW IF NOT EXISTS checks AS
SELECT n.source, n.model, n.prompt_version, json_extract(n.record, '$.notice_id') AS notice_id,
  json_extract(c.value, '$.code') AS code,
  json_extract(c.value, '$.severity') AS severity,
  json_extract(c.value, '$.message') AS message
FROM notices n, json_each(n.record, '$.checks') c WHERE n.record IS NOT NULL;
"""
TABLES = ("notice_facts", "problems", "figures", "checks")  # the flat views, for export and the report


SECRET_FLAGS = ("--api-key", "--token", "--password", "--secret")


def redact_argv(argv: list[str]) -> list[str]:
    """The command line as stored in ``runs``: the value of any secret-bearing flag replaced by ``***``."""
    out: list[str] = []
    hide_next = False
    for arg in argv:
        if hide_next:
            out.append("***")
            hide_next = False
        elif arg in SECRET_FLAGS:
            out.append(arg)
            hide_next = True
        elif arg.startswith(tuple(f + "=" for f in SECRET_FLAGS)):
            out.append(arg.split("=", 1)[0] + "=***")
        else:
            out.append(arg)
    return out


def default_db(out: Path) -> Path:
    """``out/samples.jsonl`` -> ``out/samples.db``: one store per output file, side by side."""
    return Path(out).with_suffix(".db")


class Store:
    """One SQLite file; every write commits at once (a notice's record in a single transaction)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA busy_timeout=30000")
        self.db.executescript(SCHEMA)
        self.db.executescript(VIEWS)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- runs ---------------------------------------------------------------------------------------

    def start_run(self, model: str | None, prompt_version: str | None, argv: list[str], total: int) -> int:
        cur = self.db.execute(
            "INSERT INTO runs (started, model, prompt_version, argv, total) VALUES (?, ?, ?, ?, ?)",
            (time.time(), model, prompt_version, json.dumps(redact_argv(argv), ensure_ascii=False), total),
        )
        return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, interrupted: bool = False, **counts: int) -> None:
        cols = ", ".join(f"{k} = ?" for k in counts)
        sets = f"finished = ?, interrupted = ?{', ' + cols if cols else ''}"
        self.db.execute(f"UPDATE runs SET {sets} WHERE id = ?", (time.time(), int(interrupted), *counts.values(), run_id))

    def runs(self) -> list[dict[str, Any]]:
        cur = self.db.execute("SELECT * FROM runs ORDER BY id")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    # --- notices ------------------------------------------------------------------------------------

    def is_done(self, source: str, text_hash: str, model: str | None, prompt_version: str | None) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM notices WHERE source = ? AND model = ? AND prompt_version = ? AND status = 'done' AND text_hash = ?",
            (source, model or "", prompt_version or "", text_hash),
        ).fetchone()
        return row is not None

    def done_sources(self, model: str | None, prompt_version: str | None) -> dict[str, str]:
        """source -> text hash of every finished notice for this model and prompt version."""
        rows = self.db.execute(
            "SELECT source, text_hash FROM notices WHERE model = ? AND prompt_version = ? AND status = 'done'",
            (model or "", prompt_version or ""),
        )
        return {s: h for s, h in rows}

    def put_record(self, rec: NoticeRecord, run_id: int | None, started: float) -> str:
        status = "partial" if rec.errors else "done"
        error = "; ".join(f"{e.chunk_id}: {e.kind}" for e in rec.errors) or None
        now = time.time()
        self.db.execute(
            "INSERT OR REPLACE INTO notices (source, model, prompt_version, notice_id, text_hash, status, record, error,"
            " started, finished, seconds, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (rec.source, rec.model or "", rec.prompt_version or "", rec.notice_id, rec.notice_id, status,
             rec.model_dump_json(), error, started, now, round(now - started, 3), run_id),
        )
        return status

    def put_failure(self, source: str, reason: str, model: str | None, prompt_version: str | None, run_id: int | None) -> None:
        now = time.time()
        self.db.execute(
            "INSERT OR REPLACE INTO notices (source, model, prompt_version, status, error, started, finished, run_id)"
            " VALUES (?, ?, ?, 'failed', ?, ?, ?, ?)",
            (source, model or "", prompt_version or "", reason, now, now, run_id),
        )

    def records(self, status: tuple[str, ...] = ("done", "partial")) -> Iterator[NoticeRecord]:
        """One record per notice, in source order: the one finished last when runs with other models or none
        (``--ask``, ``--no-llm``) left several (the store keeps them all, one per model and prompt version)."""
        marks = ",".join("?" * len(status))
        cur = self.db.execute(
            "SELECT record FROM (SELECT record, source, ROW_NUMBER() OVER (PARTITION BY source ORDER BY finished DESC,"
            f" model DESC) AS nth FROM notices WHERE status IN ({marks}) AND record IS NOT NULL) WHERE nth = 1 ORDER BY source",
            status,
        )
        for (raw,) in cur:
            yield NoticeRecord.model_validate_json(raw)

    def record(self, source: str, model: str | None, prompt_version: str | None) -> NoticeRecord | None:
        row = self.db.execute(
            "SELECT record FROM notices WHERE source = ? AND model = ? AND prompt_version = ? AND record IS NOT NULL",
            (source, model or "", prompt_version or ""),
        ).fetchone()
        return None if row is None else NoticeRecord.model_validate_json(row[0])

    def table(self, name: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """One flat view (``TABLES``): its column names and rows."""
        if name not in TABLES:
            raise ValueError(f"no table {name!r}: one of {', '.join(TABLES)}")
        cur = self.db.execute(f"SELECT * FROM {name}")
        return [d[0] for d in cur.description], cur.fetchall()

    def failures(self) -> list[tuple[str, str]]:
        return list(self.db.execute("SELECT source, error FROM notices WHERE status = 'failed' ORDER BY source"))

    # --- chunk calls (the cache) --------------------------------------------------------------------

    def get_answer(self, key: str) -> tuple[str, Usage] | None:
        row = self.db.execute("SELECT answer, usage FROM chunk_calls WHERE key = ? AND answer IS NOT NULL", (key,)).fetchone()
        if row is None:
            return None
        return row[0], Usage.model_validate_json(row[1]) if row[1] else Usage()

    def put_call(self, key: str, *, model: str, prompt_version: str, schema_hash: str, chunk_kind: str,
                 answer: str | None, usage: Usage, attempts: int, error: str | None) -> None:
        """A success replaces anything; a failure never overwrites a stored success."""
        if answer is None and self.get_answer(key) is not None:
            return
        self.db.execute(
            "INSERT OR REPLACE INTO chunk_calls (key, model, prompt_version, schema_hash, chunk_kind, answer, usage,"
            " attempts, error, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (key, model, prompt_version, schema_hash, chunk_kind, answer, usage.model_dump_json(), attempts, error, time.time()),
        )

    def call_counts(self) -> dict[str, int]:
        ok, failed = self.db.execute(
            "SELECT COALESCE(SUM(answer IS NOT NULL), 0), COALESCE(SUM(answer IS NULL), 0) FROM chunk_calls"
        ).fetchone()
        return {"ok": int(ok), "failed": int(failed)}
