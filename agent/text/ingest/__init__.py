"""Read one notice file into clean, stable text: the ground every span in the product indexes into.

Why a package of its own: notices arrive as UTF-8, GBK/GB18030 or UTF-16 text, as saved web pages wrapped in
navigation and footers, as PDF and Word attachments, and sometimes as something that is not a notice at all
(a screenshot, an archive). Every later stage (outline, rules, model, reconcile) stores ``[start, end)``
offsets into one cleaned string, so that string is produced here, in one place, deterministically, and
without rewriting the body: one reader per format (``readers``), then the same cleaning for all
(``cleaning``): only whole boilerplate lines are dropped (and listed in ``Notice.removed``), and lines are
stripped at their edges. Every bad input (empty, binary, a FIFO, a broken or looping link, a scanned,
encrypted or damaged PDF, a damaged .docx, a legacy .doc) is an ``IngestError`` naming the file and the
reason. Pure: no network, no LLM layer.
"""

from __future__ import annotations

import errno
import stat
from pathlib import Path

from agent.text.ingest.base import Extracted, IngestError, Notice, notice_id
from agent.text.ingest.cleaning import clean, split_url_line
from agent.text.ingest.decoding import decode
from agent.text.ingest.html import html_to_text, looks_like_html, page_facts
from agent.text.ingest.readers import READERS, SUFFIXES, reader_for

__all__ = ["READERS", "SUFFIXES", "Extracted", "IngestError", "Notice", "clean", "decode", "html_to_text",
           "looks_like_html", "notice_id", "page_facts", "read_notice", "split_url_line"]

_SPECIAL = {stat.S_IFIFO: "a FIFO/named pipe", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a device", stat.S_IFBLK: "a device"}


def _read_bytes(path: str | Path, max_bytes: int) -> bytes:
    source, p = str(path), Path(path)
    try:
        st = p.stat()
        if stat.S_ISDIR(st.st_mode):
            raise IngestError(source, "is a directory, not a notice file")
        if not stat.S_ISREG(st.st_mode):
            kind = _SPECIAL.get(stat.S_IFMT(st.st_mode), "special file")
            raise IngestError(source, f"not a regular file ({kind}), not read")
        if st.st_size > max_bytes:
            raise IngestError(source, f"file too large ({st.st_size} bytes > {max_bytes})")
        with p.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise IngestError(source, "broken symlink: its target does not exist" if p.is_symlink() else "no such file") from None
    except PermissionError:
        raise IngestError(source, "permission denied") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise IngestError(source, "symlink loop: too many levels of symbolic links") from None
        raise IngestError(source, f"cannot read ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        raise IngestError(source, f"file too large (> {max_bytes} bytes)")
    return data  # an empty file goes to the text reader, whose decoding names it


def read_notice(path: str | Path, max_bytes: int = 20_000_000) -> Notice:
    """Read one notice file of any format it has a reader for; any reason it is not a notice is an IngestError."""
    source = str(path)
    data = _read_bytes(path, max_bytes)
    got = reader_for(data, Path(path).suffix.lower()).read(data, source)
    url, text = split_url_line(got.text)
    cleaned, removed = clean(text)
    if not cleaned:
        raise IngestError(source, "empty: no text left after removing boilerplate")
    return Notice(source=source, text=cleaned, encoding=got.encoding, notice_id=notice_id(cleaned),
                  removed=removed, url=url or got.url, published=got.published)
