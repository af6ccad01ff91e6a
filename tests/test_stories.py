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



def test_the_groups_visit_and_check_come_before_the_fix() -> None:
    """Paragraphs that tell the group's visit, or its check of the same defect, before the fix do not end the
    story: the span runs from the complaint through the fix."""
    text = (
        "巡察立行立改 点亮群众回家路\n"
        "巡察期间，巡察组收到群众反映，城关村村民对村里部分路段路灯损坏、路灯晚上不亮的问题反映强烈。\n"
        "“群众再小的事也是天大的事。”巡察组组长立即同两名干部赶到村里。\n"
        "两名干部挨家挨户走访了村民。\n"
        "巡察组督促该村党支部立行立改，经过10天的抢修，村里的路灯已全部修复。\n"
    )
    rec = rules_record(analyse(Notice("story.txt", text, "utf-8", "story")))
    assert rec.problems, "the complaint is found"
    told = text[rec.problems[0].span[0] : rec.problems[0].span[1]]
    assert "路灯晚上不亮" in told and told.endswith("村里的路灯已全部修复"), told


def test_a_sentence_that_tells_the_same_defect_again_does_not_end_the_story() -> None:
    from agent.text.findings.stories import _grams, _measures_after

    text = "村民对路灯晚上不亮的问题反映强烈。经过入户调查了解，村里的路灯线路老化、维护不到位，路灯不亮的居多。巡察组督促立行立改，路灯已全部修复。"
    end = text.index("。") + 1
    told = _measures_after(text, end, len(text), [(0, len(text))], [0], _grams(text[:end]))
    assert told and text[told[-1][0] : told[-1][1]].endswith("路灯已全部修复")
    assert _measures_after(text, end, len(text), [(0, len(text))], [0]) == [], "without the finding's words it stops"


def test_a_saying_a_question_or_dialogue_before_the_fix_does_not_end_the_story() -> None:
    """Between a complaint and its fix a story tells sayings (``民生问题必须立即解决``), the group's questions
    (``钱去哪里了？``) and dialogue (``“…”方组长解释说``): none of them is a new finding (vocab ``ASIDE``)."""
    from agent.text.findings.stories import _measures_after

    for aside in ("民生问题必须立即解决。", "群众利益无小事。", "到底有没有卖树？钱去哪里了？",
                  "“唉，当时老板用现金交给我，没有来得及存入银行，这个问题怪我。”方组长解释说。"):
        text = "村民反映全村停水好几天了。" + aside + "巡察组立即向镇党委下达立行立改建议书。目前已恢复供水。"
        end = text.index("。") + 1
        told = _measures_after(text, end, len(text), [(0, len(text))], [0])
        assert told and text[told[-1][0] : told[-1][1]].startswith("目前已恢复供水"), aside
