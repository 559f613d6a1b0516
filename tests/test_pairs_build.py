"""`eva build-pairs` end to end: files, format, integrity, determinism, length match, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eva_cli.lang import detect_lang
from eva_cli.pairs.base import norm_text, prompt_key
from eva_cli.persona import SYSTEM_PROMPTS
from eva_cli.schema import PAIRS, read_table
from test_pairs_samples import sample_rows, write_examples, _ex


def pairs_of(workspace: Path, split: str) -> list[dict]:
    return read_table(workspace / "pairs" / f"{split}.parquet").to_pylist()


def report_of(workspace: Path) -> dict:
    return json.loads((workspace / "pairs" / "report.json").read_text())


@pytest.fixture
def built(eva, workspace):
    write_examples(workspace)
    r = eva("build-pairs")
    assert r.code == 0, r.output
    return r


def test_writes_train_eval_and_report_in_trl_format(built, workspace):
    train, evals = pairs_of(workspace, "train"), pairs_of(workspace, "eval")
    assert read_table(workspace / "pairs" / "train.parquet").schema.names == PAIRS.names
    assert train and evals
    assert {r["split"] for r in train} == {"train"} and {r["split"] for r in evals} == {"eval"}
    examples = {r["id"]: r for r in sample_rows()}
    for row in train + evals:
        assert row["prompt"][0] == {"role": "system", "content": SYSTEM_PROMPTS[row["lang"]]}
        assert row["prompt"][-1]["role"] == "user"
        assert [m["role"] for m in row["chosen"]] == ["assistant"] == [m["role"] for m in row["rejected"]]
        ex = examples[row["example_id"]]  # every pair traces back to its example
        assert row["split"] == ex["split"] and row["source"] == ex["source"] and row["lang"] == ex["lang"]
        assert row["prompt"][1:] == ex["messages"]
        assert row["strategy"] in {"ranked", "rewrite", "mismatch"}
    report = report_of(workspace)
    assert set(report["by_strategy"]) == {"ranked", "rewrite", "mismatch"}
    assert report["pairs"]["total"] == len(train) + len(evals)
    for key in ("by_source", "by_lang", "lengths", "shortcut"):
        assert report[key]
    assert {"median", "p90"} <= set(report["lengths"]["chosen_words"])
    assert "rejected shorter" in built.out and "pairs by strategy" in built.out


def test_integrity_no_leak_no_identical_no_duplicates(built, workspace):
    train, evals = pairs_of(workspace, "train"), pairs_of(workspace, "eval")
    eval_prompts = {prompt_key(r["prompt"]) for r in evals}
    eval_prompts |= {prompt_key(r["messages"]) for r in sample_rows() if r["split"] == "eval"}
    assert not [r for r in train if prompt_key(r["prompt"]) in eval_prompts]
    assert "lk-1" not in {r["example_id"] for r in train}  # same words as an eval prompt, but in train
    for r in train + evals:
        assert norm_text(r["chosen"][0]["content"]) != norm_text(r["rejected"][0]["content"])
    keys = [(prompt_key(r["prompt"]), r["chosen"][0]["content"], r["rejected"][0]["content"]) for r in train + evals]
    assert len(keys) == len(set(keys))
    ids = [r["id"] for r in train + evals]
    assert len(ids) == len(set(ids))
    dropped = report_of(workspace)["dropped"]
    assert dropped["eval_prompt_in_train"] >= 1 and dropped["identical"] >= 1


def test_same_seed_same_bytes_other_seed_other_pairs(eva, workspace, tmp_path):
    write_examples(workspace)
    other = tmp_path / "ws2"
    write_examples(other)
    assert eva("build-pairs", "--seed", "7").code == 0
    assert eva("build-pairs", "--seed", "7", workspace_dir=other).code == 0
    for name in ("train.parquet", "eval.parquet", "report.json"):
        assert (workspace / "pairs" / name).read_bytes() == (other / "pairs" / name).read_bytes()
    assert eva("build-pairs", "--seed", "8", workspace_dir=other).code == 0
    assert (workspace / "pairs" / "train.parquet").read_bytes() != (other / "pairs" / "train.parquet").read_bytes()


def test_loads_with_datasets(built, workspace):
    from datasets import load_dataset

    files = {s: str(workspace / "pairs" / f"{s}.parquet") for s in ("train", "eval")}
    ds = load_dataset("parquet", data_files=files)
    assert ds["train"].num_rows == len(pairs_of(workspace, "train"))
    row = ds["train"][0]
    assert set(row) >= {"prompt", "chosen", "rejected"}
    assert row["chosen"][0]["role"] == "assistant"


def test_goes_straight_into_orpo_trainer(built, workspace, tiny_model_dir, tmp_path):
    from datasets import load_dataset
    from trl.experimental.orpo import ORPOConfig, ORPOTrainer

    from eva_cli.models import load_causal_lm, load_tokenizer

    ds = load_dataset("parquet", data_files={"train": str(workspace / "pairs" / "train.parquet")})["train"]
    ds = ds.select(range(4))
    args = ORPOConfig(output_dir=str(tmp_path / "orpo"), max_steps=1, per_device_train_batch_size=2,
                      max_length=256, report_to=[], logging_steps=1, save_strategy="no", use_cpu=True)
    trainer = ORPOTrainer(model=load_causal_lm(str(tiny_model_dir)), args=args, train_dataset=ds,
                          processing_class=load_tokenizer(str(tiny_model_dir)))
    out = trainer.train()
    assert out.global_step == 1
    assert any("rewards/margins" in log for log in trainer.state.log_history)


def test_system_prompt_override_and_removal(eva, workspace):
    write_examples(workspace)
    assert eva("build-pairs", "--system-prompt", "You are a kind listener.").code == 0
    rows = pairs_of(workspace, "train")
    assert all(r["prompt"][0] == {"role": "system", "content": "You are a kind listener."} for r in rows)
    assert report_of(workspace)["options"]["system_prompt"] == "custom"
    assert eva("build-pairs", "--no-system-prompt").code == 0
    rows = pairs_of(workspace, "train")
    assert all(r["prompt"][0]["role"] == "user" for r in rows)
    r = eva("build-pairs", "--no-system-prompt", "--system-prompt", "x")
    assert r.code == 2 and "contradict" in r.err


def test_ukrainian_pairs_get_the_ukrainian_persona_and_replies(built, workspace):
    uk = [r for r in pairs_of(workspace, "train") if r["lang"] == "uk"]
    assert uk
    assert all(r["prompt"][0]["content"] == SYSTEM_PROMPTS["uk"] for r in uk)
    rewrites = [r for r in uk if r["strategy"] == "rewrite"]
    assert rewrites and all(detect_lang(r["rejected"][0]["content"]) == "uk" for r in rewrites)


def test_strategies_weights_and_pairs_per_example(eva, workspace):
    write_examples(workspace)
    assert eva("build-pairs", "--strategies", "rewrite").code == 0
    base = report_of(workspace)["by_strategy"]
    assert set(base) == {"rewrite"}
    assert eva("build-pairs", "--strategies", "rewrite", "--pairs-per-example", "2").code == 0
    assert report_of(workspace)["by_strategy"]["rewrite"] > 1.8 * base["rewrite"]
    assert eva("build-pairs", "--strategies", "rewrite,mismatch", "--weights", "rewrite=1,mismatch=0").code == 0
    report = report_of(workspace)
    assert set(report["by_strategy"]) == {"rewrite"}
    assert report["strategies"]["mismatch"]["note"] == "weight 0"
    assert eva("build-pairs", "--strategies", "rewrite,mismatch", "--weights", "0,1").code == 0
    assert set(report_of(workspace)["by_strategy"]) == {"mismatch"}


def test_length_match_keeps_the_shortcut_in_band(eva, workspace):
    long_reply = ("It makes sense that this feels heavy right now, and I am glad you said it out loud here. "
                  "Could we slow down and look at what happened this week, one piece at a time, together?")
    rows = [_ex(f"x{i}", f"g{i}", m, f"{long_reply} ({i})", split="eval" if i % 10 == 0 else "train")
            for i, m in enumerate([
                "My sister Anna stopped talking to me after an argument.", "I can't sleep because of work.",
                "My exams start next week and I panic.", "My dad drinks every night.", "I feel lonely in a new city.",
                "Мені дуже самотньо після переїзду.", "Начальник кричить на мене, і мені страшно.",
                "Мама постійно мене критикує.", "Я посварилася з Оксаною.", "I failed my driving test twice."] * 8)]
    for i, r in enumerate(rows):
        r["lang"] = detect_lang(r["messages"][-1]["content"])
    write_examples(workspace, rows)
    assert eva("build-pairs", "--strategies", "rewrite").code == 0
    before = report_of(workspace)
    # the short chosen reply puts rewrite's rejected replies on one side of it (those that open with the chosen
    # reply's first sentence are longer, the others shorter): out of the band before --length-match
    assert not before["shortcut"]["balanced"]
    r = eva("build-pairs", "--strategies", "rewrite", "--length-match")
    assert r.code == 0, r.output
    after = report_of(workspace)
    assert 0.35 <= after["shortcut"]["rejected_shorter_share"] <= 0.65 and after["shortcut"]["balanced"]
    assert after["pairs"]["total"] >= 0.8 * before["pairs"]["total"]  # rebalanced mostly by longer replies
    rows_out = pairs_of(workspace, "train") + pairs_of(workspace, "eval")
    share = sum(len(r["rejected"][0]["content"].split()) < len(r["chosen"][0]["content"].split())
                for r in rows_out) / len(rows_out)
    assert 0.35 <= share <= 0.65


def test_length_match_trims_when_real_pairs_are_all_shorter(eva, workspace):
    # every carried rejected reply is shorter; mismatch cannot make up for all of them
    rows = [_ex(f"r{i}", f"g{i}", f"question number {i} about my life",
                " ".join(f"w{i}x{k}" for k in range(10 + i)), rejected="Get over it.") for i in range(20)]
    write_examples(workspace, rows)
    r = eva("build-pairs", "--strategies", "ranked,mismatch", "--length-match")
    assert r.code == 0, r.output
    report = report_of(workspace)
    assert report["shortcut"]["balanced"]
    assert report["dropped"]["length_match"] > 0
    assert report["strategies"]["ranked"]["pairs"] > 0  # synthetic pairs are trimmed first


def test_length_match_that_would_drop_everything_is_an_error(eva, workspace):
    rows = [_ex(f"r{i}", f"g{i}", f"question number {i}", "A long, careful answer that stays with the feeling.",
                rejected="Get over it.") for i in range(5)]
    write_examples(workspace, rows)
    r = eva("build-pairs", "--strategies", "ranked", "--length-match")
    assert r.code == 2 and "length_match 5" in r.err and "without --length-match" in r.err


def test_empty_strategy_is_reported_not_fatal(eva, workspace):
    rows = [r for r in sample_rows() if r["score"] is None and r["rejected"] is None]
    write_examples(workspace, rows)
    r = eva("build-pairs")
    assert r.code == 0, r.output
    assert "ranked: no pairs" in r.out
    report = report_of(workspace)
    assert report["strategies"]["ranked"]["pairs"] == 0 and report["strategies"]["ranked"]["note"]


def test_missing_or_empty_examples_say_run_ingest(eva, workspace):
    r = eva("build-pairs")
    assert r.code == 2 and "eva ingest" in r.err and "Traceback" not in r.output
    write_examples(workspace, [])
    r = eva("build-pairs")
    assert r.code == 2 and "no examples" in r.err and "eva ingest" in r.err
    (workspace / "data" / "examples.parquet").write_bytes(b"not parquet at all")
    r = eva("build-pairs")
    assert r.code == 2 and "not a readable parquet" in r.err


@pytest.mark.parametrize("args,needle", [
    (["--strategies", "ranked,bogus"], "Valid names: ranked, rewrite, mismatch, model, feedback"),
    (["--strategies", ","], "--strategies"),
    (["--weights", "rewrite=lots"], "not a number"),
    (["--weights", "1,2"], "2 numbers for 3 strategies"),
    (["--weights", "model=1"], "not among --strategies"),
    (["--weights", "rewrite=-1"], ">= 0"),
    (["--weights", "rewrite=1,2"], "mixes"),
    (["--pairs-per-example", "0"], "at least 1"),
    (["--system-prompt", "  "], "empty"),
])
def test_bad_flags_are_one_line_errors(eva, workspace, args, needle):
    write_examples(workspace)
    r = eva("build-pairs", *args)
    assert r.code == 2, r.output
    assert needle in r.err and "Traceback" not in r.output
    assert len(r.err.strip().splitlines()) == 1
    assert not (workspace / "pairs").exists()


def test_a_failure_leaves_previous_files_intact(eva, workspace, monkeypatch):
    write_examples(workspace)
    assert eva("build-pairs").code == 0
    before = {p.name: p.read_bytes() for p in (workspace / "pairs").iterdir()}

    import eva_cli.schema

    real = eva_cli.schema.write_table
    calls = []

    def failing(rows, path, schema):
        calls.append(path)
        if len(calls) == 2:  # train is written, eval fails
            raise OSError("disk full")
        return real(rows, path, schema)

    monkeypatch.setattr(eva_cli.schema, "write_table", failing)
    r = eva("build-pairs", "--seed", "99")
    assert r.code == 1 and "disk full" in r.err
    after = {p.name: p.read_bytes() for p in (workspace / "pairs").iterdir()}
    assert after == before  # same files, same bytes, no temporary leftovers


def test_same_bytes_across_processes_with_different_hash_seeds(workspace, tmp_path):
    import os
    import subprocess
    import sys

    write_examples(workspace)
    digests = []
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "EVA_HOME": str(tmp_path / "home")}
        proc = subprocess.run([sys.executable, "-m", "eva_cli", "--quiet", "-w", str(workspace), "build-pairs",
                               "--length-match", "--pairs-per-example", "2"], capture_output=True, text=True,
                              env=env, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        digests.append([(workspace / "pairs" / n).read_bytes() for n in ("train.parquet", "eval.parquet", "report.json")])
    assert digests[0] == digests[1]
