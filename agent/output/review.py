"""One self-contained HTML page for reading structured notices next to their text.

Why: a batch of JSONL records is only trustworthy if a person can see, notice by notice, where every
problem, measure and figure was read from, and what reconciliation had to drop or flag. This module turns
records into a single HTML file (inline CSS and JS, no network at view time) that shows each notice's
text with its spans highlighted, a side panel with the structured fields, and the record's checks and
errors at the top; ``j``/``n`` and ``k``/``p`` step through the problems.

Spans may nest and even cross (figures inside measures inside problems), so the text is rendered by
splitting it at every span boundary and re-opening the stack of enclosing elements per segment, never by
string replacement. Every piece of text is HTML-escaped: notices are scraped web pages.

Pure: pydantic records in, a string out. Nothing here talks to a model or a server.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from agent.schema import FigureKind, Grounded, NoticeRecord, Problem

FIGURE_KINDS: tuple[FigureKind, ...] = ("money", "count", "percent", "measure", "duration", "date", "phone")
KIND_LABELS = {
    "money": "金额 money", "count": "数量 count", "percent": "比例 percent", "measure": "计量 measure",
    "duration": "时长 duration", "date": "日期 date", "phone": "电话 phone",
}
STATUS_LABELS = {"completed": "已完成", "in_progress": "整改中", "ongoing": "长期坚持", "unknown": "未知"}
CONTENT_MARKER = "<!--REVIEW-CONTENT-->"


def esc(s: object) -> str:
    return escape(str(s), quote=True)


def _num(v: float) -> str:
    """A value as written plainly: 21445000000, not 2.1445e+10."""
    return str(int(v)) if v.is_integer() and abs(v) < 1e18 else f"{v:.15g}"


# -- loading -------------------------------------------------------------------------------------------


def load_records(path: str | Path) -> tuple[list[NoticeRecord], list[str]]:
    """Records of a JSONL file, and one message per line that is not a valid record (those are skipped)."""
    records: list[NoticeRecord] = []
    problems: list[str] = []
    with Path(path).open(encoding="utf-8", errors="replace") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                records.append(NoticeRecord.model_validate(json.loads(line)))
            except json.JSONDecodeError as exc:
                problems.append(f"{path}:{n}: not JSON ({exc.msg})")
            except ValidationError as exc:
                problems.append(f"{path}:{n}: not a notice record ({exc.error_count()} errors)")
    return records, problems


# -- span nesting --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """One highlighted span: ``layer`` orders enclosing marks (problem 0, title/measure 1, figure 2)."""

    start: int
    end: int
    layer: int
    tag: str  # the opening tag, already escaped
    first_id: str | None = None  # an id put on the first piece only (a crossing mark is cut in pieces)


def render_spans(text: str, marks: Iterable[Mark]) -> str:
    """``text`` escaped, with every mark wrapped around its span; nesting follows the layers.

    The text is split at every boundary; for each segment the marks covering it, ordered by (layer, start,
    longer first), form the wanted stack of open elements. Elements above the common prefix with the open
    stack are closed and the rest opened, so the output is always well-formed even where spans cross.
    Marks outside the text or empty are ignored.
    """
    n = len(text)
    ms = [m for m in marks if 0 <= m.start < m.end <= n]
    bounds = sorted({0, n, *(m.start for m in ms), *(m.end for m in ms)})
    ms.sort(key=lambda m: (m.layer, m.start, -m.end))
    out: list[str] = []
    stack: list[Mark] = []
    ided: set[str] = set()
    for a, b in zip(bounds, bounds[1:], strict=False):
        want = [m for m in ms if m.start <= a and b <= m.end]
        keep = 0
        while keep < len(stack) and keep < len(want) and stack[keep] is want[keep]:
            keep += 1
        out.extend("</span>" for _ in stack[keep:])
        for m in want[keep:]:
            if m.first_id and m.first_id not in ided:
                ided.add(m.first_id)
                out.append(m.tag[:-1] + f' id="{esc(m.first_id)}">')
            else:
                out.append(m.tag)
        stack = want
        out.append(esc(text[a:b]))
    out.extend("</span>" for _ in stack)
    return "".join(out)


def _figure_title(rec: NoticeRecord, fid: str) -> str:
    for f in rec.figures:
        if f.id == fid:
            parts = [f.id, f.kind, f"{_num(f.value)} {f.unit}".strip()]
            if f.iso:
                parts.append(f.iso + (f" – {f.iso_end}" if f.iso_end else ""))
            if f.role:
                parts.append(f"role: {f.role}")
            return " · ".join(parts)
    return fid


def notice_marks(rec: NoticeRecord, key: str) -> list[Mark]:
    """The marks of one record: problems, their titles and measures, other grounded fields, figures."""
    marks: list[Mark] = []
    for p in rec.problems:
        pk = f"{key}-{p.id}"
        marks.append(Mark(p.span[0], p.span[1], 0, f'<span class="prob" data-p="{esc(pk)}" title="{esc(p.id)}">',
                          first_id=f"t-{pk}"))
        if p.title.span:
            marks.append(Mark(*p.title.span, 1, f'<span class="ptitle" data-p="{esc(pk)}">'))
        for m in p.measures:
            if m.span:
                marks.append(Mark(*m.span, 1, '<span class="measure">'))
    for g in _meta_grounded(rec):
        if g.span:
            marks.append(Mark(*g.span, 1, '<span class="meta">'))
    for t in rec.stated_totals:
        marks.append(Mark(*t.span, 1, f'<span class="total" title="stated total: {esc(t.subject)} = {_num(t.value)}">'))
    for f in rec.figures:
        kind = f.kind if f.kind in FIGURE_KINDS else "other"
        tag = f'<span class="fig k-{kind}" data-fig="{esc(f.id)}" data-kind="{esc(kind)}" title="{esc(_figure_title(rec, f.id))}">'
        marks.append(Mark(f.span[0], f.span[1], 2, tag))
    return marks


def _meta_grounded(rec: NoticeRecord) -> list[Grounded]:
    i, c = rec.inspection, rec.contact
    out = [rec.title, rec.issuer, i.inspector, i.kind, *i.targets, *rec.units, c.phone, c.email, c.address]
    return [g for g in out if g is not None]


# -- panel ---------------------------------------------------------------------------------------------


def grounded_html(g: Grounded | None) -> str:
    if g is None:
        return '<span class="none">—</span>'
    where = f'<span class="span">[{g.span[0]}, {g.span[1]})</span>' if g.span else '<span class="span">no span</span>'
    return f"{esc(g.text)} {where}"


def _row(label: str, value: str) -> str:
    return f"<tr><th>{esc(label)}</th><td>{value}</td></tr>"


def _checks(rec: NoticeRecord) -> str:
    if not rec.checks and not rec.errors:
        return '<div class="checks ok">✓ no checks raised, no failed chunks</div>'
    items = [
        f'<li class="sev-{esc(c.severity)}"><b>{esc(c.severity)}</b> <code>{esc(c.code)}</code> {esc(c.message)}</li>'
        for c in sorted(rec.checks, key=lambda c: {"error": 0, "warning": 1, "info": 2}.get(c.severity, 3))
    ]
    items += [
        f'<li class="sev-error"><b>failed chunk</b> <code>{esc(e.chunk_id)}</code> {esc(e.kind)}: {esc(e.message)}'
        f" ({e.attempts} attempts)</li>"
        for e in rec.errors
    ]
    return f'<ul class="checks">{"".join(items)}</ul>'


def _problem_panel(rec: NoticeRecord, p: Problem, key: str) -> str:
    pk = f"{key}-{p.id}"
    figs = {f.id: f for f in rec.figures}
    fig_rows = []
    for fid in p.figure_ids:
        f = figs.get(fid)
        if f is None:
            fig_rows.append(f"<li>{esc(fid)} <i>(unknown figure)</i></li>")
            continue
        role = esc(f.role) if f.role else '<span class="none">no role</span>'
        fig_rows.append(
            f'<li><span class="fig k-{esc(f.kind)}">{esc(f.text)}</span> <span class="span">{esc(f.id)} {esc(f.kind)} '
            f"{_num(f.value)} {esc(f.unit)}</span> — {role}</li>"
        )
    measures = "".join(f"<li>{grounded_html(m)}</li>" for m in p.measures)
    return (
        f'<li class="pitem" data-p="{esc(pk)}"><a href="#t-{esc(pk)}" class="goto" data-p="{esc(pk)}">{esc(p.id)}</a> '
        f'<span class="status st-{esc(p.status)}">{esc(STATUS_LABELS.get(p.status, p.status))}</span> '
        f'<span class="cat">{esc(p.category or "未分类")}</span>'
        + (f' <span class="unit">{esc(p.unit)}</span>' if p.unit else "")
        + f'<div class="ptext">{grounded_html(p.title)}</div>'
        + (f'<div class="desc">{grounded_html(p.description)}</div>' if p.description else "")
        + (f'<details><summary>{len(p.measures)} measures</summary><ol>{measures}</ol></details>' if p.measures else "")
        + (f'<ul class="figs">{"".join(fig_rows)}</ul>' if fig_rows else "")
        + "</li>"
    )


def _panel(rec: NoticeRecord, key: str) -> str:
    i = rec.inspection
    period = " – ".join(x for x in (i.start, i.end) if x) or "—"
    rows = [
        _row("doc type", esc(rec.doc_type or "—")),
        _row("title", grounded_html(rec.title)),
        _row("issuer", grounded_html(rec.issuer)),
        _row("published", esc(rec.published or "—")),
        _row("inspector", grounded_html(i.inspector)),
        _row("kind", grounded_html(i.kind)),
        _row("period", esc(period)),
        _row("feedback", esc(i.feedback_date or "—")),
        _row("targets", "<br>".join(grounded_html(t) for t in i.targets) or "—"),
        _row("units", "<br>".join(grounded_html(u) for u in rec.units) or "—"),
        _row("contact", "<br>".join(grounded_html(g) for g in (rec.contact.phone, rec.contact.email, rec.contact.address) if g) or "—"),
        _row("model", esc(f"{rec.model or 'rules only'} · prompt {rec.prompt_version or '—'}")),
    ]
    totals = "".join(
        f'<li><code>{esc(t.subject)}</code> = {_num(t.value)} <span class="span">{esc(t.text)}</span></li>'
        for t in rec.stated_totals
    )
    problems = "".join(_problem_panel(rec, p, key) for p in rec.problems)
    return (
        f'<table class="fields">{"".join(rows)}</table>'
        f'<h3>stated totals</h3>{f"<ul>{totals}</ul>" if totals else "<p class=none>none</p>"}'
        f'<h3>problems ({len(rec.problems)})</h3><ol class="plist">{problems}</ol>'
    )


def _notice(rec: NoticeRecord, idx: int) -> str:
    key = f"n{idx}"
    counts = f"{len(rec.problems)} problems · {len(rec.figures)} figures · {len(rec.checks)} checks · {len(rec.errors)} errors"
    return (
        f'<section class="notice" id="notice-{idx}">'
        f'<header><h2>{esc(rec.title.text if rec.title else Path(rec.source).name)}</h2>'
        f'<div class="src"><code>{esc(rec.source)}</code> · <code>{esc(rec.notice_id)}</code> · {esc(counts)}</div>'
        f"{_checks(rec)}</header>"
        f'<div class="body"><div class="text">{render_spans(rec.text, notice_marks(rec, key))}</div>'
        f'<aside class="panel">{_panel(rec, key)}</aside></div></section>'
    )


def _legend() -> str:
    kinds = "".join(f'<span class="fig k-{k}">{esc(KIND_LABELS[k])}</span>' for k in FIGURE_KINDS)
    return (f'<span class="legend">{kinds}<span class="prob">problem</span><span class="ptitle">title</span>'
            f'<span class="measure">measure</span></span>')


def _template() -> str:
    return resources.files("agent.output").joinpath("review_template.html").read_text(encoding="utf-8")


def render_review(records: Iterable[NoticeRecord]) -> str:
    """The whole review page for ``records`` as one self-contained HTML string."""
    recs = list(records)
    toc = "".join(
        f'<li><a href="#notice-{i}">{esc(Path(r.source).name)}</a> <span class="span">{len(r.problems)} problems'
        + (f', <b class="warn">{len(r.checks) + len(r.errors)} checks/errors</b>' if r.checks or r.errors else "")
        + "</span></li>"
        for i, r in enumerate(recs)
    )
    body = "".join(_notice(r, i) for i, r in enumerate(recs)) or '<p class="none">no notices</p>'
    content = (
        f'<nav class="bar"><button id="prev" type="button" title="previous problem (k / p)">◀ prev</button>'
        f'<span id="counter">– / {sum(len(r.problems) for r in recs)}</span>'
        f'<button id="next" type="button" title="next problem (j / n)">next ▶</button>'
        f'<span class="keys">keys: j/n next · k/p previous</span>{_legend()}</nav>'
        f'<main><h1>xuncha review · {len(recs)} notices</h1><ol class="toc">{toc}</ol>{body}</main>'
    )
    head, sep, tail = _template().partition(CONTENT_MARKER)
    if not sep:
        raise RuntimeError("review_template.html has no content marker")
    return head + content + tail
