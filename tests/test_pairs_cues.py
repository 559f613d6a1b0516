"""Cue extraction: the words from the user's message that a rejected reply weaves in."""

from __future__ import annotations

from eva_cli.pairs.cues import extract_cues, first_clause, to_second_person


def test_english_name_feeling_and_clause():
    c = extract_cues("My sister Anna stopped talking to me after an argument and I feel so lonely.", "en")
    assert c.person == "Anna"
    assert c.feeling == "lonely"
    assert c.quote == "My sister Anna stopped talking to me after an argument"
    assert c.situation == "your sister Anna stopped talking to you after an argument"


def test_english_role_topic_and_second_person():
    c = extract_cues("Hi. I was fired last week and my boss won't give me a reference. I'm anxious about money.", "en")
    assert c.person == "your boss"
    assert c.topic == "work"  # the earliest topic word wins ("fired" before "money")
    assert c.feeling == "anxious"
    assert c.quote == "I was fired last week"  # the greeting is skipped
    assert c.situation == "you were fired last week"


def test_english_sentence_start_is_not_a_name():
    c = extract_cues("Nothing helps anymore. Everything feels pointless.", "en")
    assert c.person is None
    assert c.feeling == "hopeless"


def test_english_fallbacks_when_nothing_is_found():
    c = extract_cues("It keeps happening again and again", "en")
    assert (c.person, c.feeling, c.topic) == (None, None, None)
    assert c.quote == "It keeps happening again and again"
    assert extract_cues("", "en").values() == {}
    assert extract_cues("help", "en").quote is None


def test_ukrainian_name_in_any_case_becomes_nominative():
    c = extract_cues("Я посварилася з Оксаною, і тепер мені дуже самотньо.", "uk")
    assert c.person == "Оксана"
    assert c.feeling == "самотність"
    assert c.quote == "Я посварилася з Оксаною"
    assert extract_cues("Я чекала на Андрія весь вечір.", "uk").person == "Андрій"
    assert extract_cues("Не можу пробачити Петрові цю образу.", "uk").person == "Петро"


def test_ukrainian_roles_topics_and_feelings():
    c = extract_cues("Мій чоловік постійно критикує мене, я дуже втомилася.", "uk")
    assert c.person == "твій чоловік"
    assert c.topic == "шлюб"
    assert c.feeling == "втома"
    c = extract_cues("Не можу заснути через обстріли, постійно тривожно.", "uk")
    assert c.topic == "сон"
    assert c.feeling == "тривога"
    # an ambiguous word ("чоловік" = man) counts as a relative only after a possessive
    assert extract_cues("Якийсь чоловік кричав на вулиці.", "uk").person is None


def test_long_clause_is_cut_at_a_joiner_without_dangling_words():
    quote = first_clause("I have been feeling completely alone at home since the start of winter and my friends never call")
    assert quote is not None and len(quote.split()) <= 12
    assert quote.split()[-1].lower() not in {"and", "the", "of", "my"}


def test_second_person_keeps_names_capitalised():
    assert to_second_person("Anna hates me") == "Anna hates you"
    assert to_second_person("London feels cold to me") == "London feels cold to you"
    assert to_second_person("I am tired of my job") == "you are tired of your job"
    assert to_second_person("Was I wrong to call my mom?") == "were you wrong to call your mom?"
    assert to_second_person("Everything I do is wrong") == "everything you do is wrong"
