"""Words from the user's message that a rejected reply weaves in, found offline.

A rewrite (a reply a therapist must avoid) should talk about the same person, situation and
feeling as the real reply, so that the topic alone does not tell chosen from rejected.

- `person`: a named person (a capitalised name; Ukrainian names from a list, any case form) or a
  relative/role ("my sister" -> "your sister", "мамі" -> "твоя мама");
- `feeling`: from a small feeling lexicon (English adjective, Ukrainian noun);
- `topic`: a key noun phrase from a topic lexicon ("work", "навчання");
- `quote`: the first clause of the message, verbatim (at most 12 words);
- `situation` (English): that clause in the second person ("I can't sleep" -> "you can't sleep").

Ukrainian values are nominative and the templates only put them where no agreement is needed.
Anything not found is None; the templates that need it are then not used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_QUOTE_WORDS = 12
MAX_SCAN_CHARS = 1500  # cues come from the start of a long message


@dataclass(frozen=True)
class Cues:
    quote: str | None = None
    situation: str | None = None
    person: str | None = None
    feeling: str | None = None
    topic: str | None = None

    def values(self) -> dict[str, str]:
        """Template fields: each available cue, plus a capitalised variant (`Topic` for `topic`)."""
        out: dict[str, str] = {}
        for name in ("quote", "situation", "person", "feeling", "topic"):
            value = getattr(self, name)
            if value:
                out[name] = value
                out[name.capitalize()] = value[0].upper() + value[1:]
        return out


# ---------------------------------------------------------------- shared text helpers

# Sentence ends and clause marks: the first piece between two of them with 3+ words is the quote.
_PIECES = re.compile(r"(?<=[.!?…])\s+|\n+|\s*(?:[,;:()]|\s[-–—]\s|\.\.\.|…)\s*")
_EDGE_PUNCT = " \t\"'«»“”„.,!?;:…-–—()"


def first_clause(text: str) -> str | None:
    """The first clause of the first sentence that has at least three words (greetings skipped)."""
    text = (text or "")[:400].strip()
    if not text:
        return None
    fallback = None
    start = 0
    for boundary in _PIECES.finditer(text + "\n"):  # stops at the first piece long enough
        words = text[start:boundary.start()].split()
        start = boundary.end()
        if len(words) >= 3:
            return _clean_quote(words)
        if fallback is None and len(words) >= 2:
            fallback = _clean_quote(words)
    return fallback


# Where a long clause may be cut, and words a cut clause must not end on.
_JOINERS = frozenset("and but because so when after since while or і й та а але бо коли тому після що щоб".split())
_DANGLING = _JOINERS | frozenset("the a an to of my your i in on at for with з із в у на до від про для мій моя мої".split())


def _clean_quote(words: list[str]) -> str | None:
    if len(words) > MAX_QUOTE_WORDS:
        cut = max((k for k in range(3, MAX_QUOTE_WORDS + 1) if words[k].lower() in _JOINERS), default=MAX_QUOTE_WORDS)
        words = words[:cut]
        while len(words) > 3 and words[-1].lower().strip(_EDGE_PUNCT) in _DANGLING:
            words = words[:-1]
    quote = " ".join(words).strip(_EDGE_PUNCT)
    quote = quote.replace("«", "").replace("»", "").replace('"', "").replace("“", "").replace("”", "")
    return quote or None


class _Lexicon:
    """Words, word stems (`stem*`) and phrases (`two_words`) -> a value; the earliest hit in a text wins.

    Matching is by word lookup, not one regex per entry, so it costs a few dict lookups per word.
    """

    def __init__(self, table: dict[str, str]):
        self.exact: dict[str, str] = {}
        self.stems: dict[str, str] = {}
        self.phrases: dict[str, str] = {}
        for value, spec in table.items():
            for item in spec.split():
                item = item.lower()
                if "_" in item:
                    self.phrases.setdefault(item.replace("_", " "), value)
                elif item.endswith("*"):
                    self.stems.setdefault(item[:-1], value)
                else:
                    self.exact.setdefault(item, value)
        # stems grouped by their first three letters, longest first: one dict lookup per word
        self.heads: dict[str, list[tuple[str, str]]] = {}
        for stem, value in sorted(self.stems.items(), key=lambda kv: -len(kv[0])):
            if len(stem) < 3:
                raise ValueError(f"lexicon stem {stem!r} is shorter than three letters")
            self.heads.setdefault(stem[:3], []).append((stem, value))

    def first(self, words: list[str], lowered: str) -> str | None:
        """`words`: the text's lower-case words in order; `lowered`: the lower-case text (for phrases)."""
        hit: tuple[int, str] | None = None
        exact, heads = self.exact, self.heads
        for pos, word in enumerate(words):
            value = exact.get(word)
            if value is None and heads:
                for stem, candidate in heads.get(word[:3], ()):
                    if word.startswith(stem):
                        value = candidate
                        break
            if value is not None:
                hit = (pos, value)
                break
        for phrase, value in self.phrases.items():
            at = lowered.find(phrase)
            if at >= 0:
                pos = len(lowered[:at].split())
                if hit is None or pos < hit[0]:
                    hit = (pos, value)
        return hit[1] if hit else None


_LEX_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)


def lower_words(text: str) -> tuple[list[str], str]:
    lowered = text.lower().replace("’", "'")
    return _LEX_WORD.findall(lowered), lowered


# ---------------------------------------------------------------- English

_EN_FEELINGS = _Lexicon({
    "anxious": "anxious anxiety nervous worry worried worrying worries panic panicking panicked",
    "depressed": "depressed depression depressing",
    "sad": "sad sadness unhappy cry crying cried",
    "lonely": "lonely loneliness alone isolated",
    "angry": "angry anger furious rage mad_at",
    "overwhelmed": "overwhelmed overwhelming",
    "exhausted": "exhausted exhaustion tired drained burnout burned_out burnt_out",
    "guilty": "guilt guilty",
    "ashamed": "ashamed shame embarrassed embarrassing",
    "hopeless": "hopeless hopelessness pointless",
    "scared": "scared afraid fear fearful terrified frightened",
    "stressed": "stress stressed stressful",
    "numb": "numb empty",
    "jealous": "jealous jealousy envious",
    "hurt": "hurt betrayed",
    "worthless": "worthless useless not_good_enough",
    "confused": "confused confusing lost",
    "frustrated": "frustrated frustrating frustration annoyed",
    "stuck": "stuck trapped",
    "insecure": "insecure insecurity insecurities",
})

_EN_TOPICS = _Lexicon({
    "work": "job jobs work working workplace boss career office coworker coworkers co-worker colleague colleagues "
            "fired unemployed",
    "your exams": "exam exams test tests grade grades homework study studying",
    "school": "school college university class classes",
    "the divorce": "divorce divorced divorcing",
    "the breakup": "breakup dumped broke_up break_up breaking_up",
    "your marriage": "marriage married husband wife",
    "your relationship": "relationship relationships boyfriend girlfriend dating partner",
    "your family": "family parents parent mom mum dad mother father",
    "money": "money debt debts bills rent finances financial salary",
    "your health": "health sick illness diagnosis diagnosed pain",
    "sleep": "sleep sleeping insomnia nightmare nightmares",
    "your friendships": "friend friends friendship friendships",
    "this loss": "died death funeral grief grieving passed_away",
    "the war": "war shelling sirens siren evacuation evacuated air_raid",
    "the move": "relocate relocated relocation moved_to moving_to moved_away moved_out",
    "parenting": "kid kids children baby parenting toddler",
    "your body": "weight eating body diet dieting",
    "your confidence": "confidence self-esteem",
    "drinking": "drinking alcohol drug drugs addicted addiction",
    "the pregnancy": "pregnant pregnancy",
    "intimacy": "sex sexual intimacy intimate",
})

# "my sister" -> "your sister"; plural relatives are left out (templates use a singular verb).
_EN_ROLES = (
    "mom", "mum", "mother", "dad", "father", "husband", "wife", "boyfriend", "girlfriend", "partner", "son",
    "daughter", "sister", "brother", "boss", "best friend", "friend", "teacher", "ex", "roommate", "grandma",
    "grandmother", "grandpa", "grandfather", "manager", "coworker", "colleague", "fiance", "fiancee",
    "stepmom", "stepdad", "aunt", "uncle", "cousin", "family",
)
_EN_ROLE_RE = re.compile(r"\bmy (" + "|".join(sorted(map(re.escape, _EN_ROLES), key=len, reverse=True)) + r")\b",
                         re.IGNORECASE)
_EN_NAME_RE = re.compile(r"\b([A-Z][a-z]{2,14})\b")
_EN_NOT_NAMES = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march",
    "april", "may", "june", "july", "august", "september", "october", "november", "december", "christmas",
    "easter", "god", "jesus", "english", "ukrainian", "american", "british", "covid", "facebook", "instagram",
    "tiktok", "google", "the", "and", "but", "she", "her", "his", "him", "they", "this", "that", "what", "when",
    "why", "how", "who", "hello", "thanks", "please", "sorry", "okay", "mom", "dad", "mum", "eva",
}
_EN_NAME_BEFORE = re.compile(
    r"(?:\bmy (?:" + "|".join(map(re.escape, _EN_ROLES)) + r")|\bwith|\band|\btold|\basked|\bmiss|\blove|\bhate|\bcall(?:ed)?)\s+$",
    re.IGNORECASE,
)
_EN_NAME_AFTER = re.compile(
    r"^\s+(?:is|was|has|had|says|said|told|keeps|kept|does|doesn't|didn't|won't|can't|never|always|wants|"
    r"left|and I|just|still|thinks|called|texted|yelled|ignores|ignored|cheated|broke)\b",
    re.IGNORECASE,
)

_EN_SECOND_PERSON = {
    "i": "you", "i'm": "you're", "im": "you're", "i've": "you've", "ive": "you've", "i'll": "you'll",
    "i'd": "you'd", "me": "you", "my": "your", "mine": "yours", "myself": "yourself", "am": "are",
}
_PUNCT_EDGES = "\"'“”‘’()[],.;:!?…-"
_LOWER_STARTS = frozenset("""
a an the it it's its this that these those there here we our they their he his she her everything nothing
everyone nobody someone something since when after before lately today tonight yesterday sometimes every all
some most many no not just so and but because if how why what who whenever ever still even only
""".split())


def to_second_person(clause: str) -> str:
    """'I can't sleep since my dad left' -> 'you can't sleep since your dad left'."""
    tokens = clause.split(" ")
    out: list[str] = []
    prev = prev_core = ""
    for tok in tokens:
        core = tok.strip(_PUNCT_EDGES)
        low = core.lower().replace("’", "'")
        if low == "was" and prev == "i":
            rep = "were"
        elif low == "i" and prev in ("was", "am"):  # "was I" -> "were you"
            out[-1] = out[-1].replace(prev_core, "were" if prev == "was" else "are")
            rep = "you"
        else:
            rep = _EN_SECOND_PERSON.get(low)
        out.append(tok.replace(core, rep, 1) if rep and core else tok)
        prev, prev_core = low, core
    text = " ".join(out)
    first = text.split(" ", 1)[0].strip(_PUNCT_EDGES).lower()
    if text and (first in _LOWER_STARTS or _EN_SECOND_PERSON.get(first) or first in _EN_SECOND_PERSON.values()):
        text = text[0].lower() + text[1:]  # it goes mid-sentence in the templates; names keep their capital
    return text


def _en_person(text: str) -> str | None:
    for m in _EN_NAME_RE.finditer(text):
        word = m.group(1)
        before = text[: m.start()].rstrip()
        if word.lower() in _EN_NOT_NAMES or not before or before[-1] in ".!?…\n":
            continue  # sentence starts are capitalised anyway
        if _EN_NAME_BEFORE.search(text[: m.start()]) or _EN_NAME_AFTER.match(text[m.end():]):
            return word
    role = _EN_ROLE_RE.search(text)
    if role:
        return f"your {role.group(1).lower()}"
    return None


def extract_en(text: str) -> Cues:
    text = text[:MAX_SCAN_CHARS]
    words, lowered = lower_words(text)
    person = _en_person(text)
    quote = first_clause(text)
    situation = to_second_person(quote) if quote else None
    return Cues(quote=quote, situation=situation, person=person,
                feeling=_EN_FEELINGS.first(words, lowered), topic=_EN_TOPICS.first(words, lowered))


# ---------------------------------------------------------------- Ukrainian

# Feeling nouns, all singular, so that a present-tense verb after them needs no agreement.
_UK_FEELINGS = _Lexicon({
    "тривога": "тривожн* тривожу* тривога тривогу тривоги тривозі хвилю* паніч* панік*",
    "депресія": "депрес*",
    "смуток": "сумн* сум сумую смут* плач* плакати",
    "самотність": "самотн*",
    "злість": "злюся злюсь зліст* злост* лют* дратує* роздрату*",
    "втома": "втом* виснаж* вигор*",
    "провина": "винна винний винною винним провин*",
    "сором": "сором*",
    "відчай": "відча* безнад* безвих*",
    "страх": "страх* страшн* боюся боюсь",
    "порожнеча": "порожн*",
    "образа": "образ* ображ*",
    "розгубленість": "розгубл*",
    "безсилля": "безсил*",
    "апатія": "апаті* байдуж*",
    "заздрість": "ревну* ревнощ* заздр*",
    "відчуття нікчемності": "нікчемн*",
    "стрес": "стрес*",
})

# Topic nouns in the nominative; templates put them after a dash or in «quotes».
_UK_TOPICS = _Lexicon({
    "робота": "робот* начальни* керівни* колег* звільн* кар'єр* карєр* офіс*",
    "навчання": "навчан* університет* універ школ* іспит* екзамен* сесія сесію сесії оцінк*",
    "розлучення": "розлуч*",
    "розрив": "розійшл* розрив* розстал* кинув кинула",
    "шлюб": "шлюб* чоловік чоловіка чоловіком чоловікові чоловіку дружин*",
    "стосунки": "стосунк* хлопц* хлопець побачен*",
    "сім'я": "батьк* мама мами мамі маму мамою тато тата татові тату татом сім'* сімя сім'я родин*",
    "гроші": "грош* борг* кредит* зарплат* оренд*",
    "здоров'я": "здоров'* хвор* діагноз* болить біль",
    "сон": "сон сну спати сплю засн* безсонн* кошмар*",
    "дружба": "друз* подруг* дружб*",
    "втрата": "помер* смерт* похорон* загин* втрат*",
    "війна": "війн* обстріл* сирен* евакуац* окупац* фронт* мобіліз*",
    "переїзд": "переїзд* переїха* переїжджа*",
    "діти": "діти дітей дітям дітьми дитин* немовл*",
    "залежність": "алкогол* залежн* наркот*",
    "вагітність": "вагітн*",
    "самооцінка": "впевнен* самооцін*",
    "тіло": "вага ваги їжа їжі їжу тіло схудн*",
})

# Relatives and roles: every case form -> "твоя/твій ..." in the nominative.
_UK_ROLES: dict[str, tuple[str, tuple[str, ...], bool]] = {
    # nominative: (with possessive, endings after the stem, needs a possessive before it to count)
    "мам": ("твоя мама", ("а", "и", "і", "у", "ою", "о"), False),
    "тат": ("твій тато", ("о", "а", "ові", "у", "ом"), False),
    "бать": ("твій батько", ("ко", "ка", "кові", "ку", "ком"), False),
    "сестр": ("твоя сестра", ("а", "и", "і", "у", "ою", "о"), False),
    "брат": ("твій брат", ("", "а", "ові", "у", "ом", "е"), False),
    "бабус": ("твоя бабуся", ("я", "і", "ю", "ею"), False),
    "дідус": ("твій дідусь", ("ь", "я", "еві", "ю", "ем"), False),
    "син": ("твій син", ("", "а", "ові", "у", "ом"), False),
    "доньк": ("твоя донька", ("а", "и", "у", "ою"), False),
    "дочк": ("твоя донька", ("а", "и", "у", "ою"), False),
    "свекрух": ("твоя свекруха", ("а", "и", "у", "ою"), False),
    "тещ": ("твоя теща", ("а", "і", "у", "ею"), False),
    "начальни": ("твій начальник", ("к", "ка", "кові", "ку", "ком", "ця", "ці", "цю", "цею"), False),
    "керівни": ("твій керівник", ("к", "ка", "кові", "ку", "ком", "ця", "ці", "цю", "цею"), False),
    "чолові": ("твій чоловік", ("к", "ка", "кові", "ку", "ком"), True),
    "дружин": ("твоя дружина", ("а", "и", "і", "у", "ою"), True),
    "хлоп": ("твій хлопець", ("ець", "ця", "цеві", "цю", "цем"), True),
    "дівчин": ("твоя дівчина", ("а", "и", "і", "у", "ою"), True),
    "подруг": ("твоя подруга", ("а", "и", "у", "ою"), False),
    "друг": ("твій друг", ("", "а", "ові", "у", "ом"), True),
    "колег": ("твій колега", ("а", "и", "у", "ою"), False),
    "вчител": ("твій вчитель", ("ь", "я", "еві", "ю", "ем", "ька", "ьки", "ьці", "ьку", "ькою"), False),
    "викладач": ("твій викладач", ("", "а", "еві", "у", "ем", "ка", "ки", "ці", "ку", "кою"), False),
}
_UK_ROLE_FORMS: dict[str, tuple[str, bool]] = {
    stem + ending: (phrase, needs_possessive)
    for stem, (phrase, endings, needs_possessive) in _UK_ROLES.items()
    for ending in endings
}
_UK_POSSESSIVE = {"мій", "моя", "моє", "мого", "моєї", "моєму", "моїй", "моїм", "мою", "моєю", "мої", "моїх", "моїми"}

# Common given names (nominative). Matching allows the usual case endings, so "з Оксаною" -> "Оксана".
_UK_NAMES = (
    "Оксана", "Олена", "Ірина", "Тетяна", "Анна", "Ганна", "Катерина", "Ольга", "Світлана", "Людмила", "Галина",
    "Дарина", "Аліна", "Христина", "Яна", "Леся", "Мирослава", "Богдана", "Вероніка", "Марта", "Зоряна",
    "Уляна", "Роксолана", "Марина", "Валентина", "Лариса", "Інна", "Алла", "Оля", "Таня", "Катя", "Настя",
    "Соня", "Юля", "Наталя", "Галя", "Саша", "Женя", "Маша", "Ліза", "Даша", "Діма", "Вова", "Міша",
    "Марія", "Юлія", "Софія", "Наталія", "Вікторія", "Соломія", "Анастасія", "Ангеліна",
    "Андрій", "Сергій", "Юрій", "Віталій", "Олексій", "Анатолій", "Валерій", "Георгій", "Матвій",
    "Дмитро", "Петро", "Павло", "Михайло", "Данило", "Гаврило",
    "Тарас", "Іван", "Олег", "Роман", "Максим", "Богдан", "Степан", "Назар", "Остап", "Антон", "Віктор",
    "Денис", "Артем", "Ярослав", "Олександр", "Володимир", "Євген", "Вадим", "Руслан", "Орест", "Марко",
    "Василь", "Ігор", "Ілля",
)


def _uk_name_forms() -> dict[str, str]:
    """Every case form of every listed name -> the nominative."""
    forms: dict[str, str] = {}
    for name in _UK_NAMES:
        endings: tuple[str, ...]
        if name.endswith("ія"):
            stem, endings = name[:-1], ("я", "ї", "ю", "єю", "є")
        elif name.endswith("я") and name != "Ілля":
            stem, endings = name[:-1], ("я", "і", "ю", "ею", "е")
        elif name.endswith("а"):
            stem, endings = name[:-1], ("а", "и", "і", "у", "ою", "о")
        elif name.endswith("ій"):
            stem, endings = name[:-1], ("й", "я", "ю", "єві", "єм", "ї")
        elif name.endswith("о"):
            stem, endings = name[:-1], ("о", "а", "ові", "у", "ом", "е")
        elif name.endswith("ь"):
            stem, endings = name[:-1], ("ь", "я", "еві", "ю", "ем", "і")
        elif name == "Ігор":
            stem, endings = name, ("", "я", "еві", "ю", "ем")
        elif name == "Ілля":
            stem, endings = "Ілл", ("я", "і", "ю", "ею", "е")
        else:
            stem, endings = name, ("", "а", "ові", "у", "ом", "е", "і")
        for ending in endings:
            forms.setdefault(stem + ending, name)
    return forms


_UK_NAME_FORMS = _uk_name_forms()
_UK_WORD = re.compile(r"[А-ЩЬЮЯЄІЇҐа-щьюяєіїґ'’]+")


def _uk_person(text: str) -> str | None:
    words = _UK_WORD.findall(text)
    for word in words:
        if word[0].isupper() and word in _UK_NAME_FORMS:
            return _UK_NAME_FORMS[word]
    lowered = [w.lower().replace("’", "'") for w in words]
    for i, word in enumerate(lowered):
        hit = _UK_ROLE_FORMS.get(word)
        if hit is not None:
            phrase, needs_possessive = hit
            if needs_possessive and not (i > 0 and lowered[i - 1] in _UK_POSSESSIVE):
                continue
            return phrase
    return None


def extract_uk(text: str) -> Cues:
    text = text[:MAX_SCAN_CHARS]
    words, lowered = lower_words(text)
    return Cues(quote=first_clause(text), person=_uk_person(text),
                feeling=_UK_FEELINGS.first(words, lowered), topic=_UK_TOPICS.first(words, lowered))


def extract_cues(text: str, lang: str) -> Cues:
    """Cues from the last user message; `lang` is 'en' or 'uk' (anything else: English rules)."""
    return extract_uk(text) if lang == "uk" else extract_en(text)
