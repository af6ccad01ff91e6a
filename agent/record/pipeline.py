"""Runs the stages in order for one notice: ingest → outline → figures → chunks → (extract) → reconcile.

Why: every engine (the local runner, Ray, Batch import, the eval runner and the tests) shares one path
from a notice to its record. The rules half (``analyse``) is synchronous and fast; the model half is a
list of chunk results, however they were obtained, folded into the record by ``model_result_record``.
Batches of many files (workers, the store, resume, failures per file) are ``runner``'s job.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agent.record.calls import CallResult
from agent.record.original import figures_to_original, to_original
from agent.record.reconcile import build_record, collect
from agent.schema import Figure, NoticeRecord, Usage
from agent.text.chunks import Chunk, make_chunks
from agent.text.figures import find_figures
from agent.text.ingest import Notice
from agent.text.outline import Outline, parse
from agent.text.view import View, reading_view

if TYPE_CHECKING:
    from agent.llm.extract import Extractor


@dataclass
class Analysis:
    notice: Notice
    outline: Outline
    figures: list[Figure]  # in the reading view, as the rules and the model read them
    chunks: list[Chunk]
    view: View

    def regex_figures(self) -> list[Figure]:
        """The regex figures anchored in the notice as published (what a record's figures must be)."""
        return figures_to_original(self.figures, self.view)


def _nowhere(stage: str) -> None:
    pass


def analyse(notice: Notice, at: Callable[[str], None] = _nowhere) -> Analysis:
    """The rules' half, run on the reading view of the notice (``agent.text.view``). ``at`` hears the name of
    each stage as it starts (a worker tells it to a notice's time budget: ``agent.batch.workers``)."""
    at("view")
    view = reading_view(notice.text)
    at("outline")
    outline = parse(view.text)
    at("figures")
    figures = find_figures(view.text, _year_written(view.text, outline, notice))
    at("chunks")
    return Analysis(notice, outline, figures, make_chunks(outline, figures), view)


def _year_written(text: str, outline: Outline, notice: Notice) -> int | None:
    """The year the notice was written: its published line's, else the page's own date (meta tags)."""
    said = text[outline.published[0] : outline.published[1]] if outline.published else ""
    m = re.search(r"(?:19|20)\d\d", said) or re.match(r"(?:19|20)\d\d", notice.published or "")
    return int(m.group(0)) if m else None


def rules_record(a: Analysis) -> NoticeRecord:
    """The record the rules alone can give (``--no-llm``)."""
    return to_original(build_record(a.notice.source, a.notice.notice_id, a.outline, a.figures, None, url=a.notice.url,
                                    page_published=a.notice.published), a.view)


def model_result_record(a: Analysis, results: Sequence[CallResult], model: str, prompt_version: str, seconds: float) -> NoticeRecord:
    """Fold chunk results (answer or error, and usage, per chunk) into the record."""
    usage = Usage(
        requests=sum(r.usage.requests for r in results),
        prompt_tokens=sum(r.usage.prompt_tokens for r in results),
        completion_tokens=sum(r.usage.completion_tokens for r in results),
        seconds=round(seconds, 3),
    )
    rec = build_record(
        a.notice.source, a.notice.notice_id, a.outline, a.figures, collect(results),
        usage=usage, model=model, prompt_version=prompt_version, url=a.notice.url, page_published=a.notice.published,
    )
    return to_original(rec, a.view)


async def model_record(a: Analysis, extractor: Extractor) -> NoticeRecord:
    t0 = time.monotonic()
    results = await extractor.run_chunks(a.chunks)
    return model_result_record(a, results, extractor.model, extractor.prompts.version, time.monotonic() - t0)
