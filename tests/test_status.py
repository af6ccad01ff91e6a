"""Status from the rectification sentences (no model), on sentences written fresh for the test, under the settled
convention (evals/gold/v1/second_reader/convention.md)."""

from __future__ import annotations

import pytest

from agent.text.rules import status_evidence


@pytest.mark.parametrize(
    ("sentences", "status", "deciding"),
    [
        ([], "unknown", None),
        (["已将多发的补贴全部追回。"], "completed", 0),
        (["制定了管理办法。", "正在对剩余台账逐一核对。"], "in_progress", 1),
        (["建立长效机制，常态化开展检查。"], "ongoing", 0),
        (["组织专题学习。"], "ongoing", None),  # actions only: nothing says the fix is finished
        # a running total of cleared items as of a date: something is left (rule 3(iii))
        (["截至目前，已清收历年欠款52万元。"], "in_progress", 0),
        (["截至2024年6月底，已处理遗留问题8个。"], "in_progress", 0),
        (["截至目前，欠款已全部清收。"], "completed", 0),  # …unless all of it is cleared
        (["截至目前各村已开展宣讲活动30场次。"], "ongoing", None),  # a tally of activities is no stock
    ],
)
def test_status_from_evidence(sentences: list[str], status: str, deciding: int | None) -> None:
    assert status_evidence(sentences) == (status, deciding)
