"""Rule-based figures (agent.text.figures): one test per rule, the five sample notices read by hand, and properties.

The expected lists for the notices were written by reading each notice, not by copying the function's
output. They are asserted as "contained in" the output (set of (text, value, unit, kind)), plus a list of
ordinals, markers and set phrases in that notice that no figure may touch. Dates without a year carry
value 0.0 and an ISO ``--MM-DD`` unless the date right before them (joined by 、/和) gives the year.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import cn2an
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.schema import Figure
from agent.text.figures import find_figures, money_to_yuan, parse_number

NOTICES = Path(__file__).resolve().parent.parent / "evals" / "notices"

Row = tuple[str, float, str, str]


def _value(text: str, value: float, kind: str) -> float:
    """A date written without its year takes the year from context (scored against gold by the eval, where
    gold may read the context differently): the tables check its text and kind, not that year."""
    return -1.0 if kind == "date" and not re.search(r"\d{4}|[〇零一二三四五六七八九]{4}|\d{2}年", text) else value


def rows(text: str) -> set[Row]:
    return {(f.text, _value(f.text, f.value, f.kind), f.unit, f.kind) for f in find_figures(text)}


def one(text: str) -> Figure:
    figs = find_figures(text)
    assert len(figs) == 1, [f.text for f in figs]
    return figs[0]


def table(spec: str) -> set[Row]:
    """``text|value|unit|kind`` per line."""
    out: set[Row] = set()
    for line in spec.strip().splitlines():
        text, value, unit, kind = line.strip().split("|")
        out.add((text, _value(text, float(value), kind), unit, kind))
    return out


# --------------------------------------------------------------------------------------------- unit rules


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("29.23万元", 292300.0),
        ("投入5亿元", 5e8),
        ("3828380.26元", 3828380.26),
        ("清退款项432.5万元", 4325000.0),
        ("金额36412.60元", 36412.6),
        ("214.45亿元", 21445000000.0),
        ("1,234,567.5元", 1234567.5),
        ("两万元", 20000.0),
        ("3千元", 3000.0),
    ],
)
def test_money_is_normalised_to_yuan(text: str, expected: float) -> None:
    f = one(text)
    assert (f.kind, f.unit, f.value, f.approx) == ("money", "元", expected, False)


@pytest.mark.parametrize(
    ("text", "surface"),
    [("收缴违纪款2万余元", "2万余元"), ("共100多万元", "100多万元"), ("二十余万元", "二十余万元")],
)
def test_money_approx(text: str, surface: str) -> None:
    f = one(text)
    assert f.text == surface and f.kind == "money" and f.approx


@pytest.mark.parametrize(
    ("text", "surface", "value"),
    [
        ("实行200万以下项目应公开招标", "200万", 2e6),
        ("200万元以上项目提交至区交易中心", "200万元", 2e6),
        ("由32个村分别出资100万组建振村公司", "100万", 1e6),
    ],
)
def test_thresholds_and_bare_wan_in_money_context(text: str, surface: str, value: float) -> None:
    money = [f for f in find_figures(text) if f.kind == "money"]
    assert [(f.text, f.value, f.unit) for f in money] == [(surface, value, "元")]


def test_bare_wan_without_money_context_is_not_money() -> None:
    assert [f.kind for f in find_figures("全市人口200万以上")] == []
    assert rows("覆盖1.2万人") == {("1.2万人", 12000.0, "人", "count")}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("指出189个问题", {("189个", 189.0, "个", "count")}),
        ("立案2件3人", {("2件", 2.0, "件", "count"), ("3人", 3.0, "人", "count")}),
        ("16个方面", {("16个", 16.0, "个", "count")}),
        ("分为4大类", {("4大类", 4.0, "类", "count")}),
        ("12处房产、12宗土地", {("12处", 12.0, "处", "count"), ("12宗", 12.0, "宗", "count")}),
        ("东兴水利等7个支部", {("7个", 7.0, "个", "count")}),
        ("入库固定资产1869项", {("1869项", 1869.0, "项", "count")}),
        ("整转教育16名党员", {("16名", 16.0, "名", "count")}),
        (
            "开展3次、1场次、1起、9家、56名、2次",
            {
                ("3次", 3.0, "次", "count"),
                ("1场次", 1.0, "场次", "count"),
                ("1起", 1.0, "起", "count"),
                ("9家", 9.0, "家", "count"),
                ("56名", 56.0, "名", "count"),
                ("2次", 2.0, "次", "count"),
            },
        ),
        ("领办整改问题16 个", {("16 个", 16.0, "个", "count")}),
        ("三个方面", {("三个", 3.0, "个", "count")}),
        ("十一个村", {("十一个", 11.0, "个", "count")}),
        ("有两名党员", {("两名", 2.0, "名", "count")}),
        ("唐店等12村食堂", {("12村", 12.0, "村", "count")}),
    ],
)
def test_counts_take_the_measure_word(text: str, expected: set[Row]) -> None:
    assert rows(text) == expected


@pytest.mark.parametrize(
    ("text", "surface", "value", "unit"),
    [
        ("惠及5000余人次", "5000余人次", 5000.0, "人次"),
        ("100多人参加", "100多人", 100.0, "人"),
        ("开展30余次", "30余次", 30.0, "次"),
        ("约50人", "50人", 50.0, "人"),
        ("30人左右", "30人", 30.0, "人"),
        ("十多人", "十多人", 10.0, "人"),
    ],
)
def test_approx_counts(text: str, surface: str, value: float, unit: str) -> None:
    f = one(text)
    assert (f.text, f.value, f.unit, f.kind, f.approx) == (surface, value, unit, "count", True)


@pytest.mark.parametrize(
    ("text", "surface", "value", "unit"),
    [
        ("百分之九十五", "百分之九十五", 95.0, "%"),
        ("占比93.5%", "93.5%", 93.5, "%"),
        ("占48%", "48%", 48.0, "%"),
        ("成活百分之百", "百分之百", 100.0, "%"),
        ("提高5个百分点", "5个百分点", 5.0, "个百分点"),
        ("全角５０％", "５０％", 50.0, "%"),
    ],
)
def test_percent(text: str, surface: str, value: float, unit: str) -> None:
    f = one(text)
    assert (f.text, f.value, f.unit, f.kind) == (surface, value, unit, "percent")


@pytest.mark.parametrize(
    ("text", "surface", "value", "unit"),
    [
        ("收回843.33亩", "843.33亩", 843.33, "亩"),
        ("用地共26997平方米", "26997平方米", 26997.0, "平方米"),
        ("沟渠14公里", "14公里", 14.0, "公里"),
        ("长5米", "5米", 5.0, "米"),
        ("垃圾22.48吨", "22.48吨", 22.48, "吨"),
        ("3.5万亩", "3.5万亩", 35000.0, "亩"),
        ("5千米", "5千米", 5.0, "千米"),
    ],
)
def test_measures(text: str, surface: str, value: float, unit: str) -> None:
    f = one(text)
    assert (f.text, f.value, f.unit, f.kind) == (surface, value, unit, "measure")


@pytest.mark.parametrize(
    ("text", "surface", "value", "unit", "approx"),
    [
        ("为期15天", "15天", 15.0, "天", False),
        ("10个工作日内", "10个工作日", 10.0, "个工作日", False),  # gold v1's unit keeps 个
        ("55岁以上", "55岁", 55.0, "岁", False),  # an age is a span of life (gold v1: duration)
        ("60周岁以上", "60周岁", 60.0, "周岁", False),
        ("为期两个月", "两个月", 2.0, "月", False),
        ("不少于10天", "10天", 10.0, "天", False),
        ("3年内", "3年", 3.0, "年", False),
        ("1个多月", "1个多月", 1.0, "月", True),
        ("余款一年后结清", "一年", 1.0, "年", False),
    ],
)
def test_durations(text: str, surface: str, value: float, unit: str, approx: bool) -> None:
    f = one(text)
    assert (f.text, f.value, f.unit, f.kind, f.approx) == (surface, value, unit, "duration", approx)


@pytest.mark.parametrize(
    ("text", "surface", "iso", "iso_end"),
    [
        ("于2023年10月9日反馈", "2023年10月9日", "2023-10-09", None),
        ("2023年1-9月,产值", "2023年1-9月", "2023-01", "2023-09"),
        ("2023年1—9月份,产值", "2023年1—9月份", "2023-01", "2023-09"),
        ("2023年10月9日至2024年1月14日", "2023年10月9日至2024年1月14日", "2023-10-09", "2024-01-14"),
        ("2022年5月7日至6月24日", "2022年5月7日至6月24日", "2022-05-07", "2022-06-24"),
        ("2023年8月29日至10月26日", "2023年8月29日至10月26日", "2023-08-29", "2023-10-26"),
        ("2020年9月-12月", "2020年9月-12月", "2020-09", "2020-12"),
        ("2019年3月至2021年11月期间", "2019年3月至2021年11月", "2019-03", "2021-11"),
        ("2019—2022年纪实手册", "2019—2022年", "2019", "2022"),
        ("2013年到2014年", "2013年到2014年", "2013", "2014"),
        ("2022年12月至1月", "2022年12月至1月", "2022-12", "2023-01"),
        ("2023年12月,反馈", "2023年12月", "2023-12", None),
        ("2019年以来,11个村", "2019年以来", "2019", None),
        ("2023年度人居环境", "2023年度", "2023", None),
        ("2024-01-26 来源", "2024-01-26", "2024-01-26", None),
        ("二〇二四年十月十一日", "二〇二四年十月十一日", "2024-10-11", None),
        ("且有自96年华能二期征收", "96年", "1996", None),
    ],
)
def test_dates(text: str, surface: str, iso: str, iso_end: str | None) -> None:
    dates = [f for f in find_figures(text) if f.kind == "date"]
    assert len(dates) == 1
    f = dates[0]
    assert (f.text, f.iso, f.iso_end, f.unit) == (surface, iso, iso_end, "date")
    assert f.value == float(iso[:4])


def test_dates_without_year() -> None:
    f = one("3月21日,巡察组正式反馈")
    assert (f.text, f.iso, f.value) == ("3月21日", "--03-21", 0.0)
    f = one("3—4月份排查")
    assert (f.iso, f.iso_end) == ("--03", "--04")
    # a year-less date takes the year of its context, as gold does (3月21日 in xiaodian is 2024-03-21): the
    # nearest dated figure before it, the end year of a range, else the nearest after it
    figs = find_figures("2021年8月9日、9月28日和10月9日的会议;9月25日召开")
    assert [f.iso for f in figs] == ["2021-08-09", "2021-09-28", "2021-10-09", "2021-09-25"]
    assert [f.value for f in figs] == [2021.0, 2021.0, 2021.0, 2021.0]
    figs = find_figures("2023年10月9日至2024年1月14日开展巡察。3月21日反馈")
    assert figs[-1].iso == "2024-03-21"
    figs = find_figures("7月4日召开会议。发布时间：2025-07-20")
    assert figs[0].iso == "2025-07-04"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("利用半个月时间开展督查", {("半个月", 0.5, "月", "duration")}),
        ("用了一个半月完成", {("一个半月", 1.5, "月", "duration")}),
        ("半年内完成整改", {("半年", 0.5, "年", "duration")}),
        ("2024年上半年完成", {("2024年", 2024.0, "date", "date")}),  # 上半年 is a part of the year, no span
        ("每半年开展一次", set()),  # a frequency
        ("提出3点整改意见", {("3点", 3.0, "点", "count")}),
        ("提出五点建议", {("五点", 5.0, "点", "count")}),
        ("上午9点召开", set()),  # the time of day
        ("9点30分开会", set()),
        ("本轮巡察分五组进驻", {("五组", 5.0, "组", "count")}),
        ("在3大方面存在的9个问题", {("3大方面", 3.0, "方面", "count"), ("9个", 9.0, "个", "count")}),
        ("反馈的四方面问题", {("四方面", 4.0, "方面", "count")}),
        ("前后两任书记", {("两任", 2.0, "任", "count")}),
        ("该村一名干部长期不在岗", {("一名", 1.0, "名", "count")}),
        ("实行清单交办、跟踪督办三项工作机制", set()),  # a named set of mechanisms
    ],
)
def test_news_figure_forms(text: str, expected: set[Row]) -> None:
    assert rows(text) == expected


def test_months_listed_with_one_month_word() -> None:
    figs = [f for f in find_figures("2021年学习记录中无3、5、11月资料") if f.kind == "date"]
    assert [(f.text, f.iso) for f in figs] == [("2021年", "2021"), ("3", "2021-03"), ("5", "2021-05"), ("11月", "2021-11")]


def test_rectification_dates_take_the_feedback_year() -> None:
    """What was done about a finding (``整改情况：``) happened after the feedback: a date there without a year,
    with no year before it in its paragraph, takes the opening's year, not the year the finding speaks of."""
    text = ("2022年9月至11月巡察，2023年2月10日反馈。\n(1)会议记录不全。2021年无会议记录。\n"
            "整改情况：4月6日补齐记录，2023年起按月检查；5月再次检查。\n(2)资料缺失。2020年资料缺失。")
    isos = {f.text: f.iso for f in find_figures(text) if f.kind == "date"}
    assert isos["4月6日"] == "2023-04-06" and isos["5月"] == "2023-05"


def test_a_span_start_after_a_date_gives_it_no_year() -> None:
    figs = find_figures("5月10日，巡察动员会召开。会议指出，2017年巡察工作以来成效明显。")
    assert [f.iso for f in figs if f.kind == "date"] == ["--05-10", "2017"]
    figs = find_figures("2023年以来，镇党委狠抓整改。3月召开专题会。")  # before it, it does
    assert figs[-1].iso == "2023-03"


def test_invalid_dates_are_not_dates() -> None:
    assert [f.iso for f in find_figures("2023年2月30日")] == ["2023-02"]
    assert [f for f in find_figures("13月") if f.kind == "date"] == []


@pytest.mark.parametrize(
    ("text", "surface", "value"),
    [
        ("联系电话:0570-2971001,邮政", "0570-2971001", 5702971001.0),
        ("电话0554-4771645;", "0554-4771645", 5544771645.0),
        ("手机13812345678", "13812345678", 13812345678.0),
        ("举报电话12388", "12388", 12388.0),
        ("(0570)2971001", "(0570)2971001", 5702971001.0),
    ],
)
def test_phones_are_one_figure(text: str, surface: str, value: float) -> None:
    f = one(text)
    assert (f.text, f.value, f.unit, f.kind) == (surface, value, "phone", "phone")


@pytest.mark.parametrize(
    "text",
    [
        "第三轮",
        "第一巡察组",
        "第五轮巡察",
        "十二届昌吉州党委",
        "十五届",
        "第四农村专项巡察组",
        "采取“第一种形态”处置",
        "一、总体情况\n(一)组织领导\n（一）组织领导\n1.情况\n1、情况\n(1)情况\n（2）情况\n一是提高认识,二是四是",
        "“两个责任”",
        "“三会一课”",
        "中央八项规定精神",
        "“四议三会两公开”",
        "“1+2”文件",
        "“一对一”",
        "“1+1+1”指导组",
        "用好1+1+1指导组",
        "“六大行动”",
        "“三管三必须”",
        "“五议两公开”",
        "“六治六提”",
        "纳入三中心跟岗",
        "一岗双责",
        "“5+5”培训",
        "《关于开展2020年全民义务植树活动的通知》",
        "《七户乡三年行动方案》",
        "见http://www.x.gov.cn/12个/3次",
        "电子邮箱:hangbu2323@163.com",
        "一些问题、一步到位、统一思想、一流标准、进一步扩大",
        "一个不漏、一个不留",
        "整改一个,销号一个",
        "一村一策",
        "举一反三",
        "一周一督办",
        "一次性告知",
        "每一个环节",
        "任何一个问题",
        "奇台县七户乡",
        "扶持三场槽子村",
        "机关二支部",
        "华能二期",
        "党的二十大精神",
        "三级乙等",
        "二级专职消防队",
        "3星级条件",
        "(〔2023〕28号)",
        "K12学校",
        "航华路23号",
        "“四位一体”议事",
        "四位一体",
        "千人计划",
        "两个一百年",
        "一等奖、二等奖",
        "一批信访事项",
        "几十人",
        "今年三季度",
    ],
)
def test_not_figures(text: str) -> None:
    assert find_figures(text) == []


def test_figure_shape() -> None:
    text = "2022年共清退6人3200元,占比30%"
    figs = find_figures(text)
    assert [f.id for f in figs] == ["F1", "F2", "F3", "F4"]
    assert [f.kind for f in figs] == ["date", "count", "money", "percent"]
    assert all(isinstance(f, Figure) and f.role is None for f in figs)
    assert all(text[f.span[0] : f.span[1]] == f.text for f in figs)
    assert [f.iso for f in figs] == ["2022", None, None, None]


def test_parse_number_and_money_to_yuan() -> None:
    assert parse_number("3,828,380.26") == 3828380.26
    assert parse_number("29.23万") == 292300.0
    assert parse_number("两") == 2.0
    assert parse_number("十一") == 11.0
    assert parse_number("九十五") == 95.0
    assert parse_number("１２") == 12.0
    for bad in ("", "abc", "一是", "3个"):
        with pytest.raises(ValueError):
            parse_number(bad)
    assert money_to_yuan(29.23, "万元") == 292300.0
    assert money_to_yuan(873.64, "万元") == 8736400.0
    assert money_to_yuan(214.45, "亿元") == 21445000000.0
    assert money_to_yuan(200, "万") == 2000000.0
    assert money_to_yuan(3828380.26, "元") == 3828380.26
    with pytest.raises(ValueError):
        money_to_yuan(1, "美元")


def test_no_llm_layer_imported() -> None:
    code = (
        "import sys, agent.text.figures; bad = [m for m in ('openai', 'instructor', 'httpx') if m in sys.modules];"
        "assert not bad, bad"
    )
    root = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)


# --------------------------------------------------------------------------------------------- the notices


def notice(name: str) -> str:
    return (NOTICES / f"{name}.txt").read_text(encoding="utf-8")


HANGBU = """
2024-01-26|2024|date|date
2022年5月7日至6月24日|2022|date|date
2022年9月23日|2022|date|date
2022年10月26日|2022|date|date
四个|4|个|count
49个|49|个|count
48个|48|个|count
1个|1|个|count
76人|76|人|count
110人|110|人|count
17人|17|人|count
432.5万元|4325000|元|money
20项|20|项|count
27家|27|家|count
79家|79|家|count
843.33亩|843.33|亩|measure
40%|40|%|percent
11个|11|个|count
214.45亿元|21445000000|元|money
15亿元|1500000000|元|money
3年|3|年|duration
2022年|2022|date|date
2023年1—9月份|2023|date|date
27.7亿元|2770000000|元|money
42.74%|42.74|%|percent
6个|6|个|count
32个|32|个|count
100万|1000000|元|money
2023年4月份|2023|date|date
1045万元|10450000|元|money
3727.5万元|37275000|元|money
2800万元|28000000|元|money
2022年12月20日|2022|date|date
2023年10月份|2023|date|date
9个|9|个|count
50万元|500000|元|money
100万元|1000000|元|money
13个|13|个|count
30万元|300000|元|money
109名|109|名|count
2744.68亩|2744.68|亩|measure
1385亩|1385|亩|measure
14.6%|14.6|%|percent
7.93%|7.93|%|percent
230亩|230|亩|measure
11%|11|%|percent
1.16%|1.16|%|percent
10亩|10|亩|measure
10.4%|10.4|%|percent
0.05%|0.05|%|percent
2022年以来|2022|date|date
12次|12|次|count
81天|81|天|duration
1860余起|1860|起|count
2023年1-9月份|2023|date|date
215户|215|户|count
102户|102|户|count
153户|153|户|count
29户|29|户|count
117户|117|户|count
1035批|1035|批|count
1287人次|1287|人次|count
217件|217|件|count
98%|98|%|percent
10月|2023|date|date
3人|3|人|count
8人|8|人|count
2023年以来|2023|date|date
100%|100|%|percent
70件|70|件|count
10年|10|年|duration
10件|10|件|count
5年|5|年|duration
4件|4|件|count
12件|12|件|count
2022年11月|2022|date|date
8个|8|个|count
17个|17|个|count
1869项|1869|项|count
2017年以来|2017|date|date
14个|14|个|count
7个|7|个|count
13名|13|名|count
33个|33|个|count
38人|38|人|count
11名|11|名|count
17名|17|名|count
2022年12月|2022|date|date
16名|16|名|count
52.9%|52.9|%|percent
47.1%|47.1|%|percent
2021年以来|2021|date|date
200万|2000000|元|money
200万元|2000000|元|money
12处|12|处|count
12宗|12|宗|count
5处|5|处|count
0570-2971001|5702971001|phone|phone
"""

CHANGJI = """
7个|7|个|count
2023年8月29日至10月26日|2023|date|date
2023年12月|2023|date|date
56名|56|名|count
10天|10|天|duration
5天|5|天|duration
3期|3|期|count
201名|201|名|count
1名|1|名|count
4起|4|起|count
3个|3|个|count
2024年|2024|date|date
4支|4|支|count
260余人次|260|人次|count
22.48吨|22.48|吨|measure
14公里|14|公里|measure
16.5吨|16.5|吨|measure
500余份|500|份|count
2次|2|次|count
71个|71|个|count
47人|47|人|count
2023年度|2023|date|date
5座|5|座|count
2023年|2023|date|date
138吨|138|吨|measure
28.5万元|285000|元|money
21人|21|人|count
24名|24|名|count
21名|21|名|count
2名|2|名|count
1次|1|次|count
6个|6|个|count
341名|341|名|count
1场|1|场|count
6%|6|%|percent
4000余亩|4000|亩|measure
40万元|400000|元|money
6名|6|名|count
4人|4|人|count
10场次|10|场次|count
2020年以来|2020|date|date
5次|5|次|count
3场次|3|场次|count
15个工作日|15|个工作日|duration
5个工作日|5|个工作日|duration
1场次|1|场次|count
240余次|240|次|count
280余人次|280|人次|count
540余次|540|次|count
10次|10|次|count
42场次|42|场次|count
14个|14|个|count
76个|76|个|count
32个|32|个|count
39个|39|个|count
22个|22|个|count
37个|37|个|count
100%|100|%|percent
2023年10月至2024年1月|2023|date|date
三批|3|批|count
310名|310|名|count
50岁|50|岁|duration
282人|282|人|count
93.5%|93.5|%|percent
三个|3|个|count
2021年以来|2021|date|date
3名|3|名|count
2场次|2|场次|count
2023年12月22日|2023|date|date
2020年|2020|date|date
18个|18|个|count
4名|4|名|count
1起|1|起|count
2019年以来|2019|date|date
9个|9|个|count
87.2万元|872000|元|money
"""

QIAOTOU = """
2024年8月26日|2024|date|date
2019年以来|2019|date|date
11个|11|个|count
2021年以来|2021|date|date
三点|3|点|count
"""

SONGYANGHU = """
2022年11月7日至2022年12月16日|2022|date|date
2023年3月30日|2023|date|date
20个|20|个|count
4月4日|2023|date|date
三个|3|个|count
2次|2|次|count
2020年|2020|date|date
2021年|2021|date|date
2022年|2022|date|date
4月11日|2023|date|date
2023年|2023|date|date
6月|2022|date|date
6月|2023|date|date
5月12日|2023|date|date
2022年6月10日|2022|date|date
4月7日|2023|date|date
2019年—2022年|2019|date|date
11475亩|11475|亩|measure
1106栋|1106|栋|count
3年|3|年|duration
29件|29|件|count
14件|14|件|count
2件|2|件|count
5件|5|件|count
17件|17|件|count
9件|9|件|count
16件|16|件|count
8件|8|件|count
96年|1996|date|date
3—4月份|2023|date|date
6次|6|次|count
14起|14|起|count
9起|9|起|count
5份|5|份|count
4件|4|件|count
2名|2|名|count
2000元|2000|元|money
4名|4|名|count
1000元|1000|元|money
800元|800|元|money
3200元|3200|元|money
5月11日|2023|date|date
6人|6|人|count
35575元|35575|元|money
13人|13|人|count
5950元|5950|元|money
457元|457|元|money
75人|75|人|count
29625元|29625|元|money
395元|395|元|money
852元|852|元|money
500元|500|元|money
4584元|4584|元|money
67人|67|人|count
5月24日|2023|date|date
2020年9月-12月|2020|date|date
6783元|6783|元|money
2020年12月|2020|date|date
2595元|2595|元|money
7餐|7|餐|count
848元|848|元|money
2餐|2|餐|count
2020年11月|2020|date|date
442元|442|元|money
1餐|1|餐|count
2898元|2898|元|money
8餐|8|餐|count
873.64万元|8736400|元|money
199.71万元|1997100|元|money
1995年|1995|date|date
36笔|36|笔|count
825.14万元|8251400|元|money
2000年|2000|date|date
5笔|5|笔|count
8.78万元|87800|元|money
3笔|3|笔|count
39.72万元|397200|元|money
7笔|7|笔|count
196.1万元|1961000|元|money
2笔|2|笔|count
3.61万元|36100|元|money
2023年2月|2023|date|date
36412.60元|36412.6|元|money
2023年12月|2023|date|date
2019年3月至2021年11月|2019|date|date
320656元|320656|元|money
33553元|33553|元|money
4073元|4073|元|money
20200元|20200|元|money
3300元|3300|元|money
5980元|5980|元|money
30148元|30148|元|money
6项|6|项|count
20868元|20868|元|money
3项|3|项|count
9280元|9280|元|money
2023年1月|2023|date|date
20幅|20|幅|count
3400元|3400|元|money
170元|170|元|money
2022年1月|2022|date|date
5万元|50000|元|money
2020年3月19日|2020|date|date
20万元|200000|元|money
1个月|1|月|duration
30%|30|%|percent
一年|1|年|duration
百分之百|100|%|percent
4月20日|2020|date|date
5月27日|2020|date|date
2019—2022年|2019|date|date
2019年|2019|date|date
2021年8月9日|2021|date|date
9月28日|2021|date|date
11月23日|2021|date|date
2022年1月9日|2022|date|date
10月15日|2022|date|date
2019年-2020年|2019|date|date
6个|6|个|count
55岁|55|岁|duration
2人|2|人|count
2021年2月|2021|date|date
2022年3月|2022|date|date
6月|2022|date|date
2022年1月-10月|2022|date|date
2020年6月19日|2020|date|date
2021年5月17日|2021|date|date
2022年4月28日|2022|date|date
2021年6月25日|2021|date|date
2021年5月16日|2021|date|date
6月22日|2021|date|date
2022年5月9日|2022|date|date
两名|2|名|count
三点|3|点|count
2013年到2014年|2013|date|date
2022年9月14日|2022|date|date
9月25日|2022|date|date
10月15日|2022|date|date
2019年9月18日|2019|date|date
1月12日|2023|date|date
5月19日|2023|date|date
2023年6月28日|2023|date|date
"""

XIAODIAN = """
2023年10月9日至2024年1月14日|2023|date|date
16个|16|个|count
3月21日|2024|date|date
2次|2|次|count
3次|3|次|count
16 个|16|个|count
48%|48|%|percent
5项|5|项|count
四次|4|次|count
9家|9|家|count
26997平方米|26997|平方米|measure
2024年|2024|date|date
1524户|1524|户|count
144户|144|户|count
350人|350|人|count
2021年|2021|date|date
41115元|41115|元|money
29.23万元|292300|元|money
63处|63|处|count
26.42万元|264200|元|money
60万元|600000|元|money
60周岁|60|周岁|duration
2024年7月|2024|date|date
4名|4|名|count
10件|10|件|count
6件|6|件|count
1人|1|人|count
5人|5|人|count
2万余元|20000|元|money
12村|12|村|count
2020年以来|2020|date|date
26名|26|名|count
两村|2|村|count
2022年|2022|date|date
6个|6|个|count
3名|3|名|count
2名|2|名|count
三村|3|村|count
2024年9月|2024|date|date
3828380.26元|3828380.26|元|money
0554-4771645|5544771645|phone|phone
2024年10月11日|2024|date|date
"""

# substrings in each notice that no figure may overlap: ordinals, list markers, set phrases, names, e-mails
FORBIDDEN = {
    "hangbu-town-rectification-progress": [
        "第一巡察组",
        "第一时间",
        "一是",
        "二是",
        "三是",
        "“六大行动”",
        "“第一种形态”",
        "“三会一课”",
        "“1+1+1”",
        "“一村一策”",
        "“六治六提”",
        "“两个责任”",
        "“四种形态”",
        "“一把手”",
        "一岗双责",
        "一周一督办",
        "任何一个",
        "举一反三",
        "一个百亿",
        "hangbu2323@163.com",
        "航华路23号",
        "“三乱”",
        "三季度",
        "《衢州市柯城区航埠镇200万以下小额工程施工入围企业管理考核办法》",
    ],
    "changji-round5-seven-units": [
        "十二届",
        "第五轮",
        "“一对一”",
        "“三中心”",
        "“5+5”",
        "第三届",
        "七户乡",
        "七户蜂蜜",
        "“1+2”",
        "“三岗五级”",
        "三场槽子村",
        "“五办六中心”",
        "“七站八所”",
        "“三管三必须”",
        "一岗双责",
        "二级专职",
        "三级乙等",
        "东二畦村",
        "“四议三会两公开”",
        "“一线一区两带三产业四目标”",
        "第一批",
        "“一月一学法”",
        "“一棵树”",
        "《七户乡农村人居环境整治提升三年行动方案》",
        "一村一产业",
        "“四下基层”",
    ],
    "qiaotou-town-feedback-meeting": [
        "第四农村专项巡察组",
        "一是",
        "二是",
        "三是",
        "四是",
        "五是",
        "一、",
        "二、",
        "三、",
        "“三会一课”",
        "“五议两公开”",
        "“千万工程”",
        "“三资”",
        "一些",
        "一流",
        "一个不漏",
        "一个不留",
        "整改一个",
        "销号一个",
        "举一反三",
        "一要",
        "二要",
        "三要",
    ],
    "songyanghu-street-rectification": [
        "第一巡察组",
        "二十大",
        "“双十严禁”",
        "一个社区",
        "八项规定",
        "“十年检阅”",
        "第十巡视组",
        "第七巡视组",
        "华能二期",
        "“五包一”",
        "“三盯一”",
        "一等奖",
        "二等奖",
        "三等奖",
        "“三会一课”",
        "二支部",
        "一支部",
        "“一月一课一片一实践”",
        "“第一议题”",
        "一是",
        "四是",
        "(1)",
        "1.聚焦",
        "一言堂",
        "每一个环节",
        "28-31#",
        "一次性",
        "“三严三实”",
        "《关于开展2020年全民义务植树活动的通知》",
    ],
    "xiaodian-town-rectification": [
        "第四巡察组",
        "“两个责任”",
        "八项规定",
        "一是",
        "二是",
        "〔2023〕28号",
        "3星级",
        "“第一种形态”",
        "“四风”",
        "764619534@qq.com",
        "一次学习",
        "寿农组办",
        "“回头看”",
    ],
}

EXPECTED = {
    "hangbu-town-rectification-progress": HANGBU,
    "changji-round5-seven-units": CHANGJI,
    "qiaotou-town-feedback-meeting": QIAOTOU,
    "songyanghu-street-rectification": SONGYANGHU,
    "xiaodian-town-rectification": XIAODIAN,
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_notice_figures_found(name: str) -> None:
    missing = table(EXPECTED[name]) - rows(notice(name))
    assert not missing, sorted(missing)


@pytest.mark.parametrize("name", sorted(FORBIDDEN))
def test_notice_no_false_figures(name: str) -> None:
    text = notice(name)
    figs = find_figures(text)
    for term in FORBIDDEN[name]:
        assert term in text, term  # the list is about this notice
        start = text.find(term)
        while start != -1:
            end = start + len(term)
            hits = [f.text for f in figs if f.span[0] < end and start < f.span[1]]
            assert not hits, (term, hits)
            start = text.find(term, start + 1)
    assert not [f for f in figs if f.text in {"第一", "一是", "两个", "三会", "一个", "一次", "八项"}]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_notice_invariants(name: str) -> None:
    text = notice(name)
    figs = find_figures(text)
    assert [f.id for f in figs] == [f"F{i}" for i in range(1, len(figs) + 1)]
    assert [f.span for f in figs] == sorted(f.span for f in figs)
    for a, b in zip(figs, figs[1:], strict=False):
        assert a.span[1] <= b.span[0]
    for f in figs:
        assert text[f.span[0] : f.span[1]] == f.text
        assert (f.iso is not None) == (f.kind == "date")
    phones = [f for f in figs if f.kind == "phone"]
    assert len(phones) == (0 if name.startswith(("changji", "qiaotou", "songyanghu")) else 1)


def test_notice_details() -> None:
    by_text = {f.text: f for f in find_figures(notice("hangbu-town-rectification-progress"))}
    assert by_text["1860余起"].approx
    assert (by_text["2022年5月7日至6月24日"].iso, by_text["2022年5月7日至6月24日"].iso_end) == (
        "2022-05-07",
        "2022-06-24",
    )
    assert (by_text["2023年1—9月份"].iso, by_text["2023年1—9月份"].iso_end) == ("2023-01", "2023-09")
    by_text = {f.text: f for f in find_figures(notice("xiaodian-town-rectification"))}
    assert by_text["2万余元"].approx
    assert by_text["3月21日"].iso == "2024-03-21", "the year of its context: the stay ended 2024-01-14 (gold v1)"
    f = by_text["2023年10月9日至2024年1月14日"]
    assert (f.iso, f.iso_end) == ("2023-10-09", "2024-01-14")
    by_text = {f.text: f for f in find_figures(notice("changji-round5-seven-units"))}
    assert by_text["138吨"].approx  # 约138吨
    assert (by_text["2023年10月至2024年1月"].iso, by_text["2023年10月至2024年1月"].iso_end) == (
        "2023-10",
        "2024-01",
    )


def test_notices_are_fast() -> None:
    import time

    texts = [notice(n) for n in EXPECTED]
    t0 = time.perf_counter()
    for t in texts:
        find_figures(t)
    assert time.perf_counter() - t0 < 2.0


# --------------------------------------------------------------------------------------------- properties

_CHARS = list(
    "零〇一二两三四五六七八九十百千万亿0123456789０１２.．,，%％-—~至到年月日号份度以来元余多约左右个名人次项件批村"
    "场户天周岁亩米吨第“”‘’《》()（）〔〕、。;:电话热线@/+# \n百分之工作日平方公里是大类的了在和及与"
)
_text = st.text(alphabet=st.one_of(st.sampled_from(_CHARS), st.characters()), max_size=80)


@settings(max_examples=400, deadline=None)
@given(_text)
def test_random_text_never_crashes_and_spans_slice(text: str) -> None:
    figs = find_figures(text)
    end = 0
    for i, f in enumerate(figs, 1):
        assert f.id == f"F{i}"
        assert 0 <= f.span[0] < f.span[1] <= len(text)
        assert f.span[0] >= end
        end = f.span[1]
        assert text[f.span[0] : f.span[1]] == f.text
        assert math.isfinite(f.value)
        assert f.role is None


_amount = st.floats(min_value=0.01, max_value=1e6, allow_nan=False, allow_infinity=False).map(
    lambda v: round(v, 2)
)


@settings(max_examples=200, deadline=None)
@given(_amount, st.sampled_from(["元", "万元", "亿元"]))
def test_money_round_trip(v: float, unit: str) -> None:
    surface = f"{v}{unit}"
    figs = find_figures(f"共计{surface},已清退")
    assert [(f.text, f.kind, f.unit) for f in figs] == [(surface, "money", "元")]
    assert figs[0].value == money_to_yuan(v, unit)
    scale = {"元": 1, "万元": 1e4, "亿元": 1e8}[unit]
    assert math.isclose(figs[0].value, v * scale, rel_tol=1e-12)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1000, max_value=10**12))
def test_thousands_separators_round_trip(n: int) -> None:
    surface = f"{n:,}元"
    f = one(f"金额{surface}。")
    assert (f.text, f.value) == (surface, float(n))
    assert parse_number(f"{n:,}") == float(n)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=2, max_value=10**8))
def test_chinese_numerals_round_trip(n: int) -> None:
    cn = cn2an.an2cn(n)
    assert parse_number(cn) == float(n)
    assert rows(f"共{cn}名党员") == {(f"{cn}名", float(n), "名", "count")}
