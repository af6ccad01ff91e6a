"""Outline-aligned units of model work.

One problem block per chunk (a heading with its finding and measures, or a 反馈问题/整改情况 pair); short
blocks are grouped only while they fit a small budget; a problem is never split unless it alone exceeds
the server's context, and then only at sentence ends with its heading repeated. Each chunk carries the
notice title and its section path, and tags every figure the model may name with its id (``41115元〔F1〕``)
so the model answers by reference instead of copying numbers. One header chunk asks about the notice
itself. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.grammar import sentence_spans
from agent.outline import Outline
from agent.schema import Figure, Span

ROLE_KINDS = ("money", "count", "percent", "measure", "duration")
GROUP_CHARS = 420  # blocks shorter than this may share a chunk ...
GROUP_ITEMS = 3  # ... up to this many
MAX_CHARS = 2400  # ~1,600 tokens: a block longer than this is split at sentence ends


@dataclass(frozen=True)
class Chunk:
    id: str  # "h" for the header, "c1", "c2", ... for problem chunks ("c7.2" for a split block's 2nd part)
    kind: str  # header | problems
    items: tuple[str, ...]  # problem ids answered in this chunk
    text: str  # what the model reads
    figure_ids: tuple[str, ...]  # ids tagged in ``text``
    span: Span


def tag_figures(text: str, span: Span, figures: list[Figure], kinds: tuple[str, ...]) -> tuple[str, list[str]]:
    """text[span] with ``〔Fn〕`` after each figure of the given kinds that lies inside it."""
    s, e = span
    out: list[str] = []
    ids: list[str] = []
    pos = s
    for f in figures:
        if f.kind not in kinds or f.span[0] < s or f.span[1] > e:
            continue
        if f.span[0] < pos:  # overlapping figure (should not happen): skip rather than garble the text
            continue
        out.append(text[pos : f.span[1]])
        out.append(f"〔{f.id}〕")
        ids.append(f.id)
        pos = f.span[1]
    out.append(text[pos:e])
    return "".join(out), ids


def _context(outline: Outline, title: str | None, path: list[str], unit: str | None) -> str:
    lines = [f"通报：{title}" if title else "通报：（无标题）"]
    if unit:
        lines.append(f"单位：{unit}")
    section = [p for p in path if p != unit]
    if section:
        lines.append("章节：" + " > ".join(section))
    return "\n".join(lines)


def header_chunk(outline: Outline, figures: list[Figure]) -> Chunk | None:
    text = outline.text
    spans = [sp for sp in (outline.title, outline.published, outline.intro) if sp]
    if not spans:
        return None
    parts: list[str] = []
    ids: list[str] = []
    for sp in spans:
        tagged, got = tag_figures(text, sp, figures, ("date",))
        parts.append(tagged)
        ids.extend(got)
    if outline.signoff_date:
        tagged, got = tag_figures(text, outline.signoff_date, figures, ("date",))
        parts.append("落款：" + tagged)
        ids.extend(got)
    lo = min(sp[0] for sp in spans)
    hi = max(sp[1] for sp in spans)
    return Chunk("h", "header", (), "\n".join(parts), tuple(ids), (lo, hi))


def problem_chunks(outline: Outline, figures: list[Figure]) -> list[Chunk]:
    text = outline.text
    title = text[outline.title[0] : outline.title[1]].replace("\n", "") if outline.title else None
    chunks: list[Chunk] = []
    group: list[tuple[str, Span, str]] = []  # (problem id, span, context)

    def flush() -> None:
        if not group:
            return
        ctx = group[0][2]
        body: list[str] = []
        ids: list[str] = []
        for pid, sp, _ in group:
            tagged, got = tag_figures(text, sp, figures, ROLE_KINDS)
            body.append(f"[{pid}] {tagged}")
            ids.extend(got)
        span = (group[0][1][0], group[-1][1][1])
        chunks.append(Chunk(f"c{len(chunks) + 1}", "problems", tuple(g[0] for g in group), ctx + "\n" + "\n".join(body), tuple(ids), span))
        group.clear()

    for p in outline.problems:
        ctx = _context(outline, title, p.path, p.unit)
        size = p.span[1] - p.span[0]
        if size > MAX_CHARS:
            flush()
            chunks.extend(_split_block(outline, figures, p.id, p.span, p.title, ctx, len(chunks) + 1))
            continue
        fits = (
            group
            and group[0][2] == ctx
            and len(group) < GROUP_ITEMS
            and sum(g[1][1] - g[1][0] for g in group) + size <= GROUP_CHARS
        )
        if not fits:
            flush()
        group.append((p.id, p.span, ctx))
    flush()
    return chunks


def _split_block(outline: Outline, figures: list[Figure], pid: str, span: Span, title: Span, ctx: str, n: int) -> list[Chunk]:
    text = outline.text
    heading = text[title[0] : title[1]]
    parts: list[Span] = []
    cur: Span | None = None
    for s, e in sentence_spans(text, span[0], span[1]):
        if cur and e - cur[0] > MAX_CHARS:
            parts.append(cur)
            cur = None
        cur = (cur[0], e) if cur else (s, e)
    if cur:
        parts.append(cur)
    out: list[Chunk] = []
    for i, sp in enumerate(parts, 1):
        tagged, ids = tag_figures(text, sp, figures, ROLE_KINDS)
        lead = f"[{pid}] " + (f"（续）{heading}：" if i > 1 else "")
        out.append(Chunk(f"c{n}.{i}", "problems", (pid,), f"{ctx}\n{lead}{tagged}", tuple(ids), sp))
    return out


def make_chunks(outline: Outline, figures: list[Figure]) -> list[Chunk]:
    head = header_chunk(outline, figures)
    return ([head] if head else []) + problem_chunks(outline, figures)
