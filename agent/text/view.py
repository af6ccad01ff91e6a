"""The reading view: the one text the rules read, derived from the notice as published, with a map back.

Why a module of its own: notices arrive in traditional script (mirror sites repost many), with inline
pinyin glosses (``堅(jiān)``), doubled punctuation (``。。``, ``，，``) and full-width digits and letters.
Every rule, vocabulary and learned model is written for simplified script with half-width digits, so the
text they read is derived here, in one place, and nowhere else:

- traditional characters become simplified **character for character** through OpenCC's own ``t2s``
  tables (the ``opencc`` package), so a notice and its simplified twin are read alike and offsets hold;
  a character of the simplified standard itself (GB 2312: ``乾`` in ``乾隆``, ``菸``) is left alone, so a
  simplified notice is never changed, except four traditional forms GB 2312 also holds (``後於徵麽``);
- full-width digits, letters and ``％`` fold to ASCII (one character each);
- a pinyin gloss after a character and the second of a doubled punctuation mark are dropped;
- a page flattened into one long line gets its paragraph breaks back: a space before a heading or list marker
  becomes a line break (same length);
- spaces typed inside a date or count (``2023 年 3 月``, ``14 个``) are dropped;
- noise is dropped: blobs of letters and digits (base64, 10,000 digits of a pasted table), a mark repeated past
  two and spaces past eight, so that no stage pays for what it never reads.

The record keeps the original text and every span in it indexes into the original: ``View.to_original``
maps a span of the view back (``starts[i]`` is the original offset of view character ``i``). Pure.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

# CJK blocks whose characters OpenCC's t2s may change: Ext A, URO, compatibility, Ext B–F and supplement.
_CJK_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00), (0x20000, 0x2FA20))

# A gloss: a lowercase pinyin syllable (tone marks or digits) in brackets right after a CJK character.
_PINYIN = "a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
_GLOSS = re.compile(rf"(?<=[\u4e00-\u9fff])[(（][{_PINYIN}]{{1,7}}[1-5]?[)）]")
# The second of a doubled sentence or clause mark (``。。``, ``，，``, ``；；``): a typing slip, not a structure.
_DOUBLED = re.compile(r"(?<=([。，、；：！？]))\1+")
# Noise a scraped page carries: a blob of 64 or more letters and digits (base64, a pasted hash, a run of digits no
# figure has) goes whole; any other mark repeated past two (``“““``, ``——————``, ``**********``) keeps its first two
# (``……`` and ``——`` are marks of two). What the rules never read costs them nothing, whatever its length.
_BLOB = re.compile(r"[A-Za-z0-9+/=]{64,}")
_RUN = re.compile(r"(?<=([^\w\s]))\1(\1+)")
_SPACES = re.compile(r"(?<=[ \t\u3000]{8})[ \t\u3000]+")
# Spaces typed inside a date or count (``2023 年 3 月 29 日``, ``所辖的 14 个``, ``4月 17日``; mirrors and PDF text):
# between a number and its unit, or before a number that has one, they part nothing and are dropped. (Elsewhere a
# space may end a field, ``2024-01-26 来源:``, or part two names: kept, and a simplified notice is left as it is.)
_UNIT = "年月日个项名人元万亿件条次户家届轮号天周岁批处座所"
_INNER_SPACES = re.compile(rf"(?<=\d)[ \t\u3000]{{1,8}}(?=[{_UNIT}])|(?<=[\u4e00-\u9fff])[ \t\u3000]{{1,8}}(?=\d{{1,4}}[ \t\u3000]{{0,8}}[{_UNIT}])")
# A page flattened into one long line (mirror sites): a space before a heading or list marker was a paragraph
# break (``予以公布。 一、整改工作组织情况 1.提高…``), and becomes one again, a character for a character.
_FLAT_LINE = re.compile(r"[^\n]{300,}")
# (an item marker 一是 after a space breaks only where no sentence mark ends the text before it: a heading ended there)
_FLAT_BREAK = re.compile(
    r"(?<=[\u4e00-\u9fff。；：！？”）)])[ \u3000](?=[一二三四五六七八九十]{1,3}、|\d{1,2}[.、．](?!\d)|[（(][一二三四五六七八九十\d]{1,3}[)）])"
    r"|(?<=[\u4e00-\u9fff”）)])[ \u3000](?=[一二三四五六七八九十]{1,3}是)"
)


@lru_cache(maxsize=1)
def t2s_table() -> dict[int, str]:
    """OpenCC's t2s, one character to one character, without the characters that are simplified already.

    Built once per process from the ``opencc`` package (about 0.2 s): each CJK code point converted alone;
    kept when t2s changes it into exactly one character and it is not a character of the simplified
    standard (GB 2312), but for the traditional forms ``_TRADITIONAL_IN_GB``."""
    import opencc

    t2s = opencc.OpenCC("t2s")
    table: dict[int, str] = {}
    for lo, hi in _CJK_RANGES:
        for cp in range(lo, hi):
            ch = chr(cp)
            simple = t2s.convert(ch)
            if simple != ch and len(simple) == 1 and (ch in _TRADITIONAL_IN_GB or not _in_gb2312(ch)):
                table[cp] = simple
    return table


# GB 2312 holds these traditional forms too, but simplified notices do not write them (后 于 征 么).
_TRADITIONAL_IN_GB = frozenset("後於徵麽")


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _fold_table() -> dict[int, str]:
    fold = {cp: chr(cp - 0xFEE0) for cp in range(0xFF10, 0xFF1A)}  # ０-９
    fold.update({cp: chr(cp - 0xFEE0) for cp in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
    fold.update({cp: chr(cp - 0xFEE0) for cp in range(0xFF41, 0xFF5B)})  # ａ-ｚ
    fold[0xFF05] = "%"
    return fold


_FOLD = _fold_table()


@dataclass(frozen=True)
class View:
    """The text the rules read and, when characters were dropped, where each of them stands in the original."""

    original: str
    text: str
    starts: tuple[int, ...] | None = None  # None: same length, offsets are the same

    @property
    def identical(self) -> bool:
        return self.text == self.original

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """A view span ``[start, end)`` as a span of the original text."""
        if self.starts is None:
            return start, end
        if start >= end:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.starts[end - 1] + 1


    def to_view(self, start: int, end: int) -> tuple[int, int]:
        """A span of the original as a span of the view (dropped characters at its edges fall outside)."""
        if self.starts is None:
            return start, end
        return bisect_left(self.starts, start), bisect_left(self.starts, end)


def reading_view(text: str) -> View:
    """The reading view of a notice's text (see the module's docstring); linear in the text's length."""
    converted = text.translate(t2s_table()).translate(_FOLD) if _needs_translate(text) else text
    converted = _unflatten(converted)
    drops = [m.span() for rx in (_GLOSS, _DOUBLED, _BLOB, _SPACES, _INNER_SPACES) for m in rx.finditer(converted)]
    drops += [m.span(2) for m in _RUN.finditer(converted)]
    if not drops:
        return View(text, converted)
    keep = bytearray(b"\x01") * len(converted)
    for a, b in drops:
        keep[a:b] = b"\x00" * (b - a)
    starts = tuple(i for i, k in enumerate(keep) if k)
    return View(text, "".join(converted[i] for i in starts), starts)


def _unflatten(text: str) -> str:
    """Paragraph breaks back in a page flattened into long lines (``_FLAT_BREAK``); the text's length holds."""
    breaks = [m.start() for line in _FLAT_LINE.finditer(text) for m in _FLAT_BREAK.finditer(text, *line.span())]
    if not breaks:
        return text
    chars = list(text)
    for i in breaks:
        chars[i] = "\n"
    return "".join(chars)


def _needs_translate(text: str) -> bool:
    """Whether any character would change: most notices are simplified and half-width already."""
    table = t2s_table()
    return any(ord(c) in table or ord(c) in _FOLD for c in set(text))
