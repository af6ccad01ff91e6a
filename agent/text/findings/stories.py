"""Findings told as the story of their fix: the defect, then what the inspection and the body did about it.

Why a module of its own: much of what is published about rectification is not a formal notice with problem
headings but a news story of a fix made on the spot (立行立改): a resident's complaint or a defect the group
saw (``南吕镇新东街路面损坏影响日常出行。``), then ``巡察组立即赶赴现场…``, ``督促…``, ``目前已修复``. The
convention (``evals/gold/CONVENTION.md``) runs a rectification finding's span to the end of its last measure,
and the measures decide its status; the recognizers cut only the defect. Here, in a rectification text, the
sentences after a finding that tell a measure (vocab ``MEASURE``) and state no defect of their own become its
measures, up to the next finding. Pure.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_right

from agent.schema import Span
from agent.text import vocab
from agent.text.findings.discovered import ATTRIBUTED
from agent.text.findings.items import sentences, states_problem, trim
from agent.text.grammar import ProblemBlock

MEASURE_PARAGRAPHS = 2  # a story tells its fix in the finding's paragraph and at most this many after it
CHECK_PARAGRAPHS = 6  # and before it, at most this many that tell no fix yet (the group's visit, its check, dialogue)


def with_measures(text: str, blocks: list[ProblemBlock], paras: list[Span]) -> list[ProblemBlock]:
    """``blocks`` (in order), each finding without measures joined by the measure sentences that follow it."""
    out: list[ProblemBlock] = []
    starts = [s for s, _ in paras]
    for k, b in enumerate(blocks):
        limit = blocks[k + 1].span[0] if k + 1 < len(blocks) else len(text)
        if not b.measures:
            b = dataclasses.replace(b, span=(b.span[0], _sentence_rest(text, b.span[1], limit)))
        told = [] if b.measures else _measures_after(text, b.span[1], limit, paras, starts, _grams(text[b.span[0] : b.span[1]]))
        out.append(dataclasses.replace(b, span=(b.span[0], told[-1][1]), measures=told) if told else b)
    return out


def _sentence_rest(text: str, end: int, limit: int) -> int:
    """A finding cut mid-sentence (``大部分路灯不亮``) runs on to its sentence's end when the rest goes on telling
    the defect (``，给群众夜间出行造成极大不便``) and tells no measure."""
    stop = min((i for i in (text.find(c, end, limit) for c in "。！？\n") if i >= 0), default=limit)
    rest = text[end:stop]
    if not rest.strip(" ，,；;") or vocab.says("measure", rest) or not vocab.says("hardship", rest) and not states_problem(text, end, stop):
        return end
    return stop


def _measures_after(text: str, start: int, limit: int, paras: list[Span], starts: list[int],
                    told_of: frozenset[str] = frozenset()) -> list[Span]:
    """The measure sentences between ``start`` and ``limit``: in the finding's paragraph and the next ones,
    stopping at a sentence that states a defect without telling a measure, or at a paragraph that tells none.
    Before the fix is told, a sentence that tells the same defect again (the group's check of a complaint:
    ``路灯晚上不亮的问题反映强烈。…经过入户调查了解，村里的路灯线路老化…``; ``told_of``: the finding's word pairs)
    is part of its story, not the next finding; so is a saying, a question or a line of dialogue (``_aside``)."""
    at = bisect_right(starts, start) - 1  # the paragraph holding ``start`` (``starts``: the paragraphs' starts, in order)
    if at < 0 or start > paras[at][1]:
        return []
    found: list[Span] = []
    fix_at = at  # the paragraph where the fix is first told
    for i, (s, e) in enumerate(paras[at : at + 1 + MEASURE_PARAGRAPHS + CHECK_PARAGRAPHS], at):
        if found and i > fix_at + MEASURE_PARAGRAPHS:
            break
        told_here = False
        for a, b in sentences(text, max(s, start), min(e, limit)):
            a, b = trim(text, (a, b))
            if b - a < 4:
                continue
            sentence = text[a:b]
            if found and _closes(sentence):
                return found  # 下一步，将…: what the body pledges ends the story of the fix
            if not found and ATTRIBUTED.match(sentence.lstrip("”\"’")):
                continue  # 这是…巡察组…收到的群众反映: whose words the complaint was, no part of the fix
            if not found and _aside(text, sentence, b) and not vocab.says("measure", sentence):
                continue  # 民生问题无小事; 钱去哪里了？: a saying or the group's question, before the fix
            if vocab.says("measure", sentence) or found:
                fix_at = fix_at if found else i
                found.append((a, b))  # once the fix is told, the sentences after it tell how it went
                told_here = True
            elif states_problem(text, a, b):
                if not found and len(told_of & _grams(sentence)) >= SAME_DEFECT:
                    continue
                return found
        if not told_here and s > start and found or e >= limit:
            break
        if not found and i - at > CHECK_PARAGRAPHS:  # paragraphs after the finding's that tell no fix yet
            break
    return found


SAME_DEFECT = 2  # word pairs a sentence shares with a finding to tell the same defect again
# pairs that any story of a complaint shares, whatever the defect
_COMMON = frozenset({"问题", "群众", "村民", "巡察", "反映", "强烈", "存在", "情况", "工作", "村里", "了解", "部分", "没有", "不到",
                     "居民", "社区", "村委", "干部", "导致", "造成", "影响", "由于", "因为"})


def _grams(s: str) -> frozenset[str]:
    """The Chinese character pairs of ``s`` that can name what a defect is about (not 问题, 群众…)."""
    han = [c if "\u4e00" <= c <= "\u9fff" else " " for c in s]
    return frozenset(g for i in range(len(han) - 1) if " " not in (g := han[i] + han[i + 1]) and g not in _COMMON)


def _aside(text: str, sentence: str, end: int) -> bool:
    """A saying or resolve (vocab ``ASIDE``) or a question (``到底有没有卖树？``), told between a complaint and its fix."""
    return vocab.says("aside", sentence) or text[end : end + 1] in ("?", "？") or sentence.rstrip("”\"’").endswith(("?", "？"))


def _closes(sentence: str) -> bool:
    """A sentence that pledges, asks or praises (下一步，…将持续跟踪; 民有所呼，巡有所应): no part of the fix."""
    return any(vocab.says(c, sentence) for c in ("request", "pledge", "praise", "focus")) or sentence.startswith("民有所呼")
