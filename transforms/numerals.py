"""Chinese numerals as they appear in dates and headings."""

from __future__ import annotations

_CN_DIGIT = {ch: i for i, ch in enumerate("〇一二三四五六七八九")} | {"零": 0}


def cn_number(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十八 → 28, 三十一 → 31 (the range dates need)."""
    if not text:
        return None
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGIT.get(tens, 1) if tens else 1) * 10 + (_CN_DIGIT.get(ones, 0) if ones else 0)
    return _CN_DIGIT.get(text)


def cn_year(text: str) -> int | None:
    digits = [_CN_DIGIT.get(ch) for ch in text]
    if any(d is None for d in digits):
        return None
    return int("".join(str(d) for d in digits))
