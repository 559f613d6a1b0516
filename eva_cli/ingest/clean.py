"""Text cleaning shared by every adapter: HTML, spacing, glued sentences, PII.

`clean_text` is the one entry point; the steps run in this order:
HTML (selectolax) or entities -> NBSP and zero-width characters -> PII placeholders ->
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

# Markup is handed to selectolax (Lexbor, an HTML5 parser) only when the text holds a tag or a comment.
_TAG = re.compile(r"</?[A-Za-z][\w:.-]*(?:\s[^<>]*)?/?>|<!--")
# Blocks that end a line, and blocks that end a paragraph (a blank line); everything else is inline.
_LINE_TAGS = frozenset({"div", "tr", "dt", "dd", "address", "figcaption", "caption"})
_PARAGRAPH_TAGS = frozenset({"p", "ul", "ol", "dl", "blockquote", "pre", "table", "h1", "h2", "h3", "h4", "h5", "h6",
                             "section", "article", "header", "footer", "hr"})
_HIDDEN = frozenset({"-comment", "script", "style", "template", "head", "title"})
# Text with tags but no block tag at all is plain text with some inline markup: its newlines are kept.
_BLOCK_TAG = re.compile(r"<\s*(?:p|br|div|li|ul|ol|table|tr|h[1-6]|blockquote|pre|hr|dl|section|article)\b",
                        re.IGNORECASE)
_LINE, _PARAGRAPH, _BR = "\x01", "\x02", "\x03"
_BREAK_RUN = re.compile(" ?[\x01\x02\x03][\x01\x02\x03 ]*")

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
    """Text as a browser shows it when `text` holds HTML; otherwise only entities are unescaped."""
    if "<" in text and _TAG.search(text):
        if "\n" in text and not _BLOCK_TAG.search(text):
            text = text.replace("\n", "<br>")
        return _render_html(text)
    if "&" in text:
        return html.unescape(text)
    return text


def _render_html(markup: str) -> str:
    """selectolax parses (entities, comments, namespaced and unknown tags such as Word's <o:p>); a walk
    over the tree marks where blocks start and end, whitespace collapses as in a browser, and the marks
    become line breaks: a blank line around paragraphs and lists, "- " or "1. " before list items."""
    from selectolax.lexbor import LexborHTMLParser

    root = LexborHTMLParser(markup).body
    if root is None:
        return ""
    out: list[str] = []
    try:
        _walk(root, out)
    except RecursionError:  # absurdly deep nesting: keep the words, lose the layout
        out = [root.text(separator=" ")]
    text = " ".join("".join(out).split())
    return _BREAK_RUN.sub(_break, text).strip()


def _walk(node, out: list[str]) -> None:
    child, items = node.child, 0
    while child is not None:
        tag = child.tag
        if tag == "-text":
            out.append(child.text_content)
        elif tag == "br":
            out.append(_BR)
        elif tag == "li":
            items += 1
            out.append(f"{_LINE}{items}. " if node.tag == "ol" else f"{_LINE}- ")
            _walk(child, out)
        elif tag in _LINE_TAGS or tag in _PARAGRAPH_TAGS:
            mark = _LINE if tag in _LINE_TAGS else _PARAGRAPH
            out.append(mark)
            _walk(child, out)
            out.append(mark)
        elif tag not in _HIDDEN:
            _walk(child, out)
        child = child.next


def _break(m: re.Match) -> str:
    marks = m.group()
    return "\n\n" if _PARAGRAPH in marks or marks.count(_BR) > 1 else "\n"


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
