"""Category on the gold findings' own titles and descriptions, each gold set left out of the category model's
training in turn, pooled by genre (the stem's prefix: fb, zg, other). It measures the category rules and model
apart from how findings are cut: ``xuncha eval --holdout-train`` scores category only on the findings it finds.
Run: python evals/category_loo.py [--only holdout38,holdout39] [--out rows.json]  (needs the train extra)"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter
from pathlib import Path

from agent.scoring import train
from agent.text import learned
from agent.text.category import category_of, village_setting
from agent.text.ingest import read_notice
from agent.text.view import reading_view

ROOT = Path(__file__).resolve().parent.parent


def _genre(stem: str) -> str:
    head = stem.split("-")[0]
    return head if head in ("fb", "zg", "other") else "x"


def score_set(folder: Path) -> list[tuple[str, str, str, str, str]]:
    """(set, stem, genre, gold, given) for every categorised finding of ``folder``, the model active as it is."""
    rows = []
    for f in sorted(folder.glob("*.json")):
        gold = json.loads(f.read_text(encoding="utf-8"))
        village = village_setting(reading_view(read_notice(str(ROOT / gold["source"])).text).text)
        for p in gold["problems"]:
            if (got := train.labelled(p)) is None:
                continue
            title, desc, cat = got
            given = category_of(reading_view(title).text, reading_view(desc).text, village)
            rows.append((folder.name, f.stem, _genre(f.stem), cat, given))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="", help="comma-separated gold sets to score (default: all)")
    ap.add_argument("--out", type=Path, help="write every row as JSON here")
    args = ap.parse_args()
    dirs = train.gold_dirs()
    rows: list[tuple[str, str, str, str, str]] = []
    for d in dirs:
        if args.only and d.name not in args.only.split(","):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            model = train.train_category([x for x in dirs if x != d])
            (Path(tmp) / "category.json").write_text(json.dumps(model), encoding="utf-8")
            learned.use(Path(tmp))
            try:
                rows += score_set(d)
            finally:
                learned.use(None)
    total, right = Counter(), Counter()
    for _, _, genre, gold, given in rows:
        for key in (genre, "all"):
            total[key] += 1
            right[key] += gold == given
    for key in ("all", "fb", "zg", "other", "x"):
        if total[key]:
            print(f"{key:6} {right[key] / total[key]:.3f} of {total[key]}")
    if args.out:
        args.out.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
