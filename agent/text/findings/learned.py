"""Findings the rules did not cut, proposed by the clause model learned from the gold.

Why a module of its own: each new set of notices brings wordings no rule knows (README, Evals: first sight
0.53–0.86 before this), while a character n-gram model trained on the gold's clauses (``agent.text.learned``)
generalizes to them. The two are combined here, after the rules: the model proposes clauses that state a
finding; the vocabularies (``agent.text.vocab``) veto requests, pledges and procedure; what the rules cut
already stays as the rules cut it; and the listing style groups the rest — a marker (``一是``, ``有的``,
``(一)``, ``1.``) or a ``；``/``。`` ends a finding, comma clauses of one sentence stay one finding whose
title is its first clause. Every problem proposed here has ``found_by = "learned"``, and the record
carries a check for it (``learned_only``). Pure.
"""

from __future__ import annotations

import re

from agent.schema import Span
from agent.text.clauses import Clause, clauses, marker_end
from agent.text.findings.base import Taken
from agent.text.findings.items import without_etc
from agent.text.grammar import ProblemBlock
from agent.text.learned import clause_scores, load
from agent.text.vocab import says, vetoed

THRESHOLD = 0.75  # a clause the model scores at least this states a finding: each of the 8 newest sets (held-out 19-26,
# 418 findings) left out of training in turn, 0.7 covers 286 and 343 of 419 proposals hold one; 0.75 285 and 341 of 405
# (content 0.819 → 0.842); 0.8 281, 335 of 394; 0.85 273, 331 of 385 (evals/threshold_sweep.py --sets …; README)
_GENRE = re.compile(r"巡[察视]|整改|督[查导]")  # a text that never says these is no inspection notice: nothing to propose
_ENDS = set("；;。！!？?\n")  # marks that end a finding; a comma continues it
MIN_CHARS = 4  # a shorter run (a lone word) is no finding


def propose(text: str, paras: list[Span], taken: list[Span], threshold: float | None = None) -> list[ProblemBlock]:
    """Problems in ``paras`` that the clause model finds and no rule took (``taken``), in order."""
    model = load("clauses")
    if model is None or not _GENRE.search(text):
        return []
    blocks: list[ProblemBlock] = []
    th = THRESHOLD if threshold is None else threshold
    took = Taken(taken)
    for k, (ps, pe) in enumerate(paras):
        if _frames_next(text, (ps, pe), paras[k + 1] if k + 1 < len(paras) else None, took):
            continue
        cl = clauses(text, ps, pe)
        scores = clause_scores(text, cl, model)
        run: list[Clause] = []
        asks = False  # the sentence opened with a request, a pledge or procedure: none of it is a finding
        for j, (c, p) in enumerate(zip(cl, scores, strict=True)):
            own = text[c.start : c.end]
            marked = marker_end(own)
            # with its marker (一、关于…方面 frames a list) and without it (三是狠抓落实 pledges)
            why = vetoed(own) or vetoed(own[marked:])
            if j == 0 or cl[j - 1].mark in _SENTENCE_ENDS:  # a colon opens what follows: a new sentence here
                asks = why in ("request", "pledge", "focus") or (why == "procedure" and not says("finding_cue", own))
            keep = p >= th and not asks and why is None and not took.overlaps(c.start, c.end)
            if run and (not keep or marked):
                blocks.extend(_block(text, run))
                run = []
            if c.mark == "？":
                run = []  # a question (有多少路灯不亮？) asks, it states no finding (a bare ? stands for lost characters on mirrors)
                continue
            if keep:
                run.append(c)
                if c.mark in _ENDS:
                    blocks.extend(_block(text, run))
                    run = []
        blocks.extend(_block(text, run))
    return blocks


_SENTENCE_ENDS = set("。！!？?\n：:")


def _frames_next(text: str, para: Span, nxt: Span | None, took: Taken) -> bool:
    """A marked heading paragraph (``(一)…``, ``一、…``) over a paragraph the rules cut findings from only
    frames them (CONVENTION.md: headings that frame a list are no findings)."""
    return (nxt is not None and marker_end(text[para[0] : para[1]]) > 0 and not text[para[0] : para[1]].startswith("有的")
            and took.overlaps(nxt[0], max(nxt[1], nxt[0] + 1)))


def _block(text: str, run: list[Clause]) -> list[ProblemBlock]:
    while len(run) > 1 and run[0].end - run[0].start < MIN_CHARS:
        run = run[1:]  # a connective (同时，此外，) opens the sentence: the finding starts after it
    if not run:
        return []
    s, e = run[0].start, run[-1].end
    s = marker_end(text[s:e]) + s
    if e - s < MIN_CHARS:
        return []
    title = (s, without_etc(text, s, run[0].end)) if run[0].end > s else (s, without_etc(text, s, e))
    return [ProblemBlock(id="", span=(run[0].start, e), title=title, description=(s, e), measures=[], found_by="learned")]
