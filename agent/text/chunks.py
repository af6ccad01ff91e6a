"""Outline-aligned units of model work.

One problem block per chunk (a heading with its finding and measures, or a 反馈问题/整改情况 pair); short
blocks are grouped only while they fit a small budget; a problem is never split unless its chunk alone
would not fit the server's context, and then at sentence ends (or, for a sentence longer than the budget,
at a character outside any figure) with its heading repeated. Each chunk carries the notice title and its
section path, and tags every figure the model may name with its id (``41115元〔F1〕``) so the model answers
by reference instead of copying numbers. Pure.

Every chunk's text is at most ``CHUNK_LIMIT`` characters, whatever the input (a 5 MB notice, one sentence
with no punctuation, a title of a thousand lines): the limit is derived from the embedded server's context
so a chunk can never overflow a slot. Figures are looked up by bisection, so chunking stays linear in the
notice's size.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

from agent.schema import CATEGORIES, Figure, Span
from agent.text.category import category_choices
from agent.text.figures import in_order, within
from agent.text.grammar import ProblemBlock, sentence_spans
from agent.text.outline import Outline

ROLE_KINDS = ("money", "count", "percent", "measure", "duration")
# figures tagged in problem chunks: none since prompt v2 (roles come from roles.rule_role), so the model
# reads the plain text and answers one category per problem
TAG_KINDS: tuple[str, ...] = ()
GROUP_CHARS = 420  # blocks shorter than this may share a chunk ...
GROUP_ITEMS = 3  # ... up to this many

# The context budget. The embedded server runs 8,192 tokens of context over 2 slots (agent/server.py), so
# one request has 4,096 tokens: the system prompt and instructions (~440 tokens measured in the recorded
# cassettes; 700 reserved), the answer (at most Settings.max_tokens, 1,024), and the chunk. Qwen2.5's
# tokenizer spends about 0.65 tokens per character of these notices (measured in the cassettes); the
# budget assumes at most 1, so a chunk of CHUNK_LIMIT characters always fits.
SLOT_CONTEXT_TOKENS = 8192 // 2
PROMPT_RESERVE_TOKENS = 700
ANSWER_RESERVE_TOKENS = 1024
TOKENS_PER_CHAR = 1.0  # an upper bound for Chinese text
CHUNK_LIMIT = int((SLOT_CONTEXT_TOKENS - PROMPT_RESERVE_TOKENS - ANSWER_RESERVE_TOKENS) / TOKENS_PER_CHAR)
TITLE_LIMIT = 120  # characters of the notice title repeated as context in each chunk
SECTION_LIMIT = 160  # characters of the section path in the context
HEADING_LIMIT = 60  # characters of a split block's heading repeated on its later parts


@dataclass(frozen=True)
class Chunk:
    id: str  # "c1", "c2", ... ("c7.2" for a split block's 2nd part)
    kind: str  # problems (the one kind asked)
    items: tuple[str, ...]  # problem ids answered in this chunk
    text: str  # what the model reads
    figure_ids: tuple[str, ...]  # ids tagged in ``text``
    span: Span
    choices: tuple[tuple[str, ...], ...] = ()  # per item: the categories the model may pick among


def tag_figures(text: str, span: Span, figures: Sequence[Figure], kinds: tuple[str, ...]) -> tuple[str, list[str]]:
    """text[span] with ``〔Fn〕`` after each figure of the given kinds that lies inside it.

    ``figures`` must be in order of start, as ``find_figures`` returns them: they are found by bisection.
    """
    s, e = span
    out: list[str] = []
    ids: list[str] = []
    pos = s
    for f in within(figures, span):
        if f.kind not in kinds:
            continue
        if f.span[0] < pos:  # overlapping figure (should not happen): skip rather than garble the text
            continue
        out.append(text[pos : f.span[1]])
        out.append(f"〔{f.id}〕")
        ids.append(f.id)
        pos = f.span[1]
    out.append(text[pos:e])
    return "".join(out), ids


class _Sizer:
    """Length of ``tag_figures(text, span, ...)`` without building it (an upper bound if figures overlap)."""

    def __init__(self, figures: Sequence[Figure], kinds: tuple[str, ...]) -> None:
        tagged = [f for f in figures if f.kind in kinds]
        self.starts = [f.span[0] for f in tagged]
        self.ends = [f.span[1] for f in tagged]
        self.extra = [0, *accumulate(len(f.id) + 2 for f in tagged)]  # 〔 + id + 〕
        self.all_starts = [f.span[0] for f in figures]  # a cut never splits any figure, tagged or not
        self.all_ends = [f.span[1] for f in figures]

    def size(self, a: int, b: int) -> int:
        lo, hi = bisect_left(self.starts, a), bisect_right(self.ends, b)
        return b - a + (self.extra[hi] - self.extra[lo] if hi > lo else 0)

    def inside(self, pos: int) -> bool:
        """Whether ``pos`` falls strictly inside a figure (a cut there would split its text)."""
        i = bisect_right(self.all_starts, pos) - 1
        return i >= 0 and self.all_starts[i] < pos < self.all_ends[i]


def pieces(text: str, span: Span, sizer: _Sizer, budget: int) -> list[Span]:
    """``span`` cut into consecutive parts whose tagged text is at most ``budget`` characters: at sentence
    ends where possible, else at the last character that fits and is not inside a figure."""
    budget = max(budget, 1)
    ends = [e for _, e in sentence_spans(text, span[0], span[1])] or [span[1]]
    out: list[Span] = []
    start, i = span[0], 0
    while start < span[1]:
        while i < len(ends) and ends[i] <= start:
            i += 1
        best = None
        while i < len(ends) and sizer.size(start, ends[i]) <= budget:
            best = ends[i]
            i += 1
        if best is None:  # one sentence longer than the budget: a hard cut
            best = min(span[1], start + budget)
            while best > start + 1 and (sizer.size(start, best) > budget or sizer.inside(best)):
                best -= 1
        out.append((start, best))
        start = best
    return out


def _clip(s: str, limit: int) -> str:
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _context(title: str | None, path: list[str], unit: str | None) -> str:
    lines = [f"通报：{_clip(title, TITLE_LIMIT)}" if title else "通报：（无标题）"]
    if unit:
        lines.append(f"单位：{_clip(unit, TITLE_LIMIT)}")
    section = [p for p in path if p != unit]
    if section:
        lines.append("章节：" + _clip(" > ".join(section), SECTION_LIMIT))
    return "\n".join(lines)


def choices_for(text: str, p: ProblemBlock) -> tuple[str, ...]:
    """What the model is asked to choose among for a problem's category, when the category question is asked at
    all (``--ask category``; by default nothing is, ``agent.config.QUESTIONS``): the classes whose wording the
    problem uses when there are several; every class when it uses none; nothing to ask (empty) when exactly
    one class fits, since the rules answer that (``category.category_from_words``)."""
    if p.found_by in ("prose", "disclosure", "learned"):
        # (learned: short clause findings as news prose states them, where the packaged model also lost on
        # unseen notices, 0.48 against 0.58 for a nearest-example vote: not asked either)
        # measured live: on findings listed in news prose (short phrases) the model did not beat the rules'
        # category (prompt v2 with the old keyword table: v2 0.719 vs 0.741, held-out 2 0.792 vs 0.833; again
        # with the naming/hinting table, pooled over v2 and held-out 1-3: 0.879 vs 0.900), so it is not asked
        return ()
    title = text[p.title[0] : p.title[1]]
    desc = text[p.description[0] : p.description[1]] if p.description else ""
    hits = category_choices(title, desc)
    if len(hits) == 1:
        return ()
    return hits or CATEGORIES


def asked_span(p: ProblemBlock) -> Span:
    """What the model reads of a problem: the finding itself (its description, else its title), not the
    measures — the category is about the finding, and status and roles come from the rules."""
    return p.description or p.title


def problem_chunks(outline: Outline, figures: Sequence[Figure]) -> list[Chunk]:
    text = outline.text
    figures = in_order(figures)
    title = text[outline.title[0] : outline.title[1]].replace("\n", "") if outline.title else None
    chunks: list[Chunk] = []
    # (problem id, span, context, entry, figure ids, choices)
    group: list[tuple[str, Span, str, str, list[str], tuple[str, ...]]] = []

    def flush() -> None:
        if not group:
            return
        ctx = group[0][2]
        span = (group[0][1][0], group[-1][1][1])
        body = "\n".join(g[3] for g in group)
        ids = tuple(i for g in group for i in g[4])
        chunks.append(Chunk(f"c{len(chunks) + 1}", "problems", tuple(g[0] for g in group), ctx + "\n" + body, ids, span,
                            tuple(g[5] for g in group)))
        group.clear()

    for p in outline.problems:
        choices = choices_for(text, p)
        if not choices:
            continue  # the rules alone answer it
        ctx = _context(title, p.path, p.unit)
        span_asked = asked_span(p)
        tagged, got = tag_figures(text, span_asked, figures, TAG_KINDS)
        entry = f"[{p.id}] {tagged}" + ("" if choices == CATEGORIES else f"（类别只能选：{'、'.join(choices)}）")
        if len(ctx) + 1 + len(entry) > CHUNK_LIMIT:
            flush()
            chunks.extend(_split_block(outline, figures, p.id, span_asked, p.title, ctx, len(chunks) + 1, choices))
            continue
        size = span_asked[1] - span_asked[0]
        fits = (
            group
            and group[0][2] == ctx
            and len(group) < GROUP_ITEMS
            and sum(g[1][1] - g[1][0] for g in group) + size <= GROUP_CHARS
            and len(ctx) + sum(len(g[3]) + 1 for g in group) + 1 + len(entry) <= CHUNK_LIMIT
        )
        if not fits:
            flush()
        group.append((p.id, span_asked, ctx, entry, got, choices))
    flush()
    return chunks


def _split_block(
    outline: Outline, figures: Sequence[Figure], pid: str, span: Span, title: Span, ctx: str, n: int,
    choices: tuple[str, ...] = CATEGORIES,
) -> list[Chunk]:
    text = outline.text
    heading = _clip(text[title[0] : title[1]], HEADING_LIMIT)
    longest_lead = len(f"[{pid}] （续）{heading}：")
    parts = pieces(text, span, _Sizer(figures, TAG_KINDS), CHUNK_LIMIT - len(ctx) - 1 - longest_lead)
    out: list[Chunk] = []
    for i, sp in enumerate(parts, 1):
        tagged, ids = tag_figures(text, sp, figures, TAG_KINDS)
        lead = f"[{pid}] " + (f"（续）{heading}：" if i > 1 else "")
        out.append(Chunk(f"c{n}.{i}", "problems", (pid,), f"{ctx}\n{lead}{tagged}", tuple(ids), sp, (choices,)))
    return out


# No header question is asked (doc type, date roles, the stated problem total): measured live, its answers
# changed nothing on gold v1 and cost 7 fields on gold v2 (0.897 against the rules' 0.912); the question, its
# chunk, its answer schema and its reconciliation were removed (README, Evals).
def make_chunks(outline: Outline, figures: Sequence[Figure]) -> list[Chunk]:
    return problem_chunks(outline, in_order(figures))
