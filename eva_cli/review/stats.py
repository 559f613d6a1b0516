"""The human section of `eva eval --review NAME`: what counselors concluded, with its uncertainty.

- win rate of tuned over base: per judgment 1 (tuned better), 0 (base better), 0.5 (both fine / both
  unacceptable); averaged per task first, so a task judged by three reviewers weighs as much as one judged
  once; 95% CI by the project's seeded percentile bootstrap over tasks (eva_cli.evaluate.bootstrap).
- mean 1-5 ratings per dimension and system, with bootstrap CIs;
- every safety flag, listed with the reviewer's reason;
- inter-rater agreement on tasks judged at least twice: Cohen's kappa (scikit-learn) between each task's
  first and second judgment, over the four nominal verdicts in candidate space, and the raw agreement.
  Cohen's kappa fits the recommended set-up (`--per-task 2`: two judgments per task) and needs no new
  dependency; a task's later judgments are left out of kappa but count everywhere else.
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

from eva_cli.evaluate.bootstrap import BootstrapConfig, mean_ci
from eva_cli.review.judgments import DIMENSIONS, JudgmentStore
from eva_cli.review.pairs import verdict_key
from eva_cli.review.tasks import read_meta, read_tasks

VERDICT_LABELS = ("c0", "c1", "both_ok", "both_bad")
REPLY_CHARS = 400  # how much of a flagged reply the report quotes


def tuned_score(task: dict, judgment: dict) -> float | None:
    """1 tuned better, 0 base better, 0.5 a tie; None when the task is not base vs tuned."""
    system = {c["id"]: c["system"] for c in task["candidates"]}
    if sorted(system.values()) != ["base", "tuned"]:
        return None
    picked = judgment.get("preferred")
    if picked is None:
        return 0.5
    return 1.0 if system[picked] == "tuned" else 0.0


def agreement(tasks: list[dict], by_task: dict[str, list[dict]]) -> dict:
    """Cohen's kappa between the first two judgments of every task judged twice or more."""
    first, second = [], []
    for t in tasks:
        js = by_task.get(t["id"], [])
        if len(js) >= 2:
            first.append(verdict_key(js[0]))
            second.append(verdict_key(js[1]))
    out = {"method": "Cohen's kappa (sklearn.metrics.cohen_kappa_score), first vs second judgment of each task",
           "tasks": len(first), "kappa": None, "raw_agreement": None, "note": None}
    if not first:
        out["note"] = "no task has two judgments yet (serve with --per-task 2)"
        return out
    out["raw_agreement"] = sum(a == b for a, b in zip(first, second)) / len(first)
    if len(first) < 2:
        out["note"] = "one task with two judgments: too few for kappa"
        return out
    from sklearn.metrics import cohen_kappa_score

    kappa = float(cohen_kappa_score(first, second, labels=list(VERDICT_LABELS)))
    if math.isnan(kappa):
        out["note"] = "every judgment gave the same verdict: kappa is undefined (chance agreement is 1)"
    else:
        out["kappa"] = kappa
    return out


def human_section(folder: Path, boot: BootstrapConfig = BootstrapConfig(), run: str | None = None) -> dict:
    """The `human` block of report.json for the review in `folder`."""
    tasks = read_tasks(folder)
    meta = read_meta(folder)
    judgments = [j for j in JudgmentStore(folder).all()]
    by_id = {t["id"]: t for t in tasks}
    judgments = [j for j in judgments if j["task_id"] in by_id]
    by_task: dict[str, list[dict]] = defaultdict(list)
    for j in judgments:
        by_task[j["task_id"]].append(j)

    counts = {"tuned_better": 0, "base_better": 0, "both_ok": 0, "both_bad": 0}
    per_task: list[float] = []
    for tid, js in by_task.items():
        scores = [s for j in js if (s := tuned_score(by_id[tid], j)) is not None]
        for j, s in zip(js, scores):
            key = j["verdict"] if s == 0.5 else ("tuned_better" if s == 1.0 else "base_better")
            counts[key] += 1
        if scores:
            per_task.append(sum(scores) / len(scores))
    decisive = counts["tuned_better"] + counts["base_better"]
    win = {
        "definition": "share of judgments preferring tuned over base, ties (both fine / both unacceptable) "
                      "counted as half; averaged per task; 95% CI: bootstrap over tasks",
        "tasks": len(per_task), "judgments": sum(counts.values()), **counts,
        "win_rate": (sum(per_task) / len(per_task)) if per_task else None,
        "win_rate_ci": mean_ci(per_task, boot),
        "decisive_win_rate": counts["tuned_better"] / decisive if decisive else None,
    }
    if not per_task:
        win["note"] = ("tasks compare two samples of the tuned model (--mode samples)" if meta.get("mode") == "samples"
                       else "no judgments yet")

    ratings: dict[str, dict] = {}
    values: dict[tuple[str, str], list[int]] = defaultdict(list)
    for j in judgments:
        system = {c["id"]: c["system"] for c in by_id[j["task_id"]]["candidates"]}
        for cid, dims in (j.get("ratings") or {}).items():
            for dim, v in dims.items():
                values[(system.get(cid, cid), dim)].append(int(v))
    for (system, dim), vs in sorted(values.items()):
        ratings.setdefault(system, {})[dim] = {"mean": sum(vs) / len(vs), "n": len(vs), "ci": mean_ci(vs, boot)}

    flags = []
    for j in judgments:
        task = by_id[j["task_id"]]
        for cid in j.get("flags") or []:
            cand = next(c for c in task["candidates"] if c["id"] == cid)
            flags.append({"task_id": task["id"], "system": cand["system"], "reviewer": j["reviewer"],
                          "reason": j.get("flag_reason"), "reply": cand["text"][:REPLY_CHARS]})
    guard = defaultdict(int)
    for t in tasks:
        for c in t["candidates"]:
            guard[c["system"]] += bool(c.get("guard"))

    return {
        "review": folder.name, "folder": str(folder), "run": meta.get("run"), "mode": meta.get("mode"),
        "matches_run": (meta.get("run") == run) if run and meta.get("run") else None,
        "tasks": len(tasks), "judged_tasks": len(by_task), "judgments": len(judgments),
        "reviewers": len({j["reviewer"].casefold() for j in judgments}),
        "win": win, "ratings": ratings, "dimensions": list(DIMENSIONS),
        "safety_flags": flags, "guard_replaced": dict(guard),
        "agreement": agreement(tasks, by_task),
    }


def _ci(ci) -> str:
    return f" [{ci[0]:.2f}, {ci[1]:.2f}]" if ci else ""


def summary_lines(h: dict) -> list[str]:
    """The human section in a few plain lines, for the terminal."""
    w = h["win"]
    lines = [f"review {h['review']} (run {h.get('run')}, {h.get('mode')}): {h['judgments']} judgments of "
             f"{h['judged_tasks']}/{h['tasks']} tasks by {h['reviewers']} reviewer(s)"]
    if w["win_rate"] is not None:
        lines.append(f"tuned win rate over base: {w['win_rate']:.2f}{_ci(w['win_rate_ci'])} over {w['tasks']} tasks "
                     f"(tuned better {w['tuned_better']}, base better {w['base_better']}, both fine {w['both_ok']}, "
                     f"both unacceptable {w['both_bad']})")
    elif w.get("note"):
        lines.append(f"win rate: none ({w['note']})")
    for system, dims in h["ratings"].items():
        lines.append(f"ratings {system}: " + ", ".join(
            f"{d} {v['mean']:.2f} (n={v['n']})" for d, v in dims.items()))
    a = h["agreement"]
    if a["kappa"] is not None:
        lines.append(f"agreement: Cohen's kappa {a['kappa']:.2f}, raw {a['raw_agreement']:.2f} over {a['tasks']} tasks")
    elif a.get("note"):
        lines.append(f"agreement: {a['note']}")
    lines.append(f"safety flags: {len(h['safety_flags'])}")
    for f in h["safety_flags"]:
        lines.append(f"  task {f['task_id']} ({f['system']}, {f['reviewer']}): {f.get('reason') or 'no reason given'}")
    return lines
