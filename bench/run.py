"""Benchmark: rules-layer speed, and (with --model) model-path seconds and tokens per notice, in one run.

    python bench/run.py              # rules only: ms per notice, chars per second
    python bench/run.py --batch      # also the batch runner with its store: 200 files, first run vs resume
    python bench/run.py --big        # also a 5 MB notice: seconds per stage and peak memory against its size
    python bench/run.py --model      # also structure the samples with the embedded server (minutes)

Prints ratios measured in this run, not thresholds: speed targets live here, not in timed tests.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agent.config import resolve  # noqa: E402
from agent.record.pipeline import analyse, model_record, rules_record  # noqa: E402
from agent.record.prompts import load  # noqa: E402
from agent.text.ingest import read_notice  # noqa: E402

NOTICES = sorted((ROOT / "evals" / "notices").glob("*.txt"))


def bench_rules(repeat: int = 20) -> None:
    notices = [read_notice(p) for p in NOTICES]
    chars = sum(len(n.text) for n in notices)
    tracemalloc.start()
    t0 = time.perf_counter()
    for _ in range(repeat):
        for n in notices:
            rules_record(analyse(n))
    dt = (time.perf_counter() - t0) / repeat
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"rules: {len(notices)} notices, {chars} chars in {dt * 1000:.1f} ms "
          f"({dt / len(notices) * 1000:.1f} ms/notice, {chars / dt:,.0f} chars/s, peak {peak / 2**20:.1f} MiB)")


def bench_batch(copies: int = 40) -> None:
    """Rules-only batch through the runner and store: store overhead and resume cost, as ratios."""
    import shutil
    import tempfile

    from agent.batch.runner import Runner, mirror_jsonl
    from agent.batch.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in"
        src.mkdir()
        for i in range(copies):
            for p in NOTICES:
                shutil.copy(p, src / f"{i:03d}-{p.name}")
        files = sorted(str(p) for p in src.iterdir())
        t0 = time.perf_counter()
        for f in files:
            rules_record(analyse(read_notice(f)))
        bare = time.perf_counter() - t0
        with Store(Path(tmp) / "b.db") as store:
            t0 = time.perf_counter()
            asyncio.run(Runner(store).run(files))
            mirror_jsonl(store, Path(tmp) / "b.jsonl")
            first = time.perf_counter() - t0
            t0 = time.perf_counter()
            again = asyncio.run(Runner(store).run(files))
            resume = time.perf_counter() - t0
        size = (Path(tmp) / "b.db").stat().st_size
    n = len(files)
    print(f"batch: {n} files rules-only; bare pipeline {bare:.2f} s, runner + store + JSONL {first:.2f} s "
          f"(store overhead ×{first / bare:.2f}, {n / first:.0f} notices/s); rerun skips {again.skipped} in "
          f"{resume:.2f} s (×{resume / first:.3f} of the first run); store {size / 2**20:.1f} MiB")


def bench_big(target: int = 5_000_000) -> None:
    """A roundup of ~5 MB (the Changji body repeated): seconds per stage, peak memory as a multiple of input."""
    from agent.record.reconcile import build_record
    from agent.text.chunks import make_chunks
    from agent.text.figures import find_figures
    from agent.text.outline import parse

    lines = (NOTICES[0].parent / "changji-round5-seven-units.txt").read_text(encoding="utf-8").split("\n")
    body = "\n".join(lines[2:-3])
    text = "\n".join(lines[:2]) + "\n" + "\n".join([body] * (target // len(body.encode()) + 1)) + "\n" + "\n".join(lines[-3:])
    size = len(text.encode())
    times: dict[str, float] = {}
    tracemalloc.start()
    t = time.perf_counter()
    outline = parse(text)
    times["outline"], t = time.perf_counter() - t, time.perf_counter()
    figures = find_figures(text)
    times["figures"], t = time.perf_counter() - t, time.perf_counter()
    chunks = make_chunks(outline, figures)
    times["chunks"], t = time.perf_counter() - t, time.perf_counter()
    build_record("big.txt", "n_big", outline, figures, None)
    times["record"] = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    stages = ", ".join(f"{k} {v:.2f} s" for k, v in times.items())
    print(f"big: {size / 1e6:.1f} MB, {len(outline.problems)} problems, {len(figures)} figures, {len(chunks)} chunks "
          f"(largest {max(len(c.text) for c in chunks)} chars); {stages}; peak {peak / 2**20:.0f} MiB = ×{peak / size:.1f} the input")


async def bench_model() -> None:
    from agent.llm.extract import Extractor
    from agent.llm.server import LocalServer

    settings = resolve()
    with LocalServer(slots=settings.concurrency) as server:
        ex = Extractor(settings, server.base_url, server.model_name, load())
        t0 = time.perf_counter()
        recs = await asyncio.gather(*(model_record(analyse(read_notice(p)), ex) for p in NOTICES))
        wall = time.perf_counter() - t0
        await ex.close()
    for r in recs:
        u = r.usage
        print(f"{Path(r.source).stem:40s} {len(r.problems):3d} problems {u.requests:3d} req "
              f"{u.prompt_tokens:6d} in {u.completion_tokens:5d} out {u.seconds:7.1f} s errors {len(r.errors)}")
    n = len(recs)
    print(f"model: {n} notices in {wall:.0f} s wall ({wall / n:.0f} s/notice, {60 * n / wall:.2f} notices/min); "
          f"{sum(r.usage.prompt_tokens for r in recs) / n:.0f} prompt + {sum(r.usage.completion_tokens for r in recs) / n:.0f} "
          "completion tokens per notice")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", action="store_true", help="also run the embedded model (slow)")
    ap.add_argument("--batch", action="store_true", help="also time the batch runner and store (200 files)")
    ap.add_argument("--big", action="store_true", help="also a 5 MB notice")
    args = ap.parse_args()
    bench_rules()
    if args.big:
        bench_big()
    if args.batch:
        bench_batch()
    if args.model:
        asyncio.run(bench_model())
