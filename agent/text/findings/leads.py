"""Findings introduced by a lead: an aspect (``在X方面，…``), a unit opening each sentence (``淄博市…``), a
quotation that opens a news item (``“A，B，C……”近日，…巡察组…反馈…``), or the quoted finding a rectification
paragraph answers (``针对“X”问题，…``).

Why a module of its own: in these forms the words before a finding are not a cue that opens a passage
(``存在的主要问题是：``) but a label of the finding itself — what it is about, whose it is, or that a reporter
quoted it — and each label is cut off the item or kept as its unit. ``prose`` asks these functions per
paragraph or per passage; each returns item spans (and units) or nothing. Pure.
"""

from __future__ import annotations

import re

from agent.schema import Span
from agent.text import vocab
from agent.text.findings.items import (
    LIST_FRONT,
    list_at,
    list_items,
    quote_aware_split,
    sentences,
    states_problem,
    trim,
)

# ``在党风廉政建设方面，…``: an aspect that labels the findings of its sentence
ASPECT_LEAD = re.compile(r"在([^，,。；;：:]{2,30}?)方面[，,：:]")
# ``淄博市履行管党治党责任不到位…``: a unit (a city, county or district, or its party committee) opens the sentence
_UNIT_LED = re.compile(rf"(?P<unit>[\u4e00-\u9fa5]{{1,6}}?{vocab.fragment('county')}(?:委|政府)?)(?=[\u4e00-\u9fa5])")
_NOT_UNIT_START = re.compile(r"(?:本|全|该|各|我|市|县|区|州)(?:市|县|区|州)")
# the text after a quotation that opens a news item says the quotation is the feedback
_AFTER_QUOTE = re.compile(r"巡[察视]|反馈")
CLAUSE_LIMIT = 40
# ``针对（巡察反馈的）“X”问题，<what was done>``: a rectification paragraph that names its finding in quotes
_TARGETED = re.compile(r"针对(?:巡[察视](?:反馈|发现|指出)的?)?“(?P<x>[^“”]{4,80})”(?:的?问题)?[，,：:]")


def aspect_items(text: str, s: int, e: int) -> list[Span]:
    """Findings of sentences each led by an aspect (two or more such sentences in [s, e)): the aspect is cut
    off; the rest is cut at ``；``, a ``A、B等问题`` list gives one item each, any other part is one finding."""
    led = []
    for a, b in sentences(text, s, e):
        a, b = trim(text, (a, b))
        m = ASPECT_LEAD.match(text, a, b)
        if m is not None:
            led.append((m.end(), b))
    if len(led) < 2:
        return []
    out: list[Span] = []
    for a, b in led:
        for part in quote_aware_split(text, a, b, "；;"):
            out.extend(_part_items(text, trim(text, part)))
    return out


def aspect_led_parts(text: str, s: int, e: int) -> list[Span]:
    """Parts of [s, e) (parted by ``。`` or ``；``) each led by an aspect that state a problem, when two or more
    are (``在落实扶贫主体责任方面，…压得不实；在驻村帮扶工作方面，存在…流于形式；``): each part without its label."""
    out: list[Span] = []
    for part in quote_aware_split(text, s, e, "。；;"):
        a, b = trim(text, part)
        lead = re.match(r"(?:据介绍|具体来看|具体而言|其中|同时)?[，,]?", text[a:b])
        m = ASPECT_LEAD.match(text, a + (lead.end() if lead else 0), b)
        if m is not None and b - m.end() >= 4 and states_problem(text, m.end(), b):
            out.append((m.end(), b))
    return out if len(out) >= 2 else []


def _part_items(text: str, part: Span) -> list[Span]:
    a, b = part
    m = list_at(text, a, b) or LIST_FRONT.match(text, a, b)
    if m is not None and m.start() == a and "、" in m.group("list"):  # the part is the list itself
        return [p for p in list_items(text, m) if p[1] - p[0] >= 3]
    return [part] if b - a >= 4 and states_problem(text, a, b) else []


def unit_led(text: str, s: int, e: int) -> list[tuple[Span, Span]]:
    """(unit, finding) for each sentence of [s, e) that a unit opens and that states a problem — when two
    or more do (``淄博市履行…不到位。枣庄市基层党组织建设薄弱…。``); the finding is the sentence after its unit."""
    out: list[tuple[Span, Span]] = []
    for a, b in sentences(text, s, e):
        a, b = trim(text, (a, b))
        m = _UNIT_LED.match(text, a, b)
        if m is None or _NOT_UNIT_START.match(text, a) or not states_problem(text, m.end(), b):
            continue
        out.append(((m.start("unit"), m.end("unit")), (m.end(), b)))
    return out if len(out) >= 2 else []


def quoted_items(text: str, s: int, e: int) -> list[Span]:
    """A paragraph that opens by quoting the findings (``“A，B，C……”近日，…巡察组…反馈了…``), or quotes them
    as a list inside a sentence (``针对巡视反馈的“A，B”“C”等问题``): the quoted clauses, parted by ``；`` or
    else by short ``，`` clauses that mostly state problems."""
    if s >= e:
        return []
    if text[s] != "“":
        return [item for m in _QUOTED_LIST.finditer(text, s, e) for q in re.finditer("“([^“”]+)”", m.group())
                for item in _quoted(text, m.start() + q.start(1), m.start() + q.end(1), 1)]
    close = text.find("”", s + 1, e)
    if close < 0 or not _AFTER_QUOTE.search(text, close, e):
        return []
    return _quoted(text, s + 1, close, 2)


# quotations that a sentence lists as findings: ``（巡视）反馈的“A，B”“C”等问题``
_QUOTED_LIST = re.compile(r"(?<=[反馈指出发现的将])(?:“[^“”]{4,120}”[、，,]?){1,8}等(?:[^。；;，,“”]{0,6}?)问题")


def _quoted(text: str, a: int, b: int, least: int) -> list[Span]:
    """The clauses of one quotation [a, b) that state problems, when at least ``least`` do and most parts do."""
    while b > a and text[b - 1] in "…。.":
        b -= 1
    parts = [trim(text, sp) for sp in quote_aware_split(text, a, b, "；;")]
    if len(parts) < 2:
        parts = [trim(text, sp) for sp in quote_aware_split(text, a, b, "，,")]
        if any(p[1] - p[0] > CLAUSE_LIMIT for p in parts):
            return []
    stating = [p for p in parts if p[1] - p[0] >= 4 and states_problem(text, *p) and not vocab.says("focus", text[p[0] : p[1]])]
    return stating if len(stating) >= least and 2 * len(stating) >= len(parts) else []


def targeted(text: str, s: int, e: int) -> tuple[Span, list[Span]] | None:
    """(finding, measures) of a paragraph that opens ``针对“X”问题，…``: X is the finding, each sentence after it
    a measure (so the rectification's own words decide its status)."""
    m = _TARGETED.match(text, s, e)
    if m is None or not states_problem(text, m.start("x"), m.end("x")):
        return None
    measures = [trim(text, sp) for sp in sentences(text, m.end(), e)]
    return (m.start("x"), m.end("x")), [sp for sp in measures if sp[1] > sp[0]]
