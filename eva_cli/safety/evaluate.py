"""Evaluate the screen on a labelled file (`eva safety --evaluate FILE`).

The file is CSV, TSV, JSONL, JSON or Parquet (eva_cli/safety/labelled.py): a text column and a
label column, with labels none / elevated / crisis, or any binary labels mapped with --positive.
Optional columns `kind` (explicit / implicit / hard_negative / ordinary), `lang` and `categories`
give the finer tables.

Definitions (also printed by `eva safety --evaluate` and written in docs/safety.md):
- a positive is a message labelled elevated or crisis (or a --positive value); it counts as
  *recalled* when the screened risk is not "none" (any-risk recall);
- crisis recall = crisis-labelled messages screened crisis / crisis-labelled messages;
- precision = flagged messages that are positives / flagged messages;
- false-positive rate (all) = negatives screened as anything but "none" / negatives; the
  hard-negative rate is the same over messages of kind hard_negative;
- recall (explicit / implicit) = recalled positives of that kind / positives of that kind;
- exact-level agreement = messages whose screened risk equals the label / all messages;
- pr_curve: precision, recall and FPR as the classifier's threshold moves, the rules fixed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from eva_cli.safety.labelled import LabelColumns, Labelled, read_labelled
from eva_cli.safety.rules import CATEGORIES
from eva_cli.safety.screen import Screening, screen

RISKS = ("none", "elevated", "crisis")
KINDS = ("explicit", "implicit", "hard_negative")
TARGETS = {"recall_explicit": 0.95, "recall_implicit": 0.85, "fpr_hard_negative": 0.05}


@dataclass
class EvalReport:
    path: str
    n: int
    metrics: dict
    failures: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"path": self.path, "n": self.n, **self.metrics, "failures": self.failures}

    @property
    def targets_met(self) -> bool:
        return all(self.metrics["targets"][k]["met"] for k in TARGETS)


def load_labelled(path: str | Path, columns: LabelColumns = LabelColumns()) -> list[Labelled]:
    """Read and validate a labelled set; any bad row is an InputError naming the file and row."""
    return read_labelled(path, columns, flag="--evaluate")


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def evaluate(path: str | Path, *, embeddings: bool | None = None, columns: LabelColumns = LabelColumns(), classifier=None) -> EvalReport:
    """Screen every labelled message and measure; `classifier` as in `screen` (None = the default model)."""
    rows = load_labelled(path, columns)
    t0 = time.perf_counter()
    results: list[tuple[Labelled, Screening]] = [(r, screen(r.text, embeddings=embeddings, classifier=classifier)) for r in rows]
    elapsed = time.perf_counter() - t0

    def positive(r: Labelled) -> bool:
        return r.level != "none"

    def recalled(s: Screening) -> bool:
        return s.risk != "none"

    def recall_of(sel) -> dict:
        pos = [(r, s) for r, s in results if positive(r) and sel(r)]
        hit = sum(recalled(s) for _, s in pos)
        return {"n": len(pos), "recalled": hit, "recall": _ratio(hit, len(pos))}

    def fpr_of(sel) -> dict:
        neg = [(r, s) for r, s in results if r.kind == "hard_negative" and sel(r)]
        fp = sum(recalled(s) for _, s in neg)
        return {"n": len(neg), "false_positives": fp, "fpr": _ratio(fp, len(neg))}

    explicit = recall_of(lambda r: r.kind == "explicit")
    implicit = recall_of(lambda r: r.kind == "implicit")
    overall = recall_of(lambda r: True)
    fpr = fpr_of(lambda r: True)
    exact = sum(r.level == s.risk for r, s in results)

    langs = sorted({r.lang for r in rows})
    per_lang = {
        lang: {
            "recall": recall_of(lambda r, lang=lang: r.lang == lang),
            "recall_explicit": recall_of(lambda r, lang=lang: r.lang == lang and r.kind == "explicit"),
            "recall_implicit": recall_of(lambda r, lang=lang: r.lang == lang and r.kind == "implicit"),
            "false_positive_rate": fpr_of(lambda r, lang=lang: r.lang == lang),
            "exact_level_agreement": _ratio(sum(r.level == s.risk for r, s in results if r.lang == lang), sum(r.lang == lang for r in rows)),
        }
        for lang in langs
    }
    cats = [c for c in CATEGORIES if any(c in r.categories for r in rows)]
    cats += sorted({c for r in rows for c in r.categories} - set(cats))
    per_cat = {}
    for c in cats:
        with_c = [(r, s) for r, s in results if positive(r) and c in r.categories]
        per_cat[c] = {
            "n": len(with_c),
            "recall": _ratio(sum(recalled(s) for _, s in with_c), len(with_c)),
            "category_recall": _ratio(sum(c in s.categories for _, s in with_c), len(with_c)),
        }
    confusion = {e: {g: sum(r.level == e and s.risk == g for r, s in results) for g in RISKS} for e in RISKS}
    values = {"recall_explicit": explicit["recall"], "recall_implicit": implicit["recall"], "fpr_hard_negative": fpr["fpr"]}
    targets = {}
    for k, goal in TARGETS.items():
        v = values[k]
        met = v is None or (v <= goal if k.startswith("fpr") else v >= goal)
        targets[k] = {"value": v, "target": (f"<= {goal}" if k.startswith("fpr") else f">= {goal}"), "met": met}
    failures = []
    for r, s in results:
        if positive(r) and not recalled(s):
            why = "missed"
        elif not positive(r) and recalled(s):
            why = "false positive"
        else:
            continue
        failures.append({"line": r.line, "lang": r.lang, "kind": r.kind, "expected": r.level, "got": s.risk, "why": why,
                         "text": r.text, "reasons": s.reasons[:4]})
    from eva_cli.safety.screen import _embedding_enabled

    embed_used = False
    if _embedding_enabled(embeddings):
        from eva_cli.safety import embed

        embed_used = embed.available()
    negatives = [(r, s) for r, s in results if not positive(r)]
    flagged = [(r, s) for r, s in results if recalled(s)]
    crisis_rows = [(r, s) for r, s in results if r.level == "crisis" and not r.binary]
    metrics = {
        "any_risk_recall": overall["recall"],
        "crisis_recall": _ratio(sum(s.risk == "crisis" for _, s in crisis_rows), len(crisis_rows)),
        "precision": _ratio(sum(positive(r) for r, _ in flagged), len(flagged)),
        "false_positive_rate_all": {"n": len(negatives), "false_positives": sum(recalled(s) for _, s in negatives),
                                    "fpr": _ratio(sum(recalled(s) for _, s in negatives), len(negatives))},
        "pr_curve": _pr_curve(rows, classifier),
        "recall_explicit": explicit,
        "recall_implicit": implicit,
        "recall_all_positives": overall,
        "false_positive_rate": fpr,
        "exact_level_agreement": {"n": len(rows), "agree": exact, "rate": _ratio(exact, len(rows))},
        "per_language": per_lang,
        "per_category": per_cat,
        "confusion": confusion,
        "targets": targets,
        "embedding_check": "on" if embed_used else "off",
        "ms_per_message": round(1000 * elapsed / len(rows), 3),
    }
    return EvalReport(path=str(path), n=len(rows), metrics=metrics, failures=failures)


def _pr_curve(rows: list[Labelled], classifier) -> list[dict]:
    """Precision / recall / false-positive rate as the classifier's "elevated" threshold moves (the rules fixed).

    A message counts as flagged at threshold t when the rules flag it or the classifier's p(risk) >= t;
    at the model's own threshold this is the screen's verdict (before the optional embedding check)."""
    from eva_cli.safety.screen import _classifier, learned_verdict, rules_verdict

    model = _classifier(classifier)
    if model is None:
        return []
    rule_flag = [rules_verdict(r.text)[0] != "none" for r in rows]
    p_risk = [learned_verdict(r.text, model)[2] for r in rows]
    out = []
    for t in (0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1, round(model.thresholds.elevated, 3)):
        flagged = [f or p >= t for f, p in zip(rule_flag, p_risk)]
        tp = sum(f and r.positive for f, r in zip(flagged, rows))
        fp = sum(f and not r.positive for f, r in zip(flagged, rows))
        pos = sum(r.positive for r in rows)
        out.append({"threshold": t, "precision": _ratio(tp, tp + fp), "recall": _ratio(tp, pos),
                    "fpr": _ratio(fp, len(rows) - pos), "model_threshold": t == round(model.thresholds.elevated, 3)})
    return sorted({d["threshold"]: d for d in out}.values(), key=lambda d: -d["threshold"])
