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
from agent.text import markers, vocab
from agent.text.grammar import ProblemBlock

# how many problems a list's closing 等…问题 says there are: 等多项问题, 等一些问题, 等5个问题, 等三类问题
_HOW_MANY = r"(?:多项|多个|多种|多方面|一些|若干|诸多|一系列|[\d一二三四五六七八九十]{1,4}(?:个|项|条|类))?"
# ``存在A、B、C等问题`` (the list itself, inside a sentence); ``list_at`` refuses the matches that are not lists.
LIST = re.compile(
    r"(?:存在(?:着)?|发现(?:了|的)?|出现(?:了)?|还有|反馈了|主要是|(?:梳理|提炼|归纳|查找|查摆|排查)出了?|被指(?:出)?有?(?![出了哪]))(?:一些|部分)?"
    r"(?P<list>(?!的|了|问题|存在|一些|一定|不少|较多|各类|各种|各项|相关|有关|具体|主要)[^。；;：:,，]{4,400}?)"
    rf"(?:等(?:“[^“”]{{1,8}}”)?{_HOW_MANY}(?:方面|方面的)?(?:的)?(?:突出|具体)?问题|的问题|等情况|等?现象|等不足|问题"
    r"|等[\d一二三四五六七八九十]+个方面(?:[\d一二三四五六七八九十]+(?:条|个|项)(?:具体|突出)?(?:共性|个性)?问题)?)"
    r"(?:[\d一二三四五六七八九十百千]{1,6}(?:个|条|项|件))?(?=[。；;，,]|$)"  # 等问题557个, 的问题23条
)
# ``A、B、C等问题仍不同程度存在``: the list opens its sentence and 存在 follows it
LIST_FRONT = re.compile(
    rf"(?P<list>[^。；;：:，,]{{4,200}}?)等{_HOW_MANY}(?:突出|具体)?(?:问题|现象)(?:仍然|依然|仍|还)?[^。；;，,]{{0,10}}?存在"
)
# the same list with its items parted by commas: ``发现X统筹…不够有力，为民服务意识有所欠缺，…等问题``
COMMA_LIST = re.compile(
    r"(?:存在(?:着)?|发现(?:了)?|反馈了|主要是)(?P<list>(?!的|了|问题|存在|一些|一定|不少|较多)[^。；;：:、]{8,200}?[,，][^。；;：:、]{4,200}?)"
    rf"(?:等{_HOW_MANY}(?:方面|方面的)?(?:的)?(?:突出|具体)?问题|等[\d一二三四五六七八九十]+个方面)(?=[。；;，,]|$)"
)
# ``在A、B等方面还存在一些不足`` names the aspects where findings lie: each aspect stands for one
ASPECTS = re.compile(
    r"在(?P<list>[^。；;：:，,]{4,200}?)(?:等|[\d一二三四五六七八九十]+个?大?)?方面[，,]?(?:还|仍|也)?存在(?:的)?"
    r"(?:[\d一二三四五六七八九十]+个)?(?:一些|不少|较多)?(?:突出|主要)?(?:问题|不足|短板|差距)"
)
_ENDS_LIST = re.compile(rf"等{_HOW_MANY}(?:方面|方面的)?(?:的)?(?:突出|具体|主要)?问题$|等[\d一二三四五六七八九十]+个方面$")
# A sentence that praises: it frames the findings that follow, it is not one (one vocabulary: agent.text.vocab).
PRAISE = vocab.pattern("praise")
# a list item's marker inside a paragraph, after a sentence or clause break: the marker grammar's item styles
MARK = markers.compiled("item", prefix=r"(?:(?<=[。；;：:，,\s])|^)", guarded=True)
PROBLEM_WORDS = vocab.pattern("problem_word")  # one list of problem words (agent.text.vocab)
TRIM = " \t\n，,、。；;：:等"
# A sentence about leads handed on (``收到…问题线索，已按规定移交…``): the inspection's own work, no finding
NOT_FINDING = vocab.pattern("leads")
# ``有的…；有的…；有的…``: clauses parted by ``；`` that each open with 有的 (少数/个别/部分…), the way news lists
# findings without numbers; ``有的`` is their marker, as ``一是`` is of a numbered list
SOME = re.compile(r"(?:有的|有些|少数|个别|部分)(?!放矢)")
# ``但巡视也发现，有的…``: a short lead-in before the first 有的 clause
_LED_IN = re.compile(r"[^，,：:；;。]{0,30}?(?:发现|指出|反馈|看|来看|表现为|主要是|问题)[，,：:](?=有的|有些|少数|个别|部分)")
# what was done about problems, not a problem: ``有的问题立行立改；有的限期整改``
_HANDLED = re.compile(r"立行立改|限期整改|整改(?:完成|到位|销号)|已(?:整改|完成|办结|解决)")
TITLE_LIMIT = 60
CLAUSE_LIMIT = 40  # characters: a clause longer than this is a finding's detail, not a list item


def marks(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """(marker start, body start) of a numbered run 1, 2, 3… of one marker style inside [s, e)."""
    runs: dict[str, list[tuple[int, int, int]]] = {}
    for m in MARK.finditer(text, s, e):
        style = markers.style_of(m)
        n = markers.number(m)
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


def quote_aware_split(text: str, s: int, e: int, seps: str, quotes: bool = True) -> list[Span]:
    """[s, e) cut at separators that stand outside quotes and brackets (at every separator: ``quotes=False``)."""
    out: list[Span] = []
    depth = 0
    start = s
    for i in range(s, e):
        c = text[i]
        if quotes and c in "“《(（「":
            depth += 1
        elif quotes and c in "”》)）」" and depth:
            depth -= 1
        elif c in seps and depth == 0:
            out.append((start, i))
            start = i + 1
    out.append((start, e))
    return out


def trim(text: str, span: Span, chars: str = TRIM) -> Span:
    """``span`` without the ``chars`` (separators and marks, by default) at either end."""
    s, e = span
    while s < e and text[s] in chars:
        s += 1
    while e > s and text[e - 1] in chars:
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
        cut = [_before_leads(text, trim(text, (a, b))) for a, b in zip(starts, ends, strict=True)]
        return [sp for sp in cut if sp[1] - sp[0] >= 4]
    parts = [trim(text, sp) for sp in quote_aware_split(text, s, e, "；;")]
    parts = [p for p in parts if p[1] - p[0] >= 4]
    if len(parts) >= 2:
        parts = [p for sp in parts for p in _own_sentences(text, sp)]
        if (m := _ENDS_LIST.search(text, *parts[-1])) is not None:
            parts[-1] = trim(text, (parts[-1][0], m.start()))  # the list's closing 等问题 is no part of its last item
        parts[-1] = _before_leads(text, parts[-1])
        return parts
    out: list[Span] = []
    for a, b in sentences(text, s, e):
        out.extend(_sentence_items(text, trim(text, (a, b))))
    return out


# a sentence that gives the details of the finding before it (如，2023年…), not a finding of its own
_DETAIL_LEAD = re.compile(r"(?:如|例如|比如|譬如|又如|再如|其中|特别是|尤其是|主要|具体|表现在|导致|造成|致使)")


def _own_sentences(text: str, part: Span) -> list[Span]:
    """A ``；`` part whose later sentences each state a defect of their own (``…执法人员配备不足。全面从严治党
    主体责任落实不够到位，…。``): one item per such sentence; a sentence of details (``如，…``) or without a
    problem stays with the one before it."""
    out: list[Span] = []
    for a, b in (trim(text, sp) for sp in quote_aware_split(text, *part, "。")):
        if b - a < 4:
            continue
        if out and (_DETAIL_LEAD.match(text, a) or not states_problem(text, a, b) or NOT_FINDING.search(text, a, b)):
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out or [part]


def _before_leads(text: str, span: Span) -> Span:
    """An item ends before a sentence about leads handed on (``同时，巡察组还收到…问题线索，已按规定转…``)."""
    s, e = span
    for a, b in sentences(text, s, e)[1:]:
        if NOT_FINDING.search(text, a, b):
            return trim(text, (s, a))
    return span


def list_items(text: str, m: re.Match[str]) -> list[Span]:
    """The items of a ``存在A、B、C等问题`` list; aspects each written with 方面 (``在A方面、B方面、C方面存在…``)
    part at ``方面、`` only, since an aspect may hold a ``、`` of its own, and each keeps its 方面. An item of two
    characters or fewer (``老化``) is a predicate of the item before it and stays with it."""
    a, b = m.start("list"), m.end("list")
    if m.re is ASPECTS and "方面、" in text[a:b]:
        if text.startswith("方面", b):
            b += 2
        starts = [a] + [a + x.end() for x in re.finditer("方面、", text[a:b])]
        ends = [st - 1 for st in starts[1:]] + [b]
        return [trim(text, sp) for sp in zip(starts, ends, strict=True)]
    items: list[Span] = []
    for sp in (trim(text, sp) for sp in quote_aware_split(text, a, b, "、")):
        if items and sp[1] - sp[0] <= 2:  # 排水管道狭小、老化: a bare predicate shares the item before it
            items[-1] = (items[-1][0], sp[1])
        else:
            items.append(sp)
    return items


def clause_list(text: str, passage: Span) -> list[Span]:
    """After ``主要是：`` / ``包括``, an unnumbered list whose items are clauses parted by ``，``:
    ``A不到位，B不够，C有差距等``. Every clause must be short and most state a problem, else the sentence is one
    item (a finding with its details). Empty when no sentence is such a list, or when ``；`` parts the items."""
    s, e = passage
    if marks(text, s, e) or re.search("[；;]", text[s:e]):
        return []  # items parted by ``；`` are the list, commas inside them part a finding's details
    out: list[Span] = []
    split = False
    for part in quote_aware_split(text, s, e, "。"):
        part = trim(text, part)
        if part[1] - part[0] < 4:
            continue
        clauses = [c for c in (trim(text, sp) for sp in quote_aware_split(text, *part, "，,")) if c[1] > c[0]]
        stating = sum(states_problem(text, *c) for c in clauses)
        if len(clauses) >= 2 and all(c[1] - c[0] <= CLAUSE_LIMIT for c in clauses) and 2 * stating >= len(clauses):
            out.extend(_own_defects(text, clauses))
            split = True
        else:
            out.append(part)
    return out if split else []


_AT_END = re.compile(r"\s*\Z")  # nothing but blanks to the text's end (read from a position: no copy of the text)


def _own_defects(text: str, clauses: list[Span]) -> list[Span]:
    """Comma clauses as findings, one per clause; the last one, cut short at the text's end (a page stored
    in part: ``…领导作用缺失，战斗``) and stating no defect, is no finding."""
    last = clauses[-1]
    if len(clauses) > 1 and _AT_END.match(text, last[1]) and not states_problem(text, *last):
        return clauses[:-1]
    return clauses


def colon_list(text: str, passage: Span) -> list[Span]:
    """After ``主要是：``, one sentence ``A，B、C、D等问题`` is the list itself: items parted by ``、`` and ``，``; so is
    one ``A不力、B弱化、C不够有力等`` whose every ``、`` item ends on its own shortfall."""
    sents = sentences(text, *passage)
    if len(sents) != 1 or marks(text, *passage) or re.search("[；;]", text[passage[0] : passage[1]]):
        return []
    a, b = trim(text, sents[0])
    m = _ENDS_LIST.search(text, a, b)
    if m is None:  # ``A不力、B弱化、C不够有力等。``: no 等问题 closes it, but every item ends on its own shortfall
        parts = [trim(text, sp) for sp in quote_aware_split(text, a, b, "、")]
        whole = len(parts) >= 2 and all(vocab.ends_on_shortfall(text[x:y]) for x, y in parts)
        return parts if whole and all(y - x <= CLAUSE_LIMIT for x, y in parts) else []
    if "、" not in text[a : m.start()]:
        return []
    parts = [trim(text, sp) for sp in quote_aware_split(text, a, m.start(), "、，,")]
    return [p for p in parts if p[1] - p[0] >= 3]


def finding_sentences(text: str, s: int, e: int) -> list[Span]:
    """A paragraph that states one finding per sentence (under a findings heading, or after ``X指出，<unit>``):
    each sentence that states a problem, whole, details and inner ``、`` lists included."""
    return [sp for sp in (trim(text, x) for x in sentences(text, s, e)) if sp[1] - sp[0] >= 4 and states_problem(text, *sp)]


def _sentence_items(text: str, sent: Span) -> list[Span]:
    """One sentence of a passage: the items of its ``存在A、B、C等问题`` lists, else the sentence itself when
    it states a problem."""
    a, b = sent
    found: list[Span] = []
    pos = a
    while (m := list_at(text, pos, b) or ASPECTS.search(text, pos, b)) is not None:
        found.extend(p for p in list_items(text, m) if p[1] - p[0] >= 3)
        pos = m.end()
    if not found and (m := LIST_FRONT.match(text, a, b)) is not None and "、" in m.group("list"):
        found.extend(p for p in list_items(text, m) if p[1] - p[0] >= 3)
    if not found and (m := COMMA_LIST.search(text, a, b)) is not None:
        listed = [trim(text, sp) for sp in quote_aware_split(text, m.start("list"), m.end("list"), "，,")]
        found.extend(p for p in listed if p[1] - p[0] >= 3)
    if not found and (defects := defect_list_at(text, a, b)) is not None:
        found.extend(defects[1])
    if found:
        return found
    return [sent] if b - a >= 6 and states_problem(text, a, b) else []


def states_problem(text: str, a: int, b: int) -> bool:
    """[a, b) names a problem: problem words, no praise, not a lead handed on."""
    return bool(PROBLEM_WORDS.search(text, a, b)) and not PRAISE.search(text, a, b) and not NOT_FINDING.search(text, a, b)


# ``发现A不够深入、B不够有力、C还有差距。``: a 、 list whose every item ends on its own shortfall (no 等问题 closes it)
_DEFECT_LIST = re.compile(r"(?:发现|指出|存在)(?:了|着)?(?P<list>[^。；;：:，,]{8,300}?、[^。；;：:，,]{4,300}?)(?=[。；;]|$)")


def defect_list_at(text: str, s: int, e: int) -> tuple[re.Match[str], list[Span]] | None:
    """The first ``发现A不到位、B有差距`` list in [s, e) and its items: each part between 、 ends on a shortfall
    (``agent.text.vocab``), at least two; None when any part does not (a noun list is not a defect list)."""
    m = _DEFECT_LIST.search(text, s, e)
    if m is None:
        return None
    parts = [trim(text, sp) for sp in quote_aware_split(text, m.start("list"), m.end("list"), "、")]
    if len(parts) < 2 or not all(vocab.ends_on_shortfall(text[a:b]) for a, b in parts):
        return None
    return m, parts


# 发现了一些市委平时不掌握、不了解的重点问题: clauses that describe the problems (…的重点问题), not problems
_DESCRIBED = re.compile(r"的[\u4e00-\u9fa5]{1,3}$")


_TALLY = re.compile(vocab.TALLY_BY_KIND)


def list_at(text: str, pos: int, end: int) -> re.Match[str] | None:
    """The next ``存在A、B等问题`` list in [pos, end). A match whose list itself holds ``存在`` or ``解决`` is a
    reference to problems (``推动解决…存在的突出问题``), or starts too early (its first item holds ``存在``:
    ``发现部分村存在A、B等问题``):
    the search goes on from inside it."""
    while (m := LIST.search(text, pos, end)) is not None:
        listed = m.group("list")
        described = _DESCRIBED.search(listed) and text.startswith("问题", m.end("list"))
        if (tally := _TALLY.search(text, m.start("list"), m.end())) and tally.end() == m.end():
            pos = m.end()  # 发现A、B方面问题768个: a tally of problems by kind, no finding (CONVENTION.md)
            continue
        if not re.search(r"存在的|解决", listed) and "存在" not in listed.split("、")[0] and not described:
            return m
        pos = m.start("list")
    return None


def some_runs(text: str, s: int, e: int) -> list[list[Span]]:
    """The ``有的…；有的…`` runs of [s, e): in each stretch of clauses parted by ``；`` (up to a ``。``), two or
    more that open with 有的 (少数/个别/部分…) make a run, and its items are those clauses that state a
    problem. A quotation's close (``……”``) ends an item. Quotes are not respected here: news often quotes
    the whole list."""
    runs: list[list[Span]] = []
    for a, b in _plain_sentences(text, s, e):
        parts = [_opening(text, _clause(text, sp)) for sp in quote_aware_split(text, a, b, "；;", quotes=False)]
        opened = [p for p in parts if SOME.match(text, p[0])]
        if len(parts) == 1:  # no ；: clauses parted by commas, each opening with 有的 (有的A不彻底，有的B不足)
            parts = [_clause(text, sp) for sp in quote_aware_split(text, a, b, "，,")]
            opened = [p for p in parts if text.startswith("有的", p[0])]
            opened = opened if len(opened) >= 3 else []
        if len(opened) >= 2:
            runs.append(
                [p for p in opened if p[1] - p[0] >= 6 and states_problem(text, *p) and not _HANDLED.search(text, *p)]
            )
    return [r for r in runs if len(r) >= 2]


def _opening(text: str, span: Span) -> Span:
    """A first clause led in by a short phrase (``但巡视也发现，有的高校…``) starts at its 有的."""
    s, e = span
    if (m := _LED_IN.match(text, s, e)) is not None:
        return (m.end(), e)
    return span


def _plain_sentences(text: str, s: int, e: int) -> list[Span]:
    return [sp for sp in quote_aware_split(text, s, e, "。！？", quotes=False) if sp[1] > sp[0]]


def _clause(text: str, span: Span) -> Span:
    """A clause trimmed of separators and opening quotes, cut at a quotation's close."""
    s, e = trim(text, span)
    while s < e and text[s] in "“\"「":
        s += 1
    depth = 0
    for i in range(s, e):
        if text[i] == "“":
            depth += 1
        elif text[i] == "”" and depth:
            depth -= 1
        elif text[i] == "”" or text.startswith("……", i):
            return trim(text, (s, i))
    return trim(text, (s, e))


def without_etc(text: str, s: int, e: int) -> int:
    """The end of a title without a list's closing 等 (…基层小官大贪易发等。); 不平等 and 对等 are words."""
    return e - 1 if e - s > 4 and text[e - 1] == "等" and text[e - 2] not in "平对均同" else e


def block(text: str, span: Span, unit: str | None, found_by: str) -> ProblemBlock:
    s, e = span
    m = MARK.match(text, s)
    body = m.end() if m and m.start() == s else s + 2 if text.startswith("有的", s) else s
    cut = re.search(r"[，,。；;：:]", text[body:e])
    title_end = body + min(cut.start() if cut else e - body, TITLE_LIMIT)
    title_end = without_etc(text, body, title_end)
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


def turns_to_asks(sentence: str) -> bool:
    """A sentence with a clause that asks and states no defect (``对上述问题…，同时提出了四点整改意见建议：一是…``):
    what follows it is what to fix, so a findings passage ends before it."""
    return any(vocab.says("request", c) and not vocab.says("shortfall", c) for c in re.split(r"[，,：:]", sentence))
