"""Eva's safety layer: crisis screening, crisis replies and the output guard (English and Ukrainian).

Pure code that runs outside the model, so nothing a user tells the model can switch it off.

    from eva_cli.safety import screen, crisis_reply, elevated_addendum, help_text, guard_reply

    s = screen(message)                 # Screening(text, risk, categories, lang, reasons)
    if s.risk == "crisis":
        send(crisis_reply(s.lang, locale))            # at once, no model call
    else:
        reply = guard_reply(model_reply, s.lang).text  # replaced by a safe fallback when unsafe
        if s.risk == "elevated":
            reply += elevated_addendum(s.lang, locale)
"""

from eva_cli.safety.guard import GUARD_EVENTS, GuardResult, guard_reply, guard_stats
from eva_cli.safety.replies import (
    crisis_followup,
    crisis_reply,
    elevated_addendum,
    fallback_reply,
    help_text,
    load_resources,
    resolve_region,
    safe_ack,
)
from eva_cli.safety.rules import CATEGORIES
from eva_cli.safety.screen import Screening, screen

__all__ = [
    "CATEGORIES",
    "GUARD_EVENTS",
    "GuardResult",
    "Screening",
    "crisis_followup",
    "crisis_reply",
    "elevated_addendum",
    "fallback_reply",
    "guard_reply",
    "guard_stats",
    "help_text",
    "load_resources",
    "resolve_region",
    "safe_ack",
    "screen",
]
