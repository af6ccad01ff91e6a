"""A Word (.docx) attachment's paragraphs and tables, in document order.

Why a module of its own: rectification reports are often published as Word attachments, and many lay their
findings out as a table, one row per finding, with columns such as ``反馈问题`` / ``整改措施`` / ``完成情况``.
python-docx reads the body; paragraphs become lines. A findings table (a header row naming the problem and
its rectification or completion) becomes, row by row, a numbered finding with its measures and its status
written the way a report writes them (``1.问题…`` / ``整改措施：…`` / ``完成情况：…``), so the rules read each row
as one finding whose status comes from that row's own completion column. Any other table gives one line per
row, its cells parted by spaces. A legacy ``.doc`` and a damaged file are each an ``IngestError``.
"""

from __future__ import annotations

import io
import re
from typing import Any

from agent.text.ingest.base import Extracted, IngestError

# the header cells of a findings table: which column holds the problem, the measures, the completion
_PROBLEM_HEAD = re.compile(r"问题|反馈意见|存在不足")
_MEASURES_HEAD = re.compile(r"整改措施|措施|整改举措|整改情况")
_DONE_HEAD = re.compile(r"完成情况|整改进展|进展情况|整改结果|完成进度|整改状态|是否完成")
_NUMBER_HEAD = re.compile(r"^(?:序号|编号|No\.?)$", re.I)


def read_docx(data: bytes, source: str) -> Extracted:
    from docx import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        doc = Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - zipfile, python-docx and lxml raise many kinds on a damaged file
        raise IngestError(source, f"damaged Word file (.docx): {type(exc).__name__}") from None
    lines: list[str] = []
    for el in doc.element.body.iterchildren():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(el, doc).text)
        elif tag == "tbl":
            lines.extend(_table_lines(_rows(Table(el, doc))))
    return Extracted("\n".join(lines), "docx")


def _rows(table: Any) -> list[list[str]]:
    """Cell texts row by row; a merged cell (python-docx repeats it across its span) once."""
    out = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(p.text.strip() for p in cell.paragraphs if p.text.strip()))
        out.append(cells)
    return out


def _table_lines(rows: list[list[str]]) -> list[str]:
    if not rows:
        return []
    head = rows[0]
    problem = _column(head, _PROBLEM_HEAD, avoid=_MEASURES_HEAD)
    measures = _column(head, _MEASURES_HEAD, avoid=_DONE_HEAD)
    done = _column(head, _DONE_HEAD)
    if problem is None or (measures is None and done is None):
        return [" ".join(c for c in row if c) for row in rows if any(rows)]
    lines = []
    for n, row in enumerate((r for r in rows[1:] if any(r)), 1):
        said = _cell(row, problem).rstrip("。")
        lines.append(f"{n}.{said}。")
        if what := _cell(row, measures):
            lines.append(f"整改措施：{what}")
        if status := _cell(row, done):
            lines.append(f"完成情况：{status}")
    return lines


def _cell(row: list[str], i: int | None) -> str:
    return row[i].strip() if i is not None and i < len(row) else ""


def _column(head: list[str], rx: re.Pattern[str], avoid: re.Pattern[str] | None = None) -> int | None:
    """The first header cell that ``rx`` names (and ``avoid`` does not, when another one is named)."""
    named = [i for i, h in enumerate(head) if rx.search(h) and not _NUMBER_HEAD.match(h)]
    plain = [i for i in named if avoid is None or not avoid.search(head[i])]
    return (plain or named)[0] if named else None
