"""Single number tokens as notices write them: ``3,828,380.26``, ``29.23万``, ``两``, ``十一``, ``二〇二四``.

Why a module of its own: ``agent.text.figures`` needs a strict converter that works on one token at a time.
cn2an's ``transform()`` must never see running text (it turns 一是 into 1是), and ``cn2an.cn2an`` raises on
many inputs (百, 千, 分之), so the quirks are handled here once. Arabic numbers go through ``Decimal`` so that
``29.23万元`` is exactly 292300, not 292299.99999999997. Pure: no I/O, no network.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import cn2an

# a count or ordinal inside a name as written (第十三, 4个), bounded: a run of 10,000 digits must not cost its square
SMALL_COUNT = r"[一二两三四五六七八九十\d]{1,6}"
CN_DIGITS = "〇一二两三四五六七八九"  # digit characters (零 is a filler, not a digit here)
CN_NUMERAL_CHARS = "零" + CN_DIGITS + "十百千万亿"

_FULLWIDTH = str.maketrans("０１２３４５６７８９．，", "0123456789.,")
_ARABIC = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_ARABIC_TIMES = re.compile(r"(?<![0-9.])([0-9]{1,15}(?:\.[0-9]{1,8})?)(十万|百万|千万|万亿|[十百千万亿])")
_CN_ONLY = re.compile(f"[{CN_NUMERAL_CHARS}]+")

# multipliers written after a number (万元, 亿元, 百万元); "" is plain 元
MULTIPLIERS: dict[str, Decimal] = {
    "": Decimal(1),
    "十": Decimal(10),
    "百": Decimal(100),
    "千": Decimal(1000),
    "万": Decimal(10) ** 4,
    "十万": Decimal(10) ** 5,
    "百万": Decimal(10) ** 6,
    "千万": Decimal(10) ** 7,
    "亿": Decimal(10) ** 8,
    "万亿": Decimal(10) ** 12,
}
_CN_YEAR_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0"}


def to_decimal(s: str) -> Decimal:
    """Exact value of one number token; raises ``ValueError`` if it is not one."""
    t = s.strip().translate(_FULLWIDTH).replace(",", "").replace(" ", "").replace("\u3000", "")
    if not t:
        raise ValueError(f"not a number: {s!r}")
    if _ARABIC.fullmatch(t):
        return Decimal(t)
    m = _ARABIC_TIMES.fullmatch(t)
    if m:
        return Decimal(m[1]) * MULTIPLIERS[m[2]]
    if not _CN_ONLY.fullmatch(t):
        raise ValueError(f"not a number: {s!r}")
    if t[0] in "百千万亿":  # 百 -> 一百: cn2an refuses a bare unit
        t = "一" + t
    try:
        return Decimal(str(cn2an.cn2an(t, "smart")))
    except (ValueError, KeyError, IndexError, TypeError, InvalidOperation) as exc:
        raise ValueError(f"not a number: {s!r}") from exc


def parse_number(s: str) -> float:
    """``"3,828,380.26"`` -> 3828380.26, ``"29.23万"`` -> 292300.0, ``"十一"`` -> 11.0, ``"两"`` -> 2.0.

    Thousands separators are stripped before anything else; Chinese numerals go through cn2an's smart mode
    one token at a time. Raises ``ValueError`` for anything that is not a single number.
    """
    return float(to_decimal(s))


def money_to_yuan(number: float, unit: str) -> float:
    """Normalise an amount to 元: ``money_to_yuan(29.23, "万元")`` -> 292300.0.

    ``unit`` is what follows the number with any 余/多 removed: 元, 万元, 亿元, 千元, 百万元, 万亿元, or a bare
    multiplier (万, 亿) for thresholds such as 200万以下. Decimal arithmetic on ``repr(number)`` keeps the
    result exact for amounts written with a few decimals.
    """
    key = unit.strip()
    for suffix in ("块钱", "元"):
        key = key.removesuffix(suffix)
    if key not in MULTIPLIERS:
        raise ValueError(f"not a money unit: {unit!r}")
    return float(Decimal(repr(float(number))) * MULTIPLIERS[key])


def cn_year(s: str) -> int:
    """``"二〇二四"`` -> 2024: a year written digit by digit."""
    try:
        return int("".join(_CN_YEAR_DIGITS[c] for c in s))
    except KeyError as exc:
        raise ValueError(f"not a year: {s!r}") from exc
