"""`eva ingest` end to end: inputs (zip, folders, save_to_disk, encodings), bad input, atomicity, options."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from eva_cli.ingest import IngestOptions, run_ingest
from eva_cli.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ("counselchat", "amod", "instruction", "esconv", "empathetic", "markers", "intents", "preference", "messages")


def amod_rows(n: int, prefix: str = "q") -> list[dict]:
    return [{"Context": f"I worry about {prefix} number {i} every single night.",
             "Response": f"Worry about {prefix} {i} at night is common; try writing it down before bed."} for i in range(n)]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def read(ws: Path) -> tuple[list[dict], dict]:
    rows = pq.read_table(ws / "data" / "examples.parquet").to_pylist()
    report = json.loads((ws / "data" / "ingest-report.json").read_text())
    for src in report["sources"]:
        assert src["candidates"] == src["examples"] + sum(src["dropped"].values()), src
    return rows, report


def assert_one_line_error(r, *needles: str) -> None:
    assert r.code == 2, r.output
    assert "Traceback" not in r.output
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), r.err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


# ---------------------------------------------------------------- the bundled corpus

def test_bundled_corpus(eva, workspace):
    r = eva("ingest", ROOT / "examples" / "corpus")
    assert r.code == 0, r.output
    assert "eva ingest:" in r.out and "counselchat" in r.out and "total" in r.out
    rows, report = read(workspace)
    assert len(rows) >= 150
    assert sum(r["lang"] == "uk" for r in rows) >= 30
    assert len({s["format"] for s in report["sources"]}) >= 3
    assert {r["split"] for r in rows} == {"train", "eval"}
    assert any(r["score"] is not None for r in rows)
    assert any(r["rejected"] for r in rows)


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("name, content, problem", [
    ("empty.csv", b"", "empty"),
    ("blank.jsonl", b"  \n\n", "empty"),
    ("junk.csv", bytes(range(256)) * 20, "binary"),
    ("unrelated.csv", b"city,population,mayor\nLviv,717000,x\n", "match no known format"),
    ("truncated.json", b'[{"Context": "I feel low", "Response": "I hear y', "truncated JSON"),
    ("fake.zip", b"this is not a zip archive at all", "not a valid .zip"),
    ("header_only.csv", b"Context,Response\n", "no rows"),
    ("junk.parquet", b"PAR1 definitely not parquet", "Parquet"),
])
def test_bad_input_is_one_line_naming_file_and_formats(eva, tmp_path, name, content, problem):
    path = tmp_path / name
    path.write_bytes(content)
    r = eva("ingest", path)
    assert_one_line_error(r, name, problem)
    assert "counselchat" in r.err and "messages" in r.err  # the formats it could be


def test_missing_path(eva, tmp_path):
    assert_one_line_error(eva("ingest", tmp_path / "nope.csv"), "nope.csv", "no such file", "counselchat")


def test_no_path_and_bad_flags(eva, tmp_path):
    good = write_jsonl(tmp_path / "a.jsonl", amod_rows(3))
    assert_one_line_error(eva("ingest"), "PATH")
    assert_one_line_error(eva("ingest", good, "--format", "nosuch"), "--format", "counselchat")
    assert_one_line_error(eva("ingest", good, "--eval-fraction", "1.5"), "--eval-fraction")
    assert_one_line_error(eva("ingest", good, "--langs", "en,fr"), "--langs", "fr")
    assert_one_line_error(eva("ingest", good, "--max-chars", "0"), "--max-chars")


def test_one_bad_input_fails_all_and_keeps_previous_table(eva, workspace, tmp_path):
    good = write_jsonl(tmp_path / "good.jsonl", amod_rows(20))
    assert eva("ingest", good).code == 0
    data = workspace / "data"
    before = {p.name: p.read_bytes() for p in data.iterdir()}
    bad = tmp_path / "bad.json"
    bad.write_text('{"Context": "cut off')
    other = write_jsonl(tmp_path / "other.jsonl", amod_rows(5, prefix="other"))
    r = eva("ingest", other, bad)
    assert_one_line_error(r, "bad.json")
    after = {p.name: p.read_bytes() for p in data.iterdir()}
    assert after == before  # byte for byte, and no temporary files left


def test_all_dropped_is_an_error_and_writes_nothing(eva, workspace, tmp_path):
    good = write_jsonl(tmp_path / "a.jsonl", amod_rows(4))
    r = eva("ingest", good, "--langs", "uk")
    assert_one_line_error(r, "no examples", "lang 4")
    assert not (workspace / "data" / "examples.parquet").exists()


# ---------------------------------------------------------------- input kinds

def test_encoding_fallback_warns(eva, workspace, tmp_path):
    path = tmp_path / "cp1252.csv"
    text = "Context,Response\n\"I\x92m tired of the caf\xe9 job\",\"That\x92s a lot to carry.\"\n"
    path.write_bytes(text.encode("latin-1"))  # bytes as cp1252 writes them
    r = eva("ingest", path)
    assert r.code == 0, r.output
    assert "warning" in r.err and "cp1252" in r.err and "cp1252.csv" in r.err
    rows, _ = read(workspace)
    assert rows[0]["messages"][0]["content"] == "I\u2019m tired of the caf\u00e9 job"
    assert rows[0]["response"] == "That\u2019s a lot to carry."


def test_latin1_fallback(tmp_path):
    from eva_cli.ingest.readers import decode_text

    seen = []
    assert decode_text("Context\n\x81caf\xe9".encode("latin-1"), "x.csv", seen.append) == "Context\n\x81caf\xe9"
    assert "latin-1" in seen[0]


def test_kaggle_zip_and_nested_folder(eva, workspace, tmp_path):
    archive = tmp_path / "mental-health-counseling.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("data/combined_dataset.json", "".join(json.dumps(r) + "\n" for r in amod_rows(6, "zip")))
        z.writestr("README.md", "# not data")
        z.writestr("__MACOSX/data/._combined_dataset.json", b"\x00\x05junk")
        z.writestr("dataset-metadata.json", json.dumps({"title": "x"}))
    folder = tmp_path / "downloads"
    (folder / "nested" / "deeper").mkdir(parents=True)
    write_jsonl(folder / "nested" / "deeper" / "chat.jsonl", [
        {"messages": [{"role": "user", "content": "I keep cancelling plans."},
                      {"role": "assistant", "content": "Cancelling can bring relief and guilt at once."}]}])
    (folder / "notes.txt").write_text("ignored")
    (folder / ".hidden.csv").write_text("ignored")
    with zipfile.ZipFile(folder / "inner.zip", "w") as z:
        z.writestr("intents.json", json.dumps({"intents": [{"tag": "thanks", "patterns": ["Thank you"],
                                                             "responses": ["You're welcome, I'm glad it helped."]}]}))
    r = eva("ingest", archive, folder)
    assert r.code == 0, r.output
    rows, report = read(workspace)
    names = [s["source"] for s in report["sources"]]
    assert names == ["mental-health-counseling.zip/data/combined_dataset.json", "inner.zip/intents.json",
                     "nested/deeper/chat.jsonl"]
    assert [s["format"] for s in report["sources"]] == ["amod", "intents", "messages"]
    assert len(rows) == 8


def test_save_to_disk_dataset_and_parquet(tmp_path):
    import datasets

    datasets.Dataset.from_list(amod_rows(5, "hf")).save_to_disk(str(tmp_path / "amod-hf"))
    pq.write_table(datasets.Dataset.from_list(amod_rows(4, "pq")).data.table, tmp_path / "train-00000.parquet")
    ws = Workspace(tmp_path / "ws")
    result = run_ingest([tmp_path / "amod-hf", tmp_path / "train-00000.parquet"], IngestOptions(), ws)
    assert [(s.source, s.format, s.examples) for s in result.sources] == [
        ("amod-hf", "amod", 5), ("train-00000.parquet", "amod", 4)]


def test_same_file_names_in_two_folders_get_distinct_sources_and_groups(tmp_path):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "train.csv").write_text(
            "questionID,questionText,answerText,upvotes\n"
            f"1,Question from corpus {name} about sleep?,Answer from corpus {name}: keep a routine.,2\n")
    ws = Workspace(tmp_path / "ws")
    run_ingest([tmp_path / "a", tmp_path / "b"], IngestOptions(), ws)
    rows = pq.read_table(ws.examples).to_pylist()
    assert [r["source"] for r in rows] == ["a/train.csv", "b/train.csv"]
    assert rows[0]["group"] != rows[1]["group"]


def test_malformed_jsonl_lines_are_counted(eva, workspace, tmp_path):
    path = tmp_path / "amod.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in amod_rows(3)) + '{"Context": "half\n[1, 2]\n')
    assert eva("ingest", path).code == 0
    rows, report = read(workspace)
    assert report["sources"][0]["dropped"] == {"malformed": 2}
    assert report["sources"][0]["records"] == 5 and len(rows) == 3


# ---------------------------------------------------------------- options

def test_list_formats(eva):
    r = eva("ingest", "--list-formats")
    assert r.code == 0
    for name in FORMATS:
        assert name in r.out


def test_format_override(eva, workspace, tmp_path):
    path = tmp_path / "both.csv"
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["instruction", "output", "Context", "Response"])
        w.writerow(["Say hello", "Hello!", "I feel stuck in my studies.", "Feeling stuck often means you need a smaller next step."])
    assert eva("ingest", path).code == 0
    assert read(workspace)[0][0]["format"] == "instruction"
    assert eva("ingest", path, "--format", "amod").code == 0
    rows, _ = read(workspace)
    assert rows[0]["format"] == "amod" and rows[0]["messages"][0]["content"] == "I feel stuck in my studies."
    r = eva("ingest", path, "--format", "esconv")
    assert_one_line_error(r, "both.csv", "--format esconv", "dialog")


def test_dedup_across_sources_ignoring_case_and_spacing(tmp_path):
    a = write_jsonl(tmp_path / "a.jsonl", [{"Context": "I can't stop crying.", "Response": "Crying can be a release."}])
    b = tmp_path / "b.csv"
    b.write_text('questionID,questionText,answerText,upvotes\n9,"  i CAN\'T stop   crying.","<p>Crying can be a release.</p>",3\n'
                 '9,"I can\'t stop crying.","Something different to say.",1\n')
    ws = Workspace(tmp_path / "ws")
    result = run_ingest([a, b], IngestOptions(), ws)
    assert result.sources[1].dropped == {"duplicate": 1} and result.examples == 2


def test_ids_are_stable_content_hashes(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", amod_rows(30))
    ids = []
    for ws in ("ws1", "ws2"):
        run_ingest([path], IngestOptions(), Workspace(tmp_path / ws))
        ids.append(pq.read_table(tmp_path / ws / "data" / "examples.parquet").column("id").to_pylist())
    assert ids[0] == ids[1] and len(set(ids[0])) == 30
    shuffled = write_jsonl(tmp_path / "b.jsonl", list(reversed(amod_rows(30))))
    run_ingest([shuffled], IngestOptions(), Workspace(tmp_path / "ws3"))
    assert sorted(pq.read_table(tmp_path / "ws3" / "data" / "examples.parquet").column("id").to_pylist()) == sorted(ids[0])


def test_group_safe_split_and_fraction(eva, workspace, tmp_path):
    rows = []
    for q in range(60):
        for a in range(1 + q % 4):
            rows.append({"Context": f"Question {q}: how do I handle stress number {q}?",
                         "Response": f"Answer {a} to question {q}: breathe slowly and plan one step."})
    path = write_jsonl(tmp_path / "a.jsonl", rows)
    assert eva("ingest", path, "--eval-fraction", "0.25", "--seed", "7").code == 0
    out, report = read(workspace)
    splits: dict[str, set] = {}
    for r in out:
        splits.setdefault(r["group"], set()).add(r["split"])
    assert all(len(s) == 1 for s in splits.values())
    share = report["splits"]["eval"] / len(out)
    assert 0.2 <= share <= 0.25


def test_length_bounds_and_context_trimming(tmp_path):
    long_turn = "word " * 200
    path = write_jsonl(tmp_path / "chat.jsonl", [
        {"messages": [{"role": "user", "content": long_turn}, {"role": "assistant", "content": "ok then " * 20},
                      {"role": "user", "content": "Short question now?"},
                      {"role": "assistant", "content": "A short answer that fits."}]},
        {"messages": [{"role": "user", "content": "Hi?"}, {"role": "assistant", "content": "k"}]},
    ])
    ws = Workspace(tmp_path / "ws")
    result = run_ingest([path], IngestOptions(max_chars=300, min_chars=2), ws)
    rows = pq.read_table(ws.examples).to_pylist()
    assert result.sources[0].dropped == {"too_long": 1, "too_short": 1}
    assert rows[0]["messages"] == [{"role": "user", "content": "Short question now?"}]
    assert json.loads(rows[0]["meta"])["context_trimmed"] == 2


def test_langs_filter(tmp_path):
    path = write_jsonl(tmp_path / "mix.jsonl", [
        {"Context": "I feel lonely in the evenings.", "Response": "Evenings can feel long when you are alone."},
        {"Context": "Мені самотньо вечорами.", "Response": "Вечори бувають довгими, коли ти сам."},
        {"Context": "Мне одиноко по вечерам.", "Response": "Вечера бывают длинными, когда ты один."},
    ])
    ws = Workspace(tmp_path / "ws")
    result = run_ingest([path], IngestOptions(langs=("en", "uk")), ws)
    assert result.langs == {"en": 1, "uk": 1} and result.sources[0].dropped == {"lang": 1}


def test_progress_reaches_total(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", amod_rows(5000))
    calls = []
    run_ingest([path], IngestOptions(), Workspace(tmp_path / "ws"), progress=lambda *a: calls.append(a))
    assert len(calls) >= 3 and calls[-1] == ("a.jsonl", 5000, 5000)
    assert [c[1] for c in calls] == sorted(c[1] for c in calls)


def test_malformed_csv_rows_are_counted(tmp_path):
    path = tmp_path / "amod.csv"
    path.write_text('Context,Response\n"I lose my temper with my son, then hate myself.",Naming the pattern is a first step.\n'
                    'one,two,three\n"Why can\'t I rest on weekends?","Rest can feel unsafe when you are used to rushing."\n'
                    '"an unterminated quote, never closed\n')
    ws = Workspace(tmp_path / "ws")
    result = run_ingest([path], IngestOptions(), ws)
    src = result.sources[0]
    assert (src.records, src.examples, src.dropped) == (4, 2, {"malformed": 2})
    assert src.candidates == src.examples + sum(src.dropped.values())
