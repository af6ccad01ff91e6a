"""The ``xuncha`` command line: rules-only runs, usage errors, bad inputs (no model needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.batch.store import Store
from agent.cli.main import app
from agent.schema import NoticeRecord
from tests.conftest import NOTICES

runner = CliRunner()


def test_no_llm_all_samples(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    res = runner.invoke(app, ["structure", str(NOTICES), "-o", str(out), "--no-llm"])
    assert res.exit_code == 0, res.output
    recs = [NoticeRecord.model_validate_json(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(len(r.problems) for r in recs) == [10, 13, 13, 20, 21]
    for r in recs:
        assert r.model is None and r.prompt_version is None
        # the rules name roles and categories (and status) on their own: --no-llm records are complete
        assert all(not any(c.isdigit() for c in f.role or "") for f in r.figures)
        assert all(p.category is not None for p in r.problems)


def test_rerun_skips_done(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    args = ["structure", str(NOTICES / "qiaotou-town-feedback-meeting.txt"), "-o", str(out), "--no-llm"]
    assert runner.invoke(app, args).exit_code == 0
    assert runner.invoke(app, args).exit_code == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1, "a forced redo replaces the record, never adds a second"
    with Store(tmp_path / "out.db") as store:
        runs = store.runs()
    assert [(r["done"], r["skipped"]) for r in runs] == [(1, 0), (0, 1), (1, 0)]


def test_bad_file_named_and_batch_goes_on(tmp_path: Path) -> None:
    bad = tmp_path / "scan.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    res = runner.invoke(app, ["structure", str(bad), str(empty), str(NOTICES / "xiaodian-town-rectification.txt"), "-o", str(out), "--no-llm"])
    assert res.exit_code == 1
    assert "scan.png" in res.output and "PNG" in res.output
    assert "empty.txt" in res.output
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1
    errors = [json.loads(x) for x in (tmp_path / "out.jsonl.errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {Path(e["source"]).name for e in errors} == {"scan.png", "empty.txt"}


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    res = runner.invoke(app, ["structure", str(tmp_path / "nothing-*.txt"), "-o", str(tmp_path / "o.jsonl"), "--no-llm"])
    assert res.exit_code == 2
    res = runner.invoke(app, ["structure", str(NOTICES), "-o", str(tmp_path / "o.jsonl"), "--base-url", "ftp://x"])
    # the message names the flag as the user typed it (it once said "--flag", and this test passed anyway)
    assert res.exit_code == 2 and "--base-url must start with http:// or https://" in res.output, res.output
    res = runner.invoke(app, ["structure", str(NOTICES), "-o", str(tmp_path / "o.jsonl"), "--mode", "XML"])
    assert res.exit_code == 2 and "--mode must be one of" in res.output, res.output


def test_env_var_named_in_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XUNCHA_BASE_URL", "localhost:8080")
    res = runner.invoke(app, ["structure", str(NOTICES), "-o", str(tmp_path / "o.jsonl")])
    assert res.exit_code == 2 and "XUNCHA_BASE_URL" in res.output


def test_schema_export(tmp_path: Path) -> None:
    res = runner.invoke(app, ["schema", str(tmp_path)])
    assert res.exit_code == 0
    schema = json.loads((tmp_path / "record.schema.json").read_text(encoding="utf-8"))
    assert set(schema["properties"]) == {
        "source", "notice_id", "url", "text", "title", "doc_type", "issuer", "published", "inspection", "units",
        "problems", "figures", "stated_totals", "contact", "checks", "errors", "usage", "model", "prompt_version",
    }


def test_committed_schemas_are_current(tmp_path: Path) -> None:
    runner.invoke(app, ["schema", str(tmp_path)])
    committed = Path(__file__).resolve().parent.parent / "schemas"
    for f in tmp_path.iterdir():
        assert (committed / f.name).read_text(encoding="utf-8") == f.read_text(encoding="utf-8"), f"run `make schema`: {f.name} is stale"


def test_unreachable_server_is_one_clear_error(tmp_path: Path) -> None:
    res = runner.invoke(app, ["structure", str(NOTICES / "qiaotou-town-feedback-meeting.txt"), "-o", str(tmp_path / "o.jsonl"),
                              "--base-url", "http://127.0.0.1:9/v1"])
    assert res.exit_code == 2
    assert "cannot list the models of http://127.0.0.1:9/v1" in res.output and "Traceback" not in res.output


def test_embedded_start_failure_is_one_clear_error(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from agent.llm import server

    def refuse(settings, say=None):  # type: ignore[no-untyped-def]
        raise server.ServerError("port 8080 on 127.0.0.1 is taken [Errno 98]: pass another port")

    monkeypatch.setattr(server, "start_embedded", refuse)
    monkeypatch.delenv("XUNCHA_BASE_URL", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    res = runner.invoke(app, ["structure", str(NOTICES / "qiaotou-town-feedback-meeting.txt"), "-o", str(tmp_path / "o.jsonl")])
    assert res.exit_code == 2
    assert "error: port 8080 on 127.0.0.1 is taken [Errno 98]: pass another port" in " ".join(res.output.split())


def test_a_finished_batch_starts_no_server(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Rerunning a finished batch on the embedded model skips every notice without starting the server."""
    from agent.llm import server
    from tests.conftest import EMBEDDED_MODEL
    from tests.replay_server import ReplayServer

    out = tmp_path / "o.jsonl"
    files = [str(NOTICES / "qiaotou-town-feedback-meeting.txt"), str(tmp_path / "missing.txt")]
    with ReplayServer() as replay:
        first = runner.invoke(app, ["structure", *files, "-o", str(out), "--base-url", replay.base_url, "--model", EMBEDDED_MODEL])
    assert first.exit_code == 1, first.output  # the missing file
    monkeypatch.delenv("XUNCHA_BASE_URL", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("XUNCHA_MODEL_PATH", raising=False)
    monkeypatch.setattr(server, "start_embedded", lambda *a, **k: pytest.fail("started a server for a finished batch"))
    again = runner.invoke(app, ["structure", *files, "-o", str(out)])
    assert again.exit_code == 1 and "missing.txt" in again.output, "the unreadable file is still reported"
    with Store(tmp_path / "o.db") as store:
        assert (store.runs()[-1]["skipped"], store.runs()[-1]["done"]) == (1, 0)
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1
