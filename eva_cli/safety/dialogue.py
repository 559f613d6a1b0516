"""Conversation-level risk: the new message read together with the chat's recent user turns.

Two things a single-message screen cannot do:
1. **Escalation.** A message that is ambiguous alone ("I'm done, I'll end it this weekend") is
   crisis when earlier turns showed hopelessness, a burden, a loss or a risk (the rules' signals,
   dialogue.yaml `distress`, or an elevated screening): a plan, an ending or a method word
   (dialogue.yaml `plan`) after such a turn, or the classifier reading the recent
   turns together as crisis, makes it crisis.
2. **A crisis that stays.** Once a chat has reached crisis, every following message is answered
   with the crisis follow-up (resources and a check-in, no model call) until the person says they
   are safe (dialogue.yaml `safe`) or resets the chat (which empties its history).

The state is derived from the stored history, not kept beside it, so it survives restarts and is
the same on every bot replica; each earlier turn's verdict is cached per process under a hash of its
text (never the text), so re-reading the history is cheap.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from eva_cli.safety.normalize import is_mostly_latin, normalize, transliterate_latin, unglue
from eva_cli.safety.screen import Screening, distress_signals, screen

CONTEXT_TURNS = 6  # earlier user turns read with each message
STATE_TURNS = 24  # how far back a crisis is remembered (in user turns) when no safe statement came
_DISTRESS = {"loss", "passive", "burden", "goodbye", "method", "past"}


@dataclass(frozen=True)
class TurnRisk:
    """The verdict on one message in its conversation.

    action: "crisis" (a new crisis: the crisis reply), "followup" (the chat is still in crisis: the
      follow-up reply), "safe" (the person says they are safe: the chat leaves crisis), or "model"
      (an ordinary turn; screening.risk says whether to add the elevated check-in).
    """

    screening: Screening
    action: str
    turns_in_crisis: int = 0  # user turns since the chat entered crisis (for varying the follow-up)


@lru_cache(maxsize=1)
def _cues() -> dict[str, dict[str, list[re.Pattern]]]:
    import yaml

    raw = yaml.safe_load(Path(__file__).with_name("dialogue.yaml").read_text(encoding="utf-8"))
    return {group: {lang: [re.compile(p) for p in pats] for lang, pats in langs.items()} for group, langs in raw.items()}


def _forms(text: str) -> list[str]:
    norm = normalize(unglue(text))
    forms = [norm]
    if is_mostly_latin(text):
        forms.append(transliterate_latin(normalize(unglue(text), informal=False, keep=1)))
    return forms


def cue(group: str, text: str) -> bool:
    """Whether any `group` cue (plan / safe / unsafe) of any language matches the text."""
    return any(rx.search(f) for f in _forms(text) for pats in _cues()[group].values() for rx in pats)


def says_safe(text: str) -> bool:
    return cue("safe", text) and not cue("unsafe", text)


# Per-process caches of earlier turns' verdicts, keyed by a hash of the text (never the text itself, so no
# message outlives its chat in memory: /forget deletes the rows, and the cache holds only digests).
_CACHE: "OrderedDict[bytes, tuple[Screening, bool]]" = OrderedDict()
_CACHE_SIZE = 8192
_CACHE_LOCK = threading.Lock()


def _digest(text: str, context: tuple[str, ...]) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    for part in (text, *context):
        h.update(part.encode("utf-8", "replace"))
        h.update(b"\0")
    return h.digest()


def _cached(text: str, context: tuple[str, ...]) -> tuple[Screening, bool]:
    """(screening without its text, whether the message shows distress) for a turn in its context."""
    key = _digest(text, context)
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit
    s = screen(text, context=context)
    value = (replace(s, text=""), bool(distress_signals(text) & _DISTRESS) or cue("distress", text))
    with _CACHE_LOCK:
        _CACHE[key] = value
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return value


def clear_cache() -> None:
    with _CACHE_LOCK:
        _CACHE.clear()


def _escalate(s: Screening, text: str, earlier: Sequence[str], earlier_risks: Sequence[str]) -> Screening:
    """Raise an ambiguous message to crisis when the conversation before it shows distress."""
    if s.risk == "crisis" or not earlier:
        return s
    recent = list(earlier)[-CONTEXT_TURNS:]
    risks = list(earlier_risks)[-CONTEXT_TURNS:]
    distress = any(r != "none" for r in risks) or any(_cached(t, ())[1] for t in recent)
    if distress and cue("plan", text):
        return replace(s, risk="crisis", categories=_with(s.categories, "suicidal_ideation_active", "plan_intent_means"),
                       reasons=["crisis: a plan, an ending or a method after earlier distress in this chat (conversation)"] + s.reasons)
    if distress and s.risk == "elevated":
        joined = _cached(" ".join(recent[-3:] + [text]), ())[0]
        if joined.risk == "crisis":
            return replace(s, risk="crisis", categories=_with(s.categories, *joined.categories),
                           reasons=["crisis: the last turns read together are crisis (conversation)"] + s.reasons)
    return s


def _with(cats: Sequence[str], *more: str) -> list[str]:
    from eva_cli.safety.rules import CATEGORIES

    have = set(cats) | set(more)
    return [c for c in CATEGORIES if c in have]


def assess_turn(text: str, earlier: Sequence[str] = ()) -> TurnRisk:
    """The verdict on `text`, given the chat's earlier user turns (oldest first)."""
    turns = [t for t in list(earlier)[-STATE_TURNS:] if isinstance(t, str)]
    risks: list[str] = []
    in_crisis, since, last_crisis = False, 0, None
    for i, t in enumerate(turns):
        ctx = tuple(turns[max(0, i - CONTEXT_TURNS):i])
        s = _escalate(_cached(t, ctx)[0], t, ctx, risks[max(0, i - CONTEXT_TURNS):i])
        risks.append(s.risk)
        if s.risk == "crisis":
            in_crisis, since, last_crisis = True, 0, s
        elif in_crisis and says_safe(t):
            in_crisis = False
        elif in_crisis:
            since += 1
    ctx = tuple(turns[-CONTEXT_TURNS:])
    s = _escalate(replace(_cached(text, ctx)[0], text=text), text, ctx, risks[-CONTEXT_TURNS:])
    if s.risk == "crisis":
        return TurnRisk(s, "crisis")
    if in_crisis:
        if says_safe(text):
            return TurnRisk(replace(s, reasons=["the person says they are safe: the chat leaves crisis"] + s.reasons), "safe")
        cats = _with(s.categories, *(last_crisis.categories if last_crisis else ()))
        held = replace(s, risk="crisis", categories=cats,
                       reasons=[f"crisis: this chat is still in crisis ({since + 1} turn(s) since); waiting for the person to say they are safe"] + s.reasons)
        return TurnRisk(held, "followup", since + 1)
    return TurnRisk(s, "model")
