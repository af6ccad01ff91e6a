"""``xuncha structure`` end to end with a model, replayed from cassettes recorded from the embedded server."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli.main import app
from agent.schema import NoticeRecord
from tests.conftest import notice_path

runner = CliRunner()


@pytest.mark.vcr
def test_structure_two_notices(tmp_path: Path, model_endpoint: tuple[str, str]) -> None:
    base_url, model = model_endpoint
    out = tmp_path / "out.jsonl"
    files = [str(notice_path("qiaotou-town-feedback-meeting")), str(notice_path("changji-round5-seven-units"))]
    res = runner.invoke(app, ["structure", *files, "-o", str(out), "--base-url", base_url, "--model", model])
    assert res.exit_code == 0, res.output
    recs = {Path(r.source).stem: r for r in (NoticeRecord.model_validate_json(x) for x in out.read_text(encoding="utf-8").splitlines())}
    assert len(recs["qiaotou-town-feedback-meeting"].problems) == 10
    assert len(recs["changji-round5-seven-units"].problems) == 21
    assert all(r.model == model and r.errors == [] for r in recs.values())
