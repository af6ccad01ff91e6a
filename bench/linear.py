"""Benchmark: 1 MB of what scraped pages carry, structured by the rules, with the time of 1/4 MB beside it.

    python bench/linear.py            # seconds for 1/4 MB and 1 MB of each noise, and their ratio

Issue 19's targets: 1 MB of digits, of base64, of 、 and of “ each in under 2 s; every ratio near 4 (a
quadratic stage gives 16). Prints numbers measured in this run; the ratio is asserted in
``tests/test_linear_time.py`` at 20,000 characters.
"""

from __future__ import annotations

import base64
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agent.record.pipeline import analyse, rules_record  # noqa: E402
from agent.text.ingest import Notice  # noqa: E402

MB = 1_000_000


def _fill(unit: str, n: int) -> str:
    return (unit * (n // len(unit) + 1))[:n]


KINDS = {
    "digits": lambda n: "金额" + _fill("1234567890", n) + "万元",
    "base64": lambda n: "巡察组反馈存在的问题。" + base64.b64encode(random.Random(1).randbytes(n * 3 // 4)).decode(),
    "、": lambda n: "存在" + "、" * n + "问题",
    "“": lambda n: "“" * n,
    "Chinese numerals": lambda n: _fill("一二三四五六七八九十", n),
    "punctuation in turn": lambda n: _fill("，。；：", n),
    "a cue word repeated": lambda n: _fill("存在问题，", n),
    "one line of words": lambda n: _fill("巡察发现问题", n),
}


def seconds(text: str) -> float:
    notice = Notice(source="bench.txt", text=text, encoding="utf-8", notice_id=str(len(text)))
    t0 = time.perf_counter()
    rules_record(analyse(notice))
    return time.perf_counter() - t0


def main() -> None:
    seconds("预热")  # models and tables load once
    print(f"{'input':<22} {'1/4 MB s':>9} {'1 MB s':>8} {'ratio':>6}")
    for name, make in KINDS.items():
        quarter, whole = seconds(make(MB // 4)), seconds(make(MB))
        print(f"{name:<22} {quarter:9.2f} {whole:8.2f} {whole / quarter:6.1f}")


if __name__ == "__main__":
    main()
