"""A batch of 200 notices killed halfway and rerun: 200 records, none twice, none lost, no request sent twice.

The model answers come from ``tests/replay_server.py``: a real HTTP server on 127.0.0.1 serving the
cassettes recorded from the embedded llama.cpp server. The batch runs as a real ``xuncha`` subprocess that
is killed with SIGKILL (no chance to clean up) once part of the batch is in the store.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from agent.schema import NoticeRecord
from tests.conftest import EMBEDDED_MODEL, NOTICES, PROBLEMS, SAMPLE_REQUESTS, SAMPLES
from tests.replay_server import ReplayServer

COPIES = 40


def batch_dir(tmp_path: Path) -> Path:
    d = tmp_path / "notices"
    d.mkdir()
    for i in range(COPIES):
        for stem in SAMPLES:
            shutil.copy(NOTICES / f"{stem}.txt", d / f"{i:03d}-{stem}.txt")
    return d


def done_count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as con:
            return int(con.execute("SELECT COUNT(*) FROM notices WHERE status = 'done'").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def xuncha(*args: str) -> list[str]:
    return [sys.executable, "-c", "from agent.cli.main import app; app()", *args]


@pytest.mark.slow
def test_kill_halfway_and_rerun(tmp_path: Path) -> None:
    src = batch_dir(tmp_path)
    out, db = tmp_path / "out" / "batch.jsonl", tmp_path / "out" / "batch.db"
    env = {**os.environ, "XUNCHA_QUIET": "", "COLUMNS": "120"}
    with ReplayServer(delay=0.05) as server:
        args = xuncha("structure", str(src), "-o", str(out), "--base-url", server.base_url, "--model", EMBEDDED_MODEL)
        first = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while done_count(db) < 60 and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert first.poll() is None, "the first run ended before it could be killed: " + first.stderr.read().decode()[-2000:]
        first.send_signal(signal.SIGKILL)
        first.wait()
        killed_at = done_count(db)
        assert 60 <= killed_at < 200

        second = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
        assert second.returncode == 0, second.stderr[-3000:]
        assert server.misses == 0, "every request was one the real server answered when recording"
        sent = sum(server.hits.values())

    lines = out.read_text(encoding="utf-8").splitlines()
    recs = [NoticeRecord.model_validate_json(x) for x in lines]
    assert len(recs) == 200 and len({r.source for r in recs}) == 200, "none duplicated, none lost"
    for r in recs:
        assert r.errors == []
        assert len(r.problems) == PROBLEMS[Path(r.source).stem.split("-", 1)[1]]
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT status, COUNT(*) FROM notices GROUP BY status").fetchall() == [("done", 200)]
        runs = con.execute("SELECT done, skipped, interrupted, finished IS NULL FROM runs ORDER BY id").fetchall()
    assert runs[1] == (200 - killed_at, killed_at, 0, 0), runs
    # SAMPLE_REQUESTS distinct chunk requests make up the five notices; the cache and in-flight sharing send each once,
    # except the few that were in flight (at most --concurrency) when the first run was killed
    assert sum(server.hits[k] > 0 for k in server.hits) == SAMPLE_REQUESTS
    assert sent <= SAMPLE_REQUESTS + 2, Counter(server.hits.values())
    summary = second.stderr
    assert "structured" in summary and "skipped" in summary


def test_log_json_and_export(tmp_path: Path) -> None:
    """--log-json gives one event per notice and a summary; export writes JSONL and CSV from the store."""
    from typer.testing import CliRunner

    from agent.cli.main import app

    out = tmp_path / "o.jsonl"
    with ReplayServer() as server:
        res = subprocess.run(
            xuncha("structure", str(NOTICES), "-o", str(out), "--base-url", server.base_url, "--model", EMBEDDED_MODEL, "--log-json"),
            capture_output=True, text=True, timeout=120, env={**os.environ, "XUNCHA_QUIET": ""},
        )
    assert res.returncode == 0, res.stderr[-2000:]
    events = [json.loads(line) for line in res.stderr.splitlines() if line.startswith("{")]
    assert [e["event"] for e in events].count("done") == 5
    assert events[-1]["event"] == "summary" and events[-1]["done"] == 5 and events[-1]["requests"] == SAMPLE_REQUESTS
    runner = CliRunner()
    csv_out = tmp_path / "o.csv"
    r = runner.invoke(app, ["export", "--db", str(tmp_path / "o.db"), "--format", "csv", "-o", str(csv_out)])
    assert r.exit_code == 0, r.output
    with csv_out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == sum(PROBLEMS.values()), "one row per problem"
    assert all(r["notice_id"] and r["source"] and r["doc_type"] and r["problem"] and r["status"] for r in rows), "notice fields on every row"
    assert any("元" in r["figures"] for r in rows)
    r = runner.invoke(app, ["export", "--db", str(tmp_path / "o.db"), "--format", "jsonl", "-o", str(tmp_path / "e.jsonl")])
    assert r.exit_code == 0
    assert len((tmp_path / "e.jsonl").read_text(encoding="utf-8").splitlines()) == 5
    assert runner.invoke(app, ["export", "--db", str(tmp_path / "missing.db")]).exit_code == 2


def test_rerun_sends_only_the_chunks_that_failed(tmp_path: Path) -> None:
    """Chunks refused by the server land as errors on a partial record; the rerun asks for exactly those."""
    from typer.testing import CliRunner

    from agent.cli.main import app

    out = tmp_path / "o.jsonl"
    args = ["structure", str(NOTICES / "xiaodian-town-rectification.txt"), "-o", str(out), "--model", EMBEDDED_MODEL]
    runner = CliRunner()

    def fault(body: str) -> int | None:  # refuse the chunk that asks about P4 (of the two the model is asked)
        user = json.loads(body)["messages"][-1]["content"]
        return 400 if "[P4]" in user else None

    with ReplayServer(fault=fault) as flaky:
        first = runner.invoke(app, [*args, "--base-url", flaky.base_url])
        failed = flaky.faulted
    assert first.exit_code == 1 and failed == 1, first.output
    rec = NoticeRecord.model_validate_json(out.read_text(encoding="utf-8"))
    assert [e.kind for e in rec.errors] == ["http_400"] and len(rec.problems) == PROBLEMS["xiaodian-town-rectification"], (
        "the notice still lands"
    )
    with ReplayServer() as good:
        second = runner.invoke(app, [*args, "--base-url", good.base_url])
        resent = sum(good.hits.values())
    assert second.exit_code == 0, second.output
    assert resent == failed, "only the failed chunks were asked again"
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and NoticeRecord.model_validate_json(lines[0]).errors == []
