"""The rule record shared by the per-language pattern modules.

A rule is one regular expression over *normalized* text (see `normalize.py`: lower case,
no apostrophes, contractions expanded, homoglyphs folded) plus the context checks that
decide whether a match counts. Patterns may use macros written `<<NAME>>`; each language
module passes its own macro table to `compile_rules`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CATEGORIES = (
    "suicidal_ideation_passive",
    "suicidal_ideation_active",
    "plan_intent_means",
    "self_harm",
    "harm_to_others",
    "in_danger",
    "medical_emergency",
    "concern_for_other",  # worry about someone else's suicide or self-harm (elevated: guidance for the helper)
)
# Short names the per-language pattern modules use for CATEGORIES.
P, A, PLAN, SH, OTHERS, DANGER, MED, CONCERN = CATEGORIES
LEVELS = ("none", "elevated", "crisis")
# Signal families used to combine weaker evidence (see screen._decide).
SIGNALS = (
    "explicit",  # a direct statement; its level stands on its own
    "passive",  # passive ideation / hopelessness
    "burden",  # perceived burdensomeness
    "goodbye",  # farewell or final-arrangement talk
    "method",  # asking about lethal doses, heights, means
    "loss",  # a recent loss (job, partner, death); no level of its own
    "past",  # past self-harm, past attempt, past abuse
    "danger",  # signs of being controlled or threatened by someone (combine with each other)
)


@dataclass(frozen=True)
class Rule:
    """One pattern and the checks that make a match count.

    level: what the match alone means ("crisis", "elevated", or "none" for context-only signals).
    neg: a negation right before the match cancels it ("I would never hurt myself").
    third: the match is about someone else when the nearest subject is a third party ("my friend wants to die").
    past: past-time markers in the clause lower "crisis" to "elevated" ("I used to cut").
    accident: accident context cancels it ("cut myself while cooking").
    topic: talk *about* the subject cancels it (prevention, research, "how can I help a friend who...").
    humor: laughter/joke markers lower it ("kms lol" -> elevated) or, for harm to others, cancel it.
    after/before/message_not: extra idiom checks on the rest of the clause, the clause before, or the whole text.
    requires: a second pattern that must also occur in the message (e.g. "rope" needs "neck"/"tonight"/...).
    min_count: how many distinct matches make the level (e.g. two final arrangements: "cancelled my
      subscriptions, deleted my socials"); a single match then only counts as a weak signal.
    """

    id: str
    lang: str
    categories: tuple[str, ...]
    level: str
    pattern: re.Pattern
    signal: str = "explicit"
    neg: bool = False
    third: bool = False
    past: bool = False
    accident: bool = False
    topic: bool = False
    humor: str = ""  # "" | "lower" | "cancel"
    after: re.Pattern | None = None
    before: re.Pattern | None = None
    message_not: re.Pattern | None = None
    requires: re.Pattern | None = None  # must also match somewhere in the message
    min_count: int = 1  # distinct matches needed for `level`; fewer count as a level-"none" signal

    def __post_init__(self) -> None:
        bad = [c for c in self.categories if c not in CATEGORIES]
        if bad:
            raise ValueError(f"rule {self.id}: unknown categories {bad}")
        if self.level not in LEVELS:
            raise ValueError(f"rule {self.id}: level must be one of {LEVELS}")
        if self.signal not in SIGNALS:
            raise ValueError(f"rule {self.id}: signal must be one of {SIGNALS}")
        if self.humor not in ("", "lower", "cancel"):
            raise ValueError(f"rule {self.id}: humor must be '', 'lower' or 'cancel'")


@dataclass
class RuleSpec:
    """A rule as written in a pattern module, before macro expansion and compilation."""

    id: str
    categories: str | tuple[str, ...]
    level: str
    pattern: str
    signal: str = "explicit"
    neg: bool = False
    third: bool = False
    past: bool = False
    accident: bool = False
    topic: bool = False
    humor: str = ""
    after: str | None = None
    before: str | None = None
    message_not: str | None = None
    requires: str | None = None
    min_count: int = 1


_MACRO = re.compile(r"<<([A-Z_0-9]+)>>")


def expand(pattern: str, macros: dict[str, str]) -> str:
    """Replace <<NAME>> by its macro (macros may use other macros).

    Normalized text keeps punctuation as separate tokens ("знаю , де"), so a pattern's ",? " means
    an optional " ," token.
    """
    pattern = pattern.replace(",? ", "(?: ,)? ")
    for _ in range(6):
        new = _MACRO.sub(lambda m: f"(?:{macros[m.group(1)]})", pattern)
        if new == pattern:
            return new
        pattern = new
    if _MACRO.search(pattern):
        raise ValueError(f"macro nesting too deep in {pattern[:80]}")
    return pattern


def compile_rules(lang: str, specs: list[RuleSpec], macros: dict[str, str]) -> list[Rule]:
    def rx(p: str | None) -> re.Pattern | None:
        return re.compile(expand(p, macros)) if p else None

    rules = []
    seen = set()
    for s in specs:
        rid = f"{lang}.{s.id}"
        if rid in seen:
            raise ValueError(f"duplicate rule id {rid}")
        seen.add(rid)
        cats = (s.categories,) if isinstance(s.categories, str) else tuple(s.categories)
        rules.append(
            Rule(
                id=rid, lang=lang, categories=cats, level=s.level, pattern=rx(s.pattern), signal=s.signal,
                neg=s.neg, third=s.third, past=s.past, accident=s.accident, topic=s.topic, humor=s.humor,
                after=rx(s.after), before=rx(s.before), message_not=rx(s.message_not), requires=rx(s.requires), min_count=s.min_count,
            )
        )
    return rules
