"""Which level of the heading tree holds the problems, and each problem's block: the upper half of ``outline``.

Notices say their problems in one of a few grammars, tried in this order:

1. ``fankui_pairs``: ``反馈问题:`` paragraphs each followed by ``整改情况:`` (multi-unit roundups);
2. ``zhenggai_pairs``: a numbered heading that states the problem, followed by ``整改情况:``;
3. ``headings:<kind>``: the heading level whose titles name problems (``关于“…”问题的整改``, ``…问题。``),
   with the sub-items and paragraphs below as measures;
4. ``inline``: a feedback-meeting report listing problems inside one paragraph
   (``主要是:一、…方面的问题。一是…。二是…。二、…``).

Nothing found in a text that reads as a notice: ``paragraphs``, the fallback. Each substantial paragraph
with problem wording (不到位, 不规范, 问题 …) becomes one candidate problem, so the model still reads the
text; the record says so in a ``paragraph_fallback`` check. A text that is not a notice gets none. Pure.
"""

from __future__ import annotations

import re

from agent.grammar import (
    CN_NUM,
    INLINE_FINDINGS,
    Node,
    ProblemBlock,
    cn_small,
    is_unit_title,
    parents,
    walk,
)
from agent.schema import Span

_PROBLEM_TITLE = re.compile(r"问题|关于[“\"]")


def find_problems(text: str, nodes: list[Node]) -> tuple[str, list[ProblemBlock], list[Span]]:
    """(grammar, problems, unit spans)."""
    allnodes = walk(nodes)
    up = parents(nodes)
    units = _units(text, nodes)
    fankui = [n for n in allnodes if n.kind == "fankui"]
    if fankui:
        return "fankui_pairs", number([_pair_block(text, n, up) for n in fankui]), units
    owners: list[Node] = []
    for n in allnodes:
        if n.kind == "zhenggai":
            p = up.get(id(n))
            if p is not None and (not owners or owners[-1] is not p):
                owners.append(p)
    if owners:
        return "zhenggai_pairs", number([_pair_block(text, n, up) for n in owners]), units
    kind = _problem_heading_kind(text, allnodes)
    if kind:
        chosen = [n for n in allnodes if n.kind == kind and _PROBLEM_TITLE.search(_title(text, n))]
        return f"headings:{kind}", number([_heading_block(text, n, up) for n in chosen]), units
    inline = _inline_problems(text, allnodes)
    if inline:
        return "inline", number(inline), units
    return "none", [], units


def _problem_heading_kind(text: str, allnodes: list[Node]) -> str | None:
    """The heading kind with the most titles that name a problem (at least two)."""
    counts: dict[str, int] = {}
    for n in allnodes:
        if n.kind in ("cn", "paren_cn", "num", "paren_num") and _PROBLEM_TITLE.search(_title(text, n)):
            counts[n.kind] = counts.get(n.kind, 0) + 1
    if not counts:
        return None
    kind, best = max(counts.items(), key=lambda kv: kv[1])
    return kind if best >= 2 else None


def _title(text: str, n: Node) -> str:
    s, e = n.title_span(text)
    return text[s:e]


def number(blocks: list[ProblemBlock]) -> list[ProblemBlock]:
    for i, b in enumerate(blocks, 1):
        b.id = f"P{i}"
    return blocks


def _units(text: str, nodes: list[Node]) -> list[Span]:
    """Top-level headings that name an organisation (一、木垒县东城镇党委) in a multi-unit roundup."""
    tops = [n for n in nodes if n.kind in ("cn", "paren_cn")]
    named = [n for n in tops if is_unit_title(text[n.body_start : n.line_end])]
    if len(named) >= 2 and len(named) == len(tops):
        return [(n.body_start, n.line_end) for n in named]
    return []


def _section_path(text: str, n: Node, up: dict[int, Node | None]) -> tuple[list[str], str | None, Span | None]:
    path: list[str] = []
    unit: str | None = None
    unit_span: Span | None = None
    p = up.get(id(n))
    while p is not None:
        s, e = p.title_span(text)
        title = text[s:e]
        if p.kind in ("cn", "paren_cn") and is_unit_title(text[p.body_start : p.line_end]) and unit is None:
            unit, unit_span = text[p.body_start : p.line_end], (p.body_start, p.line_end)
        path.insert(0, title)
        p = up.get(id(p))
    return path, unit, unit_span


def _pair_block(text: str, n: Node, up: dict[int, Node | None]) -> ProblemBlock:
    """A problem stated in one paragraph, measures in its ``整改情况:`` children and their continuations."""
    path, unit, unit_span = _section_path(text, n, up)
    measures = [(c.body_start, c.line_end) for c in n.children if c.kind in ("zhenggai", "para", "shi")]
    end = max([n.line_end] + [c.end for c in n.children if c.kind in ("zhenggai", "para", "shi")])
    title = n.title_span(text, limit=60)
    return ProblemBlock(
        id="",
        span=(n.start, end),
        title=title,
        description=(n.body_start, n.line_end),
        measures=measures,
        unit=unit,
        unit_span=unit_span,
        path=path,
    )


def _heading_block(text: str, n: Node, up: dict[int, Node | None]) -> ProblemBlock:
    """A heading that names a problem; what stands below it (sub-items, paragraphs) are the measures."""
    path, unit, unit_span = _section_path(text, n, up)
    title = n.title_span(text, limit=60)
    rest = text[title[1] : n.line_end].lstrip("。；;:： ")
    desc: Span | None = (n.body_start, n.line_end) if rest else None
    measures = [(c.body_start if c.kind != "para" else c.start, c.line_end) for c in n.children]
    return ProblemBlock(
        id="",
        span=(n.start, n.end),
        title=title,
        description=desc,
        measures=measures,
        unit=unit,
        unit_span=unit_span,
        path=path,
    )


_INLINE_MARK = re.compile(rf"(?:(?<=[。：:；;])|^)\s*([{CN_NUM}]+)(、|是)")


def _inline_problems(text: str, allnodes: list[Node]) -> list[ProblemBlock]:
    """``主要是:一、<aspect>。一是<point>。二是<point>。二、<aspect>…`` inside one paragraph.

    An item marked ``四是`` that continues the aspects' numbering rather than the points' (a common slip,
    as in ``三、…一是…二是…四是聚焦…方面问题``) is taken as an aspect.
    """
    for n in allnodes:
        seg = text[n.start : n.line_end]
        m = INLINE_FINDINGS.search(seg)
        if not m:
            continue
        base = n.start + m.end()
        marks = [
            (base + mm.start(1), base + mm.end(2), cn_small(mm.group(1)) or 0, mm.group(2))
            for mm in _INLINE_MARK.finditer(text[base : n.line_end])
        ]
        if not marks:
            continue
        # (aspect span, aspect title, point spans), in order
        aspects: list[tuple[Span, str, list[Span]]] = []
        aspect_no, point_no = 0, 0
        ends = [mk[0] for mk in marks[1:]] + [n.line_end]
        for (_, body, num, kind), e in zip(marks, ends, strict=True):
            if kind == "、" or (num == aspect_no + 1 and num != point_no + 1 and aspect_no > 0):
                aspect_no, point_no = num, 0
                cut = re.search(r"[。；;]", text[body:e])
                aspects.append(((body, e), text[body : body + cut.start()] if cut else text[body:e], []))
            elif aspects:
                point_no = num
                aspects[-1][2].append((body, e))
        blocks: list[ProblemBlock] = []
        for span, title, points in aspects:
            if points:
                blocks.extend(_inline_block(text, sp, [title], None) for sp in points)
            else:  # an aspect with no points stands for one problem
                blocks.append(_inline_block(text, span, [], None))
        if blocks:
            return blocks
    return []


def _inline_block(text: str, span: Span, path: list[str], unit: str | None) -> ProblemBlock:
    s, e = span
    while e > s and text[e - 1] in " \n":
        e -= 1
    seg = text[s:e]
    cut = re.search(r"[,，。；;:：]", seg)
    title_end = s + (cut.start() if cut else len(seg))
    return ProblemBlock(id="", span=(s, e), title=(s, title_end), description=(s, e), measures=[], unit=unit, path=path,
                        found_by="inline")


_PROBLEM_WORDS = re.compile(
    r"问题|不到位|不够|不力|不严|不规范|不足|不实|不强|不高|不深入|不及时|不健全|不完善|薄弱|差距|滞后|缺失|缺乏"
    r"|违规|违反|违纪|未按|未能|未及时|没有"
)
# paragraphs that narrate (the round, the meeting, the statistics, the work done) rather than state a finding
_NARRATIVE = re.compile(
    r"(?:根据|按照|依据|截至|截止|目前|近日|日前|此次|本次|本轮|通过|会上|会议|巡察过程中|巡察期间|在整改过程中|[\d一二三四五六七八九十]+月)"
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
        if not _PROBLEM_WORDS.search(text, s, s + (cut.start() if cut else e - s)):
            continue  # a finding names its problem in its first clause; narrative and praise do not
        title_end = s + min(cut.start() if cut else e - s, 60)
        blocks.append(ProblemBlock(id="", span=(s, e), title=(s, title_end), description=(s, e), measures=[],
                                   found_by="paragraphs"))
    return number(blocks)
