"""`eva chat` as a new user meets it, in its own process: no library warnings or progress bars at the default
verbosity (`--verbose` shows them), and every model loads before the first prompt, not at the first message."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import termios
import time

import pytest

from clirun import EVA, clean_env, run_eva

pytestmark = pytest.mark.timeout(240)

NOISE = re.compile(r"warn|it/s\]|\d+%\||Loading weights|kernels|Traceback", re.IGNORECASE)
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")
# The embedding check of the safety screen is a second model, loaded lazily unless warmed up.
WITH_EMBED = dict(EVA_SAFETY_EMBED="auto")


def test_default_verbosity_is_quiet(tiny_model_dir, tmp_path):
    args = ("-w", tmp_path / "ws", "chat", "--model", tiny_model_dir, "--max-new-tokens", "8")
    quiet = run_eva(*args, stdin="I had a long day at work\n", cwd=tmp_path, **WITH_EMBED)
    assert quiet.returncode == 0, quiet.stderr
    assert not NOISE.search(quiet.stderr + quiet.stdout), quiet.stderr + quiet.stdout
    assert [line for line in quiet.stdout.splitlines() if line.strip()][0].startswith("Eva: ")
    assert quiet.stderr.strip() == ""


class Terminal:
    """A process on a pseudo-terminal (what a person at a keyboard has)."""

    def __init__(self, argv: list[str], cwd, env: dict):
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))  # 50 rows, 200 columns
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env,
                                     close_fds=True, start_new_session=True)
        os.close(slave)
        self.out = ""
        self.pos = 0  # where the last match ended (in the text without terminal codes)

    def expect(self, pattern: str, timeout: float = 120) -> None:
        """Read until `pattern` (a regex, on the text without terminal codes) appears after the last match."""
        regex, deadline = re.compile(pattern), time.monotonic() + timeout
        while not (m := regex.search(ANSI.sub("", self.out), self.pos)):
            left = deadline - time.monotonic()
            ready = select.select([self.master], [], [], max(0.0, min(left, 0.5)))[0]
            if ready:
                try:
                    self.out += os.read(self.master, 65536).decode(errors="replace")
                    continue
                except OSError:  # the process closed the terminal
                    pass
            if left <= 0 or self.proc.poll() is not None:
                raise AssertionError(f"{pattern!r} not seen; the terminal shows:\n{ANSI.sub('', self.out)[-3000:]}")
        self.pos = m.end()

    def send(self, line: str) -> None:
        os.write(self.master, (line + "\n").encode())

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(30)
        os.close(self.master)


def test_models_load_before_the_first_prompt(tiny_model_dir, tmp_path):
    """--verbose shows the libraries' loading output (what the default hides), all of it before the greeting
    and the first prompt: nothing loads at the first message."""
    env = clean_env(COLUMNS="200", TERM="xterm", **WITH_EMBED)
    term = Terminal([EVA, "-w", str(tmp_path / "ws"), "--verbose", "chat", "--model", str(tiny_model_dir),
                     "--max-new-tokens", "8"], cwd=tmp_path, env=env)
    try:
        term.expect(r"you: ")
        before_prompt = ANSI.sub("", term.out)
        term.send("I had a long day at work")
        term.expect(r"Eva \(.*\n(.|\n)*you: ")
        after = ANSI.sub("", term.out)[len(before_prompt):]
        term.send("/quit")
        assert term.proc.wait(60) == 0
    finally:
        term.close()
    assert "Loading weights" in before_prompt  # the chat model (and the embedding check, when installed)
    assert before_prompt.index("Loading weights") < before_prompt.index("Eva: Hi")  # before the greeting
    assert "Loading" not in after and "%|" not in after, after  # nothing loads at the first message
