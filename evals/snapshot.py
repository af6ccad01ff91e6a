"""The rules-only records of every eval notice, checked byte for byte against a committed snapshot.

    python evals/snapshot.py            # check: name every notice whose record moved, and the fields that did
    python evals/snapshot.py --renew    # write evals/snapshot.jsonl anew (on purpose, in the same commit)

Why: the gates (``tests/test_gates.py``) judge a change by scores, which a change can move without moving
them (a title cut differently, a figure's role, a check). The snapshot says exactly which records a change
moves, so a rule change is made knowingly. Each line is one notice's record as JSON, its text replaced by
the text's hash (the notice file is in the repo). ``tests/test_snapshot.py`` runs the check.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "evals" / "snapshot.jsonl"
sys.path.insert(0, str(ROOT))


def notices() -> list[Path]:
    return sorted(p for p in (ROOT / "evals").glob("*/*.txt") if p.parent.name not in ("reports",))


def records() -> dict[str, dict[str, object]]:
    from agent.record.pipeline import analyse, rules_record
    from agent.text.ingest import read_notice

    out = {}
    for path in notices():
        source = path.relative_to(ROOT).as_posix()
        rec = json.loads(rules_record(analyse(read_notice(path))).model_dump_json())
        rec["source"] = source
        rec["text"] = "sha256:" + hashlib.sha256(rec["text"].encode()).hexdigest()[:16]
        out[source] = rec
    return out


def moved(now: dict[str, dict[str, object]], then: dict[str, dict[str, object]]) -> list[str]:
    """One line per notice that is new, gone or different, naming the fields that differ."""
    lines = [f"{s}: new" for s in sorted(now.keys() - then.keys())]
    lines += [f"{s}: gone" for s in sorted(then.keys() - now.keys())]
    for s in sorted(now.keys() & then.keys()):
        fields = [k for k in sorted(now[s].keys() | then[s].keys()) if now[s].get(k) != then[s].get(k)]
        if fields:
            lines.append(f"{s}: {', '.join(fields)}")
    return lines


def load(path: Path = SNAPSHOT) -> dict[str, dict[str, object]]:
    if not path.exists():
        return {}
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line)
    return {str(r["source"]): r for r in rows}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--renew", action="store_true", help="write the snapshot anew")
    args = ap.parse_args()
    now = records()
    if args.renew:
        SNAPSHOT.write_text("".join(json.dumps(now[s], ensure_ascii=False, sort_keys=True) + "\n" for s in sorted(now)),
                            encoding="utf-8")
        print(f"{len(now)} records → {SNAPSHOT.relative_to(ROOT)}")
        return
    lines = moved(now, load())
    for line in lines:
        print(line)
    print(f"{len(lines)} of {len(now)} rules-only records moved" if lines else f"all {len(now)} rules-only records as in the snapshot")
    sys.exit(1 if lines else 0)


if __name__ == "__main__":
    main()
