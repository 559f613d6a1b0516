"""Offline language detection good enough for routing: en, uk, ru or other.

Ukrainian is told from Russian by letters only one of them has (і ї є ґ vs ы э ъ ё)
and by frequent function words; Latin text by English function words.
"""

from __future__ import annotations

import re

_UK_LETTERS = set("іїєґІЇЄҐ")
_RU_LETTERS = set("ыэъёЫЭЪЁ")
_UK_WORDS = {"і", "це", "що", "як", "мені", "мене", "я", "не", "та", "але", "дуже", "мій", "моя", "вже", "щось", "тому", "коли", "бо", "й", "чи", "ще", "треба", "хочу", "можу", "від", "він", "вона", "вони", "нас", "себе"}
_RU_WORDS = {"и", "это", "что", "как", "меня", "мне", "я", "не", "но", "очень", "мой", "уже", "что-то", "потому", "когда", "или", "ещё", "еще", "хочу", "могу", "от", "он", "она", "они"}
_EN_WORDS = set("""the and i to a of my is it in that you me feel what have not don't dont im i'm with for be so but am
are this do how just no one would even care again its it's was were will can cant can't could should might
about all any been being by from get got had has he her him his if into like more most much never now off
on only or our out over same she some still than them then there they thing things think time too up very
want we well when who why your yours after before because tonight today tomorrow anymore nobody everyone
everything nothing something really tired sad alone help life live die dying kill myself wish sorry
tho though since started outside inside day days week night work exam friend friends mom dad family""".split())
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)


def detect_lang(text: str) -> str:
    """'en', 'uk', 'ru' or 'other' for a message (empty text is 'other')."""
    if not text:
        return "other"
    if text.isascii():  # fast path, same rule as below for Latin-only text: stop at the first English word
        words = 0
        for m in _WORD.finditer(text):
            if m.group().lower() in _EN_WORDS:
                return "en"
            words += 1
        return "en" if 0 < words <= 3 else "other"
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return "other"
    cyr = sum("\u0400" <= c <= "\u04ff" for c in letters)
    latin = sum(c.isascii() for c in letters)
    words = [w.lower() for w in _WORD.findall(text)]
    if cyr >= latin:
        uk = sum(c in _UK_LETTERS for c in text) + 2 * sum(w in _UK_WORDS for w in words)
        ru = sum(c in _RU_LETTERS for c in text) + 2 * sum(w in _RU_WORDS for w in words)
        if uk == ru == 0:
            return "uk" if cyr > 0 else "other"
        return "uk" if uk >= ru else "ru"
    if latin / len(letters) > 0.8:
        en = sum(w in _EN_WORDS for w in words)
        if en > 0 or len(words) <= 3:
            return "en"
    return "other"
