"""Findings as headed paragraphs: the grammars of the formal notices (rectification reports, roundups).

Tried in this order, the first that finds problems wins:

1. ``fankui_pairs``: ``反馈问题:`` paragraphs each followed by ``整改情况:`` (multi-unit roundups);
2. ``zhenggai_pairs``: a numbered heading that states the problem, followed by ``整改情况:``;
3. ``headings:<kind>``: the heading level whose titles name problems (``关于“…”问题的整改``, ``…问题。``),
   with the sub-items and paragraphs below as measures.

Also which top-level headings name units (``一、木垒县东城镇党委``) in a multi-unit text. Pure.
"""

from __future__ import annotations

import re

from agent.schema import Span
from agent.text.findings.base import Found, Page, number
from agent.text.grammar import Node, ProblemBlock, is_unit_title, parents, walk


def recognize(page: Page) -> Found | None:
    """The headed grammars, in order; ``None`` when the notice has none of them."""
    text, nodes = page.text, page.nodes
    allnodes = walk(nodes)
    up = parents(nodes)
    fankui = [n for n in allnodes if n.kind == "fankui"]
    if fankui:
        return Found("fankui_pairs", number([_pair_block(text, n, up) for n in fankui]))
    owners: list[Node] = []
    for n in allnodes:
        if n.kind == "zhenggai":
            p = up.get(id(n))
            if p is not None and (not owners or owners[-1] is not p):
                owners.append(p)
    if owners:
        return Found("zhenggai_pairs", number([_pair_block(text, n, up) for n in owners]))
    kind = _problem_heading_kind(text, allnodes)
    if kind:
        chosen = [n for n in allnodes if n.kind == kind and _PROBLEM_TITLE.search(_title(text, n))]
        return Found(f"headings:{kind}", number([_heading_block(text, n, up) for n in chosen]))
    return None


_PROBLEM_TITLE = re.compile(r"问题|关于[“\"]")
# a heading that names its problem outright: 关于“政治引领有短板”问题的整改, 关于“…”的问题
_WRAPPED_TITLE = re.compile(r"^关于[“\"][^”\"]{2,120}[”\"]的?问题")


def _problem_heading_kind(text: str, allnodes: list[Node]) -> str | None:
    """The heading kind with the most titles that name a problem: at least two, or one ``关于“…”问题`` heading."""
    counts: dict[str, int] = {}
    for n in allnodes:
        if n.kind in ("cn", "paren_cn", "num", "paren_num") and _PROBLEM_TITLE.search(_title(text, n)):
            counts[n.kind] = counts.get(n.kind, 0) + 1
    if not counts:
        return None
    kind, best = max(counts.items(), key=lambda kv: kv[1])
    if best == 1:  # one heading is enough when it says so outright (a page cut after its first problem)
        return kind if any(n.kind == kind and _WRAPPED_TITLE.search(_title(text, n)) for n in allnodes) else None
    return kind


def _title(text: str, n: Node) -> str:
    s, e = n.title_span(text)
    return text[s:e]


def units(text: str, nodes: list[Node]) -> list[Span]:
    """Top-level headings that name an organisation (一、木垒县东城镇党委) in a multi-unit roundup."""
    tops = [n for n in nodes if n.kind in ("cn", "paren_cn")]
    named = [n for n in tops if is_unit_title(text[n.body_start : n.line_end])]
    if len(named) >= 2 and len(named) == len(tops):
        return [(n.body_start, n.line_end) for n in named]
    return []


def _section_path(text: str, n: Node, up: dict[int, Node | None]) -> tuple[list[str], str | None]:
    """The titles of the headings above ``n``, and the unit heading among them (a roundup's unit)."""
    path: list[str] = []
    unit: str | None = None
    p = up.get(id(n))
    while p is not None:
        s, e = p.title_span(text)
        title = text[s:e]
        if p.kind in ("cn", "paren_cn") and is_unit_title(text[p.body_start : p.line_end]) and unit is None:
            unit = text[p.body_start : p.line_end]
        path.insert(0, title)
        p = up.get(id(p))
    return path, unit


def _pair_block(text: str, n: Node, up: dict[int, Node | None]) -> ProblemBlock:
    """A problem stated in one paragraph, measures in its ``整改情况:`` children and their continuations."""
    path, unit = _section_path(text, n, up)
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
        path=path,
    )


def _heading_block(text: str, n: Node, up: dict[int, Node | None]) -> ProblemBlock:
    """A heading that names a problem; what stands below it (sub-items, paragraphs) are the measures."""
    path, unit = _section_path(text, n, up)
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
        path=path,
    )
