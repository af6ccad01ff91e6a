"""The clause model's threshold, measured the honest way: every logged gold set left out of the learned models'
training in turn, the whole rules pipeline run on it at each threshold, findings pooled by content.

    python evals/threshold_sweep.py                 # thresholds 0.5 0.6 0.7 0.8
    python evals/threshold_sweep.py 0.65 0.7        # others
    python evals/threshold_sweep.py --sets holdout19,holdout26 0.7 0.75   # only these sets (the newest)

Prints one line per set and threshold (covered, gold, content, predicted), then the pooled cover recall and
content precision per threshold. ``agent/text/findings/learned.THRESHOLD`` is chosen from these (README, Evals).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import agent.text.findings.learned as proposer
from agent.config import resolve
from agent.scoring import evalrun, train
from agent.text import learned


def main(thresholds: list[float], only: set[str] | None = None) -> None:
    settings = resolve()
    pooled = {t: [0, 0, 0, 0] for t in thresholds}  # covered, gold, content, predicted
    with tempfile.TemporaryDirectory() as reports:
        for d in (x for x in train.gold_dirs() if only is None or x.name in only):
            with tempfile.TemporaryDirectory() as models:
                train.train_all([x for x in train.gold_dirs() if x.name != d.name], Path(models))
                learned.use(Path(models))
                try:
                    for t in thresholds:
                        proposer.THRESHOLD = t
                        per = evalrun.run_eval("rules", settings, Path(reports) / f"{d.name}-{t}", d)["notices"]
                        got = [sum(v["problems"][k] for v in per.values()) for k in ("covered", "gold", "content", "predicted")]
                        pooled[t] = [a + b for a, b in zip(pooled[t], got, strict=True)]
                        print(d.name, t, *got, flush=True)
                finally:
                    learned.use(None)
    for t, (cov, gold, content, pred) in pooled.items():
        print(f"threshold {t}: cover recall {cov / gold:.3f}, content precision {content / max(pred, 1):.3f}")


if __name__ == "__main__":
    args = sys.argv[1:]
    sets = None
    if args[:1] == ["--sets"]:
        sets, args = set(args[1].split(",")), args[2:]
    main([float(x) for x in args] or [0.5, 0.6, 0.7, 0.8], sets)
