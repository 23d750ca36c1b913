"""What a Chinese text may hold in Latin letters (codes and units), and an English one in Han."""

from __future__ import annotations

import re

_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9&/._-]*")
# Codes a Chinese reader meets as such: GB/T 4754 codes (C3921), tax grades and sections (A),
# 5G, standards (GB/T), the platform's name.
_CODES = re.compile(r"^([A-T]\d{2,4}|[A-Z]|\d*G|GB/T|GB|supportmatch)$")
_HAN = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")


def latin_words(text: str) -> list[str]:
    """The Latin words of a Chinese text that are not codes."""
    words = [m.group(0) for m in _LATIN.finditer(text)]
    # A code glued to digits before it (5G) starts the match at the letter: look behind.
    return [w for w in words if not _CODES.match(w.rstrip("._-"))]


def han_characters(text: str, *, names: tuple[str, ...] = ()) -> list[str]:
    """The Han characters (and full-width punctuation) of an English text, outside `names`."""
    for name in names:
        text = text.replace(name, "")
    return _HAN.findall(text)
