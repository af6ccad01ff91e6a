"""What every recognizer of findings sees and returns: the small interface of ``agent.text.findings``.

Why its own module: the recognizers (one per way notices list their findings) and the registry that
chooses among them share these types, and none of them should import another. Pure.
"""

from __future__ import annotations

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
