"""The GPU check script (benchmarks/train_gpu_check.py) in its CPU dry run: every stage on a tiny random Llama 3.

On a machine with a GPU the same script runs on the Llama-3-8B shape; its figures go to docs/benchmarks.md.
Nothing here is timed: the speed figures of the dry run are only checked to be there.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "train_gpu_check.py"


def test_gpu_check_dry_run(llama3_model_dir, tmp_path):
    spec = importlib.util.spec_from_file_location("train_gpu_check", SCRIPT)
    check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check)
    report = check.main(["--dry-run", "--model", str(llama3_model_dir("instruct")), "--work", str(tmp_path),
                         "--out", str(tmp_path / "out")])
    assert (tmp_path / "out" / "train_gpu_check.json").is_file()
    stages = report["stages"]
    assert set(stages) == {"paper", "parity", "liger", "bench", "eval", "chat"}
    failed = {k: v.get("error") for k, v in stages.items() if not v["ok"]}
    assert not failed, failed
    paper = stages["paper"]
    assert (paper["mode"], paper["optim"], paper["grad_checkpointing"]) == ("qlora", "paged_adamw_8bit", "on")
    assert paper["quantization"]["bnb_4bit_quant_type"] == "nf4" and paper["quantization"]["bnb_4bit_use_double_quant"]
    assert paper["steps"] == 1 and paper["peak_memory_mb"] > 0
    parity = stages["parity"]
    assert abs(parity["trl"]["loss"] - parity["eva"]["loss"]) < 1e-4 and parity["max_abs_loss_difference"] < 1e-4
    assert "skipped" in stages["liger"]  # no CUDA here
    bench = stages["bench"]
    assert bench["speedup"] > 0 and bench["eva"]["samples_per_second"] > 0
    assert stages["eval"]["n_pairs"] == 2 and stages["chat"]["replied"]
