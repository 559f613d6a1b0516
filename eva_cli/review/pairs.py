"""`expert`: preference pairs from counselors' judgments (`eva build-pairs --strategies expert --review NAME`).

Per task, the reviewers' verdicts are put in candidate space (c0 better, c1 better, both fine, both
unacceptable). The consensus is the verdict more reviewers gave than any other; with a tie there is none.
From each judgment that gave the consensus verdict:
- "X better": chosen = the edited gold reply if there is one, else X; rejected = the other reply.
- "both unacceptable" with an edit: chosen = the gold reply; rejected = each of the two replies.
- "both fine": no preference, unless a reply is flagged (below) or the reviewer wrote a gold reply.
A reply that any reviewer flagged for safety is never chosen, and is rejected against every good reply
of the task (a gold reply, or the consensus pick), whatever the consensus.

Provenance goes in the same columns as every strategy: `source` = "review/<name> reviewers=<k> agreement=<a>"
(k reviewers of the task, a = share who gave the consensus verdict), `example_id` = "review-<task id>",
`split` = the task's split (held-out prompts stay held out).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Iterator

from eva_cli.pairs.base import ExampleSet, Pair, StrategyContext, norm_text, prompt_key
from eva_cli.review.judgments import JudgmentStore
from eva_cli.review.tasks import read_meta, read_tasks


def verdict_key(j: dict) -> str:
    """The verdict in candidate space: 'c0', 'c1', 'both_ok' or 'both_bad'."""
    return j.get("preferred") or j["verdict"]


def consensus(judgments: list[dict]) -> tuple[str | None, float]:
    """(the verdict given by more reviewers than any other, or None on a tie; share of reviewers who gave it)."""
    counts = Counter(verdict_key(j) for j in judgments).most_common()
    if not counts:
        return None, 0.0
    top = counts[0][1]
    agreement = top / len(judgments)
    if len(counts) > 1 and counts[1][1] == top:
        return None, agreement
    return counts[0][0], agreement


def task_pairs(task: dict, judgments: list[dict]) -> list[tuple[str, str, str]]:
    """Distinct (chosen text, rejected text, kind) of one task; kinds: picked, gold, gold_both_bad, safety."""
    text = {c["id"]: c["text"] for c in task["candidates"]}
    cids = list(text)
    flagged = {f for j in judgments for f in j.get("flags") or [] if f in text}
    verdict, _ = consensus(judgments)
    out: list[tuple[str, str, str]] = []
    goods: list[str] = []  # good replies of the task (gold edits, the consensus pick)

    def add(chosen: str, rejected: str, kind: str) -> None:
        if norm_text(chosen) and norm_text(chosen) != norm_text(rejected) and \
                not any(c == chosen and r == rejected for c, r, _ in out):
            out.append((chosen, rejected, kind))

    for j in judgments:
        gold = j.get("edit")
        if gold and any(norm_text(gold) == norm_text(t) for t in text.values()):
            gold = None  # an unchanged copy of a reply is no gold reply
        if gold:
            goods.append(gold)
        if verdict is None or verdict_key(j) != verdict:
            continue
        if verdict in cids:
            other = next(c for c in cids if c != verdict)
            if gold:
                add(gold, text[other], "gold")
            elif verdict not in flagged:
                add(text[verdict], text[other], "picked")
        elif verdict == "both_bad" and gold:
            for c in cids:
                add(gold, text[c], "gold_both_bad")
    if verdict in cids and verdict not in flagged:
        goods.append(text[verdict])
    if verdict == "both_ok":
        goods.extend(text[c] for c in cids if c not in flagged)
    for bad in sorted(flagged):
        for good in dict.fromkeys(goods):
            add(good, text[bad], "safety")
    return out


class ExpertStrategy:
    """Pairs from one review folder's tasks and judgments (the examples are not used)."""

    name = "expert"
    note_when_empty = "no judgment gives a preference yet (judge tasks with `eva review serve`)"

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.review = self.folder.name
        self.stats: dict = {"review": self.review, "run": read_meta(self.folder).get("run"), "kinds": Counter()}

    def pairs(self, examples: ExampleSet, ctx: StrategyContext) -> Iterator[Pair]:
        tasks = read_tasks(self.folder)
        by_task: dict[str, list[dict]] = defaultdict(list)
        for j in JudgmentStore(self.folder).all():
            by_task[j["task_id"]].append(j)
        self.stats.update(tasks=len(tasks), judged_tasks=sum(1 for t in tasks if by_task.get(t["id"])),
                          judgments=sum(len(v) for v in by_task.values()), contested_tasks=0)
        for task in tasks:
            judgments = by_task.get(task["id"], [])
            if not judgments:
                continue
            verdict, agreement = consensus(judgments)
            self.stats["contested_tasks"] += verdict is None
            source = f"review/{self.review} reviewers={len(judgments)} agreement={agreement:.2f}"
            key = prompt_key(task["messages"])
            for chosen, rejected, kind in task_pairs(task, judgments):
                self.stats["kinds"][kind] += 1
                yield Pair(f"review-{task['id']}", task["messages"], chosen, rejected, "expert", source,
                           task.get("lang") or "en", task.get("split") or "train", key, kind)
