"""The fallback: a notice with no recognised way of listing findings, read paragraph by paragraph.

In a text that reads as a notice, each substantial paragraph whose first clause names a problem (不到位,
不规范, 问题 …) and does not narrate becomes one candidate problem, so the model still reads the text; the
record says so in a ``paragraph_fallback`` check. A text that is not a notice gets none. Pure.
"""

from __future__ import annotations

import re

from agent.schema import Span
from agent.text import vocab
from agent.text.findings.base import Found, Page, number
from agent.text.findings.items import sentences, turns_to_asks
from agent.text.grammar import ProblemBlock
from agent.text.rules import doc_type


def recognize(page: Page) -> Found | None:
    title = page.text[page.title[0] : page.title[1]] if page.title else ""
    if not page.body or doc_type(page.text, title, page.n_units) == "other":
        return None
    blocks = paragraph_problems(page.text, page.body)
    return Found("paragraphs", blocks) if blocks else None


_PROBLEM_WORDS = vocab.pattern("problem_word")  # was a stale copy of items.PROBLEM_WORDS
# paragraphs that narrate (the round, the meeting, the statistics, the work done) rather than state a finding
_NARRATIVE = re.compile(
    r"(?:根据|按照|依据|截至|截止|目前|近日|日前|此次|本次|本轮|通过|会上|会议|巡察过程中|巡察期间|在整改过程中|[\d一二三四五六七八九十]{1,3}月)"
)
PARAGRAPH_MIN = 12  # characters: shorter lines are dates, names or slogans, not findings


def paragraph_problems(text: str, paras: list[Span]) -> list[ProblemBlock]:
    """The fallback when no grammar is recognised: one candidate problem per substantial paragraph whose first
    clause uses problem wording and does not narrate; that clause (at most 60 characters) is the title."""
    blocks: list[ProblemBlock] = []
    for s, e in paras:
        if e - s < PARAGRAPH_MIN or _NARRATIVE.match(text, s) or text[s] in "“\"" or not re.search(r"[，,。]", text[s:e]):
            continue  # narrative, a quoted speech, or a heading line
        cut = re.search(r"[,，。；;:：]", text[s:e])
        first = text[s : s + (cut.start() if cut else e - s)]
        if not _PROBLEM_WORDS.search(first):
            continue  # a finding names its problem in its first clause; narrative and praise do not
        opening = sentences(text, s, e)[0]
        asks = (any(vocab.says(c, first) for c in ("request", "pledge")) and not vocab.says("shortfall", first)
                or turns_to_asks(text[opening[0] : opening[1]]) or vocab.vetoed(first) == "focus")
        if asks or vocab.says("count", first):
            continue  # 巡察组就做好反馈问题整改工作提出三点要求。一是…: the paragraph asks, it finds nothing
        title_end = s + min(cut.start() if cut else e - s, 60)
        blocks.append(ProblemBlock(id="", span=(s, e), title=(s, title_end), description=(s, e), measures=[],
                                   found_by="paragraphs"))
    return number(blocks)
