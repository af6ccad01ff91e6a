"""Follow a finding to its rectification: a feedback notice and a later rectification notice of the same
inspected body and round, and per finding, whether the rectification report addresses it and how.

Why: a feedback notice lists findings with no status; months later the inspected body publishes its
rectification report with its own list. Whether a finding was reported fixed is only visible across the two.
Pairs are matched on the inspected body (a target or issuer of one named in the other), the inspector, and
the dates (the rectification report is published after the feedback); findings on the similarity of their
titles. Every match carries a score and says when it is uncertain. Pure: records in, rows out.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from agent.schema import NoticeRecord

_NOISE = re.compile(r"[\s,，。、:：;；()（）“”\"《》]|中共|中国共产党|委员会|党委|党工委|党组|关于|的整改|整改|问题|方面|工作|不够|不到位|不规范|落实")
TITLE_MATCH = 0.5  # character-overlap F1 of the titles (noise words removed) from which a finding is "addressed"
SURE = 0.75  # at or above: a confident match; between TITLE_MATCH and SURE: uncertain


@dataclass(frozen=True)
class Link:
    feedback: str  # source of the feedback notice
    rectification: str  # source of the rectification notice
    problem_id: str  # the finding in the feedback notice
    title: str
    matched_id: str | None  # the problem of the rectification notice that addresses it, if any
    status: str | None  # its status there
    score: float
    certain: bool


def _norm(s: str | None) -> str:
    return _NOISE.sub("", s or "")


def similarity(a: str, b: str) -> float:
    """Character-overlap F1 of two titles after removing party-body and problem boilerplate."""
    a, b = _norm(a), _norm(b)
    if not a or not b:
        return 0.0
    common = sum((Counter(a) & Counter(b)).values())
    if not common:
        return 0.0
    p, r = common / len(a), common / len(b)
    return 2 * p * r / (p + r)


def _bodies(rec: NoticeRecord) -> set[str]:
    names = [t.text for t in rec.inspection.targets] + ([rec.issuer.text] if rec.issuer else [])
    return {n for n in (_norm(x) for x in names) if len(n) >= 2}


def same_round(feedback: NoticeRecord, rect: NoticeRecord) -> bool:
    """The same inspected body (one's body names the other's), the same inspector where both name one, and
    the rectification published no earlier than the feedback where both are dated."""
    fb, rc = _bodies(feedback), _bodies(rect)
    if not any(a in b or b in a for a in fb for b in rc):
        return False
    fi, ri = (_norm(r.inspection.inspector.text) if r.inspection.inspector else "" for r in (feedback, rect))
    if fi and ri and fi != ri:
        return False
    when_fb = feedback.inspection.feedback_date or feedback.published
    when_rc = rect.published or rect.inspection.feedback_date
    return not (when_fb and when_rc and when_rc[:7] < when_fb[:7])


def follow(records: list[NoticeRecord]) -> list[Link]:
    """Per finding of each feedback notice with a rectification notice of the same round: the best-matching
    rectification problem and its status (or none)."""
    feedbacks = [r for r in records if r.doc_type == "feedback" and r.problems]
    rects = [r for r in records if r.doc_type in ("rectification_progress", "rectification_roundup")]
    out: list[Link] = []
    for fb in feedbacks:
        for rc in (r for r in rects if same_round(fb, r)):
            for p in fb.problems:
                scored = [(similarity(p.title.text, q.title.text), q) for q in rc.problems]
                score, best = max(scored, key=lambda t: t[0], default=(0.0, None))
                hit = best if best is not None and score >= TITLE_MATCH else None
                out.append(Link(fb.source, rc.source, p.id, p.title.text, hit.id if hit else None,
                                hit.status if hit else None, round(score, 3), score >= SURE or score < TITLE_MATCH / 2))
    return out
