"""Figure roles: what a number measures, read by rules from the words around it.

Why it exists: since prompt v2 every figure's role comes from these rules (the model is never asked), and the
notices' genre writes its numbers in a handful of recurring shapes that one "clause before the number" rule
got wrong. Each shape is a small function here, kept apart from ``rules`` (status, facts, totals) so the
patterns and their tests (``tests/test_roles.py``) stay in one place. Pure: no model, no I/O.

The shapes, in the order ``rule_role`` tries them:
- areas of problems: ``N个方面M个问题``, ``3大方面存在的9个问题`` (and 大类) → 问题方面.
- a count followed by its noun is named by the noun, cut where its verb starts: ``11个村党组织负责人表态`` →
  村党组织, ``12个被巡察单位反馈`` → 被巡察单位, ``23个村(社区)党组织`` keeps its parenthesis, a relative
  clause stays whole (``5年以上未发展党员的党组织``). A short verb just before joins it (``下派2名机关干部`` →
  下派机关干部), a place or a preposition's object does not; a noun that runs into a sum names the sum
  (``一等奖2名奖金2000元``: 2名 is 一等奖). A count with neither noun nor words before is named by its act
  (``由32个村分别出资`` → 村出资, ``282人已取得证书``).
- a threshold is named by what it qualifies: ``10年以上积案`` → 积案.
- a frequency after a light verb by the event after it (``开展3次安全督查`` → 安全督查), else by the words
  before it (``集中研讨3次``); a duration by its activity (``为期3天的回访督查`` → 回访督查).
- a sum after a modifier ending in 的, a bare label (涉及金额) or another figure, or followed by a money noun,
  by the noun after it: ``优化后的2744.68亩粮食功能区``, ``9个村87.2万元固定资产``, ``收回5万元资金`` → 收回资金.
- everything else by the words just before it: no time phrase, subject before an adverb, lead or qualifier
  word (``今年以来镇纪委共处置线索10件`` → 处置线索, ``确保收益率在6%`` → 确保收益率), a remark in brackets
  skipped; a change (``比例由原来的14.6%下降至7.93%``) by its subject; ``V《…倡议书》500份`` by the verb and
  the kind of document (发放倡议书); a list item by the whole list (``销售蜂蜜、粉条约138吨``); a quoted term
  with its verb (``“第一种形态”处置110人``); a bare label with the clause it labels (``入账,金额3.6万元``).
Never a number, at most ``ROLE_LIMIT`` characters, ``None`` when nothing is left.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from agent.schema import Figure
from agent.text.figures import find_figures

ROLE_LIMIT = 12
_NOUN_LIMIT = 10  # a long noun cut before its verb keeps its head, the end
_BEFORE_LIMIT = 8  # a long clause keeps its end, where the verb and its object stand

_CJK = "\u4e00-\u9fff"
_BREAK = re.compile(r"[，,。；;：:、（()）\n“”\d%]")
_SENTENCE_BREAK = re.compile(r"[，,。；;：:\n]")
# the words after a figure: Chinese characters, short parenthesised parts included (村(社区)党组织)
_AFTER_RUN = re.compile(rf"(?:[{_CJK}]|[（(][{_CJK}、]{{1,6}}[）)])+")
_THRESHOLD = re.compile(rf"^(?:\d+(?:\.\d+)?(?:年|岁|周岁|万元|元|亩))?以[上下前内](?:的)?(?=[{_CJK}])")
_AFTER_STOP = re.compile(r"^(?:以上|以下|以前|以后|以内|左右|之间|余|多|次|的)")
# where a noun after a count ends: a verb, preposition, conjunction or localizer (a few only after a word)
_NOUN_END = re.compile(
    rf"中(?=[^{_CJK}]|已|有|存在|的|均|仍|$)|已|的|开展|进行|召开|分配|参加|参与|完成|实现|被|将|均|未|全部|共(?!产|青|建|享)|累计|涉及|存在|实际"
    r"|对(?!象|接)|(?<![方导意倾])向|分别|陆续|前往|进驻|提出|通报|和|及|与|等(?!级|奖)"
    rf"|(?<=[{_CJK}）)])(?:反馈|(?:主要)?负责人|一直|仍|没有|尚|正在|目前|全面|并|因|由于|达到|到(?!位))"
)
_VERB_START = re.compile(r"^被(?=巡[察视])")
# a frequency is named by the event after it when a light verb stands before it: 开展3次督查
_FREQUENCY = ("次", "场", "场次", "期", "轮", "遍", "批", "批次", "人次")
_LIGHT_VERB = re.compile(r"(?:开展|召开|组织|举办|举行|进行|开设|安排|参加|参与)$")
_DURATION_LEAD = re.compile(r"(?:为期|历时|用时)$|^(?:经过|通过|利用|集中利用|能在?|在|用)?$")

_LEAD_WORDS = re.compile(
    r"^(?:其中|其(?!他|它|余)|另有|由|共计?|累计|合计|总计|涉及|达到?|分别|先后|约|为|有(?!效|关|序|力)|对(?!外|口|接)|向|将|已经?|均|仅|并|且|和|及|等|同时)+"
)
_TIME = re.compile(r"^.*(?:以来|目前|期间|当前|现阶段|今年)")
# the subject before an adverb of the act is no part of its role: 巡察共发现问题18个 -> 发现问题
_ADVERB = re.compile(rf"^.*(?:共计|(?<!公)共(?!产|青|建|享|同|驻)|累计|合计|已经|已|先后)(?=[{_CJK}]{{2}})")
_QUALIFIER = re.compile(
    r"(?:不少于|不低于|不超过|不高于|至少|最高|最多|超过|超|约|近|逾|共计|共|累计|合计|总计|先后|分别|达到|达|为|是|有"
    r"|了|的|中|在|和|及|与|等|就|也|还|都|将|(?:下降|降低|减少|提高|提升|增加|增长|上升|降|升)了?[至到为])+$"
)
_PREV_UNIT = re.compile(r"^(?:万元|亿元|元|人次|场次|个|名|人|件|项|次|场|条|笔|户|家|所|起|处|份|批|%)")
_CHANGE = re.compile(r"^(?:下降|降低|减少|提高|提升|增加|增长|上升|降|升)了?(?:至|到|为)?$")
_SUBJECT = re.compile(rf"([{_CJK}]{{2,8}}?)由[^，,。；;]*$")
_DOC = re.compile(
    rf"([{_CJK}]{{2}})《[^《》]*?(倡议书|承诺书|责任书|方案|办法|条例|规定|意见|制度|通知|规划|细则|清单|手册|指南|报告|准则|决定)》$"
)
_MONEY_NEXT = re.compile(r"^\d[\d.,]*(?:万|亿)?[余多]?元")
# a short word before a count joins its noun only when it can be a verb, not a place, body or preposition
_NOT_VERB = re.compile(
    r"[一二两三四五六七八九十百千]|(?:[对向在由从给为把被将与和及等上中下内里省市县区镇乡村街厅局委办部院校所司队会处站]|街道|中心|公司|集团)$"
)
# a one-character noun (村, 户) and the verb after it: 由32个村分别出资 -> 村出资
_UNIT_AND_VERB = re.compile(
    rf"^([村户镇乡县市区组校所队企])(?:分别|均|已经?|都|全部|共|各)?((?!的)[{_CJK}]{{2}})"
)
# an act after a count that has no noun: 282人已取得证书
_DOES = re.compile(rf"(?:已经?|未|均|都|全部|没有|尚未|仍)[{_CJK}]+?(?=的|[^{_CJK}]|$)")
# a noun that starts with a verb is a relative clause when 的 follows: 未发展党员的党组织
_RELATIVE = re.compile(
    rf"^[{_CJK}]{{1,8}}?的[{_CJK}]{{1,4}}?(?=[，,。；;、的和及等]|已|将|均|被|进行|开展|$)"
)
_PAREN_END = re.compile(r"[（(][^（()）\n]{1,20}[)）]$")
_QUOTED_END = re.compile(r"“([^“”\d]{1,8})”[^“”]{0,4}$")
_FUNCTION_CHAR = re.compile(r"[的和对在将并了等及与从为由把向已共于给经]")
_PREP_START = re.compile(r"^(?:对|向|在|由|从|给|为|把|与|和|及|将)")
# a bare label names a figure only with what it labels: the clause before it, or the noun after the figure
_LABEL = re.compile(r"(?:涉及|共有|总)?(?:金额|数额|总额|资金|款项)")
_CLAUSE_TAIL = re.compile(rf"[{_CJK}]{{2,4}}$")
_MONEY_NOUN = re.compile(r"(?:资金|款项|经费|资产|奖金|补贴|补助|费用|欠款|违纪款|税款|租金)$")
_ASPECT = re.compile(r"^(?:存在)?的?(?:[、，,]?\d+(?:\.\d+)?[个项条](?:方面|大项)?的?)*(?:具体)?问题")


class _Before(NamedTuple):
    words: str  # as a role would read them
    brk: str  # the character that ended the clause before them ('' at the start of the text)
    weak: bool  # they only modify or label what follows the figure: 优化后的2744.68亩…, 涉及金额6783元…
    verb: (
        bool  # short and neither a place, a body, a list nor a preposition's object: may join a count's noun
    )


def rule_role(text: str, fig: Figure) -> str | None:
    """The object a number measures, read from the words around it (see the module docstring for the
    shapes): ``清退资金41115元`` → 清退资金, ``11个村党组织`` → 村党组织. Never a number; ``None`` for dates,
    phones and figures with no words around them."""
    if fig.kind in ("date", "phone"):
        return None
    s, e = fig.span
    after = text[e : e + 40]
    noun, cut = _noun_after(after)
    before = _words_before(text, s)
    named = _named_after(fig, after, noun, before._replace(weak=before.weak and cut))
    for role in (_aspect(fig, noun, after), named, before.words, noun):
        role = role.strip(" 的、")
        if len(role) >= 2 and not any(c.isdigit() for c in role):
            return role
    return None


def _noun_after(after: str) -> tuple[str, bool]:
    """The noun right after a figure's measure word, up to where its verb starts ('' when none), and whether
    an end was found. A threshold is skipped (14个5年以上未发展党员的党组织); a relative clause
    (未发展党员的党组织) is kept whole."""
    if t := _THRESHOLD.match(after):
        after = after[t.end() :]
    if _AFTER_STOP.match(after):
        return "", False
    run = _AFTER_RUN.match(after)
    if not run:
        return "", False
    words = run.group(0)
    lead = _VERB_START.match(words)
    cut = _NOUN_END.search(words, lead.end() if lead else 0)
    if cut and cut.start() == 0 and (rel := _RELATIVE.match(words)):
        return _head(rel.group(0), ROLE_LIMIT), True
    noun = _head(words[: cut.start()], _NOUN_LIMIT) if cut else words[:ROLE_LIMIT]  # uncut: its start
    return (noun, cut is not None) if len(noun) >= 2 else ("", False)


def _named_after(fig: Figure, after: str, noun: str, before: _Before) -> str:
    """The role when the words after the figure name it: a count's noun, a threshold's object, the event of
    a frequency after a light verb, the activity of a duration; '' when the words before decide."""
    if fig.kind in ("count", "duration") and _THRESHOLD.match(after):
        return noun
    if fig.kind == "duration":  # 为期3天的回访督查 -> 回访督查; 能在三个月集中整改期内 -> 集中整改期
        if not _DURATION_LEAD.search(before.words):
            return ""
        run = _AFTER_RUN.match(after[1:]) if after.startswith("的") else None
        if run and not run.group(0).startswith("时间"):
            return run.group(0)[-6:]
        return "" if run else _noun_after(after.lstrip("内后前"))[0]
    if not noun:
        return _predicate(after) if fig.kind == "count" and not before.words else ""
    if fig.kind == "money" and _MONEY_NOUN.search(noun) and len(noun) <= 6:  # 收回5万元资金 -> 收回资金
        return before.words + noun if before.verb else noun
    if fig.kind != "count":  # 9个村87.2万元固定资产, 优化后的2744.68亩粮食功能区: named by what follows
        return noun if before.brk.isdigit() or before.weak else ""
    if fig.unit in _FREQUENCY:
        return noun if _LIGHT_VERB.search(before.words) else ""
    if before.words and _MONEY_NEXT.match(after[len(noun) :]):  # 一等奖2名奖金2000元: 奖金 is the money's
        return ""
    return before.words + noun if before.verb else noun  # 下派2名机关干部 -> 下派机关干部


def _predicate(after: str) -> str:
    """What a count with no noun and no words before it does: 由32个村分别出资 -> 村出资,
    282人已取得普通话证书 -> 已取得普通话; '' when no act follows."""
    if m := _UNIT_AND_VERB.match(after):
        return m.group(1) + m.group(2)
    return m.group(0)[:6] if (m := _DOES.match(after)) else ""


def _aspect(fig: Figure, noun: str, after: str) -> str:
    """Areas or classes of problems: ``N个方面M个问题``, ``4大类16个方面22个问题`` → 问题方面, 问题大类."""
    if fig.kind != "count":
        return ""
    if fig.unit in ("方面", "大方面", "类", "大类"):
        kind, rest = ("方面" if "方面" in fig.unit else "大类"), after
    elif noun.startswith(("方面", "大类")):
        kind, rest = noun[:2], after[2:]
    else:
        return ""
    return f"问题{kind}" if _ASPECT.match(rest) else ""


def _words_before(text: str, s: int) -> _Before:
    """The words just before a figure, as its role would read them."""
    if doc := _DOC.search(text[max(0, s - 80) : s]):  # 发放《…倡议书》500余份 -> 发放倡议书
        return _Before(doc.group(1) + doc.group(2), "》", False, False)
    raw = _PAREN_END.sub("", _masked(text[max(0, s - 40) : s]))  # 专题民主生活会(组织生活会)38次
    breaks = list(_BREAK.finditer(raw))
    brk = breaks[-1].group(0) if breaks else ""
    seg = raw[breaks[-1].end() :] if breaks else raw
    if brk.isdigit():  # after another figure: its measure word is not ours (29件信访中14件 -> 信访)
        seg = _PREV_UNIT.sub("", seg)
    elif brk == "、" and len(seg) <= 3 and _LEAD_WORDS.sub("", seg):
        seg = _list_clause(raw)  # a list item: the whole list (销售蜂蜜、粉条约138吨)
    elif brk == "”" and len(seg) <= 4 and (quoted := _QUOTED_END.search(raw)):
        seg = quoted.group(1) + seg  # 采取“第一种形态”处置110人 -> 第一种形态处置
    words = _trimmed(seg, raw)
    if (
        _LABEL.fullmatch(words)
        and brk
        and brk in "，,"
        and (done := _CLAUSE_TAIL.search(raw[: breaks[-1].start()]))
    ):
        words = done.group(0) + words  # 开具收据入账,金额36412.60元 -> 收据入账金额
    verb = (
        2 <= len(words) <= 4
        and not brk.isdigit()
        and brk != "、"
        and not _NOT_VERB.search(words)
        and (seg.endswith("的") or not _PREP_START.match(_TIME.sub("", seg)))
        and not seg.endswith("等")
    )
    return _Before(words, brk, seg.endswith("的") or bool(_LABEL.fullmatch(words)), verb)


def _trimmed(seg: str, raw: str) -> str:
    """A clause as a role: no time phrase, lead or qualifier words; a change (下降至) named by its subject; a
    long modifier (以…为主题的专题学习) by its noun; at most ``_BEFORE_LIMIT`` characters, from the end."""
    seg = _LEAD_WORDS.sub("", _ADVERB.sub("", _TIME.sub("", seg)))
    if _CHANGE.match(seg) and (subject := _SUBJECT.search(_sentence(raw))):
        seg = subject.group(1).rsplit("的", 1)[-1]  # 比例由原来的14.6%下降至7.93% -> 比例
    seg = _QUALIFIER.sub("", seg)  # 非粮化面积降为1385亩 -> 非粮化面积
    if len(seg) > 8 and "的" in seg and len(tail := seg.rsplit("的", 1)[1]) >= 3:
        seg = tail
    return _head(seg, _BEFORE_LIMIT)


def _masked(raw: str) -> str:
    """``raw`` with every figure in it written as zeros, so another figure ends a clause as digits do
    (三个方面20个问题: 20个 is named by 问题, not by 三个方面)."""
    for f in find_figures(raw):
        raw = raw[: f.span[0]] + "0" * (f.span[1] - f.span[0]) + raw[f.span[1] :]
    return raw


def _list_clause(raw: str) -> str:
    """The clause a list item ends, back to the last sentence break (the list's 、 kept)."""
    clause = _sentence(raw)
    return clause if not any(c.isdigit() for c in clause) else clause.rsplit("、", 1)[-1]


def _sentence(raw: str) -> str:
    """``raw`` after its last sentence-level break (comma, full stop, colon, line end)."""
    breaks = list(_SENTENCE_BREAK.finditer(raw))
    return raw[breaks[-1].end() :] if breaks else raw


def _head(words: str, limit: int) -> str:
    """The end of a long phrase, where a Chinese phrase keeps its head: after the last function word that
    leaves at most ``limit`` characters (巡察过程中共开展个别谈话 -> 开展个别谈话); with none, the last
    ``ROLE_LIMIT`` characters (镇村工程项目公开招标率)."""
    if len(words) <= limit:
        return words
    for most in (limit, ROLE_LIMIT):
        for m in _FUNCTION_CHAR.finditer(words):
            if 2 <= len(words) - m.end() <= most:
                return words[m.end() :]
    return words[-ROLE_LIMIT:]
