"""An external (``--base-url``) model server that dies mid-batch: wait it out, or end the batch in one line.

Why: a batch of thousands of notices must survive its server going away for a while, must not hammer a
dead port meanwhile, and must end promptly and resumably when the server does not come back. Each test
runs a real ``xuncha structure`` process against ``tests/replay_server.py`` running as a child process
(``ReplayChild``) that is SIGKILLed mid-batch and, where it says so, started again on the same port. The
child answers with ``--fill`` (a placeholder for a request it has no recording of), so these tests of the
transport do not depend on the cassettes matching today's prompts. Probes are made fast with
``XUNCHA_PROBE_INTERVAL`` except in the slow test, which keeps the product defaults and a 60 s outage.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EMBEDDED_MODEL, NOTICES, records_by_source
from tests.replay_server import ReplayChild
from tests.test_batch_resume import done_count, xuncha

SAMPLES = len(list(NOTICES.glob("*.txt")))
FAST = {"XUNCHA_PROBE_INTERVAL": "0.5"}  # probes 0.5, 1, 2, 2.5, 2.5 … s apart
THRESHOLD = 3  # Settings.breaker_threshold: connection failures in a row before the breaker opens
DELAY = 0.1  # seconds per answer: the five samples take a few seconds, long enough to kill the server midway


def env(**extra: str) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith(("XUNCHA_", "OPENAI_"))}
    return {**e, "XUNCHA_QUIET": "", "COLUMNS": "200", **extra}


def start(out: Path, server: ReplayChild, *args: str, environ: dict[str, str]) -> subprocess.Popen[str]:
    cmd = xuncha("structure", str(NOTICES), "-o", str(out), "--base-url", server.base_url, "--model", EMBEDDED_MODEL, "--ask",
                 "category", *args)
    return subprocess.Popen(cmd, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def wait_until(cond: Callable[[], bool], proc: subprocess.Popen[str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert proc.poll() is None, "xuncha ended too early: " + (proc.stderr.read() if proc.stderr else "")[-3000:]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def json_lines(stderr: str) -> list[dict[str, Any]]:
    """Every line of stderr, parsed: a line that is not JSON fails the test, naming it."""
    events = []
    for line in stderr.splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            pytest.fail(f"a --log-json stderr line is not JSON: {line!r}")
    return events


def answered_calls(db: Path) -> int:
    """Distinct chunk calls the store holds an answer for: the requests a run without faults sends."""
    with sqlite3.connect(db) as con:
        return int(con.execute("SELECT COUNT(*) FROM chunk_calls WHERE answer IS NOT NULL").fetchone()[0])


def statuses(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as con:
        return dict(con.execute("SELECT status, COUNT(*) FROM notices GROUP BY status").fetchall())


def outage_run(tmp_path: Path, down: float, environ: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], float]:
    """A --log-json batch whose server is killed once a notice is done and started again ``down`` s later."""
    out = tmp_path / "o.jsonl"
    with ReplayChild(delay=DELAY) as server:
        proc = start(out, server, "--log-json", "--server-wait", "120", environ=environ)
        wait_until(lambda: done_count(tmp_path / "o.db") >= 1, proc)
        server.kill()
        killed = time.monotonic()
        time.sleep(down)
        server.start()
        really_down = time.monotonic() - killed
        _, stderr = proc.communicate(timeout=300)
    return subprocess.CompletedProcess(proc.args, proc.returncode, "", stderr), really_down


def check_resumed(tmp_path: Path, res: subprocess.CompletedProcess[str], down: float, interval: float) -> dict[str, Any]:
    assert res.returncode == 0, res.stderr[-3000:]
    events = json_lines(res.stderr)  # every stderr line is JSON, faults included
    kinds = [e["event"] for e in events]
    assert kinds.count("done") == SAMPLES and "partial" not in kinds and "failed" not in kinds
    assert kinds.count("server_down") == 1 and kinds.count("server_up") == 1
    assert kinds[-1] == "summary"
    summary = events[-1]
    assert summary["done"] == SAMPLES and summary["partial"] == 0
    recs = records_by_source(tmp_path / "o.jsonl")
    assert len(recs) == SAMPLES and all(r.errors == [] for r in recs.values())
    assert statuses(tmp_path / "o.db") == {"done": SAMPLES}
    # no retry storm: past the requests that found it gone, nothing but probes, at most one per interval
    wasted = summary["requests"] - answered_calls(tmp_path / "o.db")
    assert 1 <= wasted <= THRESHOLD + 2, wasted  # + the two that were in flight at the kill
    probes = [e for e in events if e["event"] == "server_probe"]
    gaps = [b["ts"] - a["ts"] for a, b in zip(probes, probes[1:], strict=False)]
    assert probes and all(g >= interval * 0.9 for g in gaps), gaps
    assert len(probes) <= down / interval + 2
    assert probes[-1]["ok"] and not any(p["ok"] for p in probes[:-1])
    up = next(e for e in events if e["event"] == "server_up")
    assert up["down_seconds"] <= down + 5 * interval + 3  # back within one (longest) probe gap of its return
    assert summary["server"]["outages"] == 1 and summary["server"]["probes"] == len(probes)
    return {"wasted": wasted, "probes": len(probes), "down_seconds": up["down_seconds"], "seconds": summary["seconds"]}


def test_server_down_for_a_while_then_back_the_batch_finishes(tmp_path: Path) -> None:
    res, down = outage_run(tmp_path, 3.0, env(**FAST))
    numbers = check_resumed(tmp_path, res, down, 0.5)
    print(f"\ndown {down:.1f} s: {numbers}")


@pytest.mark.slow
def test_server_down_60_s_with_the_default_timings(tmp_path: Path) -> None:
    """The issue's case with the product's own defaults: probes 3 s apart at first, then every 15 s."""
    res, down = outage_run(tmp_path, 60.0, env())
    numbers = check_resumed(tmp_path, res, down, 3.0)
    print(f"\ndown {down:.1f} s: {numbers}")


def gone_run(tmp_path: Path, wait: float, *args: str) -> tuple[subprocess.CompletedProcess[str], float, ReplayChild]:
    """A batch whose server is killed once a notice is done and never comes back."""
    server = ReplayChild(delay=DELAY).start()
    try:
        proc = start(tmp_path / "o.jsonl", server, "--server-wait", f"{wait:g}", *args, environ=env(**FAST))
        wait_until(lambda: done_count(tmp_path / "o.db") >= 1, proc)
    except BaseException:
        server.stop()
        raise
    server.kill()
    killed = time.monotonic()
    _, stderr = proc.communicate(timeout=300)
    return subprocess.CompletedProcess(proc.args, proc.returncode, "", stderr), time.monotonic() - killed, server


def test_server_gone_for_good_ends_in_one_line_and_a_rerun_completes(tmp_path: Path) -> None:
    res, took, server = gone_run(tmp_path, 3.0)
    try:
        assert res.returncode == 1, res.stderr[-3000:]
        assert took < 3.0 + 20, f"ended {took:.1f} s after the kill"  # --server-wait plus start-up slack
        errors = [ln for ln in res.stderr.splitlines() if ln.startswith("error")]
        assert len(errors) == 1, errors
        line = errors[0]
        assert res.stderr.rstrip().splitlines()[-1] == line, "the reason is the last line"
        m = re.search(r"down for (\d+) s .*: stopped with (\d+) of (\d+) notices left; rerun", line)
        assert m and server.base_url in line, line
        assert 3 <= int(m.group(1)) <= 3 + 10 and int(m.group(3)) == SAMPLES
        first = statuses(tmp_path / "o.db")
        assert set(first) == {"done"}, "no partial records for a fault that was not the notices'"
        assert int(m.group(2)) == SAMPLES - first["done"] > 0
        assert not re.search(r"chunk \S+ failed \(", res.stderr), "no per-chunk warnings"

        server.start()  # back; the rerun resumes
        second = subprocess.run(xuncha("structure", str(NOTICES), "-o", str(tmp_path / "o.jsonl"), "--base-url",
                                       server.base_url, "--model", EMBEDDED_MODEL, "--ask", "category"), env=env(**FAST),
                                capture_output=True, text=True, timeout=300)  # fmt: skip
    finally:
        server.stop()
    assert second.returncode == 0, second.stderr[-3000:]
    recs = records_by_source(tmp_path / "o.jsonl")
    assert len(recs) == SAMPLES and all(r.errors == [] for r in recs.values())
    assert statuses(tmp_path / "o.db") == {"done": SAMPLES}
    with sqlite3.connect(tmp_path / "o.db") as con:
        runs = con.execute("SELECT interrupted, skipped FROM runs ORDER BY id").fetchall()
    assert runs == [(1, 0), (0, first["done"])], runs


def test_log_json_stays_json_when_the_server_is_gone(tmp_path: Path) -> None:
    res, took, server = gone_run(tmp_path, 2.0, "--log-json")
    server.stop()
    assert res.returncode == 1
    events = json_lines(res.stderr)
    kinds = [e["event"] for e in events]
    assert kinds[-2:] == ["error", "summary"], kinds
    stop = events[-2]
    assert stop["url"] == server.base_url and stop["left"] == SAMPLES - statuses(tmp_path / "o.db")["done"]
    assert "notices left" in stop["message"] and stop["down_seconds"] >= 2.0
    assert "server_down" in kinds and "server_probe" in kinds and "partial" not in kinds
