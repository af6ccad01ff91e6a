"""Regression gate: the eval on the replayed model run must keep the scores it had when recorded."""

from __future__ import annotations

from pathlib import Path

from agent import evalrun
from agent.config import resolve


def test_replay_regression_gate(tmp_path: Path) -> None:
    """Thresholds measured with `xuncha eval --replay` on gold v1 and the cassettes recorded 2026-11-22
    (embedded Qwen2.5-Coder-1.5B Q4_K_M, prompt v1): problem F1 1.0, status 0.4892, category 0.5045,
    figure F1 0.936, roles 0.2652 (grounded roles with words of their own: until 2026-11-22 a role that only
    repeated its figure, "1524户" for 1524户, counted too and gave 0.5471), metadata 0.9571, grounding 1.0/1.0,
    0 chunk errors.
    Rules alone (test_evals): status 0.4647, category 0.0, roles 0.0 — the model's share is the difference."""
    o = evalrun.run_eval("replay", resolve(), tmp_path)["overall"]
    assert o["problem_f1"] >= 1.0
    assert o["status_accuracy"] >= 0.48
    assert o["category_accuracy"] >= 0.50
    assert o["figure_f1"] >= 0.93
    assert o["figure_roles"] >= 0.26
    assert o["metadata_accuracy"] >= 0.95
    assert o["grounding_text"] == 1.0 and o["grounding_figures"] == 1.0
    assert o["chunk_errors"] == 0
    assert o["requests_per_notice"] and o["prompt_tokens_per_notice"] and o["completion_tokens_per_notice"]
