"""What Eva says when the screen or the output guard steps in (English and Ukrainian).

- `crisis_reply`: sent at once, instead of any model call, when a message screens "crisis".
- `elevated_addendum`: appended to the model's reply when a message screens "elevated".
- `help_text`: the crisis lines for /help.
- `fallback_reply`: replaces a model reply that the output guard rejects.

Reply language follows the user: "uk" (and "ru", since the lines are Ukraine-first) get
Ukrainian, everything else English. The locale (a region code: UA, US, GB, IE...) picks the
lines; without one, a Ukrainian-language user gets UA and everyone else gets
`EVA_DEFAULT_LOCALE` (default UA). Lines come from resources.yaml (operator-editable).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

from eva_cli.errors import EvaError

RESOURCES_PATH = Path(__file__).with_name("resources.yaml")
REPLY_LANGS = ("en", "uk")

_lock = threading.Lock()
_cache: dict[str, "Resources"] = {}


@dataclass(frozen=True)
class Line:
    name: dict[str, str]
    contact: str  # phone number or URL
    note: dict[str, str]
    emergency: bool = False

    def render(self, lang: str) -> str:
        note = self.note.get(lang) or self.note.get("en")
        return f"• {self.name.get(lang) or self.name['en']}: {self.contact}" + (f" ({note})" if note else "")


@dataclass(frozen=True)
class Region:
    code: str
    country: dict[str, str]
    lines: tuple[Line, ...]

    @property
    def emergency(self) -> Line | None:
        return next((ln for ln in self.lines if ln.emergency), None)

    @property
    def main(self) -> Line:
        return next((ln for ln in self.lines if not ln.emergency), self.lines[0])


@dataclass(frozen=True)
class Resources:
    regions: dict[str, Region]
    aliases: dict[str, str]
    fallback: Region


def _texts(value, where: str, required: bool = True) -> dict[str, str]:
    if value is None and not required:
        return {}
    if isinstance(value, str):
        return {lang: value for lang in REPLY_LANGS}
    if not isinstance(value, dict) or not all(isinstance(value.get(lang), str) and value.get(lang) for lang in REPLY_LANGS):
        raise ValueError(f"{where} needs text for each of {', '.join(REPLY_LANGS)}")
    return {k: str(v) for k, v in value.items()}


def _region(code: str, data, where: str) -> Region:
    if not isinstance(data, dict):
        raise ValueError(f"{where} must be a mapping")
    lines = data.get("lines")
    if not isinstance(lines, list) or not lines:
        raise ValueError(f"{where}.lines must be a non-empty list")
    out = []
    for i, ln in enumerate(lines):
        w = f"{where}.lines[{i}]"
        if not isinstance(ln, dict):
            raise ValueError(f"{w} must be a mapping")
        contact = ln.get("phone") or ln.get("url")
        if not isinstance(contact, (str, int)) or not str(contact).strip():
            raise ValueError(f"{w} needs a phone or a url")
        out.append(Line(_texts(ln.get("name"), f"{w}.name"), str(contact).strip(), _texts(ln.get("note"), f"{w}.note", required=False), bool(ln.get("emergency", False))))
    return Region(code, _texts(data.get("country"), f"{where}.country"), tuple(out))


def parse_resources(data) -> Resources:
    """Validate the YAML structure (see the comments in resources.yaml); ValueError names the bad field."""
    if not isinstance(data, dict) or not isinstance(data.get("locales"), dict) or not data["locales"]:
        raise ValueError("the file needs a non-empty 'locales' mapping")
    regions = {str(code).upper(): _region(str(code).upper(), v, f"locales.{code}") for code, v in data["locales"].items()}
    aliases = {}
    for k, v in (data.get("aliases") or {}).items():
        if str(v).upper() not in regions:
            raise ValueError(f"aliases.{k} points to {v}, which is not under locales")
        aliases[str(k).upper()] = str(v).upper()
    if "fallback" not in data:
        raise ValueError("the file needs a 'fallback' entry for other countries")
    return Resources(regions, aliases, _region("INTL", data["fallback"], "fallback"))


def load_resources(path: str | Path | None = None) -> Resources:
    """The crisis lines (cached). EVA_CRISIS_RESOURCES may point to an operator's own copy."""
    import yaml

    path = Path(path or os.environ.get("EVA_CRISIS_RESOURCES") or RESOURCES_PATH)
    key = str(path)
    with _lock:
        if key in _cache:
            return _cache[key]
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            res = parse_resources(data)
        except FileNotFoundError:
            raise EvaError(f"crisis resources file {path} does not exist.", "Restore eva_cli/safety/resources.yaml or fix EVA_CRISIS_RESOURCES.") from None
        except (yaml.YAMLError, ValueError) as exc:
            raise EvaError(f"crisis resources file {path} is invalid: {str(exc).splitlines()[0]}", "See the structure described at the top of resources.yaml.") from None
        _cache[key] = res
        return res


def reply_lang(lang: str | None) -> str:
    return "uk" if (lang or "").lower() in ("uk", "ru") else "en"


def default_locale() -> str:
    """settings.default_locale (env EVA_DEFAULT_LOCALE or .env), UA when unset."""
    try:
        from eva_cli.settings import load_settings

        value = load_settings().default_locale
    except Exception:  # unreadable .env etc.: the crisis reply must still go out
        value = os.environ.get("EVA_DEFAULT_LOCALE") or "UA"
    return (value or "UA").strip().upper() or "UA"


def resolve_region(lang: str | None, locale: str | None = None) -> Region:
    """The region whose lines to show: the given locale, else UA for Ukrainian speakers, else the default."""
    res = load_resources()
    code = _normalize_locale(locale)
    if code is None:
        code = "UA" if reply_lang(lang) == "uk" else _normalize_locale(default_locale()) or "UA"
    code = res.aliases.get(code, code)
    return res.regions.get(code, res.fallback)


def _normalize_locale(locale: str | None) -> str | None:
    if not locale or not str(locale).strip():
        return None
    raw = str(locale).strip()
    if raw == "uk":  # a language code (Ukrainian), not the United Kingdom
        return "UA"
    code = raw.upper().replace("-", "_")
    if "_" in code:
        region = code.rsplit("_", 1)[1]
        return region if region.isalpha() else None
    if len(code) == 2 and raw.islower() and code in ("EN", "RU"):
        return None  # a bare language code says nothing about the region
    return code


def _lines(region: Region, lang: str, with_fallback: bool = True) -> str:
    rows = [ln.render(lang) for ln in region.lines]
    res = load_resources()
    if with_fallback and region is not res.fallback:
        fb = res.fallback.lines[0]
        rows.append(("• В інших країнах: " if lang == "uk" else "• Elsewhere: ") + fb.contact)
    return "\n".join(rows)


_TEMPLATES: dict | None = None


def _template(key: str, lang: str, kind: str | None = None):
    """A reply template from replies.yaml ("\\n" there is a line break)."""
    global _TEMPLATES
    if _TEMPLATES is None:
        import yaml

        raw = yaml.safe_load(Path(__file__).with_name("replies.yaml").read_text(encoding="utf-8"))

        def unescape(v):
            if isinstance(v, str):
                return v.replace("\\n", "\n")
            if isinstance(v, list):
                return [unescape(x) for x in v]
            return {k: unescape(x) for k, x in v.items()}

        _TEMPLATES = unescape(raw)
    node = _TEMPLATES[key] if kind is None else _TEMPLATES[key][kind]
    return node[lang]


def _danger(region: Region, lang: str) -> str:
    em = region.emergency
    return _template("danger", lang).format(number=em.contact) if em else _template("danger_any", lang)


def _emergency_number(region: Region, lang: str) -> str:
    return region.emergency.contact if region.emergency else _template("emergency_any", lang)


def _main(region: Region, lang: str) -> dict:
    main = region.main
    return {"name": main.name.get(lang) or main.name["en"], "contact": main.contact}


def crisis_reply(lang: str, locale: str | None = None, categories=()) -> str:
    """Warm, short, in the user's language, with the crisis lines for the locale; invites them to keep talking.
    When the risk is to someone else (harm_to_others alone), the reply leads with the emergency number."""
    lg = reply_lang(lang)
    region = resolve_region(lang, locale)
    cats = set(categories or ())
    if "harm_to_others" in cats and not cats & _SELF:
        return _template("crisis_others", lg).format(number=_emergency_number(region, lg), lines=_lines(region, lg))
    return _template("crisis", lg).format(lines=_lines(region, lg), danger=_danger(region, lg))


# risk to the person themselves (plan_intent_means is left out: a plan can be against someone else)
_SELF = {"suicidal_ideation_passive", "suicidal_ideation_active", "self_harm"}


def crisis_followup(lang: str, locale: str | None = None, turn: int = 0) -> str:
    """A reply while a chat stays in crisis (after the crisis reply, until the person says they are safe)."""
    lg = reply_lang(lang)
    region = resolve_region(lang, locale)
    options = _template("followup", lg)
    return options[turn % len(options)].format(lines=_lines(region, lg), danger=_danger(region, lg)).strip()


def safe_ack(lang: str, locale: str | None = None) -> str:
    """The answer when the person says they are safe: the chat leaves crisis, the main line stays in view."""
    lg = reply_lang(lang)
    return _template("safe_ack", lg).format(**_main(resolve_region(lang, locale), lg))


def elevated_addendum(lang: str, locale: str | None = None, categories=()) -> str:
    """A gentle check-in plus the main line, appended to a model reply (starts with a blank line).
    For concern_for_other (worry about someone else) it says how to help them, with the lines."""
    lg = reply_lang(lang)
    region = resolve_region(lang, locale)
    if "concern_for_other" in set(categories or ()) and not set(categories) & _SELF:
        return _template("concern_addendum", lg).format(number=_emergency_number(region, lg), lines=_lines(region, lg))
    return _template("addendum", lg).format(**_main(region, lg))


def help_text(lang: str, locale: str | None = None) -> str:
    """The crisis lines for /help."""
    lg = reply_lang(lang)
    region = resolve_region(lang, locale)
    return _template("help", lg).format(country=region.country.get(lg) or region.country["en"], lines=_lines(region, lg),
                                        danger=_danger(region, lg))


def fallback_reply(lang: str, kind: str = "harmful", locale: str | None = None) -> str:
    """The safe reply that replaces a rejected model reply. kind: harmful | medical | identity."""
    lg = reply_lang(lang)
    kind = kind if kind in ("harmful", "medical", "identity") else "harmful"
    return _template("fallback", lg, kind).format(**_main(resolve_region(lang, locale), lg))
