"""Every vocabulary entry on its example (must match) and non-example (must not): one row per wording."""

from __future__ import annotations

import re

import pytest

from agent.text.vocab import CONCEPTS

ROWS = [(c, e) for c, entries in CONCEPTS.items() for e in entries]


@pytest.mark.parametrize("concept, entry", ROWS, ids=[f"{c}:{e.example}" for c, e in ROWS])
def test_entry(concept, entry):
    rx = re.compile(entry.fragment)
    assert rx.search(entry.example), f"{concept}: {entry.fragment!r} should match {entry.example!r}"
    assert not rx.search(entry.non_example), f"{concept}: {entry.fragment!r} should not match {entry.non_example!r}"
