"""Agreement between the gold labels and an independent second reader: Cohen's kappa per judged field.

Why: a status or a category is a reader's judgment. A target above what two careful readers agree on is
noise, so the agreement is measured before tuning to gold (`python evals/agreement.py`).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def kappa(a: list[str], b: list[str]) -> tuple[float, float]:
    """(observed agreement, Cohen's kappa) of two label lists over the same items."""
    n = len(a)
    po = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    pe = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    return po, (po - pe) / (1 - pe) if pe < 1 else 1.0


def compare(gold_dir: Path, field: str, second: Path) -> dict[str, object]:
    gold = {}
    for p in sorted(gold_dir.glob("*.json")):
        for prob in json.loads(p.read_text(encoding="utf-8"))["problems"]:
            gold[(p.stem, prob["id"])] = prob[field]
    other = {}
    for line in second.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        other[(row["notice"], row["id"])] = row[field]
    keys = sorted(gold.keys() & other.keys())
    a, b = [gold[k] for k in keys], [other[k] for k in keys]
    po, k = kappa(a, b)
    confusion = Counter((x, y) for x, y in zip(a, b, strict=True) if x != y)
    return {"field": field, "items": len(keys), "agreement": round(po, 3), "kappa": round(k, 3),
            "disagreements": {f"{x} -> {y}": n for (x, y), n in confusion.most_common()},
            "split": [f"{s}:{i} gold={gold[(s, i)]} second={other[(s, i)]}" for s, i in keys if gold[(s, i)] != other[(s, i)]]}


if __name__ == "__main__":
    gold_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "gold" / "v1"
    for field, name in (("status", "status.jsonl"), ("category", "category.jsonl")):
        path = gold_dir / "second_reader" / name
        if path.exists():
            print(json.dumps(compare(gold_dir, field, path), ensure_ascii=False, indent=1))
