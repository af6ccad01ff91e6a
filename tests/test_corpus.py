"""The findings corpus (``tests/corpus/findings.json``): one made-up text per wording, the recognizer that must
take it and the titles it must give, and texts that must give none. A new wording is one more entry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agent.record.pipeline import analyse, rules_record
from agent.text.ingest import Notice

CASES: list[dict[str, Any]] = json.loads((Path(__file__).parent / "corpus" / "findings.json").read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["wording"])
def test_corpus_wording(case: dict[str, Any]) -> None:
    rec = rules_record(analyse(Notice("corpus.txt", case["text"], "utf-8", "corpus")))
    assert [p.title.text for p in rec.problems] == case["titles"]
    if case["recognizer"]:
        assert {p.found_by for p in rec.problems} == {case["recognizer"]}
