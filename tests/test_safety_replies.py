"""Crisis reply, elevated check-in and /help text: language follows the user, locale picks the lines."""

import pytest

from eva_cli.safety import crisis_reply, elevated_addendum, fallback_reply, help_text, resolve_region


@pytest.fixture(autouse=True)
def _default_locale(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.delenv("EVA_DEFAULT_LOCALE", raising=False)
    monkeypatch.delenv("EVA_CRISIS_RESOURCES", raising=False)


def test_crisis_reply_ukrainian_has_ukrainian_lines_and_invites_talk():
    text = crisis_reply("uk")
    for number in ("7333", "116 111", "112", "103"):
        assert number in text
    assert "Розкажеш" in text  # invites the person to keep talking
    assert "ШІ" in text  # says it is an AI
    assert "findahelpline.com" in text


def test_crisis_reply_english_follows_locale():
    assert "988" in crisis_reply("en", "US")
    assert "911" in crisis_reply("en", "US")
    assert "116 123" in crisis_reply("en", "GB")
    assert "116 123" in crisis_reply("en", "IE")
    assert "116 123" in crisis_reply("en", "UK")  # the country, alias of GB
    assert "988" in crisis_reply("en", "en-US")
    reply = crisis_reply("en", "US")
    assert "7333" not in reply
    assert "Can you tell me" in reply
    assert len(reply) < 700  # short


def test_unknown_country_gets_findahelpline_and_a_generic_emergency_line():
    text = crisis_reply("en", "FR")
    assert "findahelpline.com" in text and "local emergency number" in text


def test_default_locale_is_ua_and_configurable(monkeypatch):
    assert resolve_region("en").code == "UA"
    assert resolve_region("uk").code == "UA"
    monkeypatch.setenv("EVA_DEFAULT_LOCALE", "US")
    assert resolve_region("en").code == "US"
    assert resolve_region("uk").code == "UA"  # a Ukrainian-language user defaults to Ukrainian lines
    assert "988" in crisis_reply("en")


def test_reply_language_follows_the_user():
    assert "Please reach out" in crisis_reply("en", "UA")
    assert "Будь ласка" in crisis_reply("uk", "US")
    assert "Будь ласка" in crisis_reply("ru")  # Ukraine-first: Russian speakers get Ukrainian
    assert "Please reach out" in crisis_reply("other")


def test_elevated_addendum_is_a_gentle_check_in_with_the_main_line():
    en = elevated_addendum("en", "GB")
    assert en.startswith("\n\n") and "how are you holding up" in en and "116 123" in en
    uk = elevated_addendum("uk")
    assert "як ти зараз тримаєшся" in uk and "7333" in uk


def test_help_text_lists_the_lines():
    text = help_text("en", "IE")
    assert "Samaritans" in text and "116 123" in text and "Ireland" in text and "not a therapist" in text
    assert "7333" in help_text("uk")


def test_fallback_replies_are_in_the_users_language():
    assert "can't give medication doses" in fallback_reply("en", "medical")
    assert "не можу радити дози" in fallback_reply("uk", "medical")
    assert "not a human" in fallback_reply("en", "identity")
    assert "7333" in fallback_reply("uk", "harmful")
