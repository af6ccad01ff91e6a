"""Benchmark: xuncha's time per notice against the speed floor of the server it runs on, in one run.

    python bench/floor.py                         # the default server (xllamacpp wheel), then the native build if any
    python bench/floor.py --only default           # just one of them (default | native)
    python bench/floor.py --base-url URL --model M  # any OpenAI-compatible server already running

The floor of a notice is what any structurer must pay on that server: one read of the whole notice (its
prefill, measured as one request holding the notice with ``max_tokens=1``) plus a minimal answer of
``--answer-tokens`` tokens at the server's generation rate (measured on one request that writes 64 tokens).
xuncha's time is one fresh structuring of the notice (no cache) on the same server; the ratio is the two.
Also prints completion tokens per problem. Numbers are measured here, not thresholds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agent.config import resolve  # noqa: E402
from agent.record.pipeline import analyse, model_record  # noqa: E402
from agent.record.prompts import load  # noqa: E402
from agent.text.ingest import read_notice  # noqa: E402

NOTICES = sorted((ROOT / "evals" / "notices").glob("*.txt"))


def _chat(base_url: str, model: str, content: str, max_tokens: int) -> tuple[float, dict[str, Any]]:
    body = {"model": model, "messages": [{"role": "user", "content": content}], "max_tokens": max_tokens,
            "temperature": 0, "cache_prompt": False}
    req = urllib.request.Request(f"{base_url}/chat/completions", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=900) as resp:
        reply = json.loads(resp.read())
    return time.perf_counter() - t0, reply


def generation_rate(base_url: str, model: str) -> float:
    """Tokens per second written by one request (a short prompt, 64 tokens out)."""
    secs, reply = _chat(base_url, model, "请用中文写一段关于基层党组织建设的文字，不少于二百字。", 64)
    timings = reply.get("timings") or {}
    if timings.get("predicted_per_second"):
        return float(timings["predicted_per_second"])
    return reply["usage"]["completion_tokens"] / secs


PIECE = 2000  # characters per read: a slot holds 4,096 tokens (8,192 over 2 slots), ~0.66 token per character


def prefill_seconds(base_url: str, model: str, text: str) -> tuple[float, int]:
    """Seconds to read the whole notice once (requests of one output token, in pieces a slot holds) and its
    prompt tokens."""
    secs, tokens = 0.0, 0
    for at in range(0, len(text), PIECE):
        took, reply = _chat(base_url, model, text[at : at + PIECE], 1)
        timings = reply.get("timings") or {}
        secs += timings["prompt_ms"] / 1000 if timings.get("prompt_ms") else took
        tokens += int(reply["usage"]["prompt_tokens"])
    return secs, tokens


async def xuncha_seconds(base_url: str, model: str, path: Path) -> tuple[float, int, int, int]:
    """(wall seconds, requests, completion tokens, problems) of one fresh structuring of the notice."""
    from agent.llm.extract import Extractor

    settings = resolve(base_url=base_url, model=model)
    ex = Extractor(settings, base_url, model, load(settings.prompt_version))
    try:
        t0 = time.perf_counter()
        rec = await model_record(analyse(read_notice(path)), ex)
        return time.perf_counter() - t0, rec.usage.requests, rec.usage.completion_tokens, len(rec.problems)
    finally:
        await ex.close()


def run(base_url: str, model: str, answer_tokens: int, label: str) -> None:
    rate = generation_rate(base_url, model)
    print(f"{label}: generation {rate:.1f} tok/s; floor = prefill of the notice + {answer_tokens} tokens")
    print(f"{'notice':40s} {'chars':>6s} {'prompt':>7s} {'prefill s':>9s} {'floor s':>8s} {'xuncha s':>9s} {'ratio':>6s} {'req':>4s} {'compl/problem':>13s}")
    totals = [0.0, 0.0]
    for path in NOTICES:
        text = read_notice(path).text
        pre, ptoks = prefill_seconds(base_url, model, text)
        floor = pre + answer_tokens / rate
        wall, reqs, comp, probs = asyncio.run(xuncha_seconds(base_url, model, path))
        totals[0] += floor
        totals[1] += wall
        per = f"{comp / probs:.1f}" if probs else "-"
        print(f"{path.stem:40s} {len(text):6d} {ptoks:7d} {pre:9.1f} {floor:8.1f} {wall:9.1f} {wall / floor:6.2f} {reqs:4d} {per:>13s}")
    print(f"{'all':40s} {'':6s} {'':7s} {'':9s} {totals[0]:8.1f} {totals[1]:9.1f} {totals[1] / totals[0]:6.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base-url", help="a running OpenAI-compatible server (default: start the embedded one)")
    ap.add_argument("--model", help="model name on that server")
    ap.add_argument("--answer-tokens", type=int, default=100, help="the minimal answer of the floor")
    ap.add_argument("--only", choices=("default", "native"), help="one embedded server instead of both")
    args = ap.parse_args()
    if args.base_url:
        run(args.base_url.rstrip("/"), args.model or "default", args.answer_tokens, args.base_url)
        return
    import os

    from agent.llm.modelfile import cache_dir
    from agent.llm.server import start_embedded

    native = cache_dir() / "bin" / "llama-server"
    servers = [("default", "wheel"), ("native", str(native))]
    for name, choice in servers:
        if (args.only and name != args.only) or (name == "native" and not native.exists()):
            continue
        os.environ["XUNCHA_LLAMA_SERVER"] = choice
        server = start_embedded(resolve(), say=print)
        try:
            run(server.base_url, server.model_name, args.answer_tokens, f"{name} server ({choice})")
        finally:
            server.stop()
    if not native.exists():
        print(f"no native server at {native}: `bash tools/build-native-server.sh` builds one")


if __name__ == "__main__":
    main()
