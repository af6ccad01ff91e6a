"""Answers the rules can give without a model: status phrases, document type, stated totals (inspection facts:
``facts``).

Why: ``--no-llm`` must produce a useful record in milliseconds, and the model's answers are checked against
(and fall back to) these. Every value here carries the span it was read from. Pure.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from agent.schema import DocType, Figure, Span, StatedTotal, Status
from agent.text import vocab
from agent.text.facts import FEEDBACK_ACT

_IN_PROGRESS = re.compile(r"正在整改|正在推进|正在办理|尚未完成|未完成整改|推进中|整改中|尚未(?:到位|办结|收回)")
_COMPLETED = re.compile(
    r"已(?:全部|经)?(?:整改(?:完成|到位)?|完成|清退|追回|收回|退回|办结|入账|撤并|撤销|补齐|补充|规范|纠正|处理)"
    r"|完成整改|整改完成|整改到位|全部(?:清退|入账|收回|追回)"
)
_ONGOING = vocab.pattern("status_ongoing")  # one list with status_evidence's (逐步 is in progress there and here)

# 中共XX委员会关于…, 中共XX局党组关于…: the body that reports
_ISSUER_IN_TITLE = re.compile(r"^((?:中共|中国共产党)[\u4e00-\u9fa5]{2,30}?(?:委员会|工作委员会|党组|党委|党工委))关于")
_TOTALS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("aspects", re.compile(r"(?<![一二三四五六七八九十\d])([一二三四五六七八九十\d]{1,4})个方面")),
    ("problems", re.compile(r"(?:指出|反馈|发现|梳理)?[^。，,]{0,6}?(?<![\d一二三四五六七八九十])(\d{1,6}|[一二三四五六七八九十]{1,6})个(?:具体)?问题")),
    ("completed", re.compile(r"(?:已经|已)?(?:整改完成|完成整改)(\d{1,6})个")),
    ("in_progress", re.compile(r"正在整改(\d{1,6})个")),
    ("units", re.compile(r"巡[察视](\d{1,6})个(?:乡镇|单位|村|党组织)")),
)


def status_from_phrases(block: str) -> Status:
    """Status a reader infers from the wording of one problem block."""
    if _IN_PROGRESS.search(block):
        return "in_progress"
    if _COMPLETED.search(block):
        return "completed"
    if _ONGOING.search(block):
        return "ongoing"
    return "unknown"


def issuer_from_title(text: str, title: Span | None) -> Span | None:
    if title is None:
        return None
    m = _ISSUER_IN_TITLE.match(text, title[0], title[1])
    return (m.start(1), m.end(1)) if m else None


# several inspected bodies whose rectification one text reports: 40家被巡察单位, 各被巡视党组织, 被巡察党组织和单位
_SEVERAL_INSPECTED = re.compile(r"各被巡[察视](?:单位|党组织)|被巡[察视]党组织和单位|[\d一二三四五六七八九十]{1,6}(?:个|家)被巡[察视]")


DOCTYPE_SURE = 0.35  # of four classes: below this the learned type is unsure and the rules keep theirs (each set held
# out of training in turn, 0.35 gives the same inspection fields as 0 on all 11 sets; a text that mentions 巡察 but is
# no notice gets 0.30)


_FED_BACK_TITLE = re.compile(r"巡[察视]组[^。，,]{0,30}?向[^。，,]{1,40}?反馈")


def doc_type_read(text: str, title: str, n_units: int) -> tuple[DocType, DocType]:
    """(the type xuncha gives, the rules' own): the document-type model learned from the gold reads the head of
    the text (measured: it beats the title-and-wording rules, README, Evals) where it is sure and the text names
    an inspection; else the rules (``doc_type``). The LLM is not asked (it lost: 0.18 against 0.55)."""
    from agent.text.learned import doctype_scores

    dt = doc_type(text, title, n_units)
    if dt == "feedback" and _FED_BACK_TITLE.search(title):
        return dt, dt  # a title that says a group fed back to a body (all 35 such gold titles are feedback)
    learned = doctype_scores(text)
    if learned and re.search(r"巡[察视]", text):
        best = max(learned, key=lambda k: learned[k])
        if best != dt and learned[best] >= DOCTYPE_SURE:
            return best, dt  # type: ignore[return-value]
    return dt, dt


def doc_type(text: str, title: str, n_units: int) -> DocType:
    """The kind of text, from its title and top: a rectification report of one body or of several, news of a
    feedback (a feedback given, ``向X反馈``, not the word alone: ``反馈什么问题``), or other (a round's start or
    statistics)."""
    head = title + text[:400]
    if not re.search(r"巡[察视]", text):
        return "other"
    if n_units >= 2:  # several units: their rectification together, or their findings disclosed together
        rectified = re.search(r"整改(?:进展|落实|工作)?情况|整改进展", title + text[:300])
        return "rectification_roundup" if rectified else "feedback"
    several = _SEVERAL_INSPECTED.search(title + text[:600])
    if "整改" in title or re.search(r"整改(?:进展)?情况(?:予以)?公布|整改情况的通报|整改进展", head):
        return "rectification_roundup" if several else "rectification_progress"
    if FEEDBACK_ACT.search(head):
        return "feedback"
    return "rectification_progress" if "整改情况" in text else "other"


def stated_totals(text: str, figures: list[Figure], limit: Span | None = None) -> list[StatedTotal]:
    """Totals the notice states about itself, tied to the regex figure they were read from."""
    s, e = limit or (0, len(text))
    by_start = sorted(figures, key=lambda f: f.span[0])  # figures never overlap: bisect for the one at a place
    starts = [f.span[0] for f in by_start]
    out: list[StatedTotal] = []
    seen: set[tuple[str, int]] = set()
    for subject, rx in _TOTALS:
        for m in rx.finditer(text, s, e):
            num_span = (m.start(1), m.end(1))
            at = bisect_right(starts, num_span[0]) - 1
            fig = by_start[at] if at >= 0 and num_span[0] < by_start[at].span[1] else None
            if fig is None or (subject, fig.span[0]) in seen:
                continue
            seen.add((subject, fig.span[0]))
            out.append(
                StatedTotal(
                    subject=subject,  # type: ignore[arg-type]
                    value=fig.value,
                    figure_id=fig.id,
                    text=text[m.start() : m.end()],
                    span=(m.start(), m.end()),
                )
            )
    out.sort(key=lambda t: t.span[0])
    return out


# --- status from evidence: what the rectification text says about the fix -----------------------------

_STILL = re.compile(
    vocab.pattern("status_in_progress").pattern
    + r"|加快[^。，,]{0,8}(?:核查|处置|办理|推进)|下一步将"
    r"|[\d一二三四五六七八九十]{1,3}月底前完成|年底前完成"
)
_DONE = re.compile(
    r"已(?:全部|经|于|按要求|按规定)?(?:整改(?:完成|到位)?|完成|清退|清收|追回|收回|退回|退还|办结|入账|撤并|撤销|补齐|补充|补缴|规范|纠正|处理|返回|归还|配齐|移交|拆除|注销|兑付|发放到位|修复|解决|接通|硬化|疏通|维修|清理|安装)"
    r"|完成整改|整改完成|整改到位|全部(?:清退|清收|入账|收回|追回|到位|完成)|暂未发现|未再发生|100%|为零|清零|已恢复|配齐|撤销合并|已实现"
)
# a running total as of a date (截至目前，已处理…) reports progress on a finite stock: something is left unless
# the sentence says all of it is cleared (convention rule 3(iii))
_RUNNING_TOTAL = re.compile(
    r"截[至止](?:目前|今|\d{4}年\d{1,2}月(?:底|末|\d{1,2}日)?)[^。]{0,40}?已(?:累计)?"
    r"(?:处理|处置|清收|收回|追回|清退|清理|化解|办结|办理|偿还|退还|拆除|整改|取得)"
)  # cleared items of a stock, not a tally of activities held (已开展活动42场次)
_ALL_CLEARED = re.compile(r"全部|清零|均已|全面完成|100%|整改完成|完成整改")
_STANDING = re.compile(r"长期坚持|持续(?:推进|深化|抓好|加强|整改|跟踪|开展)?|常态化|长效|今后|久久为功|定期|不定期|坚持")


def status_evidence(sentences: list[str]) -> tuple[Status, int | None]:
    """(status, index of the deciding sentence) from what the rectification sentences say.

    The convention the two gold readers settled on: a sentence that says the fix is still under way (a
    remainder, a deadline ahead, 正在/逐步/争取…) makes it ``in_progress``; else one that says it is done (a
    completion word, or a finished result stated as fact: 已于…返回, 已全部入账, 100%, 暂未发现) makes it
    ``completed``; else standing measures only (长期坚持, 常态化, 持续…) make it ``ongoing``; actions without
    either are ``ongoing`` too (nothing says the fix is finished); no rectification text is ``unknown``."""
    if not sentences:
        return "unknown", None
    for i, s in enumerate(sentences):
        if _STILL.search(s) or (_RUNNING_TOTAL.search(s) and not _ALL_CLEARED.search(s)):
            return "in_progress", i
    for i, s in enumerate(sentences):
        if _DONE.search(s):
            return "completed", i
    for i, s in enumerate(sentences):
        if _STANDING.search(s):
            return "ongoing", i
    return "ongoing", None

