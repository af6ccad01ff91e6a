"""Where records go besides the store: JSONL, CSV for spreadsheets, and JSON Schema files.

Why: during a batch each finished notice is appended to the JSONL and flushed, so it can be watched; the
store is the truth, and at the end of a run the JSONL is rewritten from it (``runner.mirror_jsonl``) so a
kill or a rerun never leaves a notice twice. Files that could not be read go to a sidecar
``<out>.errors.jsonl`` so the main file holds only schema-valid records. CSV has one row per problem with
the notice's fields repeated, which is what an analyst filtering in a spreadsheet wants.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel

from agent.record.answers import problems_model
from agent.schema import NoticeRecord, Problem


def failure_line(source: str, reason: str) -> str:
    """One line of ``<out>.errors.jsonl``: a file that could not be read, and why."""
    return json.dumps({"source": source, "error": reason}, ensure_ascii=False) + "\n"


class JsonlSink:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh: IO[str] | None = None
        self._err: IO[str] | None = None

    def write(self, rec: NoticeRecord) -> None:
        """Append and flush (no fsync: the store is the durable copy; the JSONL is rewritten from it)."""
        if self._fh is None:
            self._fh = self.path.open("a", encoding="utf-8")
        self._fh.write(rec.model_dump_json() + "\n")
        self._fh.flush()

    def write_failure(self, source: str, reason: str) -> None:
        if self._err is None:
            self._err = self.path.with_suffix(self.path.suffix + ".errors.jsonl").open("a", encoding="utf-8")
        self._err.write(failure_line(source, reason))
        self._err.flush()

    def close(self) -> None:
        for fh in (self._fh, self._err):
            if fh is not None:
                fh.close()


def write_jsonl(items: Iterable[BaseModel | dict[str, Any]], fh: IO[str]) -> int:
    """One JSON object per line (records, or request lines of a Batch file); the number written."""
    n = 0
    for item in items:
        fh.write((item.model_dump_json() if isinstance(item, BaseModel) else json.dumps(item, ensure_ascii=False)) + "\n")
        n += 1
    return n


@contextmanager
def replaced(path: Path) -> Iterator[IO[str]]:
    """Write ``path`` whole or not at all: into a temporary file of its own (``<name>.<random>.tmp`` beside it),
    which replaces ``path`` once written. A killed run leaves the old file, never half a file; two runs that
    mirror the same store each write their own temporary file, and the last replace wins whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.", suffix=".tmp")
    tmp = Path(name)
    os.chmod(fd, 0o666 & ~_umask())  # as an ordinary file would be (mkstemp's are private)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            yield fh
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_table(columns: list[str], rows: list[tuple[Any, ...]], fh: IO[str], fmt: str = "csv") -> int:
    """One flat table of the store: CSV with a header row, or JSONL of one object per row."""
    if fmt == "csv":
        w = csv.writer(fh)
        w.writerow(columns)
        w.writerows(rows)
    else:
        for row in rows:
            fh.write(json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False) + "\n")
    return len(rows)


CSV_COLUMNS = (
    "notice_id", "source", "title", "doc_type", "issuer", "published", "inspector", "inspection_kind",
    "inspection_start", "inspection_end", "feedback_date", "problem_id", "unit", "category", "status",
    "problem", "measures", "figures", "checks", "errors", "model", "prompt_version",
)


def text_or_empty(g: object) -> str:
    return str(getattr(g, "text", "") or "") if g is not None else ""


def csv_rows(rec: NoticeRecord) -> list[dict[str, str]]:
    """One row per problem (a notice without problems still gets one row), notice fields repeated."""
    figs = {f.id: f for f in rec.figures}
    ins = rec.inspection
    base = {
        "notice_id": rec.notice_id, "source": rec.source, "title": text_or_empty(rec.title), "doc_type": rec.doc_type or "",
        "issuer": text_or_empty(rec.issuer), "published": rec.published or "", "inspector": text_or_empty(ins.inspector),
        "inspection_kind": text_or_empty(ins.kind), "inspection_start": ins.start or "", "inspection_end": ins.end or "",
        "feedback_date": ins.feedback_date or "", "checks": "; ".join(c.code for c in rec.checks),
        "errors": "; ".join(f"{e.chunk_id}: {e.kind}" for e in rec.errors), "model": rec.model or "",
        "prompt_version": rec.prompt_version or "",
    }
    rows = []
    problems: list[Problem | None] = list(rec.problems) or [None]
    for p in problems:
        row = dict(base)
        if p is not None:
            row.update({
                "problem_id": p.id, "unit": p.unit or "", "category": p.category or "", "status": p.status,
                "problem": p.title.text, "measures": " | ".join(m.text for m in p.measures),
                "figures": "; ".join(
                    f"{figs[i].text}={figs[i].value:g}{figs[i].unit}" + (f"({figs[i].role})" if figs[i].role else "")
                    for i in p.figure_ids if i in figs
                ),
            })
        rows.append({c: row.get(c, "") for c in CSV_COLUMNS})
    return rows


def write_csv(records: Iterable[NoticeRecord], fh: IO[str]) -> int:
    w = csv.DictWriter(fh, fieldnames=list(CSV_COLUMNS))
    w.writeheader()
    n = 0
    for rec in records:
        for row in csv_rows(rec):
            w.writerow(row)
            n += 1
    return n


def export_schemas(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    # the answer models are built per chunk; these examples show their shape for a two-problem chunk
    examples = (
        ("record", NoticeRecord),
        ("problem_answers.example", problems_model(("P1", "P2"), ("F1", "F2"))),
    )
    for name, model in examples:
        path = out_dir / f"{name}.schema.json"
        path.write_text(json.dumps(model.model_json_schema(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written
