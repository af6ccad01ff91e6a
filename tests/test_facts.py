"""Inspection facts (agent.text.facts), the document type and a news page's header lines, on short made-up
sentences written the way notices and news pages write them (none is copied from a gold notice)."""

from __future__ import annotations

import pytest

from agent.record.pipeline import analyse, rules_record
from agent.text.facts import InspectionFacts, inspection_facts
from agent.text.figures import find_figures
from agent.text.ingest import Notice
from agent.text.outline import parse
from agent.text.rules import doc_type


def facts(text: str, bare_ok: bool = True) -> InspectionFacts:
    return inspection_facts(text, (0, len(text)), find_figures(text), bare_ok=bare_ok)


def said(text: str, span: tuple[int, int] | None) -> str | None:
    return None if span is None else text[span[0] : span[1]]


def targets(text: str) -> list[str]:
    return [text[a:b] for a, b in facts(text).targets or []]


# --- the inspector as written at its first mention ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "inspector"),
    [
        (
            "2024年5月8日，十五届青山县委第三轮巡察第二巡察组向石门镇党委反馈巡察情况。",
            "十五届青山县委第三轮巡察第二巡察组",
        ),
        ("近日，十二届市委第五轮巡察8个巡察组全部进驻。", "十二届市委第五轮巡察8个巡察组"),
        ("县委第七轮巡察三个巡察组对甲镇、乙局开展了常规巡察。", "县委第七轮巡察三个巡察组"),
        ("从3月中旬开始，省委县(市、区)巡视组对甲县、乙县开展巡视。", "省委县(市、区)巡视组"),
        ("第三巡察组第二巡察小组向外国语学院党委反馈巡察情况。", "第三巡察组第二巡察小组"),
        ("镇党委书记表示，诚恳接受县委巡察组反馈的问题。", "县委巡察组"),  # 接受 is no place name
    ],
)
def test_inspector_as_written(text: str, inspector: str) -> None:
    assert said(text, facts(text).inspector) == inspector


def test_bare_group_in_a_round_announcement_is_no_inspector() -> None:
    text = "巡察期间，巡察组主要受理反映被巡察党组织领导班子及其成员问题的来信来电。"
    assert said(text, facts(text).inspector) == "巡察组"
    assert facts(text, bare_ok=False).inspector is None


# --- the kind: the inspected bodies' clause, as written in full ---------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("按照市委交叉巡察“回头看”的统一部署，交叉巡察第二组对甲局开展了巡察“回头看”。", "交叉巡察“回头看”"),
        ("在对12家单位开展专项巡视的同时，将对甲市、乙市开展巡视“回头看”。", "巡视“回头看”"),
        ("本轮巡察采取“常规巡察+专项巡察”方式推进。", "常规巡察+专项巡察"),
        ("集团公司第一轮内部巡视反馈工作全部完成。", "内部巡视"),
        ("县委第三巡察组向石门镇党委反馈村级全覆盖巡察情况。", "村级全覆盖巡察"),
    ],
)
def test_kind_as_written(text: str, kind: str) -> None:
    assert said(text, facts(text).kind) == kind


# --- dates: the stay, the feedback, a meeting's days -----------------------------------------------------


def test_days_of_feedback_give_its_first_day_not_a_stay() -> None:
    # settled 2026-12-06 (evals/gold/CONVENTION.md): feedback over several days is dated by its first day
    got = facts("2023年6月5日至6月9日，市委2个巡察组分别向5个被巡察党组织反馈了巡察情况。")
    assert (got.start, got.end, got.feedback_date) == (None, None, "2023-06-05")


@pytest.mark.parametrize("text, inspector", [
    ("根据市委统一部署，中共遂宁市委第二巡察组对市水利局开展了巡察。", "中共遂宁市委第二巡察组"),
    ("近日，3个县委巡察组向县卫健局等单位反馈了巡察情况。", "3个县委巡察组"),
    ("本轮巡察共组建7个巡察组，对永登县等单位开展巡察。", "7个巡察组"),
    ("州党委巡察组向7个单位反馈，本轮共派出7个巡察组。", "州党委巡察组"),  # a group with its body wins
    ("按照安排，十六个中央巡视组完成反馈。", "十六个中央巡视组"),
    ("5月10日省委巡视组进驻。", "省委巡视组"),  # a date's 日 is no part of the place
    ("市委派出三个专项巡察组开展巡察。", "三个专项巡察组"),  # 派出 is no modifier of the group
    ("2014年中央巡视组向该省反馈。", "中央巡视组"),  # nor is a date's 年 part of a place
    ("江门台山市委第一、第二巡察组分别进驻。", "江门台山市委第一、第二巡察组"),  # ordinals listed
    ("要负责同志就落实市委巡察组反馈意见作表态。", "市委巡察组"),
    ("近日，青山区委第一至第五巡察组分别进驻区农业局等单位。", "青山区委第一至第五巡察组"),  # a range of groups
    ("今年4月，市委第二巡察组、第七巡察组分别对甲集团、乙集团开展了巡察。", "市委第二巡察组、第七巡察组"),
])
def test_inspector_as_first_written(text: str, inspector: str) -> None:
    got = facts(text)
    assert got.inspector and text[got.inspector[0] : got.inspector[1]] == inspector


@pytest.mark.parametrize("text, feedback", [
    # the date told with the act, not another date of the sentence (a merger in brackets, a later check)
    ("4月至6月，市委巡察组对甲公司(该公司已于2022年12月重组)开展了巡察，并于2022年8月反馈了巡察意见。", "2022-08"),
    ("2024年3月1日至4月2日，县委巡察组对县民政局开展了巡察，7月6日，县委巡察组向县民政局反馈了巡察意见，"
     "11月5日，县纪委反馈了审核意见。", "2024-07-06"),
    ("2024年第二轮巡察情况反馈会议于3月17日召开。", "2024-03-17"),  # after the act when none is before it
])
def test_feedback_day_is_the_date_told_with_the_act(text: str, feedback: str) -> None:
    assert facts(text).feedback_date == feedback


def test_a_meetings_days_are_no_stay() -> None:
    got = facts("2022年工作总结。3月2日至4日，县委巡察工作领导小组听取第四轮巡察情况汇报。")
    assert (got.start, got.end) == (None, None)


def test_start_written_from_a_day_or_a_launch() -> None:
    assert facts("本轮巡察安排4个巡察组，从4月15日开始对3个乡镇党委开展常规巡察。").start == "--04-15"
    assert facts("2021年3月上旬，十届省委第二轮巡视正式启动。").start == "2021-03"


def test_another_rounds_days_are_skipped() -> None:
    text = (
        "日前，十届县委第二轮巡察5个巡察组向乙镇反馈巡察情况。2023年2月1日至3月30日，县委4个巡察组对甲镇开展"
        "第一轮巡察；6月1日至7月20日，县委5个巡察组对乙镇开展第二轮巡察。"
    )
    got = facts(text)
    assert (got.start, got.end) == ("2023-06-01", "2023-07-20")


def test_groups_of_one_round_stay_from_first_start_to_last_end() -> None:
    got = facts(
        "市委第一巡察组于2023年3月至5月对甲局开展了巡察；市委第二巡察组于2023年4月至2023年6月对乙局开展了巡察。"
    )
    assert (got.start, got.end) == ("2023-03", "2023-06")


def test_a_year_alone_is_no_feedback_date() -> None:
    assert facts("日前，集团召开2024年第一轮内部巡视集中反馈会议。").feedback_date is None


def test_a_span_start_written_later_dates_nothing() -> None:
    text = "5月9日，区委巡察工作动员会召开。会议指出，2018年巡察工作以来，区委完成巡察全覆盖。"
    assert next(f for f in find_figures(text) if f.text == "5月9日").iso == "--05-09"


# --- targets: the inspected bodies as written --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "bodies"),
    [
        # a person and the leadership stand between two bodies
        (
            "县委巡察组向东湖镇党委主要负责人张三同志和领导班子及东湖镇甲村、乙村等2个党组织反馈了巡察意见。",
            ["东湖镇党委", "东湖镇甲村", "乙村"],
        ),
        ("省委第二巡视组向北山市委书记李四和领导班子反馈了巡视情况。", ["北山市委"]),
        # one example standing for a count is the body as written; a count closing a list is not
        ("县委派出巡察组对县水利局等4个部门党组开展常规巡察。", ["县水利局等4个部门党组"]),
        (
            "县委巡察组对县水利局、县林业局、县统计局等3个单位开展常规巡察。",
            ["县水利局", "县林业局", "县统计局"],
        ),
        (
            "校党委巡察组分别对办公室(党委办公室、校长办公室)、图书馆等开展常规巡察。",
            ["办公室(党委办公室、校长办公室)", "图书馆"],
        ),
        ("近日，市委巡察组分别向6个被巡察党组织反馈了巡察情况。", ["6个被巡察党组织"]),
        (
            "市委第一巡察组对甲局开展了巡察；市委第二巡察组对乙局、丙局开展了常规巡察。",
            ["甲局", "乙局", "丙局"],
        ),
        (
            "区委第一巡察组向南湖街道党工委反馈金山村等12个村(社区)党组织巡察情况。",
            ["南湖街道党工委", "金山村等12个村(社区)党组织"],
        ),
        ("十届区委第三轮巡察已完成对甲公司、乙公司等2家被巡察单位党组织的巡察反馈。", ["甲公司", "乙公司"]),
        ("县委第二巡察组巡察红星街道情况反馈会召开。", ["红星街道"]),
        ("区委巡察组对甲局开展常规巡察，对区教育局直属的15所学校开展专项巡察。", ["甲局"]),
        ("督查组对各轮巡察的被巡察单位开展巡察整改专项督查。", []),
        ("同步对口开展医疗领域专项巡察。", []),
    ],
)
def test_targets_as_written(text: str, bodies: list[str]) -> None:
    assert targets(text) == bodies


# --- the document type --------------------------------------------------------------------------------


def test_rectification_of_several_bodies_is_a_roundup() -> None:
    text = "巡察整改进展情况\n根据巡察工作安排，现将整改进展情况公布。各被巡察党组织认真落实整改责任。"
    assert doc_type(text, "巡察整改进展情况", 0) == "rectification_roundup"


def test_feedback_is_an_act_not_the_word() -> None:
    stats = "县委巡察坚持发现什么问题、反馈什么问题，本轮巡察共发现问题89个，整改是关键。"
    assert doc_type(stats, "", 0) == "other"
    news = "6月1日至7月1日，县委巡察组对甲局开展了巡察。\n反馈中，巡察组组长指出了存在的问题。"
    assert doc_type(news, "", 0) == "feedback"


# --- a news page's header and an announcement's trailer -------------------------------------------------


def test_meta_line_under_the_title_is_the_published_date() -> None:
    text = "县委巡察组向甲镇党委反馈巡察情况\n来源：县纪委 发布时间: 2024-03-08\n根据县委统一部署，县委巡察组向甲镇党委反馈。"
    out = parse(text)
    assert said(text, out.title) == "县委巡察组向甲镇党委反馈巡察情况"
    assert said(text, out.published) == "2024-03-08"


def test_table_row_is_no_title_and_its_date_is_published() -> None:
    text = "| 索引号 | 001 | 发布机构 | 某区管委会 |\n| 成文日期 | 2024-09-01 | 公开方式 | 主动公开 |\n8月20日，区委巡察组向甲局反馈巡察情况。"
    out = parse(text)
    assert out.title is None and said(text, out.published) == "2024-09-01"


def test_subtitle_line_belongs_to_the_title() -> None:
    text = "整改见实效\n——省委第五轮巡视整改情况综述\n根据省委部署，各被巡视党组织认真整改。"
    assert said(text, parse(text).title) == "整改见实效\n——省委第五轮巡视整改情况综述"


def test_announcement_signed_by_the_group_with_its_contacts() -> None:
    text = (
        "巡察公告\n按照市委统一部署，市委第二巡察组对甲局开展专项巡察。\n巡察组办公地点:某市和平路8号\n"
        "电子邮箱:xc2@example.cn\n联系电话:13900001111\n受理时间:工作日9:00—17:00\n特此公告。\n中共某市委第二巡察组\n2024年4月1日"
    )
    rec = rules_record(analyse(Notice(source="x", text=text, encoding="utf-8", notice_id="n")))
    assert rec.issuer is not None and rec.issuer.text == "中共某市委第二巡察组"
    assert (rec.contact.address.text, rec.contact.email.text, rec.contact.phone.text) == (
        "某市和平路8号",
        "xc2@example.cn",
        "13900001111",
    )


def test_issuer_in_a_title_of_a_party_group() -> None:
    text = "中共某县统计局党组关于巡察整改情况的通报\n根据县委统一部署，县委巡察组对县统计局党组开展了巡察。"
    rec = rules_record(analyse(Notice(source="x", text=text, encoding="utf-8", notice_id="n")))
    assert rec.issuer is not None and rec.issuer.text == "中共某县统计局党组"


def test_feedback_after_a_stay_that_ends_the_year_is_next_year() -> None:
    got = facts("2017年10月9日至12月8日，市委巡察组开展机动巡察。1月24日至1月30日，市委巡察组分别向被巡察单位反馈了巡察情况。")
    assert (got.start, got.end, got.feedback_date) == ("2017-10-09", "2017-12-08", "2018-01-24")
