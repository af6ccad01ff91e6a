"""Read one notice file into clean, stable text: the ground every span in the product indexes into.

Why a module of its own: notices arrive as UTF-8, GBK/GB18030 or UTF-16 text, sometimes as a saved web page
wrapped in navigation and footers, and sometimes as something that is not a notice at all (a PDF, a .docx,
a screenshot). Every later stage (outline, rules, model, reconcile) stores ``[start, end)`` offsets into
one cleaned string, so that string must be produced in exactly one place, deterministically, and without
rewriting the body: full-width punctuation stays as it is, only whole boilerplate lines are dropped (and
listed in ``Notice.removed``), and lines are stripped at their edges. Every bad input (empty, binary, a
FIFO, a broken or looping link) is an ``IngestError`` naming the file and the reason; a file pasted from
UTF-8 and GBK parts is decoded line by line. ``find_notice_files`` never follows a linked folder, so a
link to a parent cannot loop, and lists each file once. Pure: no network, no LLM layer.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import re
import stat
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from charset_normalizer import from_bytes


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
    encoding: str  # detected, e.g. "utf-8", "gb18030", "utf-16"
    notice_id: str  # "n_" + first 16 hex of sha256(text as utf-8)
    removed: list[str] = field(default_factory=list)  # boilerplate lines removed, for transparency
    url: str | None = None  # where it was published: a first line ``source: URL`` (kept out of ``text``)


# --- decoding ---------------------------------------------------------------------------------------

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "PNG image"), (b"PK\x03\x04", "ZIP archive, e.g. .docx/.xlsx"), (b"PK\x05\x06", "ZIP archive"),
    (b"%PDF", "PDF document"), (b"GIF87a", "GIF image"), (b"GIF89a", "GIF image"), (b"\xff\xd8\xff", "JPEG image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy Office document, e.g. .doc"), (b"\x1f\x8b", "gzip archive"),
    (b"Rar!\x1a\x07", "RAR archive"), (b"7z\xbc\xaf\x27\x1c", "7z archive"),
)
_BOMS: tuple[tuple[bytes, str, str], ...] = (  # UTF-32 before UTF-16: FF FE 00 00 starts with FF FE
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"), (codecs.BOM_UTF32_LE, "utf-32", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32"), (codecs.BOM_UTF16_LE, "utf-16", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16"),
)
_CJK_CODECS = ["gb18030", "gbk", "gb2312", "big5", "big5hkscs", "cp950", "euc_jp", "shift_jis", "cp932",
               "iso2022_jp", "euc_kr", "cp949"]
_GB_FAMILY = {"gbk", "gb2312", "gb18030", "cp936", "euc_cn"}  # all decoded as gb18030, their superset
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]")
_META_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.I)


def _codec_name(name: str) -> str:
    try:
        norm = codecs.lookup(name).name.replace("-", "_")
    except LookupError:
        return name
    return "gb18030" if norm in _GB_FAMILY else norm.replace("_", "-")


def _bomless_utf16(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without BOM: ASCII puts NULs at odd (LE) or even (BE) offsets; CJK (U+4E00 …) only rarely."""
    even, odd = data[0::2].count(0), data[1::2].count(0)
    codec = "utf-16-le" if odd > 3 * even else "utf-16-be" if even > 3 * odd else ""  # 一 is U+4E00
    if not codec or len(data) % 2:
        return None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    return None if _CONTROL.search(text) else (text, codec)


_CHINESE = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\u2010-\u2027\u00b7]")  # with “”‘’…—·


def _reads_as_chinese(data: bytes, codec: str = "gb18030") -> bool:
    """Notices are Chinese: if GB18030 decodes the bytes strictly into mostly Chinese characters and
    punctuation, take it, whatever a statistical detector's version prefers for short text."""
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return False
    wide = [c for c in text if ord(c) > 0x7F]
    return bool(wide) and len(_CHINESE.findall(text)) >= 0.9 * len(wide)


def _by_line(data: bytes) -> tuple[str, str] | None:
    """A file pasted together from UTF-8 and GBK parts (and a few bad bytes): each line in its own codec.

    Taken only when some lines are clean UTF-8 Chinese and others clean GB18030 Chinese; a line that is
    neither is read as UTF-8 with replacement characters, which stay visible in the text.
    """
    lines = data.split(b"\n")
    chinese = [next((c for c in ("utf-8", "gb18030") if _reads_as_chinese(line, c)), None) for line in lines]
    if "utf-8" not in chinese or "gb18030" not in chinese:
        return None
    text = "\n".join(_decode_line(line, c) for line, c in zip(lines, chinese, strict=True))
    return text, "mixed utf-8/gb18030" + (" (with replacements)" if "\ufffd" in text else "")


def _decode_line(line: bytes, codec: str | None) -> str:
    for name in ([codec] if codec else ["utf-8", "gb18030"]):
        try:
            return line.decode(name)
        except UnicodeDecodeError:
            continue
    return line.decode("utf-8", errors="replace")


def _guess(data: bytes) -> tuple[str, str] | None:
    """No BOM, no NUL: strict UTF-8, then UTF-8 with a few bad bytes, then a declared or guessed CJK codec."""
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    loose = data.decode("utf-8", errors="replace")
    bad = loose.count("\ufffd")
    good = len(loose) - len(loose.encode("ascii", "ignore")) - bad
    if good and bad * 20 <= good:  # GBK read as UTF-8 is mostly invalid; this is damaged UTF-8
        return loose, "utf-8 (with replacements)"
    mixed = _by_line(data)
    if mixed is not None:
        return mixed
    m = _META_CHARSET.search(data[:4096])
    declared = _codec_name(m.group(1).decode("ascii")) if m else ""
    names = [declared] if declared in map(_codec_name, _CJK_CODECS) else []  # a "latin-1" page is often GBK
    if not names and _reads_as_chinese(data):
        return data.decode("gb18030"), "gb18030"
    matches = from_bytes(data, cp_isolation=_CJK_CODECS)
    least = min((m.chaos for m in matches), default=0.0)
    tied = [_codec_name(m.encoding) for m in matches if m.chaos <= least]  # short text ties often: prefer GB
    names += ["gb18030"] if "gb18030" in tied else tied[:1]
    for name in [*names, "gb18030"]:
        try:
            return data.decode(name), name
        except (LookupError, UnicodeDecodeError):
            continue
    return None


def decode(data: bytes, source: str = "<bytes>") -> tuple[str, str]:
    """Bytes to ``(text, encoding)``: BOM, strict UTF-8, mostly-UTF-8, declared charset, then a CJK guess."""
    if not data:
        raise IngestError(source, "empty file")
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise IngestError(source, f"binary file ({kind}), not a text notice")
    found: tuple[str, str] | None = None
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                found = data.decode(codec), label
            except UnicodeDecodeError:
                found = data.decode(codec, errors="replace"), f"{label} (with replacements)"
            break
    if found is None and b"\x00" in data:
        found = _bomless_utf16(data)
        if found is None:
            raise IngestError(source, "binary file (contains NUL bytes), not a text notice")
    found = found or _guess(data)
    if found is None:
        raise IngestError(source, "cannot decode: not UTF-8, UTF-16 or a CJK encoding")
    text, encoding = found
    if len(_CONTROL.findall(text)) > max(4, len(text) // 100):
        raise IngestError(source, "binary file (control characters), not a text notice")
    return text.removeprefix("\ufeff"), encoding


# --- HTML -------------------------------------------------------------------------------------------

_SKIP = {"script", "style", "noscript", "template", "head", "nav", "header", "footer", "iframe", "svg",
         "select", "button", "textarea", "object"}
_BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "ul", "ol", "dl", "dt",
          "dd", "section", "article", "aside", "main", "blockquote", "pre", "hr", "form", "center", "title"}
_CELL = {"td", "th"}
_VOID = {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed", "source", "track", "wbr"}
_CONTAINER_HINTS = ("content", "article", "trs_editor", "zoom", "detail")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WS_RUN = re.compile(r"[ \t\r\n\f]+")
_HTML_START = re.compile(r"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html[\s>])", re.I | re.S)
_HTML_TAG = re.compile(r"</?(html|head|body|div|p|br|span|a|table|tr|td|li|ul|h[1-6]|meta|script)\b[^>]*>", re.I)


class _Node:
    __slots__ = ("tag", "children")

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.children: list[_Node | str] = []


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#root")
        self.stack = [self.root]
        self.hinted: list[_Node] = []  # article-container candidates outside skipped elements

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = " ".join(v or "" for k, v in attrs if k in ("class", "id")).lower()
        node = _Node(tag)
        self.stack[-1].children.append(node)
        if any(h in names for h in _CONTAINER_HINTS) and not any(n.tag in _SKIP for n in self.stack):
            self.hinted.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def _squash(data: str) -> str:
    """Collapse HTML whitespace; a line break between two CJK characters is source wrapping, not a space."""
    def repl(m: re.Match[str]) -> str:
        before, after = data[m.start() - 1: m.start()], data[m.end(): m.end() + 1]
        return "" if "\n" in m.group() and _CJK.match(before) and _CJK.match(after) else " "
    return _WS_RUN.sub(repl, data)


def _render(node: _Node, out: list[str], in_article: bool = False) -> None:
    if node.tag in _SKIP and not (in_article and node.tag == "header"):
        return
    in_article = in_article or node.tag == "article"
    brk = "\n" if node.tag in _BLOCK else " " if node.tag in _CELL else ""
    out.append(brk)
    for child in node.children:
        if isinstance(child, str):
            out.append(child if node.tag == "pre" else _squash(child))
        else:
            _render(child, out, in_article)
    out.append(brk)


def _text_of(node: _Node) -> str:
    out: list[str] = []
    _render(node, out)
    return "\n".join(line.strip(" ") for line in "".join(out).split("\n"))


def looks_like_html(text: str) -> bool:
    return bool(_HTML_START.match(text[:2000])) or len(_HTML_TAG.findall(text[:200_000])) >= 8


def html_to_text(html: str) -> str:
    """Article text of a saved web page: the hinted container with most CJK text, else the whole body."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    page = _text_of(builder.root)
    page_cjk = len(_CJK.findall(page))
    scored = [(len(_CJK.findall(text)), text) for text in map(_text_of, builder.hinted)]
    best_cjk, best = max(scored, key=lambda pair: pair[0], default=(0, page))
    if best_cjk < 20 or best_cjk < 0.3 * page_cjk:  # no obvious article container
        best = page
    return re.sub(r"\n{3,}", "\n\n", best).strip("\n")


# --- cleaning ---------------------------------------------------------------------------------------

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


# --- files ------------------------------------------------------------------------------------------

def notice_id(text: str) -> str:
    return "n_" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


_SPECIAL = {stat.S_IFIFO: "a FIFO/named pipe", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a device", stat.S_IFBLK: "a device"}


def read_notice(path: str | Path, max_bytes: int = 20_000_000) -> Notice:
    """Read, decode, de-HTML and clean one notice file; any reason it is not a notice is an IngestError."""
    source = str(path)
    p = Path(path)
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
    text, encoding = decode(data, source)
    if not text.strip():
        raise IngestError(source, "empty file (whitespace only)")
    if looks_like_html(text):
        text = html_to_text(text)
    url, text = split_url_line(text)
    cleaned, removed = clean(text)
    if not cleaned:
        raise IngestError(source, "empty: no text left after removing boilerplate")
    return Notice(source=source, text=cleaned, encoding=encoding, notice_id=notice_id(cleaned),
                  removed=removed, url=url)
