"""Real notice texts written the way publishers write them: typeset as PDF (reportlab, a CJK CID font,
pages with running headers and page numbers), written as Word files (paragraphs, or a findings table) and
wrapped in pages built like government CMS pages. Test data makers, not tests."""

from __future__ import annotations

from pathlib import Path

A4 = (595.27, 841.89)
FONT = "STSong-Light"


def typeset_pdf(text: str, path: Path, header: str = "中共某县委巡察工作领导小组办公室", size: float = 12.0) -> Path:
    """Each line of ``text`` a paragraph: the first line centred as the title, the others justified to the
    measure with a two-character first-line indent, wrapped by width (as a word processor does); every page
    has a running header and a ``- N -`` page number."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    width = lambda s: pdfmetrics.stringWidth(s, FONT, size)  # noqa: E731
    left, right, top, bottom, leading = 72.0, A4[0] - 72.0, A4[1] - 80.0, 80.0, size * 1.75
    c = canvas.Canvas(str(path), pagesize=A4)
    page = [1]
    y = [top]

    def furniture() -> None:
        c.setFont(FONT, 9)
        c.drawString(left, A4[1] - 45, header)
        c.drawCentredString(A4[0] / 2, 40, f"- {page[0]} -")
        c.setFont(FONT, size)

    def line(s: str, x: float) -> None:
        if y[0] < bottom:
            c.showPage()
            page[0] += 1
            y[0] = top
            furniture()
        c.drawString(x, y[0], s)
        y[0] -= leading

    furniture()
    paras = text.split("\n")
    c.drawCentredString(A4[0] / 2, y[0], paras[0])
    y[0] -= leading * 1.5
    for para in paras[1:]:
        x, rest = left + 2 * size, para
        while rest:
            n = 1
            while n < len(rest) and width(rest[: n + 1]) <= right - x:
                n += 1
            line(rest[:n], x)
            rest, x = rest[n:], left
    c.save()
    return path


def write_docx(text: str, path: Path) -> Path:
    """Each line of ``text`` a paragraph (the first one a heading, as reports are titled)."""
    from docx import Document

    doc = Document()
    lines = text.split("\n")
    doc.add_heading(lines[0], level=1)
    for line in lines[1:]:
        doc.add_paragraph(line)
    doc.save(str(path))
    return path


def write_findings_table(intro: list[str], rows: list[tuple[str, str, str]], path: Path,
                         head: tuple[str, ...] = ("序号", "反馈问题", "整改措施", "完成情况")) -> Path:
    """A rectification report laid out as publishers do: paragraphs, then one table row per finding."""
    from docx import Document

    doc = Document()
    doc.add_heading(intro[0], level=1)
    for line in intro[1:]:
        doc.add_paragraph(line)
    table = doc.add_table(rows=1, cols=len(head))
    for cell, name in zip(table.rows[0].cells, head, strict=True):
        cell.text = name
    for i, row in enumerate(rows, 1):
        cells = table.add_row().cells
        for cell, value in zip(cells, (str(i), *row), strict=True):
            cell.text = value
    doc.add_paragraph("中共某镇委员会")
    doc.save(str(path))
    return path


def cms_page(text: str, url: str = "http://www.example.gov.cn/xcgz/2024/0312/123.html", date: str = "2024-03-12") -> str:
    """A county discipline-inspection site's article page around ``text``: its head names the canonical address
    and the publication date; navigation, breadcrumbs, share links, related articles and a footer around it."""
    lines = text.split("\n")
    body = "".join(f'<p style="text-indent:2em">{line}</p>\n' for line in lines[1:])
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{lines[0]}_巡察工作_某县纪委监委</title>
<link rel="canonical" href="{url}">
<meta property="og:url" content="{url}">
<meta name="PubDate" content="{date} 09:30">
<script>var _hmt = _hmt || [];</script></head>
<body><div class="top"><nav><a href="/">首页</a> <a href="/xcgz/">巡察工作</a> <a href="/djgz/">党纪法规</a></nav></div>
<div class="position">当前位置：首页 &gt; 巡察工作 &gt; 正文</div>
<div class="article"><h1>{lines[0]}</h1>
<div class="info">来源：县委巡察办　　发布时间：{date}　　浏览次数：1024</div>
<div class="TRS_Editor">{body}</div>
<div class="share">分享到：微信 微博</div></div>
<div class="related"><h3>相关文章</h3><ul><li><a href="/a.html">县委第一巡察组进驻开展巡察</a></li></ul></div>
<footer>主办单位：中共某县纪委 某县监委　版权所有　ICP备12345678号</footer></body></html>"""
