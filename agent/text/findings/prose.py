"""Findings listed in prose: the recognizer for news of feedback meetings and feedback disclosures.

Why a module of its own: most published inspection texts are short news items whose findings are not
headed paragraphs but lists inside sentences — ``存在A、B、C等问题``, ``一是…；二是…`` inside a paragraph,
``X存在的主要问题是：…；…`` per unit, ``主要问题有：(1)…(2)…``. The heading grammar (``problems``) finds
none of them. This module finds the *findings passages* (a finding cue such as ``存在的主要问题是：`` or
``发现…问题，`` opens one), cuts each passage into items with exact spans, and ties an item to the unit its
passage names. Text that merely frames, praises, requires or pledges (``取得了新成效``, ``要求``,
``表示``) opens no passage, so a news item that lists no finding yields none. Pure.

Every item is a candidate ``ProblemBlock`` with ``found_by = "prose"`` (or ``"disclosure"`` when a unit
is named); spans index into the cleaned text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from agent.schema import Span
from agent.text import markers, vocab
from agent.text.findings.base import Found, Page, number
from agent.text.findings.items import (
    ASPECTS,
    COMMA_LIST,
    LIST,
    MARK,
    PRAISE,
    PROBLEM_WORDS,
    TRIM,
    block,
    clause_list,
    colon_list,
    defect_list_at,
    finding_sentences,
    items,
    list_at,
    marks,
    sentences,
    some_runs,
    trim,
    turns_to_asks,
)
from agent.text.findings.leads import (
    ASPECT_LEAD,
    aspect_items,
    aspect_led_parts,
    quoted_items,
    targeted,
    unit_led,
)
from agent.text.findings.units import UNIT_LINE, is_unit_name, pointed, speaks, unit_lead
from agent.text.grammar import ProblemBlock

# an item that only counts, praises or tallies leads, or frames (an aspect, 在A、B等方面, stays: CONVENTION.md rule 4)
_NO_ITEM = ("count", "praise", "leads")
_ASPECT_COUNT = r"(?:[\d一二三四五六七八九十]{1,3}个方面)?"  # 表现在三个方面：the findings follow, by aspect
# A colon cue: what follows it, up to the paragraph's end, lists findings.
_COLON_CUE = re.compile(
    r"(?:存在的?|发现的?|指出的?|反馈的?|查找出?的?|梳理出?的?)(?:[\d一二三四五六七八九十]+(?:大?类|个方面的?|个|条|项))?"
    r"(?:主要|突出|具体|一些|以下|如下|新)?问题"
    r"(?:主要)?(?:是|有|为|包括|表现在|体现在|集中在|(?:通报|反馈|报告|公布|列举)?如下|(?:最为|较为|比较|最)突出)?"
    rf"{_ASPECT_COUNT}(?:[:：]|(?:(?<=包括)|(?<=主要是)|(?<=主要有))[，,])"  # 主要表现在三个方面：/ 发现的问题包括，A；B
    r"|(?:主要|突出|具体)问题(?:是|有|为(?!重点|主攻|核心|抓手|导向|切入点|突破口|着力点)|包括|表现在|体现在|集中在|如下)[:：]?"
    r"|(?:共性|个性|普遍性|倾向性|突出)问题(?:主要)?(?:是|有|为|包括|表现在|体现在)?[:：]"  # 共性问题:A,B,C等
    r"|问题[，,]\s*(?:比如|例如|譬如|诸如)[，,:：]?"  # 发现了一些共性问题,比如,A;B;C,等等
    r"|巡[视察]组?(?:在反馈中|反馈时)?(?:还|也|同时)?指出[，,](?=[^。；;]{4,200}[；;][^。；;]{4,200}[；;])"  # 巡视组指出，A；B；C。
    rf"|问题(?:主要|具体)(?:是|有|为|包括|表现在|体现在|集中在){_ASPECT_COUNT}[:：]?"
    r"|(?:反馈|指出)了?[^。：:；]{0,30}?方面(?:的|存在的)?问题[:：]"
    rf"|(?:发现|指出)[^。：:；]{{0,12}}?(?:问题|不足)[^。：:；]{{0,8}}?(?:主要(?:是|有|表现在|体现在)){_ASPECT_COUNT}[:：]?"
    r"|(?<=问题。)主要(?:是|有|表现(?:在|为)|体现在)[,，:：]"
    r"|(?:存在|发现|反映)[^。：:；]{0,16}?问题(?:[、和及][^。：:；，,]{1,8})?[,，]\s*(?:主要(?:是|有|表现(?:在|为)|体现在|集中在(?:以下几?个?方面)?)|包括|表现(?:在|为))[:：,，]?"
)
# A line that only heads the findings listed in the paragraphs below it: ``问题`` / ``存在的主要问题``.
_FINDINGS_HEAD = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）])?\s*(?:巡[察视])?(?:存在|发现|反馈|指出)?的?"
    r"(?:主要|突出|具体)?问题(?:清单)?[:：]?$"
)
# a bare place or unit line inside a findings list: the findings below it are that unit's (``临湘市``)
_PLACE_LINE = re.compile(
    rf"^[\u4e00-\u9fa5]{{1,14}}(?:{vocab.fragment('county')}|{vocab.fragment('township')}|{vocab.fragment('unit_suffix')})$"
)
# what an inspection looks at (一是聚焦…，重点关注…情况): its duty, not a finding
_DUTY = re.compile(r"(?:[一二三四五六七八九十]{1,4}是|\d{1,3}[.、．])?即?聚焦[^。]{0,300}?(?:重点(?:关注|检查|围绕|了解)|突出对|情况)")
# a list paragraph's own marker: 5. / 5 / 一是 / (一) / 一、
_LIST_HEAD = markers.compiled("lead")  # the marker grammar's lead styles
# a numbered paragraph that asks rather than finds (一是要…, 二是建议…, 巡察组要求…)
_ASKS_HEAD = re.compile(
    r"(?:要求|希望|建议|强调|要|针对|对此|下一步)|[^。，,]{0,12}(?:巡[察视]组|书记|组长|会议)(?:要求|强调|希望|提出|指出[^。]{0,6}要)"
)
# A sentence that starts something other than findings: requirements, suggestions, pledges, procedure.
_STOP = re.compile(
    r"^(?:[^。]{0,20}?(?:要求|强调|指出[^。]{0,6}要|希望|提出了?[^。]{0,12}(?:意见|建议|要求)|表示|表态|主持|出席|参加|传达)"
    r"|针对|对此|下一步|会上|会议|此次|本轮|本次|巡察组(?:要求|建议|指出[^。]{0,6}要)|整改意见|意见建议|根据|按照)"
)
# A sentence that asks, suggests or pledges: a list in it names what to fix, not what was found
_ASKS = re.compile(  # (not a comparison with a standard: 但对照…要求，仍存在…, vocab.COMPARED)
    rf"^(?![^。]{{0,20}}?{vocab.COMPARED})[^。]{{0,20}}?(?:要求|强调|希望|提出了?[^。]{{0,12}}(?:意见|建议|要求)|表示|表态)"
    r"|^(?:针对|对此|下一步)"
)


@dataclass(frozen=True)
class Passage:
    """A stretch of text that lists findings, and the unit it is about (if a disclosure names one)."""

    span: Span
    unit: Span | None = None
    cue: str = ""
    parts: tuple[Span, ...] = ()  # the items, when the cue already cut them (``有的…；有的…``)
    measures: tuple[Span, ...] = ()  # what was done about the one finding in ``parts`` (``针对“X”问题，…``)


def _passage_end(text: str, s: int, e: int, numbered: bool) -> int:
    """Where a findings passage stops: at the first sentence that requires, suggests, pledges or narrates.
    An unnumbered passage is one sentence unless its items run on with ``；`` or its sentences are each led
    by an aspect (``在X方面，…``)."""
    sents = sentences(text, s, e)
    if not sents:
        return e
    end = sents[0][1]
    by_aspect = bool(ASPECT_LEAD.match(text, *trim(text, sents[0])))
    # in a numbered list, a sentence before the last marked one tells its item's specifics (一是…差距。区委…不大。二是…)
    last_marked = max((i for i, sp in enumerate(sents) if MARK.match(text, trim(text, sp)[0])), default=0) if numbered else 0
    for i, (a, b) in enumerate(sents[1:], 1):
        body = text[a:b].lstrip(TRIM)
        specifics = i < last_marked
        if _STOP.match(body) or PRAISE.search(body) or not (specifics or PROBLEM_WORDS.search(body)) or turns_to_asks(body):
            break
        if by_aspect and ASPECT_LEAD.match(body):
            end = b
            continue
        if not numbered and not re.search("[；;]", text[s:end]) and not MARK.match(text, a):
            break
        end = b
    return min(e, end + 1 if end < e and text[end] in "。!！?？" else end)


def _unit_passages(text: str, para: Span) -> Passage | None:
    got = unit_lead(text, *para)
    if got is None or _STOP.match(text[got[0][0] : got[0][1]]):
        return None
    return Passage(got[1], None if speaks(text[got[0][0] : got[0][1]]) else got[0], "unit")


def _pointed(text: str, s: int, e: int) -> Passage | None:
    got = pointed(text, s, e)
    return None if got is None else Passage(got[1], got[0], "pointed", got[2])


def passages(text: str, paras: list[Span]) -> list[Passage]:
    """Findings passages of the body paragraphs, in order. A unit heading line followed by a paragraph of
    findings (``一、县卫生健康局党组`` / ``落实…不严格；…``) makes that paragraph a passage of that unit."""
    out: list[Passage] = []
    pending_unit: Span | None = None
    listing = False  # the paragraphs below a cue or a heading that announces findings list them
    listing_unit: Span | None = None  # ... under a bare unit line (``临湘市``) inside that list
    for s, e in paras:
        line = text[s:e]
        if listing and _PLACE_LINE.match(line):
            listing_unit = (s, e)
            continue
        if listing and _aspect_heading(text, s, e):
            continue  # （一）贯彻落实…情况: a heading inside the findings section names the aspect of those below it
        if listing and not _dangling(text, s, e) and (listed := _listed_paragraph(text, s, e, listing_unit)) is not None:
            if _frames(text, out, listed):
                out.pop()  # (一)<aspect> over 一是…二是… paragraphs: the aspect frames them, it is no finding
            out.append(listed)
            continue
        listing, listing_unit = False, None
        if _FINDINGS_HEAD.match(line):
            listing = True
            continue
        head = re.match(r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）])\s*", line)
        if head and is_unit_name(line[head.end() :].rstrip("：:")):
            pending_unit = (s + head.end(), e - (1 if line.endswith(("：", ":")) else 0))
            continue
        if (
            lone := UNIT_LINE.match(line)
        ) is not None:  # ``区卫生健康委员会党组存在的主要问题`` on its own line
            pending_unit = (s + lone.start("unit"), s + lone.end("unit"))
            continue
        if pending_unit is not None and PROBLEM_WORDS.search(line):
            out.append(Passage((s, e), pending_unit, "unit_heading"))
            continue
        pending_unit = None
        reader, got = next((r, got) for r in PARAGRAPH_READERS if (got := r.read(text, s, e)) is not None)
        out.extend(got)
        listing = reader.name == "cued" and _dangling(text, s, e)  # a cue ending it: the findings follow below
    return out


# --- a paragraph's findings: the first reader in this order that finds its wording takes the paragraph -----


@dataclass(frozen=True)
class ParagraphReader:
    """One way a paragraph states findings: ``read`` gives its passages, or None when the wording is not its
    own (the next reader is tried). ``example`` is read by it, ``non_example`` is not (``tests/test_findings``)."""

    name: str
    read: Callable[[str, int, int], list[Passage] | None]
    example: str
    non_example: str


def _by_unit(text: str, s: int, e: int) -> list[Passage] | None:
    unit = _unit_passages(text, (s, e)) or _pointed(text, s, e)
    return [unit] if unit is not None else None


def _by_target(text: str, s: int, e: int) -> list[Passage] | None:
    answered = targeted(text, s, e)
    return None if answered is None else [Passage((s, e), None, "targeted", (answered[0],), tuple(answered[1]))]


def _by_quote(text: str, s: int, e: int) -> list[Passage] | None:
    quoted = quoted_items(text, s, e)
    if not quoted:
        return None
    span = (quoted[0][0], quoted[-1][1])
    rest = [p for p in _cued(text, s, e) if p.span[1] <= span[0] or p.span[0] >= span[1]]  # lists beside the quote
    return sorted([Passage(span, None, "quoted", tuple(quoted)), *rest], key=lambda p: p.span)


def _by_units_leading(text: str, s: int, e: int) -> list[Passage] | None:
    led = unit_led(text, s, e)
    if not led:
        return None  # the sentences before the first unit may hold a list of their own
    return _cued(text, s, led[0][0][0]) + [Passage(item, u, "unit_led", (item,)) for u, item in led]


PARAGRAPH_READERS: tuple[ParagraphReader, ...] = (
    ParagraphReader("unit", _by_unit, "区委政法委存在的主要问题是：一是学习贯彻不深入；二是执法监督不到位。",
                    "巡察发现，该局存在学习不深入、管理不规范等问题。"),
    ParagraphReader("targeted", _by_target, "针对“村级财务管理不规范”问题，镇党委开展专项检查。已整改完成。",
                    "针对存在的问题，巡察组提出了意见。"),
    ParagraphReader("quoted", _by_quote, "“学习贯彻不深入；财务管理不规范；作风建设不扎实。”近日，县委第一巡察组反馈了巡察情况。",
                    "近日，县委第一巡察组反馈了巡察情况。"),
    ParagraphReader("unit_led", _by_units_leading, "淄博市履行主体责任不到位。枣庄市基层党组织建设薄弱，组织生活不规范。",
                    "该市履行主体责任不到位。"),
    ParagraphReader("cued", lambda text, s, e: _cued(text, s, e),  # (defined below: looked up when called)
                    "巡察发现，该局存在学习不深入、管理不规范等问题。",
                    ""),  # the last: always reads (nothing when no cue opens a passage)
)


def _dangling(text: str, s: int, e: int) -> bool:
    """The paragraph ends on a colon cue (``现将巡察发现的主要问题通报如下：``): the findings follow below."""
    cues = list(_COLON_CUE.finditer(text, s, e))
    return bool(cues) and not text[cues[-1].end() : e].strip()


def _aspect_heading(text: str, s: int, e: int) -> bool:
    """A numbered line with no sentence end and no problem word that names no unit: an aspect's heading."""
    head = _LIST_HEAD.match(text, s, e)
    if head is None or e - s > 160 or re.search("[。；;]", text[s:e]) or PROBLEM_WORDS.search(text, s, e):
        return False
    return not is_unit_name(text[head.end() : e].strip().rstrip("：:"))  # 一、县卫生健康局党组 names a unit


def _frames(text: str, out: list[Passage], listed: Passage) -> bool:
    """The last passage is a paragraph of the same list whose marker stands at a higher level than this one's
    (``（一）<aspect>`` over ``1.…`` or ``一是…`` paragraphs, ``一、`` over ``（一）``): it names their aspect."""
    if not out or out[-1].cue != "listed":
        return False
    above = _LIST_HEAD.match(text, out[-1].span[0], out[-1].span[1])
    below = _LIST_HEAD.match(text, listed.span[0], listed.span[1])
    if above is None or below is None:
        return False
    return markers.level(markers.style_of(above)) < markers.level(markers.style_of(below))


def _listed_paragraph(text: str, s: int, e: int, unit: Span | None = None) -> Passage | None:
    """A paragraph below a findings cue or heading, while the list goes on: a numbered paragraph is one item
    (``5.财务管理不规范。内控制度…``), one parted by ``；`` or markers is cut as any passage, any other states
    one finding per sentence. Requirements, suggestions, praise and paragraphs without problem words end the
    list."""
    body = text[s:e].lstrip(TRIM)
    head = _LIST_HEAD.match(body)
    asks = _ASKS_HEAD.match(body, head.end()) if head else _STOP.match(body)
    if asks or PRAISE.search(body) or not PROBLEM_WORDS.search(body) or len(body) < 6:
        return None
    numbered = marks(text, s, e)
    if head and len(numbered) < 2:  # 5.财务管理不规范。… / 一是…。… / (一)…: the whole paragraph is one item
        return Passage((s, e), unit, "listed", (trim(text, (s, e)),))
    if numbered or re.search("[；;]", body):
        return Passage((s, e), unit, "listed")
    return Passage((s, e), unit, "listed", tuple(finding_sentences(text, s, e)))


def _cued(text: str, s: int, e: int) -> list[Passage]:
    """Passages opened by a finding cue inside one paragraph: a colon cue, or a ``存在…等问题`` list in a
    sentence that neither requires nor praises."""
    found: list[Passage] = []
    pos = s
    while pos < e:
        colon = _COLON_CUE.search(text, pos, e)
        listed = _next_list(text, pos, e)
        if colon and (listed is None or colon.start() < listed[1]):  # a cue inside the sentence opens its list
            start = colon.end()
            numbered = bool(marks(text, start, e))
            end = _passage_end(text, start, e, numbered)
            if end > start:
                found.append(Passage((start, end), None, "colon"))
            pos = max(end, start + 1)
        elif listed is not None:
            if (asks := _ASKS_IN_SENTENCE.search(text, *listed)) is not None:  # …等方面存在的问题，针对存在的问题，巡察组提出四点意见：
                listed = (listed[0], asks.start())
            aspects = not LIST.search(text, *listed) and bool(ASPECTS.search(text, *listed))
            led = aspect_led_parts(text, listed[1], e) if aspects else []
            if led:  # 在A、B方面还存在一些突出问题。据介绍，在A方面，…；在B方面，…: the aspects frame the labelled parts
                found.append(Passage((led[0][0], led[-1][1]), None, "aspect_led", tuple(led)))
                pos = led[-1][1]
                continue
            found.append(Passage(listed, None, "aspects" if aspects else "list"))
            pos = listed[1]
        else:
            break
    for run in some_runs(text, s, e):
        if not any(p.span[0] < run[-1][1] and run[0][0] < p.span[1] for p in found):
            found.append(Passage((run[0][0], run[-1][1]), None, "some", tuple(run)))
    return sorted(found, key=lambda p: p.span)


# a clause inside a findings sentence that turns to what is asked: the findings end before it
_ASKS_IN_SENTENCE = re.compile(r"[，,](?=针对|对此|[^，,。；]{0,10}提出了?[^，,。；]{0,8}(?:意见|建议|要求))")


def _next_list(text: str, s: int, e: int) -> Span | None:
    """The next sentence of [s, e) holding a ``存在…问题`` list that reads as a finding."""
    for a, b in sentences(text, s, e):
        sent = text[a:b]
        m = list_at(sent, 0, len(sent)) or ASPECTS.search(sent) or COMMA_LIST.search(sent)
        if not m and (defects := defect_list_at(sent, 0, len(sent))) is not None:
            m = defects[0]
        if not m:
            continue
        before = re.split(r"[，,]", sent[: m.start()])[-1]  # the clause the list is in, not earlier ones
        head = before + sent[m.start() : m.start("list")]  # the clause up to its list: 著力发现 (focus), not 在…解决…方面存在问题
        cut = re.search(r"[，,：:]", sent)  # the sentence opens with a plan before its list (此轮巡察将紧扣…，在A、B等方面存在的问题)
        planned = cut is not None and cut.start() < m.start() and vocab.vetoed(sent[: cut.start()].lstrip(TRIM)) in ("pledge", "focus")
        if _ASKS.match(sent.lstrip(TRIM)) or vocab.says("focus", head.lstrip(TRIM)) or planned or re.search(
            r"针对|解决|整改|防止|避免|杜绝|是否|有无|查找|剖析|要$|旨在|为了", before
        ):
            continue
        return (a, min(e, b + 1 if b < e and text[b] in "。" else b))
    return None


def recognize(page: Page) -> Found | None:
    """Findings listed in prose, in the opening and the body; the units a disclosure ties them to."""
    found = passages(page.text, page.opening + page.body)
    blocks = find(page.text, found)
    if not blocks:
        return None
    seen: dict[str, Span] = {}
    for p in found:
        if p.unit is not None:
            seen.setdefault(page.text[p.unit[0] : p.unit[1]], p.unit)
    return Found("prose", number(blocks), list(seen.values()))


def find(text: str, found: list[Passage]) -> list[ProblemBlock]:
    """One candidate problem per item of every findings passage, numbered later by the caller. Aspects
    (``在A、B等方面存在不足``) stand for findings only when the text lists no others: otherwise they frame
    the list that follows."""
    blocks: list[ProblemBlock] = []
    if any(p.cue != "aspects" for p in found):
        found = [p for p in found if p.cue != "aspects"]
    for p in found:
        unit = text[p.unit[0] : p.unit[1]] if p.unit else None
        if p.measures:  # the quoted finding, then what was done about it
            blocks.append(ProblemBlock(id="", span=p.span, title=p.parts[0], description=None,
                                       measures=list(p.measures), found_by="prose"))
            continue
        listed = p.cue == "colon" and (
            aspect_items(text, *p.span) or colon_list(text, p.span) or clause_list(text, p.span)
        )
        for sp in p.parts or listed or items(text, p.span):
            own = text[sp[0] : sp[1]].strip(TRIM)
            framed = vocab.says("frame", own) and not own.endswith("方面")
            if not _DUTY.match(text, sp[0], sp[1]) and not framed and not any(vocab.says(c, own) for c in _NO_ITEM):
                blocks.append(block(text, sp, unit, "disclosure" if unit else "prose"))
    return blocks
