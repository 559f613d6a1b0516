"""`eva serve-telegram` from the command line: settings errors, and a real process stopped by SIGTERM."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys

import pytest

from fake_telegram import TOKEN, FakeTelegram


@pytest.fixture
def no_bot_env(monkeypatch):
    for name in ("EVA_TELEGRAM_TOKEN", "EVA_DATA_KEY", "EVA_WEBHOOK_URL", "EVA_API_SERVER", "EVA_ALLOWED_USERS"):
        monkeypatch.delenv(name, raising=False)


def test_missing_token_is_a_one_line_error(eva, no_bot_env):
    r = eva("serve-telegram", "--insecure-storage")
    assert r.code == 2, r.output
    assert "EVA_TELEGRAM_TOKEN" in r.err and "Traceback" not in r.err


def test_malformed_token_is_not_echoed(eva, no_bot_env):
    r = eva("serve-telegram", "--token", "nonsense-SECRETPART", "--insecure-storage")
    assert r.code == 2 and "malformed" in r.err
    assert "SECRETPART" not in r.output


def test_refuses_to_start_without_a_data_key(eva, no_bot_env, monkeypatch, workspace):
    monkeypatch.setenv("EVA_TELEGRAM_TOKEN", TOKEN)
    r = eva("serve-telegram", "--api-server", "http://127.0.0.1:9")
    assert r.code == 2, r.output
    assert "EVA_DATA_KEY" in r.err and "--insecure-storage" in r.err
    assert TOKEN not in r.output


@pytest.mark.parametrize("args, needle", [
    (["--rate-limit", "lots"], "--rate-limit"),
    (["--allowed-users", "12,bob"], "--allowed-users"),
    (["--webhook-url", "ftp://x/hook"], "--webhook-url"),
    (["--run", "a", "--model", "b"], "--run and --model"),
    (["--store", "mysql://db/eva"], "--store"),
    (["--metrics-port", "70000"], "--metrics-port"),
])
def test_bad_flags(eva, no_bot_env, monkeypatch, args, needle):
    monkeypatch.setenv("EVA_TELEGRAM_TOKEN", TOKEN)
    r = eva("serve-telegram", "--insecure-storage", *args)
    assert r.code == 2, r.output
    assert needle in r.err


@pytest.mark.timeout(180)
async def test_real_process_serves_then_exits_cleanly_on_sigterm(tiny_model_dir, tmp_path):
    """`eva serve-telegram` as a subprocess, the tiny random model, the fake Bot API server."""
    from cryptography.fernet import Fernet

    async with FakeTelegram() as tg:
        env = dict(os.environ, EVA_TELEGRAM_TOKEN=TOKEN, EVA_DATA_KEY=Fernet.generate_key().decode(),
                   EVA_HOME=str(tmp_path / "home"), HF_HUB_OFFLINE="1")
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "eva_cli", "-w", str(tmp_path / "ws"), "serve-telegram",
            "--model", str(tiny_model_dir), "--api-server", tg.base_url, "--max-new-tokens", "8",
            "--device", "cpu", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
            cwd=str(tmp_path))
        try:
            await tg.wait_for(lambda: tg.calls_of("deleteWebhook"), timeout=120)  # polling has started
            tg.message(1, "/start")
            tg.message(1, "Hello Eva, I had a long day")
            await tg.wait_texts(1, 2, timeout=60)
            proc.send_signal(signal.SIGTERM)
            out, err = await asyncio.wait_for(proc.communicate(), 60)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    assert proc.returncode == 0, err.decode()[-2000:]
    logs = (out + err).decode()
    assert TOKEN not in logs and TOKEN.split(":")[1] not in logs
    assert "SIGTERM" in logs
    # A quiet log at the default verbosity: no library warnings, no progress bars (issue 13).
    assert not re.search(r"FutureWarning|UserWarning|kernels|it/s\]|\d+%\||Loading weights", logs), logs[-2000:]
    assert tg.updates == []  # every handled update was confirmed before exit
    assert (tmp_path / "ws" / "bot" / "eva.sqlite").is_file()
