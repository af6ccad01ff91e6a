"""A PDF attachment's text layer, as paragraphs in reading order, without running headers, footers and page
numbers.

Why a module of its own: rectification reports are often published as PDF attachments (``附件：…整改情况.pdf``).
pdfminer.six reads the text layer, CJK CID fonts included (it ships the Adobe-GB1 CMaps). A PDF knows lines,
not paragraphs, so they are rebuilt the way a reader sees them: a paragraph starts on an indented line (the
two-character indent of Chinese typesetting), after a line that stops short of the right margin, or after a
wider gap; its lines are joined without a separator (Chinese wraps anywhere, inside a number too). A line near the top or bottom edge that repeats on
most pages (the issuer, the title) or only numbers the page (``- 3 -``, ``第3页 共9页``) is dropped.

A PDF without a text layer (a scan), an encrypted one and a damaged one are each an ``IngestError`` that says
so; OCR is out of scope.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass

from agent.text.ingest.base import Extracted, IngestError

EDGE = 0.09  # of the page's height: the bands where running headers and footers stand
_PAGE_NUMBER = re.compile(r"^[-—–－\s]*\d{1,4}[-—–－\s]*$|^第\s*\d{1,4}\s*页(?:\s*[，,/]?\s*共\s*\d{1,4}\s*页)?$"
                          r"|^\d{1,4}\s*/\s*\d{1,4}$|^[Pp]age\s*\d{1,4}(?:\s*of\s*\d{1,4})?$")


@dataclass
class _Line:
    page: int
    x0: float
    x1: float
    top: float  # distance from the page's top edge
    bottom: float
    size: float  # the line's height: about its font size
    text: str
    height: float  # the page's


def read_pdf(data: bytes, source: str) -> Extracted:
    lines = _lines(data, source)
    if not any(ln.text for ln in lines):
        raise IngestError(source, "scanned PDF: it has no text layer (OCR is out of scope; run an OCR tool first)")
    body = _without_running_lines(lines)
    return Extracted("\n".join(_paragraphs(body)), "pdf")


def _lines(data: bytes, source: str) -> list[_Line]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTTextContainer, LTTextLineHorizontal
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfpage import PDFTextExtractionNotAllowed

    out: list[_Line] = []
    try:
        for pno, page in enumerate(extract_pages(io.BytesIO(data), laparams=LAParams())):
            for box in page:
                if not isinstance(box, LTTextContainer):
                    continue
                for ln in box:
                    if isinstance(ln, LTTextLineHorizontal) and (text := ln.get_text().strip()):
                        out.append(_Line(pno, ln.x0, ln.x1, page.height - ln.y1, page.height - ln.y0,
                                         ln.y1 - ln.y0, text, page.height))
    except (PDFPasswordIncorrect, PDFEncryptionError, PDFTextExtractionNotAllowed):
        raise IngestError(source, "encrypted PDF: it cannot be read without its password") from None
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many kinds on a damaged file
        raise IngestError(source, f"damaged PDF (truncated or corrupt): {type(exc).__name__}") from None
    out.sort(key=lambda ln: (ln.page, round(ln.top, 0), ln.x0))
    return out


def _at_edge(ln: _Line) -> bool:
    return ln.top < EDGE * ln.height or ln.bottom > (1 - EDGE) * ln.height


def _without_running_lines(lines: list[_Line]) -> list[_Line]:
    """Lines at the page's edges that number the page, or repeat (digits aside) on at least half the pages."""
    pages = len({ln.page for ln in lines})
    repeats = Counter(text for text, _ in {(re.sub(r"\d+", "#", ln.text), ln.page) for ln in lines if _at_edge(ln)})
    return [ln for ln in lines if not (_at_edge(ln) and (
        _PAGE_NUMBER.match(ln.text) or pages >= 2 and repeats[re.sub(r"\d+", "#", ln.text)] >= max(2, pages / 2)))]


def _paragraphs(lines: list[_Line]) -> list[str]:
    """Lines joined into paragraphs (see the module's docstring)."""
    if not lines:
        return []
    left = Counter(round(ln.x0) for ln in lines).most_common(1)[0][0]
    right = sorted(ln.x1 for ln in lines)[int(0.9 * (len(lines) - 1))]
    size = sorted(ln.size for ln in lines)[len(lines) // 2]
    paras: list[str] = []
    prev: _Line | None = None
    for ln in lines:
        indented = ln.x0 > left + 0.9 * size
        short = prev is not None and prev.x1 < right - 1.5 * size
        gap = prev is not None and prev.page == ln.page and ln.top - prev.bottom > 1.2 * size
        if prev is None or indented or short or gap:
            paras.append(ln.text)
        else:
            paras[-1] += ln.text  # Chinese wraps anywhere, inside a number too: no separator
        prev = ln
    return paras
