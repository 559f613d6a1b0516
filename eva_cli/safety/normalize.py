"""Text normalization for screening: one canonical spelling per phrase.

What it folds, in order:
- Unicode compatibility forms (NFKC) and case (ALL CAPS = lower case);
- apostrophes of every kind are removed ("don't" = "dont", "вбʼю" = "вб'ю" = "вбю");
- Latin/Cyrillic homoglyphs inside one word go to the word's main script ("xочу" with Latin x = "хочу");
- digits and symbols used as letters inside a word ("k1ll", "$uicide", "su1c1de");
- hyphens and dashes become spaces ("self-harm" = "self harm");
- common informal English spellings ("wanna", "u", "rn", "tonite", "myslef");
- Ukrainian ґ as г, and Russian-keyboard stand-ins (ъ as apostrophe).

Runs of 3+ identical letters are cut to two ("killll", "pleeease"); `variants` also
offers the one-letter cut ("diiiie" -> "die") and, for Latin text, a Cyrillic
transliteration so that transliterated Ukrainian ("ne hochu zhyty") meets the Ukrainian rules.
"""

from __future__ import annotations

import re
import unicodedata

APOSTROPHES = "'’‘ʼʹʻʽ`´′‛ꞌ＇"
_APOS_RE = re.compile(f"[{re.escape(APOSTROPHES)}]")
_DASHES_RE = re.compile(r"[-‐‑‒–—―_~/\\|]+")
_SPACE_RE = re.compile(r"\s+")

# Latin letter -> Cyrillic look-alike, applied before case folding (B, H, M, T look Cyrillic only as capitals).
_LAT_TO_CYR = {
    "a": "а", "c": "с", "e": "е", "i": "і", "o": "о", "p": "р", "x": "х", "y": "у", "k": "к", "s": "с",
    "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "I": "І", "K": "К", "M": "М", "O": "О", "P": "Р",
    "T": "Т", "X": "Х", "Y": "У", "ï": "ї", "Ï": "Ї",
}
# Cyrillic letter -> Latin look-alike.
_CYR_TO_LAT = {
    "а": "a", "с": "c", "е": "e", "і": "i", "о": "o", "р": "p", "х": "x", "у": "y", "к": "k", "ѕ": "s", "ј": "j",
    "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "І": "I", "К": "K", "М": "M", "О": "O", "Р": "P",
    "Т": "T", "Х": "X", "У": "Y",
}
# Characters used as letters inside a Latin word.
_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i", "|": "l"}

# Informal English spellings -> the form the patterns use (apostrophes are already gone, so
# "don't" arrives as "dont"). Contractions are expanded: patterns say "i am", "do not", "will not".
_INFORMAL = {
    "u": "you", "ur": "your", "youre": "you are", "r": "are", "wanna": "want to", "wana": "want to",
    "gonna": "going to", "gona": "going to", "gotta": "got to", "hafta": "have to", "kinda": "kind of",
    "sorta": "sort of", "outta": "out of", "lemme": "let me", "dunno": "do not know", "idk": "i do not know",
    "idc": "i do not care", "cuz": "because", "coz": "because", "bc": "because", "b4": "before",
    "rn": "right now", "tonite": "tonight", "2nite": "tonight", "2night": "tonight", "tmrw": "tomorrow",
    "tmr": "tomorrow", "tomoro": "tomorrow", "tommorow": "tomorrow", "tomorow": "tomorrow",
    "2morrow": "tomorrow", "ppl": "people", "every1": "everyone", "evry1": "everyone", "no1": "no one",
    "noone": "no one", "some1": "someone", "any1": "anyone", "myslef": "myself", "mysef": "myself",
    "mself": "myself", "meself": "myself", "ive": "i have", "id": "i would", "iam": "i am", "im": "i am",
    "cant": "cannot", "cannt": "cannot", "wont": "will not", "dont": "do not", "doesnt": "does not",
    "didnt": "did not", "isnt": "is not", "wasnt": "was not", "wouldnt": "would not", "shouldnt": "should not",
    "couldnt": "could not", "havent": "have not", "hasnt": "has not", "arent": "are not", "aint": "am not",
    "thats": "that is", "whats": "what is", "theres": "there is", "its": "it is", "itll": "it will",
    "theyd": "they would", "theyre": "they are", "theyll": "they will", "hes": "he is", "shes": "she is",
    "hed": "he would", "itd": "it would", "wouldve": "would have", "couldve": "could have",
    "shouldve": "should have", "ud": "you would", "youd": "you would", "youll": "you will", "youve": "you have",
    "wud": "would", "cud": "could", "shud": "should", "pls": "please", "plz": "please", "nite": "night",
    "tho": "though", "thru": "through", "abt": "about", "bf": "boyfriend", "gf": "girlfriend", "mum": "mom",
    "mam": "mom", "mommy": "mom", "mummy": "mom", "daddy": "dad", "everythin": "everything",
    "nothin": "nothing", "somethin": "something", "anymor": "anymore", "lyf": "life", "lyfe": "life",
    "suicde": "suicide", "sucide": "suicide", "suiside": "suicide", "suicied": "suicide", "sewerslide": "suicide",
    "suicidle": "suicidal", "sucidal": "suicidal", "suicdal": "suicidal", "selfharm": "self harm",
    "selfharming": "self harming", "unaliving": "unalive", "unalived": "unalive",
    # glued Ukrainian / Russian negations ("нехочу жити")
    "нехочу": "не хочу", "нехочеться": "не хочеться", "нехотілося": "не хотілося", "неможу": "не можу", "небуду": "не буду",
    "незнаю": "не знаю", "нехочется": "не хочется", "немогу": "не могу", "нехочу,": "не хочу ,",
}
_INFORMAL_PHRASES = [
    (re.compile(r"\bi m\b"), "i am"), (re.compile(r"\bany more\b"), "anymore"), (re.compile(r"\bcan not\b"), "cannot"),
    (re.compile(r"\bmy self\b"), "myself"), (re.compile(r"\bun alive\b"), "unalive"), (re.compile(r"\bsewer slide\b"), "suicide"),
    (re.compile(r"\bk m s\b"), "kms"),
    (re.compile(r"\b(want|wanna|need|going|ready|have|got|about|trying|deserve) 2\b"), r"\1 to"),
    (re.compile(r"\b(tonight|today|tomorrow|life|everyone|everything|nobody|noone|it|that|what|there|here)s\b"), r"\1 is"),
]
# "ill" reads as "I will" only before a verb-like word, never after "am/feel/so..." ("I am ill").
_ILL_SICK_NEXT = {"and", "with", "again", "today", "yesterday", "lately", "for", "so", "very", "too", "all", "in", "since", "at", "because", "but", "or", "now", "ill", "from", "of", "on", "recently", "this", "these", "last"}
_ILL_SICK_PREV = {"am", "im", "feel", "feeling", "felt", "was", "is", "so", "very", "too", "be", "been", "got", "mentally", "terminally", "seriously", "gravely", "chronically", "fell", "falling", "get", "getting", "are", "were", "being", "quite", "really", "an", "the"}

_TOKEN_RE = re.compile(r"([^\w$@]*)(.*?)(\W*)", re.UNICODE | re.DOTALL)
_UNIT_RE = re.compile(r"\d+[^\W\d_]*|[^\W\d_]+\d{2,}")


def _is_cyr(ch: str) -> bool:
    return "\u0400" <= ch <= "\u052f"


def _is_lat(ch: str) -> bool:
    return (ch.isascii() and ch.isalpha()) or ch in "ïÏ"


def fix_homoglyphs(word: str) -> str:
    """Map look-alike letters of the other script into the word's main script ("xочу" -> "хочу")."""
    cyr = sum(_is_cyr(c) for c in word)
    lat = sum(_is_lat(c) for c in word)
    if not (cyr and lat):
        return word
    table = _LAT_TO_CYR if cyr >= lat else _CYR_TO_LAT
    return "".join(table.get(c, c) for c in word)


def fix_leet(word: str) -> str:
    """'k1ll' -> 'kill', '$uicide' -> 'suicide', 'd1e' -> 'die'; numbers with units ('500mg', '3am') stay."""
    if sum(c.isalpha() for c in word) < 2 or not any(c in _LEET for c in word) or _UNIT_RE.fullmatch(word):
        return word
    mapped = "".join(_LEET.get(c, c) for c in word)
    return mapped if mapped.isalpha() else word


def collapse_repeats(text: str, keep: int = 2) -> str:
    """Cut runs of 3+ identical letters to `keep` letters."""
    return re.sub(r"([^\W\d_])\1{2,}", lambda m: m.group(1) * keep, text)


# Glued words: a lower-case letter followed by a capitalized word ("so tired of livingUpdate:"), and a
# letter right after sentence punctuation ("done.tonight"). Digits after a point (3.5) are left alone.
_GLUED_CASE_RE = re.compile(r"(?<=[a-zа-яіїєґ])(?=[A-ZА-ЯІЇЄҐ][a-zа-яіїєґ])")
_GLUED_PUNCT_RE = re.compile(r"(?<=[a-zа-яіїєґ]{2}[.!?;,:…])(?=[^\W\d_])", re.IGNORECASE)


def unglue(text: str) -> str:
    """Put back the space that glued words lost (titles glued to bodies, no space after a full stop)."""
    return _GLUED_PUNCT_RE.sub(" ", _GLUED_CASE_RE.sub(" ", text or ""))


def normalize(text: str, informal: bool = True, keep: int = 2) -> str:
    """The canonical form every pattern is written against (see the module docstring).

    Punctuation stays, as separate tokens, because negation and idiom checks work per clause.
    """
    text = unicodedata.normalize("NFKC", text or "")
    text = _APOS_RE.sub("", text)
    text = " ".join(fix_homoglyphs(w) for w in text.split()).casefold()
    text = text.replace("ґ", "г").replace("ъ", "").replace("ё", "е")
    text = _DASHES_RE.sub(" ", text)
    out: list[str] = []
    for raw in text.split():
        lead, core, trail = _TOKEN_RE.fullmatch(raw).groups()
        core = fix_leet(core)
        out.extend(t for t in (lead, core, trail) if t)
    text = collapse_repeats(" ".join(out), keep)
    if informal:
        text = _expand_informal(text)
    return _SPACE_RE.sub(" ", text).strip()


def _expand_informal(text: str) -> str:
    for rx, repl in _INFORMAL_PHRASES:
        text = rx.sub(repl, text)
    tokens = text.split(" ")
    out: list[str] = []
    for i, tok in enumerate(tokens):
        if tok == "ill":
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            prev = tokens[i - 1] if i > 0 else ""
            sick = nxt in _ILL_SICK_NEXT or not nxt.isalpha() or prev in _ILL_SICK_PREV
            out.append("ill" if sick else "i will")
        else:
            out.append(_INFORMAL.get(tok, tok))
    return " ".join(out)


# --- transliterated Ukrainian (Latin letters) -> Cyrillic ---------------------------------------
_TRANSLIT = [
    ("shch", "щ"), ("sch", "щ"), ("zh", "ж"), ("kh", "х"), ("ch", "ч"), ("sh", "ш"), ("ts", "ц"), ("tz", "ц"),
    ("yu", "ю"), ("iu", "ю"), ("ju", "ю"), ("ya", "я"), ("ia", "я"), ("ja", "я"), ("ye", "є"), ("ie", "є"),
    ("je", "є"), ("yi", "ї"), ("ji", "ї"), ("yo", "йо"),
    ("a", "а"), ("b", "б"), ("v", "в"), ("w", "в"), ("h", "х"), ("g", "г"), ("d", "д"), ("e", "е"), ("z", "з"),
    ("y", "и"), ("i", "і"), ("j", "й"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"),
    ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"), ("c", "ц"), ("x", "кс"), ("q", "к"),
]
_TRANSLIT_RE = re.compile("|".join(re.escape(k) for k, _ in _TRANSLIT))
_TRANSLIT_MAP = dict(_TRANSLIT)


def transliterate_latin(text: str) -> str:
    """Latin letters -> Ukrainian Cyrillic, for text typed in transliteration ("ne hochu zhyty")."""
    text = re.sub(r"(?<=[a-z])y(?=[aeiou])", "й", text)  # "moya", "soboyu": y after a letter is й here
    out = _TRANSLIT_RE.sub(lambda m: _TRANSLIT_MAP[m.group(0)], text)
    # й + vowel is one iotated letter: "мойа" -> "моя", "собойу" -> "собою"
    return out.replace("йа", "я").replace("йу", "ю").replace("йе", "є")


_EN_MARKERS = frozenset(
    "the a an and or but to of in on at for with my your is are was were be been have has had do does did not no i you he she we they "
    "it this that what how can could would should will just so very really me him her them our their from about if when".split()
)


def looks_english(text: str) -> bool:
    """Two or more common English words: do not read the text as transliterated Ukrainian."""
    words = re.findall(r"[a-z]+", text.lower())
    return sum(w in _EN_MARKERS for w in words) >= 2


def is_mostly_latin(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isascii() for c in letters) / len(letters) > 0.8


def variants(text: str) -> list[tuple[str, str]]:
    """(kind, normalized text) pairs to screen: 'main', 'short' (runs cut to one letter), 'translit'."""
    main = normalize(text)
    out = [("main", main)]
    short = normalize(text, keep=1)
    if short != main:
        out.append(("short", short))
    if is_mostly_latin(text) and not looks_english(normalize(text)):
        out.append(("translit", transliterate_latin(normalize(text, informal=False, keep=1))))
    return out
