"""Everyday wording made plain: hedges dropped, number words as digits, spoken amounts read.

These helpers only read; they return None for what they don't recognise and leave the
friendly refusals to the field parsers (fields.py, dates.py).
"""

from __future__ import annotations

import re

from text_to_num import alpha2digit

_HEDGE_BEFORE = re.compile(
    r"^(?:about|around|roughly|approx(?:\.|imately)?|circa|c\.|ca\.?|~|maybe|probably|"
    r"nearly|almost|just (?:over|under)|a (?:bit|little) (?:over|under))\s*"
)
_HEDGE_AFTER = re.compile(r"\s*(?:-?ish|or so|give or take|roughly|approx\.?|\?)$")
_VULGAR = {"½": " 1/2", "¼": " 1/4", "¾": " 3/4"}


def plain(text: str) -> str:
    """Lower-case, one space between words, hedges ('about', '-ish', 'or so') dropped."""
    raw = " ".join(text.strip().lower().split())
    for sign, fraction in _VULGAR.items():
        raw = raw.replace(sign, fraction)
    before = None
    while before != raw:
        before = raw
        raw = _HEDGE_AFTER.sub("", _HEDGE_BEFORE.sub("", raw)).strip()
    return raw


def numerals(text: str) -> str:
    """Write number words as digits: 'forty five' -> '45', 'half two' -> 'half 2'."""
    return " ".join(alpha2digit(text, "en", threshold=0).split())


def whole_number(text: str) -> int | None:
    """Read '34', 'thirty four', 'about 30' or '30ish' as a whole number."""
    m = re.fullmatch(r"-?\d{1,6}", numerals(plain(text)))
    return int(m.group(0)) if m else None


_HOURS = r"(?:hours|hour|hrs|hr|h)"
_MINUTES = r"(?:minutes|minute|mins|min|m)"
_SPOKEN_HOURS = [  # in this order: 'an hour' is replaced only after 'half an hour'
    (r"\b(\d+) and (?:a|1) half\b", r"\1.5"),
    (r"\b(\d+) and (?:a|1) quarter\b", r"\1.25"),
    (r"\b(\d+) and 3 quarters\b", r"\1.75"),
    (rf"\bhalf (?:an? )?{_HOURS}\b", "0.5 hour"),
    (rf"\b3 quarters (?:of )?(?:an? )?{_HOURS}\b", "0.75 hour"),
    (rf"\b(?:an? )?quarter (?:of )?(?:an? )?{_HOURS}\b", "0.25 hour"),
    (rf"\b(?:an?|1) ({_HOURS})\b", r"1 \1"),
    (rf"\b(\d+) ({_HOURS}) and (?:a|1) half\b", r"\1.5 \2"),
    (rf"\b(\d+) ({_HOURS}) and (?:a|1) quarter\b", r"\1.25 \2"),
]
_FRACTION = re.compile(rf"(?:(\d+) )?(\d)/(\d) ?(?={_HOURS}\b)")
_AMOUNTS = [
    (rf"(\d{{1,3}}) ?{_MINUTES}?", lambda h, m: int(h)),
    (r"(\d{1,2}):(\d{2})", lambda h, m: int(h) * 60 + int(m)),
    (
        rf"(\d{{1,2}}) ?{_HOURS},? ?(?:and )?(?:(\d{{1,2}}) ?{_MINUTES}?)?",
        lambda h, m: int(h) * 60 + int(m or 0),
    ),
    (rf"(\d{{1,2}}(?:\.\d+)?) ?{_HOURS}", lambda h, m: round(float(h) * 60)),
]


def _fraction(m: re.Match[str]) -> str:
    whole, top, bottom = int(m.group(1) or 0), int(m.group(2)), int(m.group(3))
    if bottom == 0:
        return m.group(0)
    return f"{whole + top / bottom:g} "


def minutes_in(text: str) -> int | None:
    """Read '45', 'about 45 mins', 'half an hour', 'an hour and a half', '1 1/2 hours'."""
    raw = numerals(plain(text))
    for pattern, replacement in _SPOKEN_HOURS:
        raw = re.sub(pattern, replacement, raw)
    raw = _FRACTION.sub(_fraction, raw).strip()
    for pattern, to_minutes in _AMOUNTS:
        m = re.fullmatch(pattern, raw)
        if m:
            groups = m.groups() + (None,) * (2 - len(m.groups()))
            return to_minutes(groups[0], groups[1])
    return None


_DECADE_WORDS = {
    "teens": "teens",
    "twenties": "20s",
    "thirties": "30s",
    "forties": "40s",
    "fifties": "50s",
    "sixties": "60s",
    "seventies": "70s",
    "eighties": "80s",
    "nineties": "90s",
}
_BAND = re.compile(
    r"(?:in (?:their|his|her|my|the) )?(?:(early|mid|late)[- ]?)?"
    r"(teens|[a-z]+ties|[1-9]0 ?'?s)"
)


def age_band(text: str) -> tuple[str, int, int] | None:
    """Read '20s', 'early twenties', 'mid 30s', 'late teens' as ('early 20s', 20, 23)."""
    m = _BAND.fullmatch(plain(text))
    if not m:
        return None
    part, decade = m.group(1), m.group(2).replace(" ", "").replace("'", "")
    decade = _DECADE_WORDS.get(decade, decade)
    if not re.fullmatch(r"teens|[1-9]0s", decade):
        return None
    low, high = (13, 19) if decade == "teens" else (int(decade[:-1]), int(decade[:-1]) + 9)
    if part == "early":
        high = low + 3
    elif part == "mid":
        low, high = low + 3, low + 6
    elif part == "late":
        low = high - 3
    return (f"{part} {decade}" if part else decade), low, high
