"""Agreement on problem categories between the first labels and a blind second reader, over the news sets.

Why: a category is a reader's judgment; a tool can't be expected to agree with gold more than two careful
readers agree with each other. The second reader's labels (`evals/gold/second_reader_news/category.jsonl`)
were committed before this script was written. Run: `python evals/agreement_news.py`.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent
GOLD = ROOT / "gold"
SECOND = GOLD / "second_reader_news" / "category.jsonl"


def kappa(a: list[str], b: list[str]) -> tuple[float, float]:
    """(observed agreement, Cohen's kappa) of two label lists over the same items."""
    n = len(a)
    if n == 0:
        return float("nan"), float("nan")
    po = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    pe = sum(ca[k] * cb[k] for k in ca.keys() & cb.keys()) / (n * n)
    return po, (po - pe) / (1 - pe) if pe < 1 else 1.0


def first_label(set_name: str, notice: str, pid: str, cache: dict[Path, dict[str, str]]) -> str | None:
    path = GOLD / set_name / f"{notice}.json"
    if path not in cache:
        problems = json.loads(path.read_text(encoding="utf-8"))["problems"] if path.exists() else []
        cache[path] = {p["id"]: p["category"] for p in problems}
    return cache[path].get(pid)


def main() -> None:
    cache: dict[Path, dict[str, str]] = {}
    pairs: dict[str, list[tuple[str, str]]] = {}
    missing = 0
    for line in SECOND.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        first = first_label(row["set"], row["notice"], row["id"], cache)
        if first is None:
            missing += 1
            continue
        pairs.setdefault(row["set"], []).append((first, row["category"]))
    everything = [p for rows in pairs.values() for p in rows]
    print(f"{'set':<10} {'n':>4} {'agree':>6} {'kappa':>6}")
    for name, rows in [*sorted(pairs.items()), ("overall", everything)]:
        po, k = kappa([a for a, _ in rows], [b for _, b in rows])
        print(f"{name:<10} {len(rows):>4} {po:>6.3f} {k:>6.3f}")
    if missing:
        print(f"({missing} second-reader findings had no first label and were skipped)")
    print("\nmost frequent disagreements (first -> second):")
    for (a, b), n in Counter((a, b) for a, b in everything if a != b).most_common(10):
        print(f"{n:>4}  {a} -> {b}")


if __name__ == "__main__":
    main()
