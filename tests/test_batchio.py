"""OpenAI-Batch JSONL round trip: export → answers from the recorded cassettes → import, same records as online.

The answers are the ones the real embedded llama.cpp server gave when the cassettes were recorded, looked up
by request body (``tests/replay_server.py``) and written in the Batch API's output format. The online
reference run is the local runner against the same answers served over HTTP.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agent.batch.runner import Runner, mirror_jsonl
from agent.batch.store import Store
from agent.cli.main import app
from agent.config import resolve
from agent.record.prompts import load
from agent.schema import NoticeRecord
from tests.conftest import EMBEDDED_MODEL, NOTICES, SAMPLE_REQUESTS, comparable, records_by_source
from tests.replay_server import PIPELINE_CASSETTES, ReplayServer, canonical, load_interactions

SAMPLE_FILES = [str(p) for p in sorted(NOTICES.glob("*.txt"))]


@pytest.fixture(scope="module")
def online(tmp_path_factory: pytest.TempPathFactory) -> dict[str, NoticeRecord]:
    """The five samples through the local runner against the replay server (the online path)."""
    from agent.llm.extract import Extractor

    tmp = tmp_path_factory.mktemp("online")
    with ReplayServer() as server, Store(tmp / "o.db") as store:
        ex = Extractor(resolve(base_url=server.base_url, model=EMBEDDED_MODEL), server.base_url, EMBEDDED_MODEL, load("v2"))

        async def go() -> None:
            try:
                await Runner(store, ex).run(SAMPLE_FILES)
            finally:
                await ex.close()

        asyncio.run(go())
        assert server.misses == 0
        mirror_jsonl(store, tmp / "o.jsonl")
    return records_by_source(tmp / "o.jsonl")


def answer(requests: Path, results: Path) -> list[dict[str, Any]]:
    """Answer every request line from the cassettes, in the Batch API's output format."""
    table = load_interactions(sorted(PIPELINE_CASSETTES.glob("*.yaml")))
    out = []
    for i, raw in enumerate(requests.read_text(encoding="utf-8").splitlines()):
        req = json.loads(raw)
        status, body = table[canonical(json.dumps(req["body"]))]
        out.append({"id": f"batch_req_{i}", "custom_id": req["custom_id"],
                    "response": {"status_code": status, "request_id": f"req_{i}", "body": json.loads(body)}, "error": None})
    write_lines(results, out)
    return out


def write_lines(path: Path, lines: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def test_export_import_equals_online(tmp_path: Path, online: dict[str, NoticeRecord]) -> None:
    req, res, out = tmp_path / "requests.jsonl", tmp_path / "results.jsonl", tmp_path / "batch.jsonl"
    r = run("batch", "export", *SAMPLE_FILES, "-o", str(req), "--model", EMBEDDED_MODEL)
    assert r.exit_code == 0, r.output
    lines = [json.loads(x) for x in req.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == SAMPLE_REQUESTS and len({x["custom_id"] for x in lines}) == SAMPLE_REQUESTS
    assert all(x["method"] == "POST" and x["url"] == "/v1/chat/completions" and x["body"]["model"] == EMBEDDED_MODEL for x in lines)
    answer(req, res)
    r = run("batch", "import", str(res), "--notices", *SAMPLE_FILES, "-o", str(out), "--model", EMBEDDED_MODEL)
    assert r.exit_code == 0, r.output
    batch = records_by_source(out)
    assert sorted(batch) == sorted(online)
    for source, rec in online.items():
        assert comparable(batch[source]) == comparable(rec), source
    assert sum(r.usage.requests for r in batch.values()) == SAMPLE_REQUESTS
    # a rerun skips what the store has: nothing changes, nothing is duplicated
    r = run("batch", "import", str(res), "--notices", *SAMPLE_FILES, "-o", str(out), "--model", EMBEDDED_MODEL)
    assert r.exit_code == 0 and "5 skipped" in r.output, r.output
    assert {s: comparable(x) for s, x in records_by_source(out).items()} == {s: comparable(x) for s, x in batch.items()}


def test_copies_share_custom_ids_and_answers(tmp_path: Path, online: dict[str, NoticeRecord]) -> None:
    """Two files with one text: its requests once, both files get records; tokens counted on the first."""
    src = tmp_path / "in"
    src.mkdir()
    for f in SAMPLE_FILES:
        shutil.copy(f, src / Path(f).name)
    shutil.copy(NOTICES / "qiaotou-town-feedback-meeting.txt", src / "zz-copy.txt")
    req, res, out = tmp_path / "requests.jsonl", tmp_path / "results.jsonl", tmp_path / "batch.jsonl"
    assert run("batch", "export", str(src), "-o", str(req), "--model", EMBEDDED_MODEL).exit_code == 0
    assert len(req.read_text(encoding="utf-8").splitlines()) == SAMPLE_REQUESTS, "the copy's chunks are written once"
    answer(req, res)
    r = run("batch", "import", str(res), "--notices", str(src), "-o", str(out), "--model", EMBEDDED_MODEL)
    assert r.exit_code == 0, r.output
    batch = records_by_source(out)
    assert len(batch) == 6
    orig, copy = comparable(batch[str(src / "qiaotou-town-feedback-meeting.txt")]), comparable(batch[str(src / "zz-copy.txt")])
    assert copy["usage"] == {"requests": 0, "prompt_tokens": 0, "completion_tokens": 0, "seconds": 0.0}
    assert orig["usage"]["requests"] > 0
    for d in (orig, copy):
        d.pop("source"), d.pop("usage")
    assert orig == copy


def test_failed_and_missing_lines(tmp_path: Path, online: dict[str, NoticeRecord]) -> None:
    req, res, out, retry = (tmp_path / n for n in ("requests.jsonl", "results.jsonl", "batch.jsonl", "retry.jsonl"))
    assert run("batch", "export", *SAMPLE_FILES, "-o", str(req), "--model", EMBEDDED_MODEL).exit_code == 0
    requests = {json.loads(x)["custom_id"]: json.loads(x) for x in req.read_text(encoding="utf-8").splitlines()}
    results = answer(req, res)
    by_notice = {r.notice_id: r for r in online.values()}
    nids = sorted(by_notice)
    # one line errored, one answered 500, one missing: each on a different notice
    errored = next(x for x in results if x["custom_id"].startswith(nids[0] + ":"))
    errored["response"], errored["error"] = None, {"code": "batch_expired", "message": "This request could not be executed before the completion window expired."}
    http500 = next(x for x in results if x["custom_id"].startswith(nids[1] + ":"))
    http500["response"] = {"status_code": 500, "request_id": "r", "body": {"error": {"message": "internal error"}}}
    missing = next(x for x in results if x["custom_id"].startswith(nids[2] + ":"))
    results.remove(missing)
    write_lines(res, results)
    r = run("batch", "import", str(res), "--notices", *SAMPLE_FILES, "-o", str(out), "--model", EMBEDDED_MODEL,
            "--retry-out", str(retry))
    assert r.exit_code == 1, r.output
    batch = {r.notice_id: r for r in records_by_source(out).values()}
    assert len(batch) == 5
    expect = {nids[0]: (errored["custom_id"], "batch_error"), nids[1]: (http500["custom_id"], "http_500"),
              nids[2]: (missing["custom_id"], "batch_missing")}
    for nid, rec in batch.items():
        assert len(rec.problems) == len(by_notice[nid].problems), "the rest of the notice lands"
        if nid in expect:
            cid, kind = expect[nid]
            assert [(e.chunk_id, e.kind) for e in rec.errors] == [(cid.split(":", 1)[1], kind)]
            assert any(c.code == "chunk_failed" for c in rec.checks)
        else:
            assert rec.errors == [] and comparable(rec) == comparable(by_notice[nid])
    assert "batch_expired" in batch[nids[0]].errors[0].message
    retry_lines = [json.loads(x) for x in retry.read_text(encoding="utf-8").splitlines()]
    assert sorted(x["custom_id"] for x in retry_lines) == sorted(cid for cid, _ in expect.values())
    assert all(x == requests[x["custom_id"]] for x in retry_lines), "the same request lines as exported"

    # the retry batch answered: importing it completes the three notices from the store's cache + the new lines
    retry_res = tmp_path / "retry-results.jsonl"
    answer(retry, retry_res)
    r = run("batch", "import", str(retry_res), "--notices", *SAMPLE_FILES, "-o", str(out), "--model", EMBEDDED_MODEL)
    assert r.exit_code == 0, r.output
    assert "2 skipped" in r.output
    final = {r.notice_id: r for r in records_by_source(out).values()}
    assert len(final) == 5
    for nid, rec in final.items():
        a, b = comparable(rec), comparable(by_notice[nid])
        if nid in expect:  # tokens of the chunks answered by the first import were counted by that import
            assert a["usage"]["requests"] == 1
            a.pop("usage"), b.pop("usage")
        assert a == b


def test_export_names_bad_files_and_goes_on(tmp_path: Path) -> None:
    bad = tmp_path / "image.txt"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    req = tmp_path / "requests.jsonl"
    r = run("batch", "export", SAMPLE_FILES[0], str(bad), str(tmp_path / "gone.txt"), "-o", str(req), "--model", EMBEDDED_MODEL)
    assert r.exit_code == 1
    assert "image.txt" in r.output and "PNG" in r.output
    # one line per error, however long the path and whatever the terminal width: a log is grepped by file name
    assert any(f"{tmp_path / 'gone.txt'}: no such file" in line for line in r.output.splitlines()), r.output
    assert len(req.read_text(encoding="utf-8").splitlines()) > 0, "the readable notice was exported"
    assert run("batch", "import", str(tmp_path / "none.jsonl"), "-o", str(tmp_path / "o.jsonl")).exit_code == 2
