"""The outline stage on the five sample notices and on small hand-made texts (no model)."""

from __future__ import annotations

import pytest

from agent.text.ingest import read_notice
from agent.text.outline import parse
from tests.conftest import notice_path


def _outline(name: str):
    notice = read_notice(notice_path(name))
    return notice.text, parse(notice.text)


def _s(text: str, span) -> str | None:
    return None if span is None else text[span[0] : span[1]]


# (notice, grammar, problem count, first title, last title) — counted by reading each notice
EXPECTED = [
    ("xiaodian-town-rectification", "headings:num", 13, "学习贯彻习近平总书记重要讲话指示批示精神有差距问题", "巡察整改主体责任落实不到位问题"),
    ("songyanghu-street-rectification", "zhenggai_pairs", 20, "全面从严治党压力传导不到位,部分干部纪律意识淡薄", "清廉云溪建设监督检查整改落实不够到位"),
    ("hangbu-town-rectification-progress", "headings:cn", 13, "关于“贯彻落实上级决策部署不深入”问题的整改情况", "关于“审计整改不到位”问题的整改"),
    ("changji-round5-seven-units", "fankui_pairs", 21, "人才振兴问题突出", "落实村财乡管责任不力"),
    ("qiaotou-town-feedback-meeting", "inline", 10, "对习近平总书记关于乡村振兴等重要论述及重要指示批示精神学习传达不够深入", "聚焦巡察整改和成果运用方面问题"),
]


@pytest.mark.parametrize(("name", "grammar", "count", "first", "last"), EXPECTED)
def test_problem_blocks(name: str, grammar: str, count: int, first: str, last: str) -> None:
    text, o = _outline(name)
    assert o.grammar == grammar
    assert len(o.problems) == count
    assert _s(text, o.problems[0].title) == first
    assert _s(text, o.problems[-1].title) == last
    assert [p.id for p in o.problems] == [f"P{i}" for i in range(1, count + 1)]
    prev_end = -1
    for p in o.problems:
        assert 0 <= p.span[0] < p.span[1] <= len(text)
        assert p.span[0] >= prev_end, "problem blocks never overlap"
        prev_end = p.span[1]
        for m in p.measures:
            assert p.span[0] <= m[0] < m[1] <= p.span[1]


def test_roundup_units_and_pairs() -> None:
    text, o = _outline("changji-round5-seven-units")
    units = [_s(text, u) for u in o.units]
    assert units == ["木垒县东城镇党委", "奇台县七户乡党委", "吉木萨尔县北庭镇党委", "阜康市阜新街道党工委",
                     "昌吉市北京南路街道党工委", "呼图壁县大丰镇党委", "玛纳斯县乐土驿镇党委"]
    per_unit = {u: sum(1 for p in o.problems if p.unit == u) for u in units}
    assert set(per_unit.values()) == {3}
    p = o.problems[-1]
    assert len(p.measures) == 1 and _s(text, p.measures[0]).startswith("组织财务人员学习")
    assert _s(text, o.title) == "十二届昌吉州党委第五轮巡察7个乡镇(街道)\n整改进展情况"


def test_sub_items_are_measures_not_problems() -> None:
    text, o = _outline("xiaodian-town-rectification")
    p5 = o.problems[4]
    assert _s(text, p5.title) == "落实乡村振兴要求有差距问题"
    assert len(p5.measures) == 4
    assert _s(text, p5.measures[0]).startswith("虚增村集体经济收入")
    assert p5.path[-1].startswith("聚焦基层贯彻落实党的路线方针政策")


def test_header_and_signoff() -> None:
    text, o = _outline("xiaodian-town-rectification")
    assert o.title is None
    assert _s(text, o.issuer) == "中共寿县小甸镇委员会"
    assert _s(text, o.signoff_date) == "2024年10月11日"
    assert _s(text, o.phone) == "0554-4771645"
    assert _s(text, o.email) == "764619534@qq.com"
    assert _s(text, o.address) == "小甸镇党政办公室"
    assert _s(text, o.intro).startswith("根据县委统一部署")


def test_web_page_header_and_contact() -> None:
    text, o = _outline("hangbu-town-rectification-progress")
    assert _s(text, o.title) == "中共衢州市柯城区航埠镇委员会关于巡察整改进展情况的通报"
    assert _s(text, o.published) == "2024-01-26"
    assert _s(text, o.phone) == "0570-2971001"
    assert _s(text, o.email) == "hangbu2323@163.com"
    assert _s(text, o.address) == "衢州市柯城区航埠镇航华路23号"
    last = o.problems[-1]
    assert "下一步" not in text[last.span[0] : last.span[1]], "closing paragraph is not part of the last problem"


def test_meeting_report_title_and_aspects() -> None:
    text, o = _outline("qiaotou-town-feedback-meeting")
    assert _s(text, o.title) == "永嘉县委第四农村专项巡察组向桥头镇党委反馈巡察情况"
    aspects = {p.path[0] if p.path else None for p in o.problems}
    assert len(aspects) == 4  # 四个方面 (the fourth is marked 四是 by mistake)
    assert "三点整改意见建议" not in text[o.problems[-1].span[0] : o.problems[-1].span[1]]


def test_small_texts() -> None:
    text = "关于巡察整改情况的通报\n一、关于“甲”问题的整改\n(一)措施一。\n(二)措施二。\n二、关于“乙”问题的整改\n(一)措施三。"
    o = parse(text)
    assert o.grammar == "headings:cn" and len(o.problems) == 2
    assert [len(p.measures) for p in o.problems] == [2, 1]
    flat = parse("这是一段没有任何标题的文字。第二句。")
    assert flat.problems == [] and flat.grammar == "none"
    assert parse("").problems == []


def test_decimal_is_not_a_heading() -> None:
    o = parse("标题\n1.5万元已退回。\n")
    assert o.problems == []


def test_paragraph_fallback_only_in_notices() -> None:
    notice = "关于巡察整改情况的通报\n针对资金管理不规范问题，已清退资金3万元。\n召开专题会议研究部署整改工作，压实各方责任。\n针对党建工作薄弱问题，已整改完成。"
    o = parse(notice)
    assert o.grammar == "paragraphs"
    assert [_s(notice, p.title) for p in o.problems] == ["针对资金管理不规范问题", "针对党建工作薄弱问题"]
    assert all(p.description == p.span and p.measures == [] for p in o.problems)
    not_notice = notice.replace("巡察", "")  # no 巡察/巡视 anywhere: rules say "other", nothing is forced
    assert parse(not_notice).grammar == "none" and parse(not_notice).problems == []
    assert parse("关于巡察整改情况的通报\n已完成。\n好。").grammar == "none"  # nothing substantial to take


def test_bare_wenti_and_zhenggai_labels_pair_up() -> None:
    text = (
        "某局党委巡察整改进展情况\n问题：履行核心职能不到位\n整改：组织专题学习，已完成招商项目梳理。\n"
        "问题：财务管理不规范\n整改：修订财务制度，已全部清退违规款项。\n"
    )
    o = parse(text)
    assert [_s(text, p.title) for p in o.problems] == ["履行核心职能不到位", "财务管理不规范"]
    assert [len(p.measures) for p in o.problems] == [1, 1]
