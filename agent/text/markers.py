"""List and heading markers, one grammar: each marker style once, with its numbering, an example and a
non-example, and the places that read it.

Why a module of its own: notices number their findings and sections in a dozen ways (一、 (一) 1. (1) ① 一是
其一 第一 1）), and the outline, the findings recognizers, the clause model's features and the figures all
need to know a marker when they see one. Each used to keep its own list, and a new style (``其一，…其二，…``)
meant edits in six files. Here a style is one row: its regex fragment (one named group holding its number),
an example it must match at its start and a non-example it must not, and its roles:

- ``heading``: a paragraph that opens with it is a heading or a numbered item of the outline;
- ``item``: a list item inside a paragraph (after a sentence or clause break);
- ``clause``: a clause that opens with it is marked (a feature of the learned clause model);
- ``lead``: a list paragraph below a findings cue opens with it.

``pattern(role)`` joins a role's fragments in the table's order; ``number(match)`` reads the item's number
whichever style matched. Full-width digits are folded by the reading view before any rule reads a marker.
``tests/test_markers.py`` proves every row on its example and non-example. Pure.
"""

from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple

CN_NUM = "一二三四五六七八九十"
_CN = f"[{CN_NUM}]{{1,4}}"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


class Marker(NamedTuple):
    style: str  # also the name of the group that holds the number
    fragment: str
    example: str  # the fragment matches at its start
    non_example: str  # it does not
    roles: frozenset[str]
    guard: str = ""  # a lookbehind it needs as a list item inside a paragraph (``item`` role)


def _roles(*names: str) -> frozenset[str]:
    return frozenset(names)


ALL = _roles("heading", "item", "clause", "lead")
MARKERS: tuple[Marker, ...] = (
    Marker("paren_cn", rf"[(（](?P<paren_cn>{_CN})[)）]", "（三）强化监督执纪", "（注）", ALL),
    Marker("paren_num", r"[(（](?P<paren_num>\d{1,3})[)）]", "(12)票据审核不严", "(2023)28号", ALL),
    Marker("cn", rf"(?P<cn>{_CN})[、.．]", "二、整改情况", "二〇二三年", ALL, guard="(?<=[。；;：:])"),
    Marker("num", r"(?P<num>\d{1,2})[.、．](?!\d)", "3.财务管理不规范", "3.5万元", ALL),
    Marker("shi", rf"(?P<shi>{_CN})是", "一是学习不深入", "是否到位", ALL),
    Marker("circ", rf"(?P<circ>[{CIRCLED}])", "②资金管理不规范", "○号文件", _roles("item", "clause")),
    Marker("num_paren", r"(?P<num_paren>\d{1,2})[)）](?!\d)", "2）制度不健全", "2023）", _roles("clause")),
    Marker("qi", rf"其(?P<qi>[{CN_NUM}]{{1,3}})[，,、：:]", "其一，学习不深入", "其他问题", _roles("item", "clause")),
    Marker("di", rf"第(?P<di>{_CN})[，,、]", "第一，学习贯彻不深入", "第一巡察组", _roles("clause")),
    Marker("num_bare", r"(?P<num_bare>\d{1,2})(?![\d.．]\d)(?=[\u4e00-\u9fff])", "5财务管理不规范", "2023年",
           _roles("lead")),
)
STYLES = tuple(m.style for m in MARKERS)
# The order of levels in an official text (一、 over （一） over 1. over （1） over ①), with the in-paragraph
# styles (一是, 其一, 第一，) below them all; styles on one row are one level (5. and a bare 5 are the same list).
# A paragraph at a higher level frames the ones below it.
LEVELS: tuple[tuple[str, ...], ...] = (("cn",), ("paren_cn",), ("num", "num_bare"), ("paren_num", "num_paren"), ("circ",),
                                       ("shi", "qi", "di"))


def level(style: str) -> int:
    """A style's row in ``LEVELS`` (0 is the top)."""
    return next(i for i, row in enumerate(LEVELS) if style in row)


@cache
def pattern(role: str, guarded: bool = False) -> str:
    """The fragments of every style that plays ``role``, in the table's order, as one alternation (with each
    style's guard when ``guarded``: list items inside a paragraph)."""
    return "|".join((m.guard if guarded else "") + m.fragment for m in MARKERS if role in m.roles)


def pattern_of(*styles: str) -> str:
    """The fragments of the named styles, as one alternation."""
    return "|".join(m.fragment for m in MARKERS if m.style in styles)


@cache
def compiled(role: str, prefix: str = "", guarded: bool = False) -> re.Pattern[str]:
    return re.compile(f"{prefix}(?:{pattern(role, guarded)})")


def style_of(m: re.Match[str]) -> str:
    """Which style a match of ``pattern`` is."""
    groups = m.groupdict()
    return next(s for s in STYLES if groups.get(s))


def number(m: re.Match[str]) -> int | None:
    """The item number a marker match says (一 → 1, ⑫ → 12, 十二 → 12), whichever style matched."""
    said = m.group(style_of(m))
    if said[0].isdigit():
        return int(said)
    if said in CIRCLED:
        return CIRCLED.index(said) + 1
    return cn_small(said)


def cn_small(cn: str) -> int | None:
    """A small Chinese numeral (一 … 九十九) as a number; None for anything else."""
    vals = {c: i + 1 for i, c in enumerate(CN_NUM)}
    if not cn:
        return None
    if cn == "十":
        return 10
    if cn.startswith("十"):
        return 10 + vals.get(cn[1], 0)
    if len(cn) == 3 and cn[1] == "十":
        return vals.get(cn[0], 0) * 10 + vals.get(cn[2], 0)
    if len(cn) == 2 and cn[1] == "十":
        return vals.get(cn[0], 0) * 10
    return vals.get(cn) if len(cn) == 1 else None
