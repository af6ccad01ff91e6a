"""Benchmark: rules-layer speed, and (with --model) model-path seconds and tokens per notice, in one run.

    python bench/run.py              # rules only: ms per notice, chars per second
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
from agent.ingest import read_notice  # noqa: E402
from agent.pipeline import analyse, model_record, rules_record  # noqa: E402
from agent.prompts import load  # noqa: E402

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


async def bench_model() -> None:
    from agent.extract import Extractor
    from agent.server import LocalServer

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
    args = ap.parse_args()
    bench_rules()
    if args.model:
        asyncio.run(bench_model())
