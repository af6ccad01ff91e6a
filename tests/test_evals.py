"""Evaluator functions and the regression gate (rules-only here; the replayed model run in test_eval_replay)."""

from __future__ import annotations

from pathlib import Path

from agent import evalrun
from agent.config import resolve
from agent.evaluate import match_problems, prf, score_record
from agent.ingest import read_notice
from agent.pipeline import analyse, rules_record
from tests.conftest import notice_path


def test_prf_edges() -> None:
    assert prf(0, 0, 0) == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert prf(1, 2, 4)["f1"] == round(2 * 0.5 * 0.25 / 0.75, 4)


def test_problem_matching_by_span_then_title() -> None:
    a = analyse(read_notice(notice_path("xiaodian-town-rectification")))
    rec = rules_record(a)
    gold = evalrun.load_gold(evalrun.GOLD)["xiaodian-town-rectification"]
    m = match_problems(rec.problems, gold["problems"])
    assert m == {f"P{i}": f"P{i}" for i in range(1, 14)}
    scores = score_record(rec, gold, a.figures)
    assert scores["problems"]["f1"] == 1.0 and scores["grounding"]["figures"] == 1.0


def test_rules_only_regression_gate(tmp_path: Path) -> None:
    """Thresholds measured with `xuncha eval --no-llm` on gold v1 (2026-11-22): problem F1 1.0,
    status 0.4647, figure F1 0.936, metadata 0.9571, grounding 1.0/1.0."""
    report = evalrun.run_eval("rules", resolve(), tmp_path)
    o = report["overall"]
    assert o["problem_f1"] >= 1.0
    assert o["measures_recall"] >= 1.0
    assert o["figure_f1"] >= 0.93
    assert o["metadata_accuracy"] >= 0.95
    assert o["status_accuracy"] >= 0.46
    assert o["grounding_text"] == 1.0 and o["grounding_figures"] == 1.0
    assert (tmp_path / "report.json").exists() and (tmp_path / "report.md").read_text(encoding="utf-8").startswith("# Eval")


def test_compare_deltas() -> None:
    a = {"overall": {"x": 0.5, "y": None}}
    b = {"overall": {"x": 0.75, "y": 1}}
    assert evalrun.compare(a, b) == [("x", 0.5, 0.75, 0.25), ("y", None, 1, None)]
