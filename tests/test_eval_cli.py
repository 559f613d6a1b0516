"""`eva eval` end to end on a tiny run folder (random Llama + a perturbed LoRA adapter), and its bad inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from test_eval_judge import FakeJudge, closed_port_url

STRATEGIES = ("ranked", "rewrite", "mismatch")
FAST = ("--bootstrap", "200", "--batch-size", "4", "--device", "cpu")  # CPU: exact comparisons on any machine


def make_pairs(n: int, split: str) -> list[dict]:
    rows = []
    for i in range(n):
        uk = i % 3 == 0
        rows.append(dict(
            id=f"{split}-p{i}", example_id=f"{split}-e{i // 2}",
            prompt=[{"role": "system", "content": "You are Eva."},
                    {"role": "user", "content": (f"Мені тривожно вже {i} днів." if uk else f"I have felt anxious for {i} days.")}],
            chosen=[{"role": "assistant", "content": "It sounds like you are carrying a lot right now. What helps?"}],
            rejected=[{"role": "assistant", "content": "Just sleep. " * (i % 4 + 1)}],
            strategy=STRATEGIES[i % 3], source=("forum.csv" if i % 2 else "dialogs.jsonl"),
            lang="uk" if uk else "en", split=split))
    return rows


def make_run(ws: Path, model_dir: Path, name: str = "r1") -> Path:
    """What `eva train --mode lora` leaves: adapter + tokenizer + train-config.json (LoRA B perturbed)."""
    import torch
    from peft import LoraConfig, get_peft_model

    from eva_cli.models import load_causal_lm, load_tokenizer

    run = ws / "runs" / name
    run.mkdir(parents=True)
    tok = load_tokenizer(str(model_dir))
    model = get_peft_model(load_causal_lm(str(model_dir)),
                           LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM"))
    gen = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for pname, p in model.named_parameters():
            if "lora_B" in pname:
                p.copy_(torch.randn(p.shape, generator=gen) * 0.5)
    model.save_pretrained(run / "adapter")
    tok.save_pretrained(run / "adapter")
    (run / "train-config.json").write_text(json.dumps(
        {"model": str(model_dir), "model_path": str(model_dir), "mode": "lora", "beta": 0.1, "max_length": 256}))
    return run


@pytest.fixture
def eval_ws(workspace, tiny_model_dir):
    from eva_cli.schema import PAIRS, write_table

    write_table(make_pairs(12, "eval"), workspace / "pairs" / "eval.parquet", PAIRS)
    write_table(make_pairs(6, "train"), workspace / "pairs" / "train.parquet", PAIRS)
    make_run(workspace, tiny_model_dir)
    return workspace


def _report(ws: Path, run: str = "r1") -> dict:
    return json.loads((ws / "runs" / run / "eval" / "report.json").read_text())


def test_eval_writes_report_matching_the_library(eva, eval_ws):
    res = eva("eval", "--generate", "2", "--max-new-tokens", "6", *FAST)
    assert res.code == 0, res.output
    eval_dir = eval_ws / "runs" / "r1" / "eval"
    assert f"report: {eval_dir / 'report.html'}" in res.out.replace("\n", "")
    rep = _report(eval_ws)
    assert rep["n_pairs"] == 12 and rep["pairs"]["held_out"] is True
    for name in ("base", "tuned"):
        for key in ("accuracy", "accuracy_ci", "margin_mean", "margin_ci", "reward_chosen", "reward_rejected",
                    "log_odds_ratio", "nll_chosen"):
            assert rep[name][key] is not None, (name, key)
        lo, hi = rep[name]["accuracy_ci"]
        assert lo <= rep[name]["accuracy"] <= hi
    assert rep["tuned"]["margin_mean"] != rep["base"]["margin_mean"]  # the adapter changes the model
    assert rep["delta"]["margin_mean"] == pytest.approx(rep["tuned"]["margin_mean"] - rep["base"]["margin_mean"])
    assert set(rep["by_strategy"]) == set(STRATEGIES)
    assert set(rep["by_lang"]) == {"en", "uk"} and set(rep["by_source"]) == {"forum.csv", "dialogs.jsonl"}
    assert sum(g["n"] for g in rep["by_strategy"].values()) == 12
    assert rep["training"]["available"] is False and "metrics.jsonl" in rep["training"]["reason"]

    # the tuned figures are those of base + adapter, computed directly with the library
    from eva_cli.evaluate import margins as M
    from eva_cli.runs import load_run_model
    from eva_cli.schema import read_table

    model, tok = load_run_model(eval_ws / "runs" / "r1")
    rows = read_table(eval_ws / "pairs" / "eval.parquet").to_pylist()
    arrays = M.pair_arrays(M.score_pairs(model, M.tokenize_pairs(tok, rows, 256), tok.pad_token_id, 5), 0.1)
    assert rep["tuned"]["margin_mean"] == pytest.approx(float(arrays.margin.mean()), abs=1e-6)
    assert rep["tuned"]["accuracy"] == pytest.approx(float(arrays.correct.mean()))

    scores = (eval_dir / "pair-scores.jsonl").read_text().splitlines()
    assert len(scores) == 12 and {"base", "tuned", "strategy"} <= set(json.loads(scores[0]))

    page = (eval_dir / "report.html").read_text()
    assert "Plotly.newPlot" in page and "<script src=" not in page  # plotly.js inlined: self-contained
    assert "Reward margin per pair" in page and "Accuracy per strategy" in page
    assert "Training curves unavailable" in page

    gen = rep["generation"]
    assert gen["n"] == 2 and {"length_words", "distinct_1", "distinct_2", "rouge_l_f1", "unigram_f1"} <= set(gen["tuned"])
    assert gen["sampling"]["seed"] == 42
    samples = (eval_dir / "samples.md").read_text()
    assert samples.count("| reference | base | tuned |") == 2
    assert "It sounds like you are carrying a lot right now." in samples


def test_training_curves_are_included_when_metrics_exist(eva, eval_ws):
    pytest.importorskip("eva_cli.train.report")
    run = eval_ws / "runs" / "r1"
    rows = [{"step": s, "loss": 2.0 / s, "rewards/accuracies": 0.5 + s / 10, "rewards/margins": 0.01 * s}
            for s in (1, 2, 3)]
    (run / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    res = eva("eval", "--no-baseline", *FAST)
    assert res.code == 0, res.output
    rep = _report(eval_ws)
    assert rep["training"]["available"] is True and rep["training"]["rows"] == 3
    assert rep["training"]["last_logged"]["rewards/margins"] == pytest.approx(0.03)
    assert rep["base"] is None and rep["delta"] is None
    assert "Training curves unavailable" not in (run / "eval" / "report.html").read_text()


def test_full_fine_tune_run_is_compared_with_its_base(eva, eval_ws, tiny_model_dir):
    import torch

    from eva_cli.models import load_causal_lm, load_tokenizer

    run = eval_ws / "runs" / "full-1"
    model = load_causal_lm(str(tiny_model_dir))
    with torch.no_grad():
        model.lm_head.weight.add_(torch.randn(model.lm_head.weight.shape, generator=torch.Generator().manual_seed(2)))
    model.save_pretrained(run / "model")
    load_tokenizer(str(tiny_model_dir)).save_pretrained(run / "model")
    (run / "train-config.json").write_text(json.dumps(
        {"model": str(tiny_model_dir), "model_path": str(tiny_model_dir), "mode": "full", "beta": 0.1, "max_length": 256}))
    res = eva("eval", "--run", "full-1", *FAST)
    assert res.code == 0, res.output
    rep = _report(eval_ws, "full-1")
    assert rep["model"]["kind"] == "full" and rep["model"]["tuned"] == str(run / "model")
    assert rep["tuned"]["nll_chosen"] != pytest.approx(rep["base"]["nll_chosen"], abs=1e-3)
    # the base half equals the adapter run's base half: same base model, same pairs
    assert eva("eval", "--run", "r1", *FAST).code == 0
    assert _report(eval_ws, "r1")["base"]["margin_mean"] == pytest.approx(rep["base"]["margin_mean"], abs=1e-7)


def test_missing_run_lists_existing_runs(eva, eval_ws):
    res = eva("eval", "--run", "nope")
    assert res.code == 2
    assert "no run named 'nope'" in res.err and "Existing runs: r1" in res.err
    assert "Traceback" not in res.output


def test_no_eval_pairs_says_what_to_do(eva, eval_ws):
    (eval_ws / "pairs" / "eval.parquet").unlink()
    res = eva("eval")
    assert res.code == 2
    assert "eva build-pairs" in res.err and "--pairs train" in res.err and "not held out" in res.err


def test_training_pairs_are_flagged_not_held_out(eva, eval_ws):
    res = eva("eval", "--pairs", "train", "--no-baseline", *FAST)
    assert res.code == 0, res.output
    assert "not held out" in " ".join(res.err.split())
    rep = _report(eval_ws)
    assert rep["pairs"]["split"] == "train" and rep["pairs"]["held_out"] is False and rep["n_pairs"] == 6
    assert "used for training" in (eval_ws / "runs" / "r1" / "eval" / "report.html").read_text()


def test_model_other_than_the_adapters_base_is_refused(eva, eval_ws, tmp_path, tiny_model_dir):
    from eva_cli.random_model import build_random_llama

    other = build_random_llama(tmp_path / "other-llama", seed=1)
    res = eva("eval", "--model", str(other))
    assert res.code == 2
    assert "is not the base model of run r1" in res.err and str(tiny_model_dir) in res.err
    ok = eva("eval", "--model", str(tiny_model_dir), "--no-baseline", "--limit", "3", *FAST)
    assert ok.code == 0, ok.output
    assert _report(eval_ws)["n_pairs"] == 3


def test_judge_down_still_writes_the_report(eva, eval_ws):
    res = eva("eval", "--generate", "2", "--max-new-tokens", "4", "--judge-url", closed_port_url(), *FAST)
    assert res.code == 0, res.output
    rep = _report(eval_ws)
    assert rep["judge"]["available"] is False and "cannot reach" in rep["judge"]["reason"]
    assert "judge unavailable" in res.err
    assert "Judge unavailable" in (eval_ws / "runs" / "r1" / "eval" / "report.html").read_text()


def test_judge_scores_land_in_report_and_samples(eva, eval_ws):
    with FakeJudge() as fake:
        res = eva("eval", "--generate", "2", "--max-new-tokens", "4", "--judge-url", fake.url, *FAST)
    assert res.code == 0, res.output
    judge = _report(eval_ws)["judge"]
    assert judge["available"] is True and judge["rubric"]["judge_model"] == "fake-judge-7b"
    assert judge["base"]["n"] == 2 and judge["tuned"]["n"] == 2 and len(fake.requests) == 4
    assert "judge empathy/relevance/safety=" in (eval_ws / "runs" / "r1" / "eval" / "samples.md").read_text()


def test_a_failing_eval_leaves_the_previous_report_intact(eva, eval_ws, monkeypatch):
    assert eva("eval", "--no-baseline", "--limit", "4", *FAST).code == 0
    before = {p.name: p.read_bytes() for p in (eval_ws / "runs" / "r1" / "eval").iterdir()}

    from eva_cli.evaluate import report

    def broken(*_a, **_k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(report, "render_html", broken)
    res = eva("eval", "--no-baseline", *FAST)
    assert res.code == 1 and "disk on fire" in res.err
    after = {p.name: p.read_bytes() for p in (eval_ws / "runs" / "r1" / "eval").iterdir()}
    assert after == before


@pytest.mark.parametrize("args, needle", [
    (("--batch-size", "0"), "--batch-size"),
    (("--judge-url", "http://127.0.0.1:1"), "--generate"),
    (("--device", "tpu"), "--device"),
    (("--pairs", "/no/such/pairs.parquet"), "does not exist"),
])
def test_bad_flags_are_one_line_errors(eva, eval_ws, args, needle):
    res = eva("eval", *args)
    assert res.code == 2 and needle in res.err
    assert "Traceback" not in res.output and len(res.err.strip().splitlines()) == 1


def test_unreadable_pairs_file(eva, eval_ws, tmp_path):
    bad = tmp_path / "bad.parquet"
    bad.write_text("not parquet")
    res = eva("eval", "--pairs", str(bad))
    assert res.code == 2 and "not a readable parquet file" in res.err
