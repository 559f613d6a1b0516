"""`eva train` / `eva report` / `eva merge` in-process, on the tiny random Llama.

Everything here trains for a few steps at a short max length, so the file runs in about a minute.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

TRL_KEYS = ("loss", "nll_loss", "log_odds_ratio", "log_odds_chosen", "rewards/chosen", "rewards/rejected",
            "rewards/margins", "rewards/accuracies")
EVA_KEYS = ("samples_per_second", "tokens_per_second", "peak_memory_mb", "epoch", "step")

_USER = ["I have felt tense all week.", "I cannot sleep.", "Мені тривожно.", "Work keeps piling up.",
         "I miss my friends.", "Я втомилася."]
_GOOD = ["That sounds hard; what weighs on you most?", "Thank you for sharing this. What helps a little?",
         "Це нелегко. Що вас зараз турбує найбільше?"]
_BAD = ["Stop worrying.", "Just get over it.", "Не переймайтеся."]


def write_pairs(ws: Path, n_train: int = 12, n_eval: int = 4, user_repeat: int = 1) -> None:
    """Short, original preference pairs in the PAIRS schema (the tiny tokenizer is byte-level)."""
    from eva_cli.schema import PAIRS, write_table

    def rows(n, split):
        return [dict(
            id=f"{split}-{i}", example_id=f"ex-{split}-{i}",
            prompt=[{"role": "user", "content": " ".join([_USER[i % len(_USER)]] * user_repeat)}],
            chosen=[{"role": "assistant", "content": _GOOD[i % len(_GOOD)]}],
            rejected=[{"role": "assistant", "content": _BAD[i % len(_BAD)]}],
            strategy="rewrite", source="eva-test-pairs", lang="en", split=split) for i in range(n)]

    write_table(rows(n_train, "train"), ws / "pairs" / "train.parquet", PAIRS)
    write_table(rows(n_eval, "eval"), ws / "pairs" / "eval.parquet", PAIRS)


def base_args(model_dir, *extra) -> list[str]:
    return ["train", "--model", str(model_dir), "--max-length", "96", "--batch-size", "2", "--optim", "adamw_torch",
            "--lr", "1e-3", *map(str, extra)]


def read_rows(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def lora_run(tmp_path_factory, tiny_model_dir):
    """One finished LoRA run shared by the read-only tests below."""
    import contextlib
    import io

    from eva_cli.cli import main

    ws = tmp_path_factory.mktemp("lora-ws")
    write_pairs(ws)
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(["-w", str(ws), *base_args(tiny_model_dir, "--lora", "--max-steps", 3, "--eval-steps", 2,
                                             "--run", "r1", "--optim", "paged_adamw_8bit", "--lr", "1e-2")])
        except SystemExit as exc:
            code = exc.code
    assert code == 0, out.getvalue() + err.getvalue()
    return ws, ws / "runs" / "r1", out.getvalue()


def test_lora_run_folder(lora_run, tiny_model_dir):
    ws, run, out = lora_run
    for name in ("adapter/adapter_config.json", "adapter/adapter_model.safetensors", "adapter/tokenizer_config.json",
                 "train-config.json", "metrics.jsonl", "training-report.html", "README.md"):
        assert (run / name).is_file(), name
    assert any((run / "checkpoints").glob("checkpoint-*"))
    cfg = json.loads((run / "train-config.json").read_text())
    assert cfg["model"] == str(tiny_model_dir) and cfg["model_path"] == str(tiny_model_dir)
    assert (cfg["mode"], cfg["beta"], cfg["max_length"], cfg["lora_r"], cfg["status"]) == ("lora", 0.1, 96, 16, "finished")
    from eva_cli.train.data import sha256_file

    assert cfg["data"]["train"]["sha256"] == sha256_file(ws / "pairs" / "train.parquet")
    assert cfg["data"]["eval"]["sha256"] == sha256_file(ws / "pairs" / "eval.parquet")
    assert cfg["versions"]["trl"] and cfg["versions"]["torch"] and cfg["hardware"]["device"] == "cpu"
    assert cfg["wall_time_s"] > 0 and cfg["global_step"] == 3
    assert "done: 3 steps" in out


def test_metrics_rows_have_trl_and_eva_keys(lora_run):
    _, run, _ = lora_run
    rows = read_rows(run)
    train = [r for r in rows if "loss" in r]
    evals = [r for r in rows if "eval_loss" in r]
    assert [r["step"] for r in train] == [1, 2, 3]
    assert [r["step"] for r in evals] == [2, 3]  # every --eval-steps 2, and at the last step
    for r in train:
        for key in TRL_KEYS + EVA_KEYS:
            assert key in r, key
        assert r["samples_per_second"] > 0 and r["tokens_per_second"] > 0 and r["peak_memory_mb"] > 0
        assert math.isfinite(r["loss"])
    for key in TRL_KEYS:
        assert "eval_" + key in evals[0]


def test_adapter_loads_with_peft_and_changes_the_model(lora_run, tiny_model_dir):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    _, run, _ = lora_run
    ids = torch.tensor([[1, 5, 9, 17, 33]])
    base = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    with torch.no_grad():
        before = base(ids).logits
    tuned = PeftModel.from_pretrained(base, str(run / "adapter"))
    with torch.no_grad():
        after = tuned(ids).logits
    assert not torch.allclose(before, after, atol=1e-6)  # training moved the LoRA weights off zero


def test_report_html_and_rerender(lora_run, eva):
    ws, run, _ = lora_run
    html = (run / "training-report.html").read_text()
    assert "plotly" in html.lower() and "<script" in html  # plotly.js embedded: opens offline
    for title in ("Loss", "Samples per second", "Chosen vs rejected rewards", "Reward accuracy"):
        assert title in html
    (run / "training-report.html").unlink()
    r = eva("report", "--run", "r1", workspace_dir=ws)
    assert r.code == 0, r.output
    assert (run / "training-report.html").is_file()


def test_training_figure_overlays_train_and_eval():
    from eva_cli.train.report import training_figure

    rows = [{"step": 1, "loss": 1.0, "rewards/chosen": -1.0, "rewards/rejected": -2.0, "rewards/accuracies": 1.0,
             "samples_per_second": 3.0},
            {"step": 1, "eval_loss": 1.1, "eval_rewards/chosen": -1.0, "eval_rewards/rejected": -1.5,
             "eval_rewards/accuracies": 0.5, "eval_samples_per_second": 9.0}]
    names = sorted(t.name for t in training_figure(rows).data)
    assert names == sorted(["train loss", "eval loss", "train samples/s", "eval samples/s", "train chosen",
                            "train rejected", "eval chosen", "eval rejected", "train accuracy", "eval accuracy"])


def test_model_card_metadata(lora_run):
    import yaml

    _, run, _ = lora_run
    text = (run / "README.md").read_text()
    meta = yaml.safe_load(text.split("---")[1])
    assert meta["library_name"] == "peft" and meta["base_model"]
    assert {"orpo", "mental-health"} <= set(meta["tags"]) and meta["datasets"] == ["eva-test-pairs"]
    assert "eval reward accuracy" in text


def test_merge_matches_adapter(lora_run, eva, tmp_path):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    ws, run, _ = lora_run
    out = tmp_path / "merged"
    r = eva("merge", "--run", "r1", "--out", out, workspace_dir=ws)
    assert r.code == 0, r.output
    assert (out / "config.json").is_file() and list(out.glob("*.safetensors"))
    assert (out / "tokenizer_config.json").is_file()
    assert not (out / "adapter_config.json").exists()
    ids = torch.tensor([[1, 5, 9, 17, 33]])
    merged = AutoModelForCausalLM.from_pretrained(out)
    base_path = json.loads((run / "train-config.json").read_text())["model_path"]
    peft = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(base_path), str(run / "adapter"))
    with torch.no_grad():
        assert torch.allclose(merged(ids).logits, peft(ids).logits, atol=1e-4)


def test_existing_run_is_refused(lora_run, eva, tiny_model_dir):
    ws, run, _ = lora_run
    before = (run / "train-config.json").read_bytes()
    r = eva(*base_args(tiny_model_dir, "--lora", "--max-steps", 1, "--run", "r1"), workspace_dir=ws)
    assert r.code == 2 and "already exists" in r.err and "--resume" in r.err
    assert (run / "train-config.json").read_bytes() == before


@pytest.fixture(scope="module")
def small_model_dir(tmp_path_factory) -> Path:
    """Like the tiny Llama but 64 wide: bitsandbytes' CPU 4-bit kernels need in_features >= its blocksize (64)."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from eva_cli.random_model import build_tokenizer

    out = tmp_path_factory.mktemp("small-llama")
    tok = build_tokenizer()
    cfg = LlamaConfig(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                      num_key_value_heads=2, vocab_size=len(tok), bos_token_id=tok.bos_token_id,
                      eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id, tie_word_embeddings=True)
    torch.manual_seed(0)
    LlamaForCausalLM(cfg).save_pretrained(out)
    tok.save_pretrained(out)
    return out


def test_qlora_on_cpu(eva, workspace, small_model_dir):
    from eva_cli.doctor import bnb_4bit_status

    assert bnb_4bit_status()[0], "bitsandbytes 4-bit must work on this CPU (bitsandbytes>=0.48)"
    write_pairs(workspace, n_train=6, n_eval=2)
    r = eva(*base_args(small_model_dir, "--qlora", "--max-steps", 2, "--run", "q", "--optim", "paged_adamw_8bit"))
    assert r.code == 0, r.output
    run = workspace / "runs" / "q"
    cfg = json.loads((run / "train-config.json").read_text())
    assert cfg["mode"] == "qlora" and cfg["status"] == "finished"
    q = cfg["quantization"]
    assert q["load_in_4bit"] and q["bnb_4bit_quant_type"] == "nf4" and q["bnb_4bit_use_double_quant"]
    assert q["linear4bit_layers"] == 14  # 2 layers x (q, k, v, o, gate, up, down)
    assert cfg["parameters"]["trainable"] < cfg["parameters"]["total"]
    adapter_cfg = json.loads((run / "adapter" / "adapter_config.json").read_text())
    assert adapter_cfg["r"] == 16 and adapter_cfg["lora_alpha"] == 32
    meta = (run / "README.md").read_text().split("---")[1]
    assert "qlora" in meta and "mental-health" in meta
    from eva_cli.runs import load_run_model

    model, tok = load_run_model(run)
    assert tok.chat_template and model is not None


def test_full_fine_tune_writes_model(eva, workspace, tiny_model_dir):
    write_pairs(workspace, n_train=4, n_eval=2)
    r = eva(*base_args(tiny_model_dir, "--full", "--max-steps", 1, "--run", "f"))
    assert r.code == 0, r.output
    run = workspace / "runs" / "f"
    assert (run / "model" / "config.json").is_file() and not (run / "adapter").exists()
    from eva_cli.runs import load_run_model

    model, _ = load_run_model(run)
    r = eva("merge", "--run", "f")
    assert r.code == 2 and "full fine-tune" in r.err


def test_missing_pairs_says_build_pairs(eva, tiny_model_dir, workspace):
    r = eva(*base_args(tiny_model_dir, "--lora"))
    assert r.code == 2 and "eva build-pairs" in r.err and "Traceback" not in r.output
    assert not (workspace / "runs").exists()


def test_unknown_model_lists_forms(eva, workspace):
    write_pairs(workspace)
    r = eva("train", "--model", "no-such-model", "--lora")
    assert r.code == 2 and "embedded" in r.err and "local folder" in r.err and "Hugging Face id" in r.err


def test_max_length_shorter_than_prompts_is_reported(eva, workspace, tiny_model_dir):
    write_pairs(workspace, n_train=6, n_eval=2, user_repeat=30)
    r = eva(*base_args(tiny_model_dir, "--lora", "--max-steps", 1))
    assert r.code == 2  # every prompt alone is longer than 96 tokens
    assert "--max-length 96" in r.err and "6 of 6 pairs" in r.err


def test_bad_flags(eva, workspace, tiny_model_dir):
    write_pairs(workspace)
    assert "cannot be combined" in eva("train", "--lora", "--qlora").err
    r = eva("train", "--lr", "-1")
    assert r.code == 2 and "--lr" in r.err
    r = eva("train", "--preset", "huge")
    assert r.code == 2 and "quick" in r.err
    r = eva("train", "--model", tiny_model_dir, "--lora", "--optim", "adamw_nope")
    assert r.code == 2 and "--optim" in r.err and not (workspace / "runs").exists()


def test_config_yaml_sits_under_flags(tmp_path):
    from eva_cli.train.config import PRESETS, resolve_config

    yml = tmp_path / "train.yaml"
    yml.write_text("lr: 3e-4\nmax-length: 256\nbatch_size: 8\nliger: off\n")
    cfg = resolve_config({"batch_size": 2, "preset": "quick"}, yml)
    assert cfg.lr == 3e-4 and cfg.max_length == 256  # YAML over the preset
    assert cfg.batch_size == 2  # the flag over YAML
    assert cfg.max_steps == PRESETS["quick"]["max_steps"] and cfg.mode == "lora" and cfg.eval_pairs == 8  # from the preset
    assert cfg.liger == "off"
    yml.write_text("learning_rate: 1\n")
    from eva_cli.errors import InputError

    with pytest.raises(InputError, match="unknown option"):
        resolve_config({}, yml)


def test_nan_loss_stops_and_keeps_last_good_checkpoint(eva, workspace, tiny_model_dir):
    """An absurd learning rate blows the weights up; the run stops at the first non-finite loss."""
    write_pairs(workspace, n_train=16, n_eval=2)
    r = eva(*base_args(tiny_model_dir, "--full", "--max-steps", 8, "--save-steps", 1, "--run", "nan",
                       "--lr", "1e30", "--optim", "sgd"))
    run = workspace / "runs" / "nan"
    assert r.code == 2, r.output
    assert "loss became" in r.err and "last good checkpoint" in r.err
    rows = read_rows(run)
    bad = [row for row in rows if "loss" in row and not math.isfinite(row["loss"])]
    assert bad, rows
    bad_step = bad[0]["step"]
    steps = sorted(int(p.name.split("-")[1]) for p in (run / "checkpoints").glob("checkpoint-*"))
    assert steps and max(steps) < bad_step  # no checkpoint of the damaged weights
    assert not (run / "model").exists()
    assert json.loads((run / "train-config.json").read_text())["status"].startswith("failed")


def test_oom_message():
    import torch

    from eva_cli.train.modeling import OOM_HINT, is_oom

    assert is_oom(torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB"))
    assert is_oom(RuntimeError("[enforce fail at alloc_cpu.cpp:117] DefaultCPUAllocator: can't allocate memory"))
    assert not is_oom(RuntimeError("shape mismatch"))
    assert "--qlora" in OOM_HINT and "--batch-size" in OOM_HINT and "--max-length" in OOM_HINT


def test_qlora_without_bitsandbytes_4bit_says_why(monkeypatch):
    import eva_cli.doctor
    from eva_cli.errors import EvaError
    from eva_cli.train.modeling import require_bnb_4bit

    monkeypatch.setattr(eva_cli.doctor, "bnb_4bit_status", lambda: (False, "ImportError: no libbitsandbytes_cpu.so"))
    with pytest.raises(EvaError) as info:
        require_bnb_4bit()
    assert "no libbitsandbytes_cpu.so" in str(info.value) and "--lora" in str(info.value)


def test_help_lists_the_issue_flags(eva):
    r = eva("train", "--help")
    assert r.code == 0
    for flag in ("--model", "--qlora", "--lora", "--full", "--epochs", "--lr", "--batch-size", "--grad-accum", "--optim",
                 "--beta", "--max-length", "--lora-r", "--lora-alpha", "--lora-dropout", "--target-modules",
                 "--max-steps", "--eval-steps", "--save-steps", "--run", "--resume", "--seed", "--config", "--report-to",
                 "--preset", "--no-length-grouping", "--no-token-cache", "--pad-multiple", "--liger",
                 "--grad-checkpointing"):
        assert flag in r.out, flag
