"""Gold records (evals/gold/v1) agree with the notices they describe; no model, no pipeline.

Gold is written by hand from the notice text and scores the pipeline, so it must never be checked against
the pipeline's own code: figure values are re-derived here by a small parser of its own (not
``agent.text.numerals``/``agent.text.figures``), and every grounded string must be exactly the cleaned text at its span.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from agent.schema import CATEGORIES, NoticeRecord
from agent.text.ingest import read_notice

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "evals" / "gold" / "v1"
NOTICES = ROOT / "evals" / "notices"

PROBLEM_COUNTS = {
    "xiaodian-town-rectification": 13,
    "songyanghu-street-rectification": 20,
    "hangbu-town-rectification-progress": 13,
    "changji-round5-seven-units": 21,
    "qiaotou-town-feedback-meeting": 10,
}
KEYS = ["source", "title", "doc_type", "issuer", "published", "inspection", "units", "problems", "figures",
        "stated_totals", "contact"]
ISO = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


def load(stem: str) -> tuple[dict[str, Any], str]:
    gold = json.loads((GOLD / f"{stem}.json").read_text(encoding="utf-8"))
    return gold, read_notice(str(ROOT / gold["source"])).text


def grounded_fields(gold: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every grounded object in a gold record, with a readable path."""
    out: list[tuple[str, dict[str, Any]]] = []

    def add(path: str, g: dict[str, Any] | None) -> None:
        if g is not None:
            out.append((path, g))

    add("title", gold["title"])
    add("issuer", gold["issuer"])
    add("inspection.inspector", gold["inspection"]["inspector"])
    add("inspection.kind", gold["inspection"]["kind"])
    for i, t in enumerate(gold["inspection"]["targets"]):
        add(f"inspection.targets[{i}]", t)
    for i, u in enumerate(gold["units"]):
        add(f"units[{i}]", u)
    for p in gold["problems"]:
        add(f"{p['id']}.title", p["title"])
        add(f"{p['id']}.description", p["description"])
        for j, m in enumerate(p["measures"]):
            add(f"{p['id']}.measures[{j}]", m)
    for k in ("phone", "email", "address"):
        add(f"contact.{k}", gold["contact"][k])
    return out


# --- an independent reading of figure values ---------------------------------------------------------

CN_DIGIT = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
MULT = {"": 1, "万": 10_000, "亿": 100_000_000}
ARABIC = re.compile(r"^(约)?(\d+(?:\.\d+)?)\s*(万|亿)?(余|多)?(.*)$")
CHINESE = re.compile(r"^(约)?([一二两三四五六七八九十]+)(余|多)?(.*)$")


def cn_small(s: str) -> int:
    """一..九十九 written in Chinese numerals (十, 十一, 二十, 二十三)."""
    if "十" not in s:
        assert len(s) == 1, s
        return CN_DIGIT[s]
    tens, _, ones = s.partition("十")
    return (CN_DIGIT[tens] if tens else 1) * 10 + (CN_DIGIT[ones] if ones else 0)


def read_quantity(text: str) -> tuple[float, str, bool]:
    """(value, what follows the number, approximate?) for a non-date, non-phone figure; money comes out in 元."""
    if text.startswith("百分之"):
        rest = text.removeprefix("百分之")
        return (100.0 if rest == "百" else float(cn_small(rest))), "%", False
    m = ARABIC.match(text)
    if m:
        about, num, mult, more, rest = m.groups()
        return float(num) * MULT[mult or ""], (rest or ("元" if mult else "")), bool(about or more)
    m = CHINESE.match(text)
    if m:
        about, num, more, rest = m.groups()
        return float(cn_small(num)), rest, bool(about or more)
    raise AssertionError(f"cannot read a quantity from {text!r}")


def iso_parts(iso: str | None) -> list[int]:
    return [int(x) for x in iso.split("-")] if iso else []


def is_subsequence(small: list[int], big: list[int]) -> bool:
    """Each number written in a date's text appears, in order, among its ISO parts (96年 matches 1996)."""
    it = iter(big)
    return all(any(x == y or (x < 100 and y >= 1900 and y % 100 == x) for y in it) for x in small)


# --- tests --------------------------------------------------------------------------------------------

STEMS = sorted(PROBLEM_COUNTS)


def test_one_gold_file_per_notice() -> None:
    assert sorted(p.stem for p in NOTICES.glob("*.txt")) == STEMS
    assert sorted(p.stem for p in GOLD.glob("*.json")) == STEMS


@pytest.mark.parametrize("stem", STEMS)
def test_validates_against_the_output_contract(stem: str) -> None:
    gold, text = load(stem)
    assert list(gold) == KEYS
    assert gold["source"] == f"evals/notices/{stem}.txt"
    record = NoticeRecord.model_validate({**gold, "text": text, "notice_id": "x"})
    assert len(record.problems) == PROBLEM_COUNTS[stem]


@pytest.mark.parametrize("stem", STEMS)
def test_grounded_text_is_the_text_at_its_span(stem: str) -> None:
    gold, text = load(stem)
    for path, g in grounded_fields(gold):
        s, e = g["span"]
        assert g["alignment"] == "exact", path
        assert g["text"], path
        assert text[s:e] == g["text"], f"{path}: {text[s:e]!r} != {g['text']!r}"


@pytest.mark.parametrize("stem", STEMS)
def test_dates_and_doc_fields(stem: str) -> None:
    gold, _ = load(stem)
    insp = gold["inspection"]
    for value in (gold["published"], insp["start"], insp["end"], insp["feedback_date"]):
        assert value is None or ISO.match(value), value
    if insp["start"] and insp["end"]:
        assert insp["start"] <= insp["end"]
    assert gold["doc_type"] in ("feedback", "rectification_progress", "rectification_roundup")
    assert bool(gold["units"]) == (gold["doc_type"] == "rectification_roundup")


def check_in_order(figures: list[dict[str, Any]]) -> None:
    """Ids F1…Fn in order of appearance, no two figures overlapping."""
    assert [f["id"] for f in figures] == [f"F{i}" for i in range(1, len(figures) + 1)]
    starts = [f["span"][0] for f in figures]
    assert starts == sorted(starts) and len(set(starts)) == len(starts), "figures out of order"
    for a, b in zip(figures, figures[1:], strict=False):
        assert a["span"][1] <= b["span"][0], f"{a['id']} overlaps {b['id']}"


def check_date(f: dict[str, Any], where: str, iso: re.Pattern[str] = ISO) -> None:
    """A date figure: ISO start (and end), value = its year (0 when the text never gives one: ``--MM-DD``),
    and every number written in it among its ISO parts."""
    assert f["unit"] == "date" and f["iso"] and iso.match(f["iso"]), where
    assert f["iso_end"] is None or (iso.match(f["iso_end"]) and f["iso"] <= f["iso_end"]), where
    yearless = f["iso"].startswith("--")
    assert f["value"] == (0.0 if yearless else float(f["iso"][:4])), where
    if not yearless:
        written = [int(n) for n in re.findall(r"\d+", f["text"])]
        assert is_subsequence(written, iso_parts(f["iso"]) + iso_parts(f["iso_end"])), where


@pytest.mark.parametrize("stem", STEMS)
def test_figures_read_back_from_their_text(stem: str) -> None:
    gold, text = load(stem)
    figures = gold["figures"]
    check_in_order(figures)
    for f in figures:
        s, e = f["span"]
        where = f"{f['id']} {f['text']!r}"
        assert text[s:e] == f["text"], where
        assert f["role"] and len(f["role"]) <= 12, where
        if f["kind"] == "date":
            assert not f["iso"].startswith("--"), where  # v1: every sample's dates have a year in context
            check_date(f, where)
            continue
        assert f["iso"] is None and f["iso_end"] is None, where
        if f["kind"] == "phone":
            assert f["unit"] == "phone" and f["value"] == float(re.sub(r"\D", "", f["text"])), where
            continue
        value, rest, approx = read_quantity(f["text"])
        assert f["value"] == pytest.approx(value, rel=1e-12), where
        assert f["approx"] == approx, where
        if f["kind"] == "money":
            assert f["unit"] == "元" and rest == "元", where
        elif f["kind"] == "percent":
            assert f["unit"] == "%" and rest == "%", where
        else:
            assert f["kind"] in ("count", "measure", "duration"), where
            assert rest in (f["unit"], "个" + f["unit"]), where  # 1个月 is a duration in 月


@pytest.mark.parametrize("stem", STEMS)
def test_problems_hold_their_parts_and_figures(stem: str) -> None:
    gold, text = load(stem)
    problems = gold["problems"]
    assert [p["id"] for p in problems] == [f"P{i}" for i in range(1, len(problems) + 1)]
    units = [u["text"] for u in gold["units"]]
    prev_end = 0
    for p in problems:
        s, e = p["span"]
        assert prev_end <= s < e, p["id"]
        prev_end = e
        assert p["category"] in CATEGORIES, p["id"]
        assert (p["unit"] in units) if units else p["unit"] is None, p["id"]
        parts = [p["title"], *([p["description"]] if p["description"] else []), *p["measures"]]
        for part in parts:
            assert s <= part["span"][0] and part["span"][1] <= e, (p["id"], part["text"][:20])
        assert e == parts[-1]["span"][1], f"{p['id']} does not end at its last part"
        if p["description"]:
            assert p["description"]["span"][0] == p["title"]["span"][0], p["id"]
            assert p["description"]["text"].startswith(p["title"]["text"]), p["id"]
        if not p["measures"]:
            assert p["status"] == "unknown", p["id"]
        inside = [f["id"] for f in gold["figures"]
                  if s <= f["span"][0] and f["span"][1] <= e and f["kind"] != "phone"]
        assert p["figure_ids"] == inside, p["id"]
    assert len(problems) == PROBLEM_COUNTS[stem]
    assert text  # the notice was read


@pytest.mark.parametrize("stem", STEMS)
def test_stated_totals_point_at_their_figure(stem: str) -> None:
    gold, text = load(stem)
    by_id = {f["id"]: f for f in gold["figures"]}
    for t in gold["stated_totals"]:
        s, e = t["span"]
        assert text[s:e] == t["text"], t
        fig = by_id[t["figure_id"]]
        assert t["value"] == fig["value"], t
        assert s <= fig["span"][0] and fig["span"][1] <= e, t
