"""Answers the rules can give without a model: status phrases, document type, inspection facts, stated totals.

Why: ``--no-llm`` must produce a useful record in milliseconds, and the model's answers are checked against
(and fall back to) these. Every value here carries the span it was read from. Pure.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from agent.schema import DocType, Figure, Span, StatedTotal, Status

_IN_PROGRESS = re.compile(r"正在整改|正在推进|正在办理|尚未完成|未完成整改|推进中|整改中|尚未(?:到位|办结|收回)")
_COMPLETED = re.compile(
    r"已(?:全部|经)?(?:整改(?:完成|到位)?|完成|清退|追回|收回|退回|办结|入账|撤并|撤销|补齐|补充|规范|纠正|处理)"
    r"|完成整改|整改完成|整改到位|全部(?:清退|入账|收回|追回)"
)
_ONGOING = re.compile(r"长期坚持|持续(?:推进|深化|抓好|加强|整改)|常态化|长效机制|今后|逐步|久久为功")

_INSPECTOR = re.compile(
    r"(?:[\u4e00-\u9fa5]{0,8}?[县市区州省]委|[\u4e00-\u9fa5]{0,8}?党委)第[一二三四五六七八九十\d]+[\u4e00-\u9fa5]{0,6}?巡[察视]组"
    r"|[县市区州省]党?委巡[察视]组"
)
_KIND = re.compile(
    r"(?:基层组织建设专项|农村专项|专项|常规|提级|机动|延伸|交叉|联动)巡[察视](?:“回头看”)?|巡[察视]“回头看”"
)
_TARGETS = re.compile(r"对([\u4e00-\u9fa5、()（）]{2,80}?)(?:开展了|进行了|开展|进行)")
_FEEDBACK_TARGET = re.compile(r"向([\u4e00-\u9fa5]{2,20}?(?:党委|党工委|党组|党支部))(?:领导班子)?反馈")
_ISSUER_IN_TITLE = re.compile(r"^((?:中共|中国共产党)[\u4e00-\u9fa5]{2,30}?(?:委员会|工作委员会))关于")
_TOTALS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("aspects", re.compile(r"([一二三四五六七八九十\d]+)个方面")),
    ("problems", re.compile(r"(?:指出|反馈|发现|梳理)?[^。，,]{0,6}?(\d+|[一二三四五六七八九十]+)个(?:具体)?问题")),
    ("completed", re.compile(r"(?:已经|已)?(?:整改完成|完成整改)(\d+)个")),
    ("in_progress", re.compile(r"正在整改(\d+)个")),
    ("units", re.compile(r"巡[察视](\d+)个(?:乡镇|单位|村|党组织)")),
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


@dataclass
class InspectionFacts:
    inspector: Span | None = None
    kind: Span | None = None
    targets: list[Span] | None = None
    start: str | None = None
    end: str | None = None
    feedback_date: str | None = None


def _first(rx: re.Pattern[str], text: str, start: int, end: int, group: int = 0) -> Span | None:
    m = rx.search(text, start, end)
    return (m.start(group), m.end(group)) if m else None


def inspection_facts(text: str, intro: Span, figures: list[Figure]) -> InspectionFacts:
    """Inspector, kind, targets and dates from the notice's opening paragraph(s)."""
    s, e = intro
    facts = InspectionFacts()
    facts.inspector = _first(_INSPECTOR, text, s, e)
    facts.kind = _first(_KIND, text, s, e)
    targets: list[Span] = []
    m = _TARGETS.search(text, s, e)
    if m:
        pos = m.start(1)
        for part in re.split(r"、", m.group(1)):
            clean = re.sub(r"\d+个[\u4e00-\u9fa5()（）]*$", "", part)
            if len(clean) >= 2:
                targets.append((pos, pos + len(clean)))
            pos += len(part) + 1
    elif fm := _FEEDBACK_TARGET.search(text, s, e):
        targets.append((fm.start(1), fm.end(1)))
    facts.targets = targets
    dates = [f for f in figures if f.kind == "date" and s <= f.span[0] < e]
    ranged = next((f for f in dates if f.iso_end), None)
    if ranged:
        facts.start, facts.end = ranged.iso, ranged.iso_end
    for f in dates:
        sent_start = max(text.rfind("。", s, f.span[0]), s)
        sent_end = text.find("。", f.span[1], e)
        sentence = text[sent_start : sent_end if sent_end > 0 else e]
        if f is not ranged and "反馈" in sentence and facts.feedback_date is None:
            facts.feedback_date = f.iso
    return facts


def issuer_from_title(text: str, title: Span | None) -> Span | None:
    if title is None:
        return None
    m = _ISSUER_IN_TITLE.match(text, title[0], title[1])
    return (m.start(1), m.end(1)) if m else None


def doc_type(text: str, title: str, n_units: int) -> DocType:
    head = title + text[:400]
    if not re.search(r"巡[察视]", text):
        return "other"
    if n_units >= 2:
        return "rectification_roundup"
    if "整改" in title or re.search(r"整改(?:进展)?情况(?:予以)?公布|整改情况的通报|整改进展", head):
        return "rectification_progress"
    if "反馈" in head:
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
