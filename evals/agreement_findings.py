"""Agreement of two readers on findings: a blind second reader (evals/gold/second_reader_findings/<set>/) against
the gold, by content (each reader's findings lying at least half inside one of the other's) and one to one
(F1 after matching each finding to at most one of the other's at half overlap), and on category: of the gold findings
lying at least half inside one of the second reader's, the share whose category the two readers give alike (a
ceiling for any category classifier scored against one reader). Run: python evals/agreement_findings.py"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent / "gold"


def _half_inside(a: list[int], b: list[int]) -> bool:
    return 2 * max(0, min(a[1], b[1]) - max(a[0], b[0])) >= max(1, a[1] - a[0])


def _one_to_one(a: list[list[int]], b: list[list[int]]) -> int:
    used: set[int] = set()
    hits = 0
    for x in a:
        for j, y in enumerate(b):
            if j not in used and (_half_inside(x, y) or _half_inside(y, x)):
                used.add(j)
                hits += 1
                break
    return hits


def main() -> None:
    total = [0, 0, 0, 0, 0, 0, 0]  # gold n, second n, gold inside second, second inside gold, one-to-one, category alike, of
    for folder in sorted((ROOT / "second_reader_findings").iterdir()):
        row = [0, 0, 0, 0, 0, 0, 0]
        for f in sorted(folder.glob("*.json")):
            second_p = json.loads(f.read_text(encoding="utf-8"))["problems"]
            gold_p = json.loads((ROOT / folder.name / f.name).read_text(encoding="utf-8"))["problems"]
            second, gold = [p["span"] for p in second_p], [p["span"] for p in gold_p]
            alike, of = _categories(gold_p, second_p)
            row = [row[0] + len(gold), row[1] + len(second), row[2] + sum(any(_half_inside(g, s) for s in second) for g in gold),
                   row[3] + sum(any(_half_inside(s, g) for g in gold) for s in second), row[4] + _one_to_one(gold, second),
                   row[5] + alike, row[6] + of]
        total = [t + r for t, r in zip(total, row, strict=True)]
        _print(folder.name, row)
    _print("all", total)


def _categories(gold: list[dict], second: list[dict]) -> tuple[int, int]:
    """Of the gold findings lying at least half inside a second reader's finding that carries a category, how many
    the two readers class alike."""
    alike = of = 0
    for g in gold:
        match = next((s for s in second if s.get("category") and _half_inside(g["span"], s["span"])), None)
        if match is not None:
            of += 1
            alike += match["category"] == g["category"]
    return alike, of


def _print(name: str, r: list[int]) -> None:
    f1 = 2 * r[4] / (r[0] + r[1]) if r[0] + r[1] else 1.0
    cat = f"{r[5] / r[6]:.3f} of {r[6]}" if r[6] else "–"
    print(f"{name:10} gold {r[0]:4} second {r[1]:4}  gold inside second {r[2] / max(1, r[0]):.3f}  "
          f"second inside gold {r[3] / max(1, r[1]):.3f}  one-to-one F1 {f1:.3f}  category alike {cat}")


if __name__ == "__main__":
    main()
