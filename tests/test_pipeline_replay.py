"""The full pipeline on the five sample notices, replayed from cassettes recorded from the real embedded server.

Recorded with ``make record`` (which starts the embedded llama.cpp server); CI replays with record mode none.
"""

from __future__ import annotations

import asyncio

import pytest

from agent.config import resolve
from agent.llm.extract import Extractor
from agent.record.pipeline import analyse, model_record
from agent.record.prompts import load
from agent.schema import NoticeRecord
from agent.text.ingest import read_notice
from tests.conftest import PROBLEMS, SAMPLES, notice_path


def run_notice(name: str, base_url: str, model: str) -> NoticeRecord:
    settings = resolve(base_url=base_url, model=model, concurrency=2)

    async def go() -> NoticeRecord:
        ex = Extractor(settings, base_url, model, load(settings.prompt_version))
        try:
            return await model_record(analyse(read_notice(notice_path(name))), ex)
        finally:
            await ex.close()

    return asyncio.run(go())


@pytest.mark.vcr
@pytest.mark.parametrize("name", SAMPLES)
def test_structure_with_model(name: str, model_endpoint: tuple[str, str]) -> None:
    rec = run_notice(name, *model_endpoint)
    NoticeRecord.model_validate_json(rec.model_dump_json())
    assert rec.errors == []
    assert len(rec.problems) == PROBLEMS[name]
    assert all(p.category is not None for p in rec.problems), "every problem has a category (the rules' or the model's)"
    assert rec.doc_type is not None
    assert rec.usage.requests >= 1 and rec.usage.prompt_tokens > 0 and rec.usage.completion_tokens > 0
    assert rec.prompt_version and rec.prompt_version.startswith("v2+")
    for f in rec.figures:  # every figure is a regex figure, grounded in the text
        assert rec.text[f.span[0] : f.span[1]] == f.text
    ids = {f.id for f in rec.figures}
    assert all(fid in ids for p in rec.problems for fid in p.figure_ids)
    inside = [f for f in rec.figures if f.kind != "date" and any(f.id in p.figure_ids for p in rec.problems)]
    if inside:
        # roles come from each figure's own clause (roles.rule_role) since prompt v2, never from the model
        assert sum(1 for f in inside if f.role) >= 0.5 * len(inside), "most figures inside problems have a role of their words"
        assert all(not any(c.isdigit() for c in f.role or "") for f in inside)
