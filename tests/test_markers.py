"""The marker grammar (``agent.text.markers``): every style on its example and non-example, its number read
the same whichever style matched, and a new style reaching every place that plays its role."""

from __future__ import annotations

import re

import pytest

from agent.text import markers
from agent.text.markers import MARKERS


@pytest.mark.parametrize("marker", MARKERS, ids=lambda m: m.style)
def test_each_style_matches_its_example_and_not_its_non_example(marker: markers.Marker) -> None:
    assert re.match(marker.fragment, marker.example), marker.example
    assert not re.match(marker.fragment, marker.non_example), marker.non_example


@pytest.mark.parametrize(("text", "style", "n"), [
    ("（十二）强化监督", "paren_cn", 12), ("(3)票据", "paren_num", 3), ("二十、整改", "cn", 20), ("12.财务", "num", 12),
    ("三是学习", "shi", 3), ("⑫资金", "circ", 12), ("其二，管理", "qi", 2),
])
def test_number_whichever_style(text: str, style: str, n: int) -> None:
    m = re.match(markers.pattern("clause"), text)
    assert m is not None and markers.style_of(m) == style and markers.number(m) == n


def test_every_role_is_played_and_every_style_has_one() -> None:
    assert all(m.roles for m in MARKERS)
    for role in ("heading", "item", "clause", "lead"):
        assert markers.pattern(role)


def test_every_style_has_a_level_in_the_official_order() -> None:
    from agent.text import markers

    assert {s for row in markers.LEVELS for s in row} == set(markers.STYLES)
    order = [markers.level(s) for s in ("cn", "paren_cn", "num", "paren_num", "circ", "shi")]
    assert order == sorted(order) and len(set(order)) == len(order)
    assert markers.level("num_bare") == markers.level("num"), "5. and a bare 5 are one list"
