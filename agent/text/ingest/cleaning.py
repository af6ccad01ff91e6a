"""Clean extracted text into one paragraph per line, whole boilerplate lines removed (and listed), and read a
saved item's ``source: URL`` first line.

Why a module of its own: every reader (text, HTML, PDF, Word) ends here, so every notice's text, and every
span into it, is made by the same rules. Pure.
"""

from __future__ import annotations

import re

_NEWLINES = re.compile(r"\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")
_DATE = re.compile(r"(19|20)\d\d\s*[-/.年]\s*\d{1,2}")
_SEP = r"\s*[:：]"
# whole lines that are only site furniture, each matched against the stripped line
_BOILERPLATE = [re.compile(p, re.I) for p in (
    rf"^(当前位置|您的位置|您现在的位置|所在位置|当前的位置){_SEP}.{{0,120}}$",
    r"^首页\s*[>》›/].{0,100}$",
    rf"^分享到{_SEP}?.{{0,60}}$",
    r"^[\[【]\s*全文下载\s*[\]】]\s*[:：]?.{0,80}$",
    r"^[\[【(（]?\s*字[体號号]\s*[:：].{0,20}$",
    r"^([\[【(（]?\s*(打印本页|打印|关闭窗口|关闭本页|关闭|返回顶部|收藏本页|加入收藏)\s*[\]】)）]?\s*)+$",
    r"^.{0,20}扫一扫.{0,20}(手机|二维码|微信|当前页).{0,20}$",
    r"^.{0,40}您访问的链接即将离开.{0,120}$",
    rf"^(主办单位|承办单位|技术支持|主办){_SEP}.{{0,200}}$",
)]
_FOOTER = re.compile(r"版权所有|copyright|©|ICP备|网站标识码|公网安备", re.I)
_COUNTER = re.compile(r"(浏览次数|阅读次数|点击次数|访问次数|浏览量|阅读量)\s*[:：]?")


def _is_boilerplate(line: str) -> bool:
    if any(p.match(line) for p in _BOILERPLATE):
        return True
    if _FOOTER.search(line) and len(line) <= 200 and not line.endswith("。"):
        return True
    # a meta line with a counter is dropped unless it carries the published date
    return bool(_COUNTER.search(line)) and len(line) <= 120 and not _DATE.search(line)


_URL_LINE = re.compile(r"^(?:source|来源网址|原文链接|网址)\s*[:：]\s*(https?://\S+)\s*$", re.I)


def split_url_line(text: str) -> tuple[str | None, str]:
    """A saved news item starts with ``source: URL``: the URL is metadata, not part of the notice."""
    head, _, rest = text.lstrip("\ufeff \t\r\n").partition("\n")
    m = _URL_LINE.match(head.strip())
    return (m.group(1), rest) if m else (None, text)


def clean(raw: str) -> tuple[str, list[str]]:
    """One paragraph per stripped line, no blank lines, whole boilerplate lines removed (and returned)."""
    text = _ZERO_WIDTH.sub("", _NEWLINES.sub("\n", raw))
    kept: list[str] = []
    removed: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if line:
            (removed if _is_boilerplate(line) else kept).append(line)
    return "\n".join(kept), removed


