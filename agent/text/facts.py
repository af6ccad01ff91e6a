"""Inspection facts read from a notice's opening: who inspected (the group as written), of what kind, the
stationed period, the feedback day and the inspected bodies (read by ``agent.text.targets``).

Why a module of its own: these are the genre's rules of how notices and news pages name an inspection, and
they are many (a group written with its session and round, ``十三届无棣县委第七轮巡察第五巡察组``; ranges that are
a stay, a feedback period or a meeting; lists of bodies with counts, subordinates and people in them); kept
apart from ``rules`` (status, doc type, totals, categories) so each stays readable. Pure: regex over the text
and the regex figures; every value carries the span it was read from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.schema import Figure, Span
from agent.text.dates import find_dates, relative_year, since
from agent.text.dates import iso as iso_date
from agent.text.grammar import back_to
from agent.text.numerals import SMALL_COUNT
from agent.text.targets import inspected_bodies

_N = SMALL_COUNT
# 县委第四农村专项巡察组, 区委第一至第五巡察组, 区委巡察三组, 县委上下联动巡察组, 区委4个巡察组, 县委各巡察组, 市委第四、五巡察组, 省委第三巡视组,
# 十三届无棣县委第七轮巡察第五巡察组, 十一届省委第八轮巡视16个巡视组, 省委县(市、区)巡视组: a place name
# (no function words: 配合/接到/接受/代表… start no name; a session 十三届 reads as part of it), the party body, a round
# (第七轮巡察), ordinals or counts, a modifier (专项, 联动, 交叉…), then 巡察/巡视, an ordinal, 组
# (长 starts a name, 长沙 or 长春, unless 组长 is the word)
_PLACE = r"(?:(?![的在了和与对向由配合接受到代表组关于是及等并将已被为把从给据按照个各第轮中近日就年实们率]|(?<=组)长|落实)[\u4e00-\u9fa5]){0,8}?"
_BODY = r"(?:[县市区州省旗地盟]委|[县市区]\(市、区\)委|党委|党组|工委)"
# the centre has no place before it, only its session (十八届中央…): 中纪委昨公布中央巡视组… names 中央巡视组
_CENTRE = r"(?:[一二三四五六七八九十]{1,3}届)?中央"
_ROUND = rf"(?:第{_N}轮(?:第{_N}批)?(?:巡[察视])?|第{_N}批)?"
# (巡察村(社区)第二巡察组 and 村(居)巡察试点第三巡察组: a village round's groups, named with the level they inspect)
_MODIFIER = (
    r"(?:(?:(?![派个])[\u4e00-\u9fa5]){0,4}?(?:专项|联动|交叉|机动|提级|延伸|常规|农村|巡乡带村)|[县市区]\(市、区\)"
    rf"|(?:巡[察视])?(?:村|社区|村居)(?:[(（](?:社区|居)[)）])?(?:巡[察视])?(?:试点)?(?:第{_N})?)?"
)
# a school or a company that sends its own numbered groups (学校第一巡察组, 中铝公司第一巡视组); 中 opens a central
# body's short name (中科院党组巡视组)
_OWNER = r"(?:学校|大学|学院|公司|集团)"
_INSPECTOR = re.compile(  # 中共 and 中国 open a place or a body (中共遂宁市委第二巡察组, 中国科学院党组第十七巡视组)
    rf"(?:中共|中国|中(?=[\u4e00-\u9fa5]{{1,6}}?(?:党组|党委|{_OWNER}第)))?(?:{_PLACE}{_BODY}|{_CENTRE}|{_PLACE}{_OWNER}(?=第)){_ROUND}"
    rf"(?:第[一二三四五六七八九十\d]+(?:(?:、|至|到|—|-)第?[一二三四五六七八九十\d]+)*|{_N}个|各)?{_MODIFIER}巡[察视](?:第?{_N})?(?:工作)?组"
)
# groups named by their count, with or without the body after it: 4个区委巡察组, 10个专项巡视组, 十六个中央巡视组
_COUNTED_GROUP = re.compile(rf"{_N}个{_MODIFIER}巡[察视](?:工作)?组")  # 11个巡察工作组
_COUNT_BEFORE = re.compile(rf"{_N}个$")
# more groups of the same body listed after the first: 市委第一巡察组、第六巡察组
_MORE_GROUPS = re.compile(rf"(?:[、和及]第{_N}巡[察视]组)+")
# a school's or company's group named without its body: 第二巡察组第四巡察小组
_ORDINAL_GROUP = re.compile(rf"(?<![委组])第{_N}巡[察视]小?组(?:第{_N}巡[察视]小组)?")
_BARE_INSPECTOR = re.compile(r"巡[察视]组")  # the text never names the group's body: its first bare mention
_KIND_ONE = (
    r"(?:上下联动专项|上下联动|基层组织建设专项|[\u4e00-\u9fa5]{2,8}领域专项|农村专项|村级全覆盖|专项|常规|提级|机动|延伸|交叉|联动|内部)"
    r"巡[察视](?:“回头看”)?"
)
# the kind as written, several at once included: 联动巡察和常规巡察, “常规巡察+专项巡察+巡审联动”
_KIND = re.compile(rf"{_KIND_ONE}(?:[和+＋]{_KIND_ONE})*(?:[+＋]巡审联动)?|巡[察视]“回头看”")
_ROUND_OF = re.compile(rf"第({_N})轮")
_KIND_AFTER = re.compile(rf"[^。；]{{0,16}}?((?:{_KIND.pattern}))")  # the kind closing a targets clause

# a clause (a date's context): cut at 。；and line ends
_CLAUSE_END = re.compile(r"[。；;\n]")
# the inspection's stay (对X开展了常规巡察, 进驻, 巡察期间) and the feedback as an act (向X反馈, 反馈了, 进行了反馈, 反馈会)
_STAY = re.compile(r"(?:开展|进行)了?[^。；\n]{0,16}?巡[察视]|进驻|巡[察视](?:期间|时间)")
FEEDBACK_ACT = re.compile(
    r"向[^。；\n]{1,80}?反馈|反馈(?:了|会|中|时|指出|意见|巡[察视]|情况|工作)|(?:进行|作|完成)了?[^。，；\n]{0,30}?反馈"
)
_GROUP_AT_WORK = re.compile(r"^(?!.*(?:汇报|会议|听取|培训|反馈)).*巡[察视]组")
_STARTS_FROM = re.compile(r"[^。；，,\n]{0,3}?(?:开始|起)")  # 从5月10日开始, 从11月下旬开始, 自2023年5月起
# 2020年9月下旬，七届省委第八轮巡视正式启动; 3月4日，省委第十一巡视组巡视省残联党组工作动员会召开 (one group at one
# body: a round's 动员部署会 deploys the round, it starts no stay)
_LEADERS_MEETING = re.compile(r"领导小组[^。；\n]{0,6}召开")
# a date told with the group's arrival (2024年6月，区委第三巡察组对X开展常规巡察; 5月17日，县委第六巡察组进驻智王村),
# not a plan (预计11月中旬进驻九师, 将进驻12个单位) nor what a reporter heard on the day (11月7日，记者了解到，…巡察组进驻一个多月以来)
_ARRIVED = re.compile(r"巡[察视]组[^。；\n]{0,40}?(?:进驻|开展|开始|对)")
_NOT_ARRIVED = re.compile(r"预计|拟于|将(?:于|进驻|对|开展|分别)|了解到|获悉")
# a news item's dateline (湘潭在线11月8日讯, 中新网2月27日电) dates the report, not an act it tells; a day
# things stand by (截至10月13日) starts nothing
_NOT_AN_ACT = re.compile(r"[ \t]?(?:讯|电)")
_BY_THEN = ("截至", "截止", "截止到")
_LAUNCHED = re.compile(r"巡[察视][^。；\n]{0,4}启动|巡[察视]组巡[察视][^。；，,\n]{2,30}?工作动员会")


@dataclass
class InspectionFacts:
    inspector: Span | None = None
    kind: Span | None = None
    targets: list[Span] | None = None
    start: str | None = None
    end: str | None = None
    feedback_date: str | None = None


def _first(rx: re.Pattern[str], text: str, start: int, end: int, group: int = 0) -> Span | None:
    m = rx.search(text, start, end)
    return (m.start(group), m.end(group)) if m else None


def _earliest(text: str, start: int, end: int) -> Span | None:
    """The first mention of the group with its body in [start, end), with a count written right before it
    (``4个区委巡察组``); only when none is written, the first group named by its count alone (``10个巡视组``)."""
    named = next((m.span() for m in _INSPECTOR.finditer(text, start, end) if not _captioned(text, m.start())), None)
    if named:
        named = _unled(text, named)
        counted = _COUNT_BEFORE.search(text, max(start, named[0] - 4), named[0])
        more = _MORE_GROUPS.match(text, named[1], end)
        return (counted.start() if counted else named[0], more.end() if more else named[1])
    return _first(_COUNTED_GROUP, text, start, end)


# words a place's match takes in before the place (当龙游县委第二巡察组, 前不久黑龙江省委…, 感谢冷水江市委…, 宣布八届…)
_LED = re.compile(r"(?:当(?![阳涂雄])|前不久|不久前|底|非常|真得|真的|感谢|宣布|强化)(?=[\u4e00-\u9fa5]{3})")  # 当阳, 当涂, 当雄 are places


def _unled(text: str, span: Span) -> Span:
    """The group's name without a word the place's match took in before it (当咸安区委第一巡察组 → 咸安区委…)."""
    while (m := _LED.match(text, span[0], span[1])) is not None and _INSPECTOR.match(text, m.end(), span[1]):
        span = (m.end(), span[1])
    return span


# a photo's caption (图为近日，永嘉县委第四巡察组在…交流。廖朝阳 摄): the picture may show another group at work
_CAPTION = re.compile(r"[（(]?(?:图为|图片为|上图|下图|图片[:：])")
CAPTION_REACH = 80  # characters back to the caption's sentence start


def _captioned(text: str, pos: int) -> bool:
    """Whether ``pos`` stands in a photo caption's sentence."""
    return _CAPTION.match(text, back_to(text, pos, max(0, pos - CAPTION_REACH), "。！？!?\n")) is not None


def inspection_facts(
    text: str, intro: Span, figures: list[Figure], published: Span | None = None, bare_ok: bool = True
) -> InspectionFacts:
    """Inspector, kind, targets and dates from the notice's opening paragraph(s); the page's own date
    (``published``) is never the feedback date. ``bare_ok``: a bare ``巡察组`` may stand for the group (not in
    a round's announcement, where it means any of the round's groups)."""
    s, e = intro
    facts = InspectionFacts()
    whole = len(text)
    facts.inspector = (
        _earliest(text, s, e)
        or _earliest(text, 0, whole)
        or _first(_ORDINAL_GROUP, text, 0, whole)
        or (_first(_BARE_INSPECTOR, text, 0, whole) if bare_ok else None)
    )
    targets, kind_at = inspected_bodies(text, (s, e))
    clause_kind = _first(_KIND_AFTER, text, *kind_at, 1) if kind_at else None
    facts.targets = targets
    facts.kind = _kind(text, (s, e), clause_kind)
    inspector = text[facts.inspector[0] : facts.inspector[1]] if facts.inspector else ""
    _dates(text, (s, e), figures, published, _ROUND_OF.search(inspector), facts)
    return facts


def _kind(text: str, intro: Span, clause_kind: Span | None) -> Span | None:
    """The kind of the inspected bodies' clause (对X开展了常规巡察), as written in full in the opening
    (交叉巡察“回头看”的统一部署 … 开展了巡察“回头看”); without such a clause the first kind written."""
    s, e = intro
    if clause_kind is None:
        return _first(_KIND, text, s, e)
    said = text[clause_kind[0] : clause_kind[1]]
    fuller = [m.span() for m in _KIND.finditer(text, s, e) if said in m.group(0)]
    return max(fuller, key=lambda sp: sp[1] - sp[0], default=clause_kind)  # the first of the longest


# --- dates: the stay, the feedback ---------------------------------------------------------------------


def _clause(text: str, at: int, lo: int, hi: int) -> tuple[str, int]:
    """The clause around position ``at`` (within [lo, hi)) and its start."""
    starts = [m.end() for m in _CLAUSE_END.finditer(text, lo, at)]
    cs = starts[-1] if starts else lo
    m = _CLAUSE_END.search(text, at, hi)
    return text[cs : m.start() if m else hi], cs


def _dates(
    text: str,
    intro: Span,
    figures: list[Figure],
    published: Span | None,
    round_named: re.Match[str] | None,
    facts: InspectionFacts,
) -> None:
    """The stationed period: the ranges of clauses about the stay (one round: a clause naming another round
    is skipped), earliest start to latest end within one paragraph; else a start written ``从X开始``. A range
    of clauses about the feedback is the feedback's month; a day in such a clause is the feedback day.
    Ranges of other clauses (a meeting's days) are neither."""
    s, e = intro
    dates = [
        f
        for f in figures
        if f.kind == "date"
        and s <= f.span[0] < e
        and not (published and f.span[0] < published[1] and published[0] < f.span[1])
        and not _NOT_AN_ACT.match(text, f.span[1])
        and not text.endswith(_BY_THEN, 0, f.span[0])
    ]
    stays: list[Figure] = []
    meeting: str | None = None
    yearless = False  # the feedback's date is written without its year (the year is a reader's inference)
    for f in dates:
        clause, cs = _clause(text, f.span[0], s, e)
        rounds = {m.group(1) for m in _ROUND_OF.finditer(clause)}
        if round_named and rounds and round_named.group(1) not in rounds:
            continue  # another round's dates (第七轮 when the group is 第八轮's)
        month = f.iso is not None and not re.fullmatch(r"\d{4}", f.iso)
        stay, fed = _STAY.search(clause), FEEDBACK_ACT.search(clause)
        if fed and _LEADERS_MEETING.search(clause):  # 9月2日，中央巡视工作领导小组召开…集中反馈会议: the day the
            if f.iso and not f.iso_end and _nearest_to(text, f, cs + fed.end(), dates, cs, cs + len(clause)):
                meeting = meeting or with_year(f.iso, figures, f.span[0], text)  # groups feed back, unless a
            fed = None  # group's own feedback to the body is dated too (9月3日，中央第二巡视组向…反馈)
        if fed and not _nearest_to(text, f, cs + fed.end(), dates, cs, cs + len(clause)):
            fed = None  # another date of the sentence is the feedback's (已于12月重组…，并于8月反馈了)
        if f.iso_end and stay:
            stays.append(f)
        elif f.iso_end and fed and facts.feedback_date is None:
            iso = with_year(f.iso, figures, f.span[0], text) or ""
            facts.feedback_date, yearless = iso or None, _no_year(text, f)  # days of feedback (12月10日—11日): the first
        elif not f.iso_end and fed and month and facts.feedback_date is None:
            facts.feedback_date = with_year(f.iso, figures, f.span[0], text)
            yearless = _no_year(text, f)
        elif (
            not f.iso_end
            and facts.start is None
            and (stay and (_STARTS_FROM.match(text, f.span[1]) or month and _arrived(clause)) or _LAUNCHED.search(clause))
        ):
            facts.start = with_year(f.iso, figures, f.span[0], text)
    facts.feedback_date = facts.feedback_date or meeting
    if not stays and facts.start is None:  # a range near the group's name, not a meeting's: the stay
        stays = [f for f in dates if f.iso_end and _GROUP_AT_WORK.search(_clause(text, f.span[0], s, e)[0])][
            :1
        ]
    if stays:
        para = text.rfind("\n", 0, stays[0].span[0])
        same = [f for f in stays if text.rfind("\n", 0, f.span[0]) == para]
        starts = [with_year(f.iso, figures, f.span[0], text) or "" for f in same]
        ends = [with_year(f.iso_end, figures, f.span[0], text) or "" for f in same]
        facts.start, facts.end = starts[0], max(ends)
        facts.start = min(starts)
    _feedback_after_stay(facts)
    if yearless and facts.feedback_date:
        facts.feedback_date = _year_in_order(facts.feedback_date, facts.end, _written(text, published))


def _no_year(text: str, f: Figure) -> bool:
    """The date is written without its year (``11月14日``): the year it carries is a reader's inference."""
    return not re.search(r"(?:19|20)\d\d|[〇零一二][〇零一二三四五六七八九]{3}|年", text[f.span[0] : f.span[1]])


def _written(text: str, published: Span | None) -> str | None:
    """The full date of the text's own date line (``发布日期：2021年01月15日``), ISO, or None."""
    said = text[published[0] : published[1]] if published else ""
    return next((iso_date(d1) for _, _, d1, _ in find_dates(said) if None not in d1), None)


def _year_in_order(fed: str, end: str | None, written: str | None) -> str:
    """A feedback day whose year the reader gave (``2月1日``) keeps events in order: it follows the stay's end
    (``2023年8月底至12月中旬`` → the next year's 2月1日) and comes before the day the text was written (``发布日期：
    2021年01月15日…11月14日`` → the year before)."""
    if not re.fullmatch(r"\d{4}-\d\d-\d\d", fed):
        return fed
    y = int(fed[:4])
    if end and re.fullmatch(r"\d{4}-\d\d(?:-\d\d)?", end) and fed[:7] < end[:7] and f"{y + 1}{fed[4:]}" >= end:
        y += 1
    elif written and fed > written and f"{y - 1}{fed[4:]}" <= written:
        y -= 1
    out = f"{y}{fed[4:]}"
    return out if out[5:] != "02-29" or y % 4 == 0 else fed


def _arrived(clause: str) -> bool:
    """The clause tells the group's arrival (``区委第三巡察组对X开展常规巡察``), not a plan or a report of it."""
    return bool(_ARRIVED.search(clause)) and not _NOT_ARRIVED.search(clause)


def _nearest_to(text: str, f: Figure, at: int, dates: list[Figure], lo: int, hi: int) -> bool:
    """Whether ``f`` is the date of [lo, hi) that the act ending at ``at`` is told with: the nearest one
    written before it (于8月29日反馈了), else the nearest after it (反馈会议于3月17日召开). Dates of a
    year alone date no act."""
    said = [d for d in dates if lo <= d.span[0] < hi and d.iso and not re.fullmatch(r"\d{4}", d.iso)]
    before = sorted((d for d in said if d.span[1] <= at), key=lambda d: d.span[1])
    near = before[-1] if before else min(said, key=lambda d: d.span[0], default=None)
    while len(before) > 1 and near is before[-1] and text[before[-2].span[1] : near.span[0]] in ("、", "和", "及"):
        before.pop()  # 10月27日、11月1日、11月3日，各巡察组分别反馈: the series' first day
        near = before[-1]
    return near is f


def _feedback_after_stay(facts: InspectionFacts) -> None:
    """Feedback follows the stay: a feedback day that the year of its context puts before the stay's end
    (a stay of 10–12月2017, feedback on 1月24日) is in the next year."""
    fb, end = facts.feedback_date, facts.end  # (an end of month only, 2022-11 for 11月下旬, is compared by month)
    if fb and end and len(fb) == 10 and len(end) >= 7 and fb[0].isdigit() and end[0].isdigit() and fb[: len(end)] < end:
        bumped = f"{int(fb[:4]) + 1}{fb[4:]}"
        if bumped[: len(end)] > end and fb[:4] == end[:4]:
            facts.feedback_date = bumped


def with_year(iso: str | None, figures: list[Figure], at: int, text: str) -> str | None:
    """A date written without a year (``--06-27``) takes the year of the nearest dated figure before it in
    the text (the end of a range: the feedback follows the stay), else after it; it stays yearless when the
    text gives no year at all. A span's start written after it (``2017年巡察工作以来``) dates nothing."""
    if not iso or not iso.startswith("--") or relative_year(text, at) is not None:
        return iso  # 去年8月 with no page date: its context's years are the story's past
    years = [
        (
            abs(f.span[0] - at) + (0 if f.span[0] < at else 10_000),
            ((f.iso_end if f.span[0] < at else None) or f.iso)[:4],
        )
        for f in figures
        if f.kind == "date"
        and f.iso
        and f.iso[:4].isdigit()
        and f.span[0] != at
        and (f.span[0] < at or not since(text, f.span))
    ]
    years = [(d, y) for d, y in years if y.isdigit()]
    return f"{min(years)[1]}{iso[1:]}" if years else iso
