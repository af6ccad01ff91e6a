"""The Ray Data engine gives the local runner's records, resumes without loss or duplicates, sends nothing twice.

Answers come from ``tests/replay_server.py`` (the cassettes recorded from the real embedded llama.cpp
server, served over HTTP so Ray's actor processes can reach them). One local Ray instance is shared by the
module (start-up is the slow part); a killed run is a real ``xuncha`` subprocess joining it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agent.cli.main import app
from tests.conftest import EMBEDDED_MODEL, NOTICES, SAMPLE_REQUESTS, SAMPLES, comparable, records_by_source
from tests.replay_server import ReplayServer

ray = pytest.importorskip("ray", reason="Ray is an optional extra (pip install -e '.[ray]'); the ray engine tests skip without it")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:ray.data")  # Ray's own DataContext renames


@pytest.fixture(scope="module", autouse=True)
def ray_local() -> Iterator[None]:
    from agent.batch.engine_ray import init_ray

    owned = init_ray(None)
    yield
    if owned:
        ray.shutdown()


def structure(server: ReplayServer, out: Path, *paths: str, engine: str = "ray", extra: tuple[str, ...] = ()) -> Any:
    args = ["structure", *paths, "-o", str(out), "--base-url", server.base_url, "--model", EMBEDDED_MODEL,
            "--engine", engine, "--quiet", *extra]
    return CliRunner().invoke(app, args)


def test_ray_equals_local(tmp_path: Path) -> None:
    files = [str(NOTICES / f"{s}.txt") for s in SAMPLES]
    with ReplayServer() as server:
        r = structure(server, tmp_path / "local.jsonl", *files, engine="local")
        assert r.exit_code == 0, r.output
        local_hits = sum(server.hits.values())
        server.hits.clear()
        r = structure(server, tmp_path / "ray.jsonl", *files, extra=("--workers", "2"))
        assert r.exit_code == 0, r.output
        assert server.misses == 0
        assert sum(server.hits.values()) == local_hits == SAMPLE_REQUESTS and set(server.hits.values()) == {1}
    local, on_ray = records_by_source(tmp_path / "local.jsonl"), records_by_source(tmp_path / "ray.jsonl")
    assert sorted(local) == sorted(on_ray) and len(local) == 5
    for source, rec in local.items():
        assert comparable(on_ray[source]) == comparable(rec), source


def _inputs(tmp_path: Path) -> Path:
    """The five samples and a second copy of one of them (same text, same notice_id, its own record)."""
    src = tmp_path / "notices"
    src.mkdir()
    for s in SAMPLES:
        shutil.copy(NOTICES / f"{s}.txt", src / f"{s}.txt")
    shutil.copy(NOTICES / f"{SAMPLES[0]}.txt", src / "zz-copy.txt")
    return src


def _check_final(out: Path, src: Path) -> None:
    recs = records_by_source(out)
    assert sorted(recs) == sorted(str(p) for p in src.glob("*.txt")), "every file has its record, none lost"
    assert all(r.errors == [] and r.problems for r in recs.values())
    orig, copy = comparable(recs[str(src / f"{SAMPLES[0]}.txt")]), comparable(recs[str(src / "zz-copy.txt")])
    for d in (orig, copy):
        d.pop("source"), d.pop("usage")
    assert orig == copy, "the copy got the same answers"
    with sqlite3.connect(out.with_suffix(".db")) as con:
        assert con.execute("SELECT status, COUNT(*) FROM notices GROUP BY status").fetchall() == [("done", 6)]


def test_resume_after_partial_run(tmp_path: Path) -> None:
    """Run on three files, then on all six: six records, each request sent exactly once."""
    src = _inputs(tmp_path)
    out = tmp_path / "out" / "batch.jsonl"
    with ReplayServer() as server:
        first = sorted(str(p) for p in src.glob("*.txt"))[:3]
        r = structure(server, out, *first)
        assert r.exit_code == 0, r.output
        assert len(records_by_source(out)) == 3
        r = structure(server, out, str(src))
        assert r.exit_code == 0, r.output
        assert server.misses == 0
        assert len(server.hits) == SAMPLE_REQUESTS and set(server.hits.values()) == {1}, "no request sent twice"
        r = structure(server, out, str(src))  # a third run: everything skipped, nothing sent
        assert r.exit_code == 0 and sum(server.hits.values()) == SAMPLE_REQUESTS
    _check_final(out, src)
    with sqlite3.connect(out.with_suffix(".db")) as con:
        runs = con.execute("SELECT done, skipped, interrupted FROM runs ORDER BY id").fetchall()
    assert runs == [(3, 0, 0), (3, 3, 0), (0, 6, 0)]


def _stored_keys(db: Path) -> set[str]:
    try:
        with sqlite3.connect(db, timeout=5) as con:
            return {k for (k,) in con.execute("SELECT key FROM chunk_calls WHERE answer IS NOT NULL")}
    except sqlite3.OperationalError:
        return set()


def _cache_keys_by_request(src: Path) -> dict[str, str]:
    """The replay server's key (canonical request body) -> the store's cache key, for every chunk."""
    from agent.record.calls import cache_key, request_body
    from agent.record.pipeline import analyse
    from agent.record.prompts import load
    from agent.text.ingest import read_notice
    from tests.replay_server import canonical

    prompts = load("v2")
    out = {}
    for f in src.glob("*.txt"):
        for c in analyse(read_notice(f)).chunks:
            out[canonical(json.dumps(request_body(c, prompts, EMBEDDED_MODEL)))] = cache_key(c, EMBEDDED_MODEL, prompts.version)
    return out


@pytest.mark.slow
def test_killed_midway_and_rerun(tmp_path: Path) -> None:
    """SIGKILL the driver while answers stream in; the rerun re-sends only requests whose answers it never stored."""
    src = _inputs(tmp_path)
    out = tmp_path / "out" / "batch.jsonl"
    db = out.with_suffix(".db")
    env = {**os.environ, "XUNCHA_QUIET": "1", "RAY_USAGE_STATS_ENABLED": "0"}
    half = SAMPLE_REQUESTS // 2
    with ReplayServer(delay=0.6) as server:  # seconds of answers: room to kill it midway on a loaded machine
        args = [sys.executable, "-c", "from agent.cli.main import app; app()", "structure", str(src), "-o", str(out),
                "--base-url", server.base_url, "--model", EMBEDDED_MODEL, "--engine", "ray", "--ray-address", "auto",
                "--workers", "2"]
        proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while len(_stored_keys(db)) < half and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, f"the run ended (exit {proc.returncode}) before it could be killed: " + proc.stderr.read().decode()[-2000:]
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        stored = _stored_keys(db)
        assert half <= len(stored) < SAMPLE_REQUESTS
        sent_first, quiet_since = sum(server.hits.values()), time.monotonic()
        while time.monotonic() - quiet_since < 1.5 and time.monotonic() < deadline:  # Ray reaps the dead driver's actors
            time.sleep(0.1)
            if sum(server.hits.values()) != sent_first:
                sent_first, quiet_since = sum(server.hits.values()), time.monotonic()
        r = structure(server, out, str(src))
        assert r.exit_code == 0, r.output
        assert server.misses == 0
        resent = [k for k, n in server.hits.items() if n > 1]
    assert len(server.hits) == SAMPLE_REQUESTS, "every request was sent"
    assert max(server.hits.values()) <= 2
    to_cache_key = _cache_keys_by_request(src)
    assert not [k for k in resent if to_cache_key[k] in stored], "no request whose answer was stored is sent again"
    # the ones sent again were answered before the kill but still inside Ray (actor output, in transit)
    assert len(resent) <= sent_first - len(stored)
    _check_final(out, src)
