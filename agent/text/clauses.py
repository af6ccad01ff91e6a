"""Clauses of the reading view and the features a learned model reads from them.

Why a module of its own: the learned detectors (``agent.text.learned``) and their training
(``agent.scoring.train``) must cut text and name features identically, or a stored model would score
something other than what it was trained on. A clause runs up to a clause or sentence mark (``，,；;。：:！？``)
or a line end; features are character 1–3-grams of the clause and 1–2-grams of the clause before it, plus
whether a list marker opens it. Pure and linear in the text's length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.text import markers

_CUT = re.compile(r"[，,；;。：:！!？?\n]")
_MARKER = re.compile(rf"^\s*(?:{markers.pattern('clause')}|有的)")  # the marker grammar's clause styles, and 有的
MAX_CLAUSE = 200  # characters of a clause that features read: a pasted blob is not a clause


@dataclass(frozen=True)
class Clause:
    start: int
    end: int  # the mark after it is not inside
    mark: str  # the mark that ends it ("" at the end of the text)


def clauses(text: str, start: int = 0, end: int | None = None) -> list[Clause]:
    """The clauses of ``text[start:end]`` in order, each stripped of spaces at its edges; empty ones dropped."""
    end = len(text) if end is None else end
    out: list[Clause] = []
    pos = start
    for m in _CUT.finditer(text, start, end):
        _add(text, pos, m.start(), m.group(), out)
        pos = m.end()
    _add(text, pos, end, "", out)
    return out


def _add(text: str, s: int, e: int, mark: str, out: list[Clause]) -> None:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if e > s:
        out.append(Clause(s, e, mark))


def marker_end(s: str) -> int:
    """Where a list marker that opens ``s`` ends (0 when none does)."""
    m = _MARKER.match(s)
    return m.end() if m else 0


def grams(s: str, n_max: int) -> list[str]:
    return [s[i : i + n] for n in range(1, n_max + 1) for i in range(len(s) - n + 1)]


def features(text: str, cl: list[Clause], i: int) -> list[str]:
    """The features of clause ``i``: its character 1–3-grams, the previous clause's 1–2-grams, its marker."""
    c = cl[i]
    own = text[c.start : min(c.end, c.start + MAX_CLAUSE)]
    feats = [f"c{g}" for g in grams(own, 3)]
    if i > 0:
        p = cl[i - 1]
        feats += [f"p{g}" for g in grams(text[max(p.start, p.end - MAX_CLAUSE) : p.end], 2)]
        feats.append(f"m{p.mark}")
    else:
        feats.append("first")
    if _MARKER.match(own):
        feats.append("marker")
    feats.append(f"e{c.mark}")
    return feats


def title_features(title: str) -> list[str]:
    """The features a category model reads from a finding's title: character 1–3-grams."""
    return grams(title[:MAX_CLAUSE], 3)


HEAD_CHARS = 400  # of the reading view: what a document-type model reads (the title and the opening)


def head_features(text: str) -> list[str]:
    """The features a document-type model reads: character 1–3-grams of the text's first ``HEAD_CHARS``."""
    return grams(text[:HEAD_CHARS], 3)
