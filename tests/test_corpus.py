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


FACTS: list[dict[str, Any]] = json.loads((Path(__file__).parent / "corpus" / "facts.json").read_text(encoding="utf-8"))["cases"]


def _fields(text: str) -> tuple[dict[str, Any], list[list[Any]]]:
    rec = rules_record(analyse(Notice("corpus.txt", text, "utf-8", "corpus")))
    i = rec.inspection
    fields = {"doc_type": rec.doc_type, "inspector": i.inspector.text if i.inspector else None,
              "kind": i.kind.text if i.kind else None, "start": i.start, "end": i.end, "feedback_date": i.feedback_date,
              "targets": [t.text for t in i.targets]}
    return fields, [[f.kind, f.text, f.value] for f in rec.figures]


@pytest.mark.parametrize("case", FACTS, ids=lambda c: c["wording"])
def test_corpus_facts(case: dict[str, Any]) -> None:
    """The inspection facts and figures corpus (``tests/corpus/facts.json``): only the fields a case names."""
    fields, figures = _fields(case["text"])
    assert {k: fields[k] for k in case.get("expect", {})} == case.get("expect", {})
    if "figures" in case:
        assert figures == case["figures"]
