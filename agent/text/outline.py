"""The notice's heading grammar, parsed by rules into a tree with character spans.

Why rules and not the model: measured on this machine, the 1.5B model asked for the structure of a
1,450-character chunk took 35 s and got it wrong (sub-items taken as problems, headings as problems). The
grammar of these notices is regular: ``一、`` / ``(一)`` / ``1.`` / ``(1)`` headings, ``一是…二是…``
sub-items, paired ``反馈问题:`` + ``整改情况:`` paragraphs, and per-unit sections in roundups. This module
finds them, decides which level holds the problems, and cuts each problem block with its span. Pure.

The cleaned text (see ``ingest``) has one paragraph per line; every span indexes into it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.schema import Span
from agent.text import findings
from agent.text.findings import Page, headed
from agent.text.grammar import HEADING_KINDS, Node, ProblemBlock, build_tree, classify, lines_of

_DATE_LINE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
_PUBLISHED_LINE = re.compile(r"^(?:发布时间[:：]\s*)?(\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?)(?:\s|$)")
# a news page's meta line: ``日期:2023-05-04 08:46:31 来源:区文旅体局``, ``来源:…发布时间:2020-12-10 16:02``
# (a government page's table of metadata: ``| 成文日期 | 2025-10-15 | 公开方式 | 主动公开 |``)
_META_LINE = re.compile(r"(?:发布时间|发布日期|成文日期|日期|时间|来源|作者|编辑|浏览|字号|信息来源)\s*[:：|]")
_META_DATE = re.compile(r"(\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?)")
META_LINE_LIMIT = 100
# a page's stamp: a short line ending on a date with its clock time (``http://www.CRNTT.com   2020-07-13 17:45:39``)
_STAMP_LINE = re.compile(r"^.{0,60}?(\d{4}-\d{1,2}-\d{1,2})\s+\d{1,2}:\d{2}(?::\d{2})?\s*$")
_ISSUER_LINE = re.compile(r"^(?:中共|中国共产党)?\S{2,40}(?:委员会|党委|党工委|党组|办公室|巡察办|纪委|工作委员会|巡察组|巡视组)$")
# a round's announcement ends on how to reach the group: 办公地点, 邮政信箱, 邮政编码, 受理时间, 特此公告
_CONTACT_HINT = re.compile(
    r"联系电话|电话[:：]|邮政地址|通信地址|电子邮箱|邮箱[:：]|来信(?:来访)?(?:地址|请寄|寄至|请)|欢迎广大干部群众|办公地点"
    r"|邮政信箱|邮政编码|受理时间|^特此(?:公告|通告|通报)"  # (受理群众来信来访 is the inspection's work, no contact line)
)
_CLOSING = re.compile(r"^(?:下一步|下阶段|今后|总之|综上)")
_SOURCE_LINE = re.compile(r"^[(（]?来源[:：].*[)）]?$")
_PHONE = re.compile(r"(?:0\d{2,3}[-－—]\d{7,8}|1[3-9]\d{9}|\d{7,8})")
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}")
_ADDRESS = re.compile(r"(?:邮政地址|通信地址|通讯地址|办公地点|地址)[:：]\s*([^,，;；。]+)")


@dataclass
class Outline:
    text: str
    nodes: list[Node]
    problems: list[ProblemBlock]
    grammar: str  # fankui_pairs | zhenggai_pairs | headings:<kind> | inline | paragraphs | none
    title: Span | None = None
    published: Span | None = None
    intro: Span | None = None  # the header paragraphs before the first heading
    issuer: Span | None = None
    signoff_date: Span | None = None
    phone: Span | None = None
    email: Span | None = None
    address: Span | None = None
    units: list[Span] = field(default_factory=list)
    body: Span = (0, 0)


def _split_trailer(text: str, paras: list[Span]) -> tuple[list[Span], list[Span]]:
    """Cut off the sign-off, contact, source and share lines at the end of the notice."""
    cut = len(paras)
    while cut > 0:
        s, e = paras[cut - 1]
        line = text[s:e]
        if (
            _DATE_LINE.match(line)
            or (_ISSUER_LINE.match(line) and len(line) <= 40)
            or _SOURCE_LINE.match(line)
            or (_CONTACT_HINT.search(line) and len(line) < 400)
        ):
            cut -= 1
            continue
        break
    # closing paragraphs (下一步…) after the last heading belong to no problem
    while cut > 0 and _CLOSING.match(text[paras[cut - 1][0] : paras[cut - 1][1]]):
        cut -= 1
    return paras[:cut], paras[cut:]


def _split_header(text: str, paras: list[Span]) -> tuple[list[Span], list[Span]]:
    for i, (s, e) in enumerate(paras):
        kind, _, _ = classify(text, s, e)
        if kind in HEADING_KINDS:
            return paras[:i], paras[i:]
    # no headings: a short first line without sentence punctuation is still the title, with its subtitle
    # (``——七届省委第八轮巡视整改进展情况综述``)
    if paras and _is_title_line(text[paras[0][0] : paras[0][1]]):
        n = 1
        while n < len(paras) and text.startswith("—", paras[n][0]) and _is_title_line(text[paras[n][0] : paras[n][1]]):
            n += 1
        return paras[:n], paras[n:]
    return [], paras


def _is_title_line(line: str) -> bool:
    """Short, no sentence punctuation, not an opening (根据…), a page's meta line with a date or a table row."""
    return (len(line) <= 60 and not re.search(r"[。,，；]", line) and not line.startswith(("根据", "|"))
            and not (_META_LINE.search(line) and _META_DATE.search(line)))


def _meta_line(text: str, header: list[Span], body: list[Span]) -> tuple[Span | None, list[Span]]:
    """A news page's meta line near the top (date, source, author) is not a paragraph of the notice: its
    date is the published date, and the line leaves the body."""
    if any(_PUBLISHED_LINE.match(text, s, e) for s, e in header):
        return None, body  # the header has the plain date line: ``_header_fields`` reads it
    for i, (s, e) in enumerate(body[:3]):
        line = text[s:e]
        m = _META_DATE.search(line)
        if m and len(line) <= META_LINE_LIMIT and (_META_LINE.search(line) or m.group(0) == line.strip() or _STAMP_LINE.match(line)):
            return (s + m.start(1), s + m.end(1)), body[:i] + body[i + 1 :]
    return None, body


def _header_fields(text: str, header: list[Span], out: Outline) -> None:
    title: list[Span] = []
    intro: list[Span] = []
    for s, e in header:
        line = text[s:e]
        if out.published is None and (m := _PUBLISHED_LINE.match(line)):
            out.published = (s + m.start(1), s + m.end(1))
            continue
        if out.published is None and len(line) <= META_LINE_LIMIT and _META_LINE.search(line) and (m := _META_DATE.search(line)):
            out.published = (s + m.start(1), s + m.end(1))  # ``来源:湘潭廉政网 发布时间: 2025-01-26`` under the title
            continue
        if not intro and _is_title_line(line):
            title.append((s, e))
            continue
        intro.append((s, e))
    if title:
        out.title = (title[0][0], title[-1][1])
    if intro:
        out.intro = (intro[0][0], intro[-1][1])


def _trailer_fields(text: str, trailer: list[Span], out: Outline) -> None:
    for s, e in trailer:
        line = text[s:e]
        if _DATE_LINE.match(line):
            out.signoff_date = (s, e)
        elif _ISSUER_LINE.match(line) and len(line) <= 40:
            out.issuer = (s, e)
        if (m := _EMAIL.search(line)) and out.email is None:
            out.email = (s + m.start(), s + m.end())
        if "电话" in line and out.phone is None and (m := _PHONE.search(line, line.find("电话"))):
            out.phone = (s + m.start(), s + m.end())
        if (m := _ADDRESS.search(line)) and out.address is None:
            out.address = (s + m.start(1), s + m.end(1))


def parse(text: str) -> Outline:
    paras = lines_of(text)
    body, trailer = _split_trailer(text, paras)
    header, body = _split_header(text, body)
    meta, body = _meta_line(text, header, body)
    nodes = build_tree(text, body)
    out = Outline(text=text, nodes=nodes, problems=[], grammar="none")
    out.published = meta
    out.body = (body[0][0], body[-1][1]) if body else (0, 0)
    _header_fields(text, header, out)
    _trailer_fields(text, trailer, out)
    opening, body = _opening(text, header, body, out)
    out.units = headed.units(text, nodes)
    found = findings.recognize(Page(text, nodes, opening, body, out.title, len(out.units)))
    out.grammar, out.problems = found.grammar, found.problems
    if found.units and (len(found.units) >= 2 or not out.units):
        out.units = found.units
    return out


def _opening(text: str, header: list[Span], body: list[Span], out: Outline) -> tuple[list[Span], list[Span]]:
    """The paragraphs after the title that open the notice (who inspected whom, when), and the rest. A
    notice without headings has no header: its first paragraph is the opening when it reads as one."""
    opening = [sp for sp in header if out.title is None or sp[0] >= out.title[1]]
    if out.intro is None and body and _INTRO_LINE.search(text[body[0][0] : body[0][1]]):
        out.intro = body[0]
        return opening + body[:1], body[1:]
    return opening, body


_INTRO_LINE = re.compile(r"^(?:根据|按照|依据|遵照)|巡[察视]组.{0,40}(?:进驻|进行了|开展了|反馈)")
