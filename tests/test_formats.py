"""Notices as published: fifteen real notice texts (the five samples and ten from the dev sets, one in
traditional script) typeset as multi-page PDFs with running headers and page numbers, written as Word files
and wrapped in CMS-like pages. Each version gives the same problems, with the same titles, as its .txt.
A .docx findings table gives one problem per row, its status from the row's completion column. Broken files
each get one clear error, and the batch goes on."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli.main import app
from agent.record.pipeline import analyse, rules_record
from agent.schema import NoticeRecord
from agent.text.ingest import IngestError, read_notice
from tests.formats import cms_page, typeset_pdf, write_docx, write_findings_table

ROOT = Path(__file__).resolve().parent.parent
TEXTS = sorted((ROOT / "evals" / "notices").glob("*.txt")) + [ROOT / "evals" / p for p in (
    "holdout10/fb-yancheng-jtj-2023.txt", "holdout6/zg-jiangxia-guozi-2026.txt",
    "holdout4/fb-jiangsu-shengshu-gaoxiao-r6.txt", "holdout7/fb-xiao-r1-lingdaoxiaozu.txt",
    "holdout10/zg-wangcang-weijianju-2024.txt", "holdout/fb-wudi-shejia-2019.txt",
    "holdout13/fb-neimenggu-r1-2016.txt",  # traditional script, with pinyin glosses
    "holdout4/fb-suzhou-zhiyedaxue-2023.txt", "holdout9/fb-xizang-r9-2021.txt", "holdout11/fb-bengbu-jinrongban-tuopin.txt",
)]


def problems(rec: NoticeRecord) -> list[str]:
    return [p.title.text if p.title else rec.text[p.span[0] : p.span[1]] for p in rec.problems]


def structured(path: Path) -> NoticeRecord:
    return rules_record(analyse(read_notice(path)))


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.stem)
@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
def test_every_format_gives_the_problems_of_the_text(path: Path, fmt: str, tmp_path: Path) -> None:
    text = read_notice(path).text
    out = tmp_path / f"{path.stem}.{fmt}"
    if fmt == "pdf":
        typeset_pdf(text, out)
    elif fmt == "docx":
        write_docx(text, out)
    else:
        out.write_text(cms_page(text), encoding="utf-8")
    want, got = structured(path), structured(out)
    assert want.problems, "a text with findings"
    assert problems(got) == problems(want)
    assert all(got.text[p.span[0] : p.span[1]] for p in got.problems)  # spans index into the extracted text


@pytest.mark.parametrize("stem", ["xiaodian-town-rectification", "songyanghu-street-rectification"])
def test_pdf_gives_back_the_paragraphs_without_headers_and_page_numbers(stem: str, tmp_path: Path) -> None:
    text = read_notice(ROOT / "evals" / "notices" / f"{stem}.txt").text
    pdf = typeset_pdf(text, tmp_path / "n.pdf", header="某县巡察整改专报（第3期）")
    notice = read_notice(pdf)
    assert notice.text == text  # paragraph for paragraph, numbers broken across lines joined again
    assert "专报" not in notice.text and "- 2 -" not in notice.text


def test_page_says_where_and_when_it_was_published(tmp_path: Path) -> None:
    text = "县委巡察组反馈巡察情况\n近日，县委第一巡察组向某镇党委反馈巡察情况。巡察发现，该镇存在学习贯彻不深入、财务管理不规范等问题。"
    page = tmp_path / "p.html"
    page.write_text(cms_page(text, url="http://www.xx.gov.cn/a/1.html", date="2021-06-10"), encoding="utf-8")
    rec = structured(page)
    assert rec.url == "http://www.xx.gov.cn/a/1.html"
    assert rec.published == "2021-06-10"


ROWS = [
    ("理论学习中心组学习不深入，研讨交流流于形式", "修订学习制度，每季度开展一次专题研讨", "已完成"),
    ("村级财务管理不规范，部分票据审核不严", "开展村级财务专项检查，规范票据审核流程", "正在推进，预计年底前完成"),
    ("落实意识形态工作责任制有差距", "建立意识形态工作台账，定期分析研判", "长期坚持"),
]


def test_docx_findings_table_gives_one_problem_per_row_with_its_status(tmp_path: Path) -> None:
    intro = ["某镇党委关于巡察整改进展情况的通报",
             "根据县委统一部署，2023年4月至6月，县委第二巡察组对某镇党委开展了常规巡察，并于7月10日反馈了巡察意见。现将整改进展情况通报如下。"]
    rec = structured(write_findings_table(intro, ROWS, tmp_path / "t.docx"))
    assert [p.title.text.rstrip("。") if p.title else "" for p in rec.problems] == [r[0] for r in ROWS]
    assert [p.status for p in rec.problems] == ["completed", "in_progress", "ongoing"]


def _truncated_pdf(tmp_path: Path) -> Path:
    data = typeset_pdf(read_notice(TEXTS[0]).text, tmp_path / "whole.pdf").read_bytes()
    (tmp_path / "truncated.pdf").write_bytes(data[: len(data) // 3])
    return tmp_path / "truncated.pdf"


def _encrypted_pdf(tmp_path: Path) -> Path:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(tmp_path / "encrypted.pdf"),
                      encrypt=pdfencrypt.StandardEncryption("secret", ownerPassword="owner", canPrint=0, canCopy=0))
    c.drawString(72, 700, "confidential")
    c.save()
    return tmp_path / "encrypted.pdf"


def _scanned_pdf(tmp_path: Path) -> Path:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(tmp_path / "scanned.pdf"))
    for i in range(40):  # a page of drawn strokes, as a scan is an image: no text layer
        c.line(72, 100 + 15 * i, 500, 100 + 15 * i)
    c.showPage()
    c.save()
    return tmp_path / "scanned.pdf"


def _corrupt_docx(tmp_path: Path) -> Path:
    good = write_docx(read_notice(TEXTS[0]).text, tmp_path / "good.docx").read_bytes()
    (tmp_path / "corrupt.docx").write_bytes(good[: len(good) // 2])
    return tmp_path / "corrupt.docx"


def _legacy_doc(tmp_path: Path) -> Path:
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    return tmp_path / "old.doc"


BROKEN = {
    "truncated.pdf": (_truncated_pdf, "damaged PDF"),
    "encrypted.pdf": (_encrypted_pdf, "encrypted PDF"),
    "scanned.pdf": (_scanned_pdf, "scanned PDF: it has no text layer (OCR is out of scope"),
    "corrupt.docx": (_corrupt_docx, "damaged Word file (.docx)"),
    "old.doc": (_legacy_doc, "legacy Word file (.doc): convert it to .docx"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_file_is_one_clear_error(name: str, tmp_path: Path) -> None:
    make, reason = BROKEN[name]
    path = make(tmp_path)
    with pytest.raises(IngestError) as info:
        read_notice(path)
    assert reason in info.value.reason and str(path) in str(info.value)


def test_mixed_folder_lands_and_says_what_it_skips(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "attachments"
    folder.mkdir()
    text = read_notice(TEXTS[1]).text
    typeset_pdf(text, folder / "a.pdf")
    write_docx(text, folder / "b.docx")
    (folder / "c.html").write_text(cms_page(text), encoding="utf-8")
    (folder / "d.txt").write_text(text, encoding="utf-8")
    for name in BROKEN:
        BROKEN[name][0](tmp_path).rename(folder / name)
    (folder / "sheet.xlsx").write_bytes(b"PK\x03\x04")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    (folder / ".DS_Store").write_bytes(b"\x00")
    monkeypatch.setenv("COLUMNS", "4000")
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(app, ["structure", str(folder), "-o", str(out), "--no-llm"])
    assert res.exit_code == 1, res.output
    recs = [NoticeRecord.model_validate_json(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(Path(r.source).name for r in recs) == ["a.pdf", "b.docx", "c.html", "d.txt"]
    assert len({tuple(problems(r)) for r in recs}) == 1
    errors = {Path(e["source"]).name: e["error"] for e in
              map(json.loads, out.with_suffix(".jsonl.errors.jsonl").read_text(encoding="utf-8").splitlines())}
    assert set(errors) == {*BROKEN, "sheet.xlsx", "photo.jpg"}  # every file not read, with its reason
    assert "not a notice format" in errors["sheet.xlsx"] and ".pdf" in errors["photo.jpg"]
    for name, (_, reason) in BROKEN.items():
        assert reason in errors[name]
        assert sum(f"{folder / name}: " in line for line in res.output.splitlines()) == 1


def test_a_zip_that_is_not_word_named_docx(tmp_path: Path) -> None:
    path = tmp_path / "x.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("content.txt", "nothing")
    with pytest.raises(IngestError, match="damaged Word file"):
        read_notice(path)
