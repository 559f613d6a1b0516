"""Layouts of the real public releases (issue 14), on small fixtures written here: Word-style HTML,
ESConv with speaker/listener roles, the convai (transfer-learning-conv-ai) layout, near-miss
explanations and --skip-unknown on a folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eva_cli.ingest.clean import clean_text, html_to_text
from test_ingest_adapters import ingest, write_csv
from test_ingest_cli import assert_one_line_error, read

# ---------------------------------------------------------------- HTML

WORD_ANSWER = (
    '<p class=MsoNormal><span style="font-family:Calibri">Thank you for trusting us with\n'
    "something this heavy.</span><o:p></o:p></p>\n"
    "<p class=MsoNormal>Grief after a move often arrives\n     late, and it can feel\n"
    "out of proportion.<o:p>&nbsp;</o:p></p>\n"
    "<p class=MsoNormal>A few things that may help:</p>\n"
    "<ul><li>a short walk at the same hour</li>\n<li>one call a week to an old friend</li></ul>\n"
    "<ol><li>notice the feeling</li><li>name it</li></ol>\n"
    "<p><st1:city w:st=\"on\">Kharkiv</st1:city> will still be there&nbsp;&mdash; take care,<br>Marta<!-- sig --></p>"
)


def test_word_style_html_becomes_plain_paragraphs():
    assert clean_text(WORD_ANSWER) == (
        "Thank you for trusting us with something this heavy.\n\n"
        "Grief after a move often arrives late, and it can feel out of proportion.\n\n"
        "A few things that may help:\n\n"
        "- a short walk at the same hour\n- one call a week to an old friend\n\n"
        "1. notice the feeling\n2. name it\n\n"
        "Kharkiv will still be there \u2014 take care,\nMarta")


@pytest.mark.parametrize("raw, expected", [
    ("plain text keeps\nits own line breaks", "plain text keeps\nits own line breaks"),
    ("fish &amp; chips, no tags", "fish & chips, no tags"),
    ("<div>first</div><div>second</div>", "first\nsecond"),
    ("<script>var x = 1;</script><style>p {}</style><p>only this</p>", "only this"),
    ("I <3 tea and 2 < 5", "I <3 tea and 2 < 5"),
    ("plain words\n\nwith <b>one</b> inline tag\nkeep their breaks", "plain words\n\nwith one inline tag\nkeep their breaks"),
    ("one<br>two<br><br>three", "one\ntwo\n\nthree"),
])
def test_html_only_when_there_is_markup(raw, expected):
    assert html_to_text(raw).strip() == expected


def test_counselchat_old_html_layout_end_to_end(tmp_path):
    header = ["questionID", "questionTitle", "questionText", "questionUrl", "topics", "therapistName", "therapistUrl",
              "answerText", "upvotes"]
    path = write_csv(tmp_path / "counselchat-data.csv", header, [
        ["5566d9b4f1b0e5c2b0c3d4e1", "Moving", "I moved and I feel lost.", "https://example.org/q", "Grief",
         "R. Pike", "https://example.org/t", WORD_ANSWER, "3"]])
    rows, _, _ = ingest(tmp_path, path)
    assert "<" not in rows[0]["response"] and "o:p" not in rows[0]["response"]
    assert rows[0]["response"].startswith("Thank you for trusting us with something this heavy.\n\nGrief")


# ---------------------------------------------------------------- ESConv roles

def failed_esconv_dialog(topic: str, seeker: str = "speaker", supporter: str = "listener") -> dict:
    return {"emotion_type": "sadness", "problem_type": topic, "situation": f"Trouble with {topic}",
            "dialog": [
                {"speaker": seeker, "annotation": {}, "content": f"I keep thinking about {topic} at night."},
                {"speaker": supporter, "annotation": {"strategy": "Question"},
                 "content": f"That sounds draining. What about {topic} weighs most?"},
                {"speaker": seeker, "annotation": {"feedback": "3"}, "content": "Mostly that nobody notices."},
                {"speaker": supporter, "annotation": {"strategy": "Affirmation"},
                 "content": "Feeling unseen hurts. I notice it, and I am glad you said it."},
            ]}


@pytest.mark.parametrize("seeker, supporter", [("speaker", "listener"), ("Speaker", "Listener"),
                                               ("help-seeker", "helper"), ("seeker", "supporter")])
def test_esconv_role_spellings(tmp_path, seeker, supporter):
    path = tmp_path / "FailedESConv.json"
    path.write_text(json.dumps([failed_esconv_dialog("money", seeker, supporter),
                                failed_esconv_dialog("exams", seeker, supporter)]))
    rows, report, _ = ingest(tmp_path, path)
    src = report["sources"][0]
    assert src["format"] == "esconv" and src["records"] == 2 and src["dropped"] == {}
    assert len(rows) == 4
    first = rows[0]
    assert first["messages"] == [{"role": "user", "content": "I keep thinking about money at night."}]
    assert first["response"] == "That sounds draining. What about money weighs most?" and first["score"] == 3.0
    assert [m["role"] for m in rows[1]["messages"]] == ["user", "assistant", "user"]


def test_near_miss_names_what_matched_and_what_is_odd(eva, workspace, tmp_path):
    path = tmp_path / "dialogs.json"
    path.write_text(json.dumps([failed_esconv_dialog("rent", "A", "B")]))
    assert_one_line_error(eva("ingest", path), "dialogs.json", "near misses", "esconv: column dialog matched",
                          "speakers are A, B", "speaker/listener")
    half = write_csv(tmp_path / "answers.csv", ["answerText", "upvotes"], [["Try to rest.", "2"]])
    assert_one_line_error(eva("ingest", half), "answers.csv", "counselchat: answerText matched; missing questionText")


# ---------------------------------------------------------------- convai

def convai_file(path: Path) -> Path:
    dialog = {"personality": ["i listen more than i talk.", "i like rainy days."], "utterances": [
        {"history": ["hello. my new job scares me."],
         "candidates": ["my cat is orange.", "i play the drums.", "New jobs can feel huge. What scares you most?"]},
        {"history": ["hello. my new job scares me.", "New jobs can feel huge. What scares you most?",
                     "that i will disappoint my manager."],
         "candidates": ["i love pancakes.", "we went hiking.",
                        "That fear makes sense when you care. What has your manager said so far?"]},
    ]}
    other = {"personality": [], "utterances": [
        {"history": ["my friend forgot my birthday."],
         "candidates": ["blue is nice.", "That stings, especially from a friend. Did you tell them?"]}]}
    path.write_text(json.dumps({"train": [dialog], "valid": [other]}))
    return path


def test_convai_last_candidate_is_gold(tmp_path):
    rows, report, _ = ingest(tmp_path, convai_file(tmp_path / "counsel_chat_250-tokens_full.json"))
    src = report["sources"][0]
    assert src["format"] == "convai" and src["records"] == 2 and src["examples"] == 3
    by_reply = {r["response"]: r for r in rows}
    second = by_reply["That fear makes sense when you care. What has your manager said so far?"]
    assert [m["role"] for m in second["messages"]] == ["user", "assistant", "user"]
    assert second["messages"][-1]["content"] == "that i will disappoint my manager."
    assert all(r["rejected"] is None for r in rows)
    meta = json.loads(second["meta"])
    assert meta["personality"] == ["i listen more than i talk.", "i like rainy days."] and meta["split"] == "train"
    assert json.loads(by_reply["That stings, especially from a friend. Did you tell them?"]["meta"])["split"] == "valid"


def test_convai_distractors_become_rejected_on_request(eva, workspace, tmp_path):
    path = convai_file(tmp_path / "convai.json")
    assert eva("ingest", path, "--convai-distractors", "1").code == 0
    rows, report = read(workspace)
    rejected = {(r["response"], r["rejected"]) for r in rows if r["rejected"]}
    assert rejected == {("New jobs can feel huge. What scares you most?", "i play the drums."),
                        ("That fear makes sense when you care. What has your manager said so far?", "we went hiking."),
                        ("That stings, especially from a friend. Did you tell them?", "blue is nice.")}
    assert report["totals"]["examples"] == 6
    assert_one_line_error(eva("ingest", path, "--convai-distractors", "-1"), "--convai-distractors")


# ---------------------------------------------------------------- --skip-unknown

def test_skip_unknown_on_a_folder(eva, workspace, tmp_path):
    repo = tmp_path / "ESConv-repo"
    (repo / "data").mkdir(parents=True)
    (repo / "data" / "FailedESConv.json").write_text(json.dumps([failed_esconv_dialog("work")]))
    (repo / "strategies.json").write_text(json.dumps([{"name": "Question", "share": 0.2}]))
    write_csv(repo / "data" / "scores.csv", ["dialog_id", "rating"], [["1", "4"]])

    r = eva("ingest", repo)
    assert_one_line_error(r, "match no known format", "--skip-unknown")
    assert not (workspace / "data" / "examples.parquet").exists()

    r = eva("ingest", repo, "--skip-unknown")
    assert r.code == 0, r.output
    assert r.err.count("warning: skipped") == 2 and "strategies.json" in r.err and "scores.csv" in r.err
    rows, report = read(workspace)
    assert len(rows) == 2 and report["totals"]["skipped_files"] == 2
    assert sorted(Path(s["path"]).name for s in report["skipped"]) == ["scores.csv", "strategies.json"]
    assert all("match no known format" in s["reason"] for s in report["skipped"])
    assert "skipped 2 files" in r.out

    # a file named on the command line is never skipped
    assert_one_line_error(eva("ingest", repo / "strategies.json", "--skip-unknown"), "strategies.json")
