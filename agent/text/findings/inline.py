"""Findings inside one paragraph of a feedback-meeting report, under numbered aspects.

``主要是:一、<aspect>方面的问题。一是<point>。二是<point>。二、<aspect>…``: each point is a problem with its
aspect as the section path; an aspect without points stands for one problem. Pure.
"""

from __future__ import annotations

import re

from agent.schema import Span
from agent.text import markers
from agent.text.findings.base import Found, Page, number
from agent.text.grammar import INLINE_FINDINGS, Node, ProblemBlock, walk


def recognize(page: Page) -> Found | None:
    blocks = _inline_problems(page.text, walk(page.nodes))
    return Found("inline", number(blocks)) if blocks else None


# an aspect (一、) or a point (一是) after a sentence or colon: two styles of the marker grammar
_INLINE_MARK = re.compile(rf"(?:(?<=[。：:；;])|^)\s*(?:{markers.pattern_of('cn', 'shi')})")


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
            (base + mm.start(markers.style_of(mm)), base + mm.end(), markers.number(mm) or 0,
             "是" if mm.group("shi") else "、")
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
