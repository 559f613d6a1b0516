"""Evaluate the screen on a labelled JSONL set.

Each line: {"text", "lang": "en"|"uk", "expected_risk": "crisis"|"elevated"|"none",
"kind": "explicit"|"implicit"|"hard_negative", "categories": [...]}.

Definitions (also printed by `eva safety --evaluate` and written in docs/safety.md):
- a positive is a message whose expected_risk is "crisis" or "elevated"; it counts as
  *recalled* when the screened risk is not "none";
- recall (explicit / implicit) = recalled positives of that kind / positives of that kind;
- false-positive rate = hard negatives screened as anything but "none" / hard negatives;
- exact-level agreement = messages whose screened risk equals expected_risk / all messages;
- category recall = for each expected category of a positive, the share of those messages whose
  screening lists that category (recall by category = share of them recalled at all).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from eva_cli.errors import InputError
from eva_cli.safety.inputs import text_records
from eva_cli.safety.rules import CATEGORIES
from eva_cli.safety.screen import Screening, screen

RISKS = ("none", "elevated", "crisis")
KINDS = ("explicit", "implicit", "hard_negative")
TARGETS = {"recall_explicit": 0.95, "recall_implicit": 0.85, "fpr_hard_negative": 0.05}


@dataclass
class Labelled:
    text: str
    lang: str
    expected_risk: str
    kind: str
    categories: list[str]
    line: int


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


def load_labelled(path: str | Path) -> list[Labelled]:
    """Read and validate a labelled set; any bad line is an InputError naming file and line."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"--evaluate: {path} does not exist.", "Give a JSONL file with text, lang, expected_risk, kind, categories.")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise InputError(f"--evaluate: {path} is not UTF-8 text.", "Save it as UTF-8 JSONL.") from None
    rows: list[Labelled] = []
    for i, obj in text_records(lines, f"--evaluate: {path}", "One JSON object per line."):
        risk, kind = obj.get("expected_risk"), obj.get("kind")
        if risk not in RISKS:
            raise InputError(f"--evaluate: {path}:{i} expected_risk must be one of {', '.join(RISKS)} (got {risk!r}).")
        if kind not in KINDS:
            raise InputError(f"--evaluate: {path}:{i} kind must be one of {', '.join(KINDS)} (got {kind!r}).")
        cats = obj.get("categories") or []
        if not isinstance(cats, list) or not all(isinstance(c, str) for c in cats):
            raise InputError(f"--evaluate: {path}:{i} categories must be a list of strings.")
        rows.append(Labelled(obj["text"], str(obj.get("lang") or "?"), risk, kind, cats, i))
    if not rows:
        raise InputError(f"--evaluate: {path} has no messages.")
    return rows


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def evaluate(path: str | Path, *, embeddings: bool | None = None) -> EvalReport:
    rows = load_labelled(path)
    t0 = time.perf_counter()
    results: list[tuple[Labelled, Screening]] = [(r, screen(r.text, embeddings=embeddings)) for r in rows]
    elapsed = time.perf_counter() - t0

    def positive(r: Labelled) -> bool:
        return r.expected_risk != "none"

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
    exact = sum(r.expected_risk == s.risk for r, s in results)

    langs = sorted({r.lang for r in rows})
    per_lang = {
        lang: {
            "recall": recall_of(lambda r, lang=lang: r.lang == lang),
            "recall_explicit": recall_of(lambda r, lang=lang: r.lang == lang and r.kind == "explicit"),
            "recall_implicit": recall_of(lambda r, lang=lang: r.lang == lang and r.kind == "implicit"),
            "false_positive_rate": fpr_of(lambda r, lang=lang: r.lang == lang),
            "exact_level_agreement": _ratio(sum(r.expected_risk == s.risk for r, s in results if r.lang == lang), sum(r.lang == lang for r in rows)),
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
    confusion = {e: {g: sum(r.expected_risk == e and s.risk == g for r, s in results) for g in RISKS} for e in RISKS}
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
        elif r.kind == "hard_negative" and recalled(s):
            why = "false positive"
        else:
            continue
        failures.append({"line": r.line, "lang": r.lang, "kind": r.kind, "expected": r.expected_risk, "got": s.risk, "why": why,
                         "text": r.text, "reasons": s.reasons[:4]})
    from eva_cli.safety.screen import _embedding_enabled

    embed_used = False
    if _embedding_enabled(embeddings):
        from eva_cli.safety import embed

        embed_used = embed.available()
    metrics = {
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
