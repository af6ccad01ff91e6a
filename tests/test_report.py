"""The corpus view: the store's flat tables agree with its records, export as CSV, and the report page
renders every chart in a real headless chromium (skipped with a message where chromium is missing)."""

from __future__ import annotations

import csv
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agent.batch.store import TABLES, Store
from agent.cli.main import app
from agent.output.report import disagreements, money_by_role, rows
from agent.schema import NoticeRecord
from tests.test_review import _browser, launch

ROOT = Path(__file__).resolve().parent.parent
NOTICES = sorted((ROOT / "evals" / "notices").glob("*.txt")) + sorted((ROOT / "evals" / "news").glob("*.txt"))
runner = CliRunner()


def structure(files: list[Path], out: Path) -> Path:
    res = runner.invoke(app, ["structure", *map(str, files), "-o", str(out), "--no-llm", "-q"])
    assert res.exit_code == 0, res.output
    return out.with_suffix(".db")


def expected_rows(recs: list[NoticeRecord]) -> dict[str, set[tuple[Any, ...]]]:
    """What the flat tables must hold, computed from the records in Python (not SQL)."""
    owner = {(r.source, fid): p.id for r in recs for p in r.problems for fid in p.figure_ids}
    return {
        "notice_facts": {(r.source, r.notice_id, r.doc_type, r.inspection.start, len(r.problems), len(r.figures)) for r in recs},
        "problems": {(r.source, p.id, p.category, p.status, p.title.text, p.span[0]) for r in recs for p in r.problems},
        "figures": {(r.source, f.id, owner.get((r.source, f.id)), f.kind, f.value, f.unit, f.role, f.span[0])
                    for r in recs for f in r.figures},
        "checks": {(r.source, c.code, c.severity, c.message) for r in recs for c in r.checks},
    }


def table_rows(store: Store) -> dict[str, set[tuple[Any, ...]]]:
    t = {name: rows(*store.table(name)) for name in TABLES}
    return {
        "notice_facts": {(x["source"], x["notice_id"], x["doc_type"], x["inspection_start"], x["problems"], x["figures"]) for x in t["notice_facts"]},
        "problems": {(x["source"], x["problem_id"], x["category"], x["status"], x["title"], x["span_start"]) for x in t["problems"]},
        "figures": {(x["source"], x["figure_id"], x["problem_id"], x["kind"], x["value"], x["unit"], x["role"], x["span_start"]) for x in t["figures"]},
        "checks": {(x["source"], x["code"], x["severity"], x["message"]) for x in t["checks"]},
    }


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return structure(NOTICES, tmp_path_factory.mktemp("corpus") / "out.jsonl")


def test_flat_tables_agree_with_the_records(corpus: Path) -> None:
    recs = [NoticeRecord.model_validate_json(x) for x in corpus.with_suffix(".jsonl").read_text(encoding="utf-8").splitlines()]
    with Store(corpus) as store:
        got = table_rows(store)
    want = expected_rows(recs)
    for name in TABLES:
        assert got[name] == want[name], name
    assert len(got["problems"]) == sum(len(r.problems) for r in recs) > 200


def test_flat_tables_on_a_200_notice_batch_in_seconds(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for i in range(40):  # 200 notices: the five samples, 40 times (as bench/run.py --batch does)
        for p in NOTICES[:5]:
            shutil.copy(p, src / f"{i:03d}-{p.name}")
    db = structure([src], tmp_path / "big.jsonl")
    recs = [NoticeRecord.model_validate_json(x) for x in (tmp_path / "big.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(recs) == 200
    t0 = time.monotonic()
    with Store(db) as store:
        got = table_rows(store)
    took = time.monotonic() - t0
    assert got == expected_rows(recs)
    assert took < 30, took  # generous: a few hundred ms on 2 cores; the bench prints the real figure


def test_export_each_table_as_csv(corpus: Path, tmp_path: Path) -> None:
    for name in TABLES:
        out = tmp_path / f"{name}.csv"
        res = runner.invoke(app, ["export", "--db", str(corpus), "--table", name, "--format", "csv", "-o", str(out)])
        assert res.exit_code == 0, res.output
        with out.open(encoding="utf-8-sig") as fh:
            header = next(csv.reader(fh))
        with Store(corpus) as store:
            assert header == store.table(name)[0]
    res = runner.invoke(app, ["export", "--db", str(corpus), "--table", "nope"])
    assert res.exit_code == 2


def test_money_totals_trace_to_their_figures(corpus: Path) -> None:
    with Store(corpus) as store:
        figures = rows(*store.table("figures"))
        checks = rows(*store.table("checks"))
    spec, behind = money_by_role(figures, {})
    assert sum(r["yuan"] for r in behind) == pytest.approx(sum(f["value"] for f in figures if f["kind"] == "money"))
    assert all(r["notice"] and r["figure"] for r in behind)
    assert spec["encoding"]["x"]["aggregate"] == "sum"
    assert all(c["code"].startswith("total_") for c in disagreements(checks))


def test_report_renders_every_chart_in_chromium(corpus: Path, tmp_path: Path) -> None:
    pytest.importorskip("vl_convert", reason="the report needs vl-convert-python: pip install -e '.[report]'")
    page_path = tmp_path / "report.html"
    res = runner.invoke(app, ["report", "--db", str(corpus), "-o", str(page_path)])
    assert res.exit_code == 0, res.output
    review = tmp_path / "report-review.html"
    assert review.exists()
    sync_playwright = _browser()
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            errors: list[str] = []
            requests: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_path.as_uri())
            page.wait_for_function("document.querySelectorAll('.chart svg, .chart canvas').length === 4", timeout=30000)
            assert errors == [], errors
            assert all(u.startswith(("file:", "data:", "blob:", "about:")) for u in requests), requests
            assert page.locator("#c1 .mark-rect path, #c1 .mark-rect").count() > 0
            links = page.evaluate("Array.from(document.querySelectorAll('#money a')).map(a => a.getAttribute('href'))")
            assert links and all(h.startswith("report-review.html#notice-") for h in links)
            target = links[0].split("#", 1)[1]
            page.goto(review.as_uri() + "#" + target)
            assert page.locator(f"#{target}").count() == 1, "the link resolves to a notice of the review page"
            page.goto(page_path.as_uri())
            page.wait_for_function("document.querySelectorAll('.chart svg, .chart canvas').length === 4", timeout=30000)
            page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
            docs = ROOT / "docs" / "report.png"
            if not docs.exists():
                shutil.copy(tmp_path / "report.png", docs)
        finally:
            browser.close()


FEEDBACK = (
    "县委第二巡察组向某镇党委反馈巡察情况\n"
    "2024年3月1日，县委第二巡察组向某镇党委反馈巡察情况。巡察发现存在理论学习不深入、村集体资金管理不规范、"
    "党员发展程序不严格等问题。\n"
)
RECTIFICATION = (
    "中共某镇委员会关于巡察整改情况的通报\n"
    "根据县委统一部署，2023年10月9日至12月14日，县委第二巡察组对某镇党委进行了常规巡察，2024年3月1日反馈了巡察意见。"
    "现将整改情况公布如下。\n"
    "一、关于“村集体资金管理不规范”问题的整改\n已清退违规资金3.5万元，已整改完成。\n"
    "二、关于“党员发展程序执行不严格”问题的整改\n正在逐村核查，预计年底前完成。\n"
    "2024年9月20日\n"
)


def test_findings_followed_to_their_rectification(tmp_path: Path) -> None:
    from agent.output.followup import follow, same_round
    from agent.record.pipeline import analyse, rules_record
    from agent.text.ingest import read_notice

    (tmp_path / "fb.txt").write_text(FEEDBACK, encoding="utf-8")
    (tmp_path / "zg.txt").write_text(RECTIFICATION, encoding="utf-8")
    fb, zg = (rules_record(analyse(read_notice(tmp_path / n))) for n in ("fb.txt", "zg.txt"))
    assert fb.doc_type == "feedback" and zg.doc_type == "rectification_progress"
    assert same_round(fb, zg) and not same_round(fb, rules_record(analyse(read_notice(NOTICES[0]))))
    links = {x.title: x for x in follow([fb, zg])}
    assert links["村集体资金管理不规范"].status == "completed" and links["村集体资金管理不规范"].certain
    assert links["党员发展程序不严格"].status == "in_progress"
    assert links["理论学习不深入"].matched_id is None and links["理论学习不深入"].status is None
