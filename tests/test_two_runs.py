"""Two runs, one store: two ``xuncha structure`` processes started together on the same folder and the same
output work alongside each other. Both exit 0, no traceback, the store and the JSONL mirror hold each notice
once, and no temporary file is left behind (each run mirrors through a temporary name of its own)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTICES = sorted((ROOT / "evals").glob("*/*.txt"))


def test_two_runs_on_one_output(tmp_path: Path) -> None:
    folder = tmp_path / "notices"
    folder.mkdir()
    texts = [p for p in NOTICES if "reports" not in p.parts]
    for i in range(300):
        src = texts[i % len(texts)]
        shutil.copy(src, folder / f"{i:04d}-{src.name}")
    out = tmp_path / "out" / "o.jsonl"
    args = [sys.executable, "-m", "agent.cli.main", "structure", str(folder), "-o", str(out), "--no-llm"]
    env = {**os.environ, "XUNCHA_QUIET": "1"}
    runs = [subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(timeout=600), p.stderr.read() if p.stderr else "") for p in runs]
    for code, err in results:
        assert code == 0, err
        assert "Traceback" not in err, err
    sources = Counter(json.loads(line)["source"] for line in out.read_text(encoding="utf-8").splitlines())
    assert len(sources) == 300 and max(sources.values()) == 1
    assert not list(out.parent.glob("*.tmp"))
