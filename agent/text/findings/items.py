"""Cutting a findings passage into items: the shared vocabulary of the prose recognizers.

Why a module of its own: a passage that lists findings (``存在A、B、C等问题``, ``一是…；二是…``,
``有的…；有的…``, ``(1)…(2)…``, one finding per sentence) is cut the same way whichever cue opened it, and
the cutting rules (numbered runs of one marker style, separators outside quotes, what trims off an
item) are their own small grammar. ``prose`` finds the passages; this module cuts them and builds each
item's ``ProblemBlock``. Pure.
"""

from __future__ import annotations

import re

from agent.schema import Span
from agent.text.grammar import CN_NUM, ProblemBlock, cn_small

LIST = re.compile(
    r"(?:存在(?:着)?|发现(?:了)?|出现(?:了)?|还有|反馈了|主要是)(?P<list>(?!的|了|问题|存在|一些|一定|不少|较多)[^。；;：:,，]{4,400}?)"
    r"(?:等(?:方面|方面的|多方面)?(?:的)?(?:突出|具体)?问题|的问题|等情况|等现象|等不足|问题"
    r"|等[\d一二三四五六七八九十]+个方面(?:[\d一二三四五六七八九十]+(?:条|个|项)(?:具体)?问题)?)(?=[。；;，,]|$)"
)
# the same list with its items parted by commas: ``发现X统筹…不够有力，为民服务意识有所欠缺，…等问题``
COMMA_LIST = re.compile(
    r"(?:存在(?:着)?|发现(?:了)?|反馈了|主要是)(?P<list>(?!的|了|问题|存在|一些|一定|不少|较多)[^。；;：:、]{8,200}?[,，][^。；;：:、]{4,200}?)"
    r"(?:等(?:方面|方面的)?(?:的)?(?:突出|具体)?问题|等[\d一二三四五六七八九十]+个方面)(?=[。；;，,]|$)"
)
# ``在A、B等方面还存在一些不足`` names the aspects where findings lie: each aspect stands for one
ASPECTS = re.compile(
    r"在(?P<list>[^。；;：:]{4,200}?)(?:等|[\d一二三四五六七八九十]+个?大?)方面(?:还|仍|也)?存在(?:的)?"
    r"(?:[\d一二三四五六七八九十]+个)?(?:一些|不少|较多)?(?:问题|不足|短板|差距)"
)
# A sentence that starts something other than findings: requirements, suggestions, pledges, procedure.
_ENDS_LIST = re.compile(r"等(?:方面|方面的)?(?:的)?(?:突出|具体)?问题$")
# A sentence that praises: it frames the findings that follow, it is not one.
PRAISE = re.compile(r"取得了?[^。]{0,12}(?:成效|成绩|进展|成果)|充分肯定|给予肯定|积极作为|认真贯彻")
MARK = re.compile(
    rf"(?:(?<=[。；;：:，,\s])|^)(?:(?P<shi>[{CN_NUM}]+)是|(?<=[。；;：:])(?P<cn>[{CN_NUM}]+)、|[(（](?P<par>[{CN_NUM}\d]{{1,3}})[)）]"
    r"|(?P<circ>[①②③④⑤⑥⑦⑧⑨⑩])|(?P<num>\d{1,2})[.、．](?!\d))"
)
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
PROBLEM_WORDS = re.compile(
    r"问题|不到位|不够|不力|不严|不规范|不足|不实|不强|不高|不深入|不及时|不健全|不完善|不全面|不细|不明显|不彻底|薄弱|差距"
    r"|滞后|缺失|缺乏|缺位|违规|违反|违纪|未按|未能|未及时|未严格|没有|弱化|淡化|虚化|混乱|打折扣|走过场|有待|欠缺|短板|偏差|松懈"
)
TRIM = " \t\n，,、。；;：:等"
TITLE_LIMIT = 60


def _number(m: re.Match[str]) -> int | None:
    if m.group("shi") or m.group("cn"):
        return cn_small(m.group("shi") or m.group("cn"))
    if m.group("par"):
        v = m.group("par")
        return int(v) if v.isdigit() else cn_small(v)
    if m.group("circ"):
        return _CIRCLED.index(m.group("circ")) + 1
    return int(m.group("num")) if m.group("num") else None


def marks(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """(marker start, body start) of a numbered run 1, 2, 3… of one marker style inside [s, e)."""
    runs: dict[str, list[tuple[int, int, int]]] = {}
    for m in MARK.finditer(text, s, e):
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


def quote_aware_split(text: str, s: int, e: int, seps: str) -> list[Span]:
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


def trim(text: str, span: Span) -> Span:
    s, e = span
    while s < e and text[s] in TRIM:
        s += 1
    while e > s and text[e - 1] in TRIM:
        e -= 1
    return (s, e)


def sentences(text: str, s: int, e: int) -> list[Span]:
    return [sp for sp in quote_aware_split(text, s, e, "。!！?？") if sp[1] > sp[0]]


def items(text: str, passage: Span) -> list[Span]:
    """A findings passage cut into items: by its numbered markers, else by ``；``, else by the ``、`` of a
    ``存在A、B、C等问题`` list; one item when it is a single finding."""
    s, e = passage
    numbered = marks(text, s, e)
    if numbered:
        starts = [a for a, _ in numbered]
        ends = starts[1:] + [e]
        return [
            sp for sp in (trim(text, (a, b)) for a, b in zip(starts, ends, strict=True)) if sp[1] - sp[0] >= 4
        ]
    parts = [trim(text, sp) for sp in quote_aware_split(text, s, e, "；;")]
    parts = [p for p in parts if p[1] - p[0] >= 4]
    if len(parts) >= 2:
        return parts
    out: list[Span] = []
    for a, b in sentences(text, s, e):
        out.extend(_sentence_items(text, trim(text, (a, b))))
    return out


def colon_list(text: str, passage: Span) -> list[Span]:
    """After ``主要是：``, one sentence ``A，B、C、D等问题`` is the list itself: items parted by ``、`` and ``，``."""
    sents = sentences(text, *passage)
    if len(sents) != 1 or marks(text, *passage) or "；" in text[passage[0] : passage[1]]:
        return []
    a, b = trim(text, sents[0])
    m = _ENDS_LIST.search(text, a, b)
    if m is None or "、" not in text[a : m.start()]:
        return []
    parts = [trim(text, sp) for sp in quote_aware_split(text, a, m.start(), "、，,")]
    return [p for p in parts if p[1] - p[0] >= 3]


def _sentence_items(text: str, sent: Span) -> list[Span]:
    """One sentence of a passage: the items of its ``存在A、B、C等问题`` lists, else the sentence itself when
    it states a problem."""
    a, b = sent
    found: list[Span] = []
    pos = a
    while (m := LIST.search(text, pos, b) or ASPECTS.search(text, pos, b)) is not None:
        listed = [trim(text, sp) for sp in quote_aware_split(text, m.start("list"), m.end("list"), "、")]
        found.extend(p for p in listed if p[1] - p[0] >= 3)
        pos = m.end()
    if not found and (m := COMMA_LIST.search(text, a, b)) is not None:
        listed = [trim(text, sp) for sp in quote_aware_split(text, m.start("list"), m.end("list"), "，,")]
        found.extend(p for p in listed if p[1] - p[0] >= 3)
    if found:
        return found
    return [sent] if b - a >= 6 and PROBLEM_WORDS.search(text, a, b) and not PRAISE.search(text, a, b) else []


def block(text: str, span: Span, unit: str | None, found_by: str) -> ProblemBlock:
    s, e = span
    m = MARK.match(text, s)
    body = m.end() if m and m.start() == s else s
    cut = re.search(r"[，,。；;：:]", text[body:e])
    title_end = body + min(cut.start() if cut else e - body, TITLE_LIMIT)
    return ProblemBlock(
        id="",
        span=(s, e),
        title=(body, title_end),
        description=(body, e),
        measures=[],
        unit=unit,
        path=[],
        found_by=found_by,
    )
