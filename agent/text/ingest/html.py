"""A saved web page to its article text, and the page's own facts: its canonical address and published date.

Why a module of its own: government CMS pages wrap the notice in navigation, breadcrumbs, share links and
footers; the article is the hinted container with most Chinese text. The page also says where it lives
(``<link rel="canonical">``, ``og:url``) and when it was published (``PubDate``, ``article:published_time``
and their kin), which the text itself often does not. Pure: the standard library's HTML parser.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

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




# --- the page's own facts -------------------------------------------------------------------------------

_CANONICAL = re.compile(r"""<link\b[^>]{0,400}?\brel\s*=\s*["']?canonical["']?[^>]{0,400}?>""", re.I)
_META = re.compile(r"<meta\b[^>]{0,600}>", re.I)
_ATTR = re.compile(r"""([a-zA-Z_:.-]{1,40})\s*=\s*(?:"([^"]{0,1000})"|'([^']{0,1000})'|([^\s>]{1,1000}))""")
# meta names and properties that carry the published date, the way CMS pages and news sites write them
_DATE_NAMES = ("pubdate", "publishdate", "publish_date", "article:published_time", "og:published_time",
               "dc.date", "dc.date.issued", "dcterms.issued", "firstpublishedtime", "date", "created")
_ISO_DATE = re.compile(r"((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def _attrs(tag: str) -> dict[str, str]:
    return {m.group(1).lower(): (m.group(2) or m.group(3) or m.group(4) or "").strip() for m in _ATTR.finditer(tag)}


def page_facts(html: str) -> tuple[str | None, str | None]:
    """(canonical URL, published date as ISO) from a page's head: ``<link rel="canonical">`` or ``og:url``; the
    first dated meta tag among ``_DATE_NAMES``. Either is None when the page does not say."""
    head = html[:200_000]
    url = None
    if (m := _CANONICAL.search(head)) is not None:
        href = _attrs(m.group(0)).get("href", "")
        url = href if href.startswith(("http://", "https://")) else None
    published = None
    for tag in _META.finditer(head):
        a = _attrs(tag.group(0))
        key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
        if url is None and key == "og:url" and a.get("content", "").startswith(("http://", "https://")):
            url = a["content"]
        if published is None and key in _DATE_NAMES and (d := _ISO_DATE.search(a.get("content", ""))):
            published = f"{d.group(1)}-{int(d.group(2)):02d}-{int(d.group(3)):02d}"
    return url, published
