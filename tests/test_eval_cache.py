"""A live eval on unchanged inputs sends no request twice: the second run is answered from the chunk-call store."""

from __future__ import annotations

from pathlib import Path

from agent.config import resolve
from agent.scoring import evalrun
from tests.conftest import EMBEDDED_MODEL, SAMPLE_REQUESTS
from tests.replay_server import ReplayServer


def test_second_live_eval_sends_nothing(tmp_path: Path) -> None:
    cache = tmp_path / "calls.db"
    with ReplayServer() as server:
        settings = resolve(base_url=server.base_url, model=EMBEDDED_MODEL)
        first = evalrun.run_eval("live", settings, tmp_path / "a", evalrun.GOLD, server.base_url, EMBEDDED_MODEL, cache)
        sent = sum(server.hits.values())
        second = evalrun.run_eval("live", settings, tmp_path / "b", evalrun.GOLD, server.base_url, EMBEDDED_MODEL, cache)
        assert server.misses == 0
        assert sum(server.hits.values()) == sent == SAMPLE_REQUESTS, "the second eval was answered from the store"
    scores = ("problem_f1", "status_accuracy", "category_accuracy", "figure_f1", "figure_roles", "metadata_accuracy")
    assert {k: first["overall"][k] for k in scores} == {k: second["overall"][k] for k in scores}
    assert first["overall"]["requests_per_notice"] == SAMPLE_REQUESTS / 5 and second["overall"]["requests_per_notice"] == 0
    assert second["meta"]["cache"] == str(cache)
