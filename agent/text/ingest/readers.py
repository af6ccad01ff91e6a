"""One reader per format, behind one interface: bytes and the file's name in, ``Extracted`` text out.

Why a module of its own: a notice arrives as plain text, a saved web page, a PDF or a Word attachment, and
the next format should be one more reader here, not a branch somewhere else. A reader is chosen by the
file's magic bytes (a PDF named ``.txt`` is still a PDF); anything else goes to the text reader. Every reader's text goes
through the same cleaning (``cleaning.clean``), so every span in the product indexes into text made one way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from agent.text.ingest.base import Extracted, IngestError
from agent.text.ingest.decoding import decode
from agent.text.ingest.html import html_to_text, looks_like_html, page_facts


@dataclass(frozen=True)
class Reader:
    name: str
    suffixes: tuple[str, ...]  # the names a folder scan reads
    magic: tuple[bytes, ...]  # the bytes a file of this format starts with (empty: any)
    read: Callable[[bytes, str], Extracted]


def _text(data: bytes, source: str) -> Extracted:
    """Plain text or a saved web page (sniffed from the text, whatever the suffix)."""
    text, encoding = decode(data, source)
    if not text.strip():
        raise IngestError(source, "empty file (whitespace only)")
    if looks_like_html(text):
        url, published = page_facts(text)
        return Extracted(html_to_text(text), encoding, url, published)
    return Extracted(text, encoding)


def _pdf(data: bytes, source: str) -> Extracted:
    from agent.text.ingest.pdf import read_pdf

    return read_pdf(data, source)


def _docx(data: bytes, source: str) -> Extracted:
    from agent.text.ingest.docx import read_docx

    return read_docx(data, source)


def _doc(data: bytes, source: str) -> Extracted:
    raise IngestError(source, "legacy Word file (.doc): convert it to .docx first "
                              "(for example: libreoffice --headless --convert-to docx FILE)")


READERS: tuple[Reader, ...] = (
    Reader("pdf", (".pdf",), (b"%PDF",), _pdf),
    Reader("docx", (".docx",), (b"PK\x03\x04",), _docx),
    Reader("doc", (".doc",), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",), _doc),
    Reader("text", (".txt", ".text", ".md", ".html", ".htm", ".shtml"), (), _text),
)
SUFFIXES = frozenset(s for r in READERS for s in r.suffixes)


def reader_for(data: bytes, suffix: str) -> Reader:
    """The reader the file's magic bytes name (a ZIP is a Word file when named ``.docx`` or holding ``word/``),
    else the text reader, which reads text and pages and names any other binary file. A suffix alone never
    makes a file a PDF or a Word file: ``suffixes`` say what a folder scan reads."""
    for r in READERS:
        if r.magic and any(data.startswith(m) for m in r.magic) and (r.name != "docx" or suffix == ".docx" or b"word/" in data[:4096]):
            return r
    return READERS[-1]
