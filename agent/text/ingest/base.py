"""What every reader gives: a ``Notice`` (the extracted text every span indexes into) or an ``IngestError``
that names the file and the reason."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


class IngestError(Exception):
    """A file that cannot be read as a notice; the message names the file and the reason."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class Notice:
    source: str  # the path as given
    text: str  # cleaned text; all spans in the product index into this
    encoding: str  # detected, e.g. "utf-8", "gb18030", "utf-16"; "pdf" and "docx" for those formats
    notice_id: str  # "n_" + first 16 hex of sha256(text as utf-8)
    removed: list[str] = field(default_factory=list)  # boilerplate lines removed, for transparency
    url: str | None = None  # where it was published: a first line ``source: URL``, or the page's canonical link
    published: str | None = None  # the page's own date (meta tags), ISO, for when the text gives none


@dataclass(frozen=True)
class Extracted:
    """A reader's answer: the text before cleaning, and what the file says about itself."""

    text: str
    encoding: str
    url: str | None = None
    published: str | None = None


def notice_id(text: str) -> str:
    return "n_" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
