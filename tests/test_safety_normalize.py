"""Normalization: every spelling of a phrase reaches the patterns in one form."""

from eva_cli.safety.normalize import fix_homoglyphs, looks_english, normalize, transliterate_latin, variants


def test_apostrophe_variants_and_missing_apostrophes_match():
    forms = ["вб'ю себе", "вбʼю себе", "вб’ю себе", "вбю себе", "вб`ю себе", "вбъю себе"]
    assert {normalize(f) for f in forms} == {"вбю себе"}


def test_english_contractions_with_and_without_apostrophes():
    assert normalize("I don't want to live") == normalize("i dont want to live") == "i do not want to live"
    assert normalize("I'm done") == normalize("im done") == "i am done"
    assert normalize("I'll do it") == "i will do it"
    assert normalize("I'm ill") == "i am ill"  # "ill" stays "ill" when it means sick


def test_all_caps_is_case_folded():
    assert normalize("Я НЕ ХОЧУ ЖИТИ") == "я не хочу жити"
    assert normalize("I WANT TO DIE") == "i want to die"


def test_latin_letters_inside_cyrillic_words_become_cyrillic():
    assert fix_homoglyphs("xочу") == "хочу"  # Latin x
    assert normalize("нiколи") == "ніколи"  # Latin i typed on a Russian layout
    assert normalize("тaблeтки") == "таблетки"


def test_cyrillic_letters_inside_latin_words_become_latin():
    assert normalize("kіll myself") == "kill myself"  # Cyrillic і


def test_leetspeak_inside_words_but_not_units():
    assert normalize("k1ll mys3lf") == "kill myself"
    assert normalize("$uicide") == "suicide"
    assert normalize("took 500mg at 3am") == "took 500mg at 3am"


def test_informal_spellings():
    assert normalize("i wanna die rn") == "i want to die right now"
    assert normalize("gonna kms tonite") == "going to kms tonight"
    assert normalize("self-harm") == "self harm"


def test_glued_ukrainian_negation_is_split():
    assert normalize("нехочу жити") == "не хочу жити"


def test_letter_runs_are_cut_and_offered_shorter():
    kinds = dict(variants("I want to diiiie"))
    assert kinds["main"] == "i want to diie"
    assert kinds["short"] == "i want to die"


def test_transliterated_ukrainian_becomes_cyrillic():
    assert transliterate_latin("ne hochu zhyty") == "не хочу жити"
    assert transliterate_latin("pokinchyty z soboyu") == "покінчити з собою"
    assert dict(variants("ya ne hochu zhyty"))["translit"] == "я не хочу жити"


def test_english_text_is_not_read_as_transliteration():
    assert looks_english("can you recommend a shelter i can donate to")
    assert "translit" not in dict(variants("can you recommend a shelter I can donate to"))
