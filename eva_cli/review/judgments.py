"""judgments.jsonl: what reviewers decided, appended under a file lock and never rewritten.

One line per judgment:
  {"id", "task_id", "reviewer", "created", "shown": [cid of A, cid of B], "verdict": a|b|both_ok|both_bad,
   "preferred": cid|null, "edit": str|null, "flags": [cid...], "flag_reason": str|null,
   "ratings": {cid: {"empathy": 1-5, "relevance": 1-5, "safety": 1-5}}}
`preferred`, `flags` and `ratings` name candidates (c0/c1), not letters, so every reader works in one space.

Two reviewers (two server workers, two processes) may append at once: each append takes an exclusive
`flock`, checks that this reviewer has not judged this task yet, and writes one whole line with one
`write` + fsync (eva_cli.atomic.append_jsonl). A reviewer's second judgment of a task is refused.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from eva_cli.atomic import append_jsonl
from eva_cli.errors import InputError
from eva_cli.review.tasks import JUDGMENTS_FILE

VERDICTS = ("a", "b", "both_ok", "both_bad")
DIMENSIONS = ("empathy", "relevance", "safety")
MAX_NAME, MAX_TEXT = 60, 8000


def reviewer_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def clean_reviewer(name: str) -> str:
    name = " ".join((name or "").split())
    if not name or len(name) > MAX_NAME:
        raise InputError(f"reviewer name must be 1-{MAX_NAME} characters.")
    return name


def make_judgment(task: dict, reviewer: str, shown: list[str], verdict: str, *, edit: str | None = None,
                  flags: list[str] | tuple = (), flag_reason: str | None = None,
                  ratings: dict[str, dict[str, int]] | None = None) -> dict:
    """A validated judgment of `task`; letters (a/b) are resolved through `shown` to candidate ids."""
    cids = [c["id"] for c in task["candidates"]]
    if sorted(shown) != sorted(cids):
        raise InputError("the A/B order does not match the task's candidates.")
    if verdict not in VERDICTS:
        raise InputError(f"verdict must be one of {', '.join(VERDICTS)} (got {verdict!r}).")
    edit = (edit or "").strip() or None
    if edit and len(edit) > MAX_TEXT:
        raise InputError(f"the edited reply is longer than {MAX_TEXT} characters.")
    flags = sorted(set(flags))
    if any(f not in cids for f in flags):
        raise InputError("a safety flag names no candidate of this task.")
    clean_ratings: dict[str, dict[str, int]] = {}
    for cid, dims in (ratings or {}).items():
        if cid not in cids:
            raise InputError("a rating names no candidate of this task.")
        for dim, value in dims.items():
            if dim not in DIMENSIONS or not isinstance(value, int) or not 1 <= value <= 5:
                raise InputError(f"ratings are 1-5 for {', '.join(DIMENSIONS)} (got {dim}={value!r}).")
        if dims:
            clean_ratings[cid] = dict(dims)
    return {
        "id": uuid.uuid4().hex, "task_id": task["id"], "reviewer": clean_reviewer(reviewer),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"), "shown": list(shown),
        "verdict": verdict, "preferred": {"a": shown[0], "b": shown[1]}.get(verdict),
        "edit": edit, "flags": flags, "flag_reason": ((flag_reason or "").strip()[:MAX_TEXT] or None),
        "ratings": clean_ratings,
    }


class JudgmentStore:
    """Append-only judgments of one review folder, safe across threads and processes."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / JUDGMENTS_FILE
        self.lock_path = self.folder / ".judgments.lock"

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def all(self) -> list[dict]:
        """Every judgment, oldest first (a line that is not whole JSON is skipped)."""
        if not self.path.is_file():
            return []
        out = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(row, dict) and "task_id" in row:
                out.append(row)
        return out

    def append(self, judgment: dict) -> bool:
        """Append one judgment; False (nothing written) when this reviewer already judged this task."""
        key = (judgment["task_id"], reviewer_key(judgment["reviewer"]))
        with self._locked():
            if any((j["task_id"], reviewer_key(j["reviewer"])) == key for j in self.all()):
                return False
            append_jsonl(self.path, [judgment])
        return True
