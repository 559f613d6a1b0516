"""Screen one message for crisis risk: transparent rules, a learned classifier beside them, an optional embedding check.

The screen is plain code that runs before (and outside) any model, so nothing a user
writes to the model ("ignore your instructions") can switch it off.

Decision, in order:
0. glued words are split; a long text (> 400 characters) is also read in windows of three
   sentences (`segments`), so a signal in the middle of a long post counts;
1. every rule of every language runs over each normalized variant of each piece
   (as typed, letter runs cut to one, and Latin text transliterated to Cyrillic);
2. a match counts unless its context cancels it: negation ("I would never..."), a third
   person as subject ("my friend wants to...", which becomes concern_for_other when it is
   about their suicide or self-harm), accident ("cut myself cooking"), talk about the topic
   (prevention, research), idioms checked per rule; past-time markers and joke markers lower
   "crisis" to "elevated";
3. rules' risk = the highest level among counted matches; weaker signals combine: a method
   question (lethal dose, heights) after a loss / passive ideation / burden / goodbye, or two
   different elevated families (e.g. burden + wish to be gone), make "crisis";
4. the classifier (learned.py) reads the same pieces; the higher of the two verdicts wins, and
   its probabilities go into the reasons. Where the rules judged a phrase negated, an idiom, an
   accident or a joke, only the classifier's crisis threshold overrides them;
5. only when both say "none", English text, and the `[embed]` extra is installed: similarity
   to curated exemplars may raise the message to "elevated".
The conversation around a message (escalation, a crisis that stays) is dialogue.py's job.
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass, field
from typing import Iterable, Sequence

from eva_cli.lang import detect_lang
from eva_cli.safety import context as C
from eva_cli.safety.normalize import fix_homoglyphs, is_mostly_latin, normalize, unglue, variants
from eva_cli.safety.rules import CATEGORIES, Rule

_LEVEL_RANK = {"none": 0, "elevated": 1, "crisis": 2}
_COMBINING = ("passive", "burden", "goodbye", "method", "past", "danger")
# Someone else's suicide or self-harm: the helper is worried, which is "elevated" (concern_for_other).
_CONCERN_FOR = {"suicidal_ideation_passive", "suicidal_ideation_active", "plan_intent_means", "self_harm"}


@dataclass(frozen=True)
class Screening:
    """The screen's verdict on one message."""

    text: str
    risk: str  # "none" | "elevated" | "crisis"
    categories: list[str] = field(default_factory=list)
    lang: str = "other"
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def is_crisis(self) -> bool:
        return self.risk == "crisis"


@dataclass
class Hit:
    rule: Rule
    level: str
    signal: str
    variant: str
    note: str = ""
    categories: tuple[str, ...] = ()  # overrides rule.categories (a rule about someone else -> concern_for_other)

    @property
    def cats(self) -> tuple[str, ...]:
        return self.categories or self.rule.categories


def _rules() -> list[Rule]:
    from eva_cli.safety import patterns_en, patterns_ru, patterns_uk

    return patterns_en.RULES + patterns_uk.RULES + patterns_ru.RULES


_RULES: list[Rule] | None = None


def all_rules() -> list[Rule]:
    global _RULES
    if _RULES is None:
        _RULES = _rules()
    return _RULES


def _lower(level: str) -> str:
    return "elevated" if level == "crisis" else level


def _judge(rule: Rule, text: str, start: int, end: int) -> tuple[str | None, str]:
    """(level or None when cancelled, note) for one match of `rule` at [start, end) in normalized `text`."""
    ctx = C.BY_LANG[rule.lang]
    cs, ce = C.clause_bounds(ctx, text, start, end)
    ss, se = C.sentence_bounds(ctx, text, start, end)
    prefix, suffix = text[cs:start], text[end:ce]
    sentence = text[ss:se]
    if rule.requires is not None and not rule.requires.search(text):
        return None, "needs context"
    if rule.message_not is not None and rule.message_not.search(text):
        return None, "ordinary context"
    if rule.before is not None and rule.before.search(prefix):
        return None, "idiom"
    if rule.after is not None and rule.after.search(suffix):
        return None, "idiom"
    level, note = rule.level, ""
    if rule.neg and ctx.negation.search(prefix) and not ctx.unnegation.search(text[ss:start]):
        if rule.past and ctx.past.search(sentence):
            if ctx.recovered.search(text):
                return None, "past, recovered"
            return _lower(level), "past"  # "I haven't cut in two years": past self-harm
        return None, "negated"
    if rule.third and C.third_party_subject(ctx, prefix):
        return None, "about someone else"
    if rule.accident and ctx.accident.search(sentence):
        return None, "accident"
    if rule.topic and ctx.topic.search(text):
        return None, "talk about the topic"
    if rule.past and ctx.past.search(sentence) and not ctx.relapse.search(sentence):
        if ctx.recovered.search(text):
            return None, "past, recovered"
        level, note = _lower(level), "past"
    if rule.humor and _joking(text):
        if rule.humor == "cancel":
            return None, "joke"
        level, note = _lower(level), "joke"
    return level, note


def _joking(text: str) -> bool:
    for ctx in (C.EN, C.UK, C.RU):
        if ctx.serious.search(text):
            return False
    return any(ctx.humor.search(text) for ctx in (C.EN, C.UK, C.RU))


def _match(text: str, rules: Iterable[Rule], variant: str) -> tuple[list[Hit], list[str]]:
    hits: list[Hit] = []
    ignored: list[str] = []
    for rule in rules:
        why_not = ""
        counted: list[tuple[str, str]] = []
        for m in rule.pattern.finditer(text):
            level, note = _judge(rule, text, m.start(), m.end())
            if level is not None:
                counted.append((level, note))
                if len(counted) >= rule.min_count:
                    break
            else:
                why_not = note
        if counted:
            level, note = max(counted, key=lambda c: _LEVEL_RANK[c[0]])
            if len(counted) < rule.min_count:
                level, note = "none", "one of several needed"
            hits.append(Hit(rule, level, "past" if note == "past" else rule.signal, variant, note))
        elif why_not == "about someone else" and set(rule.categories) & _CONCERN_FOR and rule.level != "none":
            hits.append(Hit(rule, "elevated", "concern", variant, why_not, categories=("concern_for_other",)))
        elif why_not and why_not != "needs context":
            ignored.append(f"ignored {rule.id} ({why_not})")
    return hits, ignored


def _merge(seen: dict[str, Hit], ignored: list[str], hits: list[Hit], ign: list[str]) -> None:
    """Add `hits` to `seen`, keeping each rule's highest level, and `ign` to `ignored` once each."""
    for h in hits:
        old = seen.get(h.rule.id)
        if old is None or _LEVEL_RANK[h.level] > _LEVEL_RANK[old.level]:
            seen[h.rule.id] = h
    ignored.extend(i for i in ign if i not in ignored)


def rule_hits(text: str) -> tuple[list[Hit], list[str], bool]:
    """All counted rule matches for `text`, the ignored ones as reasons, and whether only transliteration matched."""
    rules = all_rules()
    seen: dict[str, Hit] = {}
    ignored: list[str] = []
    for kind, ntext in variants(text):
        pool = [r for r in rules if r.lang == "uk"] if kind == "translit" else rules
        _merge(seen, ignored, *_match(ntext, pool, kind))
    hits = list(seen.values())
    ignored = [i for i in ignored if i.split()[1] not in seen]
    leveled = [h for h in hits if h.level != "none"]
    translit_only = bool(leveled) and all(h.variant == "translit" for h in leveled)
    return hits, ignored, translit_only


def _signals(hits: Sequence[Hit]) -> set[str]:
    """Signal families present (level-"none" hits count for method, loss and goodbye: they exist to combine)."""
    return {h.signal for h in hits if h.signal in _COMBINING and (h.level != "none" or h.signal in ("method", "goodbye"))} | {
        h.signal for h in hits if h.signal == "loss"
    }


_INTENT = re.compile(
    r"\b(?:tonight|tomorrow|this weekend|this week|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|i have decided|i decided|"
    r"decided|made up my mind|looked up (?:methods|ways|how)|researched (?:methods|ways|how)|have the (?:pills|rope|gun|means)|"
    r"сьогодні|завтра|цієї ночі|вночі|на вихідних|в суботу|у суботу|в неділю|у неділю|в пʼятницю|в пятницю|вирішила|вирішив|"
    r"шукала способи|шукав способи|є таблетки|цiла коробка|ціла коробка|сегодня|завтра|решила|решил)\b"
)


def _decide(hits: list[Hit], context_signals: set[str], norm_text: str = "") -> tuple[str, list[str], list[str]]:
    """(risk, categories, reasons) from counted hits and signals seen earlier in the conversation."""
    reasons: list[str] = []
    level = "none"
    cats: set[str] = set()
    for h in sorted(hits, key=lambda h: -_LEVEL_RANK[h.level]):
        if h.level == "none":
            continue
        level = max(level, h.level, key=_LEVEL_RANK.get)
        cats.update(h.cats)
        reasons.append(f"{h.level}: {h.rule.id}" + (f" (lowered: {h.note})" if h.note in ("past", "joke") else "")
                       + (" (about someone else: concern_for_other)" if h.signal == "concern" else ""))
    here = _signals(hits)
    elevated_here = {h.signal for h in hits if h.level == "elevated" and h.signal in _COMBINING}
    # a method question (doses, heights, means within reach) after a loss or next to other warning signs
    if "method" in here and ({"loss", "passive", "burden", "goodbye"} & (here | context_signals)):
        if level != "crisis":
            cats.add("plan_intent_means")
            why = sorted({"loss", "passive", "burden", "goodbye"} & (here | context_signals))
            reasons.append(f"crisis: method question together with {', '.join(why)}")
        level = "crisis"
    # weak signals (a bare farewell, one final arrangement) combine with any elevated one; several
    # distinct goodbye-type rules (letters + "they'll get them after") are several acts of preparation
    weak_here = {h.signal for h in hits if h.level == "none" and h.signal == "goodbye"}
    families = set(elevated_here)
    if elevated_here:
        families |= weak_here | {s for s in context_signals if s in _COMBINING}
    goodbye_rules = {h.rule.id for h in hits if h.signal == "goodbye"}
    danger_rules = {h.rule.id for h in hits if h.signal == "danger" and h.level != "none"}
    if level != "crisis" and (len(families) >= 2 or (len(goodbye_rules) >= 2 and level == "elevated") or len(danger_rules) >= 2):
        if level == "none" and len(goodbye_rules) >= 2:
            cats.update(("suicidal_ideation_active", "plan_intent_means"))
        level = "crisis"
        why = sorted(families) if len(families) >= 2 else sorted(goodbye_rules if len(goodbye_rules) >= 2 else danger_rules)
        reasons.append(f"crisis: combined signals ({', '.join(why)})")
    elif level == "none" and len(goodbye_rules) >= 2:
        level = "crisis"
        cats.update(("suicidal_ideation_active", "plan_intent_means"))
        reasons.append(f"crisis: several goodbye signals ({', '.join(sorted(goodbye_rules))})")
    if level == "crisis" and "suicidal_ideation_passive" in cats and any(r.startswith("crisis: combined") or r.startswith("crisis: method") for r in reasons):
        cats.add("suicidal_ideation_active")  # burden + wish to be gone, or a method question on top: no longer passive
    if "suicidal_ideation_active" in cats and norm_text and _INTENT.search(norm_text):
        cats.add("plan_intent_means")  # ideation with a time, a decision or researched methods is intent
    if level == "none":
        cats.clear()
    ordered = [c for c in CATEGORIES if c in cats]
    return level, ordered, reasons


def _embedding_enabled(flag: bool | None) -> bool:
    if flag is not None:
        return flag
    return os.environ.get("EVA_SAFETY_EMBED", "auto").strip().lower() not in ("0", "off", "false", "no")


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\s*\n+\s*")
LONG_CHARS = 400  # longer texts are also screened in windows of a few sentences
WINDOW_SENTENCES, WINDOW_STRIDE = 3, 2
RULES_WHOLE_MAX = 1500  # past this, rules read the windows only (their context checks are per window)


def segments(text: str) -> list[str]:
    """The pieces a message is screened in: the whole text, plus overlapping windows of a few
    sentences when it is long, so that one sentence in the middle of a long post counts as
    much as a short message saying the same. Glued words are split first."""
    text = unglue(text)
    if len(text) <= LONG_CHARS:
        return [text]
    sentences = [x for x in _SENTENCE_END.split(text) if x.strip()]
    if len(sentences) <= WINDOW_SENTENCES:
        return [text]
    last = max(len(sentences) - WINDOW_SENTENCES, 0)
    starts = list(range(0, last + 1, WINDOW_STRIDE))
    if starts[-1] != last:
        starts.append(last)
    return [text] + [" ".join(sentences[i:i + WINDOW_SENTENCES]) for i in starts]


def _rule_pieces(pieces: list[str]) -> list[str]:
    whole, windows = pieces[0], pieces[1:]
    return windows if windows and len(whole) > RULES_WHOLE_MAX else pieces


def rules_verdict(text: str, context: Sequence[str] = ()) -> tuple[str, list[str], list[str], bool]:
    """(risk, categories, reasons, translit_only) from the rules alone, over every piece of the text."""
    seen: dict[str, Hit] = {}
    ignored: list[str] = []
    translit_only = True
    for piece in _rule_pieces(segments(text)):
        hits, ign, t_only = rule_hits(piece)
        translit_only = translit_only and (t_only or not any(h.level != "none" for h in hits))
        _merge(seen, ignored, hits, ign)
    hits = list(seen.values())
    ignored = [i for i in ignored if i.split()[1] not in seen]
    ctx_signals: set[str] = set()
    for earlier in list(context)[-6:]:
        ctx_signals |= _signals(rule_hits(unglue(earlier))[0])
    risk, cats, reasons = _decide(hits, ctx_signals, normalize(unglue(text)))
    return risk, cats, reasons + ignored, translit_only and risk != "none"


def distress_signals(text: str) -> set[str]:
    """The rule signal families a message shows (loss, passive, burden, goodbye, method, past, danger),
    including the context-only ones that carry no level alone."""
    return _signals(rule_hits(unglue(text))[0])


def learned_verdict(text: str, classifier, lang: str | None = None) -> tuple[str, list[str], float, float]:
    """(level, categories, p_risk, p_crisis): the classifier's highest reading over the pieces."""
    preds = classifier.predict(segments(text), lang)
    best = max(preds, key=lambda p: (p.level == "crisis", p.level != "none", p.p_risk))
    return best.level, best.categories, max(p.p_risk for p in preds), max(p.p_crisis for p in preds)


_HARMLESS_NOTES = ("(negated)", "(idiom)", "(accident)", "(joke)", "(past, recovered)", "(ordinary context)")


def _judged_harmless(reasons: list[str]) -> bool:
    return any(r.startswith("ignored ") and r.endswith(_HARMLESS_NOTES) for r in reasons)


def _classifier(choice):
    if choice is False:
        return None
    if choice is None or choice == "default":
        from eva_cli.safety.learned import default_classifier

        return default_classifier()
    return choice


def screen(text: str, *, context: Sequence[str] = (), embeddings: bool | None = None, classifier=None) -> Screening:
    """Screen one message.

    context: earlier user messages of the same conversation, newest last (optional). They never
      raise a message on their own; they let weak signals combine across turns (a loss mentioned
      before a question about bridge heights). Conversation-level escalation and the crisis that
      stays until the person is safe live in eva_cli.safety.dialogue.
    embeddings: use the optional embedding check (None = on when the `[embed]` extra is
      installed, unless EVA_SAFETY_EMBED=0).
    classifier: the learned layer: None = the process-wide model (EVA_SAFETY_MODEL; "off" for
      rules only), False = rules only, or a loaded SafetyClassifier.
    """
    text = text if isinstance(text, str) else str(text or "")
    lang = detect_lang(" ".join(fix_homoglyphs(w) for w in text.split()))
    risk, cats, reasons, translit_only = rules_verdict(text, context)
    if translit_only and lang != "uk":
        lang = "uk"
    model = _classifier(classifier) if text.strip() else None
    if model is not None:
        level, model_cats, p_risk, p_crisis = learned_verdict(text, model, lang)
        probs = f"classifier p(risk)={p_risk:.2f} p(crisis)={p_crisis:.2f}"
        if risk == "none" and level == "elevated" and _judged_harmless(reasons):
            level = "none"  # the rules read this phrase as negated, an idiom, an accident or a joke; only crisis-strength evidence overrides them
        if _LEVEL_RANK[level] > _LEVEL_RANK[risk]:
            risk = level
            cats = [c for c in CATEGORIES if c in set(cats) | set(model_cats)]
            reasons.insert(0, f"{level}: {probs}")
        else:
            reasons.append(probs)
        if lang == "other" and risk != "none" and model_cats and is_mostly_latin(text):
            lang = "uk"  # transliterated Ukrainian the classifier recognised
    # the embedding check only looks at messages neither layer flagged and the rules did not judge
    ignored = any(r.startswith("ignored ") for r in reasons)
    if risk == "none" and not ignored and lang == "en" and text.strip() and _embedding_enabled(embeddings):
        from eva_cli.safety import embed

        verdict = embed.check(text)
        if verdict is not None and verdict.raise_to_elevated:
            risk, cats = "elevated", ["suicidal_ideation_passive"]
            reasons.append(f"elevated: embedding similarity {verdict.score:.2f} to exemplar {verdict.exemplar_id}")
    return Screening(text=text, risk=risk, categories=cats, lang=lang, reasons=reasons)
