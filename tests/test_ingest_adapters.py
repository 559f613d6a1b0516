"""Every `eva ingest` adapter on small fixtures written here (all text written for these tests)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from eva_cli.ingest import IngestOptions, run_ingest
from eva_cli.workspace import Workspace


def ingest(tmp_path: Path, *paths: Path, **options):
    ws = Workspace(tmp_path / "ws")
    result = run_ingest(list(paths), IngestOptions(**options), ws)
    rows = pq.read_table(ws.examples).to_pylist()
    report = json.loads(ws.ingest_report.read_text())
    check_accounting(report)
    check_rows(rows)
    return rows, report, result


def check_accounting(report: dict) -> None:
    """Nothing disappears without a counted reason."""
    for src in report["sources"]:
        assert src["candidates"] == src["examples"] + sum(src["dropped"].values()), src
    assert report["totals"]["examples"] == sum(s["examples"] for s in report["sources"])


def check_rows(rows: list[dict]) -> None:
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    for r in rows:
        assert r["messages"] and r["messages"][-1]["role"] == "user", r
        assert all(m["role"] in ("system", "user", "assistant") and m["content"] for m in r["messages"])
        assert r["response"] and r["lang"] in ("en", "uk", "other") and r["split"] in ("train", "eval")
        assert isinstance(json.loads(r["meta"]), dict)


def write_csv(path: Path, header: list[str], rows: list[list]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


# ---------------------------------------------------------------- counselchat

OLD_HEADER = ["questionID", "questionTitle", "questionText", "questionUrl", "topics", "therapistName", "therapistUrl",
              "answerText", "upvotes"]
NEW_HEADER = ["", "questionID", "questionTitle", "questionText", "questionLink", "topic", "therapistInfo",
              "therapistURL", "answerText", "upvotes", "views", "split"]


def test_counselchat_old_layout(tmp_path):
    qa, qb = "5566f94a2c10a1b2c3d4e5f6", "5566f94a2c10a1b2c3d4e5f7"
    path = write_csv(tmp_path / "counselchat-data.csv", OLD_HEADER, [
        [qa, "Why do I panic before exams?", "My heart races before every exam and my mind goes blank.",
         "https://counsel.example/q/1", "Anxiety,Stress", "Olena Hart", "https://counsel.example/t/1",
         "<p>Exam panic is very common.</p><p>Try slow breathing,&nbsp;a long out-breath,"
         " and practise under timed conditions.</p>", "4"],
        [qa, "Why do I panic before exams?", "My heart races before every exam and my mind goes blank.",
         "https://counsel.example/q/1", "Anxiety", "Mark Doyle", "https://counsel.example/t/2",
         "<p>Your body is preparing for a threat.It helps to name it.</p>", "1"],
        [qb, "How do I stop feeling alone after moving?", "", "https://counsel.example/q/2", "Loneliness",
         "Olena Hart", "https://counsel.example/t/1", "Moving cuts many small ties at once. Join one weekly group.", ""],
    ])
    rows, report, _ = ingest(tmp_path, path)
    assert report["sources"][0]["format"] == "counselchat"
    assert len(rows) == 3
    first = rows[0]
    assert first["messages"] == [{"role": "user", "content": "My heart races before every exam and my mind goes blank."}]
    assert first["response"] == ("Exam panic is very common.\n\nTry slow breathing, a long out-breath, "
                                 "and practise under timed conditions.")
    assert "threat. It helps" in rows[1]["response"]
    assert [r["score"] for r in rows] == [4.0, 1.0, None]
    assert rows[0]["group"] == rows[1]["group"] != rows[2]["group"]
    assert rows[0]["split"] == rows[1]["split"]
    assert rows[2]["messages"][0]["content"] == "How do I stop feeling alone after moving?"  # empty text: the title
    meta = json.loads(rows[0]["meta"])
    assert meta["therapist"] == "Olena Hart" and meta["topic"] == "Anxiety,Stress" and meta["question_id"] == qa
    assert meta["layout"] == "old"


def test_counselchat_2020_layout(tmp_path):
    path = write_csv(tmp_path / "20200325_counsel_chat.csv", NEW_HEADER, [
        [0, 0, "Grief after a long illness", "My father died after two years of illness and I feel relief. Is that wrong?",
         "https://counsel.example/q/0", "grief", "Ivy Mora, LMFT", "https://counsel.example/t/9",
         "<p>Relief and grief often arrive together.</p>", 7, 120, "train"],
        [1, 0, "Grief after a long illness", "My father died after two years of illness and I feel relief. Is that wrong?",
         "https://counsel.example/q/0", "grief", "Sam Reyes, LPC", "https://counsel.example/t/8",
         "It is not wrong. Caregiving is exhausting.", 2, 120, "train"],
        [2, 1, "Can't focus at work", "Since the layoffs I can't focus. Call me on 067 123 45 67.",
         "https://counsel.example/q/1", "workplace-relationships", "Ivy Mora, LMFT", "https://counsel.example/t/9",
         "Uncertainty eats attention. Write down the one task that matters most each morning.", 0, 15, "val"],
    ])
    rows, report, _ = ingest(tmp_path, path)
    assert [r["score"] for r in rows] == [7.0, 2.0, 0.0]
    assert rows[0]["group"] == rows[1]["group"] == "20200325_counsel_chat.csv#0"
    assert "[phone]" in rows[2]["messages"][0]["content"]
    meta = json.loads(rows[2]["meta"])
    assert meta["layout"] == "2020" and meta["topic"] == "workplace-relationships" and meta["views"] == 15.0
    assert report["sources"][0]["records"] == 3


def test_counselchat_hugging_face_copy_saved_to_disk(tmp_path):
    import datasets

    ds = datasets.Dataset.from_dict({
        "questionID": [5, 5, 6], "questionTitle": ["Always tired", "Always tired", "Jealous of my friend"],
        "questionText": ["I sleep nine hours and still wake up tired.", "I sleep nine hours and still wake up tired.",
                         "I feel bitter when my friend shares good news."],
        "questionLink": ["l1", "l1", "l2"], "topic": ["sleep-improvement", "sleep-improvement", "relationships"],
        "therapistInfo": ["A", "B", "A"], "therapistURL": ["u", "u", "u"],
        "answerText": ["<p>Tiredness can come from low mood too.</p>", "See a doctor about your thyroid.",
                       "Envy often points at something we want for ourselves."],
        "upvotes": [3, 0, 1], "views": [50, 50, 9],
    })
    datasets.DatasetDict({"train": ds}).save_to_disk(str(tmp_path / "counsel-chat"))
    rows, report, _ = ingest(tmp_path, tmp_path / "counsel-chat")
    assert report["sources"][0]["source"] == "counsel-chat/train"
    assert report["sources"][0]["format"] == "counselchat"
    assert [r["score"] for r in rows] == [3.0, 0.0, 1.0]
    assert rows[0]["response"] == "Tiredness can come from low mood too."
    assert rows[0]["group"] == rows[1]["group"] == "counsel-chat#5"


# ---------------------------------------------------------------- amod, instruction

def test_amod_json_lines_and_json_array(tmp_path):
    lines = write_jsonl(tmp_path / "combined_dataset.json", [  # .json that is really JSON lines, as published
        {"Context": "I keep replaying an argument with my mother.", "Response": "Replaying can be the mind looking for a different ending."},
        {"Context": "I keep replaying an argument with my mother.", "Response": "What would you want her to understand?"},
        {"Context": "Is it normal to cry at work?", "Response": "It happens to many people, especially under pressure."},
    ])
    array = tmp_path / "amod.json"
    array.write_text(json.dumps([{"Context": "How do I say no to extra shifts?", "Response": "Say it early, short and kind."}]))
    rows, report, _ = ingest(tmp_path, lines, array)
    assert [s["format"] for s in report["sources"]] == ["amod", "amod"]
    assert len(rows) == 4
    assert rows[0]["group"] == rows[1]["group"] != rows[2]["group"]
    assert rows[3]["messages"] == [{"role": "user", "content": "How do I say no to extra shifts?"}]


def test_instruction_psych8k_json_and_csv(tmp_path):
    directive = "You are a helpful mental health counselling assistant, please answer the question."
    js = tmp_path / "Psych8k.json"
    js.write_text(json.dumps([
        {"instruction": directive, "input": "I feel nothing when good things happen.", "output": "That flatness has a name: anhedonia."},
        {"instruction": "Suggest a grounding exercise.", "input": "", "output": "Name five things you can see."},
    ]))
    cs = write_csv(tmp_path / "mentalchat.csv", ["instruction", "input", "output"], [
        ["Rewrite kindly", "You never listen to me.", "I feel unheard when we talk, can we try again?"],
    ])
    rows, report, _ = ingest(tmp_path, js, cs)
    assert [s["format"] for s in report["sources"]] == ["instruction", "instruction"]
    assert rows[0]["messages"][0]["content"] == "I feel nothing when good things happen."
    assert json.loads(rows[0]["meta"])["instruction"] == directive
    assert rows[1]["messages"][0]["content"] == "Suggest a grounding exercise."
    assert rows[2]["messages"][0]["content"] == "Rewrite kindly\n\nYou never listen to me."


# ---------------------------------------------------------------- esconv

def esconv_dialog(situation: str) -> dict:
    return {
        "experience_type": "Current Experience", "emotion_type": "anxiety", "problem_type": "job crisis",
        "situation": situation,
        "survey_score": {"seeker": {"initial_emotion_intensity": "5", "final_emotion_intensity": "2"}},
        "dialog": [
            {"speaker": "supporter", "annotation": {"strategy": "Question"}, "content": "Hi, how are you today?\n"},
            {"speaker": "seeker", "annotation": {}, "content": "Not great. I might lose my job.\n"},
            {"speaker": "seeker", "annotation": {}, "content": "The company is cutting staff.\n"},
            {"speaker": "supporter", "annotation": {"strategy": "Reflection of feelings"}, "content": "That sounds frightening."},
            {"speaker": "supporter", "annotation": {"strategy": "Question"}, "content": "When will you know more?"},
            {"speaker": "seeker", "annotation": {"feedback": "4"}, "content": "Next Friday."},
            {"speaker": "supporter", "annotation": {"strategy": "Providing Suggestions"}, "content": "Until then, update your CV a little each day."},
        ],
    }


def test_esconv_raw_json(tmp_path):
    path = tmp_path / "ESConv.json"
    path.write_text(json.dumps([esconv_dialog("Layoffs at my firm"), esconv_dialog("My team is being merged")]))
    rows, report, _ = ingest(tmp_path, path)
    src = report["sources"][0]
    assert src["format"] == "esconv" and src["records"] == 2
    # per dialog: the opening supporter turn has no user turn before it; two replies become examples
    assert src["candidates"] == 6 and src["dropped"] == {"no_context": 2, "duplicate": 2}
    first, second = rows[0], rows[1]
    assert first["messages"] == [{"role": "user", "content": "Not great. I might lose my job.\nThe company is cutting staff."}]
    assert first["response"] == "That sounds frightening.\nWhen will you know more?"
    assert first["score"] == 4.0 and second["score"] is None
    assert [m["role"] for m in second["messages"]] == ["user", "assistant", "user"]
    meta = json.loads(first["meta"])
    assert meta["strategy"] == ["Reflection of feelings", "Question"]
    assert meta["emotion_type"] == "anxiety" and meta["initial_emotion_intensity"] == 5.0
    assert first["group"] == second["group"] == "ESConv.json#dialog-0"


def test_esconv_hugging_face_text_column(tmp_path):
    def hf(dialog: dict) -> dict:
        turns = [{"text": t["content"], "speaker": {"seeker": "usr", "supporter": "sys"}[t["speaker"]],
                  **({"strategy": t["annotation"]["strategy"]} if "strategy" in t["annotation"] else {})}
                 for t in dialog["dialog"]]
        return {"text": json.dumps({"emotion_type": "sadness", "problem_type": "breakup", "situation": dialog["situation"],
                                    "dialog": turns})}

    path = write_jsonl(tmp_path / "train.txt.jsonl", [hf(esconv_dialog("A")), {"text": "{not json"}])
    rows, report, _ = ingest(tmp_path, path)
    src = report["sources"][0]
    assert src["format"] == "esconv"
    assert src["dropped"] == {"no_context": 1, "malformed": 1}
    assert len(rows) == 2 and rows[0]["response"] == "That sounds frightening.\nWhen will you know more?"


# ---------------------------------------------------------------- empathetic

ED_HEADER = "conv_id,utterance_idx,context,prompt,speaker_idx,utterance,selfeval,tags\n"


def test_empathetic_unquoted_csv(tmp_path):
    prompt = "My sister got the job I wanted_comma_ and I smiled anyway."
    path = tmp_path / "train.csv"
    path.write_text(ED_HEADER + "".join([
        f"hit:1_conv:2,1,jealous,{prompt},11,She got the offer today_comma_ the one I applied for too.,5|4|5_3|3|4,\n",
        f"hit:1_conv:2,2,jealous,{prompt},12,That stings. Are you two close?,5|4|5_3|3|4,,extra\n",  # 9 fields
        f"hit:1_conv:2,3,jealous,{prompt},11,Very. That_pipe_s why I feel guilty.,5|4|5_3|3|4,\n",
        f"hit:1_conv:2,4,jealous,{prompt},12,Feeling both happy and hurt is allowed.,5|4|5_3|3|4,\n",
        "hit:1_conv:3,1,proud,I ran my first 10k.,21,I finished a 10k run today!,5|5|5_5|5|5,\n",
        "hit:1_conv:3,2,proud,I ran my first 10k.,22,Congratulations_comma_ how did it feel?,5|5|5_5|5|5,\n",
        "this line, is broken\n",
        "hit:1_conv:3,x,proud,bad index,22,nope,1,\n",
    ]), encoding="utf-8")
    with pytest.raises(Exception):  # the reason this adapter exists
        import pandas as pd

        pd.read_csv(path)
    rows, report, _ = ingest(tmp_path, path)
    src = report["sources"][0]
    assert src["format"] == "empathetic" and src["records"] == 8
    assert src["dropped"] == {"malformed": 2} and src["examples"] == 3
    assert rows[0]["messages"] == [{"role": "user", "content": "She got the offer today, the one I applied for too."}]
    assert rows[0]["response"] == "That stings. Are you two close?"
    assert rows[1]["messages"][-1]["content"] == "Very. That|s why I feel guilty."
    assert len(rows[1]["messages"]) == 3
    meta = json.loads(rows[0]["meta"])
    assert meta["emotion"] == "jealous" and meta["situation"] == "My sister got the job I wanted, and I smiled anyway."
    assert rows[0]["group"] == rows[1]["group"] == "train.csv#hit:1_conv:2" != rows[2]["group"]


# ---------------------------------------------------------------- markers, intents

def test_markers_text_column(tmp_path):
    path = write_csv(tmp_path / "mental_health_chatbot.csv", ["text"], [
        ["<HUMAN>: What is burnout?\n<ASSISTANT>: Burnout is long-term exhaustion from stress that is not relieved."],
        ["<HUMAN>: I can't get out of bed. <ASSISTANT>: That sounds heavy. <HUMAN>: It is. <ASSISTANT>: Let's start small."],
        ["no markers in this one"],
    ])
    rows, report, _ = ingest(tmp_path, path)
    src = report["sources"][0]
    assert src["format"] == "markers" and src["dropped"] == {"malformed": 1}
    assert rows[0]["messages"] == [{"role": "user", "content": "What is burnout?"}]
    assert rows[0]["response"] == "Burnout is long-term exhaustion from stress that is not relieved."
    assert [m["content"] for m in rows[2]["messages"]] == ["I can't get out of bed.", "That sounds heavy.", "It is."]
    assert rows[2]["response"] == "Let's start small."


def test_intents_json(tmp_path):
    path = tmp_path / "intents.json"
    path.write_text(json.dumps({"intents": [
        {"tag": "greeting", "patterns": ["Hi", "Hello there"], "responses": ["Hello, how are you feeling today?", "Hi, I'm here to listen."]},
        {"tag": "sad", "patterns": ["I feel down"], "responses": ["I'm sorry you feel down. What happened?"]},
        {"tag": "empty", "patterns": [], "responses": ["Nobody asks this."]},
    ]}))
    rows, report, _ = ingest(tmp_path, path)
    src = report["sources"][0]
    assert src["format"] == "intents" and src["records"] == 3
    assert src["examples"] == 5 and src["dropped"] == {"empty": 1}
    greeting = [r for r in rows if json.loads(r["meta"])["tag"] == "greeting"]
    assert len(greeting) == 4 and len({r["group"] for r in greeting}) == 1


# ---------------------------------------------------------------- preference, messages

def test_preference_all_shapes(tmp_path):
    strings = write_jsonl(tmp_path / "pairs.jsonl", [
        {"prompt": "My friend ignores my messages.", "chosen": "That hurts. Have you asked them directly?",
         "rejected": "Just get new friends.", "score_chosen": 8.5},
    ])
    lists = write_jsonl(tmp_path / "ultra.jsonl", [
        {"chosen": [{"role": "user", "content": "I failed my driving test again."},
                    {"role": "assistant", "content": "Failing twice is discouraging. What went wrong this time?"}],
         "rejected": [{"role": "user", "content": "I failed my driving test again."},
                      {"role": "assistant", "content": "Maybe driving isn't for you."}]},
        {"chosen": "not a list", "rejected": [{"role": "nobody", "content": "?"}]},
    ])
    stack = write_csv(tmp_path / "stack.csv", ["qid", "question", "response_j", "response_k"], [
        [17, "How do I stop checking my phone at night?", "Charge it outside the bedroom.", "Willpower."],
    ])
    rows, report, _ = ingest(tmp_path, strings, lists, stack)
    assert [s["format"] for s in report["sources"]] == ["preference"] * 3
    assert report["sources"][1]["dropped"] == {"malformed": 1}
    a, b, c = rows
    assert (a["response"], a["rejected"], a["score"]) == ("That hurts. Have you asked them directly?", "Just get new friends.", 8.5)
    assert b["messages"] == [{"role": "user", "content": "I failed my driving test again."}]
    assert b["rejected"] == "Maybe driving isn't for you."
    assert (c["response"], c["rejected"]) == ("Charge it outside the bedroom.", "Willpower.")
    assert c["group"] == "stack.csv#17"


def test_messages_chat_and_sharegpt(tmp_path):
    chat = write_jsonl(tmp_path / "chat.jsonl", [
        {"id": "c1", "topic": "sleep", "messages": [
            {"role": "system", "content": "You are a calm listener."},
            {"role": "user", "content": "Не можу заснути."},
            {"role": "user", "content": "Вже третю ніч поспіль.\n\n"},
            {"role": "assistant", "content": "Три ночі без сну дуже виснажують. Що заважає найбільше?"},
            {"role": "user", "content": "Думки про роботу."},
            {"role": "assistant", "content": "Спробуй записати їх на папір за годину до сну."},
        ]},
        {"messages": [{"role": "user", "content": "only a question"}]},
        {"messages": "broken"},
    ])
    share = tmp_path / "sharegpt.json"
    share.write_text(json.dumps([{"conversations": [
        {"from": "human", "value": "I snapped at my kids today."},
        {"from": "gpt", "value": "Evenings with tired kids are hard. What happened just before?"},
    ]}]))
    rows, report, _ = ingest(tmp_path, chat, share)
    chat_src, share_src = report["sources"]
    assert chat_src["format"] == share_src["format"] == "messages"
    assert chat_src["dropped"] == {"empty": 1, "malformed": 1} and chat_src["examples"] == 2
    first, second = rows[0], rows[1]
    assert first["messages"] == [{"role": "system", "content": "You are a calm listener."},
                                 {"role": "user", "content": "Не можу заснути.\nВже третю ніч поспіль."}]
    assert first["lang"] == "uk" and first["group"] == second["group"] == "chat.jsonl#c1"
    assert len(second["messages"]) == 4
    assert json.loads(first["meta"])["topic"] == "sleep"
    assert rows[2]["messages"] == [{"role": "user", "content": "I snapped at my kids today."}]
    assert rows[2]["lang"] == "en"


def test_json_shapes_tsv_and_content_parts(tmp_path):
    single = tmp_path / "one_conversation.json"  # one record, not a list of records
    single.write_text(json.dumps({"id": "s1", "conversations": [
        {"from": "human", "value": "My exam is tomorrow and I'm shaking."},
        {"from": "gpt", "value": "Shaking the night before is your body revving up. Let's slow it down."}]}))
    array = tmp_path / "array.jsonl"  # a JSON array under a .jsonl name
    array.write_text(json.dumps([{"messages": [
        {"role": "user", "content": [{"type": "text", "text": "Is it okay to skip"}, {"type": "text", "text": "the family dinner?"}]},
        {"role": "assistant", "content": "It can be. What do you expect to happen if you go?"}]}]))
    tsv = tmp_path / "pairs.tsv"
    tsv.write_text("Context\tResponse\nWhy do I overthink texts?\tA short reply can feel like a puzzle to solve.\n")
    rows, report, _ = ingest(tmp_path, single, array, tsv)
    assert [(s["format"], s["layout"]) for s in report["sources"]] == [("messages", "json"), ("messages", "json"), ("amod", "tsv")]
    assert rows[0]["group"] == "one_conversation.json#s1"
    assert rows[1]["messages"][0]["content"] == "Is it okay to skip\nthe family dinner?"
    assert rows[2]["response"] == "A short reply can feel like a puzzle to solve."
