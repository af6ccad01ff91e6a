"""Figure roles by rules (agent.text.roles): one made-up sentence per shape of the genre. Pure, no model."""

from __future__ import annotations

import pytest

from agent.text.figures import find_figures
from agent.text.roles import ROLE_LIMIT, rule_role


def role(text: str, figure: str, nth: int = 0) -> str | None:
    """The rules' role of the ``nth`` figure whose surface text is ``figure``."""
    found = [f for f in find_figures(text) if f.text == figure]
    assert len(found) > nth, f"{figure!r} is not a figure of {text!r}: {[f.text for f in find_figures(text)]}"
    return rule_role(text, found[nth])


@pytest.mark.parametrize(
    ("text", "figure", "expected"),
    [
        # the verb and its object before the number
        ("今年共清退违规资金3.5万元。", "3.5万元", "清退违规资金"),
        ("巡察共发现问题18个,已全部移交。", "18个", "发现问题"),
        ("其中党员干部12人。", "12人", "党员干部"),
        ("经统计,占比达到85%。", "85%", "占比"),
        # a count's noun after its measure word, cut where the verb starts
        ("巡察组对辖区8个村党组织开展了巡察。", "8个", "村党组织"),
        ("市委巡察组向5个被巡察单位反馈了巡察情况。", "5个", "被巡察单位"),
        ("区委巡察组对12个村(社区)党组织进行了巡察。", "12个", "村(社区)党组织"),
        ("会上,7个村党组织主要负责人作了表态发言。", "7个", "村党组织"),
        ("省委6个巡视组分别对各市开展巡视。", "6个", "巡视组"),
        ("对东城街道及14个社区开展常规巡察。", "14个", "社区"),
        # a short verb before the count joins its noun
        ("今年下派3名机关干部到村任职。", "3名", "下派机关干部"),
        ("今年新建4座公厕,方便群众。", "4座", "新建公厕"),
        # a noun running into a sum names the sum, not the count before it
        ("设立优秀奖3名奖金500元。", "3名", "设立优秀奖"),
        ("设立优秀奖3名奖金500元。", "500元", "奖金"),
        # a threshold is named by what it qualifies
        ("对6个3年以上未发展党员的党支部进行整顿。", "6个", "未发展党员的党支部"),
        ("对6个3年以上未发展党员的党支部进行整顿。", "3年", "未发展党员的党支部"),
        # a frequency: the event after a light verb, else the words before
        ("今年以来开展4次安全生产检查,下发通报。", "4次", "安全生产检查"),
        ("组织专题研讨3次,形成报告。", "3次", "组织专题研讨"),
        # a duration: the activity it lasts
        ("开展为期5天的专项督查工作。", "5天", "专项督查工作"),
        # time phrases, lead and qualifier words are not part of a role
        ("今年以来镇纪委处置问题线索12件。", "12件", "镇纪委处置问题线索"),
        ("确保覆盖率达到95%以上。", "95%", "确保覆盖率"),
        ("巡察过程中共开展个别谈话45人次。", "45人次", "开展个别谈话"),
        # a change is named by its subject
        ("闲置面积降为20亩,比例由原来的12%下降至3%。", "3%", "比例"),
        ("闲置面积降为20亩,比例由原来的12%下降至3%。", "20亩", "闲置面积"),
        # a document handed out or studied: the verb and the kind of document
        ("向群众印发《村级财务管理办法》200份。", "200份", "印发办法"),
        # a list item: the whole list
        ("对外销售苹果、梨约20吨。", "20吨", "对外销售苹果、梨"),
        # after another figure: its measure word is not ours
        ("共收到12件信访中8件涉及征地。", "8件", "信访"),
        # N个方面M个问题: areas of problems
        ("巡察组反馈了3个方面15个问题。", "3个", "问题方面"),
        ("巡察组反馈了3个方面15个问题。", "15个", "问题"),
        ("巡察组指出了四个方面的问题。", "四个", "问题方面"),
        ("工作组对该镇4大类16个方面问题进行检查。", "4大类", "问题大类"),
        # a figure after a modifier ending in 的 is named by the noun after it
        ("整治后的300亩耕地全部复耕。", "300亩", "耕地"),
        ("目前5个村12万元集体资金未入账。", "12万元", "集体资金"),
        # a bare label (金额) takes the clause it labels
        ("已清退违规补贴,金额3000元。", "3000元", "违规补贴金额"),
        # a count with no noun and no words before: its act
        ("由15个村分别出资组建公司。", "15个", "村出资"),
        ("参训人员中,其中15人已完成培训。", "15人", "已完成培训"),
        # the subject before an adverb of the act is dropped
        ("今年以来镇纪委共处置线索10件。", "10件", "处置线索"),
        # a bare label (涉及金额) before a sum: the noun after it
        ("共有涉及金额6500元票据未入账。", "6500元", "票据"),
        # a threshold after a count is skipped; the threshold itself is named by what it qualifies
        ("其中10年以上信访积案5件。", "10年", "信访积案"),
        # a quoted term before its verb, a remark in brackets skipped
        ("采取“第一种形态”处理8人。", "8人", "第一种形态处理"),
        ("召开专题民主生活会(组织生活会)20次。", "20次", "召开专题民主生活会"),
        # a sum followed by a money noun: the verb and that noun
        ("已追回3.2万元违规资金。", "3.2万元", "追回违规资金"),
    ],
)
def test_role_shapes(text: str, figure: str, expected: str) -> None:
    assert role(text, figure) == expected


def test_no_role_for_dates_phones_or_bare_numbers() -> None:
    text = "2023年5月10日,巡察组进驻。举报电话:0551-1234567。5个。"
    figs = find_figures(text)
    assert {f.kind for f in figs} >= {"date", "phone"}
    assert all(rule_role(text, f) is None for f in figs if f.kind in ("date", "phone"))
    assert role("。5个。", "5个") is None


def test_roles_are_short_and_carry_no_number() -> None:
    text = (
        "2024年以来,全镇累计组织开展党员干部集中学习教育培训活动共计36场次,参训党员干部2100余人次;"
        "对2019年以前的8笔往来款项共计12.5万元进行清理,其中3笔已入账。"
    )
    roles = [rule_role(text, f) for f in find_figures(text)]
    assert any(roles)
    assert all(r is None or (len(r) <= ROLE_LIMIT and not any(c.isdigit() for c in r)) for r in roles)
