"""What the model is asked by default: nothing. A question is asked only after a live measurement shows the
model winning it (``agent.config.QUESTIONS``); the packaged model lost every one, so a default run starts no
server and sends no request, and ``--ask category`` (``XUNCHA_ASK``) is how its one question is asked."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli.main import NOTHING_ASKED, app
from agent.config import ConfigError, resolve
from agent.schema import NoticeRecord
from tests.conftest import NOTICES

runner = CliRunner()


@pytest.fixture
def default_questions(monkeypatch: pytest.MonkeyPatch) -> None:
    """The user's default: XUNCHA_ASK unset (the test suite sets it to exercise the recorded question)."""
    monkeypatch.delenv("XUNCHA_ASK", raising=False)

    def no_server(*args: object, **kwargs: object) -> None:
        raise AssertionError("a run that asks nothing must not start the model server")

    monkeypatch.setattr("agent.llm.server.start_embedded", no_server)


@pytest.mark.parametrize("value, expected", [(None, ()), ("none", ()), ("", ()), ("category", ("category",)),
                                             ("category, category", ("category",))])
def test_questions_resolve(value: str | None, expected: tuple[str, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XUNCHA_ASK", raising=False)
    assert resolve(ask=value).ask == expected


def test_unknown_question_names_its_source(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="--ask must name questions among category"):
        resolve(ask="status")
    monkeypatch.setenv("XUNCHA_ASK", "roles")
    with pytest.raises(ConfigError, match="XUNCHA_ASK must name questions"):
        resolve()


def test_default_run_asks_nothing_and_starts_no_server(tmp_path: Path, default_questions: None) -> None:
    out = tmp_path / "out.jsonl"
    res = runner.invoke(app, ["structure", str(NOTICES), "-o", str(out)], env={"XUNCHA_QUIET": ""})
    assert res.exit_code == 0, res.output
    assert NOTHING_ASKED.split(":")[0] in res.output
    recs = [NoticeRecord.model_validate_json(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(recs) == 5
    assert all(r.model is None and not r.errors for r in recs)
    assert all(p.category is not None for r in recs for p in r.problems)


def test_default_eval_scores_the_rules(tmp_path: Path, default_questions: None) -> None:
    from agent.cli.main import app as main_app

    res = runner.invoke(main_app, ["eval", "--gold", "evals/gold/v1", "--out", str(tmp_path / "r")])
    assert res.exit_code == 0, res.output
    assert "nothing is asked of the model" in res.output
    assert (tmp_path / "r" / "report.json").exists()


def test_batch_export_needs_a_question(tmp_path: Path, default_questions: None) -> None:
    res = runner.invoke(app, ["batch", "export", str(NOTICES), "-o", str(tmp_path / "req.jsonl")])
    assert res.exit_code == 2
    assert "nothing is asked of the model" in res.output
    assert not (tmp_path / "req.jsonl").exists()
