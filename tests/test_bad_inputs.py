"""Bad inputs (issue 5): each one gives a clear per-file error naming the file and the reason, or a correct
record, and never stops the batch. One test runs ``xuncha structure DIR --no-llm`` over a folder holding
all of them at once plus a good sample notice; the others pin each behaviour on its own (the 5 MB notice's
chunks against the server's context and its memory, 3,000 files, symlink loops, the paragraph fallback).

Tests run as root in CI, where ``chmod 000`` does not stop a read: a failing read is made with a FIFO, a
broken or looping symlink, a directory named like a notice, or a patched ``Path.open``.
"""

from __future__ import annotations

import codecs
import errno
import inspect
import io
import json
import os
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli.main import app
from agent.record.pipeline import analyse, rules_record
from agent.schema import NoticeRecord
from agent.text import chunks as chunking
from agent.text.chunks import CHUNK_LIMIT
from agent.text.finder import find_notice_files
from agent.text.ingest import IngestError, read_notice
from agent.text.outline import parse
from tests.conftest import NOTICES
from tests.test_ingest import gov_page, hangbu_paragraphs, png_bytes

runner = CliRunner()
GOOD = "xiaodian-town-rectification.txt"
FLAT = (
    "关于巡察整改情况的通报\n"
    "根据县委统一部署，2023年4月至6月，县委第二巡察组对某镇党委进行了常规巡察，并于7月10日反馈了巡察意见。\n"
    "镇党委对巡察反馈的理论学习不深入问题高度重视，组织班子成员开展专题学习12次，已整改完成。\n"
    "镇党委高度重视，召开专题会议研究部署，压实责任，推动工作落实。\n"
    "针对村集体资金管理不规范问题，清退违规资金3.5万元，建立制度5项，正在整改。\n"
    "针对基层党组织建设薄弱问题，调整村支部书记2名，发展党员6名，已完成整改。\n"
    "中共某镇委员会\n2023年10月11日"
)
RECIPE = (
    "番茄炒蛋的做法\n一、准备食材：番茄两个，鸡蛋三个，盐五克，白糖少许。\n二、鸡蛋打散，加少许盐搅匀，不要太久。\n"
    "三、番茄切块，热锅下油炒蛋，盛出备用。\n四、再下番茄翻炒出汁，倒入鸡蛋，加糖调味即可出锅。\n"
    "小贴士：番茄要选熟透的，没有熟透的番茄口感不足，炒的时间不够则出汁不多。"
)


def sample(name: str) -> str:
    return (NOTICES / name).read_text(encoding="utf-8")


def zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", sample("qiaotou-town-feedback-meeting.txt"))
    return buf.getvalue()


def mixed_bytes() -> bytes:
    """The good notice with every third line pasted in GBK and one stray 0xFF byte."""
    lines = sample(GOOD).split("\n")
    data = b"\n".join(line.encode("gbk") if i % 3 == 1 else line.encode("utf-8") for i, line in enumerate(lines))
    return data.replace("。".encode(), "。".encode() + b"\xff", 1)


def big_notice(target: int = 5_000_000) -> str:
    """A roundup of about ``target`` UTF-8 bytes: the Changji roundup's body repeated under its header."""
    lines = sample("changji-round5-seven-units.txt").split("\n")
    body = "\n".join(lines[2:-3])
    n = target // len(body.encode("utf-8")) + 1
    return "\n".join(lines[:2]) + "\n" + "\n".join([body] * n) + "\n" + "\n".join(lines[-3:])


def refuse_open(monkeypatch: pytest.MonkeyPatch, name: str, err: int = errno.EACCES) -> None:
    """Make reading the file called ``name`` fail as a permission (or I/O) error does, even for root."""
    real_open = Path.open

    def fake_open(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if self.name == name:
            raise OSError(err, os.strerror(err), str(self)) if err != errno.EACCES else PermissionError(err, os.strerror(err), str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", fake_open)


# --- the whole batch at once --------------------------------------------------------------------------

BAD = {  # file name -> what its one error line must say
    "empty.txt": "empty file",
    "blank.txt": "empty file (whitespace only)",
    "screenshot.txt": "binary file (PNG image)",
    "attachment.txt": "damaged Word file (.docx)",  # a Word-like archive, whatever its name: read by its bytes
    "locked.txt": "permission denied",
    "pipe.txt": "not a regular file (a FIFO/named pipe)",
    "gone.txt": "broken symlink",
    "loop.txt": "symlink loop",
}


def build_batch(folder: Path) -> None:
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_bytes(" \r\n\t\n\u3000\n".encode())
    (folder / "screenshot.txt").write_bytes(png_bytes())
    (folder / "attachment.txt").write_bytes(zip_bytes())
    (folder / "locked.txt").write_text(sample(GOOD), encoding="utf-8")
    (folder / "locked.txt").chmod(0)  # stops the read when not root; refuse_open() does it for root
    os.mkfifo(folder / "pipe.txt")
    (folder / "gone.txt").symlink_to("nowhere.txt")
    (folder / "loop.txt").symlink_to("loop.txt")
    (folder / "good.txt").write_text(sample(GOOD), encoding="utf-8")
    (folder / "gbk.txt").write_bytes(sample("changji-round5-seven-units.txt").encode("gbk"))
    (folder / "utf16.txt").write_bytes(codecs.BOM_UTF16_LE + sample("qiaotou-town-feedback-meeting.txt").encode("utf-16-le"))
    (folder / "bom-crlf.txt").write_bytes(codecs.BOM_UTF8 + sample("songyanghu-street-rectification.txt").replace("\n", "\r\n").encode())
    (folder / "mixed.txt").write_bytes(mixed_bytes())
    (folder / "page.html").write_text(gov_page(hangbu_paragraphs()), encoding="utf-8")
    (folder / "big.txt").write_text(big_notice(), encoding="utf-8")
    (folder / "flat.txt").write_text(FLAT, encoding="utf-8")
    (folder / "recipe.txt").write_text(RECIPE, encoding="utf-8")
    (folder / "folder.txt").mkdir()  # a directory named like a notice is a folder: walked, not read
    (folder / "folder.txt" / "inner.txt").write_text(sample("hangbu-town-rectification-progress.txt"), encoding="utf-8")
    (folder / "same.txt").symlink_to("good.txt")  # the good notice again: read once
    (folder / "up").symlink_to("..")  # symlink loops: never followed
    (folder / "here").symlink_to(".")


@pytest.mark.parametrize("processes", ["0", "2"], ids=["in-process", "rule-workers"])
def test_batch_of_every_bad_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, processes: str) -> None:
    folder = tmp_path / "batch"
    build_batch(folder)
    bad = dict(BAD)
    if processes == "0" or os.geteuid() != 0:
        refuse_open(monkeypatch, "locked.txt")
    else:  # root reads a mode-0 file, and the patch that refuses it cannot reach a worker process
        (folder / "locked.txt").unlink()
        del bad["locked.txt"]
    monkeypatch.setenv("COLUMNS", "4000")  # one error per line, however long the temporary path
    out = tmp_path / "out.jsonl"
    res = runner.invoke(app, ["structure", str(folder), "-o", str(out), "--no-llm", "--processes", processes])
    assert res.exit_code == 1, res.output

    errors = [line for line in res.output.splitlines() if line.startswith("error:")]
    assert len(errors) == len(bad), res.output
    for name, reason in bad.items():
        mine = [line for line in errors if f"{folder / name}: " in line]
        assert len(mine) == 1 and reason in mine[0], (name, errors)
    sidecar = [json.loads(x) for x in out.with_suffix(".jsonl.errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {Path(e["source"]).name: e["error"] for e in sidecar}.keys() == bad.keys()
    for e in sidecar:
        assert bad[Path(e["source"]).name] in e["error"]

    recs = [NoticeRecord.model_validate_json(x) for x in out.read_text(encoding="utf-8").splitlines()]
    by = {Path(r.source).relative_to(folder).as_posix(): r for r in recs}
    assert sorted(by) == sorted(["good.txt", "gbk.txt", "utf16.txt", "bom-crlf.txt", "mixed.txt", "page.html",
                                 "big.txt", "flat.txt", "recipe.txt", "folder.txt/inner.txt"])
    assert len(recs) == len(by), "no notice twice (symlinked copies and folder loops are not followed)"

    # the good notice intact: the same record the rules give for the sample itself
    reference = rules_record(analyse(read_notice(NOTICES / GOOD))).model_dump(exclude={"source"})
    assert by["good.txt"].model_dump(exclude={"source"}) == reference
    for name, original in [("gbk.txt", "changji-round5-seven-units.txt"), ("utf16.txt", "qiaotou-town-feedback-meeting.txt"),
                           ("bom-crlf.txt", "songyanghu-street-rectification.txt"), ("folder.txt/inner.txt", "hangbu-town-rectification-progress.txt")]:
        assert by[name].notice_id == read_notice(NOTICES / original).notice_id, name
    assert by["mixed.txt"].text.replace("\ufffd", "") == by["good.txt"].text
    assert by["mixed.txt"].text.count("\ufffd") == 1
    assert len(by["page.html"].problems) == 13 and by["page.html"].title is not None
    assert len(by["big.txt"].problems) > 5000
    assert {c.code for c in by["flat.txt"].checks} >= {"paragraph_fallback"}
    assert by["recipe.txt"].doc_type == "other" and by["recipe.txt"].problems == []
    assert "not_a_notice" in {c.code for c in by["recipe.txt"].checks}


# --- each on its own ------------------------------------------------------------------------------------

def test_unreadable_files_name_the_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "gone.txt").symlink_to("nowhere.txt")
    (tmp_path / "loop.txt").symlink_to("loop.txt")
    (tmp_path / "dir.txt").mkdir()
    for name in ("locked.txt", "flaky.txt"):
        (tmp_path / name).write_text("巡察整改", encoding="utf-8")
    refuse_open(monkeypatch, "locked.txt")
    monkeypatch.setattr(Path, "open", _also_eio(Path.open, "flaky.txt"))
    expected = {
        "pipe.txt": "not a regular file (a FIFO/named pipe), not read",  # never opened: opening a FIFO blocks
        "gone.txt": "broken symlink: its target does not exist",
        "loop.txt": "symlink loop: too many levels of symbolic links",
        "dir.txt": "is a directory, not a notice file",
        "locked.txt": "permission denied",
        "flaky.txt": "cannot read (Input/output error)",
    }
    for name, reason in expected.items():
        with pytest.raises(IngestError) as info:
            read_notice(tmp_path / name)
        assert str(info.value) == f"{tmp_path / name}: {reason}"


def _also_eio(real_open, name: str):  # type: ignore[no-untyped-def]
    def fake_open(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if self.name == name:
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(self))
        return real_open(self, *args, **kwargs)

    return fake_open


def test_mixed_encoding_file(tmp_path: Path) -> None:
    path = tmp_path / "mixed.txt"
    path.write_bytes(mixed_bytes())
    notice = read_notice(path)
    assert notice.encoding == "mixed utf-8/gb18030 (with replacements)"
    assert notice.text.replace("\ufffd", "") == read_notice(NOTICES / GOOD).text
    clean = b"\n".join(line.encode("gbk") if i % 2 else line.encode() for i, line in enumerate(FLAT.split("\n")))
    path.write_bytes(clean)
    assert (read_notice(path).text, read_notice(path).encoding) == (FLAT, "mixed utf-8/gb18030")


def test_folder_symlink_loops_end_and_nothing_twice(tmp_path: Path) -> None:
    root = tmp_path / "notices"
    (root / "sub").mkdir(parents=True)
    for rel in ("a.txt", "sub/b.txt"):
        (root / rel).write_text("巡察整改", encoding="utf-8")
    (root / "sub" / "up").symlink_to("..")  # a folder link to its parent
    (root / "sub" / "up2").symlink_to("..")  # two of them: following them would be exponential
    (root / "self").symlink_to(".")
    (root / "alias.txt").symlink_to("a.txt")  # the same file under a second name
    want = [str(root / "a.txt"), str(root / "sub" / "b.txt")]
    assert find_notice_files([str(root)]) == want
    assert find_notice_files([str(root / "**" / "*.txt")]) == want
    assert find_notice_files([str(root / "*")]) == want
    assert find_notice_files([str(root), str(root / "a.txt"), f"{root}/./a.txt"]) == want


def test_three_thousand_files(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    for i in range(3000):
        sub = folder / f"d{i // 500}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"n{i:04d}.txt").write_text(f"关于巡察整改情况的通报\n一、关于第{i}个问题的整改\n已整改完成，清退资金{i}元。\n", encoding="utf-8")
    files = find_notice_files([str(folder)])
    assert len(files) == len(set(files)) == 3000 and files == sorted(files)
    out = tmp_path / "out.jsonl"
    res = runner.invoke(app, ["structure", str(folder), "-o", str(out), "--no-llm"])
    assert res.exit_code == 0, res.output[-2000:]
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3000


def _slot_tokens() -> int:
    """Tokens of context one request gets on the embedded server, from its own defaults."""
    from agent.llm.server import LocalServer

    params = inspect.signature(LocalServer.__init__).parameters
    return int(params["ctx"].default) // int(params["slots"].default)


def test_chunk_limit_derives_from_the_server_context() -> None:
    from agent.config import Settings

    max_answer = Settings.model_fields["max_tokens"].default if hasattr(Settings, "model_fields") else Settings.max_tokens
    assert chunking.SLOT_CONTEXT_TOKENS == _slot_tokens()
    assert chunking.ANSWER_RESERVE_TOKENS >= max_answer
    used = CHUNK_LIMIT * chunking.TOKENS_PER_CHAR + chunking.PROMPT_RESERVE_TOKENS + chunking.ANSWER_RESERVE_TOKENS
    assert used <= _slot_tokens()


def test_five_megabyte_notice(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text(big_notice(), encoding="utf-8")
    size = path.stat().st_size
    assert size >= 5_000_000
    notice = read_notice(path)
    outline = parse(notice.text)
    from agent.text.figures import find_figures

    figures = find_figures(notice.text)
    tracemalloc.start()
    try:
        made = chunking.make_chunks(outline, figures)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(outline.problems) > 5000
    assert max(len(c.text) for c in made) <= CHUNK_LIMIT
    assert max(len(c.text) for c in made) * chunking.TOKENS_PER_CHAR <= _slot_tokens() - chunking.PROMPT_RESERVE_TOKENS - chunking.ANSWER_RESERVE_TOKENS
    answered = [pid for c in made for pid in c.items]
    open_ = [p.id for p in outline.problems if chunking.choices_for(outline.text, p)]
    assert sorted(set(answered)) == sorted(open_), "every problem the rules leave open is sent, and no other"
    # chunking holds the chunk texts and little else: a few times the notice, not a copy per chunk
    assert peak < 6 * size, (peak, size)


def _fits_and_covers(text: str, made: list[chunking.Chunk]) -> None:
    for c in made:
        assert len(c.text) <= CHUNK_LIMIT, (c.id, len(c.text))
        assert 0 <= c.span[0] <= c.span[1] <= len(text)
        for fid in c.figure_ids:
            assert f"〔{fid}〕" in c.text


def test_unpunctuated_block_title_and_intro_are_cut_to_fit() -> None:
    giant = "资金" + "村集体资金管理不规范存在问题 清退资金3.5万元 " * 4000  # one sentence, no 。；
    text = (
        "关于巡察整改情况的通报" * 400 + "\n"  # one title line of 4,400 characters
        + "根据县委统一部署" + "，县委第二巡察组对某镇党委进行了常规巡察" * 300 + "。\n"  # a giant opening
        # a finding whose own paragraph is giant: the model reads the finding (not its measures), so this is
        # what must be cut; its title names two classes (资金, 工程), so the model is asked about it
        + "一、资金和工程管理不规范问题" + giant + "\n二、关于“党建薄弱”问题的整改\n已整改完成。"
    )
    outline = parse(text)
    from agent.text.figures import find_figures

    figures = find_figures(text)
    made = chunking.make_chunks(outline, figures)
    _fits_and_covers(text, made)
    parts = [c for c in made if c.items == ("P1",)]
    assert len(parts) > 40 and all(c.id.startswith("c1.") for c in parts)
    asked = chunking.asked_span(outline.problems[0])
    assert parts[0].span[0] == asked[0] and parts[-1].span[1] == asked[1]
    assert all(a.span[1] == b.span[0] for a, b in zip(parts, parts[1:], strict=False)), "parts are contiguous"
    cuts = [c.span[1] for c in parts[:-1]]
    assert not any(f.span[0] < cut < f.span[1] for f in figures for cut in cuts), "no figure cut at a part boundary"
    assert all(c.kind == "problems" for c in made), "only problem chunks are asked (the header question was removed)"


def test_notice_without_headings_falls_back_to_paragraphs() -> None:
    outline = parse(FLAT)
    assert outline.grammar == "paragraphs"
    titles = [FLAT[p.title[0] : p.title[1]] for p in outline.problems]
    assert titles == ["镇党委对巡察反馈的理论学习不深入问题高度重视", "针对村集体资金管理不规范问题", "针对基层党组织建设薄弱问题"]
    assert FLAT[outline.intro[0] : outline.intro[1]].startswith("根据县委统一部署") if outline.intro else False
    record = rules_record(analyse(_notice(FLAT)))
    fallback = [c for c in record.checks if c.code == "paragraph_fallback"]
    assert len(fallback) == 1 and fallback[0].severity == "warning" and "3 paragraph(s)" in fallback[0].message
    assert [p.status for p in record.problems] == ["completed", "in_progress", "completed"]
    made = chunking.make_chunks(outline, analyse(_notice(FLAT)).figures)
    sent = "\n".join(c.text for c in made)
    for p in outline.problems:
        if chunking.choices_for(FLAT, p):  # a class the rules leave open: the model reads the paragraph
            assert FLAT[p.span[0] : p.span[1]].split("，")[0] in sent, "the model sees every open candidate paragraph"
    assert "召开专题会议" not in sent, "a paragraph without problem wording is not made a problem"


def test_text_that_is_not_a_notice_gets_no_problems() -> None:
    for text in (RECIPE, RECIPE.replace("\n", "")):
        record = rules_record(analyse(_notice(text)))
        assert record.doc_type == "other" and record.problems == []
        assert {"not_a_notice", "no_problems_found"} <= {c.code for c in record.checks}
        assert parse(text).grammar == "none"


def _notice(text: str):  # type: ignore[no-untyped-def]
    from agent.text.ingest import Notice, notice_id

    return Notice(source="<test>", text=text, encoding="utf-8", notice_id=notice_id(text))
