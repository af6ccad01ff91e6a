"""Runs the stages in order for many notices: ingest → outline → figures → chunks → extract → reconcile.

Why: the CLI, the eval runner and the tests share one path from files to records. The rules half
(``analyse``) is synchronous and fast; the model half is async with bounded concurrency shared across
notices, so two server slots stay busy across a batch. A notice whose file cannot be read yields an
``IngestFailure`` naming the file and the reason; the batch goes on.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agent.chunks import Chunk, make_chunks
from agent.figures import find_figures
from agent.ingest import IngestError, Notice, read_notice
from agent.outline import Outline, parse
from agent.reconcile import build_record, collect
from agent.schema import Figure, NoticeRecord, Usage

if TYPE_CHECKING:
    from agent.extract import Extractor


@dataclass
class Analysis:
    notice: Notice
    outline: Outline
    figures: list[Figure]
    chunks: list[Chunk]


@dataclass
class IngestFailure:
    source: str
    reason: str


def analyse(notice: Notice) -> Analysis:
    outline = parse(notice.text)
    figures = find_figures(notice.text)
    return Analysis(notice, outline, figures, make_chunks(outline, figures))


def rules_record(a: Analysis) -> NoticeRecord:
    """The record the rules alone can give (``--no-llm``)."""
    return build_record(a.notice.source, a.notice.notice_id, a.outline, a.figures, None)


def model_result_record(a: Analysis, results: Sequence[object], model: str, prompt_version: str, seconds: float) -> NoticeRecord:
    """Fold chunk results (``CallResult``/``ChunkResult``: chunk, answer, error, usage) into the record."""
    usage = Usage(
        requests=sum(r.usage.requests for r in results),  # type: ignore[attr-defined]
        prompt_tokens=sum(r.usage.prompt_tokens for r in results),  # type: ignore[attr-defined]
        completion_tokens=sum(r.usage.completion_tokens for r in results),  # type: ignore[attr-defined]
        seconds=round(seconds, 3),
    )
    return build_record(
        a.notice.source, a.notice.notice_id, a.outline, a.figures, collect(results),
        usage=usage, model=model, prompt_version=prompt_version,
    )


async def model_record(a: Analysis, extractor: Extractor) -> NoticeRecord:
    t0 = time.monotonic()
    results = await extractor.run_chunks(a.chunks)
    return model_result_record(a, results, extractor.model, extractor.prompts.version, time.monotonic() - t0)


def read_all(paths: Iterable[str]) -> Iterable[Notice | IngestFailure]:
    for p in paths:
        try:
            yield read_notice(p)
        except IngestError as exc:
            yield IngestFailure(str(p), exc.reason)


async def structure(
    paths: list[str], extractor: Extractor | None, notice_concurrency: int = 4
) -> AsyncIterator[NoticeRecord | IngestFailure]:
    """Records in completion order; several notices in flight so the server's slots stay busy."""
    if extractor is None:
        for item in read_all(paths):
            yield item if isinstance(item, IngestFailure) else rules_record(analyse(item))
        return
    sem = asyncio.Semaphore(notice_concurrency)

    async def one(item: Notice | IngestFailure) -> NoticeRecord | IngestFailure:
        if isinstance(item, IngestFailure):
            return item
        async with sem:
            return await model_record(analyse(item), extractor)

    tasks = [asyncio.ensure_future(one(item)) for item in read_all(paths)]
    for fut in asyncio.as_completed(tasks):
        yield await fut
