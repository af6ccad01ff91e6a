"""The learned models are data: retraining from the gold reproduces the stored JSON, structuring never trains,
and a set whose first sight is not logged is never learned from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.scoring import firstsight, train
from agent.text import learned

pytest.importorskip("sklearn")


@pytest.mark.parametrize("name", ["clauses", "category", "doctype"])
def test_retraining_reproduces_the_stored_model(name: str, tmp_path: Path) -> None:
    stored = json.loads((train.MODELS / f"{name}.json").read_text(encoding="utf-8"))
    assert stored["sets"] == sorted(d.name for d in train.gold_dirs()), "retrain: make models"
    fresh = {"clauses": train.train_clauses, "category": train.train_category, "doctype": train.train_doctype}[name](train.gold_dirs())
    assert fresh["gold"] == stored["gold"], "the gold changed since the models were trained: make models"
    assert fresh["bias"] == stored["bias"]
    assert fresh["weights"] == stored["weights"]


def test_unseen_sets_are_not_learned_from() -> None:
    seen = firstsight.seen_sets()
    assert {d.name for d in train.gold_dirs()} <= seen
    for name in ("clauses", "category", "doctype"):
        assert set(json.loads((train.MODELS / f"{name}.json").read_text(encoding="utf-8"))["sets"]) <= seen


def test_no_pickle_and_no_training_library_at_run_time() -> None:
    assert all(p.suffix == ".json" for p in train.MODELS.iterdir() if p.is_file())
    assert learned.load("clauses") is not None
    assert learned.clause_scores("巡察发现，党建工作薄弱。") and "sklearn" not in learned.__dict__


def test_first_sight_is_logged_once(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    report = {"overall": {"cover_recall": 0.9}, "notices": {}, "meta": {"mode": "rules"}}
    firstsight.log_first_sight("holdout99", report, log=log)
    with pytest.raises(ValueError, match="first sight is logged already"):
        firstsight.log_first_sight("holdout99", report, log=log)
    assert firstsight.seen_sets(log) == {"holdout99"}


def test_where_the_two_detectors_disagree_the_record_says_so() -> None:
    from agent.record.pipeline import analyse, rules_record
    from agent.text.ingest import Notice

    text = ("巡察反馈会召开\n近日，县委第一巡察组向某局党组反馈巡察情况。巡察发现，存在理论学习不深入、财务管理不规范等问题。"
            "同时，干部队伍建设薄弱，后备干部储备不足。\n会议要求，要坚决抓好整改。")
    rec = rules_record(analyse(Notice("x.txt", text, "utf-8", "n_x")))
    learned = [p for p in rec.problems if p.found_by == "learned"]
    assert learned and all("不" in p.title.text or "薄弱" in p.title.text for p in learned)
    assert "learned_only" in {c.code for c in rec.checks}
    assert not any("要坚决" in p.title.text for p in rec.problems)  # a request is vetoed
