"""Defect lists wherever they stand: ``同时，该村党支部软弱涣散、党员发展程序不规范、…等问题线索被牵出``.

Why a module of its own: the list recognizers read a ``A、B、C等问题`` list after the words that say it was
found (``存在``, ``发现``, ``主要是``); unseen notices, stories above all, name the same lists after any verb
or none: ``巡察组随即针对部门协同不畅、智能系统落后等症结…``, ``对于安全隐患整治不到位、…等热点问题，…``,
``由县纪委监委牵头对惠农补贴发放核实不精准、村干部违规领取加班费等共性问题开展专项整治``. What makes such a
list a list of findings is not its lead but its items: each one states a defect (a shortfall, a problem word,
a hardship residents complain of). Here every ``、`` list closed by ``等…问题`` (症结, 短板, 难题…) whose items
state defects gives one finding per item (``found_by: listed``), unless its sentence asks, aims or plans
(``着力发现…``, ``突出解决…``, ``避免出现…``), a rule already took any of it, or an item only repeats a finding
the notice already gives (a rectification report's ``针对A、B等问题，…`` names what it listed above). A clause
the learned model proposed, or a sentence told after a discovery lead, gives way to the list's items. Pure; one
pass over each paragraph.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from itertools import accumulate

from agent.schema import Span
from agent.text import vocab
from agent.text.findings.base import Taken
from agent.text.findings.items import block, quote_aware_split, trim
from agent.text.grammar import ProblemBlock, back_to

# the list's close: 等问题, 等热点问题, 等重点、难点问题, 等共性问题, 等症结, 等短板, 等问题线索 (not 等方面的问题:
# aspects frame the findings a notice lists elsewhere, or stand for them where the list recognizers read them)
CLOSE = re.compile(r"等(?![^。；;，,：:“”!！?？\n]{0,3}方面)(?:[^。；;，,：:“”!！?？\n]{0,8}?)(?:问题|症结|短板|难题|弊端|顽疾|高频词)")
# where a list's clause begins: after the last mark before its close
_CLAUSE_START = "。；;：:，,！!？?\n"
# the verb that leads the list in (针对A、B等问题; X村原书记、主任王某因A、B等问题被…): the first item starts after it
_LEAD = re.compile(r"(?:针对|对于|关于|聚焦|围绕|因(?![素此为])|由于|发现了?|存在着?|出现了?|解决了?|整治|反映了?|指出了?|梳理出|"
                   r"查找出|查摆出|被指|牵出|揪出了?|诸如|暴露出?了?|就(?!业)|对(?![象比照标口应]))")
_LED_IN = re.compile(r".{0,24}?" + _LEAD.pattern)  # the first lead, within a list clause's first characters
# a sentence that aims, plans or warns: the list is what the work is for, not what was found
_AIMED = re.compile(r"着力|著力|重点|突出解决|为(?:破解|解决|防止|杜绝)|避免|防止|杜绝|预防|警惕|谨防|力戒|严禁|不得|"
                    r"确保|坚决纠正|切实解决|紧盯|排查|查找|是否|有没有|将|要|需|应")
# the 和 (及, 以及) that joins a list's last two items: both sides state a defect of their own
_JOINED = re.compile(r"(?<=[\u4e00-\u9fa5])(?:以及|和|及)(?=[\u4e00-\u9fa5]{3})")
# a sentence that opens with the inspection's mission (发现并推动解决…；村干部优亲厚友、…等问题): what it is for
_MISSION = re.compile(r"(?:主要|重点)?(?:是|为)?(?:发现并?推动解决|发现和推动解决|着力发现|重点发现|推动解决)")
# a first item that holds the plan it is part of (此次巡察将把…中的形式主义、官僚主义…等问题作为重点)
_PLANNED = re.compile(r"将(?:把|对|以|聚焦|围绕)|着力|作为重点")
# the complaints a group takes in (市委巡察组主要受理反映…等问题): what it will hear, not what it found
_RECEIVES = re.compile(r"受理|接受[^，,。]{0,6}(?:举报|反映)")
_ASKS = ("request", "pledge", "focus")  # a sentence that asks, pledges or aims lists what is wanted, not found
# what a list's items replace: a clause the model proposed, a sentence told after a discovery lead (发现诸如A、B、C
# 等问题普遍存在: three findings, not one)
_GIVES_WAY = ("learned", "discovered")
MIN_ITEMS = 2
ITEM_CHARS = (3, 40)  # an item shorter or longer is no list item (a word; a sentence's detail)
REACH = 500  # characters a list's clause reaches back at most (so a clause without marks stays linear)
HEAD = 200  # characters of its sentence before a list that are read for an aim
NEAR = 32  # findings on either side an item is compared with for a repeat (a report names what it listed above)


def propose(text: str, paras: list[Span], blocks: list[ProblemBlock]) -> list[ProblemBlock]:
    """``blocks`` joined by the items of the defect lists in ``paras`` that no rule took."""
    ruled = Taken([b.span for b in blocks if b.found_by not in _GIVES_WAY])
    said = [_norm(text[b.span[0] : b.span[1]]) for b in blocks]
    starts = [b.span[0] for b in blocks]
    found: list[ProblemBlock] = []
    for ps, pe in paras:
        for m in CLOSE.finditer(text, ps, pe):
            start = back_to(text, m.start(), max(ps, m.start() - REACH), _CLAUSE_START)
            parts = _items(text, start, m.start())
            if parts is None or ruled.overlaps(parts[0][0], m.end()) or _aimed(text, ps, parts[0]):
                continue
            k, lo = bisect_left(starts, m.start()), parts[0][0]
            near = [said[j] for j in range(max(0, k - NEAR), min(len(said), k + NEAR))  # not a block the list is in
                    if blocks[j].span[1] <= lo or blocks[j].span[0] >= m.end()]
            found += [block(text, sp, None, "listed") for sp in parts if not _repeats(_norm(text[sp[0] : sp[1]]), near)]
    if not found:
        return blocks
    listed = Taken([f.span for f in found])
    by_end = sorted(found, key=lambda f: f.span[1])
    ends = [f.span[1] for f in by_end]
    earliest = list(accumulate((f.span[0] for f in reversed(by_end)), min))[::-1]  # first start of the items from k on
    kept: list[ProblemBlock] = []
    for b in blocks:
        if b.found_by not in _GIVES_WAY or not listed.overlaps(*b.span):
            kept.append(b)
        elif (h := _head_left(text, b, earliest[bisect_right(ends, b.span[0])])) is not None:  # what it keeps before
            # the first item that ends inside or after it
            kept.append(h)
    return sorted([*kept, *found], key=lambda b: b.span)


def _head_left(text: str, b: ProblemBlock, first: int) -> ProblemBlock | None:
    """What a proposal that gives way to a list keeps: its own clauses before the list's clause, when they state
    a defect of their own (``学校党委仍存在推动…发展不够有力，促进…不到位、内部管理不规范…等问题``)."""
    if first <= b.span[0]:
        return None
    cut = back_to(text, first, b.span[0], _CLAUSE_START)
    s, e = trim(text, (b.span[0], cut))
    return block(text, (s, e), b.unit, b.found_by) if e - s >= ITEM_CHARS[0] and _states_defect(text[s:e]) else None


def _items(text: str, s: int, e: int) -> list[Span] | None:
    """The list's items when it is a defect list: two or more, every one of a list item's length, and at most
    one that states no defect (``公共空间使用冲突`` between two shortfalls)."""
    if (lead := _LED_IN.match(text, s, e)) is not None and "、" in text[lead.end() : e]:
        s = lead.end()
        while (more := _LEAD.match(text, s, e)) is not None and "、" in text[more.end() : e]:
            s = more.end()  # one lead after another (被揪出了诸如A、B): the list starts after the last
    parts = [q for sp in quote_aware_split(text, s, e, "、") for q in _quoted_run(text, trim(text, sp))]
    parts = [p for p in parts if p[1] > p[0]]
    if parts and (joined := _JOINED.search(text, *parts[-1])) is not None:  # …、B和C: two items, when each states
        a, b = parts[-1]  # a defect of its own (not 村“三资”管理和村级工程项目管理混乱: one shortfall of both)
        if _states_defect(text[a : joined.start()]) and _states_defect(text[joined.end() : b]):
            parts[-1:] = [(a, joined.start()), (joined.end(), b)]
    if len(parts) < MIN_ITEMS or any(not ITEM_CHARS[0] <= b - a <= ITEM_CHARS[1] for a, b in parts):
        return None
    stating = sum(_states_defect(text[a:b]) for a, b in parts)
    if stating < MIN_ITEMS or stating < len(parts) - 1 or any(vocab.vetoed(text[a:b]) for a, b in parts):
        return None
    return parts


# a run of quoted terms with no 、 between them (“顶风违纪”“带病提拔”“小官巨腐”等成为高频词): each term is an item
_QUOTED_RUN = re.compile(r"(?:[“‘][^“”‘’]{2,20}[”’]){2,}")
_QUOTED = re.compile(r"[“‘]([^“”‘’]{2,20})[”’]")


def _quoted_run(text: str, sp: Span) -> list[Span]:
    """``sp`` as items: the terms of a run of adjacent quotes, else ``sp`` itself."""
    if _QUOTED_RUN.fullmatch(text, *sp) is None:
        return [sp]
    return [m.span(1) for m in _QUOTED.finditer(text, *sp)]


def _states_defect(item: str) -> bool:
    return vocab.says("shortfall", item) or vocab.says("problem_word", item) or vocab.says("hardship", item)


def _aimed(text: str, ps: int, item: Span) -> bool:
    """The words before the list in its sentence aim, plan or warn (``巡察组着力发现…``, ``为破解…``): its own
    clause or its sentence's opening asks, pledges or aims, or the sentence says what complaints are taken in; or
    the first item holds the plan itself (``此次巡察将把…中的形式主义、…等问题作为重点``)."""
    first = item[0]
    head = text[back_to(text, first, max(ps, first - HEAD), "。！!？?\n") : first]
    clauses = [c for c in re.split(r"[，,；;：:]", head) if c]
    own = clauses[-1] if clauses and not re.search(r"[，,；;：:]$", head) else ""  # the list's own clause before it
    opening = clauses[0] if clauses else ""  # a request or plan opens its sentence (会议要求，…; 巡察组将…)
    return (bool(_AIMED.search(own)) or vocab.vetoed(own) in _ASKS or vocab.vetoed(opening) in _ASKS
            or bool(_RECEIVES.search(head)) or bool(_MISSION.match(opening)) or bool(_PLANNED.search(text, *item)))


def _norm(s: str) -> str:
    return re.sub(r"[\s，,。；;：:、“”\"‘’'（）()]", "", s)


def _repeats(item: str, said: list[str]) -> bool:
    """The item is a finding the notice already gives: it stands inside one, or one stands inside it."""
    return len(item) >= 4 and any(item in s or (len(s) >= 4 and s in item) for s in said)
