"""Agreement of two readers on the document type of story texts: a blind second reader
(evals/gold/second_reader_doctype/second.json, keyed by the notice's path, typed by RULE.md there) against the gold.
Run: python evals/agreement_doctype.py"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "evals" / "gold" / "second_reader_doctype"


def gold_doctype(source: str) -> str:
    """The gold document type of the notice at ``source`` (evals/<set>/<stem>.txt; v2's notices are in evals/news)."""
    folder, stem = Path(source).parent.name, Path(source).stem
    gold_set = "v2" if folder == "news" else folder
    return json.loads((ROOT / "evals" / "gold" / gold_set / f"{stem}.json").read_text(encoding="utf-8"))["doc_type"]


def main() -> None:
    second: dict[str, str] = json.loads((FOLDER / "second.json").read_text(encoding="utf-8"))
    pairs = Counter((gold_doctype(src), typed) for src, typed in second.items())
    alike = sum(n for (g, s), n in pairs.items() if g == s)
    print(f"story texts {len(second)}  alike {alike}  agreement {alike / len(second):.3f}")
    for (g, s), n in sorted(pairs.items()):
        if g != s:
            print(f"  gold {g:24} second {s:24} {n}")


if __name__ == "__main__":
    main()
