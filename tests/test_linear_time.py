"""No input stalls a batch: every rule stage runs in time linear in the text, whatever the text holds.

Scraped pages carry tables of digits, pasted base64, runs of one mark and cue words repeated thousands of
times. A pattern that backtracks over such a run costs its square (10,000 digits took 13.6 s in the
stated-totals rule). Each test structures a text of n and of 4n characters, rules alone, and asserts the
time at most about quadruples: a quadratic stage would take sixteen times as long. Times are ratios measured
in one run (the best of two), never absolute seconds; ``bench/linear.py`` prints the 1 MB times.
"""

from __future__ import annotations

import base64
import hashlib
import random
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.record.pipeline import analyse, rules_record
from agent.text.ingest import Notice

N = 20_000  # characters of the smaller input; the larger is four times as long
RATIO = 7.0  # allowed growth of the time for 4x the input (linear: ~4; quadratic: ~16)
SLACK = 0.15  # seconds: fixed costs and a busy CI machine
SAMPLES = Path(__file__).resolve().parents[1] / "evals" / "notices"


def structure(text: str) -> float:
    """Seconds to structure ``text``, rules alone (the best of two runs)."""
    notice = Notice(source="fuzz.txt", text=text, encoding="utf-8", notice_id=hashlib.sha256(text.encode()).hexdigest()[:16])
    best = float("inf")
    for _ in range(2):
        t0 = time.perf_counter()
        rules_record(analyse(notice))
        best = min(best, time.perf_counter() - t0)
    return best


def grows_linearly(make: object) -> tuple[bool, float, float]:
    assert callable(make)
    small, large = structure(make(N)), structure(make(4 * N))
    return large <= RATIO * small + SLACK, small, large


def _fill(unit: str, n: int) -> str:
    return (unit * (n // len(unit) + 1))[:n]


def _b64(n: int) -> str:
    return base64.b64encode(random.Random(n).randbytes(n * 3 // 4)).decode()[:n]


_SAMPLE = SAMPLES / "xiaodian-town-rectification.txt"

# The worst cases found so far, each a named regression (the table and what the regex scan found).
WORST: dict[str, object] = {
    "digits in a money figure": lambda n: "金额" + _fill("1234567890", n) + "万元",
    "digits alone": lambda n: _fill("1234567890", n),
    "Chinese numerals": lambda n: _fill("一二三四五六七八九十", n),
    "base64 after a sentence": lambda n: "巡察组反馈存在的问题。" + _b64(n),
    "a run of 、": lambda n: "存在" + "、" * n + "问题",
    "a run of opening quotes": lambda n: "“" * n,
    "a run of brackets": lambda n: "（" * (n // 2) + "）" * (n // 2),
    "punctuation marks in turn": lambda n: _fill("，。；：", n),
    "a cue word repeated": lambda n: _fill("存在问题，", n),
    "a defect list without end": lambda n: "巡察发现" + _fill("学习不深入、", n) + "等问题。",
    "one long line of words": lambda n: _fill("巡察发现问题", n),
    "ASCII words": lambda n: _fill("abc def ", n),
    "an e-mail-like run": lambda n: _fill("a.b", n) + "@x",
    "spaces": lambda n: "巡察" + " " * n + "反馈",
    "line ends": lambda n: "巡察组反馈\n" + "\n" * n,
    "numbered markers": lambda n: _fill("一是", n),
    "years": lambda n: _fill("2023年", n),
    "counted groups": lambda n: _fill("3个巡察组", n),
    "the sample notice in one line": lambda n: _fill(_SAMPLE.read_text(encoding="utf-8").replace("\n", ""), n),
}


@pytest.mark.parametrize("name", sorted(WORST))
def test_worst_cases_take_linear_time(name: str) -> None:
    structure("预热")  # models and tables load once per process, outside the measurement
    ok, small, large = grows_linearly(WORST[name])
    assert ok, f"{name}: {small:.3f} s for {N} characters, {large:.3f} s for {4 * N}"


# Hypothesis: an adversarial unit (marks, numerals, cue words, letters) repeated into a run, put inside a real
# notice at a chosen place. Whatever it draws, the time must grow linearly with the run.
_ALPHABET = st.sampled_from(list("0123456789一二三四五六七八九十百千万亿元个、，。；：“”‘’（）()《》【】-—…*#.=/+ \nabcxyz") +
                            ["存在", "问题", "不到位", "巡察组", "反馈", "一是", "有的", "整改", "年", "月", "日", "等", "方面"])
_UNITS = st.lists(_ALPHABET, min_size=1, max_size=6).map("".join)


@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(unit=_UNITS, where=st.floats(min_value=0.0, max_value=1.0))
def test_any_run_inside_a_real_notice_takes_linear_time(unit: str, where: float) -> None:
    base = _SAMPLE.read_text(encoding="utf-8")
    at = int(len(base) * where)

    def make(n: int) -> str:
        return base[:at] + _fill(unit, n) + base[at:]

    structure("预热")
    ok, small, large = grows_linearly(make)
    assert ok, f"run of {unit!r}: {small:.3f} s for {N} characters, {large:.3f} s for {4 * N}"
