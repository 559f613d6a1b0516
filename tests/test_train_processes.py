"""`eva train` as real processes: Ctrl-C then --resume, a hard kill then --resume, and DDP over gloo.

Each test starts `python -m eva_cli` (or torchrun) on the tiny random Llama; about 15-30 s each.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from test_train_orpo import read_rows, write_pairs

TIMEOUT = 240


def _env(tmp_path: Path) -> dict:
    env = dict(os.environ)
    env.update(TRL_EXPERIMENTAL_SILENCE="1", HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false", COLUMNS="200",
               OMP_NUM_THREADS="1", EVA_HOME=str(Path.home() / ".cache" / "eva"))
    return env


def _train_cmd(ws: Path, model: Path, *extra) -> list[str]:
    return ["-w", str(ws), "train", "--model", str(model), "--lora", "--max-length", "96", "--batch-size", "2",
            "--optim", "adamw_torch", "--lr", "1e-3", *map(str, extra)]


def _wait_for_rows(proc, metrics: Path, n: int) -> None:
    deadline = time.time() + TIMEOUT
    while time.time() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"training ended early: {proc.communicate()}")
        if metrics.is_file() and len([ln for ln in metrics.read_text().splitlines() if ln.strip()]) >= n:
            return
        time.sleep(0.2)
    proc.kill()
    raise AssertionError("no metrics rows in time")


def _train_steps(run: Path) -> list[int]:
    return [r["step"] for r in read_rows(run) if "loss" in r]


def test_ctrl_c_saves_checkpoint_and_resume_continues(tmp_path, tiny_model_dir, eva):
    ws = tmp_path / "ws"
    write_pairs(ws, n_train=24, n_eval=2)
    run = ws / "runs" / "s"
    proc = subprocess.Popen([sys.executable, "-m", "eva_cli", *_train_cmd(ws, tiny_model_dir, "--max-steps", 100000,
                                                                       "--run", "s")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(tmp_path), cwd=tmp_path)
    _wait_for_rows(proc, run / "metrics.jsonl", 2)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 130, out + err
    resume_cmd = f"eva -w {ws.resolve()} train --run s --resume"
    assert resume_cmd in err, err
    steps = _train_steps(run)
    stopped = steps[-1]
    assert steps == list(range(1, stopped + 1))
    assert (run / "checkpoints" / f"checkpoint-{stopped}" / "trainer_state.json").is_file()
    cfg = json.loads((run / "train-config.json").read_text())
    assert cfg["status"] == f"interrupted at step {stopped}" and not (run / "adapter").exists()

    # --resume: continue from that checkpoint to two more steps; no gap, no duplicate
    r = eva("train", "--run", "s", "--resume", "--max-steps", stopped + 2, workspace_dir=ws)
    assert r.code == 0, r.output
    assert _train_steps(run) == list(range(1, stopped + 3))
    cfg = json.loads((run / "train-config.json").read_text())
    assert cfg["status"] == "finished" and cfg["global_step"] == stopped + 2 and len(cfg["sessions"]) == 2
    assert cfg["sessions"][1]["from_step"] == stopped
    assert (run / "adapter" / "adapter_model.safetensors").is_file()


def test_resume_after_hard_kill_drops_rows_past_the_checkpoint(tmp_path, tiny_model_dir, eva):
    ws = tmp_path / "ws"
    write_pairs(ws, n_train=24, n_eval=2)
    run = ws / "runs" / "k"
    proc = subprocess.Popen([sys.executable, "-m", "eva_cli", *_train_cmd(ws, tiny_model_dir, "--max-steps", 100000,
                                                                       "--save-steps", 3, "--run", "k")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(tmp_path), cwd=tmp_path)
    _wait_for_rows(proc, run / "metrics.jsonl", 4)
    proc.kill()  # no chance to save: rows after the last checkpoint are lost work
    proc.communicate(timeout=TIMEOUT)
    ckpts = sorted(int(p.name.split("-")[1]) for p in (run / "checkpoints").glob("checkpoint-*")
                   if (p / "trainer_state.json").is_file())
    assert ckpts
    last = ckpts[-1]
    r = eva("train", "--run", "k", "--resume", "--max-steps", last + 2, "--save-steps", 100, workspace_dir=ws)
    assert r.code == 0, r.output
    assert _train_steps(run) == list(range(1, last + 3))


def test_resume_refuses_changed_pairs(tmp_path, tiny_model_dir, eva):
    ws = tmp_path / "ws"
    write_pairs(ws, n_train=4, n_eval=2)
    assert eva(*_train_cmd(ws, tiny_model_dir, "--max-steps", 1, "--run", "c")[2:], workspace_dir=ws).code == 0
    write_pairs(ws, n_train=6, n_eval=2)
    r = eva("train", "--run", "c", "--resume", workspace_dir=ws)
    assert r.code == 2 and "changed since" in r.err and "train.parquet" in r.err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_ddp_two_cpu_processes_over_gloo(tmp_path, tiny_model_dir):
    ws = tmp_path / "ws"
    write_pairs(ws, n_train=16, n_eval=4)
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_addr", "127.0.0.1",
           "--master_port", str(_free_port()), "-m", "eva_cli",
           *_train_cmd(ws, tiny_model_dir, "--max-steps", 3, "--optim", "paged_adamw_8bit")]  # default run name
    proc = subprocess.run(cmd, capture_output=True, text=True, env=_env(tmp_path), cwd=tmp_path, timeout=TIMEOUT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    runs = list(ws.joinpath("runs").iterdir())
    assert len(runs) == 1  # both ranks agreed on one timestamped run folder
    run = runs[0]
    cfg = json.loads((run / "train-config.json").read_text())
    assert cfg["hardware"]["world_size"] == 2 and cfg["status"] == "finished" and cfg["global_step"] == 3
    assert _train_steps(run) == [1, 2, 3]  # rank 0 alone writes: each step once
    evals = [r for r in read_rows(run) if "eval_loss" in r]
    assert [r["step"] for r in evals] == [3]
    assert (run / "adapter" / "adapter_model.safetensors").is_file()
    assert (run / "training-report.html").is_file() and (run / "README.md").is_file()
    assert proc.stdout.count("done: 3 steps") == 1  # one summary, from rank 0
