"""Defects told after a discovery lead: ``巡察组走访时发现，X。``, ``村民向巡察组反映：“X。”``, ``经详细了解，X。``

Why a module of its own: news stories of inspections (most of what is published about fixes made on the
spot, and much about central rounds) state a finding as a whole sentence after the words that say it was
found, with no list, no heading and often no shortfall word of an official's (``他家门口的路灯坏了，一直没人修``).
The listing recognizers cut lists; the clause model scores clauses; neither takes the sentence as the unit.
Here a sentence with a discovery lead (vocab ``DISCOVERY``) gives the rest of the sentence as a finding when
it names a problem (problem words, a shortfall, a hardship residents complain of: vocab ``HARDSHIP``) or when
the story turns to its fix right after it (vocab ``MEASURE``), and following sentences of the paragraph that
go on stating the defect join it. What the rules cut stays as they cut it; a clause the learned model
proposed inside such a sentence gives way to the sentence. Pure.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from agent.schema import Span
from agent.text import vocab
from agent.text.findings.base import Taken
from agent.text.findings.items import block, sentences, states_problem, trim
from agent.text.grammar import ProblemBlock

MIN_CHARS = 6  # a shorter rest of a sentence (发现问题；了解到，) names no defect
MORE_SENTENCES = 2  # how many following sentences of the paragraph may go on stating the same defect
# what follows a lead but is no defect: the problems counted or handed on, the lead's own object
_NOT_DEFECT = re.compile(
    r"^(?:的|了|并|和|及|与|等|该问题|这一问题|此问题|线索|[\d一二三四五六七八九十百]+(?:个|条|项|件|类)"
    r"|(?:一些|各类|各种|不少|部分|大量|诸多|若干|一批|上述|这些)?(?:突出|共性|个性|重点|民生|主要|具体)*问题(?!严重|突出))"
)
# the problems counted (各类问题125个, 问题共计1153个) or named only as what a body has (…党委存在的突出问题)
_TALLY = re.compile(r"问题(?:共计?)?[\d一二三四五六七八九十百千]+(?:个|件|条|项)|[\d一二三四五六七八九十百千]+(?:个|件|条|项)(?:问题|线索)"
                    r"|存在的(?:突出|主要|具体)?问题|以下|如下|什么问题|提供(?:有力)?保障|奠定[^，,。]{0,4}基础"
                    r"|等方面(?:依然|仍然|还|仍|也)?存在(?:一些|不少)?(?:差距|问题|不足)$")
# a first clause that names problems only as the object of a verb or by what they are (反映问题, …的重点问题)
_OBJECT = re.compile(r"(?:的|反映|解决|发现|查找|整改|处理)[^，,。；;]{0,4}问题$")
# an aim, not a finding: 重点发现…, 及时发现…, 为…提供保障
_AIMED = re.compile(r"(?:着力|著力|重点|注重|及时|主动|善于|便于|以便|更好地?|深入|精准|力求|旨在|为[^，,。；;]{0,6})$")


def propose(text: str, paras: list[Span], blocks: list[ProblemBlock]) -> list[ProblemBlock]:
    """``blocks`` (in order) joined by the defects told after a discovery lead in ``paras``; a learned
    proposal inside one gives way to it, a rule's block keeps its place and no discovery overlaps it.
    Every overlap test is a bisection, so a notice with thousands of sentences and findings stays linear."""
    ruled = Taken([b.span for b in blocks if b.found_by != "learned"])
    learned = sorted(_bare(text, b.span) for b in blocks if b.found_by == "learned")  # clauses in order: never overlapping
    learned_ends = [e for _, e in learned]
    found: list[ProblemBlock] = []
    for ps, pe in paras:
        sents = [trim(text, sp) for sp in sentences(text, ps, pe)]
        k = 0
        while k < len(sents):
            span = _defect_after_lead(text, sents, k)
            if span is None or ruled.overlaps(*span):
                k += 1
                continue
            head = text[sents[k][0] : span[0]]
            end, k = _go_on(text, sents, k, span[1], ruled)
            if found and _retold(text, found[-1].span[1], span[0], head):  # one story, one finding: it runs on
                merged = (found[-1].span[0], end)
                if not ruled.overlaps(*merged) and not _reaches_beyond(learned, learned_ends, merged):
                    found[-1] = block(text, merged, None, "discovered")
                continue
            if _reaches_beyond(learned, learned_ends, (span[0], end)):
                continue  # the clause model's finding reaches beyond this sentence: it stands as it was cut
            found.append(block(text, (span[0], end), None, "discovered"))
    taken = Taken([f.span for f in found])
    found += [block(text, sp, None, "discovered") for sp in _quoted_complaints(text, paras)
              if not ruled.overlaps(*sp) and not taken.overlaps(*sp)]
    if not found:
        return blocks
    told = Taken([f.span for f in found])
    kept = [b for b in blocks if b.found_by != "learned" or not told.overlaps(*b.span)]
    return sorted([*kept, *found], key=lambda b: b.span)


# ``这是…巡察组…收到的群众反映``: the sentence that says whose words the quote before it were
ATTRIBUTED = re.compile(r"这(?:就)?是[^。！？]{0,80}?(?:巡[察视]组|巡察)[^。！？]{0,60}?(?:反映|收到|听到|了解到|诉求|问题)"
                        r"|[^。！？“”]{0,80}?巡[察视]组[^。！？“”]{0,60}?(?:抱怨|诉苦|吐槽|反映)(?:道|说)?[。！]?$")
QUOTE_PARAGRAPHS = 3  # the quote a ``这是…`` sentence attributes stands at most this many paragraphs before it


def _quoted_complaints(text: str, paras: list[Span]) -> list[Span]:
    """Complaints quoted as a story's lede and then attributed (``“卫生院没有输液室…”这是…巡察组…反映的问题。``;
    a quoted paragraph, then ``这是近日…巡察组…收到的群众反映。``): the quote's words, when they name a defect."""
    out: list[Span] = []
    recent: list[tuple[int, Span]] = []  # whole quoted sentences of the last paragraphs that name a defect
    for n, (ps, pe) in enumerate(paras):
        for a, b in (trim(text, sp) for sp in sentences(text, ps, pe)):
            close = text.find("”", a, b) if text.startswith("“", a) else -1
            if close > a and close + 1 < b and ATTRIBUTED.match(text, close + 1, b):
                out.append((a + 1, close))  # the quote and its attribution in one sentence
            elif ATTRIBUTED.match(text, a, b) and recent:
                out.append(recent.pop()[1])
            elif close == b - 1 and text[b - 2] not in "？?" and _names_defect(text, a + 1, b - 1):
                recent.append((n, (a + 1, b - 1)))
        recent = [r for r in recent if n - r[0] < QUOTE_PARAGRAPHS - 1]
    return [(a, b) for a, b in (trim(text, sp) for sp in out) if b - a >= MIN_CHARS and _names_defect(text, a, b)]


# the inspection checking what it was told: 经详细了解，/ 经现场核实，/ 巡察组实地查看后发现
_VERIFIES = re.compile(r"经(?:过)?[^，,。]{0,8}?(?:了解|核实|核查|查看|勘察|勘查|调查)|核实|实地|现场")
STORY_PARAGRAPHS = 2  # a story's fix and the check of its defect stand within this many paragraph breaks


def _retold(text: str, prev_end: int, start: int, head: str) -> bool:
    """The defect told again as the inspection checks it or once its fix has begun (``村民反映：“…”…经详细了解，
    该广场共有39盏路灯长时间不亮``; ``巡察组立即赶赴现场…经查看，路面出现…``): the same story's own check of what it
    told, no finding of its own; the story's one finding runs on over it."""
    between = text[prev_end:start]
    return between.count("\n") <= STORY_PARAGRAPHS and (vocab.says("measure", between) or bool(_VERIFIES.search(head)))


def _bare(text: str, span: Span) -> Span:
    """A span without the quote marks around it (a clause model's ``“全村停水…`` starts at the quote)."""
    return trim(text, span, _QUOTES)


_QUOTES = "“”\"‘’'「」"


def _reaches_beyond(spans: list[Span], ends: list[int], outer: Span) -> bool:
    """Whether one of ``spans`` (sorted, not overlapping; ``ends`` their ends) overlaps ``outer`` and reaches outside it."""
    i = bisect_right(ends, outer[0])  # the first span ending after ``outer`` starts
    while i < len(spans) and spans[i][0] < outer[1]:
        if spans[i][0] < outer[0] or spans[i][1] > outer[1]:
            return True
        i += 1
    return False


def _defect_after_lead(text: str, sents: list[Span], k: int) -> Span | None:
    """The rest of sentence ``k`` after its last discovery lead, when it states a defect."""
    a, b = sents[k]
    if b - a < MIN_CHARS:
        return None
    sentence = text[a:b]
    leads = list(vocab.pattern("discovery").finditer(sentence))
    if not leads or _AIMED.search(sentence, 0, leads[-1].start()) or _asks_before(sentence[: leads[-1].end()]):
        return None
    start = a + leads[-1].end()
    s, e = trim(text, (start, _before_fix(text, start, b)))
    rest = text[s:e].strip("“”\"")
    head = _first_clause(rest)
    if (e - s < MIN_CHARS or _NOT_DEFECT.match(rest) or _TALLY.search(rest) or _OBJECT.search(head)
            or vocab.vetoed(head) or vocab.says("measure", head)):
        return None
    if _names_defect(text, s, e) or _turns_to_fix(text, sents, k):
        return (s, e)
    return None


def _asks_before(head: str) -> bool:
    """The sentence opens with a request or a focus (``会议要求，…著力发现…``): what follows is asked for, not found."""
    return any(vocab.says("request", c) or vocab.says("focus", c) for c in re.split(r"[，,；;：:]", head) if c)


def _before_fix(text: str, s: int, e: int) -> int:
    """Where the sentence [s, e) turns to the fix (``…不便，随即启动立行立改程序``): the defect ends there, before
    the first clause (up to the next comma) that tells a measure. Each clause is read once: linear in the sentence."""
    marks = [s + m.start() for m in re.finditer(r"[，,；;]", text[s:e])]
    commas = [p for p in marks if text[p] in "，,"]
    for p in marks:
        nxt = bisect_right(commas, p)
        if vocab.says("measure", text[p + 1 : commas[nxt] if nxt < len(commas) else e]):
            return p
    return e


def _go_on(text: str, sents: list[Span], k: int, end: int, ruled: Taken) -> tuple[int, int]:
    """The defect's end after the sentences that go on stating it, and the index of the next sentence to read."""
    j = k + 1
    while j < len(sents) and j <= k + MORE_SENTENCES:
        a, b = sents[j]
        sentence = text[a:b]
        if (vocab.says("measure", sentence) or vocab.vetoed(_first_clause(sentence)) or not _names_defect(text, a, b)
                or ruled.overlaps(a, b)):
            break
        end = b
        j += 1
    return end, j


# problems named only as what is handled (反馈问题整改, 交办的问题): no defect of the sentence's own
_HANDLED = re.compile(r"(?:反馈|交办|移交|指出|整改)的?问题|问题(?:整改|线索|清单|台账)")


def _names_defect(text: str, a: int, b: int) -> bool:
    own = _HANDLED.sub("", text[a:b])
    return states_problem(own, 0, len(own)) or vocab.says("hardship", own) or vocab.says("shortfall", own)


def _turns_to_fix(text: str, sents: list[Span], k: int) -> bool:
    """The next sentence tells what was done about it (``巡察组立即…``, ``针对这一问题，…``)."""
    return k + 1 < len(sents) and vocab.says("measure", text[sents[k + 1][0] : sents[k + 1][1]])


def _first_clause(s: str) -> str:
    cut = re.search(r"[，,；;：:]", s)
    return s[: cut.start()] if cut else s
