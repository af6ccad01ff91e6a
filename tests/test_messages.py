"""Messages print what they say: paths, reasons and hints that carry square brackets reach the console whole
(rich would read ``[report]`` or ``[1]`` as markup and drop it)."""

from __future__ import annotations

import builtins
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agent.cli.main import app

ROOT = Path(__file__).resolve().parent.parent
GOOD = ROOT / "evals" / "notices" / "xiaodian-town-rectification.txt"
runner = CliRunner()


def test_report_hint_keeps_its_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "o.jsonl"
    assert runner.invoke(app, ["structure", str(GOOD), "-o", str(out), "--no-llm", "-q"]).exit_code == 0
    real_import = builtins.__import__

    def no_vl_convert(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "vl_convert":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_vl_convert)
    res = runner.invoke(app, ["report", "--db", str(out.with_suffix(".db")), "-o", str(tmp_path / "r.html")])
    assert res.exit_code == 2
    assert "pip install -e '.[report]'" in res.output


def test_paths_with_brackets_are_printed_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XUNCHA_QUIET", "")  # the summary too
    monkeypatch.setenv("COLUMNS", "4000")
    folder = tmp_path / "[red]notices[b]"
    folder.mkdir()
    shutil.copy(GOOD, folder / "good[1].txt")
    (folder / "empty[2].txt").write_text("", encoding="utf-8")
    out = tmp_path / "out[x].jsonl"
    res = runner.invoke(app, ["structure", str(folder), "-o", str(out), "--no-llm"])
    assert res.exit_code == 1
    assert f"{folder / 'empty[2].txt'}" in res.output  # the failure line names the file as it is
    assert "out[x].jsonl" in res.output  # and the summary names the output as it is
    assert out.exists() and not list(tmp_path.glob("*.tmp"))  # the mirror's temporary file is gone
