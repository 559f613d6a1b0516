"""`rewrite`: the rejected reply is one a therapist must avoid, written for this very prompt.

Nine kinds (dismissing, blaming, toxic positivity, lecturing, judging, changing the subject to
oneself, diagnosing/prescribing, overpromising, cutting the person off), each with many phrasings
in English and Ukrainian (rejections_en.yaml, rejections_uk.yaml). Every phrasing weaves in words
from the user's message (see cues.py), so that chosen and rejected share the topic and differ in
manner. Per kind, the data files also set:
- `lead: N`: the rejected reply opens with the chosen reply's first N sentences (at most all but
  one), so the two share an opening and differ where the reply goes wrong;
- `weight: W` (0-1): a pick of this kind makes a pair with probability W. Kinds that a bag-of-words
  classifier separates from real replies almost perfectly (see shortcut.py) are down-weighted.
"""

from __future__ import annotations

import functools
import random
import re
import string
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from typing import Iterator

from eva_cli.pairs.base import ExampleSet, Pair, StrategyContext, word_count
from eva_cli.pairs.cues import Cues, extract_cues

KINDS = (
    "dismissing", "blaming", "toxic_positivity", "lecturing", "judging",
    "changing_subject", "diagnosing", "overpromising", "cold",
)
LANGS = ("en", "uk")
FIELDS = frozenset({"quote", "situation", "person", "feeling", "topic"})
SHORT_KINDS = frozenset({"cold"})  # never stretched to be longer than the chosen reply


@dataclass(frozen=True)
class Phrase:
    text: str
    fields: frozenset[str]  # lower-case field names it needs

    def fits(self, available: frozenset[str]) -> bool:
        return self.fields <= available


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    phrasings: tuple[Phrase, ...]
    extras: tuple[Phrase, ...]
    weight: float = 1.0
    lead: int = 0


def _phrase(text: str) -> Phrase:
    names = {f for _, f, _, _ in string.Formatter().parse(text) if f}
    return Phrase(text, frozenset(n.lower() for n in names))


@functools.lru_cache(maxsize=None)
def load_taxonomy(lang: str) -> dict[str, Kind]:
    """The rejected-reply taxonomy for 'en' or 'uk', checked against KINDS and FIELDS."""
    import yaml

    text = resources.files("eva_cli.pairs").joinpath(f"rejections_{lang}.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)["kinds"]
    if set(raw) != set(KINDS):
        raise ValueError(f"rejections_{lang}.yaml: kinds {sorted(raw)} differ from {sorted(KINDS)}")
    out: dict[str, Kind] = {}
    for name in KINDS:
        entry = raw[name]
        phrasings = tuple(_phrase(t) for t in entry["phrasings"])
        extras = tuple(_phrase(t) for t in entry.get("extras", []))
        for p in phrasings + extras:
            if not p.fields <= FIELDS:
                raise ValueError(f"rejections_{lang}.yaml: {p.text!r} uses unknown fields {sorted(p.fields - FIELDS)}")
        if any(not p.fields for p in phrasings):
            raise ValueError(f"rejections_{lang}.yaml: every phrasing in {name} must use a field from the message")
        weight, lead = float(entry.get("weight", 1.0)), int(entry.get("lead", 0))
        if not 0 < weight <= 1 or lead < 0:
            raise ValueError(f"rejections_{lang}.yaml: {name} needs 0 < weight <= 1 and lead >= 0")
        out[name] = Kind(name, entry.get("label", name), phrasings, extras, weight, lead)
    return out


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def opening(reply: str, sentences: int) -> str:
    """The first `sentences` sentences of a reply, at most all but its last ('' for one sentence)."""
    parts = _SENTENCE_END.split(reply.strip())
    return " ".join(parts[:min(sentences, len(parts) - 1)])


def available_fields(values: dict[str, str]) -> frozenset[str]:
    return frozenset(k for k in values if k.islower())


@functools.lru_cache(maxsize=None)
def fitting(lang: str, kind: str, available: frozenset[str]) -> tuple[Phrase, ...]:
    """The phrasings of `kind` whose fields are all available."""
    return tuple(p for p in load_taxonomy(lang)[kind].phrasings if p.fits(available))


@functools.lru_cache(maxsize=None)
def eligible_kinds(lang: str, available: frozenset[str]) -> tuple[str, ...]:
    """The kinds with at least one phrasing that these fields can fill."""
    return tuple(name for name in KINDS if fitting(lang, name, available))


def render(cues: Cues | dict[str, str], kind: str, lang: str, rng: random.Random, min_words: int = 0) -> str | None:
    """One rejected reply of `kind` for these cues; sentences are added until it has `min_words` words."""
    values = cues.values() if isinstance(cues, Cues) else cues
    available = available_fields(values)
    own = fitting(lang, kind, available)
    if not own:
        return None
    first = own[int(rng.random() * len(own))]
    parts = [first.text.format(**values)]
    if min_words <= 0:
        return parts[0]
    words = word_count(parts[0])
    for pool in _stretch_pools(load_taxonomy(lang), kind, first, available, rng):
        for phrase in pool:
            if words >= min_words:
                return " ".join(parts)
            sentence = phrase.text.format(**values)
            parts.append(sentence)
            words += word_count(sentence)
    return " ".join(parts)


def _stretch_pools(taxonomy: dict[str, Kind], kind: str, first: Phrase, available: frozenset[str],
                   rng: random.Random) -> Iterator[list[Phrase]]:
    """More of the same voice first (extras, then other phrasings), then other kinds' sentences."""
    same_extras = [p for p in taxonomy[kind].extras if p.fits(available)]
    same_more = [p for p in taxonomy[kind].phrasings if p is not first and p.fits(available)]
    for pool in (same_extras, same_more):
        rng.shuffle(pool)
        yield pool
    others = [p for name in KINDS if name != kind and name not in SHORT_KINDS
              for p in taxonomy[name].extras + taxonomy[name].phrasings if p.fits(available)]
    rng.shuffle(others)
    yield others


class RewriteStrategy:
    """Rejected = a reply of one of nine harmful kinds, in the prompt's language, with its words."""

    name = "rewrite"
    note_when_empty = "no English or Ukrainian examples with usable words in the last user message"

    def __init__(self) -> None:
        self.stats: dict = {"kinds": Counter(), "skipped_language": 0, "skipped_no_cues": 0, "chosen_not_best": 0,
                            "down_weighted": 0}

    def pairs(self, examples: ExampleSet, ctx: StrategyContext) -> Iterator[Pair]:
        n = len(examples)
        counts = ctx.counts(n)
        longer = ctx.want_longer(n)
        rng = random.Random(int(ctx.rng.integers(2**62)))
        cues_memo: dict[tuple[str, str], tuple[dict[str, str], tuple[str, ...]]] = {}
        for i in range(n):
            k = int(counts[i])
            if k == 0:
                continue
            if not ctx.may_choose(i):
                self.stats["chosen_not_best"] += 1
                continue
            lang = examples.langs[i]
            if lang not in LANGS:
                self.stats["skipped_language"] += 1
                continue
            key = (examples.user_texts[i], lang)
            hit = cues_memo.get(key)
            if hit is None:  # answers to one question share it: extract once
                values = extract_cues(key[0], lang).values()
                hit = cues_memo[key] = (values, eligible_kinds(lang, available_fields(values)))
            values, kinds = hit
            stretch = longer is not None and bool(longer[i])
            if stretch:
                kinds = [name for name in kinds if name not in SHORT_KINDS]
            if not kinds:
                self.stats["skipped_no_cues"] += 1
                continue
            chosen = examples.responses[i]
            min_words = word_count(chosen) + 1 if stretch else 0
            picked = (kinds[int(rng.random() * len(kinds))],) if k == 1 else rng.sample(kinds, min(k, len(kinds)))
            taxonomy = load_taxonomy(lang)
            for kind in picked:
                spec = taxonomy[kind]
                if spec.weight < 1 and rng.random() >= spec.weight:
                    self.stats["down_weighted"] += 1
                    continue
                text = render(values, kind, lang, rng, min_words)
                if not text:
                    continue
                lead = opening(chosen, spec.lead) if spec.lead else ""
                if lead and (longer is None or stretch or word_count(lead) + word_count(text) < word_count(chosen)):
                    text = f"{lead} {text}"  # (--length-match wanting a shorter reply: only if it stays shorter)
                self.stats["kinds"][kind] += 1
                yield Pair(examples.ids[i], examples.messages[i], chosen, text, self.name,
                           examples.sources[i], lang, examples.splits[i], examples.prompt_keys[i], kind)
