"""Spans back to the notice as published: a record built on the reading view, re-anchored in the original.

Why a module of its own: the rules read the reading view (``agent.text.view``: simplified script, folded
digits, glosses dropped), but a record quotes the notice as published and every span in it indexes into
that text. This is the one place where view spans become original spans: every ``span`` in the record is
mapped, and every quoted ``text`` that was the view's slice becomes the original's slice. Pure.
"""

from __future__ import annotations

from typing import Any

from agent.schema import Figure, NoticeRecord
from agent.text.view import View


def _remap(node: Any, view: View) -> Any:
    if isinstance(node, list):
        return [_remap(x, view) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: _remap(v, view) for k, v in node.items()}
    span = node.get("span")
    if isinstance(span, list) and len(span) == 2 and all(isinstance(x, int) for x in span):
        s, e = view.to_original(span[0], span[1])
        out["span"] = [s, e]
        if isinstance(node.get("text"), str) and node["text"] == view.text[span[0] : span[1]]:
            out["text"] = view.original[s:e]
    return out


def to_original(record: NoticeRecord, view: View) -> NoticeRecord:
    """The record with every span and quoted text in the original text (itself when the view is the original)."""
    if view.identical:
        return record
    data = _remap(record.model_dump(mode="json"), view)
    data["text"] = view.original
    return NoticeRecord.model_validate(data)


def figures_to_original(figures: list[Figure], view: View) -> list[Figure]:
    """Regex figures found in the view, anchored in the original."""
    if view.identical:
        return figures
    return [Figure.model_validate(_remap(f.model_dump(mode="json"), view)) for f in figures]
