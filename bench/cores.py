"""Benchmark: rules-only throughput with one rule worker and with one per core, in one run.

    python bench/cores.py              # every eval notice, copied to 400 files; notices per second, and the ratio
    python bench/cores.py --files 2000

Issue 19's target: on 2 cores, at least 1.8 times the throughput of one worker. Prints the numbers
measured in this run (a fresh store each time, so nothing is skipped), not a threshold.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agent.batch.runner import Runner  # noqa: E402
from agent.batch.store import Store  # noqa: E402
from agent.batch.workers import default_processes  # noqa: E402


def corpus(folder: Path, n: int) -> list[str]:
    texts = sorted(p for p in (ROOT / "evals").glob("*/*.txt") if "reports" not in p.parts)
    files = []
    for i in range(n):
        src = texts[i % len(texts)]
        dst = folder / f"{i:05d}-{src.name}"
        text = src.read_text(encoding="utf-8")
        dst.write_text(text + f"\n（副本 {i}）", encoding="utf-8")  # a distinct notice each: nothing is skipped
        files.append(str(dst))
    return files


def throughput(files: list[str], processes: int, db: Path) -> float:
    with Store(db) as store:
        t0 = time.perf_counter()
        stats = asyncio.run(Runner(store, processes=processes, notice_timeout=120).run(files))
        dt = time.perf_counter() - t0
    assert stats.done == len(files), (stats.done, stats.failed, stats.failures[:3])
    return len(files) / dt


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=400)
    args = ap.parse_args()
    cores = default_processes()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "notices"
        folder.mkdir()
        files = corpus(folder, args.files)
        one = throughput(files, 1, Path(tmp) / "one.db")
        every = throughput(files, cores, Path(tmp) / "every.db")
        inproc = throughput(files, 0, Path(tmp) / "inproc.db")
        shutil.rmtree(folder)
    print(f"{args.files} notices, rules only, {cores} cores")
    print(f"  in the batch's process (no budget): {inproc:7.1f} notices/s")
    print(f"  one rule worker:                    {one:7.1f} notices/s")
    print(f"  {cores} rule workers:                    {every:7.1f} notices/s   ratio {every / one:.2f}")


if __name__ == "__main__":
    main()
