"""Findings listed in prose, on short hand-made texts (no model): the ways news lists findings without headings.

Each text is written fresh for the test, in the genre's wording, never copied from a gold notice.
"""

from __future__ import annotations

import pytest

from agent.record.pipeline import analyse, rules_record
from agent.text.findings import prose
from agent.text.findings.items import list_at, some_runs
from agent.text.ingest import Notice
from agent.text.outline import parse


def _s(text: str, span: tuple[int, int] | None) -> str | None:
    return None if span is None else text[span[0] : span[1]]


def _problems(text: str) -> list[tuple[str, str]]:
    o = parse(text)
    return [(text[p.span[0] : p.span[1]], text[p.title[0] : p.title[1]]) for p in o.problems]


def test_youde_clauses_are_items_marked_by_youde() -> None:
    text = (
        "县委第三巡察组向某镇党委反馈巡察情况。\n"
        "反馈指出，该镇做了大量工作，但巡察中也发现了一些问题。有的村干部学习教育不深入，理论武装不扎实；"
        "有的村集体资金管理不规范，票据审核把关不严；有的党支部组织生活流于形式，“三会一课”落实不到位等。\n"
    )
    got = _problems(text)
    assert [title for _, title in got] == ["村干部学习教育不深入", "村集体资金管理不规范", "党支部组织生活流于形式"]
    assert got[0][0].startswith("有的村干部") and not got[2][0].endswith("等")
    assert got[2][0].endswith("“三会一课”落实不到位")  # a quote inside an item does not cut it


def test_a_quoted_run_ends_at_the_quotes_close() -> None:
    text = "“少数单位落实整改责任不力；有的干部作风漂浮，服务意识不强……”近日，市委巡察组陆续反馈巡察情况。"
    runs = some_runs(text, 0, len(text))
    assert [[text[a:b] for a, b in run] for run in runs] == [["少数单位落实整改责任不力", "有的干部作风漂浮，服务意识不强"]]


def test_youde_that_is_not_a_finding() -> None:
    text = "巡察组要求有的放矢抓整改；有的问题立行立改；有的问题限期整改。"
    assert some_runs(text, 0, len(text)) == []  # no problem is stated, only how to fix them


def test_cue_ending_a_paragraph_opens_the_numbered_paragraphs_below() -> None:
    text = (
        "市委第二巡察组向某局党组反馈意见\n"
        "根据市委统一部署，市委第二巡察组对某局党组开展了常规巡察。现将巡察发现的主要问题通报如下：\n"
        "1.贯彻落实上级决策部署有差距。重点工作推进较慢。\n"
        "2.财务管理不规范。公务接待审核不严。\n"
        "3.干部队伍建设有短板。年轻干部储备不足。\n"
        "巡察组要求，局党组要切实履行整改主体责任。\n"
    )
    got = _problems(text)
    assert [title for _, title in got] == ["贯彻落实上级决策部署有差距", "财务管理不规范", "干部队伍建设有短板"]
    assert got[0][0] == "1.贯彻落实上级决策部署有差距。重点工作推进较慢"  # one item per numbered paragraph


def test_findings_heading_line_and_one_finding_per_sentence() -> None:
    text = (
        "省委巡视组向某市委反馈巡视情况。\n"
        "问题\n"
        "落实全面从严治党主体责任不到位，基层党建薄弱。违规发放津贴补贴问题屡禁不止。"
        "此外，巡视组还收到反映领导干部的问题线索，已按规定移交有关部门处理。\n"
        "建议\n"
        "严格落实管党治党责任。\n"
    )
    got = [span for span, _ in _problems(text)]
    assert got == ["落实全面从严治党主体责任不到位，基层党建薄弱", "违规发放津贴补贴问题屡禁不止"]


def test_a_numbered_item_ends_before_the_leads_handed_on() -> None:
    text = (
        "巡察组反馈指出，巡察发现的主要问题是：一是学习贯彻不够深入；二是落实整改责任不严不实。"
        "同时，巡察组还收到一些问题线索，已按规定转有关方面处理。\n"
    )
    assert [span for span, _ in _problems(text)] == ["一是学习贯彻不够深入", "二是落实整改责任不严不实"]


def test_a_reference_to_problems_is_not_a_list() -> None:
    text = "深入发现并推动解决该院党委存在的突出问题"
    assert list_at(text, 0, len(text)) is None
    listed = "巡察发现部分村存在账目不清、公章管理混乱等问题"
    m = list_at(listed, 0, len(listed))
    assert m is not None and m.group("list") == "账目不清、公章管理混乱"


def test_qi_markers_are_one_row_of_the_marker_grammar() -> None:
    # 其一，…其二，…: a style the grammar holds once (agent.text.markers), read as list items everywhere
    text = "巡察发现，该镇存在以下问题：其一，理论学习不深入，研讨流于形式；其二，村级财务管理不规范；其三，干部作风不实。"
    assert [title for _, title in _problems(text)] == ["理论学习不深入", "村级财务管理不规范", "干部作风不实"]
    assert [span for span, _ in _problems(text)][1] == "其二，村级财务管理不规范"


def test_a_list_closed_by_its_count_is_a_list() -> None:
    # 等问题557个: the round's tally closes the list (a lead count that follows is no finding)
    text = "巡视组发现被巡视单位党组织存在落实责任不严格、违规用人、“四风”问题屡禁不止等问题557个，涉及问题线索264件。"
    assert [span for span, _ in _problems(text)] == ["落实责任不严格", "违规用人", "“四风”问题屡禁不止"]


def test_clauses_after_a_cue_are_items_when_short_and_unparted_by_semicolons() -> None:
    text = "巡察组指出，该局也存在一些问题，主要表现在：业务培训抓得不实，内部审批流程不规范，档案管理较为混乱等。"
    assert [span for span, _ in _problems(text)] == ["业务培训抓得不实", "内部审批流程不规范", "档案管理较为混乱"]
    parted = "巡察组指出，该局存在的主要问题是：业务培训抓得不实，学用脱节；审批流程不规范，台账缺失。"
    assert [span for span, _ in _problems(parted)] == ["业务培训抓得不实，学用脱节", "审批流程不规范，台账缺失"]


def test_aspects_each_written_with_fangmian_keep_their_own_dun() -> None:
    text = "巡察组反馈，2个社区在落实上级部署方面、服务居民群众方面、基层组织软弱、作风漂浮方面还存在一些突出问题。"
    assert [span for span, _ in _problems(text)] == ["落实上级部署方面", "服务居民群众方面", "基层组织软弱、作风漂浮方面"]


def test_a_led_in_youde_run() -> None:
    text = "巡察组反馈了巡察情况。\n近年来该系统工作取得进展。但巡察也发现，有的单位落实整改责任不到位；有的单位财务管理不规范，票据审核不严。"
    assert [title for _, title in _problems(text)] == ["单位落实整改责任不到位", "单位财务管理不规范"]


def test_unit_lines_inside_a_findings_list() -> None:
    text = (
        "省委巡视组近日反馈了巡视情况。从反馈的情况看，被巡视地区主要存在以下问题：\n"
        "甲县\n"
        "落实管党治党责任不力。违规发放津贴补贴，资金管理较混乱。\n"
        "乙市\n"
        "选人用人不规范，超职数配备干部。基层组织建设亟待加强。\n"
    )
    o = parse(text)
    got = [(text[p.span[0] : p.span[1]], p.unit) for p in o.problems]
    assert got == [
        ("落实管党治党责任不力", "甲县"),
        ("违规发放津贴补贴，资金管理较混乱", "甲县"),  # one finding per sentence, details included
        ("选人用人不规范，超职数配备干部", "乙市"),
        ("基层组织建设亟待加强", "乙市"),
    ]


def test_a_disclosure_that_names_its_unit_after_zhichu() -> None:
    text = "省委巡视组指出，某某县委落实上级决策部署不够有力，项目推进缓慢。对国资监管不力。违规吃喝问题屡禁不止。\n"
    o = parse(text)
    assert [(text[p.span[0] : p.span[1]], p.unit) for p in o.problems] == [
        ("落实上级决策部署不够有力，项目推进缓慢", "某某县委"),
        ("对国资监管不力", "某某县委"),
        ("违规吃喝问题屡禁不止", "某某县委"),
    ]


def test_items_parted_by_ascii_semicolons_are_not_split_at_commas() -> None:
    text = "但巡察中也发现一些问题，主要是：学习教育不到位，贯彻落实有差距;作风建设不扎实，纪律执行不严格等问题。"
    assert [span for span, _ in _problems(text)] == ["学习教育不到位，贯彻落实有差距", "作风建设不扎实，纪律执行不严格"]


def test_youde_clauses_parted_by_commas() -> None:
    text = "巡视组反馈了情况。\n巡视也发现了一些问题，主要集中在以下几个方面：有的整改仍不彻底，有的监督责任仍未压实，有的基础工作比较薄弱。"
    assert [title for _, title in _problems(text)] == ["整改仍不彻底", "监督责任仍未压实", "基础工作比较薄弱"]


def test_sentences_led_by_an_aspect() -> None:
    text = (
        "巡视组反馈了巡视情况。\n但巡视中干部群众也反映了一些问题，主要是：在作风建设方面，违规用车、公款吃喝等问题仍不同程度存在。"
        "在选人用人方面，干部选拔程序不规范，档案管理混乱；有的单位违规超职数配备干部。\n"
    )
    assert [span for span, _ in _problems(text)] == [
        "违规用车",
        "公款吃喝",
        "干部选拔程序不规范，档案管理混乱",
        "有的单位违规超职数配备干部",
    ]


def test_sentences_each_opened_by_a_unit() -> None:
    text = (
        "省委巡视组向5个市反馈了巡视情况。\n"
        "巡视指出，各市存在党的领导弱化、全面从严治党不力等突出问题。甲市履行管党治党责任不到位，违规吃喝问题多发。"
        "乙市基层党组织建设薄弱，专项资金管理不严。\n"
    )
    o = parse(text)
    assert [(text[p.span[0] : p.span[1]], p.unit) for p in o.problems] == [
        ("党的领导弱化", None),
        ("全面从严治党不力", None),
        ("履行管党治党责任不到位，违规吃喝问题多发", "甲市"),
        ("基层党组织建设薄弱，专项资金管理不严", "乙市"),
    ]


def test_a_news_item_that_opens_by_quoting_the_findings() -> None:
    text = "“发展党员把关不严，党员档案缺失较多，会议记录不规范……”近日，市委巡察组向某镇党委反馈了巡察发现的问题。\n"
    assert [span for span, _ in _problems(text)] == ["发展党员把关不严", "党员档案缺失较多", "会议记录不规范"]


def test_what_an_inspection_looks_at_is_no_finding() -> None:
    text = (
        "市委巡察组进驻某局开展巡察。\n巡察的主要内容是：一是聚焦贯彻落实上级决策部署情况，重点关注工作落实不到位问题；"
        "二是聚焦群众身边腐败问题，重点关注违规违纪问题。\n"
    )
    assert _problems(text) == []


def test_a_rectification_paragraph_that_answers_a_quoted_finding() -> None:
    text = (
        "某镇巡察整改工作取得成效。\n针对“村级活动场所管理不规范”问题，该村修订管理制度，已完成场所清理。"
        "下一步将持续开展督查。\n"
    )
    o = parse(text)
    (p,) = o.problems
    assert _s(text, p.title) == "村级活动场所管理不规范" and p.span[0] == text.index("针对")
    assert [_s(text, m) for m in p.measures] == ["该村修订管理制度，已完成场所清理", "下一步将持续开展督查"]


def test_a_list_with_a_quoted_label_and_a_some_lead() -> None:
    text = "巡察中发现6个社区还普遍存在决策落实有落差、组织建设有欠缺、民生服务有短板等“三有”问题。"
    m = list_at(text, 0, len(text))
    assert m is not None and m.group("list") == "决策落实有落差、组织建设有欠缺、民生服务有短板"
    some = "巡察组及时发现了一些政治站位还不够高、业务能力还不够强等问题。"
    m = list_at(some, 0, len(some))
    assert m is not None and m.group("list") == "政治站位还不够高、业务能力还不够强"


def test_numbered_paragraphs_under_a_heading_and_the_aspect_that_frames_them() -> None:
    text = (
        "县委巡察组反馈巡察情况\n二、存在的问题\n(一)党建责任落实不到位，支部建设不规范。\n"
        "一是党支部书记对党建工作要求认识有差距。党建意识不强。\n二是党内政治生活不严肃。记录不规范。\n"
        "三、整改要求\n一是要提高认识。\n"
    )
    assert [span for span, _ in _problems(text)] == [
        "一是党支部书记对党建工作要求认识有差距。党建意识不强",  # 要求 inside a finding is no requirement
        "二是党内政治生活不严肃。记录不规范",
    ]


def test_aspects_that_frame_a_list_after_zhuyaoshi_are_no_findings() -> None:
    text = (
        "学校党委第二巡察组向某学院党委反馈巡察情况。\n"
        "巡察发现该学院党委在贯彻落实上级部署、基层党组织建设等方面存在一些问题、短板和弱项，主要是：落实民主集中制不到位，"
        "党建工作基础不扎实。\n"
    )
    got = " ".join(span for span, _ in _problems(text))
    assert "落实民主集中制不到位" in got and "党建工作基础不扎实" in got
    assert not any(title in ("贯彻落实上级部署", "基层党组织建设") for _, title in _problems(text))


def test_a_dun_list_of_defects_each_ending_on_its_shortfall() -> None:
    text = (
        "市委第二巡察组向某医院党委反馈巡察意见。\n"
        "反馈指出，该院在改革发展等方面做出了贡献。巡察中也发现院党委学习理论不够深入、落实两个责任不够有力、"
        "推动高质量发展方面还有差距。\n"
    )
    assert [title for _, title in _problems(text)] == ["院党委学习理论不够深入", "落实两个责任不够有力", "推动高质量发展方面还有差距"]


def test_a_noun_list_after_faxian_is_no_defect_list() -> None:
    text = "市委巡察组向某局反馈。巡察组发现了该局在党的建设、作风建设两方面的做法，予以肯定。\n"
    assert _problems(text) == []


def test_what_is_asked_after_the_aspects_is_no_finding() -> None:
    text = (
        "市委第三巡察组向某医院反馈。\n会上，组长指出该院在党的领导、全面从严治党等方面存在的问题，针对存在的问题，"
        "巡察组提出两点意见：一是加强党的领导；二是全面加强党的建设。\n"
    )
    titles = [title for _, title in _problems(text)]
    assert "党的领导" in titles and not any("加强" in t for t in titles)


@pytest.mark.parametrize("reader", prose.PARAGRAPH_READERS, ids=lambda r: r.name)
def test_each_paragraph_reader_reads_its_example_and_not_its_non_example(reader: prose.ParagraphReader) -> None:
    got = reader.read(reader.example, 0, len(reader.example))
    assert got, f"{reader.name} does not read its example"
    earlier = prose.PARAGRAPH_READERS[: prose.PARAGRAPH_READERS.index(reader)]
    assert all(r.read(reader.example, 0, len(reader.example)) is None for r in earlier), "an earlier reader takes it"
    if reader.non_example:
        assert not reader.read(reader.non_example, 0, len(reader.non_example))


@pytest.mark.parametrize("text", [
    "某局召开巡察反馈会\n反馈严肃指出了被巡察党组织存在的问题：一是学习贯彻上级部署有差距；二是财务管理不规范。",
    "某局召开巡察反馈会\n巡察组组长反馈了巡察中发现的问题：一是学习贯彻上级部署有差距；二是财务管理不规范。",
])
def test_the_group_that_speaks_before_its_findings_is_no_unit(text: str) -> None:
    """``X存在的问题：`` ties findings to the body X, unless X is the group or a cue verb that speaks of them."""
    rec = rules_record(analyse(Notice("t.txt", text, "utf-8", "test")))
    assert [p.title.text for p in rec.problems] == ["学习贯彻上级部署有差距", "财务管理不规范"]
    assert rec.units == [] and all(p.unit is None for p in rec.problems)
