"""The reading view: traditional script, glosses, doubled marks and full-width forms read like the simplified
notice, at the same spans in the notice as published."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import opencc
import pytest

from agent.record.pipeline import analyse, rules_record
from agent.text.ingest import read_notice
from agent.text.view import reading_view, t2s_table

SAMPLES = sorted(Path("evals/notices").glob("*.txt"))


def test_whole_table_is_one_character_for_one():
    table = t2s_table()
    assert len(table) > 4000
    assert all(len(v) == 1 and len(chr(k)) == 1 for k, v in table.items())
    t2s = opencc.OpenCC("t2s")
    assert all(t2s.convert(chr(k)) == v for k, v in table.items())  # OpenCC's own answer, each entry


@pytest.mark.parametrize("text, view", [
    ("巡察組反饋存在的問題", "巡察组反馈存在的问题"),
    ("堅(jiān)持黨的領導", "坚持党的领导"),
    ("發現問題１２個，，整改率９５％", "发现问题12个，整改率95%"),
    ("乾隆年间的显著变化", "乾隆年间的显著变化"),  # simplified characters are never changed
    ("後續整改於2023年完成", "后续整改于2023年完成"),
    ("反馈" + "QUJD" * 20 + "问题", "反馈问题"),  # a blob of 64+ letters and digits is noise
    ("退回资金" + "1" * 70 + "元", "退回资金元"),  # so is a run of digits no figure has
    ("整改“““““到位””", "整改““到位””"),  # a mark repeated past two keeps two
    ("存在问题……——", "存在问题……——"),  # marks of two stay
    ("巡察" + " " * 20 + "反馈", "巡察" + " " * 8 + "反馈"),
    ("2023 年 3 月 29 日，县委对所辖的 14 个村巡察", "2023年3月29日，县委对所辖的14个村巡察"),  # spaces beside a date's digits
    ("玛纳斯县委办公室 玛纳斯县政府办公室", "玛纳斯县委办公室 玛纳斯县政府办公室"),  # a space between two names stays
    ("采用 PPP 模式，2023-01-13 17:09", "采用 PPP 模式，2023-01-13 17:09"),  # spaces beside letters, or between digits, stay
    ("河南县域经济网讯 桐柏县委第八巡察组", "河南县域经济网讯 桐柏县委第八巡察组"),  # a dateline's space ends a field
])
def test_view_examples(text, view):
    assert reading_view(text).text == view


@pytest.mark.parametrize("text", ["堅(jiān)持黨的領導。。整改", "ａ(b)c，，，d堅(jian1)"])
def test_spans_map_back(text):
    v = reading_view(text)
    for i in range(len(v.text)):
        s, e = v.to_original(i, i + 1)
        assert reading_view(text[s:e]).text == v.text[i]


def test_a_flattened_page_gets_its_paragraph_breaks_back():
    """A mirror page flattened into one line: a space before a heading marker was a paragraph break; a space
    inside a paragraph before 三是 or a number is not; a short line keeps its spaces."""
    pad = "按照市委巡察工作要求，现将巡察整改情况予以公布。" * 12
    text = f"{pad} 一、整改工作组织情况 1.提高政治站位。一是强化担当。 二是压实责任，共 3 项。 （一）关于“学习不深入”问题的整改 一是…"
    v = reading_view(text)
    assert len(v.text) == len(text) - 2 and v.to_original(0, len(v.text)) == (0, len(text))  # 共 3 项: spaces dropped
    assert v.text.splitlines()[1:] == ["一、整改工作组织情况", "1.提高政治站位。一是强化担当。 二是压实责任，共3项。",
                                       "（一）关于“学习不深入”问题的整改", "一是…"]
    assert reading_view("予以公布。 一、整改情况").text == "予以公布。 一、整改情况"


def test_noise_costs_no_span():
    blob = "QUJD" * 500
    text = f"巡察发现该局存在财务管理不规范、公务用车管理不严等问题。{blob}\n共退回资金41115元。"
    rec = rules_record(analyse(dataclasses.replace(read_notice(SAMPLES[0]), text=text)))
    money = [f for f in rec.figures if f.kind == "money"]
    assert money and text[money[0].span[0] : money[0].span[1]] == "41115元"
    assert all(text[p.span[0] : p.span[1]] for p in rec.problems)


def test_simplified_notices_are_untouched():
    """But for a space typed inside a count (``整改问题16 个``), which the view drops."""
    from agent.text.view import _INNER_SPACES

    for path in SAMPLES:
        text = read_notice(path).text
        assert reading_view(text).text == _INNER_SPACES.sub("", text)


def _traditional(text: str) -> str:
    s2t = opencc.OpenCC("s2t")
    out = [s2t.convert(ch) for ch in text]
    return "".join(t if len(t) == 1 else ch for t, ch in zip(out, text, strict=True))


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_traditional_twin_gives_the_same_problems_at_the_same_spans(path):
    notice = read_notice(path)
    twin = dataclasses.replace(notice, text=_traditional(notice.text))
    assert twin.text != notice.text
    a, b = rules_record(analyse(notice)), rules_record(analyse(twin))
    assert [(p.span, p.title.span, p.category) for p in a.problems] == [(p.span, p.title.span, p.category) for p in b.problems]
    assert [(f.span, f.value) for f in a.figures] == [(f.span, f.value) for f in b.figures]
    assert b.text == twin.text and all(p.title.text == twin.text[p.title.span[0]:p.title.span[1]] for p in b.problems)
