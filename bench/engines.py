"""Benchmark: the local runner vs the Ray engine (local mode), notices per minute, one run each, same inputs.

    python bench/engines.py                       # 5 samples x 4 distinct copies, 50 ms per request
    python bench/engines.py --copies 10 --delay 0.2
    python bench/engines.py --embedded            # the five samples against the real embedded model (~20 min)

Why this shape: the answers come from the recorded cassettes over HTTP (``tests/replay_server.py``), so
the numbers measure the engines, not a model. Each copy gets a distinct letters-only tag on its first line
(no digit, so no new figure), which makes every chunk a distinct request (no cache hit, no shared
in-flight answer); the bench server strips the tag before looking the answer up. ``--delay`` stands in
for model latency. Both engines get the same requests in flight: local ``--concurrency 2×W``; Ray ``W``
actors × ``--concurrency 2``. Each engine runs as the real ``xuncha structure`` command; its wall time
includes Python and (for Ray) cluster start-up, the store's ``runs`` row gives the run alone.
Prints numbers measured in this run, not thresholds.
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import sqlite3
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import EMBEDDED_MODEL  # noqa: E402
from tests.replay_server import ReplayServer  # noqa: E402

NOTICES = sorted((ROOT / "evals" / "notices").glob("*.txt"))
TAG = re.compile(rb" benchcopy[a-z]+")


class TaggedReplay(ReplayServer):
    """The replay server, blind to the copy tags."""

    def answer(self, raw: bytes) -> tuple[int, str]:
        return super().answer(TAG.sub(b"", raw))


def tags() -> itertools.product[tuple[str, ...]]:
    return itertools.product(string.ascii_lowercase, repeat=3)


def make_inputs(folder: Path, copies: int) -> int:
    names = tags()
    n = 0
    for _ in range(copies):
        for p in NOTICES:
            tag = "benchcopy" + "".join(next(names))
            first, rest = p.read_text(encoding="utf-8").split("\n", 1)
            (folder / f"{tag}-{p.name}").write_text(f"{first} {tag}\n{rest}", encoding="utf-8")
            n += 1
    return n


def run_engine(engine: str, src: Path, out: Path, base_url: str, workers: int, model: str = EMBEDDED_MODEL) -> tuple[float, float, int]:
    extra = ["--concurrency", str(2 * workers)] if engine == "local" else ["--workers", str(workers), "--concurrency", "2"]
    args = [sys.executable, "-c", "from agent.cli.main import app; app()", "structure", str(src), "-o", str(out),
            "--base-url", base_url, "--model", model, "--engine", engine, "--quiet", *extra]
    t0 = time.perf_counter()
    res = subprocess.run(args, capture_output=True, text=True, env={**os.environ, "RAY_USAGE_STATS_ENABLED": "0"})
    wall = time.perf_counter() - t0
    if res.returncode != 0:
        raise SystemExit(f"{engine} failed ({res.returncode}):\n{res.stderr[-3000:]}")
    with sqlite3.connect(out.with_suffix(".db")) as con:
        started, finished, done = con.execute("SELECT started, finished, done FROM runs ORDER BY id DESC").fetchone()
    return wall, finished - started, done


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--copies", type=int, default=4)
    ap.add_argument("--delay", type=float, default=0.05, help="seconds per request at the replay server")
    ap.add_argument("--workers", type=int, default=2, help="Ray actors (local: 2x this many requests in flight)")
    ap.add_argument("--embedded", action="store_true", help="the five samples against the real embedded model, 2 slots")
    args = ap.parse_args()
    if args.embedded:
        return embedded()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "notices"
        src.mkdir()
        n = make_inputs(src, args.copies)
        rates = {}
        with TaggedReplay(delay=args.delay) as server:
            for engine in ("local", "ray"):
                server.hits.clear()
                wall, run_s, done = run_engine(engine, src, Path(tmp) / engine / "out.jsonl", server.base_url, args.workers)
                assert done == n and server.misses == 0, (engine, done, server.misses)
                rates[engine] = n / wall * 60
                print(f"{engine:5} {n} notices, {sum(server.hits.values())} requests: {wall:6.1f} s wall "
                      f"({rates[engine]:6.1f} notices/min), run alone {run_s:6.1f} s ({n / run_s * 60:6.1f} notices/min)")
    print(f"ray / local: {rates['ray'] / rates['local']:.2f}x (wall, incl. start-up); {os.cpu_count()} cores, "
          f"{args.delay * 1000:.0f} ms per request, {2 * args.workers} requests in flight")


def embedded() -> None:
    """The five samples on the embedded llama.cpp server (2 slots): local runner, then Ray, same server."""
    from agent.config import resolve
    from agent.llm.server import LocalServer

    with tempfile.TemporaryDirectory() as tmp, LocalServer(slots=resolve().concurrency) as server:
        rates = {}
        for engine in ("local", "ray"):  # separate stores: nothing is cached between the two runs
            wall, run_s, done = run_engine(engine, ROOT / "evals" / "notices", Path(tmp) / engine / "out.jsonl",
                                           server.base_url, 1, server.model_name)
            rates[engine] = done / wall * 60
            print(f"{engine:5} {done} notices on the embedded model: {wall:6.1f} s wall ({rates[engine]:5.2f} notices/min), "
                  f"run alone {run_s:6.1f} s ({done / run_s * 60:5.2f} notices/min)")
    print(f"ray / local: {rates['ray'] / rates['local']:.2f}x (wall, incl. start-up); {os.cpu_count()} cores, 2 slots, "
          "2 requests in flight")


if __name__ == "__main__":
    main()
