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
from dataclasses import dataclass

from agent.schema import Span
from agent.text.findings.base import Found, Page, number
from agent.text.grammar import CN_NUM, ProblemBlock, cn_small

# A colon cue: what follows it, up to the paragraph's end, lists findings.
_COLON_CUE = re.compile(
    r"(?:存在的?|发现的?|指出的?|反馈的?|查找出?的?|梳理出?的?)(?:[\d一二三四五六七八九十]+(?:类|个方面的?|个|条|项))?"
    r"(?:主要|突出|具体|一些|以下|如下)?问题"
    r"(?:主要)?(?:是|有|为|包括|表现在|体现在|集中在|如下)?[:：]"
    r"|(?:主要|突出|具体)问题(?:是|有|为|包括|表现在|体现在|集中在|如下)[:：]?"
    r"|问题(?:主要|具体)(?:是|有|为|包括|表现在|体现在|集中在)[:：]?"
    r"|(?:反馈|指出)了?[^。：:；]{0,30}?方面(?:的|存在的)?问题[:：]"
    r"|(?:发现|指出)[^。：:；]{0,12}?(?:问题|不足)[^。：:；]{0,8}?(?:主要(?:是|有|表现在|体现在))[:：]?"
    r"|(?<=问题。)主要(?:是|有|表现(?:在|为)|体现在)[,，:：]"
    r"|(?:存在|发现)[^。：:；]{0,16}?问题[,，]\s*主要(?:是|有|表现(?:在|为)|体现在)[:：,，]"
)
# A per-unit disclosure line: ``X存在的主要问题是：…`` / ``X存在问题：…`` / ``X：…``.
_UNIT_LEAD = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．])?\s*"
    r"(?P<unit>[^，,。：:；;\s]{2,40}?)"
    r"(?:(?:存在的?|的)(?:主要|突出)?问题(?:主要)?(?:是|有|为|包括)?|主要问题(?:是|有|为)?|巡察发现的?(?:主要)?问题(?:是|有)?)?[:：]"
)
# a line that only names a unit's findings, which the next paragraph lists
_UNIT_LINE = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．])?\s*(?P<unit>[^，,。：:；;\s]{2,40}?)"
    r"(?:存在的?(?:主要|突出)?问题|主要问题|巡察发现的?(?:主要)?问题)[:：]?$"
)
# ``存在A、B、C等问题`` (the list itself, inside a sentence).
_LIST = re.compile(
    r"(?:存在(?:着)?|发现(?:了)?|出现(?:了)?|还有|反馈了|主要是)(?P<list>(?!的|了|问题|存在|一些|一定|不少|较多)[^。；;：:,，]{4,400}?)"
    r"(?:等(?:方面|方面的|多方面)?(?:的)?(?:突出|具体)?问题|的问题|等情况|等现象|等不足|问题"
    r"|等[\d一二三四五六七八九十]+个方面(?:[\d一二三四五六七八九十]+(?:条|个|项)(?:具体)?问题)?)(?=[。；;，,]|$)"
)
# the same list with its items parted by commas: ``发现X统筹…不够有力，为民服务意识有所欠缺，…等问题``
_COMMA_LIST = re.compile(
    r"(?:存在(?:着)?|发现(?:了)?|反馈了|主要是)(?P<list>(?!的|了|问题|存在|一些|一定|不少|较多)[^。；;：:、]{8,200}?[,，][^。；;：:、]{4,200}?)"
    r"(?:等(?:方面|方面的)?(?:的)?(?:突出|具体)?问题|等[\d一二三四五六七八九十]+个方面)(?=[。；;，,]|$)"
)
# ``在A、B等方面还存在一些不足`` names the aspects where findings lie: each aspect stands for one
_ASPECTS = re.compile(
    r"在(?P<list>[^。；;：:]{4,200}?)(?:等|[\d一二三四五六七八九十]+个?大?)方面(?:还|仍|也)?存在(?:的)?"
    r"(?:[\d一二三四五六七八九十]+个)?(?:一些|不少|较多)?(?:问题|不足|短板|差距)"
)
# A sentence that starts something other than findings: requirements, suggestions, pledges, procedure.
_STOP = re.compile(
    r"^(?:[^。]{0,20}?(?:要求|强调|指出[^。]{0,6}要|希望|提出了?[^。]{0,12}(?:意见|建议|要求)|表示|表态|主持|出席|参加|传达)"
    r"|针对|对此|下一步|会上|会议|此次|本轮|本次|巡察组(?:要求|建议|指出[^。]{0,6}要)|整改意见|意见建议|根据|按照)"
)
_ENDS_LIST = re.compile(r"等(?:方面|方面的)?(?:的)?(?:突出|具体)?问题$")
# A sentence that asks, suggests or pledges: a list in it names what to fix, not what was found
_ASKS = re.compile(r"^[^。]{0,20}?(?:要求|强调|希望|提出了?[^。]{0,12}(?:意见|建议|要求)|表示|表态)|^(?:针对|对此|下一步)")
# A sentence that praises: it frames the findings that follow, it is not one.
_PRAISE = re.compile(r"取得了?[^。]{0,12}(?:成效|成绩|进展|成果)|充分肯定|给予肯定|积极作为|认真贯彻")
_MARK = re.compile(
    rf"(?:(?<=[。；;：:，,\s])|^)(?:(?P<shi>[{CN_NUM}]+)是|(?<=[。；;：:])(?P<cn>[{CN_NUM}]+)、|[(（](?P<par>[{CN_NUM}\d]{{1,3}})[)）]"
    r"|(?P<circ>[①②③④⑤⑥⑦⑧⑨⑩])|(?P<num>\d{1,2})[.、．](?!\d))"
)
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
_PROBLEM_WORDS = re.compile(
    r"问题|不到位|不够|不力|不严|不规范|不足|不实|不强|不高|不深入|不及时|不健全|不完善|不全面|不细|不明显|不彻底|薄弱|差距"
    r"|滞后|缺失|缺乏|缺位|违规|违反|违纪|未按|未能|未及时|未严格|没有|弱化|淡化|虚化|混乱|打折扣|走过场|有待|欠缺|短板|偏差|松懈"
)
_TRIM = " \t\n，,、。；;：:等"
TITLE_LIMIT = 60


@dataclass(frozen=True)
class Passage:
    """A stretch of text that lists findings, and the unit it is about (if a disclosure names one)."""

    span: Span
    unit: Span | None = None
    cue: str = ""


def _number(m: re.Match[str]) -> int | None:
    if m.group("shi") or m.group("cn"):
        return cn_small(m.group("shi") or m.group("cn"))
    if m.group("par"):
        v = m.group("par")
        return int(v) if v.isdigit() else cn_small(v)
    if m.group("circ"):
        return _CIRCLED.index(m.group("circ")) + 1
    return int(m.group("num")) if m.group("num") else None


def _marks(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """(marker start, body start) of a numbered run 1, 2, 3… of one marker style inside [s, e)."""
    runs: dict[str, list[tuple[int, int, int]]] = {}
    for m in _MARK.finditer(text, s, e):
        style = next(k for k in ("shi", "cn", "par", "circ", "num") if m.group(k))
        n = _number(m)
        if n is not None:
            runs.setdefault(style, []).append((n, m.start(), m.end()))
    best: list[tuple[int, int]] = []
    for found in runs.values():
        seq: list[tuple[int, int]] = []
        want = 1
        for n, a, b in found:
            if n == want:
                seq.append((a, b))
                want += 1
        if len(seq) >= 2 and len(seq) > len(best):
            best = seq
    return best


def _quote_aware_split(text: str, s: int, e: int, seps: str) -> list[Span]:
    """[s, e) cut at separators that stand outside quotes and brackets."""
    out: list[Span] = []
    depth = 0
    start = s
    for i in range(s, e):
        c = text[i]
        if c in "“《(（「":
            depth += 1
        elif c in "”》)）」" and depth:
            depth -= 1
        elif c in seps and depth == 0:
            out.append((start, i))
            start = i + 1
    out.append((start, e))
    return out


def _trim(text: str, span: Span) -> Span:
    s, e = span
    while s < e and text[s] in _TRIM:
        s += 1
    while e > s and text[e - 1] in _TRIM:
        e -= 1
    return (s, e)


def _sentences(text: str, s: int, e: int) -> list[Span]:
    return [sp for sp in _quote_aware_split(text, s, e, "。!！?？") if sp[1] > sp[0]]


def _passage_end(text: str, s: int, e: int, numbered: bool) -> int:
    """Where a findings passage stops: at the first sentence that requires, suggests, pledges or narrates.
    An unnumbered passage is one sentence unless its items run on with ``；``."""
    sents = _sentences(text, s, e)
    if not sents:
        return e
    end = sents[0][1]
    for a, b in sents[1:]:
        body = text[a:b].lstrip(_TRIM)
        if _STOP.match(body) or _PRAISE.search(body) or not _PROBLEM_WORDS.search(body):
            break
        if not numbered and "；" not in text[s:end] and not _MARK.match(text, a):
            break
        end = b
    return min(e, end + 1 if end < e and text[end] in "。!！?？" else end)


def items(text: str, passage: Span) -> list[Span]:
    """A findings passage cut into items: by its numbered markers, else by ``；``, else by the ``、`` of a
    ``存在A、B、C等问题`` list; one item when it is a single finding."""
    s, e = passage
    marks = _marks(text, s, e)
    if marks:
        starts = [a for a, _ in marks]
        ends = starts[1:] + [e]
        return [sp for sp in (_trim(text, (a, b)) for a, b in zip(starts, ends, strict=True)) if sp[1] - sp[0] >= 4]
    parts = [_trim(text, sp) for sp in _quote_aware_split(text, s, e, "；;")]
    parts = [p for p in parts if p[1] - p[0] >= 4]
    if len(parts) >= 2:
        return parts
    out: list[Span] = []
    for a, b in _sentences(text, s, e):
        out.extend(_sentence_items(text, _trim(text, (a, b))))
    return out


def colon_list(text: str, passage: Span) -> list[Span]:
    """After ``主要是：``, one sentence ``A，B、C、D等问题`` is the list itself: items parted by ``、`` and ``，``."""
    sents = _sentences(text, *passage)
    if len(sents) != 1 or _marks(text, *passage) or "；" in text[passage[0] : passage[1]]:
        return []
    a, b = _trim(text, sents[0])
    m = _ENDS_LIST.search(text, a, b)
    if m is None or "、" not in text[a : m.start()]:
        return []
    parts = [_trim(text, sp) for sp in _quote_aware_split(text, a, m.start(), "、，,")]
    return [p for p in parts if p[1] - p[0] >= 3]


def _sentence_items(text: str, sent: Span) -> list[Span]:
    """One sentence of a passage: the items of its ``存在A、B、C等问题`` lists, else the sentence itself when
    it states a problem."""
    a, b = sent
    found: list[Span] = []
    pos = a
    while (m := _LIST.search(text, pos, b) or _ASPECTS.search(text, pos, b)) is not None:
        listed = [_trim(text, sp) for sp in _quote_aware_split(text, m.start("list"), m.end("list"), "、")]
        found.extend(p for p in listed if p[1] - p[0] >= 3)
        pos = m.end()
    if not found and (m := _COMMA_LIST.search(text, a, b)) is not None:
        listed = [_trim(text, sp) for sp in _quote_aware_split(text, m.start("list"), m.end("list"), "，,")]
        found.extend(p for p in listed if p[1] - p[0] >= 3)
    if found:
        return found
    return [sent] if b - a >= 6 and _PROBLEM_WORDS.search(text, a, b) and not _PRAISE.search(text, a, b) else []


def _unit_passages(text: str, para: Span) -> Passage | None:
    s, e = para
    m = _UNIT_LEAD.match(text[s:e])  # on the slice: ``^`` does not anchor at a ``pos`` argument
    if not m:
        return None
    unit = m.group("unit")
    explicit = m.end() - m.end("unit") > 1  # ``存在的主要问题是：`` rather than a bare ``：``
    if not explicit and not is_unit_name(unit):
        return None
    if _STOP.match(unit) or not _PROBLEM_WORDS.search(text, s + m.end(), e):
        return None
    return Passage((s + m.end(), e), (s + m.start("unit"), s + m.end("unit")), "unit")


_UNIT_NAME = re.compile(
    r"(?:党委|党工委|党组|党支部|党总支|委员会|委|办|部|局|厅|署|院|所|校|学院|中心|站|公司|集团|街道|镇|乡|村|社区|政府|机关|队|馆|会)$"
)


def is_unit_name(s: str) -> bool:
    """A body that findings are tied to (``区委政法委``, ``县卫生健康局党组``, ``马厂镇党委``)."""
    return 2 <= len(s) <= 30 and bool(_UNIT_NAME.search(s)) and not re.search(r"[，,。；;]", s)


def passages(text: str, paras: list[Span]) -> list[Passage]:
    """Findings passages of the body paragraphs, in order. A unit heading line followed by a paragraph of
    findings (``一、县卫生健康局党组`` / ``落实…不严格；…``) makes that paragraph a passage of that unit."""
    out: list[Passage] = []
    pending_unit: Span | None = None
    for s, e in paras:
        line = text[s:e]
        head = re.match(r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）])\s*", line)
        if head and is_unit_name(line[head.end() :].rstrip("：:")):
            pending_unit = (s + head.end(), e - (1 if line.endswith(("：", ":")) else 0))
            continue
        if (lone := _UNIT_LINE.match(line)) is not None:  # ``区卫生健康委员会党组存在的主要问题`` on its own line
            pending_unit = (s + lone.start("unit"), s + lone.end("unit"))
            continue
        if pending_unit is not None and _PROBLEM_WORDS.search(line):
            out.append(Passage((s, e), pending_unit, "unit_heading"))
            continue
        pending_unit = None
        unit = _unit_passages(text, (s, e))
        if unit is not None:
            out.append(unit)
            continue
        out.extend(_cued(text, s, e))
    return out


def _cued(text: str, s: int, e: int) -> list[Passage]:
    """Passages opened by a finding cue inside one paragraph: a colon cue, or a ``存在…等问题`` list in a
    sentence that neither requires nor praises."""
    found: list[Passage] = []
    pos = s
    while pos < e:
        colon = _COLON_CUE.search(text, pos, e)
        listed = _next_list(text, pos, e)
        if colon and (listed is None or colon.start() <= listed[0]):
            start = colon.end()
            numbered = bool(_marks(text, start, e))
            end = _passage_end(text, start, e, numbered)
            if end > start:
                found.append(Passage((start, end), None, "colon"))
            pos = max(end, start + 1)
        elif listed is not None:
            aspects = not _LIST.search(text, *listed) and bool(_ASPECTS.search(text, *listed))
            found.append(Passage(listed, None, "aspects" if aspects else "list"))
            pos = listed[1]
        else:
            break
    return found


def _next_list(text: str, s: int, e: int) -> Span | None:
    """The next sentence of [s, e) holding a ``存在…问题`` list that reads as a finding."""
    for a, b in _sentences(text, s, e):
        sent = text[a:b]
        m = _LIST.search(sent) or _ASPECTS.search(sent) or _COMMA_LIST.search(sent)
        if not m:
            continue
        before = sent[: m.start()]
        if _ASKS.match(sent.lstrip(_TRIM)) or re.search(r"针对|解决|整改|防止|避免|杜绝|是否|有无|查找|剖析", before):
            continue
        return (a, min(e, b + 1 if b < e and text[b] in "。" else b))
    return None


def recognize(page: Page) -> Found | None:
    """Findings listed in prose, in the opening and the body; the units a disclosure ties them to."""
    paras = page.opening + page.body
    found = find(page.text, paras)
    if not found:
        return None
    seen: dict[str, Span] = {}
    for p in passages(page.text, paras):
        if p.unit is not None:
            seen.setdefault(page.text[p.unit[0] : p.unit[1]], p.unit)
    return Found("prose", number(found), list(seen.values()))


def find(text: str, paras: list[Span]) -> list[ProblemBlock]:
    """One candidate problem per item of every findings passage, numbered later by the caller. Aspects
    (``在A、B等方面存在不足``) stand for findings only when the text lists no others: otherwise they frame
    the list that follows."""
    blocks: list[ProblemBlock] = []
    found = passages(text, paras)
    if any(p.cue != "aspects" for p in found):
        found = [p for p in found if p.cue != "aspects"]
    for p in found:
        unit = text[p.unit[0] : p.unit[1]] if p.unit else None
        for sp in (p.cue == "colon" and colon_list(text, p.span)) or items(text, p.span):
            blocks.append(_block(text, sp, unit, "disclosure" if unit else "prose"))
    return blocks


def _block(text: str, span: Span, unit: str | None, found_by: str) -> ProblemBlock:
    s, e = span
    m = _MARK.match(text, s)
    body = m.end() if m and m.start() == s else s
    cut = re.search(r"[，,。；;：:]", text[body:e])
    title_end = body + min(cut.start() if cut else e - body, TITLE_LIMIT)
    return ProblemBlock(id="", span=(s, e), title=(body, title_end), description=(body, e), measures=[],
                        unit=unit, path=[], found_by=found_by)
