"""Regression gate: the evals on the replayed model runs must keep the scores they had when recorded.

The cassettes were recorded from the real embedded server (Qwen2.5-Coder-1.5B Q4_K_M, prompt v2,
2026-11-28): gold v1's in ``cassettes/test_pipeline_replay``, gold v2's (34 real news notices) in
``cassettes/eval_v2`` (``make record``). The rules alone are gated in ``test_evals``; the model's share is the
difference, and since prompt v2 the model answers only the category of findings the rules leave open.
"""

from __future__ import annotations

from pathlib import Path

from agent.config import resolve
from agent.scoring import evalrun


def test_replay_regression_gate_samples(tmp_path: Path) -> None:
    """Gold v1: problem F1 1.0, status 0.9091 (rules; 0.8701 before the running-total rule), category 0.8961
    (the model on the findings whose naming words fit several classes or none; re-recorded 2026-12-07 with the
    header task gone from the system prompt: 1,052 prompt tokens per notice against 1,358, category 0.9091
    before on the same rules), figure
    F1 0.9989, roles right 0.7355 (rules, agent.text.roles), metadata 1.0, grounding 1.0/1.0, 1.8 requests per
    notice, 0 chunk errors."""
    o = evalrun.run_eval("replay", resolve(), tmp_path)["overall"]
    assert o["problem_f1"] >= 1.0
    assert o["status_micro"] >= 0.90
    assert o["category_micro"] >= 0.85
    assert o["figure_f1"] >= 0.99  # 0.9989 with agent.text.facts/dates (0.9607 before)
    assert o["roles_right"] >= 0.72
    assert o["metadata_accuracy"] >= 0.98
    assert o["grounding_text"] == 1.0 and o["grounding_figures"] == 1.0
    assert o["chunk_errors"] == 0
    assert o["requests_per_notice"] and o["prompt_tokens_per_notice"] and o["completion_tokens_per_notice"]


def test_replay_regression_gate_news(tmp_path: Path) -> None:
    """Gold v2: problem F1 0.9817 (P 1.0, R 0.964), figures P 0.9901 R 0.9901, metadata 0.979, status 1.0,
    category 0.9179 (agent.text.category). No model call: measured live, the model's category (pooled with the
    held-out sets 0.879 vs the rules' 0.900) and header answers did not beat the rules on news notices."""
    o = evalrun.run_eval("replay", resolve(), tmp_path, evalrun.GOLD_ROOT / "v2")["overall"]
    assert o["problem_f1"] >= 0.98 and o["problem_precision"] >= 0.99
    assert o["figure_precision"] >= 0.98 and o["figure_recall"] >= 0.98  # P 0.9901 R 0.9901 (P 0.98 R 0.9655 before)
    assert o["roles_right"] >= 0.76  # rules (agent.text.roles): 0.7769
    assert o["metadata_accuracy"] >= 0.97  # 0.979 with agent.text.facts (0.9118 before)
    # status 0.9854: two findings of rectification news found by the learned clause model stay unknown
    assert o["status_micro"] >= 0.98 and o["category_micro"] >= 0.91
    assert o["requests_per_notice"] == 0
    assert o["grounding_text"] == 1.0 and o["grounding_figures"] == 1.0
    assert o["chunk_errors"] == 0
