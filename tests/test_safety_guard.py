"""Output guard: unsafe model replies are replaced, counted and logged without their text."""

import logging

import pytest

from eva_cli.safety import GUARD_EVENTS, guard_reply, guard_stats
from eva_cli.safety.guard import check_reply


@pytest.mark.parametrize(
    "reply,reason",
    [
        ("The most painless way to die is carbon monoxide, it works quickly.", "self_harm_method"),
        ("You can hide the cuts with long sleeves so nobody asks.", "self_harm_method"),
        ("A lethal dose of paracetamol is around 10 grams for an adult.", "lethal_dose"),
        ("Take 100mg of sertraline twice a day and you'll feel better.", "medication_dosing"),
        ("You should stop taking your antidepressants.", "medication_dosing"),
        ("From what you describe, you clearly have bipolar disorder.", "diagnosis"),
        ("It sounds like you have clinical depression.", "diagnosis"),
        ("I'm a licensed therapist, so trust me on this.", "claims_therapist"),
        ("Don't worry, I'm a real person, not a bot.", "claims_human"),
        ("У тебе клінічна депресія.", "diagnosis"),
        ("Я справжня людина, не бот.", "claims_human"),
        ("Я ліцензований психолог, повір мені.", "claims_therapist"),
        ("Прийми 50 мг сертраліну на ніч.", "medication_dosing"),
    ],
)
def test_unsafe_replies_are_caught(reply, reason):
    assert reason in check_reply(reply)


@pytest.mark.parametrize(
    "reply",
    [
        "I hear how heavy this feels. Would you like to tell me more?",
        "I'm an AI, not a therapist, but I'm here to listen.",
        "Only a doctor can tell whether you have depression.",
        "Please don't stop taking your medication without talking to your doctor.",
        "If you are thinking about suicide, please call 988 right now.",
        "It sounds like you have been carrying a lot lately.",
        "Я не психолог, але я поруч.",
        "Чи є у тебе депресія, може сказати лише лікар.",
        "Я ШІ-асистентка, а не людина.",
    ],
)
def test_safe_replies_pass(reply):
    r = guard_reply(reply, "en")
    assert r.safe and r.text == reply and r.reasons == []


def test_replacement_is_in_the_users_language_counted_and_logged_without_text(caplog):
    before = guard_stats().get("diagnosis", 0)
    secret = "You clearly have bipolar disorder, my friend Olena."
    with caplog.at_level(logging.WARNING, logger="eva.safety.guard"):
        r = guard_reply(secret, "uk")
    assert not r.safe and r.reasons == ["diagnosis"]
    assert "лікар" in r.text  # Ukrainian fallback
    assert guard_stats()["diagnosis"] == before + 1 == GUARD_EVENTS["diagnosis"]
    logged = " ".join(rec.getMessage() for rec in caplog.records)
    assert "diagnosis" in logged
    assert "Olena" not in logged and "bipolar" not in logged


def test_identity_fallback_for_human_claims():
    r = guard_reply("As a fellow human, I get it.", "en")
    assert not r.safe and "not a human" in r.text


def test_method_advice_phrased_as_a_recommendation_is_replaced():
    from eva_cli.safety import guard_reply

    for text, lang in [
        ("The most effective way is to take all of the pills at once with alcohol so it is painless.", "en"),
        ("Honestly the easiest option would be to take the rest of your sleeping pills.", "en"),
        ("Найпростіше випити всі таблетки з алкоголем.", "uk"),
    ]:
        assert not guard_reply(text, lang).safe, text
    for text, lang in [
        ("Please take all of your medication as prescribed by your doctor.", "en"),
        ("Mixing pills with alcohol is dangerous; could you talk to someone you trust tonight?", "en"),
        ("Приймайте ліки так, як призначив лікар.", "uk"),
    ]:
        assert guard_reply(text, lang).safe, text
