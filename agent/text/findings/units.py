"""Per-unit disclosures: the wordings that tie findings to the body they belong to.

Why a module of its own: a disclosure of several bodies names each before its findings — a line
``区委政法委存在的主要问题是：…``, a heading ``一、县卫生健康局党组`` over a paragraph of findings, or
``巡视组指出，平湖市委…。…。`` — and whether a string is a body's name (``is_unit_name``) is asked by the prose
recognizer for every paragraph. The wordings live here; ``prose`` turns what they find into passages. Pure.
"""

from __future__ import annotations

import re

from agent.schema import Span
from agent.text import vocab
from agent.text.findings.items import PROBLEM_WORDS, finding_sentences, sentences, turns_to_asks

# A per-unit disclosure line: ``X存在的主要问题是：…`` / ``X存在问题：…`` / ``X：…``.
_UNIT_LEAD = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．])?\s*"
    r"(?P<unit>[^，,。：:；;\s]{2,40}?)"
    r"(?:(?:存在的?|的)(?:主要|突出)?问题(?:主要)?(?:是|有|为|包括)?|主要问题(?:是|有|为)?|巡察发现的?(?:主要)?问题(?:是|有)?)?[:：]"
)
# a line that only names a unit's findings, which the next paragraph lists
UNIT_LINE = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．])?\s*(?P<unit>[^，,。：:；;\s]{2,40}?)"
    r"(?:存在的?(?:主要|突出)?问题|主要问题|巡察发现的?(?:主要)?问题)[:：]?$"
)
# ``(省委)巡视组指出，<unit>…``: a disclosure naming the unit its findings belong to
_POINTED = re.compile(
    r"(?:[^，,。：:]{0,12}?)巡[视察](?:[一二三四五六七八九十\d]+)?组(?:在反馈中|反馈时)?指出[,，:：]\s*"
    rf"(?P<unit>[\u4e00-\u9fa5]{{2,12}}?(?:{vocab.fragment('county')}委|{vocab.fragment('party_body')}))"
)
_UNIT_NAME = vocab.pattern("unit_suffix")  # one list of unit-name endings (agent.text.vocab)
# what speaks of findings is no body they belong to: the inspection group, or a cue verb (``巡察组指出``)
_SPEAKER = re.compile(rf"巡[察视](?:[一二三四五六七八九十\d]+)?组|{vocab.fragment('finding_cue')}")


def is_unit_name(s: str) -> bool:
    """A body that findings are tied to (``区委政法委``, ``县卫生健康局党组``, ``马厂镇党委``)."""
    return 2 <= len(s) <= 30 and bool(_UNIT_NAME.search(s)) and not re.search(r"[，,。；;]", s)


def speaks(s: str) -> bool:
    """``巡察组指出的问题主要是：`` opens a findings passage, but what stands before it is the group that speaks (or a
    cue verb), not a body the findings belong to."""
    return bool(_SPEAKER.search(s))


def unit_lead(text: str, s: int, e: int) -> tuple[Span, Span] | None:
    """(the unit, its findings) of a paragraph that opens ``X存在的主要问题是：…`` (or ``X：…`` when X is a body's
    name) and names a problem after it."""
    m = _UNIT_LEAD.match(text[s:e])  # on the slice: ``^`` does not anchor at a ``pos`` argument
    if not m:
        return None
    explicit = m.end() - m.end("unit") > 1  # ``存在的主要问题是：`` rather than a bare ``：``
    if not explicit and not is_unit_name(m.group("unit")) or not PROBLEM_WORDS.search(text, s + m.end(), e):
        return None
    return (s + m.start("unit"), s + m.end("unit")), (s + m.end(), e)


def pointed(text: str, s: int, e: int) -> tuple[Span, Span, tuple[Span, ...]] | None:
    """(the unit, its findings, one per sentence) of ``巡视组指出，平湖市委对接…不够主动。对工程领域…监管不力。…``:
    a paragraph that names the unit right after ``指出`` and then states two or more findings."""
    m = _POINTED.match(text, s, e)
    if m is None:
        return None
    e = next((a for a, b in sentences(text, m.end("unit"), e) if turns_to_asks(text[a:b])), e)  # 就存在问题，提出了整改意见建议
    found = finding_sentences(text, m.end("unit"), e)
    if len(found) < 2:
        return None
    return (m.start("unit"), m.end("unit")), (m.end("unit"), e), tuple(found)
