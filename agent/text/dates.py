"""Dates as notices write them, and the year a reader gives a date written without one.

Why a module of its own: dates carry a notice's metadata (the stay, the feedback day) and have their own
conventions: a range written once (``2023年4月10日至6月2日``), months sharing one 月 (``7、8、10月``), a year given
once for many dates, a ``以来`` start that dates nothing else. ``figures`` finds every quantity and asks this
module for the dates; ``facts`` reads the inspection's dates from them. Pure.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator, Sequence
from typing import Protocol

from agent.text.numerals import cn_year, to_decimal

DateParts = tuple[int | None, int | None, int | None]

# date fragments: _Y a year 1900-2099, _M a month 1-12, _DD a day 1-31 (validity checked later), _SEP a range
# separator (至 到 — - ~), _LB "not right after a digit". _DATE_RES, tried in this order (longest first):
# full date range (2023年4月10日至6月2日), month range (2023年3月至5月), month range sharing a year (2023年3—4月),
# year range, day range without a year (4月10日至6月2日), month range without a year, one day (with or without
# a year, 以来), one month, one year, ISO-like 2024-01-26, a two-digit year after 自/从/于/在 (96年), a year in
# Chinese numerals (二〇二三年十月)
_Y = r"(?:19|20)[0-9]{2}"
_M = r"(?:1[0-2]|0?[1-9])"
_DD = r"(?:3[01]|[12][0-9]|0?[1-9])"
_SEP = r"[ \t]*(?:至|到|—{1,2}|－|–|-|~|～)[ \t]*"
_LB = r"(?<![0-9])"
_DATE_RES = [
    re.compile(p)
    for p in (
        rf"{_LB}(?P<y1>{_Y})年(?P<m1>{_M})月(?P<d1>{_DD})[日号]{_SEP}(?:(?P<y2>{_Y})年)?(?:(?P<m2>{_M})月)?(?P<d2>{_DD})[日号]",
        rf"{_LB}(?P<y1>{_Y})年(?P<m1>{_M})月(?:份|上旬|中旬|下旬)?{_SEP}(?:(?P<y2>{_Y})年)?(?P<m2>{_M})月(?:份|上旬|中旬|下旬)?",
        rf"{_LB}(?:(?P<y1>{_Y})年)?(?P<m1>{_M}){_SEP}(?P<m2>{_M})月份?",
        rf"{_LB}(?P<y1>{_Y})年?度?{_SEP}(?P<y2>{_Y})年度?",
        rf"{_LB}(?P<m1>{_M})月(?P<d1>{_DD})[日号]{_SEP}(?:(?P<m2>{_M})月)?(?P<d2>{_DD})[日号]",
        rf"{_LB}(?P<m1>{_M})月份?{_SEP}(?P<m2>{_M})月份?",
        rf"{_LB}(?:(?P<y1>{_Y})年)?(?P<m1>{_M})月(?P<d1>{_DD})[日号](?:以来)?",
        rf"{_LB}(?:(?P<y1>{_Y})年)?(?P<m1>{_M})月份?(?:以来)?",
        rf"{_LB}(?P<y1>{_Y})年度?(?:以来)?",
        rf"{_LB}(?P<y1>{_Y})(?P<sep>[-/.])(?P<m1>{_M})(?P=sep)(?P<d1>{_DD})(?![0-9])",
        r"(?<=[自从于在])(?P<yy>[5-9][0-9])年(?:以来)?",
        r"(?<![〇零一二三四五六七八九十])(?P<cy>[〇零一二三四五六七八九]{4})年"
        r"(?:(?P<cm>十[一二]?|[一二三四五六七八九])月(?:(?P<cd>三十一?|二?十[一二三四五六七八九]?|[一二三四五六七八九])[日号])?)?",
    )
]


def _parts(m: re.Match[str]) -> tuple[DateParts, DateParts | None] | None:
    """The start and end of one date match; ``None`` when it is no valid date (2月30日)."""
    g = m.groupdict()
    if g.get("cy"):
        y: int | None = cn_year(g["cy"])
        mo = int(to_decimal(g["cm"])) if g.get("cm") else None
        d = int(to_decimal(g["cd"])) if g.get("cd") else None
        p1: DateParts = (y, mo, d)
        p2: DateParts | None = None
    elif g.get("yy"):
        p1, p2 = (1900 + int(g["yy"]), None, None), None
    else:
        p1 = (_int(g.get("y1")), _int(g.get("m1")), _int(g.get("d1")))
        p2 = None
        if g.get("y2") or g.get("m2") or g.get("d2"):
            y2 = _int(g.get("y2"))
            m2 = _int(g.get("m2")) or (p1[1] if g.get("d2") else None)
            p2 = (y2, m2, _int(g.get("d2")))
            if y2 is None and p1[0] is not None:
                later = (p2[1] or 0, p2[2] or 0) >= (p1[1] or 0, p1[2] or 0)
                p2 = (p1[0] if later else p1[0] + 1, p2[1], p2[2])
    if not _valid(p1) or (p2 is not None and not _valid(p2)):
        return None
    return p1, p2


def _int(s: str | None) -> int | None:
    return int(s) if s else None


def _valid(p: DateParts) -> bool:
    y, mo, d = p
    if mo is None:
        return y is not None and d is None
    if not 1 <= mo <= 12:
        return False
    return d is None or 1 <= d <= calendar.monthrange(y or 2000, mo)[1]


def iso(p: DateParts) -> str:
    """``(2024, 3, 21)`` -> ``2024-03-21``; without a year ``--03-21``."""
    y, mo, d = p
    s = f"{y:04d}" if y is not None else "-"
    if mo is not None:
        s += f"-{mo:02d}"
    if d is not None:
        s += f"-{d:02d}"
    return s


# months listed with one 月 at the end (青年理论学习无7、8、10月资料): each number before the last is a month
_MONTH_LIST = re.compile(rf"{_LB}(?P<m1>{_M})(?=(?:、{_M})*、{_M}月)")
# a year a span up to now starts from: 2017年以来, 2017年巡察工作以来
_SINCE_AFTER = re.compile(r"[^，,。；;、\n\d]{0,8}以来")
# a rectification paragraph: what was done after the feedback (整改情况：4月11日召开…)
_RECTIFICATION_LINE = re.compile(
    r"[ \t\u3000]{0,8}(?:[(（][一二三四五六七八九十\d]{1,4}[)）])?整改(?:情况|措施|进展|结果)[:：]"
)
OPENING = 400  # the opening's dates (the stay, the feedback) lie in its first characters


def find_dates(text: str) -> Iterator[tuple[int, int, DateParts, DateParts | None]]:
    """Every date match (overlapping ones included: ``figures`` keeps the longest): start, end, its start
    and its end (a range) as (year, month, day), ``None`` where the text does not say."""
    for rx in _DATE_RES:
        for m in rx.finditer(text):
            got = _parts(m)
            if got:
                yield m.start(), m.end(), got[0], got[1]
    for m in _MONTH_LIST.finditer(text):
        yield m.start(), m.end(), (None, int(m["m1"]), None), None


def since(text: str, span: tuple[int, int]) -> bool:
    """A date a span up to now starts from (``2017年以来``, ``2017年巡察工作以来``): it says nothing of the year
    of the dates around it."""
    return text.endswith("以来", 0, span[1]) or bool(_SINCE_AFTER.match(text, span[1]))


class Dated(Protocol):
    start: int
    d1: DateParts | None
    d2: DateParts | None
    since: bool


def _year(d: Dated) -> int | None:
    last = d.d2 or d.d1
    return None if last is None else last[0]


# a year told relative to the time of writing (今年3月, 去年8月): its context's years are the story's past
# (原有教学楼于2015年拆除), not its year; only the page's own date gives it
RELATIVE_YEAR = {"今年": 0, "本年": 0, "去年": 1, "上年": 1, "前年": 2}


def relative_year(text: str, start: int) -> int | None:
    """How many years before the time of writing a date starting at ``start`` is told (``去年8月`` → 1)."""
    return RELATIVE_YEAR.get(text[max(0, start - 2) : start])


def infer_years(text: str, dates: Sequence[Dated], now: int | None = None) -> None:
    """Give a year-less date (``3月21日``) the year of its context, as a reader does: the year of the nearest
    dated date before it (the end year of a range: ``2023年10月9日至2024年1月14日…3月21日`` is 2024), else of
    the nearest one after it (a news item's date line may come last; a span's start written later,
    ``2017年巡察工作以来``, is no date line). In a rectification paragraph (``整改情况：``) that gives no year
    before it, the year of the opening (the feedback's): what was done about a finding is dated after the
    feedback, not in the years the finding speaks of. A text with no year anywhere leaves it year-less
    (``--03-21``). A date told relative to the time of writing (``去年8月``) takes the year of ``now`` (the
    page's date), or none: its context's years are often the story's past (``2023年计划安装…``)."""
    opening = [y for d in dates if d.start < OPENING and (y := _year(d)) is not None]
    for i, c in enumerate(dates):
        if not (c.d1 and c.d1[0] is None):
            continue
        back = relative_year(text, c.start)
        if back is not None:  # 今年3月 with no page date stays year-less
            if now is not None:
                _give_year(c, now - back)
            continue
        line = text.rfind("\n", 0, c.start) + 1
        before = [y for d in dates[:i] if (y := _year(d)) is not None]
        in_line = [y for d in dates[:i] if d.start >= line and _year(d) is not None]
        if opening and not in_line and _RECTIFICATION_LINE.match(text, line):
            year = max(opening)
        elif before or (
            after := [y for d in dates[i + 1 :] if not d.since and d.d1 and (y := d.d1[0]) is not None]
        ):
            year = before[-1] if before else after[0]
        else:
            continue
        _give_year(c, year)


def _give_year(c: Dated, year: int) -> None:
    d1 = (year, c.d1[1], c.d1[2]) if c.d1 else None
    if d1 is None or not _valid(d1):  # 2月29日 after a non-leap year: leave it year-less
        return
    c.d1 = d1
    if c.d2:
        later = (c.d2[1] or 0, c.d2[2] or 0) >= (d1[1] or 0, d1[2] or 0)
        c.d2 = (year if later else year + 1, c.d2[1], c.d2[2])
