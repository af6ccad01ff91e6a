"""Bytes to text: BOMs, strict and damaged UTF-8, UTF-16 without a BOM, files pasted from UTF-8 and GBK parts,
declared and guessed CJK codecs; and the binary files that are no text notice, named by their magic bytes.

Why a module of its own: the text reader (``readers``) decodes; the format readers (PDF, Word) take the bytes
the magic table sends them before any decoding is tried. Pure.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from agent.text.ingest.base import IngestError

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


