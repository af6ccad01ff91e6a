"""agent.text.ingest: decoding, HTML, boilerplate, and the guarantee that cleaned text (and so every span) is stable."""

from __future__ import annotations

import codecs
import hashlib
import os
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.text.ingest import IngestError, clean, decode, html_to_text, read_notice

NOTICES = Path(__file__).resolve().parent.parent / "evals" / "notices"
HANGBU = "hangbu-town-rectification-progress.txt"
CLEAN_ONES = [
    "changji-round5-seven-units.txt",
    "qiaotou-town-feedback-meeting.txt",
    "songyanghu-street-rectification.txt",
    "xiaodian-town-rectification.txt",
]
HANGBU_BOILERPLATE = ["当前位置:首页 > 巡视巡察", "分享到:", "[全文下载]:"]
# Other modules' offsets and golden files hang on these: a change here means every span moved.
EXPECTED_IDS = {
    "changji-round5-seven-units.txt": "n_41dc10ca24250b97",
    HANGBU: "n_7c928f6887f3e50b",
    "qiaotou-town-feedback-meeting.txt": "n_7feb6bbed1205329",
    "songyanghu-street-rectification.txt": "n_9283a7bccac5305b",
    "xiaodian-town-rectification.txt": "n_0d0f8f77e47b781f",
}


def sample(name: str) -> str:
    return (NOTICES / name).read_bytes().decode("utf-8")


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- the five sample notices ------------------------------------------------------------------------

@pytest.mark.parametrize("name", CLEAN_ONES)
def test_clean_notices_are_unchanged(tmp_path: Path, name: str) -> None:
    raw = sample(name)
    notice = read_notice(write(tmp_path, name, raw.encode("utf-8")))
    assert notice.text == raw.rstrip("\n")
    assert notice.removed == []
    assert notice.encoding == "utf-8"
    assert notice.source == str(tmp_path / name)


def test_hangbu_loses_exactly_its_boilerplate(tmp_path: Path) -> None:
    raw = sample(HANGBU)
    notice = read_notice(write(tmp_path, HANGBU, raw.encode("utf-8")))
    assert notice.removed == HANGBU_BOILERPLATE
    lines = [line.strip() for line in raw.split("\n")]
    expected = [line for line in lines if line and line not in HANGBU_BOILERPLATE]
    assert notice.text.split("\n") == expected
    out = notice.text.split("\n")
    assert out[0] == "中共衢州市柯城区航埠镇委员会关于巡察整改进展情况的通报"
    assert out[1] == "2024-01-26 来源:市纪委、监委"
    assert out[-1].startswith("欢迎广大干部群众") and "联系电话:0570-2971001" in out[-1]
    assert "\n\n" not in notice.text and "\xa0" not in notice.text  # NBSP only ever at line ends here


@pytest.mark.parametrize("name", sorted(EXPECTED_IDS))
def test_notice_id_is_stable(tmp_path: Path, name: str) -> None:
    data = (NOTICES / name).read_bytes()
    first = read_notice(write(tmp_path, "a.txt", data))
    second = read_notice(write(tmp_path, "b.txt", data))
    assert first.notice_id == second.notice_id == EXPECTED_IDS[name]
    assert first.notice_id == "n_" + hashlib.sha256(first.text.encode("utf-8")).hexdigest()[:16]


# --- encodings --------------------------------------------------------------------------------------

ENCODINGS = {
    "gbk": (lambda t: t.encode("gbk"), "gb18030"),
    "gb18030": (lambda t: t.encode("gb18030"), "gb18030"),
    "utf-16-le-bom": (lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"), "utf-16"),
    "utf-16-be-bom": (lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"), "utf-16"),
    "utf-16-le-no-bom": (lambda t: t.encode("utf-16-le"), "utf-16-le"),
    "utf-8-bom-crlf": (lambda t: codecs.BOM_UTF8 + t.replace("\n", "\r\n").encode("utf-8"), "utf-8"),
}


@pytest.mark.parametrize("name", ["xiaodian-town-rectification.txt", "changji-round5-seven-units.txt"])
@pytest.mark.parametrize("kind", sorted(ENCODINGS))
def test_encodings_give_same_text_and_id(tmp_path: Path, name: str, kind: str) -> None:
    raw = sample(name)
    reference = read_notice(write(tmp_path, "ref.txt", raw.encode("utf-8")))
    encode, label = ENCODINGS[kind]
    notice = read_notice(write(tmp_path, f"{kind}.txt", encode(raw)))
    assert notice.encoding == label
    assert notice.text == reference.text
    assert notice.notice_id == reference.notice_id


@pytest.mark.parametrize("encode", [lambda t: t.encode("gb18030"), lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be")])
def test_hangbu_in_other_encodings(tmp_path: Path, encode: Callable[[str], bytes]) -> None:
    raw = sample(HANGBU)  # has NBSP, which GBK cannot encode but GB18030 can
    reference = read_notice(write(tmp_path, "ref.txt", raw.encode("utf-8")))
    notice = read_notice(write(tmp_path, "enc.txt", encode(raw.replace("\n", "\r\n"))))
    assert (notice.text, notice.notice_id, notice.removed) == (reference.text, reference.notice_id, reference.removed)


def test_utf8_with_a_few_invalid_bytes(tmp_path: Path) -> None:
    raw = sample("qiaotou-town-feedback-meeting.txt")
    data = raw.encode("utf-8")
    cut = [len(raw[:n].encode("utf-8")) for n in (100, 700, 1500)]  # character boundaries
    damaged = data[: cut[0]] + b"\xff" + data[cut[0]: cut[1]] + b"\x80\x80" + data[cut[1]: cut[2]] + "县".encode()[:2] + data[cut[2]:]
    notice = read_notice(write(tmp_path, "damaged.txt", damaged))
    assert notice.encoding == "utf-8 (with replacements)"
    assert 1 <= notice.text.count("\ufffd") <= 4
    assert notice.text.replace("\ufffd", "") == raw


def test_decode_bytes_directly() -> None:
    for short in ("巡察反馈", "巡察反馈意见整改", "关于巡察整改进展情况的通报"):  # ties between CJK codecs → GB
        assert decode(short.encode("gbk")) == (short, "gb18030")
    assert decode(codecs.BOM_UTF8 + "通报".encode()) == ("通报", "utf-8")
    with pytest.raises(IngestError, match="<bytes>: empty"):
        decode(b"")


# --- things that are not notices --------------------------------------------------------------------

def png_bytes() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b"")


def test_png_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "x.png", png_bytes())
    with pytest.raises(IngestError) as info:
        read_notice(path)
    assert str(info.value) == f"{path}: binary file (PNG image), not a text notice"
    assert info.value.path == str(path) and "PNG" in info.value.reason


def test_a_zip_that_is_no_word_file_is_named_damaged(tmp_path: Path) -> None:
    path = tmp_path / "notice.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", sample("qiaotou-town-feedback-meeting.txt"))
    with pytest.raises(IngestError, match=r"damaged Word file \(\.docx\)"):
        read_notice(path)


def test_a_zip_named_like_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notice.txt"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("data.bin", b"\x00" * 10)
    with pytest.raises(IngestError, match="ZIP archive"):
        read_notice(path)


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "empty"),
    (b" \r\n\t\n", "empty"),
    ("\u3000\u3000\n\xa0\n".encode(), "empty"),
    (codecs.BOM_UTF16_LE, "empty"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "damaged PDF"),
    (b"GIF89a\x01\x00\x01\x00", "GIF image"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG image"),
    (b"\x01\x02\x00\x00\x07\x00abc\x00\x00\x00", "NUL bytes"),
    ("当前位置：首页 > 巡察工作\n分享到：\n".encode(), "no text left"),
])
def test_bad_contents(tmp_path: Path, data: bytes, reason: str) -> None:
    with pytest.raises(IngestError, match=reason):
        read_notice(write(tmp_path, "bad.txt", data))


def test_directory_missing_and_too_large(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="directory"):
        read_notice(tmp_path)
    with pytest.raises(IngestError, match="no such file") as info:
        read_notice(tmp_path / "nope.txt")
    assert str(info.value).startswith(str(tmp_path / "nope.txt"))
    with pytest.raises(IngestError, match="too large"):
        read_notice(write(tmp_path, "big.txt", ("巡察" * 100).encode()), max_bytes=100)


def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path, "locked.txt", "巡察反馈".encode())
    os.chmod(path, 0)
    try:
        try:
            notice = read_notice(path)
        except IngestError as exc:
            assert exc.reason == "permission denied"
            return
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            pytest.skip(f"running as root: chmod 000 does not stop reads (got {notice.text!r})")
        pytest.fail("unreadable file was read")
    finally:
        os.chmod(path, 0o644)


# --- saved web pages --------------------------------------------------------------------------------

def gov_page(paragraphs: list[str], charset: str = "utf-8") -> str:
    body = "\n".join(f'<p style="text-indent:2em">&nbsp;&nbsp;{p}</p>' for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>巡察整改进展情况的通报_衢州市纪委监委</title>
<style>.TRS_Editor p {{ font-size: 16px; }}</style>
<script>var _hmt = _hmt || []; document.write("统计代码");</script></head>
<body>
<header class="top"><div class="logo">清廉衢州网</div></header>
<nav><ul><li><a href="/">网站首页</a></li><li><a href="/jgsz">机构设置</a></li><li><a href="/xsxc">巡视巡察</a></li></ul></nav>
<div class="main-box">
  <div class="location">当前位置：<a href="/">首页</a> &gt; <a href="/xsxc">巡视巡察</a></div>
  <div class="article-wrap">
    <h1 class="title">中共衢州市柯城区航埠镇委员会关于巡察整改进展情况的通报</h1>
    <div class="info"><span>2024-01-26</span> <span>来源:市纪委、监委</span> <span>浏览次数：<b>1024</b></span></div>
    <div class="font">【字体：<a>大</a> <a>中</a> <a>小</a>】</div>
    <div class="TRS_Editor">
{body}
    </div>
    <div class="share">分享到：<a>微信</a> <a>微博</a></div>
    <div class="tools">【打印本页】 【关闭窗口】</div>
  </div>
  <div class="sidebar"><h3>相关链接</h3><ul><li><a>中央纪委国家监委网站</a></li></ul></div>
</div>
<footer><p>版权所有：中共衢州市纪律检查委员会 衢州市监察委员会</p><p>浙ICP备12345678号 网站标识码：3308000001</p>
<p>浙公网安备 33080202000123号</p></footer>
<script type="text/javascript">window.onload = function () {{ console.log("巡察"); }};</script>
</body></html>
"""


def hangbu_paragraphs() -> list[str]:
    lines = [line.strip() for line in sample(HANGBU).split("\n")]
    return [line for line in lines if line and line not in HANGBU_BOILERPLATE][2:]  # body after title/date


@pytest.mark.parametrize("charset", ["utf-8", "gb2312"])
def test_saved_gov_page(tmp_path: Path, charset: str) -> None:
    paragraphs = hangbu_paragraphs()
    page = gov_page(paragraphs, charset)
    path = write(tmp_path, "page.html", page.encode("utf-8" if charset == "utf-8" else "gb18030"))
    notice = read_notice(path)
    assert notice.encoding == ("utf-8" if charset == "utf-8" else "gb18030")
    lines = notice.text.split("\n")
    assert lines[0] == "中共衢州市柯城区航埠镇委员会关于巡察整改进展情况的通报"
    assert "2024-01-26" in lines[1] and "来源:市纪委、监委" in lines[1]
    pos = 0
    for p in paragraphs:  # in order (some short paragraphs repeat, so search onwards)
        pos = notice.text.index(p, pos) + len(p)
    assert lines[2:2 + len(paragraphs)] == paragraphs
    for junk in ("网站首页", "机构设置", "当前位置", "_hmt", "统计代码", "console", "版权所有", "ICP备",
                 "公网安备", "分享到", "打印本页", "相关链接", "清廉衢州网", "font-size", "&nbsp;", "&gt;"):
        assert junk not in notice.text, junk


def test_html_without_container_keeps_body_text() -> None:
    html = "<html><body><nav>导航栏</nav><div><p>第一段&lt;正文&gt;。</p><p>第二段<br>换行\n续写。</p></div></body></html>"
    assert clean(html_to_text(html))[0] == "第一段<正文>。\n第二段\n换行续写。"


# --- clean() ----------------------------------------------------------------------------------------

def test_clean_removes_only_boilerplate_lines() -> None:
    junk = [
        "当前位置：首页 》 巡察工作", "您的位置：首页 › 工作动态", "当前位置:首页>巡视巡察>巡察公告", "分享到：",
        "【全文下载】", "[全文下载]：附件.doc", "【字体：大 中 小】", "扫一扫在手机打开当前页", "打印本页 关闭窗口",
        "【打印本页】【关闭窗口】", "Copyright © 2024 All Rights Reserved", "浙ICP备12345678号-1",
        "网站标识码：3308020001", "浙公网安备 33080202000123号", "主办单位：中共衢州市纪律检查委员会",
        "您访问的链接即将离开“清廉衢州”网站，是否继续？", "浏览次数：1234", "阅读次数: 56",
    ]
    keep = [
        "关于巡察整改进展情况的通报", "2024-01-26 来源:市纪委、监委", "发布时间：2024-01-26 浏览次数：35",
        "(来源:永嘉县人民政府网站)", "（一）关于“版权所有意识不强”的问题。", "一是提高思想认识：把握整改要求，当前位置很关键。",
        "联系电话:0570-2971001,邮政地址:衢州市柯城区航埠镇航华路23号",
    ]
    lines = ["\u3000\u3000" + junk[0], ""]
    for k, j in zip(keep, junk[1: len(keep) + 1], strict=True):  # body and boilerplate interleaved
        lines += [k, "", "", f"{j}\u200b"]
    raw = "\r\n".join(lines + junk[len(keep) + 1:] + [""])
    text, removed = clean(raw)
    assert text.split("\n") == keep
    assert sorted(removed) == sorted(junk)


def test_clean_keeps_fullwidth_punctuation_and_inner_spaces() -> None:
    line = "（二）关于“资金管理”问题：已整改，完成率100%；\u3000下一步 继续推进。"
    assert clean(f"\ufeff  {line}\u3000\r\n")[0] == line


FRAGMENTS = st.sampled_from([
    "\n", "\r\n", "\r", "\u3000", "\xa0", " ", "\t", "\u200b", "\ufeff", "\u2028", "\x0c", "\x85",
    "当前位置:首页 > 巡视巡察", "分享到:", "[全文下载]:", "版权所有", "2024-01-26 来源:市纪委、监委", "浏览次数：3",
    "（一）", "整改。", "巡察", "【", "】", "：",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=8), FRAGMENTS), max_size=40).map("".join))
def test_clean_is_total_and_idempotent(raw: str) -> None:
    text, removed = clean(raw)
    assert clean(text) == (text, [])
    assert text.split("\n") == text.splitlines() or text == ""
    assert all(line and line == line.strip() for line in text.split("\n") if text)
    assert all(r and r == r.strip() for r in removed)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_decode_never_crashes(data: bytes) -> None:
    try:
        text, encoding = decode(data)
    except IngestError as exc:
        assert exc.path == "<bytes>" and exc.reason
    else:
        assert isinstance(text, str) and encoding


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=6), st.sampled_from([
    "<p>", "</p>", "<div class='content'>", "</div>", "<br>", "<script>", "</script>", "<nav>", "&amp;", "<!--", "巡察"
])), max_size=30).map("".join))
def test_html_to_text_never_crashes(html: str) -> None:
    assert isinstance(html_to_text(html), str)
