"""Which task a reviewer sees next, and in which A/B order.

- Each task is judged by `per_task` different reviewers. A task shown to a reviewer is leased to them
  for `lease_s` seconds, so two reviewers do not both take the last free slot of a task.
- A reload (or a new login under the same name) shows the same leased task: work resumes where it stopped.
- Tasks come in file order; a reviewer never sees a task they already judged.
- The A/B order is a hash of (task, reviewer): stable across reloads, different between reviewers,
  and independent of which system wrote which reply.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Callable

from eva_cli.review.judgments import JudgmentStore, reviewer_key


def shown_order(task: dict, reviewer: str) -> list[str]:
    """[candidate id shown as A, candidate id shown as B]."""
    cids = [c["id"] for c in task["candidates"]]
    flip = hashlib.sha256(f"{task['id']}\x1f{reviewer_key(reviewer)}".encode()).digest()[0] & 1
    return cids[::-1] if flip else cids


@dataclass
class Progress:
    done: int          # tasks this reviewer judged
    total: int         # tasks this reviewer judged or can still judge
    overall: int       # judgments counted towards the target (at most per_task a task)
    target: int        # tasks x per_task


class Assigner:
    def __init__(self, tasks: list[dict], store: JudgmentStore, per_task: int = 1, lease_s: float = 1800.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if per_task < 1:
            raise ValueError("per_task must be at least 1")
        self.tasks = tasks
        self.by_id = {t["id"]: t for t in tasks}
        self.store = store
        self.per_task = per_task
        self.lease_s = lease_s
        self.clock = clock
        self._leases: dict[str, tuple[str, float]] = {}  # reviewer key -> (task id, expiry)
        self._lock = threading.Lock()

    def _state(self) -> tuple[Counter, dict[str, set[str]]]:
        counts: Counter = Counter()
        done: dict[str, set[str]] = {}
        for j in self.store.all():
            counts[j["task_id"]] += 1
            done.setdefault(reviewer_key(j["reviewer"]), set()).add(j["task_id"])
        return counts, done

    def next_task(self, reviewer: str) -> dict | None:
        """The task to show `reviewer` now (leased to them), or None when nothing is left for them."""
        me = reviewer_key(reviewer)
        with self._lock:
            now = self.clock()
            counts, done = self._state()
            mine = done.get(me, set())
            self._leases = {r: (t, exp) for r, (t, exp) in self._leases.items() if exp > now and t not in done.get(r, ())}
            held = self._leases.get(me)
            if held and held[0] not in mine:
                self._leases[me] = (held[0], now + self.lease_s)
                return self.by_id[held[0]]
            leased = Counter(t for r, (t, _) in self._leases.items() if r != me)
            for task in self.tasks:
                tid = task["id"]
                if tid not in mine and counts[tid] + leased[tid] < self.per_task:
                    self._leases[me] = (tid, now + self.lease_s)
                    return task
            self._leases.pop(me, None)
            return None

    def release(self, reviewer: str) -> None:
        with self._lock:
            self._leases.pop(reviewer_key(reviewer), None)

    def progress(self, reviewer: str) -> Progress:
        counts, done = self._state()
        mine = done.get(reviewer_key(reviewer), set())
        open_ = sum(1 for t in self.tasks if t["id"] not in mine and counts[t["id"]] < self.per_task)
        overall = sum(min(counts[t["id"]], self.per_task) for t in self.tasks)
        return Progress(len(mine & set(self.by_id)), len(mine & set(self.by_id)) + open_, overall,
                        len(self.tasks) * self.per_task)
