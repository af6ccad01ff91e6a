"""Shared test fixtures: the sample notices and the cassette policy.

Cassettes live in ``cassettes/<test module>/`` and were recorded from the real embedded llama.cpp server
(``make record``). CI replays them with record mode ``none``: requests match on method, path and body;
auth, cookies, org/project and ``x-*`` headers are scrubbed; health checks are not recorded; a test that
leaves a recorded interaction unplayed fails.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from agent.scoring.evalrun import DROP_HEADERS, scrub_request, scrub_response

ROOT = Path(__file__).resolve().parent.parent
NOTICES = ROOT / "evals" / "notices"
REPLAY_BASE_URL = "http://127.0.0.1:9/v1"  # nothing listens there: replay only
EMBEDDED_MODEL = "qwen2.5-coder-1.5b-instruct-q4_k_m"

@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    return {
        "match_on": ["method", "path", "body"],
        "filter_headers": [(h, None) for h in DROP_HEADERS],
        "before_record_request": scrub_request,
        "before_record_response": scrub_response,
        "decode_compressed_response": True,
    }


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    return str(ROOT / "cassettes" / Path(str(request.node.fspath)).stem)


@pytest.fixture(autouse=True)
def _all_played(request: pytest.FixtureRequest, record_mode: str) -> Any:
    """Fail a replayed test that did not use every interaction its cassette holds."""
    yield
    if request.node.get_closest_marker("vcr") and record_mode == "none":
        cassette = request.getfixturevalue("vcr")
        if cassette is not None and not cassette.all_played:
            unplayed = len(cassette.data) - cassette.play_count
            pytest.fail(f"{unplayed} recorded interaction(s) were not played: the request changed (prompt, schema, chunking?) — run `make record`")


@pytest.fixture
def recording(record_mode: str) -> bool:
    return record_mode not in ("none", None)


@pytest.fixture(scope="session")
def model_endpoint(request: pytest.FixtureRequest) -> Any:
    """(base_url, model): the real embedded server when recording, a dead address when replaying."""
    mode = request.config.getoption("--record-mode") or "none"
    if mode == "none":
        yield REPLAY_BASE_URL, EMBEDDED_MODEL
        return
    from agent.llm.server import LocalServer

    server = LocalServer(slots=2)
    server.start()
    try:
        yield server.base_url, server.model_name
    finally:
        server.stop()


def notice_path(name: str) -> Path:
    return NOTICES / f"{name}.txt"


SAMPLES = sorted(p.stem for p in NOTICES.glob("*.txt"))


def _sample_requests() -> int:
    """Requests the model gets for the five samples: one per chunk (the questions the rules leave open)."""
    from agent.record.pipeline import analyse
    from agent.text.ingest import read_notice

    return sum(len(analyse(read_notice(NOTICES / f"{s}.txt")).chunks) for s in SAMPLES)


SAMPLE_REQUESTS = _sample_requests()  # 9 with prompt v2: category for the findings whose wording fits several classes
PROBLEMS = {  # problems per sample notice, from gold v1
    "xiaodian-town-rectification": 13, "songyanghu-street-rectification": 20,
    "hangbu-town-rectification-progress": 13, "changji-round5-seven-units": 21, "qiaotou-town-feedback-meeting": 10,
}


def comparable(rec: Any) -> dict[str, Any]:
    """A record as JSON with only the wall-clock seconds zeroed (time, not content): for comparing engines."""
    data = json.loads(rec.model_dump_json())
    data["usage"]["seconds"] = 0.0
    return data


def records_by_source(path: Path) -> dict[str, Any]:
    """The records of a JSONL output by source, asserting one line per notice."""
    from agent.schema import NoticeRecord

    recs = [NoticeRecord.model_validate_json(x) for x in path.read_text(encoding="utf-8").splitlines()]
    by_source = {r.source: r for r in recs}
    assert len(by_source) == len(recs), "one line per notice, none twice"
    return by_source
os.environ.setdefault("XUNCHA_QUIET", "1")
# The model is asked nothing by default (agent.config.QUESTIONS); the tests exercise its one question, replayed
# from the cassettes recorded from the real server. Tests of the default remove this (test_ask.py).
os.environ.setdefault("XUNCHA_ASK", "category")


@pytest.fixture
def xllamacpp_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """For tests that build the xllamacpp runner's command: the CI extra does not install the model server."""
    import importlib.util

    from agent.llm import server

    real = importlib.util.find_spec
    monkeypatch.setattr(server.importlib.util, "find_spec", lambda name, *a: object() if name == "xllamacpp" else real(name, *a))
