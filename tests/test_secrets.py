"""An API key never lands anywhere a run writes: store, JSONL, errors, logs, review page, CSV, cassettes.

A whole run with a sentinel key, some of whose chunks fail (a notice the recorded server never saw gets
404s), then every file and stream it produced is scanned for the key's bytes.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import vcr

from agent.config import resolve
from agent.llm.extract import Extractor
from agent.record.pipeline import analyse, model_record
from agent.record.prompts import load
from agent.scoring.evalrun import DROP_HEADERS, scrub_request, scrub_response
from agent.text.ingest import read_notice
from tests.conftest import EMBEDDED_MODEL, notice_path
from tests.replay_server import ReplayServer

SENTINEL = "sk-SENTINEL-7f3a9c2e51"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from agent.cli.main import app; app()", *args],
                          capture_output=True, text=True, timeout=180, env={**os.environ, "XUNCHA_QUIET": "", **(env or {})})


def test_sentinel_key_never_written(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "known.txt").write_bytes(notice_path("qiaotou-town-feedback-meeting").read_bytes())
    unknown = notice_path("xiaodian-town-rectification").read_text(encoding="utf-8").replace("不到位", "未到位")
    (src / "unknown.txt").write_text(unknown, encoding="utf-8")  # never recorded: its chunks fail with 404
    assert analyse(read_notice(src / "unknown.txt")).chunks, "the altered notice still asks the model something"
    out = tmp_path / "out" / "o.jsonl"
    streams = []
    with ReplayServer() as server:
        by_flag = run("structure", str(src), "-o", str(out), "--base-url", server.base_url, "--model", EMBEDDED_MODEL,
                      "--api-key", SENTINEL, "--log-json")
        by_env = run("structure", str(src), "-o", str(out), "--base-url", server.base_url, "--model", EMBEDDED_MODEL,
                     "--force", env={"XUNCHA_API_KEY": SENTINEL})
        assert by_flag.returncode == 1 and by_env.returncode == 1, "the unknown notice's chunks failed"
        streams += [by_flag.stdout, by_flag.stderr, by_env.stdout, by_env.stderr]
        # a cassette recorded with the project's policy, through the same client, with the sentinel key
        cassette = tmp_path / "cassette.yaml"
        recorder = vcr.VCR(record_mode="all", match_on=["method", "path", "body"],
                           filter_headers=[(h, None) for h in DROP_HEADERS],
                           before_record_request=scrub_request, before_record_response=scrub_response)
        with recorder.use_cassette(str(cassette)):
            settings = resolve(base_url=server.base_url, model=EMBEDDED_MODEL, api_key=SENTINEL)

            async def go() -> None:
                ex = Extractor(settings, server.base_url, EMBEDDED_MODEL, load(settings.prompt_version))
                try:
                    await model_record(analyse(read_notice(src / "known.txt")), ex)
                finally:
                    await ex.close()

            asyncio.run(go())
    assert "authorization" not in cassette.read_text(encoding="utf-8").lower()
    review = run("review", "--db", str(out.with_suffix(".db")), "-o", str(tmp_path / "out" / "review.html"))
    export = run("export", "--db", str(out.with_suffix(".db")), "--format", "csv", "-o", str(tmp_path / "out" / "o.csv"))
    assert review.returncode == 0 and export.returncode == 0, review.stderr + export.stderr
    streams += [review.stdout, review.stderr, export.stdout, export.stderr]

    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    names = {p.name for p in written}
    assert {"o.jsonl", "o.db", "review.html", "o.csv", "cassette.yaml"} <= names, names
    leaks = [str(p) for p in written if SENTINEL.encode() in p.read_bytes()]
    leaks += [f"stream {i}" for i, s in enumerate(streams) if SENTINEL in s]
    assert leaks == [], f"the API key leaked into {leaks}"
    assert any("404" in s or "http_404" in s for s in streams), "the failures were reported"
