"""reconcile and rules: numbers only from regex figures, spans and alignment, stated totals (no model)."""

from __future__ import annotations

from agent.record.pipeline import analyse, rules_record
from agent.record.reconcile import Answers, build_record
from agent.text.figures import find_figures
from agent.text.ingest import read_notice
from agent.text.outline import parse
from agent.text.rules import status_from_phrases
from tests.conftest import notice_path


def _analysis(name: str):
    return analyse(read_notice(notice_path(name)))


def test_invented_figure_id_is_dropped_and_reported() -> None:
    a = _analysis("xiaodian-town-rectification")
    ans = Answers(figure_roles={"F21": "退回奖励资金", "F999": "编造的数字"})
    rec = build_record("x", "n", a.outline, a.figures, ans)
    assert {f.id for f in rec.figures} == {f.id for f in a.figures}
    assert next(f for f in rec.figures if f.id == "F21").role == "退回奖励资金"
    assert any(c.code == "model_figure_unknown" and "F999" in c.message for c in rec.checks)


def test_stated_totals_checked() -> None:
    rec = rules_record(_analysis("hangbu-town-rectification-progress"))
    by = {t.subject: t.value for t in rec.stated_totals}
    assert by["problems"] == 49 and by["completed"] == 48 and by["in_progress"] == 1 and by["aspects"] == 4
    codes = {c.code: c for c in rec.checks}
    assert codes["total_problems"].severity == "warning"  # 49 stated, 13 sections extracted: reported, not hidden
    assert codes["total_status_sum"].severity == "info"  # 48 + 1 = 49
    rec = rules_record(_analysis("songyanghu-street-rectification"))
    assert {c.code: c.severity for c in rec.checks}["total_problems"] == "info"  # 指出了20个具体问题 == 20


def test_every_span_slices_to_its_text() -> None:
    for name in ("xiaodian-town-rectification", "changji-round5-seven-units", "hangbu-town-rectification-progress"):
        rec = rules_record(_analysis(name))
        grounded = [rec.title, rec.issuer, rec.inspection.inspector, rec.inspection.kind, *rec.inspection.targets, *rec.units]
        for p in rec.problems:
            grounded += [p.title, p.description, *p.measures]
        for g in grounded:
            if g is not None:
                assert g.alignment == "exact" and rec.text[g.span[0] : g.span[1]] == g.text
        for f in rec.figures:
            assert rec.text[f.span[0] : f.span[1]] == f.text


def test_status_phrases() -> None:
    assert status_from_phrases("目前9个村87.2万元固定资产已全部入账。") == "completed"
    assert status_from_phrases("项目正在实施,正在整改中。") == "in_progress"
    assert status_from_phrases("今后将持续加强监督。") == "ongoing"
    assert status_from_phrases("存在问题。") == "unknown"


def test_no_heading_text_reports_a_check() -> None:
    text = "这是一段普通的文字,与任何通知都无关。"
    rec = build_record("x", "n", parse(text), find_figures(text), None)
    codes = {c.code for c in rec.checks}
    assert "no_problems_found" in codes and "not_a_notice" in codes and rec.doc_type == "other"


def test_inspection_facts_from_rules() -> None:
    rec = rules_record(_analysis("xiaodian-town-rectification"))
    assert rec.inspection.inspector.text == "县委第四巡察组"
    assert (rec.inspection.start, rec.inspection.end) == ("2023-10-09", "2024-01-14")
    assert [t.text for t in rec.inspection.targets] == ["小甸镇党委"]
    assert rec.published == "2024-10-11" and rec.issuer.text == "中共寿县小甸镇委员会"


def test_role_copied_from_prompt_is_dropped() -> None:
    a = _analysis("changji-round5-seven-units")
    last = a.outline.problems[-1]
    fid = next(f.id for f in a.figures if f.text == "87.2万元" and f.span[0] >= last.span[0])
    rec = build_record("x", "n", a.outline, a.figures, Answers(figure_roles={fid: "购买办公桌"}))
    assert next(f for f in rec.figures if f.id == fid).role == "固定资产", "the model's role dropped, the rules' kept"
    assert any(c.code == "role_not_in_text" for c in rec.checks)
    rec = build_record("x", "n", a.outline, a.figures, Answers(figure_roles={fid: "固定资产未入账"}))
    assert next(f for f in rec.figures if f.id == fid).role == "固定资产未入账"


def test_role_is_its_words_without_the_figure() -> None:
    from agent.record.reconcile import role_words

    assert role_words("1524户", "1524户") == ""  # only the number: says nothing, dropped
    assert role_words("4名镇干部承包镇内工程的", "4名") == "镇干部承包镇内工程"
    assert role_words("退回奖励资金", "41115元") == "退回奖励资金"
    assert role_words("实际可用土地总面积的40", "843.33亩") == "实际可用土地总面积的40"  # another number: dropped by reconcile
