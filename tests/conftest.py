"""Shared fixtures: a tiny random Llama, a fresh workspace, and an in-process `eva` runner."""

from __future__ import annotations

import contextlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("COLUMNS", "200")
# The optional embedding check is tested explicitly (test_safety_embed.py); elsewhere the suite
# behaves the same whether or not the [embed] extra is installed.
os.environ.setdefault("EVA_SAFETY_EMBED", "0")


def _safety_model() -> str:
    """The crisis screen's built-in classifier (built by `make setup`, or here once): every test and
    subprocess uses that folder, also those that point EVA_HOME at a temporary folder."""
    from eva_cli.safety.training import ensure_default_model

    return str(ensure_default_model())


os.environ.setdefault("EVA_SAFETY_MODEL", _safety_model())


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def output(self) -> str:
        return self.out + self.err


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A 2-layer random Llama with its own small tokenizer and a ChatML template."""
    from eva_cli.random_model import build_random_llama

    return build_random_llama(tmp_path_factory.mktemp("tiny-llama"), shape="tiny")


@pytest.fixture(scope="session")
def llama3_model_dir(tmp_path_factory):
    """`llama3_model_dir("instruct" | "base")`: a 2-layer random Llama with Meta's real Llama 3 tokenizer, built once."""
    built: dict[str, Path] = {}

    def get(variant: str = "instruct") -> Path:
        if variant not in built:
            from eva_cli.random_model import build_random_llama

            built[variant] = build_random_llama(tmp_path_factory.mktemp(f"llama3-{variant}"), shape="tiny",
                                                tokenizer=f"llama3-{variant}")
        return built[variant]

    return get


@pytest.fixture
def workspace(tmp_path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    return ws


@pytest.fixture
def eva(workspace, monkeypatch, tmp_path):
    """Run `eva -w <workspace> ARGS...` in-process; returns Result(code, out, err)."""
    monkeypatch.setenv("EVA_HOME", str(Path.home() / ".cache" / "eva"))
    monkeypatch.chdir(tmp_path)  # no stray .env from the repo

    def run(*args: str, workspace_dir: Path | None = None) -> Result:
        from eva_cli.cli import main

        out, err = io.StringIO(), io.StringIO()
        code = 0
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(["-w", str(workspace_dir or workspace), *map(str, args)])
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        return Result(code, out.getvalue(), err.getvalue())

    return run


from pg import pg_database, pg_server, pg_url, private_pg, store_backend  # noqa: E402,F401  (PostgreSQL fixtures)
