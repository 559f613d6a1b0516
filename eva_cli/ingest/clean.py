"""Text cleaning shared by every adapter: HTML, spacing, glued sentences, PII.

`clean_text` is the one entry point; the steps run in this order:
HTML -> entities -> NBSP and zero-width characters -> PII placeholders ->
glued sentences ("with.Seriously" -> "with. Seriously") -> whitespace.
Each step has a cheap guard so plain text pays almost nothing.
"""

from __future__ import annotations

import html
import re

from eva_cli.lang import detect_lang

EMAIL = "[email]"
PHONE = "[phone]"
URL = "[url]"

_HTML_TAGS = (
    "a|abbr|b|big|blockquote|br|center|cite|code|dd|div|dl|dt|em|font|h[1-6]|hr|i|img|li|ol|p|pre|"
    "s|small|span|strike|strong|sub|sup|table|tbody|td|th|thead|tr|u|ul|section|article|header|footer"
)
# One pass per replacement (each a C-level scan for "<"), most specific first.
_TAG_PASSES = [
    (re.compile(r"<\s*br\b[^<>]*>", re.IGNORECASE), "\n"),
    (re.compile(r"<\s*li\b[^<>]*>", re.IGNORECASE), "\n- "),
    (re.compile(r"<\s*/?\s*(?:p|div|blockquote|ul|ol|table|tr|section|article|header|footer|pre|dl|h[1-6]|hr)\b[^<>]*>",
                re.IGNORECASE), "\n\n"),
    (re.compile(r"<\s*/\s*t[dh]\s*>", re.IGNORECASE), " "),
    (re.compile(rf"<\s*/?\s*(?:{_HTML_TAGS})\b[^<>]*>", re.IGNORECASE), ""),
]
_COMMON_TAGS = (("<p>", "\n\n"), ("</p>", "\n\n"), ("<br>", "\n"), ("<br/>", "\n"), ("<br />", "\n"),
                ("<strong>", ""), ("</strong>", ""), ("<em>", ""), ("</em>", ""))
# Frequent entities replaced directly (never &amp;, so "&amp;lt;" still becomes "&lt;", not "<").
_COMMON_ENTITIES = (("&nbsp;", "\xa0"), ("&#39;", "'"), ("&quot;", '"'), ("&rsquo;", "\u2019"), ("&lsquo;", "\u2018"),
                    ("&ldquo;", "\u201c"), ("&rdquo;", "\u201d"), ("&mdash;", "\u2014"), ("&ndash;", "\u2013"),
                    ("&hellip;", "\u2026"))
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)

_SPACES = re.compile(r"[ \t\f\v]{2,}|[\t\f\v]")  # runs of blanks, or a lone tab
_MANY_NEWLINES = re.compile(r"\n{3,}")
# NBSP and other spaces become ' ', line separators '\n'; zero-width characters and soft hyphens go.
_ODD_MAP = {c: " " for c in "\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"}
_ODD_MAP.update({c: "" for c in "\u200b\u200c\u200d\u2060\ufeff\xad"})
_ODD_MAP.update({c: "\n" for c in "\x85\u2028\u2029"})
_ODD_CHARS = re.compile("[" + "".join(_ODD_MAP) + "]")

# The top-level domain is all lower or all upper case, so "me@x.com.Seriously" stops at ".com".
_EMAIL_RE = re.compile(r"[\w.+-]+@(?:[A-Za-z0-9-]+\.)+(?:[a-z]{2,}|[A-Z]{2,})(?![A-Za-z])")
# A URL ends at whitespace, or where a glued sentence starts ("site.com/x.Then").
_URL_CHAR = r"(?:(?![.!?][A-Z][a-z])[^\s<>\"])"
_URL_RE = re.compile(rf"(?i:https?://|ftp://|www\.){_URL_CHAR}+")
# Bare domains only in lower case, so a glued "store.Com..." sentence is never taken for one.
_DOMAIN_HINT = re.compile(r"\.(?:com|org|net|edu|gov|info|io|ua|uk)\b")
_DOMAIN_RE = re.compile(rf"\b(?:[a-z0-9-]+\.)+(?:com|org|net|edu|gov|info|io|ua|uk)\b(?!\.[a-z0-9])(?:/{_URL_CHAR}*)?")
# Digit runs with separators; word boundaries are checked in _phone_replacement (much faster).
_PHONE_RE = re.compile(r"\d[\d \t().\-]{6,}\d")
_TRAILING_PUNCT = ".,;:!?)]}'\""
_GLUE_HINT = re.compile(r"[.!?][A-ZА-ЯІЇЄҐЁ]")
# Two lower-case letters (or a placeholder's "]") before the end mark, a capitalised word after it.
_GLUED = re.compile(r"(?<=[a-zа-яіїєґё'’][a-zа-яіїєґё'’\]])([.!?]+)(?=[A-ZА-ЯІЇЄҐЁ][a-zа-яіїєґё])")

_ESCAPES = (("_comma_", ","), ("_pipe_", "|"))


def html_to_text(text: str) -> str:
    """Strip known HTML tags, keeping paragraph and line breaks; unescape entities."""
    if "<" in text:
        if "<!--" in text:
            text = _COMMENT.sub("", text)
        for literal, replacement in _COMMON_TAGS:  # plain str.replace is far cheaper than a regex pass
            if literal in text:
                text = text.replace(literal, replacement)
        if "<" in text:
            for pattern, replacement in _TAG_PASSES:
                text = pattern.sub(replacement, text)
    if "&" in text:
        for entity, char in _COMMON_ENTITIES:
            if entity in text:
                text = text.replace(entity, char)
        if "&" in text:
            text = html.unescape(text)
    return text


def undo_escapes(text: str) -> str:
    """EmpatheticDialogues writes commas and pipes as `_comma_` / `_pipe_`."""
    if "_" in text:
        for escaped, plain in _ESCAPES:
            text = text.replace(escaped, plain)
    return text


def scrub_pii(text: str) -> str:
    """Emails, URLs and phone numbers (9-15 digits) become [email], [url], [phone]."""
    if "@" in text:
        text = _EMAIL_RE.sub(EMAIL, text)
    if "://" in text or "www." in text or "WWW." in text:
        text = _URL_RE.sub(_url_replacement, text)
    if _DOMAIN_HINT.search(text):
        text = _DOMAIN_RE.sub(_url_replacement, text)
    if sum(map(text.count, "0123456789")) >= 9:
        text = _PHONE_RE.sub(_phone_replacement, text)
        if "+" + PHONE in text:
            text = text.replace("+" + PHONE, PHONE)
    return text


def _url_replacement(m: re.Match) -> str:
    url = m.group(0)
    stripped = url.rstrip(_TRAILING_PUNCT)
    return URL + url[len(stripped):]


def _phone_replacement(m: re.Match) -> str:
    """9-15 digits not glued to a word ("ID12345678901" stays) become [phone]."""
    found, text, start, end = m.group(0), m.string, m.start(), m.end()
    if (start and (text[start - 1].isalnum() or text[start - 1] == "_")) or (
            end < len(text) and (text[end].isalnum() or text[end] == "_")):
        return found
    digits = sum(c.isdigit() for c in found)
    return PHONE if 9 <= digits <= 15 else found


def fix_glued_sentences(text: str) -> str:
    """'with.Seriously' -> 'with. Seriously' (a lower-case word, end mark, capitalised word)."""
    if _GLUE_HINT.search(text):
        return _GLUED.sub(r"\1 ", text)
    return text


def normalize_space(text: str) -> str:
    """Single spaces, at most one blank line, no spaces around newlines, stripped ends."""
    text = _odd_chars(text)
    if "  " in text or "\t" in text or "\f" in text or "\v" in text:
        text = _SPACES.sub(" ", text)
    if " \n" in text or "\n " in text:
        text = "\n".join(line.strip(" ") for line in text.split("\n"))
    if "\n\n\n" in text:
        text = _MANY_NEWLINES.sub("\n\n", text)
    return text.strip()


def _odd_chars(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if text.isascii() else _ODD_CHARS.sub(_odd_replacement, text)


def _odd_replacement(m: re.Match) -> str:
    return _ODD_MAP[m.group()]


def clean_text(text: str | None) -> str:
    """The full cleaning chain for one message; None and non-strings become ''."""
    if not isinstance(text, str):
        return ""
    text = html_to_text(text)
    text = _odd_chars(text)
    text = scrub_pii(text)
    text = fix_glued_sentences(text)
    return normalize_space(text)


class TextCleaner:
    """`clean_text` with a memo: context turns repeat across the examples of one dialog."""

    def __init__(self) -> None:
        self._memo: dict[str, str] = {}

    def __call__(self, text: str | None) -> str:
        if not isinstance(text, str):
            return ""
        out = self._memo.get(text)
        if out is None:
            out = self._memo[text] = clean_text(text)
        return out


def dedup_key(parts: list[str]) -> str:
    """Whitespace- and case-insensitive identity of an example's cleaned texts.

    `clean_text` output has single spaces, no spaces around newlines and at most one
    blank line, so folding newlines into spaces is the same as collapsing all whitespace.
    """
    out = []
    for p in parts:
        p = p.casefold()
        if "\n" in p:
            p = p.replace("\n\n", " ").replace("\n", " ")
        out.append(p)
    return "\x1f".join(out)


LANG_WINDOW = 300  # characters of the user turn and of the reply that language detection reads


def example_lang(user: str, response: str) -> str:
    """en | uk | other for an exchange: detected on the user's last message plus the reply
    (their first LANG_WINDOW characters each). Russian maps to 'other'.
    """
    text = user[:LANG_WINDOW] + "\n" + response[:LANG_WINDOW]
    lang = detect_lang(text)
    return lang if lang in ("en", "uk") else "other"
