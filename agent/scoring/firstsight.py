"""First sight as a routine: a new gold set is scored once, its numbers logged, and only then learned from.

Why a module of its own: the honest number for a set is the first one, before anything was changed for it
or learned from it. ``log_first_sight`` appends a set's first rules-only scores to ``evals/first-sight.jsonl``
(refusing a set already there); ``seen_sets`` is what training may use: a gold set joins the training data
only once its first sight is in the log. Pure standard library plus the eval runner.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
LOG = ROOT / "evals" / "first-sight.jsonl"
KEYS = ("cover_recall", "content_precision", "problem_f1", "problem_precision", "problem_recall",
        "inspection_fields", "category_micro", "metadata_accuracy", "figure_f1")


def entries(log: Path = LOG) -> list[dict[str, Any]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]


def seen_sets(log: Path = LOG) -> set[str]:
    """Gold sets whose first sight is logged: the ones training may learn from."""
    return {e["set"] for e in entries(log)}


def log_first_sight(name: str, report: dict[str, Any], notes: str = "", log: Path = LOG) -> dict[str, Any]:
    """Append a set's first-sight numbers; a set already logged is refused (first sight happens once)."""
    if name in seen_sets(log):
        raise ValueError(f"{name}: first sight is logged already ({log.name}); it is a dev set now")
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                check=False).stdout.strip() or None
    except OSError:
        commit = None
    overall = report["overall"]
    entry = {"set": name, "date": dt.date.today().isoformat(), "commit": commit, "mode": report["meta"]["mode"],
             "notices": len(report["notices"]), "findings": sum(s["problems"]["gold"] for s in report["notices"].values()),
             **{k: overall.get(k) for k in KEYS}, "notes": notes}
    with log.open("a", encoding="utf-8") as f:
        f.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return entry
