"""`eva safety`: arguments, --file (text and JSONL), --json, --evaluate, --locale, bad input."""

import json
from pathlib import Path

DATA = Path(__file__).parent / "data"
CORPUS = Path(__file__).parents[1] / "eva_cli" / "safety" / "corpus"


def test_table_output(eva):
    r = eva("safety", "--no-embed", "I want to die", "this exam is killing me")
    assert r.code == 0, r.output
    assert "crisis" in r.out and "none" in r.out
    assert "crisis message" in r.out


def test_json_one_object_per_message(eva):
    r = eva("safety", "--no-embed", "--json", "я тягар для всіх", "hello")
    assert r.code == 0, r.output
    assert [json.loads(x)["risk"] for x in r.out.splitlines()] in (["elevated", "none"], ["crisis", "none"])
    r = eva("safety", "--no-embed", "--rules-only", "--json", "я тягар для всіх", "hello")  # the rules' own, explainable verdict
    assert r.code == 0, r.output
    lines = [json.loads(x) for x in r.out.splitlines()]
    assert [x["risk"] for x in lines] == ["elevated", "none"]
    assert set(lines[0]) == {"text", "risk", "categories", "lang", "reasons"}
    assert lines[0]["lang"] == "uk" and lines[0]["categories"] == ["suicidal_ideation_passive"]


def test_file_plain_text_one_message_a_line(eva, tmp_path):
    f = tmp_path / "msgs.txt"
    f.write_text("I want to die\n\nпомираю від сміху\n", encoding="utf-8")
    r = eva("safety", "--no-embed", "--json", "--file", f)
    assert r.code == 0, r.output
    rows = [json.loads(x) for x in r.out.splitlines()]
    assert [x["risk"] for x in rows] == ["crisis", "none"]


def test_file_jsonl_passes_other_fields_through(eva, tmp_path):
    f = tmp_path / "msgs.jsonl"
    f.write_text(json.dumps({"id": 7, "text": "хочу вбити себе", "lang": "xx"}, ensure_ascii=False) + "\n", encoding="utf-8")
    r = eva("safety", "--no-embed", "--json", "-f", f)
    assert r.code == 0, r.output
    row = json.loads(r.out)
    assert row["id"] == 7 and row["risk"] == "crisis"
    assert row["lang"] == "uk" and row["input_lang"] == "xx"  # a clashing input field is kept, renamed


def test_bad_inputs_are_one_line_exit_2(eva, tmp_path):
    r = eva("safety", "--file", tmp_path / "missing.txt")
    assert r.code == 2 and "missing.txt" in r.err and "Traceback" not in r.output
    assert len(r.err.strip().splitlines()) == 1
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "ok"}\n{"no_text": 1}\n', encoding="utf-8")
    r = eva("safety", "--file", bad)
    assert r.code == 2 and "bad.jsonl:2" in r.err and "'text'" in r.err
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"text": "ok"\n', encoding="utf-8")
    r = eva("safety", "--file", broken)
    assert r.code == 2 and "broken.jsonl:1" in r.err
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"\xff\xfe\x00bad")
    r = eva("safety", "--file", binary)
    assert r.code == 2 and "UTF-8" in r.err
    r = eva("safety")
    assert r.code == 2 and "nothing to screen" in r.err


def test_evaluate_prints_definitions_and_targets(eva):
    r = eva("safety", "--no-embed", "--evaluate", CORPUS / "v01_dev.jsonl")
    assert r.code == 0, r.output
    for word in ("recall, explicit crisis", "false-positive rate", "Per language", "Per category", "Definitions", "Targets met"):
        assert word in r.out


def test_evaluate_json_report(eva):
    r = eva("safety", "--no-embed", "--json", "--evaluate", CORPUS / "v01_dev.jsonl")
    assert r.code == 0, r.output
    rep = json.loads(r.out)
    assert rep["targets"]["recall_explicit"]["met"] and rep["targets"]["fpr_hard_negative"]["met"]
    assert {"en", "uk"} <= set(rep["per_language"])
    assert "self_harm" in rep["per_category"]


def test_evaluate_bad_file(eva, tmp_path):
    f = tmp_path / "e.jsonl"
    f.write_text(json.dumps({"text": "x", "expected_risk": "maybe", "kind": "explicit"}) + "\n", encoding="utf-8")
    r = eva("safety", "--evaluate", f)
    assert r.code == 2 and "expected_risk" in r.err and "e.jsonl:1" in r.err


def test_locale_prints_the_crisis_lines(eva):
    r = eva("safety", "--locale", "US")
    assert r.code == 0 and "988" in r.out
    r = eva("safety", "--locale", "UA")
    assert r.code == 0 and "7333" in r.out
