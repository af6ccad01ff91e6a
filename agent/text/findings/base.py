"""What every recognizer of findings sees and returns: the small interface of ``agent.text.findings``.

Why its own module: the recognizers (one per way notices list their findings) and the registry that
chooses among them share these types, and none of them should import another. Pure.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field

from agent.schema import Span
from agent.text.grammar import Node, ProblemBlock


@dataclass(frozen=True)
class Page:
    """A notice as the recognizers read it: its text, heading tree and paragraphs (spans into ``text``)."""

    text: str
    nodes: list[Node]  # the heading tree of the body
    opening: list[Span]  # the paragraphs between the title and the body: who inspected whom, when
    body: list[Span]  # the paragraphs after the opening, sign-off and contact lines cut off
    title: Span | None = None
    n_units: int = 0  # top-level headings that name units (a multi-unit roundup)


@dataclass
class Found:
    """What a recognizer found: its grammar's name, the problems in order, and units it names (if any)."""

    grammar: str
    problems: list[ProblemBlock]
    units: list[Span] = field(default_factory=list)


Recognizer = Callable[[Page], "Found | None"]


def number(blocks: list[ProblemBlock]) -> list[ProblemBlock]:
    """Problem ids P1…Pn in order."""
    for i, b in enumerate(blocks, 1):
        b.id = f"P{i}"
    return blocks


class Taken:
    """The spans the rules took, merged and sorted: whether a span overlaps one is a bisection, so a notice
    with thousands of rule findings and clauses stays linear (not clauses × findings)."""

    def __init__(self, spans: list[Span]) -> None:
        merged: list[list[int]] = []
        for s, e in sorted(spans):
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        self.starts = [m[0] for m in merged]
        self.ends = [m[1] for m in merged]

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_left(self.starts, end) - 1  # the last taken span that starts before ``end``
        return i >= 0 and self.ends[i] > start
