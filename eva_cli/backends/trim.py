"""Ending a reply that the token limit cut off: keep it up to its last complete sentence.

A backend calls `trim_to_sentence` only when the model did not stop by itself (it reached
`max_new_tokens`): "...It's okay to rest. And what did you choose" becomes "...It's okay to rest."
A sentence ends at . ! ? or … (and any closing quote or bracket after it) before a space or a line
break, except after a common abbreviation (en and uk) or a list number ("1."). A cut reply with no
complete sentence keeps its whole words and ends with "…".
"""

from __future__ import annotations

import re

# Abbreviations whose final dot does not end a sentence (lower case, without that dot).
ABBREVIATIONS = frozenset({
    # en ("etc." often ends a sentence, so it is not here)
    "e.g", "i.e", "vs", "mr", "mrs", "ms", "dr", "prof", "st", "approx", "no", "p.s",
    # uk ("т.д." and "т.п." often end one)
    "т.ч", "напр", "див", "ст", "р", "рр", "тис", "млн", "грн", "ім", "вул", "пп", "д-р", "проф",
})
_END = re.compile(r"[.!?…]+[\"'»”’)\]]*(?=\s|$)")
_WORD_BEFORE = re.compile(r"(\S+)$")


def is_sentence_end(text: str, match: re.Match) -> bool:
    """Whether the punctuation `match` (from _END) really closes a sentence."""
    if match.group().startswith(".") and not match.group().startswith(".."):
        before = _WORD_BEFORE.search(text[: match.start()])
        word = before.group(1).lower().lstrip("(\"'«“") if before else ""
        if word in ABBREVIATIONS or word.isdigit():  # "e.g." / "т.д." / a numbered list "2."
            return False
    return True


def last_sentence_end(text: str) -> int | None:
    """Where the last complete sentence of `text` ends (an index into it), or None."""
    ends = [m for m in _END.finditer(text) if is_sentence_end(text, m)]
    return ends[-1].end() if ends else None


def trim_to_sentence(text: str) -> str:
    """`text` up to its last complete sentence; whole words and "…" when it has none."""
    text = text.rstrip()
    end = last_sentence_end(text)
    if end is not None:
        return text[:end]  # the whole text when it already ends a sentence
    words = text.rsplit(None, 1)
    head = words[0] if len(words) > 1 else text
    return head.rstrip(" ,;:—–-") + "…"
