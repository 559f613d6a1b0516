"""Running the real `eva` console script in its own process (what a user sees on stdout and stderr)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EVA = str(Path(sys.executable).parent / "eva")


def clean_env(**extra: str) -> dict:
    """This process's environment without switches an in-process `eva chat` may have set, plus `extra`."""
    from eva_cli.quiet import QUIET_ENV

    env = {k: v for k, v in os.environ.items() if k not in {key for key, _, _ in QUIET_ENV}}
    env.update(PYTHONUNBUFFERED="1", HF_HUB_OFFLINE="1", TRL_EXPERIMENTAL_SILENCE="1", **extra)
    return env


def run_eva(*args, stdin: str = "", timeout: float = 180, cwd=None, **env: str) -> subprocess.CompletedProcess:
    """`eva ARGS...` with `stdin` piped in; `env` adds environment variables."""
    return subprocess.run([EVA, *map(str, args)], input=stdin, capture_output=True, text=True, timeout=timeout,
                          env=clean_env(**env), cwd=cwd)


def eva_in_process(ws: Path, *args, stdin: str | None = None) -> tuple[int, str]:
    """`eva -w WS ARGS...` in this process (faster than a subprocess); (exit code, stdout + stderr)."""
    from eva_cli.cli import run_captured

    return run_captured(["-w", ws, *args], stdin)
