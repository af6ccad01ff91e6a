"""One self-contained HTML page for reading structured notices next to their text.

Why: a batch of JSONL records is only trustworthy if a person can see, notice by notice, where every
problem, measure and figure was read from, and what reconciliation had to drop or flag. This module turns
records into a single HTML file (inline CSS and JS, no network at view time) that shows each notice's
text with its spans highlighted, a side panel with the structured fields, and the record's checks and
errors at the top; ``j``/``n`` and ``k``/``p`` step through the problems.

The page is a jinja2 template (``review.html.j2``) rendered with autoescaping, so every piece of record text
is escaped by construction: notices are scraped web pages. Spans may nest and even cross (figures inside
measures inside problems), so the notice text is rendered here, by splitting it at every span boundary and
re-opening the stack of enclosing elements per segment, from ``Markup`` pieces that escape what they hold.

Pure: pydantic records in, a string out. Nothing here talks to a model or a server.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, Template, select_autoescape
from markupsafe import Markup, escape
from pydantic import ValidationError

from agent.schema import FigureKind, Grounded, NoticeRecord

FIGURE_KINDS: tuple[FigureKind, ...] = ("money", "count", "percent", "measure", "duration", "date", "phone")
KIND_LABELS = {
    "money": "金额 money", "count": "数量 count", "percent": "比例 percent", "measure": "计量 measure",
    "duration": "时长 duration", "date": "日期 date", "phone": "电话 phone",
}
STATUS_LABELS = {"completed": "已完成", "in_progress": "整改中", "ongoing": "长期坚持", "unknown": "未知"}


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
    tag: Markup  # the opening tag, its attribute values escaped
    first_id: str | None = None  # an id put on the first piece only (a crossing mark is cut in pieces)


def render_spans(text: str, marks: Iterable[Mark]) -> Markup:
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
    out: list[Markup] = []
    stack: list[Mark] = []
    ided: set[str] = set()
    close = Markup("</span>")
    for a, b in zip(bounds, bounds[1:], strict=False):
        want = [m for m in ms if m.start <= a and b <= m.end]
        keep = 0
        while keep < len(stack) and keep < len(want) and stack[keep] is want[keep]:
            keep += 1
        out.extend(close for _ in stack[keep:])
        for m in want[keep:]:
            if m.first_id and m.first_id not in ided:
                ided.add(m.first_id)
                out.append(Markup(m.tag[:-1]) + Markup(' id="{}">').format(m.first_id))
            else:
                out.append(m.tag)
        stack = want
        out.append(escape(text[a:b]))
    out.extend(close for _ in stack)
    return Markup("").join(out)


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
        marks.append(Mark(p.span[0], p.span[1], 0, Markup('<span class="prob" data-p="{}" title="{}">').format(pk, p.id),
                          first_id=f"t-{pk}"))
        if p.title.span:
            marks.append(Mark(*p.title.span, 1, Markup('<span class="ptitle" data-p="{}">').format(pk)))
        for m in p.measures:
            if m.span:
                marks.append(Mark(*m.span, 1, Markup('<span class="measure">')))
    for g in _meta_grounded(rec):
        if g.span:
            marks.append(Mark(*g.span, 1, Markup('<span class="meta">')))
    for t in rec.stated_totals:
        marks.append(Mark(*t.span, 1, Markup('<span class="total" title="stated total: {} = {}">').format(t.subject, _num(t.value))))
    for f in rec.figures:
        kind = f.kind if f.kind in FIGURE_KINDS else "other"
        tag = Markup('<span class="fig k-{}" data-fig="{}" data-kind="{}" title="{}">').format(kind, f.id, kind, _figure_title(rec, f.id))
        marks.append(Mark(f.span[0], f.span[1], 2, tag))
    return marks


def _meta_grounded(rec: NoticeRecord) -> list[Grounded]:
    i, c = rec.inspection, rec.contact
    out = [rec.title, rec.issuer, i.inspector, i.kind, *i.targets, *rec.units, c.phone, c.email, c.address]
    return [g for g in out if g is not None]


# -- page ----------------------------------------------------------------------------------------------


@cache
def _template() -> Template:
    env = Environment(loader=PackageLoader("agent.output", ""), autoescape=select_autoescape(["html", "j2"]),
                      keep_trailing_newline=True)
    env.filters["num"] = _num
    return env.get_template("review.html.j2")


def _notice_view(rec: NoticeRecord, idx: int) -> dict[str, Any]:
    """What the template shows of one record beside the record itself."""
    key, i = f"n{idx}", rec.inspection
    return {
        "rec": rec, "key": key, "name": Path(rec.source).name,
        "text": render_spans(rec.text, notice_marks(rec, key)),
        "checks": sorted(rec.checks, key=lambda c: {"error": 0, "warning": 1, "info": 2}.get(c.severity, 3)),
        "figures": {f.id: f for f in rec.figures},
        "period": " – ".join(x for x in (i.start, i.end) if x) or "—",
    }


def render_review(records: Iterable[NoticeRecord]) -> str:
    """The whole review page for ``records`` as one self-contained HTML string."""
    recs = list(records)
    return _template().render(
        notices=[_notice_view(r, i) for i, r in enumerate(recs)], total=sum(len(r.problems) for r in recs),
        kinds=[(k, KIND_LABELS[k]) for k in FIGURE_KINDS], status_labels=STATUS_LABELS,
    )
