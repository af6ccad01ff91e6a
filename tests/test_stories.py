"""A rectification story (a fix made on the spot): the finding's span runs through the measures told after it,
and they decide its status (``agent.text.findings.stories``); a feedback text's findings keep their own words."""

from __future__ import annotations

from agent.record.pipeline import analyse, rules_record
from agent.text.ingest import Notice

STORY = (
    "巡察立行立改 为民办实事\n"
    "关于巡察整改进展情况的通报\n"
    "今年3月，县委第三巡察组在某镇巡察时发现该镇道路养护不到位，新东街路面破损严重。\n"
    "针对这一问题，巡察组立即赶赴现场查看，督促镇政府限期修复。目前已全部修复，群众出行恢复正常。\n"
    "下一步，县委巡察办将持续跟踪问效。"
)


def test_a_story_finding_runs_through_its_measures() -> None:
    rec = rules_record(analyse(Notice("story.txt", STORY, "utf-8", "story")))
    assert rec.problems, "the defect is found"
    p = rec.problems[0]
    told = STORY[p.span[0] : p.span[1]]
    assert "路面破损" in told and told.endswith("群众出行恢复正常")
    assert p.status == "completed"
    assert [m.text for m in p.measures][-1] == "目前已全部修复，群众出行恢复正常"
    assert "持续跟踪" not in told


def test_feedback_findings_keep_their_own_words() -> None:
    text = (
        "县委第三巡察组向某镇党委反馈巡察情况\n"
        "3月20日，县委第三巡察组向某镇党委反馈巡察情况。巡察发现，该镇道路养护不到位，新东街路面破损严重。\n"
        "巡察组要求，针对这一问题，镇党委要立即督促整改。"
    )
    rec = rules_record(analyse(Notice("feedback.txt", text, "utf-8", "feedback")))
    assert rec.doc_type == "feedback" and rec.problems
    assert all(not p.measures for p in rec.problems)


def test_a_finding_cut_mid_sentence_runs_to_the_sentence_end() -> None:
    """``大部分路灯不亮`` cut by a recognizer runs on over ``，给群众夜间出行造成极大不便`` (the same defect told on),
    but not over a clause that tells the fix."""
    from agent.text.findings.stories import _sentence_rest

    text = "村民反映大部分路灯不亮，给群众夜间出行造成极大不便。巡察组立即督促整改。"
    cut = text.index("，")
    assert text[: _sentence_rest(text, cut, len(text))].endswith("极大不便")
    fixed = "大部分路灯不亮，巡察组立即督促整改。"
    assert _sentence_rest(fixed, fixed.index("，"), len(fixed)) == fixed.index("，")
