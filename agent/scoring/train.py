"""Train the learned detectors from the gold folders: which clauses state findings, a finding's class, a notice's type.

Why a module of its own: the rules grow one wording at a time, while the gold already in the repo holds
thousands of labelled clauses; a plain character n-gram logistic regression learned from them reaches
wordings no rule knows (measured on unseen notices: README, Evals). Training is deterministic (liblinear,
fixed data order) and takes seconds; the result is stored as plain JSON (weights per feature, bias, the
gold's hash and the library's version) in ``agent/models/`` and read at run time by ``agent.text.learned``
without scikit-learn. Structuring never trains. scikit-learn is needed here only (the ``train`` extra).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.schema import CATEGORIES
from agent.text.clauses import clauses, features, head_features, title_features
from agent.text.ingest import read_notice
from agent.text.view import reading_view

ROOT = Path(__file__).resolve().parents[2]
GOLD_ROOT = ROOT / "evals" / "gold"
MODELS = ROOT / "agent" / "models"
C_CLAUSES = 0.5  # inverse regularisation, chosen on held-out sets (README, Evals)
C_CATEGORY = 2.0
C_DOCTYPE = 1.0
DOC_TYPES = ("feedback", "rectification_progress", "rectification_roundup", "other")


def gold_dirs(root: Path = GOLD_ROOT, seen_only: bool = True) -> list[Path]:
    """The gold sets of records (folders of ``<stem>.json`` with ``problems``), second readers excluded; by
    default only sets whose first sight is logged (``firstsight.seen_sets``): an unseen set is never learned from."""
    from agent.scoring.firstsight import seen_sets

    seen = seen_sets()
    return sorted(d for d in root.iterdir() if d.is_dir() and not d.name.startswith("second_reader")
                  and any(d.glob("*.json")) and (not seen_only or d.name in seen))


def _records(dirs: Iterable[Path]) -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    for d in sorted(dirs):
        for p in sorted(d.glob("*.json")):
            g = json.loads(p.read_text(encoding="utf-8"))
            if isinstance(g, dict) and "problems" in g and g.get("source"):
                out.append((f"{d.name}/{p.stem}", g))
    return out


@dataclass
class Rows:
    x: list[list[str]] = field(default_factory=list)
    y: list[int] = field(default_factory=list)
    digest: str = ""


def _finding_regions(g: dict[str, Any]) -> list[tuple[int, int]]:
    """Where a gold record's findings are stated: each title and description (a rectification's measures not)."""
    out: list[tuple[int, int]] = []
    for p in g["problems"]:
        parts = [x["span"] for x in (p.get("title"), p.get("description")) if x and x.get("span")]
        out.extend((s[0], s[1]) for s in (parts or [p["span"]]))
    return out


def clause_rows(dirs: Iterable[Path]) -> Rows:
    """One row per clause of every gold notice's reading view: features, and 1 when at least half of it lies
    inside a finding's title or description."""
    rows, h = Rows(), hashlib.sha256()
    for _, g in _records(dirs):
        text = read_notice(ROOT / g["source"]).text
        view = reading_view(text)
        regions = [view.to_view(s, e) for s, e in _finding_regions(g)]
        h.update(text.encode())
        h.update(json.dumps(regions).encode())
        cl = clauses(view.text)
        for i, c in enumerate(cl):
            inside = max((min(c.end, e) - max(c.start, s) for s, e in regions), default=0)
            rows.x.append(features(view.text, cl, i))
            rows.y.append(int(2 * inside >= c.end - c.start))
    rows.digest = h.hexdigest()[:16]
    return rows


def labelled(problem: dict[str, Any]) -> tuple[str, str, str] | None:
    """(title, description, category) of a gold finding with a title and a known class; None otherwise."""
    title, cat = (problem.get("title") or {}).get("text"), problem.get("category")
    if not title or cat not in CATEGORIES:
        return None
    return title, (problem.get("description") or {}).get("text") or "", cat


def category_rows(dirs: Iterable[Path]) -> Rows:
    """One row per gold finding with a title and a category (the title's features and the class's index), and
    one more per clause of its description, with the same class: the specifics name the class in more words
    than a short title does. Left out in turn over 17 sets (1,089 titles), titles alone 0.782, with the clauses
    0.794; held-out 15 and 16, the newest unseen sets, 102 → 113 of 147."""
    rows, h = Rows(), hashlib.sha256()
    for _, g in _records(dirs):
        for p in g["problems"]:
            if (got := labelled(p)) is None:
                continue
            title, desc, cat = got
            parts = [desc[c.start : c.end] for c in clauses(desc)]  # cut as the clause model cuts (agent.text.clauses)
            for text in [title, *(c for c in parts if len(c) >= 4)]:
                rows.x.append(title_features(reading_view(text).text))
                rows.y.append(CATEGORIES.index(cat))
            h.update(f"{title}\t{desc}\t{cat}\n".encode())
    rows.digest = h.hexdigest()[:16]
    return rows


def doctype_rows(dirs: Iterable[Path]) -> Rows:
    """One row per gold notice: the head of its reading view and its document type's index."""
    rows, h = Rows(), hashlib.sha256()
    for _, g in _records(dirs):
        if g.get("doc_type") in DOC_TYPES:
            view = reading_view(read_notice(ROOT / g["source"]).text).text
            rows.x.append(head_features(view))
            rows.y.append(DOC_TYPES.index(g["doc_type"]))
            h.update(f"{view[:400]}\t{g['doc_type']}\n".encode())
    rows.digest = h.hexdigest()[:16]
    return rows


def _fit(rows: Rows, c: float, solver: str = "liblinear") -> tuple[list[str], Any, Any, list[int]]:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = DictVectorizer()
    x = vec.fit_transform([dict.fromkeys(f, 1) for f in rows.x]).tocsr()
    x.indices, x.indptr = x.indices.astype("int32"), x.indptr.astype("int32")  # liblinear takes 32-bit indices
    model = LogisticRegression(C=c, solver=solver, max_iter=2000, class_weight="balanced")
    model.fit(x, rows.y)
    return list(vec.get_feature_names_out()), model.coef_, model.intercept_, [int(k) for k in model.classes_]


def train_clauses(dirs: Iterable[Path], c: float = C_CLAUSES) -> dict[str, Any]:
    import sklearn

    rows = clause_rows(dirs)
    names, coef, bias, _ = _fit(rows, c)
    weights = {n: round(float(w), 5) for n, w in zip(names, coef[0], strict=True) if abs(w) >= 1e-4}
    return {"kind": "clauses", "bias": round(float(bias[0]), 5), "weights": weights, "gold": rows.digest,
            "rows": len(rows.y), "positive": sum(rows.y), "C": c, "sklearn": sklearn.__version__}


def _multiclass(kind: str, rows: Rows, labels: tuple[str, ...], c: float) -> dict[str, Any]:
    """A multinomial model (lbfgs: deterministic) as JSON: one weight per class for each feature."""
    import sklearn

    names, coef, bias, classes = _fit(rows, c, solver="lbfgs")
    got = [labels[k] for k in classes]
    weights = {n: [round(float(coef[k][j]), 5) for k in range(len(got))] for j, n in enumerate(names)}
    return {"kind": kind, "classes": got, "bias": [round(float(b), 5) for b in bias],
            "weights": weights, "gold": rows.digest, "rows": len(rows.y), "C": c, "sklearn": sklearn.__version__}


def train_category(dirs: Iterable[Path], c: float = C_CATEGORY) -> dict[str, Any]:
    return _multiclass("category", category_rows(dirs), CATEGORIES, c)


def train_doctype(dirs: Iterable[Path], c: float = C_DOCTYPE) -> dict[str, Any]:
    return _multiclass("doctype", doctype_rows(dirs), DOC_TYPES, c)


def train_all(dirs: Iterable[Path] | None = None, out: Path = MODELS) -> dict[str, Path]:
    """Train the three models (clauses, category, document type) on ``dirs`` (every logged gold set by
    default) and store them as JSON in ``out``."""
    dirs = list(dirs or gold_dirs())
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, model in (("clauses", train_clauses(dirs)), ("category", train_category(dirs)), ("doctype", train_doctype(dirs))):
        model["sets"] = sorted(d.name for d in dirs)
        path = out / f"{name}.json"
        path.write_text(json.dumps(model, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")
        paths[name] = path
    return paths
