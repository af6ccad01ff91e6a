"""The learned detectors at run time: stored weights in, scores out, no training library needed.

Why a module of its own: the models trained from the gold (``agent.scoring.train``) are plain JSON in
``agent/models/`` (weights per feature, bias, the gold's hash); reading them is a dot product over the
features of ``agent.text.clauses``. Nothing here trains, and no pickle is loaded. Pure.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

from agent.text.clauses import Clause, clauses, features, head_features, title_features

MODELS = Path(__file__).resolve().parents[1] / "models"
_FOLDER = [MODELS]  # where models are read from; ``use`` points it elsewhere (an eval that holds a set out)


def use(folder: Path | None) -> None:
    """Read models from ``folder`` from now on (None: the stored ones in ``agent/models``)."""
    _FOLDER[0] = folder or MODELS
    _load.cache_clear()


def load(name: str) -> dict[str, Any] | None:
    """A stored model by name (``clauses``, ``category``, ``doctype``); None when it has not been trained."""
    return _load(name, str(_FOLDER[0]))


@lru_cache(maxsize=8)
def _load(name: str, folder: str) -> dict[str, Any] | None:
    path = Path(folder) / f"{name}.json"
    if not path.exists():
        return None
    model: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return model


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def clause_scores(text: str, cl: list[Clause] | None = None, model: dict[str, Any] | None = None) -> list[float]:
    """The probability that each clause of ``text`` states a finding (0 for every clause without a model)."""
    cl = clauses(text) if cl is None else cl
    model = model or load("clauses")
    if model is None:
        return [0.0] * len(cl)
    w, b = model["weights"], model["bias"]
    return [_sigmoid(b + sum(w.get(f, 0.0) for f in set(features(text, cl, i)))) for i in range(len(cl))]


CONTEXT_CLAUSES = 4  # the description's first clauses that speak beside the title (left out in turn: README)


def category_scores(title: str, model: dict[str, Any] | None = None, description: str = "") -> dict[str, float]:
    """Each class's probability for a finding's title (reading view), its evidence joined by the mean of its
    description's first clauses' (the model learned from both); {} without a model. Left out in turn over 18
    sets (1,131 findings), the title alone 0.794, with the clauses 0.801."""
    model = model or load("category")
    if model is None:
        return {}
    z = _logits(title_features(title), model)
    parts = [description[c.start : c.end] for c in clauses(description)][:CONTEXT_CLAUSES] if description else []
    parts = [p for p in parts if len(p) >= 4 and p not in title]
    for p in parts:
        z = [a + b / len(parts) for a, b in zip(z, _logits(title_features(p), model), strict=True)]
    return _normalised(model["classes"], z)


def doctype_scores(text: str, model: dict[str, Any] | None = None) -> dict[str, float]:
    """Each document type's probability from the head of a notice's reading view; {} without a model."""
    return _softmax(head_features(text), model or load("doctype"))


def _softmax(feats: list[str], model: dict[str, Any] | None) -> dict[str, float]:
    return {} if model is None else _normalised(model["classes"], _logits(feats, model))


def _logits(feats: list[str], model: dict[str, Any]) -> list[float]:
    n = len(model["classes"])
    z = list(model["bias"])[:n]
    for f in set(feats):
        for k, v in enumerate(model["weights"].get(f, ())[:n]):
            z[k] += v
    return z


def _normalised(classes: list[str], z: list[float]) -> dict[str, float]:
    top = max(z)
    ex = [math.exp(v - top) for v in z]
    total = sum(ex)
    return {c: e / total for c, e in zip(classes, ex, strict=True)}
