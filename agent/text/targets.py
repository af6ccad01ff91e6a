"""The inspected bodies of a notice as written: ``对A、B等4家单位开展了常规巡察``, ``向A反馈B巡察情况``.

Why a module of its own: naming the inspected is its own grammar (lists cut at 、, 及 and a leader's name; counts,
subordinates and kinds dropped; a name ends on a unit suffix of ``agent.text.vocab``), apart from how the group,
its kind and its dates are written (``agent.text.facts``, which calls this). Pure: regex over the text; every
body is the span it was read from.
"""

from __future__ import annotations

import re

from agent.schema import Span
from agent.text import vocab
from agent.text.numerals import SMALL_COUNT

_N = SMALL_COUNT

_NAME = r"[\u4e00-\u9fa5、,，()（）“”\d]"
# 对X开展了常规巡察 (not 对口/对于/对照, and not 巡察整改工作: a check of the rectification is no inspection)
_TARGETS = re.compile(
    rf"对(?![口于照标])({_NAME}{{2,600}}?)(?:(?:开展了|进行了|开展|进行)[^。；]{{0,16}}?|的)巡[察视](?!整改)"
)
_FEEDBACK_TARGET = re.compile(
    r"向([\u4e00-\u9fa5、()（）\d]{2,300}?)(?:领导班子)?(?:分别|集中|全面)?(?:进行了?)?(?:现场|集中|专题)?反馈"
    r"(?:(?!了)([\u4e00-\u9fa5()（）\d]{2,40}?)巡[察视]情况)?"  # 向A反馈B巡察情况: B too
)
# a headline's 县委第一巡察组巡察X情况反馈会
_INSPECTED_AT_FEEDBACK = re.compile(r"巡[察视]组巡[察视]([\u4e00-\u9fa5()（）]{2,30}?)(?:情况)?反馈会")
_FEEDBACK_ON = re.compile(
    r"对([\u4e00-\u9fa5、()（）“”\d]{2,60}?)进行了?[^。；，]{0,8}?反馈"
)  # 对两家单位进行了“一对一”反馈
_SUBORDINATE = re.compile(r"(?:及其|及|以及)(?:所辖|下辖|直属).*$|共[\d一二两三四五六七八九十]+个.*$")
_COUNTED = re.compile(rf"等?{_N}(?:个|家|所)[\u4e00-\u9fa5()（）“”]*$")
_COUNT_ONLY = re.compile(rf"^{_N}(?:个|家|所)")
# what separates two bodies: 、 and commas; 及 (not 及其/及所辖…); a counted group's 和 (…等2个省直单位党组织和长沙市天心区);
# a person and the leadership between them (党委主要负责人周佩玲同志和领导班子及…, 市委书记曲敏和领导班子)
_SEPARATOR = re.compile(
    r"[、,，]|及(?!其|所辖|下辖|直属|所属)"
    r"|(?:主要负责人|主要负责同志|党组书记|党委书记|书记)[\u4e00-\u9fa5]{0,6}?(?:同志)?(?:(?:和|及)领导班子(?:成员)?及?|和$)"
    r"|(?<=单位|组织)和"
)
_NOT_BODY = (
    "所辖",
    "下辖",
    "直属",
    "所属",
    "相关",
    "上述",
    "领导班子",
    "干部",
    "全体",
    "班子",
    "主要负责",
    "社会",
    "本轮",
    "有关",
)
# not a body's name: the inspected as such (被巡察单位), an inspection (区委一、二、三轮巡察), a counted group under a
# body (区教育体育局直属的32家事业单位), a kind (向A反馈村级全覆盖巡察情况)
_NOT_NAME = re.compile(r"被巡|巡[察视]|(?:直属|所属|所辖|下辖)的?$|全覆盖$|专项$|联动$")
# a body's name ends on a unit suffix (agent.text.vocab), before one closing bracket if any (某局（原某办）): the
# vocabulary's suffixes are anchored at the end, so the bracket is dropped before they are tried
_BODY_END = re.compile(rf"(?:{vocab.fragment('unit_suffix')}|{vocab.fragment('township')}|党组织|单位)$")
_CLOSING = re.compile(r"[)）]$")


def _may_name_body(name: str) -> bool:
    """Not the inspected as such, an inspection, a counted group under a body or a kind (``_NOT_NAME``), nor a
    leadership, staff or subordinates (``_NOT_BODY``)."""
    return not name.startswith(_NOT_BODY) and not _NOT_NAME.search(name)


def _ends_as_body(name: str) -> bool:
    """The name ends on a unit suffix, before one closing bracket if any."""
    return bool(_BODY_END.search(_CLOSING.sub("", name)))


def inspected_bodies(text: str, intro: Span) -> tuple[list[Span], Span | None]:
    """The inspected bodies as written, and where the kind closing their clause may stand (对X开展了常规巡察). The first list in
    the text (``对…开展…巡察`` or ``向…反馈``) that names bodies, with the other ``对…巡察`` lists of its paragraph
    (a round's groups each inspect their own) in the same sentence; in the opening first, else near the top. A list of counted
    bodies only (``41个被巡视党组织``) is kept when no list names any."""
    top = (0, min(len(text), 2000))
    for s, e in (intro, top):
        found = sorted(
            (m.start(), rx is _TARGETS, m)
            for rx in (_TARGETS, _FEEDBACK_TARGET, _FEEDBACK_ON, _INSPECTED_AT_FEEDBACK)
            for m in rx.finditer(text, s, e)
        )
        counted: list[Span] = []
        for _, clause, m in found:
            named, count_only = _bodies(text, m)
            if named:
                kind_at = (m.end(1), min(len(text), m.end() + 12)) if clause else None
                if clause:
                    named += _more_in_sentence(text, m, e, named)
                return named, kind_at
            counted = counted or count_only
        if counted:
            return counted, None
    for s, e in (intro, top):
        if where := _stationed(text, s, e):
            return where, None
    return [], None


# where a group was stationed or worked, when no list names the inspected (stories): ``巡察组进驻天台县综合行政执法局的
# 第三天``, ``县委第四巡察组在黄花沟村开展巡察工作期间``; the name must end as a body's does
_STATIONED = re.compile(
    r"巡[察视][一二三四五六七八九十\d]*组(?:分别|陆续|已|先后)?(?:进驻|入驻|在)(?:该[市县区镇乡])?([\u4e00-\u9fa5()（）]{2,30}?)"
    r"(?=开展|展开|进行|以来|期间|走访|巡[察视]|的第|[，,。；\s])"
)


def _stationed(text: str, s: int, e: int) -> list[Span]:
    """The body a group was first said to be stationed at or to work in, as written."""
    for m in _STATIONED.finditer(text, s, e):
        name = m.group(1)
        if _ends_as_body(name) and _may_name_body(name):
            return [(m.start(1), m.end(1))]
    return []


_SENTENCE_END = re.compile(r"[。\n]")


def _more_in_sentence(text: str, first: re.Match[str], end: int, have: list[Span]) -> list[Span]:
    """The other ``对…巡察`` lists of the sentence of ``first`` (…开展了常规巡察，对A开展延伸巡察；…): its bodies not
    yet named."""
    cut = _SENTENCE_END.search(text, first.end(), end)
    stop = cut.start() if cut else end
    seen = {text[a:b] for a, b in have}
    out: list[Span] = []
    for m in _TARGETS.finditer(text, first.end(), stop):
        for a, b in _bodies(text, m)[0]:
            if text[a:b] not in seen:
                seen.add(text[a:b])
                out.append((a, b))
    return out


def _bodies(text: str, m: re.Match[str]) -> tuple[list[Span], list[Span]]:
    """(named bodies, counted-only bodies) of one list match: ``区科信局等4家单位`` is 区科信局 when it closes a
    list, but ``团圆村等23个村(社区)党组织`` (one example standing for the count) is the body as written."""
    named: list[Span] = []
    counted: list[Span] = []
    for g in (1, 2):
        if m.lastindex is None or g > m.lastindex or m.group(g) is None:
            continue
        parts = _split(text, m.start(g), m.end(g))
        for i, (a, b) in enumerate(parts):
            part = text[a:b]
            alone = (i == 0 or text[parts[i - 1][1]] != "、") and (i + 1 == len(parts) or text[b] != "、")
            if _COUNT_ONLY.match(part):
                kept = _SUBORDINATE.sub("", part)  # 5个镇党委及所辖部分村党组织 -> 5个镇党委
                counted.append((a, a + len(kept)))
                continue
            name = _SUBORDINATE.sub("", part)
            if not (alone and "等" in name and _COUNTED.search(name)):
                name = _COUNTED.sub("", name)  # 区科信局等4家单位 -> 区科信局
            name = re.sub(r"^(?:分别|同步|集中|先后)|等$", "", name)
            bare = re.sub(r"[(（][^()（）]*[)）]", "", name)  # 村(社区) is a kind of body, not one
            if len(bare) >= 2 and _may_name_body(name) and (g == 1 or _ends_as_body(name)):
                at = a + part.find(name)
                named.append((at, at + len(name)))
    return named, counted


def _split(text: str, s: int, e: int) -> list[Span]:
    """Spans of the list's items: cut at separators outside brackets (人事处(人才工作办公室、党委教师工作部))."""
    out: list[Span] = []
    pos = s
    depth = 0
    i = s
    while i < e:
        c = text[i]
        depth += c in "(（“"
        depth -= c in ")）”" and depth > 0
        m = _SEPARATOR.match(text, i, e) if depth == 0 else None
        if m and m.end() > i:
            if i > pos:
                out.append((pos, i))
            pos = i = m.end()
            continue
        i += 1
    if e > pos:
        out.append((pos, e))
    return out
