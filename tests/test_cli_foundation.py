import json
import os
import subprocess
import sys

import pytest

from eva_cli import atomic
from eva_cli.errors import EvaError


def test_help_lists_every_command(eva):
    r = eva("--help")
    assert r.code == 0
    for name in ("ingest", "build-pairs", "train", "eval", "serve-telegram", "chat", "safety", "doctor", "bench"):
        assert name in r.out


def test_doctor_prints_capabilities(eva):
    r = eva("doctor")
    assert r.code == 0, r.output
    for word in ("torch", "trl", "peft", "bitsandbytes 4-bit", "embedded model", "workspace"):
        assert word in r.out


def test_bad_flag_is_usage_error(eva):
    r = eva("doctor", "--no-such-flag")
    assert r.code == 2


def test_eva_error_is_one_line_no_traceback(tmp_path):
    env = dict(os.environ, EVA_WORKSPACE=str(tmp_path / "ws"))
    proc = subprocess.run([sys.executable, "-m", "eva_cli", "eval", "--run", "nope"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().startswith("error:")
    assert len(proc.stderr.strip().splitlines()) == 1


def test_atomic_write_keeps_old_file_on_failure(tmp_path):
    target = tmp_path / "a.json"
    atomic.write_json(target, {"v": 1})
    before = target.read_bytes()
    with pytest.raises(RuntimeError):
        with atomic.atomic_path(target) as tmp:
            tmp.write_text("partial")
            raise RuntimeError("boom")
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_atomic_dir_replaces_whole(tmp_path):
    target = tmp_path / "d"
    with atomic.atomic_dir(target) as tmp:
        (tmp / "x").write_text("1")
    with pytest.raises(ValueError):
        with atomic.atomic_dir(target) as tmp:
            (tmp / "y").write_text("2")
            raise ValueError
    assert sorted(p.name for p in target.iterdir()) == ["x"]
    with atomic.atomic_dir(target) as tmp:
        (tmp / "z").write_text("3")
    assert sorted(p.name for p in target.iterdir()) == ["z"]


def test_settings_precedence(tmp_path, monkeypatch):
    from eva_cli.settings import load_settings

    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("EVA_WORKSPACE=from-dotenv\nEVA_RETENTION_DAYS=7\n")
    assert str(load_settings().workspace) == "from-dotenv"
    monkeypatch.setenv("EVA_WORKSPACE", "from-env")
    assert str(load_settings().workspace) == "from-env"
    assert str(load_settings(workspace="from-flag").workspace) == "from-flag"
    assert load_settings().retention_days == 7


def test_unknown_model_lists_forms(tmp_path):
    from eva_cli.models import resolve_model

    with pytest.raises(EvaError) as exc:
        resolve_model("no-such-org/no-such-model", tmp_path)
    msg = str(exc.value)
    assert "embedded" in msg and "local folder" in msg and "network" in msg


def test_tiny_model_fixture_loads(tiny_model_dir):
    from eva_cli.models import load_causal_lm, load_tokenizer

    tok = load_tokenizer(str(tiny_model_dir))
    model = load_causal_lm(str(tiny_model_dir))
    ids = tok.apply_chat_template([{"role": "user", "content": "Мені сумно. I feel sad."}], add_generation_prompt=True, return_tensors="pt", return_dict=True)
    out = model(**ids)
    assert out.logits.shape[-1] == model.config.vocab_size
