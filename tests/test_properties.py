"""Property-based tests (hypothesis) of the rules layer on random Chinese/ASCII text.

Why: the sample notices pin known behaviour; these make sure that text nobody wrote on purpose (numerals,
units, markers and punctuation in any order) never crashes figures, outline or chunks, that every span lies
inside the text and says what it claims, and that money written as 元/万元/亿元 reads back as the same value.
Example counts are kept small so the whole file runs in a few seconds.
"""

from __future__ import annotations

from decimal import Decimal

import cn2an
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.text.chunks import CHUNK_LIMIT, TAG_KINDS, choices_for, make_chunks
from agent.text.figures import find_figures
from agent.text.grammar import HEADING_KINDS, walk
from agent.text.numerals import MULTIPLIERS
from agent.text.outline import parse

CJK = "巡察整改反馈问题资金村镇党委干部落实情况管理项目清退收回完成推进名个项件人次年月日号关于的了在和对"
NUMERALS = "一二三四五六七八九十百千万亿两零〇"
PUNCT = "，。、；：（）()“”《》%％ \n"
FRAGMENTS = [
    "元", "万元", "亿元", "千元", "%", "个百分点", "一是", "二是", "一、", "二、", "(一)", "（二）", "1.", "2、", "(3)",
    "反馈问题：", "整改情况：", "问题", "关于“", "”问题的整改", "2023年", "5月", "12日", "至", "—", "0570-2971001",
    "3,828,380.26", "29.23", "约", "余", "多", "左右", "以上", "第", "名", "户", "平方米", "个月", "天", "巡察组",
    "\n", "。\n", "下一步", "联系电话：", "中共某镇委员会", "2024年10月11日",
]
_SMALL = (HealthCheck.too_slow, HealthCheck.data_too_large)
texts = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(alphabet=CJK + NUMERALS + PUNCT + "0123456789.,", min_size=1, max_size=6)),
    max_size=60,
).map("".join)
long_texts = st.tuples(texts, st.integers(1, 40)).map(lambda tk: tk[0] * tk[1])  # repeats reach the split paths


@settings(max_examples=150, deadline=None, suppress_health_check=_SMALL)
@given(texts)
def test_figures_spans_say_what_they_claim(text: str) -> None:
    figures = find_figures(text)
    assert [f.id for f in figures] == [f"F{i}" for i in range(1, len(figures) + 1)]
    end = 0
    for f in figures:
        s, e = f.span
        assert end <= s < e <= len(text), "in order, inside the text, never overlapping"
        assert text[s:e] == f.text
        end = e
        if f.kind == "money":
            assert f.unit == "元" and f.value >= 0


@st.composite
def amounts(draw: st.DrawFn) -> tuple[str, str, Decimal]:
    whole = draw(st.integers(0, 10**9))
    cents = draw(st.sampled_from(["", ".5", ".05", ".26", ".3"]))
    unit = draw(st.sampled_from(["元", "万元", "亿元", "千元", "百万元"]))
    number = f"{whole:,}" if draw(st.booleans()) and whole >= 1000 else str(whole)
    return number + cents, unit, Decimal(str(whole) + cents)


@settings(max_examples=150, deadline=None)
@given(amounts(), st.sampled_from(["追回资金", "清退违规发放补贴", "涉及金额"]), st.sampled_from(["。", "，已全部退回。", ""]))
def test_money_round_trips_through_its_text(amount: tuple[str, str, Decimal], before: str, after: str) -> None:
    number, unit, value = amount
    text = f"{before}{number}{unit}{after}"
    money = [f for f in find_figures(text) if f.kind == "money"]
    assert len(money) == 1, (text, money)
    assert money[0].text == f"{number}{unit}"
    assert money[0].value == float(value * MULTIPLIERS[unit.removesuffix("元")])


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.tuples(st.integers(2, 99_999_999), st.just("元")),
                 st.tuples(st.integers(2, 9_999), st.sampled_from(["万元", "亿元"]))))  # as written: 三千万元, not 一万万元
def test_chinese_numeral_money_round_trips(amount: tuple[int, str]) -> None:
    n, unit = amount
    written = cn2an.an2cn(n)
    text = f"退回资金{written}{unit}。"
    money = [f for f in find_figures(text) if f.kind == "money"]
    assert len(money) == 1 and money[0].text == written + unit, (text, money)
    assert money[0].value == float(n * MULTIPLIERS[unit.removesuffix("元")])


@settings(max_examples=150, deadline=None, suppress_health_check=_SMALL)
@given(texts)
def test_outline_never_crashes_and_spans_stay_inside(text: str) -> None:
    o = parse(text)
    n = len(text)
    assert o.grammar in ("fankui_pairs", "zhenggai_pairs", "inline", "prose", "paragraphs", "learned", "none") or o.grammar.startswith("headings:")
    assert [p.id for p in o.problems] == [f"P{i}" for i in range(1, len(o.problems) + 1)]
    for p in o.problems:
        assert 0 <= p.span[0] < p.span[1] <= n
        assert p.span[0] <= p.title[0] <= p.title[1] <= p.span[1]
        for m in [*p.measures, *([p.description] if p.description else [])]:
            assert p.span[0] <= m[0] <= m[1] <= p.span[1]
    for sp in (o.title, o.published, o.intro, o.issuer, o.signoff_date, o.phone, o.email, o.address, *o.units):
        assert sp is None or 0 <= sp[0] <= sp[1] <= n
    for node in walk(o.nodes):
        assert 0 <= node.start <= node.body_start <= node.line_end <= node.end <= n
        if node.kind in HEADING_KINDS:
            assert text[node.start : node.body_start].strip().startswith(node.marker[:1])


@settings(max_examples=60, deadline=None, suppress_health_check=_SMALL)
@given(long_texts)
def test_chunks_fit_and_lose_no_problem_or_figure(text: str) -> None:
    o = parse(text)
    figures = find_figures(text)
    chunks = make_chunks(o, figures)
    by_id = {f.id: f for f in figures}
    sent: dict[str, set[str]] = {p.id: set() for p in o.problems}
    for c in chunks:
        assert len(c.text) <= CHUNK_LIMIT
        assert 0 <= c.span[0] <= c.span[1] <= len(text)
        for fid in c.figure_ids:
            assert f"{by_id[fid].text}〔{fid}〕" in c.text
        for pid in c.items:
            sent[pid].update(c.figure_ids)
    asked = {p.id for p in o.problems if choices_for(text, p)}  # the rest the rules answer alone
    for p in o.problems:
        answered = [c for c in chunks if p.id in c.items]
        if p.id not in asked:
            assert not answered
            continue
        inside = {f.id for f in figures if f.kind in TAG_KINDS and p.span[0] <= f.span[0] and f.span[1] <= p.span[1]}
        assert inside <= sent[p.id], "every figure the model is asked about is tagged in a chunk that answers it"
        assert answered and all(p.span[0] <= c.span[0] and c.span[1] <= p.span[1] or c.span[0] <= p.span[0] for c in answered)
    assert asked == {pid for c in chunks for pid in c.items}
