"""Ways notices list their findings, one recognizer module each, behind one small interface.

Why: the wording of findings varies without end — headed paragraphs in formal rectification reports,
numbered aspects inside one paragraph of a meeting report, lists inside sentences of a news item, per-unit
disclosures — and each way has its own rules. Each lives in its own module with one function
``recognize(page) -> Found | None`` (``base``); ``recognize`` below tries them in order and the first that
finds problems wins. Every problem records which recognizer cut it (``ProblemBlock.found_by``, the
record's ``Problem.found_by``). A new way of listing findings is a new module added to ``RECOGNIZERS``.

    headed      反馈问题/整改情况 pairs, problem headings (一、关于…问题的整改)         formal notices
    inline      主要是:一、…方面的问题。一是…二是…  inside one paragraph                   meeting reports
    prose       存在A、B、C等问题 / 一是…；二是… / X存在的主要问题是：…  (units: disclosure)   news
    paragraphs  one candidate per paragraph whose first clause names a problem           fallback
    learned     clauses the model learned from the gold proposes, where no rule took any  (beside the first)
    discovered  the rest of a sentence after 发现，/反映：“/经了解，, when it states a defect  news, fix stories
    listed      a 、 list closed by 等…问题 after any verb, when its items state defects          news, stories

Pure: nothing here talks to a model.
"""

from __future__ import annotations

from agent.text.findings import discovered, headed, inline, learned, listed, paragraphs, prose, stories
from agent.text.findings.base import Found, Page, Recognizer, number
from agent.text.grammar import ProblemBlock
from agent.text.rules import doc_type_read

RECOGNIZERS: tuple[tuple[str, Recognizer], ...] = (
    ("headed", headed.recognize),
    ("inline", inline.recognize),
    ("prose", prose.recognize),
    ("paragraphs", paragraphs.recognize),
)


def recognize(page: Page) -> Found:
    """The first recognizer that finds problems (``Found("none", [])`` when none does), and beside what it
    cut the findings the learned clause model proposes where no rule took anything (``learned``)."""
    found = Found("none", [])
    for _, rec in RECOGNIZERS:
        got = rec(page)
        if got is not None and got.problems:
            found = got
            break
    paras = [*page.opening, *page.body]
    taken = [] if found.grammar == "paragraphs" else [b.span for b in found.problems]
    extra = learned.propose(page.text, paras, taken)
    if found.grammar == "paragraphs" and extra:  # the fallback's candidates give way to the learned model's
        found = Found("none", [], found.units)
    if extra:
        blocks = sorted([*found.problems, *extra], key=lambda b: b.span)
        found = Found(found.grammar if found.problems else "learned", number(blocks), found.units)
    for name, propose in (("discovered", discovered.propose), ("listed", listed.propose)):  # beside what is cut
        joined = propose(page.text, paras, found.problems)
        if joined != found.problems:
            found = Found(found.grammar if found.problems else name, number(joined), found.units)
    found = _without_headline_repeats(page.text, found)
    title = page.text[page.title[0] : page.title[1]] if page.title else ""
    if found.problems and doc_type_read(page.text, title, page.n_units)[0].startswith("rectification"):
        found = Found(found.grammar, stories.with_measures(page.text, found.problems, paras),
                      found.units)
    return found


def _without_headline_repeats(text: str, found: Found) -> Found:
    """A headline line that repeats a finding stated below it (``——天津：圈子文化不绝，政治生态遭破坏`` over
    ``…发现的问题包括，圈子文化不绝，政治生态遭破坏；…``) is no finding of its own (CONVENTION.md: a repeat). Only
    the findings of the paragraph right below the headline are looked at, so a notice with thousands of short
    findings stays linear."""
    kept = []
    blocks = found.problems
    for k, b in enumerate(blocks):
        own = text[b.span[0] : b.span[1]].strip(" ，,。；;：:")
        line_start, line_end = text.rfind("\n", 0, b.span[0]) + 1, text.find("\n", b.span[1])
        line = text[line_start : len(text) if line_end < 0 else line_end]
        if len(own) >= 6 and "。" not in line and len(line) <= 60 and _restated_below(text, own, blocks, k + 1, line_end):
            continue
        kept.append(b)
    return found if len(kept) == len(blocks) else Found(found.grammar, number(kept), found.units)


def _restated_below(text: str, own: str, blocks: list[ProblemBlock], first: int, line_end: int) -> bool:
    """Whether a finding (of ``blocks[first:]``) in the paragraph below the line ending at ``line_end`` holds ``own``."""
    if line_end < 0:
        return False
    below_end = text.find("\n", line_end + 1)
    below_end = len(text) if below_end < 0 else below_end
    for i in range(first, len(blocks)):
        o = blocks[i]
        if o.span[0] >= below_end:
            break
        if own in text[o.span[0] : o.span[1] + len(own)]:
            return True
    return False
