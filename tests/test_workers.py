"""A time budget per notice: the rules run in worker processes, a notice past ``--notice-timeout`` is failed
with the stage it was in, its worker is replaced, and the rest of the batch lands."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.batch.runner import Runner
from agent.batch.store import Store
from agent.cli.main import app
from agent.config import ConfigError, resolve

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "evals" / "notices").glob("*.txt"))
SLOW = "巡察反馈\n" + "3个巡察组" * 150_000  # linear, but far more than a budget of half a second


def test_a_notice_past_its_budget_fails_with_its_stage_and_the_rest_lands(tmp_path: Path) -> None:
    folder = tmp_path / "notices"
    folder.mkdir()
    for p in SAMPLES:
        shutil.copy(p, folder / p.name)
    (folder / "slow.txt").write_text(SLOW, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(app, ["structure", str(folder), "-o", str(out), "--no-llm", "--notice-timeout", "0.5",
                                   "--processes", "2"])  # fmt: skip
    assert res.exit_code == 1, res.output
    failures = [json.loads(x) for x in out.with_suffix(".jsonl.errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [Path(f["source"]).name for f in failures] == ["slow.txt"]
    assert re.fullmatch(r"timeout in (ingest|view|outline|figures|chunks|reconcile) after 0\.5 s", failures[0]["error"])
    records = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(Path(r["source"]).name for r in records) == sorted(p.name for p in SAMPLES)


def test_the_worker_after_a_timeout_is_fresh_and_works(tmp_path: Path) -> None:
    slow = tmp_path / "a-slow.txt"
    slow.write_text(SLOW, encoding="utf-8")
    files = [str(slow), *map(str, SAMPLES)]
    with Store(tmp_path / "s.db") as store:
        stats = asyncio.run(Runner(store, processes=1, notice_timeout=0.5).run(files))  # one worker: it must be replaced
        assert (stats.done, stats.failed) == (len(SAMPLES), 1)
        assert stats.failures[0][0] == str(slow) and stats.failures[0][1].startswith("timeout in ")


def test_worker_records_equal_in_process_records(tmp_path: Path) -> None:
    files = list(map(str, SAMPLES))
    got = {}
    for processes in (0, 2):
        with Store(tmp_path / f"{processes}.db") as store:
            asyncio.run(Runner(store, processes=processes).run(files))
            got[processes] = {r.source: r.model_dump_json() for r in store.records()}
    assert got[0] == got[2] and len(got[0]) == len(SAMPLES)


@pytest.mark.parametrize("name, value", [("XUNCHA_NOTICE_TIMEOUT", "soon"), ("XUNCHA_NOTICE_TIMEOUT", "-1"),
                                         ("XUNCHA_PROCESSES", "two"), ("XUNCHA_PROCESSES", "-1")])
def test_bad_budget_settings_name_their_variable(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        resolve()
