"""Small evaluator functions, one per field family, scoring a record against a hand-checked gold record.

Why: a prompt, schema or model change is judged by numbers, not by eyeballing. Each function takes the
predicted ``NoticeRecord`` and the gold dict (the same contract, written by reading the notice) and returns
plain numbers. Pure: the runner in ``evalrun`` decides how records are produced.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from typing import Any

from agent.schema import NoticeRecord, Problem, Span

_PUNCT = re.compile(r"[\s\u3000,，。、:：;；()（）“”\"'《》]")


def norm(s: str | None) -> str:
    return _PUNCT.sub("", s or "")


def overlap(a: Span | list[int] | None, b: Span | list[int] | None) -> int:
    if not a or not b:
        return 0
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else (1.0 if not n_gold else 0.0)
    r = tp / n_gold if n_gold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def char_f1(a: str | None, b: str | None) -> float:
    """Character-overlap F1 of two short strings (a role against the gold role)."""
    if not a or not b:
        return 0.0
    ca, cb = Counter(a), Counter(b)
    common = sum((ca & cb).values())
    if not common:
        return 0.0
    p, r = common / len(a), common / len(b)
    return 2 * p * r / (p + r)


def match_problems(pred: list[Problem], gold: list[dict[str, Any]]) -> dict[str, str]:
    """gold id -> pred id: by span overlap (at least half of the shorter), then by title similarity."""
    pairs: list[tuple[float, str, str]] = []
    for g in gold:
        gs = g["span"]
        for p in pred:
            ov = overlap(p.span, gs)
            shorter = min(p.span[1] - p.span[0], gs[1] - gs[0]) or 1
            sim = difflib.SequenceMatcher(None, norm(p.title.text), norm((g.get("title") or {}).get("text"))).ratio()
            if ov / shorter >= 0.5:
                pairs.append((1.0 + ov / shorter + sim, g["id"], p.id))
            elif sim >= 0.6:
                pairs.append((sim, g["id"], p.id))
    pairs.sort(reverse=True)
    out: dict[str, str] = {}
    used: set[str] = set()
    for _, gid, pid in pairs:
        if gid not in out and pid not in used:
            out[gid] = pid
            used.add(pid)
    return out


def content_scores(pred: list[Span], gold: list[Span]) -> tuple[int, int]:
    """Findings by content, blind to how finely they were cut (``evals/gold/CONVENTION.md``): how many gold
    findings lie at least half inside one predicted problem (cover), and how many predicted problems hold
    at least half of a gold finding or lie at least half inside one (content)."""
    def half(a: Span | list[int], b: Span | list[int]) -> bool:  # at least half of a lies inside b
        return 2 * overlap(a, b) >= max(1, a[1] - a[0])

    covered = sum(1 for g in gold if any(half(g, p) for p in pred))
    content = sum(1 for p in pred if any(half(g, p) or half(p, g) for g in gold))
    return covered, content


def score_problems(rec: NoticeRecord, gold: dict[str, Any]) -> dict[str, Any]:
    gp = gold.get("problems", [])
    covered, content = content_scores([p.span for p in rec.problems], [g["span"] for g in gp])
    matches = match_problems(rec.problems, gp)
    by_pred = {p.id: p for p in rec.problems}
    scores: dict[str, Any] = prf(len(matches), len(rec.problems), len(gp))
    status = unit = category = 0
    unit_n = 0
    measures_hit = measures_n = 0
    confusion: dict[str, int] = {}  # "gold>predicted" status -> count
    for g in gp:
        pid = matches.get(g["id"])
        gm = [m["span"] for m in g.get("measures", [])]
        measures_n += len(gm)
        if pid is None:
            continue
        p = by_pred[pid]
        status += p.status == g.get("status")
        confusion[f"{g.get('status')}>{p.status}"] = confusion.get(f"{g.get('status')}>{p.status}", 0) + 1
        category += p.category is not None and p.category == g.get("category")
        if g.get("unit"):
            unit_n += 1
            unit += norm(p.unit) == norm(g["unit"])
        for ms in gm:
            if any(overlap(ms, pm.span) * 2 >= (ms[1] - ms[0]) for pm in p.measures):
                measures_hit += 1
    n = len(matches) or 1
    scores.update(
        covered=covered,
        content=content,
        matched=len(matches),
        predicted=len(rec.problems),
        gold=len(gp),
        status_accuracy=round(status / n, 4) if matches else (0.0 if gp else None),
        category_accuracy=round(category / n, 4) if matches else (0.0 if gp else None),
        unit_accuracy=round(unit / unit_n, 4) if unit_n else None,
        measures_recall=round(measures_hit / measures_n, 4) if measures_n else None,
        status_confusion=confusion,
        status_right=status,
        category_right=category,
        category_gold=sum(1 for g in gp if g.get("category") and g["id"] in matches),
    )
    return scores


def score_figures(rec: NoticeRecord, gold: dict[str, Any]) -> dict[str, Any]:
    """Exact (value, unit, kind) at an overlapping span; and the share attached to the right problem.
    Gold whose figures were not keyed (``"figures": null``) scores nothing here (``keyed`` False)."""
    if gold.get("figures") is None:
        return {**prf(0, 0, 0), "keyed": False, "matched": 0, "predicted": 0, "gold": 0, "roles_right": None,
                "roles_right_n": None, "attached_right": None, "roles": None}
    gf = gold.get("figures", [])
    used: set[str] = set()
    pairs: dict[str, str] = {}
    for g in gf:
        for f in rec.figures:
            if f.id in used or not overlap(f.span, g["span"]):
                continue
            if f.kind == g["kind"] and f.unit == g["unit"] and abs(f.value - float(g["value"])) < 1e-6:
                pairs[g["id"]] = f.id
                used.add(f.id)
                break
    scores: dict[str, Any] = prf(len(pairs), len(rec.figures), len(gf))
    owner_gold = {fid: p["id"] for p in gold.get("problems", []) for fid in p.get("figure_ids", [])}
    owner_pred = {fid: p.id for p in rec.problems for fid in p.figure_ids}
    pm = match_problems(rec.problems, gold.get("problems", []))
    attached = [gid for gid in pairs if gid in owner_gold]
    right = sum(1 for gid in attached if pm.get(owner_gold[gid]) == owner_pred.get(pairs[gid]))
    by_pred = {f.id: f for f in rec.figures}
    with_role = [g for g in gf if g["id"] in pairs and g["kind"] not in ("date", "phone") and g.get("role")]
    roles_right = sum(1 for g in with_role if char_f1(by_pred[pairs[g["id"]]].role, g["role"]) >= 0.5)
    scores.update(
        roles_right=round(roles_right / len(with_role), 4) if with_role else None,
        roles_right_n=(roles_right, len(with_role)),
        matched=len(pairs), predicted=len(rec.figures), gold=len(gf),
        attached_right=round(right / len(attached), 4) if attached else None,
        roles=round(sum(1 for f in rec.figures if f.role) / len(rec.figures), 4) if rec.figures else None,
    )
    return scores


def text_of(x: Any) -> str | None:
    if x is None:
        return None
    return x.get("text") if isinstance(x, dict) else getattr(x, "text", None)


def score_metadata(rec: NoticeRecord, gold: dict[str, Any]) -> dict[str, Any]:
    """Exact match per field: dates as ISO strings, names after whitespace/punctuation normalisation."""
    gi = gold.get("inspection") or {}
    gc = gold.get("contact") or {}
    fields: dict[str, bool] = {
        "title": norm(text_of(rec.title)) == norm(text_of(gold.get("title"))),
        "doc_type": rec.doc_type == gold.get("doc_type"),
        "issuer": norm(text_of(rec.issuer)) == norm(text_of(gold.get("issuer"))),
        "published": rec.published == gold.get("published"),
        "inspector": norm(text_of(rec.inspection.inspector)) == norm(text_of(gi.get("inspector"))),
        "kind": norm(text_of(rec.inspection.kind)) == norm(text_of(gi.get("kind"))),
        "start": rec.inspection.start == gi.get("start"),
        "end": rec.inspection.end == gi.get("end"),
        "feedback_date": rec.inspection.feedback_date == gi.get("feedback_date"),
        "targets": {norm(t.text) for t in rec.inspection.targets} == {norm(text_of(t)) for t in gi.get("targets", [])},
        "units": [norm(u.text) for u in rec.units] == [norm(text_of(u)) for u in gold.get("units", [])],
        "phone": norm(text_of(rec.contact.phone)) == norm(text_of(gc.get("phone"))),
        "email": norm(text_of(rec.contact.email)) == norm(text_of(gc.get("email"))),
        "address": norm(text_of(rec.contact.address)) == norm(text_of(gc.get("address"))),
    }
    inspection = [fields[k] for k in INSPECTION_FIELDS]
    return {"accuracy": round(sum(fields.values()) / len(fields), 4), "fields": fields,
            "inspection": round(sum(inspection) / len(inspection), 4)}


# The inspection fields a user asks first: what kind of notice, who inspected, when, when fed back.
INSPECTION_FIELDS = ("doc_type", "inspector", "start", "end", "feedback_date")


def score_grounding(rec: NoticeRecord, regex_figures: list[Any]) -> dict[str, Any]:
    """Share of text fields with an exact or fuzzy span; share of figures that are regex figures (must be 1.0)."""
    fields = [rec.title, rec.issuer, rec.inspection.inspector, rec.inspection.kind, *rec.inspection.targets, *rec.units]
    for p in rec.problems:
        fields.extend([p.title, p.description, *p.measures])
    present = [f for f in fields if f is not None]
    ok = sum(1 for f in present if f.alignment in ("exact", "fuzzy") and f.span and rec.text[f.span[0] : f.span[1]] == f.text)
    regex = {(f.span[0], f.span[1], f.text) for f in regex_figures}
    figs_ok = sum(1 for f in rec.figures if (f.span[0], f.span[1], f.text) in regex)
    return {
        "text_fields": round(ok / len(present), 4) if present else 1.0,
        "figures": round(figs_ok / len(rec.figures), 4) if rec.figures else 1.0,
    }


def score_record(rec: NoticeRecord, gold: dict[str, Any], regex_figures: list[Any]) -> dict[str, Any]:
    return {
        "problems": score_problems(rec, gold),
        "figures": score_figures(rec, gold),
        "metadata": score_metadata(rec, gold),
        "grounding": score_grounding(rec, regex_figures),
        "cost": rec.usage.model_dump(),
        "errors": len(rec.errors),
    }
