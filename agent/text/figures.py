"""Every quantity in a notice, found by rules, with its exact span: money (always in 元), counts with their
measure word, percentages, measures, durations, dates and phone numbers.

Why it exists: a small model copies numbers badly, so figures are found here by regex + cn2an and the model
only labels them (``Figure.role`` stays ``None`` in this module). Pure and fast: no network, no LLM layer.
Chinese numerals are converted one token at a time (never ``cn2an.transform`` on running text).

Judgement calls, in one place:
- A count needs a measure word (``189个``, ``2件3人``, ``16 个``); a bare number is never a figure, so list
  markers (一、 (1) 1. 一是) and document numbers (〔2023〕28号) fall out. Chinese-numeral counts use a
  shorter measure list (no 户/场/支/期: 七户乡, 三场槽子村, 二支部, 二期 are names), and a lone 一 is never a
  count or measure (一个不漏, 整改一个, 一批, 一次性); it may be a duration (一年后) unless followed by 一
  (一周一督办). Numerals after 第/几/数 are ordinals or vague and skipped.
- Skipped regions: short “quoted” terms (“两个责任”, “1+2”, “5+5”), 《book titles》, URLs, e-mails, and set
  phrases written without quotes (八项规定, 一岗双责, 三会一课 ...).
- Money: 万/亿 are folded into 元 (``29.23万元`` -> 292300). ``N万``/``N亿`` without 元 is money only with a
  money or project cue within 8 characters before or 6 after (出资100万组建, 200万以下项目); the figure's text is
  the amount itself, 以上/以下 stay outside it. 余/多 inside the figure, 约 before it or 左右 after it set
  ``approx``.
- Dates: ``value`` is the start year (0.0 when no year is known). A date without a year takes the year of
  the date just before it when only 、/和/及 stand between (``2021年8月9日、9月28日``); otherwise its ISO form
  is ``--MM-DD``/``--MM``. ``以来``/``份``/``度`` right after a date are part of its text. A range is one
  figure; a missing end year is the start year (or the next one if the end comes earlier). Two-digit years
  count only after 自/从/于/在 (自96年 -> 1996).
- ``1,234,567.5`` is one number: a comma followed by exactly three digits is a thousands separator, even
  though these notices also use ASCII "," as punctuation (``3,200名`` is read as 3200).
- Ages (55岁, 60周岁) are durations; 个工作日 keeps its 个 (gold v1's unit). ``点`` after an Arabic number is
  a count (提出3点意见) unless it tells the time (上午9点, 9点30分). Phones (0570-2971001, mobiles, 123xx hotlines next to 电话/热线/举报)
  are claimed before anything else, so their digits never become counts or dates.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from agent.schema import Figure, FigureKind
from agent.text import markers
from agent.text.dates import DateParts, find_dates, infer_years, iso, since
from agent.text.numerals import (
    CN_DIGITS,
    CN_NUMERAL_CHARS,
    MULTIPLIERS,
    money_to_yuan,
    parse_number,
    to_decimal,
)

__all__ = ["find_figures", "money_to_yuan", "parse_number"]

# regex fragments: _D one digit (ASCII or full-width); _AR an Arabic number (1,234 or 1234.5) not inside a
# word, code, ordinal (第3) or longer number; _CN a run of Chinese numerals not after 第/几/数/若/初; _SP one
# optional space (ASCII or ideographic) between a number and its unit
_D = "[0-9０-９]"
_AR = rf"(?<![0-9０-９.．A-Za-z+＋_@/#第])(?:{_D}{{1,3}}(?:,{_D}{{3}})+|{_D}{{1,15}})(?![0-9０-９])(?:[.．]{_D}+)?"
_CN = rf"(?<![{CN_NUMERAL_CHARS}第几数若初])[{CN_NUMERAL_CHARS}]{{1,24}}"
_SP = "[ \u3000]?"


def _alt(words: str) -> str:
    return "|".join(re.escape(w) for w in sorted(words.split(), key=len, reverse=True))


_COUNT_UNITS = (
    "个 名 人 人次 户 户次 次 场 场次 项 件 起 家 处 宗 支 份 批 批次 类 大类 大项 大领域 大板块 种 条 位 所 栋 幢 "
    "座 间 套 辆 台 张 本 笔 餐 期 村 篇 块 株 棵 头 只 轮 例 封 册 幅 盏 层 周年 方面 大方面 点"
)
_CN_COUNT_UNITS = "个 名 人 人次 次 场次 项 件 批 点 村 条 位 家 类 大类 大项 种 起 份 笔 轮 所 栋 座 处 宗 套 辆 台 张 篇 餐 幅 例 方面 大方面 任"
_MEASURE_UNITS = (
    "平方公里 平方千米 平方米 平米 立方米 公顷 亩 公里 千米 厘米 毫米 米 吨 公斤 千克 斤 千瓦时 千瓦 兆瓦"
)
_DURATION_UNITS = "个工作日 工作日 个小时 小时 个多月 个月 个季度 个星期 星期 周 天 年 分钟 岁 周岁"
_MONEY_CUES = re.compile(
    "出资|投资|资金|收入|营收|金额|款|价|投入|补助|奖励|补贴|税|产值|预算|经费|费|成本|拨付|支付|工程|项目|招标|采购|合同|贷"
)
_STOP_TERMS = re.compile(
    "八项规定|一岗双责|三会一课|两个责任|两个维护|两个确立|四个意识|四个自信|四个全面|三个代表|两个一百年|两学一做|"
    "三重一大|四种形态|第一种形态|一村一策|一个不漏|一个不留|举一反三|一把手|六大行动|三严三实|四风|两委|五议两公开|"
    "四议三会两公开|三管三必须|六治六提|一对一|一对多|三中心|三资|三农|四下基层|[三四五]位一体|三个务必|两个务必|"
    # news set phrases: plenums (八次全会, 二次全体会议), 两件大事, 二次供水, ordinal lists of rounds (一、二、三轮巡察)
    "(?<![一二三四五六七八九十])[一二三四五六七八九十]{1,4}次全(?:会|体会议)|[两三四五]件大事|二次供水|(?<![一二三四五六七八九十、])(?:[一二三四五六七八九十]{1,4}、){1,12}[一二三四五六七八九十]{1,4}轮|"
    # a named set of mechanisms (三项机制, 三项工作机制)
    "(?<![一二三四五六七八九十])[两三四五六七八九十]{1,4}项(?:工作)?机制"
)
_BLOCKS = re.compile(
    r"“[^“”\n]{1,30}”|‘[^‘’\n]{1,30}’|「[^「」\n]{1,30}」|\"[^\"\n]{1,30}\"|《[^《》\n]*》"
    r"|https?://\S+|www\.\S+|(?<![\w.+-])[A-Za-z0-9._%+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}"
    # a heading's or item's marker at a line's start (the marker grammar's heading styles): no count, no date
    rf"|(?m:^[ \t\u3000]*(?:{markers.pattern('heading')}))"
)

_QTY = r"(?P<num>{num}){sp}(?P<a1>[余多])?(?P<mult>{mult})?(?P<a2>[余多])?(?P<unit>{units})"
_COUNT_AR = re.compile(_QTY.format(num=_AR, sp=_SP, mult="万|亿|千", units=_alt(_COUNT_UNITS)))
_COUNT_CN = re.compile(_QTY.format(num=_CN, sp="", mult="万|亿", units=_alt(_CN_COUNT_UNITS)))
_MEASURE = re.compile(_QTY.format(num=f"{_AR}|{_CN}", sp=_SP, mult="万|亿", units=_alt(_MEASURE_UNITS)))
_DURATION = re.compile(_QTY.format(num=f"{_AR}|{_CN}", sp=_SP, mult="(?!)", units=_alt(_DURATION_UNITS)))
_MONEY = re.compile(
    _QTY.format(num=f"{_AR}|{_CN}", sp=_SP, mult="万亿|千万|百万|万|亿|千|百", units="元|块钱")
)
# the groups a round was split into (分七组); half a month or year (半个月, 一个半月; not 上半年, 半年度)
_GROUPS = re.compile("(?<=分)" + _QTY.format(num=f"{_AR}|{_CN}", sp="", mult="(?!)", units="组"))
_HALF = re.compile(
    rf"(?:(?P<num>{_AR}|{_CN})个半(?P<u1>月|小时)|(?<![上下前后大多每])半(?P<u2>个月|个小时|小时|年|天))(?!度)"
)
_MONEY_BARE = re.compile(rf"(?P<num>{_AR})(?P<a1>[余多])?(?P<mult>万|亿)(?P<a2>[余多])?")
_PERCENT = re.compile(
    rf"(?P<num>{_AR}){_SP}(?P<unit>%|％|‰|个百分点)|百分之(?P<num2>{_D}+(?:[.．]{_D}+)?|[{CN_NUMERAL_CHARS}]{{1,8}})"
)
_PHONE = re.compile(
    r"(?<![0-9])(?:[(（]0[0-9]{2,3}[)）][ -]?[0-9]{7,8}|0[0-9]{2,3}[-－—][0-9]{7,8}|1[3-9][0-9]{9})(?![0-9])"
)
_HOTLINE = re.compile(r"(?<![0-9])123[0-9]{2}(?![0-9])")

_QUANTITY_RES: tuple[tuple[re.Pattern[str], FigureKind], ...] = (
    (_MONEY, "money"),
    (_MEASURE, "measure"),
    (_DURATION, "duration"),
    (_COUNT_AR, "count"),
    (_COUNT_CN, "count"),
    (_GROUPS, "count"),
    (_MONEY_BARE, "money"),
)

# selection order among candidates of equal length: lower wins
_PRIORITY: dict[str, int] = {
    "phone": 0,
    "date": 1,
    "money": 2,
    "percent": 3,
    "measure": 4,
    "duration": 5,
    "count": 6,
}


@dataclass
class _Cand:
    start: int
    end: int
    kind: FigureKind
    value: float
    unit: str
    approx: bool = False
    d1: DateParts | None = None
    d2: DateParts | None = None
    rank: int = 0  # tie-break after priority: bare 万 money loses to everything
    # 2017年以来, 2017年巡察工作以来: where a span up to now starts; it dates no later date
    since: bool = False


def find_figures(text: str, now: int | None = None) -> list[Figure]:
    """All figures in ``text`` in order of appearance, ids F1, F2, ...; spans are ``[start, end)``. ``now``:
    the year the page was written, for dates told relative to it (``去年8月``)."""
    blocked = bytearray(len(text))
    for m in (*_BLOCKS.finditer(text), *_STOP_TERMS.finditer(text)):
        blocked[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
    cands = [c for c in _candidates(text) if c.end > c.start and not any(blocked[c.start : c.end])]
    cands.sort(key=lambda c: (c.start - c.end, _PRIORITY[c.kind], c.rank, c.start))
    taken = bytearray(len(text))
    chosen: list[_Cand] = []
    for c in cands:
        if not any(taken[c.start : c.end]):
            taken[c.start : c.end] = b"\x01" * (c.end - c.start)
            chosen.append(c)
    chosen.sort(key=lambda c: c.start)
    dates = [c for c in chosen if c.kind == "date"]
    for c in dates:
        c.since = since(text, (c.start, c.end))
    infer_years(text, dates, now)
    for c in dates:
        c.value = float(c.d1[0] or 0) if c.d1 else 0.0
    return [_to_figure(text, i, c) for i, c in enumerate(chosen, 1)]


def _to_figure(text: str, i: int, c: _Cand) -> Figure:
    start = iso(c.d1) if c.d1 else None
    end = iso(c.d2) if c.d2 else None
    return Figure(
        id=f"F{i}",
        text=text[c.start : c.end],
        value=c.value,
        unit=c.unit,
        kind=c.kind,
        approx=c.approx,
        span=(c.start, c.end),
        iso=start,
        iso_end=end,
    )


def _candidates(text: str) -> Iterator[_Cand]:
    for m in _PHONE.finditer(text):
        yield _Cand(m.start(), m.end(), "phone", float(re.sub("[^0-9]", "", m[0])), "phone")
    for m in _HOTLINE.finditer(text):
        if re.search("电话|热线|举报|拨打", text[max(0, m.start() - 6) : m.end() + 4]):
            yield _Cand(m.start(), m.end(), "phone", float(m[0]), "phone")
    for start, end, d1, d2 in find_dates(text):
        yield _Cand(start, end, "date", float(d1[0] or 0), "date", d1=d1, d2=d2)
    for rx, kind in _QUANTITY_RES:
        for m in rx.finditer(text):
            c = _quantity(text, m, kind)
            if c:
                yield c
    for m in _HALF.finditer(text):
        try:
            whole = to_decimal(m["num"]) if m["num"] else 0
        except ValueError:
            continue
        yield _Cand(
            m.start(), m.end(), "duration", float(whole) + 0.5, (m["u1"] or m["u2"]).removeprefix("个")
        )
    for m in _PERCENT.finditer(text):
        num = m["num"] or m["num2"]
        try:
            value = float(to_decimal(num))
        except ValueError:
            continue
        yield _Cand(m.start(), m.end(), "percent", value, "个百分点" if m["unit"] == "个百分点" else "%")


def _quantity(text: str, m: re.Match[str], kind: FigureKind) -> _Cand | None:
    num = m["num"]
    gd = m.groupdict()
    unit = gd.get("unit") or ""
    mult = m["mult"] or ""
    start, end = m.start(), m.end()
    after = text[end : end + 6]
    if num[0] in CN_NUMERAL_CHARS:
        if not _plausible_cn(num) or kind == "money" and num == "一" and not mult:
            return None
        if num == "一" and kind != "money":
            before = text[max(0, start - 2) : start]
            one_person = unit == "名" and "\u4e00" <= after[:1] <= "\u9fff"  # 一名委员
            if (
                kind != "duration"
                and not one_person
                or after[:1] == "一"
                or re.search("(每|任何|同|这|那|哪|某|唯|统|第|另|单|其)$", before)
            ):
                return None
        if kind == "count" and after[:1] and after[0] in CN_NUMERAL_CHARS:
            return None  # 两个一百年, 三次二... : a set phrase, not a count
    try:
        value = to_decimal(num) * MULTIPLIERS[mult]
    except ValueError:
        return None
    if unit == "点" and (
        re.match("[0-9０-９半钟]", after) or re.search("[午晚早晨]$", text[max(0, start - 2) : start])
    ):
        return None  # 上午9点, 9点30分: a time of day
    approx = bool(m["a1"] or m["a2"]) or text[max(0, start - 1) : start] == "约" or after.startswith("左右")
    rank = 0
    if (
        kind in ("count", "measure")
        and mult in ("万", "亿")
        and _money_context(text, start, start + len(num) + 1)
    ):
        # 出资100万组建 reads as 100万 + 组建: treat N万 in a money context as money
        end = m.start("mult") + len(mult) + (1 if m["a2"] else 0)
        return _Cand(start, end, "money", float(value), "元", approx)
    if kind == "money" and not unit:
        if not _money_context(text, start, end):
            return None
        rank = 1
    if kind == "duration":
        if unit == "年" and (len(num) >= 4 and num.isdigit()):
            return None
        unit = unit if unit == "个工作日" else unit.removeprefix("个").removeprefix("多") or unit
        approx = approx or "多" in m["unit"]
    elif kind == "count":
        unit = unit.removeprefix("大") or unit
    elif kind == "money":
        unit = "元"
    return _Cand(start, end, kind, float(value), unit, approx, rank=rank)


def _plausible_cn(num: str) -> bool:
    """Reject bare units (百, 千人计划, 万人), digit strings (一二三, 两三) and 零 alone."""
    if not any(ch in CN_DIGITS or ch == "十" for ch in num):
        return False
    return not any(a in CN_DIGITS and b in CN_DIGITS for a, b in zip(num, num[1:], strict=False))


def _money_context(text: str, start: int, end: int) -> bool:
    window = text[max(0, start - 8) : start] + text[end : end + 6]
    return bool(_MONEY_CUES.search(window))


# --- looking figures up ------------------------------------------------------------------------------


def _start(f: Figure) -> int:
    return f.span[0]


def in_order(figures: Sequence[Figure]) -> Sequence[Figure]:
    """Figures by start (``find_figures`` already returns them so; anything else is sorted once)."""
    if all(a.span[0] <= b.span[0] for a, b in zip(figures, figures[1:], strict=False)):
        return figures
    return sorted(figures, key=_start)


def within(figures: Sequence[Figure], span: tuple[int, int]) -> Iterator[Figure]:
    """The figures lying wholly inside ``span``, found by bisection: ``figures`` must be ``in_order``, so a
    lookup per problem or chunk stays logarithmic and a 5 MB notice stays linear."""
    s, e = span
    for i in range(bisect_left(figures, s, key=_start), len(figures)):
        f = figures[i]
        if f.span[0] >= e:
            break
        if f.span[1] <= e:
            yield f
