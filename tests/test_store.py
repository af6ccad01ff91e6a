"""The SQLite store and the runner's use of it, without a model: resume rule, cache rules, atomic records."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from agent.batch.runner import Runner, mirror_jsonl
from agent.batch.store import Store, default_db, redact_argv
from agent.record.pipeline import analyse, rules_record
from agent.schema import ChunkError, Usage
from agent.text.ingest import read_notice
from tests.conftest import notice_path


def test_default_db_sits_beside_the_output() -> None:
    assert default_db(Path("out/samples.jsonl")) == Path("out/samples.db")


def test_wal_mode_and_tables(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"notices", "chunk_calls", "runs"} <= tables


def test_done_means_same_text_model_and_prompt(tmp_path: Path) -> None:
    rec = rules_record(analyse(read_notice(notice_path("qiaotou-town-feedback-meeting"))))
    with Store(tmp_path / "s.db") as store:
        assert store.put_record(rec, None, 0.0) == "done"
        assert store.is_done(rec.source, rec.notice_id, None, None)
        assert not store.is_done(rec.source, "n_changedtext0000", None, None), "edited text is redone"
        assert not store.is_done(rec.source, rec.notice_id, "other-model", "v1+x"), "another model is its own row"
        partial = rec.model_copy(update={"errors": [ChunkError(chunk_id="c2", kind="http_500", message="boom")]})
        assert store.put_record(partial, None, 0.0) == "partial"
        assert not store.is_done(rec.source, rec.notice_id, None, None), "a partial record is redone"
        assert len(list(store.records())) == 1, "one row per (source, model, prompt version)"


def test_one_record_per_notice_the_last_finished(tmp_path: Path) -> None:
    """A run asking the model, then one asking nothing (or --no-llm), on the same output: the store keeps both
    rows, and the JSONL and exports hold one record per notice, the later one."""
    rec = rules_record(analyse(read_notice(notice_path("qiaotou-town-feedback-meeting"))))
    asked = rec.model_copy(update={"model": "m", "prompt_version": "v2+x"})
    with Store(tmp_path / "s.db") as store:
        store.put_record(asked, None, 0.0)
        store.put_record(rec, None, 0.0)
        assert [r.model for r in store.records()] == [None]
        store.put_record(asked, None, 0.0)
        assert [r.model for r in store.records()] == ["m"]
        assert store.record(rec.source, None, None) is not None, "the store keeps every model's row"


def test_a_failure_never_overwrites_a_cached_answer(tmp_path: Path) -> None:
    kw = {"model": "m", "prompt_version": "v1", "schema_hash": "s", "chunk_kind": "problems"}
    with Store(tmp_path / "s.db") as store:
        store.put_call("k", answer=None, usage=Usage(requests=3), attempts=3, error="http_503: down", **kw)
        assert store.get_answer("k") is None, "a failed call is recorded, never served from the cache"
        store.put_call("k", answer='{"P1": 1}', usage=Usage(requests=1, prompt_tokens=9), attempts=1, error=None, **kw)
        store.put_call("k", answer=None, usage=Usage(requests=1), attempts=1, error="timeout", **kw)
        hit = store.get_answer("k")
        assert hit is not None and hit[0] == '{"P1": 1}' and hit[1].prompt_tokens == 9
        assert store.call_counts() == {"ok": 1, "failed": 0}


def test_secret_flags_are_redacted_in_runs() -> None:
    argv = ["structure", "x", "--api-key", "sk-1", "--api-key=sk-2", "--model", "m"]
    assert redact_argv(argv) == ["structure", "x", "--api-key", "***", "--api-key=***", "--model", "m"]


def test_rules_batch_mirrors_one_line_per_notice(tmp_path: Path) -> None:
    files = [str(notice_path("qiaotou-town-feedback-meeting")), str(tmp_path / "missing.txt")]
    with Store(tmp_path / "s.db") as store:
        stats = asyncio.run(Runner(store).run(files))
        again = asyncio.run(Runner(store).run(files))
        out = tmp_path / "o.jsonl"
        assert mirror_jsonl(store, out) == 1
    assert (stats.done, stats.failed) == (1, 1)
    assert (again.done, again.skipped, again.failed) == (0, 1, 1), "a failed file is tried again, a done one skipped"
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1
    errors = (tmp_path / "o.jsonl.errors.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(errors) == 1 and "missing.txt" in errors[0]
    with sqlite3.connect(tmp_path / "s.db") as con:
        assert con.execute("SELECT COUNT(*) FROM runs WHERE finished IS NOT NULL AND interrupted = 0").fetchone()[0] == 2


def test_a_crash_inside_the_rules_is_that_notice_s_failure(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import agent.batch.runner as runner_mod

    def boom(notice):  # type: ignore[no-untyped-def]
        raise RuntimeError("outline blew up")

    monkeypatch.setattr(runner_mod, "analyse", boom)
    with Store(tmp_path / "s.db") as store:
        stats = asyncio.run(Runner(store).run([str(notice_path("qiaotou-town-feedback-meeting"))]))
        assert stats.failed == 1 and "outline blew up" in stats.failures[0][1]
        assert store.failures()[0][1].startswith("internal error: RuntimeError")
