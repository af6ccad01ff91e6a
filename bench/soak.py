"""Soak: 2,000 notices with the noise scraped pages carry, in one rules-only batch, killed once and resumed.

    python bench/soak.py                 # 2,000 files (minutes)
    python bench/soak.py --files 240     # the size tests/test_soak.py runs in CI

The files are every gold text, each repeated in a variant: as is, with a base64 blob, with a table of
digits, in traditional script, in GBK, in UTF-16, with runs of one mark, and a few that cannot be read
(empty, binary). The batch runs as a real ``xuncha structure`` subprocess, is killed with SIGKILL once part of
it is in the store, and is run again. Checked, and printed:

- every file is accounted for, done or failed with its reason, and none appears twice (store and JSONL);
- the batch process's memory stays flat: resident memory in the last quarter of the rerun against its second
  (the first is start-up).

Exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _texts() -> list[str]:
    paths = sorted(p for p in (ROOT / "evals").glob("*/*.txt") if "reports" not in p.parts)
    return [p.read_text(encoding="utf-8") for p in paths]


def _traditional(text: str) -> str:
    import opencc

    return str(opencc.OpenCC("s2t").convert(text))


def build(folder: Path, n: int) -> list[Path]:
    """``n`` files; a variant per file, in turn. Each differs from the others (its number is in it)."""
    rng = random.Random(7)
    texts = _texts()
    variants = ("plain", "blob", "table", "traditional", "gbk", "utf16", "marks", "plain", "blob", "bad")
    files = []
    for i in range(n):
        text, kind = texts[i % len(texts)] + f"\n（第{i}份）", variants[i % len(variants)]
        path = folder / f"{i:05d}-{kind}.txt"
        if kind == "blob":
            path.write_text(text[: len(text) // 2] + base64.b64encode(rng.randbytes(30_000)).decode() + text[len(text) // 2 :],
                            encoding="utf-8")
        elif kind == "table":
            rows = "\n".join(" ".join(str(rng.randint(0, 10**9)) for _ in range(12)) for _ in range(400))
            path.write_text(text + "\n" + rows, encoding="utf-8")
        elif kind == "traditional":
            path.write_text(_traditional(text), encoding="utf-8")
        elif kind == "gbk":
            path.write_bytes(text.encode("gbk", errors="replace"))
        elif kind == "utf16":
            path.write_bytes(text.encode("utf-16"))
        elif kind == "marks":
            path.write_text(text + "“" * 50_000 + "、" * 50_000 + "1" * 50_000, encoding="utf-8")
        elif kind == "bad":
            path.write_bytes(b"" if i % 20 == 9 else b"\x89PNG\r\n\x1a\n" + rng.randbytes(2_000))
        else:
            path.write_text(text, encoding="utf-8")
        files.append(path)
    return files


def _count(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as con:
            return int(con.execute("SELECT COUNT(*) FROM notices").fetchone()[0])
    except sqlite3.Error:
        return 0


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _run(args: list[str], db: Path, kill_at: int | None) -> tuple[int, list[int]]:
    """Run the batch; SIGKILL it once ``kill_at`` notices are in the store. (exit code, RSS samples in kB)."""
    env = {**os.environ, "XUNCHA_QUIET": "1"}
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    samples: list[int] = []
    while proc.poll() is None:
        samples.append(_rss_kb(proc.pid))
        if kill_at is not None and _count(db) >= kill_at:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return -9, samples
        time.sleep(0.2)
    return proc.returncode, [s for s in samples if s]


def soak(n: int, workdir: Path) -> bool:
    folder = workdir / "notices"
    folder.mkdir()
    files = build(folder, n)
    out, db = workdir / "out" / "soak.jsonl", workdir / "out" / "soak.db"
    args = [sys.executable, "-m", "agent.cli.main", "structure", str(folder), "-o", str(out), "--no-llm"]
    t0 = time.time()
    first, _ = _run(args, db, kill_at=n * 2 // 5)
    code, rss = _run(args, db, kill_at=None)
    seconds = time.time() - t0
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT source, status, error FROM notices").fetchall()
    sources = Counter(r[0] for r in rows)
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    errs_path = out.with_suffix(".jsonl.errors.jsonl")
    errs = [json.loads(x) for x in errs_path.read_text(encoding="utf-8").splitlines()] if errs_path.exists() else []
    in_jsonl = Counter(x["source"] for x in lines) + Counter(x["source"] for x in errs)
    wanted = {str(f) for f in files}
    quarter = max(1, len(rss) // 4)  # the first quarter is start-up (imports, the store); the second is at work
    early, late = (sum(rss[quarter : 2 * quarter]) / quarter, sum(rss[-quarter:]) / quarter) if rss else (0.0, 0.0)
    checks = {
        "killed once, then finished": first == -9 and code in (0, 1),
        "every file in the store": set(sources) == wanted,
        "none twice in the store": max(sources.values(), default=0) == 1,
        "every failure has its reason": all(r[2] for r in rows if r[1] == "failed"),
        "every file in the JSONL or its errors file, once": set(in_jsonl) == wanted and max(in_jsonl.values()) == 1,
        "memory flat (last quarter of the rerun within 1.25x of its second)": not rss or late <= 1.25 * early,
    }
    status = Counter(r[1] for r in rows)
    print(f"{n} files in {seconds:.0f} s (killed once at {n * 2 // 5} in the store, then resumed): "
          f"{status.get('done', 0)} done, {status.get('failed', 0)} failed; "
          f"batch memory {early / 1024:.0f} MB early, {late / 1024:.0f} MB late")
    for name, ok in checks.items():
        print(f"  {'ok  ' if ok else 'FAIL'} {name}")
    return all(checks.values())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=2000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ok = soak(args.files, Path(tmp))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
