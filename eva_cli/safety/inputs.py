"""Messages to screen, read from arguments, a text file or JSONL (`eva safety`, `--evaluate`)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from eva_cli.errors import InputError


def text_records(lines: Iterable[str], where: str, hint: str) -> Iterator[tuple[int, dict]]:
    """(line number, object) for each non-blank JSONL line; each must be an object with a string 'text'.
    `where` prefixes the error ("--file: msgs.jsonl")."""
    for i, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}:{i} is not valid JSON ({exc.msg}).", hint) from None
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            raise InputError(f"{where}:{i} needs a string field 'text'.")
        yield i, obj


def read_messages(texts: list[str], file: Path | None) -> list[tuple[str, dict]]:
    """(message, passed-through fields) from the arguments and --file (plain text a line, JSONL, or - for stdin)."""
    out = [(t, {}) for t in texts]
    if file is None:
        return out
    name = str(file)
    if name == "-":
        raw = sys.stdin.read()
    else:
        if not file.exists():
            raise InputError(f"--file: {file} does not exist.", "Give a text file (one message a line) or JSONL with a 'text' field.")
        if not file.is_file():
            raise InputError(f"--file: {file} is not a file.")
        try:
            raw = file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise InputError(f"--file: {file} is not UTF-8 text.", "Save it as UTF-8.") from None
    lines = raw.splitlines()
    first = next((ln for ln in lines if ln.strip()), "")
    if first.lstrip().startswith("{"):
        for _, obj in text_records(lines, f"--file: {name}", "Use one JSON object per line, or plain text."):
            out.append((obj["text"], {k: v for k, v in obj.items() if k != "text"}))
    else:
        out.extend((ln, {}) for ln in lines if ln.strip())
    if not out:
        raise InputError(f"--file: {name} has no messages.")
    return out
