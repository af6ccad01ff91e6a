"""Paragraph markers and the heading tree of a notice: the lower half of the ``outline`` stage.

A notice's paragraphs open with markers (``一、`` ``(一)`` ``1.`` ``(1)`` ``一是`` ``反馈问题:`` ``整改情况:``);
nesting follows the order in which marker kinds first appear, as in Markdown with ad-hoc heading styles.
Pure and fast; spans index into the cleaned text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.schema import Span
from agent.text import vocab
from agent.text.markers import MARKERS

HEADING_KINDS = ("cn", "paren_cn", "num", "paren_num", "fankui")

_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("fankui", re.compile(r"(?:反馈问题|存在问题|问题)[:：]\s*")),
    ("zhenggai", re.compile(r"(?:整改情况|整改措施|整改进展|整改)[:：]\s*")),
    # the numbered headings and items: the marker grammar's heading styles, in its order (agent.text.markers)
    *((m.style, re.compile(m.fragment + r"\s*")) for m in MARKERS if "heading" in m.roles),
)
_UNIT_RE = vocab.pattern("unit_suffix")  # one list of unit-name endings (agent.text.vocab)
_SENTENCE_END = re.compile(r"[。；;!！?？]")
INLINE_FINDINGS = re.compile(r"(?:发现|存在)[^。]{0,20}问题[^。]{0,12}(?:主要是|主要有|具体是)[:：]?")


@dataclass
class Node:
    """One paragraph (or inline segment) with the marker that opens it."""

    kind: str  # cn | paren_cn | num | paren_num | fankui | zhenggai | shi | para
    marker: str
    start: int  # paragraph start (marker included)
    end: int  # end of this node and all its children
    body_start: int  # after the marker
    line_end: int  # end of this node's own paragraph (or inline segment)
    children: list[Node] = field(default_factory=list)

    def title_span(self, text: str, limit: int = 80) -> Span:
        """The heading sentence: from after the marker to the first sentence end (or colon)."""
        seg = text[self.body_start : self.line_end]
        m = re.search(r"[。；;:：!！?？]", seg)
        cut = m.start() if m else len(seg)
        cut = min(cut, limit)
        if cut > 30:  # a long first sentence: its first clause names the problem
            for comma in re.finditer(r"[,，]", seg[6:cut]):
                before = seg[: 6 + comma.start()]
                if before.count("“") == before.count("”"):  # not inside a quotation
                    cut = 6 + comma.start()
                    break
        while cut > 0 and seg[cut - 1] in " ,，、":
            cut -= 1
        return (self.body_start, self.body_start + cut)


@dataclass
class ProblemBlock:
    id: str
    span: Span
    title: Span
    description: Span | None
    measures: list[Span]
    unit: str | None = None
    path: list[str] = field(default_factory=list)  # section titles above the problem
    found_by: str = "headings"  # which recognizer cut it: headings | inline | disclosure | prose | paragraphs


def lines_of(text: str) -> list[Span]:
    """Spans of non-empty lines (paragraphs), stripped of surrounding whitespace."""
    out: list[Span] = []
    pos = 0
    for line in text.split("\n"):
        s, e = pos, pos + len(line)
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
        pos += len(line) + 1
    return out


def classify(text: str, start: int, end: int) -> tuple[str, str, int]:
    """(kind, marker, body_start) for the paragraph text[start:end]."""
    seg = text[start:end]
    for kind, rx in _MARKERS:
        m = rx.match(seg)
        if m and m.end() < len(seg):
            if kind == "num" and re.match(r"\d+[、.．]\d", seg):
                continue
            return kind, m.group(0).strip(), start + m.end()
    return "para", "", start


def build_tree(text: str, paras: list[Span]) -> list[Node]:
    """Stack-based nesting: a heading kind seen again closes everything opened after it."""
    root = Node("root", "", 0, len(text), 0, 0)
    stack: list[Node] = [root]
    for s, e in paras:
        kind, marker, body = classify(text, s, e)
        node = Node(kind, marker, s, e, body, e)
        if kind in HEADING_KINDS:
            for i in range(len(stack) - 1, 0, -1):
                if stack[i].kind == kind:
                    del stack[i:]
                    break
            stack[-1].children.append(node)
            stack.append(node)
        else:
            stack[-1].children.append(node)
    _close(root)
    return root.children


def _close(node: Node) -> int:
    end = node.line_end
    for child in node.children:
        end = max(end, _close(child))
    if node.kind != "root":
        node.end = end
    return end


def walk(nodes: list[Node]) -> list[Node]:
    out: list[Node] = []
    for n in nodes:
        out.append(n)
        out.extend(walk(n.children))
    return out


def parents(nodes: list[Node], parent: Node | None = None) -> dict[int, Node | None]:
    out: dict[int, Node | None] = {}
    for n in nodes:
        out[id(n)] = parent
        out.update(parents(n.children, n))
    return out


def sentence_spans(text: str, start: int, end: int) -> list[Span]:
    """Sentence spans (ending at 。；!? inclusive) within [start, end)."""
    out: list[Span] = []
    s = start
    for m in _SENTENCE_END.finditer(text, start, end):
        if m.end() > s:
            out.append((s, m.end()))
        s = m.end()
    if s < end and text[s:end].strip():
        out.append((s, end))
    return out


def back_to(text: str, pos: int, floor: int, marks: str) -> int:
    """Where the stretch ending at ``pos`` begins: after the last of ``marks`` before it, never before ``floor``
    (a list's clause, a caption's sentence: bounded, so a text without marks stays linear)."""
    s = pos
    while s > floor and text[s - 1] not in marks:
        s -= 1
    return s


def is_unit_title(title: str) -> bool:
    return bool(_UNIT_RE.search(title)) and len(title) <= 30 and "," not in title and "，" not in title
